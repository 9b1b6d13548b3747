//! Parsing an answer without walking its images twice.
//!
//! A 4K answer is 15–25 MB of JSON of which all but a few KB is base64 in
//! `inlineData.data` strings. [`parse_response`] first finds those strings with
//! `memchr` (SIMD where the target has it), lifts each out as its own `String`
//! and leaves a short placeholder, so `serde_json` only parses the few KB around
//! them; the strings are then put back in their parts. Anything unexpected (an
//! escape inside a long value, a placeholder that does not land in a part, a
//! malformed body) falls back to parsing the body as it is, so errors and
//! results are exactly those of `serde_json::from_slice`.

use std::sync::Arc;

use crate::wire::GenerateContentResponse;

/// Strings shorter than this stay in place: lifting them gains nothing.
const MIN_LIFT: usize = 4096;

/// Parses a `generateContent` answer, as `serde_json::from_slice` would.
pub fn parse_response(body: &[u8]) -> serde_json::Result<GenerateContentResponse> {
    match lift(body) {
        Some(lifted) if !lifted.strings.is_empty() => {
            serde_json::from_slice::<GenerateContentResponse>(&lifted.skeleton)
                .ok()
                .and_then(|mut response| restore(&mut response, lifted.strings).then_some(response))
                .map_or_else(|| serde_json::from_slice(body), Ok)
        }
        _ => serde_json::from_slice(body),
    }
}

/// The body with its long `"data"` strings replaced by `"#N"`, and those strings.
struct Lifted {
    skeleton: Vec<u8>,
    strings: Vec<Option<String>>,
}

/// Walks the string tokens of `body` (everything between them is punctuation,
/// numbers and literals, which never contain `"`). `None` if a string does not end.
fn lift(body: &[u8]) -> Option<Lifted> {
    let mut skeleton = Vec::new();
    let mut strings = Vec::new();
    let mut copied = 0; // body[..copied] is in the skeleton
    let mut at = 0; // where to look for the next string
    let mut key_data_end = None; // just after a `"data"` key's closing quote
    while let Some(open) = memchr::memchr(b'"', &body[at..]).map(|i| at + i) {
        let (close, escaped) = string_end(body, open + 1)?;
        let content = &body[open + 1..close];
        let after_data_key = key_data_end.is_some_and(|end| is_colon_between(&body[end..open]));
        if after_data_key && !escaped && content.len() >= MIN_LIFT && !has_control(content) {
            if let Ok(text) = simdutf8::basic::from_utf8(content) {
                skeleton.extend_from_slice(&body[copied..open]);
                skeleton.extend_from_slice(format!("\"#{}\"", strings.len()).as_bytes());
                strings.push(Some(text.to_owned()));
                copied = close + 1;
            }
        }
        key_data_end = (content == b"data").then_some(close + 1);
        at = close + 1;
    }
    skeleton.extend_from_slice(&body[copied..]);
    Some(Lifted { skeleton, strings })
}

/// The closing quote of the string whose content starts at `from`, and whether
/// it has escapes.
fn string_end(body: &[u8], mut from: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    loop {
        let i = from + memchr::memchr2(b'"', b'\\', body.get(from..)?)?;
        if body[i] == b'"' {
            return Some((i, escaped));
        }
        escaped = true;
        from = i + 2;
    }
}

/// Whether `bytes` holds a control character, which JSON forbids raw in a
/// string (serde refuses the body; a lifted string must not hide that).
/// Folded 64 bytes at a time so that it compiles to SIMD compares.
fn has_control(bytes: &[u8]) -> bool {
    bytes
        .chunks(64)
        .any(|c| c.iter().fold(false, |found, b| found | (*b < 0x20)))
}

/// `between` is `:` with optional JSON whitespace around it.
fn is_colon_between(between: &[u8]) -> bool {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut rest = between.iter().skip_while(|b| ws(b));
    rest.next() == Some(&b':') && rest.all(ws)
}

/// Puts each lifted string back into the part that holds its placeholder.
/// False unless every string lands exactly once (the caller then parses the
/// body as it is).
fn restore(response: &mut GenerateContentResponse, mut strings: Vec<Option<String>>) -> bool {
    let parts = response
        .candidates
        .iter_mut()
        .filter_map(|c| c.content.as_mut())
        .flat_map(|c| c.parts.iter_mut());
    for data in parts.filter_map(|p| p.inline_data.as_mut()) {
        let Some(n) = data.data.strip_prefix('#') else {
            continue;
        };
        let Some(text) = n
            .parse::<usize>()
            .ok()
            .and_then(|n| strings.get_mut(n)?.take())
        else {
            return false;
        };
        data.data = Arc::new(text);
    }
    strings.iter().all(Option::is_none)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(n: usize, seed: u8) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..n)
            .map(|i| A[(i * 7 + seed as usize) % 64] as char)
            .collect()
    }

    /// Parses `body` both ways; they must agree exactly (value or error text).
    fn same(body: &[u8]) -> Option<GenerateContentResponse> {
        let plain = serde_json::from_slice::<GenerateContentResponse>(body);
        let fast = parse_response(body);
        match (&plain, &fast) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("disagree: {plain:?} vs {fast:?}"),
        }
        fast.ok()
    }

    fn answer(parts: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "candidates": [{ "content": { "role": "model", "parts": parts }, "finishReason": "STOP" }],
            "modelVersion": "gemini-3-pro-image-preview"
        }))
        .unwrap()
    }

    #[test]
    fn lifts_long_images_and_puts_them_back_in_order() {
        let (draft, image) = (b64(5000, 1), b64(70_000, 2));
        let body = answer(json!([
            { "text": "thinking \"data\": here", "thought": true },
            { "inlineData": { "mimeType": "image/png", "data": draft }, "thought": true },
            { "text": "Here it is.", "thoughtSignature": b64(96, 3) },
            { "inlineData": { "mimeType": "image/png", "data": image }, "thoughtSignature": "c2ln" }
        ]));
        let lifted = lift(&body).unwrap();
        assert_eq!(lifted.strings.len(), 2);
        assert!(lifted.skeleton.len() < 1000, "{}", lifted.skeleton.len());
        let r = same(&body).unwrap();
        let parts = &r.candidates[0].content.as_ref().unwrap().parts;
        assert_eq!(*parts[1].inline_data.as_ref().unwrap().data, draft);
        assert_eq!(*parts[3].inline_data.as_ref().unwrap().data, image);
    }

    #[test]
    fn snake_case_whitespace_and_short_data_parse_alike() {
        let image = b64(8192, 4);
        let body = format!(
            "{{ \"candidates\" : [ {{ \"content\" : {{ \"parts\" : [ {{ \"inline_data\" :\n\t{{ \"mime_type\" : \"image/jpeg\" , \"data\"  :\r\n \"{image}\" }} }}, {{ \"inlineData\": {{ \"mimeType\": \"image/png\", \"data\": \"AAAA\" }} }} ] }} }} ] }}"
        );
        assert_eq!(lift(body.as_bytes()).unwrap().strings.len(), 1);
        let r = same(body.as_bytes()).unwrap();
        let parts = &r.candidates[0].content.as_ref().unwrap().parts;
        assert_eq!(*parts[0].inline_data.as_ref().unwrap().data, image);
        assert_eq!(*parts[1].inline_data.as_ref().unwrap().data, "AAAA");
    }

    #[test]
    fn escaped_or_misplaced_long_strings_fall_back_to_a_plain_parse() {
        // An escape inside a long value: not lifted, still parsed.
        let escaped = format!("{}\\/{}", b64(3000, 5), b64(3000, 6));
        same(&answer(
            json!([{ "inlineData": { "mimeType": "image/png", "data": "x" } }]),
        ));
        let body = String::from_utf8(answer(
            json!([{ "inlineData": { "mimeType": "image/png", "data": "PLACE" } }]),
        ))
        .unwrap()
        .replace("PLACE", &escaped);
        assert!(lift(body.as_bytes()).unwrap().strings.is_empty());
        same(body.as_bytes()).unwrap();
        // A long "data" that is not an image's: lifted, lands nowhere, so the
        // body is parsed as it is (the unknown field is ignored either way).
        let body = serde_json::to_vec(&json!({
            "candidates": [],
            "usageMetadata": { "data": b64(9000, 7) },
            "modelVersion": "m"
        }))
        .unwrap();
        assert_eq!(lift(&body).unwrap().strings.len(), 1);
        same(&body).unwrap();
        // A key that merely ends in "data", or "data" as a value, is not a key "data".
        let body = answer(json!([
            { "text": "data" },
            { "text": b64(9000, 8) },
            { "inlineData": { "mimeType": "image/png", "metadata": "x", "data": "AAAA" } }
        ]));
        assert!(lift(&body).unwrap().strings.is_empty());
        same(&body).unwrap();
        // A literal placeholder in a short value is never confused with a lifted one.
        let body = answer(json!([
            { "inlineData": { "mimeType": "image/png", "data": "#0" } },
            { "inlineData": { "mimeType": "image/png", "data": b64(9000, 9) } }
        ]));
        same(&body).unwrap();
    }

    #[test]
    fn truncated_and_malformed_bodies_fail_as_serde_would() {
        let body =
            answer(json!([{ "inlineData": { "mimeType": "image/png", "data": b64(9000, 1) } }]));
        for cut in [1, 10, 60, 5000, body.len() - 40, body.len() - 1] {
            same(&body[..cut]);
        }
        let mut broken = body.clone();
        let n = broken.len();
        broken[n - 2] = b',';
        same(&broken);
        same(b"");
        same(b"\"");
        same(b"{\"candidates\": [\"\\");
        same("{\"data\":\"é\"}".as_bytes());
    }

    #[test]
    fn control_characters_in_a_long_value_fail_as_serde_would() {
        // Found by fuzzing: a raw control character inside a lifted string
        // was accepted where serde refuses the body.
        let body = answer(json!([{ "inlineData": { "mimeType": "image/png", "data": "PLACE" } }]));
        let at = body.windows(5).position(|w| w == b"PLACE").unwrap();
        for control in [0x00, b'\t', b'\n', 0x1f] {
            let mut value = b64(9000, 3).into_bytes();
            value[7000] = control;
            let body = [&body[..at], &value, &body[at + 5..]].concat();
            assert!(lift(&body).unwrap().strings.is_empty());
            assert!(same(&body).is_none(), "serde refuses it, and so does lift");
        }
    }

    #[test]
    fn non_utf8_long_value_is_left_to_serde() {
        let body = answer(json!([{ "inlineData": { "mimeType": "image/png", "data": "PLACE" } }]));
        let at = body.windows(5).position(|w| w == b"PLACE").unwrap();
        let mut value = b64(9000, 2).into_bytes();
        value[4500] = 0xff;
        let body = [&body[..at], &value, &body[at + 5..]].concat();
        assert!(lift(&body).unwrap().strings.is_empty());
        same(&body);
    }
}
