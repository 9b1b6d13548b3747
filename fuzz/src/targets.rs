//! The targets: each runs one parser on an input and checks its documented
//! contract. Kept thin: a parser that moves is re-pointed here, in one line.

use gemini::response::{decode_base64, final_image_index, interpret_with};
use gemini::stream::StreamingAnswer;
use gemini::wire::GenerateContentResponse;
use gemini::{Failure, Generation};

use crate::{seeds, Target};

/// The site config parser under test.
fn config_interpret(status: u16, content_type: &str, body: &str) -> studio::config::Loaded {
    studio::config::interpret(status, content_type, body)
}

/// The history import parser under test (the JSON of earlier versions).
fn parse_export(bytes: &[u8]) -> Result<(), String> {
    studio::store::records::parse_export(bytes).map(|_| ())
}

/// The archive import's manifest parser under test.
fn parse_manifest(bytes: &[u8]) -> Result<(), String> {
    studio::store::records::parse_manifest(bytes).map(|_| ())
}

pub fn all() -> Vec<Target> {
    vec![
        Target {
            name: "response",
            check: response,
            seeds: seeds::answers,
            dictionary: ANSWER_WORDS,
        },
        Target {
            name: "lift",
            check: lift,
            seeds: seeds::answers,
            dictionary: ANSWER_WORDS,
        },
        Target {
            name: "sse",
            check: sse,
            seeds: seeds::streams,
            dictionary: STREAM_WORDS,
        },
        Target {
            name: "retry_after",
            check: retry_after,
            seeds: seeds::retry_afters,
            dictionary: DATE_WORDS,
        },
        Target {
            name: "scrub",
            check: scrub,
            seeds: seeds::scrubs,
            dictionary: &[b"%", b"%2", b"+", b"\\u00", b"\\ud83d", b"\\\\", b"\0"],
        },
        Target {
            name: "config",
            check: config,
            seeds: seeds::configs,
            dictionary: CONFIG_WORDS,
        },
        Target {
            name: "export",
            check: export,
            seeds: seeds::exports,
            dictionary: EXPORT_WORDS,
        },
        Target {
            name: "manifest",
            check: manifest,
            seeds: seeds::manifests,
            dictionary: EXPORT_WORDS,
        },
        Target {
            name: "zip",
            check: zip,
            seeds: seeds::zips,
            dictionary: &[
                b"PK\x03\x04",
                b"PK\x01\x02",
                b"PK\x05\x06",
                b"PK\x06\x06",
                b"PK\x06\x07",
                b"\xff\xff\xff\xff",
            ],
        },
    ]
}

const ANSWER_WORDS: &[&[u8]] = &[
    b"\"candidates\"",
    b"\"content\"",
    b"\"parts\"",
    b"\"text\"",
    b"\"thought\"",
    b"\"thoughtSignature\"",
    b"\"inlineData\"",
    b"\"inline_data\"",
    b"\"mimeType\"",
    b"\"data\"",
    b"\"finishReason\"",
    b"\"promptFeedback\"",
    b"\"blockReason\"",
    b"\"usageMetadata\"",
    b"\"groundingMetadata\"",
    b"\"error\"",
    b"\"details\"",
    b"\"retryDelay\"",
    b"\"quotaValue\"",
    b"\"@type\"",
    b"\"type.googleapis.com/google.rpc.RetryInfo\"",
    b"\"type.googleapis.com/google.rpc.QuotaFailure\"",
    b"\"#0\"",
    b"\"#1\"",
];

const STREAM_WORDS: &[&[u8]] = &[
    b"data: ",
    b"data:",
    b"data",
    b"\r\n\r\n",
    b"\n\n",
    b"\r\r",
    b"\r",
    b"\n",
    b": comment\n",
    b"event: x\n",
    b"\"finishReason\":\"STOP\"",
    b"\"candidates\"",
    b"\"text\"",
    b"\"thought\":true",
    b"\"thoughtSignature\":\"s\"",
    b"\"inlineData\"",
    b"{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"message\":\"m\"}}",
    b"\"promptFeedback\":{\"blockReason\":\"SAFETY\"}",
];

const DATE_WORDS: &[&[u8]] = &[
    b"GMT",
    b"Sun",
    b"Sunday",
    b"Feb",
    b"29",
    b"60",
    b"00",
    b"99",
    b"-",
    b",",
    b":",
    b" ",
    b"s",
    b".",
    b"9999999999999999999999",
];

const CONFIG_WORDS: &[&[u8]] = &[
    b"\"apiBase\"",
    b"\"keyHeader\"",
    b"\"proxyHoldsKey\"",
    b"\"defaultModel\"",
    b"\"models\"",
    b"\"allowCustomModel\"",
    b"\"banner\"",
    b"\"https://user:pw@x.example/?q#f\"",
    b"\"http://localhost\"",
    b"\"//evil.example\"",
    b"\"javascript:alert(1)\"",
    b"\"authorization\"",
    b"\"gemini-3-pro-image-preview\"",
];

const EXPORT_WORDS: &[&[u8]] = &[
    b"\"format\"",
    b"\"version\"",
    b"\"conversations\"",
    b"\"turns\"",
    b"\"images\"",
    b"\"variants\"",
    b"\"kind\"",
    b"\"done\"",
    b"\"failed\"",
    b"\"conversationId\"",
    b"\"chosen\"",
    b"\"sha256:\"",
    b"\"settings\"",
    b"\"gemini-studio-export\"",
];

/// A failure's message must say what happened and what to do.
fn message_ok(f: &Failure) -> Result<(), String> {
    let m = f.message();
    if m.title.trim().is_empty() || m.action.trim().is_empty() {
        return Err(format!("empty message for {f:?}: {m:?}"));
    }
    Ok(())
}

/// A successful generation points at its final image.
fn generation_ok(g: &Generation) -> Result<(), String> {
    let final_part = g.content.parts.get(g.final_index);
    let is_final = final_part.is_some_and(|p| p.inline_data.is_some() && !p.is_thought());
    if !is_final || final_image_index(&g.content.parts) != Some(g.final_index) {
        return Err(format!(
            "final_index {} is not the final image",
            g.final_index
        ));
    }
    if g.image.is_empty() {
        return Err("an empty image was accepted".into());
    }
    Ok(())
}

/// `interpret_with`: a 2xx is a generation or one of Malformed, Truncated,
/// NoImage, Blocked, BadImage, Api; any other status is Api or Http. The same
/// bytes as a JSON array of events (`interpret_array_with`) may also be
/// Incomplete.
fn response(input: &[u8]) -> Result<(), String> {
    match interpret_with(200, input.to_vec(), decode_base64) {
        Ok(g) => generation_ok(&g)?,
        Err(
            f @ (Failure::Malformed(_)
            | Failure::Truncated
            | Failure::NoImage { .. }
            | Failure::Blocked { .. }
            | Failure::BadImage(_)
            | Failure::Api(_)),
        ) => message_ok(&f)?,
        Err(f) => return Err(format!("200 gave an undocumented failure: {f:?}")),
    }
    match gemini::stream::interpret_array_with(200, input.to_vec(), decode_base64) {
        Ok(g) => generation_ok(&g)?,
        Err(
            f @ (Failure::Malformed(_)
            | Failure::Truncated
            | Failure::Incomplete { .. }
            | Failure::NoImage { .. }
            | Failure::Blocked { .. }
            | Failure::BadImage(_)
            | Failure::Api(_)),
        ) => message_ok(&f)?,
        Err(f) => return Err(format!("a 200 array gave an undocumented failure: {f:?}")),
    }
    let status = [400, 429, 500, 502, 503][input.len() % 5];
    match interpret_with(status, input.to_vec(), decode_base64) {
        Err(f @ Failure::Api(_)) => {
            message_ok(&f)?;
            retry_decides(&f)
        }
        Err(f @ Failure::Http { status: s, .. }) if s == status => {
            message_ok(&f)?;
            retry_decides(&f)
        }
        other => Err(format!("{status} gave {other:?}")),
    }
}

/// The retry decision on any failure is a decision, with a message.
fn retry_decides(f: &Failure) -> Result<(), String> {
    let d = gemini::retry::decide(gemini::RetryInput {
        failure: f,
        retry_after: Some("Wed, 02 Dec 2026 07:21:10 GMT"),
        now_ms: 1_796_196_060_000,
        attempt: 2,
        random: 0.7,
        policy: gemini::RetryPolicy::default(),
    });
    match d {
        gemini::Decision::Retry(r) if r.delay_ms <= 300_000 => Ok(()),
        gemini::Decision::Retry(r) => Err(format!("waits {} ms", r.delay_ms)),
        gemini::Decision::GiveUp(g) if !g.message.action.is_empty() => Ok(()),
        gemini::Decision::GiveUp(g) => Err(format!("gave up without a word: {g:?}")),
    }
}

/// `lift::parse_response` agrees with `serde_json::from_slice` exactly: the
/// same value, or the same error.
fn lift(input: &[u8]) -> Result<(), String> {
    let plain = serde_json::from_slice::<GenerateContentResponse>(input);
    let fast = gemini::lift::parse_response(input);
    match (&plain, &fast) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (Err(a), Err(b)) if a.to_string() == b.to_string() => Ok(()),
        _ => Err(format!("lift disagrees with serde: {plain:?} vs {fast:?}")),
    }
}

/// Feeds a stream in `sizes`-long chunks; checks the reader's memory and the
/// progress's indexes on the way.
fn stream_in(
    input: &[u8],
    sizes: &mut dyn FnMut() -> usize,
) -> Result<Result<Generation, Failure>, String> {
    let mut s = StreamingAnswer::new();
    let mut rest = input;
    let mut fed = 0usize;
    while !rest.is_empty() {
        let n = sizes().clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        fed += n;
        let pushed = s.push(chunk);
        let held = s.reader().buffered_capacity();
        if held > 2 * fed.max(8) {
            return Err(format!("the reader holds {held} bytes after {fed}"));
        }
        match pushed {
            Ok(p) => {
                let parts = s.assembler().parts().len();
                if p.drafts.iter().chain(&p.final_image).any(|i| *i >= parts) {
                    return Err(format!("progress points past the parts: {p:?}"));
                }
            }
            Err(f) => return Ok(Err(f)),
        }
    }
    Ok(s.finish(decode_base64))
}

/// The streamed answer: the same result however the bytes are chunked, and
/// only documented failures.
fn sse(input: &[u8]) -> Result<(), String> {
    let whole = stream_in(input, &mut || usize::MAX)?;
    // A byte at a time, or 3 for long inputs (the small run stays fast).
    let tiny = if input.len() <= 4096 { 1 } else { 3 };
    let bytes = stream_in(input, &mut || tiny)?;
    let mut x = input.len() as u64 | 1;
    let odd = stream_in(input, &mut || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 97) as usize + 1
    })?;
    if whole != bytes || whole != odd {
        return Err(format!(
            "chunking changed the result: {whole:?} / {bytes:?} / {odd:?}"
        ));
    }
    match &whole {
        Ok(g) => generation_ok(g),
        Err(
            f @ (Failure::Api(_)
            | Failure::Malformed(_)
            | Failure::Truncated
            | Failure::Incomplete { .. }
            | Failure::NoImage { .. }
            | Failure::Blocked { .. }
            | Failure::BadImage(_)),
        ) => message_ok(f),
        Err(f) => Err(format!("undocumented failure: {f:?}")),
    }
}

/// `Retry-After`, HTTP-date and protobuf-duration parsers: no panic; all
/// digits is delta-seconds; a date in the past is no wait.
fn retry_after(input: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(input);
    let now = 1_796_196_060_000u64;
    let wait = gemini::retry::parse_retry_after(&text, now);
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) && wait.is_none() {
        return Err("delta-seconds not read".into());
    }
    if let Some(at) = gemini::retry::parse_http_date(&text, now) {
        let expected = u64::try_from(at - now as i64).unwrap_or(0);
        if wait != Some(expected) {
            return Err(format!("date {at} but wait {wait:?}"));
        }
    }
    let _ = gemini::error::parse_duration_ms(&text);
    Ok(())
}

/// `scrub`: the input is `key NUL text` (the key cut to 128 bytes, the text
/// to 2 KiB: a repetitive key costs their product). No run of 8
/// characters of a key of 8 or more survives verbatim between the markers; a
/// shorter key does not survive whole.
fn scrub(input: &[u8]) -> Result<(), String> {
    let (key, text) = match input.iter().position(|b| *b == 0) {
        Some(i) => input.split_at(i),
        None => input.split_at(input.len().min(12)),
    };
    let key = String::from_utf8_lossy(key.get(..key.len().min(128)).unwrap_or_default());
    let text = text.get(1..).unwrap_or_default();
    let text = String::from_utf8_lossy(text.get(..text.len().min(2048)).unwrap_or_default());
    let out = gemini::scrub(&text, &key);
    let hidden = gemini::scrub::HIDDEN;
    // What is left between the markers (a marker's own brackets next to the
    // text are no echo).
    let left: Vec<&str> = out.split(hidden).collect();
    let chars: Vec<char> = key.chars().collect();
    if chars.len() >= gemini::scrub::MIN_RUN {
        for w in chars.windows(gemini::scrub::MIN_RUN) {
            let run: String = w.iter().collect();
            // A run of the key that is also in the marker is not told apart.
            if left.iter().any(|piece| piece.contains(&run)) && !hidden.contains(&run) {
                return Err(format!("{run:?} survived in {out:?}"));
            }
        }
    } else if !key.is_empty()
        && left.iter().any(|piece| piece.contains(key.as_ref()))
        && !hidden.contains(key.as_ref())
    {
        return Err(format!("the short key survived in {out:?}"));
    }
    Ok(())
}

/// `config::interpret`: a 404 or an HTML page is no file; a broken file says
/// so, naming `config.json`; a used file obeys the documented limits.
fn config(input: &[u8]) -> Result<(), String> {
    use studio::config::Loaded;
    let body = String::from_utf8_lossy(input);
    for (status, ct) in [
        (200, "application/json"),
        (200, "text/html; charset=utf-8"),
        (404, "text/plain"),
        (500, "application/json"),
    ] {
        match (status, ct, config_interpret(status, ct, &body)) {
            (404, _, Loaded::Missing) | (_, "text/html; charset=utf-8", Loaded::Missing) => {}
            (200, "application/json", Loaded::Config(cfg)) => {
                let banner_ok = cfg
                    .banner
                    .as_ref()
                    .is_none_or(|b| !b.is_empty() && b.chars().count() <= 500);
                let models_ok = cfg.models.as_ref().is_none_or(|m| {
                    !m.is_empty() && m.iter().all(|id| gemini::models::is_valid_model_id(id))
                });
                let default_ok = cfg
                    .default_model
                    .as_deref()
                    .is_none_or(gemini::models::is_valid_model_id);
                if !(banner_ok && models_ok && default_ok) {
                    return Err(format!("an invalid config was accepted: {cfg:?}"));
                }
            }
            (200 | 500, "application/json", Loaded::Broken(why)) if why.contains("config.json") => {
            }
            (s, c, other) => return Err(format!("{s} {c} gave {other:?}")),
        }
    }
    Ok(())
}

/// `parse_export`: accepted, or refused with one of its sentences.
/// The manifest: accepted, or refused with one of its sentences.
fn manifest(input: &[u8]) -> Result<(), String> {
    match parse_manifest(input) {
        Ok(()) => Ok(()),
        Err(why) if why.starts_with("This archive") || why.starts_with("This export") => Ok(()),
        Err(why) => Err(format!("undocumented refusal: {why}")),
    }
}

/// The ZIP reader, as the import drives it: the end records from the tail,
/// the directory, each entry's data offset and content (never a panic, and
/// every entry it accepts lies inside the file).
fn zip(input: &[u8]) -> Result<(), String> {
    use formats::zip;
    let len = input.len() as u64;
    let limits = zip::Limits::default();
    let tail = input
        .get(zip::tail_start(len) as usize..)
        .unwrap_or_default();
    let Ok(dir) = zip::find_end(tail, len, &limits) else {
        return Ok(());
    };
    let Some(dir_bytes) = input.get(dir.offset as usize..(dir.offset + dir.size) as usize) else {
        return Err("find_end gave a directory outside the file".into());
    };
    let Ok(entries) = zip::parse_directory(dir_bytes, &dir, &limits) else {
        return Ok(());
    };
    for e in &entries {
        let at = e.header_offset as usize;
        let Some(header) = input.get(at..at + e.local_header_len()) else {
            continue;
        };
        let Ok(start) = zip::data_offset(header, e) else {
            continue;
        };
        let end = start + e.compressed_size;
        let Some(raw) = input.get(start as usize..end as usize) else {
            return Err(format!(
                "entry {} accepted with data outside the file",
                e.name
            ));
        };
        let _ = e.decode(raw);
    }
    Ok(())
}

fn export(input: &[u8]) -> Result<(), String> {
    match parse_export(input) {
        Ok(()) => Ok(()),
        Err(why) if why.starts_with("This file is not") || why.starts_with("This export") => Ok(()),
        Err(why) => Err(format!("undocumented refusal: {why}")),
    }
}
