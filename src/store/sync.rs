//! A word between tabs of the studio after each write (`BroadcastChannel`).
//! A channel also hears other channels of the same page, so each message names
//! the tab that sent it and a tab ignores its own.

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

/// Tells the other tabs that conversation `id` changed (or was deleted).
pub fn announce(id: &str) {
    if let Ok(ch) = BroadcastChannel::new(CHANNEL) {
        let _ = ch.post_message(&JsValue::from_str(&format!("{}|{id}", tab())));
        ch.close();
    }
}

/// Calls `f` with the conversation id each time another tab announces a change.
/// Lives as long as the page.
pub fn listen(f: impl Fn(String) + 'static) {
    let Ok(ch) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let me = tab();
    let closure = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(text) = e.data().as_string() else {
            return;
        };
        if let Some((from, id)) = text.split_once('|') {
            if from != me {
                f(id.to_owned());
            }
        }
    });
    ch.set_onmessage(Some(closure.as_ref().unchecked_ref()));
    closure.forget();
    // Kept open for the page's life.
    std::mem::forget(ch);
}
