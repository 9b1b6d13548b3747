//! The prompt library: prompts saved under a name (with their settings if
//! asked), kept in IndexedDB, searched, inserted, edited and deleted.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::persistence::open_store;
use super::settings::handle_model_change;
use super::show;
use crate::browser::now_ms;
use crate::error::AppError;
use crate::state::site::Site;
use crate::state::AppState;
use crate::store::PromptRecord;

/// Reads the library from the database into the state.
pub async fn reload(state: AppState) {
    let Some(store) = state.store.get_value() else {
        return;
    };
    match store.prompts().await {
        Ok(list) => state.prompts.set(list),
        Err(e) => show(state, AppError::Prompts(e)),
    }
}

pub fn handle_open_prompts(state: AppState) {
    state.prompts_open.set(true);
}

pub fn handle_close_prompts(state: AppState) {
    state.prompts_open.set(false);
}

/// Writes `record` (checked first), then reloads the library. `done` is
/// told whether it was saved.
fn write(state: AppState, record: PromptRecord, saved: String, done: impl FnOnce(bool) + 'static) {
    if let Some(why) = record.problem() {
        state.notice.set(Some(format!("Not saved: {why}.")));
        done(false);
        return;
    }
    spawn_local(async move {
        let store = match open_store(state).await {
            Ok(store) => store,
            Err(e) => {
                show(state, AppError::Prompts(e));
                done(false);
                return;
            }
        };
        match store.put_prompt(&record).await {
            Ok(()) => {
                state.notice.set(Some(saved));
                reload(state).await;
                done(true);
            }
            Err(e) => {
                show(state, AppError::Prompts(e));
                done(false);
            }
        }
    });
}

/// Saves the composer's prompt under `name`, with the current settings if
/// `with_settings`.
pub fn handle_save_prompt(
    state: AppState,
    name: String,
    with_settings: bool,
    done: impl FnOnce(bool) + 'static,
) {
    let now = now_ms();
    let record = PromptRecord {
        id: format!(
            "prompt-{:x}-{:x}",
            now as u64,
            (js_sys::Math::random() * 1e12) as u64
        ),
        name: name.trim().to_owned(),
        prompt: state.prompt.get_untracked(),
        settings: with_settings.then(|| state.settings.get_untracked()),
        created_ms: now,
        updated_ms: now,
    };
    let saved = format!("Saved “{}” in the prompt library.", record.name);
    write(state, record, saved, done);
}

/// Changes the name and text of a saved prompt.
pub fn handle_update_prompt(
    state: AppState,
    id: String,
    name: String,
    prompt: String,
    done: impl FnOnce(bool) + 'static,
) {
    let Some(mut record) = state
        .prompts
        .with_untracked(|l| l.iter().find(|p| p.id == id).cloned())
    else {
        done(false);
        return;
    };
    record.name = name.trim().to_owned();
    record.prompt = prompt;
    record.updated_ms = now_ms();
    let saved = format!("Saved the changes to “{}”.", record.name);
    write(state, record, saved, done);
}

pub fn handle_delete_prompt(state: AppState, id: String) {
    let name = state
        .prompts
        .with_untracked(|l| l.iter().find(|p| p.id == id).map(|p| p.name.clone()))
        .unwrap_or_default();
    spawn_local(async move {
        let store = match open_store(state).await {
            Ok(store) => store,
            Err(e) => return show(state, AppError::Prompts(e)),
        };
        match store.delete_prompt(&id).await {
            Ok(()) => {
                state
                    .notice
                    .set(Some(format!("Deleted “{name}” from the prompt library.")));
                reload(state).await;
            }
            Err(e) => show(state, AppError::Prompts(e)),
        }
    });
}

/// Puts a saved prompt in the composer (and its settings, if it has them),
/// and closes the library. Nothing is sent.
pub fn handle_insert_prompt(state: AppState, site: Site, id: String) {
    let Some(record) = state
        .prompts
        .with_untracked(|l| l.iter().find(|p| p.id == id).cloned())
    else {
        return;
    };
    state.prompt.set(record.prompt);
    state.prompts_open.set(false);
    if let Some(settings) = record.settings {
        let model = settings.model.clone();
        // A model this site does not offer is not chosen behind its back.
        if !site.config.with_untracked(|c| c.model_allowed(&model)) {
            state.notice.set(Some(format!(
                "The saved prompt's model ({model}) is not offered on this site: the prompt is in the composer, your settings are as they were."
            )));
            return;
        }
        state.settings.set(settings);
        handle_model_change(state, model);
    }
}
