//! Markers in the prompt, and the bodies of successful (200) answers.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::models::{self, ModelSpec, OutputFormat, Thinking};
use crate::render::{self, Look};
use crate::request::{self, GenRequest};

pub const MAX_SLOW_MS: u64 = 600_000;
pub const HTML_TEXT: &str = "<img src=x onerror=alert(1)>";
pub const FINISH_MESSAGE: &str = "Unable to show the generated image. The image was filtered out \
     because it violated Google's Generative AI Prohibited Use policy. You will not be charged \
     for blocked images. Try rephrasing the prompt. If you think this was an error, send \
     feedback.";
pub const MALFORMED_BODY: &str = "{\"candidates\": [{\"content\": <html><head><title>502 Bad \
     Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";

/// An HTTP `Retry-After` header to send with an injected error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: N` (delay in seconds).
    Seconds(u64),
    /// `Retry-After: <IMF-fixdate>`, N seconds after the answer is sent.
    DateIn(u64),
}

/// Which hostile final image `[[svg-image]]`, `[[html-image]]`, `[[mime-lie]]` or
/// `[[huge-dims]]` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// `image/svg+xml` holding an SVG with a `<script>`.
    Svg,
    /// `text/html` holding an HTML page with a `<script>`.
    Html,
    /// Claims `image/png`, holds SVG bytes.
    MimeLie,
    /// A PNG whose IHDR says 30000x30000.
    HugeDims,
}

/// Failure-injection markers found in the last user turn's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markers {
    pub status: Option<String>,
    /// Fail the first N requests that carry this exact prompt with CODE: `(N, CODE)`.
    /// CODE `drop` closes the connection instead.
    pub fail_first: Option<(u32, String)>,
    /// `RetryInfo.retryDelay` of an injected 429.
    pub retry_delay: Option<String>,
    pub retry_after: Option<RetryAfter>,
    /// Close the connection before any response byte.
    pub drop: bool,
    pub echo_key: bool,
    pub finish: Option<String>,
    pub block: Option<String>,
    pub slow_ms: Option<u64>,
    /// Send the start of the answer, then nothing for this long, then the rest.
    pub stall_body_ms: Option<u64>,
    pub stream_delay_ms: Option<u64>,
    pub stream_error: bool,
    pub stream_cut: bool,
    pub malformed: bool,
    pub truncate: bool,
    pub snake: bool,
    pub html_text: bool,
    pub no_image: bool,
    /// The final image is a PNG of this one colour.
    pub solid: Option<render::Rgb>,
    pub hostile: Option<Hostile>,
}

/// Largest N of `[[fail-first:N:CODE]]`.
pub const MAX_FAIL_FIRST: u32 = 1000;
/// Largest `[[retry-after:S]]` / `[[retry-after-date:S]]`, in seconds (one day).
pub const MAX_RETRY_AFTER_S: u64 = 86_400;

/// A protobuf Duration in its JSON form: seconds with up to 9 decimals, then `s`.
fn is_duration(s: &str) -> bool {
    let Some(num) = s.strip_suffix('s') else {
        return false;
    };
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (num, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && int.len() <= 12 && frac.is_none_or(|f| digits(f) && f.len() <= 9)
}

fn parse_rgb(hex: &str) -> Option<render::Rgb> {
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
    };
    Some([byte(0)?, byte(2)?, byte(4)?])
}

fn parse_ms(a: &str) -> Option<u64> {
    a.parse::<u64>().ok().map(|ms| ms.min(MAX_SLOW_MS))
}

impl Markers {
    /// Records one marker (the text between `[[` and `]]`); false if it is not one.
    fn take(&mut self, inner: &str) -> bool {
        let (name, arg) = match inner.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (inner.trim(), None),
        };
        let set = |slot: &mut Option<u64>, v: Option<u64>| match v {
            Some(v) => {
                *slot = Some(v);
                true
            }
            None => false,
        };
        match (name, arg) {
            ("status", Some(a)) if !a.is_empty() => self.status = Some(a.to_string()),
            ("fail-first", Some(a)) if !a.is_empty() => {
                let (n, code) = match a.split_once(':') {
                    Some((n, code)) => match n.trim().parse::<u32>() {
                        Ok(n) if (1..=MAX_FAIL_FIRST).contains(&n) => (n, code.trim()),
                        _ => return false,
                    },
                    None => (1, a),
                };
                if code.is_empty() {
                    return false;
                }
                self.fail_first = Some((n, code.to_string()));
            }
            ("retry-delay", Some(a)) if is_duration(a) => self.retry_delay = Some(a.to_string()),
            ("retry-after", Some(a)) => match a.parse::<u64>() {
                Ok(s) => self.retry_after = Some(RetryAfter::Seconds(s.min(MAX_RETRY_AFTER_S))),
                Err(_) => return false,
            },
            ("retry-after-date", Some(a)) => match a.parse::<u64>() {
                Ok(s) => self.retry_after = Some(RetryAfter::DateIn(s.min(MAX_RETRY_AFTER_S))),
                Err(_) => return false,
            },
            ("drop", None) => self.drop = true,
            ("echo-key", None) => self.echo_key = true,
            ("finish", Some(a)) if !a.is_empty() => self.finish = Some(a.to_string()),
            ("block", Some(a)) if !a.is_empty() => self.block = Some(a.to_string()),
            ("slow", Some(a)) => return set(&mut self.slow_ms, parse_ms(a)),
            ("stall-body", Some(a)) => return set(&mut self.stall_body_ms, parse_ms(a)),
            ("stream-delay", Some(a)) => return set(&mut self.stream_delay_ms, parse_ms(a)),
            ("stream-error", None) => self.stream_error = true,
            ("stream-cut", None) => self.stream_cut = true,
            ("malformed", None) => self.malformed = true,
            ("truncate", None) => self.truncate = true,
            ("snake", None) => self.snake = true,
            ("html-text", None) => self.html_text = true,
            ("no-image", None) => self.no_image = true,
            ("solid", Some(a)) => match parse_rgb(a) {
                Some(rgb) => self.solid = Some(rgb),
                None => return false,
            },
            ("svg-image", None) => self.hostile = Some(Hostile::Svg),
            ("html-image", None) => self.hostile = Some(Hostile::Html),
            ("mime-lie", None) => self.hostile = Some(Hostile::MimeLie),
            ("huge-dims", None) => self.hostile = Some(Hostile::HugeDims),
            _ => return false,
        }
        true
    }

    /// The 429 `retryDelay` to use.
    pub fn retry_delay(&self) -> &str {
        self.retry_delay
            .as_deref()
            .unwrap_or(crate::error::DEFAULT_RETRY_DELAY)
    }
}

/// Finds the markers in `text` and returns them with the text stripped of them (whitespace
/// collapsed). Unknown `[[...]]` sequences are left in the text.
pub fn parse_markers(text: &str) -> (Markers, String) {
    let mut markers = Markers::default();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("]]") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = &after[..end];
        if !markers.take(inner) {
            out.push_str(&rest[start..start + 2 + end + 2]);
        } else {
            out.push(' ');
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    let cleaned = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (markers, cleaned)
}

/// What to draw: size and parameters.
#[derive(Debug, Clone)]
pub struct ImagePlan {
    pub ratio: String,
    pub size: String,
    pub width: u32,
    pub height: u32,
    pub look: Look,
    pub follow_up: bool,
    /// Number of thinking drafts to include (0 unless includeThoughts on a Gemini 3 model).
    pub drafts: usize,
    pub format: OutputFormat,
    /// `[[solid:RRGGBB]]`: the final image is a PNG of this colour.
    pub solid: Option<render::Rgb>,
    /// `[[svg-image]]` and friends: the final image part is hostile.
    pub hostile: Option<Hostile>,
}

/// Encoded images of one answer.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    pub drafts: Vec<Vec<u8>>,
}

/// The final image of the latest model turn in the history, if any.
pub fn previous_image(req: &GenRequest) -> Option<&[u8]> {
    let contents = req.contents();
    let history = &contents[..contents.len().saturating_sub(1)];
    history.iter().rev().filter(|c| c.is_model()).find_map(|c| {
        c.parts
            .iter()
            .rev()
            .filter(|p| !p.thought)
            .find_map(|p| p.inline.as_ref().map(|i| i.bytes.as_slice()))
    })
}

pub fn thinking_high(req: &GenRequest, model: &ModelSpec) -> bool {
    match model.thinking {
        Thinking::AlwaysHigh => true,
        Thinking::Levels => req.thinking_level.as_deref() == Some("high"),
        Thinking::Disabled => false,
    }
}

/// Decides size and look. `prev` is the previous image with what the mock remembers of it.
pub fn plan(
    req: &GenRequest,
    model: &ModelSpec,
    prompt: &str,
    markers: &Markers,
    scale: u32,
    prev: Option<(&[u8], Look)>,
) -> ImagePlan {
    let ratio = req
        .aspect_ratio
        .clone()
        .or_else(|| {
            request::first_input_dims(req)
                .map(|(w, h)| models::nearest_ratio(w, h, model.ratios))
                .map(str::to_string)
        })
        .or_else(|| {
            prev.as_ref()
                .and_then(|(b, _)| render::image_dims(b))
                .map(|(w, h)| models::nearest_ratio(w, h, model.ratios).to_string())
        })
        .unwrap_or_else(|| "1:1".to_string());
    let size = if model.sizes.is_empty() {
        "1K".to_string()
    } else {
        req.image_size.clone().unwrap_or_else(|| "1K".to_string())
    };
    let (width, height) = models::output_dims(&ratio, &size, scale);
    let images: Vec<&[u8]> = req
        .last()
        .map(|c| c.images().map(|i| i.bytes.as_slice()).collect())
        .unwrap_or_default();
    let (look, follow_up) = match prev {
        Some((_, prev_look)) => (prev_look.edited(prompt, &images), true),
        None => (Look::fresh(prompt, &images), false),
    };
    let drafts = if model.gemini3 && req.include_thoughts {
        if thinking_high(req, model) {
            2
        } else {
            1
        }
    } else {
        0
    };
    ImagePlan {
        ratio,
        size,
        width,
        height,
        look,
        follow_up,
        drafts,
        format: model.output,
        solid: markers.solid,
        hostile: markers.hostile,
    }
}

/// Draws and encodes (CPU-bound: call from a blocking thread).
pub fn render_plan(plan: &ImagePlan) -> Result<Rendered, String> {
    let (w, h) = (plan.width, plan.height);
    let (mime, bytes) = match (plan.hostile, plan.solid, plan.format) {
        (Some(Hostile::Svg), _, _) => ("image/svg+xml", render::HOSTILE_SVG.as_bytes().to_vec()),
        (Some(Hostile::Html), _, _) => ("text/html", render::HOSTILE_HTML.as_bytes().to_vec()),
        (Some(Hostile::MimeLie), _, _) => ("image/png", render::HOSTILE_SVG.as_bytes().to_vec()),
        (Some(Hostile::HugeDims), _, _) => ("image/png", render::huge_dims_png()),
        (None, Some(rgb), _) => (
            "image/png",
            render::encode_png(&render::solid(w, h, rgb), w, h)?,
        ),
        (None, None, OutputFormat::Png) => (
            "image/png",
            render::encode_png(&render::render(&plan.look, w, h), w, h)?,
        ),
        (None, None, OutputFormat::Jpeg) => (
            "image/jpeg",
            render::encode_jpeg(&render::render(&plan.look, w, h), w, h)?,
        ),
    };
    let (dw, dh) = ((w / 4).max(8), (h / 4).max(8));
    let mut drafts = Vec::with_capacity(plan.drafts);
    for k in 0..plan.drafts {
        let block = (dw.min(dh) / if k == 0 { 6 } else { 14 }).max(2);
        let d = render::draft(&plan.look, dw, dh, block);
        drafts.push(render::encode_png(&d, dw, dh)?);
    }
    Ok(Rendered {
        mime,
        bytes,
        drafts,
    })
}

fn words_tokens(text: &str) -> u64 {
    let words = text.split_whitespace().count() as u64;
    (words * 13).div_ceil(10)
}

/// Everything a 200 answer needs besides the images.
pub struct Ctx<'a> {
    pub model: &'static ModelSpec,
    pub req: &'a GenRequest,
    pub markers: &'a Markers,
    pub prompt: &'a str,
    pub response_id: String,
}

impl Ctx<'_> {
    fn summary(&self) -> String {
        const MAX: usize = 80;
        let p = self.prompt.trim();
        if p.chars().count() <= MAX {
            p.to_string()
        } else {
            let head: String = p.chars().take(MAX).collect();
            format!("{}…", head.trim_end())
        }
    }

    fn prompt_tokens(&self) -> (u64, u64) {
        let mut text = 0;
        let mut images = 0;
        for c in self.req.contents() {
            for p in &c.parts {
                if let Some(t) = &p.text {
                    text += words_tokens(t);
                }
                if p.inline.is_some() {
                    images += 258;
                }
            }
        }
        (text, images)
    }

    fn thoughts_tokens(&self) -> Option<u64> {
        if !self.model.gemini3 {
            return None;
        }
        let h = render::sha256(self.prompt.as_bytes());
        let base = if thinking_high(self.req, self.model) {
            150
        } else {
            100
        };
        Some(base + (u64::from(h[31]) * 150 / 255))
    }

    /// `usageMetadata`. `output` is the answer's (text, image) tokens, `None` when it has no
    /// content.
    fn usage(&self, output: Option<(u64, u64)>, thinking: bool) -> Value {
        let (text, images) = self.prompt_tokens();
        let prompt = text + images;
        let thoughts = if thinking {
            self.thoughts_tokens()
        } else {
            None
        };
        let modality = |m: &str, n: u64| json!({"modality": m, "tokenCount": n});
        let mut details = vec![modality("TEXT", text)];
        if images > 0 {
            details.push(modality("IMAGE", images));
        }
        let mut u = Map::new();
        u.insert("promptTokenCount".into(), json!(prompt));
        let mut candidates = 0;
        if let Some((out_text, out_images)) = output {
            let mut out_details = Vec::new();
            if out_text > 0 {
                out_details.push(modality("TEXT", out_text));
            }
            if out_images > 0 {
                out_details.push(modality("IMAGE", out_images));
            }
            candidates = out_text + out_images;
            u.insert("candidatesTokenCount".into(), json!(candidates));
            u.insert("candidatesTokensDetails".into(), Value::Array(out_details));
        }
        let total = prompt + candidates + thoughts.unwrap_or(0);
        u.insert("totalTokenCount".into(), json!(total));
        if let Some(t) = thoughts {
            u.insert("thoughtsTokenCount".into(), json!(t));
        }
        u.insert("promptTokensDetails".into(), Value::Array(details));
        Value::Object(u)
    }

    fn wrap(&self, mut body: Map<String, Value>) -> Value {
        body.insert("modelVersion".into(), json!(self.model.name));
        body.insert("responseId".into(), json!(self.response_id));
        Value::Object(body)
    }

    fn thought_text(&self) -> Value {
        let s = self.summary();
        let subject = if s.is_empty() {
            "the reference images".to_string()
        } else {
            format!("\"{s}\"")
        };
        json!({
            "text": format!(
                "**Planning the composition**\n\nI'm working out how to depict {subject}. I'll \
                 block in the layout first, then settle the colour palette and refine the \
                 details.\n\n**Refining the details**\n\nThe rough draft works; now I'm \
                 sharpening edges and balancing the colours."
            ),
            "thought": true
        })
    }

    fn text_part(&self, text: String) -> Value {
        let mut part = Map::new();
        if self.model.gemini3 {
            part.insert(
                "thoughtSignature".into(),
                json!(render::signature(text.as_bytes())),
            );
        }
        part.insert("text".into(), json!(text));
        Value::Object(part)
    }

    fn grounding(&self) -> Value {
        let query: String = self
            .prompt
            .to_lowercase()
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ");
        json!({
            "webSearchQueries": [if query.is_empty() { "image".to_string() } else { query }],
            "groundingChunks": [
                {"web": {"uri": "https://example.com/weather", "title": "Example Weather"}},
                {"web": {"uri": "https://example.org/forecast", "title": "Forecast <b>Org</b>"}}
            ],
            "searchEntryPoint": {
                "renderedContent": "<style>.chip{color:#1a73e8}</style><div class=\"chip\">weather san francisco</div><script>window.parent && (window.parent.__groundingScriptRan = true); document.title='pwned'</script>"
            }
        })
    }

    fn candidate(&self, parts: Vec<Value>) -> Value {
        let mut c = Map::new();
        c.insert("content".into(), json!({"role": "model", "parts": parts}));
        c.insert("finishReason".into(), json!("STOP"));
        c.insert("index".into(), json!(0));
        c.insert("safetyRatings".into(), safety_ratings(None));
        if self.req.google_search {
            c.insert("groundingMetadata".into(), self.grounding());
        }
        Value::Object(c)
    }

    /// A normal answer with an image.
    pub fn image_answer(&self, plan: &ImagePlan, img: &Rendered) -> Value {
        let mut parts = Vec::new();
        let thinking_parts = self.model.gemini3 && self.req.include_thoughts;
        if thinking_parts {
            parts.push(self.thought_text());
            for d in &img.drafts {
                parts.push(json!({
                    "inlineData": {"mimeType": "image/png", "data": STANDARD.encode(d)},
                    "thought": true
                }));
            }
        }
        let mut text_tokens = 0;
        let text = if self.markers.html_text {
            Some(HTML_TEXT.to_string())
        } else if self.req.image_only() {
            None
        } else {
            let s = self.summary();
            Some(match (plan.follow_up, s.is_empty()) {
                (true, true) => "Here is the edited image.".to_string(),
                (true, false) => format!("Here is the edited image: {s}"),
                (false, true) => "Here is your image.".to_string(),
                (false, false) => format!("Here is your image: {s}"),
            })
        };
        if let Some(t) = text {
            text_tokens = words_tokens(&t);
            parts.push(self.text_part(t));
        }
        let mut image = Map::new();
        image.insert(
            "inlineData".into(),
            json!({"mimeType": img.mime, "data": STANDARD.encode(&img.bytes)}),
        );
        if self.model.gemini3 {
            image.insert(
                "thoughtSignature".into(),
                json!(render::signature(&img.bytes)),
            );
        }
        parts.push(Value::Object(image));
        let image_tokens = models::image_tokens(self.model, &plan.size);
        let mut body = Map::new();
        body.insert("candidates".into(), json!([self.candidate(parts)]));
        body.insert(
            "usageMetadata".into(),
            self.usage(Some((text_tokens, image_tokens)), true),
        );
        self.wrap(body)
    }

    /// `[[no-image]]` or `responseModalities: ["TEXT"]`: the model answered with text only.
    pub fn text_answer(&self) -> Value {
        let mut parts = Vec::new();
        if self.model.gemini3 && self.req.include_thoughts {
            parts.push(self.thought_text());
        }
        let s = self.summary();
        let text = if self.markers.html_text {
            HTML_TEXT.to_string()
        } else if self.req.text_only() && !self.markers.no_image {
            format!("Here is a description of the image I would draw: {s}")
        } else if s.is_empty() {
            "I can't create an image for this request, but I'm happy to describe one instead."
                .to_string()
        } else {
            format!(
                "I can't create an image for this request, but here is a description instead: {s}"
            )
        };
        let tokens = words_tokens(&text);
        parts.push(self.text_part(text));
        let mut body = Map::new();
        body.insert("candidates".into(), json!([self.candidate(parts)]));
        body.insert("usageMetadata".into(), self.usage(Some((tokens, 0)), true));
        self.wrap(body)
    }

    /// `[[finish:REASON]]`: a candidate without content.
    pub fn finish_answer(&self, reason: &str) -> Value {
        let candidate = json!({
            "finishReason": reason,
            "finishMessage": FINISH_MESSAGE,
            "index": 0,
            "safetyRatings": safety_ratings(Some(reason)),
        });
        let mut body = Map::new();
        body.insert("candidates".into(), json!([candidate]));
        body.insert("usageMetadata".into(), self.usage(None, true));
        self.wrap(body)
    }

    /// `[[block:REASON]]`: the prompt was blocked, no candidates.
    pub fn block_answer(&self, reason: &str) -> Value {
        let mut body = Map::new();
        body.insert(
            "promptFeedback".into(),
            json!({"blockReason": reason, "safetyRatings": safety_ratings(Some(reason))}),
        );
        body.insert("usageMetadata".into(), self.usage(None, false));
        self.wrap(body)
    }
}

fn safety_ratings(flagged: Option<&str>) -> Value {
    let cats = [
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
    ];
    let flag_dangerous = flagged.is_some_and(|r| r.contains("SAFETY") || r.contains("PROHIBITED"));
    Value::Array(
        cats.iter()
            .map(|c| {
                if flag_dangerous && *c == "HARM_CATEGORY_DANGEROUS_CONTENT" {
                    json!({"category": c, "probability": "HIGH", "blocked": true})
                } else {
                    json!({"category": c, "probability": "NEGLIGIBLE"})
                }
            })
            .collect(),
    )
}

fn to_snake(key: &str) -> String {
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

/// Renames every object key from camelCase to snake_case (for `[[snake]]`).
pub fn snake_case_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (to_snake(&k), snake_case_keys(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(snake_case_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_and_stripped() {
        let (m, text) = parse_markers("a [[status:503]] cat [[slow:250]][[snake]] on a mat");
        assert_eq!(m.status.as_deref(), Some("503"));
        assert_eq!(m.slow_ms, Some(250));
        assert!(m.snake);
        assert_eq!(text, "a cat on a mat");
        let (m, text) = parse_markers("[[finish:IMAGE_SAFETY]][[block:OTHER]][[malformed]][[truncate]][[html-text]][[no-image]]");
        assert_eq!(m.finish.as_deref(), Some("IMAGE_SAFETY"));
        assert_eq!(m.block.as_deref(), Some("OTHER"));
        assert!(m.malformed && m.truncate && m.html_text && m.no_image);
        assert_eq!(text, "");
    }

    #[test]
    fn unknown_or_broken_markers_stay_in_the_text() {
        let (m, text) = parse_markers("keep [[wiki link]] and [[slow:abc]] and [[status:500");
        assert_eq!(m, Markers::default());
        assert_eq!(text, "keep [[wiki link]] and [[slow:abc]] and [[status:500");
    }

    #[test]
    fn fault_markers_are_parsed() {
        let (m, text) = parse_markers(
            "[[fail-first:3:503]] [[retry-delay:1.5s]] [[retry-after:2]] [[stall-body:10]] \
             [[stream-delay:5]] [[stream-error]] [[stream-cut]] [[drop]] [[echo-key]] \
             [[solid:0aFF10]] [[svg-image]] a cat",
        );
        assert_eq!(m.fail_first, Some((3, "503".to_string())));
        assert_eq!(m.retry_delay(), "1.5s");
        assert_eq!(m.retry_after, Some(RetryAfter::Seconds(2)));
        assert_eq!((m.stall_body_ms, m.stream_delay_ms), (Some(10), Some(5)));
        assert!(m.stream_error && m.stream_cut && m.drop && m.echo_key);
        assert_eq!(m.solid, Some([0x0A, 0xFF, 0x10]));
        assert_eq!(m.hostile, Some(Hostile::Svg));
        assert_eq!(text, "a cat");
        let (m, _) = parse_markers("[[fail-first:429-no-quota]] [[retry-after-date:3]]");
        assert_eq!(m.fail_first, Some((1, "429-no-quota".to_string())));
        assert_eq!(m.retry_after, Some(RetryAfter::DateIn(3)));
        assert_eq!(m.retry_delay(), "37s");
        for bad in [
            "[[fail-first:0:503]]",
            "[[fail-first:1001:503]]",
            "[[fail-first:2:]]",
            "[[retry-delay:1.5]]",
            "[[retry-delay:s]]",
            "[[retry-delay:1.s]]",
            "[[retry-delay:-1s]]",
            "[[retry-after:soon]]",
            "[[solid:12345]]",
            "[[solid:gg0000]]",
            "[[stall-body:x]]",
            "[[drop:1]]",
        ] {
            let (m, text) = parse_markers(bad);
            assert_eq!(m, Markers::default(), "{bad}");
            assert_eq!(text, bad);
        }
    }

    #[test]
    fn slow_is_capped() {
        let (m, _) = parse_markers("[[slow:99999999]]");
        assert_eq!(m.slow_ms, Some(MAX_SLOW_MS));
    }

    #[test]
    fn snake_case_conversion() {
        let v = json!({"usageMetadata": {"promptTokenCount": 1}, "parts": [{"inlineData": {"mimeType": "x"}}]});
        assert_eq!(
            snake_case_keys(v),
            json!({"usage_metadata": {"prompt_token_count": 1}, "parts": [{"inline_data": {"mime_type": "x"}}]})
        );
    }
}
