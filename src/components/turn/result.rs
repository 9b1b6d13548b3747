use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::browser::object_url::SharedUrl;
use crate::commands::attachments::handle_use_as_reference;
use crate::commands::conversations::handle_choose_variant;
use crate::commands::editor::{
    composite_url, handle_copy_image, handle_use_composite_as_reference,
};
use crate::components::ui::{button_class, Button, Look, Size};
use crate::model::labels::{describe_image, seconds};
use crate::model::region::Selection;
use crate::state::editor::EditorState;
use crate::state::{Answer, AppState};
use wasm_bindgen::JsCast;

/// One answer's image with Download, Copy image, Edit region, Use as
/// reference and, among variants, Use this. A region edit's answer shows the
/// composite (the source outside the selection, the model's output inside);
/// the model's own image is under "Model output".
#[component]
pub fn ResultImage(
    /// The answer shown.
    answer: Arc<Answer>,
    /// The image's alt text.
    alt: String,
    /// The options the turn was made with.
    options: String,
    /// The turn it belongs to.
    turn_id: u64,
    /// Which variant it is.
    index: usize,
    /// Whether the turn has several variants.
    many: bool,
    /// The turn's chosen variant.
    chosen: ArcRwSignal<usize>,
    /// A region edit: its selection and the source image it was made on.
    #[prop(optional)]
    region: Option<(Selection, SharedUrl)>,
    /// The turn's composites, by variant: made once, kept with the turn.
    composites: ArcRwSignal<BTreeMap<usize, SharedUrl>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let editor = use_context::<EditorState>();
    let raw = answer.image.clone();
    let edited = region.is_some();
    // What is shown: the model's image, or a region edit's composite once
    // made (made once per turn: shown again, it is the same one).
    let made = composites.with_untracked(|c| c.get(&index).cloned());
    let shown = RwSignal::new(if edited {
        made.clone()
    } else {
        Some(raw.clone())
    });
    let problem = RwSignal::new(None::<String>);
    if let (Some((selection, source)), None) = (region, made) {
        let output = raw.clone();
        leptos::task::spawn_local(async move {
            match composite_url(source, output, selection).await {
                Ok(url) => {
                    composites.update(|c| {
                        c.insert(index, url.clone());
                    });
                    shown.try_set(Some(url));
                }
                Err(why) => {
                    problem.try_set(Some(why));
                }
            }
        });
    }
    let is_chosen = move || chosen.get() == index;
    let meta = format!(
        "{} · {options} · {}",
        describe_image(answer.image_size, &answer.mime_type),
        seconds(answer.elapsed_ms)
    );
    let download_name = if edited {
        format!(
            "{}.png",
            answer
                .download_name
                .rsplit_once('.')
                .map_or(answer.download_name.as_str(), |(stem, _)| stem)
        )
    } else {
        answer.download_name.clone()
    };
    let for_reference = answer.clone();
    let reference_name = download_name.clone();
    let current = {
        let raw = raw.clone();
        move || shown.get_untracked().unwrap_or_else(|| raw.clone())
    };
    // While a region edit's composite is being made, the tools that take the
    // image shown wait for it (they would take the model's output).
    let making = move || edited && shown.get().is_none() && problem.get().is_none();
    let to_copy = current.clone();
    let to_edit = current.clone();
    let to_annotate = current.clone();
    let image = move || {
        if let Some(url) = shown.get() {
            let href = url.as_str().to_owned();
            let on_click = {
                let href = href.clone();
                move |ev: leptos::ev::MouseEvent| open_viewer(editor, &ev, &href)
            };
            view! {
                <a
                    href=href.clone()
                    target="_blank"
                    rel="noopener noreferrer"
                    class="result__open"
                    title="Open in the image viewer"
                    on:click=on_click
                >
                    <img class="result__image" src=href.clone() alt=alt.clone() on:load=move |_| follow_last(state, turn_id) />
                </a>
            }
            .into_any()
        } else {
            view! {
                <p class="result__making" role="status">
                    {move || match problem.get() {
                        Some(why) => format!("The composite could not be made ({why}): the model's output is below."),
                        None => "Making the composite…".to_owned(),
                    }}
                </p>
            }
            .into_any()
        }
    };
    let raw_url = raw.as_str().to_owned();
    view! {
        <figure class="result" class:result--chosen={
            let is_chosen = is_chosen.clone();
            move || many && is_chosen()
        }>
            {image}
            {edited
                .then(|| {
                    view! {
                        <details class="result__raw">
                            <summary>"Model output"</summary>
                            <img src=raw_url.clone() alt="Model output" />
                        </details>
                    }
                })}
            <figcaption class="result__bar">
                <span class="turn__meta">{meta}</span>
                <span class="result__buttons">
                    {many
                        .then(|| {
                            let is_chosen = is_chosen.clone();
                            let pressed = is_chosen.clone();
                            view! {
                                <Button
                                    size=Size::Small
                                    attr:aria-pressed=move || pressed().to_string()
                                    on:click=move |_| handle_choose_variant(state, turn_id, index)
                                >
                                    {move || if is_chosen() { "Chosen" } else { "Use this" }}
                                </Button>
                            }
                        })}
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        attr:disabled=making
                        on:click=move |_| {
                            // A region edit's reference is its composite, as shown.
                            match shown.get_untracked().filter(|_| edited) {
                                Some(composite) => handle_use_composite_as_reference(
                                    state,
                                    composite,
                                    reference_name.clone(),
                                ),
                                None => handle_use_as_reference(state, for_reference.clone()),
                            }
                        }
                    >
                        "Use as reference"
                    </Button>
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        attr:disabled=making
                        on:click=move |_| handle_copy_image(state, to_copy())
                    >
                        "Copy image"
                    </Button>
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        attr:title="Select part of the image and say what should change there"
                        attr:disabled=making
                        on:click=move |ev: leptos::ev::MouseEvent| {
                            if let Some(editor) = editor {
                                editor.edit(to_edit(), opener_of(&ev));
                            }
                        }
                    >
                        "Edit region"
                    </Button>
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        attr:title="Draw marks for the model to follow on a copy, for the composer"
                        attr:disabled=making
                        on:click=move |ev: leptos::ev::MouseEvent| {
                            if let Some(editor) = editor {
                                editor.annotate(to_annotate(), opener_of(&ev));
                            }
                        }
                    >
                        "Annotate"
                    </Button>
                    <a
                        class=button_class(Look::Plain, Size::Small)
                        href=move || shown.get().map(|u| u.as_str().to_owned()).unwrap_or_else(|| raw_url.clone())
                        download=download_name
                    >
                        "Download"
                    </a>
                </span>
            </figcaption>
        </figure>
    }
}

/// The control an event came from (focused again when a tool closes).
fn opener_of(ev: &leptos::ev::MouseEvent) -> Option<web_sys::HtmlElement> {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a, button").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// A plain click opens the in-page viewer (a click with Ctrl, ⌘, Shift or
/// the middle button still opens a new tab, as a link does).
fn open_viewer(editor: Option<EditorState>, ev: &leptos::ev::MouseEvent, url: &str) {
    if ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
        return;
    }
    let Some(editor) = editor else {
        return;
    };
    ev.prevent_default();
    editor.view(url.to_owned(), opener_of(ev));
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
