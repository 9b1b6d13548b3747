//! From the studio's settings and conversation to a request body the API accepts.
//!
//! [`Settings::check`] refuses what the capability table says the model rejects, so
//! the UI cannot send it; [`build`] assembles the body and checks the limits that
//! depend on the images.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::models::{self, caps, AspectRatio, ImageSize, ModelCaps, Thinking, ThinkingLevel};
use crate::wire::{
    Content, GenerationConfig, GoogleSearch, ImageConfig, InlineData, Modality, Part, Role,
    ThinkingConfig, Tool,
};

/// The most base64 the inline images of one request may add up to (the API's limit
/// since January 2026; a proxy in between may allow less).
pub const MAX_INLINE_BASE64: usize = 100 * 1024 * 1024;
/// The longest prompt the studio sends, in characters. The image models take
/// 32 768 (2.5 Flash) to 131 072 input tokens; a token is about four characters
/// of English, so this stays under every model's limit with room for images.
pub const MAX_PROMPT_CHARS: usize = 100_000;
/// The most pixels an image may decode to before the studio refuses to show
/// or decode it (a small file can claim a huge canvas: 30000×30000 is 3.6 GB
/// decoded).
pub const MAX_DECODED_PIXELS: u64 = 50_000_000;
/// The largest single inline image the API takes, in bytes before base64.
pub const MAX_IMAGE_BYTES: usize = 7 * 1024 * 1024;

/// What the user chose in the settings panel. `None` means "not sent": the model's
/// default applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    pub model: String,
    /// Ask for `["IMAGE"]` only instead of `["TEXT", "IMAGE"]`.
    pub image_only: bool,
    pub aspect_ratio: Option<AspectRatio>,
    pub image_size: Option<ImageSize>,
    pub thinking_level: Option<ThinkingLevel>,
    pub include_thoughts: bool,
    pub google_search: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            model: models::DEFAULT_MODEL.to_owned(),
            image_only: false,
            aspect_ratio: None,
            image_size: None,
            thinking_level: None,
            include_thoughts: false,
            google_search: false,
        }
    }
}

/// Why a request was not built. Each says what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    EmptyPrompt,
    PromptTooLong {
        chars: usize,
    },
    InvalidModelId(String),
    Unavailable(String),
    TooManyImages {
        count: usize,
        max: usize,
        model: String,
    },
    ImageTooLarge {
        index: usize,
        bytes: usize,
    },
    TooLarge {
        base64_bytes: usize,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyPrompt => f.write_str("Write a prompt or add an image first."),
            Self::PromptTooLong { chars } => write!(
                f,
                "The prompt is {chars} characters long; the studio sends at most {MAX_PROMPT_CHARS}. Shorten it."
            ),
            Self::InvalidModelId(id) => write!(
                f,
                "\u{201c}{id}\u{201d} is not a model id: use letters, digits, '-', '.' and '_' only."
            ),
            Self::Unavailable(why) => write!(f, "{why}. Pick another option or model."),
            Self::TooManyImages { count, max, model } => write!(
                f,
                "{model} takes at most {max} reference images; this turn has {count}. Remove {} to continue.",
                count - max
            ),
            Self::ImageTooLarge { index, bytes } => write!(
                f,
                "Image {} is {}, over the API's {} limit per image. Use a smaller image.",
                index + 1,
                human_bytes(*bytes as u64),
                human_bytes(MAX_IMAGE_BYTES as u64)
            ),
            Self::TooLarge { base64_bytes } => write!(
                f,
                "The images in this request add up to {} as sent, over the API's {} limit. Remove some images or start a new conversation.",
                human_bytes(*base64_bytes as u64),
                human_bytes(MAX_INLINE_BASE64 as u64)
            ),
        }
    }
}

impl std::error::Error for RequestError {}

impl Settings {
    pub fn caps(&self) -> &'static ModelCaps {
        caps(&self.model)
    }

    /// Refuses any option the model does not take, naming why.
    pub fn check(&self) -> Result<(), RequestError> {
        if !models::is_valid_model_id(&self.model) {
            return Err(RequestError::InvalidModelId(self.model.clone()));
        }
        match self.problems().into_iter().next() {
            Some(why) => Err(RequestError::Unavailable(why)),
            None => Ok(()),
        }
    }

    /// Every chosen option the model does not take, each with its reason.
    pub fn problems(&self) -> Vec<String> {
        let caps = self.caps();
        let mut out = Vec::new();
        if let Some(why) = self.aspect_ratio.and_then(|r| caps.ratio_unavailable(r)) {
            out.push(why);
        }
        if let Some(why) = self.image_size.and_then(|s| caps.size_unavailable(s)) {
            out.push(why);
        }
        if self.thinking_level.is_some() {
            if let Some(why) = caps.thinking_level_unavailable() {
                out.push(why);
            }
        }
        if self.include_thoughts {
            if let Some(why) = caps.thoughts_unavailable() {
                out.push(why);
            }
        }
        out
    }

    /// Clears the options the (newly chosen) model does not take and says what was
    /// cleared, so switching models never leaves the form unsendable.
    pub fn fit_to_model(&mut self) -> Vec<String> {
        let caps = self.caps();
        let mut cleared = Vec::new();
        if let Some(r) = self.aspect_ratio.filter(|r| !caps.takes_ratio(*r)) {
            cleared.push(format!("aspect ratio {} reset to Auto", r.as_str()));
            self.aspect_ratio = None;
        }
        if let Some(s) = self.image_size.filter(|s| !caps.takes_size(*s)) {
            cleared.push(format!("image size {} reset to default", s.as_str()));
            self.image_size = None;
        }
        if self.thinking_level.is_some() && caps.thinking_level_unavailable().is_some() {
            cleared.push("thinking level reset to the model's own".to_owned());
            self.thinking_level = None;
        }
        if self.include_thoughts && caps.thoughts_unavailable().is_some() {
            cleared.push("Include thoughts turned off".to_owned());
            self.include_thoughts = false;
        }
        cleared
    }

    pub fn generation_config(&self) -> GenerationConfig {
        let response_modalities = if self.image_only {
            vec![Modality::Image]
        } else {
            vec![Modality::Text, Modality::Image]
        };
        let image_config =
            (self.aspect_ratio.is_some() || self.image_size.is_some()).then(|| ImageConfig {
                aspect_ratio: self.aspect_ratio.map(String::from),
                image_size: self.image_size.map(String::from),
            });
        let thinking_config = match self.caps().thinking {
            Thinking::Unsupported => None,
            Thinking::Fixed(_) | Thinking::Choice { .. } => {
                let cfg = ThinkingConfig {
                    thinking_level: self.thinking_level.map(|l| l.as_str().to_owned()),
                    include_thoughts: self.include_thoughts.then_some(true),
                };
                (cfg != ThinkingConfig::default()).then_some(cfg)
            }
        };
        GenerationConfig {
            response_modalities,
            image_config,
            thinking_config,
        }
    }

    pub fn tools(&self) -> Vec<Tool> {
        if self.google_search {
            vec![Tool {
                google_search: Some(GoogleSearch {}),
            }]
        } else {
            Vec::new()
        }
    }
}

/// A request body that borrows the conversation instead of copying its images.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestBody<'a> {
    pub contents: Vec<Cow<'a, Content>>,
    pub generation_config: GenerationConfig,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
}

impl RequestBody<'_> {
    /// The same body owning its contents (images are shared, not copied), to
    /// be serialized later ([`Self::to_json`]).
    pub fn into_owned(self) -> RequestBody<'static> {
        RequestBody {
            contents: self
                .contents
                .into_iter()
                .map(|c| Cow::Owned(c.into_owned()))
                .collect(),
            generation_config: self.generation_config,
            tools: self.tools,
        }
    }

    /// About how many bytes [`Self::to_json`] gives, without making them:
    /// the texts and the images' data (nearly all of a body), not the JSON
    /// around them.
    pub fn approx_len(&self) -> usize {
        self.contents
            .iter()
            .flat_map(|c| &c.parts)
            .map(|p| {
                p.text.as_ref().map_or(0, |t| t.len())
                    + p.inline_data.as_ref().map_or(0, |d| d.data.len())
            })
            .sum()
    }

    /// The JSON bytes to send.
    ///
    /// Image data (base64, nearly all of a body's bytes) is copied in as it is:
    /// serde writes only the rest, with every `data` empty, and each image is put
    /// in its place. The bytes are exactly those of `serde_json::to_vec(self)`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut data: Vec<&str> = Vec::new();
        let skeleton = RequestBody {
            contents: self
                .contents
                .iter()
                .map(|c| {
                    Cow::Owned(Content {
                        role: c.role,
                        parts: c.parts.iter().map(|p| without_data(p, &mut data)).collect(),
                    })
                })
                .collect(),
            generation_config: self.generation_config.clone(),
            tools: self.tools.clone(),
        };
        // Serializing plain data with string keys cannot fail.
        let json = serde_json::to_vec(&skeleton).unwrap_or_default();
        splice_data(&json, &data).unwrap_or_else(|| serde_json::to_vec(self).unwrap_or_default())
    }
}

/// A copy of `p` with an empty `data`; the data goes to `out`.
fn without_data<'a>(p: &'a Part, out: &mut Vec<&'a str>) -> Part {
    // Destructured so that a new field of `Part` cannot be forgotten here.
    let Part {
        text,
        inline_data,
        thought,
        thought_signature,
    } = p;
    Part {
        text: text.clone(),
        inline_data: inline_data.as_ref().map(|d| {
            out.push(&d.data);
            InlineData {
                mime_type: d.mime_type.clone(),
                data: Arc::default(),
            }
        }),
        thought: *thought,
        thought_signature: thought_signature.clone(),
    }
}

/// Puts `data`, in order, where the skeleton has `"data":""`. Outside strings,
/// where a `"` is never escaped, that sequence can only be an inline data value.
/// `None` if the skeleton does not have exactly one place per image.
fn splice_data(skeleton: &[u8], data: &[&str]) -> Option<Vec<u8>> {
    const EMPTY: &[u8] = br#""data":"""#;
    let total = skeleton.len() + data.iter().map(|d| d.len()).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    let mut rest = skeleton;
    for d in data {
        let at = rest.windows(EMPTY.len()).position(|w| w == EMPTY)?;
        let (head, tail) = rest.split_at(at + EMPTY.len() - 1);
        out.extend_from_slice(head);
        if needs_escape(d.as_bytes()) {
            // Never for base64; kept correct for anything else.
            let escaped = serde_json::to_vec(d).ok()?;
            out.extend_from_slice(&escaped[1..escaped.len() - 1]);
        } else {
            out.extend_from_slice(d.as_bytes());
        }
        rest = tail;
    }
    if rest.windows(EMPTY.len()).any(|w| w == EMPTY) {
        return None;
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// True if `s` may have a byte JSON must escape (`"`, `\\`, a control
/// character). Checked sixteen bytes at a time, conservatively: any byte below
/// `#` counts (so a space sends a string the slow, exact way; base64 has none).
fn needs_escape(s: &[u8]) -> bool {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    // A byte of `x` below `n` (n <= 0x80), or equal to `\\`.
    let flag = |x: u64| {
        let backslash = x ^ (ONES * u64::from(b'\\'));
        (x.wrapping_sub(ONES * u64::from(b'#')) | backslash.wrapping_sub(ONES))
            & !x
            & !(backslash & HIGH)
            & HIGH
    };
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let mut chunks = s.chunks_exact(16);
    for c in &mut chunks {
        if flag(word(&c[..8])) | flag(word(&c[8..])) != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| b < b'#' || b == b'\\')
}

/// Builds the body for the next turn: the earlier turns exactly as they are in
/// `history` (model turns verbatim), then `next`, with `settings` applied.
pub fn build<'a>(
    settings: &Settings,
    history: impl IntoIterator<Item = &'a Content>,
    next: &'a Content,
) -> Result<RequestBody<'a>, RequestError> {
    settings.check()?;
    let has_text = next
        .parts
        .iter()
        .any(|p| p.text.as_deref().is_some_and(|t| !t.trim().is_empty()));
    let images: Vec<_> = next
        .parts
        .iter()
        .filter_map(|p| p.inline_data.as_ref())
        .collect();
    if !has_text && images.is_empty() {
        return Err(RequestError::EmptyPrompt);
    }
    let chars: usize = next
        .parts
        .iter()
        .filter_map(|p| p.text.as_deref())
        .map(|t| t.chars().count())
        .sum();
    if chars > MAX_PROMPT_CHARS {
        return Err(RequestError::PromptTooLong { chars });
    }
    let caps = settings.caps();
    if images.len() > caps.max_images {
        return Err(RequestError::TooManyImages {
            count: images.len(),
            max: caps.max_images,
            model: caps_name(settings),
        });
    }
    for (index, img) in images.iter().enumerate() {
        let bytes = decoded_len(&img.data);
        if bytes > MAX_IMAGE_BYTES {
            return Err(RequestError::ImageTooLarge { index, bytes });
        }
    }
    let mut contents: Vec<Cow<'a, Content>> = history.into_iter().map(Cow::Borrowed).collect();
    contents.push(Cow::Borrowed(next));
    let base64_bytes: usize = contents
        .iter()
        .flat_map(|c| c.parts.iter())
        .filter_map(|p| p.inline_data.as_ref())
        .map(|d| d.data.len())
        .sum();
    if base64_bytes > MAX_INLINE_BASE64 {
        return Err(RequestError::TooLarge { base64_bytes });
    }
    Ok(RequestBody {
        contents,
        generation_config: settings.generation_config(),
        tools: settings.tools(),
    })
}

fn caps_name(settings: &Settings) -> String {
    models::display_name(&settings.model)
}

/// A user turn: the prompt first, then the images in the order given.
pub fn user_content(prompt: &str, images: impl IntoIterator<Item = crate::wire::Part>) -> Content {
    let mut parts = Vec::new();
    if !prompt.trim().is_empty() {
        parts.push(crate::wire::Part::text(prompt));
    }
    parts.extend(images);
    Content {
        role: Some(Role::User),
        parts,
    }
}

/// The URL to POST to. An empty base means the page's own origin (a proxy).
pub fn endpoint(base: &str, model: &str) -> Result<String, RequestError> {
    if !models::is_valid_model_id(model) {
        return Err(RequestError::InvalidModelId(model.to_owned()));
    }
    let base = base.trim().trim_end_matches('/');
    let base = base.strip_suffix("/v1beta").unwrap_or(base);
    Ok(format!("{base}/v1beta/models/{model}:generateContent"))
}

/// The URL to POST to for a streamed answer (server-sent events).
pub fn stream_endpoint(base: &str, model: &str) -> Result<String, RequestError> {
    endpoint(base, model).map(|url| {
        let base = url.trim_end_matches(":generateContent");
        format!("{base}:streamGenerateContent?alt=sse")
    })
}

/// The number of bytes a base64 string decodes to.
pub fn decoded_len(b64: &str) -> usize {
    let pad = b64.bytes().rev().take_while(|&b| b == b'=').count();
    (b64.len() / 4 * 3 + (b64.len() % 4).saturating_sub(1)).saturating_sub(pad)
}

/// "3.4 MB", "820 KB", "512 B".
pub fn human_bytes(n: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if n >= MB {
        let tenths = (n * 10 + MB / 2) / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else if n >= 1024 {
        format!("{} KB", (n + 512) / 1024)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_over_the_limit_is_not_sent() {
        let long = "a".repeat(MAX_PROMPT_CHARS + 1);
        let next = user_content(&long, []);
        let e = build(&Settings::default(), [], &next).unwrap_err();
        assert_eq!(
            e,
            RequestError::PromptTooLong {
                chars: MAX_PROMPT_CHARS + 1
            }
        );
        assert!(e.to_string().contains("Shorten it"));
        let ok = user_content(&long[1..], []);
        assert!(build(&Settings::default(), [], &ok).is_ok());
    }

    #[test]
    fn the_streamed_endpoint_asks_for_server_sent_events() {
        assert_eq!(
            stream_endpoint("https://x.test/v1beta/", "m-1").unwrap(),
            "https://x.test/v1beta/models/m-1:streamGenerateContent?alt=sse"
        );
        assert_eq!(
            stream_endpoint("", "m").unwrap(),
            "/v1beta/models/m:streamGenerateContent?alt=sse"
        );
        assert!(stream_endpoint("", "a/b").is_err());
    }
    use crate::wire::Part;
    use serde_json::{json, Value};

    fn body(settings: &Settings, next: &Content) -> Value {
        let req = build(settings, [], next).expect("builds");
        serde_json::from_slice(&req.to_json()).unwrap()
    }

    fn with(f: impl FnOnce(&mut Settings)) -> Settings {
        let mut s = Settings::default();
        f(&mut s);
        s
    }

    #[test]
    fn text_to_image_sample() {
        let s = with(|s| {
            s.aspect_ratio = Some(AspectRatio::R1x1);
            s.image_size = Some(ImageSize::K4);
        });
        let next = user_content(
            "A Monarch butterfly anatomical sketch on textured parchment, Da Vinci style",
            [],
        );
        assert_eq!(
            body(&s, &next),
            json!({
                "contents": [{"role": "user", "parts": [{"text": "A Monarch butterfly anatomical sketch on textured parchment, Da Vinci style"}]}],
                "generationConfig": {
                    "responseModalities": ["TEXT", "IMAGE"],
                    "imageConfig": {"aspectRatio": "1:1", "imageSize": "4K"}
                }
            })
        );
    }

    #[test]
    fn image_to_image_and_composition_samples() {
        let s = Settings::default();
        let next = user_content(
            "Blend these images into one scene",
            [
                Part::image("image/jpeg", "AAAA".into()),
                Part::image("image/jpeg", "BBBB".into()),
            ],
        );
        assert_eq!(
            body(&s, &next),
            json!({
                "contents": [{"role": "user", "parts": [
                    {"text": "Blend these images into one scene"},
                    {"inlineData": {"mimeType": "image/jpeg", "data": "AAAA"}},
                    {"inlineData": {"mimeType": "image/jpeg", "data": "BBBB"}}
                ]}],
                "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]}
            })
        );
    }

    #[test]
    fn force_image_only_sample() {
        let s = with(|s| {
            s.image_only = true;
            s.aspect_ratio = Some(AspectRatio::R16x9);
            s.image_size = Some(ImageSize::K2);
        });
        let v = body(
            &s,
            &user_content("A photo-realistic sunset over the ocean", []),
        );
        assert_eq!(
            v["generationConfig"],
            json!({"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}})
        );
    }

    #[test]
    fn thinking_sample() {
        let s = with(|s| {
            s.image_only = true;
            s.thinking_level = Some(ThinkingLevel::High);
            s.include_thoughts = true;
        });
        let v = body(&s, &user_content("A futuristic city", []));
        assert_eq!(
            v["generationConfig"],
            json!({"responseModalities": ["IMAGE"], "thinkingConfig": {"thinkingLevel": "high", "includeThoughts": true}})
        );
    }

    #[test]
    fn search_grounding_sample() {
        let s = with(|s| s.google_search = true);
        let v = body(&s, &user_content("Weather chart", []));
        assert_eq!(v["tools"], json!([{"google_search": {}}]));
    }

    #[test]
    fn pro_takes_include_thoughts_but_never_a_level() {
        let mut s = with(|s| {
            s.model = "gemini-3-pro-image-preview".into();
            s.include_thoughts = true;
        });
        let v = body(&s, &user_content("x", []));
        assert_eq!(
            v["generationConfig"]["thinkingConfig"],
            json!({"includeThoughts": true})
        );
        s.thinking_level = Some(ThinkingLevel::High);
        assert!(matches!(
            build(&s, [], &user_content("x", [])),
            Err(RequestError::Unavailable(_))
        ));
    }

    #[test]
    fn old_flash_gets_no_size_and_no_thinking() {
        let mut s = with(|s| {
            s.model = "gemini-2.5-flash-image".into();
            s.image_size = Some(ImageSize::K2);
            s.include_thoughts = true;
            s.thinking_level = Some(ThinkingLevel::High);
            s.aspect_ratio = Some(AspectRatio::R1x8);
        });
        assert_eq!(s.problems().len(), 4);
        let cleared = s.fit_to_model();
        assert_eq!(cleared.len(), 4, "{cleared:?}");
        let v = body(&s, &user_content("x", []));
        assert_eq!(
            v["generationConfig"],
            json!({"responseModalities": ["TEXT", "IMAGE"]})
        );
    }

    #[test]
    fn flash_only_ratios_and_sizes_are_refused_elsewhere() {
        let s = with(|s| {
            s.model = "gemini-3-pro-image-preview".into();
            s.image_size = Some(ImageSize::Px512);
        });
        let err = build(&s, [], &user_content("x", [])).unwrap_err();
        assert!(err.to_string().contains("512px"), "{err}");
    }

    #[test]
    fn custom_models_are_not_checked_but_ids_are() {
        let s = with(|s| {
            s.model = "my-proxy-model".into();
            s.image_size = Some(ImageSize::Px512);
        });
        assert!(build(&s, [], &user_content("x", [])).is_ok());
        let bad = with(|s| s.model = "x/../y".into());
        assert!(matches!(
            build(&bad, [], &user_content("x", [])),
            Err(RequestError::InvalidModelId(_))
        ));
    }

    #[test]
    fn empty_prompt_without_images_is_refused() {
        let s = Settings::default();
        assert_eq!(
            build(&s, [], &user_content("   ", [])).unwrap_err(),
            RequestError::EmptyPrompt
        );
        assert!(build(
            &s,
            [],
            &user_content("", [Part::image("image/png", "AAAA".into())])
        )
        .is_ok());
    }

    #[test]
    fn image_limits_come_from_the_table() {
        let img = || Part::image("image/png", "AAAA".into());
        let s = with(|s| s.model = "gemini-2.5-flash-image".into());
        assert!(build(&s, [], &user_content("x", (0..3).map(|_| img()))).is_ok());
        let err = build(&s, [], &user_content("x", (0..4).map(|_| img()))).unwrap_err();
        assert!(err.to_string().contains("at most 3"), "{err}");
        let s = Settings::default();
        assert!(build(&s, [], &user_content("x", (0..14).map(|_| img()))).is_ok());
        let err = build(&s, [], &user_content("x", (0..15).map(|_| img()))).unwrap_err();
        assert!(err.to_string().contains("at most 14"), "{err}");
    }

    #[test]
    fn oversized_requests_are_refused_before_sending() {
        let s = Settings::default();
        let big = "A".repeat(MAX_IMAGE_BYTES / 3 * 4 + 8);
        let err = build(&s, [], &user_content("x", [Part::image("image/png", big)])).unwrap_err();
        assert!(matches!(err, RequestError::ImageTooLarge { index: 0, .. }));

        let six_mb = "A".repeat(6 * 1024 * 1024 / 3 * 4);
        let history: Vec<Content> = (0..3)
            .map(|_| {
                user_content(
                    "x",
                    (0..6).map(|_| Part::image("image/png", six_mb.clone())),
                )
            })
            .collect();
        let err = build(&s, &history, &user_content("x", [])).unwrap_err();
        assert!(matches!(err, RequestError::TooLarge { .. }), "{err:?}");
    }

    #[test]
    fn history_is_sent_before_the_new_turn() {
        let s = Settings::default();
        let model_turn = Content {
            role: Some(Role::Model),
            parts: vec![Part {
                thought_signature: Some("sig".into()),
                ..Part::image("image/png", "AAAA".into())
            }],
        };
        let history = vec![user_content("first", []), model_turn];
        let next = user_content("second", []);
        let v: Value =
            serde_json::from_slice(&build(&s, &history, &next).unwrap().to_json()).unwrap();
        assert_eq!(v["contents"].as_array().unwrap().len(), 3);
        assert_eq!(v["contents"][1]["role"], "model");
        assert_eq!(v["contents"][1]["parts"][0]["thoughtSignature"], "sig");
        assert_eq!(v["contents"][2]["parts"][0]["text"], "second");
    }

    #[test]
    fn to_json_is_byte_for_byte_serde_json() {
        let s = with(|s| {
            s.google_search = true;
            s.include_thoughts = true;
        });
        let model_turn = Content {
            role: Some(Role::Model),
            parts: vec![
                Part {
                    thought: Some(true),
                    ..Part::text("thinking \"data\":\"\" {\"data\":\"\"}")
                },
                Part {
                    thought: Some(true),
                    ..Part::image("image/png", "ZHJhZnQ=".into())
                },
                Part {
                    thought_signature: Some("c2ln\"\\".into()),
                    ..Part::image("image/jpeg", "QUJD".repeat(1000))
                },
                // Data that is not base64 is still escaped as JSON wants.
                Part::image("image/png", "a\"b\\c\nd\u{1}e\u{e9}\u{1F600}".into()),
                Part::image("image/png", String::new()),
            ],
        };
        let history = vec![user_content("first \"data\":\"\"", []), model_turn];
        let next = user_content(
            "data:\"\"",
            [
                Part::image("image/png", "AAAA".into()),
                Part::image("image/webp", "B".repeat(4097)),
            ],
        );
        let body = build(&s, &history, &next).unwrap();
        assert_eq!(body.to_json(), serde_json::to_vec(&body).unwrap());
        // Owned (to be serialized later), the same bytes; its estimate is
        // the texts and the data, below the whole.
        let json = body.to_json();
        let estimate = body.approx_len();
        let owned = body.clone().into_owned();
        assert_eq!(owned, body);
        assert_eq!(owned.to_json(), json);
        assert_eq!(owned.approx_len(), estimate);
        assert!(
            estimate > 4000 + 4097 && estimate < json.len(),
            "{estimate}"
        );
        let only_text = user_content("x", []);
        let empty = build(&s, [], &only_text).unwrap();
        assert_eq!(empty.to_json(), serde_json::to_vec(&empty).unwrap());
    }

    #[test]
    fn escape_check_matches_the_plain_definition() {
        let mut seed = 0x9E3779B97F4A7C15u64;
        for round in 0..20_000 {
            let len = round % 70;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Mostly base64-like bytes, sometimes anything.
                    if seed.is_multiple_of(97) {
                        (seed >> 24) as u8
                    } else {
                        b"ABCxyz019+/=-_"[(seed >> 8) as usize % 14]
                    }
                })
                .collect();
            let plain = bytes.iter().any(|&b| b < b'#' || b == b'\\');
            assert_eq!(needs_escape(&bytes), plain, "{bytes:?}");
        }
    }

    #[test]
    fn escape_check_finds_every_byte_json_escapes() {
        for len in 0..24 {
            let plain = vec![b'Q'; len];
            assert!(!needs_escape(&plain));
            for at in 0..len {
                for bad in [b'"', b'\\', 0u8, 0x1f, b'\n'] {
                    let mut v = plain.clone();
                    v[at] = bad;
                    assert!(needs_escape(&v), "{len} {at} {bad}");
                }
                for ok in [b'#', b'~', 0x7f, 0x80, 0xff, b'/', b'+', b'=', b'[', b']'] {
                    let mut v = plain.clone();
                    v[at] = ok;
                    assert!(!needs_escape(&v), "{len} {at} {ok}");
                }
            }
        }
    }

    #[test]
    fn endpoint_urls() {
        let m = "gemini-3.1-flash-image-preview";
        assert_eq!(
            endpoint("", m).unwrap(),
            "/v1beta/models/gemini-3.1-flash-image-preview:generateContent"
        );
        assert_eq!(
            endpoint("https://api.cometapi.com/", m).unwrap(),
            "https://api.cometapi.com/v1beta/models/gemini-3.1-flash-image-preview:generateContent"
        );
        assert_eq!(
            endpoint("https://x.test/v1beta", m).unwrap(),
            "https://x.test/v1beta/models/gemini-3.1-flash-image-preview:generateContent"
        );
        assert!(endpoint("", "a?key=b").is_err());
    }

    #[test]
    fn decoded_len_matches_base64() {
        use base64::Engine;
        for n in 0..20 {
            let s = base64::engine::general_purpose::STANDARD.encode(vec![7u8; n]);
            assert_eq!(decoded_len(&s), n, "{s}");
        }
    }

    #[test]
    fn settings_survive_json_and_tolerate_junk() {
        let s = with(|s| {
            s.aspect_ratio = Some(AspectRatio::R21x9);
            s.image_size = Some(ImageSize::K2);
        });
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Settings>(&text).unwrap(), s);
        assert!(serde_json::from_str::<Settings>(r#"{"aspectRatio":"7:7"}"#).is_err());
        assert_eq!(
            serde_json::from_str::<Settings>("{}").unwrap(),
            Settings::default()
        );
    }
}
