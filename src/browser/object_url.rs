//! `blob:` URLs that are revoked when the last owner lets go.

use std::sync::Arc;

use wasm_bindgen::JsValue;
use web_sys::{Blob, BlobPropertyBag, Url};

/// An object URL for a Blob; revoked when dropped. Share it with [`SharedUrl`].
#[derive(Debug, PartialEq, Eq)]
pub struct ObjectUrl(String);

/// A shared object URL: the image stays loadable while any holder keeps it.
pub type SharedUrl = Arc<ObjectUrl>;

impl ObjectUrl {
    /// An object URL for `blob` (a `File` is a `Blob`): no bytes are copied.
    pub fn for_blob(blob: &Blob) -> Result<SharedUrl, JsValue> {
        Url::create_object_url_with_blob(blob).map(|u| Arc::new(Self(u)))
    }

    /// Copies `bytes` into a new Blob of type `mime` and returns its URL.
    pub fn from_bytes(bytes: &[u8], mime: &str) -> Result<SharedUrl, JsValue> {
        Self::for_blob(&blob_from_bytes(bytes, mime)?)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        let _ = Url::revoke_object_url(&self.0);
    }
}

/// A Blob holding a copy of `bytes`.
pub fn blob_from_bytes(bytes: &[u8], mime: &str) -> Result<Blob, JsValue> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options)
}
