//! `blob:` URLs that are revoked when the last owner lets go.

use std::sync::Arc;

use wasm_bindgen::{JsCast, JsValue};
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

/// A Blob holding a copy of `bytes`.
///
/// The bytes go through a JS `ArrayBuffer` first, not straight from a view of
/// wasm memory: V8 counts an `ArrayBuffer`'s bytes as memory the page uses and
/// collects garbage as they grow, but not a Blob's. Made straight from wasm
/// memory, Blobs the page no longer uses kept their bytes until some
/// unrelated collection came, which where the page makes little other
/// garbage was never: storing turns one after another without UI work (the
/// benchmark's fill), Chromium refused new Blobs and IndexedDB writes with
/// `DataError` after about 500 MB. (The UI's own work made enough garbage in
/// a measured session of 40 answers of 15 MB; this keeps it from depending
/// on that.)
/// The extra copy is a small part of making the Blob (see docs/benchmark.md).
pub fn blob_from_bytes(bytes: &[u8], mime: &str) -> Result<Blob, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    // Made through `Reflect.construct`, which returns the browser's refusal
    // (a `RangeError` when it has no memory for it) instead of throwing it
    // through wasm.
    let array = js_sys::Reflect::get(&js_sys::global(), &"Uint8Array".into())?
        .dyn_into::<js_sys::Function>()?;
    let length = js_sys::Array::of1(&(bytes.len() as f64).into());
    let copy = js_sys::Reflect::construct(&array, &length)?.dyn_into::<js_sys::Uint8Array>()?;
    if copy.length() as usize != bytes.len() {
        return Err(JsValue::from_str("the browser could not copy the image"));
    }
    copy.copy_from(bytes);
    let parts = js_sys::Array::of1(&copy);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    if blob.size() as usize == bytes.len() {
        Ok(blob)
    } else {
        Err(JsValue::from_str("the browser could not copy the image"))
    }
}
