//! Code the first screen does not need, loaded on first use (issue 17).
//!
//! Each split point below is one function (more are declared where a split
//! point here would make a cycle of modules, or where the work it moves is:
//! Generate's request in `commands::generate`, adding images in
//! `commands::attachments`, switching conversations in
//! `commands::conversations`, the page's after-paint duties in
//! `commands::startup`, the reading and applying of `config.json` in
//! `commands::site`, the alerts' words in `commands::show`, offering a share
//! link in `commands::share`, Download all in `commands::editor`, Get code
//! for the next request in `commands::code`;
//! the views' split points are `lazy_view!`s in their components). In the
//! release build (`cargo xtask dist`, which enables the `split` feature and
//! runs the split step, see `xtask/src/split.rs`) it is moved with everything
//! only it reaches into a wasm chunk (`archive`, `code`, `config`, `dialogs`,
//! `editor`, `history`, `later`, `storage`; docs/split.md lists them), fetched
//! the first time it is called (`later` and `storage`: in the first idle
//! moments after the first paint, at low priority, see
//! `crate::commands::startup` and `xtask/src/split/priority.rs`). In every
//! other build
//! (`trunk serve`, debug, the wasm tests) the
//! feature is off and the same function is called in place: one body, one
//! signature, so both builds run the same code. A chunk that cannot be
//! fetched or instantiated is [`NotLoaded`], which the caller shows as an
//! alert with Reload ([`crate::error::AppError::NotLoaded`]); the loader does
//! not remember failures, so the next use fetches it again.
//!
//! A split point must be a plain (not `async`, not generic) function: the
//! work it starts is a boxed future made inside it, so that the future's code
//! is in the chunk too.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use gemini::request::RequestBody;
use gemini::KeyHeader;
use leptos::prelude::{ArcRwSignal, Update, WithValue};
use web_sys::Blob;

use super::archive::{ImportError, Imported};
use super::sending::Results;
use crate::error::AppError;
use crate::model::code::{GotCode, Subject};
use crate::model::ConversationMeta;
use crate::state::{AppState, Prepared, Turn, VariantProgress};
use crate::store::{DraftRecord, Store};

/// The code of a feature could not be fetched or started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotLoaded;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for NotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// Work a split point started, to await.
pub type Boxed<T> = Pin<Box<dyn Future<Output = T>>>;

/// A split point: `#[wasm_split]` in the split build (then an `async fn`
/// that loads its chunk first), a plain function otherwise.
macro_rules! split_point {
    ($chunk:ident, $(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty $body:block) => {
        $(#[$doc])*
        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)
        )]
        fn $name($($arg: $ty),*) -> Result<$out, NotLoaded> {
            Ok($body)
        }
    };
}

/// Calls a split point: awaits its chunk in the split build.
#[cfg(feature = "split")]
macro_rules! load {
    ($call:expr) => {
        $call.await
    };
}
#[cfg(not(feature = "split"))]
macro_rules! load {
    ($call:expr) => {
        $call
    };
}

// For the views loaded on first use (`crate::components::lazy`).
pub(crate) use {load, split_point};

/// Awaits `loading` (a feature's code being fetched, see the functions
/// below) while the page says "<what>: loading…" (`AppState::loading_code`).
pub async fn said_while<T>(
    state: AppState,
    what: &'static str,
    loading: impl Future<Output = T>,
) -> T {
    // Unsaid when done, and also if the wait is dropped before it ends.
    let _said = Said::new(state, what);
    loading.await
}

/// One "<what>: loading…" on the page, taken back when dropped.
struct Said {
    state: AppState,
    what: &'static str,
}

impl Said {
    // Once for every kind of wait (not made again for each future type).
    #[inline(never)]
    fn new(state: AppState, what: &'static str) -> Self {
        state.loading_code.update(|l| l.push(what));
        Self { state, what }
    }
}

impl Drop for Said {
    fn drop(&mut self) {
        let what = self.what;
        // A page being torn down has disposed of the signal: nothing to say.
        self.state.loading_code.try_update(|l| {
            if let Some(i) = l.iter().rposition(|w| *w == what) {
                l.remove(i);
            }
        });
    }
}

split_point!(
    archive,
    /// The ZIP writer and the archive's reading of the store.
    fn export_chunk(store: Store, ids: Option<Vec<String>>) -> Boxed<Result<Blob, String>> {
        Box::pin(async move { super::archive::export_archive(&store, ids.as_deref()).await })
    }
);

split_point!(
    archive,
    /// The ZIP and JSON readers, the checks, and the batched import.
    fn import_chunk(
        store: Store,
        file: Blob,
        random: fn() -> u64,
    ) -> Boxed<Result<Imported, ImportError>> {
        Box::pin(async move { super::archive::import_file(&store, &file, random).await })
    }
);

/// The export of conversations (all when `ids` is `None`) as a ZIP (see
/// [`super::archive::export_archive`]), its code loaded.
pub async fn export_archive(
    store: Store,
    ids: Option<Vec<String>>,
) -> Result<Boxed<Result<Blob, String>>, NotLoaded> {
    load!(export_chunk(store, ids))
}

/// The import of an export file (see [`super::archive::import_file`]), its
/// code loaded: nothing has started until the future is awaited, so a caller
/// can change nothing before it knows the import can run.
pub async fn import_file(
    store: Store,
    file: Blob,
    random: fn() -> u64,
) -> Result<Boxed<Result<Imported, ImportError>>, NotLoaded> {
    load!(import_chunk(store, file, random))
}

/// What Get code's generator needs, owned: a split point cannot borrow from
/// the conversation it is called beside.
pub struct CodeRequest {
    pub subject: Subject,
    pub body: RequestBody<'static>,
    pub base: String,
    pub model: String,
    pub key_header: KeyHeader,
}

split_point!(
    code,
    /// The curl, Python and JavaScript writers.
    fn code_chunk(request: CodeRequest) -> Result<GotCode, String> {
        write_code(request)
    }
);

/// Get code's programs for `request`: called in chunk `code` only.
pub fn write_code(request: CodeRequest) -> Result<GotCode, String> {
    let CodeRequest {
        subject,
        body,
        base,
        model,
        key_header,
    } = request;
    GotCode::new(subject, &body, &base, &model, key_header).map_err(|e| e.to_string())
}

/// Get code's programs for `request` (see [`GotCode::new`]).
pub async fn got_code(request: CodeRequest) -> Result<Result<GotCode, String>, NotLoaded> {
    load!(code_chunk(request))
}

split_point!(
    later,
    /// Making a turn's request body, sending it and reading the answers.
    fn send_chunk(
        prepared: Arc<Prepared>,
        progress: Vec<ArcRwSignal<VariantProgress>>,
        started_ms: f64,
    ) -> Boxed<Results> {
        Box::pin(super::sending::send_variants(
            prepared, progress, started_ms,
        ))
    }
);

/// Sends `prepared` once per slot of `progress` (see
/// [`super::sending::send_variants`]: the body is serialized there), its
/// code loaded (in the chunk the turns' view is in, fetched right after the
/// first paint). Nothing has been sent until the future is awaited.
pub async fn send_variants(
    state: AppState,
    prepared: Arc<Prepared>,
    progress: Vec<ArcRwSignal<VariantProgress>>,
    started_ms: f64,
) -> Result<Boxed<Results>, NotLoaded> {
    said_while(state, "Generate", async {
        load!(send_chunk(prepared, progress, started_ms))
    })
    .await
}

// The storage layer: IndexedDB, the records and their conversions, the draft,
// the locks between tabs. The first screen does not wait for it: Generate
// works while it loads (turns wait, unsaved, as while the database opens).

/// What the "loading…" status names while the storage layer's code is fetched.
const STORAGE: &str = "Browser storage";

/// Something held while a request is in flight (its conversation's lock
/// between tabs, what it sent): let go when dropped.
pub type Held = Box<dyn std::any::Any>;

split_point!(
    storage,
    /// Opening the database and bringing the work kept in it back.
    fn open_chunk(state: AppState) -> Boxed<Option<String>> {
        Box::pin(super::keeping::open(state))
    }
);

split_point!(
    storage,
    /// Saving the turns not yet stored.
    fn save_chunk(
        state: AppState,
        changed: Option<u64>,
        clear_draft: bool,
    ) -> Boxed<Result<(), AppError>> {
        Box::pin(super::persistence::save_turns(state, changed, clear_draft))
    }
);

split_point!(
    storage,
    /// Reading a stored conversation back.
    fn load_chunk(
        state: AppState,
        id: String,
    ) -> Boxed<Result<(ConversationMeta, Vec<Turn>), AppError>> {
        Box::pin(async move { super::persistence::load(state, &id).await })
    }
);

split_point!(
    storage,
    /// Taking a conversation for this tab's request.
    fn hold_chunk(state: AppState, id: String) -> Boxed<Result<Held, AppError>> {
        Box::pin(async move {
            super::persistence::hold_conversation(state, &id)
                .await
                .map(|lock| Box::new(lock) as Held)
        })
    }
);

split_point!(
    storage,
    /// Keeping what a request sends while it is in flight.
    fn inflight_chunk(
        state: AppState,
        record: DraftRecord,
        blobs: Vec<Blob>,
    ) -> Boxed<Option<Held>> {
        Box::pin(async move {
            super::persistence::keep_inflight(state, record, blobs)
                .await
                .map(|kept| Box::new(kept) as Held)
        })
    }
);

/// Opens browser storage (see [`super::keeping::open`]), its code loaded:
/// the future gives the conversation to reopen.
pub async fn open_storage(state: AppState) -> Result<Boxed<Option<String>>, NotLoaded> {
    load!(open_chunk(state))
}

/// Saves the conversation's unsaved turns (see
/// [`super::persistence::save_turns`]).
pub async fn save_turns(
    state: AppState,
    changed: Option<u64>,
    clear_draft: bool,
) -> Result<(), AppError> {
    match load!(save_chunk(state, changed, clear_draft)) {
        Ok(saving) => saving.await,
        Err(NotLoaded) => Err(AppError::StorageNotLoaded),
    }
}

/// A stored conversation, read back (see [`super::persistence::load`]).
pub async fn load_conversation(
    state: AppState,
    id: String,
) -> Result<(ConversationMeta, Vec<Turn>), AppError> {
    match said_while(state, STORAGE, async { load!(load_chunk(state, id)) }).await {
        Ok(reading) => reading.await,
        Err(NotLoaded) => Err(AppError::StorageNotLoaded),
    }
}

/// Takes conversation `id` for this tab's request (see
/// [`super::persistence::hold_conversation`]). Never waits for the storage
/// code: before the database is open, the conversation on screen is a new one
/// no other tab can have (a stored one is opened from the database), and
/// nothing is held; nor once it was closed for a newer version in another tab,
/// or if the code did not load (nothing of this tab is stored then).
pub async fn hold_conversation(state: AppState, id: String) -> Result<Option<Held>, AppError> {
    if state.store.with_value(Option::is_none) {
        return Ok(None);
    }
    match load!(hold_chunk(state, id)) {
        Ok(holding) => holding.await.map(Some),
        Err(NotLoaded) => Ok(None),
    }
}

/// Keeps what request `p` sends until it is over (see
/// [`super::persistence::keep_inflight`]). Never waits for the database: with
/// no database open yet, nothing is kept (the draft, kept once it opens,
/// still holds the composer).
pub async fn keep_inflight(state: AppState, p: &Prepared) -> Option<Held> {
    if state.store.with_value(Option::is_none) {
        return None;
    }
    let (record, blobs) = super::persistence::inflight_record(p);
    load!(inflight_chunk(state, record, blobs)).ok()?.await
}
