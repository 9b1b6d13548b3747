//! Share links: the dialog that shows a turn's link, and the one that offers
//! a link this page was opened with.

use leptos::prelude::*;

use super::ui::{Button, Look};
use crate::commands::share::{
    handle_accept_share, handle_close_share, handle_copy_share, handle_dismiss_share,
};
use crate::components::ui::{sync_dialog, Field};
use crate::model::labels::{options_line, sentence};
use crate::state::site::Site;
use crate::state::AppState;

/// "Share": the link of a turn's prompt and settings, to copy.
#[component]
pub fn ShareDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    sync_dialog(dialog, move || state.share_link.with(Option::is_some));
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="share-title"
            aria-describedby="share-text"
            on:close=move |_| handle_close_share(state)
        >
            <h2 id="share-title" class="dialog__title">"Share this prompt"</h2>
            <p id="share-text" class="hint">
                "The link carries this turn's prompt and settings: never your API key, never images. Whoever opens it sees them first and nothing is sent."
            </p>
            <Field id="share-link" label="Share link">
                <input
                    id="share-link"
                    class="share__link"
                    type="text"
                    readonly
                    prop:value=move || state.share_link.get().unwrap_or_default()
                    on:focus:target=move |ev| ev.target().select()
                />
            </Field>
            <div class="dialog__buttons">
                <Button look=Look::Primary on:click=move |_| handle_copy_share(state)>
                    "Copy link"
                </Button>
                <Button on:click=move |_| handle_close_share(state)>"Close"</Button>
            </div>
        </dialog>
    }
}

/// A share link this page was opened with: what it carries, applied only if
/// the person chooses **Use this prompt**.
#[component]
pub fn ShareOfferDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    sync_dialog(dialog, move || state.share_offer.with(Option::is_some));
    let offer = move || state.share_offer.get();
    let replaces = move || !state.prompt.with(|p| p.trim().is_empty());
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="share-offer-title"
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                handle_dismiss_share(state);
            }
            on:close=move |_| {
                // Closed by the browser itself (a second Escape): nothing applied.
                if state.share_offer.with_untracked(Option::is_some) {
                    handle_dismiss_share(state);
                }
            }
        >
            <h2 id="share-offer-title" class="dialog__title">"Open a shared prompt?"</h2>
            <p class="hint">"Someone shared this prompt with you. Nothing is sent until you press Generate."</p>
            {move || {
                offer()
                    .map(|o| {
                        let settings = match &o.settings {
                            Some(s) => {
                                let mut parts = vec![options_line(s)];
                                if let Some(t) = s.thinking_level {
                                    parts.push(format!("thinking {}", t.as_str()));
                                }
                                if s.image_only {
                                    parts.push("image only".into());
                                }
                                if s.include_thoughts {
                                    parts.push("include thoughts".into());
                                }
                                if s.google_search {
                                    parts.push("Google Search".into());
                                }
                                format!("Settings: {}", parts.join(" · "))
                            }
                            None => "No settings: yours stay as they are.".to_owned(),
                        };
                        let ignored = sentence(&o.ignored)
                            .map(|s| format!("Not used from the link: {s}"));
                        view! {
                            <blockquote class="share__prompt" aria-label="Shared prompt">{o.prompt}</blockquote>
                            <p class="share__settings">{settings}</p>
                            {ignored.map(|i| view! { <p class="hint hint--warn">{i}</p> })}
                        }
                    })
            }}
            <Show when=replaces>
                <p class="hint">"It replaces the prompt in the composer."</p>
            </Show>
            <div class="dialog__buttons">
                <Button on:click=move |_| handle_dismiss_share(state)>"Dismiss"</Button>
                <Button look=Look::Primary on:click=move |_| handle_accept_share(state, site)>
                    "Use this prompt"
                </Button>
            </div>
        </dialog>
    }
}
