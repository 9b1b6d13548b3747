//! Copying text to the clipboard (`navigator.clipboard.writeText`).

use wasm_bindgen_futures::JsFuture;

use super::js_error_text;

/// Puts `text` on the clipboard. The error says why the browser refused (no
/// secure context, permission denied, the page not focused).
pub async fn copy_text(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let clipboard = window.navigator().clipboard();
    // Outside a secure context (http:// on another host) there is no clipboard.
    if clipboard.is_undefined() {
        return Err("this page has no clipboard access (it needs https://)".into());
    }
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(drop)
        .map_err(|e| js_error_text(&e))
}

/// Puts `png` (a Blob of type `image/png`) on the clipboard as an image
/// (`navigator.clipboard.write([new ClipboardItem({"image/png": png})])`).
/// The error says why the browser refused.
pub async fn copy_png(png: &web_sys::Blob) -> Result<(), String> {
    use js_sys::{Array, Function, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    let window = web_sys::window().ok_or("no window")?;
    let clipboard: JsValue = window.navigator().clipboard().into();
    if clipboard.is_undefined() {
        return Err("this page has no clipboard access (it needs https://)".into());
    }
    let ctor = Reflect::get(&window, &JsValue::from_str("ClipboardItem"))
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok())
        .ok_or("this browser cannot put images on the clipboard")?;
    let data = Object::new();
    Reflect::set(&data, &JsValue::from_str("image/png"), png).map_err(|e| js_error_text(&e))?;
    let item = Reflect::construct(&ctor, &Array::of1(&data)).map_err(|e| js_error_text(&e))?;
    let write = Reflect::get(&clipboard, &JsValue::from_str("write"))
        .ok()
        .and_then(|w| w.dyn_into::<Function>().ok())
        .ok_or("this browser cannot put images on the clipboard")?;
    let promise: Promise = write
        .call1(&clipboard, &Array::of1(&item))
        .map_err(|e| js_error_text(&e))?
        .dyn_into()
        .map_err(|_| "the clipboard did not answer".to_owned())?;
    JsFuture::from(promise)
        .await
        .map(drop)
        .map_err(|e| js_error_text(&e))
}
