//! `localStorage`, for small non-secret preferences (and the key only when the
//! user asks); `sessionStorage` for a key kept for this tab only. Every failure (private mode, quota, blocked storage) is tolerated:
//! preferences are a convenience, not data.

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::model::prefs::{Fields, Record, Scalar};

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

/// A stored JSON object's fields (the browser's `JSON.parse`; no serde on
/// the first screen). Anything missing or unreadable gives `None`.
pub fn get_record(key: &str) -> Option<Stored> {
    let value = JSON::parse(&get_string(key)?).ok()?;
    (value.is_object() && !js_sys::Array::is_array(&value)).then(|| Stored(value.unchecked_into()))
}

/// Stores `record` as a JSON object.
pub fn set_record(key: &str, record: &Record) -> bool {
    let object = Object::new();
    for (name, value) in record {
        if Reflect::set(&object, &JsValue::from_str(name), &js(value)).is_err() {
            return false;
        }
    }
    stringify(&object).is_some_and(|s| set_string(key, &s))
}

/// A stored JSON scalar.
pub fn get_scalar(key: &str) -> Option<Scalar> {
    scalar(JSON::parse(&get_string(key)?).ok()?)
}

pub fn set_scalar(key: &str, value: &Scalar) -> bool {
    stringify(&js(value)).is_some_and(|s| set_string(key, &s))
}

/// A stored object, read field by field.
pub struct Stored(Object);

impl Fields for Stored {
    fn field(&self, name: &str) -> Option<Scalar> {
        scalar(Reflect::get(&self.0, &JsValue::from_str(name)).ok()?)
    }
}

fn scalar(v: JsValue) -> Option<Scalar> {
    if let Some(s) = v.as_string() {
        Some(Scalar::Str(s))
    } else if let Some(b) = v.as_bool() {
        Some(Scalar::Bool(b))
    } else if let Some(n) = v.as_f64() {
        Some(Scalar::Num(n))
    } else {
        v.is_null().then_some(Scalar::Null)
    }
}

fn js(value: &Scalar) -> JsValue {
    match value {
        Scalar::Str(s) => JsValue::from_str(s),
        Scalar::Bool(b) => JsValue::from_bool(*b),
        Scalar::Num(n) => JsValue::from_f64(*n),
        Scalar::Null => JsValue::NULL,
    }
}

fn stringify(value: &JsValue) -> Option<String> {
    JSON::stringify(value).ok()?.as_string()
}
