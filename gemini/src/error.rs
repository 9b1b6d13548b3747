//! Everything that can go wrong with a generation, as typed values with a human
//! message for each: what happened and what to do.

use std::fmt;

use serde::Deserialize;

use crate::request::RequestError;
use crate::wire::{ErrorBody, ErrorEnvelope};

/// An error answer from the API in Google's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status code.
    pub code: u16,
    /// Google's status name, e.g. `RESOURCE_EXHAUSTED`.
    pub status: String,
    pub message: String,
    /// From a `google.rpc.RetryInfo` detail (`"37s"`, `"1.5s"`), in milliseconds.
    pub retry_delay_ms: Option<u64>,
    /// From a `google.rpc.ErrorInfo` detail, e.g. `API_KEY_INVALID`.
    pub reason: Option<String>,
    /// From `google.rpc.QuotaFailure` details: which quotas were exceeded.
    pub quota_violations: Vec<QuotaViolation>,
}

/// One exceeded quota of a `google.rpc.QuotaFailure` detail. Every field is as
/// sent; any may be missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuotaViolation {
    /// E.g. `generativelanguage.googleapis.com/generate_content_free_tier_requests`.
    pub quota_metric: Option<String>,
    /// E.g. `GenerateRequestsPerDayPerProjectPerModel-FreeTier`.
    pub quota_id: Option<String>,
    /// The quota's limit as sent (protobuf int64 JSON: a string such as `"0"`).
    pub quota_value: Option<String>,
    /// `quotaDimensions.model`: the model the quota is for.
    pub model: Option<String>,
    pub subject: Option<String>,
    pub description: Option<String>,
}

impl ApiError {
    /// True when the error says the quota itself is zero (a `QuotaFailure` with
    /// `quotaValue` 0, or `limit: 0` in the message): the key's project has no
    /// quota at all for this model (the free tier has no image quota), so
    /// waiting never helps.
    pub fn no_quota(&self) -> bool {
        self.quota_violations.iter().any(|v| {
            v.quota_value
                .as_deref()
                .is_some_and(|q| is_zero_integer(q.trim()))
        }) || says_limit_zero(&self.message)
    }
}

/// `"0"`, `"00"`: an integer zero.
fn is_zero_integer(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == b'0')
}

/// The message holds `limit: 0` (Google: "Quota exceeded for metric: …, limit: 0,
/// model: …"), and not `limit: 05` or `limit: 0.5`.
fn says_limit_zero(message: &str) -> bool {
    message.match_indices("limit:").any(|(i, m)| {
        let rest = message
            .get(i + m.len()..)
            .unwrap_or("")
            .trim_start_matches(' ');
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, after) = rest.split_at(digits);
        let decimal = after
            .strip_prefix('.')
            .is_some_and(|f| f.starts_with(|c: char| c.is_ascii_digit()));
        is_zero_integer(number) && !decimal
    })
}

/// Which time limit ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutPhase {
    /// No answer headers came within `limit_ms` of sending.
    NoAnswer { limit_ms: u64 },
    /// The answer had begun, then no body bytes came for `idle_ms`.
    Stalled { idle_ms: u64 },
}

/// Why a generation produced no image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The request was not sent: the studio refused it.
    Request(RequestError),
    /// The API answered with an error.
    Api(ApiError),
    /// A non-success answer that is not Google's error shape (a proxy's page, say).
    Http { status: u16, excerpt: String },
    /// The prompt was blocked before generation (`promptFeedback.blockReason`).
    Blocked {
        reason: String,
        message: Option<String>,
    },
    /// The model answered but with no final image.
    NoImage {
        finish_reason: Option<String>,
        finish_message: Option<String>,
        text: Option<String>,
    },
    /// A success status with a body that is not a generateContent response.
    Malformed(String),
    /// The answer stopped before its end.
    Truncated,
    /// A streamed answer ended before the model said it had finished: inside an
    /// event, or after `events` whole events none of which had a `finishReason`.
    Incomplete { events: usize, inside_event: bool },
    /// A time limit ran out (see [`crate::retry::header_limit_ms`]). Never retried
    /// automatically: the API may have done (and billed) the work.
    TimedOut(TimeoutPhase),
    /// The final image's data is not valid base64.
    BadImage(String),
    /// The request did not reach the API or the answer did not come back.
    Network(String),
    /// The answer's image is not one the page shows safely: not a PNG, JPEG or
    /// WebP by its bytes (whatever it claims), or too many pixels. It is never
    /// rendered or opened; the bytes can be saved as a file.
    Unshowable {
        /// The MIME type it claimed.
        claimed: String,
        /// What it is ("SVG", "HTML", "a PNG of 30000×30000 pixels"…).
        found: String,
        bytes: std::sync::Arc<Vec<u8>>,
    },
    /// The user cancelled.
    Aborted,
}

/// A failure as the user reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// One line: what happened.
    pub title: String,
    /// What the API or browser said, verbatim, if it helps.
    pub detail: Option<String>,
    /// What to do next.
    pub action: String,
}

impl Failure {
    pub fn message(&self) -> Message {
        let m = |title: &str, detail: Option<String>, action: &str| Message {
            title: title.to_owned(),
            detail,
            action: action.to_owned(),
        };
        match self {
            Self::Request(e) => Message {
                title: "Not sent".to_owned(),
                detail: None,
                action: e.to_string(),
            },
            Self::Api(e) => api_message(e),
            Self::Http { status: 429, excerpt } => m(
                "Rate limited (HTTP 429)",
                (!excerpt.is_empty()).then(|| excerpt.clone()),
                "Wait a minute before trying again; the endpoint or a proxy in between is limiting requests.",
            ),
            Self::Http {
                status: status @ 502..=504,
                excerpt,
            } => m(
                &format!("The server or a proxy in between is unavailable (HTTP {status})"),
                (!excerpt.is_empty()).then(|| excerpt.clone()),
                "Try again in a minute; if it keeps happening, check the API base URL in Settings.",
            ),
            Self::Http { status, excerpt } => m(
                &format!("The server answered HTTP {status} without an API error"),
                (!excerpt.is_empty()).then(|| excerpt.clone()),
                "Check the API base URL in Settings: it should point at a Gemini-compatible endpoint or proxy.",
            ),
            Self::Blocked { reason, message } => Message {
                title: format!("The prompt was blocked ({})", reason_label(reason)),
                detail: message.clone(),
                action: "Rephrase the prompt or use other reference images, then try again."
                    .to_owned(),
            },
            Self::NoImage {
                finish_reason,
                finish_message,
                text,
            } => no_image_message(finish_reason.as_deref(), finish_message, text),
            Self::Malformed(why) => m(
                "The answer could not be read",
                Some(why.clone()),
                "The endpoint did not return a generateContent response; nothing was saved, and the request may have been billed. Check the API base URL, or try again.",
            ),
            Self::Truncated => m(
                "The answer was cut off before it ended",
                None,
                "The connection dropped while the image was arriving; nothing was saved, and the request may have been billed. Try again; if it keeps happening, a proxy may be limiting response size or time.",
            ),
            Self::Incomplete {
                events,
                inside_event,
            } => m(
                "The answer is incomplete",
                Some(if *inside_event {
                    format!("The stream ended in the middle of an event, after {events} whole event{}.", plural(*events))
                } else {
                    format!("The stream ended after {events} event{} without the model saying it had finished.", plural(*events))
                }),
                "Nothing was saved, and the request may have been billed. Try again; if it keeps happening, a proxy may be cutting long answers.",
            ),
            Self::TimedOut(TimeoutPhase::NoAnswer { limit_ms }) => m(
                &format!("No answer within {}", duration_text(*limit_ms)),
                None,
                "The request timed out and the studio stopped waiting; the API may still have done (and billed) the work. Try again; a smaller image size answers sooner.",
            ),
            Self::TimedOut(TimeoutPhase::Stalled { idle_ms }) => m(
                "The answer stopped arriving",
                Some(format!("No data came for {}.", duration_text(*idle_ms))),
                "The request timed out and the studio stopped waiting; the API may have billed it. Try again.",
            ),
            Self::BadImage(why) => m(
                "The returned image could not be decoded",
                Some(why.clone()),
                "Try again; if it keeps happening the endpoint is altering the response.",
            ),
            Self::Network(why) => m(
                "Could not reach the API",
                (!why.is_empty()).then(|| why.clone()),
                "Check your connection and the API base URL. A different origin must allow CORS; an empty base URL uses this page's own proxy.",
            ),
            Self::Unshowable { claimed, found, .. } => m(
                "The answer's image is not shown",
                Some(format!(
                    "It claims to be {claimed} and is {found}: the studio shows only PNG, JPEG and WebP images of up to 50 megapixels."
                )),
                "Download it as a file to look at it with care, or try again.",
            ),
            Self::Aborted => m(
                "Cancelled",
                None,
                "Nothing was lost: your prompt and images are still here.",
            ),
        }
    }

    /// Whether trying the same request again may work (the Try again button).
    /// Which failures are retried *automatically* is [`crate::retry::decide`]'s
    /// business: a timeout, a cut or unreadable answer and a cancel are
    /// retryable here but never retried without the user.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Api(e) => matches!(e.code, 429 | 500 | 502 | 503 | 504) && !e.no_quota(),
            Self::Truncated
            | Self::Incomplete { .. }
            | Self::TimedOut(_)
            | Self::Network(_)
            | Self::Aborted
            | Self::Malformed(_) => true,
            Self::Http { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.message();
        write!(f, "{}. {}", m.title, m.action)
    }
}

impl From<RequestError> for Failure {
    fn from(e: RequestError) -> Self {
        Self::Request(e)
    }
}

fn api_message(e: &ApiError) -> Message {
    let key_invalid = e.reason.as_deref() == Some("API_KEY_INVALID")
        || e.message.to_ascii_lowercase().contains("api key not valid");
    let (title, action): (&str, String) = match (e.code, e.status.as_str()) {
        _ if key_invalid => (
            "The API key was rejected",
            "Check the key in Settings (and the key header: x-goog-api-key or Authorization: Bearer).".into(),
        ),
        (400, "FAILED_PRECONDITION") => (
            "The API is not available for this account or region",
            "Enable billing for the key's project, or use an endpoint that serves your region.".into(),
        ),
        (400, _) => (
            "The API rejected the request",
            "An option or image was not accepted; see the detail, change it and try again.".into(),
        ),
        (401, _) => (
            "Not authenticated",
            "Enter a valid API key in Settings, or check that the proxy adds one.".into(),
        ),
        (403, _) => (
            "Permission denied",
            "The key lacks access to this model or API. Check the key and its project, or choose another model.".into(),
        ),
        (404, _) => (
            "Model not found",
            "The endpoint does not serve this model. Choose another model or check the custom model id.".into(),
        ),
        (429, _) if e.no_quota() => (
            "This key's project has no quota for this model",
            format!(
                "Waiting will not help: the quota{} is 0 (the free tier has no image quota). Enable billing on the key's Google Cloud project or use a key from a paid project, or choose another model.",
                e.quota_violations
                    .iter()
                    .find_map(|v| v.model.as_deref())
                    .map(|m| format!(" for {m}"))
                    .unwrap_or_default()
            ),
        ),
        (429, _) => (
            "Rate or quota limit reached",
            match e.retry_delay_ms {
                Some(ms) => format!(
                    "Wait {} before trying again, or check your plan's quota.",
                    duration_text(ms)
                ),
                None => "Wait a minute before trying again, or check your plan's quota.".into(),
            },
        ),
        (500, _) => (
            "The provider had an internal error",
            "Try again in a moment.".into(),
        ),
        (502, _) | (503, _) => (
            "The model is overloaded or unavailable",
            "Try again in a minute; large sizes (4K) are busiest, a smaller size may go through.".into(),
        ),
        (504, _) => (
            "The request took too long",
            "Try again, perhaps with a smaller image size or fewer reference images.".into(),
        ),
        _ => ("The API returned an error", "Try again; if it persists, check Settings.".into()),
    };
    let status = if e.status.is_empty() {
        format!("HTTP {}", e.code)
    } else {
        format!("{} {}", e.code, e.status)
    };
    Message {
        title: title.to_owned(),
        detail: Some(if e.message.is_empty() {
            status
        } else {
            format!("{status}: {}", e.message)
        }),
        action,
    }
}

fn no_image_message(
    reason: Option<&str>,
    finish_message: &Option<String>,
    text: &Option<String>,
) -> Message {
    let (title, action) = match reason.unwrap_or("") {
        "SAFETY" | "IMAGE_SAFETY" => (
            "The image was withheld by the safety filter",
            "Rephrase the prompt or change the reference images, then try again.",
        ),
        "PROHIBITED_CONTENT" | "IMAGE_PROHIBITED_CONTENT" | "BLOCKLIST" | "SPII" => (
            "The request touched content the model will not produce",
            "Change the prompt or the reference images.",
        ),
        "RECITATION" | "IMAGE_RECITATION" => (
            "The image was withheld because it resembled existing material too closely",
            "Ask for something more original or change the references.",
        ),
        "NO_IMAGE" => (
            "The model did not produce an image",
            "Ask for an image explicitly (\u{201c}Generate an image of\u{2026}\u{201d}), or try again.",
        ),
        "MAX_TOKENS" => (
            "The answer ran out of tokens before the image",
            "Try again, or simplify the prompt.",
        ),
        "MISSING_THOUGHT_SIGNATURE" => (
            "The conversation history was rejected",
            "Start a new conversation and try again.",
        ),
        "LANGUAGE" => (
            "The prompt's language is not supported",
            "Write the prompt in another language.",
        ),
        "STOP" | "" => (
            "The model answered without an image",
            "Read its text below, then ask again more explicitly for an image.",
        ),
        _ => (
            "The model stopped without an image",
            "Try again, or change the prompt.",
        ),
    };
    let mut detail = Vec::new();
    if let Some(r) = reason.filter(|r| !r.is_empty() && *r != "STOP") {
        detail.push(format!("Finish reason: {}", reason_label(r)));
    }
    if let Some(fm) = finish_message.as_deref().filter(|s| !s.is_empty()) {
        detail.push(fm.to_owned());
    }
    if let Some(t) = text.as_deref().filter(|s| !s.trim().is_empty()) {
        detail.push(format!("The model said: {t}"));
    }
    Message {
        title: title.to_owned(),
        detail: (!detail.is_empty()).then(|| detail.join("\n")),
        action: action.to_owned(),
    }
}

/// "1 answer", "2 answers".
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A wait as people say it, rounded up to the second: `"12 s"`, `"2 min 5 s"`,
/// `"1 h 3 min"` (integer arithmetic: float formatting weighs KiBs of wasm).
pub fn duration_text(ms: u64) -> String {
    let secs = ms.div_ceil(1000);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => match secs % 60 {
            0 => format!("{} min", secs / 60),
            s => format!("{} min {s} s", secs / 60),
        },
        _ => {
            let mins = secs.div_ceil(60);
            match mins % 60 {
                0 => format!("{} h", mins / 60),
                m => format!("{} h {m} min", mins / 60),
            }
        }
    }
}

/// `IMAGE_SAFETY` → "image safety".
pub fn reason_label(reason: &str) -> String {
    reason.replace('_', " ").to_ascii_lowercase()
}

/// Turns a non-success HTTP answer into a failure, reading Google's error shape
/// (also when wrapped in an array, as streaming endpoints send it).
pub fn from_error_response(status: u16, body: &[u8]) -> Failure {
    let parsed = serde_json::from_slice::<serde_json::Value>(body).and_then(|v| {
        let v = match v {
            serde_json::Value::Array(mut items) => items.pop().unwrap_or_default(),
            other => other,
        };
        serde_json::from_value::<ErrorEnvelope>(v).map(|e| e.error)
    });
    match parsed {
        Ok(body) if body.message.is_some() || body.status.is_some() => {
            Failure::Api(api_error(status, body))
        }
        _ => Failure::Http {
            status,
            excerpt: excerpt(body),
        },
    }
}

/// An `{"error": …}` found inside a success answer (a streamed error event, or
/// a 200 whose body is an error): the API failure it describes. Its HTTP status
/// is its `code`, or the one Google's `status` name stands for.
pub fn from_error_value(error: &serde_json::Value) -> Failure {
    match ErrorBody::deserialize(error) {
        Ok(body) if body.message.is_some() || body.status.is_some() => {
            let code = body.status.as_deref().map_or(500, http_code_for_status);
            Failure::Api(api_error(code, body))
        }
        _ => Failure::Malformed(format!(
            "the answer is an error of an unknown shape: {}",
            excerpt(error.to_string().as_bytes())
        )),
    }
}

/// The HTTP status Google maps each `google.rpc.Code` name to.
fn http_code_for_status(status: &str) -> u16 {
    match status {
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => 400,
        "UNAUTHENTICATED" => 401,
        "PERMISSION_DENIED" => 403,
        "NOT_FOUND" => 404,
        "ABORTED" | "ALREADY_EXISTS" => 409,
        "RESOURCE_EXHAUSTED" => 429,
        "CANCELLED" => 499,
        "UNIMPLEMENTED" => 501,
        "UNAVAILABLE" => 503,
        "DEADLINE_EXCEEDED" => 504,
        _ => 500,
    }
}

fn api_error(http_status: u16, body: ErrorBody) -> ApiError {
    let mut retry_delay_ms = None;
    let mut reason = None;
    let mut quota_violations = Vec::new();
    let text = |v: &serde_json::Value, camel: &str, snake: &str| {
        v.get(camel).or_else(|| v.get(snake)).and_then(|x| match x {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    for d in &body.details {
        let ty = d.get("@type").and_then(|t| t.as_str()).unwrap_or("");
        if ty.ends_with("google.rpc.RetryInfo") {
            retry_delay_ms = d
                .get("retryDelay")
                .or_else(|| d.get("retry_delay"))
                .and_then(|v| v.as_str())
                .and_then(parse_duration_ms);
        } else if ty.ends_with("google.rpc.ErrorInfo") {
            reason = d.get("reason").and_then(|v| v.as_str()).map(str::to_owned);
        } else if ty.ends_with("google.rpc.QuotaFailure") {
            let violations = d.get("violations").and_then(|v| v.as_array());
            for v in violations.into_iter().flatten() {
                let dims = v
                    .get("quotaDimensions")
                    .or_else(|| v.get("quota_dimensions"));
                quota_violations.push(QuotaViolation {
                    quota_metric: text(v, "quotaMetric", "quota_metric"),
                    quota_id: text(v, "quotaId", "quota_id"),
                    quota_value: text(v, "quotaValue", "quota_value"),
                    model: dims.and_then(|d| text(d, "model", "model")),
                    subject: text(v, "subject", "subject"),
                    description: text(v, "description", "description"),
                });
            }
        }
    }
    ApiError {
        code: body.code.unwrap_or(http_status),
        status: body.status.unwrap_or_default(),
        message: body.message.unwrap_or_default(),
        retry_delay_ms,
        reason,
        quota_violations,
    }
}

/// A protobuf `Duration` in its JSON form (`"37s"`, `"1.5s"`, `"0.250s"`: seconds
/// with up to 9 decimals) in milliseconds, rounded up. `None` for anything else,
/// negative durations included. Huge values saturate.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let n = s.trim().strip_suffix('s')?;
    let (whole, frac) = n.split_once('.').unwrap_or((n, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 9 {
        return None;
    }
    if n.ends_with('.') {
        return None;
    }
    let secs = whole.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    // The fraction in nanoseconds (9 digits), then rounded up to milliseconds.
    let nanos = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
    Some(
        secs.saturating_mul(1000)
            .saturating_add(nanos.div_ceil(1_000_000)),
    )
}

/// The start of a body as readable text, for messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(600)]);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rate_limit_with_retry_delay() {
        let body = br#"{"error":{"code":429,"message":"You exceeded your current quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}"#;
        let f = from_error_response(429, body);
        let Failure::Api(e) = &f else { panic!("{f:?}") };
        assert_eq!(e.retry_delay_ms, Some(37_000));
        assert!(f.message().action.contains("37 s"));
        assert!(f.retryable());
    }

    #[test]
    fn bad_key_is_named() {
        let body = br#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#;
        let f = from_error_response(400, body);
        assert_eq!(f.message().title, "The API key was rejected");
        assert!(!f.retryable());
    }

    #[test]
    fn every_status_has_its_own_message() {
        let cases = [
            (400, "INVALID_ARGUMENT"),
            (400, "FAILED_PRECONDITION"),
            (401, "UNAUTHENTICATED"),
            (403, "PERMISSION_DENIED"),
            (404, "NOT_FOUND"),
            (429, "RESOURCE_EXHAUSTED"),
            (500, "INTERNAL"),
            (503, "UNAVAILABLE"),
            (504, "DEADLINE_EXCEEDED"),
        ];
        let mut titles = std::collections::HashSet::new();
        for (code, status) in cases {
            let body =
                format!(r#"{{"error":{{"code":{code},"message":"m","status":"{status}"}}}}"#);
            let msg = from_error_response(code, body.as_bytes()).message();
            assert!(msg.detail.unwrap().contains(status));
            titles.insert(msg.title);
        }
        assert_eq!(titles.len(), cases.len());
    }

    #[test]
    fn array_wrapped_errors_are_read() {
        let body = br#"[{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}]"#;
        assert!(matches!(
            from_error_response(503, body),
            Failure::Api(ApiError { code: 503, .. })
        ));
    }

    #[test]
    fn non_google_bodies_become_http_failures() {
        let f = from_error_response(502, b"<html><body>Bad   gateway</body></html>");
        assert_eq!(
            f,
            Failure::Http {
                status: 502,
                excerpt: "<html><body>Bad gateway</body></html>".into()
            }
        );
        assert!(matches!(
            from_error_response(500, b""),
            Failure::Http { .. }
        ));
        assert!(matches!(
            from_error_response(500, b"{\"error\":7}"),
            Failure::Http { .. }
        ));
    }

    #[test]
    fn durations_keep_milliseconds() {
        assert_eq!(parse_duration_ms("37s"), Some(37_000));
        assert_eq!(parse_duration_ms("1.5s"), Some(1_500));
        assert_eq!(parse_duration_ms("0.250s"), Some(250));
        assert_eq!(parse_duration_ms("1.000000001s"), Some(1_001), "rounded up");
        assert_eq!(parse_duration_ms("0s"), Some(0));
        assert_eq!(parse_duration_ms(" 2s "), Some(2_000));
        assert_eq!(
            parse_duration_ms("99999999999999999999999s"),
            Some(u64::MAX),
            "saturates"
        );
        for bad in [
            "x",
            "-1s",
            "NaNs",
            "infs",
            "1e3s",
            "1.s",
            ".5s",
            "1.0000000001s",
            "37",
            "s",
            "",
            "+1s",
            "1,5s",
            "١s",
        ] {
            assert_eq!(parse_duration_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn quota_failure_is_read() {
        let body = br#"{"error":{"code":429,"message":"You exceeded your current quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaDimensions":{"location":"global","model":"gemini-3-pro-image"},"quotaValue":"10"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}"#;
        let Failure::Api(e) = from_error_response(429, body) else {
            panic!()
        };
        assert_eq!(
            e.quota_violations,
            vec![QuotaViolation {
                quota_metric: Some(
                    "generativelanguage.googleapis.com/generate_content_free_tier_requests".into()
                ),
                quota_id: Some("GenerateRequestsPerMinutePerProjectPerModel-FreeTier".into()),
                quota_value: Some("10".into()),
                model: Some("gemini-3-pro-image".into()),
                subject: None,
                description: None,
            }]
        );
        assert_eq!(e.retry_delay_ms, Some(1_500));
        assert!(!e.no_quota(), "a quota of 10 is a rate limit");
        assert!(Failure::Api(e).message().action.contains("Wait 2 s"));
    }

    #[test]
    fn zero_quota_says_there_is_none() {
        let by_value = br#"{"error":{"code":429,"message":"You exceeded your current quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier","quotaDimensions":{"model":"gemini-3-pro-image"},"quotaValue":"0"}]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"20s"}]}}"#;
        let by_message = br#"{"error":{"code":429,"message":"You exceeded your current quota. * Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-3-pro-image","status":"RESOURCE_EXHAUSTED"}}"#;
        let by_number = br#"{"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quota_value":0}]}]}}"#;
        for body in [&by_value[..], by_message, by_number] {
            let f = from_error_response(429, body);
            let Failure::Api(e) = &f else { panic!() };
            assert!(e.no_quota(), "{e:?}");
            assert!(!f.retryable());
            let m = f.message();
            assert_eq!(m.title, "This key's project has no quota for this model");
            assert!(m.action.contains("billing"), "{}", m.action);
            assert!(m.action.contains("another model"), "{}", m.action);
        }
        assert!(from_error_response(429, by_value)
            .message()
            .action
            .contains("for gemini-3-pro-image"));
        for (message, zero) in [
            ("limit: 0", true),
            ("limit:0, model: x", true),
            ("limit: 00.", true),
            ("limit: 10, model: x", false),
            ("limit: 05", false),
            ("limit: 0.5", false),
            ("limit: ", false),
            ("no limit", false),
            ("limit: 1 limit: 0", true),
        ] {
            assert_eq!(says_limit_zero(message), zero, "{message:?}");
        }
    }

    #[test]
    fn errors_inside_success_answers_are_api_failures() {
        let f = from_error_value(&serde_json::json!(
            {"code": 500, "message": "boom", "status": "INTERNAL"}
        ));
        assert!(matches!(&f, Failure::Api(e) if e.code == 500 && e.message == "boom"));
        let f = from_error_value(&serde_json::json!(
            {"message": "overloaded", "status": "UNAVAILABLE"}
        ));
        assert!(matches!(&f, Failure::Api(e) if e.code == 503), "{f:?}");
        assert!(matches!(
            from_error_value(&serde_json::json!("nope")),
            Failure::Malformed(_)
        ));
        assert!(matches!(
            from_error_value(&serde_json::json!({"code": 70000, "message": "m"})),
            Failure::Malformed(_)
        ));
    }

    #[test]
    fn waits_read_as_people_say_them() {
        for (ms, text) in [
            (0, "0 s"),
            (1, "1 s"),
            (12_000, "12 s"),
            (12_001, "13 s"),
            (59_999, "1 min"),
            (60_000, "1 min"),
            (125_000, "2 min 5 s"),
            (3_600_000, "1 h"),
            (3_780_000, "1 h 3 min"),
            (u64::MAX, "5124095576030 h 26 min"),
        ] {
            assert_eq!(duration_text(ms), text, "{ms}");
        }
    }

    #[test]
    fn new_failures_say_what_happened_and_what_to_do() {
        let cases = [
            Failure::TimedOut(TimeoutPhase::NoAnswer { limit_ms: 180_000 }),
            Failure::TimedOut(TimeoutPhase::Stalled { idle_ms: 60_000 }),
            Failure::Incomplete {
                events: 3,
                inside_event: true,
            },
            Failure::Incomplete {
                events: 1,
                inside_event: false,
            },
            Failure::Truncated,
            Failure::Malformed("x".into()),
        ];
        for f in &cases {
            let m = f.message();
            assert!(m.action.contains("billed"), "{f:?}: {m:?}");
            assert!(m.action.contains("Try again") || m.action.contains("try again"));
            assert!(f.retryable(), "{f:?}: the Try again button is offered");
        }
        assert_eq!(cases[0].message().title, "No answer within 3 min");
        assert!(cases[0].message().action.contains("timed out"));
        assert_eq!(
            cases[1].message().detail.as_deref(),
            Some("No data came for 1 min.")
        );
        assert!(cases[2]
            .message()
            .detail
            .unwrap()
            .contains("middle of an event, after 3 whole events"));
        assert!(cases[3]
            .message()
            .detail
            .unwrap()
            .contains("after 1 event without"));
        assert!(cases[2].message().action.contains("Nothing was saved"));
    }

    #[test]
    fn a_proxys_rate_limit_page_is_retryable() {
        let f = from_error_response(429, b"<html>Too Many Requests</html>");
        assert!(f.retryable());
        assert_eq!(f.message().title, "Rate limited (HTTP 429)");
        let m = from_error_response(503, b"busy").message();
        assert_eq!(
            m.title,
            "The server or a proxy in between is unavailable (HTTP 503)"
        );
        assert_eq!(m.detail.as_deref(), Some("busy"));
        assert!(!from_error_response(404, b"<html>Not Found</html>").retryable());
    }

    #[test]
    fn no_image_reasons_say_why() {
        let f = Failure::NoImage {
            finish_reason: Some("IMAGE_SAFETY".into()),
            finish_message: Some("filtered".into()),
            text: None,
        };
        let m = f.message();
        assert!(m.title.contains("safety"));
        assert!(m.detail.unwrap().contains("image safety"));
        let f = Failure::NoImage {
            finish_reason: Some("SOMETHING_NEW".into()),
            finish_message: None,
            text: Some("I can't draw that".into()),
        };
        assert!(f.message().detail.unwrap().contains("I can't draw that"));
    }
}
