//! Settings: the model and its output options, and the connection.

mod connection;
mod model;
mod output;
mod requests;

use leptos::prelude::*;

use super::lazy::{lazy_view, OnFirstUse};
use crate::state::AppState;
use connection::ConnectionSettings;
use model::ModelField;
use output::OutputFields;
use requests::RequestSettings;

// Loaded when the section is first opened, and the connection's fields right
// after the first paint (see components::lazy): the key is typed after the
// page is read, and what sends it (Generate's work) is in that chunk too.
lazy_view!(later, request_settings, RequestSettings);
lazy_view!(later, connection_settings, ConnectionSettings);

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
    let requests_open = RwSignal::new(false);
    // Opening the section asks for its fields again if their code did not load.
    let connection_opened = RwSignal::new(0u32);
    view! {
        <aside class="settings" aria-label="Settings">
            <details class="settings__group" open>
                <summary>"Model & output"</summary>
                <ModelField />
                <OutputFields />
            </details>
            <details
                class="settings__group"
                on:toggle:target=move |ev| requests_open.set(ev.target().open())
            >
                <summary>"Requests"</summary>
                <OnFirstUse
                    what="Request settings"
                    load=request_settings::load
                    when=requests_open.into()
                    close=Callback::new(|()| {})
                />
            </details>
            <details
                class="settings__group"
                open=connection_open
                on:toggle:target=move |ev| {
                    if ev.target().open() {
                        connection_opened.update(|n| *n += 1);
                    }
                }
            >
                <summary>"Connection"</summary>
                <OnFirstUse
                    what="Connection settings"
                    load=connection_settings::load
                    when=Signal::derive(move || {
                        connection_opened.track();
                        state.wants_later()
                    })
                    close=Callback::new(|()| {})
                    unasked=true
                />
            </details>
        </aside>
    }
}
