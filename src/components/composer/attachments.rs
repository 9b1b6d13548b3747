use leptos::prelude::*;

use crate::commands::attachments::{handle_move_attachment, handle_remove_attachment};
use crate::components::ui::IconButton;
use crate::model::labels::describe_image;
use crate::state::AppState;

/// Thumbnails of the attached images, in request order, each removable and movable.
#[component]
pub fn Attachments() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <Show when=move || state.attachments.with(|a| !a.is_empty())>
            <ul class="attachments" aria-label="Reference images">
                <For
                    each=move || state.attachments.get()
                    key=|a| a.id
                    children=move |a| {
                        let id = a.id;
                        let name = a.name.clone();
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
                                        label=format!("Move {name} earlier")
                                        attr:disabled=move || index() == 0
                                        on:click=move |_| handle_move_attachment(state, id, -1)
                                    >
                                        "‹"
                                    </IconButton>
                                    <IconButton
                                        label=format!("Move {name} later")
                                        attr:disabled=move || index() + 1 >= state.attachments.with(Vec::len)
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
