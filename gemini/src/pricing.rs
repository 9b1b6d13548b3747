//! What an answer probably cost, from its token counts and a table of prices.
//!
//! The table is `gemini/data/prices.json`, compiled in ([`PriceTable::builtin`]):
//! per model, USD per million tokens of input, of text and thinking output and of
//! image output (or a price per image by size), the tokens an image of each size
//! takes, and the date and page the prices come from. A deployment can replace it
//! with a JSON value of the same shape (its own negotiated prices) or hide prices
//! with `false` ([`PriceTable::from_json`]).
//!
//! [`PriceTable::estimate`] prices one answer from its `usageMetadata`:
//!
//! - input: `promptTokenCount` at the input price;
//! - thinking: `thoughtsTokenCount` at the text output price;
//! - output: `candidatesTokenCount`, split into image and text tokens by
//!   `candidatesTokensDetails` when the answer has it. Without it (older answers,
//!   some proxies) the image is taken to be the tokens the table gives for the
//!   requested size (capped at the output count) and the rest text, and the
//!   estimate says it guessed ([`Cost::image_tokens_estimated`]).
//!
//! Google Search grounding, billed per search query, is not in the estimate.
//!
//! Money is whole micro-dollars ([`Micros`]), formatted without floating point
//! (`$0.067`, `< $0.001`): the wasm has no float formatting code to carry.

use std::fmt;
use std::ops::Add;

use serde_json::{Map, Value};

use crate::models::{is_valid_model_id, ImageSize};
use crate::wire::UsageMetadata;

/// The compiled-in price table.
pub const BUILTIN_JSON: &str = include_str!("../data/prices.json");

/// The image sizes a table may name, and `default` for any other.
const SIZE_KEYS: [&str; 5] = ["512px", "1K", "2K", "4K", "default"];

/// The largest price per million tokens or per image a table may give, in USD.
const MAX_DOLLARS: f64 = 1_000_000.0;

/// An amount of US dollars in millionths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Micros(pub u64);

impl Add for Micros {
    type Output = Micros;
    fn add(self, o: Micros) -> Micros {
        Micros(self.0.saturating_add(o.0))
    }
}

impl fmt::Display for Micros {
    /// To a tenth of a cent, at least two decimals: `$0.067`, `$0.24`, `$1.50`,
    /// `$12.345`; `$0` for nothing, `< $0.001` for less than that shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("$0");
        }
        let mills = (u128::from(self.0) + 500) / 1000;
        if mills == 0 {
            return f.write_str("< $0.001");
        }
        let (dollars, thousandths) = (mills / 1000, mills % 1000);
        if thousandths % 10 == 0 {
            write!(f, "${dollars}.{:02}", thousandths / 10)
        } else {
            write!(f, "${dollars}.{thousandths:03}")
        }
    }
}

/// How image output is priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImagePrice {
    /// USD per million image output tokens.
    PerMillionTokens(Micros),
    /// A price per image by size (`512px`, `1K`, `2K`, `4K`, `default`).
    PerImage(Vec<(String, Micros)>),
}

/// One model's prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelPrice {
    pub model: String,
    /// Per million input tokens (text and images).
    pub input_per_million: Micros,
    /// Per million text and thinking output tokens.
    pub output_text_per_million: Micros,
    pub output_image: ImagePrice,
    /// The output tokens of one image by size, for answers without a breakdown.
    pub image_tokens: Vec<(String, u64)>,
    /// When the prices were read (`YYYY-MM-DD` or `YYYY-MM`).
    pub date: Option<String>,
    /// The public page they were read from.
    pub source: Option<String>,
    pub note: Option<String>,
}

impl ModelPrice {
    fn image_tokens_for(&self, size: &str) -> Option<u64> {
        by_size(&self.image_tokens, size)
    }
}

/// The value for `size` in a by-size list, or its `default`.
fn by_size<T: Copy>(list: &[(String, T)], size: &str) -> Option<T> {
    let find = |k: &str| list.iter().find(|(s, _)| s == k).map(|(_, v)| *v);
    find(size).or_else(|| find("default"))
}

/// Prices of models, or the decision to show none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PriceTable {
    hidden: bool,
    models: Vec<ModelPrice>,
    /// The page the table as a whole comes from.
    pub source: Option<String>,
}

/// What one answer is, for pricing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer<'a> {
    /// The answer's `usageMetadata`; `None` if it had none.
    pub usage: Option<&'a UsageMetadata>,
    /// Whether the answer holds a final image.
    pub has_image: bool,
    /// The image size the request asked for; `None` is the model's default (1K).
    pub image_size: Option<ImageSize>,
}

/// The estimated price of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Estimate {
    /// The deployment hides prices.
    Hidden,
    /// No estimate can be made.
    Unknown(Unknown),
    Usd(Cost),
}

/// Why there is no estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// The table has no price for this model (a custom model id) or image size.
    NoPrice,
    /// The answer carried no token counts.
    NoUsage,
}

/// An estimate and its parts (each rounded on its own; the total is rounded once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub total: Micros,
    pub input: Micros,
    pub output_text: Micros,
    pub thinking: Micros,
    pub output_image: Micros,
    /// The image output tokens counted.
    pub image_tokens: u64,
    /// The answer had no token breakdown: the image tokens are the table's.
    pub image_tokens_estimated: bool,
}

impl Estimate {
    /// The amount, if there is one.
    pub fn usd(&self) -> Option<Micros> {
        match self {
            Self::Usd(c) => Some(c.total),
            _ => None,
        }
    }

    /// Two estimates added (a turn's variants, a conversation): hidden if either
    /// is hidden, unknown if either is unknown.
    pub fn plus(self, other: Estimate) -> Estimate {
        match (self, other) {
            (Self::Hidden, _) | (_, Self::Hidden) => Self::Hidden,
            (Self::Unknown(why), _) | (_, Self::Unknown(why)) => Self::Unknown(why),
            (Self::Usd(a), Self::Usd(b)) => Self::Usd(Cost {
                total: a.total + b.total,
                input: a.input + b.input,
                output_text: a.output_text + b.output_text,
                thinking: a.thinking + b.thinking,
                output_image: a.output_image + b.output_image,
                image_tokens: a.image_tokens.saturating_add(b.image_tokens),
                image_tokens_estimated: a.image_tokens_estimated || b.image_tokens_estimated,
            }),
        }
    }
}

impl PriceTable {
    /// The table compiled in from `gemini/data/prices.json` (Google's published
    /// prices). Should it ever fail to read, no model has a price.
    pub fn builtin() -> Self {
        Self::from_json_str(BUILTIN_JSON).unwrap_or_default()
    }

    /// A table that shows no prices.
    pub fn hidden() -> Self {
        Self {
            hidden: true,
            ..Self::default()
        }
    }

    pub fn from_json_str(text: &str) -> Result<Self, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("prices: not JSON: {e}"))?;
        Self::from_json(&value)
    }

    /// A table from a JSON value shaped like `gemini/data/prices.json`, which it
    /// replaces whole (models it does not list have no price); `false` (or
    /// `{"hidden": true}`) hides prices. An error names the field and what it wants.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let map = match value {
            Value::Bool(false) => return Ok(Self::hidden()),
            Value::Object(map) => map,
            other => {
                return Err(format!(
                    "prices: expected an object with \"models\", or false to hide prices; got {}",
                    describe(other)
                ))
            }
        };
        only_keys(
            map,
            "prices",
            &["models", "source", "date", "note", "hidden"],
        )?;
        match map.get("hidden") {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => return Ok(Self::hidden()),
            Some(other) => {
                return Err(format!(
                    "prices.hidden: expected true or false, got {}",
                    describe(other)
                ))
            }
        }
        let source = optional_url(map, "prices")?;
        optional_date(map, "prices")?;
        optional_string(map, "prices", "note")?;
        let models = match map.get("models") {
            Some(Value::Object(models)) => models,
            Some(other) => {
                return Err(format!(
                    "prices.models: expected an object of model ids, got {}",
                    describe(other)
                ))
            }
            None => return Err("prices: \"models\" is missing".to_owned()),
        };
        let models = models
            .iter()
            .map(|(id, v)| model_price(id, v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            hidden: false,
            models,
            source,
        })
    }

    pub fn is_hidden(&self) -> bool {
        self.hidden
    }

    /// The models with a price, in the table's order (by id).
    pub fn models(&self) -> &[ModelPrice] {
        &self.models
    }

    /// The prices of `model`; `None` for a model the table does not list (or when
    /// prices are hidden).
    pub fn lookup(&self, model: &str) -> Option<&ModelPrice> {
        if self.hidden {
            return None;
        }
        self.models.iter().find(|m| m.model == model)
    }

    /// The estimated price of one answer of `model`.
    pub fn estimate(&self, model: &str, answer: &Answer<'_>) -> Estimate {
        if self.hidden {
            return Estimate::Hidden;
        }
        let Some(price) = self.lookup(model) else {
            return Estimate::Unknown(Unknown::NoPrice);
        };
        let Some(usage) = answer.usage else {
            return Estimate::Unknown(Unknown::NoUsage);
        };
        let size = answer.image_size.map_or("1K", ImageSize::as_str);
        let details = usage.candidates_tokens_details;
        let output = usage.candidates_token_count;

        // Image and text output tokens.
        let (image_tokens, text_tokens, estimated) = if !details.is_empty() {
            let image = details.image.unwrap_or(0);
            let text = match output {
                Some(total) => total.saturating_sub(image),
                None => details
                    .text
                    .unwrap_or(0)
                    .saturating_add(details.other.unwrap_or(0)),
            };
            (image, text, false)
        } else if answer.has_image {
            let image = match (price.image_tokens_for(size), output) {
                (Some(table), Some(total)) => table.min(total),
                (Some(table), None) => table,
                (None, Some(total)) => total,
                (None, None) => 0,
            };
            (image, output.unwrap_or(0).saturating_sub(image), true)
        } else {
            (0, output.unwrap_or(0), false)
        };

        // In millionths of a micro-dollar: tokens × micro-dollars per million tokens.
        let per_million = |tokens: u64, price: Micros| u128::from(tokens) * u128::from(price.0);
        let input = per_million(
            usage.prompt_token_count.unwrap_or(0),
            price.input_per_million,
        );
        let text = per_million(text_tokens, price.output_text_per_million);
        let thinking = per_million(
            usage.thoughts_token_count.unwrap_or(0),
            price.output_text_per_million,
        );
        let image = match &price.output_image {
            ImagePrice::PerMillionTokens(p) => per_million(image_tokens, *p),
            ImagePrice::PerImage(list) if answer.has_image => match by_size(list, size) {
                Some(each) => u128::from(each.0) * 1_000_000,
                None => return Estimate::Unknown(Unknown::NoPrice),
            },
            ImagePrice::PerImage(_) => 0,
        };
        let round = |x: u128| Micros(u64::try_from((x + 500_000) / 1_000_000).unwrap_or(u64::MAX));
        Estimate::Usd(Cost {
            total: round(input + text + thinking + image),
            input: round(input),
            output_text: round(text),
            thinking: round(thinking),
            output_image: round(image),
            image_tokens,
            image_tokens_estimated: estimated,
        })
    }
}

// ------------------------------------------------------------------ reading

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("the string \"{}…\"", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn only_keys(map: &Map<String, Value>, at: &str, allowed: &[&str]) -> Result<(), String> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{at}: unknown field \"{k}\" (expected {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn optional_string(
    map: &Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<Option<String>, String> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!(
            "{at}.{key}: expected a string, got {}",
            describe(other)
        )),
    }
}

fn optional_url(map: &Map<String, Value>, at: &str) -> Result<Option<String>, String> {
    let url = optional_string(map, at, "source")?;
    match &url {
        Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => Err(format!(
            "{at}.source: expected the address of a page (https://…), got \"{u}\""
        )),
        _ => Ok(url),
    }
}

fn optional_date(map: &Map<String, Value>, at: &str) -> Result<Option<String>, String> {
    let date = optional_string(map, at, "date")?;
    if let Some(d) = &date {
        let b = d.as_bytes();
        let digits =
            |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
        let month = b.len() == 7 && digits(0..4) && b[4] == b'-' && digits(5..7);
        let day = b.len() == 10
            && digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10);
        if !(month || day) {
            return Err(format!(
                "{at}.date: expected YYYY-MM-DD or YYYY-MM, got \"{d}\""
            ));
        }
    }
    Ok(date)
}

fn dollars(v: Option<&Value>, at: &str) -> Result<Micros, String> {
    let wants = "an amount of US dollars (a number, 0 or more)";
    match v {
        None => Err(format!("{at} is missing: {wants}")),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() && (0.0..=MAX_DOLLARS).contains(&x) => {
                // Within range, so the product fits a u64 exactly enough.
                Ok(Micros((x * 1_000_000.0).round() as u64))
            }
            // The limit is written out: no float formatting code in the wasm for it.
            _ => Err(format!("{at}: expected {wants} up to 1000000, got {n}")),
        },
        Some(other) => Err(format!("{at}: expected {wants}, got {}", describe(other))),
    }
}

fn by_size_map<T>(
    v: &Value,
    at: &str,
    read: impl Fn(&Value, &str) -> Result<T, String>,
) -> Result<Vec<(String, T)>, String> {
    let Value::Object(map) = v else {
        return Err(format!(
            "{at}: expected an object by image size, e.g. {{\"1K\": …}}, got {}",
            describe(v)
        ));
    };
    map.iter()
        .map(|(size, v)| {
            if SIZE_KEYS.contains(&size.as_str()) {
                read(v, &format!("{at}.{size}")).map(|x| (size.clone(), x))
            } else {
                Err(format!(
                    "{at}: unknown image size \"{size}\" (use {})",
                    SIZE_KEYS.join(", ")
                ))
            }
        })
        .collect()
}

fn tokens(v: &Value, at: &str) -> Result<u64, String> {
    match v.as_u64() {
        Some(n) if n <= 10_000_000 => Ok(n),
        _ => Err(format!(
            "{at}: expected a whole number of tokens, got {}",
            describe(v)
        )),
    }
}

fn model_price(id: &str, v: &Value) -> Result<ModelPrice, String> {
    let at = format!("prices.models.\"{id}\"");
    if !is_valid_model_id(id) {
        return Err(format!(
            "{at}: not a model id (letters, digits, '-', '.' and '_' only)"
        ));
    }
    let Value::Object(map) = v else {
        return Err(format!("{at}: expected an object, got {}", describe(v)));
    };
    only_keys(
        map,
        &at,
        &[
            "inputPerMillion",
            "outputTextPerMillion",
            "outputImagePerMillion",
            "outputImagePerImage",
            "imageTokens",
            "date",
            "source",
            "note",
        ],
    )?;
    let output_image = match (
        map.get("outputImagePerMillion"),
        map.get("outputImagePerImage"),
    ) {
        (Some(p), None) => {
            ImagePrice::PerMillionTokens(dollars(Some(p), &format!("{at}.outputImagePerMillion"))?)
        }
        (None, Some(list)) => ImagePrice::PerImage(by_size_map(
            list,
            &format!("{at}.outputImagePerImage"),
            |v, at| dollars(Some(v), at),
        )?),
        (Some(_), Some(_)) => {
            return Err(format!(
                "{at}: give outputImagePerMillion or outputImagePerImage, not both"
            ))
        }
        (None, None) => {
            return Err(format!(
                "{at}: the image price is missing (outputImagePerMillion, or outputImagePerImage by size)"
            ))
        }
    };
    let image_tokens = match map.get("imageTokens") {
        Some(v) => by_size_map(v, &format!("{at}.imageTokens"), tokens)?,
        None => Vec::new(),
    };
    Ok(ModelPrice {
        model: id.to_owned(),
        input_per_million: dollars(map.get("inputPerMillion"), &format!("{at}.inputPerMillion"))?,
        output_text_per_million: dollars(
            map.get("outputTextPerMillion"),
            &format!("{at}.outputTextPerMillion"),
        )?,
        output_image,
        image_tokens,
        date: optional_date(map, &at)?,
        source: optional_url(map, &at)?,
        note: optional_string(map, &at, "note")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::GenerateContentResponse;
    use serde_json::json;

    const FLASH: &str = "gemini-3.1-flash-image-preview";
    const PRO: &str = "gemini-3-pro-image-preview";
    const OLD: &str = "gemini-2.5-flash-image";

    fn usage(v: Value) -> UsageMetadata {
        serde_json::from_value(v).unwrap()
    }

    fn cost(model: &str, u: &UsageMetadata, size: Option<ImageSize>) -> Cost {
        let answer = Answer {
            usage: Some(u),
            has_image: true,
            image_size: size,
        };
        match PriceTable::builtin().estimate(model, &answer) {
            Estimate::Usd(c) => c,
            other => panic!("{other:?}"),
        }
    }

    /// An answer whose only output is one image of `image` tokens.
    fn image_only(image: u64) -> UsageMetadata {
        usage(json!({
            "promptTokenCount": 0,
            "candidatesTokenCount": image,
            "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": image}]
        }))
    }

    #[test]
    fn the_builtin_table_reads_and_names_its_sources() {
        let t = PriceTable::builtin();
        assert!(!t.is_hidden());
        assert_eq!(t.models().len(), 3);
        for m in t.models() {
            assert_eq!(
                m.source.as_deref(),
                Some("https://ai.google.dev/gemini-api/docs/pricing"),
                "{}",
                m.model
            );
            assert!(m.date.is_some(), "{}", m.model);
            assert!(crate::models::MODELS.iter().any(|k| k.id == m.model));
        }
        // Every known model is priced.
        for k in &crate::models::MODELS {
            assert!(t.lookup(k.id).is_some(), "{}", k.id);
        }
        assert_eq!(PriceTable::from_json_str(BUILTIN_JSON), Ok(t));
    }

    #[test]
    fn flash_images_cost_what_google_publishes_per_size() {
        // $60 per million image tokens.
        for (size, tokens, micros, shown) in [
            (ImageSize::Px512, 747, 44_820, "$0.045"),
            (ImageSize::K1, 1120, 67_200, "$0.067"),
            (ImageSize::K2, 1680, 100_800, "$0.101"),
            (ImageSize::K4, 2520, 151_200, "$0.151"),
        ] {
            let c = cost(FLASH, &image_only(tokens), Some(size));
            assert_eq!(c.output_image, Micros(micros), "{size:?}");
            assert_eq!(c.total, Micros(micros));
            assert_eq!(c.total.to_string(), shown);
            assert!(!c.image_tokens_estimated);
        }
    }

    #[test]
    fn pro_and_old_flash_images() {
        // Pro: $120 per million: 1120 tokens (1K, 2K) $0.1344, 2000 (4K) $0.24.
        assert_eq!(
            cost(PRO, &image_only(1120), Some(ImageSize::K2)).total,
            Micros(134_400)
        );
        assert_eq!(
            cost(PRO, &image_only(1120), Some(ImageSize::K2))
                .total
                .to_string(),
            "$0.134"
        );
        assert_eq!(
            cost(PRO, &image_only(2000), Some(ImageSize::K4))
                .total
                .to_string(),
            "$0.24"
        );
        // 2.5 Flash: $30 per million, 1290 tokens: $0.0387.
        assert_eq!(cost(OLD, &image_only(1290), None).total, Micros(38_700));
        assert_eq!(
            cost(OLD, &image_only(1290), None).total.to_string(),
            "$0.039"
        );
    }

    #[test]
    fn every_model_and_size_without_a_breakdown() {
        // The table's image tokens per size, and what Google says one image costs.
        for (model, size, image, micros) in [
            (FLASH, Some(ImageSize::Px512), 747, 44_820),
            (FLASH, Some(ImageSize::K1), 1120, 67_200),
            (FLASH, None, 1120, 67_200),
            (FLASH, Some(ImageSize::K2), 1680, 100_800),
            (FLASH, Some(ImageSize::K4), 2520, 151_200),
            (PRO, Some(ImageSize::K1), 1120, 134_400),
            (PRO, Some(ImageSize::K2), 1120, 134_400),
            (PRO, Some(ImageSize::K4), 2000, 240_000),
            (OLD, None, 1290, 38_700),
        ] {
            // 10 more output tokens than the image: text.
            let u = usage(json!({"candidatesTokenCount": image + 10}));
            let c = cost(model, &u, size);
            assert!(c.image_tokens_estimated);
            assert_eq!(
                (c.image_tokens, c.output_image),
                (image, Micros(micros)),
                "{model} {size:?}"
            );
            let text_per_million = PriceTable::builtin()
                .lookup(model)
                .unwrap()
                .output_text_per_million
                .0;
            assert_eq!(
                c.output_text,
                Micros((10 * text_per_million).div_ceil(1_000_000)),
                "{model}"
            );
        }
    }

    #[test]
    fn a_whole_answer_by_hand() {
        // 3.1 Flash, 1K: 10 prompt tokens, 25 text + 1120 image output, 300 thinking.
        let u = usage(json!({
            "promptTokenCount": 10,
            "candidatesTokenCount": 1145,
            "thoughtsTokenCount": 300,
            "totalTokenCount": 1455,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
            "candidatesTokensDetails": [
                {"modality": "TEXT", "tokenCount": 25},
                {"modality": "IMAGE", "tokenCount": 1120}
            ]
        }));
        let c = cost(FLASH, &u, Some(ImageSize::K1));
        // input 10 × $0.25/M = $0.0000025 → 3 µ$ (2.5 rounded up)
        assert_eq!(c.input, Micros(3));
        // text 25 × $1.50/M = $0.0000375 → 38 µ$
        assert_eq!(c.output_text, Micros(38));
        // thinking 300 × $1.50/M = $0.00045 → 450 µ$
        assert_eq!(c.thinking, Micros(450));
        // image 1120 × $60/M = $0.0672
        assert_eq!(c.output_image, Micros(67_200));
        // total 2.5 + 37.5 + 450 + 67200 = 67690 µ$, rounded once.
        assert_eq!(c.total, Micros(67_690));
        assert_eq!(c.total.to_string(), "$0.068");
        assert_eq!(c.image_tokens, 1120);

        // Pro, 4K, with a reference image in the prompt: 1300 prompt tokens,
        // 2000 image + 40 text output, 250 thinking.
        let u = usage(json!({
            "promptTokenCount": 1300,
            "candidatesTokenCount": 2040,
            "thoughtsTokenCount": 250,
            "candidatesTokensDetails": [
                {"modality": "IMAGE", "tokenCount": 2000},
                {"modality": "TEXT", "tokenCount": 40}
            ]
        }));
        let c = cost(PRO, &u, Some(ImageSize::K4));
        // 1300 × 2 = 2600 µ$; 40 × 12 = 480; 250 × 12 = 3000; 2000 × 120 = 240000.
        assert_eq!(
            (c.input, c.output_text, c.thinking, c.output_image),
            (Micros(2600), Micros(480), Micros(3000), Micros(240_000))
        );
        assert_eq!(c.total, Micros(246_080));
        assert_eq!(c.total.to_string(), "$0.246");
    }

    #[test]
    fn without_a_breakdown_the_image_is_the_tables_size() {
        // No candidatesTokensDetails: 1680 + 20 output tokens for a 2K Flash image.
        let u = usage(json!({"promptTokenCount": 8, "candidatesTokenCount": 1700}));
        let c = cost(FLASH, &u, Some(ImageSize::K2));
        assert!(c.image_tokens_estimated);
        assert_eq!(c.image_tokens, 1680);
        assert_eq!(c.output_image, Micros(100_800));
        assert_eq!(c.output_text, Micros(30)); // 20 × $1.50/M
                                               // Fewer output tokens than the table's image: all of them are the image.
        let u = usage(json!({"candidatesTokenCount": 1000}));
        let c = cost(FLASH, &u, Some(ImageSize::K2));
        assert_eq!((c.image_tokens, c.output_text), (1000, Micros(0)));
        // No image in the answer: everything is text.
        let answer = Answer {
            usage: Some(&u),
            has_image: false,
            image_size: None,
        };
        let Estimate::Usd(c) = PriceTable::builtin().estimate(FLASH, &answer) else {
            panic!()
        };
        assert_eq!(
            (c.image_tokens, c.output_text, c.output_image),
            (0, Micros(1500), Micros(0))
        );
        assert!(!c.image_tokens_estimated);
        // 2.5 Flash takes no size: its one entry is 1K, the default.
        let u = usage(json!({"candidatesTokenCount": 1290}));
        assert_eq!(cost(OLD, &u, None).output_image, Micros(38_700));
    }

    #[test]
    fn unknown_hidden_and_sums() {
        let t = PriceTable::builtin();
        let u = image_only(1120);
        let answer = Answer {
            usage: Some(&u),
            has_image: true,
            image_size: None,
        };
        assert_eq!(
            t.estimate("my-proxy-model", &answer),
            Estimate::Unknown(Unknown::NoPrice)
        );
        let none = Answer {
            usage: None,
            ..answer
        };
        assert_eq!(
            t.estimate(FLASH, &none),
            Estimate::Unknown(Unknown::NoUsage)
        );
        let hidden = PriceTable::from_json(&json!(false)).unwrap();
        assert!(hidden.is_hidden());
        assert_eq!(hidden.estimate(FLASH, &answer), Estimate::Hidden);
        assert_eq!(hidden.lookup(FLASH), None);
        assert_eq!(
            PriceTable::from_json(&json!({"hidden": true})),
            Ok(PriceTable::hidden())
        );

        let one = t.estimate(FLASH, &answer);
        let two = one.plus(one);
        assert_eq!(two.usd(), Some(Micros(134_400)));
        assert_eq!(
            two.plus(Estimate::Unknown(Unknown::NoPrice)),
            Estimate::Unknown(Unknown::NoPrice)
        );
        assert_eq!(one.plus(Estimate::Hidden), Estimate::Hidden);
    }

    #[test]
    fn money_is_shown_without_floats() {
        let shown = |m: u64| Micros(m).to_string();
        assert_eq!(shown(0), "$0");
        assert_eq!(shown(1), "< $0.001");
        assert_eq!(shown(499), "< $0.001");
        assert_eq!(shown(500), "$0.001");
        assert_eq!(shown(67_200), "$0.067");
        assert_eq!(shown(240_000), "$0.24");
        assert_eq!(shown(100_000), "$0.10");
        assert_eq!(shown(1_500_000), "$1.50");
        assert_eq!(shown(12_345_000), "$12.345");
        assert_eq!(shown(999_600), "$1.00");
        assert_eq!(shown(u64::MAX), "$18446744073709.552");
    }

    #[test]
    fn a_deployment_table_replaces_the_builtin() {
        let t = PriceTable::from_json(&json!({
            "models": {
                "team-image-model": {
                    "inputPerMillion": 0,
                    "outputTextPerMillion": 0,
                    "outputImagePerImage": {"1K": 0.02, "4K": 0.05, "default": 0.03}
                },
                "gemini-3.1-flash-image-preview": {
                    "inputPerMillion": 0.2,
                    "outputTextPerMillion": 1,
                    "outputImagePerMillion": 48
                }
            }
        }))
        .unwrap();
        let u = image_only(1120);
        let est = |model: &str, size| {
            t.estimate(
                model,
                &Answer {
                    usage: Some(&u),
                    has_image: true,
                    image_size: size,
                },
            )
        };
        assert_eq!(
            est("team-image-model", Some(ImageSize::K4)).usd(),
            Some(Micros(50_000))
        );
        assert_eq!(
            est("team-image-model", Some(ImageSize::K2)).usd(),
            Some(Micros(30_000))
        );
        assert_eq!(est("team-image-model", None).usd(), Some(Micros(20_000)));
        // 1120 × $48/M.
        assert_eq!(est(FLASH, None).usd(), Some(Micros(53_760)));
        // Not listed: no price, even though the builtin table has one.
        assert_eq!(est(PRO, None), Estimate::Unknown(Unknown::NoPrice));
        // Per image, a size with no price and no default.
        let t2 = PriceTable::from_json(&json!({"models": {"m": {
            "inputPerMillion": 0, "outputTextPerMillion": 0, "outputImagePerImage": {"1K": 0.02}
        }}}))
        .unwrap();
        let a = Answer {
            usage: Some(&u),
            has_image: true,
            image_size: Some(ImageSize::K2),
        };
        assert_eq!(t2.estimate("m", &a), Estimate::Unknown(Unknown::NoPrice));
    }

    #[test]
    fn bad_tables_say_what_is_wrong() {
        let err = |v: Value| PriceTable::from_json(&v).unwrap_err();
        let ok_model =
            json!({"inputPerMillion": 1, "outputTextPerMillion": 1, "outputImagePerMillion": 1});
        let with = |field: &str, value: Value| {
            let mut m = ok_model.clone();
            m[field] = value;
            json!({"models": {"m": m}})
        };
        for (v, want) in [
            (json!(true), "expected an object with \"models\", or false to hide prices; got true"),
            (json!("cheap"), "got the string \"cheap\""),
            (json!({}), "prices: \"models\" is missing"),
            (json!({"models": []}), "prices.models: expected an object of model ids, got a list"),
            (json!({"models": {}, "currency": "EUR"}), "prices: unknown field \"currency\""),
            (json!({"models": {}, "hidden": "yes"}), "prices.hidden: expected true or false"),
            (json!({"models": {"a/b": ok_model}}), "prices.models.\"a/b\": not a model id"),
            (json!({"models": {"m": 3}}), "prices.models.\"m\": expected an object, got the number 3"),
            (with("inputPerMillion", json!("0.25")), "prices.models.\"m\".inputPerMillion: expected an amount of US dollars (a number, 0 or more), got the string \"0.25\""),
            (with("outputTextPerMillion", json!(-1)), "prices.models.\"m\".outputTextPerMillion: expected an amount of US dollars (a number, 0 or more) up to 1000000, got -1"),
            (with("outputImagePerImage", json!({"1K": 1})), "give outputImagePerMillion or outputImagePerImage, not both"),
            (with("imageTokens", json!({"3K": 5})), "prices.models.\"m\".imageTokens: unknown image size \"3K\" (use 512px, 1K, 2K, 4K, default)"),
            (with("imageTokens", json!({"1K": 1.5})), "prices.models.\"m\".imageTokens.1K: expected a whole number of tokens, got the number 1.5"),
            (with("date", json!("March 2026")), "prices.models.\"m\".date: expected YYYY-MM-DD or YYYY-MM, got \"March 2026\""),
            (with("source", json!("ai.google.dev")), "prices.models.\"m\".source: expected the address of a page"),
            (with("discount", json!(1)), "prices.models.\"m\": unknown field \"discount\""),
            (json!({"models": {"m": {"inputPerMillion": 1, "outputTextPerMillion": 1}}}), "the image price is missing"),
            (json!({"models": {"m": {"outputTextPerMillion": 1, "outputImagePerMillion": 1}}}), "prices.models.\"m\".inputPerMillion is missing"),
        ] {
            let e = err(v.clone());
            assert!(e.contains(want), "{v}: {e}");
        }
        assert!(PriceTable::from_json_str("{")
            .unwrap_err()
            .starts_with("prices: not JSON"));
    }

    #[test]
    fn usage_details_are_read_from_answers() {
        let r: GenerateContentResponse = serde_json::from_value(json!({
            "usageMetadata": {
                "promptTokenCount": 5,
                "candidatesTokenCount": 1150,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 5}],
                "candidatesTokensDetails": [
                    {"modality": "TEXT", "tokenCount": 30},
                    {"modality": "IMAGE", "tokenCount": 1120}
                ]
            }
        }))
        .unwrap();
        let u = r.usage_metadata.unwrap();
        assert_eq!(u.candidates_tokens_details.image, Some(1120));
        assert_eq!(u.candidates_tokens_details.text, Some(30));
        assert_eq!(u.prompt_tokens_details.text, Some(5));

        // snake_case, a zero count left out (protobuf JSON), a modality twice, an
        // unknown one, and junk that must not fail the answer.
        let u = usage(json!({
            "candidates_tokens_details": [
                {"modality": "IMAGE"},
                {"modality": "image", "token_count": 7},
                {"modality": "IMAGE", "tokenCount": 3},
                {"modality": "AUDIO", "tokenCount": 2},
                "junk",
                {"tokenCount": 1}
            ],
            "prompt_tokens_details": {"not": "a list"}
        }));
        assert_eq!(u.candidates_tokens_details.image, Some(10));
        assert_eq!(u.candidates_tokens_details.other, Some(3));
        assert_eq!(u.candidates_tokens_details.text, None);
        assert!(u.prompt_tokens_details.is_empty());
        let u = usage(json!({"candidatesTokensDetails": null}));
        assert!(u.candidates_tokens_details.is_empty());

        // Stored turns keep them: written and read back the same.
        let u = usage(json!({
            "promptTokenCount": 1,
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 2}, {"modality": "IMAGE", "tokenCount": 3}]
        }));
        let back: UsageMetadata =
            serde_json::from_str(&serde_json::to_string(&u).unwrap()).unwrap();
        assert_eq!(back, u);
        // Older stored turns (no details) read as before and write no details.
        let old = usage(json!({"promptTokenCount": 1}));
        assert_eq!(
            serde_json::to_value(old).unwrap(),
            json!({"promptTokenCount": 1, "candidatesTokenCount": null, "thoughtsTokenCount": null, "totalTokenCount": null})
        );
    }
}
