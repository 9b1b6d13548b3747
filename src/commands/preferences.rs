//! Preferences kept in `localStorage`: settings, connection, variants, and the
//! key only while "Remember on this device" is ticked.

use gemini::Settings;
use leptos::prelude::*;

use crate::browser::{page, storage};
use crate::model::look::Theme;
use crate::model::prefs::{self, Scalar};
use crate::state::{AppState, Connection, Prefs};

const SETTINGS_KEY: &str = "studio.settings.v1";
const CONNECTION_KEY: &str = "studio.connection.v1";
const API_KEY_KEY: &str = "studio.apiKey.v1";
const VARIANTS_KEY: &str = "studio.variants.v1";
const REQUESTS_KEY: &str = "studio.requests.v1";
const THEME_KEY: &str = "studio.theme.v1";

/// What this browser remembers.
pub fn load() -> Prefs {
    let stored = storage::get_record(SETTINGS_KEY);
    let first_visit = storage::get_string(SETTINGS_KEY).is_none();
    let mut settings = stored.map_or_else(Settings::default, |s| prefs::settings_from(&s));
    settings.fit_to_model();
    let mut connection = storage::get_record(CONNECTION_KEY)
        .map_or_else(Connection::default, |c| Connection::from_record(&c));
    if connection.remember {
        connection.api_key = storage::get_string(API_KEY_KEY).unwrap_or_default();
    } else if connection.remember_session {
        connection.api_key = storage::for_session::get_string(API_KEY_KEY).unwrap_or_default();
    }
    Prefs {
        settings,
        connection,
        variants: prefs::variants_from(storage::get_scalar(VARIANTS_KEY)).unwrap_or(1),
        requests: storage::get_record(REQUESTS_KEY)
            .map_or_else(Default::default, |r| prefs::requests_from(&r)),
        theme: prefs::theme_from(storage::get_scalar(THEME_KEY)),
        first_visit,
    }
}

/// Keeps preferences in localStorage as they change. The key is stored only
/// while "Remember on this device" (localStorage) or "Remember for this
/// session" (sessionStorage) is ticked, and removed from both when neither is.
pub fn persist(state: AppState) {
    Effect::new(move |_| {
        state
            .settings
            .with(|s| storage::set_record(SETTINGS_KEY, &prefs::settings_record(s)));
    });
    Effect::new(move |_| {
        let variants = state.variants.get() as f64;
        storage::set_scalar(VARIANTS_KEY, &Scalar::Num(variants));
    });
    Effect::new(move |_| {
        state
            .requests
            .with(|r| storage::set_record(REQUESTS_KEY, &prefs::requests_record(r)));
    });
    Effect::new(move |_| {
        let theme = state.theme.get();
        storage::set_scalar(THEME_KEY, &Scalar::Str(theme.value().to_owned()));
        page::set_theme((theme != Theme::System).then_some(theme.value()));
    });
    Effect::new(move |_| {
        state.connection.with(|c| {
            storage::set_record(CONNECTION_KEY, &c.record());
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
