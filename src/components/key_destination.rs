use leptos::prelude::*;

use super::ui::{button_class, Look, Size};
use crate::commands::settings::handle_confirm_base;
use crate::config::host_of;
use crate::state::site::{ChangeSource, PendingBase, Site};
use crate::state::AppState;

/// Asks before the API key would go to another origin (a new base URL typed in
/// Settings, or one set by the site's `config.json`). A modal `<dialog>`: the
/// page behind it is inert, focus starts on the safe choice, and Escape keeps
/// the current address.
#[component]
pub fn KeyDestinationDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let keep = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        let open = site.pending.with(Option::is_some);
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                let _ = d.show_modal();
                if let Some(button) = keep.get_untracked() {
                    let _ = button.focus();
                }
            } else if !open && d.open() {
                d.close();
            }
        }
    });
    let answer = move |yes: bool| handle_confirm_base(state, site, yes);
    let text = move |f: fn(&PendingBase) -> String| {
        move || site.pending.with(|p| p.as_ref().map(f).unwrap_or_default())
    };

    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            role="alertdialog"
            aria-labelledby="key-destination-title"
            aria-describedby="key-destination-text"
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                answer(false);
            }
        >
            <h2 id="key-destination-title" class="dialog__title">
                {text(|p| format!("Send your API key to {}?", host_of(&p.to)))}
            </h2>
            <p id="key-destination-text">
                {text(|p| {
                    let (to, from) = (host_of(&p.to), host_of(&p.from));
                    match p.source {
                        ChangeSource::User => {
                            format!(
                                "The new API base URL sends requests, with your API key, to {to} instead of {from}. Continue only if you trust it."
                            )
                        }
                        ChangeSource::SiteConfig => {
                            format!(
                                "This site's configuration (config.json) sends requests to {to}. Your API key would go there instead of {from}. Continue only if you trust it."
                            )
                        }
                    }
                })}
            </p>
            <div class="dialog__buttons">
                <button type="button" class=button_class(Look::Ghost, Size::Normal) on:click=move |_| answer(true)>
                    "Send my key there"
                </button>
                <button
                    node_ref=keep
                    type="button"
                    class=button_class(Look::Plain, Size::Normal)
                    autofocus
                    on:click=move |_| answer(false)
                >
                    "Keep the current address"
                </button>
            </div>
        </dialog>
    }
}
