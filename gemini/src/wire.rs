//! Serde types for `POST /v1beta/models/{model}:generateContent`.
//!
//! Requests serialize in camelCase as the reference's REST samples send them
//! (`inlineData`, `mimeType`, `generationConfig`), with the tool spelled
//! `google_search` as in those samples. Responses accept camelCase and snake_case.
//! Unknown fields are ignored and unknown enum strings are kept, so a new value
//! from the API never breaks parsing.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentRequest {
    pub contents: Vec<Content>,
    #[serde(
        default,
        alias = "generation_config",
        skip_serializing_if = "Option::is_none"
    )]
    pub generation_config: Option<GenerationConfig>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Model,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Content {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub parts: Vec<Part>,
}

/// One part of a turn: text, an image, or a thought. Model parts are kept exactly
/// as received (including `thought` and `thoughtSignature`) so they can be sent
/// back verbatim in the next turn.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(
        default,
        alias = "inline_data",
        skip_serializing_if = "Option::is_none"
    )]
    pub inline_data: Option<InlineData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thought: Option<bool>,
    #[serde(
        default,
        alias = "thought_signature",
        skip_serializing_if = "Option::is_none"
    )]
    pub thought_signature: Option<String>,
}

impl Part {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }

    pub fn image(mime_type: impl Into<String>, base64: String) -> Self {
        Self::image_shared(mime_type, Arc::new(base64))
    }

    /// An image part sharing `base64` (a turn's image is not copied when it is
    /// also attached, shown or sent again).
    pub fn image_shared(mime_type: impl Into<String>, base64: Arc<String>) -> Self {
        Self {
            inline_data: Some(InlineData {
                mime_type: mime_type.into(),
                data: base64,
            }),
            ..Self::default()
        }
    }

    /// True for a thought (reasoning text or a draft image), which is never the result.
    pub fn is_thought(&self) -> bool {
        self.thought == Some(true)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InlineData {
    #[serde(alias = "mime_type")]
    pub mime_type: String,
    /// Base64 without a `data:` prefix; shared, as images are large.
    pub data: Arc<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationConfig {
    #[serde(
        default,
        alias = "response_modalities",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub response_modalities: Vec<Modality>,
    #[serde(
        default,
        alias = "image_config",
        skip_serializing_if = "Option::is_none"
    )]
    pub image_config: Option<ImageConfig>,
    #[serde(
        default,
        alias = "thinking_config",
        skip_serializing_if = "Option::is_none"
    )]
    pub thinking_config: Option<ThinkingConfig>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Modality {
    Text,
    Image,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageConfig {
    #[serde(
        default,
        alias = "aspect_ratio",
        skip_serializing_if = "Option::is_none"
    )]
    pub aspect_ratio: Option<String>,
    #[serde(default, alias = "image_size", skip_serializing_if = "Option::is_none")]
    pub image_size: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThinkingConfig {
    #[serde(
        default,
        alias = "thinking_level",
        skip_serializing_if = "Option::is_none"
    )]
    pub thinking_level: Option<String>,
    #[serde(
        default,
        alias = "include_thoughts",
        skip_serializing_if = "Option::is_none"
    )]
    pub include_thoughts: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    #[serde(
        default,
        alias = "googleSearch",
        skip_serializing_if = "Option::is_none"
    )]
    pub google_search: Option<GoogleSearch>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GoogleSearch {}

// ---------------------------------------------------------------- responses

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub candidates: Vec<Candidate>,
    #[serde(default, alias = "prompt_feedback")]
    pub prompt_feedback: Option<PromptFeedback>,
    #[serde(default, alias = "usage_metadata")]
    pub usage_metadata: Option<UsageMetadata>,
    #[serde(default, alias = "model_version")]
    pub model_version: Option<String>,
    #[serde(default, alias = "response_id")]
    pub response_id: Option<String>,
    /// An error in place of an answer: a streamed error event
    /// (`data: {"error": {…}}`), kept raw so that any shape is read.
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    #[serde(default)]
    pub content: Option<Content>,
    #[serde(default, alias = "finish_reason")]
    pub finish_reason: Option<String>,
    #[serde(default, alias = "finish_message")]
    pub finish_message: Option<String>,
    #[serde(default, alias = "grounding_metadata")]
    pub grounding_metadata: Option<GroundingMetadata>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptFeedback {
    #[serde(default, alias = "block_reason")]
    pub block_reason: Option<String>,
    #[serde(default, alias = "block_reason_message")]
    pub block_reason_message: Option<String>,
}

/// Token counts; any may be missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMetadata {
    #[serde(default, alias = "prompt_token_count")]
    pub prompt_token_count: Option<u64>,
    #[serde(default, alias = "candidates_token_count")]
    pub candidates_token_count: Option<u64>,
    #[serde(default, alias = "thoughts_token_count")]
    pub thoughts_token_count: Option<u64>,
    #[serde(default, alias = "total_token_count")]
    pub total_token_count: Option<u64>,
    /// The prompt's tokens by modality (`promptTokensDetails`).
    #[serde(
        default,
        alias = "prompt_tokens_details",
        skip_serializing_if = "ModalityTokens::is_empty"
    )]
    pub prompt_tokens_details: ModalityTokens,
    /// The answer's tokens by modality (`candidatesTokensDetails`): text and image
    /// output are priced apart.
    #[serde(
        default,
        alias = "candidates_tokens_details",
        skip_serializing_if = "ModalityTokens::is_empty"
    )]
    pub candidates_tokens_details: ModalityTokens,
}

/// Token counts by modality, from the API's list of `{modality, tokenCount}`.
/// Anything unexpected in that list (an unknown shape, a missing count) is read as
/// nothing rather than failing the answer; a modality other than text or image
/// (audio, video, document) is counted in `other`; a modality given twice is added up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModalityTokens {
    pub text: Option<u64>,
    pub image: Option<u64>,
    pub other: Option<u64>,
}

impl ModalityTokens {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl<'de> Deserialize<'de> for ModalityTokens {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let mut out = Self::default();
        for entry in value.as_array().into_iter().flatten() {
            let modality = entry.get("modality").and_then(|m| m.as_str());
            let count = entry
                .get("tokenCount")
                .or_else(|| entry.get("token_count"))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            let slot = match modality.map(str::to_ascii_uppercase).as_deref() {
                Some("TEXT") => &mut out.text,
                Some("IMAGE") => &mut out.image,
                _ => &mut out.other,
            };
            *slot = Some(slot.unwrap_or(0).saturating_add(count));
        }
        Ok(out)
    }
}

impl Serialize for ModalityTokens {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let entries = [
            ("TEXT", self.text),
            ("IMAGE", self.image),
            ("MODALITY_UNSPECIFIED", self.other),
        ];
        let mut seq = s.serialize_seq(None)?;
        for (modality, count) in entries {
            if let Some(count) = count {
                seq.serialize_element(&serde_json::json!({
                    "modality": modality,
                    "tokenCount": count,
                }))?;
            }
        }
        seq.end()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroundingMetadata {
    #[serde(
        default,
        alias = "web_search_queries",
        deserialize_with = "null_as_default"
    )]
    pub web_search_queries: Vec<String>,
    #[serde(
        default,
        alias = "grounding_chunks",
        deserialize_with = "null_as_default"
    )]
    pub grounding_chunks: Vec<GroundingChunk>,
    #[serde(default, alias = "search_entry_point")]
    pub search_entry_point: Option<SearchEntryPoint>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroundingChunk {
    #[serde(default)]
    pub web: Option<WebSource>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WebSource {
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchEntryPoint {
    #[serde(default, alias = "rendered_content")]
    pub rendered_content: Option<String>,
}

/// Google's error body: `{"error": {"code", "message", "status", "details"}}`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: Option<u16>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub details: Vec<serde_json::Value>,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
