//! The Prompt library dialog: save the composer's prompt under a name,
//! search, insert, edit and delete saved prompts.

use leptos::prelude::*;

use super::ui::{sync_dialog, Button, Field, Look, Size};
use crate::commands::prompts::{
    handle_close_prompts, handle_delete_prompt, handle_insert_prompt, handle_save_prompt,
    handle_update_prompt,
};
use crate::model::labels::options_line;
use crate::state::site::Site;
use crate::state::AppState;
use crate::store::PromptRecord;

/// A modal `<dialog>`; Escape or Close closes it.
#[component]
pub fn PromptLibraryDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    sync_dialog(dialog, move || state.prompts_open.get());
    let query = RwSignal::new(String::new());
    let shown = move || {
        let q = query.get();
        state.prompts.with(|l| {
            l.iter()
                .filter(|p| p.matches(&q))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <dialog
            node_ref=dialog
            class="dialog dialog--prompts"
            aria-labelledby="prompts-title"
            on:close=move |_| handle_close_prompts(state)
        >
            <h2 id="prompts-title" class="dialog__title">"Prompt library"</h2>
            <SaveForm />
            <Field id="prompt-search" label="Search prompts">
                <input
                    id="prompt-search"
                    type="search"
                    autocomplete="off"
                    prop:value=move || query.get()
                    on:input:target=move |ev| query.set(ev.target().value())
                />
            </Field>
            {move || {
                let list = shown();
                if list.is_empty() {
                    let text = if state.prompts.with(Vec::is_empty) {
                        "No saved prompts yet: write one in the composer and save it here."
                    } else {
                        "No saved prompt matches."
                    };
                    view! { <p class="hint">{text}</p> }.into_any()
                } else {
                    view! {
                        <ul class="prompts" aria-label="Saved prompts">
                            <For each=move || list.clone() key=|p| (p.id.clone(), p.updated_ms.to_bits()) let:p>
                                <SavedPrompt prompt=p />
                            </For>
                        </ul>
                    }
                        .into_any()
                }
            }}
            <div class="dialog__buttons">
                <Button on:click=move |_| handle_close_prompts(state)>"Close"</Button>
            </div>
        </dialog>
    }
}

/// Saves the composer's prompt under a name.
#[component]
fn SaveForm() -> impl IntoView {
    let state = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let with_settings = RwSignal::new(true);
    let empty = move || state.prompt.with(|p| p.trim().is_empty());
    view! {
        <form
            class="prompts__save"
            aria-label="Save the current prompt"
            on:submit=move |ev| {
                ev.prevent_default();
                handle_save_prompt(
                    state,
                    name.get_untracked(),
                    with_settings.get_untracked(),
                    move |ok| {
                        if ok {
                            name.set(String::new());
                        }
                    },
                );
            }
        >
            <Field id="prompt-name" label="Name">
                <input
                    id="prompt-name"
                    type="text"
                    maxlength="200"
                    autocomplete="off"
                    prop:value=move || name.get()
                    on:input:target=move |ev| name.set(ev.target().value())
                />
            </Field>
            <div class="field field--check">
                <input
                    id="prompt-with-settings"
                    type="checkbox"
                    prop:checked=move || with_settings.get()
                    on:change:target=move |ev| with_settings.set(ev.target().checked())
                />
                <label for="prompt-with-settings">"With its settings"</label>
            </div>
            <Button
                look=Look::Primary
                submit=true
                attr:disabled=move || empty() || name.with(|n| n.trim().is_empty())
            >
                "Save prompt"
            </Button>
            <Show when=empty>
                <p class="hint">"Write a prompt in the composer to save it."</p>
            </Show>
        </form>
    }
}

/// One saved prompt: Insert, Edit (in place), Delete.
#[component]
fn SavedPrompt(prompt: PromptRecord) -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    let editing = RwSignal::new(false);
    let name = RwSignal::new(prompt.name.clone());
    let text = RwSignal::new(prompt.prompt.clone());
    let id = prompt.id.clone();
    let settings = prompt
        .settings
        .as_ref()
        .map(|s| format!("With settings: {}", options_line(s)));
    let title = prompt.name.clone();
    let field_id = |what: &str| format!("{what}-{}", prompt.id);
    let (name_id, text_id) = (field_id("prompt-edit-name"), field_id("prompt-edit-text"));
    view! {
        <li class="prompts__item">
            <Show
                when=move || editing.get()
                fallback={
                    let (id, title, prompt_text, settings) = (id.clone(), title.clone(), prompt.prompt.clone(), settings.clone());
                    move || {
                        let (insert, delete) = (id.clone(), id.clone());
                        view! {
                            <h3 class="prompts__name">{title.clone()}</h3>
                            <p class="prompts__text">{prompt_text.clone()}</p>
                            {settings.clone().map(|s| view! { <p class="hint">{s}</p> })}
                            <div class="prompts__actions">
                                <Button
                                    size=Size::Small
                                    look=Look::Primary
                                    attr:aria-label=format!("Insert {title}")
                                    on:click=move |_| handle_insert_prompt(state, site, insert.clone())
                                >
                                    "Insert"
                                </Button>
                                <Button
                                    size=Size::Small
                                    look=Look::Ghost
                                    attr:aria-label=format!("Edit {title}")
                                    on:click=move |_| editing.set(true)
                                >
                                    "Edit"
                                </Button>
                                <Button
                                    size=Size::Small
                                    look=Look::Danger
                                    attr:aria-label=format!("Delete {title}")
                                    on:click=move |_| handle_delete_prompt(state, delete.clone())
                                >
                                    "Delete"
                                </Button>
                            </div>
                        }
                    }
                }
            >
                {
                    let (id, name_id, text_id) = (id.clone(), name_id.clone(), text_id.clone());
                    view! {
                        <form
                            class="prompts__edit"
                            aria-label=format!("Edit {}", title.clone())
                            on:submit={
                                let id = id.clone();
                                move |ev| {
                                    ev.prevent_default();
                                    handle_update_prompt(
                                        state,
                                        id.clone(),
                                        name.get_untracked(),
                                        text.get_untracked(),
                                        move |ok| {
                                            // The list is read again: this row may be gone.
                                            if ok {
                                                let _ = editing.try_set(false);
                                            }
                                        },
                                    );
                                }
                            }
                        >
                            <div class="field">
                                <label for=name_id.clone()>"Name"</label>
                                <input
                                    id=name_id.clone()
                                    type="text"
                                    maxlength="200"
                                    prop:value=move || name.get()
                                    on:input:target=move |ev| name.set(ev.target().value())
                                />
                            </div>
                            <div class="field">
                                <label for=text_id.clone()>"Prompt text"</label>
                                <textarea
                                    id=text_id.clone()
                                    rows="4"
                                    prop:value=move || text.get()
                                    on:input:target=move |ev| text.set(ev.target().value())
                                ></textarea>
                            </div>
                            <div class="prompts__actions">
                                <Button size=Size::Small look=Look::Primary submit=true>"Save changes"</Button>
                                <Button size=Size::Small on:click=move |_| editing.set(false)>"Cancel"</Button>
                            </div>
                        </form>
                    }
                }
            </Show>
        </li>
    }
}
