//! `streamGenerateContent`: one answer cut into a series of whole `GenerateContentResponse`s.
//!
//! Merging rule (what a client does): concatenate adjacent text parts that have the same
//! `thought` flag; a `thoughtSignature` on any piece belongs to the merged part. Image parts are
//! never split. Applying it to [`events`] gives back the answer's `content` exactly.

use serde_json::{json, Map, Value};

/// About this many words of text per event.
const WORDS_PER_EVENT: usize = 6;
/// A text part is cut into at most this many pieces.
const MAX_PIECES: usize = 12;

/// Cuts `text` into pieces at word starts (at least two pieces when it has two characters or
/// more), so that concatenating them gives `text` back.
pub fn split_text(text: &str) -> Vec<&str> {
    let mut starts = Vec::new();
    let mut prev_ws = false;
    for (i, c) in text.char_indices() {
        if i > 0 && prev_ws && !c.is_whitespace() {
            starts.push(i);
        }
        prev_ws = c.is_whitespace();
    }
    if starts.is_empty() {
        let n = text.chars().count();
        if let Some((mid, _)) = text.char_indices().nth(n / 2).filter(|_| n >= 2) {
            starts.push(mid);
        }
    }
    let words = starts.len() + 1;
    let pieces = (words / WORDS_PER_EVENT).clamp(2, MAX_PIECES).min(words);
    let mut out = Vec::with_capacity(pieces);
    let mut from = 0;
    for k in 1..pieces {
        let Some(&at) = (k * words / pieces)
            .checked_sub(1)
            .and_then(|i| starts.get(i))
        else {
            continue;
        };
        if let Some(piece) = text.get(from..at) {
            out.push(piece);
            from = at;
        }
    }
    out.push(text.get(from..).unwrap_or(""));
    out
}

/// The parts of a streamed answer in order: text parts cut by [`split_text`] (the signature on
/// the first piece), other parts whole.
fn pieces(parts: &[Value]) -> Vec<Value> {
    let mut out = Vec::with_capacity(parts.len() * 2);
    for part in parts {
        let text = part
            .as_object()
            .filter(|p| !p.contains_key("inlineData"))
            .and_then(|p| p.get("text").and_then(Value::as_str).map(|t| (p, t)));
        let Some((obj, text)) = text else {
            out.push(part.clone());
            continue;
        };
        for (k, piece) in split_text(text).into_iter().enumerate() {
            let mut p = Map::new();
            for (key, v) in obj {
                match key.as_str() {
                    "text" => {}
                    "thoughtSignature" if k > 0 => {}
                    _ => {
                        p.insert(key.clone(), v.clone());
                    }
                }
            }
            p.insert("text".into(), json!(piece));
            out.push(Value::Object(p));
        }
    }
    out
}

/// Cuts a whole (camelCase) `generateContent` answer into stream events. Each event is a whole
/// `GenerateContentResponse` carrying the next part; every event has a `usageMetadata` (the
/// prompt's counts until the last, which has the answer's); the last event's candidate has the
/// `finishReason` and the rest of the candidate's fields (safety ratings, grounding). An answer
/// without content (blocked, filtered) is one event.
pub fn events(answer: &Value) -> Vec<Value> {
    let Some(obj) = answer.as_object() else {
        return vec![answer.clone()];
    };
    let candidate = obj
        .get("candidates")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(Value::as_object);
    let content = candidate.and_then(|c| c.get("content"));
    let parts = content
        .and_then(|c| c.get("parts"))
        .and_then(Value::as_array)
        .filter(|p| !p.is_empty());
    let (Some(candidate), Some(content), Some(parts)) = (candidate, content, parts) else {
        return vec![answer.clone()];
    };
    let role = content
        .get("role")
        .cloned()
        .unwrap_or_else(|| json!("model"));
    let usage = obj.get("usageMetadata");
    let partial_usage = usage.and_then(Value::as_object).map(|u| {
        let mut p = Map::new();
        for key in ["promptTokenCount", "promptTokensDetails"] {
            if let Some(v) = u.get(key) {
                p.insert(key.into(), v.clone());
            }
        }
        if let Some(v) = u.get("promptTokenCount") {
            p.insert("totalTokenCount".into(), v.clone());
        }
        Value::Object(p)
    });
    let pieces = pieces(parts);
    let n = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let last = i + 1 == n;
            let mut cand = Map::new();
            cand.insert("content".into(), json!({"role": role, "parts": [piece]}));
            if last {
                for (key, v) in candidate {
                    if key != "content" {
                        cand.insert(key.clone(), v.clone());
                    }
                }
            }
            cand.insert("index".into(), json!(0));
            let mut event = Map::new();
            for (key, v) in obj {
                match key.as_str() {
                    "candidates" => {
                        event.insert(key.clone(), json!([Value::Object(cand.clone())]));
                    }
                    "usageMetadata" => {
                        let u = if last { usage } else { partial_usage.as_ref() };
                        if let Some(u) = u {
                            event.insert(key.clone(), u.clone());
                        }
                    }
                    _ => {
                        event.insert(key.clone(), v.clone());
                    }
                }
            }
            Value::Object(event)
        })
        .collect()
}

/// The index of the (camelCase) event that carries the final (non-thought) image, else the
/// last event.
pub fn final_image_event(events: &[Value]) -> usize {
    let is_final_image = |e: &Value| {
        let parts = e
            .pointer("/candidates/0/content/parts")
            .and_then(Value::as_array);
        parts.is_some_and(|ps| {
            ps.iter().any(|p| {
                p.get("inlineData").is_some() && p.get("thought") != Some(&Value::Bool(true))
            })
        })
    };
    events
        .iter()
        .rposition(is_final_image)
        .unwrap_or(events.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_text_gives_the_text_back() {
        for text in [
            "",
            "a",
            "ab",
            "héllo",
            "Here is your image: a red fox",
            "<img src=x onerror=alert(1)>",
            "  leading and trailing  ",
            "**Planning**\n\nI'm working out how to depict \"a fox\". I'll block in the layout \
             first, then settle the colour palette and refine the details.",
        ] {
            let pieces = split_text(text);
            assert_eq!(pieces.concat(), text);
            if text.chars().count() >= 2 {
                assert!(pieces.len() >= 2, "{text:?} -> {pieces:?}");
            }
            assert!(pieces.len() <= MAX_PIECES);
        }
    }
}
