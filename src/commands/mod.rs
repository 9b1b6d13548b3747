//! What the user's commands do, one file per area. Components call the
//! `handle_*` functions; async work runs here, never in a view.

pub mod adding;
pub mod archive;
pub mod attachments;
pub mod bundle;
pub mod code;
pub mod conversations;
pub mod draft;
pub mod editor;
pub mod generate;
pub mod keeping;
pub mod lazy;
pub mod library;
pub mod offline;
pub mod persistence;
pub mod preferences;
pub mod prompts;
pub mod sending;
pub mod settings;
pub mod share;
pub mod shortcuts;
pub mod site;
pub mod startup;

use std::cell::Cell;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::error::{unexplained_alert, AppError};
use crate::model::Alert;
use crate::state::AppState;
use lazy::{load, split_point, NotLoaded};

/// Shows an error in the alert. The API key never appears in what the user (or
/// a screenshot) sees, even if an endpoint echoes it.
///
/// The alerts' words (every error's, the API's failures') are in the chunk
/// loaded right after the first paint (`later`), which also holds the work
/// most errors come from: an alert is written there, at once when it is in.
/// That code did not load is said by the first screen itself; if the chunk
/// cannot load, an alert says so, with Reload.
pub fn show(state: AppState, error: impl Into<AppError>) {
    show_error(state, error.into());
}

thread_local! {
    /// Counts the alerts shown and cleared here: an alert whose words come
    /// with `later` is not put over one shown, or a clearing done, after it
    /// was asked for.
    static ALERTS: Cell<u64> = const { Cell::new(0) };
}

fn next_alert() -> u64 {
    ALERTS.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

// One copy of this code, whatever `show` was given.
fn show_error(state: AppState, error: AppError) {
    let ticket = next_alert();
    if let Some(alert) = error.early_alert() {
        state.alert.set(Some(alert));
        return;
    }
    let key = state.connection.with_untracked(|c| c.api_key.clone());
    spawn_local(async move {
        let alert = load!(alert_chunk(key, error)).unwrap_or_else(|NotLoaded| unexplained_alert());
        if ALERTS.with(Cell::get) == ticket {
            // (A page being torn down meanwhile has nothing to show it on.)
            let _ = state.alert.try_set(Some(alert));
        }
    });
}

/// Takes the alert away, and any alert for an earlier error still on its way.
pub fn clear_alert(state: AppState) {
    next_alert();
    state.alert.set(None);
}

split_point!(
    later,
    /// The alert for `error`, the key scrubbed from it.
    fn alert_chunk(key: String, error: AppError) -> Alert {
        alert_for(&key, error)
    }
);

/// What the alert shows for `error`, with `key` scrubbed from it.
pub fn alert_for(key: &str, error: impl Into<AppError>) -> Alert {
    let key = key.trim();
    Alert::from(error.into()).map_text(|s| scrub(s, key))
}

/// `text` with `key` replaced by "[key hidden]" wherever it appears: whole,
/// URL-encoded, JSON-escaped, or in part.
pub fn scrub(text: String, key: &str) -> String {
    if key.is_empty() {
        text
    } else {
        gemini::scrub::scrub(&text, key)
    }
}
