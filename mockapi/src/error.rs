//! Errors in Google's JSON shape: `{"error":{"code":..,"message":..,"status":..,"details":[..]}}`.

use serde_json::{json, Value};

/// One error answer, as Google would send it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub status: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(code: u16, status: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            status,
            message: message.into(),
            details: None,
        }
    }

    /// 400 INVALID_ARGUMENT.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "INVALID_ARGUMENT", message)
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn model_not_found(model: &str) -> Self {
        Self::new(
            404,
            "NOT_FOUND",
            format!(
                "models/{model} is not found for API version v1beta, or is not supported for \
                 generateContent. Call ListModels to see the list of available models and their \
                 supported methods."
            ),
        )
    }

    pub fn to_json(&self) -> Value {
        let mut err = json!({
            "code": self.code,
            "message": self.message,
            "status": self.status,
        });
        if let (Some(details), Some(obj)) = (&self.details, err.as_object_mut()) {
            obj.insert("details".into(), details.clone());
        }
        json!({ "error": err })
    }
}

/// `retryDelay` of an injected 429 unless `[[retry-delay:…]]` says otherwise.
pub const DEFAULT_RETRY_DELAY: &str = "37s";

const QUOTA_HELP: &str = "You exceeded your current quota, please check your plan and billing \
     details. For more information on this error, head to: \
     https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: \
     https://ai.dev/usage?tab=rate-limit. ";
const FREE_TIER_REQUESTS: &str =
    "generativelanguage.googleapis.com/generate_content_free_tier_requests";
const FREE_TIER_INPUT_TOKENS: &str =
    "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count";

fn quota_violation(metric: &str, quota_id: &str, model: &str, value: &str) -> Value {
    json!({
        "quotaMetric": metric,
        "quotaId": quota_id,
        "quotaDimensions": {"location": "global", "model": model},
        "quotaValue": value
    })
}

/// Google's 429 details: which quota ran out, where to read more, how long to wait.
fn quota_details(violations: Vec<Value>, retry_delay: &str) -> Value {
    json!([
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": violations
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [{
                "description": "Learn more about Gemini API quotas",
                "url": "https://ai.google.dev/gemini-api/docs/rate-limits"
            }]
        },
        {
            "@type": "type.googleapis.com/google.rpc.RetryInfo",
            "retryDelay": retry_delay
        }
    ])
}

/// The error a `[[status:...]]` (or `[[fail-first:...]]`) marker asks for. `retry_delay` is the
/// 429's `RetryInfo.retryDelay` (a protobuf Duration such as `"37s"` or `"1.5s"`).
pub fn injected(code_spec: &str, model: &str, retry_delay: &str) -> ApiError {
    match code_spec {
        "400-precondition" => ApiError::new(
            400,
            "FAILED_PRECONDITION",
            "User location is not supported for the API use.",
        ),
        "400" => ApiError::invalid("Request contains an invalid argument."),
        "401" => ApiError::new(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login \
             cookie or other valid authentication credential. See \
             https://developers.google.com/identity/sign-in/web/devconsole-project.",
        ),
        "403" => ApiError::new(
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
        ),
        "404" => ApiError::model_not_found(model),
        "429" => ApiError::new(
            429,
            "RESOURCE_EXHAUSTED",
            format!(
                "{QUOTA_HELP}\n* Quota exceeded for metric: {FREE_TIER_REQUESTS}, limit: 10, \
                 model: {model}\nPlease retry in {retry_delay}."
            ),
        )
        .with_details(quota_details(
            vec![quota_violation(
                FREE_TIER_REQUESTS,
                "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                model,
                "10",
            )],
            retry_delay,
        )),
        // The free tier has no quota at all for this model: waiting does not help.
        "429-no-quota" => ApiError::new(
            429,
            "RESOURCE_EXHAUSTED",
            format!(
                "{QUOTA_HELP}\n* Quota exceeded for metric: {FREE_TIER_INPUT_TOKENS}, limit: 0, \
                 model: {model}\n* Quota exceeded for metric: {FREE_TIER_REQUESTS}, limit: 0, \
                 model: {model}\n* Quota exceeded for metric: {FREE_TIER_REQUESTS}, limit: 0, \
                 model: {model}\nPlease retry in {retry_delay}."
            ),
        )
        .with_details(quota_details(
            vec![
                quota_violation(
                    FREE_TIER_INPUT_TOKENS,
                    "GenerateContentInputTokensPerModelPerMinute-FreeTier",
                    model,
                    "0",
                ),
                quota_violation(
                    FREE_TIER_REQUESTS,
                    "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                    model,
                    "0",
                ),
                quota_violation(
                    FREE_TIER_REQUESTS,
                    "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                    model,
                    "0",
                ),
            ],
            retry_delay,
        )),
        "500" => ApiError::new(
            500,
            "INTERNAL",
            "An internal error has occurred. Please retry or report in \
             https://developers.generativeai.google/guide/troubleshooting",
        ),
        "503" => ApiError::new(
            503,
            "UNAVAILABLE",
            "The model is overloaded. Please try again later.",
        ),
        "504" => ApiError::new(
            504,
            "DEADLINE_EXCEEDED",
            "Deadline expired before operation could complete.",
        ),
        other => {
            let code = other.parse::<u16>().ok().filter(|c| (400..600).contains(c));
            match code {
                Some(code) => {
                    ApiError::new(code, status_name(code), format!("Injected error {code}."))
                }
                None => ApiError::new(500, "INTERNAL", "An internal error has occurred."),
            }
        }
    }
}

/// The error of an `[[stream-error]]` event in the middle of a stream.
pub fn stream_internal() -> ApiError {
    injected("500", "", DEFAULT_RETRY_DELAY)
}

/// Characters left as they are when a key is URL-encoded (RFC 3986 unreserved).
const URL_KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `[[echo-key]]`: a careless upstream that repeats the caller's key in its error message, in
/// four forms: verbatim, URL-encoded, inside an embedded JSON string, and its first 12
/// characters alone.
pub fn echo_key(key: Option<&str>, model: &str) -> ApiError {
    let key = key.unwrap_or("");
    let encoded = percent_encoding::utf8_percent_encode(key, URL_KEEP).to_string();
    let embedded = json!({ "key": key }).to_string();
    let prefix: String = key.chars().take(12).collect();
    ApiError::invalid(format!(
        "API key not valid. Please pass a valid API key. Key: {key}. Upstream request: \
         https://generativelanguage.googleapis.com/v1beta/models/{model}:generateContent?key={encoded} \
         Upstream body: {embedded} Key prefix: {prefix}"
    ))
    .with_details(json!([{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
        "metadata": {"service": "generativelanguage.googleapis.com"}
    }]))
}

fn status_name(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        500 => "INTERNAL",
        501 => "UNIMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    }
}
