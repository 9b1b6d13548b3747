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
