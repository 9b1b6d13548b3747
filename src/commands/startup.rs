//! What happens when the page opens: the database, the draft and the
//! conversation that was open come back, and leaving mid-save asks first.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{conversations, persistence};
use crate::model::conversation::numbered;
use crate::state::{AppState, Keeping};
use crate::store::{sync, Store};

/// Opens the database, restores the draft and the conversation that was open,
/// and keeps the draft as it changes. Call once from `App`.
pub fn start(state: AppState) {
    // Leaving while a turn is being stored would lose it: the browser asks first.
    let _ = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if state.saving.get_untracked() > 0 {
            ev.prevent_default();
        }
    });
    let draft_ready = StoredValue::new(false);
    persistence::keep_draft(state, draft_ready);
    persistence::remember_open(state);
    spawn_local(async move {
        let store = match Store::open().await {
            Ok(store) => store,
            Err(e) => {
                state.keeping.set(Keeping::Unavailable(e.to_string()));
                return;
            }
        };
        store.on_version_change(move || {
            state.store.set_value(None);
            state.keeping.set(Keeping::Closed);
        });
        state.store.set_value(Some(store.clone()));
        state.keeping.set(Keeping::Kept);
        sync::listen(move |id| persistence::on_other_tab(state, id));
        persistence::refresh(state).await;
        // A new conversation is numbered after the kept ones.
        let kept = state.history.with_untracked(Vec::len);
        if state.turns.with_untracked(Vec::is_empty) && kept > 0 {
            state.current.update(|c| c.label = numbered(kept + 1));
        }
        persistence::restore_draft(state, &store).await;
        draft_ready.set_value(true);
        if let Some(id) = persistence::last_open() {
            let stored = state
                .history
                .with_untracked(|h| h.iter().any(|c| c.id == id));
            if state.turns.with_untracked(Vec::is_empty) && stored {
                conversations::open(state, id).await;
            }
        }
    });
}
