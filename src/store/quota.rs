//! `navigator.storage`: how much is used, and whether it is kept.

use gemini::request::human_bytes;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Bytes used and the quota, as the browser estimates them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    pub usage: f64,
    pub quota: f64,
}

impl Estimate {
    /// "12.3 MB of 2.1 GB used".
    pub fn describe(&self) -> String {
        format!(
            "{} of {} used",
            human_bytes(self.usage as u64),
            human_bytes(self.quota as u64)
        )
    }
}

fn manager() -> Option<web_sys::StorageManager> {
    let nav = web_sys::window()?.navigator();
    // Missing in some contexts (insecure origins): check before calling.
    js_sys::Reflect::get(&nav, &JsValue::from_str("storage"))
        .ok()
        .filter(|s| !s.is_undefined() && !s.is_null())?;
    Some(nav.storage())
}

fn number(obj: &JsValue, key: &str) -> f64 {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

pub async fn estimate() -> Option<Estimate> {
    let promise = manager()?.estimate().ok()?;
    let value = JsFuture::from(promise).await.ok()?;
    Some(Estimate {
        usage: number(&value, "usage"),
        quota: number(&value, "quota"),
    })
}

/// Whether the browser already keeps this site's storage.
pub async fn persisted() -> Option<bool> {
    let promise = manager()?.persisted().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// Asks the browser to keep this site's storage; says whether it was granted.
pub async fn persist() -> Option<bool> {
    let promise = manager()?.persist().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}
