//! The one HTTP call the studio makes: POST a request body, with abort.

use gemini::Failure;
use gloo_net::http::Request;
use serde::{Deserialize, Serialize};
use web_sys::AbortSignal;

/// Which header carries the API key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyHeader {
    /// `x-goog-api-key: KEY` (Google, CometAPI).
    #[default]
    GoogApiKey,
    /// `Authorization: Bearer KEY` (CometAPI, many proxies).
    Bearer,
}

impl KeyHeader {
    pub const ALL: [KeyHeader; 2] = [Self::GoogApiKey, Self::Bearer];

    pub const fn label(self) -> &'static str {
        match self {
            Self::GoogApiKey => "x-goog-api-key",
            Self::Bearer => "Authorization: Bearer",
        }
    }

    pub const fn id(self) -> &'static str {
        match self {
            Self::GoogApiKey => "goog",
            Self::Bearer => "bearer",
        }
    }

    pub fn from_id(id: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|h| h.id() == id)
            .unwrap_or_default()
    }
}

/// Sends `body` to `url`. The key, if any, goes in the chosen header and nowhere
/// else. Returns the status and the whole body as bytes.
pub async fn post_json(
    url: &str,
    key_header: KeyHeader,
    api_key: &str,
    body: Vec<u8>,
    signal: &AbortSignal,
) -> Result<(u16, Vec<u8>), Failure> {
    let mut req = Request::post(url)
        .header("content-type", "application/json")
        .abort_signal(Some(signal));
    let key = api_key.trim();
    if !key.is_empty() {
        req = match key_header {
            KeyHeader::GoogApiKey => req.header("x-goog-api-key", key),
            KeyHeader::Bearer => req.header("authorization", &format!("Bearer {key}")),
        };
    }
    let body = js_sys::Uint8Array::from(body.as_slice());
    let req = req
        .body(body)
        .map_err(|e| Failure::Network(e.to_string()))?;
    let resp = req.send().await.map_err(|e| {
        if signal.aborted() {
            Failure::Aborted
        } else {
            Failure::Network(network_hint(&e.to_string()))
        }
    })?;
    let status = resp.status();
    let bytes = resp.binary().await.map_err(|_| {
        if signal.aborted() {
            Failure::Aborted
        } else {
            Failure::Truncated
        }
    })?;
    Ok((status, bytes))
}

fn network_hint(detail: &str) -> String {
    if detail.contains("Failed to fetch") || detail.contains("NetworkError") {
        "The browser could not complete the request (offline, wrong address, or the endpoint does not allow this page's origin).".to_owned()
    } else {
        detail.to_owned()
    }
}
