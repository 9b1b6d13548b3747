use leptos::prelude::*;

use super::turn::tokens_line;
use super::TurnCard;
use crate::actions::handle_new_conversation;
use crate::history::handle_open_conversation;
use crate::state::{AppState, Tokens};

/// The turns so far, newest at the bottom and scrolled into view, with the turn
/// in flight shown as pending; and a switch to any other conversation (of this
/// session or kept in the browser).
#[component]
pub fn ConversationView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let end = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let _ = state.turns.with(Vec::len);
        let _ = state.running.with(Option::is_some);
        if let Some(el) = end.get() {
            // Aligned to the bottom: where the page itself scrolls (phones), the
            // newest turn ends just above the composer rather than out of view.
            el.scroll_into_view_with_bool(false);
        }
    });
    let empty = move || state.turns.with(Vec::is_empty) && state.running.with(Option::is_none);
    let total = move || {
        state.turns.with(|turns| {
            turns
                .iter()
                .fold(Tokens::default(), |acc, t| acc.sum(t.usage()))
        })
    };
    let running = move || state.running.with(Option::is_some);

    view! {
        <section class="conversation" aria-label="Conversation">
            <div class="conversation__bar">
                <label for="conversation-select" class="visually-hidden">
                    "Switch conversation"
                </label>
                <select
                    id="conversation-select"
                    class="conversation__select"
                    disabled=running
                    on:change=move |ev| {
                        handle_open_conversation(state, event_target_value(&ev));
                    }
                >
                    {move || {
                        let current = state.current.get();
                        let n = state.turns.with(Vec::len);
                        let mut items = vec![(current.id, format!("{} ({n} turns)", current.label), true)];
                        state
                            .others
                            .with(|o| {
                                items
                                    .extend(
                                        o
                                            .iter()
                                            .map(|c| {
                                                (
                                                    c.meta.id.clone(),
                                                    format!("{} ({} turns)", c.meta.label, c.turns.len()),
                                                    false,
                                                )
                                            }),
                                    )
                            });
                        let hidden = state
                            .pending_delete
                            .with(|p| p.as_ref().map(|p| p.ids.clone()).unwrap_or_default());
                        let stored: Vec<_> = state
                            .history
                            .with(|h| {
                                h.iter()
                                    .filter(|c| {
                                        !hidden.contains(&c.id) && !items.iter().any(|(id, ..)| *id == c.id)
                                    })
                                    .map(|c| {
                                        (c.id.clone(), format!("{} ({} turns)", c.label, c.turn_count), false)
                                    })
                                    .collect()
                            });
                        items.extend(stored);
                        items
                            .into_iter()
                            .map(|(id, label, selected)| {
                                view! {
                                    <option value=id selected=selected>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <span class="conversation__total">{move || tokens_line(total(), "Conversation")}</span>
                <button
                    type="button"
                    class="button button--ghost button--small"
                    disabled=move || running() || state.turns.with(Vec::is_empty)
                    on:click=move |_| handle_new_conversation(state)
                >
                    "New conversation"
                </button>
            </div>
            <Show when=empty>
                <div class="empty">
                    <p class="empty__title">"Describe an image to begin"</p>
                    <p>
                        "Write a prompt, add up to "
                        {move || state.settings.with(|s| s.caps().max_images)}
                        " reference images (pick, drop or paste them), and press Generate. Then keep refining: each new prompt edits the last image."
                    </p>
                </div>
            </Show>
            <For
                each=move || state.turns.get().into_iter().enumerate()
                key=|(_, t)| t.id
                children=move |(i, t)| view! { <TurnCard turn=t number=i + 1 /> }
            />
            {move || {
                state
                    .running
                    .get()
                    .map(|r| {
                        view! {
                            <article class="turn turn--pending" aria-busy="true">
                                <div class="turn__user">
                                    <p class="turn__prompt">{r.prompt}</p>
                                    {(r.images > 0)
                                        .then(|| {
                                            view! {
                                                <p class="turn__meta">{format!("{} reference images", r.images)}</p>
                                            }
                                        })}
                                </div>
                                <div class={if r.variants > 1 { "variants" } else { "variants variants--one" }}>
                                    {(0..r.variants)
                                        .map(|_| view! { <div class="placeholder" aria-label="Generating"></div> })
                                        .collect_view()}
                                </div>
                            </article>
                        }
                    })
            }}
            <div node_ref=end class="conversation__end"></div>
        </section>
    }
}
