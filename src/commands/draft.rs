//! The last visit's draft, when it came back after something was typed or
//! attached (see [`crate::state::AppState::kept_draft`]).

use leptos::prelude::*;

use crate::model::limits::over_limit;
use crate::state::{AppState, KeptDraft};

/// Swaps the offered draft with the composer: the last visit's draft goes
/// in, and what was there is offered in its place (to swap back), so neither
/// is lost.
pub fn handle_put_back_draft(state: AppState) {
    let Some(kept) = state.kept_draft.try_update(Option::take).flatten() else {
        return;
    };
    let typed = KeptDraft {
        prompt: state.prompt.get_untracked(),
        attachments: state.attachments.get_untracked(),
        from_last_visit: !kept.from_last_visit,
    };
    let count = kept.attachments.len();
    state.prompt.set(kept.prompt);
    state.attachments.set(kept.attachments);
    if !typed.prompt.trim().is_empty() || !typed.attachments.is_empty() {
        state.kept_draft.set(Some(typed));
    }
    // Kept under other settings: more images than this model takes is said
    // now, not at Generate.
    if let Some(why) = state.settings.with_untracked(|s| over_limit(count, s)) {
        state
            .notice
            .set(Some(format!("The draft is back, but {why}.")));
    }
}

/// Lets the offered draft go (what is in the composer is the draft now).
pub fn handle_dismiss_kept_draft(state: AppState) {
    state.kept_draft.set(None);
}
