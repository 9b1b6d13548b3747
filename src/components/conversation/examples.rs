use leptos::prelude::*;

use crate::commands::shortcuts::focus_prompt;
use crate::model::look::EXAMPLES;
use crate::state::AppState;

/// The empty page's three examples: choosing one fills the composer (and
/// sends nothing). Each button is named by all it shows (title, prompt, what
/// it needs), as a person reading it would name it.
#[component]
pub fn Examples() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <ul class="examples" aria-label="Example prompts">
            {EXAMPLES
                .iter()
                .map(|e| {
                    view! {
                        <li class="examples__item">
                            <button
                                type="button"
                                class="examples__button"
                                on:click=move |_| {
                                    state.prompt.set(e.prompt.to_owned());
                                    focus_prompt();
                                }
                            >
                                <span class="examples__title">
                                    {e.title}
                                </span>
                                <span class="examples__prompt">
                                    {e.prompt}
                                    {e.needs.map(|n| view! { <span class="examples__needs">{format!(" {n}")}</span> })}
                                </span>
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
