//! SHA-256 of image bytes (the key images are stored under). The browser's
//! WebCrypto computes it at native speed, off the main thread in Chromium; pages
//! that are not a secure context (plain http:// to another computer) have no
//! `crypto.subtle` and use the `sha2` crate in wasm.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use sha2::{Digest, Sha256};

#[wasm_bindgen]
extern "C" {
    type Subtle;

    #[wasm_bindgen(method, catch)]
    fn digest(this: &Subtle, algorithm: &str, data: &Uint8Array) -> Result<Promise, JsValue>;
}

/// The key of an image: the SHA-256 of its bytes in lower-case hex (identical
/// images are kept once), computed in wasm.
pub fn image_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// [`image_hash`], by WebCrypto where the page has it.
pub async fn sha256_hex(bytes: &[u8]) -> String {
    match webcrypto_sha256_hex(bytes).await {
        Some(hex) => hex,
        None => image_hash(bytes),
    }
}

/// As [`sha256_hex`], by WebCrypto only: `None` where it is missing or fails.
pub async fn webcrypto_sha256_hex(bytes: &[u8]) -> Option<String> {
    let buf = JsFuture::from(native(bytes)?).await.ok()?;
    Some(hex(&Uint8Array::new(&buf).to_vec()))
}

fn native(bytes: &[u8]) -> Option<Promise> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    if !subtle.is_object() {
        return None;
    }
    let subtle: Subtle = subtle.unchecked_into();
    // SAFETY: the view goes straight to digest(), which copies the bytes before
    // it returns (WebCrypto: "get a copy of the bytes held by data").
    let view = unsafe { crate::browser::base64::memory_view(bytes) };
    subtle.digest("SHA-256", &view).ok()
}
