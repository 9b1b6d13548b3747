//! Conversations: start a new one, switch, open a stored one, branch from a
//! turn, and choose which variant the conversation continues from.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::lazy::{load, load_conversation, save_turns, split_point, NotLoaded};
use super::show;
use crate::browser::now_ms;
use crate::error::AppError;
use crate::model::conversation::{branch_label, next_name};
use crate::model::ConversationMeta;
use crate::state::{AppState, Conversation, Turn};

fn new_meta(label: String) -> ConversationMeta {
    ConversationMeta::new(label, now_ms(), js_sys::Math::random())
}

/// Puts the conversation on screen aside and starts an empty one.
pub fn handle_new_conversation(state: AppState) {
    switch(state, None);
}

/// Shows another conversation: one of this session kept in memory, or one
/// read back from browser storage.
pub fn handle_open_conversation(state: AppState, id: String) {
    switch(state, Some(id));
}

/// Switching conversations is in the chunk loaded right after the first
/// paint (`later`): asked for before it is in, it waits for it.
fn switch(state: AppState, to: Option<String>) {
    spawn_local(async move {
        if load!(switch_chunk(state, to)).is_err() {
            // The conversation menu shows the one on screen again.
            state.menu_reset.notify();
            show(state, AppError::NotLoaded("Switching conversations"));
        }
    });
}

/// Shows the conversation that was open at the last visit (start-up), once
/// `later` is in; if it does not load, nothing is said here (the turns' view,
/// which needs the same code, says so) and it stays in History.
pub async fn reopen(state: AppState, id: String) {
    let _ = load!(switch_chunk(state, Some(id)));
}

split_point!(
    later,
    /// A new conversation (`None`), or the one with this id.
    fn switch_chunk(state: AppState, to: Option<String>) -> () {
        match to {
            None => new_conversation(state),
            Some(id) => open_conversation(state, id),
        }
    }
);

fn new_conversation(state: AppState) {
    if state.is_running() {
        return;
    }
    let label = {
        let stored = state.history.read_untracked();
        let aside = state.others.read_untracked();
        let current = state.current.read_untracked();
        next_name(
            stored
                .iter()
                .map(|c| c.id.as_str())
                .chain(aside.iter().map(|c| c.meta.id.as_str()))
                .chain([current.id.as_str()]),
        )
    };
    switch_to(
        state,
        Conversation {
            meta: new_meta(label),
            turns: Vec::new(),
        },
    );
}

fn open_conversation(state: AppState, id: String) {
    if state.is_running() || state.current.with_untracked(|c| c.id == id) {
        return;
    }
    let mut aside = None;
    state.others.update(|o| {
        if let Some(i) = o.iter().position(|c| c.meta.id == id) {
            aside = Some(o.remove(i));
        }
    });
    match aside {
        Some(c) => switch_to(state, c),
        None => spawn_local(open(state, id)),
    }
}

/// Reads a stored conversation back and shows it.
async fn open(state: AppState, id: String) {
    match load_conversation(state, id).await {
        Ok((meta, turns)) => {
            if !state.is_running() {
                switch_to(state, Conversation { meta, turns });
            }
        }
        Err(e) => {
            // The conversation menu shows the one on screen again.
            state.menu_reset.notify();
            show(state, e);
        }
    }
}

/// Starts a branch holding the turns up to and including `turn_id`; the
/// original conversation is kept whole.
pub fn handle_edit_from_here(state: AppState, turn_id: u64) {
    if state.is_running() {
        return;
    }
    let turns = state.turns.get_untracked();
    let Some(keep) = turns.iter().position(|t| t.id == turn_id) else {
        return;
    };
    let branch: Vec<Turn> = turns[..=keep]
        .iter()
        .map(|t| t.copy_as(state.next_id()))
        .collect();
    let label = branch_label(&state.current.with_untracked(|c| c.label.clone()), keep + 1);
    switch_to(
        state,
        Conversation {
            meta: new_meta(label),
            turns: branch,
        },
    );
    // The branch is a conversation of its own, kept like any other:
    // `switch_to` saves it when storage is open; otherwise this says why it is
    // not saved, or it waits for storage to open.
    if state.store.with_value(Option::is_none) {
        spawn_local(async move {
            if let Err(e) = save_turns(state, None, false).await {
                show(state, e);
            }
        });
    }
    state.notice.set(Some(format!(
        "Editing from turn {}: the next prompt changes that image. The original conversation is kept.",
        keep + 1
    )));
}

/// Puts `next` on screen. The conversation leaving it stays in memory only if
/// some of it is not in browser storage: a stored one is read back from there
/// when opened again, so its images (base64 and object URLs) are freed now.
pub fn switch_to(state: AppState, next: Conversation) {
    let turns = state.turns.get_untracked();
    let meta = state.current.get_untracked();
    let stored = state.store.with_value(Option::is_some) && turns.iter().all(Turn::is_saved);
    if !turns.is_empty() && !stored {
        state
            .others
            .update(|o| o.insert(0, Conversation { meta, turns }));
    }
    // A Generate waiting for images was meant for the conversation leaving.
    if let Some(d) = state.after_adding.try_update(Option::take).flatten() {
        state.notice.set(Some(format!(
            "{} was called off: the conversation changed. Your prompt and images are still here.",
            d.what
        )));
    }
    let unsaved = next.turns.iter().any(|t| !t.is_saved());
    state.current.set(next.meta);
    state.turns.set(next.turns);
    super::clear_alert(state);
    // One put aside while storage was opening, and not yet saved: saved now
    // (while storage is not open, it is saved once it is).
    if unsaved && state.store.with_value(Option::is_some) {
        spawn_local(async move {
            if let Err(e) = save_turns(state, None, false).await {
                show(state, e);
            }
        });
    }
}

/// Makes variant `index` of a turn the model turn sent in later requests.
pub fn handle_choose_variant(state: AppState, turn_id: u64, index: usize) {
    let Some(turn) = state
        .turns
        .with_untracked(|t| t.iter().find(|t| t.id == turn_id).cloned())
    else {
        return;
    };
    if turn.chosen.get_untracked() == index || !turn.data.can_choose(index) {
        return;
    }
    turn.chosen.set(index);
    spawn_local(async move {
        if let Err(e) = save_turns(state, Some(turn_id), false).await {
            show(state, e);
        }
    });
}
