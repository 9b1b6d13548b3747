//! Entry points for `cargo xtask bench` (feature `bench`, never in the shipped
//! build): the studio's own byte paths, called from the benchmark page so they
//! can be timed beside the JavaScript paths of peer apps on the same data.
//!
//! Each runs exactly the functions the app runs: reading and encoding files as
//! `handle_add_files` does, building and handing over the body as
//! `handle_generate` and [`http::post_json`] do, and reading an answer up to the
//! final image's object URL as `handle_generate` does.

use std::sync::Arc;

use gemini::request::{build, user_content};
use gemini::response::interpret_with;
use gemini::wire::Part;
use gemini::Settings;
use wasm_bindgen::prelude::*;
use web_sys::{File, Request, Response};

use crate::browser::files::{read_image, to_base64};
use crate::browser::object_url::ObjectUrl;
use crate::browser::{base64, http};

/// Files → the request, ready to send: each file read and encoded once (as when
/// it is added), then the body built and handed to the browser (as on Generate).
#[wasm_bindgen]
pub async fn bench_encode(files: Vec<File>, prompt: String) -> Result<Request, JsValue> {
    let mut attached: Vec<(gemini::ImageMime, Arc<String>)> = Vec::new();
    for file in &files {
        let img = read_image(file).await.map_err(|e| JsValue::from_str(&e))?;
        attached.push((img.mime, Arc::new(to_base64(&img.bytes))));
    }
    let next = user_content(
        &prompt,
        attached
            .iter()
            .map(|(mime, b64)| Part::image_shared(mime.as_str(), b64.clone())),
    );
    let settings = Settings::default();
    let body = build(&settings, [], &next)
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .to_json();
    let url = gemini::request::endpoint("", &settings.model).map_err(|e| e.to_string())?;
    http::post_request(
        &url,
        gemini::KeyHeader::GoogApiKey,
        "bench-key",
        &body,
        None,
    )
    .map(Request::from)
    .map_err(|f| JsValue::from_str(&f.message().title))
}

/// An answer → the final image's object URL, as the app shows it. The caller
/// revokes the URL.
#[wasm_bindgen]
pub async fn bench_decode(response: Response) -> Result<String, JsValue> {
    let bytes = http::read_bytes(&response).await?;
    let gen = interpret_with(response.status(), bytes, base64::decode)
        .map_err(|f| JsValue::from_str(&f.message().title))?;
    let url = ObjectUrl::from_bytes(&gen.image, &gen.mime_type)?;
    let href = url.as_str().to_owned();
    // The page revokes it once it has checked the image.
    std::mem::forget(url);
    Ok(href)
}

/// A streamed answer (`alt=sse`) → the final image's object URL, by the path
/// the app reads streams with (events merged as they arrive, drafts and the
/// image shown from their events). The caller revokes the URL.
#[wasm_bindgen]
pub async fn bench_decode_stream(response: Response) -> Result<String, JsValue> {
    let reply = http::Answer::of(response);
    let abort = web_sys::AbortController::new()?;
    let limits = http::Limits {
        headers_ms: u64::MAX,
        idle_ms: 600_000,
    };
    let slot = leptos::prelude::ArcRwSignal::new(crate::state::VariantProgress::Decoding);
    let gen = crate::commands::sending::read_stream(&reply, &abort, limits, &slot)
        .await
        .map_err(|f| JsValue::from_str(&f.message().title))?;
    let url = ObjectUrl::from_bytes(&gen.image, &gen.mime_type)?;
    let href = url.as_str().to_owned();
    std::mem::forget(url);
    Ok(href)
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn perf_now() -> f64;
}

/// The decode path step by step (ms): read the body into wasm, parse the JSON,
/// decode the final image's base64, make its Blob and object URL.
#[wasm_bindgen]
pub async fn bench_decode_steps(response: Response) -> Result<Vec<f64>, JsValue> {
    let t0 = perf_now();
    let bytes = http::read_bytes(&response).await?;
    let t1 = perf_now();
    let parsed: gemini::wire::GenerateContentResponse =
        gemini::lift::parse_response(&bytes).map_err(|e| e.to_string())?;
    let t2 = perf_now();
    let data = parsed
        .candidates
        .first()
        .and_then(|c| c.content.as_ref())
        .and_then(|c| gemini::response::final_image_index(&c.parts).map(|i| &c.parts[i]))
        .and_then(|p| p.inline_data.as_ref())
        .ok_or("no image")?;
    let image = base64::decode(&data.data)?;
    let t3 = perf_now();
    let url = ObjectUrl::from_bytes(&image, &data.mime_type)?;
    let t4 = perf_now();
    drop(url);
    Ok(vec![t1 - t0, t2 - t1, t3 - t2, t4 - t3])
}

/// The encode path step by step (ms): read the files, encode them, build the
/// body, hand it to the browser.
#[wasm_bindgen]
pub async fn bench_encode_steps(files: Vec<File>) -> Result<Vec<f64>, JsValue> {
    let (mut read, mut encode) = (0.0, 0.0);
    let mut attached: Vec<(gemini::ImageMime, Arc<String>)> = Vec::new();
    for file in &files {
        let t0 = perf_now();
        let img = read_image(file).await.map_err(|e| JsValue::from_str(&e))?;
        let t1 = perf_now();
        attached.push((img.mime, Arc::new(to_base64(&img.bytes))));
        encode += perf_now() - t1;
        read += t1 - t0;
    }
    let t0 = perf_now();
    let next = user_content(
        "x",
        attached
            .iter()
            .map(|(mime, b64)| Part::image_shared(mime.as_str(), b64.clone())),
    );
    let t1 = perf_now();
    let settings = Settings::default();
    let body = build(&settings, [], &next)
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .to_json();
    let t2 = perf_now();
    let req = http::post_request("/x", gemini::KeyHeader::GoogApiKey, "k", &body, None);
    let t3 = perf_now();
    drop(req);
    Ok(vec![read, encode, t1 - t0, t2 - t1, t3 - t2])
}

/// Fills database `name` with one conversation of `turns` turns, each with its
/// own `image_bytes`-byte image (random bytes behind a PNG signature), stored
/// as the app stores a turn. For the export/import benchmark.
#[wasm_bindgen]
pub async fn bench_fill(name: String, turns: u32, image_bytes: u32) -> Result<(), JsValue> {
    use crate::model::stored::{conversation_record, turn_record};
    use crate::model::{Answer, ConversationMeta, TurnData, Variant};
    let store = crate::store::Store::open_with(&name, crate::store::db::DB_VERSION)
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let meta = ConversationMeta {
        id: "bench".into(),
        label: "Benchmark".into(),
        created_ms: 1.0,
    };
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for i in 0..turns {
        let mut image = vec![0u8; image_bytes as usize];
        for chunk in image.chunks_mut(8) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = chunk.len();
            chunk.copy_from_slice(&seed.to_le_bytes()[..n]);
        }
        image[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
        let model = gemini::wire::Content {
            role: Some(gemini::wire::Role::Model),
            parts: vec![gemini::wire::Part {
                thought_signature: Some("c2ln".into()),
                ..Part::image("image/png", to_base64(&image))
            }],
        };
        drop(image);
        let data = TurnData {
            prompt: format!("Turn {i}"),
            user: user_content(&format!("Turn {i}"), []),
            user_images: vec![],
            settings: Settings::default(),
            variants: vec![Variant::Done(Arc::new(Answer {
                model,
                image: (),
                image_size: image_bytes as usize,
                mime_type: "image/png".into(),
                download_name: format!("turn-{i}.png"),
                text: String::new(),
                thoughts: vec![],
                finish_reason: Some("STOP".into()),
                usage: None,
                model_version: None,
                grounding: None,
                elapsed_ms: 1.0,
            }))],
            created_ms: 10.0 + f64::from(i),
            region: None,
        };
        let (record, images) = crate::commands::persistence::key_images(turn_record(
            &meta.id, i as usize, &data, 0, true,
        ))
        .await;
        store
            .save_with(&conversation_record(&meta, 2.0), &[record], &images, false)
            .await
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
    }
    store.close();
    Ok(())
}

/// Exports database `name` as the app does (History → Export all).
#[wasm_bindgen]
pub async fn bench_export(name: String) -> Result<web_sys::Blob, JsValue> {
    let store = crate::store::Store::open_with(&name, crate::store::db::DB_VERSION)
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let blob = crate::commands::archive::export_archive(&store, None)
        .await
        .map_err(|e| JsValue::from_str(&e))?;
    store.close();
    Ok(blob)
}

/// Imports an export into database `name` as the app does (History → Import);
/// returns how many conversations were added.
#[wasm_bindgen]
pub async fn bench_import(name: String, file: web_sys::Blob) -> Result<u32, JsValue> {
    let store = crate::store::Store::open_with(&name, crate::store::db::DB_VERSION)
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let done = crate::commands::archive::import_file(&store, &file, || 1)
        .await
        .map_err(|e| match e {
            crate::commands::archive::ImportError::Refused(why)
            | crate::commands::archive::ImportError::Stopped(why) => JsValue::from_str(&why),
            crate::commands::archive::ImportError::Store(e) => JsValue::from_str(&e.to_string()),
        })?;
    store.close();
    Ok(done.added as u32)
}
