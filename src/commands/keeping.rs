//! Opening the studio's storage at start: the database, the draft and the
//! request that was in flight come back, turns made meanwhile are saved, and
//! what changes from now on is kept.
//!
//! In the split build this is in the `storage` chunk with the rest of the
//! storage layer (see [`super::lazy::open_storage`]): it runs right after the
//! first paint, while the composer can already be used; turns made before it
//! is done wait, unsaved, and are saved first.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{archive, persistence, prompts};
use crate::model::conversation::numbered;
use crate::state::{AppState, Keeping};
use crate::store::{sync, Store};

/// Opens the database, restores the draft, and keeps the draft and the
/// conversation on screen as they change. Returns the conversation to reopen
/// (the one open when the page was left), if it is stored and nothing was
/// started meanwhile. Run under the `App`'s owner (its effects live as long).
pub async fn open(state: AppState) -> Option<String> {
    // A signal, not a flag: what was typed while the database was opening
    // is kept as soon as it is ready, not at the next keystroke.
    let draft_ready = RwSignal::new(false);
    // The last visit's conversation comes back only over the page as it
    // opened: not once a turn was made here, nor over a conversation chosen
    // (or a New conversation pressed) while storage was opening.
    let untouched =
        state.turns.with_untracked(Vec::is_empty) && state.others.with_untracked(Vec::is_empty);
    let first = state.current.with_untracked(|c| c.id.clone());
    persistence::keep_draft(state, draft_ready);
    persistence::remember_open(state);
    let store = match Store::open(move || state.keeping.set(Keeping::Blocked)).await {
        Ok(store) => store,
        Err(e) => {
            state.keeping.set(Keeping::Unavailable(e.to_string()));
            return None;
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
    prompts::reload(state).await;
    // A new conversation is numbered after the kept ones.
    let kept = state.history.with_untracked(Vec::len);
    if state.turns.with_untracked(Vec::is_empty) && kept > 0 {
        state.current.update(|c| c.label = numbered(kept + 1));
    }
    persistence::restore_draft(state, &store).await;
    persistence::recover_inflight(state, &store).await;
    draft_ready.set(true);
    // Images of an import stopped midway (the tab closed or crashed while it
    // ran) no conversation uses: taken back, quietly (on failure its note
    // stays for the next start), beside the reopening rather than before it.
    spawn_local(async move {
        let _ = archive::take_back_unfinished(&store).await;
    });
    let id = persistence::last_open()?;
    let stored = state
        .history
        .with_untracked(|h| h.iter().any(|c| c.id == id));
    // Not under a Generate already pressed (waiting for its images) in the
    // new conversation.
    let waiting = state.after_adding.with_untracked(Option::is_some);
    let still_first = state.current.with_untracked(|c| c.id == first);
    (untouched && still_first && state.turns.with_untracked(Vec::is_empty) && stored && !waiting)
        .then_some(id)
}
