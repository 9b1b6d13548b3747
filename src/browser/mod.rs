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
