//! Share links: a turn's prompt and settings in the URL fragment, and a link
//! opened here, offered before anything is applied. Nothing is ever sent by
//! opening a link.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::lazy::{self, load, split_point, NotLoaded};
use super::settings::handle_model_change;
use super::show;
use crate::browser::clipboard::copy_text;
use crate::browser::page;
use crate::error::AppError;
use crate::model::share::{is_share_fragment, parse_fragment, share_fragment};
use crate::state::site::Site;
use crate::state::AppState;

/// Reads a share link the page was opened with (and any opened later in this
/// tab), and offers it. Call once from `App`.
pub fn start(state: AppState) {
    offer_from_address(state);
    let _ = window_event_listener(leptos::ev::hashchange, move |_| offer_from_address(state));
}

fn offer_from_address(state: AppState) {
    let fragment = page::fragment();
    if !is_share_fragment(&fragment) {
        return;
    }
    // Its reading comes with the later chunk (fetched right after the first
    // paint): a link is the rare start.
    spawn_local(async move {
        let offering = async { load!(offer_chunk(state, fragment)) };
        if lazy::said_while(state, "The share link", offering)
            .await
            .is_err()
        {
            // The link stays in the address: Reload reads it again.
            show(state, AppError::NotLoaded("The share link"));
        }
    });
}

split_point!(
    later,
    /// Reading a share link (decoding and checking it) and offering it.
    fn offer_chunk(state: AppState, fragment: String) -> () {
        offer(state, &fragment)
    }
);

/// Offers the share link in `fragment`, or says why it cannot be read.
fn offer(state: AppState, fragment: &str) {
    let Some(parsed) = parse_fragment(fragment) else {
        return;
    };
    // Read once: a reload does not offer it again.
    page::clear_fragment();
    match parsed {
        Ok(shared) => state.share_offer.set(Some(shared)),
        Err(e) => show(state, AppError::ShareUnreadable(e.to_string())),
    }
}

/// The person accepted the shared prompt: it fills the composer (and its
/// settings the settings). Nothing is sent.
pub fn handle_accept_share(state: AppState, site: Site) {
    let Some(shared) = state.share_offer.get_untracked() else {
        return;
    };
    state.share_offer.set(None);
    state.prompt.set(shared.prompt);
    if let Some(settings) = shared.settings {
        let model = settings.model.clone();
        // A model this site does not offer is not chosen behind its back.
        if !site.config.with_untracked(|c| c.model_allowed(&model)) {
            state.notice.set(Some(format!(
                "The link's model ({model}) is not offered on this site: the prompt is in the composer, your settings are as they were."
            )));
            return;
        }
        state.settings.set(settings);
        // The same checks as choosing the model by hand (image limits).
        handle_model_change(state, model);
    }
}

pub fn handle_dismiss_share(state: AppState) {
    state.share_offer.set(None);
}

/// Opens the Share dialog with the link of a turn's prompt and settings.
pub fn handle_share_turn(state: AppState, turn_id: u64) {
    let link = state.turns.with_untracked(|turns| {
        turns.iter().find(|t| t.id == turn_id).map(|t| {
            format!(
                "{}#{}",
                page::app_address(),
                share_fragment(&t.data.prompt, &t.data.settings)
            )
        })
    });
    state.share_link.set(link);
}

pub fn handle_copy_share(state: AppState) {
    let Some(link) = state.share_link.get_untracked() else {
        return;
    };
    spawn_local(async move {
        match copy_text(&link).await {
            Ok(()) => state.notice.set(Some("Share link copied.".into())),
            Err(why) => show(state, AppError::LinkNotCopied(why)),
        }
    });
}

pub fn handle_close_share(state: AppState) {
    state.share_link.set(None);
}
