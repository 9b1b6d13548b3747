//! Share links: a turn's prompt and settings in the URL fragment
//! (`#share?v=1&prompt=…&model=…`), never the key and never images. The
//! fragment is not sent to any server, so no log holds the prompt.
//!
//! [`parse_fragment`] reads what a link carries from anything a person may
//! open: it never panics, refuses what is too long or badly encoded, and
//! drops (naming them) unknown fields and settings out of range. Applying it
//! is the page's business, and only once the person accepts.

use gemini::models::{is_valid_model_id, AspectRatio, ImageSize, ThinkingLevel};
use gemini::request::MAX_PROMPT_CHARS;
use gemini::Settings;

/// What a share fragment starts with (after `#`).
pub const PREFIX: &str = "share?";
/// The format version written, and the only one read.
pub const VERSION: &str = "1";
/// The longest fragment read, in bytes: a prompt of [`MAX_PROMPT_CHARS`]
/// percent-encoded (up to 12 bytes a character) and the settings.
pub const MAX_FRAGMENT_BYTES: usize = MAX_PROMPT_CHARS * 12 + 1024;

/// What a share link carries, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub prompt: String,
    /// The settings, when the link has any (the model at least).
    pub settings: Option<Settings>,
    /// What the link carried that is not applied, and why.
    pub ignored: Vec<String>,
}

/// Why a share link cannot be used at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    TooLong { bytes: usize },
    BadEncoding(String),
    UnknownVersion(String),
    NoPrompt,
    PromptTooLong { chars: usize },
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLong { bytes } => write!(
                f,
                "the link is too long ({bytes} bytes; at most {MAX_FRAGMENT_BYTES})"
            ),
            Self::BadEncoding(what) => write!(f, "the link is damaged ({what})"),
            Self::UnknownVersion(v) => write!(
                f,
                "the link was made by another version of the studio (format {v})"
            ),
            Self::NoPrompt => write!(f, "the link carries no prompt"),
            Self::PromptTooLong { chars } => write!(
                f,
                "its prompt is {chars} characters long; the most is {MAX_PROMPT_CHARS}"
            ),
        }
    }
}

/// The fragment (without `#`) of a link that carries `prompt` and `settings`.
pub fn share_fragment(prompt: &str, settings: &Settings) -> String {
    let mut out = format!("{PREFIX}v={VERSION}&prompt={}", encode(prompt));
    let mut field = |name: &str, value: &str| {
        out.push('&');
        out.push_str(name);
        out.push('=');
        out.push_str(&encode(value));
    };
    field("model", &settings.model);
    if let Some(r) = settings.aspect_ratio {
        field("ratio", r.as_str());
    }
    if let Some(s) = settings.image_size {
        field("size", s.as_str());
    }
    if let Some(t) = settings.thinking_level {
        field("thinking", t.as_str());
    }
    if settings.image_only {
        field("imageOnly", "1");
    }
    if settings.include_thoughts {
        field("thoughts", "1");
    }
    if settings.google_search {
        field("search", "1");
    }
    out
}

/// Whether a fragment (with or without its `#`) is a share link, without
/// reading it ([`parse_fragment`] is `Some` exactly then).
pub fn is_share_fragment(fragment: &str) -> bool {
    fragment
        .strip_prefix('#')
        .unwrap_or(fragment)
        .starts_with(PREFIX)
}

/// Reads a fragment (with or without its `#`). `None`: it is not a share
/// link (an empty fragment, or anything else), and nothing is said about it.
pub fn parse_fragment(fragment: &str) -> Option<Result<Shared, ShareError>> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let query = fragment.strip_prefix(PREFIX)?;
    Some(parse_query(query))
}

fn parse_query(query: &str) -> Result<Shared, ShareError> {
    let bytes = query.len() + PREFIX.len();
    if bytes > MAX_FRAGMENT_BYTES {
        return Err(ShareError::TooLong { bytes });
    }
    let mut version = None;
    let mut prompt = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut ignored = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name)?;
        let value = decode(value)?;
        match name.as_str() {
            "v" => version = Some(value),
            "prompt" => prompt = Some(value),
            "model" | "ratio" | "size" | "thinking" | "imageOnly" | "thoughts" | "search" => {
                if fields.iter().any(|(n, _)| *n == name) {
                    ignored.push(format!("a second {} (the first is used)", shown(&name)));
                } else {
                    fields.push((name, value));
                }
            }
            _ => ignored.push(format!("unknown field {}", shown(&name))),
        }
    }
    match version {
        Some(v) if v == VERSION => {}
        Some(v) => return Err(ShareError::UnknownVersion(shown(&v))),
        None => return Err(ShareError::UnknownVersion("none".into())),
    }
    let prompt = prompt.unwrap_or_default();
    if prompt.trim().is_empty() {
        return Err(ShareError::NoPrompt);
    }
    let chars = prompt.chars().count();
    if chars > MAX_PROMPT_CHARS {
        return Err(ShareError::PromptTooLong { chars });
    }
    let settings = settings_from(&fields, &mut ignored);
    Ok(Shared {
        prompt,
        settings,
        ignored,
    })
}

fn settings_from(fields: &[(String, String)], ignored: &mut Vec<String>) -> Option<Settings> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let model = get("model")?;
    if !is_valid_model_id(model) {
        ignored.push(format!("the settings: {} is not a model id", shown(model)));
        return None;
    }
    let mut s = Settings {
        model: model.to_owned(),
        image_only: false,
        aspect_ratio: None,
        image_size: None,
        thinking_level: None,
        include_thoughts: false,
        google_search: false,
    };
    if let Some(v) = get("ratio") {
        match AspectRatio::parse(v) {
            Some(r) => s.aspect_ratio = Some(r),
            None => ignored.push(format!(
                "aspect ratio {} (not one the studio knows)",
                shown(v)
            )),
        }
    }
    if let Some(v) = get("size") {
        match ImageSize::parse(v) {
            Some(r) => s.image_size = Some(r),
            None => ignored.push(format!(
                "image size {} (not one the studio knows)",
                shown(v)
            )),
        }
    }
    if let Some(v) = get("thinking") {
        match ThinkingLevel::parse(v) {
            Some(r) => s.thinking_level = Some(r),
            None => ignored.push(format!(
                "thinking level {} (not one the studio knows)",
                shown(v)
            )),
        }
    }
    for (name, what, slot) in [
        ("imageOnly", "Image only", &mut s.image_only),
        ("thoughts", "Include thoughts", &mut s.include_thoughts),
        ("search", "Google Search", &mut s.google_search),
    ] {
        match get(name) {
            None | Some("0") => {}
            Some("1") => *slot = true,
            Some(v) => ignored.push(format!("{what} = {} (should be 1 or 0)", shown(v))),
        }
    }
    ignored.extend(
        s.fit_to_model()
            .into_iter()
            .map(|what| format!("{what}: the model does not take it")),
    );
    Some(s)
}

/// A name or value from the link, short enough to show.
fn shown(s: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(MAX).collect();
    if s.chars().count() > MAX {
        out.push('…');
    }
    format!("“{out}”")
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decodes (`+` is a space, as in a form); the result must be UTF-8.
pub fn decode(s: &str) -> Result<String, ShareError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
                match (hex(i + 1), hex(i + 2)) {
                    (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                    _ => {
                        return Err(ShareError::BadEncoding(
                            "a % not followed by two hex digits".into(),
                        ))
                    }
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| ShareError::BadEncoding("text that is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_fragment_is_known_before_it_is_read() {
        for f in [
            "",
            "#",
            "#top",
            "share",
            "#share",
            "x#share?v=1",
            "#share?",
            "share?v=1&prompt=a",
            "#share?%zz",
        ] {
            assert_eq!(is_share_fragment(f), parse_fragment(f).is_some(), "{f:?}");
        }
    }

    fn settings() -> Settings {
        Settings {
            model: "gemini-3-pro-image-preview".into(),
            image_only: true,
            aspect_ratio: Some(AspectRatio::R16x9),
            image_size: Some(ImageSize::K2),
            thinking_level: None,
            include_thoughts: true,
            google_search: true,
        }
    }

    #[test]
    fn round_trips_prompt_and_settings() {
        let prompt = "A fox & a hare = 100% friends?\n#tag +plus «ünïcode» 🦊 &amp;";
        let f = share_fragment(prompt, &settings());
        assert!(f.starts_with("share?v=1&prompt="));
        assert!(!f.contains(' ') && !f.contains('#') && !f.contains('\n'));
        let got = parse_fragment(&format!("#{f}")).unwrap().unwrap();
        assert_eq!(got.prompt, prompt);
        assert_eq!(got.settings, Some(settings()));
        assert!(got.ignored.is_empty(), "{:?}", got.ignored);
    }

    #[test]
    fn other_fragments_are_not_share_links() {
        for f in ["", "#", "#top", "#share", "share", "#sharex?v=1"] {
            assert_eq!(parse_fragment(f), None, "{f}");
        }
    }

    #[test]
    fn too_long_is_refused_before_decoding() {
        let f = format!("share?v=1&prompt={}", "a".repeat(MAX_FRAGMENT_BYTES));
        assert!(matches!(
            parse_fragment(&f),
            Some(Err(ShareError::TooLong { .. }))
        ));
        let f = format!("share?v=1&prompt={}", "a".repeat(MAX_PROMPT_CHARS + 1));
        assert_eq!(
            parse_fragment(&f),
            Some(Err(ShareError::PromptTooLong {
                chars: MAX_PROMPT_CHARS + 1
            }))
        );
    }

    #[test]
    fn bad_encoding_is_refused() {
        for f in [
            "share?v=1&prompt=%",
            "share?v=1&prompt=%4",
            "share?v=1&prompt=%ZZ",
            "share?v=1&prompt=%C3%28",
            "share?v=1&prompt=%FF%FE",
            "share?v=1&prompt=ok&model=%E2%82",
            "share?v=1&prompt=%ED%A0%80",
        ] {
            assert!(
                matches!(parse_fragment(f), Some(Err(ShareError::BadEncoding(_)))),
                "{f}"
            );
        }
    }

    #[test]
    fn version_and_prompt_are_required() {
        assert!(matches!(
            parse_fragment("share?prompt=x"),
            Some(Err(ShareError::UnknownVersion(_)))
        ));
        assert!(matches!(
            parse_fragment("share?v=2&prompt=x"),
            Some(Err(ShareError::UnknownVersion(_)))
        ));
        assert_eq!(parse_fragment("share?v=1"), Some(Err(ShareError::NoPrompt)));
        assert_eq!(
            parse_fragment("share?v=1&prompt=+%20"),
            Some(Err(ShareError::NoPrompt))
        );
    }

    #[test]
    fn unknown_fields_and_bad_settings_are_named_and_dropped() {
        let f = "share?v=1&prompt=hi&key=SECRET&apiBase=https%3A%2F%2Fevil.example&model=gemini-3.1-flash-image-preview&ratio=99:1&size=16K&thinking=extreme&search=yes&thoughts=1&thoughts=0&&=&image=AAAA";
        let got = parse_fragment(f).unwrap().unwrap();
        assert_eq!(got.prompt, "hi");
        let s = got.settings.unwrap();
        assert_eq!(s.model, "gemini-3.1-flash-image-preview");
        assert_eq!(
            (s.aspect_ratio, s.image_size, s.thinking_level),
            (None, None, None)
        );
        assert!(!s.google_search);
        assert!(s.include_thoughts);
        let all = got.ignored.join("; ");
        for part in [
            "unknown field “key”",
            "unknown field “apiBase”",
            "unknown field “image”",
            "aspect ratio “99:1”",
            "image size “16K”",
            "thinking level “extreme”",
            "Google Search = “yes”",
            "a second “thoughts”",
        ] {
            assert!(all.contains(part), "{part} in {all}");
        }
        assert!(!all.contains("SECRET"));
    }

    #[test]
    fn settings_the_model_does_not_take_are_reset() {
        let f = "share?v=1&prompt=hi&model=gemini-2.5-flash-image&ratio=1:8&size=4K&thinking=high";
        let got = parse_fragment(f).unwrap().unwrap();
        let s = got.settings.unwrap();
        assert_eq!(
            (s.aspect_ratio, s.image_size, s.thinking_level),
            (None, None, None)
        );
        assert_eq!(got.ignored.len(), 3, "{:?}", got.ignored);
    }

    #[test]
    fn a_bad_model_drops_the_settings() {
        let got = parse_fragment("share?v=1&prompt=hi&model=..%2F..%2Fx%3Fkey%3D&ratio=1:1")
            .unwrap()
            .unwrap();
        assert_eq!(got.settings, None);
        assert!(got.ignored[0].contains("not a model id"));
        let got = parse_fragment("share?v=1&prompt=hi&ratio=1:1")
            .unwrap()
            .unwrap();
        assert_eq!(got.settings, None);
    }

    #[test]
    fn long_names_are_cut_when_shown() {
        let name = "x".repeat(10_000);
        let got = parse_fragment(&format!("share?v=1&prompt=hi&{name}=1"))
            .unwrap()
            .unwrap();
        assert!(got.ignored[0].chars().count() < 80);
    }

    #[test]
    fn never_panics_on_arbitrary_input() {
        // A cheap deterministic fuzz: every byte value, truncations of a real
        // link at every position, and random junk after the prefix.
        let real = share_fragment("héllo wörld 🦊", &settings());
        for i in 0..=real.len() {
            let _ = parse_fragment(real.get(..i).unwrap_or(""));
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut s = String::from("share?");
            for _ in 0..(seed % 64) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let alphabet = "%&=+v1promptmodelratiosize:AZaz09ÿ🦊";
                let chars: Vec<char> = alphabet.chars().collect();
                s.push(chars[(seed % chars.len() as u64) as usize]);
            }
            let _ = parse_fragment(&s);
        }
    }
}
