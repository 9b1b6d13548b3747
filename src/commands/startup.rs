//! What happens when the page opens: leaving mid-save asks first; right after
//! the first paint (in the browser's first idle moments after it), the turns'
//! view is mounted and browser storage opens (their code loaded then, in the
//! split build) and the draft and the conversation that was open come back.

use leptos::prelude::*;
use leptos::task::{spawn_local, spawn_local_scoped};

use super::lazy::{self, NotLoaded};
use super::{conversations, offline, preferences, shortcuts, show};
use crate::browser::{after_paint, idle, page};
use crate::error::AppError;
use crate::state::{AppState, Keeping};

/// Call once from `App`.
pub fn start(state: AppState) {
    // Leaving while a turn is in flight or being stored would lose it: the
    // browser asks first.
    let _ = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if state.saving.get_untracked() > 0 || state.is_running() {
            ev.prevent_default();
        }
    });
    // Under the App's owner: the draft is kept by effects made there.
    spawn_local_scoped(async move {
        // The composer works before this: what is typed or generated
        // meanwhile is kept once storage is open.
        after_paint().await;
        // Asking for the code fetched now (about sixty files: their fetches
        // take a task of tens of ms on a slow machine) is background work:
        // done when the browser is next idle (at once if it already is, and
        // never more than 300 ms after the paint), so that input and the
        // page's next frame come first; the turns' code, then, in another
        // idle moment, storage's. Adding images or Generate meanwhile ask
        // for the turns' code themselves (`wants_later`).
        idle(300).await;
        state.painted.set(true);
        // (The styles of the dialogs and tools those bring.)
        page::enable_styles();
        idle(300).await;
        let opening = match lazy::open_storage(state).await {
            Ok(opening) => opening,
            Err(NotLoaded) => {
                state.keeping.set(Keeping::Unavailable(
                    "its code did not load; reload the page".into(),
                ));
                show(state, AppError::StorageNotLoaded);
                return;
            }
        };
        if let Some(id) = opening.await {
            // Its code is `later`'s: if that did not load, the conversation
            // stays in History (the turns' view already said why).
            conversations::reopen(state, id).await;
        }
    });
}

/// What the page does from right after its first paint on: preferences kept
/// as they change, the keyboard shortcuts, the service worker. Called by the
/// top bar's tools (`TopbarTools`), which come with the same chunk (`later`)
/// right after the first paint and stay: their owner keeps these effects,
/// and their loading is tried again, as every view's, if it fails. Until
/// then a shortcut does nothing and a change is written when this starts.
pub fn settle(state: AppState) {
    preferences::persist(state);
    shortcuts::install(state);
    offline::register_worker(state);
    // In idle time, after the start-up's own work as a rule (two idle
    // moments; where the browser has no idle callback, at once).
    spawn_local(async {
        idle(2_000).await;
        idle(2_000).await;
        let _ = super::sending::warm_up();
    });
}
