//! "Download all": the names inside a conversation's ZIP and its
//! `prompts.txt`, pure. Each turn's final image is `turn-03-make-it-night.png`
//! (the chosen variant; the extension is the image's real type).

use gemini::mime::ImageMime;

/// One turn's final image in the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleItem {
    /// The turn's number, from 1.
    pub turn: usize,
    pub prompt: String,
    /// The image's MIME type.
    pub mime: String,
}

/// The words of `text`, lower-case ASCII, joined by `-`, at most `max` bytes.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let extra = word.len() + usize::from(!out.is_empty());
        if out.len() + extra > max {
            if out.is_empty() {
                out.push_str(&word[..max.min(word.len())].to_ascii_lowercase());
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

/// `turn-03-make-it-night.png`: numbered so the files sort in turn order.
pub fn entry_name(item: &BundleItem, turns: usize) -> String {
    let width = turns.max(item.turn).to_string().len().max(2);
    let ext = ImageMime::parse(&item.mime).map_or("bin", ImageMime::extension);
    let words = slug(&item.prompt, 48);
    if words.is_empty() {
        format!("turn-{:0width$}.{ext}", item.turn)
    } else {
        format!("turn-{:0width$}-{words}.{ext}", item.turn)
    }
}

/// `prompts.txt`: each turn's file and its prompt, as typed.
pub fn prompts_txt(title: &str, items: &[BundleItem]) -> String {
    let mut out = format!("{title}\n\n");
    for item in items {
        out.push_str(&format!(
            "Turn {} ({}):\n{}\n\n",
            item.turn,
            entry_name(item, items.len()),
            item.prompt.trim_end()
        ));
    }
    out
}

/// The archive's own name: `conversation-3-images.zip`.
pub fn archive_name(title: &str) -> String {
    let words = slug(title, 40);
    if words.is_empty() {
        "conversation-images.zip".to_owned()
    } else {
        format!("{words}-images.zip")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(turn: usize, prompt: &str, mime: &str) -> BundleItem {
        BundleItem {
            turn,
            prompt: prompt.into(),
            mime: mime.into(),
        }
    }

    #[test]
    fn names_carry_the_turn_the_prompt_and_the_real_extension() {
        assert_eq!(
            entry_name(&item(3, "Make it night!", "image/png"), 3),
            "turn-03-make-it-night.png"
        );
        assert_eq!(
            entry_name(&item(1, "Ünïcode ✨", "image/jpeg"), 2),
            "turn-01-n-code.jpg"
        );
        assert_eq!(entry_name(&item(2, "   ", "image/webp"), 2), "turn-02.webp");
        assert_eq!(
            entry_name(&item(7, "x", "image/png"), 120),
            "turn-007-x.png"
        );
    }

    #[test]
    fn slugs_are_bounded() {
        let long = "word ".repeat(100);
        assert!(slug(&long, 48).len() <= 48);
        assert_eq!(slug(&"a".repeat(80), 10), "aaaaaaaaaa");
    }

    #[test]
    fn prompts_txt_lists_every_turn() {
        let items = [
            item(1, "A fox", "image/png"),
            item(2, "Give it a hat\n", "image/jpeg"),
        ];
        let txt = prompts_txt("Conversation 1", &items);
        assert_eq!(
            txt,
            "Conversation 1\n\nTurn 1 (turn-01-a-fox.png):\nA fox\n\nTurn 2 (turn-02-give-it-a-hat.jpg):\nGive it a hat\n\n"
        );
        assert_eq!(archive_name("Conversation 1"), "conversation-1-images.zip");
        assert_eq!(archive_name("✨"), "conversation-images.zip");
    }
}
