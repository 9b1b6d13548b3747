//! "Get code": three programs that send exactly the request the studio sends for a
//! turn, so a user can take a result out of the studio into a script of their own.
//!
//! From the [`RequestBody`] of a turn (the whole conversation up to it, model turns
//! verbatim with their thought parts and `thoughtSignature`s, every setting) and the
//! endpoint, [`generate`] writes:
//!
//! - `curl.sh`, a POSIX shell script that builds the JSON body (with `base64` for
//!   image files) and posts it with curl, then reads the answer with awk: no jq, no
//!   Python;
//! - `main.py`, with Google's `google-genai` SDK;
//! - `main.mjs`, for node with Google's `@google/genai` SDK.
//!
//! Each reads the key from the environment variable `GEMINI_API_KEY` (never from the
//! code), sends it in the header the studio uses, prints the model's text and writes
//! the final image (the last image part that is not a thought) to `result.<ext>`
//! beside itself, the extension from the returned MIME type as the studio names
//! downloads (`jpg`, `webp`, else `png`).
//!
//! Images are either files beside the programs (`image-1.png`, `image-2.jpg`, … by
//! first use; the same image used twice is one file), listed in [`Code::files`] for
//! the app to zip, or pasted into the programs as base64 ([`Images::Inline`]), which
//! is done only while the images stay under a size the caller states.
//!
//! What the SDKs send differs from the studio's body only in form: the Python SDK
//! writes some keys in snake_case, bytes fields in URL-safe base64 and enum values
//! in upper case; both SDKs may add fields with default values. The harness in
//! `e2e/codegen/` runs the three programs against the local API server and compares
//! what it received with the studio's body, allowing exactly those differences.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use crate::models::is_valid_model_id;
use crate::request::RequestBody;
use crate::response::decode_base64;
use crate::wire::{Content, GenerationConfig, InlineData, Part, Role, Tool};

/// The file name of the curl script.
pub const CURL_FILE: &str = "curl.sh";
/// The file name of the Python program.
pub const PYTHON_FILE: &str = "main.py";
/// The file name of the JavaScript (node) program.
pub const JAVASCRIPT_FILE: &str = "main.mjs";
/// The Python package the program was checked with (`pip install` line).
pub const PYTHON_PACKAGE: &str = "google-genai==3.3.0";
/// The npm package the JavaScript program was checked with (`npm install` line).
pub const JAVASCRIPT_PACKAGE: &str = "@google/genai@3.1.0";
/// The name the programs write the final image to, before its extension.
pub const RESULT_STEM: &str = "result";

/// The header the key goes in (with `Bearer`, the programs send no
/// `x-goog-api-key`).
pub use crate::auth::KeyHeader;

/// Where the programs get the request's images from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Images {
    /// Each image is a file beside the programs ([`Code::files`]).
    Files,
    /// The images are pasted into the programs as base64, as long as all of them
    /// together are at most `max_base64` bytes of base64; past that the programs
    /// read files, as with [`Images::Files`], and [`Code::inline_limit_hit`] says so.
    Inline { max_base64: usize },
}

/// Where the request goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    /// The API's base URL, absolute: `https://api.cometapi.com`, or the site's proxy
    /// as `https://example.org/tools/studio`. Requests go to
    /// `{base}/v1beta/models/{model}:generateContent` (a trailing `/` or `/v1beta` is
    /// dropped first, as [`crate::request::endpoint`] does).
    pub base: &'a str,
    pub model: &'a str,
    pub key_header: KeyHeader,
}

/// One program: its file name and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub name: &'static str,
    pub text: String,
}

/// Where an inline image is in the request: `contents[content].parts[part]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartRef {
    pub content: usize,
    pub part: usize,
}

/// An image file the programs read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFile {
    /// `image-1.png`, `image-2.jpg`, …: numbered by first use, extension from the MIME type.
    pub name: String,
    pub mime_type: String,
    /// The image's base64 exactly as in the request (shared, not copied); the file
    /// holds the bytes it decodes to.
    pub data: Arc<String>,
    /// Every part of the request that holds this image, in order.
    pub parts: Vec<PartRef>,
}

impl ImageFile {
    /// The file's bytes: its base64 decoded (standard or URL-safe, padded or not).
    pub fn bytes(&self) -> Result<Vec<u8>, CodegenError> {
        decode_base64(&self.data).map_err(|_| {
            CodegenError::BadImageData(self.parts.first().copied().unwrap_or(PartRef {
                content: 0,
                part: 0,
            }))
        })
    }
}

/// The three programs, and the files they need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub curl: Program,
    pub python: Program,
    pub javascript: Program,
    /// The image files to put beside the programs. Empty when the images are inline.
    pub files: Vec<ImageFile>,
    /// True when the images are pasted into the programs.
    pub inline: bool,
    /// [`Images::Inline`] was asked for but the images are over its limit: the
    /// programs read [`Code::files`] instead.
    pub inline_limit_hit: bool,
    /// The base64 bytes of the request's distinct images, what inlining would paste.
    pub image_base64_bytes: usize,
}

impl Code {
    /// The programs in the order a UI shows them.
    pub fn programs(&self) -> [&Program; 3] {
        [&self.curl, &self.python, &self.javascript]
    }
}

/// Why no code was written. Each says what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodegenError {
    /// The base URL is not an absolute `http(s)://` URL.
    BaseNotAbsolute(String),
    InvalidModelId(String),
    /// A `thoughtSignature` (bytes the Python SDK needs decoded) is not base64.
    BadSignature(PartRef),
    /// Inline image data that is not base64.
    BadImageData(PartRef),
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BaseNotAbsolute(base) => write!(
                f,
                "Code needs the API's full address (https://…), not \u{201c}{base}\u{201d}. Set an absolute API base URL in Settings, or use the page's address."
            ),
            Self::InvalidModelId(id) => write!(
                f,
                "\u{201c}{id}\u{201d} is not a model id: use letters, digits, '-', '.' and '_' only."
            ),
            Self::BadSignature(at) => write!(
                f,
                "The thought signature of turn {} part {} is not base64, so it cannot be written as code. Start a new conversation from an earlier turn.",
                at.content + 1,
                at.part + 1
            ),
            Self::BadImageData(at) => write!(
                f,
                "The image of turn {} part {} is not base64, so it cannot be written as code. Remove that image.",
                at.content + 1,
                at.part + 1
            ),
        }
    }
}

impl std::error::Error for CodegenError {}

/// Writes the three programs that send `body` to `target`.
pub fn generate(
    body: &RequestBody<'_>,
    target: &Target<'_>,
    images: Images,
) -> Result<Code, CodegenError> {
    if !is_valid_model_id(target.model) {
        return Err(CodegenError::InvalidModelId(target.model.to_owned()));
    }
    let base = absolute_base(target.base)?;
    let url = format!("{base}/v1beta/models/{}:generateContent", target.model);

    let (files, slots) = collect_images(body);
    let image_base64_bytes = files.iter().map(|f| f.data.len()).sum();
    let (inline, inline_limit_hit) = match images {
        Images::Files => (false, false),
        Images::Inline { max_base64 } => {
            let fits = image_base64_bytes <= max_base64;
            (fits, !fits)
        }
    };
    let ctx = Ctx {
        body,
        target,
        base: &base,
        url: &url,
        files: &files,
        slots: &slots,
        inline,
    };
    let curl = curl_program(&ctx);
    let python = python_program(&ctx)?;
    let javascript = javascript_program(&ctx);
    Ok(Code {
        curl: Program {
            name: CURL_FILE,
            text: curl,
        },
        python: Program {
            name: PYTHON_FILE,
            text: python,
        },
        javascript: Program {
            name: JAVASCRIPT_FILE,
            text: javascript,
        },
        files: if inline { Vec::new() } else { files },
        inline,
        inline_limit_hit,
        image_base64_bytes,
    })
}

/// The base URL without a trailing `/` or `/v1beta`, checked to be absolute.
fn absolute_base(base: &str) -> Result<String, CodegenError> {
    let trimmed = base.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/v1beta").unwrap_or(trimmed);
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or("");
        !host.is_empty() && !host.contains('@')
    });
    let chars_ok = !trimmed
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'));
    if host_ok && chars_ok {
        Ok(trimmed.to_owned())
    } else {
        Err(CodegenError::BaseNotAbsolute(base.to_owned()))
    }
}

struct Ctx<'a> {
    body: &'a RequestBody<'a>,
    target: &'a Target<'a>,
    base: &'a str,
    url: &'a str,
    files: &'a [ImageFile],
    /// For each content, for each part: the index in `files` of its image.
    slots: &'a [Vec<Option<usize>>],
    inline: bool,
}

impl Ctx<'_> {
    /// The number (from 1) of the image file of `contents[content].parts[part]`.
    fn image_number(&self, content: usize, part: usize) -> usize {
        self.slots
            .get(content)
            .and_then(|row| row.get(part))
            .copied()
            .flatten()
            .map_or(0, |i| i + 1)
    }
}

/// The distinct images of the request, in order of first use, and which file each
/// part's image is.
fn collect_images(body: &RequestBody<'_>) -> (Vec<ImageFile>, Vec<Vec<Option<usize>>>) {
    let mut files: Vec<ImageFile> = Vec::new();
    let mut slots = Vec::with_capacity(body.contents.len());
    for (ci, content) in body.contents.iter().enumerate() {
        let mut row = Vec::with_capacity(content.parts.len());
        for (pi, part) in content.parts.iter().enumerate() {
            let at = PartRef {
                content: ci,
                part: pi,
            };
            let slot = part.inline_data.as_ref().map(|d| {
                let same = files.iter().position(|f| {
                    f.mime_type == d.mime_type
                        && (Arc::ptr_eq(&f.data, &d.data) || f.data.as_str() == d.data.as_str())
                });
                match same {
                    Some(i) => {
                        if let Some(f) = files.get_mut(i) {
                            f.parts.push(at);
                        }
                        i
                    }
                    None => {
                        files.push(ImageFile {
                            name: format!(
                                "image-{}.{}",
                                files.len() + 1,
                                file_extension(&d.mime_type)
                            ),
                            mime_type: d.mime_type.clone(),
                            data: Arc::clone(&d.data),
                            parts: vec![at],
                        });
                        files.len() - 1
                    }
                }
            });
            row.push(slot);
        }
        slots.push(row);
    }
    (files, slots)
}

/// The extension of an image file from its MIME type (`bin` for a type this does
/// not know, so a file is never named as what it is not).
pub fn file_extension(mime_type: &str) -> &'static str {
    let essence = mime_type.split(';').next().unwrap_or("").trim();
    let table: [(&str, &str); 8] = [
        ("image/png", "png"),
        ("image/jpeg", "jpg"),
        ("image/jpg", "jpg"),
        ("image/webp", "webp"),
        ("image/heic", "heic"),
        ("image/heif", "heif"),
        ("image/gif", "gif"),
        ("image/avif", "avif"),
    ];
    table
        .iter()
        .find(|(m, _)| m.eq_ignore_ascii_case(essence))
        .map_or("bin", |(_, e)| e)
}

// ------------------------------------------------------------------ escaping

/// Characters written as escapes in every language, though they are legal in
/// strings: control characters, and the invisible or direction-changing ones that
/// could make code read differently from what it does.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
}

/// A Python string literal.
pub fn python_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if must_escape(c) => {
                let n = u32::from(c);
                if n <= 0xFF {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xFFFF {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JavaScript string literal (double quotes: `$` and backticks are plain).
pub fn javascript_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if must_escape(c) => {
                let n = u32::from(c);
                if n <= 0xFF {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xFFFF {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\u{{{n:x}}}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A POSIX shell word that is exactly `s`: single quotes, each `'` as `'\''`.
pub fn shell_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// JSON text with the characters of [`must_escape`] that serde_json leaves as they
/// are written as `\uXXXX` escapes: the same JSON value, safe to read in a script.
/// Outside strings JSON text is ASCII, so every such character is in a string.
fn json_escape_invisible(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if must_escape(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// True if `s` is standard base64 with padding, which Python's `b64decode` reads.
fn is_standard_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let body = s.trim_end_matches('=');
    b.len() - body.len() <= 2
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// `s` as standard padded base64 (decoded and encoded again only when it is not).
fn standard_base64(s: &str) -> Option<String> {
    if is_standard_base64(s) {
        return Some(s.to_owned());
    }
    decode_base64(s)
        .ok()
        .map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// `snake_case` of a camelCase key (`imageConfig` → `image_config`).
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `camelCase` of a snake_case key (`google_search` → `googleSearch`).
fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `generationConfig` and `tools` as JSON values (small: no images in them), in
/// the order of [`entries`].
fn config_values(gc: &GenerationConfig, tools: &[Tool]) -> Vec<(String, Value)> {
    let mut map = match serde_json::to_value(gc) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    if !tools.is_empty() {
        if let Ok(v) = serde_json::to_value(tools) {
            map.insert("tools".to_owned(), v);
        }
    }
    entries(&map)
}

/// An object's entries as the reference's samples write them (`responseModalities`
/// first, `aspectRatio` before `imageSize`, …); keys this does not know come after,
/// by name. serde_json's map forgets the struct's field order.
fn entries(map: &serde_json::Map<String, Value>) -> Vec<(String, Value)> {
    const ORDER: [&str; 7] = [
        "responseModalities",
        "imageConfig",
        "thinkingConfig",
        "tools",
        "aspectRatio",
        "imageSize",
        "thinkingLevel",
    ];
    let rank = |k: &str| ORDER.iter().position(|o| *o == k).unwrap_or(ORDER.len());
    let mut out: Vec<(String, Value)> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    out.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    out
}

/// A value written on one line.
fn is_scalar_or_empty(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => true,
    }
}

/// Whether an array is written one item a line (it holds objects or arrays).
fn multiline(items: &[Value]) -> bool {
    items.iter().any(|i| {
        matches!(i, Value::Object(m) if !m.is_empty())
            || matches!(i, Value::Array(a) if !a.is_empty())
    })
}

// ------------------------------------------------------------------ curl

/// The awk program the curl script reads the answer with. It splits the JSON at
/// its quotes (one pass; an image's base64 is one piece, never scanned byte by
/// byte), follows the path of every value, prints the non-thought text parts of
/// the first candidate and writes the final image's extension and base64 to the
/// file `out`. It exits 2, saying why, when there is no image. No single quote in
/// it: it is pasted between single quotes.
const AWK_READER: &str = r#"
function fail(msg) { print msg > "/dev/stderr"; exit 2 }
function push(kind) { depth++; kind_of[depth] = kind; at[depth] = 0; key_of[depth] = ""; want_key = (kind == "o") }
function hex4(h,   j, v) {
  v = 0
  for (j = 1; j <= 4; j++) v = v * 16 + index("0123456789abcdef", tolower(substr(h, j, 1))) - 1
  return v
}
function utf8(cp) {
  if (cp < 128) return sprintf("%c", cp)
  if (cp < 2048) return sprintf("%c%c", 192 + int(cp / 64), 128 + cp % 64)
  if (cp < 65536) return sprintf("%c%c%c", 224 + int(cp / 4096), 128 + int(cp / 64) % 64, 128 + cp % 64)
  return sprintf("%c%c%c%c", 240 + int(cp / 262144), 128 + int(cp / 4096) % 64, 128 + int(cp / 64) % 64, 128 + cp % 64)
}
function unescape(s,   out, j, c, cp, lo, used) {
  out = ""
  while ((j = index(s, "\\")) > 0) {
    out = out substr(s, 1, j - 1)
    c = substr(s, j + 1, 1)
    used = 2
    if (c == "n") out = out "\n"
    else if (c == "t") out = out "\t"
    else if (c == "r") out = out "\r"
    else if (c == "b") out = out "\b"
    else if (c == "f") out = out "\f"
    else if (c == "u") {
      cp = hex4(substr(s, j + 2, 4)); used = 6
      if (cp >= 55296 && cp < 56320 && substr(s, j + 6, 2) == "\\u") {
        lo = hex4(substr(s, j + 8, 4))
        if (lo >= 56320 && lo < 57344) { cp = 65536 + (cp - 55296) * 1024 + (lo - 56320); used = 12 }
      }
      out = out utf8(cp)
    } else out = out c
    s = substr(s, j + used)
  }
  return out s
}
function value(v, is_string,   p, j, k, n) {
  p = ""
  for (j = 1; j <= depth; j++) p = p "/" (kind_of[j] == "o" ? key_of[j] : at[j])
  if (p ~ /^\/candidates\/0\/content\/parts\/[0-9]+\//) {
    k = p
    sub(/^\/candidates\/0\/content\/parts\//, "", k)
    n = k
    sub(/\/.*$/, "", n)
    n = n + 1
    sub(/^[0-9]+\//, "", k)
    if (n > parts) parts = n
    if (k == "text" && is_string) text[n] = v
    else if (k == "thought") thought[n] = (v == "true")
    else if (k ~ /^inline_?[dD]ata\/data$/ && is_string) data[n] = v
    else if (k ~ /^inline_?[dD]ata\/mime_?[tT]ype$/ && is_string) mime[n] = v
  } else if (p ~ /^\/candidates\/0\/finish_?[rR]eason$/) finish = v
  else if (p ~ /^\/prompt_?[fF]eedback\/block_?[rR]eason$/) blocked = v
  else if (p == "/error/message") problem = v
}
function scan(t,   j, c, lit) {
  lit = ""
  for (j = 1; j <= length(t); j++) {
    c = substr(t, j, 1)
    if (index("{}[]:, \t\r\n", c) > 0) {
      if (lit != "") { value(lit, 0); lit = "" }
      if (c == "{") push("o")
      else if (c == "[") push("a")
      else if (c == "}" || c == "]") depth--
      else if (c == ",") { if (kind_of[depth] == "a") at[depth]++; else want_key = 1 }
    } else lit = lit c
  }
  if (lit != "") value(lit, 0)
}
function odd_backslashes(s,   n) {
  n = length(s)
  if (substr(s, n, 1) != "\\") return 0
  match(s, /\\+$/)
  return RLENGTH % 2
}
BEGIN { RS = "\001" }
{ doc = doc $0 }
END {
  # Some awks (BWK, as on macOS) also split at newlines: JSON has none in strings.
  if (index(doc, "\n") > 0) gsub(/\n/, " ", doc)
  n = split(doc, piece, "\"")
  i = 1
  while (1) {
    scan(piece[i])
    if (i >= n) break
    i++
    s = piece[i]
    while (odd_backslashes(s) && i < n) { i++; s = s "\"" piece[i] }
    if (kind_of[depth] == "o" && want_key) { key_of[depth] = s; want_key = 0 }
    else value(s, 1)
    if (i >= n) break
    i++
  }
  if (problem != "") fail("The API answered an error: " unescape(problem))
  for (j = 1; j <= parts; j++) if ((j in text) && !thought[j]) printf "%s\n", unescape(text[j])
  last = 0
  for (j = 1; j <= parts; j++) if ((j in data) && !thought[j]) last = j
  if (!last) {
    why = finish != "" ? "finish reason " finish : (blocked != "" ? "prompt blocked: " blocked : "no candidate")
    fail("No image in the answer (" why ").")
  }
  m = tolower(mime[last])
  sub(/;.*$/, "", m)
  gsub(/[ \t]/, "", m)
  ext = (m == "image/jpeg" || m == "image/jpg") ? "jpg" : (m == "image/webp" ? "webp" : "png")
  d = data[last]
  if (index(d, "\\") > 0) gsub(/\\\//, "/", d)
  printf "%s\n%s\n", ext, d > out
  close(out)
}
"#;

fn curl_program(ctx: &Ctx<'_>) -> String {
    let mut s = String::new();
    s.push_str("#!/bin/sh\n");
    s.push_str("# Sends the request Gemini Studio made for this turn, with curl.\n");
    s.push_str("# Needs curl, base64 and awk. Reads the API key from GEMINI_API_KEY; prints the\n");
    s.push_str("# model's text and writes the final image to result.png (or .jpg, .webp) here.\n");
    s.push_str("#   GEMINI_API_KEY=... sh curl.sh\n");
    s.push_str("set -eu\n");
    s.push_str("cd \"$(dirname \"$0\")\"\n");
    s.push_str("if [ -z \"${GEMINI_API_KEY:-}\" ]; then\n");
    s.push_str("  echo 'Set GEMINI_API_KEY to your API key first.' >&2\n");
    s.push_str("  exit 1\n");
    s.push_str("fi\n");
    s.push_str(&format!("url={}\n", shell_quote(ctx.url)));
    s.push_str("tmp=$(mktemp -d)\n");
    s.push_str("trap 'rm -rf \"$tmp\"' EXIT\n");
    if ctx.inline {
        for (i, f) in ctx.files.iter().enumerate() {
            s.push_str(&format!("image_{}={}\n", i + 1, shell_quote(&f.data)));
        }
    } else if !ctx.files.is_empty() {
        s.push_str("# The images, one line of base64 each (GNU, BSD and macOS base64).\n");
        s.push_str("b64() { base64 < \"$1\" | tr -d '\\r\\n'; }\n");
    }
    s.push_str("# The JSON body.\n");
    s.push_str("{\n");
    let pieces = body_pieces(ctx.body);
    // The file of each inline image, in the order the body holds them.
    let order: Vec<(usize, &ImageFile)> = ctx
        .slots
        .iter()
        .flatten()
        .flatten()
        .filter_map(|&i| ctx.files.get(i).map(|f| (i, f)))
        .collect();
    for (k, piece) in pieces.iter().enumerate() {
        if !piece.is_empty() {
            s.push_str(&format!(
                "  printf '%s' {}\n",
                shell_quote(&json_escape_invisible(piece))
            ));
        }
        if let Some((index, file)) = order.get(k) {
            if ctx.inline {
                s.push_str(&format!("  printf '%s' \"$image_{}\"\n", index + 1));
            } else {
                s.push_str(&format!("  b64 {}\n", shell_quote(&file.name)));
            }
        }
    }
    s.push_str("} > \"$tmp/body.json\"\n");
    let header = match ctx.target.key_header {
        KeyHeader::GoogApiKey => "x-goog-api-key: %s\\n",
        KeyHeader::Bearer => "Authorization: Bearer %s\\n",
    };
    s.push_str("# The key goes to curl on its standard input, not on its command line.\n");
    s.push_str(&format!(
        "status=$(printf '{header}' \"$GEMINI_API_KEY\" | curl -sS -X POST \"$url\" \\\n"
    ));
    s.push_str(
        "  -H @- -H 'Content-Type: application/json' --data-binary @\"$tmp/body.json\" \\\n",
    );
    s.push_str("  -o \"$tmp/answer.json\" -w '%{http_code}')\n");
    s.push_str("if [ \"$status\" != 200 ]; then\n");
    s.push_str("  echo \"The API answered HTTP $status:\" >&2\n");
    s.push_str("  cat \"$tmp/answer.json\" >&2\n");
    s.push_str("  echo >&2\n");
    s.push_str("  exit 1\n");
    s.push_str("fi\n");
    s.push_str("# Prints the text parts that are not thoughts; finds the final image: the last\n");
    s.push_str("# image part that is not a thought (its extension, then its base64).\n");
    s.push_str("reader=");
    s.push_str(&shell_quote(AWK_READER));
    s.push('\n');
    s.push_str("LC_ALL=C awk -v out=\"$tmp/image\" \"$reader\" \"$tmp/answer.json\"\n");
    s.push_str("ext=$(head -n 1 \"$tmp/image\")\n");
    s.push_str(&format!(
        "tail -n +2 \"$tmp/image\" | base64 -d > \"{RESULT_STEM}.$ext\"\n"
    ));
    s.push_str(&format!("echo \"Saved {RESULT_STEM}.$ext\" >&2\n"));
    s
}

/// The JSON text of the body cut where each inline image's data goes: one more
/// piece than there are inline images. Outside strings `"data":""` can only be an
/// emptied inline data value (inside a string every `"` is escaped).
fn body_pieces(body: &RequestBody<'_>) -> Vec<String> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Skeleton<'a> {
        contents: Vec<Content>,
        generation_config: &'a GenerationConfig,
        #[serde(skip_serializing_if = "<[Tool]>::is_empty")]
        tools: &'a [Tool],
    }
    let skeleton = Skeleton {
        contents: body
            .contents
            .iter()
            .map(|c| Content {
                role: c.role,
                parts: c.parts.iter().map(without_data).collect(),
            })
            .collect(),
        generation_config: &body.generation_config,
        tools: &body.tools,
    };
    // Serializing plain data with string keys cannot fail.
    let json = serde_json::to_string(&skeleton).unwrap_or_default();
    const PLACE: &str = r#""data":"""#;
    let cut: Vec<&str> = json.split(PLACE).collect();
    let last = cut.len().saturating_sub(1);
    cut.iter()
        .enumerate()
        .map(|(i, p)| {
            // `"data":"` ends a piece and `"` starts the next: the data goes between.
            let mut piece = String::with_capacity(p.len() + PLACE.len());
            if i > 0 {
                piece.push('"');
            }
            piece.push_str(p);
            if i < last {
                piece.push_str(&PLACE[..PLACE.len() - 1]);
            }
            piece
        })
        .collect()
}

/// A copy of `p` with its image data emptied.
fn without_data(p: &Part) -> Part {
    // Destructured so that a new field of `Part` cannot be forgotten here.
    let Part {
        text,
        inline_data,
        thought,
        thought_signature,
    } = p;
    Part {
        text: text.clone(),
        inline_data: inline_data.as_ref().map(|d| InlineData {
            mime_type: d.mime_type.clone(),
            data: Arc::default(),
        }),
        thought: *thought,
        thought_signature: thought_signature.clone(),
    }
}

// ------------------------------------------------------------------ Python

/// Python classes of the `google-genai` SDK for the known config objects.
fn python_class(key: &str) -> Option<&'static str> {
    match key {
        "imageConfig" | "image_config" => Some("types.ImageConfig"),
        "thinkingConfig" | "thinking_config" => Some("types.ThinkingConfig"),
        "googleSearch" | "google_search" => Some("types.GoogleSearch"),
        _ => None,
    }
}

/// A JSON value as a Python expression; objects under a known key become the SDK's
/// classes, others dicts with snake_case keys (pydantic takes either).
fn python_value(v: &Value, class: Option<&str>, indent: usize) -> String {
    let pad = "    ".repeat(indent + 1);
    let end = "    ".repeat(indent);
    match v {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => python_string(s),
        Value::Array(items) if multiline(items) => {
            let mut s = "[\n".to_owned();
            for i in items {
                s.push_str(&format!("{pad}{},\n", python_value(i, None, indent + 1)));
            }
            s.push_str(&end);
            s.push(']');
            s
        }
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|i| python_value(i, None, indent))
                .collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => match class {
            Some(class) if map.is_empty() => format!("{class}()"),
            Some(class) => {
                let mut s = format!("{class}(\n");
                for (k, v) in &entries(map) {
                    s.push_str(&format!(
                        "{pad}{}={},\n",
                        snake_case(k),
                        python_value(v, python_class(k), indent + 1)
                    ));
                }
                s.push_str(&end);
                s.push(')');
                s
            }
            None if map.is_empty() => "{}".to_owned(),
            None => {
                let mut s = "{\n".to_owned();
                for (k, v) in &entries(map) {
                    s.push_str(&format!(
                        "{pad}{}: {},\n",
                        python_string(&snake_case(k)),
                        python_value(v, python_class(k), indent + 1)
                    ));
                }
                s.push_str(&end);
                s.push('}');
                s
            }
        },
    }
}

/// `tools` as Python: each tool a `types.Tool(...)`, one a line.
fn python_tools(v: &Value, indent: usize) -> String {
    match v {
        Value::Array(items) => {
            let pad = "    ".repeat(indent + 1);
            let mut s = "[\n".to_owned();
            for t in items {
                let tool = match t {
                    // A tool with one setting fits on a line: types.Tool(google_search=types.GoogleSearch()).
                    Value::Object(m) if m.len() == 1 => m
                        .iter()
                        .map(|(k, v)| {
                            format!(
                                "types.Tool({}={})",
                                snake_case(k),
                                python_value(v, python_class(k), indent + 1)
                            )
                        })
                        .collect(),
                    other => python_value(other, Some("types.Tool"), indent + 1),
                };
                s.push_str(&format!("{pad}{tool},\n"));
            }
            s.push_str(&"    ".repeat(indent));
            s.push(']');
            s
        }
        other => python_value(other, None, indent),
    }
}

fn python_program(ctx: &Ctx<'_>) -> Result<String, CodegenError> {
    let mut s = String::new();
    s.push_str("\"\"\"Sends the request Gemini Studio made for this turn, with Google's google-genai SDK.\n\n");
    s.push_str(&format!("    pip install {PYTHON_PACKAGE}\n"));
    s.push_str("    GEMINI_API_KEY=... python main.py\n\n");
    s.push_str("Prints the model's text and writes the final image to result.png (or .jpg,\n");
    s.push_str(".webp) beside this file.\n\"\"\"\n\n");
    s.push_str("import base64\nimport os\nimport pathlib\nimport sys\n\n");
    s.push_str("from google import genai\nfrom google.genai import errors, types\n\n");
    s.push_str("HERE = pathlib.Path(__file__).resolve().parent\n");
    s.push_str("API_KEY = os.environ.get(\"GEMINI_API_KEY\")\n");
    s.push_str("if not API_KEY:\n    sys.exit(\"Set GEMINI_API_KEY to your API key first.\")\n\n");
    if ctx.target.key_header == KeyHeader::Bearer {
        s.push_str("\ndef key_as_bearer_only(request):\n");
        s.push_str("    # The SDK always adds x-goog-api-key; this endpoint takes the key as\n");
        s.push_str("    # \"Authorization: Bearer\" (set in headers below) and nothing else.\n");
        s.push_str("    request.headers.pop(\"x-goog-api-key\", None)\n\n\n");
    }
    s.push_str("client = genai.Client(\n");
    s.push_str("    api_key=API_KEY,\n");
    s.push_str("    http_options=types.HttpOptions(\n");
    s.push_str(&format!("        base_url={},\n", python_string(ctx.base)));
    s.push_str("        api_version=\"v1beta\",  # without it the SDK calls /v1/\n");
    if ctx.target.key_header == KeyHeader::Bearer {
        s.push_str("        headers={\"Authorization\": f\"Bearer {API_KEY}\"},\n");
        s.push_str("        client_args={\"event_hooks\": {\"request\": [key_as_bearer_only]}},\n");
    }
    s.push_str("    ),\n)\n\n");

    if !ctx.files.is_empty() {
        if ctx.inline {
            s.push_str("# The request's images, pasted as base64.\n");
            for (i, f) in ctx.files.iter().enumerate() {
                let at = f.parts.first().copied().unwrap_or(PartRef {
                    content: 0,
                    part: 0,
                });
                let data = standard_base64(&f.data).ok_or(CodegenError::BadImageData(at))?;
                s.push_str(&format!(
                    "IMAGE_{} = base64.b64decode({})\n",
                    i + 1,
                    python_string(&data)
                ));
            }
        } else {
            s.push_str("# The request's images, from the files beside this one.\n");
            for (i, f) in ctx.files.iter().enumerate() {
                s.push_str(&format!(
                    "IMAGE_{} = (HERE / {}).read_bytes()\n",
                    i + 1,
                    python_string(&f.name)
                ));
            }
        }
        s.push('\n');
    }

    s.push_str("# The whole conversation, model turns exactly as they came back (thought parts\n");
    s.push_str("# and thought signatures included, each on its part).\n");
    s.push_str("contents = [\n");
    for (ci, content) in ctx.body.contents.iter().enumerate() {
        s.push_str("    types.Content(\n");
        if let Some(role) = content.role {
            s.push_str(&format!(
                "        role={},\n",
                python_string(role_str(role))
            ));
        }
        s.push_str("        parts=[\n");
        for (pi, part) in content.parts.iter().enumerate() {
            let at = PartRef {
                content: ci,
                part: pi,
            };
            let Part {
                text,
                inline_data,
                thought,
                thought_signature,
            } = part;
            let mut args = Vec::new();
            if let Some(t) = text {
                args.push(format!("text={}", python_string(t)));
            }
            if let Some(d) = inline_data {
                args.push(format!(
                    "inline_data=types.Blob(mime_type={}, data=IMAGE_{})",
                    python_string(&d.mime_type),
                    ctx.image_number(ci, pi)
                ));
            }
            if let Some(t) = thought {
                args.push(format!("thought={}", if *t { "True" } else { "False" }));
            }
            if let Some(sig) = thought_signature {
                let std = standard_base64(sig).ok_or(CodegenError::BadSignature(at))?;
                args.push(format!(
                    "thought_signature=base64.b64decode({})",
                    python_string(&std)
                ));
            }
            s.push_str(&format!("            types.Part({}),\n", args.join(", ")));
        }
        s.push_str("        ],\n");
        s.push_str("    ),\n");
    }
    s.push_str("]\n\n");

    s.push_str("try:\n");
    s.push_str("    response = client.models.generate_content(\n");
    s.push_str(&format!(
        "        model={},\n",
        python_string(ctx.target.model)
    ));
    s.push_str("        contents=contents,\n");
    let config = config_values(&ctx.body.generation_config, &ctx.body.tools);
    if !config.is_empty() {
        s.push_str("        config=types.GenerateContentConfig(\n");
        for (k, v) in &config {
            let value = if k == "tools" {
                python_tools(v, 3)
            } else {
                python_value(v, python_class(k), 3)
            };
            s.push_str(&format!("            {}={},\n", snake_case(k), value));
        }
        s.push_str("        ),\n");
    }
    s.push_str("    )\n");
    s.push_str("except errors.APIError as e:\n");
    s.push_str("    sys.exit(f\"The API answered {e.code}: {e.message}\")\n\n");

    s.push_str(PYTHON_RESULT);
    Ok(s)
}

const PYTHON_RESULT: &str = r#"candidate = response.candidates[0] if response.candidates else None
parts = (candidate.content.parts if candidate and candidate.content else None) or []
for part in parts:
    if part.text and not part.thought:
        print(part.text)

# The final image: the last image part that is not a thought (drafts are thoughts).
final = None
for part in parts:
    if part.inline_data and not part.thought:
        final = part.inline_data
if final is None:
    # Enum members print as FinishReason.X: their value is the API's own name.
    if candidate:
        why = f"finish reason {getattr(candidate.finish_reason, 'value', candidate.finish_reason)}"
    elif response.prompt_feedback:
        reason = response.prompt_feedback.block_reason
        why = f"prompt blocked: {getattr(reason, 'value', reason)}"
    else:
        why = "no candidate"
    sys.exit(f"No image in the answer ({why}).")
mime = (final.mime_type or "").split(";")[0].strip().lower()
ext = {"image/jpeg": "jpg", "image/jpg": "jpg", "image/webp": "webp"}.get(mime, "png")
(HERE / f"result.{ext}").write_bytes(final.data)
print(f"Saved result.{ext}", file=sys.stderr)
"#;

fn role_str(role: Role) -> &'static str {
    match role {
        Role::User => "user",
        Role::Model => "model",
    }
}

// ------------------------------------------------------------------ JavaScript

/// An object key as JavaScript writes it: bare when it is an identifier.
fn javascript_key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        k.to_owned()
    } else {
        javascript_string(k)
    }
}

/// A JSON value as a JavaScript expression, keys in camelCase as the SDK's types
/// spell them (`google_search` → `googleSearch`).
fn javascript_value(v: &Value, indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    let end = "  ".repeat(indent);
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => javascript_string(s),
        Value::Array(items) if multiline(items) => {
            let mut s = "[\n".to_owned();
            for i in items {
                s.push_str(&format!("{pad}{},\n", javascript_value(i, indent + 1)));
            }
            s.push_str(&end);
            s.push(']');
            s
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(|i| javascript_value(i, indent)).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) if map.len() == 1 && map.values().all(is_scalar_or_empty) => {
            let (k, v) = map
                .iter()
                .next()
                .map_or((String::new(), Value::Null), |(k, v)| {
                    (k.clone(), v.clone())
                });
            format!(
                "{{ {}: {} }}",
                javascript_key(&camel_case(&k)),
                javascript_value(&v, indent)
            )
        }
        Value::Object(map) => {
            let mut s = "{\n".to_owned();
            for (k, v) in &entries(map) {
                s.push_str(&format!(
                    "{pad}{}: {},\n",
                    javascript_key(&camel_case(k)),
                    javascript_value(v, indent + 1)
                ));
            }
            s.push_str(&end);
            s.push('}');
            s
        }
    }
}

fn javascript_program(ctx: &Ctx<'_>) -> String {
    let mut s = String::new();
    s.push_str(
        "// Sends the request Gemini Studio made for this turn, with Google's @google/genai SDK.\n",
    );
    s.push_str(&format!("//   npm install {JAVASCRIPT_PACKAGE}\n"));
    s.push_str("//   GEMINI_API_KEY=... node main.mjs\n");
    s.push_str("// Prints the model's text and writes the final image to result.png (or .jpg,\n");
    s.push_str("// .webp) beside this file.\n");
    s.push_str("import { readFileSync, writeFileSync } from \"node:fs\";\n");
    s.push_str("import { GoogleGenAI } from \"@google/genai\";\n\n");
    s.push_str("const apiKey = process.env.GEMINI_API_KEY;\n");
    s.push_str("if (!apiKey) {\n  console.error(\"Set GEMINI_API_KEY to your API key first.\");\n  process.exit(1);\n}\n\n");
    s.push_str("const ai = new GoogleGenAI({\n");
    s.push_str("  apiKey,\n");
    s.push_str("  httpOptions: {\n");
    s.push_str(&format!("    baseUrl: {},\n", javascript_string(ctx.base)));
    s.push_str("    apiVersion: \"v1beta\",\n");
    if ctx.target.key_header == KeyHeader::Bearer {
        s.push_str("    headers: { Authorization: `Bearer ${apiKey}` },\n");
        s.push_str("    // The SDK always adds x-goog-api-key; this endpoint takes the key as\n");
        s.push_str("    // \"Authorization: Bearer\" (above) and nothing else.\n");
        s.push_str("    fetch: (url, init) => {\n");
        s.push_str("      const headers = new Headers(init?.headers);\n");
        s.push_str("      headers.delete(\"x-goog-api-key\");\n");
        s.push_str("      return fetch(url, { ...init, headers });\n");
        s.push_str("    },\n");
    }
    s.push_str("  },\n});\n\n");

    if !ctx.files.is_empty() {
        if ctx.inline {
            s.push_str("// The request's images, pasted as base64.\n");
            for (i, f) in ctx.files.iter().enumerate() {
                s.push_str(&format!(
                    "const image{} = {};\n",
                    i + 1,
                    javascript_string(&f.data)
                ));
            }
        } else {
            s.push_str("// The request's images, from the files beside this one, as base64.\n");
            s.push_str("const image = (name) => readFileSync(new URL(name, import.meta.url)).toString(\"base64\");\n");
            for (i, f) in ctx.files.iter().enumerate() {
                s.push_str(&format!(
                    "const image{} = image({});\n",
                    i + 1,
                    javascript_string(&f.name)
                ));
            }
        }
        s.push('\n');
    }

    s.push_str("// The whole conversation, model turns exactly as they came back (thought parts\n");
    s.push_str("// and thought signatures included, each on its part).\n");
    s.push_str("const contents = [\n");
    for (ci, content) in ctx.body.contents.iter().enumerate() {
        s.push_str("  {\n");
        if let Some(role) = content.role {
            s.push_str(&format!(
                "    role: {},\n",
                javascript_string(role_str(role))
            ));
        }
        s.push_str("    parts: [\n");
        for (pi, part) in content.parts.iter().enumerate() {
            let Part {
                text,
                inline_data,
                thought,
                thought_signature,
            } = part;
            let mut fields = Vec::new();
            if let Some(t) = text {
                fields.push(format!("text: {}", javascript_string(t)));
            }
            if let Some(d) = inline_data {
                fields.push(format!(
                    "inlineData: {{ mimeType: {}, data: image{} }}",
                    javascript_string(&d.mime_type),
                    ctx.image_number(ci, pi)
                ));
            }
            if let Some(t) = thought {
                fields.push(format!("thought: {t}"));
            }
            if let Some(sig) = thought_signature {
                fields.push(format!("thoughtSignature: {}", javascript_string(sig)));
            }
            s.push_str(&format!("      {{ {} }},\n", fields.join(", ")));
        }
        s.push_str("    ],\n");
        s.push_str("  },\n");
    }
    s.push_str("];\n\n");

    s.push_str("let response;\ntry {\n");
    s.push_str("  response = await ai.models.generateContent({\n");
    s.push_str(&format!(
        "    model: {},\n",
        javascript_string(ctx.target.model)
    ));
    s.push_str("    contents,\n");
    let config = config_values(&ctx.body.generation_config, &ctx.body.tools);
    if !config.is_empty() {
        s.push_str("    config: {\n");
        for (k, v) in &config {
            s.push_str(&format!(
                "      {}: {},\n",
                javascript_key(&camel_case(k)),
                javascript_value(v, 3)
            ));
        }
        s.push_str("    },\n");
    }
    s.push_str("  });\n");
    s.push_str("} catch (e) {\n  console.error(`The API call failed: ${e.message}`);\n  process.exit(1);\n}\n\n");
    s.push_str(JAVASCRIPT_RESULT);
    s
}

const JAVASCRIPT_RESULT: &str = r#"const candidate = response.candidates?.[0];
const parts = candidate?.content?.parts ?? [];
for (const part of parts) {
  if (part.text && part.thought !== true) console.log(part.text);
}

// The final image: the last image part that is not a thought (drafts are thoughts).
const final = parts.filter((part) => part.inlineData && part.thought !== true).at(-1);
if (!final) {
  const why = candidate
    ? `finish reason ${candidate.finishReason}`
    : response.promptFeedback
      ? `prompt blocked: ${response.promptFeedback.blockReason}`
      : "no candidate";
  console.error(`No image in the answer (${why}).`);
  process.exit(1);
}
const mime = (final.inlineData.mimeType ?? "").split(";")[0].trim().toLowerCase();
const ext = { "image/jpeg": "jpg", "image/jpg": "jpg", "image/webp": "webp" }[mime] ?? "png";
writeFileSync(new URL(`result.${ext}`, import.meta.url), Buffer.from(final.inlineData.data, "base64"));
console.error(`Saved result.${ext}`);
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{AspectRatio, ImageSize, ThinkingLevel};
    use crate::request::{build, user_content, Settings};
    use crate::wire::Content;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use serde_json::json;

    // ------------------------------------------------------------ readers
    //
    // Each program is read back here by a reader of the language's own literal
    // syntax (strict: an escape the language does not have, a raw newline in a
    // string, a stray quote fail the test), and the request it would make is
    // rebuilt and compared with the studio's body.

    #[derive(Clone, Copy, PartialEq)]
    enum Lang {
        Python,
        JavaScript,
    }

    #[derive(Clone, Debug, PartialEq)]
    enum Expr {
        Str(String),
        Num(String),
        Bool(bool),
        Null,
        Ref(String),
        List(Vec<Expr>),
        Obj(Vec<(String, Expr)>),
        Call(String, Vec<Expr>, Vec<(String, Expr)>),
    }

    struct Reader<'a> {
        s: &'a [char],
        at: usize,
        lang: Lang,
    }

    fn hex(digits: &[char]) -> u32 {
        let text: String = digits.iter().collect();
        u32::from_str_radix(&text, 16).unwrap_or_else(|_| panic!("bad hex escape {text:?}"))
    }

    impl Reader<'_> {
        fn peek(&self) -> Option<char> {
            self.s.get(self.at).copied()
        }
        fn skip_space(&mut self) {
            while self.peek().is_some_and(char::is_whitespace) {
                self.at += 1;
            }
        }
        fn eat(&mut self, c: char) {
            self.skip_space();
            assert_eq!(self.peek(), Some(c), "expected {c:?} at {}", self.at);
            self.at += 1;
        }
        fn string(&mut self) -> String {
            self.eat('"');
            let mut out = String::new();
            loop {
                let c = self.peek().expect("unterminated string");
                self.at += 1;
                match c {
                    '"' => return out,
                    '\n' | '\r' => panic!("raw line break in a string literal"),
                    '\\' => {
                        let e = self.peek().expect("escape at end");
                        self.at += 1;
                        let take = |r: &mut Self, n: usize| {
                            let d = r.s[r.at..r.at + n].to_vec();
                            r.at += n;
                            hex(&d)
                        };
                        let ch = match e {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            'r' => '\r',
                            't' => '\t',
                            'x' => char::from_u32(take(self, 2)).unwrap(),
                            'u' if self.lang == Lang::JavaScript && self.peek() == Some('{') => {
                                self.at += 1;
                                let end = self.s[self.at..].iter().position(|&c| c == '}').unwrap();
                                let d = self.s[self.at..self.at + end].to_vec();
                                self.at += end + 1;
                                char::from_u32(hex(&d)).unwrap()
                            }
                            'u' => char::from_u32(take(self, 4)).expect("a surrogate escape"),
                            'U' if self.lang == Lang::Python => {
                                char::from_u32(take(self, 8)).unwrap()
                            }
                            other => panic!("escape \\{other} is not one this writes"),
                        };
                        out.push(ch);
                    }
                    c => out.push(c),
                }
            }
        }
        fn name(&mut self) -> String {
            let start = self.at;
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
            {
                self.at += 1;
            }
            self.s[start..self.at].iter().collect()
        }
        fn expr(&mut self) -> Expr {
            self.skip_space();
            match self.peek().expect("expression at end") {
                '"' => Expr::Str(self.string()),
                '[' => {
                    self.at += 1;
                    let mut items = Vec::new();
                    loop {
                        self.skip_space();
                        if self.peek() == Some(']') {
                            self.at += 1;
                            return Expr::List(items);
                        }
                        items.push(self.expr());
                        self.skip_space();
                        if self.peek() == Some(',') {
                            self.at += 1;
                        }
                    }
                }
                '{' => {
                    self.at += 1;
                    let mut fields = Vec::new();
                    loop {
                        self.skip_space();
                        if self.peek() == Some('}') {
                            self.at += 1;
                            return Expr::Obj(fields);
                        }
                        let key = if self.peek() == Some('"') {
                            self.string()
                        } else {
                            self.name()
                        };
                        self.eat(':');
                        fields.push((key, self.expr()));
                        self.skip_space();
                        if self.peek() == Some(',') {
                            self.at += 1;
                        }
                    }
                }
                c if c.is_ascii_digit() || c == '-' => {
                    let start = self.at;
                    self.at += 1;
                    while self.peek().is_some_and(|c| {
                        c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')
                    }) {
                        self.at += 1;
                    }
                    Expr::Num(self.s[start..self.at].iter().collect())
                }
                _ => {
                    let name = self.name();
                    assert!(
                        !name.is_empty(),
                        "unexpected {:?} at {}",
                        self.peek(),
                        self.at
                    );
                    self.skip_space();
                    if self.peek() != Some('(') {
                        return match name.as_str() {
                            "True" | "true" => Expr::Bool(true),
                            "False" | "false" => Expr::Bool(false),
                            "None" | "null" => Expr::Null,
                            _ => Expr::Ref(name),
                        };
                    }
                    self.at += 1;
                    let (mut args, mut kwargs) = (Vec::new(), Vec::new());
                    loop {
                        self.skip_space();
                        if self.peek() == Some(')') {
                            self.at += 1;
                            return Expr::Call(name, args, kwargs);
                        }
                        let save = self.at;
                        let key = self.name();
                        self.skip_space();
                        if !key.is_empty() && self.peek() == Some('=') {
                            self.at += 1;
                            kwargs.push((key, self.expr()));
                        } else {
                            self.at = save;
                            args.push(self.expr());
                        }
                        self.skip_space();
                        if self.peek() == Some(',') {
                            self.at += 1;
                        }
                    }
                }
            }
        }
    }

    /// Reads the expression that starts right after `marker` in `text`.
    fn expr_after(text: &str, marker: &str, lang: Lang) -> Expr {
        let at = text
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker:?} in:\n{text}"));
        let chars: Vec<char> = text[at + marker.len()..].chars().collect();
        Reader {
            s: &chars,
            at: 0,
            lang,
        }
        .expr()
    }

    fn str_after(text: &str, marker: &str, lang: Lang) -> String {
        match expr_after(text, marker, lang) {
            Expr::Str(s) => s,
            other => panic!("{marker}: not a string: {other:?}"),
        }
    }

    /// The value of an expression; `image` resolves an image reference or call to
    /// its base64.
    fn value_of(e: &Expr, image: &dyn Fn(&Expr) -> Option<String>) -> Value {
        if let Some(b64) = image(e) {
            return Value::String(b64);
        }
        match e {
            Expr::Str(s) => Value::String(s.clone()),
            Expr::Num(n) => serde_json::from_str(n).unwrap(),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Null => Value::Null,
            Expr::List(items) => Value::Array(items.iter().map(|i| value_of(i, image)).collect()),
            Expr::Obj(fields) | Expr::Call(_, _, fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), value_of(v, image)))
                    .collect(),
            ),
            Expr::Ref(name) => panic!("unknown name {name}"),
        }
    }

    /// Keys in camelCase, bytes fields as standard base64 of their bytes.
    fn normalize(v: &Value, key: &str) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let k = camel_case(k);
                        let v = normalize(v, &k);
                        (k, v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|i| normalize(i, key)).collect()),
            Value::String(s) if key == "data" || key == "thoughtSignature" => {
                Value::String(STANDARD.encode(decode_base64(s).expect("bytes field is base64")))
            }
            other => other.clone(),
        }
    }

    fn file_base64(code: &Code, name: &str) -> String {
        let f = code
            .files
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no file {name}"));
        STANDARD.encode(decode_base64(&f.data).unwrap())
    }

    /// The request the Python program makes: (base URL, model, body).
    fn python_request(code: &Code) -> (String, String, Value) {
        let text = &code.python.text;
        let lang = Lang::Python;
        let mut images = std::collections::HashMap::new();
        for line in text.lines().filter(|l| l.starts_with("IMAGE_")) {
            let (name, rest) = line.split_once(" = ").unwrap();
            let b64 = if let Some(file) = rest.strip_prefix("(HERE / ") {
                let file = str_after(file, "", lang);
                assert!(rest.ends_with(").read_bytes()"), "{line}");
                file_base64(code, &file)
            } else {
                match expr_after(rest, "", lang) {
                    Expr::Call(f, args, _) if f == "base64.b64decode" => match args.as_slice() {
                        [Expr::Str(s)] => {
                            assert!(is_standard_base64(s), "b64decode needs standard base64");
                            s.clone()
                        }
                        other => panic!("{other:?}"),
                    },
                    other => panic!("{other:?}"),
                }
            };
            images.insert(name.to_owned(), b64);
        }
        let image = |e: &Expr| match e {
            Expr::Ref(n) if n.starts_with("IMAGE_") => Some(images[n].clone()),
            Expr::Call(f, args, _) if f == "base64.b64decode" => match args.as_slice() {
                [Expr::Str(s)] => {
                    assert!(
                        is_standard_base64(s),
                        "b64decode needs standard base64: {s}"
                    );
                    Some(s.clone())
                }
                other => panic!("{other:?}"),
            },
            _ => None,
        };
        let contents = value_of(&expr_after(text, "contents = ", lang), &image);
        let mut body = json!({ "contents": contents });
        if text.contains("config=types.GenerateContentConfig(") {
            let mut config = value_of(&expr_after(text, "config=", lang), &image);
            let map = config.as_object_mut().unwrap();
            if let Some(tools) = map.remove("tools") {
                body["tools"] = tools;
            }
            body["generationConfig"] = config;
        }
        (
            str_after(text, "base_url=", lang),
            str_after(text, "model=", lang),
            body,
        )
    }

    /// The request the JavaScript program makes: (base URL, model, body).
    fn javascript_request(code: &Code) -> (String, String, Value) {
        let text = &code.javascript.text;
        let lang = Lang::JavaScript;
        let mut images = std::collections::HashMap::new();
        for line in text
            .lines()
            .filter(|l| l.starts_with("const image") && !l.starts_with("const image ="))
        {
            let (name, rest) = line
                .strip_prefix("const ")
                .unwrap()
                .split_once(" = ")
                .unwrap();
            let b64 = match expr_after(rest, "", lang) {
                Expr::Str(s) => s,
                Expr::Call(f, args, _) if f == "image" => match args.as_slice() {
                    [Expr::Str(file)] => file_base64(code, file),
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            };
            images.insert(name.to_owned(), b64);
        }
        let image = |e: &Expr| match e {
            Expr::Ref(n) if n.starts_with("image") => Some(images[n].clone()),
            _ => None,
        };
        let contents = value_of(&expr_after(text, "const contents = ", lang), &image);
        let mut body = json!({ "contents": contents });
        if let Some(at) = text.find("    config: ") {
            let mut config = value_of(&expr_after(&text[at..], "config: ", lang), &image);
            let map = config.as_object_mut().unwrap();
            if let Some(tools) = map.remove("tools") {
                body["tools"] = tools;
            }
            body["generationConfig"] = config;
        }
        (
            str_after(text, "baseUrl: ", lang),
            str_after(text, "    model: ", lang),
            body,
        )
    }

    /// Reads one POSIX shell word made of single-quoted runs and `\'`.
    fn shell_word(w: &str) -> String {
        let mut out = String::new();
        let mut chars = w.chars();
        while let Some(c) = chars.next() {
            match c {
                '\'' => loop {
                    match chars.next().expect("unterminated single quote") {
                        '\'' => break,
                        c => out.push(c),
                    }
                },
                '\\' => out.push(chars.next().expect("backslash at end")),
                other => panic!("unquoted {other:?} in a shell word {w:?}"),
            }
        }
        out
    }

    /// The body the curl script posts: its printf pieces, its files' base64 and its
    /// pasted images, in order. The pieces may span lines (none do today).
    fn curl_body(code: &Code) -> String {
        let text = &code.curl.text;
        let mut vars = std::collections::HashMap::new();
        for line in text.lines().filter(|l| l.starts_with("image_")) {
            let (name, word) = line.split_once('=').unwrap();
            vars.insert(format!("\"${name}\""), shell_word(word));
        }
        let start = text.find("{\n").unwrap() + 2;
        let end = text.find("} > \"$tmp/body.json\"").unwrap();
        let mut body = String::new();
        for line in text[start..end].lines() {
            let line = line.trim_start();
            if let Some(word) = line.strip_prefix("printf '%s' ") {
                match vars.get(word) {
                    Some(data) => body.push_str(data),
                    None => body.push_str(&shell_word(word)),
                }
            } else if let Some(word) = line.strip_prefix("b64 ") {
                body.push_str(&file_base64(code, &shell_word(word)));
            } else {
                panic!("unexpected line in the body: {line}");
            }
        }
        body
    }

    // ------------------------------------------------------------ bodies

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    const NASTY: [&str; 14] = [
        "'; rm -rf ~; '",
        "\"double\" and 'single' quotes",
        "back\\slash \\n \\u0041 \\x41 \\\\",
        "$HOME ${HOME} $(id) `id` %s %d %%",
        "line one\nline two\r\nthree\ttab",
        "naïve café ß 中文 日本語 🎨👩‍👩‍👧",
        "\u{202E}reversed\u{202C} \u{200B}zero\u{FEFF}width \u{2028}sep\u{2029}",
        "\u{0}\u{1}\u{7}\u{1b}[31m red \u{7f}\u{85}\u{9f}",
        "tags \u{E0041}\u{E007F} and soft\u{AD}hyphen",
        "\"data\":\"\" {\"data\":\"\"}",
        "</script><script>alert(1)</script> #{x} {{x}} ${{x}}",
        "EOF\nJSON\n'\n\"\"\"\n'''",
        "   ",
        "",
    ];

    fn random_text(rng: &mut Rng) -> String {
        let mut s = String::new();
        for _ in 0..1 + rng.below(3) {
            s.push_str(NASTY[rng.below(NASTY.len())]);
            if rng.below(3) == 0 {
                // Any scalar value at all, now and then.
                let c = loop {
                    if let Some(c) = char::from_u32((rng.next() % 0x11_0000) as u32) {
                        break c;
                    }
                };
                s.push(c);
            }
        }
        s
    }

    fn random_signature(rng: &mut Rng) -> String {
        let n = 1 + rng.below(40);
        let bytes = rng.bytes(n);
        // The API answers standard base64; a stored turn may hold another form.
        if rng.below(4) == 0 {
            URL_SAFE_NO_PAD.encode(bytes)
        } else {
            STANDARD.encode(bytes)
        }
    }

    fn random_image(rng: &mut Rng, pool: &mut Vec<Part>) -> Part {
        if !pool.is_empty() && rng.below(3) == 0 {
            let reused = rng.pick(pool).clone();
            return Part {
                thought: None,
                thought_signature: None,
                ..reused
            };
        }
        let mime = *rng.pick(&["image/png", "image/jpeg", "image/webp", "image/heic"]);
        let n = rng.below(300);
        let bytes = rng.bytes(n);
        let data = if rng.below(5) == 0 {
            URL_SAFE_NO_PAD.encode(bytes)
        } else {
            STANDARD.encode(bytes)
        };
        let p = Part::image(mime, data);
        pool.push(p.clone());
        p
    }

    fn random_settings(rng: &mut Rng) -> Settings {
        let mut s = Settings {
            model: rng
                .pick(&[
                    "gemini-3.1-flash-image-preview",
                    "gemini-3-pro-image-preview",
                    "gemini-2.5-flash-image",
                    "my-proxy.model_v2",
                ])
                .to_string(),
            image_only: rng.below(2) == 0,
            aspect_ratio: (rng.below(2) == 0).then(|| *rng.pick(&AspectRatio::ALL)),
            image_size: (rng.below(2) == 0).then(|| *rng.pick(&ImageSize::ALL)),
            thinking_level: (rng.below(2) == 0)
                .then(|| *rng.pick(&[ThinkingLevel::Minimal, ThinkingLevel::High])),
            include_thoughts: rng.below(2) == 0,
            google_search: rng.below(2) == 0,
        };
        s.fit_to_model();
        s
    }

    fn random_conversation(rng: &mut Rng, settings: &Settings) -> (Vec<Content>, Content) {
        let mut pool = Vec::new();
        let mut history = Vec::new();
        for _ in 0..rng.below(4) {
            let images: Vec<Part> = (0..rng.below(3))
                .map(|_| random_image(rng, &mut pool))
                .collect();
            history.push(user_content(&random_text(rng), images));
            let mut parts = Vec::new();
            if rng.below(2) == 0 {
                parts.push(Part {
                    thought: Some(true),
                    ..Part::text(random_text(rng))
                });
                for _ in 0..rng.below(3) {
                    parts.push(Part {
                        thought: Some(true),
                        ..random_image(rng, &mut pool)
                    });
                }
            }
            if rng.below(3) > 0 {
                parts.push(Part {
                    thought_signature: Some(random_signature(rng)),
                    ..Part::text(random_text(rng))
                });
            }
            parts.push(Part {
                thought_signature: (rng.below(4) > 0).then(|| random_signature(rng)),
                ..random_image(rng, &mut pool)
            });
            history.push(Content {
                role: Some(Role::Model),
                parts,
            });
        }
        let max = settings.caps().max_images.min(3);
        let images: Vec<Part> = (0..rng.below(max + 1))
            .map(|_| random_image(rng, &mut pool))
            .collect();
        let mut prompt = random_text(rng);
        if prompt.trim().is_empty() {
            prompt.push('x');
        }
        (history, user_content(&prompt, images))
    }

    const BASES: [(&str, &str); 5] = [
        ("https://api.cometapi.com", "https://api.cometapi.com"),
        (
            "https://example.org/tools/studio/",
            "https://example.org/tools/studio",
        ),
        (
            "https://generativelanguage.googleapis.com/v1beta",
            "https://generativelanguage.googleapis.com",
        ),
        (" http://localhost:8787/ ", "http://localhost:8787"),
        (
            "https://x.test/it's/$(id)/`id`",
            "https://x.test/it's/$(id)/`id`",
        ),
    ];

    /// Every program of `code` sends `body` to `base`/`model`, as its language
    /// writes it; checked by reading each program back.
    fn check_programs(code: &Code, body: &RequestBody<'_>, base: &str, model: &str) {
        let studio: Value = serde_json::from_slice(&body.to_json()).unwrap();
        let want = normalize(&studio, "");

        let (py_base, py_model, py_body) = python_request(code);
        assert_eq!((py_base.as_str(), py_model.as_str()), (base, model));
        assert_eq!(
            normalize(&py_body, ""),
            want,
            "Python:\n{}",
            code.python.text
        );

        let (js_base, js_model, js_body) = javascript_request(code);
        assert_eq!((js_base.as_str(), js_model.as_str()), (base, model));
        assert_eq!(
            normalize(&js_body, ""),
            want,
            "JavaScript:\n{}",
            code.javascript.text
        );

        let curl = curl_body(code);
        let curl_value: Value = serde_json::from_str(&curl)
            .unwrap_or_else(|e| panic!("curl body is not JSON ({e}):\n{curl}"));
        assert_eq!(
            normalize(&curl_value, ""),
            want,
            "curl:\n{}",
            code.curl.text
        );
        if code.inline {
            // Pasted images: the very bytes the studio sends, invisible characters escaped.
            let exact = String::from_utf8(body.to_json()).unwrap();
            assert_eq!(curl, json_escape_invisible(&exact));
        }
        let url_line = code
            .curl
            .text
            .lines()
            .find(|l| l.starts_with("url="))
            .unwrap();
        assert_eq!(
            shell_word(&url_line["url=".len()..]),
            format!("{base}/v1beta/models/{model}:generateContent")
        );

        for p in code.programs() {
            assert!(
                p.text.chars().all(|c| c == '\n' || !must_escape(c)),
                "{} holds a raw control or invisible character",
                p.name
            );
        }
    }

    #[test]
    fn programs_reproduce_many_random_requests() {
        let mut rng = Rng(0x5EED_C0DE_1234_5678);
        for round in 0..300 {
            let settings = random_settings(&mut rng);
            let (history, next) = random_conversation(&mut rng, &settings);
            let body = build(&settings, &history, &next).expect("builds");
            let (base_in, base) = *rng.pick(&BASES);
            let key_header = *rng.pick(&[KeyHeader::GoogApiKey, KeyHeader::Bearer]);
            let images = *rng.pick(&[
                Images::Files,
                Images::Inline {
                    max_base64: usize::MAX,
                },
                Images::Inline { max_base64: 200 },
            ]);
            let target = Target {
                base: base_in,
                model: &settings.model,
                key_header,
            };
            let code =
                generate(&body, &target, images).unwrap_or_else(|e| panic!("round {round}: {e}"));
            check_programs(&code, &body, base, &settings.model);
        }
    }

    fn sample_body_parts() -> (Settings, Vec<Content>, Content) {
        let settings = Settings {
            include_thoughts: true,
            thinking_level: Some(ThinkingLevel::High),
            google_search: true,
            aspect_ratio: Some(AspectRatio::R16x9),
            image_size: Some(ImageSize::K2),
            ..Settings::default()
        };
        let shared = Arc::new(STANDARD.encode(b"\x89PNG final"));
        let model = Content {
            role: Some(Role::Model),
            parts: vec![
                Part {
                    thought: Some(true),
                    ..Part::text("thinking about 'it'")
                },
                Part {
                    thought: Some(true),
                    ..Part::image("image/png", STANDARD.encode(b"draft"))
                },
                Part {
                    thought_signature: Some("c2lnLXRleHQ=".into()),
                    ..Part::text("Here it is")
                },
                Part {
                    thought_signature: Some("c2lnLWltYWdl".into()),
                    ..Part::image_shared("image/png", shared.clone())
                },
            ],
        };
        let history = vec![
            user_content(
                "first",
                [Part::image(
                    "image/jpeg",
                    STANDARD.encode(b"\xff\xd8\xff ref"),
                )],
            ),
            model,
        ];
        let next = user_content("again", [Part::image_shared("image/png", shared)]);
        (settings, history, next)
    }

    fn target(key_header: KeyHeader) -> Target<'static> {
        Target {
            base: "https://api.cometapi.com",
            model: "gemini-3.1-flash-image-preview",
            key_header,
        }
    }

    #[test]
    fn images_become_numbered_files_once_each() {
        let (settings, history, next) = sample_body_parts();
        let body = build(&settings, &history, &next).unwrap();
        let code = generate(&body, &target(KeyHeader::GoogApiKey), Images::Files).unwrap();
        let names: Vec<&str> = code.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["image-1.jpg", "image-2.png", "image-3.png"]);
        // The final image of turn 1, used again as the reference of turn 2: one file.
        assert_eq!(
            code.files[2].parts,
            [
                PartRef {
                    content: 1,
                    part: 3
                },
                PartRef {
                    content: 2,
                    part: 1
                }
            ]
        );
        assert!(!code.inline && !code.inline_limit_hit);
        assert!(code.curl.text.contains("  b64 'image-3.png'\n"));
        assert!(code
            .python
            .text
            .contains("IMAGE_3 = (HERE / \"image-3.png\").read_bytes()\n"));
        assert!(code
            .javascript
            .text
            .contains("const image3 = image(\"image-3.png\");\n"));
        check_programs(
            &code,
            &body,
            "https://api.cometapi.com",
            "gemini-3.1-flash-image-preview",
        );
    }

    #[test]
    fn files_hold_the_decoded_bytes() {
        let next = user_content(
            "x",
            [
                Part::image("image/png", URL_SAFE_NO_PAD.encode([0xfb, 0xff])),
                Part::image("image/png", "not base64!".into()),
            ],
        );
        let body = build(&Settings::default(), [], &next).unwrap();
        let code = generate(&body, &target(KeyHeader::GoogApiKey), Images::Files).unwrap();
        assert_eq!(code.files[0].bytes(), Ok(vec![0xfb, 0xff]));
        assert_eq!(
            code.files[1].bytes(),
            Err(CodegenError::BadImageData(PartRef {
                content: 0,
                part: 2
            }))
        );
    }

    #[test]
    fn equal_data_under_other_types_are_other_files() {
        let same = STANDARD.encode(b"same bytes");
        let next = user_content(
            "x",
            [
                Part::image("image/png", same.clone()),
                Part::image("image/png", same.clone()),
                Part::image("image/webp", same),
            ],
        );
        let body = build(&Settings::default(), [], &next).unwrap();
        let code = generate(&body, &target(KeyHeader::GoogApiKey), Images::Files).unwrap();
        let names: Vec<&str> = code.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["image-1.png", "image-2.webp"]);
    }

    #[test]
    fn inline_only_under_the_stated_size() {
        let (settings, history, next) = sample_body_parts();
        let body = build(&settings, &history, &next).unwrap();
        let total: usize = [
            b"\xff\xd8\xff ref".len(),
            b"draft".len(),
            b"\x89PNG final".len(),
        ]
        .iter()
        .map(|n| n.div_ceil(3) * 4)
        .sum();
        let fits = generate(
            &body,
            &target(KeyHeader::GoogApiKey),
            Images::Inline { max_base64: total },
        )
        .unwrap();
        assert!(fits.inline && !fits.inline_limit_hit && fits.files.is_empty());
        assert_eq!(fits.image_base64_bytes, total);
        assert!(!fits.python.text.contains("read_bytes"));
        assert!(fits.python.text.contains("IMAGE_3 = base64.b64decode(\""));
        assert!(fits.curl.text.contains("image_3='"));
        check_programs(
            &fits,
            &body,
            "https://api.cometapi.com",
            "gemini-3.1-flash-image-preview",
        );

        let over = generate(
            &body,
            &target(KeyHeader::GoogApiKey),
            Images::Inline {
                max_base64: total - 1,
            },
        )
        .unwrap();
        assert!(!over.inline && over.inline_limit_hit);
        assert_eq!(over.files.len(), 3);
        assert!(over.python.text.contains("read_bytes"));
        check_programs(
            &over,
            &body,
            "https://api.cometapi.com",
            "gemini-3.1-flash-image-preview",
        );
    }

    #[test]
    fn the_key_header_is_the_studios() {
        let body_parts = sample_body_parts();
        let body = build(&body_parts.0, &body_parts.1, &body_parts.2).unwrap();
        let goog = generate(&body, &target(KeyHeader::GoogApiKey), Images::Files).unwrap();
        let bearer = generate(&body, &target(KeyHeader::Bearer), Images::Files).unwrap();
        for code in [&goog, &bearer] {
            for p in code.programs() {
                assert!(p.text.contains("GEMINI_API_KEY"), "{}", p.name);
            }
        }
        assert!(goog
            .curl
            .text
            .contains("printf 'x-goog-api-key: %s\\n' \"$GEMINI_API_KEY\" | curl"));
        assert!(!goog.curl.text.contains("Bearer"));
        assert!(!goog.python.text.contains("Bearer") && !goog.javascript.text.contains("Bearer"));

        assert!(bearer
            .curl
            .text
            .contains("printf 'Authorization: Bearer %s\\n' \"$GEMINI_API_KEY\" | curl"));
        assert!(!bearer.curl.text.contains("x-goog-api-key"));
        assert!(bearer
            .python
            .text
            .contains("headers={\"Authorization\": f\"Bearer {API_KEY}\"}"));
        assert!(bearer
            .python
            .text
            .contains("request.headers.pop(\"x-goog-api-key\", None)"));
        assert!(bearer
            .python
            .text
            .contains("client_args={\"event_hooks\": {\"request\": [key_as_bearer_only]}}"));
        assert!(bearer
            .javascript
            .text
            .contains("headers: { Authorization: `Bearer ${apiKey}` }"));
        assert!(bearer
            .javascript
            .text
            .contains("headers.delete(\"x-goog-api-key\");"));
    }

    #[test]
    fn python_gets_signatures_and_images_as_standard_base64() {
        let sig = URL_SAFE_NO_PAD.encode([0xfb, 0xff, 0xbf, 0x01]);
        assert_eq!(sig, "-_-_AQ");
        let model = Content {
            role: Some(Role::Model),
            parts: vec![Part {
                thought_signature: Some(sig.clone()),
                ..Part::image("image/png", URL_SAFE_NO_PAD.encode([0xfa, 0xfb]))
            }],
        };
        let history = vec![user_content("a", []), model];
        let next = user_content("b", []);
        let body = build(&Settings::default(), &history, &next).unwrap();
        let code = generate(
            &body,
            &target(KeyHeader::GoogApiKey),
            Images::Inline { max_base64: 100 },
        )
        .unwrap();
        assert!(code
            .python
            .text
            .contains("thought_signature=base64.b64decode(\"+/+/AQ==\")"));
        assert!(code
            .python
            .text
            .contains("IMAGE_1 = base64.b64decode(\"+vs=\")"));
        // JavaScript and curl send the studio's own text.
        assert!(code
            .javascript
            .text
            .contains("thoughtSignature: \"-_-_AQ\""));
        assert!(code.curl.text.contains("\"thoughtSignature\":\"-_-_AQ\""));
        check_programs(
            &code,
            &body,
            "https://api.cometapi.com",
            "gemini-3.1-flash-image-preview",
        );
    }

    #[test]
    fn what_cannot_be_written_is_refused_with_the_reason() {
        let body_parts = sample_body_parts();
        let body = build(&body_parts.0, &body_parts.1, &body_parts.2).unwrap();
        for bad in [
            "",
            "/gemini",
            "api.cometapi.com",
            "ftp://x.test",
            "https://",
            "https://user:pw@x.test",
            "https://x.test/?key=1",
            "https://x.test/a#b",
            "https://x .test",
        ] {
            let t = Target {
                base: bad,
                ..target(KeyHeader::GoogApiKey)
            };
            assert_eq!(
                generate(&body, &t, Images::Files),
                Err(CodegenError::BaseNotAbsolute(bad.to_owned())),
                "{bad}"
            );
        }
        let t = Target {
            model: "a/../b",
            ..target(KeyHeader::GoogApiKey)
        };
        assert_eq!(
            generate(&body, &t, Images::Files),
            Err(CodegenError::InvalidModelId("a/../b".into()))
        );

        let model = Content {
            role: Some(Role::Model),
            parts: vec![Part {
                thought_signature: Some("not base64!".into()),
                ..Part::text("t")
            }],
        };
        let history = vec![user_content("a", []), model];
        let next = user_content("b", []);
        let body = build(&Settings::default(), &history, &next).unwrap();
        let err = generate(&body, &target(KeyHeader::GoogApiKey), Images::Files).unwrap_err();
        assert_eq!(
            err,
            CodegenError::BadSignature(PartRef {
                content: 1,
                part: 0
            })
        );
        assert!(err.to_string().contains("turn 2 part 1"), "{err}");
    }

    #[test]
    fn escapes_read_back_to_the_same_text() {
        let mut rng = Rng(42);
        let mut samples: Vec<String> = NASTY.iter().map(|s| s.to_string()).collect();
        for _ in 0..2000 {
            samples.push(random_text(&mut rng));
        }
        for s in &samples {
            let read = |lit: &str, lang| {
                let chars: Vec<char> = lit.chars().collect();
                let mut r = Reader {
                    s: &chars,
                    at: 0,
                    lang,
                };
                let got = r.string();
                assert_eq!(r.at, chars.len(), "trailing text after {lit:?}");
                got
            };
            assert_eq!(&read(&python_string(s), Lang::Python), s);
            assert_eq!(&read(&javascript_string(s), Lang::JavaScript), s);
            assert_eq!(&shell_word(&shell_quote(s)), s);
            let json = json_escape_invisible(&serde_json::to_string(s).unwrap());
            assert_eq!(&serde_json::from_str::<String>(&json).unwrap(), s);
            // (A shell word holds any character as it is; the scripts only quote
            // JSON text, escaped as here, and checked URLs and file names.)
            for lit in [python_string(s), javascript_string(s), json] {
                assert!(lit.chars().all(|c| !must_escape(c)), "{lit:?}");
            }
        }
        assert_eq!(
            python_string("a\"b\\c\n\u{202e}\u{1F600}\u{E0041}"),
            "\"a\\\"b\\\\c\\n\\u202e\u{1F600}\\U000e0041\""
        );
        assert_eq!(
            javascript_string("$`${x}`\u{E0041}\u{1}"),
            "\"$`${x}`\\u{e0041}\\x01\""
        );
        assert_eq!(shell_quote("'; rm -rf ~; '"), "''\\''; rm -rf ~; '\\'''");
    }

    #[test]
    fn the_awk_reader_can_sit_between_single_quotes() {
        assert!(!AWK_READER.contains('\''));
    }

    #[test]
    fn extensions_come_from_the_type() {
        assert_eq!(file_extension("image/png"), "png");
        assert_eq!(file_extension("IMAGE/JPEG; q=1"), "jpg");
        assert_eq!(file_extension("image/webp"), "webp");
        assert_eq!(file_extension("image/heic"), "heic");
        assert_eq!(file_extension("text/html"), "bin");
        assert_eq!(file_extension(""), "bin");
    }

    #[test]
    fn config_keys_follow_the_reference_order() {
        let body_parts = sample_body_parts();
        let body = build(&body_parts.0, &body_parts.1, &body_parts.2).unwrap();
        let code = generate(&body, &target(KeyHeader::GoogApiKey), Images::Files).unwrap();
        let py = &code.python.text;
        let order = [
            "response_modalities=",
            "image_config=",
            "aspect_ratio=",
            "image_size=",
            "thinking_config=",
            "thinking_level=",
            "include_thoughts=",
            "tools=[",
        ];
        let at: Vec<usize> = order
            .iter()
            .map(|k| py.find(k).unwrap_or_else(|| panic!("{k}")))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{py}");
        assert!(py.contains("types.Tool(google_search=types.GoogleSearch()),"));
        assert!(code.javascript.text.contains("{ googleSearch: {} },"));
    }
}
