//! Keyboard shortcuts, for the whole page (the table is `model::look`), and
//! the focus kept inside an open dialog.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::conversations::handle_new_conversation;
use super::generate::{handle_cancel, handle_generate};
use crate::browser::focus;
use crate::model::look::{shortcut, KeyPress, Shortcut};
use crate::state::AppState;

/// Listens for the shortcuts while the app runs.
pub fn install(state: AppState) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.default_prevented() || ev.is_composing() {
            return;
        }
        if focus::trap_tab(&ev) {
            ev.prevent_default();
            return;
        }
        let doc = web_sys::window().and_then(|w| w.document());
        let typing = doc
            .as_ref()
            .and_then(|d| d.active_element())
            .is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el
                        .dyn_ref::<web_sys::HtmlElement>()
                        .is_some_and(|h| h.is_content_editable())
            });
        let dialog = doc
            .as_ref()
            .and_then(|d| d.query_selector("dialog[open]").ok().flatten())
            .is_some();
        let key = ev.key();
        let press = KeyPress {
            key: &key,
            command: ev.ctrl_key() || ev.meta_key(),
            alt: ev.alt_key(),
            typing,
            dialog,
        };
        let Some(action) = shortcut(press) else {
            return;
        };
        match action {
            Shortcut::Send => handle_generate(state),
            Shortcut::Cancel => {
                if !state.is_running() && !state.after_adding.with_untracked(Option::is_some) {
                    return;
                }
                handle_cancel(state);
            }
            Shortcut::NewConversation => {
                handle_new_conversation(state);
                focus_prompt();
            }
            Shortcut::FocusPrompt => focus_prompt(),
            Shortcut::OpenHistory => state.history_open.update(|o| *o = !*o),
            Shortcut::ShowShortcuts => state.shortcuts_open.set(true),
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// Puts the focus in the prompt.
pub fn focus_prompt() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("prompt"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
