//! Preferences kept in `localStorage`: settings, connection, variants, and the
//! key only while "Remember on this device" is ticked.

use gemini::Settings;
use js_sys::{Array, Object, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::{page, storage};
use crate::model::look::Theme;
use crate::model::prefs::{self, Fields, Record, Scalar};
use crate::state::{AppState, Connection, Prefs};

const SETTINGS_KEY: &str = "studio.settings.v1";
const CONNECTION_KEY: &str = "studio.connection.v1";
const API_KEY_KEY: &str = "studio.apiKey.v1";
const VARIANTS_KEY: &str = "studio.variants.v1";
const REQUESTS_KEY: &str = "studio.requests.v1";
const THEME_KEY: &str = "studio.theme.v1";

/// What this browser remembers.
pub fn load() -> Prefs {
    let stored = read_record(SETTINGS_KEY);
    let first_visit = storage::get_string(SETTINGS_KEY).is_none();
    let mut settings = stored.map_or_else(Settings::default, |s| prefs::settings_from(&s));
    settings.fit_to_model();
    let mut connection = read_record(CONNECTION_KEY)
        .map_or_else(Connection::default, |c| Connection::from_record(&c));
    if connection.remember {
        connection.api_key = storage::get_string(API_KEY_KEY).unwrap_or_default();
    } else if connection.remember_session {
        connection.api_key = storage::for_session::get_string(API_KEY_KEY).unwrap_or_default();
    }
    Prefs {
        settings,
        connection,
        variants: prefs::variants_from(read_scalar(VARIANTS_KEY)).unwrap_or(1),
        requests: read_record(REQUESTS_KEY)
            .map_or_else(Default::default, |r| prefs::requests_from(&r)),
        theme: prefs::theme_from(read_scalar(THEME_KEY)),
        first_visit,
    }
}

/// Shows the page in the chosen theme, from the start and as it changes.
pub fn apply_theme(state: AppState) {
    Effect::new(move |_| {
        let theme = state.theme.get();
        page::set_theme((theme != Theme::System).then_some(theme.value()));
    });
}

/// Keeps preferences in localStorage as they change (from the chunk loaded
/// right after the first paint: each is written then, and at every change
/// after). The key is stored only while "Remember on this device"
/// (localStorage) or "Remember for this session" (sessionStorage) is ticked,
/// and removed from both when neither is.
pub fn persist(state: AppState) {
    Effect::new(move |_| {
        state
            .settings
            .with(|s| write_record(SETTINGS_KEY, &prefs::settings_record(s)));
    });
    Effect::new(move |_| {
        let variants = state.variants.get() as f64;
        write_scalar(VARIANTS_KEY, &Scalar::Num(variants));
    });
    Effect::new(move |_| {
        state
            .requests
            .with(|r| write_record(REQUESTS_KEY, &prefs::requests_record(r)));
    });
    Effect::new(move |_| {
        let theme = state.theme.get();
        write_scalar(THEME_KEY, &Scalar::Str(theme.value().to_owned()));
    });
    Effect::new(move |_| {
        state.connection.with(|c| {
            write_record(CONNECTION_KEY, &c.record());
            let key = (!c.api_key.is_empty()).then_some(c.api_key.as_str());
            match key.filter(|_| c.remember) {
                Some(k) => {
                    storage::set_string(API_KEY_KEY, k);
                }
                None => storage::remove(API_KEY_KEY),
            }
            match key.filter(|_| c.remember_session && !c.remember) {
                Some(k) => {
                    storage::for_session::set_string(API_KEY_KEY, k);
                }
                None => storage::for_session::remove(API_KEY_KEY),
            }
        });
    });
}

/// A stored JSON object, read field by field (`model::prefs`).
pub struct Stored(Object);

impl Fields for Stored {
    fn field(&self, name: &str) -> Option<Scalar> {
        scalar(Reflect::get(&self.0, &JsValue::from_str(name)).ok()?)
    }
}

/// The object stored under `key` (not an array, not a scalar).
pub fn read_record(key: &str) -> Option<Stored> {
    let value = storage::get_json(key)?;
    (value.is_object() && !Array::is_array(&value)).then(|| Stored(value.unchecked_into()))
}

/// Stores `record` as a JSON object.
pub fn write_record(key: &str, record: &Record) -> bool {
    let object = Object::new();
    for (name, value) in record {
        if Reflect::set(&object, &JsValue::from_str(name), &js(value)).is_err() {
            return false;
        }
    }
    storage::set_json(key, &object)
}

/// The scalar stored under `key`.
pub fn read_scalar(key: &str) -> Option<Scalar> {
    scalar(storage::get_json(key)?)
}

pub fn write_scalar(key: &str, value: &Scalar) -> bool {
    storage::set_json(key, &js(value))
}

fn scalar(v: JsValue) -> Option<Scalar> {
    if let Some(s) = v.as_string() {
        Some(Scalar::Str(s))
    } else if let Some(b) = v.as_bool() {
        Some(Scalar::Bool(b))
    } else if let Some(n) = v.as_f64() {
        Some(Scalar::Num(n))
    } else {
        v.is_null().then_some(Scalar::Null)
    }
}

fn js(value: &Scalar) -> JsValue {
    match value {
        Scalar::Str(s) => JsValue::from_str(s),
        Scalar::Bool(b) => JsValue::from_bool(*b),
        Scalar::Num(n) => JsValue::from_f64(*n),
        Scalar::Null => JsValue::NULL,
    }
}
