//! Requests as Google's SDKs send them: google-genai (Python) sends snake_case names, URL-safe
//! base64 and upper-case enums; @google/genai (JavaScript) camelCase and standard base64.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};

/// A PNG whose base64 uses `+` or `/` (so its URL-safe form differs) and needs padding.
fn input_png() -> Vec<u8> {
    for seed in 0u8..=255 {
        let png = make_png(24, 16, [seed, 90, 200]);
        let s = STANDARD.encode(&png);
        if (s.contains('+') || s.contains('/')) && s.ends_with('=') {
            return png;
        }
    }
    panic!("no suitable test PNG");
}

const PY_HEADERS: &[(&str, &str)] = &[
    ("x-goog-api-key", "test-key"),
    (
        "x-goog-api-client",
        "google-genai-sdk/1.52.0 gl-python/3.12.3",
    ),
    ("user-agent", "google-genai-sdk/1.52.0 gl-python/3.12.3"),
];
const JS_HEADERS: &[(&str, &str)] = &[
    ("x-goog-api-key", "test-key"),
    (
        "x-goog-api-client",
        "google-genai-sdk/1.30.0 gl-node/22.11.0",
    ),
    ("user-agent", "google-genai-sdk/1.30.0 gl-node/22.11.0"),
];

async fn ok_with(app: &axum::Router, body: &Value, headers: &[(&str, &str)]) -> Value {
    let r = post_raw(app, FLASH, &body.to_string(), headers).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

#[tokio::test]
async fn both_sdks_requests_are_accepted_and_mean_the_same() {
    let app = test_app();
    let png = input_png();
    let python = json!({
        "contents": [{"role": "user", "parts": [
            {"text": "Transform this into a watercolor painting"},
            {"inline_data": {"data": URL_SAFE_NO_PAD.encode(&png), "mime_type": "image/png"}}
        ]}],
        "system_instruction": {"parts": [{"text": "You are an illustrator."}], "role": "user"},
        "generation_config": {
            "response_modalities": ["TEXT", "IMAGE"],
            "image_config": {"aspect_ratio": "3:2", "image_size": "2K"},
            "thinking_config": {"thinking_level": "HIGH", "include_thoughts": true}
        },
        "tools": [{"google_search": {}}]
    });
    let javascript = json!({
        "contents": [{"role": "user", "parts": [
            {"text": "Transform this into a watercolor painting"},
            {"inlineData": {"mimeType": "image/png", "data": STANDARD.encode(&png)}}
        ]}],
        "systemInstruction": {"parts": [{"text": "You are an illustrator."}], "role": "user"},
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"aspectRatio": "3:2", "imageSize": "2K"},
            "thinkingConfig": {"thinkingLevel": "high", "includeThoughts": true}
        },
        "tools": [{"googleSearch": {}}]
    });
    let py = ok_with(&app, &python, PY_HEADERS).await;
    let js = ok_with(&app, &javascript, JS_HEADERS).await;
    let (_, py_img) = final_image(&py);
    assert_eq!(png_dims(&py_img), (2528 / 16, 1696 / 16));
    // the same bytes were understood: same input tile, same picture
    assert_eq!(py_img, final_image(&js).1);
    // answers stay camelCase and standard base64
    let data = parts(&py).last().unwrap()["inlineData"]["data"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!data.contains('-') && !data.contains('_'));
    // URL-safe with padding is fine too
    let mut padded = python.clone();
    padded["contents"][0]["parts"][1]["inline_data"]["data"] = json!(URL_SAFE.encode(&png));
    assert_eq!(
        final_image(&ok_with(&app, &padded, PY_HEADERS).await).1,
        py_img
    );
}

/// google-genai replays a model turn with snake_case names and URL-safe bytes.
fn as_python(part: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in part.as_object().unwrap() {
        match k.as_str() {
            "inlineData" => {
                let bytes = b64_decode(v["data"].as_str().unwrap());
                out.insert(
                    "inline_data".into(),
                    json!({"mime_type": v["mimeType"], "data": URL_SAFE.encode(bytes)}),
                );
            }
            "thoughtSignature" => {
                let bytes = b64_decode(v.as_str().unwrap());
                out.insert("thought_signature".into(), json!(URL_SAFE.encode(bytes)));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

#[tokio::test]
async fn signatures_sent_back_in_another_base64_form_still_match() {
    let app = test_app();
    for model in [FLASH, PRO] {
        let first = json!({
            "contents": [{"role": "user", "parts": [{"text": "a red fox"}]}],
            "generation_config": {"thinking_config": {"include_thoughts": true}}
        });
        let a1 = ok(&app, model, &first).await;
        let py_turn =
            json!({"role": "model", "parts": parts(&a1).iter().map(as_python).collect::<Vec<_>>()});
        let body = json!({"contents": [
            first["contents"][0], py_turn, {"role": "user", "parts": [{"text": "make it blue"}]}
        ]});
        let v = ok(&app, model, &body).await;
        assert!(parts(&v)
            .iter()
            .any(|p| p["text"] == "Here is the edited image: make it blue"));
        // unpadded standard base64 of the same signature
        let mut body = json!({"contents": [
            first["contents"][0], {"role": "model", "parts": parts(&a1)}, {"role": "user", "parts": [{"text": "make it blue"}]}
        ]});
        for p in body["contents"][1]["parts"].as_array_mut().unwrap() {
            if let Some(s) = p["thoughtSignature"].as_str().map(str::to_string) {
                p["thoughtSignature"] = json!(s.trim_end_matches('='));
            }
        }
        ok(&app, model, &body).await;
        // a different signature is still refused, whatever its alphabet
        let mut body = json!({"contents": [
            first["contents"][0], py_turn_with_bad_sig(&a1), {"role": "user", "parts": [{"text": "make it blue"}]}
        ]});
        assert_eq!(
            post(&app, model, &body).await.invalid(),
            "Corrupted thought signature."
        );
        body["contents"][1]["parts"][0]["thought_signature"] = json!("not base64!");
        assert!(post(&app, model, &body)
            .await
            .invalid()
            .contains("(TYPE_BYTES)"));
    }
}

fn py_turn_with_bad_sig(answer: &Value) -> Value {
    let mut ps: Vec<Value> = parts(answer)
        .iter()
        .filter(|p| p["thought"] != json!(true))
        .map(as_python)
        .collect();
    let last = ps.last_mut().unwrap();
    last["thought_signature"] = json!(URL_SAFE_NO_PAD.encode([0xFB_u8; 32]));
    // put the image first so the test above can also break its signature's base64
    ps.reverse();
    json!({"role": "model", "parts": ps})
}
