//! `streamGenerateContent`: SSE framing, the merging rule, the JSON-array form and the stream
//! markers.

mod common;

use std::time::Duration;

use common::*;
use http_body_util::BodyExt;
use serde_json::{json, Value};

fn sse(app: &axum::Router, model: &str, body: &Value) -> impl std::future::Future<Output = Frames> {
    let req = post_req(&stream_path(model, true), body);
    let app = app.clone();
    async move { frames(&app, req).await }
}

fn keys_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                keys_of(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys_of(x, out)),
        _ => {}
    }
}

/// Requests whose streamed and unary answers are compared.
fn cases() -> Vec<(&'static str, Value)> {
    let with = |text: &str, config: Value| json!({"contents": [{"role": "user", "parts": [{"text": text}]}], "generationConfig": config});
    vec![
        (
            FLASH,
            with(
                "a red fox in the snow, seen from far away at dusk",
                json!({
                    "thinkingConfig": {"thinkingLevel": "high", "includeThoughts": true}
                }),
            ),
        ),
        (
            FLASH,
            with(
                "a red fox",
                json!({"thinkingConfig": {"includeThoughts": true}, "imageConfig": {"aspectRatio": "16:9"}}),
            ),
        ),
        (
            PRO,
            with(
                "a lighthouse at night",
                json!({"thinkingConfig": {"includeThoughts": true}}),
            ),
        ),
        (FLASH25, with("a teapot", json!({}))),
        (
            FLASH,
            with("a teapot", json!({"responseModalities": ["IMAGE"]})),
        ),
        (
            FLASH,
            with(
                "a teapot",
                json!({"responseModalities": ["TEXT"], "thinkingConfig": {"includeThoughts": true}}),
            ),
        ),
        (FLASH, with("a teapot [[html-text]]", json!({}))),
        (FLASH, with("a teapot [[no-image]]", json!({}))),
        (
            FLASH,
            json!({
                "contents": [{"parts": [{"text": "weather in Paris as a chart"}]}],
                "tools": [{"googleSearch": {}}]
            }),
        ),
    ]
}

#[tokio::test]
async fn merged_events_give_the_unary_content_byte_for_byte() {
    let app = test_app();
    for (model, body) in cases() {
        let unary = ok(&app, model, &body).await;
        let r = sse(&app, model, &body).await;
        assert_eq!(r.status, 200);
        assert!(!r.failed);
        assert_eq!(
            r.headers.get("content-type").unwrap(),
            "text/event-stream",
            "{model} {body}"
        );
        let events = sse_events(&r.body());
        let n = events.len();
        let mut split_text = false;
        for (i, e) in events.iter().enumerate() {
            let c = &e["candidates"][0];
            assert_eq!(c["content"]["role"], "model");
            assert_eq!(c["index"], 0);
            let ps = c["content"]["parts"].as_array().unwrap();
            assert_eq!(ps.len(), 1, "one part per event");
            assert_eq!(e["modelVersion"], model);
            assert_eq!(e["responseId"], events[0]["responseId"]);
            assert!(e["usageMetadata"]["promptTokenCount"].is_u64());
            if i + 1 < n {
                assert!(
                    c.get("finishReason").is_none(),
                    "only the last event finishes"
                );
                assert!(c.get("groundingMetadata").is_none());
            }
            // images arrive whole: each is one of the unary parts
            if ps[0].get("inlineData").is_some() {
                assert!(parts(&unary).contains(&ps[0]));
            } else if !parts(&unary).contains(&ps[0]) {
                split_text = true;
            }
        }
        let has_text = parts(&unary).iter().any(|p| p["text"].is_string());
        assert_eq!(
            split_text, has_text,
            "{model} {body}: text is split over events"
        );
        let last = &events[n - 1];
        let (lc, uc) = (&last["candidates"][0], &unary["candidates"][0]);
        assert_eq!(lc["finishReason"], uc["finishReason"]);
        assert_eq!(lc["safetyRatings"], uc["safetyRatings"]);
        assert_eq!(lc.get("groundingMetadata"), uc.get("groundingMetadata"));
        assert_eq!(last["usageMetadata"], unary["usageMetadata"]);
        let merged = merge(&events);
        assert_eq!(
            serde_json::to_string(&merged).unwrap(),
            serde_json::to_string(&parts(&unary)).unwrap(),
            "{model} {body}"
        );
    }
}

#[tokio::test]
async fn a_streamed_turn_replayed_passes_the_signature_check() {
    let app = test_app();
    for model in [FLASH, PRO] {
        let first = json!({
            "contents": [{"role": "user", "parts": [{"text": "a red fox"}]}],
            "generationConfig": {"thinkingConfig": {"includeThoughts": true}}
        });
        let events = sse_events(&sse(&app, model, &first).await.body());
        let turn = json!({"role": "model", "parts": merge(&events)});
        let next = json!({"contents": [first["contents"][0], turn, {"role": "user", "parts": [{"text": "make it blue"}]}]});
        let v = ok(&app, model, &next).await;
        assert!(parts(&v)
            .iter()
            .any(|p| p["text"] == "Here is the edited image: make it blue"));
        // and again as a stream
        let r = sse(&app, model, &next).await;
        assert_eq!(r.status, 200);
        // replaying the pieces unmerged moves the text's signature onto a fragment
        let unmerged: Vec<Value> = events
            .iter()
            .map(|e| e["candidates"][0]["content"]["parts"][0].clone())
            .collect();
        let turn = json!({"role": "model", "parts": unmerged});
        let next = json!({"contents": [first["contents"][0], turn, {"role": "user", "parts": [{"text": "make it blue"}]}]});
        assert_eq!(
            post(&app, model, &next).await.invalid(),
            "Corrupted thought signature."
        );
    }
}

#[tokio::test]
async fn without_alt_sse_the_answer_is_a_json_array_of_the_same_events() {
    let app = test_app();
    let body = json!({
        "contents": [{"parts": [{"text": "a red fox"}]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": true}}
    });
    let r = frames(&app, post_req(&stream_path(FLASH, false), &body)).await;
    assert_eq!(r.status, 200);
    assert!(r
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let array: Value = serde_json::from_slice(&r.body()).unwrap();
    let array = array.as_array().unwrap().clone();
    let events = sse_events(&sse(&app, FLASH, &body).await.body());
    assert_eq!(array.len(), events.len());
    let strip = |mut e: Value| {
        e.as_object_mut().unwrap().remove("responseId");
        e
    };
    for (a, e) in array.into_iter().zip(events) {
        assert_eq!(strip(a), strip(e));
    }
}

#[tokio::test]
async fn snake_applies_to_every_event() {
    let app = test_app();
    let body = json!({
        "contents": [{"parts": [{"text": "a cat [[snake]]"}]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": true}}
    });
    let events = sse_events(&sse(&app, FLASH, &body).await.body());
    assert!(events.len() > 3);
    let mut all_keys = Vec::new();
    for e in &events {
        let mut keys = Vec::new();
        keys_of(e, &mut keys);
        for k in &keys {
            assert!(
                !k.chars().any(|c| c.is_ascii_uppercase()),
                "camelCase {k} in {e:.300}"
            );
        }
        assert!(keys
            .iter()
            .any(|k| k == "usage_metadata" || k == "model_version"));
        all_keys.extend(keys);
    }
    for want in [
        "inline_data",
        "mime_type",
        "thought_signature",
        "finish_reason",
        "usage_metadata",
    ] {
        assert!(all_keys.iter().any(|k| k == want), "missing {want}");
    }
}

#[tokio::test(start_paused = true)]
async fn stream_delay_waits_between_events() {
    let app = test_app();
    let body = prompt("a cat [[stream-delay:2500]]");
    let resp = tower::ServiceExt::oneshot(app.clone(), post_req(&stream_path(FLASH, true), &body))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut b = resp.into_body();
    let mut gaps = Vec::new();
    let mut last = tokio::time::Instant::now();
    let mut text = Vec::new();
    while let Some(f) = b.frame().await {
        let f = f.unwrap().into_data().unwrap();
        gaps.push(last.elapsed());
        last = tokio::time::Instant::now();
        text.extend_from_slice(&f);
    }
    let events = sse_events(&text);
    assert_eq!(gaps.len(), events.len(), "one frame per event");
    assert!(
        gaps[0] < Duration::from_millis(2500),
        "the first event comes at once"
    );
    for g in &gaps[1..] {
        assert!(*g >= Duration::from_millis(2500), "{gaps:?}");
    }
}

#[tokio::test]
async fn stream_error_ends_with_an_error_event() {
    let app = test_app();
    let body = json!({
        "contents": [{"parts": [{"text": "a cat [[stream-error]]"}]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": true}}
    });
    let r = sse(&app, FLASH, &body).await;
    assert_eq!(r.status, 200);
    assert!(!r.failed, "the stream ends cleanly after the error event");
    let events = sse_events(&r.body());
    assert!(events.len() >= 2);
    let (err, before) = events.split_last().unwrap();
    assert_eq!(err["error"]["code"], 500);
    assert_eq!(err["error"]["status"], "INTERNAL");
    assert!(err["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert_eq!(err.as_object().unwrap().len(), 1);
    for e in before {
        assert!(e["candidates"][0]["content"]["parts"][0].is_object());
        assert!(e["candidates"][0].get("finishReason").is_none());
    }
    // as the JSON array's last element too
    let r = frames(&app, post_req(&stream_path(FLASH, false), &body)).await;
    let array: Value = serde_json::from_slice(&r.body()).unwrap();
    assert_eq!(
        array.as_array().unwrap().last().unwrap()["error"]["code"],
        500
    );
}

#[tokio::test]
async fn stream_cut_aborts_inside_the_final_image_line() {
    let app = test_app();
    let body = json!({
        "contents": [{"parts": [{"text": "a cat [[stream-cut]]"}]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": true}}
    });
    let r = sse(&app, FLASH, &body).await;
    assert_eq!(r.status, 200);
    assert!(r.failed, "the body ends in an error, not a clean end");
    let body = String::from_utf8(r.body()).unwrap();
    let (whole, partial) = body.rsplit_once("\r\n\r\n").unwrap();
    let events = sse_events(format!("{whole}\r\n\r\n").as_bytes());
    assert!(events.len() >= 3, "thought text and drafts came first");
    assert!(partial.starts_with("data: {"), "{partial:.80}");
    assert!(serde_json::from_str::<Value>(&partial[6..]).is_err());
    assert!(partial.contains("\"inlineData\""));
    assert!(
        !partial.contains("\"thought\":true"),
        "the final image, not a draft"
    );
    assert!(partial.len() > 100);
    // [[truncate]] in a stream cuts the same way
    let body = prompt("a cat [[truncate]]");
    let r = sse(&app, FLASH, &body).await;
    assert!(r.failed);
    let text = String::from_utf8(r.body()).unwrap();
    assert!(!text.ends_with("\r\n\r\n"));
}

#[tokio::test(start_paused = true)]
async fn stall_body_in_a_stream_pauses_inside_the_final_image_line() {
    let app = test_app();
    let body = prompt("a cat [[stall-body:40000]]");
    let resp = tower::ServiceExt::oneshot(app.clone(), post_req(&stream_path(FLASH, true), &body))
        .await
        .unwrap();
    let mut b = resp.into_body();
    let mut before = Vec::new();
    let t0 = tokio::time::Instant::now();
    let mut stalled_after = None;
    let mut all = Vec::new();
    while let Some(f) = b.frame().await {
        let f = f.unwrap().into_data().unwrap();
        if stalled_after.is_none() && t0.elapsed() >= Duration::from_millis(40_000) {
            stalled_after = Some(before.clone());
        }
        before.extend_from_slice(&f);
        all.extend_from_slice(&f);
    }
    let stalled_after = String::from_utf8(stalled_after.expect("a pause of 40 s")).unwrap();
    let (_, partial) = stalled_after.rsplit_once("\r\n\r\n").unwrap();
    assert!(
        partial.starts_with("data: {") && partial.contains("\"inlineData\""),
        "{partial:.80}"
    );
    let events = sse_events(&all);
    let unary = ok(&app, FLASH, &prompt("a cat")).await;
    assert_eq!(merge(&events), parts(&unary));
}

#[tokio::test]
async fn errors_before_the_stream_are_plain_json() {
    let app = test_app();
    let bad = json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"imageConfig": {"imageSize": "1k"}}});
    for sse_mode in [true, false] {
        let path = stream_path(FLASH, sse_mode);
        let msg = post_to(&app, &path, &bad, &[]).await.invalid();
        assert!(msg.starts_with("Unsupported image size"), "{msg}");
        post_to(&app, &path, &prompt("x [[status:503]]"), &[])
            .await
            .error(503, "UNAVAILABLE");
        post_to(&app, &path, &prompt("x [[status:429]]"), &[])
            .await
            .error(429, "RESOURCE_EXHAUSTED");
        let req = axum::http::Request::post(&path)
            .header("x-goog-api-key", "invalid-key")
            .body(axum::body::Body::from(prompt("x").to_string()))
            .unwrap();
        let msg = send(&app, req).await.invalid();
        assert_eq!(msg, "API key not valid. Please pass a valid API key.");
        let fail = prompt(&format!("x [[fail-first:1:500]] {sse_mode}"));
        post_to(&app, &path, &fail, &[])
            .await
            .error(500, "INTERNAL");
        assert_eq!(post_to(&app, &path, &fail, &[]).await.status, 200);
        post_to(&app, &stream_path("gemini-9", sse_mode), &prompt("x"), &[])
            .await
            .error(404, "NOT_FOUND");
    }
}

#[tokio::test]
async fn answers_without_content_are_one_event() {
    let app = test_app();
    let events = sse_events(
        &sse(&app, FLASH, &prompt("a cat [[finish:IMAGE_SAFETY]]"))
            .await
            .body(),
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["candidates"][0]["finishReason"], "IMAGE_SAFETY");
    let events = sse_events(
        &sse(&app, FLASH, &prompt("a cat [[block:OTHER]]"))
            .await
            .body(),
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["promptFeedback"]["blockReason"], "OTHER");
    // [[malformed]]: an event that is not JSON
    let r = sse(&app, FLASH, &prompt("a cat [[malformed]]")).await;
    let text = String::from_utf8(r.body()).unwrap();
    let line = text
        .strip_prefix("data: ")
        .unwrap()
        .strip_suffix("\r\n\r\n")
        .unwrap();
    assert!(serde_json::from_str::<Value>(line).is_err());
}
