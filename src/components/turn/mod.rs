//! One exchange: what was sent, and the model's answer(s).

mod details;
mod result;
mod sources;

use leptos::prelude::*;

use crate::commands::code::handle_get_code_for_turn;
use crate::commands::conversations::handle_edit_from_here;
use crate::commands::share::handle_share_turn;
use crate::components::editor::CompareView;
use crate::components::ui::{Button, Look, Size};
use crate::components::{SaveFile, Usage};
use crate::model::cost::turn_price;
use crate::model::labels::{alt_text, options_line};
use crate::state::{AppState, Keeping, Turn, Variant};
use details::AnswerDetails;
use result::ResultImage;

/// The prompt and images sent; the answers (several variants side by side);
/// the chosen answer's text, thinking and sources; usage and actions.
#[component]
pub fn TurnCard(
    /// The completed turn to show.
    turn: Turn,
    /// Its position in the conversation, from 1.
    number: usize,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let Turn {
        id: turn_id,
        data,
        chosen,
        saved,
        damaged,
        composites,
    } = turn;
    if let Some(why) = damaged {
        return view! {
            <article class="turn turn--damaged" aria-label=format!("Turn {number}")>
                <div class="turn__user">
                    <p class="turn__prompt">{data.prompt.clone()}</p>
                </div>
                <div class="turn__model">
                    <p class="result__failed-title" role="note">{why}</p>
                </div>
            </article>
        }
        .into_any();
    }
    let many = data.variants.len() > 1;
    let alt = alt_text(&data.prompt);
    let options = options_line(&data.settings);
    let variants = data
        .variants
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, v)| match v {
            Variant::Done(a) => {
                let label = if many { format!("{alt} (variant {})", i + 1) } else { alt.clone() };
                let region = data.region.clone().zip(data.user_images.first().cloned());
                match region {
                    Some(region) => view! {
                        <ResultImage
                            answer=a
                            alt=label
                            options=options.clone()
                            turn_id
                            index=i
                            many
                            chosen=chosen.clone()
                            region
                            composites=composites.clone()
                        />
                    }
                    .into_any(),
                    None => view! {
                        <ResultImage
                            answer=a
                            alt=label
                            options=options.clone()
                            turn_id
                            index=i
                            many
                            chosen=chosen.clone()
                            composites=composites.clone()
                        />
                    }
                    .into_any(),
                }
                    .into_any()
            }
            Variant::Failed(alert) => {
                view! {
                    <div class="result result--failed">
                        <p class="result__failed-title">{format!("Variant {} failed: {}", i + 1, alert.title)}</p>
                        {alert.detail.map(|d| view! { <p class="alert__detail">{d}</p> })}
                        {alert.file.map(|f| view! { <SaveFile file=f /> })}
                    </div>
                }
                    .into_any()
            }
        })
        .collect_view();
    let details = {
        let (data, chosen) = (data.clone(), chosen.clone());
        move || {
            data.answer(chosen.get())
                .map(|a| view! { <AnswerDetails answer=a.clone() /> })
        }
    };
    // Not in browser storage yet: being saved, waiting for the database, or
    // not kept at all (and why).
    let storage = move || {
        if saved.get() {
            return None;
        }
        match state.keeping.get() {
            Keeping::Opening | Keeping::Blocked => {
                Some(("Waiting for storage…".to_owned(), String::new()))
            }
            Keeping::Unavailable(why) => Some(("Not saved".to_owned(), why)),
            Keeping::Closed => Some((
                "Not saved".to_owned(),
                "the studio was updated in another tab: reload to keep saving".to_owned(),
            )),
            Keeping::Kept => {
                (state.saving.get() > 0).then(|| ("Saving…".to_owned(), String::new()))
            }
        }
    };
    // Compare: this turn's chosen image over the previous turn's, or over
    // its own first reference image when there is no turn before.
    let comparing = RwSignal::new(false);
    let first_ref = data.user_images.first().map(|u| u.as_str().to_owned());
    let compare_with = move || {
        state.turns.with(|turns| {
            let at = turns.iter().position(|t| t.id == turn_id)?;
            match at.checked_sub(1).and_then(|p| turns.get(p)) {
                Some(prev) => prev
                    .shown_image(prev.chosen.get())
                    .map(|u| (u.as_str().to_owned(), "Previous turn's image")),
                None => first_ref.clone().map(|u| (u, "First reference image")),
            }
        })
    };
    let can_compare = {
        let compare_with = compare_with.clone();
        move || compare_with().is_some()
    };
    let compared = {
        let data = data.clone();
        let chosen = chosen.clone();
        let composites = composites.clone();
        move || {
            if !comparing.get() {
                return None;
            }
            let index = chosen.get();
            let after = composites
                .with(|c| c.get(&index).cloned())
                .or_else(|| data.answer(index).map(|a| a.image.clone()))?
                .as_str()
                .to_owned();
            let (before, before_label) = compare_with()?;
            Some(view! { <CompareView before before_label after /> })
        }
    };
    let tokens = data.usage();
    let priced = data.clone();

    view! {
        <article class="turn" aria-label=format!("Turn {number}")>
            <div class="turn__user">
                <p class="turn__prompt">{data.prompt.clone()}</p>
                {(!data.user_images.is_empty())
                    .then(|| {
                        view! {
                            <ul class="turn__refs" aria-label="Images sent">
                                {data
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
                {compared}
                {details}
                <div class="turn__actions">
                    <Usage
                        what="This turn"
                        class="turn__meta"
                        tokens=move || tokens
                        price=move |table| turn_price(&priced, table)
                    />
                    {move || {
                        storage().map(|(what, why)| view! { <span class="turn__saving" title=why>{what}</span> })
                    }}
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        attr:title="Start a branch from this image; the conversation stays as it is"
                        attr:disabled=move || state.running.get()
                        on:click=move |_| handle_edit_from_here(state, turn_id)
                    >
                        "Edit from here"
                    </Button>
                    <Show when=can_compare.clone()>
                        <Button
                            look=Look::Ghost
                            size=Size::Small
                            attr:title="This turn's image over the one before it, with a slider"
                            attr:aria-pressed=move || comparing.get().to_string()
                            on:click=move |_| comparing.update(|c| *c = !*c)
                        >
                            "Compare"
                        </Button>
                    </Show>
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        attr:title="This turn's request as curl, Python or JavaScript"
                        on:click=move |_| handle_get_code_for_turn(state, turn_id)
                    >
                        "Get code"
                    </Button>
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        attr:title="A link to this turn's prompt and settings (never the key or images)"
                        on:click=move |_| handle_share_turn(state, turn_id)
                    >
                        "Share"
                    </Button>
                </div>
            </div>
        </article>
    }
    .into_any()
}
