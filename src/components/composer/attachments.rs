use leptos::prelude::*;

use crate::commands::attachments::{handle_move_attachment, handle_remove_attachment};
use wasm_bindgen::JsCast;

use crate::components::ui::IconButton;
use crate::model::labels::describe_image;
use crate::state::editor::EditorState;
use crate::state::AppState;

/// The control a click came from: focused again when the tool it opened closes.
fn opener_of(ev: &leptos::ev::MouseEvent) -> Option<web_sys::HtmlElement> {
    ev.current_target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Thumbnails of the attached images, in request order, each removable and
/// movable, and each open to Edit region and Annotate like a result.
#[component]
pub fn Attachments() -> impl IntoView {
    let state = expect_context::<AppState>();
    let editor = use_context::<EditorState>();
    view! {
        <Show when=move || state.attachments.with(|a| !a.is_empty())>
            <ul class="attachments" aria-label="Reference images">
                <For
                    each=move || state.attachments.get()
                    key=|a| a.id
                    children=move |a| {
                        let id = a.id;
                        let name = a.name.clone();
                        let to_edit = a.url.clone();
                        let to_annotate = a.url.clone();
                        let index = move || {
                            state.attachments.with(|all| all.iter().position(|x| x.id == id).unwrap_or(0))
                        };

                        view! {
                            <li class="attachment">
                                <img
                                    src=a.url.as_str().to_owned()
                                    alt=format!("Reference image: {}", a.name)
                                    loading="lazy"
                                />
                                <span class="attachment__meta" title=a.note.clone().unwrap_or_default()>
                                    {describe_image(a.size, a.mime.as_str())}
                                    {a.note.as_ref().map(|_| " · re-encoded")}
                                </span>
                                <div class="attachment__tools">
                                    <IconButton
                                        label="Edit region"
                                        attr:title=format!("Edit a region of {name}: select it, say what should change")
                                        on:click=move |ev: leptos::ev::MouseEvent| {
                                            if let Some(editor) = editor {
                                                editor.edit(to_edit.clone(), opener_of(&ev));
                                            }
                                        }
                                    >
                                        "⬚"
                                    </IconButton>
                                    <IconButton
                                        label="Annotate"
                                        attr:title=format!("Draw marks on a copy of {name}")
                                        on:click=move |ev: leptos::ev::MouseEvent| {
                                            if let Some(editor) = editor {
                                                editor.annotate(to_annotate.clone(), opener_of(&ev));
                                            }
                                        }
                                    >
                                        "✎"
                                    </IconButton>
                                    <IconButton
                                        label=format!("Move {name} earlier")
                                        attr:disabled=move || index() == 0
                                        on:click=move |_| handle_move_attachment(state, id, -1)
                                    >
                                        "‹"
                                    </IconButton>
                                    <IconButton
                                        label=format!("Move {name} later")
                                        attr:disabled=move || { index() + 1 >= state.attachments.with(Vec::len) }
                                        on:click=move |_| handle_move_attachment(state, id, 1)
                                    >
                                        "›"
                                    </IconButton>
                                    <IconButton
                                        label=format!("Remove {name}")
                                        on:click=move |_| handle_remove_attachment(state, id)
                                    >
                                        "×"
                                    </IconButton>
                                </div>
                            </li>
                        }
                    }
                />
            </ul>
        </Show>
    }
}
