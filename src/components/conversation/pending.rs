use std::time::Duration;

use leptos::prelude::*;

use crate::browser::now_ms;
use crate::components::Markdown;
use crate::state::{AppState, VariantProgress};

/// The turn in flight: its prompt, and per request what it is doing (sending,
/// waiting, thinking, receiving, retrying in N s…), each answer shown as it
/// lands. What is happening is also said in a polite live region.
#[component]
pub fn PendingTurn() -> impl IntoView {
    let state = expect_context::<AppState>();
    let job = state.generation.input();
    // The countdown before a retry moves once a second.
    let now = RwSignal::new(now_ms());
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(now_ms()), Duration::from_millis(500))
    {
        on_cleanup(move || handle.clear());
    }
    move || {
        job.get().map(|j| {
            let many = j.variants > 1;
            let slots = j.progress.clone();
            let said = {
                let slots = slots.clone();
                move || {
                    let lines: Vec<String> = slots
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            let text = s.with(VariantProgress::announcement);
                            if many {
                                format!("Variant {}: {text}", i + 1)
                            } else {
                                text
                            }
                        })
                        .collect();
                    lines.join(" ")
                }
            };
            view! {
                <article class="turn turn--pending" aria-busy="true" aria-label="Turn in progress">
                    <div class="turn__user">
                        <p class="turn__prompt">{j.prompt}</p>
                        {(j.images > 0)
                            .then(|| {
                                view! { <p class="turn__meta">{format!("{} reference images", j.images)}</p> }
                            })}
                    </div>
                    <div class={if many { "variants" } else { "variants variants--one" }}>
                        {slots
                            .into_iter()
                            .enumerate()
                            .map(|(i, slot)| view! { <PendingVariant progress=slot number=i + 1 many now /> })
                            .collect_view()}
                    </div>
                    <p class="visually-hidden" role="status" aria-live="polite">{said}</p>
                </article>
            }
        })
    }
}

/// One request of the turn in flight.
#[component]
fn PendingVariant(
    /// What it is doing.
    progress: ArcRwSignal<VariantProgress>,
    /// Which variant it is, from 1.
    number: usize,
    /// Whether the turn has several.
    many: bool,
    /// The time now, for a countdown.
    now: RwSignal<f64>,
) -> impl IntoView {
    let name = move |what: &str| {
        if many {
            format!("Variant {number}: {what}")
        } else {
            what.to_owned()
        }
    };
    move || {
        progress.with(|p| match p {
            VariantProgress::Done(a) => view! {
                <figure class="result result--landed">
                    <img class="result__image" src=a.image.as_str().to_owned() alt=name("ready") />
                    <figcaption class="result__bar">
                        <span class="turn__meta">{name("ready; waiting for the others…")}</span>
                    </figcaption>
                </figure>
            }
            .into_any(),
            VariantProgress::Failed(alert) => view! {
                <div class="result result--failed">
                    <p class="result__failed-title">{name(&format!("failed: {}", alert.title))}</p>
                    {alert.detail.clone().map(|d| view! { <p class="alert__detail">{d}</p> })}
                </div>
            }
            .into_any(),
            VariantProgress::Streaming { thoughts, drafts, image, .. } => {
                let status = p.text(0.0);
                view! {
                    <div class="pending">
                        {match image {
                            Some(u) => {
                                view! { <img class="result__image" src=u.as_str().to_owned() alt=name("arriving") /> }
                                    .into_any()
                            }
                            None => view! { <div class="placeholder" aria-hidden="true"></div> }.into_any(),
                        }}
                        <p class="pending__status">{status}</p>
                        {(!thoughts.is_empty())
                            .then(|| view! { <Markdown text=thoughts.clone() class="thinking__text pending__thoughts" /> })}
                        {drafts
                            .iter()
                            .enumerate()
                            .map(|(i, u)| {
                                view! {
                                    <figure class="thinking__draft">
                                        <img src=u.as_str().to_owned() alt=format!("Draft {} (thought, not the result)", i + 1) />
                                        <figcaption>"Draft"</figcaption>
                                    </figure>
                                }
                            })
                            .collect_view()}
                    </div>
                }
                    .into_any()
            }
            other => {
                let status = other.clone();
                view! {
                    <div class="pending">
                        <div class="placeholder" aria-hidden="true"></div>
                        <p class="pending__status">{move || name(&status.text(now.get()))}</p>
                    </div>
                }
                    .into_any()
            }
        })
    }
}
