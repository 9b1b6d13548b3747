//! The app state: one struct of signals, provided once by `App`.

use std::sync::Arc;

use gemini::mime::ImageMime;
use gemini::wire::{GroundingMetadata, UsageMetadata};
use gemini::{Settings, Turn};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use web_sys::AbortController;

use crate::browser::http::KeyHeader;
use crate::browser::object_url::SharedUrl;
use crate::browser::storage;

const SETTINGS_KEY: &str = "studio.settings.v1";
const CONNECTION_KEY: &str = "studio.connection.v1";
const API_KEY_KEY: &str = "studio.apiKey.v1";

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
}

/// A reference image in the composer.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: u64,
    pub name: String,
    pub mime: ImageMime,
    pub size: usize,
    /// Base64 without a `data:` prefix, encoded once when added.
    pub base64: Arc<str>,
    /// Thumbnail, revoked when no longer shown.
    pub url: SharedUrl,
}

/// A thought part of a model turn, ready to show.
#[derive(Clone, Debug)]
pub enum Thought {
    Text(String),
    Draft(SharedUrl),
}

/// A completed turn with everything the page shows for it.
#[derive(Clone, Debug)]
pub struct TurnView {
    pub id: u64,
    pub prompt: String,
    pub user_images: Vec<SharedUrl>,
    /// What is sent back in later requests (model parts verbatim).
    pub turn: Turn,
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
    pub settings: Settings,
    pub elapsed_ms: f64,
}

/// A request in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct Running {
    pub started_ms: f64,
    pub prompt: String,
    pub images: usize,
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
    pub turns: RwSignal<Vec<TurnView>>,
    pub running: RwSignal<Option<Running>>,
    pub alert: RwSignal<Option<Alert>>,
    /// A passing, non-error message (e.g. options reset after a model change).
    pub notice: RwSignal<Option<String>>,
    pub(crate) abort: StoredValue<Option<AbortController>, LocalStorage>,
    next_id: StoredValue<u64>,
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
            running: RwSignal::new(None),
            alert: RwSignal::new(None),
            notice: RwSignal::new(None),
            abort: StoredValue::new_local(None),
            next_id: StoredValue::new(1),
        }
    }

    /// Keeps preferences in localStorage as they change. The key is stored only
    /// while "Remember on this device" is ticked, and removed when it is not.
    pub fn persist(self) {
        Effect::new(move |_| {
            self.settings.with(|s| storage::set_json(SETTINGS_KEY, s));
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
