//! Every validation rule answers its 400 (or 404) in Google's shape.

mod common;

use common::*;
use serde_json::{json, Value};

async fn invalid(model: &str, body: &Value) -> String {
    post(&test_app(), model, body).await.invalid()
}

fn png() -> Vec<u8> {
    make_png(16, 16, [200, 100, 50])
}

#[tokio::test]
async fn not_json() {
    let app = test_app();
    for body in ["{", "", "contents=1", "{\"contents\": [}"] {
        let msg = post_raw(&app, FLASH, body, &[("x-goog-api-key", "k")])
            .await
            .invalid();
        assert!(msg.starts_with("Invalid JSON payload received."), "{msg}");
    }
    let msg = post_raw(&app, FLASH, "[1]", &[("x-goog-api-key", "k")])
        .await
        .invalid();
    assert_eq!(
        msg,
        "Invalid JSON payload received. Unknown name \"\": Root element must be a message."
    );
}

#[tokio::test]
async fn unknown_fields() {
    let cases = [
        (
            json!({"contents": [{"parts": [{"text": "x"}]}], "foo": 1}),
            "Invalid JSON payload received. Unknown name \"foo\": Cannot find field.",
        ),
        (
            json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"foo": 1}}),
            "Invalid JSON payload received. Unknown name \"foo\" at 'generation_config': Cannot find field.",
        ),
        (
            json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"imageConfig": {"size": "1K"}}}),
            "Invalid JSON payload received. Unknown name \"size\" at 'generation_config.image_config': Cannot find field.",
        ),
        (
            json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": {"budget": 1}}}),
            "Invalid JSON payload received. Unknown name \"budget\" at 'generation_config.thinking_config': Cannot find field.",
        ),
        (
            json!({"contents": [{"parts": [{"text": "x", "foo": true}]}]}),
            "Invalid JSON payload received. Unknown name \"foo\" at 'contents[0].parts[0]': Cannot find field.",
        ),
        (
            json!({"contents": [{"parts": [{"text": "x"}, {"inlineData": {"mimeType": "image/png", "data": b64(&png()), "name": "a.png"}}]}]}),
            "Invalid JSON payload received. Unknown name \"name\" at 'contents[0].parts[1].inline_data': Cannot find field.",
        ),
        (
            json!({"contents": [{"role": "user", "parts": [{"text": "x"}], "id": 3}]}),
            "Invalid JSON payload received. Unknown name \"id\" at 'contents[0]': Cannot find field.",
        ),
        (
            json!({"contents": [{"parts": [{"text": "x"}]}], "tools": [{"codeExecution": {}}]}),
            "Invalid JSON payload received. Unknown name \"codeExecution\" at 'tools[0]': Cannot find field.",
        ),
        (
            // camelCase style of a snake_case-only spelling is not a thing: "responseModality"
            json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModality": ["IMAGE"]}}),
            "Invalid JSON payload received. Unknown name \"responseModality\" at 'generation_config': Cannot find field.",
        ),
    ];
    for (body, want) in cases {
        assert_eq!(invalid(FLASH, &body).await, want);
    }
}

#[tokio::test]
async fn snake_case_spellings_are_accepted() {
    let app = test_app();
    let p = png();
    let body = json!({
        "contents": [{"role": "user", "parts": [
            {"text": "snake"},
            {"inline_data": {"mime_type": "image/png", "data": b64(&p)}}
        ]}],
        "system_instruction": {"parts": [{"text": "You draw."}]},
        "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        "generation_config": {
            "response_modalities": ["image", "text"],
            "image_config": {"aspect_ratio": "4:3", "image_size": "1K"},
            "thinking_config": {"thinking_level": "high", "include_thoughts": true},
            "temperature": 1.0
        },
        "tools": [{"googleSearch": {}}]
    });
    let v = ok(&app, FLASH, &body).await;
    assert_eq!(png_dims(&final_image(&v).1), (1200 / 16, 896 / 16));
    // and camelCase of the rest
    let body = json!({
        "contents": [{"role": "user", "parts": [{"text": "camel"}]}],
        "systemInstruction": {"parts": [{"text": "You draw."}]},
        "safetySettings": [],
        "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "1:1"},
            "thinkingConfig": {"thinkingLevel": "MINIMAL", "includeThoughts": false}}
    });
    ok(&app, FLASH, &body).await;
}

#[tokio::test]
async fn wrong_types() {
    let msg = invalid(FLASH, &json!({"contents": [{"parts": [{"text": 5}]}]})).await;
    assert_eq!(
        msg,
        "Invalid value at 'contents[0].parts[0].text' (TYPE_STRING), 5"
    );
    let msg = invalid(FLASH, &json!({"contents": "hello"})).await;
    assert!(msg.starts_with("Invalid value at 'contents'"), "{msg}");
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": {"includeThoughts": "yes"}}}),
    )
    .await;
    assert!(
        msg.contains("'generation_config.thinking_config.include_thoughts' (TYPE_BOOL)"),
        "{msg}"
    );
}

#[tokio::test]
async fn contents_rules() {
    let msg = invalid(FLASH, &json!({})).await;
    assert!(msg.contains("contents is not specified"), "{msg}");
    let msg = invalid(FLASH, &json!({"contents": []})).await;
    assert!(msg.contains("contents is not specified"), "{msg}");
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}),
    )
    .await;
    assert_eq!(msg, "Please use a valid role: user, model.");
    // role omitted is fine for a single turn, not in a conversation
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"parts": [{"text": "a"}]}, {"role": "model", "parts": [{"text": "b"}]}, {"parts": [{"text": "c"}]}]}),
    )
    .await;
    assert_eq!(msg, "Please use a valid role: user, model.");
    let msg = invalid(FLASH, &json!({"contents": [{"parts": [{}]}]})).await;
    assert!(msg.contains("required oneof field 'data'"), "{msg}");
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"parts": [{"thought": true}]}]}),
    )
    .await;
    assert!(msg.contains("required oneof field 'data'"), "{msg}");
    let msg = invalid(FLASH, &json!({"contents": [{"parts": []}]})).await;
    assert!(msg.contains("must not be empty"), "{msg}");
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"parts": [{"text": ""}, {"text": "  "}]}]}),
    )
    .await;
    assert!(msg.contains("empty text parameter"), "{msg}");
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"role": "user", "parts": [{"text": "a"}]}, {"role": "model", "parts": [{"text": "b"}]}]}),
    )
    .await;
    assert!(
        msg.contains("last content must have role \"user\""),
        "{msg}"
    );
    // an image alone (no text) is a valid request
    let app = test_app();
    ok(
        &app,
        FLASH,
        &json!({"contents": [{"parts": [inline("image/png", &png())]}]}),
    )
    .await;
}

#[tokio::test]
async fn inline_data_rules() {
    let p = png();
    let with = |part: Value| json!({"contents": [{"parts": [{"text": "x"}, part]}]});
    // data: URL prefix
    let data_url = format!("data:image/png;base64,{}", b64(&p));
    let msg = invalid(
        FLASH,
        &with(json!({"inlineData": {"mimeType": "image/png", "data": data_url}})),
    )
    .await;
    assert_eq!(
        msg,
        "Invalid value at 'contents[0].parts[1].inline_data.data' (TYPE_BYTES), Base64 decoding \
         failed for \"data:image/png;base64,iVBORw0KGg...\""
    );
    let msg = invalid(
        FLASH,
        &with(json!({"inline_data": {"mime_type": "image/png", "data": "@@not base64@@"}})),
    )
    .await;
    assert!(
        msg.contains("(TYPE_BYTES), Base64 decoding failed for \"@@not base64@@\""),
        "{msg}"
    );
    // protobuf's JSON mapping takes one alphabet per string, without whitespace
    let standard = b64(&p);
    let wrapped = format!("{}\n{}", &standard[..40], &standard[40..]);
    for bad in [wrapped, "ab-_cd+/".to_string(), "ab-+".to_string()] {
        let msg = invalid(
            FLASH,
            &with(json!({"inlineData": {"mimeType": "image/png", "data": bad}})),
        )
        .await;
        assert!(msg.contains("Base64 decoding failed"), "{msg}");
    }
    // unpadded standard base64 is accepted
    let unpadded = b64(&p).trim_end_matches('=').to_string();
    assert_ne!(unpadded, b64(&p), "test PNG should need padding");
    ok(
        &test_app(),
        FLASH,
        &with(json!({"inlineData": {"mimeType": "image/png", "data": unpadded}})),
    )
    .await;
    // MIME types
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let msg = invalid(FLASH, &with(inline("image/gif", &gif))).await;
    assert_eq!(msg, "Unsupported MIME type: image/gif");
    // magic numbers must match the declared type
    let unable = "Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting";
    assert_eq!(
        invalid(FLASH, &with(inline("image/jpeg", &p))).await,
        unable
    );
    assert_eq!(
        invalid(
            FLASH,
            &with(inline("image/png", &make_jpeg(8, 8, [0, 0, 0])))
        )
        .await,
        unable
    );
    assert_eq!(
        invalid(FLASH, &with(inline("image/webp", &p))).await,
        unable
    );
    assert_eq!(
        invalid(FLASH, &with(inline("image/png", b"hello"))).await,
        unable
    );
    // all three types are accepted
    let app = test_app();
    ok(
        &app,
        FLASH,
        &with(inline("image/jpeg", &make_jpeg(8, 8, [0, 0, 0]))),
    )
    .await;
    ok(&app, FLASH, &with(inline("image/webp", &make_webp(8, 8)))).await;
}

#[tokio::test]
async fn size_limits() {
    // one image just over 7 MB
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(7 * 1024 * 1024 + 1, 0);
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}, inline("image/png", &big)]}]}),
    )
    .await;
    assert_eq!(msg, "Inline image exceeds the 7 MB limit");
    // exactly 7 MB is fine
    big.truncate(7 * 1024 * 1024);
    ok(
        &test_app(),
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}, inline("image/png", &big)]}]}),
    )
    .await;
    // more than 100 MB of base64 in total (the strings need not even be valid)
    let chunk = "A".repeat(26 * 1024 * 1024);
    let parts: Vec<Value> = (0..4)
        .map(|_| json!({"inlineData": {"mimeType": "image/png", "data": chunk}}))
        .collect();
    let msg = invalid(FLASH, &json!({"contents": [{"parts": parts}]})).await;
    assert_eq!(
        msg,
        "Request payload size exceeds the limit: 104857600 bytes."
    );
}

#[tokio::test]
async fn response_modalities() {
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["VIDEO"]}}),
    )
    .await;
    assert!(
        msg.starts_with("Invalid value at 'generation_config.response_modalities[0]'"),
        "{msg}"
    );
    assert!(msg.ends_with("\"VIDEO\""), "{msg}");
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["IMAGE", 3]}}),
    )
    .await;
    assert!(msg.contains("response_modalities[1]"), "{msg}");
    // TEXT only: the model answers with text only
    let v = ok(
        &test_app(),
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["TEXT"]}}),
    )
    .await;
    assert!(parts(&v).iter().all(|p| p.get("inlineData").is_none()));
    assert!(parts(&v)[0]["text"].is_string());
    // more than one candidate is refused
    let msg = invalid(
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"candidateCount": 2}}),
    )
    .await;
    assert_eq!(msg, "Multiple candidates is not enabled for this model.");
    let v = ok(
        &test_app(),
        FLASH,
        &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["image"]}}),
    )
    .await;
    assert_eq!(parts(&v).len(), 1);
}

fn cfg(image_config: Value) -> Value {
    json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"imageConfig": image_config}})
}

#[tokio::test]
async fn aspect_ratio_and_size_per_model() {
    for (model, ic) in [
        (FLASH, json!({"aspectRatio": "7:3"})),
        (FLASH, json!({"aspectRatio": "1:1 "})),
        (PRO, json!({"aspectRatio": "1:4"})),
        (PRO, json!({"aspectRatio": "8:1"})),
        (FLASH25, json!({"aspectRatio": "1:8"})),
    ] {
        let msg = invalid(model, &cfg(ic.clone())).await;
        assert!(
            msg.starts_with("Unsupported aspect ratio"),
            "{model} {ic}: {msg}"
        );
    }
    for (model, ic) in [
        (FLASH, json!({"imageSize": "1k"})),
        (FLASH, json!({"imageSize": "8K"})),
        (FLASH, json!({"imageSize": "1024px"})),
        (PRO, json!({"imageSize": "512px"})),
        (PRO, json!({"imageSize": "4k"})),
    ] {
        let msg = invalid(model, &cfg(ic.clone())).await;
        assert!(
            msg.starts_with("Unsupported image size"),
            "{model} {ic}: {msg}"
        );
    }
    for size in ["1K", "512px", "2K"] {
        let msg = invalid(FLASH25, &cfg(json!({"imageSize": size}))).await;
        assert!(
            msg.starts_with("Image size is not supported for this model"),
            "{msg}"
        );
    }
    let app = test_app();
    ok(
        &app,
        PRO,
        &cfg(json!({"aspectRatio": "21:9", "imageSize": "4K"})),
    )
    .await;
    ok(&app, FLASH25, &cfg(json!({"aspectRatio": "5:4"}))).await;
    ok(
        &app,
        FLASH,
        &cfg(json!({"aspectRatio": "1:8", "imageSize": "512px"})),
    )
    .await;
}

fn thinking(tc: Value) -> Value {
    json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"thinkingConfig": tc}})
}

#[tokio::test]
async fn thinking_per_model() {
    assert_eq!(
        invalid(PRO, &thinking(json!({"thinkingLevel": "high"}))).await,
        "Thinking level is not supported for this model."
    );
    assert_eq!(
        invalid(
            PRO,
            &thinking(json!({"thinkingLevel": "HIGH", "includeThoughts": true}))
        )
        .await,
        "Thinking level is not supported for this model."
    );
    for tc in [
        json!({}),
        json!({"includeThoughts": false}),
        json!({"thinkingLevel": "minimal"}),
    ] {
        assert_eq!(
            invalid(FLASH25, &thinking(tc)).await,
            "Thinking is not enabled for this model."
        );
    }
    let msg = invalid(FLASH, &thinking(json!({"thinkingLevel": "medium"}))).await;
    assert!(msg.contains("not supported for this model"), "{msg}");
    let msg = invalid(FLASH, &thinking(json!({"thinkingLevel": "extreme"}))).await;
    assert!(
        msg.starts_with("Invalid value at 'generation_config.thinking_config.thinking_level'"),
        "{msg}"
    );
    let app = test_app();
    ok(&app, PRO, &thinking(json!({"includeThoughts": true}))).await;
    ok(&app, PRO, &thinking(json!({}))).await;
    ok(&app, FLASH, &thinking(json!({"thinkingLevel": "Minimal"}))).await;
    ok(&app, FLASH, &thinking(json!({"thinkingLevel": "HIGH"}))).await;
}

#[tokio::test]
async fn too_many_images() {
    let p = png();
    let body = |n: usize| {
        let mut parts = vec![json!({"text": "blend"})];
        parts.extend((0..n).map(|_| inline("image/png", &p)));
        json!({"contents": [{"role": "user", "parts": parts}]})
    };
    assert_eq!(
        invalid(FLASH25, &body(4)).await,
        "Too many images: the model accepts at most 3 input images."
    );
    assert_eq!(
        invalid(FLASH, &body(15)).await,
        "Too many images: the model accepts at most 14 input images."
    );
    assert_eq!(
        invalid(PRO, &body(15)).await,
        "Too many images: the model accepts at most 14 input images."
    );
    let app = test_app();
    ok(&app, FLASH25, &body(3)).await;
    let v = ok(&app, FLASH, &body(14)).await;
    assert_eq!(
        v["usageMetadata"]["promptTokensDetails"][1]["tokenCount"],
        json!(14 * 258)
    );
    // only the last user turn counts
    let mut two_turns = body(3);
    let first = two_turns["contents"][0].clone();
    two_turns["contents"] = json!([first, {"role": "model", "parts": [{"text": "ok"}]}, first]);
    ok(&app, FLASH25, &two_turns).await;
}

#[tokio::test]
async fn unknown_model_is_404() {
    let r = post(&test_app(), "gemini-9-ultra-image", &prompt("x")).await;
    assert_eq!(
        r.error(404, "NOT_FOUND"),
        "models/gemini-9-ultra-image is not found for API version v1beta, or is not supported for \
         generateContent. Call ListModels to see the list of available models and their \
         supported methods."
    );
    // another action on a known model
    let req = axum::http::Request::post(format!("/v1beta/models/{FLASH}:generateImages"))
        .header("x-goog-api-key", "k")
        .body(axum::body::Body::from(prompt("x").to_string()))
        .unwrap();
    send(&test_app(), req).await.error(404, "NOT_FOUND");
}

#[tokio::test]
async fn validation_comes_before_markers() {
    let body = json!({"contents": [{"parts": [{"text": "[[status:503]] [[slow:5000]]"}]}], "generationConfig": {"imageConfig": {"imageSize": "1k"}}});
    let started = std::time::Instant::now();
    let msg = invalid(FLASH, &body).await;
    assert!(msg.starts_with("Unsupported image size"), "{msg}");
    assert!(started.elapsed().as_millis() < 4000);
    let msg = invalid(FLASH25, &json!({"contents": [{"parts": [{"text": "[[no-image]]"}]}], "generationConfig": {"thinkingConfig": {}}})).await;
    assert_eq!(msg, "Thinking is not enabled for this model.");
}
