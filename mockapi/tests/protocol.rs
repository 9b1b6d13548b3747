//! Thought signatures, follow-up edits, keys, CORS and the /__mock endpoints.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use gemini_mock::Config;
use serde_json::{json, Value};

const MISSING: &str =
    "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.";

fn model_turn(answer: &Value) -> Value {
    answer["candidates"][0]["content"].clone()
}

fn follow_up(first: &str, answer: &Value, second: &str) -> Value {
    json!({"contents": [
        {"role": "user", "parts": [{"text": first}]},
        model_turn(answer),
        {"role": "user", "parts": [{"text": second}]}
    ]})
}

#[tokio::test]
async fn replaying_a_model_turn_verbatim_passes() {
    let app = test_app();
    for model in [FLASH, PRO] {
        let first = json!({
            "contents": [{"role": "user", "parts": [{"text": "a red fox"}]}],
            "generationConfig": {"thinkingConfig": {"includeThoughts": true}}
        });
        let a1 = ok(&app, model, &first).await;
        let mut body = follow_up("a red fox", &a1, "make it blue");
        body["generationConfig"] = json!({"thinkingConfig": {"includeThoughts": true}});
        let a2 = ok(&app, model, &body).await;
        // and a third turn on top of both
        let mut contents = body["contents"].as_array().unwrap().clone();
        contents.push(model_turn(&a2));
        contents.push(json!({"role": "user", "parts": [{"text": "add a moon"}]}));
        ok(&app, model, &json!({"contents": contents})).await;
    }
}

#[tokio::test]
async fn removing_a_signature_fails_with_the_exact_message() {
    let app = test_app();
    let first = json!({
        "contents": [{"role": "user", "parts": [{"text": "a red fox"}]}],
        "generationConfig": {"thinkingConfig": {"thinkingLevel": "high", "includeThoughts": true}}
    });
    let a1 = ok(&app, FLASH, &first).await;
    let mut body = follow_up("a red fox", &a1, "make it blue");
    let parts = body["contents"][1]["parts"].as_array_mut().unwrap();
    // thought text, 2 drafts, text, final image -> the final image is part 5
    assert_eq!(parts.len(), 5);
    parts[4].as_object_mut().unwrap().remove("thoughtSignature");
    let msg = post(&app, FLASH, &body).await.invalid();
    assert_eq!(
        msg,
        format!("Image part is missing a thought_signature in content position 2, part position 5. {MISSING}")
    );
    // dropping the thought parts moves the image to part 2: still must be signed
    let mut body = follow_up("a red fox", &a1, "make it blue");
    let parts: Vec<Value> = body["contents"][1]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("thought").is_none())
        .cloned()
        .collect();
    body["contents"][1]["parts"] = json!(parts);
    ok(&app, FLASH, &body).await;
    body["contents"][1]["parts"][1]
        .as_object_mut()
        .unwrap()
        .remove("thoughtSignature");
    let msg = post(&app, FLASH, &body).await.invalid();
    assert_eq!(
        msg,
        format!("Image part is missing a thought_signature in content position 2, part position 2. {MISSING}")
    );
    // the text part's signature may be dropped (only images must be signed)
    let mut body = follow_up("a red fox", &a1, "make it blue");
    body["contents"][1]["parts"][3]
        .as_object_mut()
        .unwrap()
        .remove("thoughtSignature");
    ok(&app, FLASH, &body).await;
}

#[tokio::test]
async fn altered_image_or_signature_is_corrupted() {
    let app = test_app();
    let a1 = ok(&app, FLASH, &prompt("a red fox")).await;
    let mut body = follow_up("a red fox", &a1, "make it blue");
    let other = b64(&make_png(64, 64, [1, 2, 3]));
    body["contents"][1]["parts"][1]["inlineData"]["data"] = json!(other);
    assert_eq!(
        post(&app, FLASH, &body).await.invalid(),
        "Corrupted thought signature."
    );

    let mut body = follow_up("a red fox", &a1, "make it blue");
    let other_sig = b64(&[7u8; 32]);
    body["contents"][1]["parts"][1]["thoughtSignature"] = json!(other_sig);
    assert_eq!(
        post(&app, FLASH, &body).await.invalid(),
        "Corrupted thought signature."
    );

    // a signature moved from the image to the text part
    let mut body = follow_up("a red fox", &a1, "make it blue");
    let sig = body["contents"][1]["parts"][1]["thoughtSignature"].clone();
    body["contents"][1]["parts"][0]["thoughtSignature"] = sig;
    body["contents"][1]["parts"][1]
        .as_object_mut()
        .unwrap()
        .remove("thoughtSignature");
    assert_eq!(
        post(&app, FLASH, &body).await.invalid(),
        "Corrupted thought signature."
    );

    // a signature that is not even base64
    let mut body = follow_up("a red fox", &a1, "make it blue");
    body["contents"][1]["parts"][1]["thoughtSignature"] = json!("not base64!");
    let msg = post(&app, FLASH, &body).await.invalid();
    assert!(msg.contains("thought_signature' (TYPE_BYTES)"), "{msg}");

    // snake_case replay works too
    let mut body = follow_up("a red fox", &a1, "make it blue");
    let p = &body["contents"][1]["parts"][1];
    let snake = json!({"inline_data": {"mime_type": p["inlineData"]["mimeType"], "data": p["inlineData"]["data"]}, "thought_signature": p["thoughtSignature"]});
    body["contents"][1]["parts"][1] = snake;
    ok(&app, FLASH, &body).await;
}

#[tokio::test]
async fn flash25_history_is_not_checked() {
    let app = test_app();
    let a1 = ok(&app, FLASH25, &prompt("a red fox")).await;
    ok(&app, FLASH25, &follow_up("a red fox", &a1, "make it blue")).await;
    // an unsigned image in a Gemini 3 history fails, the same history on 2.5 passes
    let unsigned = json!({"contents": [
        {"role": "user", "parts": [{"text": "a"}]},
        {"role": "model", "parts": [inline("image/png", &make_png(8, 8, [0, 0, 0]))]},
        {"role": "user", "parts": [{"text": "b"}]}
    ]});
    ok(&app, FLASH25, &unsigned).await;
    let msg = post(&app, FLASH, &unsigned).await.invalid();
    assert!(msg.starts_with(
        "Image part is missing a thought_signature in content position 2, part position 1."
    ));
}

#[tokio::test]
async fn image_depends_on_prompt_and_inputs() {
    let app = test_app();
    let fox = final_image(&ok(&app, FLASH, &prompt("a red fox")).await).1;
    let fox2 = final_image(&ok(&app, FLASH, &prompt("a red fox")).await).1;
    let owl = final_image(&ok(&app, FLASH, &prompt("an owl at night")).await).1;
    assert_eq!(fox, fox2, "deterministic");
    assert_ne!(png_pixels(&fox), png_pixels(&owl));
    let with = |rgb: [u8; 3]| json!({"contents": [{"parts": [{"text": "a red fox"}, inline("image/png", &make_png(64, 64, rgb))]}]});
    let in_a = final_image(&ok(&app, FLASH, &with([255, 0, 0])).await).1;
    let in_b = final_image(&ok(&app, FLASH, &with([0, 0, 255])).await).1;
    assert_ne!(png_pixels(&in_a), png_pixels(&in_b));
    assert_ne!(png_pixels(&in_a), png_pixels(&fox));
}

#[tokio::test]
async fn follow_up_differs_from_previous_and_fresh() {
    let app = test_app();
    let first = json!({
        "contents": [{"role": "user", "parts": [{"text": "a red fox"}]}],
        "generationConfig": {"imageConfig": {"aspectRatio": "16:9"}}
    });
    let a1 = ok(&app, FLASH, &first).await;
    let prev = final_image(&a1).1;
    let a2 = ok(&app, FLASH, &follow_up("a red fox", &a1, "make it blue")).await;
    let edited = final_image(&a2).1;
    // no aspectRatio in the follow-up: the edit keeps the previous image's ratio
    assert_eq!(png_dims(&edited), (1376 / 16, 768 / 16));
    let fresh = json!({
        "contents": [{"role": "user", "parts": [{"text": "make it blue"}]}],
        "generationConfig": {"imageConfig": {"aspectRatio": "16:9"}}
    });
    let fresh = final_image(&ok(&app, FLASH, &fresh).await).1;
    let (p, e, f) = (png_pixels(&prev), png_pixels(&edited), png_pixels(&fresh));
    assert_ne!(e, p);
    assert_ne!(e, f);
    assert!(parts(&a2)
        .iter()
        .any(|p| p["text"] == "Here is the edited image: make it blue"));
    // the edit keeps the previous composition: bands are added at the bottom, the top-left
    // gradient colour is the previous one with its hue shifted (so it differs from both)
    let w = (1376 / 16) as usize;
    let px = |buf: &[u8], x: usize, y: usize| buf[(y * w + x) * 3..(y * w + x) * 3 + 3].to_vec();
    assert_ne!(px(&e, 0, 0), px(&p, 0, 0));
    // a different follow-up prompt gives a different edit
    let a3 = ok(&app, FLASH, &follow_up("a red fox", &a1, "add snow")).await;
    assert_ne!(png_pixels(&final_image(&a3).1), e);
    // an app instance that never saw the first image still answers (falls back to a hash)
    let other = test_app();
    let a4 = ok(&other, FLASH, &follow_up("a red fox", &a1, "make it blue")).await;
    assert_ne!(png_pixels(&final_image(&a4).1), p);
}

#[tokio::test]
async fn key_handling() {
    let strict = app_with(Config {
        image_scale: 16,
        require_key: true,
        ..Config::default()
    });
    let body = prompt("a cat").to_string();
    let denied = "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
    for headers in [
        vec![],
        vec![("x-goog-api-key", "")],
        vec![("authorization", "Bearer ")],
        vec![("authorization", "Basic abc")],
    ] {
        let r = post_raw(&strict, FLASH, &body, &headers).await;
        assert_eq!(r.error(403, "PERMISSION_DENIED"), denied, "{headers:?}");
    }
    // the key check comes before body validation
    let r = post_raw(&strict, FLASH, "{not json", &[]).await;
    r.error(403, "PERMISSION_DENIED");
    for headers in [
        vec![("x-goog-api-key", "invalid-key")],
        vec![("authorization", "Bearer invalid-key")],
    ] {
        let r = post_raw(&strict, FLASH, "{not json", &headers).await;
        assert_eq!(
            r.invalid(),
            "API key not valid. Please pass a valid API key."
        );
        let d = &r.json()["error"]["details"][0];
        assert_eq!(d["@type"], "type.googleapis.com/google.rpc.ErrorInfo");
        assert_eq!(d["reason"], "API_KEY_INVALID");
        assert_eq!(d["domain"], "googleapis.com");
    }
    assert_eq!(
        post_raw(&strict, FLASH, &body, &[("x-goog-api-key", "k1")])
            .await
            .status,
        200
    );
    assert_eq!(
        post_raw(&strict, FLASH, &body, &[("authorization", "Bearer k2")])
            .await
            .status,
        200
    );
    // without --require-key a missing key is let through, a bad one is still refused
    let lax = test_app();
    assert_eq!(post_raw(&lax, FLASH, &body, &[]).await.status, 200);
    post_raw(&lax, FLASH, &body, &[("x-goog-api-key", "invalid-key")])
        .await
        .invalid();
}

fn preflight(headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::options(gen_path(FLASH))
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "POST");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn cors() {
    let app = test_app();
    let r = send(
        &app,
        preflight(&[(
            "access-control-request-headers",
            "content-type,X-Goog-Api-Key",
        )]),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("POST, OPTIONS")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("content-type, x-goog-api-key")
    );
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    let r = send(
        &app,
        preflight(&[(
            "access-control-request-headers",
            "authorization, x-goog-api-client",
        )]),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization, x-goog-api-client")
    );
    // any other header fails the preflight
    let r = send(
        &app,
        preflight(&[(
            "access-control-request-headers",
            "content-type, x-custom-trace",
        )]),
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r.header("access-control-allow-headers").is_none());
    assert!(r.header("access-control-allow-origin").is_none());
    // no Origin: *
    let r = send(
        &app,
        Request::options(gen_path(FLASH))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    // actual responses carry Allow-Origin, errors included
    for text in ["a cat", "a cat [[status:503]]"] {
        let req = Request::post(gen_path(FLASH))
            .header("origin", "http://localhost:8080")
            .header("x-goog-api-key", "k")
            .body(Body::from(prompt(text).to_string()))
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("http://localhost:8080")
        );
    }
}

async fn get(app: &axum::Router, path: &str) -> Resp {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn mock_requests_log() {
    let app = test_app();
    let req = Request::post(gen_path(FLASH))
        .header("authorization", "Bearer secret-1")
        .header("origin", "http://localhost:1234")
        .body(Body::from(prompt("first").to_string()))
        .unwrap();
    send(&app, req).await;
    post_raw(&app, PRO, "{oops", &[("x-goog-api-key", "secret-2")]).await;
    post_raw(&app, "nope", &prompt("x").to_string(), &[]).await;
    let log = get(&app, "/__mock/requests").await.json();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["model"], FLASH);
    assert_eq!(log[0]["apiKey"], "secret-1");
    assert_eq!(log[0]["keyHeader"], "authorization");
    assert_eq!(log[0]["origin"], "http://localhost:1234");
    assert_eq!(log[0]["status"], 200);
    assert_eq!(log[0]["body"], prompt("first"));
    assert_eq!(log[1]["model"], PRO);
    assert_eq!(log[1]["keyHeader"], "x-goog-api-key");
    assert_eq!(log[1]["status"], 400);
    assert_eq!(log[1]["body"], Value::Null);
    assert_eq!(log[2]["apiKey"], Value::Null);
    assert_eq!(log[2]["keyHeader"], Value::Null);
    assert_eq!(log[2]["origin"], Value::Null);
    assert_eq!(log[2]["status"], 404);
    // only the last 50 are kept, oldest first
    for i in 0..55 {
        post(&app, FLASH, &prompt(&format!("n{i} [[status:500]]"))).await;
    }
    let log = get(&app, "/__mock/requests").await.json();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 50);
    assert_eq!(log[0]["body"], prompt("n5 [[status:500]]"));
    assert_eq!(log[49]["body"], prompt("n54 [[status:500]]"));
    // DELETE clears
    let r = send(
        &app,
        Request::delete("/__mock/requests")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(r.status < 300);
    assert_eq!(get(&app, "/__mock/requests").await.json(), json!([]));
}

#[tokio::test]
async fn mock_requests_log_has_arrival_time_path_and_stream() {
    let app = test_app();
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    };
    let before = now();
    post(&app, FLASH, &prompt("a cat")).await;
    post_to(&app, &stream_path(PRO, true), &prompt("a dog"), &[]).await;
    post_to(&app, &stream_path(FLASH25, false), &prompt("an owl"), &[]).await;
    let after = now();
    let log = get(&app, "/__mock/requests").await.json();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 3);
    for (entry, path, stream) in [
        (&log[0], gen_path(FLASH), false),
        (&log[1], stream_path(PRO, true), true),
        (&log[2], stream_path(FLASH25, false), true),
    ] {
        assert_eq!(entry["path"], path);
        assert_eq!(entry["stream"], stream);
        let t = entry["receivedMs"].as_u64().unwrap();
        assert!(
            (before..=after).contains(&t),
            "{t} not in {before}..={after}"
        );
        assert_eq!(entry["status"], 200);
        // the fields of before are all still there
        for k in ["model", "apiKey", "keyHeader", "origin", "status", "body"] {
            assert!(entry.get(k).is_some(), "{k}");
        }
    }
    assert!(log[0]["receivedMs"].as_u64() <= log[2]["receivedMs"].as_u64());
}

#[tokio::test]
async fn health_and_static_files() {
    let r = get(&test_app(), "/__mock/health").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"ok");

    let dir = std::env::temp_dir().join(format!("gemini-mock-static-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>studio</title>",
    )
    .unwrap();
    std::fs::write(dir.join("pkg/app.js"), "console.log(1)").unwrap();
    let app = app_with(Config {
        static_dir: Some(dir.clone()),
        ..Config::default()
    });
    let r = get(&app, "/").await;
    assert_eq!(r.status, 200);
    assert!(String::from_utf8_lossy(&r.body).contains("<title>studio</title>"));
    let r = get(&app, "/pkg/app.js").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().contains("javascript"));
    // the API still answers next to the static files
    assert_eq!(get(&app, "/__mock/health").await.status, 200);
    let _ = std::fs::remove_dir_all(&dir);
}
