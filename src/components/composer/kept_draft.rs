use leptos::prelude::*;

use crate::commands::draft::{handle_dismiss_kept_draft, handle_put_back_draft};
use crate::components::ui::{Button, IconButton, Size};
use crate::model::labels::short;
use crate::state::AppState;

/// The last visit's draft, when it came back after something was typed or
/// attached: offered, never put over what is in the composer unasked; once
/// put back, what was typed is offered in its place.
#[component]
pub fn KeptDraftOffer() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state
            .kept_draft
            .with(|k| {
                k.as_ref()
                    .map(|k| (short(&k.prompt), k.attachments.len(), k.from_last_visit))
            })
            .map(|(words, images, from_last_visit)| {
                let images = match images {
                    0 => String::new(),
                    1 => " and 1 image".to_owned(),
                    n => format!(" and {n} images"),
                };
                let (label, text, put_back, dismiss) = if from_last_visit {
                    (
                        "Draft from your last visit",
                        format!("Your draft from your last visit (\u{201c}{words}\u{201d}{images}) came back after you started typing; the composer keeps what you typed."),
                        "Put back the draft from your last visit",
                        "Dismiss the draft from your last visit",
                    )
                } else {
                    (
                        "What you typed",
                        format!("What you typed before putting back your last visit's draft (\u{201c}{words}\u{201d}{images}) is kept here."),
                        "Put back what you typed",
                        "Dismiss what you typed",
                    )
                };
                view! {
                    <div class="notice" role="group" aria-label=label>
                        <p>{text}</p>
                        <Button size=Size::Small on:click=move |_| handle_put_back_draft(state)>
                            {put_back}
                        </Button>
                        <IconButton label=dismiss on:click=move |_| handle_dismiss_kept_draft(state)>
                            "×"
                        </IconButton>
                    </div>
                }
            })
    }
}
