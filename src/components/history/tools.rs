use leptos::prelude::*;

use crate::commands::library::{
    handle_delete_all, handle_export, handle_import, handle_persist, handle_undo_delete,
};
use crate::components::ui::{button_class, Button, Look, Size};
use crate::state::{AppState, Keeping};

/// Search, Export all, Import, Delete all (with a confirmation).
#[component]
pub fn Tools(
    /// What the search box holds.
    query: RwSignal<String>,
    /// How many entries are shown (reset by a new search).
    shown: RwSignal<usize>,
    /// How many entries a page shows.
    page: usize,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let kept = move || state.keeping.with(|k| *k == Keeping::Kept);
    let nothing = move || !kept() || state.history.with(Vec::is_empty);
    let confirm_all = RwSignal::new(false);
    view! {
        <div class="history__tools">
            <input
                type="search"
                class="input history__search"
                aria-label="Search history"
                placeholder="Search prompts"
                prop:value=move || query.get()
                on:input:target=move |ev| {
                    query.set(ev.target().value());
                    shown.set(page);
                }
            />
            <Button look=Look::Ghost size=Size::Small attr:disabled=nothing on:click=move |_| handle_export(state, None)>
                "Export all"
            </Button>
            <label
                class=button_class(Look::Ghost, Size::Small)
                class:history__import=true
                class:button--disabled=move || !kept()
            >
                "Import"
                <input
                    type="file"
                    accept=".zip,application/zip,.json,application/json"
                    class="visually-hidden"
                    aria-label="Import"
                    disabled=move || !kept()
                    on:change:target=move |ev| {
                        let input = ev.target();
                        let file = input.files().and_then(|l| l.get(0));
                        input.set_value("");
                        if let Some(f) = file {
                            handle_import(state, f);
                        }
                    }
                />
            </label>
            <Show
                when=move || confirm_all.get()
                fallback=move || {
                    view! {
                        <Button look=Look::Ghost size=Size::Small attr:disabled=nothing on:click=move |_| confirm_all.set(true)>
                            "Delete all"
                        </Button>
                    }
                }
            >
                <span class="history__confirm">
                    <Button
                        look=Look::Danger
                        size=Size::Small
                        on:click=move |_| {
                            confirm_all.set(false);
                            handle_delete_all(state);
                        }
                    >
                        {move || format!("Yes, delete all {} conversations", state.history.with(Vec::len))}
                    </Button>
                    <Button look=Look::Ghost size=Size::Small on:click=move |_| confirm_all.set(false)>
                        "Keep them"
                    </Button>
                </span>
            </Show>
        </div>
    }
}

/// "Deleted …" with Undo, while a deletion waits.
#[component]
pub fn UndoLine() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.pending_delete.get().map(|p| {
            view! {
                <div class="history__undo" role="status">
                    <span>{format!("Deleted {}.", p.what)}</span>
                    <Button size=Size::Small on:click=move |_| handle_undo_delete(state)>
                        "Undo"
                    </Button>
                </div>
            }
        })
    }
}

/// The storage used, and Keep storage persistent.
#[component]
pub fn StorageLine() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <p class="history__storage">
            <span>{move || state.storage_note.get().unwrap_or_default()}</span>
            <Button
                look=Look::Ghost
                size=Size::Small
                attr:disabled=move || state.keeping.with(|k| *k != Keeping::Kept)
                on:click=move |_| handle_persist(state)
            >
                "Keep storage persistent"
            </Button>
        </p>
    }
}
