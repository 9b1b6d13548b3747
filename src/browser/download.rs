//! Saving a file the page made: a temporary link, clicked.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::object_url::{blob_from_bytes, ObjectUrl};

/// The browser would not save the file.
#[derive(Debug)]
pub struct DownloadFailed;

/// Offers `bytes` as a download named `name`.
pub fn download(bytes: &[u8], mime: &str, name: &str) -> Result<(), DownloadFailed> {
    let blob = blob_from_bytes(bytes, mime).map_err(|_| DownloadFailed)?;
    download_blob(&blob, name)
}

/// Offers a Blob as a download named `name` (its bytes are not copied).
pub fn download_blob(blob: &web_sys::Blob, name: &str) -> Result<(), DownloadFailed> {
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
