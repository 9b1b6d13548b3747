//! Words and numbers as the page shows them, written once.
//!
//! Numbers are formatted in integer arithmetic: float formatting weighs several
//! KiB of wasm.

use gemini::request::human_bytes;
use gemini::Settings;

use super::Tokens;

/// The model's name for lists: its label, or the id of a custom model.
pub fn model_label(id: &str) -> String {
    gemini::models::display_name(id)
}

/// The model's name inside a sentence: a custom id is quoted.
pub fn model_name(id: &str) -> String {
    if gemini::models::caps(id).known {
        model_label(id)
    } else {
        format!("\u{201c}{id}\u{201d}")
    }
}

/// "12.3 s" from milliseconds.
pub fn seconds(ms: f64) -> String {
    let tenths = (ms.max(0.0) / 100.0) as u64;
    format!("{}.{} s", tenths / 10, tenths % 10)
}

/// "1.2 MB PNG".
pub fn describe_image(size: usize, mime: &str) -> String {
    let kind = mime
        .strip_prefix("image/")
        .unwrap_or(mime)
        .to_ascii_uppercase();
    format!("{} {kind}", human_bytes(size as u64))
}

/// The alt text of a result: it starts with "Generated image".
pub fn alt_text(prompt: &str) -> String {
    if prompt.trim().is_empty() {
        "Generated image".to_owned()
    } else {
        format!("Generated image: {prompt}")
    }
}

/// "Gemini 3.1 Flash Image · 16:9 · 2K": the options a turn was made with.
pub fn options_line(s: &Settings) -> String {
    let mut o = vec![model_label(&s.model)];
    o.extend(s.aspect_ratio.map(|r| r.as_str().to_owned()));
    o.extend(s.image_size.map(|r| r.as_str().to_owned()));
    o.join(" · ")
}

/// "This turn: 1,234 in · 1,120 out · 210 thinking · 2,564 total tokens";
/// empty when nothing was counted.
pub fn tokens_line(t: Tokens, what: &str) -> String {
    if t == Tokens::default() {
        return String::new();
    }
    format!(
        "{what}: {} in · {} out · {} thinking · {} total tokens",
        t.prompt, t.output, t.thoughts, t.total
    )
}

/// "1 turn", "3 turns".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "Conversation 1 (3 turns)".
pub fn turns_label(label: &str, turns: usize) -> String {
    format!("{label} ({})", count(turns, "turn"))
}

/// At most 60 characters of `s`, with an ellipsis when cut.
pub fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Capitalises the first letter and ends with a full stop: a sentence from
/// clauses joined by "; ".
pub fn sentence(clauses: &[String]) -> Option<String> {
    if clauses.is_empty() {
        return None;
    }
    let mut text = clauses.join("; ");
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    Some(text + ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(seconds(12_345.0), "12.3 s");
        assert_eq!(seconds(-5.0), "0.0 s");
        assert_eq!(describe_image(2 * 1024 * 1024, "image/png"), "2.0 MB PNG");
        assert_eq!(count(1, "turn"), "1 turn");
        assert_eq!(turns_label("C", 2), "C (2 turns)");
        assert_eq!(
            tokens_line(
                Tokens {
                    prompt: 1,
                    output: 2,
                    thoughts: 3,
                    total: 6
                },
                "This turn"
            ),
            "This turn: 1 in · 2 out · 3 thinking · 6 total tokens"
        );
        assert_eq!(tokens_line(Tokens::default(), "x"), "");
    }

    #[test]
    fn models_are_named_by_label_or_quoted_id() {
        assert_eq!(model_label("my-model"), "my-model");
        assert_eq!(model_name("my-model"), "\u{201c}my-model\u{201d}");
        let known = gemini::models::DEFAULT_MODEL;
        assert_eq!(model_name(known), model_label(known));
        assert_ne!(model_label(known), known);
        let s = Settings {
            aspect_ratio: gemini::AspectRatio::parse("16:9"),
            ..Settings::default()
        };
        assert!(options_line(&s).ends_with(" · 16:9"));
    }

    #[test]
    fn texts_are_cut_and_sentences_made() {
        assert_eq!(short(&"x".repeat(61)).chars().count(), 61);
        assert_eq!(short(" a "), "a");
        assert_eq!(alt_text(" "), "Generated image");
        assert_eq!(alt_text("cat"), "Generated image: cat");
        assert_eq!(
            sentence(&["aspect ratio reset".into(), "b".into()]).as_deref(),
            Some("Aspect ratio reset; b.")
        );
        assert_eq!(sentence(&[]), None);
    }
}
