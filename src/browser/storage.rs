//! `localStorage`, for small non-secret preferences (and the key only when the
//! user asks); `sessionStorage` for a key kept for this tab only. Every failure (private mode, quota, blocked storage) is tolerated:
//! preferences are a convenience, not data.

use serde::{de::DeserializeOwned, Serialize};

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

/// Reads a JSON value; anything missing or unreadable gives `None`.
pub fn get_json<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&get_string(key)?).ok()
}

pub fn set_json<T: Serialize>(key: &str, value: &T) -> bool {
    serde_json::to_string(value).is_ok_and(|s| set_string(key, &s))
}
