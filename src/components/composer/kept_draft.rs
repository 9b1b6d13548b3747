use leptos::prelude::*;

use crate::commands::draft::{handle_dismiss_kept_draft, handle_put_back_draft};
use crate::components::ui::{Button, IconButton, Size};
use crate::model::labels::short;
use crate::state::AppState;

/// The last visit's draft, when it came back after something was typed or
/// attached: offered, never put over what is in the composer unasked.
#[component]
pub fn KeptDraftOffer() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state
            .kept_draft
            .with(|k| {
                k.as_ref()
                    .map(|k| (short(&k.prompt), k.attachments.len()))
            })
            .map(|(words, images)| {
                let images = match images {
                    0 => String::new(),
                    1 => " and 1 image".to_owned(),
                    n => format!(" and {n} images"),
                };
                view! {
                    <div class="notice" role="group" aria-label="Draft from your last visit">
                        <p>
                            {format!(
                                "Your draft from your last visit (\u{201c}{words}\u{201d}{images}) came back after you started typing; the composer keeps what you typed."
                            )}
                        </p>
                        <Button size=Size::Small on:click=move |_| handle_put_back_draft(state)>
                            "Put back the draft from your last visit"
                        </Button>
                        <IconButton
                            label="Dismiss the draft from your last visit"
                            on:click=move |_| handle_dismiss_kept_draft(state)
                        >
                            "×"
                        </IconButton>
                    </div>
                }
            })
    }
}
