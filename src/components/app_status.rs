//! The app's own status at the top: offline, code being fetched, and a new
//! version ready.

use std::time::Duration;

use leptos::prelude::*;

use super::lazy::{lazy_view, OnFirstUse};
use super::ui::{Button, Look, Size};
use crate::commands::offline::handle_reload_update;
use crate::state::AppState;

lazy_view!(later, update_notice, UpdateNotice);

/// "Offline" while the browser is, "<feature>: loading…" while a feature's
/// code is fetched (split build) and it takes a moment, and "A new version
/// is ready — Reload" when one is installed (it is used only when the person
/// reloads).
#[component]
pub fn AppStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The feature said to be loading: only once its fetch has taken a
    // quarter second, so a fast link neither sees nor hears it.
    let said = RwSignal::new(None::<&'static str>);
    Effect::new(
        move |_| match state.loading_code.with(|l| l.last().copied()) {
            None => said.set(None),
            Some(what) if said.get_untracked().is_some() => said.set(Some(what)),
            Some(what) => set_timeout(
                move || {
                    let still = state
                        .loading_code
                        .try_with_untracked(|l| l.last() == Some(&what))
                        .unwrap_or(false);
                    if still {
                        said.try_set(Some(what));
                    }
                },
                Duration::from_millis(250),
            ),
        },
    );
    view! {
        <Show when=move || state.offline.get()>
            <p class="app-status app-status--offline" role="status">
                "Offline: your history is here; Generate needs the network."
            </p>
        </Show>
        // Always in the page, its text changed: a live region added with its
        // text already in it is not reliably announced.
        <p class="loading-code" class:visually-hidden=move || said.with(Option::is_none) role="status">
            {move || said.get().map(|what| format!("{what}: loading…"))}
        </p>
        // Known from the service worker, registered by code loaded after
        // the first paint: its notice comes with it.
        <OnFirstUse
            what="The new version's notice"
            load=update_notice::load
            when=state.update_ready.into()
            close=Callback::new(|()| {})
            unasked=true
        />
    }
}

/// "A new version is ready — Reload", while one is.
#[component]
fn UpdateNotice() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <Show when=move || state.update_ready.get()>
            <div class="app-status app-status--update" role="status">
                <span>"A new version is ready — "</span>
                <Button look=Look::Primary size=Size::Small on:click=move |_| handle_reload_update(state)>
                    "Reload"
                </Button>
            </div>
        </Show>
    }
}
