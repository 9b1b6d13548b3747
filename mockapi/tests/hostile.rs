//! Known pixels and hostile answers: `[[solid]]`, images that are not images, a header that
//! lies about the size, and an error that repeats the caller's key.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use gemini_mock::render::image_dims;
use serde_json::{json, Value};

fn final_part(v: &Value) -> Value {
    parts(v)
        .into_iter()
        .rev()
        .find(|p| p["thought"] != json!(true) && p.get("inlineData").is_some())
        .unwrap_or_else(|| panic!("no final image in {v}"))
}

#[tokio::test]
async fn solid_is_a_lossless_png_of_one_colour_at_the_implied_size() {
    let app = test_app();
    for (model, config, dims) in [
        (
            FLASH,
            json!({"imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}}),
            (2752 / 16, 1536 / 16),
        ),
        // Pro answers JPEG, but not here
        (
            PRO,
            json!({"imageConfig": {"aspectRatio": "3:4"}}),
            (896 / 16, 1200 / 16),
        ),
        (FLASH25, json!({}), (1024 / 16, 1024 / 16)),
    ] {
        let body = json!({
            "contents": [{"parts": [{"text": "a flat wall [[solid:1A2b3C]]"}]}],
            "generationConfig": config
        });
        let v = ok(&app, model, &body).await;
        let (mime, bytes) = final_image(&v);
        assert_eq!(mime, "image/png", "{model}");
        assert_eq!(png_dims(&bytes), dims, "{model}");
        let px = png_pixels(&bytes);
        assert!(
            px.chunks(3).all(|c| c == [0x1A, 0x2B, 0x3C]),
            "{model}: one colour"
        );
        // still signed (Gemini 3), so it can be replayed
        if model != FLASH25 {
            let sig = final_part(&v)["thoughtSignature"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(sig, gemini_mock::render::signature(&bytes));
        }
    }
    // drafts are unaffected: still greyscale and blocky
    let body = json!({
        "contents": [{"parts": [{"text": "a flat wall [[solid:ff0000]]"}]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": true}}
    });
    let v = ok(&app, FLASH, &body).await;
    let draft = parts(&v)
        .into_iter()
        .find(|p| p["thought"] == json!(true) && p.get("inlineData").is_some())
        .unwrap();
    let px = png_pixels(&b64_decode(draft["inlineData"]["data"].as_str().unwrap()));
    assert!(px.chunks(3).all(|c| c[0] == c[1] && c[1] == c[2]));
    assert!(px.chunks(3).any(|c| c != &px[..3]));
    // not a colour: not a marker
    let v = ok(&app, FLASH, &prompt("[[solid:red]] x")).await;
    assert!(final_image(&v).0 == "image/png");
    assert!(parts(&v).iter().any(|p| p["text"]
        .as_str()
        .is_some_and(|t| t.contains("[[solid:red]]"))));
}

#[tokio::test]
async fn svg_and_html_images_carry_scripts() {
    let app = test_app();
    for (marker, mime, start) in [
        ("[[svg-image]]", "image/svg+xml", "<svg"),
        ("[[html-image]]", "text/html", "<!doctype html>"),
        ("[[mime-lie]]", "image/png", "<svg"),
    ] {
        for model in [FLASH, PRO, FLASH25] {
            let v = ok(&app, model, &prompt(&format!("a cat {marker}"))).await;
            let (got_mime, bytes) = final_image(&v);
            assert_eq!(got_mime, mime, "{marker} {model}");
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.starts_with(start), "{marker}: {text}");
            assert!(text.contains("<script>"), "{marker}: {text}");
        }
    }
}

#[tokio::test]
async fn huge_dims_is_a_sniffable_png_claiming_30000_square() {
    let app = test_app();
    let v = ok(&app, PRO, &prompt("a cat [[huge-dims]]")).await;
    let (mime, bytes) = final_image(&v);
    assert_eq!(mime, "image/png");
    assert!(bytes.len() < 100, "tiny: {} bytes", bytes.len());
    assert_eq!(image_dims(&bytes), Some((30_000, 30_000)));
    // a real PNG reader accepts its header (chunk CRCs are valid)
    let reader = png::Decoder::new(std::io::Cursor::new(&bytes))
        .read_info()
        .expect("valid PNG header and CRCs");
    assert_eq!(
        (reader.info().width, reader.info().height),
        (30_000, 30_000)
    );
}

fn echo_req(key: &str) -> Request<Body> {
    Request::post(gen_path(FLASH))
        .header("x-goog-api-key", key)
        .body(Body::from(prompt("a cat [[echo-key]]").to_string()))
        .unwrap()
}

#[tokio::test]
async fn echo_key_repeats_the_key_in_four_forms() {
    let app = test_app();
    let key = "AIzaSy/Test+Key=9 \"quoted\" &more";
    let r = send(&app, echo_req(key)).await;
    let msg = r.invalid();
    assert!(msg.contains(key), "verbatim: {msg}");
    let encoded = "AIzaSy%2FTest%2BKey%3D9%20%22quoted%22%20%26more";
    assert!(msg.contains(encoded), "URL-encoded: {msg}");
    assert!(
        msg.contains(r#"{"key":"AIzaSy/Test+Key=9 \"quoted\" &more"}"#),
        "JSON: {msg}"
    );
    // verbatim, in the JSON, and alone
    assert_eq!(msg.matches(&key[..12]).count(), 3, "prefix: {msg}");
    // and on the wire, inside the JSON body, the embedded JSON string is escaped once more
    let raw = String::from_utf8(r.body).unwrap();
    assert!(
        raw.contains(r#"{\"key\":\"AIzaSy/Test+Key=9 \\\"quoted\\\" &more\"}"#),
        "{raw}"
    );
    // with a plain key the four forms still appear
    let r = send(&app, echo_req("plain-key-0123456789")).await;
    let msg = r.invalid();
    assert!(msg.contains("{\"key\":\"plain-key-0123456789\"}"));
    assert_eq!(msg.matches("plain-key-01").count(), 4, "{msg}");
}
