//! Settings: the model and its output options, and the connection.

mod connection;
mod model;
mod output;
mod requests;

use leptos::prelude::*;

use crate::state::AppState;
use connection::ConnectionSettings;
use model::ModelField;
use output::OutputFields;
use requests::RequestSettings;

/// Every option of the API is here; an option the chosen model does not take
/// is disabled with the reason beside it.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Open while there is no key to enter, and while one is remembered, on
    // this device or for the session (so "Forget key" is in sight).
    let connection_open = state
        .connection
        .with_untracked(|c| c.api_key.is_empty() || c.remember || c.remember_session);
    view! {
        <aside class="settings" aria-label="Settings">
            <details class="settings__group" open>
                <summary>"Model & output"</summary>
                <ModelField />
                <OutputFields />
            </details>
            <details class="settings__group">
                <summary>"Requests"</summary>
                <RequestSettings />
            </details>
            <details class="settings__group" open=connection_open>
                <summary>"Connection"</summary>
                <ConnectionSettings />
            </details>
        </aside>
    }
}
