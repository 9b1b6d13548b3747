//! Failure injection by markers in the last user turn's text.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use common::*;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

#[tokio::test]
async fn status_markers() {
    let app = test_app();
    let cases = [
        ("[[status:401]]", 401, "UNAUTHENTICATED"),
        ("[[status:403]]", 403, "PERMISSION_DENIED"),
        ("[[status:404]]", 404, "NOT_FOUND"),
        ("[[status:429]]", 429, "RESOURCE_EXHAUSTED"),
        ("[[status:500]]", 500, "INTERNAL"),
        ("[[status:503]]", 503, "UNAVAILABLE"),
        ("[[status:504]]", 504, "DEADLINE_EXCEEDED"),
        ("[[status:400-precondition]]", 400, "FAILED_PRECONDITION"),
    ];
    for (marker, code, status) in cases {
        let r = post(&app, FLASH, &prompt(&format!("a cat {marker}"))).await;
        let msg = r.error(code, status);
        match code {
            503 => assert_eq!(msg, "The model is overloaded. Please try again later."),
            429 => {
                assert!(msg.starts_with("You exceeded your current quota"), "{msg}");
                let details = r.json()["error"]["details"].clone();
                let arr = details.as_array().unwrap();
                assert!(arr.iter().any(|d| d["@type"]
                    == "type.googleapis.com/google.rpc.QuotaFailure"
                    && d["violations"].as_array().is_some_and(|v| !v.is_empty())));
                assert!(arr
                    .iter()
                    .any(|d| d["@type"] == "type.googleapis.com/google.rpc.RetryInfo"
                        && d["retryDelay"] == "37s"));
            }
            400 => assert_eq!(msg, "User location is not supported for the API use."),
            _ => assert!(!msg.is_empty()),
        }
    }
}

#[tokio::test]
async fn finish_marker() {
    let app = test_app();
    for reason in [
        "SAFETY",
        "IMAGE_SAFETY",
        "NO_IMAGE",
        "PROHIBITED_CONTENT",
        "SOMETHING_NEW",
    ] {
        let r = post(&app, FLASH, &prompt(&format!("a cat [[finish:{reason}]]"))).await;
        assert_eq!(r.status, 200);
        let v = r.json();
        let c = &v["candidates"][0];
        assert_eq!(c["finishReason"], reason);
        assert!(c["finishMessage"]
            .as_str()
            .unwrap()
            .starts_with("Unable to show the generated image."));
        assert!(!r.body.windows(10).any(|w| w == b"inlineData"), "{v}");
        assert!(v["usageMetadata"]["promptTokenCount"].is_u64());
    }
}

#[tokio::test]
async fn block_marker() {
    let r = post(
        &test_app(),
        FLASH,
        &prompt("[[block:PROHIBITED_CONTENT]] a cat"),
    )
    .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert!(v.get("candidates").is_none(), "{v}");
    assert_eq!(v["promptFeedback"]["blockReason"], "PROHIBITED_CONTENT");
    assert!(v["promptFeedback"]["safetyRatings"].is_array());
    assert!(v["usageMetadata"]["promptTokenCount"].is_u64());
    assert_eq!(v["modelVersion"], FLASH);
}

#[tokio::test]
async fn malformed_marker() {
    let r = post(&test_app(), FLASH, &prompt("a cat [[malformed]]")).await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    assert!(String::from_utf8_lossy(&r.body).contains("<html>"));
}

#[tokio::test]
async fn truncate_marker_breaks_the_body() {
    let app = test_app();
    let req = Request::post(gen_path(FLASH))
        .header("x-goog-api-key", "k")
        .body(Body::from(prompt("a cat [[truncate]]").to_string()))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    let mut got = Vec::new();
    let mut failed = false;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(f) => got.extend_from_slice(f.data_ref().map(|b| b.as_ref()).unwrap_or(&[])),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "body must end in an error, not a clean EOF");
    assert!(got.starts_with(b"{\"candidates\""));
    assert!(got.len() > 1000, "a real image is started: {}", got.len());
    assert!(serde_json::from_slice::<Value>(&got).is_err());
}

#[tokio::test]
async fn truncate_over_a_real_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, test_app()).await.unwrap();
    });
    let body = prompt("a cat [[truncate]]").to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nx-goog-api-key: k\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        gen_path(FLASH),
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.starts_with("HTTP/1.1 200"),
        "{}",
        &text[..text.len().min(200)]
    );
    assert!(text.contains("transfer-encoding: chunked"));
    // the connection was closed without the terminating zero-length chunk
    assert!(!text.ends_with("\r\n0\r\n\r\n"));
    assert!(text.contains("{\"candidates\""));
}

#[tokio::test]
async fn slow_marker_waits_without_blocking_others() {
    let app = test_app();
    let started = Instant::now();
    let slow_body = prompt("a cat [[slow:400]]");
    let slow = post(&app, FLASH, &slow_body);
    let fast = async {
        let r = post(&app, FLASH, &prompt("a dog")).await;
        (r, started.elapsed())
    };
    let (slow, (fast, fast_elapsed)) = tokio::join!(slow, fast);
    assert_eq!(slow.status, 200);
    assert_eq!(fast.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert!(
        fast_elapsed < Duration::from_millis(400),
        "{fast_elapsed:?}"
    );
    // slow + status: waits, then fails
    let started = Instant::now();
    let r = post(&app, FLASH, &prompt("[[slow:100]] [[status:503]]")).await;
    r.error(503, "UNAVAILABLE");
    assert!(started.elapsed() >= Duration::from_millis(100));
}

fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                keys(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn snake_marker() {
    let body = json!({
        "contents": [{"parts": [{"text": "a cat [[snake]]"}]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": true}},
        "tools": [{"google_search": {}}]
    });
    let v = ok(&test_app(), FLASH, &body).await;
    let mut all = Vec::new();
    keys(&v, &mut all);
    for k in &all {
        assert!(
            !k.chars().any(|c| c.is_ascii_uppercase()),
            "camelCase key {k}"
        );
    }
    for want in [
        "inline_data",
        "mime_type",
        "thought_signature",
        "finish_reason",
        "usage_metadata",
        "prompt_token_count",
        "candidates_token_count",
        "total_token_count",
        "thoughts_token_count",
        "model_version",
        "response_id",
        "grounding_metadata",
        "safety_ratings",
    ] {
        assert!(all.iter().any(|k| k == want), "missing {want}");
    }
    let img = v["candidates"][0]["content"]["parts"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["inline_data"]["data"]
        .as_str()
        .unwrap()
        .to_string();
    png_dims(&b64_decode(&img));
}

#[tokio::test]
async fn html_text_marker() {
    let app = test_app();
    let v = ok(&app, FLASH, &prompt("a cat [[html-text]]")).await;
    let ps = parts(&v);
    let text_parts: Vec<&Value> = ps.iter().filter(|p| p["text"].is_string()).collect();
    assert_eq!(text_parts.len(), 1);
    assert_eq!(text_parts[0]["text"], "<img src=x onerror=alert(1)>");
    final_image(&v);
    // even when only IMAGE was asked for
    let body = json!({"contents": [{"parts": [{"text": "a cat [[html-text]]"}]}], "generationConfig": {"responseModalities": ["IMAGE"]}});
    let v = ok(&app, FLASH, &body).await;
    assert!(parts(&v)
        .iter()
        .any(|p| p["text"] == "<img src=x onerror=alert(1)>"));
}

#[tokio::test]
async fn no_image_marker() {
    let v = ok(&test_app(), FLASH, &prompt("a cat [[no-image]]")).await;
    let c = &v["candidates"][0];
    assert_eq!(c["finishReason"], "STOP");
    let ps = parts(&v);
    assert!(!ps.is_empty());
    assert!(ps.iter().all(|p| p.get("inlineData").is_none()));
    assert!(ps.iter().any(|p| p["text"].is_string()));
    assert!(ps[0]["thoughtSignature"].is_string());
}

#[tokio::test]
async fn markers_are_stripped_before_hashing() {
    let app = test_app();
    let a = final_image(&ok(&app, FLASH, &prompt("a lighthouse")).await).1;
    let v = ok(&app, FLASH, &prompt("a [[slow:1]] lighthouse")).await;
    assert_eq!(final_image(&v).1, a);
    // the text part does not show the markers either
    assert!(parts(&v)
        .iter()
        .any(|p| p["text"] == "Here is your image: a lighthouse"));
    // markers only count in the last user turn
    let body = json!({"contents": [
        {"role": "user", "parts": [{"text": "[[status:500]]"}]},
        {"role": "model", "parts": [{"text": "ok"}]},
        {"role": "user", "parts": [{"text": "a lighthouse"}]}
    ]});
    ok(&app, FLASH, &body).await;
}

#[tokio::test]
async fn fail_first_fails_once_per_prompt() {
    let app = test_app();
    let body = prompt("[[fail-first:503]] a cat");
    let first = post(&app, "gemini-3.1-flash-image-preview", &body).await;
    assert_eq!(first.status, 503);
    let second = post(&app, "gemini-3.1-flash-image-preview", &body).await;
    assert_eq!(second.status, 200);
    let other = post(
        &app,
        "gemini-3.1-flash-image-preview",
        &prompt("[[fail-first:503]] a dog"),
    )
    .await;
    assert_eq!(other.status, 503);
}
