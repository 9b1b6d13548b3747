//! From the bytes of an answer to a [`Generation`] or a [`Failure`].
//!
//! The final image is the **last** image part whose `thought` is not true; thought
//! parts (reasoning text, draft images) are kept apart and never become the result.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine};

use crate::error::{from_error_response, from_error_value, Failure};
use crate::mime::ImageMime;
use crate::wire::{Content, GenerateContentResponse, GroundingMetadata, Part, Role, UsageMetadata};

/// A successful answer: the model turn as received, and the final image decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// The model's turn exactly as received, to be sent back in the next request.
    pub content: Content,
    /// Index into `content.parts` of the final image.
    pub final_index: usize,
    /// The final image's bytes, exactly as the API returned them.
    pub image: Vec<u8>,
    /// The final image's MIME type as returned.
    pub mime_type: String,
    pub finish_reason: Option<String>,
    pub usage: Option<UsageMetadata>,
    pub model_version: Option<String>,
    pub grounding: Option<GroundingMetadata>,
}

impl Generation {
    /// The file extension for the final image, from its returned MIME type.
    pub fn extension(&self) -> &'static str {
        ImageMime::parse(&self.mime_type).map_or("png", ImageMime::extension)
    }

    /// The model's own (non-thought) text, parts joined by blank lines.
    pub fn text(&self) -> String {
        visible_text(&self.content.parts)
    }

    /// Thought parts (reasoning text and draft images), in order.
    pub fn thoughts(&self) -> impl Iterator<Item = &Part> {
        self.content.parts.iter().filter(|p| p.is_thought())
    }
}

/// The model's own (non-thought) text of `parts`, joined by blank lines.
pub fn visible_text(parts: &[Part]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_thought())
        .filter_map(|p| p.text.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The index of the final image: the last image part that is not a thought.
pub fn final_image_index(parts: &[Part]) -> Option<usize> {
    parts
        .iter()
        .rposition(|p| p.inline_data.is_some() && !p.is_thought())
}

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes base64 image data as the API sends it (standard alphabet; padding and
/// the URL-safe alphabet tolerated).
pub fn decode_base64(data: &str) -> Result<Vec<u8>, String> {
    LENIENT
        .decode(data)
        .or_else(|_| LENIENT_URL_SAFE.decode(data))
        .map_err(|e| format!("invalid base64: {e}"))
}

/// Reads an answer: `status` is the HTTP status, `body` its bytes.
pub fn interpret(status: u16, body: &[u8]) -> Result<Generation, Failure> {
    interpret_with(status, body.to_vec(), decode_base64)
}

/// As [`interpret`], with the base64 decoder supplied (the browser passes its
/// SIMD one). Takes the body so that it is freed once parsed, before the image
/// is decoded: a 4K answer then needs 2 copies of its size at once, not 3.
pub fn interpret_with(
    status: u16,
    body: Vec<u8>,
    decode: impl FnOnce(&str) -> Result<Vec<u8>, String>,
) -> Result<Generation, Failure> {
    if !(200..300).contains(&status) {
        return Err(from_error_response(status, &body));
    }
    let parsed = parse_answer(&body);
    drop(body);
    from_response(parsed?, decode)
}

/// Parses one answer, or one event of a streamed answer, with [`crate::lift`]:
/// a body that ends early is [`Failure::Truncated`], anything else that is not
/// a `GenerateContentResponse` is [`Failure::Malformed`].
pub fn parse_answer(body: &[u8]) -> Result<GenerateContentResponse, Failure> {
    crate::lift::parse_response(body).map_err(|e| {
        if e.is_eof() {
            Failure::Truncated
        } else {
            Failure::Malformed(e.to_string())
        }
    })
}

/// From a parsed answer (a whole one, or the events of a stream merged by
/// [`crate::stream::Assembler`]) to the result: the final image decoded with
/// `decode`, or why there is none.
pub fn from_response(
    response: GenerateContentResponse,
    decode: impl FnOnce(&str) -> Result<Vec<u8>, String>,
) -> Result<Generation, Failure> {
    if let Some(error) = &response.error {
        return Err(from_error_value(error));
    }
    let Some(candidate) = response.candidates.into_iter().next() else {
        return Err(match response.prompt_feedback {
            Some(fb) if fb.block_reason.is_some() => Failure::Blocked {
                reason: fb.block_reason.unwrap_or_default(),
                message: fb.block_reason_message,
            },
            _ => Failure::NoImage {
                finish_reason: None,
                finish_message: Some("The answer held no candidates.".into()),
                text: None,
            },
        });
    };
    let mut content = candidate.content.unwrap_or_default();
    content.role = Some(Role::Model);
    let Some(final_index) = final_image_index(&content.parts) else {
        let text = visible_text(&content.parts);
        return Err(Failure::NoImage {
            finish_reason: candidate.finish_reason,
            finish_message: candidate.finish_message,
            text: (!text.is_empty()).then_some(text),
        });
    };
    let (image, mime_type) = match content
        .parts
        .get(final_index)
        .and_then(|p| p.inline_data.as_ref())
    {
        Some(d) => (
            decode(&d.data).map_err(Failure::BadImage)?,
            d.mime_type.clone(),
        ),
        None => return Err(Failure::BadImage("missing image data".into())),
    };
    if image.is_empty() {
        return Err(Failure::BadImage("the image is empty".into()));
    }
    Ok(Generation {
        content,
        final_index,
        image,
        mime_type,
        finish_reason: candidate.finish_reason,
        usage: response.usage_metadata,
        model_version: response.model_version,
        grounding: candidate.grounding_metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn ok(v: serde_json::Value) -> Result<Generation, Failure> {
        interpret(200, &serde_json::to_vec(&v).unwrap())
    }

    #[test]
    fn final_image_is_the_last_non_thought_image() {
        let v = json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "planning", "thought": true},
                {"inlineData": {"mimeType": "image/png", "data": b64(b"draft1")}, "thought": true},
                {"inlineData": {"mimeType": "image/png", "data": b64(b"early")}},
                {"inlineData": {"mimeType": "image/png", "data": b64(b"draft2")}, "thought": true},
                {"text": "Here it is", "thoughtSignature": "c2ln"},
                {"inlineData": {"mimeType": "image/jpeg", "data": b64(b"final")}, "thoughtSignature": "c2lnMg=="},
                {"inlineData": {"mimeType": "image/png", "data": b64(b"draft3")}, "thought": true}
            ]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 1120, "thoughtsTokenCount": 200, "totalTokenCount": 1330},
            "modelVersion": "gemini-3.1-flash-image-preview"
        });
        let g = ok(v).unwrap();
        assert_eq!(g.image, b"final");
        assert_eq!(g.final_index, 5);
        assert_eq!(g.mime_type, "image/jpeg");
        assert_eq!(g.extension(), "jpg");
        assert_eq!(g.text(), "Here it is");
        assert_eq!(g.thoughts().count(), 4);
        assert_eq!(g.usage.unwrap().thoughts_token_count, Some(200));
        assert_eq!(g.content.parts.len(), 7, "the model turn is kept whole");
    }

    #[test]
    fn snake_case_answers_are_read() {
        let v = json!({
            "candidates": [{"content": {"parts": [
                {"inline_data": {"mime_type": "image/png", "data": b64(b"img")}, "thought_signature": "s"}
            ]}, "finish_reason": "STOP"}],
            "usage_metadata": {"prompt_token_count": 3, "thoughts_token_count": 4},
            "model_version": "m"
        });
        let g = ok(v).unwrap();
        assert_eq!(g.image, b"img");
        assert_eq!(g.content.parts[0].thought_signature.as_deref(), Some("s"));
        assert_eq!(g.finish_reason.as_deref(), Some("STOP"));
        assert_eq!(g.usage.unwrap().prompt_token_count, Some(3));
        assert_eq!(g.model_version.as_deref(), Some("m"));
    }

    #[test]
    fn only_thought_images_is_no_image() {
        let v = json!({"candidates": [{"content": {"parts": [
            {"inlineData": {"mimeType": "image/png", "data": b64(b"draft")}, "thought": true}
        ]}, "finishReason": "IMAGE_SAFETY", "finishMessage": "filtered"}]});
        assert_eq!(
            ok(v).unwrap_err(),
            Failure::NoImage {
                finish_reason: Some("IMAGE_SAFETY".into()),
                finish_message: Some("filtered".into()),
                text: None
            }
        );
    }

    #[test]
    fn text_only_answer_keeps_the_text() {
        let v = json!({"candidates": [{"content": {"parts": [{"text": "I can only describe it."}]}, "finishReason": "STOP"}]});
        let Failure::NoImage { text, .. } = ok(v).unwrap_err() else {
            panic!()
        };
        assert_eq!(text.as_deref(), Some("I can only describe it."));
    }

    #[test]
    fn finish_without_content() {
        let v = json!({"candidates": [{"finishReason": "NO_IMAGE"}]});
        assert!(
            matches!(ok(v).unwrap_err(), Failure::NoImage { finish_reason: Some(r), .. } if r == "NO_IMAGE")
        );
    }

    #[test]
    fn blocked_prompt() {
        let v = json!({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}});
        assert_eq!(
            ok(v).unwrap_err(),
            Failure::Blocked {
                reason: "PROHIBITED_CONTENT".into(),
                message: None
            }
        );
    }

    #[test]
    fn unknown_fields_and_values_do_not_break_parsing() {
        let v = json!({
            "candidates": [{"content": {"parts": [
                {"inlineData": {"mimeType": "image/png", "data": b64(b"x")}, "somethingNew": 1}
            ]}, "finishReason": "A_REASON_FROM_THE_FUTURE", "citationMetadata": {}}],
            "newTopLevel": [1, 2]
        });
        assert_eq!(
            ok(v).unwrap().finish_reason.as_deref(),
            Some("A_REASON_FROM_THE_FUTURE")
        );
    }

    #[test]
    fn truncated_and_malformed_bodies() {
        let full =
            serde_json::to_vec(&json!({"candidates": [{"content": {"parts": [{"text": "x"}]}}]}))
                .unwrap();
        assert_eq!(
            interpret(200, &full[..full.len() / 2]).unwrap_err(),
            Failure::Truncated
        );
        assert!(matches!(
            interpret(200, b"<html>oops</html>").unwrap_err(),
            Failure::Malformed(_)
        ));
        assert!(matches!(
            interpret(200, b"").unwrap_err(),
            Failure::Truncated
        ));
    }

    #[test]
    fn an_error_in_a_success_answer_is_the_api_failure() {
        let v = json!({"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}});
        assert!(
            matches!(ok(v).unwrap_err(), Failure::Api(e) if e.code == 503 && e.message == "overloaded")
        );
        let v = json!({"error": null, "candidates": [{"content": {"parts": [
            {"inlineData": {"mimeType": "image/png", "data": b64(b"x")}}
        ]}}]});
        assert_eq!(ok(v).unwrap().image, b"x", "a null error is no error");
    }

    #[test]
    fn bad_base64_is_reported() {
        let v = json!({"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": "!!!"}}]}}]});
        assert!(matches!(ok(v).unwrap_err(), Failure::BadImage(_)));
    }

    #[test]
    fn error_statuses_go_to_error_parsing() {
        let body =
            br#"{"error":{"code":404,"message":"models/x is not found","status":"NOT_FOUND"}}"#;
        assert!(matches!(interpret(404, body).unwrap_err(), Failure::Api(e) if e.code == 404));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut seed = 0x2545F4914F6CDD1Du64;
        let sample = serde_json::to_vec(&json!({"candidates": [{"content": {"parts": [
            {"text": "t", "thought": true},
            {"inlineData": {"mimeType": "image/png", "data": b64(b"abc")}, "thoughtSignature": "s"}
        ]}}], "usageMetadata": {"totalTokenCount": 5}}))
        .unwrap();
        for round in 0..5000 {
            let mut bytes = sample.clone();
            for _ in 0..(round % 7 + 1) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed as usize) % bytes.len();
                bytes[i] = (seed >> 32) as u8;
            }
            bytes.truncate((seed as usize >> 3) % (bytes.len() + 1));
            for status in [200, 400, 429, 503] {
                let _ = interpret(status, &bytes);
            }
        }
    }
}
