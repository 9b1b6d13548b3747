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

/// The error a `[[status:...]]` marker asks for.
pub fn injected(code_spec: &str, model: &str) -> ApiError {
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
            "You exceeded your current quota, please check your plan and billing details. For \
             more information on this error, head to: \
             https://ai.google.dev/gemini-api/docs/rate-limits.",
        )
        .with_details(json!([
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                    "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": "10"
                }]
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
                "retryDelay": "37s"
            }
        ])),
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
                Some(code) => ApiError::new(code, status_name(code), format!("Injected error {code}.")),
                None => ApiError::new(500, "INTERNAL", "An internal error has occurred."),
            }
        }
    }
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
