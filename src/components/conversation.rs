use leptos::prelude::*;

use super::TurnCard;
use crate::actions::handle_new_conversation;
use crate::state::AppState;

/// The turns so far, newest at the bottom and scrolled into view, with the turn
/// in flight shown as pending.
#[component]
pub fn ConversationView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let end = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let _ = state.turns.with(Vec::len);
        let _ = state.running.with(Option::is_some);
        if let Some(el) = end.get() {
            el.scroll_into_view();
        }
    });
    let empty = move || state.turns.with(Vec::is_empty) && state.running.with(Option::is_none);

    view! {
        <section class="conversation" aria-label="Conversation">
            <Show when=move || !empty()>
                <div class="conversation__bar">
                    <span>
                        {move || {
                            let n = state.turns.with(Vec::len);
                            if n == 1 { "1 turn".to_owned() } else { format!("{n} turns") }
                        }}
                    </span>
                    <button
                        type="button"
                        class="button button--ghost button--small"
                        disabled=move || state.running.with(Option::is_some)
                        on:click=move |_| handle_new_conversation(state)
                    >
                        "New conversation"
                    </button>
                </div>
            </Show>
            <Show when=empty>
                <div class="empty">
                    <p class="empty__title">"Describe an image to begin"</p>
                    <p>
                        "Write a prompt, add up to "
                        {move || state.settings.with(|s| s.caps().max_images)}
                        " reference images, and press Generate. Then keep refining: each new prompt edits the last image."
                    </p>
                </div>
            </Show>
            <For
                each=move || state.turns.get()
                key=|t| t.id
                children=move |t| view! { <TurnCard turn=t /> }
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
                                <div class="turn__model">
                                    <div class="placeholder" aria-label="Generating"></div>
                                </div>
                            </article>
                        }
                    })
            }}
            <div node_ref=end class="conversation__end"></div>
        </section>
    }
}
