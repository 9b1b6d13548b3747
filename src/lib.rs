//! Gemini Studio: a browser studio for Gemini image generation.
//!
//! `gemini` (a crate of its own) is the protocol; [`browser`] is the glue to the
//! browser; [`state`] holds the signals; [`actions`] is what commands do;
//! [`components`] is the page.

pub mod actions;
pub mod browser;
pub mod components;
pub mod state;

use leptos::prelude::*;

use crate::components::{AlertBanner, Composer, ConversationView, SettingsPanel};
use crate::state::AppState;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::load();
    state.persist();
    provide_context(state);

    view! {
        <div class="app">
            <header class="topbar">
                <h1 class="brand">
                    <span class="brand__mark" aria-hidden="true"></span>
                    "Gemini Studio"
                </h1>
                <components::Endpoint />
            </header>
            <SettingsPanel />
            <main class="workspace">
                <ConversationView />
                <div class="dock">
                    <AlertBanner />
                    <Composer />
                </div>
            </main>
        </div>
    }
}
