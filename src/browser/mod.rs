//! Thin glue to the browser: HTTP with abort, files as bytes, object URLs, storage.
//! Nothing here knows about components.

pub mod base64;
pub mod canvas;
pub mod clipboard;
pub mod digest;
pub mod download;
pub mod files;
pub mod focus;
pub mod http;
pub mod locks;
pub mod object_url;
pub mod page;
pub mod reencode;
pub mod service_worker;
pub mod storage;

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// "26 Nov 2026, 14:05": a time in the browser's locale and time zone.
pub fn date_label(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(d.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}

/// The text of a JS exception or value, for messages.
pub fn js_error_text(e: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        String::from(err.message())
    } else {
        e.as_string().unwrap_or_else(|| "unknown error".to_owned())
    }
}

/// Resolves after `ms` milliseconds (a `setTimeout`). Dropping the future
/// before then leaves only a timer that resolves nothing.
pub async fn sleep(ms: u64) {
    let ms = i32::try_from(ms).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves once the page has painted what is on it now: in the task after the
/// next animation frame, or after 100 ms if no frame comes (a tab opened in
/// the background paints nothing until shown, and must not wait for that).
pub async fn after_paint() {
    use wasm_bindgen::JsCast;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(w) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
            return;
        };
        // A timer set in the frame's callback runs after that frame's paint.
        let after = {
            let resolve = resolve.clone();
            wasm_bindgen::closure::Closure::once_into_js(move || {
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback(&resolve);
                }
            })
        };
        let framed = w.request_animation_frame(after.unchecked_ref()).is_ok();
        let timed = w
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100)
            .is_ok();
        if !framed && !timed {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves when the browser is next idle (`requestIdleCallback`), or after
/// `timeout_ms` at the latest; at once where there is no idle callback
/// (Safari). For background work, so that it does not hold up input or a
/// frame the page is about to paint.
pub async fn idle(timeout_ms: u32) {
    use wasm_bindgen::JsCast;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let asked = web_sys::window().is_some_and(|w| {
            let Ok(ask) = js_sys::Reflect::get(&w, &"requestIdleCallback".into()) else {
                return false;
            };
            let Some(ask) = ask.dyn_ref::<js_sys::Function>() else {
                return false;
            };
            let options = js_sys::Object::new();
            let set = js_sys::Reflect::set(&options, &"timeout".into(), &timeout_ms.into());
            set.is_ok() && ask.call2(&w, &resolve, &options).is_ok()
        });
        if !asked {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Lets the browser paint and handle input before the caller goes on: resolves
/// in a new task (`setTimeout(0)`), so long work on either side is two tasks.
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled =
            web_sys::window().is_some_and(|w| w.set_timeout_with_callback(&resolve).is_ok());
        if !scheduled {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
