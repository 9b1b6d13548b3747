//! The app state: signals only, one struct provided once by `App`, and the
//! site's ([`site`]). What changes them is in `crate::commands`.

pub mod editor;
pub mod site;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use gemini::mime::ImageMime;
use gemini::wire::Content;
use gemini::{KeyHeader, Settings};
use leptos::prelude::*;

use crate::browser::object_url::SharedUrl;
use crate::model::code::GotCode;
use crate::model::look::Theme;
use crate::model::prefs;
use crate::model::requests::RequestPrefs;
use crate::model::share::Shared;
use crate::model::{self, Alert, ConversationMeta, PendingDelete, TurnData};
use crate::store::{ConversationRecord, PromptRecord, Store};

/// The most parallel requests one turn may send.
pub const MAX_VARIANTS: usize = 4;

/// An answer as the page shows it: images as object URLs.
pub type Answer = model::Answer<SharedUrl>;
pub type Variant = model::Variant<SharedUrl>;
pub type Thought = model::Thought<SharedUrl>;
/// What a request of the turn in flight is doing.
pub type VariantProgress = model::progress::Progress<SharedUrl>;

/// Where requests go and how they are authorised.
// Stored field by field (`Connection::record`); serde's form is the one the
// tests hold it to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(test, serde(default, rename_all = "camelCase"))]
pub struct Connection {
    /// Empty means this page's own origin (a proxy that may hold the key).
    pub base_url: String,
    pub key_header: KeyHeader,
    /// Held in memory; stored only when `remember` or `remember_session` is set.
    #[cfg_attr(test, serde(skip))]
    pub api_key: String,
    /// Keep the key in this browser (`localStorage`).
    pub remember: bool,
    /// Keep the key for this tab's session only (`sessionStorage`).
    pub remember_session: bool,
    /// The user chose the base URL or key header: the site's `config.json`
    /// no longer sets them.
    pub customized: bool,
}

impl Connection {
    /// The stored form (`model::prefs`): never the key.
    pub fn record(&self) -> prefs::Record {
        use prefs::Scalar;
        vec![
            ("baseUrl", Scalar::Str(self.base_url.clone())),
            (
                "keyHeader",
                Scalar::Str(prefs::key_header_value(self.key_header).to_owned()),
            ),
            ("remember", Scalar::Bool(self.remember)),
            ("rememberSession", Scalar::Bool(self.remember_session)),
            ("customized", Scalar::Bool(self.customized)),
        ]
    }

    /// From the stored form (the key is kept apart).
    pub fn from_record(f: &impl prefs::Fields) -> Self {
        Self {
            base_url: f.str("baseUrl").unwrap_or_default(),
            key_header: f
                .str("keyHeader")
                .and_then(|h| prefs::key_header_from(&h))
                .unwrap_or_default(),
            api_key: String::new(),
            remember: f.bool("remember").unwrap_or_default(),
            remember_session: f.bool("rememberSession").unwrap_or_default(),
            customized: f.bool("customized").unwrap_or_default(),
        }
    }
}

/// What this browser remembered, to start with.
#[derive(Clone, Debug, Default)]
pub struct Prefs {
    pub settings: Settings,
    pub connection: Connection,
    pub variants: usize,
    pub requests: RequestPrefs,
    pub theme: Theme,
    /// Nothing was remembered: the site's default model applies.
    pub first_visit: bool,
}

/// A reference image in the composer.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: u64,
    pub name: String,
    pub mime: ImageMime,
    pub size: usize,
    /// Base64 without a `data:` prefix, encoded once when added.
    pub base64: Arc<String>,
    /// Thumbnail, revoked when no longer shown.
    pub url: SharedUrl,
    /// Set when the image was re-encoded to fit the API: what was done.
    pub note: Option<String>,
}

/// The draft of the last visit, held back because something was typed or
/// attached before it could come back (see
/// `commands::persistence::restore_draft`).
#[derive(Clone, Debug)]
pub struct KeptDraft {
    pub prompt: String,
    pub attachments: Vec<Attachment>,
    /// The last visit's draft (else: what was typed, set aside when that
    /// draft was put back, to swap back).
    pub from_last_visit: bool,
}

/// A completed turn on the page. Its content never changes; which variant is
/// the conversation's model turn, and whether it is stored, are signals of
/// its own, so a change re-renders this turn alone.
#[derive(Clone, Debug)]
pub struct Turn {
    pub id: u64,
    pub data: Arc<TurnData<SharedUrl>>,
    pub chosen: ArcRwSignal<usize>,
    pub saved: ArcRwSignal<bool>,
    /// A stored turn that could not be read back whole: what is wrong. It is
    /// shown as such and not sent back to the model.
    pub damaged: Option<String>,
    /// A region edit's composites, by variant, once made: what the turn
    /// shows, and what Compare, Use as reference and the editors take.
    pub composites: ArcRwSignal<BTreeMap<usize, SharedUrl>>,
}

impl Turn {
    pub fn new(id: u64, data: TurnData<SharedUrl>, chosen: usize, saved: bool) -> Self {
        Self {
            id,
            data: Arc::new(data),
            chosen: ArcRwSignal::new(chosen),
            saved: ArcRwSignal::new(saved),
            damaged: None,
            composites: ArcRwSignal::new(BTreeMap::new()),
        }
    }

    /// A stored turn that could not be read back: its prompt (if known) and why.
    pub fn damaged(
        id: u64,
        prompt: String,
        settings: Settings,
        created_ms: f64,
        why: String,
    ) -> Self {
        let data = TurnData {
            prompt,
            user: Content::default(),
            user_images: Vec::new(),
            settings,
            variants: Vec::new(),
            created_ms,
            region: None,
        };
        Self {
            damaged: Some(why),
            ..Self::new(id, data, 0, true)
        }
    }

    /// The image variant `index` shows: a region edit's composite once made,
    /// else the model's image.
    pub fn shown_image(&self, index: usize) -> Option<SharedUrl> {
        self.composites
            .with(|c| c.get(&index).cloned())
            .or_else(|| self.data.answer(index).map(|a| a.image.clone()))
    }

    /// The chosen answer (untracked).
    pub fn answer(&self) -> Option<Arc<Answer>> {
        self.data.answer(self.chosen.get_untracked()).cloned()
    }

    pub fn is_saved(&self) -> bool {
        self.saved.get_untracked()
    }

    /// The same content as a new turn (of a branch), not stored yet.
    pub fn copy_as(&self, id: u64) -> Turn {
        Turn {
            id,
            data: self.data.clone(),
            chosen: ArcRwSignal::new(self.chosen.get_untracked()),
            saved: ArcRwSignal::new(false),
            damaged: self.damaged.clone(),
            composites: ArcRwSignal::new(self.composites.get_untracked()),
        }
    }
}

/// A conversation that is not the one on screen, kept in memory because some
/// of it is not in browser storage.
#[derive(Clone, Debug)]
pub struct Conversation {
    pub meta: ConversationMeta,
    pub turns: Vec<Turn>,
}

/// Whether what is done here is kept in the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keeping {
    /// The database is being opened.
    Opening,
    /// Another tab holds the database open at an older version: the upgrade
    /// waits for it (turns are saved once it is done).
    Blocked,
    /// Every completed turn and the draft are kept.
    Kept,
    /// Nothing will be kept (why).
    Unavailable(String),
    /// Another tab upgraded the database: this one must reload to keep saving.
    Closed,
}

/// What one turn sends, prepared before anything is dispatched.
pub struct Prepared {
    pub url: String,
    /// The request of every variant of the turn, checked; made into bytes
    /// where it is sent (`commands::sending`, in the `later` chunk, with the
    /// serializer), once: retries send the same bytes.
    pub request: gemini::request::RequestBody<'static>,
    /// How the requests are sent.
    pub requests: RequestPrefs,
    /// How long to wait for an answer's headers.
    pub header_limit_ms: u64,
    /// The prompt as sent (it leaves the composer on success if unchanged).
    pub prompt: String,
    /// The composer's attachments that were sent.
    pub sent_attachments: Vec<u64>,
    /// The conversation the turn belongs to.
    pub conversation: String,
    /// The new user turn, as sent.
    pub next: Content,
    pub user_images: Vec<SharedUrl>,
    pub settings: Settings,
    pub connection: Connection,
    /// A region edit's selection (the turn shows the composite).
    pub region: Option<crate::model::region::Selection>,
    /// Sent from the composer (its prompt leaves it when the turn lands).
    pub from_composer: bool,
}

/// A turn being generated: the input of [`AppState::generation`].
#[derive(Clone)]
pub struct Job {
    pub state: AppState,
    pub started_ms: f64,
    pub prompt: String,
    /// How many reference images it sends.
    pub images: usize,
    /// How many requests (variants) it sends.
    pub variants: usize,
    /// The request, ready to send.
    pub prepared: Arc<Prepared>,
    /// What each request (variant) is doing.
    pub progress: Vec<ArcRwSignal<VariantProgress>>,
    /// Its work (set where it is dispatched, whose code it is in).
    pub run: fn(Job) -> Pin<Box<dyn Future<Output = ()>>>,
}

/// A command waiting for the images being added.
#[derive(Clone, Copy)]
pub struct Deferred {
    pub command: fn(AppState),
    /// Its name, as the person knows it ("Generate").
    pub what: &'static str,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub settings: RwSignal<Settings>,
    pub connection: RwSignal<Connection>,
    pub prompt: RwSignal<String>,
    pub attachments: RwSignal<Vec<Attachment>>,
    /// Image files being read into the composer (not yet in `attachments`).
    pub adding: RwSignal<usize>,
    /// A command pressed while images were being added (Generate, Get code):
    /// it runs once they are in, so it never goes without them; and Generate
    /// pressed while its code is still on its way (`commands::generate`).
    /// Cancel (the button shows meanwhile) calls it off.
    pub after_adding: RwSignal<Option<Deferred>>,
    /// The conversation on screen.
    pub turns: RwSignal<Vec<Turn>>,
    pub current: RwSignal<ConversationMeta>,
    /// Other conversations of this session kept in memory, newest first.
    pub others: RwSignal<Vec<Conversation>>,
    /// How many requests each turn sends (1–4), shown side by side.
    pub variants: RwSignal<usize>,
    /// Retries, time limit, streaming.
    pub requests: RwSignal<RequestPrefs>,
    /// Generating a turn (its input is the turn in flight).
    pub generation: Action<Job, ()>,
    /// Whether a turn is being generated.
    pub running: Memo<bool>,
    /// Stops the turn in flight.
    pub(crate) cancel: StoredValue<Option<ActionAbortHandle>>,
    /// Generate's code (the `later` chunk) has run once: pressed now, it
    /// sends at once rather than waiting for it.
    pub generate_loaded: StoredValue<bool>,
    /// Saves of turns to browser storage in flight (turns not yet stored show
    /// "Saving…" meanwhile).
    pub saving: RwSignal<u32>,
    pub alert: RwSignal<Option<Alert>>,
    /// A passing, non-error message (e.g. options reset after a model change).
    pub notice: RwSignal<Option<String>>,
    /// The conversation menu shows the one on screen again (after an open
    /// that failed).
    pub menu_reset: Trigger,
    next_id: StoredValue<u64>,
    /// The browser database, once open.
    pub store: StoredValue<Option<Store>, LocalStorage>,
    pub keeping: RwSignal<Keeping>,
    /// Stored conversations, newest first (what the history panel lists).
    pub history: RwSignal<Vec<ConversationRecord>>,
    /// Conversations hidden from the history until their Undo expires.
    pub pending_delete: RwSignal<Option<PendingDelete>>,
    /// Storage used, and whether the browser keeps it.
    pub storage_note: RwSignal<Option<String>>,
    /// Why the composer's draft could not be kept, if it could not.
    pub draft_problem: RwSignal<Option<String>>,
    /// Conversations another tab is continuing (a request in flight there).
    pub in_use_elsewhere: RwSignal<Vec<String>>,
    /// Conversations deleted in this session: never saved again.
    pub deleted: StoredValue<Vec<String>>,
    /// The code the Get code dialog shows (open while set).
    pub code: RwSignal<Option<Arc<GotCode>>>,
    /// Light, dark or the system's (a preference).
    pub theme: RwSignal<Theme>,
    /// The history panel is open.
    pub history_open: RwSignal<bool>,
    /// The Keyboard shortcuts dialog is open.
    pub shortcuts_open: RwSignal<bool>,
    /// Features whose code is being fetched (the split build's chunks), as
    /// "<what>: loading…" names them; the last one is shown.
    pub loading_code: RwSignal<Vec<&'static str>>,
    /// A share link that was opened, waiting for the person to accept it.
    pub share_offer: RwSignal<Option<Shared>>,
    /// The share link the Share dialog shows (open while set).
    pub share_link: RwSignal<Option<String>>,
    /// The prompt library, as stored (sorted by name).
    pub prompts: RwSignal<Vec<PromptRecord>>,
    /// Whether the Prompt library dialog is open.
    pub prompts_open: RwSignal<bool>,
    /// The browser is offline (Generate needs the network).
    pub offline: RwSignal<bool>,
    /// A new version of the studio is installed and waits for a reload.
    pub update_ready: RwSignal<bool>,
    /// The page has painted its first screen: what it does not need (the
    /// turns' view, browser storage) is loaded from then on.
    pub painted: RwSignal<bool>,
    /// The last visit's draft, offered back (the composer was not empty when
    /// it came).
    pub kept_draft: RwSignal<Option<KeptDraft>>,
}

impl AppState {
    /// The state, from what this browser remembered and the command that
    /// generates a turn.
    pub fn new(prefs: Prefs, generation: Action<Job, ()>, current: ConversationMeta) -> Self {
        Self {
            settings: RwSignal::new(prefs.settings),
            connection: RwSignal::new(prefs.connection),
            prompt: RwSignal::new(String::new()),
            attachments: RwSignal::new(Vec::new()),
            adding: RwSignal::new(0),
            after_adding: RwSignal::new(None),
            turns: RwSignal::new(Vec::new()),
            current: RwSignal::new(current),
            others: RwSignal::new(Vec::new()),
            variants: RwSignal::new(prefs.variants.clamp(1, MAX_VARIANTS)),
            requests: RwSignal::new(prefs.requests.checked()),
            generation,
            running: generation.pending(),
            cancel: StoredValue::new(None),
            generate_loaded: StoredValue::new(false),
            saving: RwSignal::new(0),
            alert: RwSignal::new(None),
            notice: RwSignal::new(None),
            menu_reset: Trigger::new(),
            next_id: StoredValue::new(1),
            store: StoredValue::new_local(None),
            keeping: RwSignal::new(Keeping::Opening),
            history: RwSignal::new(Vec::new()),
            pending_delete: RwSignal::new(None),
            storage_note: RwSignal::new(None),
            draft_problem: RwSignal::new(None),
            in_use_elsewhere: RwSignal::new(Vec::new()),
            deleted: StoredValue::new(Vec::new()),
            code: RwSignal::new(None),
            theme: RwSignal::new(prefs.theme),
            history_open: RwSignal::new(false),
            shortcuts_open: RwSignal::new(false),
            loading_code: RwSignal::new(Vec::new()),
            share_offer: RwSignal::new(None),
            share_link: RwSignal::new(None),
            prompts: RwSignal::new(Vec::new()),
            prompts_open: RwSignal::new(false),
            offline: RwSignal::new(false),
            update_ready: RwSignal::new(false),
            painted: RwSignal::new(false),
            kept_draft: RwSignal::new(None),
        }
    }

    /// A fresh id for a turn or an attachment.
    pub fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Whether a command waits for images being added
    /// ([`AppState::after_adding`]). Tracked.
    pub fn is_waiting(&self) -> bool {
        self.after_adding.with(Option::is_some)
    }

    /// Whether the views loaded right after the first paint (the `later`
    /// chunk) are wanted: the page has painted, or there is something for
    /// them to show (turns, reference images, a request running). Tracked;
    /// each signal is read (no short-circuit), so a change of any of them
    /// tries again after code that did not load.
    pub fn wants_later(&self) -> bool {
        let painted = self.painted.get();
        let turns = !self.turns.with(Vec::is_empty);
        let images = !self.attachments.with(Vec::is_empty);
        let running = self.running.get();
        painted || turns || images || running
    }

    /// Whether a turn is being generated (untracked).
    pub fn is_running(&self) -> bool {
        self.running.get_untracked()
    }

    /// Whether another tab is continuing the conversation on screen.
    pub fn in_use_elsewhere(&self) -> bool {
        let id = self.current.with(|c| c.id.clone());
        self.in_use_elsewhere.with(|ids| ids.contains(&id))
    }

    /// The chosen variant of each turn on screen, for a request (untracked).
    pub fn with_history<R>(&self, f: impl FnOnce(&[(&TurnData<SharedUrl>, usize)]) -> R) -> R {
        self.turns.with_untracked(|turns| {
            let pairs: Vec<_> = turns
                .iter()
                .map(|t| (&*t.data, t.chosen.get_untracked()))
                .collect();
            f(&pairs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::prefs::tests::{parsed, value};

    #[test]
    fn the_connection_earlier_builds_stored_reads_back_and_is_written_the_same() {
        let text = r#"{"baseUrl":"https://api.cometapi.com","keyHeader":"Bearer","remember":true,"rememberSession":false,"customized":true}"#;
        let stored: serde_json::Value = serde_json::from_str(text).unwrap();
        let c = Connection::from_record(&parsed(stored.clone()));
        assert_eq!(c.base_url, "https://api.cometapi.com");
        assert_eq!(c.key_header, KeyHeader::Bearer);
        assert!(c.remember && !c.remember_session && c.customized);
        assert_eq!(value(&c.record()), stored);
    }

    #[test]
    fn the_connection_is_stored_as_serde_stored_it_without_the_key() {
        for c in [
            Connection::default(),
            Connection {
                base_url: "https://api.cometapi.com".into(),
                key_header: KeyHeader::Bearer,
                api_key: "secret".into(),
                remember: true,
                remember_session: true,
                customized: true,
            },
        ] {
            let ours = value(&c.record());
            assert_eq!(ours, serde_json::to_value(&c).unwrap());
            assert!(!ours.to_string().contains("secret"));
            let back = Connection::from_record(&parsed(ours));
            assert_eq!(
                back,
                Connection {
                    api_key: String::new(),
                    ..c
                }
            );
        }
    }
}
