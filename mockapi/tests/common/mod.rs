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

/// POST a JSON body to any path with `x-goog-api-key: test-key` and the extra headers.
pub async fn post_to(app: &Router, path: &str, body: &Value, headers: &[(&str, &str)]) -> Resp {
    let mut b = Request::post(path)
        .header("content-type", "application/json")
        .header("x-goog-api-key", "test-key");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    send(app, b.body(Body::from(body.to_string())).unwrap()).await
}

pub fn stream_path(model: &str, sse: bool) -> String {
    let q = if sse { "?alt=sse" } else { "" };
    format!("/v1beta/models/{model}:streamGenerateContent{q}")
}

/// A response read frame by frame: the data frames, and whether the body ended in an error
/// (an aborted connection) rather than a clean end.
pub struct Frames {
    pub status: u16,
    pub headers: HeaderMap,
    pub frames: Vec<Vec<u8>>,
    pub failed: bool,
}

impl Frames {
    pub fn body(&self) -> Vec<u8> {
        self.frames.concat()
    }
}

/// Sends a request and reads its body frame by frame.
pub async fn frames(app: &Router, req: Request<Body>) -> Frames {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let mut body = resp.into_body();
    let mut out = Frames {
        status,
        headers,
        frames: Vec::new(),
        failed: false,
    };
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(f) => {
                if let Some(d) = f.data_ref() {
                    out.frames.push(d.to_vec());
                }
            }
            Err(_) => {
                out.failed = true;
                break;
            }
        }
    }
    out
}

pub fn post_req(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .header("x-goog-api-key", "test-key")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Serves `app` on a free local port.
pub async fn serve(app: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}

/// Sends one raw HTTP/1.1 POST over TCP and reads until the server closes the connection:
/// the bytes received, and whether the read ended in an error (e.g. a reset).
pub async fn raw_post(addr: std::net::SocketAddr, path: &str, body: &str) -> (Vec<u8>, bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nx-goog-api-key: k\r\ncontent-type: application/json\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(20), s.read(&mut buf)).await {
            Ok(Ok(0)) => return (raw, false),
            Ok(Ok(n)) => raw.extend_from_slice(&buf[..n]),
            Ok(Err(_)) => return (raw, true),
            Err(_) => panic!("no answer within 20 s"),
        }
    }
}

/// The stream events of an SSE body (checks Google's framing: `data: <one line>` + CRLF CRLF).
pub fn sse_events(body: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(body).expect("UTF-8 stream");
    assert!(text.ends_with("\r\n\r\n"), "stream ends after a blank line");
    text.strip_suffix("\r\n\r\n")
        .unwrap()
        .split("\r\n\r\n")
        .map(|ev| {
            let line = ev
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("not a data line: {ev:.80}"));
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "one line per event"
            );
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("event is not JSON ({e}): {line:.200}"))
        })
        .collect()
}

/// The client's merging rule: concatenate adjacent text parts with the same `thought` flag (a
/// signature on any piece belongs to the merged part); other parts stay as they are.
pub fn merge(events: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for e in events {
        let parts = e["candidates"][0]["content"]["parts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for p in parts {
            let is_text = |p: &Value| p.get("text").is_some() && p.get("inlineData").is_none();
            let thought = |p: &Value| p["thought"] == json!(true);
            if let Some(last) = out.last_mut() {
                if is_text(last) && is_text(&p) && thought(last) == thought(&p) {
                    let joined = format!(
                        "{}{}",
                        last["text"].as_str().unwrap(),
                        p["text"].as_str().unwrap()
                    );
                    last["text"] = json!(joined);
                    if let Some(sig) = p.get("thoughtSignature") {
                        last["thoughtSignature"] = sig.clone();
                    }
                    continue;
                }
            }
            out.push(p);
        }
    }
    out
}
