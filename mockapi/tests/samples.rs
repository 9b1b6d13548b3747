//! Every sample request of the API reference is accepted and answered with a decodable image of
//! the right size; answer shapes per model.

mod common;

use common::*;
use gemini_mock::render::image_dims;
use serde_json::{json, Value};

fn with_images(body: &str, images: &[String]) -> Value {
    let mut s = body.to_string();
    for (i, img) in images.iter().enumerate() {
        s = s.replace(&format!("<IMG{i}>"), img);
    }
    serde_json::from_str(&s).unwrap()
}

#[tokio::test]
async fn sample_text_to_image_4k() {
    let app = test_app();
    let body = json!({
        "contents": [{"role": "user", "parts": [{"text": "A Monarch butterfly anatomical sketch on textured parchment, Da Vinci style"}]}],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": {"aspectRatio": "1:1", "imageSize": "4K"}}
    });
    let v = ok(&app, FLASH, &body).await;
    let (mime, img) = final_image(&v);
    assert_eq!(mime, "image/png");
    assert_eq!(png_dims(&img), (4096 / 16, 4096 / 16));
    let ps = parts(&v);
    assert!(ps
        .iter()
        .any(|p| p["text"].is_string() && p.get("thought").is_none()));
    assert_eq!(v["candidates"][0]["finishReason"], "STOP");
    assert_eq!(v["modelVersion"], FLASH);
    assert!(v["responseId"].as_str().unwrap().len() >= 16);
    let u = &v["usageMetadata"];
    assert!(u["candidatesTokenCount"].as_u64().unwrap() >= 2520);
    assert!(u["thoughtsTokenCount"].as_u64().is_some());
    assert_eq!(
        u["totalTokenCount"].as_u64().unwrap(),
        u["promptTokenCount"].as_u64().unwrap()
            + u["candidatesTokenCount"].as_u64().unwrap()
            + u["thoughtsTokenCount"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn sample_image_to_image_keeps_input_ratio() {
    let app = test_app();
    let jpeg = b64(&make_jpeg(300, 200, [200, 30, 30]));
    let body = with_images(
        r#"{"contents":[{"role":"user","parts":[{"text":"Transform this into a watercolor painting"},
            {"inline_data":{"mime_type":"image/jpeg","data":"<IMG0>"}}]}],
            "generationConfig":{"responseModalities":["TEXT","IMAGE"]}}"#,
        &[jpeg],
    );
    let v = ok(&app, FLASH, &body).await;
    let (_, img) = final_image(&v);
    // 300x200 is 3:2 -> 1264x848 at 1K
    assert_eq!(png_dims(&img), (1264 / 16, 848 / 16));
    let u = &v["usageMetadata"];
    assert!(u["promptTokenCount"].as_u64().unwrap() >= 258);
}

#[tokio::test]
async fn sample_multi_image_composition() {
    let app = test_app();
    let a = b64(&make_jpeg(200, 300, [10, 200, 30]));
    let b = b64(&make_jpeg(64, 64, [10, 20, 230]));
    let body = with_images(
        r#"{"contents":[{"role":"user","parts":[{"text":"Blend these images into one scene"},
            {"inline_data":{"mime_type":"image/jpeg","data":"<IMG0>"}},
            {"inline_data":{"mime_type":"image/jpeg","data":"<IMG1>"}}]}],
            "generationConfig":{"responseModalities":["TEXT","IMAGE"]}}"#,
        &[a, b],
    );
    let v = ok(&app, FLASH, &body).await;
    let (_, img) = final_image(&v);
    assert_eq!(png_dims(&img), (848 / 16, 1264 / 16));
}

#[tokio::test]
async fn sample_force_image_only() {
    let app = test_app();
    let body = json!({
        "contents": [{"role": "user", "parts": [{"text": "A photo-realistic sunset over the ocean"}]}],
        "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}}
    });
    let v = ok(&app, FLASH, &body).await;
    let (_, img) = final_image(&v);
    assert_eq!(png_dims(&img), (2752 / 16, 1536 / 16));
    let ps = parts(&v);
    assert_eq!(ps.len(), 1, "image only: {ps:?}");
    assert!(ps[0]["thoughtSignature"].is_string());
    assert!(v["usageMetadata"]["candidatesTokenCount"].as_u64().unwrap() >= 1680);
}

#[tokio::test]
async fn sample_with_thinking() {
    let app = test_app();
    // Both the reference's "high" and the SDK samples' "HIGH".
    for level in ["high", "HIGH"] {
        let body = json!({
            "contents": [{"role": "user", "parts": [{"text": "A futuristic city inside a glass bottle floating in space"}]}],
            "generationConfig": {"responseModalities": ["IMAGE"], "thinkingConfig": {"thinkingLevel": level, "includeThoughts": true}}
        });
        let v = ok(&app, FLASH, &body).await;
        let ps = parts(&v);
        assert_eq!(ps[0]["thought"], true);
        assert!(ps[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("**Planning the composition**"));
        let drafts: Vec<&Value> = ps
            .iter()
            .filter(|p| p["thought"] == true && p.get("inlineData").is_some())
            .collect();
        assert_eq!(drafts.len(), 2);
        let (_, fin) = final_image(&v);
        assert_eq!(png_dims(&fin), (64, 64));
        for d in drafts {
            assert!(d.get("thoughtSignature").is_none());
            let bytes = common::b64_decode(d["inlineData"]["data"].as_str().unwrap());
            assert_ne!(bytes, fin);
            png_dims(&bytes);
        }
        let last = ps.last().unwrap();
        assert!(last["thoughtSignature"].is_string());
        assert!(last.get("thought").is_none());
    }
}

#[tokio::test]
async fn sample_with_search_grounding() {
    let app = test_app();
    for key in ["google_search", "googleSearch"] {
        let body = json!({
            "contents": [{"role": "user", "parts": [{"text": "Visualize the current weather forecast for San Francisco as a chart"}]}],
            "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]},
            "tools": [{key: {}}]
        });
        let v = ok(&app, FLASH, &body).await;
        let g = &v["candidates"][0]["groundingMetadata"];
        assert!(g["webSearchQueries"][0].is_string());
        assert_eq!(
            g["groundingChunks"][1]["web"]["title"],
            "Forecast <b>Org</b>"
        );
        assert!(g["searchEntryPoint"]["renderedContent"]
            .as_str()
            .unwrap()
            .contains("<script>"));
        final_image(&v);
    }
}

#[tokio::test]
async fn sample_multi_turn_chat_from_reference() {
    // The reference's curl sample: an earlier model turn with text only and no signature.
    let app = test_app();
    let body = json!({
        "contents": [
            {"role": "user", "parts": [{"text": "Create an infographic explaining photosynthesis"}]},
            {"role": "model", "parts": [{"text": "Here is the infographic."}]},
            {"role": "user", "parts": [{"text": "Translate this to Spanish, keep other elements unchanged"}]}
        ],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]}
    });
    let v = ok(&app, FLASH, &body).await;
    assert_eq!(png_dims(&final_image(&v).1), (64, 64));
}

#[tokio::test]
async fn sample_shell_bodies_without_role() {
    let app = test_app();
    let png = b64(&make_png(40, 40, [1, 2, 3]));
    let bodies = [
        r#"{"contents":[{"parts":[{"text":"A Monarch butterfly anatomical sketch on textured parchment"}]}],
            "generationConfig":{"responseModalities":["TEXT","IMAGE"],"imageConfig":{"aspectRatio":"1:1","imageSize":"4K"}}}"#,
        r#"{"contents":[{"parts":[{"text":"A photo-realistic sunset over the ocean"}]}],
            "generationConfig":{"responseModalities":["IMAGE"],"imageConfig":{"aspectRatio":"16:9","imageSize":"2K"}}}"#,
        r#"{"contents":[{"parts":[{"text":"Visualize the current weather forecast for San Francisco as a chart"}]}],
            "generationConfig":{"responseModalities":["TEXT","IMAGE"]},"tools":[{"google_search":{}}]}"#,
        r#"{"contents":[{"parts":[{"text":"Transform this into a watercolor painting"},
            {"inlineData":{"mimeType":"image/png","data":"<IMG0>"}}]}],
            "generationConfig":{"responseModalities":["TEXT","IMAGE"]}}"#,
        r#"{"contents":[{"parts":[{"text":"A futuristic city inside a glass bottle floating in space"}]}],
            "generationConfig":{"responseModalities":["IMAGE"],"thinkingConfig":{"thinkingLevel":"HIGH","includeThoughts":true}}}"#,
    ];
    let sizes = [(256, 256), (172, 96), (64, 64), (64, 64), (64, 64)];
    for (body, size) in bodies.iter().zip(sizes) {
        let v = ok(&app, FLASH, &with_images(body, std::slice::from_ref(&png))).await;
        assert_eq!(png_dims(&final_image(&v).1), size, "{body}");
    }
}

#[tokio::test]
async fn pro_answers_jpeg_with_matching_mime() {
    let app = test_app();
    let body = json!({
        "contents": [{"parts": [{"text": "A lighthouse at dawn"}]}],
        "generationConfig": {"imageConfig": {"aspectRatio": "4:3", "imageSize": "2K"}, "thinkingConfig": {"includeThoughts": true}}
    });
    let v = ok(&app, PRO, &body).await;
    let (mime, img) = final_image(&v);
    assert_eq!(mime, "image/jpeg");
    assert_eq!(&img[..3], &[0xFF, 0xD8, 0xFF]);
    assert_eq!(image_dims(&img), Some((2400 / 16, 1792 / 16)));
    // always thinks high: two drafts
    let drafts = parts(&v)
        .iter()
        .filter(|p| p["thought"] == true && p.get("inlineData").is_some())
        .count();
    assert_eq!(drafts, 2);
}

#[tokio::test]
async fn flash_minimal_thinking_gives_one_draft() {
    let app = test_app();
    let body = json!({
        "contents": [{"parts": [{"text": "A bowl of ramen"}]}],
        "generationConfig": {"thinkingConfig": {"thinkingLevel": "minimal", "includeThoughts": true}}
    });
    let v = ok(&app, FLASH, &body).await;
    let drafts = parts(&v)
        .iter()
        .filter(|p| p["thought"] == true && p.get("inlineData").is_some())
        .count();
    assert_eq!(drafts, 1);
    // without includeThoughts no thought parts, but thinking tokens still counted
    let v = ok(&app, FLASH, &prompt("A bowl of ramen")).await;
    assert!(parts(&v).iter().all(|p| p.get("thought").is_none()));
    assert!(v["usageMetadata"]["thoughtsTokenCount"].as_u64().unwrap() >= 100);
}

#[tokio::test]
async fn flash25_has_no_signatures_and_fixed_size() {
    let app = test_app();
    let body = json!({
        "contents": [{"parts": [{"text": "A red bicycle"}]}],
        "generationConfig": {"imageConfig": {"aspectRatio": "21:9"}}
    });
    let v = ok(&app, FLASH25, &body).await;
    for p in parts(&v) {
        assert!(p.get("thoughtSignature").is_none(), "{p}");
    }
    assert!(v["usageMetadata"].get("thoughtsTokenCount").is_none());
    let (mime, img) = final_image(&v);
    assert_eq!(mime, "image/png");
    assert_eq!(png_dims(&img), (1584 / 16, 672 / 16));
}

#[tokio::test]
async fn sizes_and_ratios() {
    let app = test_app();
    let cases = [
        (FLASH, "1:4", "1K", (512 / 16, 2048 / 16)),
        (FLASH, "8:1", "512px", (1536 / 16, 192 / 16)),
        (FLASH, "16:9", "4K", (5504 / 16, 3072 / 16)),
        (FLASH, "9:16", "1K", (768 / 16, 1376 / 16)),
        (PRO, "21:9", "1K", (1584 / 16, 672 / 16)),
    ];
    for (model, ratio, size, want) in cases {
        let body = json!({
            "contents": [{"parts": [{"text": "dims"}]}],
            "generationConfig": {"imageConfig": {"aspectRatio": ratio, "imageSize": size}}
        });
        let v = ok(&app, model, &body).await;
        assert_eq!(
            image_dims(&final_image(&v).1),
            Some(want),
            "{model} {ratio} {size}"
        );
    }
}

#[tokio::test]
async fn image_scale_has_a_floor_of_8px() {
    let app = app_with(gemini_mock::Config {
        image_scale: 1000,
        ..Default::default()
    });
    let body = json!({
        "contents": [{"parts": [{"text": "tiny"}]}],
        "generationConfig": {"imageConfig": {"aspectRatio": "16:9"}}
    });
    let v = ok(&app, FLASH, &body).await;
    assert_eq!(png_dims(&final_image(&v).1), (8, 8));
}

#[tokio::test]
async fn input_ratio_from_png_and_webp_headers() {
    let app = test_app();
    let png = make_png(100, 400, [9, 9, 9]);
    let v = ok(
        &app,
        FLASH,
        &json!({"contents": [{"parts": [{"text": "edit"}, inline("image/png", &png)]}]}),
    )
    .await;
    assert_eq!(png_dims(&final_image(&v).1), (512 / 16, 2048 / 16));
    // Pro has no 1:4: the nearest it has is 9:16
    let v = ok(
        &app,
        PRO,
        &json!({"contents": [{"parts": [{"text": "edit"}, inline("image/png", &png)]}]}),
    )
    .await;
    assert_eq!(image_dims(&final_image(&v).1), Some((768 / 16, 1376 / 16)));
    let webp = make_webp(1600, 900);
    let v = ok(
        &app,
        FLASH,
        &json!({"contents": [{"parts": [{"text": "edit"}, inline("image/webp", &webp)]}]}),
    )
    .await;
    assert_eq!(png_dims(&final_image(&v).1), (1376 / 16, 768 / 16));
}

#[test]
fn header_readers() {
    assert_eq!(image_dims(&make_png(33, 17, [0, 0, 0])), Some((33, 17)));
    assert_eq!(image_dims(&make_jpeg(45, 21, [0, 0, 0])), Some((45, 21)));
    assert_eq!(image_dims(&make_webp(640, 480)), Some((640, 480)));
    assert_eq!(image_dims(b"nonsense"), None);
    assert_eq!(image_dims(&[0xFF, 0xD8, 0xFF]), None);
}

#[tokio::test]
async fn usage_details_per_model_and_size() {
    let app = test_app();
    for (model, size, image_tokens) in [
        (FLASH, Some("512px"), 747),
        (FLASH, None, 1120),
        (FLASH, Some("1K"), 1120),
        (FLASH, Some("2K"), 1680),
        (FLASH, Some("4K"), 2520),
        (PRO, Some("1K"), 1120),
        (PRO, Some("2K"), 1120),
        (PRO, Some("4K"), 2000),
        (FLASH25, None, 1290),
    ] {
        let mut body = json!({"contents": [{"parts": [{"text": "a red fox"}]}]});
        if let Some(size) = size {
            body["generationConfig"] = json!({"imageConfig": {"imageSize": size}});
        }
        let v = ok(&app, model, &body).await;
        let u = &v["usageMetadata"];
        let details = u["candidatesTokensDetails"].as_array().unwrap();
        let count = |m: &str| {
            details
                .iter()
                .find(|d| d["modality"] == m)
                .and_then(|d| d["tokenCount"].as_u64())
        };
        assert_eq!(count("IMAGE"), Some(image_tokens), "{model} {size:?}: {u}");
        let text = count("TEXT").unwrap();
        assert!(text > 0);
        assert_eq!(details.len(), 2);
        assert_eq!(
            u["candidatesTokenCount"].as_u64(),
            Some(image_tokens + text)
        );
        assert_eq!(u["promptTokensDetails"][0]["modality"], "TEXT");
        let thoughts = u["thoughtsTokenCount"].as_u64();
        assert_eq!(thoughts.is_some(), model != FLASH25, "{model}");
        assert_eq!(
            u["totalTokenCount"].as_u64().unwrap(),
            u["promptTokenCount"].as_u64().unwrap() + image_tokens + text + thoughts.unwrap_or(0)
        );
    }
    // image only: no TEXT entry; text only: no IMAGE entry
    let v = ok(&app, FLASH, &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["IMAGE"]}})).await;
    assert_eq!(
        v["usageMetadata"]["candidatesTokensDetails"],
        json!([{"modality": "IMAGE", "tokenCount": 1120}])
    );
    let v = ok(&app, FLASH, &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"responseModalities": ["TEXT"]}})).await;
    let d = v["usageMetadata"]["candidatesTokensDetails"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["modality"], "TEXT");
    assert_eq!(
        d[0]["tokenCount"],
        v["usageMetadata"]["candidatesTokenCount"]
    );
}
