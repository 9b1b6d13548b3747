use leptos::prelude::*;

use super::ui::{Button, IconButton, Size};
use crate::commands::generate::handle_generate;
use crate::state::AppState;

/// The current failure, if any, in a `role="alert"` region; and passing notices
/// in a `role="status"` region.
#[component]
pub fn AlertBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="notice" role="status">
            {move || {
                state
                    .notice
                    .get()
                    .map(|text| {
                        view! {
                            <p>{text}</p>
                            <IconButton label="Dismiss notice" on:click=move |_| state.notice.set(None)>
                                "×"
                            </IconButton>
                        }
                    })
            }}
        </div>
        {move || {
            state
                .alert
                .get()
                .map(|a| {
                    view! {
                        <div class="alert" role="alert">
                            <div class="alert__body">
                                <p class="alert__title">{a.title}</p>
                                {a.detail.map(|d| view! { <p class="alert__detail">{d}</p> })}
                                <p class="alert__action">{a.action}</p>
                            </div>
                            <div class="alert__buttons">
                                {a
                                    .retryable
                                    .then(|| {
                                        view! {
                                            <Button size=Size::Small on:click=move |_| handle_generate(state)>
                                                "Try again"
                                            </Button>
                                        }
                                    })}
                                <IconButton label="Dismiss error" on:click=move |_| state.alert.set(None)>
                                    "×"
                                </IconButton>
                            </div>
                        </div>
                    }
                })
        }}
    }
}
