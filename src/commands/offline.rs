//! Installable and offline: the service worker, a new version waiting, and
//! whether the browser is online.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::{page, service_worker};
use crate::state::AppState;

/// Follows the browser going offline and online. Call once from `App`.
pub fn start(state: AppState) {
    state.offline.set(!service_worker::online());
    let _ = window_event_listener(leptos::ev::offline, move |_| state.offline.set(true));
    let _ = window_event_listener(leptos::ev::online, move |_| {
        state.offline.set(false);
    });
}

/// Registers the service worker (for a built site: one with its security
/// policy; the dev server's live reload and a cache would fight), once the
/// page has painted (`super::startup`): its precaching of every file then
/// does not compete with the first screen's.
pub fn register_worker(state: AppState) {
    if page::meta_csp().is_none() {
        return;
    }
    spawn_local(async move {
        if let Err(e) = service_worker::register(move || state.update_ready.set(true)).await {
            // The app works as before without it: only offline use is lost.
            leptos::logging::warn!("service worker not registered: {e}");
        }
    });
}

/// "Reload": the new version (if one waits) takes over and the page reloads;
/// also the alert's Reload when a feature's code did not load. Refused while
/// a turn is in flight (it would be lost).
pub fn handle_reload_update(state: AppState) {
    if state.is_running() || state.saving.get_untracked() > 0 {
        state.notice.set(Some(
            "Reload when the turn in flight has landed: it would be lost.".into(),
        ));
        return;
    }
    spawn_local(service_worker::apply_update());
}
