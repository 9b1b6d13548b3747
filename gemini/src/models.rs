//! What each model accepts, as data.
//!
//! Every limit the app enforces (aspect ratios, sizes, thinking, how many reference
//! images) is read from [`MODELS`]; nothing else in the code base names a model.

use serde::{Deserialize, Serialize};

/// Serde through the API's spelling (`"16:9"`, `"1K"`): an enum with `as_str` and `parse`.
macro_rules! wire_string {
    ($ty:ident, $what:literal) => {
        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).ok_or_else(|| format!(concat!("unknown ", $what, " {:?}"), s))
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.as_str().to_owned()
            }
        }
    };
}

/// Output aspect ratio, as the API spells it (`"16:9"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AspectRatio {
    R1x1,
    R2x3,
    R3x2,
    R3x4,
    R4x3,
    R4x5,
    R5x4,
    R9x16,
    R16x9,
    R21x9,
    R1x4,
    R4x1,
    R1x8,
    R8x1,
}

impl AspectRatio {
    /// Every ratio any model takes, in the order the UI lists them.
    pub const ALL: [AspectRatio; 14] = [
        Self::R1x1,
        Self::R2x3,
        Self::R3x2,
        Self::R3x4,
        Self::R4x3,
        Self::R4x5,
        Self::R5x4,
        Self::R9x16,
        Self::R16x9,
        Self::R21x9,
        Self::R1x4,
        Self::R4x1,
        Self::R1x8,
        Self::R8x1,
    ];
    /// The ten ratios every model takes (the first ten of [`AspectRatio::ALL`]).
    pub const COMMON: &'static [AspectRatio] = Self::ALL.split_at(10).0;

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::R1x1 => "1:1",
            Self::R2x3 => "2:3",
            Self::R3x2 => "3:2",
            Self::R3x4 => "3:4",
            Self::R4x3 => "4:3",
            Self::R4x5 => "4:5",
            Self::R5x4 => "5:4",
            Self::R9x16 => "9:16",
            Self::R16x9 => "16:9",
            Self::R21x9 => "21:9",
            Self::R1x4 => "1:4",
            Self::R4x1 => "4:1",
            Self::R1x8 => "1:8",
            Self::R8x1 => "8:1",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

wire_string!(AspectRatio, "aspect ratio");

/// Output resolution. The API wants an upper-case K (`"1k"` is rejected).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ImageSize {
    Px512,
    K1,
    K2,
    K4,
}

impl ImageSize {
    pub const ALL: [ImageSize; 4] = [Self::Px512, Self::K1, Self::K2, Self::K4];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Px512 => "512px",
            Self::K1 => "1K",
            Self::K2 => "2K",
            Self::K4 => "4K",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

wire_string!(ImageSize, "image size");

/// How hard the model thinks before drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThinkingLevel {
    Minimal,
    High,
}

impl ThinkingLevel {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Minimal => "minimal",
            Self::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Minimal, Self::High]
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
    }
}

/// What a model does about thinking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thinking {
    /// No thinking; a `thinkingConfig` is rejected ("Thinking is not enabled").
    Unsupported,
    /// Always thinks at this level; a `thinkingLevel` must not be sent, but
    /// `includeThoughts` may.
    Fixed(ThinkingLevel),
    /// The level can be chosen; `default` is what the model uses when none is sent.
    Choice {
        levels: &'static [ThinkingLevel],
        default: ThinkingLevel,
    },
}

/// One model's capabilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelCaps {
    pub id: &'static str,
    /// A short human name for menus.
    pub label: &'static str,
    /// The date the provider shut the model down, if it did. Retired models stay
    /// selectable for compatible endpoints that still serve them.
    pub retired: Option<&'static str>,
    pub aspect_ratios: &'static [AspectRatio],
    /// Sizes that may be sent; empty means the size is fixed and `imageSize` must
    /// not be sent.
    pub image_sizes: &'static [ImageSize],
    /// What the model outputs when no size is sent, for hints.
    pub default_size_hint: &'static str,
    pub thinking: Thinking,
    /// The most reference images one request may carry.
    pub max_images: usize,
    /// False for a model id the table does not know: its options are not checked.
    pub known: bool,
}

/// The id of the model selected on first start.
pub const DEFAULT_MODEL: &str = "gemini-3.1-flash-image-preview";

/// The models this app knows, newest first.
pub static MODELS: [ModelCaps; 3] = [
    ModelCaps {
        id: "gemini-3.1-flash-image-preview",
        label: "Gemini 3.1 Flash Image",
        retired: None,
        aspect_ratios: &AspectRatio::ALL,
        image_sizes: &ImageSize::ALL,
        default_size_hint: "1K",
        thinking: Thinking::Choice {
            levels: &[ThinkingLevel::Minimal, ThinkingLevel::High],
            default: ThinkingLevel::Minimal,
        },
        max_images: 14,
        known: true,
    },
    ModelCaps {
        id: "gemini-3-pro-image-preview",
        label: "Gemini 3 Pro Image",
        retired: None,
        aspect_ratios: AspectRatio::COMMON,
        image_sizes: &[ImageSize::K1, ImageSize::K2, ImageSize::K4],
        default_size_hint: "1K",
        thinking: Thinking::Fixed(ThinkingLevel::High),
        max_images: 14,
        known: true,
    },
    ModelCaps {
        id: "gemini-2.5-flash-image",
        label: "Gemini 2.5 Flash Image",
        retired: Some("2026-10-02"),
        aspect_ratios: AspectRatio::COMMON,
        image_sizes: &[],
        default_size_hint: "1024 px",
        thinking: Thinking::Unsupported,
        max_images: 3,
        known: true,
    },
];

/// Capabilities assumed for a model id the table does not know: everything is
/// offered and nothing is checked, so a compatible endpoint's own model can be used.
static CUSTOM: ModelCaps = ModelCaps {
    id: "",
    label: "Custom model",
    retired: None,
    aspect_ratios: &AspectRatio::ALL,
    image_sizes: &ImageSize::ALL,
    default_size_hint: "the endpoint's default",
    thinking: Thinking::Choice {
        levels: &[ThinkingLevel::Minimal, ThinkingLevel::High],
        default: ThinkingLevel::Minimal,
    },
    max_images: 14,
    known: false,
};

/// The capabilities of `id`; an unknown id gets the permissive custom entry.
pub fn caps(id: &str) -> &'static ModelCaps {
    MODELS.iter().find(|m| m.id == id).unwrap_or(&CUSTOM)
}

/// The model's name for people: its label, or the id itself for a custom model.
pub fn display_name(id: &str) -> String {
    let caps = caps(id);
    if caps.known {
        caps.label.to_owned()
    } else {
        id.to_owned()
    }
}

/// Whether `id` is a well-formed model id (what may go into the URL path).
pub fn is_valid_model_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

impl ModelCaps {
    pub fn takes_ratio(&self, r: AspectRatio) -> bool {
        self.aspect_ratios.contains(&r)
    }

    pub fn takes_size(&self, s: ImageSize) -> bool {
        self.image_sizes.contains(&s)
    }

    /// Why `r` cannot be chosen on this model, for the UI.
    pub fn ratio_unavailable(&self, r: AspectRatio) -> Option<String> {
        (!self.takes_ratio(r)).then(|| {
            format!(
                "{} is only available on {}",
                r.as_str(),
                models_with(|m| m.takes_ratio(r))
            )
        })
    }

    /// Why `s` cannot be chosen on this model, for the UI.
    pub fn size_unavailable(&self, s: ImageSize) -> Option<String> {
        if self.takes_size(s) {
            None
        } else if self.image_sizes.is_empty() {
            Some(format!(
                "{} always outputs {}",
                self.label, self.default_size_hint
            ))
        } else {
            Some(format!(
                "{} is only available on {}",
                s.as_str(),
                models_with(|m| m.takes_size(s))
            ))
        }
    }

    /// Why the thinking level cannot be chosen on this model, for the UI.
    pub fn thinking_level_unavailable(&self) -> Option<String> {
        match self.thinking {
            Thinking::Choice { .. } => None,
            Thinking::Fixed(l) => Some(format!("{} always thinks at {}", self.label, l.as_str())),
            Thinking::Unsupported => Some(format!("{} does not think", self.label)),
        }
    }

    /// Why thoughts cannot be included on this model, for the UI.
    pub fn thoughts_unavailable(&self) -> Option<String> {
        matches!(self.thinking, Thinking::Unsupported)
            .then(|| format!("{} does not think", self.label))
    }
}

fn models_with(pred: impl Fn(&ModelCaps) -> bool) -> String {
    let names: Vec<&str> = MODELS.iter().filter(|m| pred(m)).map(|m| m.label).collect();
    names.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_model_is_in_the_table() {
        assert_eq!(caps(DEFAULT_MODEL).id, DEFAULT_MODEL);
        assert!(caps(DEFAULT_MODEL).known);
    }

    #[test]
    fn table_matches_the_reference() {
        let flash = caps("gemini-3.1-flash-image-preview");
        assert!(flash.takes_ratio(AspectRatio::R1x8));
        assert!(flash.takes_size(ImageSize::Px512));
        assert_eq!(flash.max_images, 14);

        let pro = caps("gemini-3-pro-image-preview");
        assert!(!pro.takes_ratio(AspectRatio::R1x8));
        assert!(!pro.takes_size(ImageSize::Px512));
        assert!(pro.takes_size(ImageSize::K4));
        assert_eq!(pro.thinking, Thinking::Fixed(ThinkingLevel::High));

        let old = caps("gemini-2.5-flash-image");
        assert!(old.image_sizes.is_empty());
        assert_eq!(old.thinking, Thinking::Unsupported);
        assert_eq!(old.max_images, 3);
        assert!(old.retired.is_some());
    }

    #[test]
    fn unknown_model_is_permissive_and_marked() {
        let c = caps("my-own-model");
        assert!(!c.known);
        assert!(c.takes_size(ImageSize::K4));
    }

    #[test]
    fn reasons_name_the_models_that_have_the_option() {
        let pro = caps("gemini-3-pro-image-preview");
        let why = pro.ratio_unavailable(AspectRatio::R1x8).unwrap();
        assert!(why.contains("Gemini 3.1 Flash Image"), "{why}");
        assert!(pro.ratio_unavailable(AspectRatio::R16x9).is_none());
        let old = caps("gemini-2.5-flash-image");
        assert!(old
            .size_unavailable(ImageSize::K2)
            .unwrap()
            .contains("1024"));
    }

    #[test]
    fn strings_round_trip_and_are_case_exact() {
        for r in AspectRatio::ALL {
            assert_eq!(AspectRatio::parse(r.as_str()), Some(r));
        }
        assert_eq!(ImageSize::parse("1K"), Some(ImageSize::K1));
        assert_eq!(ImageSize::parse("1k"), None);
        assert_eq!(ThinkingLevel::parse("HIGH"), Some(ThinkingLevel::High));
    }

    #[test]
    fn model_ids_are_checked_for_the_url() {
        assert!(is_valid_model_id("gemini-3.1-flash-image-preview"));
        assert!(!is_valid_model_id(""));
        assert!(!is_valid_model_id("../x"));
        assert!(!is_valid_model_id("a b"));
        assert!(!is_valid_model_id("a:generateContent?key=1"));
    }
}
