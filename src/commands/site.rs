//! The site's `config.json`, read at start and applied to the app. The page
//! renders with the built-in defaults at once; the file, when it arrives,
//! adjusts them (a broken one is reported, not fatal).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use super::lazy::{load, split_point, NotLoaded};
use super::settings::{handle_model_change, request_base};
use crate::browser::http::{self, Got};
use crate::browser::page;
use crate::config::{self, Loaded, SiteConfig};
use crate::state::site::{ChangeSource, Site};
use crate::state::AppState;

/// The site context for this page, with `config.json` being read; `first_visit`
/// (nothing remembered here) lets the site's default model apply. A page that
/// opened offline (from the service worker's cache) reads it when the browser
/// is back online.
pub fn start(state: AppState, first_visit: bool) -> Site {
    let site = Site::new(page::origin(), page::meta_csp());
    let unread = StoredValue::new(true);
    spawn_local(load(state, site, first_visit, unread));
    let _ = window_event_listener(leptos::ev::online, move |_| {
        if unread.get_value() {
            spawn_local(load(state, site, first_visit, unread));
        }
    });
    site
}

/// Reads `config.json` and applies it, unless it could not be fetched (then
/// `unread` stays set: the defaults hold until the browser is next online).
async fn load(state: AppState, site: Site, first_visit: bool, unread: StoredValue<bool>) {
    match http::get_json(config::FILE, config::interpret_head).await {
        // No file, or an answer that is not one: nothing to apply (a head
        // carries no settings).
        Ok(Got::Head(loaded)) => settle(site, unread, loaded, drop),
        // A file to check and apply: its code is fetched now (a site without
        // one never needs it).
        Ok(Got::Json(parsed)) => {
            if load!(read_chunk(state, site, parsed, first_visit, unread)).is_err() {
                // Said, and read again at the next `online` event (or Reload).
                if unread.get_value() {
                    site.problem.set(Some(config::broken_message(&[
                        "the code that reads it did not load (reload the page)".into(),
                    ])));
                }
            }
        }
        Err(_) if !crate::browser::service_worker::online() => {}
        // Not reached (the network may have just come back): said, and read
        // again at the next `online` event (unless another read, started by
        // an `online` event, got it).
        Err(why) => {
            if unread.get_value() {
                site.problem.set(Some(config::broken_message(&[format!(
                    "it could not be loaded ({why})"
                )])));
            }
        }
    }
}

/// What was read, once: a second read (a second `online` event while this
/// one was on its way) finds it read and does nothing. A broken file is
/// said; a config is handed to `apply`.
fn settle(site: Site, unread: StoredValue<bool>, loaded: Loaded, apply: impl FnOnce(SiteConfig)) {
    if !unread.get_value() {
        return;
    }
    unread.set_value(false);
    site.problem.set(None);
    match loaded {
        Loaded::Missing => {}
        Loaded::Config(cfg) => apply(cfg),
        Loaded::Broken(message) => site.problem.set(Some(message)),
    }
    site.read.set(true);
}

split_point!(
    config,
    /// Checking a site's `config.json` as the browser parsed it (and reading
    /// its own price table, if it has one), and applying it: code only a site
    /// with the file needs.
    fn read_chunk(
        state: AppState,
        site: Site,
        parsed: Result<JsValue, String>,
        first_visit: bool,
        unread: StoredValue<bool>,
    ) -> () {
        let loaded = config::interpret_body(parsed.and_then(|v| http::json_value(&v)));
        settle(site, unread, loaded, |cfg| {
            apply(state, site, cfg, first_visit)
        });
    }
);

/// Applies a loaded `config.json`.
fn apply(state: AppState, site: Site, cfg: SiteConfig, first_visit: bool) {
    site.config.set(cfg.clone());
    let (base, header) = cfg.connection();
    if cfg.proxy_holds_key {
        // The proxy adds the key: this browser holds none, and forgets any it kept.
        state.connection.update(|c| {
            c.base_url = base;
            c.key_header = header;
            c.api_key.clear();
            c.remember = false;
            c.remember_session = false;
        });
    } else if !state.connection.with_untracked(|c| c.customized) {
        request_base(state, site, base, header, ChangeSource::SiteConfig);
    }
    let model = state
        .settings
        .with_untracked(|s| cfg.model_to_apply(&s.model, first_visit));
    if let Some(model) = model {
        handle_model_change(state, model);
    }
}
