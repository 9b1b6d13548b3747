//! `gemini-mock`: a strict, faithful local stand-in for Google's Gemini `generateContent`
//! image API. See the crate's README for the routes, markers and CLI.

pub mod answer;
pub mod error;
pub mod models;
pub mod render;
pub mod request;

use std::collections::{HashMap, VecDeque};
use std::future::Future as _;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::answer::{Ctx, Rendered};
use crate::error::ApiError;
use crate::render::Look;

/// Largest request body read (axum's default is 2 MB).
pub const BODY_LIMIT: usize = 160 * 1024 * 1024;
/// How many generateContent requests `/__mock/requests` keeps.
pub const REQUEST_LOG_LEN: usize = 20;
/// How many generated images' parameters are remembered for follow-up edits.
const LOOK_CACHE_LEN: usize = 256;
/// Request headers a CORS preflight may ask for.
pub const CORS_ALLOWED_HEADERS: &[&str] = &[
    "content-type",
    "x-goog-api-key",
    "x-goog-api-client",
    "authorization",
];

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Divide all output pixel dimensions by this (at least 8 px a side remain).
    pub image_scale: u32,
    /// Also serve this directory at `/`.
    pub static_dir: Option<PathBuf>,
    /// Answer 403 to requests without an API key.
    pub require_key: bool,
    /// Log one line per request to stderr.
    pub log: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            image_scale: 1,
            static_dir: None,
            require_key: false,
            log: true,
        }
    }
}

#[derive(Default)]
struct LookCache {
    map: HashMap<String, Look>,
    order: VecDeque<String>,
}

impl LookCache {
    fn insert(&mut self, key: String, look: Look) {
        if self.map.insert(key.clone(), look).is_none() {
            self.order.push_back(key);
            while self.order.len() > LOOK_CACHE_LEN {
                if let Some(old) = self.order.pop_front() {
                    self.map.remove(&old);
                }
            }
        }
    }
}

struct AppState {
    config: Config,
    requests: Mutex<VecDeque<Value>>,
    looks: Mutex<LookCache>,
    counter: AtomicU64,
    /// Prompts whose `[[fail-first:CODE]]` has already failed once.
    failed_once: Mutex<std::collections::HashSet<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The model name a response was about, for the request log line.
#[derive(Clone)]
struct LogModel(String);

/// Builds the mock's router.
pub fn app(config: Config) -> Router {
    let static_dir = config.static_dir.clone();
    let log = config.log;
    let state = Arc::new(AppState {
        config,
        requests: Mutex::new(VecDeque::new()),
        looks: Mutex::new(LookCache::default()),
        counter: AtomicU64::new(0),
        failed_once: Mutex::new(std::collections::HashSet::new()),
    });
    let mut router = Router::new()
        .route("/v1beta/models/{*rest}", post(generate).options(preflight))
        .route(
            "/__mock/requests",
            get(list_requests).delete(clear_requests),
        )
        .route("/__mock/health", get(health))
        .with_state(state);
    if let Some(dir) = static_dir {
        router = router.fallback_service(tower_http::services::ServeDir::new(dir));
    }
    let router = router.layer(DefaultBodyLimit::max(BODY_LIMIT));
    if log {
        router.layer(middleware::from_fn(log_requests))
    } else {
        router
    }
}

async fn log_requests(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let model = resp
        .extensions()
        .get::<LogModel>()
        .map(|m| m.0.clone())
        .unwrap_or_else(|| "-".into());
    eprintln!(
        "gemini-mock: {method} {path} -> {} model={model}",
        resp.status().as_u16()
    );
    resp
}

// ---------------------------------------------------------------------------------------------
// responses

fn response(status: u16, content_type: &'static str, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

const JSON_TYPE: &str = "application/json; charset=UTF-8";

fn json_response(status: u16, v: &Value) -> Response {
    match serde_json::to_vec(v) {
        Ok(bytes) => response(status, JSON_TYPE, Body::from(bytes)),
        Err(_) => response(500, JSON_TYPE, Body::from("{}")),
    }
}

fn error_response(e: &ApiError) -> Response {
    json_response(e.code, &e.to_json())
}

fn allow_origin(resp: &mut Response, origin: Option<&str>) {
    let value = origin
        .and_then(|o| HeaderValue::from_str(o).ok())
        .unwrap_or_else(|| HeaderValue::from_static("*"));
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
}

fn origin_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A body that sends its first chunk, waits a moment, then fails so hyper aborts the connection.
struct TruncatedBody {
    chunk: Option<Bytes>,
    delay: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl http_body::Body for TruncatedBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        if let Some(chunk) = self.chunk.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(chunk))));
        }
        if let Some(delay) = self.delay.as_mut() {
            if delay.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.delay = None;
        }
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "gemini-mock: connection cut mid-body ([[truncate]])",
        ))))
    }
}

// ---------------------------------------------------------------------------------------------
// /v1beta/models/{model}:generateContent

/// Returns the API key and the header it came in.
fn api_key(headers: &HeaderMap) -> (Option<String>, Option<&'static str>) {
    let value = |name: HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
    };
    if let Some(k) = value(HeaderName::from_static("x-goog-api-key")).filter(|k| !k.is_empty()) {
        return (Some(k), Some("x-goog-api-key"));
    }
    if let Some(auth) = value(header::AUTHORIZATION) {
        let token = auth
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("bearer "))
            .map(|_| auth[7..].trim().to_string());
        if let Some(k) = token.filter(|k| !k.is_empty()) {
            return (Some(k), Some("authorization"));
        }
    }
    (None, None)
}

enum Outcome {
    Json(u16, Value),
    Raw(u16, &'static str),
    Truncated(Vec<u8>),
}

impl From<ApiError> for Outcome {
    fn from(e: ApiError) -> Self {
        Outcome::Json(e.code, e.to_json())
    }
}

async fn generate(
    State(st): State<Arc<AppState>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let origin = origin_of(&headers);
    let (model, action) = rest.split_once(':').unwrap_or((rest.as_str(), ""));
    let model = model.to_string();
    if action != "generateContent" {
        let mut r = error_response(&ApiError::new(
            404,
            "NOT_FOUND",
            format!("Method not found: models/{rest}"),
        ));
        allow_origin(&mut r, origin.as_deref());
        return r;
    }
    let (key, key_header) = api_key(&headers);
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await;
    let parsed: Option<Value> = bytes
        .as_ref()
        .ok()
        .and_then(|b| serde_json::from_slice(b).ok());

    let outcome = match &bytes {
        Err(_) => request::payload_too_large().into(),
        Ok(raw) => process(&st, &model, key.as_deref(), raw, parsed.as_ref()).await,
    };
    let status = match &outcome {
        Outcome::Json(s, _) | Outcome::Raw(s, _) => *s,
        Outcome::Truncated(_) => 200,
    };
    {
        let mut log = lock(&st.requests);
        log.push_back(json!({
            "model": model,
            "apiKey": key,
            "keyHeader": key_header,
            "origin": origin,
            "status": status,
            "body": parsed.unwrap_or(Value::Null),
        }));
        while log.len() > REQUEST_LOG_LEN {
            log.pop_front();
        }
    }
    let mut resp = match outcome {
        Outcome::Json(s, v) => json_response(s, &v),
        Outcome::Raw(s, text) => response(s, JSON_TYPE, Body::from(text)),
        Outcome::Truncated(full) => {
            let half = full.len() / 2;
            let mut full = full;
            full.truncate(half);
            response(
                200,
                JSON_TYPE,
                Body::new(TruncatedBody {
                    chunk: Some(Bytes::from(full)),
                    delay: Some(Box::pin(tokio::time::sleep(Duration::from_millis(50)))),
                }),
            )
        }
    };
    allow_origin(&mut resp, origin.as_deref());
    resp.extensions_mut().insert(LogModel(model));
    resp
}

async fn process(
    st: &AppState,
    model_name: &str,
    key: Option<&str>,
    raw: &[u8],
    body: Option<&Value>,
) -> Outcome {
    // 1. the key
    if key == Some("invalid-key") {
        return ApiError::invalid("API key not valid. Please pass a valid API key.")
            .with_details(json!([{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"}
            }]))
            .into();
    }
    if key.is_none() && st.config.require_key {
        return ApiError::new(
            403,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). \
             Please use API Key or other form of API consumer identity to call this API.",
        )
        .into();
    }
    // 2. the JSON
    let Some(body) = body else {
        let detail = match serde_json::from_slice::<Value>(raw) {
            Err(e) if e.is_eof() && raw.iter().all(u8::is_ascii_whitespace) => {
                "Request body is empty.".to_string()
            }
            Err(e) => format!(
                "Unexpected token at line {}, column {}.",
                e.line(),
                e.column()
            ),
            Ok(_) => "Unexpected token.".to_string(),
        };
        return ApiError::invalid(format!("Invalid JSON payload received. {detail}")).into();
    };
    let req = match request::parse(body) {
        Ok(r) => r,
        Err(e) => return e.into(),
    };
    // 3. the model
    let Some(model) = models::lookup(model_name) else {
        return ApiError::model_not_found(model_name).into();
    };
    // 4. the rules
    if let Err(e) = request::validate(&req, model) {
        return e.into();
    }
    // 5. markers
    let last_text = req.last().map(|c| c.text()).unwrap_or_default();
    let (markers, prompt) = answer::parse_markers(&last_text);
    if let Some(ms) = markers.slow_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let Some(code) = &markers.status {
        return error::injected(code, model_name).into();
    }
    if let Some(code) = &markers.fail_first {
        if lock(&st.failed_once).insert(last_text.clone()) {
            return error::injected(code, model_name).into();
        }
    }
    let ctx = Ctx {
        model,
        req: &req,
        markers: &markers,
        prompt: &prompt,
        response_id: response_id(st),
    };
    if let Some(reason) = &markers.block {
        return Outcome::Json(200, ctx.block_answer(reason));
    }
    if markers.malformed {
        return Outcome::Raw(200, answer::MALFORMED_BODY);
    }
    if let Some(reason) = &markers.finish {
        return Outcome::Json(200, ctx.finish_answer(reason));
    }
    if markers.no_image || req.text_only() {
        return Outcome::Json(200, ctx.text_answer());
    }
    // 6. the image
    let prev = answer::previous_image(&req).map(|bytes| {
        let known = lock(&st.looks).map.get(&render::signature(bytes)).cloned();
        (
            bytes,
            known.unwrap_or_else(|| Look::from_unknown_image(bytes)),
        )
    });
    let plan = answer::plan(&req, model, &prompt, st.config.image_scale, prev);
    let rendered: Rendered = {
        let plan = plan.clone();
        match tokio::task::spawn_blocking(move || answer::render_plan(&plan)).await {
            Ok(Ok(r)) => r,
            Ok(Err(msg)) => {
                return ApiError::new(
                    500,
                    "INTERNAL",
                    format!("gemini-mock: encoding failed: {msg}"),
                )
                .into()
            }
            Err(_) => {
                return ApiError::new(500, "INTERNAL", "gemini-mock: render task failed").into()
            }
        }
    };
    lock(&st.looks).insert(render::signature(&rendered.bytes), plan.look.clone());
    let v = ctx.image_answer(&plan, &rendered);
    if markers.truncate {
        return match serde_json::to_vec(&v) {
            Ok(bytes) => Outcome::Truncated(bytes),
            Err(_) => ApiError::new(500, "INTERNAL", "serialization failed").into(),
        };
    }
    Outcome::Json(200, v)
}

fn response_id(st: &AppState) -> String {
    let n = st.counter.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let h = render::sha256(format!("{n}-{nanos}").as_bytes());
    URL_SAFE_NO_PAD.encode(&h[..17])
}

/// CORS preflight, as Google answers it.
async fn preflight(headers: HeaderMap) -> Response {
    let requested: Vec<String> = headers
        .get_all(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    let method_ok = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|m| m.eq_ignore_ascii_case("POST") || m.eq_ignore_ascii_case("OPTIONS"));
    if !method_ok
        || requested
            .iter()
            .any(|h| !CORS_ALLOWED_HEADERS.contains(&h.as_str()))
    {
        return response(
            403,
            "text/plain; charset=UTF-8",
            Body::from("CORS request rejected"),
        );
    }
    let mut r = response(200, "text/plain; charset=UTF-8", Body::empty());
    allow_origin(&mut r, origin_of(&headers).as_deref());
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    if !requested.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&requested.join(", ")) {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
    }
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    r
}

// ---------------------------------------------------------------------------------------------
// /__mock

async fn list_requests(State(st): State<Arc<AppState>>) -> Response {
    let all: Vec<Value> = lock(&st.requests).iter().cloned().collect();
    let mut r = json_response(200, &Value::Array(all));
    allow_origin(&mut r, None);
    r
}

async fn clear_requests(State(st): State<Arc<AppState>>) -> Response {
    lock(&st.requests).clear();
    let mut r = response(204, "text/plain; charset=UTF-8", Body::empty());
    allow_origin(&mut r, None);
    r
}

async fn health() -> Response {
    response(200, "text/plain; charset=UTF-8", Body::from("ok"))
}
