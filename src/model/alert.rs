//! A failure as the user reads it.

use std::sync::Arc;

/// What the alert shows: what happened, what was said, what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub title: String,
    pub detail: Option<String>,
    pub action: String,
    /// Whether "Try again" (the same request) is offered.
    pub retryable: bool,
    /// Whether "Reload" (the page) is offered: code that did not load.
    pub reload: bool,
    /// Data that arrived and is not shown, offered as a file to save.
    pub file: Option<AlertFile>,
}

/// Bytes the alert offers to save (never to open): an answer's image that the
/// page does not show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertFile {
    pub name: String,
    pub bytes: Arc<Vec<u8>>,
}

impl From<gemini::error::Message> for Alert {
    fn from(m: gemini::error::Message) -> Self {
        Alert {
            title: m.title,
            detail: m.detail,
            action: m.action,
            retryable: false,
            reload: false,
            file: None,
        }
    }
}

impl Alert {
    /// The same alert with `f` applied to each of its texts.
    pub fn map_text(self, f: impl Fn(String) -> String) -> Alert {
        Alert {
            title: f(self.title),
            detail: self.detail.map(&f),
            action: f(self.action),
            retryable: self.retryable,
            reload: self.reload,
            file: self.file,
        }
    }
}
