//! Base64 for images. Decoding uses the browser's `Uint8Array.prototype.setFromBase64`
//! (Chromium 140+, Firefox 133+, Safari 18.2+), which writes straight into wasm
//! memory; browsers without it, and encoding, use the `base64` crate in wasm
//! (measured faster than `toBase64`, whose JS string must then be copied into
//! wasm memory in a second pass).

use js_sys::{Base64Alphabet, Base64Options, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

thread_local! {
    static NATIVE: bool = has_native();
}

fn has_native() -> bool {
    let proto = js_sys::Object::get_prototype_of(&Uint8Array::new_with_length(0));
    Reflect::get(&proto, &JsValue::from_str("setFromBase64")).is_ok_and(|f| f.is_function())
}

#[cfg(feature = "bench")]
thread_local! {
    static FORCE_FALLBACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Makes [`native`] false, to measure the fallback (benchmark only).
#[cfg(feature = "bench")]
pub fn force_fallback(on: bool) {
    FORCE_FALLBACK.with(|f| f.set(on));
}

/// True when this browser decodes base64 natively.
pub fn native() -> bool {
    #[cfg(feature = "bench")]
    if FORCE_FALLBACK.with(|f| f.get()) {
        return false;
    }
    NATIVE.with(|n| *n)
}

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

/// As [`memory_view`], of the spare capacity of `buf` (`len` bytes), to write
/// into; `None` if no usable view could be made.
unsafe fn spare_view(buf: &mut Vec<u8>, len: usize) -> Option<Uint8Array> {
    (0..2)
        .map(|_| Uint8Array::view_mut_raw(buf.as_mut_ptr(), len))
        .find(|v| v.length() as usize == len)
}

/// Base64 (standard alphabet, padded) of `bytes`, as the API wants it.
pub fn encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes base64 image data as the API sends it: standard alphabet, padding
/// optional, the URL-safe alphabet tolerated.
pub fn decode(data: &str) -> Result<Vec<u8>, String> {
    if native() {
        if let Some(bytes) = decode_native(data, Base64Alphabet::Base64)
            .or_else(|| decode_native(data, Base64Alphabet::Base64Url))
        {
            return Ok(bytes);
        }
    }
    gemini::response::decode_base64(data)
}

fn decode_native(data: &str, alphabet: Base64Alphabet) -> Option<Vec<u8>> {
    // At most this many bytes come out (whitespace, which the browser skips,
    // only makes it fewer).
    let cap = data.len() / 4 * 3 + 3;
    let mut out: Vec<u8> = Vec::with_capacity(cap);
    let options = Base64Options::new();
    options.set_alphabet(alphabet);
    // SAFETY: the view covers the spare capacity of `out` and goes straight to
    // setFromBase64 (passing `data` makes a JS string without allocating in wasm).
    let written = unsafe {
        let view = spare_view(&mut out, cap)?;
        view.set_from_base64_with_options(data, &options)
            .ok()?
            .written() as usize
    };
    if written > cap {
        return None;
    }
    // SAFETY: the browser wrote `written` bytes.
    unsafe { out.set_len(written) };
    Some(out)
}
