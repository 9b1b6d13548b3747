//! `localStorage`, for small non-secret preferences (and the key only when the
//! user asks); `sessionStorage` for a key kept for this tab only. Every failure (private mode, quota, blocked storage) is tolerated:
//! preferences are a convenience, not data.

use js_sys::JSON;
use wasm_bindgen::JsValue;

fn store() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// `sessionStorage`: kept while this tab is open, gone when it closes.
pub mod for_session {
    pub fn get_string(key: &str) -> Option<String> {
        super::session()?.get_item(key).ok().flatten()
    }

    pub fn set_string(key: &str, value: &str) -> bool {
        super::session().is_some_and(|s| s.set_item(key, value).is_ok())
    }

    pub fn remove(key: &str) {
        if let Some(s) = super::session() {
            let _ = s.remove_item(key);
        }
    }
}

pub fn get_string(key: &str) -> Option<String> {
    store()?.get_item(key).ok().flatten()
}

pub fn set_string(key: &str, value: &str) -> bool {
    store().is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn remove(key: &str) {
    if let Some(s) = store() {
        let _ = s.remove_item(key);
    }
}

/// A stored JSON value, parsed by the browser (`JSON.parse`: no JSON parser
/// on the first screen). Anything missing or unreadable gives `None`.
pub fn get_json(key: &str) -> Option<JsValue> {
    JSON::parse(&get_string(key)?).ok()
}

/// Stores `value` as JSON text (`JSON.stringify`).
pub fn set_json(key: &str, value: &JsValue) -> bool {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .is_some_and(|s| set_string(key, &s))
}
