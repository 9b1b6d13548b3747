//! Saving a file the page made: a temporary link, clicked.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag};

use super::object_url::{blob_from_bytes, ObjectUrl};

/// The browser would not save the file.
#[derive(Debug)]
pub struct DownloadFailed;

/// Offers `bytes` as a download named `name`.
pub fn download(bytes: &[u8], mime: &str, name: &str) -> Result<(), DownloadFailed> {
    let blob = blob_from_bytes(bytes, mime).map_err(|_| DownloadFailed)?;
    download_blob(&blob, name)
}

/// A file made of pieces, each copied out of wasm memory as it comes, so a
/// large file is never whole in wasm memory.
#[derive(Default)]
pub struct Pieces(Vec<Blob>);

impl Pieces {
    /// Adds a copy of `bytes`.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), DownloadFailed> {
        let blob =
            blob_from_bytes(bytes, "application/octet-stream").map_err(|_| DownloadFailed)?;
        self.0.push(blob);
        Ok(())
    }

    /// The pieces as one Blob of type `mime`.
    pub fn into_blob(self, mime: &str) -> Result<Blob, DownloadFailed> {
        let parts = js_sys::Array::new();
        for b in &self.0 {
            parts.push(b);
        }
        let options = BlobPropertyBag::new();
        options.set_type(mime);
        Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(|_| DownloadFailed)
    }
}

/// Offers `blob` as a download named `name`.
pub fn download_blob(blob: &Blob, name: &str) -> Result<(), DownloadFailed> {
    let url = ObjectUrl::for_blob(blob).map_err(|_| DownloadFailed)?;
    let window = web_sys::window().ok_or(DownloadFailed)?;
    let doc = window.document().ok_or(DownloadFailed)?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| DownloadFailed)?
        .dyn_into()
        .map_err(|_| DownloadFailed)?;
    a.set_href(url.as_str());
    a.set_download(name);
    a.click();
    // Revoke once the download has started.
    let revoke = Closure::once_into_js(move || drop(url));
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    Ok(())
}
