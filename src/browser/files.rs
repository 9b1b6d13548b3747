//! Files from the user, read as bytes and checked by their content.

use gemini::mime::{sniff, ImageMime, Sniffed};
use gemini::request::{human_bytes, MAX_IMAGE_BYTES};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File};

use super::js_error_text;

/// A readable image the API takes.
pub struct ImageFile {
    pub name: String,
    pub mime: ImageMime,
    pub bytes: Vec<u8>,
}

/// Reads `file` as bytes and identifies it by its magic number.
/// The error says, for this file, what is wrong and what to do.
pub async fn read_image(file: &File) -> Result<ImageFile, String> {
    let name = file.name();
    let size = file.size();
    if size > MAX_IMAGE_BYTES as f64 {
        return Err(format!(
            "\u{201c}{name}\u{201d} is {}, over the API's {} limit per image. Use a smaller image.",
            human_bytes(size as u64),
            human_bytes(MAX_IMAGE_BYTES as u64)
        ));
    }
    let bytes = blob_bytes(file)
        .await
        .map_err(|e| format!("\u{201c}{name}\u{201d} could not be read ({e})."))?;
    match sniff(&bytes) {
        Sniffed::Supported(mime) => Ok(ImageFile { name, mime, bytes }),
        Sniffed::Convertible(kind) => Err(format!(
            "\u{201c}{name}\u{201d} is a {kind} image; the API takes PNG, JPEG and WebP. Convert it and add it again."
        )),
        Sniffed::Unknown if bytes.is_empty() => Err(format!("\u{201c}{name}\u{201d} is empty.")),
        Sniffed::Unknown => Err(format!(
            "\u{201c}{name}\u{201d} is not a PNG, JPEG or WebP image."
        )),
    }
}

/// The bytes of a Blob (a `File` is one), copied into wasm memory.
pub async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| js_error_text(&e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The bytes `start..end` of a Blob (a `File` is one): only those are read.
pub async fn read_range(blob: &Blob, start: u64, end: u64) -> Result<Vec<u8>, String> {
    blob_bytes(&slice(blob, start, end, "")?).await
}

/// The part `start..end` of a Blob as a Blob of type `mime`: no bytes are read
/// or copied (the browser refers to the original).
pub fn slice(blob: &Blob, start: u64, end: u64, mime: &str) -> Result<Blob, String> {
    blob.slice_with_f64_and_f64_and_content_type(start as f64, end as f64, mime)
        .map_err(|e| js_error_text(&e))
}

/// One Blob made of `parts` (byte arrays and Blobs, in order) without copying
/// the Blobs' bytes.
pub fn join(parts: &js_sys::Array, mime: &str) -> Result<Blob, String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(parts, &options).map_err(|e| js_error_text(&e))
}

/// Base64 without a `data:` prefix, as the API wants it.
pub fn to_base64(bytes: &[u8]) -> String {
    super::base64::encode(bytes)
}
