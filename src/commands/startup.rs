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
    // Leaving while a turn is in flight or being stored would lose it: the
    // browser asks first.
    let _ = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if state.saving.get_untracked() > 0 || state.is_running() {
            ev.prevent_default();
        }
    });
    // A signal, not a flag: what was typed while the database was opening
    // is kept as soon as it is ready, not at the next keystroke.
    let draft_ready = RwSignal::new(false);
    persistence::keep_draft(state, draft_ready);
    persistence::remember_open(state);
    spawn_local(async move {
        let store = match Store::open(move || state.keeping.set(Keeping::Blocked)).await {
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
        // Turns that landed while the database was opening (or waiting for
        // another tab) are saved first, before anything else is read.
        if state
            .turns
            .with_untracked(|t| t.iter().any(|t| !t.is_saved()))
        {
            if let Err(e) = persistence::save_turns(state, None, false).await {
                super::show(state, e);
            }
        }
        if let Err(e) = persistence::save_put_aside(state).await {
            super::show(state, e);
        }
        sync::listen(move |word, id| persistence::on_other_tab(state, word, id));
        persistence::read_locks(state).await;
        persistence::refresh(state).await;
        super::prompts::reload(state).await;
        // A new conversation is numbered after the kept ones.
        let kept = state.history.with_untracked(Vec::len);
        if state.turns.with_untracked(Vec::is_empty) && kept > 0 {
            state.current.update(|c| c.label = numbered(kept + 1));
        }
        persistence::restore_draft(state, &store).await;
        persistence::recover_inflight(state, &store).await;
        draft_ready.set(true);
        if let Some(id) = persistence::last_open() {
            let stored = state
                .history
                .with_untracked(|h| h.iter().any(|c| c.id == id));
            // Not under a Generate already pressed (waiting for its images)
            // in the new conversation.
            let waiting = state.after_adding.with_untracked(Option::is_some);
            if state.turns.with_untracked(Vec::is_empty) && stored && !waiting {
                conversations::open(state, id).await;
            }
        }
        // Images of an import stopped midway (the tab closed or crashed while
        // it ran) no conversation uses: taken back, quietly (on failure its
        // note stays for the next start).
        let _ = super::archive::take_back_unfinished(&store).await;
    });
}
