//! Keeping the studio's work in the browser: turns saved as they land, read
//! back when a conversation is opened, the composer's draft, the storage
//! estimate, and what other tabs say.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use gemini::mime::ImageMime;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Blob;

use super::adding;
use crate::browser::files::{blob_bytes, to_base64};
use crate::browser::object_url::{ObjectUrl, SharedUrl};
use crate::browser::{base64, digest, locks, next_task, now_ms, storage};
use crate::error::AppError;
use crate::model::labels::short;
use crate::model::stored::{
    conversation_record, restore_turn, turn_record, Placed, StoredImage, Unkeyed,
};
use crate::model::ConversationMeta;
use crate::state::{AppState, Attachment, Keeping, KeptDraft, Prepared, Turn};
use crate::store::records::{DraftImage, ImageBytes, StoredTurn, TurnRecord};
use crate::store::sync::Word;
use crate::store::{quota, sync, DraftRecord, DraftSlot, Store, StoreError};

/// The conversation open when the page was left, reopened on load.
const OPEN_KEY: &str = "studio.openConversation.v1";

/// The conversation to reopen on load, if one was open.
pub fn last_open() -> Option<String> {
    storage::get_string(OPEN_KEY)
}

/// Remembers the conversation on screen (once it has a turn) as the one to
/// reopen after a reload.
pub fn remember_open(state: AppState) {
    Effect::new(move |_| {
        let id = state.current.with(|c| c.id.clone());
        if state.turns.with(|t| !t.is_empty()) {
            storage::set_string(OPEN_KEY, &id);
        }
    });
}

/// Keeps the composer (prompt and attached images) as it changes, once the
/// draft kept before has been restored (`ready`); what changed before that is
/// kept once it is.
pub fn keep_draft(state: AppState, ready: RwSignal<bool>) {
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let prompt = state.prompt.get();
        let attachments = state.attachments.get();
        if !ready.get() {
            return;
        }
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                spawn_local(async move {
                    let Some(store) = state.store.get_value() else {
                        return;
                    };
                    let record = DraftRecord {
                        prompt,
                        attachments: attachments
                            .iter()
                            .map(|a| DraftImage {
                                name: a.name.clone(),
                                mime: a.mime.as_str().to_owned(),
                                note: a.note.clone(),
                            })
                            .collect(),
                        ..DraftRecord::default()
                    };
                    // The Blobs the thumbnails show hold the attached bytes:
                    // stored as they are, nothing is decoded or copied here.
                    let blobs: Vec<Blob> =
                        attachments.iter().map(|a| a.url.blob().clone()).collect();
                    // A draft that cannot be kept is said, not swallowed.
                    let problem = store.save_draft(&record, &blobs).await.err().map(|e| {
                        format!(
                            "Your draft could not be kept in this browser ({e}). It is still here; keep a copy if you close the page."
                        )
                    });
                    state.draft_problem.set(problem);
                });
            },
            Duration::from_millis(300),
        )
        .ok();
        timer.set_value(handle);
    });
}

/// Puts the kept draft back in the composer; if something was typed or
/// attached before it came, offers it instead (`AppState::kept_draft`).
pub async fn restore_draft(state: AppState, store: &Store) {
    let Ok(Some((draft, blobs))) = store.draft().await else {
        return;
    };
    if draft.prompt.trim().is_empty() && draft.attachments.is_empty() {
        return;
    }
    let restored = draft_images(state, &draft, blobs).await;
    // Typed or attached before it came (the storage opens after the first
    // paint): that stays, and the draft is offered (it is replaced in
    // storage by what is in the composer now).
    if composer_empty(state) {
        state.prompt.set(draft.prompt);
        state.attachments.set(restored);
    } else if state.prompt.with_untracked(|p| *p != draft.prompt) || !restored.is_empty() {
        state.kept_draft.set(Some(KeptDraft {
            prompt: draft.prompt,
            attachments: restored,
            from_last_visit: true,
        }));
    }
}

/// Nothing typed or attached in the composer.
fn composer_empty(state: AppState) -> bool {
    state.prompt.with_untracked(String::is_empty)
        && state.attachments.with_untracked(Vec::is_empty)
        && state.adding.get_untracked() == 0
}

/// Lock names of conversations: held by the tab with a request in flight.
const LOCK_PREFIX: &str = "gemini-studio-conversation:";

/// This tab continues a conversation: other tabs show it read-only until the
/// lock is dropped (when the turn is stored, or the request failed).
pub struct ConversationLock {
    _held: Option<locks::Held>,
    id: String,
}

impl Drop for ConversationLock {
    fn drop(&mut self) {
        sync::say(Word::Free, &self.id);
    }
}

/// Takes the conversation for this tab's request, unless another tab has a
/// request in flight on it.
pub async fn hold_conversation(state: AppState, id: &str) -> Result<ConversationLock, AppError> {
    let held = match locks::try_hold(&format!("{LOCK_PREFIX}{id}")).await {
        locks::Attempt::Held(h) => Some(h),
        // Without Web Locks, tabs still hear each other on the channel.
        locks::Attempt::Unsupported => None,
        locks::Attempt::Busy => {
            state.in_use_elsewhere.update(|ids| {
                if !ids.iter().any(|i| i == id) {
                    ids.push(id.to_owned());
                }
            });
            return Err(AppError::InUseElsewhere);
        }
    };
    sync::say(Word::Busy, id);
    Ok(ConversationLock {
        _held: held,
        id: id.to_owned(),
    })
}

/// The conversations other tabs hold now (asked at start).
pub async fn read_locks(state: AppState) {
    let mine_running = state.is_running();
    let ids: Vec<String> = locks::held_with_prefix(LOCK_PREFIX)
        .await
        .into_iter()
        .filter_map(|n| n.strip_prefix(LOCK_PREFIX).map(str::to_owned))
        .collect();
    if !mine_running {
        state.in_use_elsewhere.set(ids);
    }
}

/// What a request in flight sent, kept until the request is over: dropping
/// this (the turn is stored, the request failed, or it was cancelled and its
/// work dropped) forgets it.
pub struct InFlight(Store);

impl Drop for InFlight {
    fn drop(&mut self) {
        let store = self.0.clone();
        spawn_local(async move {
            let _ = store.delete_draft(DraftSlot::InFlight).await;
        });
    }
}

/// How long a command waits for the database to open before saying it did not.
const OPEN_WAIT_MS: u64 = 20_000;

/// The database, waiting while it is still being opened (a command used right
/// after the page loads is carried out, not dropped); why not, if it cannot be
/// used.
pub async fn open_store(state: AppState) -> Result<Store, StoreError> {
    let mut waited = 0;
    loop {
        if let Some(store) = state.store.get_value() {
            return Ok(store);
        }
        match state.keeping.get_untracked() {
            Keeping::Opening | Keeping::Blocked | Keeping::Kept if waited < OPEN_WAIT_MS => {}
            Keeping::Opening | Keeping::Kept => {
                return Err(StoreError::Unavailable(
                    "browser storage did not open; reload the page".into(),
                ))
            }
            Keeping::Blocked => {
                return Err(StoreError::Unavailable(
                    "another tab has the studio open with an older version; close or reload it"
                        .into(),
                ))
            }
            Keeping::Unavailable(why) => return Err(StoreError::Unavailable(why)),
            Keeping::Closed => return Err(StoreError::Closed),
        }
        crate::browser::sleep(100).await;
        waited += 100;
    }
}

/// What request `p` sends, as the draft kept while it is in flight: prompt,
/// images, settings.
pub fn inflight_record(p: &Prepared) -> (DraftRecord, Vec<Blob>) {
    let images: Vec<(String, Blob)> = p
        .next
        .parts
        .iter()
        .filter_map(|part| part.inline_data.as_ref())
        .zip(&p.user_images)
        .enumerate()
        .map(|(i, (d, url))| {
            let ext = ImageMime::parse(&d.mime_type).map_or("png", ImageMime::extension);
            (format!("image-{}.{ext}", i + 1), url.blob().clone())
        })
        .collect();
    let record = DraftRecord {
        prompt: p.prompt.clone(),
        attachments: p
            .next
            .parts
            .iter()
            .filter_map(|part| part.inline_data.as_ref())
            .zip(&images)
            .map(|(d, (name, _))| DraftImage {
                name: name.clone(),
                mime: d.mime_type.clone(),
                note: None,
            })
            .collect(),
        settings: Some(p.settings.clone()),
        conversation: Some(p.conversation.clone()),
        sent_ms: Some(now_ms()),
    };
    let blobs: Vec<Blob> = images.into_iter().map(|(_, b)| b).collect();
    (record, blobs)
}

/// Keeps what a request sends before it leaves ([`inflight_record`]). A
/// reload or a crash before its turn is stored brings it back to the composer.
pub async fn keep_inflight(
    state: AppState,
    record: DraftRecord,
    blobs: Vec<Blob>,
) -> Option<InFlight> {
    // Never waits for the database: the request is not held up (the draft,
    // kept once the database opens, still holds the composer).
    let store = state.store.get_value()?;
    store
        .save_draft_in(DraftSlot::InFlight, &record, &blobs)
        .await
        .ok()
        .map(|_| InFlight(store))
}

/// After a reload: a request that was in flight when the page went away is
/// brought back to the composer (if nothing is there), and the person is told.
pub async fn recover_inflight(state: AppState, store: &Store) {
    let Ok(Some((sent, blobs))) = store.draft_in(DraftSlot::InFlight).await else {
        return;
    };
    // Another tab holds its conversation: the request is still running there,
    // not interrupted.
    if let Some(id) = &sent.conversation {
        if state
            .in_use_elsewhere
            .with_untracked(|ids| ids.contains(id))
        {
            return;
        }
    }
    let words = short(&sent.prompt);
    let restored = if composer_empty(state) {
        draft_images(state, &sent, blobs).await
    } else {
        Vec::new()
    };
    if composer_empty(state) {
        let _ = store.delete_draft(DraftSlot::InFlight).await;
        if let Some(settings) = sent.settings {
            state.settings.set(settings);
        }
        state.prompt.set(sent.prompt);
        state.attachments.set(restored);
        state.notice.set(Some(format!(
            "Your last request (\u{201c}{words}\u{201d}) was interrupted when the page closed, before its answer arrived. Its prompt, images and settings are back in the composer: press Generate to send it again."
        )));
    } else {
        // The kept draft is back (or offered, if something was typed before
        // it came): the composer is not cleared by Generate, so it is what
        // was sent, or what was typed after sending it (newer work, which
        // stays).
        let _ = store.delete_draft(DraftSlot::InFlight).await;
        let offered = state
            .kept_draft
            .with_untracked(|k| k.as_ref().map(|k| k.prompt == sent.prompt));
        let same = state.prompt.with_untracked(|p| *p == sent.prompt);
        state.notice.set(Some(if let Some(same) = offered {
            let holds = if same { "its prompt" } else { "what you typed after sending it" };
            format!("Your last request (\u{201c}{words}\u{201d}) was interrupted when the page closed, before its answer arrived. The draft from your last visit, offered above the composer, holds {holds}.")
        } else if same {
            format!("Your last request (\u{201c}{words}\u{201d}) was interrupted when the page closed, before its answer arrived. Its prompt is in the composer above.")
        } else {
            format!("Your last request (\u{201c}{words}\u{201d}) was interrupted when the page closed, before its answer arrived. The composer holds what you typed after sending it.")
        }));
    }
}

/// The attachments of a kept composer.
async fn draft_images(state: AppState, draft: &DraftRecord, blobs: Vec<Blob>) -> Vec<Attachment> {
    let mut restored = Vec::new();
    for (meta, blob) in draft.attachments.iter().zip(blobs) {
        let (Some(mime), Ok(bytes)) = (ImageMime::parse(&meta.mime), blob_bytes(&blob).await)
        else {
            continue;
        };
        let Ok(url) = ObjectUrl::for_blob(&blob) else {
            continue;
        };
        restored.push(adding::from_bytes(
            state,
            meta.name.clone(),
            mime,
            &bytes,
            url,
            meta.note.clone(),
        ));
    }
    restored
}

/// Reloads the stored conversation list (and the storage estimate).
pub async fn refresh(state: AppState) {
    let Some(store) = state.store.get_value() else {
        return;
    };
    if let Ok(list) = store.conversations().await {
        state.history.set(list);
    }
    update_storage_note(state).await;
}

/// "Storage: 12 MB of 2 GB used · kept persistently".
pub async fn update_storage_note(state: AppState) {
    let Some(e) = quota::estimate().await else {
        return;
    };
    let kept = match quota::persisted().await {
        Some(true) => " · kept persistently",
        Some(false) => " · the browser may clear it when space runs low",
        None => "",
    };
    state
        .storage_note
        .set(Some(format!("Storage: {}{kept}", e.describe())));
}

/// How much storage is used, for a message about a full disk.
pub async fn used_when_full(e: &StoreError) -> Option<String> {
    match e {
        StoreError::Quota => quota::estimate().await.map(|e| e.describe()),
        _ => None,
    }
}

/// Decodes each image and names it by its SHA-256 (hashed off the main thread
/// where the browser can, one image per task), pointing its part at it; data
/// that does not decode stays inline, as received. Returns the record and the
/// images to store.
pub async fn key_images(mut u: Unkeyed) -> (TurnRecord, Vec<ImageBytes>) {
    let mut images = Vec::new();
    for (slot, t) in std::mem::take(&mut u.taken) {
        match base64::decode(&t.data) {
            Ok(bytes) => {
                let hash = digest::sha256_hex(&bytes).await;
                u.place(slot, t.part, Placed::Stored(hash.clone()));
                if u.store_images {
                    images.push(ImageBytes {
                        hash,
                        mime: t.mime,
                        bytes,
                    });
                }
            }
            Err(_) => u.place(slot, t.part, Placed::Inline(t.data)),
        }
    }
    (u.record, images)
}

/// Saves every unsaved turn of the conversation on screen (and `changed`, a
/// saved turn whose record changed) in one transaction, also emptying the draft
/// when `clear_draft` (the composer was just sent). What to save is taken at
/// the call, before anything else can change the page; the images are decoded
/// and hashed after the page has painted. On success the turns are marked
/// saved, here or in a conversation put aside meanwhile (which is then freed).
/// While it runs, unsaved turns show "Saving…".
pub async fn save_turns(
    state: AppState,
    changed: Option<u64>,
    clear_draft: bool,
) -> Result<(), AppError> {
    let Some(store) = state.store.get_value() else {
        // While the database opens (or waits for another tab to let go of an
        // older version), turns wait, unsaved, and are saved once it is open.
        return match state.keeping.get_untracked() {
            Keeping::Closed => Err(AppError::NotSaved {
                error: StoreError::Closed,
                used: None,
            }),
            Keeping::Unavailable(why) => Err(AppError::NotSaved {
                error: StoreError::Unavailable(why),
                used: None,
            }),
            Keeping::Opening | Keeping::Blocked | Keeping::Kept => Ok(()),
        };
    };
    let meta = state.current.get_untracked();
    if is_deleted(state, &meta.id) {
        return Ok(());
    }
    let (unkeyed, flags) = state
        .turns
        .with_untracked(|turns| unsaved(&meta.id, turns, changed));
    save_records(state, store, meta, unkeyed, flags, clear_draft).await
}

/// Conversations put aside while the database was opening (kept in memory
/// only): saved once it is open, each in its own transaction.
pub async fn save_put_aside(state: AppState) -> Result<(), AppError> {
    let Some(store) = state.store.get_value() else {
        return Ok(());
    };
    let waiting: Vec<_> = state.others.with_untracked(|o| {
        o.iter()
            .filter(|c| !is_deleted(state, &c.meta.id))
            .map(|c| {
                let (unkeyed, flags) = unsaved(&c.meta.id, &c.turns, None);
                (c.meta.clone(), unkeyed, flags)
            })
            .filter(|(_, unkeyed, _)| !unkeyed.is_empty())
            .collect()
    });
    // Each is tried; the first failure is said.
    let mut first = Ok(());
    for (meta, unkeyed, flags) in waiting {
        let saved = save_records(state, store.clone(), meta, unkeyed, flags, false).await;
        if first.is_ok() {
            first = saved;
        }
    }
    first
}

/// The records of `turns` not yet stored (and of turn `changed`), with the
/// flags to set once they are.
fn unsaved(
    conversation_id: &str,
    turns: &[Turn],
    changed: Option<u64>,
) -> (Vec<Unkeyed>, Vec<ArcRwSignal<bool>>) {
    let mut unkeyed = Vec::new();
    let mut flags = Vec::new();
    for (i, t) in turns.iter().enumerate() {
        let saved = t.is_saved();
        if t.damaged.is_none() && (!saved || changed == Some(t.id)) {
            let chosen = t.chosen.get_untracked();
            unkeyed.push(turn_record(conversation_id, i, &t.data, chosen, !saved));
            flags.push(t.saved.clone());
        }
    }
    (unkeyed, flags)
}

/// Stores one conversation's `unkeyed` turn records (see [`save_turns`]).
async fn save_records(
    state: AppState,
    store: Store,
    meta: ConversationMeta,
    unkeyed: Vec<Unkeyed>,
    flags: Vec<ArcRwSignal<bool>>,
    clear_draft: bool,
) -> Result<(), AppError> {
    if unkeyed.is_empty() {
        return Ok(());
    }
    state.saving.update(|n| *n += 1);
    next_task().await;
    let mut records = Vec::new();
    let mut images = Vec::new();
    for u in unkeyed {
        let (r, imgs) = key_images(u).await;
        records.push(r);
        images.extend(imgs);
    }
    // Deleted while its images were hashed: it must not come back.
    if is_deleted(state, &meta.id) {
        state.saving.update(|n| *n = n.saturating_sub(1));
        return Ok(());
    }
    let saved = store
        .save_with(
            &conversation_record(&meta, now_ms()),
            &records,
            &images,
            clear_draft,
        )
        .await;
    drop(images);
    state.saving.update(|n| *n = n.saturating_sub(1));
    match saved {
        Ok(summary) => {
            flags.iter().for_each(|f| f.set(true));
            // A conversation put aside meanwhile is freed once all of it is
            // stored: it is read back from storage when opened.
            if state
                .others
                .with_untracked(|o| o.iter().any(|c| c.turns.iter().all(Turn::is_saved)))
            {
                state
                    .others
                    .update(|o| o.retain(|c| !c.turns.iter().all(Turn::is_saved)));
            }
            state.history.update(|h| {
                h.retain(|c| c.id != summary.id);
                h.insert(0, summary);
            });
            sync::announce(&meta.id);
            spawn_local(update_storage_note(state));
            Ok(())
        }
        Err(error) => Err(AppError::NotSaved {
            used: used_when_full(&error).await,
            error,
        }),
    }
}

/// The images `records` refer to, read back from storage: each encoded once
/// (shared by every part that holds it) and shown from its stored Blob.
pub async fn stored_images<'a>(
    store: &Store,
    records: impl IntoIterator<Item = &'a TurnRecord>,
) -> Result<HashMap<String, StoredImage<SharedUrl>>, String> {
    let mut hashes: Vec<String> = records.into_iter().flat_map(|t| t.image_refs()).collect();
    hashes.sort();
    hashes.dedup();
    let blobs = store.images(&hashes).await.map_err(|e| e.to_string())?;
    let mut images = HashMap::new();
    for (hash, blob) in blobs {
        let bytes = blob_bytes(&blob).await?;
        let shown = ObjectUrl::for_blob(&blob)
            .map_err(|_| "the browser could not show a stored image".to_owned())?;
        images.insert(
            hash,
            StoredImage {
                base64: Arc::new(to_base64(&bytes)),
                size: bytes.len(),
                shown,
            },
        );
    }
    Ok(images)
}

/// Whether conversation `id` was deleted (in this tab).
fn is_deleted(state: AppState, id: &str) -> bool {
    state.deleted.with_value(|d| d.iter().any(|x| x == id))
}

/// Turns for the page from their records: images back inline (as received)
/// and shown from their stored Blobs.
/// A turn that cannot be read back whole is shown as damaged, saying what is
/// missing, instead of making the whole conversation unopenable.
pub async fn load_turns(
    state: AppState,
    store: &Store,
    stored: Vec<StoredTurn>,
) -> Result<Vec<Turn>, String> {
    let images = stored_images(
        store,
        stored.iter().filter_map(|t| match t {
            StoredTurn::Record(r) => Some(r),
            StoredTurn::Unreadable { .. } => None,
        }),
    )
    .await?;
    Ok(stored
        .into_iter()
        .map(|t| match t {
            StoredTurn::Record(r) => {
                let (prompt, settings, created) = (r.prompt.clone(), r.settings.clone(), r.created_ms);
                match restore_turn(r, &images) {
                    Ok((data, chosen)) => Turn::new(state.next_id(), data, chosen, true),
                    Err(why) => Turn::damaged(
                        state.next_id(),
                        prompt,
                        settings,
                        created,
                        format!("This turn is damaged: {why}. It is shown here but not sent to the model."),
                    ),
                }
            }
            StoredTurn::Unreadable {
                prompt, created_ms, ..
            } => Turn::damaged(
                state.next_id(),
                prompt.unwrap_or_default(),
                Default::default(),
                created_ms,
                "This turn is damaged: its stored record could not be read. It is shown here but not sent to the model.".into(),
            ),
        })
        .collect())
}

/// A stored conversation, read back.
pub async fn load(state: AppState, id: &str) -> Result<(ConversationMeta, Vec<Turn>), AppError> {
    let store = state
        .store
        .get_value()
        .ok_or_else(|| AppError::NotOpened("browser storage is not open".into()))?;
    let record = state
        .history
        .with_untracked(|h| h.iter().find(|c| c.id == id).cloned())
        .ok_or_else(|| AppError::NotOpened("the conversation is no longer stored".into()))?;
    let records = store
        .stored_turns(id)
        .await
        .map_err(|e| AppError::NotOpened(e.to_string()))?;
    let turns = load_turns(state, &store, records)
        .await
        .map_err(AppError::NotOpened)?;
    Ok((ConversationMeta::of(&record), turns))
}

/// Another tab changed conversation `id`: the list is read again, and the
/// conversation on screen follows if it is that one and nothing here is
/// unsaved.
pub fn on_other_tab(state: AppState, word: Word, id: String) {
    match word {
        Word::Busy => {
            state.in_use_elsewhere.update(|ids| {
                if !ids.contains(&id) {
                    ids.push(id.clone());
                }
            });
            return;
        }
        Word::Free => state
            .in_use_elsewhere
            .update(|ids| ids.retain(|i| *i != id)),
        Word::Changed => {}
    }
    spawn_local(async move {
        refresh(state).await;
        let open_here = state.current.with_untracked(|c| c.id == id);
        let all_saved = state.turns.with_untracked(|t| t.iter().all(Turn::is_saved));
        if !open_here || !all_saved || state.is_running() {
            return;
        }
        let gone = state
            .history
            .with_untracked(|h| !h.iter().any(|c| c.id == id));
        if gone {
            state.notice.set(Some(
                "This conversation was deleted in another tab. It stays here until you leave it."
                    .into(),
            ));
            forget_stored(state);
        } else if let Ok((meta, turns)) = load(state, &id).await {
            if state.current.with_untracked(|c| c.id == meta.id) && !state.is_running() {
                state.turns.set(turns);
            }
        }
    });
}

/// The conversation on screen is no longer stored (it was deleted): its turns
/// stay on the page, unsaved, as a new conversation (so a save never brings
/// the deleted one back), and it is not reopened after a reload.
pub fn forget_stored(state: AppState) {
    state
        .turns
        .with_untracked(|t| t.iter().for_each(|t| t.saved.set(false)));
    let label = state.current.with_untracked(|c| c.label.clone());
    state.current.set(ConversationMeta::new(
        label,
        now_ms(),
        js_sys::Math::random(),
    ));
    storage::remove(OPEN_KEY);
}
