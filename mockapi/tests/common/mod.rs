//! Shared helpers for the integration tests: drive the router with `oneshot`.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use gemini_mock::{app, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const FLASH: &str = "gemini-3.1-flash-image-preview";
pub const PRO: &str = "gemini-3-pro-image-preview";
pub const FLASH25: &str = "gemini-2.5-flash-image";

/// Scale 16 keeps test images small: 1K 1:1 becomes 64x64.
pub fn test_app() -> Router {
    app(Config {
        image_scale: 16,
        log: false,
        ..Config::default()
    })
}

pub fn app_with(config: Config) -> Router {
    app(Config {
        log: false,
        ..config
    })
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a Google-shaped error and returns its message.
    pub fn error(&self, code: u16, status: &str) -> String {
        assert_eq!(
            self.status,
            code,
            "body: {}",
            String::from_utf8_lossy(&self.body[..self.body.len().min(500)])
        );
        assert!(
            self.header("content-type")
                .unwrap_or("")
                .starts_with("application/json"),
            "content-type {:?}",
            self.header("content-type")
        );
        let v = self.json();
        let err = &v["error"];
        assert_eq!(err["code"], json!(code), "{v}");
        assert_eq!(err["status"], json!(status), "{v}");
        err["message"].as_str().expect("message").to_string()
    }

    /// Asserts a 400 INVALID_ARGUMENT and returns its message.
    pub fn invalid(&self) -> String {
        self.error(400, "INVALID_ARGUMENT")
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

pub fn gen_path(model: &str) -> String {
    format!("/v1beta/models/{model}:generateContent")
}

/// POST a raw body with the given headers (no key unless given).
pub async fn post_raw(app: &Router, model: &str, body: &str, headers: &[(&str, &str)]) -> Resp {
    let mut b = Request::post(gen_path(model)).header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    send(app, b.body(Body::from(body.to_string())).unwrap()).await
}

/// POST a JSON body with `x-goog-api-key: test-key`.
pub async fn post(app: &Router, model: &str, body: &Value) -> Resp {
    post_raw(
        app,
        model,
        &body.to_string(),
        &[("x-goog-api-key", "test-key")],
    )
    .await
}

pub fn prompt(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

pub fn parts(v: &Value) -> Vec<Value> {
    v["candidates"][0]["content"]["parts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The last non-thought image: (mimeType, bytes, part).
pub fn final_image(v: &Value) -> (String, Vec<u8>) {
    let part = parts(v)
        .into_iter()
        .rev()
        .find(|p| p["thought"] != json!(true) && p.get("inlineData").is_some())
        .unwrap_or_else(|| panic!("no final image in {v}"));
    let mime = part["inlineData"]["mimeType"].as_str().unwrap().to_string();
    let data = STANDARD
        .decode(part["inlineData"]["data"].as_str().unwrap())
        .unwrap();
    (mime, data)
}

pub fn png_dims(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().expect("decodable PNG");
    (reader.info().width, reader.info().height)
}

pub fn png_pixels(bytes: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("decodable PNG");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("frame");
    buf.truncate(info.buffer_size());
    buf
}

pub fn make_png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().unwrap();
        let data: Vec<u8> = (0..w * h).flat_map(|_| rgb).collect();
        wr.write_image_data(&data).unwrap();
    }
    out
}

pub fn make_jpeg(w: u16, h: u16, rgb: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::new();
    let data: Vec<u8> = (0..u32::from(w) * u32::from(h)).flat_map(|_| rgb).collect();
    jpeg_encoder::Encoder::new(&mut out, 80)
        .encode(&data, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// A minimal WebP (VP8X header only; the mock reads headers, it does not decode).
pub fn make_webp(w: u32, h: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&22u32.to_le_bytes());
    b.extend_from_slice(b"WEBP");
    b.extend_from_slice(b"VP8X");
    b.extend_from_slice(&10u32.to_le_bytes());
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
    b.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
    b
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn inline(mime: &str, bytes: &[u8]) -> Value {
    json!({"inlineData": {"mimeType": mime, "data": b64(bytes)}})
}

/// Sends `body`, expects a 200 and returns the answer.
pub async fn ok(app: &Router, model: &str, body: &Value) -> Value {
    let r = post(app, model, body).await;
    assert_eq!(
        r.status,
        200,
        "{}",
        String::from_utf8_lossy(&r.body[..r.body.len().min(500)])
    );
    r.json()
}

pub fn b64_decode(s: &str) -> Vec<u8> {
    STANDARD.decode(s).unwrap()
}
