//! How the page looks and what it teaches: the theme, the first screen's
//! example prompts, and the keyboard shortcuts (one table the handler and the
//! Keyboard shortcuts dialog both read).

/// Light, dark, or whatever the system says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(test, serde(rename_all = "lowercase"))]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// What the Theme menu says.
    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "As the system",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    /// The menu's value, and `data-theme` on the page (none: follow the system).
    pub fn value(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// From a menu value; anything else is the system's.
    pub fn from_value(v: &str) -> Theme {
        Theme::ALL
            .into_iter()
            .find(|t| t.value() == v)
            .unwrap_or_default()
    }
}

/// A prompt the empty page offers, to show what the studio does.
pub struct Example {
    /// The button's name.
    pub title: &'static str,
    /// What it needs first, if anything.
    pub needs: Option<&'static str>,
    /// What goes into the composer.
    pub prompt: &'static str,
}

/// One text-to-image, one edit of an attached image, one composition.
pub const EXAMPLES: [Example; 3] = [
    Example {
        title: "Create from words",
        needs: None,
        prompt: "A watercolour lighthouse on a cliff at dawn, soft mist over the sea, warm light on the rocks, wide view",
    },
    Example {
        title: "Edit a photo",
        needs: Some("Add one image first."),
        prompt: "Turn this photo into a pencil sketch on cream paper; keep the composition and the faces exactly as they are",
    },
    Example {
        title: "Combine images",
        needs: Some("Add two images first."),
        prompt: "Put the person from the first image into the scene of the second, matching its light and perspective",
    },
];

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    Send,
    Cancel,
    NewConversation,
    FocusPrompt,
    OpenHistory,
    ShowShortcuts,
}

/// The shortcuts as the dialog lists them: keys, then what they do.
pub const SHORTCUTS: [(&str, &str); 6] = [
    ("Ctrl+Enter (⌘+Enter)", "Generate (send the prompt)"),
    (
        "Escape",
        "Cancel the turn in progress (or a Generate waiting for images), or close a dialog",
    ),
    ("N", "New conversation"),
    ("/", "Focus the prompt"),
    ("H", "Open or close the history"),
    ("?", "Show these shortcuts"),
];

/// A key press, as far as shortcuts care.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeyPress<'a> {
    pub key: &'a str,
    /// Ctrl or ⌘ held.
    pub command: bool,
    /// Alt held.
    pub alt: bool,
    /// The focus is in a text field (single keys type there).
    pub typing: bool,
    /// A dialog is open (it has the keyboard).
    pub dialog: bool,
}

/// The shortcut a key press means, if any. Single keys act only outside text
/// fields; nothing acts while a dialog is open, so its own keys keep working.
pub fn shortcut(k: KeyPress) -> Option<Shortcut> {
    if k.dialog || k.alt {
        return None;
    }
    if k.command {
        return (k.key == "Enter").then_some(Shortcut::Send);
    }
    match k.key {
        "Escape" => Some(Shortcut::Cancel),
        _ if k.typing => None,
        "n" | "N" => Some(Shortcut::NewConversation),
        "/" => Some(Shortcut::FocusPrompt),
        "h" | "H" => Some(Shortcut::OpenHistory),
        "?" => Some(Shortcut::ShowShortcuts),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_reads_back_from_its_value_and_anything_else_is_the_systems() {
        for t in Theme::ALL {
            assert_eq!(Theme::from_value(t.value()), t);
        }
        assert_eq!(Theme::from_value("neon"), Theme::System);
        let t: Theme = serde_json::from_str("\"dark\"").unwrap();
        assert_eq!(t, Theme::Dark);
    }

    #[test]
    fn single_keys_act_only_outside_text_and_nothing_acts_under_a_dialog() {
        let key = |key, typing| KeyPress {
            key,
            typing,
            ..KeyPress::default()
        };
        assert_eq!(shortcut(key("n", false)), Some(Shortcut::NewConversation));
        assert_eq!(shortcut(key("n", true)), None);
        assert_eq!(shortcut(key("?", false)), Some(Shortcut::ShowShortcuts));
        assert_eq!(shortcut(key("/", false)), Some(Shortcut::FocusPrompt));
        assert_eq!(shortcut(key("H", false)), Some(Shortcut::OpenHistory));
        assert_eq!(shortcut(key("Escape", true)), Some(Shortcut::Cancel));
        let send = KeyPress {
            key: "Enter",
            command: true,
            typing: true,
            ..KeyPress::default()
        };
        assert_eq!(shortcut(send), Some(Shortcut::Send));
        assert_eq!(
            shortcut(KeyPress {
                dialog: true,
                ..send
            }),
            None
        );
        assert_eq!(
            shortcut(KeyPress {
                alt: true,
                ..key("n", false)
            }),
            None
        );
        assert_eq!(
            shortcut(KeyPress {
                command: true,
                ..key("n", false)
            }),
            None
        );
    }
}
