//! The IndexedDB database (through the `idb` crate): conversations, turns,
//! images as Blobs, and the composer draft.
//!
//! Schema, version [`DB_VERSION`]:
//! - `conversations` (key `id`): [`ConversationRecord`]
//! - `turns` (key `id`, index `conversation` on `conversationId`): [`TurnRecord`]
//! - `images` (key `hash`): `{hash, mime, blob}`, the SHA-256 of the bytes as key
//! - `drafts` (key `id`, since version 2): `{id, record, blobs}`, and while an
//!   import runs `{id: "import-<id>", hashes, writtenMs}`, the images it has
//!   written (taken back if it never finishes)
//! - `prompts` (key `id`, since version 3): [`PromptRecord`], the prompt library
//!
//! Version 1 had no `drafts` store and conversation records without a summary
//! (`turnCount`, `thumb`, `images`); opening a version-1 database creates the
//! store and rewrites those records from their turns, in one transaction.
//! Opening a version-1 or -2 database at version 3 only adds the `prompts`
//! store: every existing record stays as it is.
//!
//! Every write is one transaction: it is kept whole or not at all, also when
//! its caller stops waiting (a dropped write aborts). Requests are waited for
//! through promises the browser settles itself (see [`settle`]), so dropping
//! any of these futures leaves nothing for the browser to call.

use std::rc::Rc;

use idb::{Database, Factory, KeyPath, ObjectStoreParams, Query, Transaction, TransactionMode};
use js_sys::{Array, Promise};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DomException, IdbDatabase, IdbRequest, IdbTransaction};

use super::records::{
    summarize, ConversationRecord, DraftRecord, ExportConversation, ImageBytes, PromptRecord,
    StoredTurn, TurnRecord, RECORD_VERSION,
};
use crate::browser::object_url::blob_from_bytes;

pub const DB_NAME: &str = "gemini-studio";
pub const DB_VERSION: u32 = 3;

const CONVERSATIONS: &str = "conversations";
const TURNS: &str = "turns";
const IMAGES: &str = "images";
const DRAFTS: &str = "drafts";
const PROMPTS: &str = "prompts";
const BY_CONVERSATION: &str = "conversation";
const DRAFT_ID: &str = "composer";

/// Which kept composer: the one being typed, or what a request in flight sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftSlot {
    /// The composer as typed (restored after a reload).
    Composer,
    /// What the request in flight sent (a reload meanwhile brings it back).
    InFlight,
}

impl DraftSlot {
    fn id(self) -> &'static str {
        match self {
            DraftSlot::Composer => DRAFT_ID,
            DraftSlot::InFlight => "inflight",
        }
    }
}

/// Why the store could not do something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// IndexedDB cannot be used here (private mode, blocked, too old).
    Unavailable(String),
    /// The browser's storage for this site is full.
    Quota,
    /// The database was closed (another tab upgraded it).
    Closed,
    /// An image a write needs is not stored (deleted meanwhile).
    Missing(String),
    Failed(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(why) => write!(f, "browser storage is unavailable ({why})"),
            StoreError::Quota => f.write_str("the browser's storage for this site is full"),
            StoreError::Closed => {
                f.write_str("storage was closed because the studio was updated in another tab")
            }
            StoreError::Missing(hash) => write!(
                f,
                "an image it needs ({}…) was deleted while it ran (in this tab or another)",
                hash.get(..12).unwrap_or(hash)
            ),
            StoreError::Failed(why) => write!(f, "saving failed ({why})"),
        }
    }
}

fn dom_name(v: &JsValue) -> Option<String> {
    v.dyn_ref::<DomException>().map(DomException::name)
}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        classify(&e)
    }
}

fn classify(e: &idb::Error) -> StoreError {
    use idb::Error as E;
    let name = match e {
        E::DomException(d) => Some(d.name()),
        E::AddFailed(v)
        | E::UpdateFailed(v)
        | E::DeleteFailed(v)
        | E::ClearFailed(v)
        | E::TransactionOpenFailed(v)
        | E::TransactionCommitError(v)
        | E::TransactionAbortError(v)
        | E::GetFailed(v)
        | E::GetAllFailed(v) => dom_name(v),
        _ => None,
    };
    match name.as_deref() {
        Some("QuotaExceededError") => StoreError::Quota,
        Some("InvalidStateError") => StoreError::Closed,
        _ => StoreError::Failed(e.to_string()),
    }
}

fn from_aborted(raw: &IdbTransaction) -> StoreError {
    match raw.error().map(|d| d.name()).as_deref() {
        Some("QuotaExceededError") => StoreError::Quota,
        Some(other) => StoreError::Failed(other.to_owned()),
        None => StoreError::Failed("the write was aborted".into()),
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    let json = serde_json::to_string(value).map_err(|e| StoreError::Failed(e.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|_| StoreError::Failed("could not encode a record".into()))
}

fn from_js<T: DeserializeOwned>(value: &JsValue) -> Option<T> {
    let json: String = js_sys::JSON::stringify(value).ok()?.into();
    serde_json::from_str(&json).ok()
}

fn get_field(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn image_value(img: &ImageBytes) -> Result<JsValue, StoreError> {
    let blob = blob_from_bytes(&img.bytes, &img.mime)
        .map_err(|_| StoreError::Failed("the browser could not hold an image".into()))?;
    Ok(blob_value(&img.hash, &img.mime, &blob))
}

fn blob_value(hash: &str, mime: &str, blob: &Blob) -> JsValue {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"hash".into(), &hash.into());
    let _ = js_sys::Reflect::set(&obj, &"mime".into(), &mime.into());
    let _ = js_sys::Reflect::set(&obj, &"blob".into(), blob);
    obj.into()
}

/// An image to store as it is: its key, type and Blob.
pub struct NewImage {
    pub hash: String,
    pub mime: String,
    pub blob: Blob,
}

/// An import that wrote images and did not finish: its id, the images it
/// wrote, and when it last wrote (ms since the epoch).
#[derive(Clone, Debug, PartialEq)]
pub struct UnfinishedImport {
    pub import: String,
    pub hashes: Vec<String>,
    pub written_ms: f64,
}

/// An unfinished import's note is kept in `drafts` (work in progress) under
/// this prefix and its id.
const IMPORT_PREFIX: &str = "import-";

fn import_key(import: &str) -> String {
    format!("{IMPORT_PREFIX}{import}")
}

/// Waits for an IndexedDB request and gives its result.
///
/// The browser calls the promise's own `resolve`, not a Rust closure: a
/// caller that stops waiting (a cancelled generation drops its future) leaves
/// nothing behind for the browser to call. (The `idb` crate's request futures
/// hold their callbacks as Rust closures, and a success arriving after such a
/// drop threw "closure invoked after being dropped".) The promise resolves on
/// `success` and on `error` alike, never rejects: a rejection nobody waits
/// for any more would be an unhandled one in the page.
async fn settle(request: impl Into<IdbRequest>) -> Result<JsValue, StoreError> {
    let request: IdbRequest = request.into();
    let promise = Promise::new(&mut |resolve, _| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&resolve));
    });
    let event = JsFuture::from(promise).await.unwrap_or_default();
    if event_type(&event).as_deref() == Some("success") {
        return request.result().map_err(|e| failed_with(&e));
    }
    Err(match request.error() {
        Ok(Some(d)) => from_dom(&d),
        _ => StoreError::Failed("a request failed".into()),
    })
}

/// The `type` of an event (`success`, `error`, `complete`, `abort`).
fn event_type(event: &JsValue) -> Option<String> {
    event.dyn_ref::<web_sys::Event>().map(web_sys::Event::type_)
}

/// The values of a `getAll` or `getAllKeys` request.
async fn settle_all(request: impl Into<IdbRequest>) -> Result<Vec<JsValue>, StoreError> {
    let value = settle(request).await?;
    Ok(value
        .dyn_into::<Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default())
}

/// The value of a `get` request: `None` when there is no such key.
async fn settle_one(request: impl Into<IdbRequest>) -> Result<Option<JsValue>, StoreError> {
    let value = settle(request).await?;
    Ok((!value.is_undefined()).then_some(value))
}

fn from_dom(d: &DomException) -> StoreError {
    match d.name().as_str() {
        "QuotaExceededError" => StoreError::Quota,
        "InvalidStateError" => StoreError::Closed,
        name => StoreError::Failed(format!("{name}: {}", d.message())),
    }
}

fn failed_with(e: &JsValue) -> StoreError {
    match e.dyn_ref::<DomException>() {
        Some(d) => from_dom(d),
        None => StoreError::Failed("a request failed".into()),
    }
}

/// A read-write transaction: the idb wrapper to issue requests on, the raw
/// transaction to abort or ask for its error, and its end (complete or
/// aborted) as a promise the browser settles by itself.
///
/// Dropped before [`Write::finish`] (its caller was cancelled), it aborts: a
/// write is kept whole or not at all, also when nobody waits for it.
struct Write {
    tx: Transaction,
    raw: IdbTransaction,
    done: Promise,
    finished: bool,
}

impl Write {
    fn new(raw: IdbTransaction) -> Write {
        // Resolves on `complete` and on `abort` (never rejects: see [`settle`]).
        let done = Promise::new(&mut |resolve, _| {
            raw.set_oncomplete(Some(&resolve));
            raw.set_onabort(Some(&resolve));
        });
        Write {
            tx: Transaction::from(raw.clone()),
            raw,
            done,
            finished: false,
        }
    }

    /// Commits, or aborts when `work` failed: either way nothing is half-written.
    async fn finish(mut self, work: Result<(), StoreError>) -> Result<(), StoreError> {
        self.finished = true;
        if let Err(e) = work {
            let _ = self.raw.abort();
            let _ = JsFuture::from(self.done.clone()).await;
            return Err(e);
        }
        let event = JsFuture::from(self.done.clone()).await.unwrap_or_default();
        match event_type(&event).as_deref() {
            Some("complete") => Ok(()),
            _ => Err(from_aborted(&self.raw)),
        }
    }
}

impl Drop for Write {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.raw.abort();
        }
    }
}

/// An open database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Rc<Database>,
    raw: IdbDatabase,
}

impl Store {
    /// Opens (creating or upgrading) the studio's database.
    pub async fn open(on_blocked: impl FnOnce() + 'static) -> Result<Store, StoreError> {
        Self::open_inner(DB_NAME, DB_VERSION, Some(Box::new(on_blocked))).await
    }

    /// Opens database `name` at schema `version` (1 to 3; tests write version-1
    /// data this way), migrating older data forward.
    pub async fn open_with(name: &str, version: u32) -> Result<Store, StoreError> {
        Self::open_inner(name, version, None).await
    }

    /// Opens the database; `on_blocked` is called if another tab holds it open
    /// at an older version (the upgrade then waits for that tab).
    async fn open_inner(
        name: &str,
        version: u32,
        on_blocked: Option<Box<dyn FnOnce()>>,
    ) -> Result<Store, StoreError> {
        let unavailable = |e: idb::Error| match &e {
            idb::Error::DomException(d) if d.name() == "VersionError" => StoreError::Unavailable(
                "it was opened by a newer version of the studio in another tab: reload this page"
                    .into(),
            ),
            _ => StoreError::Unavailable(e.to_string()),
        };
        let factory = Factory::new().map_err(unavailable)?;
        let mut request = factory.open(name, Some(version)).map_err(unavailable)?;
        if let Some(f) = on_blocked {
            request.on_blocked(move |_| f());
        }
        request.on_upgrade_needed(move |event| {
            use idb::DatabaseEvent;
            let Ok(db) = event.database() else {
                return;
            };
            let names = db.store_names();
            let create = |store: &str, key: &str| {
                if names.iter().any(|n| n == store) {
                    return None;
                }
                let mut params = ObjectStoreParams::new();
                params.key_path(Some(KeyPath::new_single(key)));
                db.create_object_store(store, params).ok()
            };
            let _ = create(CONVERSATIONS, "id");
            if let Some(turns) = create(TURNS, "id") {
                let _ = turns.create_index(
                    BY_CONVERSATION,
                    KeyPath::new_single("conversationId"),
                    None,
                );
            }
            let _ = create(IMAGES, "hash");
            if version >= 2 {
                let _ = create(DRAFTS, "id");
            }
            if version >= 3 {
                let _ = create(PROMPTS, "id");
            }
        });
        let db = request.await.map_err(unavailable)?;
        let raw: IdbDatabase = db.into();
        let store = Store {
            db: Rc::new(Database::from(raw.clone())),
            raw,
        };
        if version >= 2 {
            store.migrate().await?;
        }
        Ok(store)
    }

    /// Calls `f` when another tab opens a newer schema: the connection is closed
    /// first so that tab's upgrade is not blocked.
    pub fn on_version_change(&self, f: impl FnOnce() + 'static) {
        let raw = self.raw.clone();
        let closure = wasm_bindgen::closure::Closure::once_into_js(move |_e: JsValue| {
            raw.close();
            f();
        });
        self.raw.set_onversionchange(Some(closure.unchecked_ref()));
    }

    pub fn close(&self) {
        self.raw.close();
    }

    fn write(&self, stores: &[&str]) -> Result<Write, StoreError> {
        let tx = self.db.transaction(stores, TransactionMode::ReadWrite)?;
        Ok(Write::new(tx.into()))
    }

    fn read(&self, stores: &[&str]) -> Result<Transaction, StoreError> {
        self.db
            .transaction(stores, TransactionMode::ReadOnly)
            .map_err(StoreError::from)
    }

    /// Rewrites conversation records older than [`RECORD_VERSION`] from their turns.
    async fn migrate(&self) -> Result<(), StoreError> {
        let w = self.write(&[CONVERSATIONS, TURNS])?;
        let work = async {
            let convs = w.tx.object_store(CONVERSATIONS)?;
            let all = settle_all(convs.get_all(None, None)?).await?;
            for value in all {
                let Some(conv) = from_js::<ConversationRecord>(&value) else {
                    continue;
                };
                if conv.v >= RECORD_VERSION {
                    continue;
                }
                let turns = turns_in(&w.tx, &conv.id).await?;
                let conv = summarize(conv, &turns);
                settle(convs.put(&to_js(&conv)?, None)?).await?;
            }
            Ok(())
        }
        .await;
        w.finish(work).await
    }

    /// Saves turns of a conversation (new or changed) with their images, and the
    /// conversation's summary, in one transaction, also emptying the draft when
    /// `clear_draft` (the composer was just sent: it must not come back).
    /// Returns the summary.
    pub async fn save_with(
        &self,
        conversation: &ConversationRecord,
        turns: &[TurnRecord],
        images: &[ImageBytes],
        clear_draft: bool,
    ) -> Result<ConversationRecord, StoreError> {
        let values: Vec<JsValue> = images.iter().map(image_value).collect::<Result<_, _>>()?;
        let turn_values: Vec<JsValue> = turns.iter().map(to_js).collect::<Result<_, _>>()?;
        let w = if clear_draft {
            self.write(&[CONVERSATIONS, TURNS, IMAGES, DRAFTS])?
        } else {
            self.write(&[CONVERSATIONS, TURNS, IMAGES])?
        };
        let mut summary = None;
        let work = async {
            if clear_draft {
                settle(
                    w.tx.object_store(DRAFTS)?
                        .delete(JsValue::from_str(DRAFT_ID))?,
                )
                .await?;
            }
            let store = w.tx.object_store(IMAGES)?;
            for v in &values {
                settle(store.put(v, None)?).await?;
            }
            let store = w.tx.object_store(TURNS)?;
            for v in &turn_values {
                settle(store.put(v, None)?).await?;
            }
            let all = turns_in(&w.tx, &conversation.id).await?;
            let conv = summarize(conversation.clone(), &all);
            settle(
                w.tx.object_store(CONVERSATIONS)?
                    .put(&to_js(&conv)?, None)?,
            )
            .await?;
            summary = Some(conv);
            Ok(())
        }
        .await;
        w.finish(work).await?;
        summary.ok_or_else(|| StoreError::Failed("nothing was saved".into()))
    }

    /// Every conversation, newest first.
    pub async fn conversations(&self) -> Result<Vec<ConversationRecord>, StoreError> {
        let tx = self.read(&[CONVERSATIONS])?;
        let all = settle_all(tx.object_store(CONVERSATIONS)?.get_all(None, None)?).await?;
        let mut list: Vec<ConversationRecord> = all.iter().filter_map(from_js).collect();
        list.sort_by(|a, b| b.updated_ms.total_cmp(&a.updated_ms));
        Ok(list)
    }

    /// The turns of a conversation, in order.
    pub async fn turns(&self, conversation_id: &str) -> Result<Vec<TurnRecord>, StoreError> {
        let tx = self.read(&[TURNS])?;
        turns_in(&tx, conversation_id).await
    }

    /// The turns of a conversation, in order, including those whose record
    /// cannot be read (damaged), each said as such.
    pub async fn stored_turns(&self, conversation_id: &str) -> Result<Vec<StoredTurn>, StoreError> {
        let tx = self.read(&[TURNS])?;
        let all = settle_all(
            tx.object_store(TURNS)?
                .index(BY_CONVERSATION)?
                .get_all(Some(Query::from(JsValue::from_str(conversation_id))), None)?,
        )
        .await?;
        let mut turns: Vec<StoredTurn> = all
            .iter()
            .map(|v| match from_js::<TurnRecord>(v) {
                Some(r) => StoredTurn::Record(r),
                None => StoredTurn::Unreadable {
                    index: get_field(v, "index").as_f64().map(|i| i.max(0.0) as usize),
                    created_ms: get_field(v, "createdMs").as_f64().unwrap_or(0.0),
                    prompt: get_field(v, "prompt").as_string(),
                },
            })
            .collect();
        turns.sort_by(|a, b| {
            a.order()
                .0
                .cmp(&b.order().0)
                .then(a.order().1.total_cmp(&b.order().1))
        });
        Ok(turns)
    }

    /// The Blobs of images, by key (missing ones are left out).
    pub async fn images(&self, hashes: &[String]) -> Result<Vec<(String, Blob)>, StoreError> {
        let tx = self.read(&[IMAGES])?;
        let store = tx.object_store(IMAGES)?;
        let mut out = Vec::new();
        for h in hashes {
            let value = settle_one(store.get(JsValue::from_str(h))?).await?;
            if let Some(blob) = value.and_then(|v| get_field(&v, "blob").dyn_into::<Blob>().ok()) {
                out.push((h.clone(), blob));
            }
        }
        Ok(out)
    }

    /// Deletes conversations, their turns, and the images no other conversation
    /// uses, in one transaction.
    pub async fn delete(&self, ids: &[String]) -> Result<(), StoreError> {
        let w = self.write(&[CONVERSATIONS, TURNS, IMAGES])?;
        let work = async {
            let convs = w.tx.object_store(CONVERSATIONS)?;
            let all: Vec<ConversationRecord> = settle_all(convs.get_all(None, None)?)
                .await?
                .iter()
                .filter_map(from_js)
                .collect();
            let (gone, kept): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| ids.contains(&c.id));
            let used: std::collections::BTreeSet<&String> =
                kept.iter().flat_map(|c| c.images.iter()).collect();
            let turns = w.tx.object_store(TURNS)?;
            let index = turns.index(BY_CONVERSATION)?;
            let images = w.tx.object_store(IMAGES)?;
            for c in &gone {
                let keys = settle_all(
                    index.get_all_keys(Some(Query::from(JsValue::from_str(&c.id))), None)?,
                )
                .await?;
                for k in keys {
                    settle(turns.delete(k)?).await?;
                }
                for h in c.images.iter().filter(|h| !used.contains(h)) {
                    settle(images.delete(JsValue::from_str(h))?).await?;
                }
                settle(convs.delete(JsValue::from_str(&c.id))?).await?;
            }
            Ok(())
        }
        .await;
        w.finish(work).await
    }

    /// The keys of every stored image.
    pub async fn image_keys(&self) -> Result<std::collections::BTreeSet<String>, StoreError> {
        let tx = self.read(&[IMAGES])?;
        let keys = settle_all(tx.object_store(IMAGES)?.get_all_keys(None, None)?).await?;
        Ok(keys.iter().filter_map(JsValue::as_string).collect())
    }

    /// Stores images of import `import` (each under its hash) in one
    /// transaction, with its note of every image it has written so far
    /// (`written`, these included): an import stopped midway (the tab closed,
    /// a crash) leaves the note, found by [`Store::unfinished_imports`].
    pub async fn put_images(
        &self,
        import: &str,
        images: &[NewImage],
        written: &[String],
    ) -> Result<(), StoreError> {
        let note = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&note, &"id".into(), &import_key(import).into());
        let _ = js_sys::Reflect::set(
            &note,
            &"hashes".into(),
            &written.iter().map(JsValue::from).collect::<Array>(),
        );
        let _ = js_sys::Reflect::set(&note, &"writtenMs".into(), &js_sys::Date::now().into());
        let w = self.write(&[IMAGES, DRAFTS])?;
        let work = async {
            let store = w.tx.object_store(IMAGES)?;
            for i in images {
                settle(store.put(&blob_value(&i.hash, &i.mime, &i.blob), None)?).await?;
            }
            settle(w.tx.object_store(DRAFTS)?.put(&note, None)?).await?;
            Ok(())
        }
        .await;
        w.finish(work).await
    }

    /// The imports that wrote images and did not finish (nor take them back).
    pub async fn unfinished_imports(&self) -> Result<Vec<UnfinishedImport>, StoreError> {
        let tx = self.read(&[DRAFTS])?;
        let all = settle_all(tx.object_store(DRAFTS)?.get_all(None, None)?).await?;
        Ok(all
            .iter()
            .filter_map(|v| {
                let id = get_field(v, "id").as_string()?;
                let import = id.strip_prefix(IMPORT_PREFIX)?.to_owned();
                Some(UnfinishedImport {
                    import,
                    hashes: note_hashes(v),
                    written_ms: get_field(v, "writtenMs").as_f64().unwrap_or(0.0),
                })
            })
            .collect())
    }

    /// Takes back what import `import` wrote (see [`take_back_in`]), in one
    /// transaction.
    pub async fn take_back_import(&self, import: &str) -> Result<(), StoreError> {
        let w = self.write(&[CONVERSATIONS, IMAGES, DRAFTS])?;
        let work = take_back_in(&w.tx, import).await;
        w.finish(work).await
    }

    /// Writes the checked conversations of import `import` (and its saved
    /// prompts) in one transaction: all of it or nothing, and its note goes.
    /// Its images are stored before, by [`Store::put_images`], in transactions
    /// of their own: one transaction holding every image of a large import
    /// would hold all their bytes in the browser's memory until it commits.
    /// The images in `needs` are checked to be there in the same transaction
    /// (a delete, here or in another tab, may have taken one that was stored
    /// before the import began); if one is not, nothing is written:
    /// [`StoreError::Missing`]. A conversation whose id was taken meanwhile
    /// (the same file imported in another tab) is left out, and the images
    /// written for it alone are taken back. Returns the ids of the
    /// conversations written.
    pub async fn import_conversations(
        &self,
        import: &str,
        conversations: &[ExportConversation],
        prompts: &[PromptRecord],
        needs: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let prompt_values: Vec<JsValue> = prompts.iter().map(to_js).collect::<Result<_, _>>()?;
        let w = if prompts.is_empty() {
            self.write(&[CONVERSATIONS, TURNS, IMAGES, DRAFTS])?
        } else {
            self.write(&[CONVERSATIONS, TURNS, IMAGES, DRAFTS, PROMPTS])?
        };
        let mut added = Vec::new();
        let work = async {
            let images = w.tx.object_store(IMAGES)?;
            for h in needs {
                let n = settle(images.count(Some(Query::from(JsValue::from_str(h))))?).await?;
                if n.as_f64() != Some(1.0) {
                    return Err(StoreError::Missing(h.clone()));
                }
            }
            if !prompt_values.is_empty() {
                let store = w.tx.object_store(PROMPTS)?;
                for v in &prompt_values {
                    settle(store.put(v, None)?).await?;
                }
            }
            let turns = w.tx.object_store(TURNS)?;
            let convs = w.tx.object_store(CONVERSATIONS)?;
            for c in conversations {
                let id = JsValue::from_str(&c.conversation.id);
                if settle(convs.count(Some(Query::from(id)))?).await?.as_f64() != Some(0.0) {
                    continue;
                }
                for t in &c.turns {
                    settle(turns.put(&to_js(t)?, None)?).await?;
                }
                let conv = summarize(c.conversation.clone(), &c.turns);
                settle(convs.put(&to_js(&conv)?, None)?).await?;
                added.push(c.conversation.id.clone());
            }
            // The note goes, and with it any image written for a
            // conversation left out.
            take_back_in(&w.tx, import).await
        }
        .await;
        w.finish(work).await?;
        Ok(added)
    }

    /// Conversations (all, or those in `ids`) for an export: every turn that is
    /// intact (its record reads and all its images are stored; a damaged one is
    /// left out) and the Blobs of their images, by key.
    pub async fn export_records(
        &self,
        ids: Option<&[String]>,
    ) -> Result<(Vec<ExportConversation>, Vec<(String, Blob)>), StoreError> {
        let convs: Vec<ConversationRecord> = self
            .conversations()
            .await?
            .into_iter()
            .filter(|c| ids.is_none_or(|ids| ids.contains(&c.id)))
            .collect();
        let mut conversations = Vec::new();
        let mut hashes = std::collections::BTreeSet::new();
        for c in convs {
            let turns: Vec<TurnRecord> = self
                .stored_turns(&c.id)
                .await?
                .into_iter()
                .filter_map(|t| match t {
                    StoredTurn::Record(r) => Some(r),
                    StoredTurn::Unreadable { .. } => None,
                })
                .collect();
            for t in &turns {
                hashes.extend(t.image_refs());
            }
            conversations.push((c, turns));
        }
        let hashes: Vec<String> = hashes.into_iter().collect();
        let blobs = self.images(&hashes).await?;
        let present: std::collections::BTreeSet<&str> =
            blobs.iter().map(|(h, _)| h.as_str()).collect();
        let conversations = conversations
            .into_iter()
            .filter_map(|(c, turns)| {
                let turns: Vec<TurnRecord> = turns
                    .into_iter()
                    .filter(|t| t.image_refs().iter().all(|h| present.contains(h.as_str())))
                    .collect();
                (!turns.is_empty()).then(|| ExportConversation {
                    conversation: summarize(c, &turns),
                    turns,
                })
            })
            .collect();
        Ok((conversations, blobs))
    }

    /// The prompt library, as the library lists it (see [`sorted_prompts`]);
    /// a record that cannot be read is left out.
    ///
    /// [`sorted_prompts`]: super::records::sorted_prompts
    pub async fn prompts(&self) -> Result<Vec<PromptRecord>, StoreError> {
        let tx = self.read(&[PROMPTS])?;
        let all = settle_all(tx.object_store(PROMPTS)?.get_all(None, None)?).await?;
        Ok(super::records::sorted_prompts(
            all.iter().filter_map(from_js).collect(),
        ))
    }

    /// Saves a prompt of the library (new, or changed under its id).
    pub async fn put_prompt(&self, prompt: &PromptRecord) -> Result<(), StoreError> {
        let value = to_js(prompt)?;
        let w = self.write(&[PROMPTS])?;
        let work = async {
            settle(w.tx.object_store(PROMPTS)?.put(&value, None)?).await?;
            Ok(())
        }
        .await;
        w.finish(work).await
    }

    /// Deletes a prompt of the library.
    pub async fn delete_prompt(&self, id: &str) -> Result<(), StoreError> {
        let w = self.write(&[PROMPTS])?;
        let work = async {
            settle(w.tx.object_store(PROMPTS)?.delete(JsValue::from_str(id))?).await?;
            Ok(())
        }
        .await;
        w.finish(work).await
    }

    /// Keeps the composer: its text and the attached images' bytes.
    pub async fn save_draft(&self, draft: &DraftRecord, images: &[Blob]) -> Result<(), StoreError> {
        self.save_draft_in(DraftSlot::Composer, draft, images).await
    }

    /// Keeps a composer (see [`DraftSlot`]) with the attached images' Blobs.
    pub async fn save_draft_in(
        &self,
        slot: DraftSlot,
        draft: &DraftRecord,
        images: &[Blob],
    ) -> Result<(), StoreError> {
        let blobs: js_sys::Array = images.iter().collect();
        let obj = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&obj, &"id".into(), &slot.id().into());
        let _ = js_sys::Reflect::set(&obj, &"record".into(), &to_js(draft)?);
        let _ = js_sys::Reflect::set(&obj, &"blobs".into(), &blobs);
        let w = self.write(&[DRAFTS])?;
        let work = async {
            settle(w.tx.object_store(DRAFTS)?.put(&obj, None)?).await?;
            Ok(())
        }
        .await;
        w.finish(work).await
    }

    /// The composer as last kept, with the attached images' Blobs.
    pub async fn draft(&self) -> Result<Option<(DraftRecord, Vec<Blob>)>, StoreError> {
        self.draft_in(DraftSlot::Composer).await
    }

    /// Forgets a kept composer.
    pub async fn delete_draft(&self, slot: DraftSlot) -> Result<(), StoreError> {
        let w = self.write(&[DRAFTS])?;
        let work = async {
            settle(
                w.tx.object_store(DRAFTS)?
                    .delete(JsValue::from_str(slot.id()))?,
            )
            .await?;
            Ok(())
        }
        .await;
        w.finish(work).await
    }

    /// A kept composer, with the attached images' Blobs.
    pub async fn draft_in(
        &self,
        slot: DraftSlot,
    ) -> Result<Option<(DraftRecord, Vec<Blob>)>, StoreError> {
        let tx = self.read(&[DRAFTS])?;
        let value = settle_one(tx.object_store(DRAFTS)?.get(JsValue::from_str(slot.id()))?).await?;
        let Some(value) = value else {
            return Ok(None);
        };
        let Some(record) = from_js::<DraftRecord>(&get_field(&value, "record")) else {
            return Ok(None);
        };
        let blobs: Vec<Blob> = get_field(&value, "blobs")
            .dyn_into::<js_sys::Array>()
            .map(|a| a.iter().filter_map(|b| b.dyn_into::<Blob>().ok()).collect())
            .unwrap_or_default();
        Ok(Some((record, blobs)))
    }
}

/// Takes back what import `import` wrote, in transaction `tx` (conversations,
/// images and drafts): the images its note lists that no conversation uses
/// and no other import's note lists (another import wrote them again, or
/// relies on them), then the note. Nothing when the note is gone (taken back
/// already). If a conversation record cannot be read, no image is deleted
/// (it may use them), only the note.
async fn take_back_in(tx: &Transaction, import: &str) -> Result<(), StoreError> {
    let drafts = tx.object_store(DRAFTS)?;
    let key = import_key(import);
    let notes: Vec<(String, Vec<String>)> = settle_all(drafts.get_all(None, None)?)
        .await?
        .iter()
        .filter_map(|v| {
            let id = get_field(v, "id").as_string()?;
            id.starts_with(IMPORT_PREFIX).then(|| (id, note_hashes(v)))
        })
        .collect();
    let Some((_, hashes)) = notes.iter().find(|(id, _)| *id == key) else {
        return Ok(());
    };
    let all = settle_all(tx.object_store(CONVERSATIONS)?.get_all(None, None)?).await?;
    let read: Vec<ConversationRecord> = all.iter().filter_map(from_js).collect();
    if read.len() == all.len() {
        let mut keep: std::collections::BTreeSet<&String> =
            read.iter().flat_map(|c| c.images.iter()).collect();
        keep.extend(
            notes
                .iter()
                .filter(|(id, _)| *id != key)
                .flat_map(|(_, h)| h),
        );
        let images = tx.object_store(IMAGES)?;
        for h in hashes.iter().filter(|h| !keep.contains(h)) {
            settle(images.delete(JsValue::from_str(h))?).await?;
        }
    }
    settle(drafts.delete(JsValue::from_str(&key))?).await?;
    Ok(())
}

/// The images an import's note lists.
fn note_hashes(note: &JsValue) -> Vec<String> {
    get_field(note, "hashes")
        .dyn_into::<Array>()
        .map(|a| a.iter().filter_map(|h| h.as_string()).collect())
        .unwrap_or_default()
}

async fn turns_in(tx: &Transaction, conversation_id: &str) -> Result<Vec<TurnRecord>, StoreError> {
    let all = settle_all(
        tx.object_store(TURNS)?
            .index(BY_CONVERSATION)?
            .get_all(Some(Query::from(JsValue::from_str(conversation_id))), None)?,
    )
    .await?;
    let mut turns: Vec<TurnRecord> = all.iter().filter_map(from_js).collect();
    turns.sort_by(|a, b| {
        a.index
            .cmp(&b.index)
            .then(a.created_ms.total_cmp(&b.created_ms))
    });
    Ok(turns)
}
