//! The app state: one struct of signals, provided once by `App`.

use std::sync::Arc;

use gemini::mime::ImageMime;
use gemini::wire::{Content, GroundingMetadata, InlineData, UsageMetadata};
use gemini::Settings;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use web_sys::AbortController;

use crate::browser::http::KeyHeader;
use crate::browser::object_url::SharedUrl;
use crate::browser::storage;

pub(crate) const SETTINGS_KEY: &str = "studio.settings.v1";
const CONNECTION_KEY: &str = "studio.connection.v1";
const API_KEY_KEY: &str = "studio.apiKey.v1";
const VARIANTS_KEY: &str = "studio.variants.v1";
/// The most parallel requests one turn may send.
pub const MAX_VARIANTS: usize = 4;

/// Where requests go and how they are authorised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Connection {
    /// Empty means this page's own origin (a proxy that may hold the key).
    pub base_url: String,
    pub key_header: KeyHeader,
    /// Held in memory; stored only when `remember` is set.
    #[serde(skip)]
    pub api_key: String,
    pub remember: bool,
    /// The user chose the base URL or key header: the site's `config.json`
    /// no longer sets them (see `crate::site`).
    pub customized: bool,
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

/// A thought part of a model turn, ready to show.
#[derive(Clone, Debug)]
pub enum Thought {
    Text(String),
    Draft(SharedUrl),
}

/// One answer of the model to a turn, with everything the page shows for it.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The model's content exactly as received: sent back in later requests.
    pub model: Content,
    pub image_url: SharedUrl,
    pub image_size: usize,
    pub mime_type: String,
    pub download_name: String,
    pub text: String,
    pub thoughts: Vec<Thought>,
    pub finish_reason: Option<String>,
    pub usage: Option<UsageMetadata>,
    pub model_version: Option<String>,
    pub grounding: Option<GroundingMetadata>,
    pub elapsed_ms: f64,
}

impl Answer {
    /// The final image as the API sent it (base64) and its MIME type.
    pub fn final_image(&self) -> Option<&InlineData> {
        gemini::response::final_image_index(&self.model.parts)
            .and_then(|i| self.model.parts[i].inline_data.as_ref())
    }
}

/// One of the parallel requests of a turn.
#[derive(Clone, Debug)]
pub enum Variant {
    Done(Arc<Answer>),
    Failed(Alert),
}

/// A completed turn: what the user sent and the model's answers.
#[derive(Clone, Debug)]
pub struct TurnView {
    pub id: u64,
    pub prompt: String,
    /// What was sent, as sent (text first, then the images).
    pub user: Content,
    pub user_images: Vec<SharedUrl>,
    pub settings: Settings,
    /// One per request sent; at least one is `Done`.
    pub variants: Vec<Variant>,
    /// The variant that is the model turn of the conversation (always a `Done`).
    /// Plain data, not a signal: views derive it from `AppState::turns`.
    pub chosen: usize,
    /// When the answers came: with the conversation and position, names the
    /// stored turn.
    pub created_ms: f64,
    /// The turn as shown is in browser storage.
    pub saved: bool,
}

impl TurnView {
    /// The chosen answer.
    pub fn answer(&self) -> Option<&Arc<Answer>> {
        match self.variants.get(self.chosen) {
            Some(Variant::Done(a)) => Some(a),
            _ => None,
        }
    }

    /// Token usage of every answer of this turn (every variant was paid for).
    pub fn usage(&self) -> Tokens {
        self.variants
            .iter()
            .filter_map(|v| match v {
                Variant::Done(a) => a.usage,
                Variant::Failed(_) => None,
            })
            .fold(Tokens::default(), |t, u| t.add(&u))
    }
}

/// Token counts added up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    pub prompt: u64,
    pub output: u64,
    pub thoughts: u64,
    pub total: u64,
}

impl Tokens {
    // Adds a response's usage (not another `Tokens`): not `std::ops::Add`.
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, u: &UsageMetadata) -> Tokens {
        Tokens {
            prompt: self.prompt + u.prompt_token_count.unwrap_or(0),
            output: self.output + u.candidates_token_count.unwrap_or(0),
            thoughts: self.thoughts + u.thoughts_token_count.unwrap_or(0),
            total: self.total + u.total_token_count.unwrap_or(0),
        }
    }

    pub fn sum(self, o: Tokens) -> Tokens {
        Tokens {
            prompt: self.prompt + o.prompt,
            output: self.output + o.output,
            thoughts: self.thoughts + o.thoughts,
            total: self.total + o.total,
        }
    }
}

/// Which conversation this is.
#[derive(Clone, Debug, PartialEq)]
pub struct ConversationMeta {
    /// Stable across reloads and tabs: the key of its stored record.
    pub id: String,
    pub label: String,
    pub created_ms: f64,
}

impl ConversationMeta {
    /// A new conversation with a fresh id.
    pub fn new(label: String) -> Self {
        let now = js_sys::Date::now();
        let random = (js_sys::Math::random() * 1e12) as u64;
        Self {
            id: format!("c{:x}-{random:x}", now as u64),
            label,
            created_ms: now,
        }
    }
}

/// Whether what is done here is kept in the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keeping {
    /// The database is being opened.
    Opening,
    /// Every completed turn and the draft are kept.
    Kept,
    /// Nothing will be kept (why).
    Unavailable(String),
    /// Another tab upgraded the database: this one must reload to keep saving.
    Closed,
}

/// A deletion waiting for its Undo to expire.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingDelete {
    pub ids: Vec<String>,
    pub what: String,
}

/// A conversation that is not the one on screen (kept until the history lands).
#[derive(Clone, Debug)]
pub struct Conversation {
    pub meta: ConversationMeta,
    pub turns: Vec<TurnView>,
}

/// A request in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct Running {
    pub started_ms: f64,
    pub prompt: String,
    pub images: usize,
    pub variants: usize,
}

/// A failure as shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub title: String,
    pub detail: Option<String>,
    pub action: String,
    pub retryable: bool,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub settings: RwSignal<Settings>,
    pub connection: RwSignal<Connection>,
    pub prompt: RwSignal<String>,
    pub attachments: RwSignal<Vec<Attachment>>,
    /// The conversation on screen.
    pub turns: RwSignal<Vec<TurnView>>,
    pub current: RwSignal<ConversationMeta>,
    /// Other conversations of this session, newest first.
    pub others: RwSignal<Vec<Conversation>>,
    /// How many requests each turn sends (1–4), shown side by side.
    pub variants: RwSignal<usize>,
    pub running: RwSignal<Option<Running>>,
    /// Saves of turns to browser storage in flight (turns not yet stored show
    /// "Saving…" meanwhile).
    pub saving: RwSignal<u32>,
    pub alert: RwSignal<Option<Alert>>,
    /// A passing, non-error message (e.g. options reset after a model change).
    pub notice: RwSignal<Option<String>>,
    pub(crate) abort: StoredValue<Option<AbortController>, LocalStorage>,
    next_id: StoredValue<u64>,
    /// The browser database, once open.
    pub store: StoredValue<Option<crate::store::Store>, LocalStorage>,
    pub keeping: RwSignal<Keeping>,
    /// Stored conversations, newest first (what the history panel lists).
    pub history: RwSignal<Vec<crate::store::ConversationRecord>>,
    /// Conversations hidden from the history until their Undo expires.
    pub pending_delete: RwSignal<Option<PendingDelete>>,
    /// Storage used, and whether the browser keeps it.
    pub storage_note: RwSignal<Option<String>>,
}

impl AppState {
    /// Builds the state from what this browser remembers.
    pub fn load() -> Self {
        let mut settings: Settings = storage::get_json(SETTINGS_KEY).unwrap_or_default();
        settings.fit_to_model();
        let mut connection: Connection = storage::get_json(CONNECTION_KEY).unwrap_or_default();
        if connection.remember {
            connection.api_key = storage::get_string(API_KEY_KEY).unwrap_or_default();
        }
        Self {
            settings: RwSignal::new(settings),
            connection: RwSignal::new(connection),
            prompt: RwSignal::new(String::new()),
            attachments: RwSignal::new(Vec::new()),
            turns: RwSignal::new(Vec::new()),
            current: RwSignal::new(ConversationMeta::new("Conversation 1".into())),
            others: RwSignal::new(Vec::new()),
            variants: RwSignal::new(
                storage::get_json::<usize>(VARIANTS_KEY)
                    .unwrap_or(1)
                    .clamp(1, MAX_VARIANTS),
            ),
            running: RwSignal::new(None),
            saving: RwSignal::new(0),
            alert: RwSignal::new(None),
            notice: RwSignal::new(None),
            abort: StoredValue::new_local(None),
            next_id: StoredValue::new(1),
            store: StoredValue::new_local(None),
            keeping: RwSignal::new(Keeping::Opening),
            history: RwSignal::new(Vec::new()),
            pending_delete: RwSignal::new(None),
            storage_note: RwSignal::new(None),
        }
    }

    /// Keeps preferences in localStorage as they change. The key is stored only
    /// while "Remember on this device" is ticked, and removed when it is not.
    pub fn persist(self) {
        Effect::new(move |_| {
            self.settings.with(|s| storage::set_json(SETTINGS_KEY, s));
        });
        Effect::new(move |_| {
            storage::set_json(VARIANTS_KEY, &self.variants.get());
        });
        Effect::new(move |_| {
            self.connection.with(|c| {
                storage::set_json(CONNECTION_KEY, c);
                if c.remember && !c.api_key.is_empty() {
                    storage::set_string(API_KEY_KEY, &c.api_key);
                } else {
                    storage::remove(API_KEY_KEY);
                }
            });
        });
    }

    pub fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    pub fn is_running(&self) -> bool {
        self.running.with(Option::is_some)
    }
}
