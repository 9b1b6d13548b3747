//! A failure as the user reads it.

/// What the alert shows: what happened, what was said, what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub title: String,
    pub detail: Option<String>,
    pub action: String,
    /// Whether "Try again" (the same request) is offered.
    pub retryable: bool,
}

impl From<gemini::error::Message> for Alert {
    fn from(m: gemini::error::Message) -> Self {
        Alert {
            title: m.title,
            detail: m.detail,
            action: m.action,
            retryable: false,
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
        }
    }
}
