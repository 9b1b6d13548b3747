//! The mock's own table of image models (deliberately independent of the app's).

/// How a model treats `thinkingConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thinking {
    /// `thinkingLevel` may be `minimal` or `high`.
    Levels,
    /// Always thinks at high; a `thinkingLevel` is rejected, `includeThoughts` is fine.
    AlwaysHigh,
    /// No thinking: any `thinkingConfig` is rejected.
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Png,
    Jpeg,
}

#[derive(Debug)]
pub struct ModelSpec {
    pub name: &'static str,
    pub max_images: usize,
    /// Accepted `imageSize` values; empty means "no imageSize allowed".
    pub sizes: &'static [&'static str],
    pub ratios: &'static [&'static str],
    pub thinking: Thinking,
    /// Gemini 3 models: thought signatures, thoughtsTokenCount.
    pub gemini3: bool,
    pub output: OutputFormat,
    /// Output tokens of one final image per `imageSize` (the first entry when no size is sent
    /// or the model takes none).
    pub image_tokens: &'static [(&'static str, u64)],
}

pub const COMMON_RATIOS: &[&str] = &[
    "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9",
];
pub const FLASH31_RATIOS: &[&str] = &[
    "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "1:4", "4:1", "1:8",
    "8:1",
];

pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        name: "gemini-3.1-flash-image-preview",
        max_images: 14,
        sizes: &["512px", "1K", "2K", "4K"],
        ratios: FLASH31_RATIOS,
        thinking: Thinking::Levels,
        gemini3: true,
        output: OutputFormat::Png,
        image_tokens: &[("1K", 1120), ("512px", 747), ("2K", 1680), ("4K", 2520)],
    },
    ModelSpec {
        name: "gemini-3-pro-image-preview",
        max_images: 14,
        sizes: &["1K", "2K", "4K"],
        ratios: COMMON_RATIOS,
        thinking: Thinking::AlwaysHigh,
        gemini3: true,
        output: OutputFormat::Jpeg,
        image_tokens: &[("1K", 1120), ("2K", 1120), ("4K", 2000)],
    },
    ModelSpec {
        name: "gemini-2.5-flash-image",
        max_images: 3,
        sizes: &[],
        ratios: COMMON_RATIOS,
        thinking: Thinking::Disabled,
        gemini3: false,
        output: OutputFormat::Png,
        image_tokens: &[("1K", 1290)],
    },
];

pub fn lookup(name: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|m| m.name == name)
}

/// The 1K pixel size of an aspect ratio.
pub fn base_dims(ratio: &str) -> Option<(u32, u32)> {
    Some(match ratio {
        "1:1" => (1024, 1024),
        "2:3" => (848, 1264),
        "3:2" => (1264, 848),
        "3:4" => (896, 1200),
        "4:3" => (1200, 896),
        "4:5" => (928, 1152),
        "5:4" => (1152, 928),
        "9:16" => (768, 1376),
        "16:9" => (1376, 768),
        "21:9" => (1584, 672),
        "1:4" => (512, 2048),
        "4:1" => (2048, 512),
        "1:8" => (384, 3072),
        "8:1" => (3072, 384),
        _ => return None,
    })
}

/// Output pixel size for a ratio and an `imageSize`, divided by `scale` (at least 8 px a side).
pub fn output_dims(ratio: &str, size: &str, scale: u32) -> (u32, u32) {
    let (w, h) = base_dims(ratio).unwrap_or((1024, 1024));
    let (w, h) = match size {
        "512px" => (w / 2, h / 2),
        "2K" => (w * 2, h * 2),
        "4K" => (w * 4, h * 4),
        _ => (w, h),
    };
    let scale = scale.max(1);
    ((w / scale).max(8), (h / scale).max(8))
}

/// Output tokens of one final image of `size` (the model's 1K figure for a size it does not
/// list).
pub fn image_tokens(model: &ModelSpec, size: &str) -> u64 {
    let find = |s: &str| {
        model
            .image_tokens
            .iter()
            .find(|(k, _)| *k == s)
            .map(|(_, t)| *t)
    };
    find(size)
        .or_else(|| model.image_tokens.first().map(|(_, t)| *t))
        .unwrap_or(0)
}

/// The supported ratio nearest (in log space) to `w`:`h`.
pub fn nearest_ratio(w: u32, h: u32, ratios: &[&'static str]) -> &'static str {
    let target = (f64::from(w.max(1)) / f64::from(h.max(1))).ln();
    let mut best = "1:1";
    let mut best_d = f64::INFINITY;
    for &r in ratios {
        let Some((a, b)) = r.split_once(':') else {
            continue;
        };
        let (Ok(a), Ok(b)) = (a.parse::<f64>(), b.parse::<f64>()) else {
            continue;
        };
        let d = ((a / b).ln() - target).abs();
        if d < best_d {
            best_d = d;
            best = r;
        }
    }
    best
}
