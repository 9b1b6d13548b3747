//! Valid inputs for each target, for the mutations to start from.

use serde_json::{json, Value};

/// Base64 of `n` characters (no padding needed when `n % 4 == 0`).
fn b64(n: usize, seed: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..n).map(|i| char::from(A[(i * 7 + seed) % 64])).collect()
}

/// Answers of `generateContent` as the API sends them (and some it may).
pub fn answer_values() -> Vec<Value> {
    vec![
        json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "Planning the scene.", "thought": true},
                {"inlineData": {"mimeType": "image/png", "data": b64(64, 1)}, "thought": true},
                {"text": "Here it is.", "thoughtSignature": b64(32, 2)},
                {"inlineData": {"mimeType": "image/jpeg", "data": b64(4400, 3)}, "thoughtSignature": "c2ln"}
            ]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 1120, "thoughtsTokenCount": 200, "totalTokenCount": 1330},
            "modelVersion": "gemini-3.1-flash-image-preview",
            "responseId": "r1"
        }),
        json!({
            "candidates": [{"content": {"parts": [
                {"inline_data": {"mime_type": "image/png", "data": b64(40, 4)}, "thought_signature": "s"}
            ]}, "finish_reason": "STOP"}],
            "usage_metadata": {"prompt_token_count": 3},
            "model_version": "m"
        }),
        json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "Weather, drawn."},
                {"inlineData": {"mimeType": "image/png", "data": b64(48, 5)}}
            ]}, "finishReason": "STOP", "groundingMetadata": {
                "webSearchQueries": ["paris weather"],
                "groundingChunks": [{"web": {"uri": "https://example.org/", "title": "W"}}],
                "searchEntryPoint": {"renderedContent": "<div>x</div>"}
            }}]
        }),
        json!({"candidates": [{"content": {"parts": [{"text": "No."}]}, "finishReason": "IMAGE_SAFETY", "finishMessage": "filtered"}]}),
        json!({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT", "blockReasonMessage": "m"}}),
        json!({"error": {"code": 429, "message": "Quota exceeded for metric: x, limit: 0, model: y", "status": "RESOURCE_EXHAUSTED", "details": [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "m", "quotaId": "q", "quotaDimensions": {"model": "y"}, "quotaValue": "0"}]},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37.5s"},
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
        ]}}),
        json!([{"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}]),
    ]
}

/// The answers as bytes, then some as JSON arrays of their events.
pub fn answers() -> Vec<Vec<u8>> {
    let values = answer_values();
    let arrays = values
        .iter()
        .take(3)
        .map(|v| serde_json::to_vec(&events(v)).unwrap_or_default());
    values
        .iter()
        .map(|v| serde_json::to_vec(v).unwrap_or_default())
        .chain([b"<html><body>502 Bad Gateway</body></html>".to_vec()])
        .chain(arrays)
        .collect()
}

/// An answer as a stream's events: one part per event (texts in two
/// pieces), the candidate's other fields and the usage on the last.
fn events(answer: &Value) -> Vec<Value> {
    let Some(top) = answer.as_object() else {
        return vec![answer.clone()];
    };
    let Some(candidate) = top
        .get("candidates")
        .and_then(|c| c.get(0))
        .and_then(Value::as_object)
    else {
        return vec![answer.clone()];
    };
    let parts = candidate
        .get("content")
        .and_then(|c| c.get("parts"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut pieces = Vec::new();
    for part in parts {
        match part.get("text").and_then(Value::as_str) {
            Some(text) if text.len() > 2 => {
                let (a, b) = text.split_at(text.len() / 2);
                let mut first = part.clone();
                first["text"] = json!(a);
                let mut second = json!({"text": b});
                if let Some(t) = part.get("thought") {
                    second["thought"] = t.clone();
                }
                pieces.push(first);
                pieces.push(second);
            }
            _ => pieces.push(part),
        }
    }
    let n = pieces.len().max(1);
    (0..n)
        .map(|i| {
            let mut cand = serde_json::Map::new();
            cand.insert(
                "content".into(),
                json!({"role": "model", "parts": pieces.get(i).into_iter().collect::<Vec<_>>()}),
            );
            let mut ev = serde_json::Map::new();
            for (k, v) in top {
                let last_only = k.starts_with("usage");
                if k != "candidates" && (!last_only || i + 1 == n) {
                    ev.insert(k.clone(), v.clone());
                }
            }
            if i + 1 == n {
                for (k, v) in candidate {
                    if k != "content" {
                        cand.insert(k.clone(), v.clone());
                    }
                }
            }
            ev.insert("candidates".into(), json!([Value::Object(cand)]));
            Value::Object(ev)
        })
        .collect()
}

/// Streams: each answer split into events, framed with `\r\n`, `\n` or `\r`,
/// with comments and other fields; an error event; a cut stream.
pub fn streams() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, answer) in answer_values().iter().enumerate() {
        let eol = ["\r\n", "\n", "\r"][i % 3];
        let mut s = String::new();
        if i % 2 == 1 {
            s.push_str(&format!(": keepalive{eol}retry: 100{eol}{eol}"));
        }
        for (j, e) in events(answer).iter().enumerate() {
            let line = serde_json::to_string(e).unwrap_or_default();
            if j == 1 {
                let (a, b) = line.split_at(1);
                s.push_str(&format!(
                    "event: message{eol}data: {a}{eol}data:{b}{eol}{eol}"
                ));
            } else {
                s.push_str(&format!("data: {line}{eol}{eol}"));
            }
        }
        out.push(s.into_bytes());
    }
    if let Some(first) = out.first().cloned() {
        let mut errored = first.clone();
        let half = errored.len() / 2;
        if let Some(at) = errored
            .get(..half)
            .and_then(|h| h.windows(4).rposition(|w| w == b"\r\n\r\n").map(|p| p + 4))
        {
            errored.truncate(at);
        }
        errored.extend_from_slice(
            b"data: {\"error\":{\"code\":500,\"message\":\"An internal error has occurred.\",\"status\":\"INTERNAL\"}}\r\n\r\n",
        );
        out.push(errored);
        let cut = first
            .get(..first.len().saturating_sub(30))
            .unwrap_or_default();
        out.push(cut.to_vec());
    }
    out
}

/// `config.json` files: the example, every field, and each kind of mistake.
pub fn configs() -> Vec<Vec<u8>> {
    [
        r#"{
  "apiBase": "",
  "proxyHoldsKey": true,
  "defaultModel": "gemini-3.1-flash-image-preview",
  "models": ["gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview"],
  "banner": "Team studio: requests go through our proxy."
}"#,
        r#"{"apiBase": "https://api.example.org/gemini", "keyHeader": "authorization", "proxyHoldsKey": false, "defaultModel": "my-model", "models": ["my-model", "gemini-2.5-flash-image"], "allowCustomModel": true, "banner": "  Hello  "}"#,
        r#"{"apiBase": "/gemini", "keyHeader": "x-goog-api-key"}"#,
        r#"{"apiBase": "http://localhost:8081"}"#,
        r#"{"apiBase": "http://evil.example", "keyHeader": 3, "models": [], "extra": 1}"#,
        r#"{"models": ["a", "a", "b c"], "defaultModel": "z"}"#,
        "{}",
        "[]",
        "",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// The SHA-256 of a PNG signature followed by `one`, as the export files key it.
const HASH_ONE: &str = "a3bea3f99d910d4fda4433c0a3794b718278c6485e1e2dddac8f346357ba0d27";

/// A valid export file (one conversation, one turn with a done and a failed
/// variant, one image), and damaged ones.
pub fn exports() -> Vec<Vec<u8>> {
    let valid = json!({
        "format": "gemini-studio-export",
        "version": 1,
        "exportedMs": 1.0,
        "conversations": [{
            "conversation": {
                "id": "c1", "label": "Conversation 1", "title": "prompt 0",
                "createdMs": 1000.0, "updatedMs": 1000.0,
                "model": "gemini-3.1-flash-image-preview", "turnCount": 1,
                "thumb": HASH_ONE, "images": [HASH_ONE], "v": 2
            },
            "turns": [{
                "id": "c1:0", "conversationId": "c1", "index": 0, "createdMs": 1000.0,
                "prompt": "prompt 0",
                "settings": {"model": "gemini-3.1-flash-image-preview", "imageOnly": false, "aspectRatio": "16:9", "imageSize": "2K", "thinkingLevel": "high", "includeThoughts": true, "googleSearch": false},
                "user": {"role": "user", "parts": [{"text": "prompt 0"}, {"inlineData": {"mimeType": "image/png", "data": format!("sha256:{HASH_ONE}")}}]},
                "variants": [
                    {"kind": "done", "model": {"role": "model", "parts": [
                        {"text": "thinking", "thought": true},
                        {"inlineData": {"mimeType": "image/png", "data": format!("sha256:{HASH_ONE}")}, "thoughtSignature": "sig-1"}
                    ]}, "usage": {"totalTokenCount": 5}, "finishReason": "STOP", "modelVersion": "m", "grounding": null, "elapsedMs": 10.0, "downloadName": "x.png"},
                    {"kind": "failed", "title": "Rate limited", "detail": null, "action": "Wait."}
                ],
                "chosen": 0
            }]
        }],
        "images": {HASH_ONE: {"mime": "image/png", "data": "iVBORw0KGgpvbmU="}}
    });
    let mut out = vec![serde_json::to_vec(&valid).unwrap_or_default()];
    let mut wrong_hash = valid.clone();
    wrong_hash["images"][HASH_ONE]["data"] = json!("dHdv");
    let mut newer = valid.clone();
    newer["version"] = json!(9);
    let mut two = valid.clone();
    if let Some(list) = two["conversations"].as_array_mut() {
        let copy = list.first().cloned();
        list.extend(copy);
    }
    for v in [wrong_hash, newer, two] {
        out.push(serde_json::to_vec(&v).unwrap_or_default());
    }
    out.push(br#"{"format":"other","version":1}"#.to_vec());
    out
}

/// `Retry-After` values and protobuf durations.
pub fn retry_afters() -> Vec<Vec<u8>> {
    [
        "120",
        "0",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Wed, 02 Dec 2026 07:21:10 GMT",
        "37s",
        "1.5s",
        "0.250s",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// `key`, a NUL, then a text that echoes it.
pub fn scrubs() -> Vec<Vec<u8>> {
    let key = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY";
    [
        format!("{key}\0error: key {key} is invalid"),
        format!("{key}\0https://x/?key=AIzaSyD%2D9tSrke72PouQ and \\u0041IzaSyD-9t"),
        "p\u{e4}ss w\u{f6}rd+%\\\"\u{1F511}\0{\"key\":\"p\\u00e4ss w\\u00f6rd+%\\\\\\\"\\ud83d\\udd11\"} p%C3%A4ss+w%C3%B6rd%2B%25".to_owned(),
        "abababababab\0ababababababababababab".to_owned(),
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// Archive manifests (the ZIP export's `manifest.json`): a valid one, made
/// from the valid export, and damaged ones.
pub fn manifests() -> Vec<Vec<u8>> {
    let Some(export) = exports().into_iter().next() else {
        return Vec::new();
    };
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&export) else {
        return Vec::new();
    };
    v["version"] = json!(2);
    v["images"] = json!([{
        "hash": HASH_ONE,
        "path": format!("images/{HASH_ONE}.png"),
        "mime": "image/png",
        "size": 11
    }]);
    let mut out = vec![serde_json::to_vec(&v).unwrap_or_default()];
    let mut svg = v.clone();
    svg["images"][0]["mime"] = json!("image/svg+xml");
    let mut elsewhere = v.clone();
    elsewhere["images"][0]["path"] = json!("../../x.png");
    let mut missing = v.clone();
    missing["images"] = json!([]);
    for m in [svg, elsewhere, missing] {
        out.push(serde_json::to_vec(&m).unwrap_or_default());
    }
    out
}

/// ZIP archives: one made by the studio's writer (a manifest and an image),
/// its ZIP64 form, and an empty one.
pub fn zips() -> Vec<Vec<u8>> {
    use formats::zip::{Data, Modified, ZipWriter};
    let mut out = Vec::new();
    for zip64 in [false, true] {
        let mut w = ZipWriter::new();
        if zip64 {
            w = w.force_zip64();
        }
        let mut bytes = Vec::new();
        let manifest = manifests().into_iter().next().unwrap_or_default();
        if let Ok(m) = w.deflated_entry("manifest.json", &manifest, Modified::utc(0.0)) {
            bytes.extend(m);
        }
        let image = b"\x89PNG\r\n\x1a\none";
        if let Ok(h) = w.entry_header(
            &format!("images/{HASH_ONE}.png"),
            Data::Bytes(image),
            Modified::utc(0.0),
        ) {
            bytes.extend(h);
            bytes.extend(image);
        }
        bytes.extend(w.finish());
        out.push(bytes);
    }
    out.push(ZipWriter::new().finish());
    out
}
