//! The app's own status at the top: offline, and a new version ready.

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
