use std::sync::Arc;

use gemini::error::reason_label;
use leptos::prelude::*;

use super::sources::Sources;
use crate::components::Markdown;
use crate::state::{Answer, Thought};

/// The chosen answer's text, finish reason, thinking, sources and model.
#[component]
pub fn AnswerDetails(
    /// The chosen answer.
    answer: Arc<Answer>,
) -> impl IntoView {
    let finish = answer
        .finish_reason
        .as_deref()
        .filter(|r| *r != "STOP")
        .map(|r| format!("Finished: {}", reason_label(r)));
    view! {
        {(!answer.text.is_empty()).then(|| view! { <Markdown text=answer.text.clone() class="turn__text" /> })}
        {finish.map(|f| view! { <p class="turn__meta">{f}</p> })}
        {(!answer.thoughts.is_empty()).then(|| view! { <Thinking thoughts=answer.thoughts.clone() /> })}
        {answer.grounding.clone().map(|g| view! { <Sources grounding=g /> })}
        {answer.model_version.clone().map(|v| view! { <p class="turn__meta">{format!("Model: {v}")}</p> })}
    }
}

/// The model's reasoning and draft images, collapsed and labelled as drafts.
#[component]
fn Thinking(
    /// The thought parts, in order.
    thoughts: Vec<Thought>,
) -> impl IntoView {
    let count = thoughts.len();
    view! {
        <details class="thinking">
            <summary>{format!("Thinking ({count} parts: drafts, not the result)")}</summary>
            {thoughts
                .into_iter()
                .enumerate()
                .map(|(i, t)| match t {
                    Thought::Text(s) => view! { <Markdown text=s class="thinking__text" /> }.into_any(),
                    Thought::Draft(u) => {
                        view! {
                            <figure class="thinking__draft">
                                <img src=u.as_str().to_owned() alt=format!("Draft {} (thought, not the result)", i + 1) />
                                <figcaption>"Draft"</figcaption>
                            </figure>
                        }
                            .into_any()
                    }
                })
                .collect_view()}
        </details>
    }
}
