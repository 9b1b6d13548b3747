//! Gemini Studio: a browser studio for Gemini image generation.
//!
//! `gemini` (a crate of its own) is the protocol; [`browser`] is the glue to the
//! browser; [`state`] holds the signals; [`actions`] is what commands do;
//! [`components`] is the page.

pub mod actions;
#[cfg(feature = "bench")]
pub mod bench;
pub mod browser;
pub mod components;
pub mod config;
pub mod history;
pub mod site;
pub mod state;
pub mod store;

use leptos::prelude::*;

use crate::components::{
    AlertBanner, Composer, ConversationView, HistoryPanel, KeyDestinationDialog, SettingsPanel,
    SiteBanner,
};
use crate::site::Site;
use crate::state::AppState;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::load();
    Site::start(state);
    state.persist();
    provide_context(state);
    history::start(state);

    view! {
        <div class="app">
            <div class="app__top">
                <header class="topbar">
                    <h1 class="brand">
                        <span class="brand__mark" aria-hidden="true"></span>
                        "Gemini Studio"
                    </h1>
                    <components::Endpoint />
                </header>
                <SiteBanner />
            </div>
            <SettingsPanel />
            <main class="workspace">
                <HistoryPanel />
                <ConversationView />
                <div class="dock">
                    <AlertBanner />
                    <Composer />
                </div>
            </main>
            <KeyDestinationDialog />
        </div>
    }
}
