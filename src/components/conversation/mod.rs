use leptos::prelude::*;

mod examples;
mod pending;

use super::editor::{Annotator, ImageViewer, RegionEditor};
use super::lazy::{lazy_view, OnFirstUse};
use super::ui::{Button, Look, Size};
use super::{TurnCard, Usage};
use crate::commands::conversations::{handle_new_conversation, handle_open_conversation};
use crate::commands::editor::handle_download_all;
use crate::model::conversation::menu;
use crate::model::cost::{turn_price, Price};
use crate::model::Tokens;
use crate::state::editor::EditorState;
use crate::state::AppState;
use examples::Examples;
use pending::PendingTurn;

// The turns and the conversation bar, loaded right after the first paint,
// and the image tools, loaded on first use (see components::lazy).
lazy_view!(later, turns, Turns);
lazy_view!(later, conversation_bar, ConversationBar);
lazy_view!(editor, image_viewer, ImageViewer);
lazy_view!(editor, region_editor, RegionEditor);
lazy_view!(editor, annotator, Annotator);

/// The turns so far, newest at the bottom and scrolled into view, with the turn
/// in flight shown as pending; and a switch to any other conversation (of this
/// session or kept in the browser).
#[component]
pub fn ConversationView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let editor = expect_context::<EditorState>();
    let empty = move || state.turns.with(Vec::is_empty) && !state.running.get();
    view! {
        <section class="conversation" aria-label="Conversation">
            // The menu of conversations and its commands: none to switch to
            // or save before storage and the turns' code are in (its room is
            // kept meanwhile).
            <div class="conversation__bar-slot">
                <OnFirstUse
                    what="The conversation view"
                    load=conversation_bar::load
                    when=Signal::derive(move || state.wants_later())
                    close=Callback::new(|()| {})
                    unasked=true
                />
            </div>
            <Show when=empty>
                <div class="empty">
                    <p class="empty__title">"Describe an image to begin"</p>
                    <p>
                        "Write a prompt, add up to "
                        {move || state.settings.with(|s| s.caps().max_images)}
                        " reference images (pick, drop or paste them), and press Generate. Then keep refining: each new prompt edits the last image."
                    </p>
                    <p class="empty__try">"Or start from an example:"</p>
                    <Examples />
                </div>
            </Show>
            // Nothing to show before the first paint (the turns of the last
            // visit come back after it): their code is loaded then.
            <OnFirstUse
                what="The conversation view"
                load=turns::load
                when=Signal::derive(move || state.wants_later())
                close=Callback::new(|()| {})
                unasked=true
            />
            <OnFirstUse
                what="The image viewer"
                load=image_viewer::load
                when=Signal::derive(move || editor.viewing.with(Option::is_some))
                close=Callback::new(move |()| editor.viewing.set(None))
            />
            <OnFirstUse
                what="Edit region"
                load=region_editor::load
                when=Signal::derive(move || editor.editing.with(Option::is_some))
                close=Callback::new(move |()| editor.editing.set(None))
            />
            <OnFirstUse
                what="Annotate"
                load=annotator::load
                when=Signal::derive(move || editor.annotating.with(Option::is_some))
                close=Callback::new(move |()| editor.annotating.set(None))
            />
        </section>
    }
}

/// Each turn, and the turn in flight; the newest scrolled into view (also
/// when this view comes after the turns, its code loaded late).
#[component]
fn Turns() -> impl IntoView {
    let state = expect_context::<AppState>();
    let end = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let _ = state.turns.with(Vec::len);
        let _ = state.running.get();
        if let Some(el) = end.get() {
            // Aligned to the bottom: where the page itself scrolls (phones), the
            // newest turn ends just above the composer rather than out of view.
            el.scroll_into_view_with_bool(false);
        }
    });
    view! {
        <For
            each=move || state.turns.get().into_iter().enumerate()
            key=|(_, t)| t.id
            children=move |(i, t)| view! { <TurnCard turn=t number=i + 1 /> }
        />
        <PendingTurn />
        <div node_ref=end class="conversation__end"></div>
    }
}

/// The conversation's tokens and estimated price.
#[component]
fn ConversationTotal() -> impl IntoView {
    let state = expect_context::<AppState>();
    let tokens = move || {
        state.turns.with(|turns| {
            turns
                .iter()
                .fold(Tokens::default(), |acc, t| acc.sum(t.data.usage()))
        })
    };
    let price = move |table: &_| {
        state.turns.with(|turns| {
            turns
                .iter()
                .fold(Price::default(), |p, t| p.sum(turn_price(&t.data, table)))
        })
    };
    view! { <Usage what="Conversation" class="conversation__total" tokens price /> }
}

/// The conversation menu, the conversation's token total, New conversation.
#[component]
fn ConversationBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let items = move || {
        state.menu_reset.track();
        let current = state.current.read();
        let aside = state.others.read();
        let stored = state.history.read();
        let pending = state.pending_delete.read();
        menu(
            &current,
            state.turns.with(Vec::len),
            aside
                .iter()
                .map(|c| (c.meta.id.clone(), c.meta.label.clone(), c.turns.len())),
            &stored,
            pending.as_ref(),
        )
    };
    view! {
        <div class="conversation__bar">
            <label for="conversation-select" class="visually-hidden">
                "Switch conversation"
            </label>
            <select
                id="conversation-select"
                class="conversation__select"
                disabled=move || state.running.get()
                on:change:target=move |ev| handle_open_conversation(state, ev.target().value())
            >
                {move || {
                    items()
                        .into_iter()
                        .map(|item| {
                            view! {
                                <option value=item.id selected=item.current>
                                    {item.label}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <ConversationTotal />
            <Button
                look=Look::Ghost
                size=Size::Small
                attr:title="A ZIP of every turn's final image and prompts.txt"
                attr:disabled=move || state.turns.with(Vec::is_empty)
                on:click=move |_| handle_download_all(state)
            >
                "Download all"
            </Button>
            <Button
                look=Look::Ghost
                size=Size::Small
                attr:disabled=move || state.running.get() || state.turns.with(Vec::is_empty)
                on:click=move |_| handle_new_conversation(state)
            >
                "New conversation"
            </Button>
        </div>
    }
}
