//! Browser glue and components, in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use base64::Engine;
use gloo_net::http::Request;
use studio::browser::files::{read_image, to_base64};
use studio::browser::object_url::ObjectUrl;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{File, FilePropertyBag, HtmlInputElement, HtmlOptionElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

fn file(bytes: &[u8], name: &str, mime: &str) -> File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = FilePropertyBag::new();
    opts.set_type(mime);
    File::new_with_u8_array_sequence_and_options(&parts, name, &opts).unwrap()
}

fn png_bytes() -> Vec<u8> {
    // A PNG signature followed by arbitrary bytes covering every byte value:
    // reading must not alter a single one.
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend((0..=255u8).cycle().take(70_001));
    b
}

async fn tick(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(p).await;
}

#[wasm_bindgen_test]
async fn file_bytes_become_exact_base64_without_prefix() {
    let bytes = png_bytes();
    // The name and declared type lie; the content decides.
    let f = file(&bytes, "photo.gif", "image/gif");
    let img = read_image(&f).await.expect("a PNG by content");
    assert_eq!(img.mime.as_str(), "image/png");
    assert_eq!(img.bytes, bytes);
    let b64 = to_base64(&img.bytes);
    assert!(!b64.starts_with("data:"));
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&b64)
            .unwrap(),
        bytes
    );
}

#[wasm_bindgen_test]
async fn unsupported_and_empty_files_are_refused_with_reasons() {
    let gif = file(
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00",
        "anim.png",
        "image/png",
    );
    let err = read_image(&gif).await.err().unwrap();
    assert!(err.contains("GIF") && err.contains("anim.png"), "{err}");
    let pdf = file(b"%PDF-1.7 hello", "doc.jpg", "image/jpeg");
    let err = read_image(&pdf).await.err().unwrap();
    assert!(err.contains("not a PNG, JPEG or WebP"), "{err}");
    let empty = file(b"", "empty.png", "image/png");
    assert!(read_image(&empty).await.err().unwrap().contains("empty"));
}

#[wasm_bindgen_test]
async fn object_urls_load_until_the_last_holder_drops_them() {
    let bytes = png_bytes();
    let url = ObjectUrl::from_bytes(&bytes, "image/png").unwrap();
    let href = url.as_str().to_owned();
    assert!(href.starts_with("blob:"));
    let resp = Request::get(&href).send().await.unwrap();
    assert_eq!(resp.binary().await.unwrap(), bytes);
    let second = url.clone();
    drop(url);
    assert!(Request::get(&href).send().await.is_ok(), "still held");
    drop(second);
    assert!(Request::get(&href).send().await.is_err(), "revoked");
}

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn select(id: &str) -> HtmlSelectElement {
    doc().get_element_by_id(id).unwrap().dyn_into().unwrap()
}

fn option(select_id: &str, value: &str) -> HtmlOptionElement {
    doc()
        .query_selector(&format!("#{select_id} option[value=\"{value}\"]"))
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

fn label_for(id: &str) -> String {
    doc()
        .query_selector(&format!("label[for=\"{id}\"]"))
        .unwrap()
        .map(|l| l.text_content().unwrap_or_default().trim().to_owned())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn settings_follow_the_model_table() {
    let _ = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear();
    let host = doc().create_element("div").unwrap();
    doc().body().unwrap().append_child(&host).unwrap();
    let _handle = leptos::mount::mount_to(host.clone().unchecked_into(), studio::App);
    tick(20).await;
    // The connection's fields mount once the page has painted.
    for _ in 0..100 {
        if doc().get_element_by_id("api-key").is_some() {
            break;
        }
        tick(20).await;
    }

    // Accessible names the page promises.
    for (id, name) in [
        ("prompt", "Prompt"),
        ("add-images", "Add images"),
        ("model", "Model"),
        ("aspect-ratio", "Aspect ratio"),
        ("image-size", "Image size"),
        ("thinking-level", "Thinking level"),
        ("key-header", "Key header"),
        ("image-only", "Image only"),
        ("include-thoughts", "Include thoughts"),
        ("google-search", "Google Search"),
        ("remember-key", "Remember on this device"),
        ("api-key", "API key"),
        ("base-url", "API base URL"),
    ] {
        assert!(
            label_for(id).ends_with(name),
            "label for #{id}: {:?}",
            label_for(id)
        );
    }
    let key: HtmlInputElement = doc()
        .get_element_by_id("api-key")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(key.type_(), "password");

    // The default model offers 1:8 and 512px and a thinking level.
    assert_eq!(select("model").value(), "gemini-3.1-flash-image-preview");
    assert!(!option("aspect-ratio", "1:8").disabled());
    assert!(!option("image-size", "512px").disabled());
    assert!(!select("thinking-level").disabled());

    // Choose 1:8, then switch to Pro: 1:8 is not offered there and is reset, with a notice.
    let ar = select("aspect-ratio");
    ar.set_value("1:8");
    ar.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick(20).await;
    let model = select("model");
    model.set_value("gemini-3-pro-image-preview");
    model
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick(20).await;
    assert!(option("aspect-ratio", "1:8").disabled());
    assert!(option("image-size", "512px").disabled());
    assert!(select("thinking-level").disabled());
    assert_eq!(select("aspect-ratio").value(), "");
    // The page has several status regions (offline, code loading, notices).
    let notice = doc()
        .query_selector(".notice[role=status]")
        .unwrap()
        .unwrap();
    assert!(
        notice.text_content().unwrap().contains("1:8"),
        "{:?}",
        notice.text_content()
    );

    // 2.5 Flash: no size at all, no thoughts.
    model.set_value("gemini-2.5-flash-image");
    model
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick(20).await;
    assert!(select("image-size").disabled());
    let thoughts: HtmlInputElement = doc()
        .get_element_by_id("include-thoughts")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(thoughts.disabled());
    assert!(doc()
        .body()
        .unwrap()
        .text_content()
        .unwrap()
        .contains("retired"));
    let _ = JsValue::NULL;
}

#[wasm_bindgen_test]
async fn image_keys_from_webcrypto_match_the_crate() {
    use studio::browser::digest::{sha256_hex, webcrypto_sha256_hex};
    use studio::store::records::image_hash;
    let bytes = png_bytes();
    assert_eq!(webcrypto_sha256_hex(&bytes).await, Some(image_hash(&bytes)));
    assert_eq!(sha256_hex(&bytes).await, image_hash(&bytes));
    assert_eq!(
        sha256_hex(b"").await,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[wasm_bindgen_test]
fn simd_base64_agrees_with_the_crate_and_falls_back_for_lenient_input() {
    use studio::browser::base64::{decode, encode};
    let std = base64::engine::general_purpose::STANDARD;
    // Every length around the SIMD block sizes, every byte value.
    for len in (0..200).chain([4095, 4096, 4097, 70_001]) {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 131 + 7) as u8).collect();
        let b64 = encode(&bytes);
        assert_eq!(b64, std.encode(&bytes), "encode, {len} bytes");
        assert_eq!(decode(&b64).unwrap(), bytes, "decode, {len} bytes");
    }
    // What the strict SIMD decoder refuses, the lenient one still reads.
    let bytes = b"\xfb\xff\xfe image bytes!";
    let padded = std.encode(bytes);
    let unpadded = padded.trim_end_matches('=');
    let url_safe = unpadded.replace('+', "-").replace('/', "_");
    assert_ne!(unpadded, padded);
    assert!(url_safe.contains(['-', '_']));
    for lenient in [unpadded, &url_safe] {
        assert_eq!(decode(lenient).unwrap(), bytes, "{lenient}");
    }
    assert!(decode("not base64!").is_err());
}

#[wasm_bindgen_test]
fn the_decoding_warm_up_takes_the_answer_path_whole() {
    // It warms what a real answer runs only if its made-up answer is read
    // and decoded the whole way, to the image it holds.
    assert!(studio::commands::sending::warm_up());
}

/// A Response whose body arrives in `chunks`: a byte stream (BYOB reads) when
/// `bytes_stream`, else a default stream of `Uint8Array`s.
fn chunked_response(chunks: &[Vec<u8>], bytes_stream: bool) -> web_sys::Response {
    let list = js_sys::Array::new();
    for c in chunks {
        list.push(&js_sys::Uint8Array::from(c.as_slice()));
    }
    let make = js_sys::Function::new_with_args(
        "list, bytes",
        "let i = 0; return new Response(new ReadableStream({
            type: bytes ? 'bytes' : undefined,
            pull(c) {
                while (bytes && i < list.length && !list[i].length) i++; // bytes streams refuse empty chunks
                if (i < list.length) return c.enqueue(list[i++]);
                c.close();
                c.byobRequest?.respond(0); // a pending BYOB read ends with the stream
            },
        }));",
    );
    make.call2(&JsValue::NULL, &list, &JsValue::from_bool(bytes_stream))
        .unwrap()
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn bodies_are_read_whole_by_both_readers() {
    use studio::browser::http::read_bytes;
    // Chunks smaller and larger than the BYOB buffer (256 KiB), and empty ones.
    let chunks: Vec<Vec<u8>> = [10usize, 0, 300_000, 1, 700_000, 65_536]
        .iter()
        .enumerate()
        .map(|(k, &n)| (0..n).map(|i| (i * 31 + k) as u8).collect())
        .collect();
    let whole = chunks.concat();
    for bytes_stream in [true, false] {
        let resp = chunked_response(&chunks, bytes_stream);
        assert_eq!(
            read_bytes(&resp).await.unwrap(),
            whole,
            "byte stream: {bytes_stream}"
        );
    }
    // A body already all there (as `new Response(buffer)`), and none at all.
    let resp = web_sys::Response::new_with_opt_u8_array(Some(&mut whole.clone())).unwrap();
    assert_eq!(read_bytes(&resp).await.unwrap(), whole);
    let resp = web_sys::Response::new().unwrap();
    assert!(read_bytes(&resp).await.unwrap().is_empty());
}

#[wasm_bindgen_test]
fn json_parsed_by_the_browser_is_the_value_serde_would_read() {
    use studio::browser::http::json_value;
    let text = r#"{"apiBase": "https://api.example.com/", "models": ["a", "b"],
        "proxyHoldsKey": false, "n": 3, "neg": -2, "f": 0.25, "big": 1e300,
        "nested": {"x": [null, true, {"y": "é\u00e9\"\\"}]}}"#;
    let parsed = js_sys::JSON::parse(text).unwrap();
    let ours = json_value(&parsed).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(ours, theirs);
    // Nesting without end is refused, not recursed into.
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let err = json_value(&js_sys::JSON::parse(&deep).unwrap()).unwrap_err();
    assert!(err.contains("nested"), "{err}");
}

#[wasm_bindgen_test]
fn preferences_are_kept_without_serde_and_read_what_serde_wrote() {
    use studio::browser::storage;
    use studio::commands::preferences::{read_record, read_scalar, write_record, write_scalar};
    use studio::model::prefs::{self, Fields, Scalar};
    let settings = gemini::Settings {
        model: "gemini-3-pro-image-preview".into(),
        aspect_ratio: gemini::AspectRatio::parse("21:9"),
        image_size: gemini::ImageSize::parse("2K"),
        thinking_level: gemini::ThinkingLevel::parse("high"),
        include_thoughts: true,
        ..Default::default()
    };
    // What serde wrote before this build reads the same.
    assert!(storage::set_string(
        "test.prefs.settings",
        &serde_json::to_string(&settings).unwrap()
    ));
    let stored = read_record("test.prefs.settings").unwrap();
    assert_eq!(prefs::settings_from(&stored), settings);
    // And what this build writes is what serde wrote.
    assert!(write_record(
        "test.prefs.settings",
        &prefs::settings_record(&settings)
    ));
    let text = storage::get_string("test.prefs.settings").unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        serde_json::to_value(&settings).unwrap()
    );
    // Scalars, and values that are not what they should be.
    assert!(write_scalar("test.prefs.n", &Scalar::Num(3.0)));
    assert_eq!(storage::get_string("test.prefs.n").as_deref(), Some("3"));
    assert_eq!(prefs::variants_from(read_scalar("test.prefs.n")), Some(3));
    storage::set_string("test.prefs.n", "[1, 2]");
    assert_eq!(read_scalar("test.prefs.n"), None);
    assert!(read_record("test.prefs.n").is_none());
    storage::set_string("test.prefs.n", "{not json");
    assert!(read_record("test.prefs.n").is_none());
    storage::set_string("test.prefs.n", r#"{"model": 5, "googleSearch": true}"#);
    let odd = read_record("test.prefs.n").unwrap();
    assert_eq!(odd.str("model"), None);
    assert!(prefs::settings_from(&odd).google_search);
    storage::remove("test.prefs.settings");
    storage::remove("test.prefs.n");
}
