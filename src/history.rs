//! Keeping the studio's work in the browser: turns on screen ⇄ stored records,
//! and the history commands (open, delete with undo, export, import, storage).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use gemini::mime::ImageMime;
use gemini::response::final_image_index;
use gemini::wire::Content;
use gemini::Generation;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{Blob, File};

use crate::actions::answer;
use crate::browser::files::to_base64;
use crate::browser::object_url::{blob_from_bytes, ObjectUrl};
use crate::browser::{now_ms, storage};
use crate::state::{
    Alert, AppState, Attachment, Conversation, ConversationMeta, Keeping, PendingDelete, TurnView,
    Variant,
};
use crate::store::db::blob_bytes;
use crate::store::records::{
    image_refs, parse_export, restore_images, set_data, set_ref, take_images, DraftImage,
    ImageBytes, Taken, RECORD_VERSION,
};
use crate::store::{
    quota, sync, ConversationRecord, DraftRecord, Store, StoreError, TurnRecord, VariantRecord,
};

/// The conversation open when the page was left, reopened on load.
const OPEN_KEY: &str = "studio.openConversation.v1";
/// How long a deletion can be undone.
pub const UNDO_MS: u64 = 6000;

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
    let draft_timer = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let prompt = state.prompt.get();
        let attachments = state.attachments.get();
        if !draft_ready.get_value() {
            return;
        }
        if let Some(h) = draft_timer.get_value() {
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
                    };
                    // The Blobs the thumbnails show hold the attached bytes:
                    // stored as they are, nothing is decoded or copied here.
                    let blobs: Vec<Blob> =
                        attachments.iter().map(|a| a.url.blob().clone()).collect();
                    let _ = store.save_draft(&record, &blobs).await;
                });
            },
            Duration::from_millis(300),
        )
        .ok();
        draft_timer.set_value(handle);
    });
    Effect::new(move |_| {
        let id = state.current.with(|c| c.id.clone());
        if state.turns.with(|t| !t.is_empty()) {
            storage::set_string(OPEN_KEY, &id);
        }
    });
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
        sync::listen(move |id| on_other_tab(state, id));
        refresh(state).await;
        // A new conversation is numbered after the kept ones.
        let kept = state.history.with_untracked(Vec::len);
        if state.turns.with_untracked(Vec::is_empty) && kept > 0 {
            state
                .current
                .update(|c| c.label = format!("Conversation {}", kept + 1));
        }
        restore_draft(state, &store).await;
        draft_ready.set_value(true);
        if let Some(id) = storage::get_string(OPEN_KEY) {
            if state.turns.with_untracked(Vec::is_empty)
                && state
                    .history
                    .with_untracked(|h| h.iter().any(|c| c.id == id))
            {
                open(state, id).await;
            }
        }
    });
}

async fn restore_draft(state: AppState, store: &Store) {
    let Ok(Some((draft, blobs))) = store.draft().await else {
        return;
    };
    if !state.prompt.with_untracked(String::is_empty)
        || !state.attachments.with_untracked(Vec::is_empty)
    {
        return;
    }
    let mut attachments = Vec::new();
    for (meta, blob) in draft.attachments.into_iter().zip(blobs) {
        let (Some(mime), Ok(bytes)) = (ImageMime::parse(&meta.mime), blob_bytes(&blob).await)
        else {
            continue;
        };
        let Ok(url) = ObjectUrl::for_blob(&blob) else {
            continue;
        };
        attachments.push(Attachment {
            id: state.next_id(),
            name: meta.name,
            mime,
            size: bytes.len(),
            base64: Arc::new(to_base64(&bytes)),
            url,
            note: meta.note,
        });
    }
    state.prompt.set(draft.prompt);
    state.attachments.set(attachments);
}

fn on_other_tab(state: AppState, id: String) {
    spawn_local(async move {
        refresh(state).await;
        let open_here = state.current.with_untracked(|c| c.id == id);
        let all_saved = state.turns.with_untracked(|t| t.iter().all(|t| t.saved));
        if open_here && all_saved && !state.is_running() {
            let gone = state
                .history
                .with_untracked(|h| !h.iter().any(|c| c.id == id));
            if gone {
                state.notice.set(Some(
                    "This conversation was deleted in another tab. It stays here until you leave it."
                        .into(),
                ));
                state
                    .turns
                    .update(|t| t.iter_mut().for_each(|t| t.saved = false));
            } else {
                reload_current(state, id).await;
            }
        }
    });
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

async fn update_storage_note(state: AppState) {
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

fn conversation_record(meta: &ConversationMeta) -> ConversationRecord {
    ConversationRecord {
        id: meta.id.clone(),
        label: meta.label.clone(),
        title: String::new(),
        created_ms: meta.created_ms,
        updated_ms: now_ms(),
        model: String::new(),
        turn_count: 0,
        thumb: None,
        images: Vec::new(),
        v: RECORD_VERSION,
    }
}

/// Which content of a turn record an image was taken from.
#[derive(Clone, Copy, Debug)]
enum Slot {
    User,
    Variant(usize),
}

/// A turn record whose images are taken out but not yet keyed.
struct Unkeyed {
    record: TurnRecord,
    taken: Vec<(Slot, Taken)>,
    /// The images are to be stored (a turn already saved has them stored).
    store_images: bool,
}

/// The stored form of a turn shown at `index`, its images taken out (not yet
/// decoded: cheap) to be decoded and keyed by [`Unkeyed::key`].
fn turn_record(conversation_id: &str, index: usize, t: &TurnView, store_images: bool) -> Unkeyed {
    let mut taken = Vec::new();
    let mut strip = |c: &Content, slot: Slot| {
        let (c, out) = take_images(c);
        taken.extend(out.into_iter().map(|t| (slot, t)));
        c
    };
    let user = strip(&t.user, Slot::User);
    let variants = t
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Variant::Done(a) => VariantRecord::Done {
                model: strip(&a.model, Slot::Variant(i)),
                usage: a.usage,
                finish_reason: a.finish_reason.clone(),
                model_version: a.model_version.clone(),
                grounding: a.grounding.clone(),
                elapsed_ms: a.elapsed_ms,
                download_name: a.download_name.clone(),
            },
            Variant::Failed(alert) => VariantRecord::Failed {
                title: alert.title.clone(),
                detail: alert.detail.clone(),
                action: alert.action.clone(),
            },
        })
        .collect();
    let record = TurnRecord {
        id: format!("{conversation_id}/{index}/{}", t.created_ms as u64),
        conversation_id: conversation_id.to_owned(),
        index,
        created_ms: t.created_ms,
        prompt: t.prompt.clone(),
        settings: t.settings.clone(),
        user,
        variants,
        chosen: t.chosen,
    };
    Unkeyed {
        record,
        taken,
        store_images,
    }
}

impl Unkeyed {
    /// Decodes each image and names it by its SHA-256 (hashed off the main
    /// thread where the browser can, one image per task), pointing its part at
    /// it; data that does not decode stays inline, as received. Returns the
    /// record and the images to store.
    async fn key(self) -> (TurnRecord, Vec<ImageBytes>) {
        let Unkeyed {
            mut record,
            taken,
            store_images,
        } = self;
        let mut images = Vec::new();
        for (slot, t) in taken {
            let decoded = crate::browser::base64::decode(&t.data).ok();
            let hash = match &decoded {
                Some(bytes) => Some(crate::browser::digest::sha256_hex(bytes).await),
                None => None,
            };
            let content = match slot {
                Slot::User => Some(&mut record.user),
                Slot::Variant(i) => match record.variants.get_mut(i) {
                    Some(VariantRecord::Done { model, .. }) => Some(model),
                    _ => None,
                },
            };
            match (content, &hash) {
                (Some(c), Some(hash)) => set_ref(c, t.part, hash),
                (Some(c), None) => set_data(c, t.part, t.data),
                (None, _) => {}
            }
            if let (true, Some(hash), Some(bytes)) = (store_images, hash, decoded) {
                images.push(ImageBytes {
                    hash,
                    mime: t.mime,
                    bytes,
                });
            }
        }
        (record, images)
    }
}

/// Saves every unsaved turn of the conversation on screen (and `changed`, a
/// saved turn whose record changed) in one transaction, also emptying the draft
/// when `clear_draft` (the composer was just sent). What to save is taken at
/// the call, before anything else can change the page; the images are decoded
/// and hashed after the page has painted. On success the turns are marked
/// saved, here or in a conversation put aside meanwhile (which is then freed);
/// on failure the alert says why and what to do. While it runs, unsaved turns
/// show "Saving…".
pub async fn save_turns(
    state: AppState,
    changed: Option<u64>,
    clear_draft: bool,
) -> Result<(), Alert> {
    let Some(store) = state.store.get_value() else {
        return match state.keeping.get_untracked() {
            Keeping::Closed => Err(Alert {
                title: "This image was not saved".into(),
                detail: Some("The studio was updated in another tab.".into()),
                action: "Download what you want to keep, then reload this page.".into(),
                retryable: false,
            }),
            _ => Ok(()),
        };
    };
    let meta = state.current.get_untracked();
    let (unkeyed, ids) = state.turns.with_untracked(|turns| {
        let mut unkeyed = Vec::new();
        let mut ids = Vec::new();
        for (i, t) in turns.iter().enumerate() {
            if !t.saved || changed == Some(t.id) {
                unkeyed.push(turn_record(&meta.id, i, t, !t.saved));
                ids.push(t.id);
            }
        }
        (unkeyed, ids)
    });
    if unkeyed.is_empty() {
        return Ok(());
    }
    state.saving.update(|n| *n += 1);
    crate::browser::next_task().await;
    let mut records = Vec::new();
    let mut images = Vec::new();
    for u in unkeyed {
        let (r, imgs) = u.key().await;
        records.push(r);
        images.extend(imgs);
    }
    let saved = store
        .save_with(&conversation_record(&meta), &records, &images, clear_draft)
        .await;
    drop(images);
    state.saving.update(|n| *n = n.saturating_sub(1));
    match saved {
        Ok(summary) => {
            mark_saved(state, &ids);
            state.history.update(|h| {
                h.retain(|c| c.id != summary.id);
                h.insert(0, summary);
            });
            sync::announce(&meta.id);
            spawn_local(update_storage_note(state));
            Ok(())
        }
        Err(e) => Err(save_alert(e).await),
    }
}

/// Marks the turns `ids` saved, on screen or in a conversation put aside; one
/// put aside that is now all stored is freed (read back from storage when
/// opened), as [`crate::actions::switch_to`] does for one stored already.
fn mark_saved(state: AppState, ids: &[u64]) {
    let mark = |turns: &mut Vec<TurnView>| {
        turns
            .iter_mut()
            .filter(|t| ids.contains(&t.id))
            .for_each(|t| t.saved = true)
    };
    state.turns.update(mark);
    let aside = state.others.with_untracked(|o| {
        o.iter()
            .any(|c| c.turns.iter().any(|t| ids.contains(&t.id)))
    });
    if aside {
        state.others.update(|o| {
            o.iter_mut().for_each(|c| mark(&mut c.turns));
            o.retain(|c| !c.turns.iter().all(|t| t.saved));
        });
    }
}

async fn save_alert(e: StoreError) -> Alert {
    match e {
        StoreError::Quota => {
            let used = quota::estimate()
                .await
                .map(|e| format!(" ({})", e.describe()))
                .unwrap_or_default();
            Alert {
                title: "Browser storage is full: this image was not saved".into(),
                detail: Some(format!(
                    "The browser's storage for this site is full{used}. The image stays on this page and Download still works; what was saved before is intact."
                )),
                action: "Export or delete old conversations in History to make room, then generate again or download this image.".into(),
                retryable: false,
            }
        }
        other => Alert {
            title: "This image was not saved".into(),
            detail: Some(format!("{other}.")),
            action: "It stays on this page and Download still works. Reload the page to try saving again.".into(),
            retryable: false,
        },
    }
}

/// Rebuilds turns for the page from their records: images back inline (as
/// received) and as object URLs.
pub async fn load_views(
    state: AppState,
    store: &Store,
    records: Vec<TurnRecord>,
) -> Result<Vec<TurnView>, String> {
    let mut hashes: Vec<String> = records.iter().flat_map(|t| t.image_refs()).collect();
    hashes.sort();
    hashes.dedup();
    let blobs = store.images(&hashes).await.map_err(|e| e.to_string())?;
    let mut images: HashMap<String, (Blob, Vec<u8>)> = HashMap::new();
    for (hash, blob) in blobs {
        let bytes = blob_bytes(&blob).await.map_err(|e| e.to_string())?;
        images.insert(hash, (blob, bytes));
    }
    // Each image encoded once, shared by every part that shows it.
    let encoded: HashMap<&str, Arc<String>> = images
        .iter()
        .map(|(h, (_, b))| (h.as_str(), Arc::new(to_base64(b))))
        .collect();
    let base64_of = |h: &str| encoded.get(h).cloned();
    let mut views = Vec::new();
    for r in records {
        let mut user = r.user.clone();
        restore_images(&mut user, &base64_of)?;
        let user_images = image_refs(&r.user)
            .filter_map(|h| images.get(h))
            .filter_map(|(blob, _)| ObjectUrl::for_blob(blob).ok())
            .collect();
        let mut variants = Vec::new();
        for v in r.variants {
            variants.push(match v {
                VariantRecord::Done {
                    mut model,
                    usage,
                    finish_reason,
                    model_version,
                    grounding,
                    elapsed_ms,
                    download_name,
                } => {
                    restore_images(&mut model, &base64_of)?;
                    let Some(final_index) = final_image_index(&model.parts) else {
                        return Err("a stored answer has no image".into());
                    };
                    let (image, mime_type) = model.parts[final_index]
                        .inline_data
                        .as_ref()
                        .map(|d| {
                            (
                                crate::browser::base64::decode(&d.data).unwrap_or_default(),
                                d.mime_type.clone(),
                            )
                        })
                        .unwrap_or_default();
                    let gen = Generation {
                        content: model,
                        final_index,
                        image,
                        mime_type,
                        finish_reason,
                        usage,
                        model_version,
                        grounding,
                    };
                    let mut a =
                        answer(gen, &r.prompt, elapsed_ms).map_err(|f| f.message().title)?;
                    if !download_name.is_empty() {
                        a.download_name = download_name;
                    }
                    Variant::Done(Arc::new(a))
                }
                VariantRecord::Failed {
                    title,
                    detail,
                    action,
                } => Variant::Failed(Alert {
                    title,
                    detail,
                    action,
                    retryable: false,
                }),
            });
        }
        let chosen = if matches!(variants.get(r.chosen), Some(Variant::Done(_))) {
            r.chosen
        } else {
            variants
                .iter()
                .position(|v| matches!(v, Variant::Done(_)))
                .unwrap_or(0)
        };
        views.push(TurnView {
            id: state.next_id(),
            prompt: r.prompt,
            user,
            user_images,
            settings: r.settings,
            variants,
            chosen,
            created_ms: r.created_ms,
            saved: true,
        });
    }
    Ok(views)
}

async fn load(state: AppState, id: &str) -> Result<(ConversationMeta, Vec<TurnView>), String> {
    let store = state
        .store
        .get_value()
        .ok_or_else(|| "browser storage is not open".to_owned())?;
    let record = state
        .history
        .with_untracked(|h| h.iter().find(|c| c.id == id).cloned())
        .ok_or_else(|| "the conversation is no longer stored".to_owned())?;
    let turns = store.turns(id).await.map_err(|e| e.to_string())?;
    let views = load_views(state, &store, turns).await?;
    Ok((
        ConversationMeta {
            id: record.id,
            label: record.label,
            created_ms: record.created_ms,
        },
        views,
    ))
}

async fn reload_current(state: AppState, id: String) {
    if let Ok((meta, views)) = load(state, &id).await {
        if state.current.with_untracked(|c| c.id == meta.id) && !state.is_running() {
            state.turns.set(views);
        }
    }
}

async fn open(state: AppState, id: String) {
    match load(state, &id).await {
        Ok((meta, turns)) => {
            if state.is_running() {
                return;
            }
            crate::actions::switch_to(state, Conversation { meta, turns });
        }
        Err(why) => {
            // The conversation menu shows the one on screen again.
            state.current.update(|_| {});
            state.alert.set(Some(Alert {
                title: "The conversation could not be opened".into(),
                detail: Some(why),
                action: "Reload the page and try again; export your history if this persists."
                    .into(),
                retryable: false,
            }));
        }
    }
}

/// Shows a stored conversation to view and continue.
pub fn handle_open_conversation(state: AppState, id: String) {
    if state.is_running() || state.current.with_untracked(|c| c.id == id) {
        return;
    }
    if state
        .others
        .with_untracked(|o| o.iter().any(|c| c.meta.id == id))
    {
        crate::actions::handle_switch_conversation(state, id);
        return;
    }
    spawn_local(open(state, id));
}

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
                state
                    .turns
                    .update(|t| t.iter_mut().for_each(|t| t.saved = false));
                storage::remove(OPEN_KEY);
            }
            for id in &ids {
                sync::announce(id);
            }
            update_storage_note(state).await;
        }
        Err(e) => state.alert.set(Some(Alert {
            title: "Nothing was deleted".into(),
            detail: Some(format!("{e}.")),
            action: "Reload the page and try again.".into(),
            retryable: false,
        })),
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
                state.alert.set(Some(Alert {
                    title: "The export failed".into(),
                    detail: Some(format!("{e}.")),
                    action: "Try again; nothing was changed.".into(),
                    retryable: false,
                }));
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
            state.alert.set(Some(Alert {
                title: "The export could not be downloaded".into(),
                detail: None,
                action: "Try again.".into(),
                retryable: false,
            }));
        }
    });
}

fn download(bytes: &[u8], mime: &str, name: &str) -> Result<(), ()> {
    use wasm_bindgen::JsCast;
    let blob = blob_from_bytes(bytes, mime).map_err(|_| ())?;
    let url = ObjectUrl::for_blob(&blob).map_err(|_| ())?;
    let doc = web_sys::window().and_then(|w| w.document()).ok_or(())?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    a.set_href(url.as_str());
    a.set_download(name);
    a.click();
    // Revoke once the download has started.
    set_timeout(move || drop(url), Duration::from_secs(60));
    Ok(())
}

/// Reads an export file, checks all of it, and adds the conversations that are
/// not here yet, in one transaction. A damaged or foreign file changes nothing.
pub fn handle_import(state: AppState, file: File) {
    let Some(store) = state.store.get_value() else {
        return;
    };
    spawn_local(async move {
        let refuse = |detail: String| Alert {
            title: "Nothing was imported".into(),
            detail: Some(detail),
            action: "Choose a file exported by Gemini Studio (gemini-studio-export.json).".into(),
            retryable: false,
        };
        let bytes = match blob_bytes(&file).await {
            Ok(b) => b,
            Err(e) => {
                state
                    .alert
                    .set(Some(refuse(format!("The file could not be read ({e})."))));
                return;
            }
        };
        let import = match parse_export(&bytes) {
            Ok(i) => i,
            Err(why) => {
                state.alert.set(Some(refuse(why)));
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
            Err(e) => {
                let mut alert = save_alert(e).await;
                alert.title = "Nothing was imported".into();
                state.alert.set(Some(alert));
            }
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

/// "26 Nov 2026, 14:05" in the browser's locale and time zone.
pub fn date_label(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(d.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}
