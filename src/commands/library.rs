//! The history panel's commands: delete (with Undo), export, import, and
//! asking the browser to keep storage.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::File;

use super::persistence::{forget_stored, refresh, update_storage_note, used_when_full};
use super::show;
use crate::browser::download::download;
use crate::browser::files::blob_bytes;
use crate::error::AppError;
use crate::model::PendingDelete;
use crate::state::AppState;
use crate::store::quota;
use crate::store::records::parse_export;
use crate::store::sync;

/// How long a deletion can be undone.
pub const UNDO_MS: u64 = 6000;

/// Hides conversations from the history and deletes them once the Undo time
/// has passed (a deletion already waiting is carried out first).
pub fn handle_delete(state: AppState, ids: Vec<String>, what: String) {
    if let Some(p) = state.pending_delete.get_untracked() {
        spawn_local(delete_now(state, p.ids));
    }
    state.pending_delete.set(Some(PendingDelete {
        ids: ids.clone(),
        what,
    }));
    set_timeout(
        move || {
            let still = state
                .pending_delete
                .with_untracked(|p| p.as_ref().is_some_and(|p| p.ids == ids));
            if still {
                state.pending_delete.set(None);
                spawn_local(delete_now(state, ids));
            }
        },
        Duration::from_millis(UNDO_MS),
    );
}

/// Deletes every stored conversation (after the Undo time).
pub fn handle_delete_all(state: AppState) {
    let ids: Vec<String> = state
        .history
        .with_untracked(|h| h.iter().map(|c| c.id.clone()).collect());
    let what = format!("all {} conversations", ids.len());
    handle_delete(state, ids, what);
}

pub fn handle_undo_delete(state: AppState) {
    state.pending_delete.set(None);
}

async fn delete_now(state: AppState, ids: Vec<String>) {
    let Some(store) = state.store.get_value() else {
        return;
    };
    match store.delete(&ids).await {
        Ok(()) => {
            state.history.update(|h| h.retain(|c| !ids.contains(&c.id)));
            // The conversation on screen stays, but is no longer stored.
            if state.current.with_untracked(|c| ids.contains(&c.id)) {
                forget_stored(state);
            }
            for id in &ids {
                sync::announce(id);
            }
            update_storage_note(state).await;
        }
        Err(e) => show(state, AppError::NotDeleted(e)),
    }
}

/// Saves conversations (all when `ids` is `None`) as one JSON file with the
/// images inline.
pub fn handle_export(state: AppState, ids: Option<Vec<String>>) {
    let Some(store) = state.store.get_value() else {
        return;
    };
    spawn_local(async move {
        let file = match store.export(ids.as_deref()).await {
            Ok(f) => f,
            Err(e) => {
                show(state, AppError::NotExported(e));
                return;
            }
        };
        let Ok(json) = serde_json::to_vec(&file) else {
            return;
        };
        let name = match &ids {
            Some(_) => "gemini-studio-conversation.json",
            None => "gemini-studio-export.json",
        };
        if download(&json, "application/json", name).is_err() {
            show(state, AppError::NotDownloaded);
        }
    });
}

/// Reads an export file, checks all of it, and adds the conversations that are
/// not here yet, in one transaction. A damaged or foreign file changes nothing.
pub fn handle_import(state: AppState, file: File) {
    let Some(store) = state.store.get_value() else {
        return;
    };
    spawn_local(async move {
        let bytes = match blob_bytes(&file).await {
            Ok(b) => b,
            Err(e) => {
                show(
                    state,
                    AppError::ImportRefused(format!("The file could not be read ({e}).")),
                );
                return;
            }
        };
        let import = match parse_export(&bytes) {
            Ok(i) => i,
            Err(why) => {
                show(state, AppError::ImportRefused(why));
                return;
            }
        };
        match store.import(&import).await {
            Ok(added) => {
                let skipped = import.conversations.len() - added;
                state.alert.set(None);
                state.notice.set(Some(format!(
                    "Imported {added} conversation{}{}.",
                    if added == 1 { "" } else { "s" },
                    if skipped > 0 {
                        format!(" ({skipped} already here, skipped)")
                    } else {
                        String::new()
                    }
                )));
                for c in &import.conversations {
                    sync::announce(&c.conversation.id);
                }
                refresh(state).await;
            }
            Err(error) => show(
                state,
                AppError::NotImported {
                    used: used_when_full(&error).await,
                    error,
                },
            ),
        }
    });
}

/// Asks the browser to keep this site's storage and says whether it agreed.
pub fn handle_persist(state: AppState) {
    spawn_local(async move {
        let text = match quota::persist().await {
            Some(true) => "The browser will keep your history: it is not cleared when space runs low.",
            Some(false) => "The browser did not agree to keep storage persistently (it decides from how you use the site). Export your history to keep a copy.",
            None => "This browser cannot keep storage persistently. Export your history to keep a copy.",
        };
        state.notice.set(Some(text.into()));
        update_storage_note(state).await;
    });
}
