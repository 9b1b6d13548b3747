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

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Alert;
use crate::state::AppState;

/// Shows an error in the alert. The API key never appears in what the user (or
/// a screenshot) sees, even if an endpoint echoes it.
pub fn show(state: AppState, error: impl Into<AppError>) {
    let key = state.connection.with_untracked(|c| c.api_key.clone());
    state.alert.set(Some(alert_for(&key, error)));
}

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
