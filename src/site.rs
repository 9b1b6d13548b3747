//! The site's `config.json` applied to the app, and the guard on where the API
//! key may go. The page renders with the built-in defaults at once; the file,
//! when it arrives, adjusts them (a broken one is reported, not fatal).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::actions::handle_model_change;
use crate::browser::http::KeyHeader;
use crate::browser::{page, storage};
use crate::config::{self, Loaded, SiteConfig};
use crate::state::{AppState, SETTINGS_KEY};

/// Who asked for a new base URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeSource {
    /// The user, in Settings.
    User,
    /// The site's `config.json`.
    SiteConfig,
}

/// A change of base URL that would send the key to another origin, waiting
/// for the user to confirm it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingBase {
    pub base_url: String,
    pub key_header: KeyHeader,
    /// The origin requests go to now.
    pub from: String,
    /// The origin they would go to.
    pub to: String,
    pub source: ChangeSource,
}

/// The site's configuration and what the page knows about itself. Provided
/// once by [`Site::start`].
#[derive(Clone, Copy)]
pub struct Site {
    /// `config.json` as applied (the defaults until it arrives, or if it is
    /// missing or broken).
    pub config: RwSignal<SiteConfig>,
    /// Why `config.json` was not used, for the page to say.
    pub problem: RwSignal<Option<String>>,
    /// A base URL change waiting for confirmation.
    pub pending: RwSignal<Option<PendingBase>>,
    page_origin: StoredValue<String>,
    csp: StoredValue<Option<String>>,
}

impl Site {
    /// Provides the site context and starts reading `config.json`. Call before
    /// the state persists itself, so a first visit is recognised.
    pub fn start(state: AppState) -> Self {
        let first_visit = storage::get_string(SETTINGS_KEY).is_none();
        let site = Self {
            config: RwSignal::new(SiteConfig::default()),
            problem: RwSignal::new(None),
            pending: RwSignal::new(None),
            page_origin: StoredValue::new(page::origin()),
            csp: StoredValue::new(page::meta_csp()),
        };
        provide_context(site);
        spawn_local(async move {
            let loaded = match crate::browser::http::get_text(config::FILE).await {
                Ok((status, content_type, text)) => config::interpret(status, &content_type, &text),
                Err(why) => Loaded::Broken(config::broken_message(&[format!(
                    "it could not be loaded ({why})"
                )])),
            };
            match loaded {
                Loaded::Missing => {}
                Loaded::Config(cfg) => apply(state, site, cfg, first_visit),
                Loaded::Broken(message) => site.problem.set(Some(message)),
            }
        });
        site
    }

    /// Whether a proxy adds the key (the page holds and sends none). Tracked.
    pub fn proxy_holds_key(&self) -> bool {
        self.config.with(|c| c.proxy_holds_key)
    }

    /// The origin requests to `base` go to.
    pub fn origin_of(&self, base: &str) -> String {
        self.page_origin.with_value(|p| config::origin_of(base, p))
    }

    /// The origin of `base` if this page's security policy blocks it.
    pub fn blocked_origin(&self, base: &str) -> Option<String> {
        let target = self.origin_of(base);
        let allowed = self.csp.with_value(|csp| match csp {
            Some(policy) => self
                .page_origin
                .with_value(|p| config::csp_allows_connect(policy, p, &target)),
            None => true,
        });
        (!allowed).then_some(target)
    }
}

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

/// Asks for a new base URL (already validated) and key header. If a key is
/// held and requests would go to another origin, nothing changes until the
/// user confirms; otherwise it applies at once. Returns whether it applied.
pub fn request_base(
    state: AppState,
    site: Site,
    base_url: String,
    key_header: KeyHeader,
    source: ChangeSource,
) -> bool {
    let (from, key_held) = state
        .connection
        .with_untracked(|c| (site.origin_of(&c.base_url), !c.api_key.trim().is_empty()));
    let to = site.origin_of(&base_url);
    if key_held && from != to {
        site.pending.set(Some(PendingBase {
            base_url,
            key_header,
            from,
            to,
            source,
        }));
        false
    } else {
        set_connection(state, site, base_url, key_header);
        true
    }
}

/// The user's answer to a [`PendingBase`].
pub fn handle_confirm_base(state: AppState, site: Site, send_key_there: bool) {
    let Some(p) = site.pending.get_untracked() else {
        return;
    };
    site.pending.set(None);
    if send_key_there {
        set_connection(state, site, p.base_url, p.key_header);
    } else if p.source == ChangeSource::SiteConfig {
        // Keeping the current address is a choice: later visits keep it too.
        state.connection.update(|c| c.customized = true);
    }
}

/// Changes the key header (same origin: no confirmation needed).
pub fn handle_key_header(state: AppState, site: Site, key_header: KeyHeader) {
    let base = state.connection.with_untracked(|c| c.base_url.clone());
    set_connection(state, site, base, key_header);
}

fn set_connection(state: AppState, site: Site, base_url: String, key_header: KeyHeader) {
    let site_default = site.config.with_untracked(SiteConfig::connection);
    state.connection.update(|c| {
        c.customized = (base_url.as_str(), key_header) != (site_default.0.as_str(), site_default.1);
        c.base_url = base_url;
        c.key_header = key_header;
    });
}

/// `https://api.example.com` → `api.example.com`, for messages.
pub fn host_of(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, host)| host)
}
