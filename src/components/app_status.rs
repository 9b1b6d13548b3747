//! The app's own status at the top: offline, code being fetched, and a new
//! version ready.

use leptos::prelude::*;

use super::ui::{Button, Look, Size};
use crate::commands::offline::handle_reload_update;
use crate::state::AppState;

/// "Offline" while the browser is, and "A new version is ready — Reload" when
/// one is installed (it is used only when the person reloads).
#[component]
pub fn AppStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <Show when=move || state.offline.get()>
            <p class="app-status app-status--offline" role="status">
                "Offline: your history is here; Generate needs the network."
            </p>
        </Show>
        // A feature's code being fetched (split build): shown only if that
        // takes a moment (style/base.css fades it in after a short delay), so
        // a fast link sees no flash.
        {move || {
            state
                .loading_code
                .with(|l| l.last().copied())
                .map(|what| {
                    view! {
                        <p class="loading-code" role="status">
                            <span class="spinner" aria-hidden="true"></span>
                            {format!("{what}: loading…")}
                        </p>
                    }
                })
        }}
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
