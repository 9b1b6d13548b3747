//! The last visit's draft, when it came back after something was typed or
//! attached (see [`crate::state::AppState::kept_draft`]).

use leptos::prelude::*;

use crate::state::AppState;

/// Puts the last visit's draft in the composer: its prompt replaces the one
/// there, its images go before the ones there.
pub fn handle_put_back_draft(state: AppState) {
    let Some(kept) = state.kept_draft.try_update(Option::take).flatten() else {
        return;
    };
    state.prompt.set(kept.prompt);
    state.attachments.update(|now| {
        let mut all = kept.attachments;
        all.append(now);
        *now = all;
    });
}

/// Lets the last visit's draft go (what is in the composer is the draft now).
pub fn handle_dismiss_kept_draft(state: AppState) {
    state.kept_draft.set(None);
}
