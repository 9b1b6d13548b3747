//! The prompt, the reference images, and Generate / Cancel with a live timer.

mod attachments;
mod kept_draft;

use leptos::prelude::*;
use web_sys::{DataTransfer, File, FileList};

use super::lazy::{lazy_view, OnFirstUse};
use crate::browser::now_ms;
use crate::commands::attachments::handle_add_files;
use crate::commands::code::handle_get_code_for_next;
use crate::commands::generate::{handle_cancel, handle_generate};
use crate::commands::prompts::handle_open_prompts;
use crate::components::ui::{button_class, Button, Look, Size};
use crate::model::labels::seconds;
use crate::state::{AppState, MAX_VARIANTS};
use attachments::Attachments;
pub use kept_draft::KeptDraftOffer;

// The thumbnails come with the code that adds images (the `later` chunk,
// right after the first paint): before it, there are none to show.
lazy_view!(later, attachments_view, Attachments);

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

/// The composer: images can be picked, dropped on it, or pasted anywhere.
#[component]
pub fn Composer() -> impl IntoView {
    let state = expect_context::<AppState>();
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
            <OnFirstUse
                what="The reference images"
                load=attachments_view::load
                when=Signal::derive(move || state.wants_later())
                close=Callback::new(|()| {})
                unasked=true
            />
            {move || {
                match state.adding.get() {
                    0 => None,
                    1 => Some("Adding an image…".to_owned()),
                    n => Some(format!("Adding {n} images…")),
                }
                    .map(|text| view! { <p class="hint composer__adding" role="status">{text}</p> })
            }}
            {move || {
                state
                    .draft_problem
                    .get()
                    .map(|p| view! { <p class="hint hint--warn composer__problem" role="status">{p}</p> })
            }}
            <Show when=move || state.in_use_elsewhere()>
                <p class="hint hint--warn composer__problem" role="status">
                    "This conversation is being continued in another tab: it is read-only here until that tab's turn lands, then it reloads."
                </p>
            </Show>
            <label for="prompt" class="visually-hidden">
                "Prompt"
            </label>
            <textarea
                id="prompt"
                class="composer__prompt"
                rows="3"
                placeholder="Describe an image, or how to change the last one…"
                prop:value=move || state.prompt.get()
                aria-keyshortcuts="Control+Enter Meta+Enter"
                on:input:target=move |ev| state.prompt.set(ev.target().value())
            ></textarea>
            <ComposerBar />
        </form>
    }
}

/// Add images, the count, Variants, and Generate or Cancel.
#[component]
fn ComposerBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let running = move || state.running.get();
    view! {
        <div class="composer__bar">
            <label for="add-images" class=button_class(Look::Ghost, Size::Normal)>
                <span aria-hidden="true">"+"</span>
                "Add images"
            </label>
            <input
                id="add-images"
                class="visually-hidden"
                type="file"
                multiple
                accept="image/png,image/jpeg,image/webp,image/gif,image/bmp,image/avif,image/heic,image/heif,.heic,.heif"
                on:change:target=move |ev| {
                    let input = ev.target();
                    let files = files_of(input.files());
                    // Let the same file be picked again later.
                    input.set_value("");
                    handle_add_files(state, files);
                }
            />
            <span class="composer__count">
                {move || {
                    let n = state.attachments.with(Vec::len);
                    format!("{n} / {} images", state.settings.with(|s| s.caps().max_images))
                }}
            </span>
            <span class="composer__spacer"></span>
            <Button
                look=Look::Ghost
                attr:title="Save this prompt under a name, or insert a saved one"
                on:click=move |_| handle_open_prompts(state)
            >
                "Prompts"
            </Button>
            <Button
                look=Look::Ghost
                attr:title="The request Generate would send, as curl, Python or JavaScript"
                on:click=move |_| handle_get_code_for_next(state)
            >
                "Get code"
            </Button>
            <span class="composer__variants">
                <label for="variants">"Variants"</label>
                <select
                    id="variants"
                    class="composer__select"
                    title="Send the turn as this many parallel requests and pick the best"
                    disabled=running
                    on:change:target=move |ev| {
                        if let Ok(n) = ev.target().value().parse::<usize>() {
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
                when=move || running() || state.is_waiting()
                fallback=move || {
                    view! {
                        <span class="composer__shortcut" aria-hidden="true">"Ctrl+Enter"</span>
                        <Button look=Look::Primary submit=true attr:disabled=move || state.in_use_elsewhere()>
                            "Generate"
                        </Button>
                    }
                }
            >
                <Show when=running>
                    <Elapsed />
                </Show>
                <Button look=Look::Danger on:click=move |_| handle_cancel(state)>
                    "Cancel"
                </Button>
            </Show>
        </div>
    }
}

/// Seconds since the request started, updated ten times a second.
#[component]
fn Elapsed() -> impl IntoView {
    let state = expect_context::<AppState>();
    let job = state.generation.input();
    let now = RwSignal::new(now_ms());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(now_ms()),
        std::time::Duration::from_millis(100),
    ) {
        on_cleanup(move || handle.clear());
    }
    let text = move || {
        let (started, n) =
            job.with(|j| j.as_ref().map_or((0.0, 1), |j| (j.started_ms, j.variants)));
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
