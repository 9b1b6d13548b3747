//! `gemini-mock`: a strict, faithful local stand-in for Google's Gemini `generateContent` and
//! `streamGenerateContent` image API. See the crate's README for the routes, markers and CLI.

pub mod answer;
pub mod deliver;
pub mod error;
pub mod models;
pub mod render;
pub mod request;
pub mod stream;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::answer::{Ctx, Markers, Rendered, RetryAfter};
use crate::deliver::Framing;
use crate::error::ApiError;
use crate::render::Look;

/// Largest request body read (axum's default is 2 MB).
pub const BODY_LIMIT: usize = 160 * 1024 * 1024;
/// How many generateContent / streamGenerateContent requests `/__mock/requests` keeps.
pub const REQUEST_LOG_LEN: usize = 50;
/// How many distinct `[[fail-first:…]]` prompts are counted (the oldest is forgotten first).
const FAIL_FIRST_LEN: usize = 4096;
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
    /// How many requests of each `[[fail-first:N:CODE]]` prompt have failed so far.
    failed: Mutex<FailCounts>,
}

#[derive(Default)]
struct FailCounts {
    map: HashMap<String, u32>,
    order: VecDeque<String>,
}

impl FailCounts {
    /// Counts one more request of `prompt`; true while it is among the first `n`.
    fn should_fail(&mut self, prompt: &str, n: u32) -> bool {
        if let Some(count) = self.map.get_mut(prompt) {
            if *count >= n {
                return false;
            }
            *count += 1;
            return true;
        }
        self.map.insert(prompt.to_string(), 1);
        self.order.push_back(prompt.to_string());
        while self.order.len() > FAIL_FIRST_LEN {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
        true
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The model name a response was about, for the request log line.
#[derive(Clone)]
struct LogModel(String);

/// Marks a response whose connection is closed before its status line (`[[drop]]`).
#[derive(Clone, Copy)]
struct Dropped;

/// Builds the mock's router.
pub fn app(config: Config) -> Router {
    let static_dir = config.static_dir.clone();
    let log = config.log;
    let state = Arc::new(AppState {
        config,
        requests: Mutex::new(VecDeque::new()),
        looks: Mutex::new(LookCache::default()),
        counter: AtomicU64::new(0),
        failed: Mutex::new(FailCounts::default()),
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
    let status = if resp.extensions().get::<Dropped>().is_some() {
        "dropped".to_string()
    } else {
        resp.status().as_u16().to_string()
    };
    eprintln!("gemini-mock: {method} {path} -> {status} model={model}");
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

/// What the API answers, before it is put on the wire.
enum Outcome {
    /// An error in Google's shape, with a `Retry-After` header if a marker asked for one.
    Error(ApiError, Option<RetryAfter>),
    /// `[[malformed]]`: a 200 whose body is not JSON.
    Malformed,
    /// A 200 answer (camelCase) and the markers that say how to send it.
    Answer(Value, Box<Markers>),
    /// `[[drop]]`: close the connection before any response byte.
    Dropped,
}

impl From<ApiError> for Outcome {
    fn from(e: ApiError) -> Self {
        Outcome::Error(e, None)
    }
}

/// The two API methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Generate,
    Stream(Framing),
}

/// `alt=sse` in a query string.
fn wants_sse(query: Option<&str>) -> bool {
    query.unwrap_or("").split('&').any(|pair| pair == "alt=sse")
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn retry_after_value(ra: RetryAfter) -> Option<HeaderValue> {
    let text = match ra {
        RetryAfter::Seconds(s) => s.to_string(),
        RetryAfter::DateIn(s) => {
            httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(s))
        }
    };
    HeaderValue::from_str(&text).ok()
}

async fn generate(
    State(st): State<Arc<AppState>>,
    Path(rest): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let received_ms = now_ms();
    let origin = origin_of(&headers);
    let (model, action) = rest.split_once(':').unwrap_or((rest.as_str(), ""));
    let model = model.to_string();
    let method = match action {
        "generateContent" => Method::Generate,
        "streamGenerateContent" if wants_sse(uri.query()) => Method::Stream(Framing::Sse),
        "streamGenerateContent" => Method::Stream(Framing::JsonArray),
        _ => {
            let mut r = error_response(&ApiError::new(
                404,
                "NOT_FOUND",
                format!("Method not found: models/{rest}"),
            ));
            allow_origin(&mut r, origin.as_deref());
            return r;
        }
    };
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
        Outcome::Error(e, _) => Some(e.code),
        Outcome::Malformed | Outcome::Answer(..) => Some(200),
        Outcome::Dropped => None,
    };
    {
        let path = uri
            .path_and_query()
            .map_or_else(|| uri.path().to_string(), |pq| pq.as_str().to_string());
        let mut log = lock(&st.requests);
        log.push_back(json!({
            "model": model,
            "apiKey": key,
            "keyHeader": key_header,
            "origin": origin,
            "status": status,
            "body": parsed.unwrap_or(Value::Null),
            "receivedMs": received_ms,
            "path": path,
            "stream": matches!(method, Method::Stream(_)),
        }));
        while log.len() > REQUEST_LOG_LEN {
            log.pop_front();
        }
    }
    let mut resp = match (outcome, method) {
        (Outcome::Error(e, retry_after), _) => {
            let mut r = error_response(&e);
            if let Some(v) = retry_after.and_then(retry_after_value) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        (Outcome::Dropped, _) => {
            let mut r = response(200, JSON_TYPE, deliver::dropped());
            r.extensions_mut().insert(Dropped);
            r
        }
        (Outcome::Malformed, Method::Generate) => {
            response(200, JSON_TYPE, Body::from(answer::MALFORMED_BODY))
        }
        (Outcome::Malformed, Method::Stream(framing)) => response(
            200,
            stream_type(framing),
            deliver::malformed_stream(framing),
        ),
        (Outcome::Answer(v, markers), Method::Generate) => {
            let v = if markers.snake {
                answer::snake_case_keys(v)
            } else {
                v
            };
            let bytes = serde_json::to_vec(&v).unwrap_or_default();
            response(200, JSON_TYPE, deliver::unary(bytes, &markers))
        }
        (Outcome::Answer(v, markers), Method::Stream(framing)) => response(
            200,
            stream_type(framing),
            deliver::streamed(&v, &markers, framing),
        ),
    };
    allow_origin(&mut resp, origin.as_deref());
    resp.extensions_mut().insert(LogModel(model));
    resp
}

fn stream_type(framing: Framing) -> &'static str {
    match framing {
        Framing::Sse => "text/event-stream",
        Framing::JsonArray => JSON_TYPE,
    }
}

/// Validates the request and decides the answer. Errors win in this order: key, JSON, model,
/// validation rules, then the markers.
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
    if markers.drop {
        return Outcome::Dropped;
    }
    let injected = |code: &str| {
        Outcome::Error(
            error::injected(code, model_name, markers.retry_delay()),
            markers.retry_after,
        )
    };
    if let Some(code) = &markers.status {
        return injected(code);
    }
    if let Some((n, code)) = &markers.fail_first {
        if lock(&st.failed).should_fail(&last_text, *n) {
            if code == "drop" {
                return Outcome::Dropped;
            }
            return injected(code);
        }
    }
    if markers.echo_key {
        return error::echo_key(key, model_name).into();
    }
    let ctx = Ctx {
        model,
        req: &req,
        markers: &markers,
        prompt: &prompt,
        response_id: response_id(st),
    };
    if let Some(reason) = &markers.block {
        return Outcome::Answer(ctx.block_answer(reason), Box::new(markers.clone()));
    }
    if markers.malformed {
        return Outcome::Malformed;
    }
    if let Some(reason) = &markers.finish {
        return Outcome::Answer(ctx.finish_answer(reason), Box::new(markers.clone()));
    }
    if markers.no_image || req.text_only() {
        return Outcome::Answer(ctx.text_answer(), Box::new(markers.clone()));
    }
    // 6. the image
    let prev = answer::previous_image(&req).map(|bytes| {
        let known = lock(&st.looks).map.get(&render::signature(bytes)).cloned();
        (
            bytes,
            known.unwrap_or_else(|| Look::from_unknown_image(bytes)),
        )
    });
    let plan = answer::plan(&req, model, &prompt, &markers, st.config.image_scale, prev);
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
    Outcome::Answer(v, Box::new(markers.clone()))
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
