//! A word between tabs of the studio (`BroadcastChannel`): a conversation
//! changed (after each write), or another tab is continuing one (busy) or has
//! finished (free). A channel also hears other channels of the same page, so
//! each message names the tab that sent it and a tab ignores its own.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

const CHANNEL: &str = "gemini-studio";

thread_local! {
    static TAB: String = format!("{:x}", (js_sys::Math::random() * 1e15) as u64);
}

fn tab() -> String {
    TAB.with(Clone::clone)
}

/// What a tab says about a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    /// It changed (or was deleted) in storage.
    Changed,
    /// A request continuing it is in flight in the sending tab.
    Busy,
    /// That request is over (its turn is stored, or it failed).
    Free,
}

impl Word {
    fn as_str(self) -> &'static str {
        match self {
            Word::Changed => "changed",
            Word::Busy => "busy",
            Word::Free => "free",
        }
    }

    fn parse(s: &str) -> Option<Word> {
        [Word::Changed, Word::Busy, Word::Free]
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

/// Tells the other tabs about conversation `id`.
pub fn say(word: Word, id: &str) {
    if let Ok(ch) = BroadcastChannel::new(CHANNEL) {
        let _ = ch.post_message(&JsValue::from_str(&format!(
            "{}|{}|{id}",
            tab(),
            word.as_str()
        )));
        ch.close();
    }
}

/// Tells the other tabs that conversation `id` changed (or was deleted).
pub fn announce(id: &str) {
    say(Word::Changed, id);
}

/// Calls `f` each time another tab says something. Lives as long as the page.
pub fn listen(f: impl Fn(Word, String) + 'static) {
    let Ok(ch) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let me = tab();
    let closure = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(text) = e.data().as_string() else {
            return;
        };
        let mut fields = text.splitn(3, '|');
        let (Some(from), Some(word), Some(id)) = (fields.next(), fields.next(), fields.next())
        else {
            return;
        };
        if from != me {
            if let Some(word) = Word::parse(word) {
                f(word, id.to_owned());
            }
        }
    });
    ch.set_onmessage(Some(closure.as_ref().unchecked_ref()));
    closure.forget();
    // Kept open for the page's life.
    std::mem::forget(ch);
}
