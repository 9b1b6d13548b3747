use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlInputElement};

use crate::actions::{
    describe_image, handle_add_files, handle_cancel, handle_generate, handle_move_attachment,
    handle_remove_attachment,
};
use crate::browser::now_ms;
use crate::state::AppState;

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
        let files: Vec<File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        // Let the same file be picked again later.
        input.set_value("");
        handle_add_files(state, files);
    };

    view! {
        <form
            class="composer"
            aria-label="Composer"
            on:submit=move |ev| {
                ev.prevent_default();
                handle_generate(state);
            }
        >
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
        let started = state.running.with(|r| r.as_ref().map(|r| r.started_ms));
        let secs = started.map_or(0.0, |s| (now.get() - s).max(0.0) / 1000.0);
        format!("Generating… {secs:.1} s")
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
                                <span class="attachment__meta">{describe_image(a.size, a.mime.as_str())}</span>
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
