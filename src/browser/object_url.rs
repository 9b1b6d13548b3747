//! `blob:` URLs that are revoked when the last owner lets go.

use std::sync::Arc;

use wasm_bindgen::JsValue;
use web_sys::{Blob, BlobPropertyBag, Url};

/// An object URL for a Blob, and the Blob (to store without copying its bytes
/// through wasm); revoked when dropped. Share it with [`SharedUrl`].
#[derive(Debug)]
pub struct ObjectUrl {
    url: String,
    blob: Blob,
}

impl PartialEq for ObjectUrl {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url
    }
}

impl Eq for ObjectUrl {}

/// A shared object URL: the image stays loadable while any holder keeps it.
pub type SharedUrl = Arc<ObjectUrl>;

impl ObjectUrl {
    /// An object URL for `blob` (a `File` is a `Blob`): no bytes are copied.
    pub fn for_blob(blob: &Blob) -> Result<SharedUrl, JsValue> {
        Url::create_object_url_with_blob(blob).map(|url| {
            Arc::new(Self {
                url,
                blob: blob.clone(),
            })
        })
    }

    /// Copies `bytes` into a new Blob of type `mime` and returns its URL.
    pub fn from_bytes(bytes: &[u8], mime: &str) -> Result<SharedUrl, JsValue> {
        Self::for_blob(&blob_from_bytes(bytes, mime)?)
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The Blob the URL shows.
    pub fn blob(&self) -> &Blob {
        &self.blob
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        let _ = Url::revoke_object_url(&self.url);
    }
}

/// A Blob holding a copy of `bytes` (the browser copies straight from wasm
/// memory: no intermediate JS array).
pub fn blob_from_bytes(bytes: &[u8], mime: &str) -> Result<Blob, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::new();
    // SAFETY: the view goes into `parts` (no new JS value) and the Blob
    // constructor copies it before anything else runs.
    parts.push(unsafe { &crate::browser::base64::memory_view(bytes) });
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    if blob.size() as usize == bytes.len() {
        Ok(blob)
    } else {
        Err(JsValue::from_str("the browser could not copy the image"))
    }
}
