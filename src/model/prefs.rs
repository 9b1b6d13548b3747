//! The preferences' stored form, without serde: each is a JSON object of
//! scalars (or one scalar) in `localStorage`, the text made and read by the
//! browser's own `JSON` (`crate::browser::storage`), the fields read and
//! written here. The format is the one serde's derives wrote before (the tests
//! check both ways), so what a browser remembers still reads; a field that is
//! missing or of the wrong kind is its default, the rest still apply.

use gemini::{AspectRatio, ImageSize, KeyHeader, Settings, ThinkingLevel};

use super::look::Theme;
use super::requests::RequestPrefs;

/// A JSON scalar, as a preference's field holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Str(String),
    Bool(bool),
    Num(f64),
    Null,
}

/// A stored object's fields, in order.
pub type Record = Vec<(&'static str, Scalar)>;

/// Reads one field of a stored object (`None`: missing, or not a scalar).
pub trait Fields {
    fn field(&self, name: &str) -> Option<Scalar>;

    fn str(&self, name: &str) -> Option<String> {
        match self.field(name)? {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    fn bool(&self, name: &str) -> Option<bool> {
        match self.field(name)? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// A whole number from 0 to `max`.
    fn count(&self, name: &str, max: u32) -> Option<u32> {
        match self.field(name)? {
            Scalar::Num(n) if n.fract() == 0.0 && (0.0..=f64::from(max)).contains(&n) => {
                Some(n as u32)
            }
            _ => None,
        }
    }
}

fn option(s: Option<&'static str>) -> Scalar {
    s.map_or(Scalar::Null, |s| Scalar::Str(s.to_owned()))
}

/// The settings panel's choices.
pub fn settings_record(s: &Settings) -> Record {
    vec![
        ("model", Scalar::Str(s.model.clone())),
        ("imageOnly", Scalar::Bool(s.image_only)),
        (
            "aspectRatio",
            option(s.aspect_ratio.map(AspectRatio::as_str)),
        ),
        ("imageSize", option(s.image_size.map(ImageSize::as_str))),
        (
            "thinkingLevel",
            option(s.thinking_level.map(ThinkingLevel::as_str)),
        ),
        ("includeThoughts", Scalar::Bool(s.include_thoughts)),
        ("googleSearch", Scalar::Bool(s.google_search)),
    ]
}

pub fn settings_from(f: &impl Fields) -> Settings {
    let d = Settings::default();
    Settings {
        model: f.str("model").unwrap_or(d.model),
        image_only: f.bool("imageOnly").unwrap_or(d.image_only),
        aspect_ratio: f.str("aspectRatio").and_then(|s| AspectRatio::parse(&s)),
        image_size: f.str("imageSize").and_then(|s| ImageSize::parse(&s)),
        thinking_level: f
            .str("thinkingLevel")
            .and_then(|s| ThinkingLevel::parse(&s)),
        include_thoughts: f.bool("includeThoughts").unwrap_or(d.include_thoughts),
        google_search: f.bool("googleSearch").unwrap_or(d.google_search),
    }
}

/// How requests are sent.
pub fn requests_record(r: &RequestPrefs) -> Record {
    vec![
        ("retries", Scalar::Num(f64::from(r.retries))),
        ("timeLimitS", Scalar::Num(f64::from(r.time_limit_s))),
        ("stream", Scalar::Bool(r.stream)),
    ]
}

/// (Checked: every value in range.)
pub fn requests_from(f: &impl Fields) -> RequestPrefs {
    let d = RequestPrefs::default();
    RequestPrefs {
        retries: f
            .count("retries", u32::from(u8::MAX))
            .map_or(d.retries, |n| n as u8),
        time_limit_s: f.count("timeLimitS", u32::MAX).unwrap_or(d.time_limit_s),
        stream: f.bool("stream").unwrap_or(d.stream),
    }
    .checked()
}

/// Which header carries the key, as serde named it.
pub fn key_header_value(h: KeyHeader) -> &'static str {
    match h {
        KeyHeader::GoogApiKey => "GoogApiKey",
        KeyHeader::Bearer => "Bearer",
    }
}

pub fn key_header_from(value: &str) -> Option<KeyHeader> {
    KeyHeader::ALL
        .into_iter()
        .find(|h| key_header_value(*h) == value)
}

/// The theme: a JSON string.
pub fn theme_from(value: Option<Scalar>) -> Theme {
    match value {
        Some(Scalar::Str(s)) => Theme::from_value(&s),
        _ => Theme::default(),
    }
}

/// How many variants each Generate asks for: a JSON number.
pub fn variants_from(value: Option<Scalar>) -> Option<usize> {
    match value? {
        Scalar::Num(n) if n.fract() == 0.0 && (0.0..=64.0).contains(&n) => Some(n as usize),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    /// What the browser's JSON would give for this text.
    pub(crate) struct Parsed(pub Map<String, Value>);

    impl Fields for Parsed {
        fn field(&self, name: &str) -> Option<Scalar> {
            scalar(self.0.get(name)?)
        }
    }

    pub(crate) fn scalar(v: &Value) -> Option<Scalar> {
        Some(match v {
            Value::String(s) => Scalar::Str(s.clone()),
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => Scalar::Num(n.as_f64()?),
            Value::Null => Scalar::Null,
            _ => return None,
        })
    }

    pub(crate) fn value(record: &Record) -> Value {
        Value::Object(
            record
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Scalar::Str(s) => json!(s),
                        Scalar::Bool(b) => json!(b),
                        Scalar::Num(n) if n.fract() == 0.0 => json!(*n as i64),
                        Scalar::Num(n) => json!(n),
                        Scalar::Null => Value::Null,
                    };
                    ((*k).to_owned(), v)
                })
                .collect(),
        )
    }

    pub(crate) fn parsed(v: Value) -> Parsed {
        match v {
            Value::Object(m) => Parsed(m),
            _ => Parsed(Map::new()),
        }
    }

    fn all_settings() -> Vec<Settings> {
        let mut out = vec![Settings::default()];
        out.push(Settings {
            model: "gemini-3-pro-image-preview".into(),
            image_only: true,
            aspect_ratio: AspectRatio::parse("16:9"),
            image_size: ImageSize::parse("4K"),
            thinking_level: ThinkingLevel::parse("high"),
            include_thoughts: true,
            google_search: true,
        });
        for r in AspectRatio::ALL {
            out.push(Settings {
                aspect_ratio: Some(r),
                ..Settings::default()
            });
        }
        for s in ImageSize::ALL {
            out.push(Settings {
                image_size: Some(s),
                thinking_level: ThinkingLevel::parse("minimal"),
                ..Settings::default()
            });
        }
        out
    }

    #[test]
    fn settings_are_stored_as_serde_stored_them_and_read_back() {
        for s in all_settings() {
            let ours = value(&settings_record(&s));
            assert_eq!(ours, serde_json::to_value(&s).unwrap(), "{s:?}");
            assert_eq!(settings_from(&parsed(ours)), s);
            // What serde wrote before reads the same.
            let theirs = serde_json::to_value(&s).unwrap();
            assert_eq!(settings_from(&parsed(theirs)), s);
        }
    }

    /// The stored strings of earlier builds, as they are (not today's
    /// derives, which could change).
    #[test]
    fn what_earlier_builds_stored_reads_back_and_is_written_the_same() {
        let text = r#"{"model":"gemini-3-pro-image-preview","imageOnly":true,"aspectRatio":"16:9","imageSize":"4K","thinkingLevel":"high","includeThoughts":true,"googleSearch":false}"#;
        let stored: Value = serde_json::from_str(text).unwrap();
        let s = settings_from(&parsed(stored.clone()));
        assert_eq!(
            (s.aspect_ratio, s.image_size, s.thinking_level),
            (
                AspectRatio::parse("16:9"),
                ImageSize::parse("4K"),
                ThinkingLevel::parse("high")
            )
        );
        assert!(s.image_only && s.include_thoughts && !s.google_search);
        assert_eq!(value(&settings_record(&s)), stored);
        let text = r#"{"model":"gemini-2.5-flash-image","imageOnly":false,"aspectRatio":null,"imageSize":null,"thinkingLevel":null,"includeThoughts":false,"googleSearch":false}"#;
        let stored: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            value(&settings_record(&settings_from(&parsed(stored.clone())))),
            stored
        );

        let text = r#"{"retries":0,"timeLimitS":120,"stream":true}"#;
        let stored: Value = serde_json::from_str(text).unwrap();
        let r = requests_from(&parsed(stored.clone()));
        assert_eq!((r.retries, r.time_limit_s, r.stream), (0, 120, true));
        assert_eq!(value(&requests_record(&r)), stored);

        assert_eq!(theme_from(Some(Scalar::Str("dark".into()))), Theme::Dark);
        assert_eq!(theme_from(Some(Scalar::Str("light".into()))), Theme::Light);
        assert_eq!(variants_from(Some(Scalar::Num(4.0))), Some(4));
        assert_eq!(key_header_from("Bearer"), Some(KeyHeader::Bearer));
        assert_eq!(key_header_from("GoogApiKey"), Some(KeyHeader::GoogApiKey));
    }

    #[test]
    fn a_wrong_or_missing_field_is_its_default_and_the_rest_apply() {
        let s = settings_from(&parsed(json!({
            "model": "gemini-2.5-flash-image",
            "aspectRatio": "7:3",
            "imageSize": 4,
            "includeThoughts": "yes",
            "googleSearch": true,
        })));
        assert_eq!(s.model, "gemini-2.5-flash-image");
        assert_eq!(s.aspect_ratio, None);
        assert_eq!(s.image_size, None);
        assert!(!s.include_thoughts);
        assert!(s.google_search);
        assert_eq!(settings_from(&parsed(json!([1, 2]))), Settings::default());
    }

    #[test]
    fn request_prefs_round_trip_in_serde_form_and_are_checked() {
        for r in [
            RequestPrefs::default(),
            RequestPrefs {
                retries: 0,
                time_limit_s: 600,
                stream: true,
            },
        ] {
            let ours = value(&requests_record(&r));
            assert_eq!(ours, serde_json::to_value(r).unwrap());
            assert_eq!(requests_from(&parsed(ours)), r);
        }
        let odd = requests_from(&parsed(
            json!({"retries": 300, "timeLimitS": 7, "stream": 1}),
        ));
        assert_eq!(odd, RequestPrefs::default());
        let odd = requests_from(&parsed(json!({"retries": 9, "timeLimitS": 1.5})));
        assert_eq!((odd.retries, odd.time_limit_s), (5, 0));
    }

    #[test]
    fn key_headers_and_themes_read_as_serde_wrote_them() {
        for h in KeyHeader::ALL {
            let theirs = serde_json::to_value(h).unwrap();
            assert_eq!(theirs, json!(key_header_value(h)));
            assert_eq!(key_header_from(key_header_value(h)), Some(h));
        }
        assert_eq!(key_header_from("goog"), None);
        for t in Theme::ALL {
            let theirs = serde_json::to_value(t).unwrap();
            assert_eq!(theme_from(scalar(&theirs)), t);
        }
        assert_eq!(theme_from(Some(Scalar::Num(1.0))), Theme::System);
        assert_eq!(variants_from(Some(Scalar::Num(3.0))), Some(3));
        assert_eq!(variants_from(Some(Scalar::Num(-1.0))), None);
        assert_eq!(variants_from(Some(Scalar::Str("2".into()))), None);
    }
}
