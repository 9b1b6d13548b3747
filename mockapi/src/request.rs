//! Strict parsing and validation of a `generateContent` request body (as a raw JSON value).
//!
//! Pass 1 ([`parse`]) mirrors Google's proto-JSON parser: unknown names, wrong types and bad
//! base64 are rejected before anything else. Pass 2 ([`validate`]) applies the model's rules.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::models::{ModelSpec, Thinking};
use crate::render;

/// Standard alphabet; padding optional.
pub const B64_IN: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// URL-safe alphabet (`-` and `_`); padding optional.
pub const B64_URL_IN: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes a `bytes` field the way protobuf's JSON mapping does: standard or URL-safe base64,
/// padded or not (one alphabet per string; whitespace, `data:` prefixes and mixed alphabets
/// are refused).
pub fn decode_bytes(s: &str) -> Option<Vec<u8>> {
    let engine = if s.bytes().any(|b| b == b'-' || b == b'_') {
        &B64_URL_IN
    } else {
        &B64_IN
    };
    engine.decode(s).ok()
}

pub const MAX_TOTAL_B64: usize = 100 * 1024 * 1024;
pub const MAX_IMAGE_BYTES: usize = 7 * 1024 * 1024;

const PKG: &str = "type.googleapis.com/google.ai.generativelanguage.v1beta";

#[derive(Debug, Clone)]
pub struct Inline {
    pub mime: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Part {
    pub text: Option<String>,
    pub inline: Option<Inline>,
    pub thought: bool,
    /// The decoded `thoughtSignature` (signatures are compared as bytes, so one sent back in
    /// either base64 alphabet matches).
    pub signature: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct Content {
    pub role: Option<String>,
    pub parts: Vec<Part>,
}

impl Content {
    pub fn is_user(&self) -> bool {
        matches!(self.role.as_deref(), None | Some("user"))
    }

    pub fn is_model(&self) -> bool {
        self.role.as_deref() == Some("model")
    }

    /// The non-thought text of this turn, parts joined by a space.
    pub fn text(&self) -> String {
        let texts: Vec<&str> = self
            .parts
            .iter()
            .filter(|p| !p.thought)
            .filter_map(|p| p.text.as_deref())
            .collect();
        texts.join(" ")
    }

    pub fn images(&self) -> impl Iterator<Item = &Inline> {
        self.parts.iter().filter_map(|p| p.inline.as_ref())
    }
}

#[derive(Debug, Clone, Default)]
pub struct GenRequest {
    /// `None` when `contents` was absent.
    pub contents: Option<Vec<Content>>,
    pub modalities: Option<Vec<String>>,
    pub aspect_ratio: Option<String>,
    pub image_size: Option<String>,
    pub thinking_config: bool,
    pub thinking_level: Option<String>,
    pub include_thoughts: bool,
    pub google_search: bool,
    pub candidate_count: Option<i64>,
}

impl GenRequest {
    pub fn contents(&self) -> &[Content] {
        self.contents.as_deref().unwrap_or(&[])
    }

    pub fn last(&self) -> Option<&Content> {
        self.contents().last()
    }

    /// True when responseModalities is exactly `["TEXT"]`.
    pub fn text_only(&self) -> bool {
        matches!(self.modalities.as_deref(), Some([m]) if m == "TEXT")
    }

    /// True when responseModalities is exactly `["IMAGE"]`.
    pub fn image_only(&self) -> bool {
        matches!(self.modalities.as_deref(), Some([m]) if m == "IMAGE")
    }
}

// ---------------------------------------------------------------------------------------------
// helpers

fn unknown(name: &str, at: &str) -> ApiError {
    if at.is_empty() {
        ApiError::invalid(format!(
            "Invalid JSON payload received. Unknown name \"{name}\": Cannot find field."
        ))
    } else {
        ApiError::invalid(format!(
            "Invalid JSON payload received. Unknown name \"{name}\" at '{at}': Cannot find field."
        ))
    }
}

/// Shortens a value for an error message.
pub fn snippet(s: &str) -> String {
    const MAX: usize = 32;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}...")
    }
}

fn invalid_value(path: &str, ty: &str, v: &Value) -> ApiError {
    let shown = match v {
        Value::String(s) => format!("\"{}\"", snippet(s)),
        Value::Array(_) => "[...]".to_string(),
        Value::Object(_) => "{...}".to_string(),
        other => other.to_string(),
    };
    ApiError::invalid(format!("Invalid value at '{path}' ({ty}), {shown}"))
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

/// Maps a camelCase or snake_case field name onto its snake_case form if it is known.
fn canon(key: &str, known: &[&'static str]) -> Option<&'static str> {
    known.iter().copied().find(|snake| {
        *snake == key || {
            let mut camel = String::with_capacity(snake.len());
            let mut up = false;
            for c in snake.chars() {
                if c == '_' {
                    up = true;
                } else if up {
                    camel.push(c.to_ascii_uppercase());
                    up = false;
                } else {
                    camel.push(c);
                }
            }
            camel == key
        }
    })
}

fn as_obj<'a>(v: &'a Value, path: &str, ty: &str) -> Result<&'a Map<String, Value>, ApiError> {
    v.as_object()
        .ok_or_else(|| invalid_value(path, &format!("{PKG}.{ty}"), v))
}

fn as_arr<'a>(v: &'a Value, path: &str, ty: &str) -> Result<&'a Vec<Value>, ApiError> {
    v.as_array().ok_or_else(|| invalid_value(path, ty, v))
}

fn as_str<'a>(v: &'a Value, path: &str) -> Result<&'a str, ApiError> {
    v.as_str()
        .ok_or_else(|| invalid_value(path, "TYPE_STRING", v))
}

fn as_bool(v: &Value, path: &str) -> Result<bool, ApiError> {
    v.as_bool()
        .ok_or_else(|| invalid_value(path, "TYPE_BOOL", v))
}

fn as_num(v: &Value, path: &str, ty: &str) -> Result<f64, ApiError> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| invalid_value(path, ty, v)),
        Value::String(s) => s.parse::<f64>().map_err(|_| invalid_value(path, ty, v)),
        _ => Err(invalid_value(path, ty, v)),
    }
}

/// Iterates an object's fields, skipping nulls (proto3 JSON treats null as absent), mapping each
/// key to its canonical snake_case name or failing with "Unknown name".
fn fields<'a>(
    obj: &'a Map<String, Value>,
    known: &[&'static str],
    at: &str,
) -> Result<Vec<(&'static str, &'a Value)>, ApiError> {
    let mut out = Vec::with_capacity(obj.len());
    for (k, v) in obj {
        let name = canon(k, known).ok_or_else(|| unknown(k, at))?;
        if !v.is_null() {
            out.push((name, v));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// pass 0: payload size

/// Sum of the lengths of all `inlineData.data` strings (best effort, before strict parsing).
pub fn total_inline_len(body: &Value) -> usize {
    fn parts_len(content: &Value) -> usize {
        let parts = content.get("parts").and_then(Value::as_array);
        parts
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p.get("inlineData").or_else(|| p.get("inline_data")))
                    .filter_map(|d| d.get("data").and_then(Value::as_str))
                    .map(str::len)
                    .sum()
            })
            .unwrap_or(0)
    }
    body.get("contents")
        .and_then(Value::as_array)
        .map(|cs| cs.iter().map(parts_len).sum())
        .unwrap_or(0)
}

pub fn payload_too_large() -> ApiError {
    ApiError::invalid(format!(
        "Request payload size exceeds the limit: {MAX_TOTAL_B64} bytes."
    ))
}

// ---------------------------------------------------------------------------------------------
// pass 1: structure

pub fn parse(body: &Value) -> Result<GenRequest, ApiError> {
    let Some(root) = body.as_object() else {
        return Err(ApiError::invalid(
            "Invalid JSON payload received. Unknown name \"\": Root element must be a message.",
        ));
    };
    if total_inline_len(body) > MAX_TOTAL_B64 {
        return Err(payload_too_large());
    }
    let mut req = GenRequest::default();
    let known = [
        "contents",
        "generation_config",
        "system_instruction",
        "safety_settings",
        "tools",
    ];
    for (name, v) in fields(root, &known, "")? {
        match name {
            "contents" => {
                let arr = as_arr(v, "contents", &format!("{PKG}.Content"))?;
                let mut contents = Vec::with_capacity(arr.len());
                for (i, c) in arr.iter().enumerate() {
                    contents.push(parse_content(c, &format!("contents[{i}]"))?);
                }
                req.contents = Some(contents);
            }
            "generation_config" => parse_generation_config(v, &mut req)?,
            "system_instruction" => {
                parse_content(v, "system_instruction")?;
            }
            "safety_settings" => {
                let arr = as_arr(v, "safety_settings", &format!("{PKG}.SafetySetting"))?;
                for (i, s) in arr.iter().enumerate() {
                    let path = format!("safety_settings[{i}]");
                    let obj = as_obj(s, &path, "SafetySetting")?;
                    for (name, v) in fields(obj, &["category", "threshold"], &path)? {
                        as_str(v, &join(&path, name))?;
                    }
                }
            }
            "tools" => {
                let arr = as_arr(v, "tools", &format!("{PKG}.Tool"))?;
                for (i, t) in arr.iter().enumerate() {
                    let path = format!("tools[{i}]");
                    let obj = as_obj(t, &path, "Tool")?;
                    for (name, v) in fields(obj, &["google_search"], &path)? {
                        let p = join(&path, name);
                        let gs = as_obj(v, &p, "Tool.GoogleSearch")?;
                        if let Some(k) = gs.keys().next() {
                            return Err(unknown(k, &p));
                        }
                        req.google_search = true;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(req)
}

fn parse_content(v: &Value, path: &str) -> Result<Content, ApiError> {
    let obj = as_obj(v, path, "Content")?;
    let mut content = Content {
        role: None,
        parts: Vec::new(),
    };
    for (name, v) in fields(obj, &["role", "parts"], path)? {
        match name {
            "role" => content.role = Some(as_str(v, &join(path, "role"))?.to_string()),
            "parts" => {
                let pp = join(path, "parts");
                let arr = as_arr(v, &pp, &format!("{PKG}.Part"))?;
                for (j, p) in arr.iter().enumerate() {
                    content.parts.push(parse_part(p, &format!("{pp}[{j}]"))?);
                }
            }
            _ => {}
        }
    }
    Ok(content)
}

fn parse_part(v: &Value, path: &str) -> Result<Part, ApiError> {
    let obj = as_obj(v, path, "Part")?;
    let mut part = Part::default();
    let known = ["text", "inline_data", "thought", "thought_signature"];
    for (name, v) in fields(obj, &known, path)? {
        let p = join(path, name);
        match name {
            "text" => part.text = Some(as_str(v, &p)?.to_string()),
            "thought" => part.thought = as_bool(v, &p)?,
            "thought_signature" => {
                let s = as_str(v, &p)?;
                part.signature = Some(decode_bytes(s).ok_or_else(|| bytes_error(&p, s))?);
            }
            "inline_data" => {
                let obj = as_obj(v, &p, "Blob")?;
                let mut mime = String::new();
                let mut bytes = Vec::new();
                for (name, v) in fields(obj, &["mime_type", "data"], &p)? {
                    let q = join(&p, name);
                    match name {
                        "mime_type" => mime = as_str(v, &q)?.to_string(),
                        "data" => {
                            let s = as_str(v, &q)?;
                            bytes = decode_bytes(s).ok_or_else(|| bytes_error(&q, s))?;
                        }
                        _ => {}
                    }
                }
                part.inline = Some(Inline { mime, bytes });
            }
            _ => {}
        }
    }
    Ok(part)
}

fn bytes_error(path: &str, s: &str) -> ApiError {
    ApiError::invalid(format!(
        "Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed for \"{}\"",
        snippet(s)
    ))
}

fn parse_generation_config(v: &Value, req: &mut GenRequest) -> Result<(), ApiError> {
    let path = "generation_config";
    let obj = as_obj(v, path, "GenerationConfig")?;
    let known = [
        "response_modalities",
        "image_config",
        "thinking_config",
        "temperature",
        "top_p",
        "top_k",
        "candidate_count",
        "max_output_tokens",
        "stop_sequences",
        "seed",
        "presence_penalty",
        "frequency_penalty",
        "response_mime_type",
    ];
    for (name, v) in fields(obj, &known, path)? {
        let p = join(path, name);
        match name {
            "response_modalities" => {
                let ty = format!("{PKG}.GenerationConfig.Modality");
                let arr = as_arr(v, &p, &ty)?;
                let mut mods = Vec::with_capacity(arr.len());
                for (i, m) in arr.iter().enumerate() {
                    let q = format!("{p}[{i}]");
                    let s = m.as_str().ok_or_else(|| invalid_value(&q, &ty, m))?;
                    let up = s.to_ascii_uppercase();
                    if up != "TEXT" && up != "IMAGE" {
                        return Err(invalid_value(&q, &ty, m));
                    }
                    mods.push(up);
                }
                req.modalities = Some(mods);
            }
            "image_config" => {
                let obj = as_obj(v, &p, "ImageConfig")?;
                for (name, v) in fields(obj, &["aspect_ratio", "image_size"], &p)? {
                    let s = as_str(v, &join(&p, name))?.to_string();
                    if name == "aspect_ratio" {
                        req.aspect_ratio = Some(s);
                    } else {
                        req.image_size = Some(s);
                    }
                }
            }
            "thinking_config" => {
                req.thinking_config = true;
                let obj = as_obj(v, &p, "ThinkingConfig")?;
                for (name, v) in fields(obj, &["thinking_level", "include_thoughts"], &p)? {
                    let q = join(&p, name);
                    if name == "include_thoughts" {
                        req.include_thoughts = as_bool(v, &q)?;
                    } else {
                        let ty = format!("{PKG}.ThinkingConfig.ThinkingLevel");
                        let s = v.as_str().ok_or_else(|| invalid_value(&q, &ty, v))?;
                        let low = s.to_ascii_lowercase();
                        if !["minimal", "low", "medium", "high"].contains(&low.as_str()) {
                            return Err(invalid_value(&q, &ty, v));
                        }
                        req.thinking_level = Some(low);
                    }
                }
            }
            "stop_sequences" => {
                for (i, s) in as_arr(v, &p, "TYPE_STRING")?.iter().enumerate() {
                    as_str(s, &format!("{p}[{i}]"))?;
                }
            }
            "response_mime_type" => {
                as_str(v, &p)?;
            }
            "candidate_count" => {
                let n = as_num(v, &p, "TYPE_INT32")?;
                req.candidate_count = Some(n as i64);
            }
            "top_k" | "max_output_tokens" | "seed" => {
                as_num(v, &p, "TYPE_INT32")?;
            }
            _ => {
                as_num(v, &p, "TYPE_FLOAT")?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// pass 2: semantics

pub fn validate(req: &GenRequest, model: &ModelSpec) -> Result<(), ApiError> {
    let contents = req.contents();
    if contents.is_empty() {
        return Err(ApiError::invalid(
            "* GenerateContentRequest.contents: contents is not specified\n",
        ));
    }
    let multi = contents.len() > 1;
    for (i, c) in contents.iter().enumerate() {
        match c.role.as_deref() {
            Some("user") | Some("model") => {}
            None if !multi => {}
            _ => return Err(ApiError::invalid("Please use a valid role: user, model.")),
        }
        if c.parts.is_empty() {
            return Err(ApiError::invalid(format!(
                "* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.\n"
            )));
        }
        for (j, p) in c.parts.iter().enumerate() {
            if p.text.is_none() && p.inline.is_none() {
                return Err(ApiError::invalid(format!(
                    "* GenerateContentRequest.contents[{i}].parts[{j}].data: required oneof field \
                     'data' must have one initialized field\n"
                )));
            }
            if let Some(img) = &p.inline {
                check_image(img)?;
            }
        }
    }
    let Some(last) = contents.last().filter(|c| c.is_user()) else {
        return Err(ApiError::invalid(
            "Please ensure that multiturn requests end with a user turn: the last content must \
             have role \"user\".",
        ));
    };
    let has_image = last.images().next().is_some();
    if !has_image && last.text().trim().is_empty() {
        return Err(ApiError::invalid(
            "Unable to submit request because it has an empty text parameter. Add a value to the \
             parameter and try again.",
        ));
    }

    if req.candidate_count.is_some_and(|n| n > 1) {
        return Err(ApiError::invalid(
            "Multiple candidates is not enabled for this model.",
        ));
    }

    if let Some(ratio) = &req.aspect_ratio {
        if !model.ratios.contains(&ratio.as_str()) {
            return Err(ApiError::invalid(format!(
                "Unsupported aspect ratio: \"{}\". Supported aspect ratios for {} are: {}.",
                snippet(ratio),
                model.name,
                model.ratios.join(", ")
            )));
        }
    }
    if let Some(size) = &req.image_size {
        if model.sizes.is_empty() {
            return Err(ApiError::invalid(format!(
                "Image size is not supported for this model: {} always outputs 1K images. Remove \
                 image_config.image_size.",
                model.name
            )));
        }
        if !model.sizes.contains(&size.as_str()) {
            return Err(ApiError::invalid(format!(
                "Unsupported image size: \"{}\". Supported image sizes for {} are: {}.",
                snippet(size),
                model.name,
                model.sizes.join(", ")
            )));
        }
    }

    match model.thinking {
        Thinking::Disabled if req.thinking_config => {
            return Err(ApiError::invalid("Thinking is not enabled for this model."));
        }
        Thinking::AlwaysHigh if req.thinking_level.is_some() => {
            return Err(ApiError::invalid(
                "Thinking level is not supported for this model.",
            ));
        }
        Thinking::Levels => {
            if let Some(level) = req.thinking_level.as_deref() {
                if level != "minimal" && level != "high" {
                    return Err(ApiError::invalid(format!(
                        "Thinking level {} is not supported for this model. Supported levels: \
                         minimal, high.",
                        level.to_ascii_uppercase()
                    )));
                }
            }
        }
        _ => {}
    }

    let n_images = last.images().count();
    if n_images > model.max_images {
        return Err(ApiError::invalid(format!(
            "Too many images: the model accepts at most {} input images.",
            model.max_images
        )));
    }

    if model.gemini3 {
        check_signatures(contents)?;
    }
    Ok(())
}

fn check_image(img: &Inline) -> Result<(), ApiError> {
    let magic_ok = match img.mime.as_str() {
        "image/png" => img.bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => img.bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/webp" => {
            img.bytes.len() >= 12 && &img.bytes[0..4] == b"RIFF" && &img.bytes[8..12] == b"WEBP"
        }
        "" => {
            return Err(ApiError::invalid(
                "Unsupported MIME type: (empty). inline_data.mime_type must be set.",
            ))
        }
        other => {
            return Err(ApiError::invalid(format!(
                "Unsupported MIME type: {}",
                snippet(other)
            )))
        }
    };
    if img.bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::invalid("Inline image exceeds the 7 MB limit"));
    }
    if !magic_ok {
        return Err(unprocessable_image());
    }
    Ok(())
}

fn unprocessable_image() -> ApiError {
    ApiError::invalid(
        "Unable to process input image. Please retry or report in \
         https://developers.generativeai.google/guide/troubleshooting",
    )
}

fn check_signatures(contents: &[Content]) -> Result<(), ApiError> {
    let n = contents.len();
    for (i, c) in contents.iter().enumerate().take(n.saturating_sub(1)) {
        if !c.is_model() {
            continue;
        }
        for (j, p) in c.parts.iter().enumerate() {
            let expected = match (&p.inline, &p.text) {
                (Some(img), _) => render::signature_digest(&img.bytes),
                (None, Some(text)) => render::signature_digest(text.as_bytes()),
                (None, None) => continue,
            };
            match &p.signature {
                Some(sig) if sig.as_slice() == expected.as_slice() => {}
                Some(_) => return Err(ApiError::invalid("Corrupted thought signature.")),
                None if p.inline.is_some() && !p.thought => {
                    return Err(ApiError::invalid(format!(
                        "Image part is missing a thought_signature in content position {}, part \
                         position {}. Please refer to \
                         https://ai.google.dev/gemini-api/docs/thought-signatures for more \
                         details.",
                        i + 1,
                        j + 1
                    )));
                }
                None => {}
            }
        }
    }
    Ok(())
}

/// Pixel size of the first image of the last user turn, if its header can be read.
pub fn first_input_dims(req: &GenRequest) -> Option<(u32, u32)> {
    let img = req.last()?.images().next()?;
    render::image_dims(&img.bytes)
}
