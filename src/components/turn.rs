use gemini::error::reason_label;
use leptos::prelude::*;

use crate::actions::describe_image;
use crate::state::{Thought, TurnView};

/// One exchange: what was sent, and the model's final image, text and details.
#[component]
pub fn TurnCard(
    /// The completed turn to show.
    turn: TurnView,
) -> impl IntoView {
    let TurnView {
        prompt,
        user_images,
        image_url,
        image_size,
        mime_type,
        download_name,
        text,
        thoughts,
        finish_reason,
        usage,
        model_version,
        settings,
        elapsed_ms,
        ..
    } = turn;
    let alt = if prompt.trim().is_empty() {
        "Generated image".to_owned()
    } else {
        format!("Generated image: {prompt}")
    };
    let url = image_url.as_str().to_owned();
    let tokens = usage.map(|u| {
        let n = |v: Option<u64>| v.map_or("–".to_owned(), |v| v.to_string());
        format!(
            "{} in · {} out · {} thinking · {} total",
            n(u.prompt_token_count),
            n(u.candidates_token_count),
            n(u.thoughts_token_count),
            n(u.total_token_count)
        )
    });
    let finish = finish_reason
        .filter(|r| r != "STOP")
        .map(|r| format!("Finished: {}", reason_label(&r)));
    let options = {
        let mut o = vec![settings.caps().label.to_owned()];
        if !settings.caps().known {
            o[0] = settings.model.clone();
        }
        if let Some(r) = settings.aspect_ratio {
            o.push(r.as_str().to_owned());
        }
        if let Some(s) = settings.image_size {
            o.push(s.as_str().to_owned());
        }
        o.join(" · ")
    };
    let thought_count = thoughts.len();

    view! {
        <article class="turn">
            <div class="turn__user">
                <p class="turn__prompt">{prompt.clone()}</p>
                {(!user_images.is_empty())
                    .then(|| {
                        view! {
                            <ul class="turn__refs" aria-label="Images sent">
                                {user_images
                                    .iter()
                                    .enumerate()
                                    .map(|(i, u)| {
                                        view! {
                                            <li>
                                                <img src=u.as_str().to_owned() alt=format!("Sent image {}", i + 1) />
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })}
            </div>
            <div class="turn__model">
                <figure class="result">
                    <a href=url.clone() target="_blank" rel="noopener noreferrer" class="result__open">
                        <img class="result__image" src=url.clone() alt=alt />
                    </a>
                    <figcaption class="result__bar">
                        <span class="turn__meta">
                            {format!(
                                "{} · {options} · {:.1} s",
                                describe_image(image_size, &mime_type),
                                elapsed_ms / 1000.0,
                            )}
                        </span>
                        <a class="button button--small" href=url download=download_name>
                            "Download"
                        </a>
                    </figcaption>
                </figure>
                {(!text.is_empty()).then(|| view! { <p class="turn__text">{text}</p> })}
                {finish.map(|f| view! { <p class="turn__meta">{f}</p> })}
                {(thought_count > 0)
                    .then(|| {
                        view! {
                            <details class="thinking">
                                <summary>{format!("Thinking ({thought_count} parts, drafts — not the result)")}</summary>
                                {thoughts
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, t)| match t {
                                        Thought::Text(s) => view! { <p class="thinking__text">{s}</p> }.into_any(),
                                        Thought::Draft(u) => {
                                            view! {
                                                <img
                                                    class="thinking__draft"
                                                    src=u.as_str().to_owned()
                                                    alt=format!("Draft {} (thought, not the result)", i + 1)
                                                />
                                            }
                                                .into_any()
                                        }
                                    })
                                    .collect_view()}
                            </details>
                        }
                    })}
                <p class="turn__meta">
                    {tokens.unwrap_or_default()}
                    {model_version.map(|v| format!(" · {v}"))}
                </p>
            </div>
        </article>
    }
}
