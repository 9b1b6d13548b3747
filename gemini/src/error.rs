//! Everything that can go wrong with a generation, as typed values with a human
//! message for each: what happened and what to do.

use std::fmt;

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
    /// From a `google.rpc.RetryInfo` detail, rounded up to whole seconds.
    pub retry_after_secs: Option<u64>,
    /// From a `google.rpc.ErrorInfo` detail, e.g. `API_KEY_INVALID`.
    pub reason: Option<String>,
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
    /// The final image's data is not valid base64.
    BadImage(String),
    /// The request did not reach the API or the answer did not come back.
    Network(String),
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
                "The endpoint did not return a generateContent response. Check the API base URL, or try again.",
            ),
            Self::Truncated => m(
                "The answer was cut off before it ended",
                None,
                "The connection dropped while the image was arriving. Try again; if it keeps happening, a proxy may be limiting response size or time.",
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
            Self::Aborted => m(
                "Cancelled",
                None,
                "Nothing was lost: your prompt and images are still here.",
            ),
        }
    }

    /// Whether trying the same request again may work.
    pub fn retryable(&self) -> bool {
        match self {
            Self::Api(e) => matches!(e.code, 429 | 500 | 502 | 503 | 504),
            Self::Truncated | Self::Network(_) | Self::Aborted | Self::Malformed(_) => true,
            Self::Http { status, .. } => *status >= 500,
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
        (429, _) => (
            "Rate or quota limit reached",
            match e.retry_after_secs {
                Some(s) => format!("Wait {s} s before trying again, or check your plan's quota."),
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

fn api_error(http_status: u16, body: ErrorBody) -> ApiError {
    let mut retry_after_secs = None;
    let mut reason = None;
    for d in &body.details {
        let ty = d.get("@type").and_then(|t| t.as_str()).unwrap_or("");
        if ty.ends_with("google.rpc.RetryInfo") {
            retry_after_secs = d
                .get("retryDelay")
                .or_else(|| d.get("retry_delay"))
                .and_then(|v| v.as_str())
                .and_then(parse_duration_secs);
        } else if ty.ends_with("google.rpc.ErrorInfo") {
            reason = d.get("reason").and_then(|v| v.as_str()).map(str::to_owned);
        }
    }
    ApiError {
        code: body.code.unwrap_or(http_status),
        status: body.status.unwrap_or_default(),
        message: body.message.unwrap_or_default(),
        retry_after_secs,
        reason,
    }
}

/// `"37s"` → 37, `"1.2s"` → 2 (rounded up).
pub fn parse_duration_secs(s: &str) -> Option<u64> {
    let n = s.trim().strip_suffix('s')?;
    let secs: f64 = n.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| secs.ceil() as u64)
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
        assert_eq!(e.retry_after_secs, Some(37));
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
    fn durations() {
        assert_eq!(parse_duration_secs("37s"), Some(37));
        assert_eq!(parse_duration_secs("1.2s"), Some(2));
        assert_eq!(parse_duration_secs("x"), None);
        assert_eq!(parse_duration_secs("-1s"), None);
        assert_eq!(parse_duration_secs("NaNs"), None);
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
