//! Preferences kept in `localStorage`: settings, connection, variants, and the
//! key only while "Remember on this device" is ticked.

use gemini::Settings;
use leptos::prelude::*;

use crate::browser::{page, storage};
use crate::model::look::Theme;
use crate::state::{AppState, Connection, Prefs};

const SETTINGS_KEY: &str = "studio.settings.v1";
const CONNECTION_KEY: &str = "studio.connection.v1";
const API_KEY_KEY: &str = "studio.apiKey.v1";
const VARIANTS_KEY: &str = "studio.variants.v1";
const REQUESTS_KEY: &str = "studio.requests.v1";
const THEME_KEY: &str = "studio.theme.v1";

/// What this browser remembers.
pub fn load() -> Prefs {
    let stored = storage::get_json::<Settings>(SETTINGS_KEY);
    let first_visit = storage::get_string(SETTINGS_KEY).is_none();
    let mut settings = stored.unwrap_or_default();
    settings.fit_to_model();
    let mut connection: Connection = storage::get_json(CONNECTION_KEY).unwrap_or_default();
    if connection.remember {
        connection.api_key = storage::get_string(API_KEY_KEY).unwrap_or_default();
    } else if connection.remember_session {
        connection.api_key = storage::for_session::get_string(API_KEY_KEY).unwrap_or_default();
    }
    Prefs {
        settings,
        connection,
        variants: storage::get_json::<usize>(VARIANTS_KEY).unwrap_or(1),
        requests: storage::get_json(REQUESTS_KEY).unwrap_or_default(),
        theme: storage::get_json(THEME_KEY).unwrap_or_default(),
        first_visit,
    }
}

/// Keeps preferences in localStorage as they change. The key is stored only
/// while "Remember on this device" (localStorage) or "Remember for this
/// session" (sessionStorage) is ticked, and removed from both when neither is.
pub fn persist(state: AppState) {
    Effect::new(move |_| {
        state.settings.with(|s| storage::set_json(SETTINGS_KEY, s));
    });
    Effect::new(move |_| {
        storage::set_json(VARIANTS_KEY, &state.variants.get());
    });
    Effect::new(move |_| {
        state.requests.with(|r| storage::set_json(REQUESTS_KEY, r));
    });
    Effect::new(move |_| {
        let theme = state.theme.get();
        storage::set_json(THEME_KEY, &theme);
        page::set_theme((theme != Theme::System).then_some(theme.value()));
    });
    Effect::new(move |_| {
        state.connection.with(|c| {
            storage::set_json(CONNECTION_KEY, c);
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
