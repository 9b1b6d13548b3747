//! Changing settings: the model (and what no longer fits it), where requests
//! go, and which header carries the key.

use gemini::KeyHeader;
use leptos::prelude::*;

use crate::config::SiteConfig;
use crate::model::labels::sentence;
use crate::model::limits::over_limit;
use crate::state::site::{ChangeSource, PendingBase, Site};
use crate::state::AppState;

/// Switches model and clears the options it does not take, saying which.
pub fn handle_model_change(state: AppState, model: String) {
    let mut cleared = Vec::new();
    state.settings.update(|s| {
        s.model = model;
        cleared = s.fit_to_model();
    });
    let count = state.attachments.with_untracked(Vec::len);
    cleared.extend(state.settings.with_untracked(|s| over_limit(count, s)));
    state.notice.set(sentence(&cleared));
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

/// Forgets the key, here and in this browser's storage.
pub fn handle_forget_key(state: AppState) {
    state.connection.update(|c| {
        c.api_key.clear();
        c.remember = false;
        c.remember_session = false;
    });
}

fn set_connection(state: AppState, site: Site, base_url: String, key_header: KeyHeader) {
    let site_default = site.config.with_untracked(SiteConfig::connection);
    state.connection.update(|c| {
        c.customized = (base_url.as_str(), key_header) != (site_default.0.as_str(), site_default.1);
        c.base_url = base_url;
        c.key_header = key_header;
    });
}
