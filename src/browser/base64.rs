//! Base64 for images, with SIMD: `base64-simd` on wasm `simd128` (the build
//! enables it in `.cargo/config.toml`). Measured on a 20 MB image: encode 3× the
//! `base64` crate, decode 2× the browser's `Uint8Array.setFromBase64` (which
//! first needs the data as a JS string, a copy out of wasm memory).

use js_sys::Uint8Array;

/// A view of `bytes` in wasm memory, checked to be usable.
///
/// # Safety
/// Views die when wasm memory grows; the caller must use the view before anything
/// allocates in wasm memory, i.e. pass it straight to a native call that copies or
/// reads it, with no JS value created in between (storing a new JS value may grow
/// wasm-bindgen's table of them). Creating the view is such an allocation itself,
/// hence the check, the second try, and a JS copy as the last resort.
pub(crate) unsafe fn memory_view(bytes: &[u8]) -> Uint8Array {
    for _ in 0..2 {
        let view = Uint8Array::view(bytes);
        if view.length() as usize == bytes.len() {
            return view;
        }
    }
    Uint8Array::from(bytes)
}

/// Base64 (standard alphabet, padded) of `bytes`, as the API wants it.
pub fn encode(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// Decodes base64 image data as the API sends it: standard alphabet and padded
/// on the fast path; without padding, with whitespace or in the URL-safe
/// alphabet by the lenient decoder.
pub fn decode(data: &str) -> Result<Vec<u8>, String> {
    base64_simd::STANDARD
        .decode_to_vec(data)
        .or_else(|_| gemini::response::decode_base64(data))
}
