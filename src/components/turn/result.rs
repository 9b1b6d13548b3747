use std::sync::Arc;

use leptos::prelude::*;

use crate::commands::attachments::handle_use_as_reference;
use crate::commands::conversations::handle_choose_variant;
use crate::commands::editor::handle_copy_image;
use crate::components::ui::{button_class, Button, Look, Size};
use crate::model::labels::{describe_image, seconds};
use crate::state::editor::EditorState;
use crate::state::{Answer, AppState};
use wasm_bindgen::JsCast;

/// One answer's image with Download, Use as reference and, among variants, Use this.
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
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let editor = use_context::<EditorState>();
    let url = answer.image.as_str().to_owned();
    let is_chosen = move || chosen.get() == index;
    let meta = format!(
        "{} · {options} · {}",
        describe_image(answer.image_size, &answer.mime_type),
        seconds(answer.elapsed_ms)
    );
    let for_reference = answer.clone();
    let to_copy = answer.image.clone();
    view! {
        <figure class="result" class:result--chosen={
            let is_chosen = is_chosen.clone();
            move || many && is_chosen()
        }>
            <a
                href=url.clone()
                target="_blank"
                rel="noopener noreferrer"
                class="result__open"
                title="Open in the image viewer"
                on:click={
                    let url = url.clone();
                    move |ev: leptos::ev::MouseEvent| open_viewer(editor, &ev, &url)
                }
            >
                <img class="result__image" src=url.clone() alt=alt on:load=move |_| follow_last(state, turn_id) />
            </a>
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
                        on:click=move |_| handle_use_as_reference(state, for_reference.clone())
                    >
                        "Use as reference"
                    </Button>
                    <Button
                        look=Look::Ghost
                        size=Size::Small
                        on:click=move |_| handle_copy_image(state, to_copy.clone())
                    >
                        "Copy image"
                    </Button>
                    <a class=button_class(Look::Plain, Size::Small) href=url download=answer.download_name.clone()>
                        "Download"
                    </a>
                </span>
            </figcaption>
        </figure>
    }
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
    let opener = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    editor.view(url.to_owned(), opener);
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
