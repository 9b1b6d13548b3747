//! Faults a retrying client meets: repeated failures, quota errors, Retry-After, dropped
//! connections and stalled bodies.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use serde_json::Value;

fn detail<'a>(v: &'a Value, ty: &str) -> &'a Value {
    v["error"]["details"]
        .as_array()
        .and_then(|ds| {
            ds.iter()
                .find(|d| d["@type"] == format!("type.googleapis.com/google.rpc.{ty}"))
        })
        .unwrap_or_else(|| panic!("no {ty} in {v}"))
}

#[tokio::test]
async fn fail_first_n_fails_exactly_n_times_then_succeeds() {
    let app = test_app();
    let body = prompt("[[fail-first:3:503]] a cat");
    for i in 0..3 {
        let r = post(&app, FLASH, &body).await;
        assert_eq!(
            r.error(503, "UNAVAILABLE"),
            "The model is overloaded. Please try again later.",
            "request {i}"
        );
    }
    let r = post(&app, FLASH, &body).await;
    assert_eq!(r.status, 200);
    final_image(&r.json());
    assert_eq!(post(&app, FLASH, &body).await.status, 200);
    // counted per exact prompt
    let other = post(&app, FLASH, &prompt("[[fail-first:3:503]] a dog")).await;
    assert_eq!(other.status, 503);
    // the old form is N = 1
    let old = prompt("[[fail-first:429]] a bird");
    assert_eq!(post(&app, FLASH, &old).await.status, 429);
    assert_eq!(post(&app, FLASH, &old).await.status, 200);
    // the marker is stripped: the image is the one of the bare prompt
    let plain = final_image(&ok(&app, FLASH, &prompt("a cat")).await).1;
    assert_eq!(final_image(&r.json()).1, plain);
}

#[tokio::test]
async fn broken_fail_first_markers_stay_in_the_text() {
    let app = test_app();
    for text in [
        "[[fail-first:0:503]] x",
        "[[fail-first:2:]] x",
        "[[fail-first:-1:503]] x",
    ] {
        let v = ok(&app, FLASH, &prompt(text)).await;
        let shown = parts(&v)
            .iter()
            .filter_map(|p| p["text"].as_str().map(str::to_string))
            .collect::<String>();
        assert!(shown.contains("[[fail-first:"), "{text}: {shown}");
    }
}

#[tokio::test]
async fn rate_limit_429_has_quota_failure_and_retry_info() {
    let app = test_app();
    let r = post(&app, PRO, &prompt("[[status:429]] a cat")).await;
    let msg = r.error(429, "RESOURCE_EXHAUSTED");
    assert!(msg.starts_with("You exceeded your current quota"), "{msg}");
    assert!(msg.contains(&format!(
        "Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: {PRO}"
    )), "{msg}");
    let v = r.json();
    let violations = detail(&v, "QuotaFailure")["violations"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!violations.is_empty());
    for violation in &violations {
        for field in ["quotaMetric", "quotaId"] {
            assert!(
                violation[field].as_str().is_some_and(|s| !s.is_empty()),
                "{violation}"
            );
        }
        assert_eq!(violation["quotaDimensions"]["model"], PRO);
        let value: u64 = violation["quotaValue"].as_str().unwrap().parse().unwrap();
        assert!(value > 0, "{violation}");
    }
    assert_eq!(detail(&v, "RetryInfo")["retryDelay"], "37s");
    assert!(r.header("retry-after").is_none());
    // [[retry-delay:…]] sets it, in the status and the fail-first forms
    let r = post(
        &app,
        FLASH,
        &prompt("[[status:429]] [[retry-delay:1.5s]] a cat"),
    )
    .await;
    r.error(429, "RESOURCE_EXHAUSTED");
    assert_eq!(detail(&r.json(), "RetryInfo")["retryDelay"], "1.5s");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .ends_with("Please retry in 1.5s."));
    let body = prompt("[[fail-first:2:429]] [[retry-delay:2s]] a cat");
    for _ in 0..2 {
        let r = post(&app, FLASH, &body).await;
        assert_eq!(detail(&r.json(), "RetryInfo")["retryDelay"], "2s");
    }
    assert_eq!(post(&app, FLASH, &body).await.status, 200);
    // a delay that is not a protobuf Duration is not a marker
    let r = post(
        &app,
        FLASH,
        &prompt("[[status:429]] [[retry-delay:soon]] x"),
    )
    .await;
    r.error(429, "RESOURCE_EXHAUSTED");
    assert_eq!(detail(&r.json(), "RetryInfo")["retryDelay"], "37s");
}

#[tokio::test]
async fn no_quota_429_says_limit_zero() {
    let app = test_app();
    let r = post(&app, FLASH25, &prompt("[[status:429-no-quota]] a cat")).await;
    let msg = r.error(429, "RESOURCE_EXHAUSTED");
    assert!(msg.contains(&format!(
        "Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: {FLASH25}"
    )), "{msg}");
    let v = r.json();
    let violations = detail(&v, "QuotaFailure")["violations"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!violations.is_empty());
    assert!(violations.iter().all(|x| x["quotaValue"] == "0"), "{v}");
    assert!(violations.iter().any(|x| x["quotaMetric"]
        == "generativelanguage.googleapis.com/generate_content_free_tier_requests"));
    assert_eq!(detail(&v, "RetryInfo")["retryDelay"], "37s");
    // also as a fail-first code
    let body = prompt("[[fail-first:1:429-no-quota]] a dog");
    let first = post(&app, FLASH, &body).await;
    assert!(first.error(429, "RESOURCE_EXHAUSTED").contains("limit: 0"));
    assert_eq!(post(&app, FLASH, &body).await.status, 200);
}

#[tokio::test]
async fn retry_after_header_in_seconds_or_as_a_date() {
    let app = test_app();
    let r = post(&app, FLASH, &prompt("[[status:503]] a cat")).await;
    r.error(503, "UNAVAILABLE");
    assert!(r.header("retry-after").is_none(), "none by default");
    let r = post(
        &app,
        FLASH,
        &prompt("[[status:503]] [[retry-after:2]] a cat"),
    )
    .await;
    r.error(503, "UNAVAILABLE");
    assert_eq!(r.header("retry-after"), Some("2"));
    let body = prompt("[[fail-first:2:503]] [[retry-after:5]] a cat");
    assert_eq!(
        post(&app, FLASH, &body).await.header("retry-after"),
        Some("5")
    );
    assert_eq!(
        post(&app, FLASH, &body).await.header("retry-after"),
        Some("5")
    );
    let r = post(&app, FLASH, &body).await;
    assert_eq!(r.status, 200);
    assert!(r.header("retry-after").is_none(), "a success has none");

    let before = SystemTime::now();
    let r = post(
        &app,
        FLASH,
        &prompt("[[status:503]] [[retry-after-date:3]] a cat"),
    )
    .await;
    r.error(503, "UNAVAILABLE");
    let text = r.header("retry-after").unwrap().to_string();
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    assert_eq!(text.len(), 29, "{text}");
    assert!(
        text.ends_with(" GMT") && text.as_bytes()[3] == b',',
        "{text}"
    );
    let after = SystemTime::now();
    let at = httpdate::parse_http_date(&text).unwrap();
    let secs = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    // the header was made between `before` and `after`, 3 s ahead, in whole seconds
    assert!(
        (secs(before) + 3..=secs(after) + 3).contains(&secs(at)),
        "{text}"
    );
}

#[tokio::test]
async fn drop_closes_the_connection_before_any_byte() {
    let addr = serve(test_app()).await;
    let path = gen_path(FLASH);
    let (raw, _) = raw_post(addr, &path, &prompt("[[drop]] a cat").to_string()).await;
    assert!(raw.is_empty(), "got {:?}", String::from_utf8_lossy(&raw));
    // fail-first with "drop": N network failures, then an answer
    let body = prompt("[[fail-first:2:drop]] a cat").to_string();
    for _ in 0..2 {
        let (raw, _) = raw_post(addr, &path, &body).await;
        assert!(raw.is_empty());
    }
    let (raw, _) = raw_post(addr, &path, &body).await;
    assert!(raw.starts_with(b"HTTP/1.1 200"));
    // the same over a stream
    let (raw, _) = raw_post(
        addr,
        &stream_path(FLASH, true),
        &prompt("[[drop]] x").to_string(),
    )
    .await;
    assert!(raw.is_empty());
}

#[tokio::test]
async fn drop_is_logged_without_a_status() {
    let app = test_app();
    let r = frames(&app, post_req(&gen_path(FLASH), &prompt("[[drop]] a cat"))).await;
    assert!(r.failed && r.frames.is_empty());
    let log = send(
        &app,
        axum::http::Request::get("/__mock/requests")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .json();
    assert_eq!(log[0]["status"], Value::Null);
}

#[tokio::test(start_paused = true)]
async fn stall_body_sends_a_start_then_waits_then_the_rest() {
    let app = test_app();
    let full = ok(&app, FLASH, &prompt("a cat")).await;
    let req = post_req(&gen_path(FLASH), &prompt("a cat [[stall-body:30000]]"));
    let resp = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    use http_body_util::BodyExt;
    let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert!(
        first.starts_with(b"{\"candidates\""),
        "a real answer starts"
    );
    // virtual time: nothing more for 30 s
    let t0 = tokio::time::Instant::now();
    let rest = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert!(
        t0.elapsed() >= Duration::from_millis(30_000),
        "{:?}",
        t0.elapsed()
    );
    assert!(body.frame().await.is_none(), "then a clean end");
    let mut whole = first.to_vec();
    whole.extend_from_slice(&rest);
    let v: Value = serde_json::from_slice(&whole).unwrap();
    assert_eq!(
        v["candidates"][0]["content"],
        full["candidates"][0]["content"]
    );
}
