//! The history panel's commands: delete (with Undo), export, import, and
//! asking the browser to keep storage.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::File;

use super::archive::ImportError;
use super::generate::handle_cancel;
use super::lazy::{self, NotLoaded};
use super::persistence::{forget_stored, open_store, refresh, update_storage_note, used_when_full};
use super::show;
use crate::browser::download::download_blob;
use crate::error::AppError;
use crate::model::PendingDelete;
use crate::state::AppState;
use crate::store::quota;
use crate::store::{sync, StoreError};

/// How long a deletion can be undone.
pub const UNDO_MS: u64 = 6000;

/// Hides conversations from the history and deletes them once the Undo time
/// has passed (a deletion already waiting is carried out first).
pub fn handle_delete(state: AppState, ids: Vec<String>, what: String) {
    // A request continuing the conversation being deleted is stopped: its
    // answer would have nowhere to go.
    // (So is a Generate waiting for images to be added.)
    if (state.is_running() || state.after_adding.with_untracked(Option::is_some))
        && state.current.with_untracked(|c| ids.contains(&c.id))
    {
        handle_cancel(state);
    }
    if let Some(p) = state.pending_delete.get_untracked() {
        spawn_local(async move {
            delete_now(state, p.ids).await;
        });
    }
    let token = (js_sys::Math::random() * 9e15) as u64;
    state.pending_delete.set(Some(PendingDelete {
        ids: ids.clone(),
        what,
        token,
    }));
    set_timeout(
        move || {
            let still = state
                .pending_delete
                .with_untracked(|p| p.as_ref().is_some_and(|p| p.token == token));
            if still {
                state.pending_delete.set(None);
                spawn_local(async move {
                    delete_now(state, ids).await;
                });
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

/// Deletes conversations now; whether it was done (a failure is shown).
async fn delete_now(state: AppState, ids: Vec<String>) -> bool {
    let Some(store) = state.store.get_value() else {
        return false;
    };
    match store.delete(&ids).await {
        Ok(()) => {
            state
                .deleted
                .update_value(|d| d.extend(ids.iter().cloned()));
            // Nor is a copy kept in memory (put aside unsaved) saved later.
            state
                .others
                .update(|o| o.retain(|c| !ids.contains(&c.meta.id)));
            state.history.update(|h| h.retain(|c| !ids.contains(&c.id)));
            // The conversation on screen stays, but is no longer stored.
            if state.current.with_untracked(|c| ids.contains(&c.id)) {
                forget_stored(state);
            }
            for id in &ids {
                sync::announce(id);
            }
            update_storage_note(state).await;
            true
        }
        Err(e) => {
            show(state, AppError::NotDeleted(e));
            false
        }
    }
}

/// Saves conversations (all when `ids` is `None`) as a ZIP: `manifest.json`
/// and every image as its own file (see [`super::archive`]).
pub fn handle_export(state: AppState, ids: Option<Vec<String>>) {
    spawn_local(async move {
        let store = match open_store(state).await {
            Ok(store) => store,
            Err(e) => return show(state, AppError::NotExported(e)),
        };
        let name = match &ids {
            Some(_) => "gemini-studio-conversation.zip",
            None => "gemini-studio-export.zip",
        };
        let export = match lazy::said_while(state, "Export", lazy::export_archive(store, ids)).await
        {
            Ok(export) => export,
            Err(NotLoaded) => return show(state, AppError::NotLoaded("Export")),
        };
        let archive = match export.await {
            Ok(a) => a,
            Err(why) => return show(state, AppError::NotExported(StoreError::Failed(why))),
        };
        if download_blob(&archive, name).is_err() {
            show(state, AppError::NotDownloaded);
        }
    });
}

/// Reads an export file (ZIP, or the JSON of earlier versions), checks all of
/// it, and adds the conversations that are not here yet (see
/// [`super::archive::import_file`]). A damaged or foreign file, or an import that fails on
/// the way, changes nothing.
pub fn handle_import(state: AppState, file: File) {
    spawn_local(async move {
        let store = match open_store(state).await {
            Ok(store) => store,
            Err(error) => return show(state, AppError::NotImported { used: None, error }),
        };
        // The import's code first: if it cannot load, nothing has changed
        // (a deletion waiting out its Undo time can still be undone).
        let random = || (js_sys::Math::random() * 1e9) as u64;
        let import = match lazy::said_while(
            state,
            "Import",
            lazy::import_file(store, file.into(), random),
        )
        .await
        {
            Ok(import) => import,
            Err(NotLoaded) => return show(state, AppError::NotLoaded("Import")),
        };
        // A deletion waiting out its Undo time is carried out first: the
        // file's copy of those conversations is then imported, not counted as
        // already here and deleted a moment later.
        // (If it fails, that is said and nothing is imported.)
        if let Some(p) = state.pending_delete.get_untracked() {
            state.pending_delete.set(None);
            if !delete_now(state, p.ids).await {
                return;
            }
        }
        match import.await {
            Ok(done) => {
                // A conversation deleted here earlier and imported again under
                // its id is kept again: its next turns are saved.
                state
                    .deleted
                    .update_value(|d| d.retain(|id| !done.ids.contains(id)));
                super::clear_alert(state);
                state.notice.set(Some(format!(
                    "Imported {} conversation{}{}{}.",
                    done.added,
                    if done.added == 1 { "" } else { "s" },
                    if done.skipped > 0 {
                        format!(" ({} already here, skipped)", done.skipped)
                    } else {
                        String::new()
                    },
                    match done.prompts {
                        0 => String::new(),
                        1 => " and 1 saved prompt".to_owned(),
                        n => format!(" and {n} saved prompts"),
                    }
                )));
                if done.prompts > 0 {
                    super::prompts::reload(state).await;
                }
                for id in &done.ids {
                    sync::announce(id);
                }
                refresh(state).await;
            }
            Err(ImportError::Refused(why)) => show(state, AppError::ImportRefused(why)),
            Err(ImportError::Stopped(why)) => show(state, AppError::ImportStopped(why)),
            Err(ImportError::Store(error)) => show(
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
