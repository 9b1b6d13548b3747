use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DataTransfer, File, FileList, HtmlInputElement};

use crate::actions::{
    describe_image, handle_add_files, handle_cancel, handle_generate, handle_move_attachment,
    handle_remove_attachment, seconds,
};
use crate::browser::now_ms;
use crate::state::{AppState, MAX_VARIANTS};

fn files_of(list: Option<FileList>) -> Vec<File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}

fn has_files(dt: &Option<DataTransfer>) -> bool {
    dt.as_ref().is_some_and(|d| {
        d.types()
            .iter()
            .any(|t| t.as_string().as_deref() == Some("Files"))
    })
}

/// The prompt, the reference images, and Generate / Cancel with a live timer.
#[component]
pub fn Composer() -> impl IntoView {
    let state = expect_context::<AppState>();
    let running = move || state.running.with(Option::is_some);
    let max_images = move || state.settings.with(|s| s.caps().max_images);

    let on_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let files = files_of(input.files());
        // Let the same file be picked again later.
        input.set_value("");
        handle_add_files(state, files);
    };

    // Paste an image from the clipboard anywhere on the page (Ctrl/Cmd+V).
    let paste = window_event_listener(leptos::ev::paste, move |ev| {
        let files = files_of(ev.clipboard_data().and_then(|d| d.files()));
        if !files.is_empty() {
            ev.prevent_default();
            handle_add_files(state, files);
        }
    });
    on_cleanup(move || paste.remove());

    // Drag and drop onto the composer, with a visible drop target.
    let drag_depth = RwSignal::new(0i32);
    view! {
        <form
            class="composer"
            class:composer--drop=move || { drag_depth.get() > 0 }
            aria-label="Composer"
            on:submit=move |ev| {
                ev.prevent_default();
                handle_generate(state);
            }
            on:dragenter=move |ev| {
                if has_files(&ev.data_transfer()) {
                    ev.prevent_default();
                    drag_depth.update(|d| *d += 1);
                }
            }
            on:dragover=move |ev| {
                if has_files(&ev.data_transfer()) {
                    ev.prevent_default();
                }
            }
            on:dragleave=move |_| drag_depth.update(|d| *d = (*d - 1).max(0))
            on:drop=move |ev| {
                ev.prevent_default();
                drag_depth.set(0);
                handle_add_files(state, files_of(ev.data_transfer().and_then(|d| d.files())));
            }
        >
            <div class="composer__drop" aria-hidden="true">
                "Drop images to add them as references"
            </div>
            <Attachments />
            <label for="prompt" class="visually-hidden">
                "Prompt"
            </label>
            <textarea
                id="prompt"
                class="composer__prompt"
                rows="3"
                placeholder="Describe an image, or how to change the last one…"
                prop:value=move || state.prompt.get()
                on:input=move |ev| state.prompt.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        handle_generate(state);
                    }
                }
            ></textarea>
            <div class="composer__bar">
                <label for="add-images" class="button button--ghost">
                    <span aria-hidden="true">"+"</span>
                    "Add images"
                </label>
                <input
                    id="add-images"
                    class="visually-hidden"
                    type="file"
                    multiple
                    accept="image/png,image/jpeg,image/webp"
                    on:change=on_files
                />
                <span class="composer__count">
                    {move || {
                        let n = state.attachments.with(Vec::len);
                        format!("{n} / {} images", max_images())
                    }}
                </span>
                <span class="composer__spacer"></span>
                <span class="composer__variants">
                    <label for="variants">"Variants"</label>
                    <select
                        id="variants"
                        class="composer__select"
                        title="Send the turn as this many parallel requests and pick the best"
                        disabled=running
                        on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                                state.variants.set(n.clamp(1, MAX_VARIANTS));
                            }
                        }
                    >
                        {(1..=MAX_VARIANTS)
                            .map(|n| {
                                view! {
                                    <option value=n.to_string() selected=move || state.variants.get() == n>
                                        {n.to_string()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </span>
                <Show
                    when=running
                    fallback=move || {
                        view! {
                            <span class="composer__shortcut" aria-hidden="true">"Ctrl+Enter"</span>
                            <button type="submit" class="button button--primary">
                                "Generate"
                            </button>
                        }
                    }
                >
                    <Elapsed />
                    <button
                        type="button"
                        class="button button--danger"
                        on:click=move |_| handle_cancel(state)
                    >
                        "Cancel"
                    </button>
                </Show>
            </div>
        </form>
    }
}

/// Seconds since the request started, updated ten times a second.
#[component]
fn Elapsed() -> impl IntoView {
    let state = expect_context::<AppState>();
    let now = RwSignal::new(now_ms());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(now_ms()),
        std::time::Duration::from_millis(100),
    ) {
        on_cleanup(move || handle.clear());
    }
    let text = move || {
        let (started, n) = state
            .running
            .with(|r| r.as_ref().map_or((0.0, 1), |r| (r.started_ms, r.variants)));
        let secs = seconds(now.get() - started);
        if n > 1 {
            format!("Generating {n} variants… {secs}")
        } else {
            format!("Generating… {secs}")
        }
    };
    view! {
        <span class="composer__elapsed" role="timer" aria-live="off">
            <span class="spinner" aria-hidden="true"></span>
            {text}
        </span>
    }
}

/// Thumbnails of the attached images, in request order, each removable and movable.
#[component]
fn Attachments() -> impl IntoView {
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
                                    <button
                                        type="button"
                                        class="icon-button"
                                        aria-label=format!("Move {name} earlier")
                                        disabled=move || index() == 0
                                        on:click=move |_| handle_move_attachment(state, id, -1)
                                    >
                                        "‹"
                                    </button>
                                    <button
                                        type="button"
                                        class="icon-button"
                                        aria-label=format!("Move {name} later")
                                        disabled=move || index() + 1 >= state.attachments.with(Vec::len)
                                        on:click=move |_| handle_move_attachment(state, id, 1)
                                    >
                                        "›"
                                    </button>
                                    <button
                                        type="button"
                                        class="icon-button"
                                        aria-label=format!("Remove {name}")
                                        on:click=move |_| handle_remove_attachment(state, id)
                                    >
                                        "×"
                                    </button>
                                </div>
                            </li>
                        }
                    }
                />
            </ul>
        </Show>
    }
}
