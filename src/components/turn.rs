use std::sync::Arc;

use gemini::error::reason_label;
use gemini::wire::GroundingMetadata;
use leptos::prelude::*;

use crate::actions::{
    describe_image, handle_choose_variant, handle_edit_from_here, handle_use_as_reference, seconds,
};
use crate::state::{Answer, AppState, Thought, Tokens, TurnView, Variant};

/// One exchange: what was sent, and the model's answer(s): the final image, its
/// text, thinking, sources and usage. Several variants are shown side by side.
#[component]
pub fn TurnCard(
    /// The completed turn to show.
    turn: TurnView,
    /// Its position in the conversation, from 1.
    number: usize,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let turn_id = turn.id;
    // The choice among variants lives in the app state; follow it there.
    let chosen = Memo::new(move |_| {
        state
            .turns
            .with(|ts| ts.iter().find(|t| t.id == turn_id).map_or(0, |t| t.chosen))
    });
    // Not in browser storage yet, while a save is under way.
    let saving = Memo::new(move |_| {
        state.saving.get() > 0
            && state
                .turns
                .with(|ts| ts.iter().any(|t| t.id == turn_id && !t.saved))
    });
    let many = turn.variants.len() > 1;
    let alt = alt_text(&turn.prompt);
    let options = {
        let s = &turn.settings;
        let mut o = vec![if s.caps().known {
            s.caps().label.to_owned()
        } else {
            s.model.clone()
        }];
        o.extend(s.aspect_ratio.map(|r| r.as_str().to_owned()));
        o.extend(s.image_size.map(|r| r.as_str().to_owned()));
        o.join(" · ")
    };
    let variants = turn
        .variants
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, v)| match v {
            Variant::Done(a) => {
                let label = if many {
                    format!("{alt} (variant {})", i + 1)
                } else {
                    alt.clone()
                };
                view! { <ResultImage answer=a alt=label options=options.clone() turn_id index=i many chosen /> }
                    .into_any()
            }
            Variant::Failed(alert) => view! {
                <div class="result result--failed">
                    <p class="result__failed-title">{format!("Variant {} failed: {}", i + 1, alert.title)}</p>
                    {alert.detail.map(|d| view! { <p class="alert__detail">{d}</p> })}
                </div>
            }
            .into_any(),
        })
        .collect_view();
    let variants_for_details = turn.variants.clone();
    let usage_line = tokens_line(turn.usage(), "This turn");

    view! {
        <article class="turn" aria-label=format!("Turn {number}")>
            <div class="turn__user">
                <p class="turn__prompt">{turn.prompt.clone()}</p>
                {(!turn.user_images.is_empty())
                    .then(|| {
                        view! {
                            <ul class="turn__refs" aria-label="Images sent">
                                {turn
                                    .user_images
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
                <div class={if many { "variants" } else { "variants variants--one" }}>{variants}</div>
                {move || match variants_for_details.get(chosen.get()) {
                    Some(Variant::Done(a)) => Some(view! { <AnswerDetails answer=a.clone() /> }),
                    _ => None,
                }}
                <div class="turn__actions">
                    <span class="turn__meta">{usage_line}</span>
                    {move || saving.get().then(|| view! { <span class="turn__saving">"Saving…"</span> })}
                    <button
                        type="button"
                        class="button button--ghost button--small"
                        title="Start a branch from this image; the conversation stays as it is"
                        disabled=move || state.running.with(Option::is_some)
                        on:click=move |_| handle_edit_from_here(state, turn_id)
                    >
                        "Edit from here"
                    </button>
                </div>
            </div>
        </article>
    }
}

/// One answer's image with Download, Use as reference and, among variants, Use this.
#[component]
fn ResultImage(
    answer: Arc<Answer>,
    alt: String,
    options: String,
    turn_id: u64,
    index: usize,
    many: bool,
    chosen: Memo<usize>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let url = answer.image_url.as_str().to_owned();
    let is_chosen = move || chosen.get() == index;
    let meta = format!(
        "{} · {options} · {}",
        describe_image(answer.image_size, &answer.mime_type),
        seconds(answer.elapsed_ms)
    );
    let for_reference = answer.clone();
    view! {
        <figure class="result" class:result--chosen=move || many && is_chosen()>
            <a href=url.clone() target="_blank" rel="noopener noreferrer" class="result__open">
                <img class="result__image" src=url.clone() alt=alt on:load=move |_| follow_last(state, turn_id) />
            </a>
            <figcaption class="result__bar">
                <span class="turn__meta">{meta}</span>
                <span class="result__buttons">
                    {many
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button button--small"
                                    aria-pressed=move || is_chosen().to_string()
                                    on:click=move |_| handle_choose_variant(state, turn_id, index)
                                >
                                    {move || if is_chosen() { "Chosen" } else { "Use this" }}
                                </button>
                            }
                        })}
                    <button
                        type="button"
                        class="button button--ghost button--small"
                        on:click=move |_| handle_use_as_reference(state, for_reference.clone())
                    >
                        "Use as reference"
                    </button>
                    <a class="button button--small" href=url download=answer.download_name.clone()>
                        "Download"
                    </a>
                </span>
            </figcaption>
        </figure>
    }
}

/// The chosen answer's text, finish reason, thinking and sources.
#[component]
fn AnswerDetails(answer: Arc<Answer>) -> impl IntoView {
    let finish = answer
        .finish_reason
        .as_deref()
        .filter(|r| *r != "STOP")
        .map(|r| format!("Finished: {}", reason_label(r)));
    let thoughts = answer.thoughts.clone();
    let thought_count = thoughts.len();
    view! {
        {(!answer.text.is_empty()).then(|| view! { <p class="turn__text">{answer.text.clone()}</p> })}
        {finish.map(|f| view! { <p class="turn__meta">{f}</p> })}
        {(thought_count > 0)
            .then(|| {
                view! {
                    <details class="thinking">
                        <summary>{format!("Thinking ({thought_count} parts: drafts, not the result)")}</summary>
                        {thoughts
                            .into_iter()
                            .enumerate()
                            .map(|(i, t)| match t {
                                Thought::Text(s) => view! { <p class="thinking__text">{s}</p> }.into_any(),
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
            })}
        {answer.grounding.clone().map(|g| view! { <Sources grounding=g /> })}
        {answer.model_version.clone().map(|v| view! { <p class="turn__meta">{format!("Model: {v}")}</p> })}
    }
}

/// Where the model looked: source links, the queries, and Google's search
/// suggestions (HTML from outside, shown only in a sandbox without scripts).
#[component]
fn Sources(grounding: GroundingMetadata) -> impl IntoView {
    let links: Vec<(String, String)> = grounding
        .grounding_chunks
        .iter()
        .filter_map(|c| c.web.as_ref())
        .filter_map(|w| {
            let uri = w.uri.clone()?;
            (uri.starts_with("https://") || uri.starts_with("http://")).then(|| {
                let title = w.title.clone().filter(|t| !t.trim().is_empty());
                (title.unwrap_or_else(|| uri.clone()), uri)
            })
        })
        .collect();
    let suggestions = grounding
        .search_entry_point
        .and_then(|s| s.rendered_content)
        .filter(|h| !h.trim().is_empty());
    let queries = grounding.web_search_queries;
    view! {
        <section class="sources" aria-label="Sources">
            <p class="sources__title">"Sources"</p>
            <ul class="sources__list">
                {links
                    .into_iter()
                    .map(|(title, uri)| {
                        view! {
                            <li>
                                <a href=uri target="_blank" rel="noopener noreferrer">
                                    {title}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(!queries.is_empty())
                .then(|| view! { <p class="turn__meta">{format!("Searched: {}", queries.join(" · "))}</p> })}
            {suggestions
                .map(|html| {
                    view! {
                        <iframe
                            class="sources__suggestions"
                            title="Search suggestions"
                            sandbox="allow-popups allow-popups-to-escape-sandbox"
                            referrerpolicy="no-referrer"
                            srcdoc=html
                        ></iframe>
                    }
                })}
        </section>
    }
}

fn alt_text(prompt: &str) -> String {
    if prompt.trim().is_empty() {
        "Generated image".to_owned()
    } else {
        format!("Generated image: {prompt}")
    }
}

/// "This turn: 1,234 in · 1,120 out · 210 thinking · 2,564 total".
pub fn tokens_line(t: Tokens, what: &str) -> String {
    if t == Tokens::default() {
        return String::new();
    }
    format!(
        "{what}: {} in · {} out · {} thinking · {} total tokens",
        t.prompt, t.output, t.thoughts, t.total
    )
}

/// Once the newest turn's image has its size, the end of the conversation is
/// scrolled into view again (the first scroll, when the turn landed, saw an
/// image without height).
fn follow_last(state: AppState, turn_id: u64) {
    if state.turns.with_untracked(|t| t.last().map(|t| t.id)) != Some(turn_id) {
        return;
    }
    if let Some(end) = document()
        .query_selector(".conversation__end")
        .ok()
        .flatten()
    {
        end.scroll_into_view_with_bool(false);
    }
}
