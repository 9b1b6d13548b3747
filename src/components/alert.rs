use leptos::prelude::*;

use super::lazy::{lazy_view, OnFirstUse};
use super::ui::{Button, IconButton, Look, Size};
use crate::browser::download::download;
use crate::commands::generate::handle_generate;
use crate::commands::offline::handle_reload_update;
use crate::model::AlertFile;
use crate::state::AppState;

lazy_view!(later, alert_buttons, AlertButtons);

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
                                // Their code comes with the alerts that have them
                                // (an answer's failure, written in the `later` chunk).
                                {(a.retryable || a.file.is_some())
                                    .then(|| {
                                        view! {
                                            <OnFirstUse
                                                what="The alert's buttons"
                                                load=alert_buttons::load
                                                when=Signal::stored(true)
                                                close=Callback::new(|()| {})
                                                unasked=true
                                            />
                                        }
                                    })}
                                {a
                                    .reload
                                    .then(|| {
                                        view! {
                                            <Button
                                                look=Look::Primary
                                                size=Size::Small
                                                on:click=move |_| handle_reload_update(state)
                                            >
                                                "Reload"
                                            </Button>
                                        }
                                    })}
                                <IconButton label="Dismiss error" on:click=move |_| crate::commands::clear_alert(state)>
                                    "×"
                                </IconButton>
                            </div>
                        </div>
                    }
                })
        }}
    }
}

/// Saving the file an alert holds, and trying the turn again, for the
/// alert shown.
#[component]
fn AlertButtons() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.alert.get().map(|a| {
            view! {
                {a.file.map(|f| view! { <SaveFile file=f /> })}
                {a
                    .retryable
                    .then(|| {
                        view! {
                            <Button size=Size::Small on:click=move |_| handle_generate(state)>
                                "Try again"
                            </Button>
                        }
                    })}
            }
        })
    }
}

/// Saves data the page does not show (an answer's image that is not a PNG,
/// JPEG or WebP) as a file, never opening it.
#[component]
pub fn SaveFile(
    /// The bytes and the file name.
    file: AlertFile,
) -> impl IntoView {
    view! {
        <Button
            look=Look::Ghost
            size=Size::Small
            on:click=move |_| {
                let _ = download(&file.bytes, "application/octet-stream", &file.name);
            }
        >
            "Download it as a file"
        </Button>
    }
}
