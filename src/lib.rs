//! Gemini Studio: a browser studio for Gemini image generation.
//!
//! Layers, each using only those below it (checked by `cargo xtask test`):
//! [`components`] (the page) → [`commands`] (what the user's commands do) →
//! [`state`] (signals) and [`error`] → [`model`] (pure: turns, conversations,
//! labels, limits) and [`config`] → [`store`] (IndexedDB) → [`browser`] (glue)
//! → the `gemini` protocol crate.

#[cfg(feature = "bench")]
pub mod bench;
pub mod browser;
pub mod commands;
pub mod components;
pub mod config;
pub mod error;
pub mod model;
pub mod state;
pub mod store;

use leptos::prelude::*;

use crate::browser::now_ms;
use crate::components::lazy::{lazy_view, OnFirstUse};
use crate::components::{
    AlertBanner, AppStatus, Composer, ConversationView, Endpoint, GetCodeDialog, HistoryPanel,
    KeptDraftOffer, KeyDestinationDialog, PromptLibraryDialog, SettingsPanel, ShareDialog,
    ShareOfferDialog, ShortcutsButton, ShortcutsDialog, SiteBanner, ThemeSwitch,
};
use crate::model::conversation::numbered;
use crate::model::ConversationMeta;
use crate::state::AppState;

// The dialogs loaded on first use (see components::lazy).
lazy_view!(code, get_code, GetCodeDialog);
lazy_view!(dialogs, shortcuts, ShortcutsDialog);
lazy_view!(dialogs, share, ShareDialog);
lazy_view!(dialogs, prompt_library, PromptLibraryDialog);
// Loaded when there is something to show, from the chunk the turns' view is
// in (loaded right after the first paint).
lazy_view!(later, site_banner, SiteBanner);
lazy_view!(later, key_destination, KeyDestinationDialog);
lazy_view!(later, share_offer, ShareOfferDialog);
lazy_view!(later, kept_draft, KeptDraftOffer);
lazy_view!(later, topbar_tools, TopbarTools);
lazy_view!(later, history_panel, HistoryPanel);

/// Where requests go, the theme, the shortcuts' list: not needed before
/// Generate, shown right after the first paint (their room is kept). With
/// them (the same chunk) starts what the page does from then on.
#[component]
fn TopbarTools() -> impl IntoView {
    commands::startup::settle(expect_context::<AppState>());
    view! {
        <Endpoint />
        <div class="topbar__tools">
            <ThemeSwitch />
            <ShortcutsButton />
        </div>
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let prefs = commands::preferences::load();
    let first_visit = prefs.first_visit;
    let current = ConversationMeta::new(numbered(1), now_ms(), js_sys::Math::random());
    let state = AppState::new(prefs, commands::generate::action(), current);
    provide_context(state);
    // The image tools (viewer, region editor, annotate) open from results and
    // from the composer's reference images alike.
    provide_context(state::editor::EditorState::new());
    let site = commands::site::start(state, first_visit);
    provide_context(site);
    commands::preferences::apply_theme(state);
    commands::startup::start(state);
    commands::share::start(state);
    commands::offline::start(state);

    view! {
        <div class="app" data-config=move || if site.read.get() { "read" } else { "reading" }>
            <div class="app__top">
                <header class="topbar">
                    <h1 class="brand">
                        <span class="brand__mark" aria-hidden="true"></span>
                        "Gemini Studio"
                    </h1>
                    <OnFirstUse
                        what="The top bar"
                        load=topbar_tools::load
                        when=Signal::derive(move || state.wants_later())
                        close=Callback::new(|()| {})
                        unasked=true
                    />
                </header>
                <OnFirstUse
                    what="The site's message"
                    load=site_banner::load
                    // Both read: a change of either tries again after code
                    // that did not load.
                    when=Signal::derive(move || {
                        let banner = site.config.with(|c| c.banner.is_some());
                        let problem = site.problem.with(Option::is_some);
                        banner || problem
                    })
                    close=Callback::new(|()| {})
                />
                <AppStatus />
            </div>
            <SettingsPanel />
            <main class="workspace">
                // Its count and entries come from storage, after the first
                // paint: the panel comes then too (its room is kept).
                <div class="history-slot">
                    <OnFirstUse
                        what="History"
                        load=history_panel::load
                        when=Signal::derive(move || state.wants_later())
                        close=Callback::new(|()| {})
                        unasked=true
                    />
                </div>
                <ConversationView />
                <div class="dock">
                    <AlertBanner />
                    <OnFirstUse
                        what="The draft from your last visit"
                        load=kept_draft::load
                        when=Signal::derive(move || state.kept_draft.with(Option::is_some))
                        close=Callback::new(|()| {})
                    />
                    <Composer />
                </div>
            </main>
            <OnFirstUse
                what="The question about the key's destination"
                load=key_destination::load
                when=Signal::derive(move || site.pending.with(Option::is_some))
                // Not sent anywhere new: the address stays as it is.
                close=Callback::new(move |()| site.pending.set(None))
            />
            <OnFirstUse
                what="Get code"
                load=get_code::load
                when=Signal::derive(move || state.code.with(Option::is_some))
                close=Callback::new(move |()| state.code.set(None))
            />
            <OnFirstUse
                what="Keyboard shortcuts"
                load=shortcuts::load
                when=state.shortcuts_open.into()
                close=Callback::new(move |()| state.shortcuts_open.set(false))
            />
            <OnFirstUse
                what="Share"
                load=share::load
                when=Signal::derive(move || state.share_link.with(Option::is_some))
                close=Callback::new(move |()| state.share_link.set(None))
            />
            <OnFirstUse
                what="The prompt library"
                load=prompt_library::load
                when=state.prompts_open.into()
                close=Callback::new(move |()| state.prompts_open.set(false))
            />
            <OnFirstUse
                what="The shared prompt"
                load=share_offer::load
                when=Signal::derive(move || state.share_offer.with(Option::is_some))
                close=Callback::new(move |()| commands::share::handle_dismiss_share(state))
            />
        </div>
    }
}
