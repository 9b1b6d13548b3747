//! HTTP: the one API call the studio makes (POST a body, with abort) and GETs
//! of small files beside the page, through `gloo-net`; the answer's body is
//! read through web-sys, straight into wasm memory.

use futures::future::{select, Either};
use gemini::{Failure, KeyHeader, TimeoutPhase};
use gloo_net::http::Request;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, ReadableStreamByobReader, ReadableStreamDefaultReader,
    RequestCache, Response,
};

use super::object_url::blob_from_bytes;

/// An answer whose headers have arrived; its body is read with
/// [`read_body`] or [`read_chunks`].
pub struct Answer {
    pub status: u16,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
    pub content_type: String,
    /// The body's length, when the server said.
    pub length: Option<u64>,
    response: Response,
}

impl Answer {
    /// An answer from a `Response` in hand (the benchmark's).
    pub fn of(response: Response) -> Answer {
        let headers = response.headers();
        let header = |name: &str| headers.get(name).ok().flatten();
        Answer {
            status: response.status(),
            retry_after: header("retry-after"),
            content_type: header("content-type").unwrap_or_default(),
            length: header("content-length").and_then(|v| v.trim().parse().ok()),
            response,
        }
    }
}

/// How long an answer may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// For the answer's headers to arrive.
    pub headers_ms: u64,
    /// Between two pieces of its body.
    pub idle_ms: u64,
}

/// Sends `body` to `url`. The key, if any, goes in the chosen header and nowhere
/// else. Resolves once the answer's headers are in; if they take longer than
/// `limits.headers_ms`, `abort` is aborted and the failure is a time-out.
pub async fn post(
    url: &str,
    key_header: KeyHeader,
    api_key: &str,
    body: &[u8],
    abort: &AbortController,
    limits: Limits,
) -> Result<Answer, Failure> {
    let signal = abort.signal();
    let request = post_request(url, key_header, api_key, body, Some(&signal))?;
    let sent = Box::pin(request.send());
    let timer = Box::pin(super::sleep(limits.headers_ms));
    let resp: Response = match select(sent, timer).await {
        Either::Left((Ok(resp), _)) => resp.into(),
        Either::Left((Err(e), _)) => {
            return Err(if signal.aborted() {
                Failure::Aborted
            } else {
                Failure::Network(network_hint(&e.to_string()))
            })
        }
        Either::Right(_) => {
            abort.abort();
            return Err(Failure::TimedOut(TimeoutPhase::NoAnswer {
                limit_ms: limits.headers_ms,
            }));
        }
    };
    Ok(Answer::of(resp))
}

/// The whole body of `answer`, in wasm memory; `progress` hears the bytes
/// received so far after each piece. No piece for `limits.idle_ms`: `abort`
/// is aborted and the failure is a time-out.
pub async fn read_body(
    answer: &Answer,
    abort: &AbortController,
    limits: Limits,
    mut progress: impl FnMut(u64),
) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    if let Some(n) = answer.length {
        // Only a hint (compressed bodies grow): never fail on it.
        let _ = out.try_reserve_exact(usize::try_from(n).unwrap_or(0));
    }
    read_chunks(answer, abort, limits, |chunk| {
        append(&mut out, chunk).map_err(|_| {
            Failure::BadImage("the answer is too large for this browser tab".into())
        })?;
        progress(out.len() as u64);
        Ok(())
    })
    .await?;
    Ok(out)
}

/// Reads the body of `answer` piece by piece into `sink`, which may stop the
/// reading with a failure. No piece for `limits.idle_ms`: `abort` is aborted
/// and the failure is a time-out; a connection that drops is a cut answer.
pub async fn read_chunks(
    answer: &Answer,
    abort: &AbortController,
    limits: Limits,
    mut sink: impl FnMut(&Uint8Array) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let signal = abort.signal();
    let cut = |_| {
        if signal.aborted() {
            Failure::Aborted
        } else {
            Failure::Truncated
        }
    };
    let mut reader = Reader::new(&answer.response).map_err(cut)?;
    loop {
        let next = Box::pin(reader.next());
        let timer = Box::pin(super::sleep(limits.idle_ms));
        match select(next, timer).await {
            Either::Left((Ok(Some(chunk)), _)) => sink(&chunk)?,
            Either::Left((Ok(None), _)) => return Ok(()),
            Either::Left((Err(e), _)) => return Err(cut(e)),
            Either::Right(_) => {
                abort.abort();
                return Err(Failure::TimedOut(TimeoutPhase::Stalled {
                    idle_ms: limits.idle_ms,
                }));
            }
        }
    }
}

/// The POST request, ready to send. The body goes to the browser as a Blob
/// (see [`blob_from_bytes`] for the one JS copy on the way, which lets the
/// page's garbage collector free it).
pub fn post_request(
    url: &str,
    key_header: KeyHeader,
    api_key: &str,
    body: &[u8],
    signal: Option<&AbortSignal>,
) -> Result<Request, Failure> {
    let body = blob_from_bytes(body, "application/json")
        .map_err(|_| Failure::Network("the browser could not hold the request".into()))?;
    let mut builder = Request::post(url)
        .header("content-type", "application/json")
        .abort_signal(signal);
    if let Some((name, value)) = key_header.header(api_key) {
        builder = builder.header(name, &value);
    }
    builder
        .body(body)
        .map_err(|e| Failure::Network(e.to_string()))
}

/// What a GET of a JSON file gave.
pub enum Got<T> {
    /// What the status and the content type alone said.
    Head(T),
    /// The body as the browser parsed it (see [`json_value`]), or why it is
    /// not JSON.
    Json(Result<JsValue, String>),
}

/// GETs `path` (relative to the document) bypassing stale caches. `head`
/// decides from the status and the content type; when it gives `None`, the
/// body is parsed by the browser (`Response.json()`, no JSON parser in the
/// first screen's code) and handed over as the value it made.
pub async fn get_json<T>(
    path: &str,
    head: impl FnOnce(u16, &str) -> Option<T>,
) -> Result<Got<T>, String> {
    // The browser's own fetch (no request builder on the first screen).
    let init = web_sys::RequestInit::new();
    init.set_cache(RequestCache::NoCache);
    let window = web_sys::window().ok_or("there is no window")?;
    let resp: Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|e| js_message(&e))?
        .unchecked_into();
    let content_type = resp
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    if let Some(said) = head(resp.status(), &content_type) {
        return Ok(Got::Head(said));
    }
    let parsed = match resp.json() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(e) => Err(e),
    };
    match parsed {
        Ok(value) => Ok(Got::Json(Ok(value))),
        Err(e) => match e.dyn_ref::<js_sys::Error>() {
            // A body that is not JSON.
            Some(e) if e.name() == "SyntaxError" => Ok(Got::Json(Err(String::from(e.message())))),
            // Cut off (the network went): not read, as if never fetched.
            Some(e) => Err(String::from(e.message())),
            None => Err("its body could not be read".into()),
        },
    }
}

/// What a rejected fetch says ("TypeError: Failed to fetch").
fn js_message(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(e) => format!("{}: {}", String::from(e.name()), String::from(e.message())),
        None => "the request failed".into(),
    }
}

/// The deepest nesting read (serde_json's own limit is 128).
const MAX_DEPTH: usize = 64;

/// A value `JSON.parse` made, as a `serde_json::Value`.
pub fn json_value(v: &JsValue) -> Result<serde_json::Value, String> {
    value_at(v, 0)
}

fn value_at(v: &JsValue, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return Err(format!("it is nested more than {MAX_DEPTH} levels deep"));
    }
    Ok(if v.is_null() {
        Value::Null
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        json_number(n)
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if js_sys::Array::is_array(v) {
        let items = js_sys::Array::from(v);
        let mut out = Vec::with_capacity(items.length() as usize);
        for item in items.iter() {
            out.push(value_at(&item, depth + 1)?);
        }
        Value::Array(out)
    } else if let Some(object) = v.dyn_ref::<js_sys::Object>() {
        let mut out = serde_json::Map::new();
        for entry in js_sys::Object::entries(object).iter() {
            let entry = js_sys::Array::from(&entry);
            let key = entry.get(0).as_string().unwrap_or_default();
            out.insert(key, value_at(&entry.get(1), depth + 1)?);
        }
        Value::Object(out)
    } else {
        return Err("it holds something JSON cannot".into());
    })
}

/// Whole numbers as integers (as serde_json reads `3`), the rest as floats.
fn json_number(n: f64) -> serde_json::Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() < EXACT {
        if n >= 0.0 {
            serde_json::Value::from(n as u64)
        } else {
            serde_json::Value::from(n as i64)
        }
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// The whole body, copied into wasm memory as it arrives (no time limit; the
/// benchmark reads answers this way too).
pub async fn read_bytes(resp: &Response) -> Result<Vec<u8>, JsValue> {
    let mut out = Vec::new();
    if let Some(n) = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        let _ = out.try_reserve_exact(n);
    }
    let mut reader = Reader::new(resp)?;
    while let Some(chunk) = reader.next().await? {
        append(&mut out, &chunk)?;
    }
    Ok(out)
}

/// A body read piece by piece. Where the body is a byte stream (Chromium,
/// Firefox, Safari 16.4+) the browser reads into one reused 256 KiB buffer
/// ("BYOB"): measured 13–15 ms for 20 MB against 19–20 ms for the default
/// reader, which allocates a fresh buffer for every chunk (and one of 20 MB
/// when the body is already all there). `arrayBuffer()` would gather it in one
/// more copy.
enum Reader {
    None,
    Byob {
        reader: ReadableStreamByobReader,
        into: Option<Uint8Array>,
    },
    Default(ReadableStreamDefaultReader),
}

impl Reader {
    fn new(resp: &Response) -> Result<Reader, JsValue> {
        let Some(body) = resp.body() else {
            return Ok(Reader::None);
        };
        Ok(match ReadableStreamByobReader::new(&body) {
            Ok(reader) => Reader::Byob {
                reader,
                into: Some(Uint8Array::new_with_length(BYOB_BUFFER)),
            },
            Err(_) => Reader::Default(body.get_reader().unchecked_into()),
        })
    }

    /// The next piece, `None` at the end. Its bytes stay valid until the next call.
    async fn next(&mut self) -> Result<Option<Uint8Array>, JsValue> {
        match self {
            Reader::None => Ok(None),
            Reader::Byob { reader, into } => {
                let buffer = into
                    .take()
                    .unwrap_or_else(|| Uint8Array::new_with_length(BYOB_BUFFER));
                let step = JsFuture::from(reader.read_with_array_buffer_view(&buffer)).await?;
                let chunk = chunk_of(&step)?;
                // The buffer comes back with the chunk: read into all of it again.
                *into = chunk.as_ref().map(|c| Uint8Array::new(&c.buffer()));
                Ok(chunk)
            }
            Reader::Default(reader) => {
                let step = JsFuture::from(reader.read()).await?;
                chunk_of(&step)
            }
        }
    }
}

const BYOB_BUFFER: u32 = 256 * 1024;

/// The bytes of a reader's `{done, value}`, `None` when done.
fn chunk_of(step: &JsValue) -> Result<Option<Uint8Array>, JsValue> {
    if Reflect::get(step, &"done".into())?.is_truthy() {
        return Ok(None);
    }
    Ok(Some(Reflect::get(step, &"value".into())?.unchecked_into()))
}

fn append(out: &mut Vec<u8>, chunk: &Uint8Array) -> Result<(), JsValue> {
    let n = chunk.length() as usize;
    let at = out.len();
    out.try_reserve(n)
        .map_err(|_| JsValue::from_str("the answer is too large for this browser tab"))?;
    // SAFETY: `n` bytes of spare capacity are reserved at `at`, and the browser
    // copies exactly the chunk's `n` bytes there.
    unsafe {
        chunk.raw_copy_to_ptr(out.as_mut_ptr().add(at));
        out.set_len(at + n);
    }
    Ok(())
}

fn network_hint(detail: &str) -> String {
    if detail.contains("Failed to fetch") || detail.contains("NetworkError") {
        "The browser could not complete the request (offline, wrong address, or the endpoint does not allow this page's origin).".to_owned()
    } else {
        detail.to_owned()
    }
}
