use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::browser::object_url::{ObjectUrl, SharedUrl};
use crate::history::{
    date_label, handle_delete, handle_export, handle_import, handle_open_conversation,
    handle_persist, handle_undo_delete,
};
use crate::state::{AppState, Keeping};
use crate::store::ConversationRecord;

/// How many entries are shown before "Show more": thumbnails load a page at a time.
const PAGE: usize = 24;

/// The kept conversations, newest first: search, open, delete (with Undo),
/// export, import, and how much storage is used.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);
    let confirm_all = RwSignal::new(false);
    let entries = Memo::new(move |_| {
        let q = query.get().to_lowercase();
        let hidden = state
            .pending_delete
            .with(|p| p.as_ref().map(|p| p.ids.clone()).unwrap_or_default());
        state.history.with(|h| {
            h.iter()
                .filter(|c| !hidden.contains(&c.id))
                .filter(|c| q.is_empty() || c.title.to_lowercase().contains(&q))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let count = move || entries.with(Vec::len);
    let keeping_text = move || {
        match state.keeping.get() {
        Keeping::Opening => None,
        Keeping::Kept => None,
        Keeping::Unavailable(why) => Some(format!(
            "Browser storage is unavailable ({why}): the studio works, but nothing will be kept after this page closes. Download what you want to keep."
        )),
        Keeping::Closed => Some(
            "The studio was updated in another tab: reload this page to keep saving.".to_owned(),
        ),
    }
    };
    let on_import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let file = input.files().and_then(|l| l.get(0));
        input.set_value("");
        if let Some(f) = file {
            handle_import(state, f);
        }
    };
    let kept = move || state.keeping.with(|k| *k == Keeping::Kept);

    view! {
        {move || keeping_text().map(|t| view! { <p class="history__warning">{t}</p> })}
        <details
            class="history"
            prop:open=move || open.get()
            on:toggle=move |ev| {
                let is_open = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
                    .is_some_and(|d| d.open());
                open.set(is_open);
            }
        >
            <summary class="history__summary">
                {move || format!("History ({})", state.history.with(Vec::len))}
            </summary>
            <div class="history__body">
                {move || {
                    state
                        .pending_delete
                        .get()
                        .map(|p| {
                            view! {
                                <div class="history__undo" role="status">
                                    <span>{format!("Deleted {}.", p.what)}</span>
                                    <button
                                        type="button"
                                        class="button button--small"
                                        on:click=move |_| handle_undo_delete(state)
                                    >
                                        "Undo"
                                    </button>
                                </div>
                            }
                        })
                }}
                <div class="history__tools">
                    <input
                        type="search"
                        class="input history__search"
                        aria-label="Search history"
                        placeholder="Search prompts"
                        prop:value=move || query.get()
                        on:input=move |ev| {
                            query.set(event_target_value(&ev));
                            shown.set(PAGE);
                        }
                    />
                    <button
                        type="button"
                        class="button button--ghost button--small"
                        disabled=move || !kept() || state.history.with(Vec::is_empty)
                        on:click=move |_| handle_export(state, None)
                    >
                        "Export all"
                    </button>
                    <label class="button button--ghost button--small history__import" class:button--disabled=move || !kept()>
                        "Import"
                        <input
                            type="file"
                            accept="application/json,.json"
                            class="visually-hidden"
                            aria-label="Import"
                            disabled=move || !kept()
                            on:change=on_import
                        />
                    </label>
                    {move || {
                        if confirm_all.get() {
                            view! {
                                <span class="history__confirm">
                                    <button
                                        type="button"
                                        class="button button--danger button--small"
                                        on:click=move |_| {
                                            confirm_all.set(false);
                                            let ids: Vec<String> = state
                                                .history
                                                .with_untracked(|h| h.iter().map(|c| c.id.clone()).collect());
                                            let n = ids.len();
                                            handle_delete(
                                                state,
                                                ids,
                                                format!("all {n} conversations"),
                                            );
                                        }
                                    >
                                        {move || {
                                            format!(
                                                "Yes, delete all {} conversations",
                                                state.history.with(Vec::len),
                                            )
                                        }}
                                    </button>
                                    <button
                                        type="button"
                                        class="button button--ghost button--small"
                                        on:click=move |_| confirm_all.set(false)
                                    >
                                        "Keep them"
                                    </button>
                                </span>
                            }
                                .into_any()
                        } else {
                            view! {
                                <button
                                    type="button"
                                    class="button button--ghost button--small"
                                    disabled=move || !kept() || state.history.with(Vec::is_empty)
                                    on:click=move |_| confirm_all.set(true)
                                >
                                    "Delete all"
                                </button>
                            }
                                .into_any()
                        }
                    }}
                </div>
                <p class="history__storage">
                    <span>{move || state.storage_note.get().unwrap_or_default()}</span>
                    <button
                        type="button"
                        class="button button--ghost button--small"
                        disabled=move || !kept()
                        on:click=move |_| handle_persist(state)
                    >
                        "Keep storage persistent"
                    </button>
                </p>
                <Show when=move || open.get()>
                    <ul class="history__list" aria-label="Conversations">
                        <For
                            each=move || {
                                entries.with(|e| e.iter().take(shown.get()).cloned().collect::<Vec<_>>())
                            }
                            key=|c| (c.id.clone(), c.updated_ms.to_bits(), c.thumb.clone())
                            children=move |c| view! { <HistoryEntry conversation=c /> }
                        />
                    </ul>
                    {move || {
                        (count() > shown.get())
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="button button--ghost button--small"
                                        on:click=move |_| shown.update(|n| *n += PAGE)
                                    >
                                        {move || format!("Show more ({} left)", count() - shown.get())}
                                    </button>
                                }
                            })
                    }}
                    {move || {
                        (count() == 0)
                            .then(|| {
                                view! {
                                    <p class="history__empty">
                                        {if query.with(String::is_empty) {
                                            "No conversations kept yet."
                                        } else {
                                            "No conversation matches."
                                        }}
                                    </p>
                                }
                            })
                    }}
                </Show>
            </div>
        </details>
    }
}

/// One kept conversation: its latest image (loaded when shown, its URL revoked
/// when the entry goes), first prompt, date and model.
#[component]
fn HistoryEntry(
    /// The conversation's stored summary.
    conversation: ConversationRecord,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let thumb = RwSignal::new_local(None::<SharedUrl>);
    // Revoke the thumbnail's object URL as soon as the entry is no longer shown.
    on_cleanup(move || {
        let _ = thumb.try_set(None);
    });
    if let (Some(hash), Some(store)) = (conversation.thumb.clone(), state.store.get_value()) {
        spawn_local(async move {
            if let Ok(found) = store.images(&[hash]).await {
                if let Some(url) = found.first().and_then(|(_, b)| ObjectUrl::for_blob(b).ok()) {
                    // The entry may be gone already: then the URL is dropped (revoked).
                    let _ = thumb.try_set(Some(url));
                }
            }
        });
    }
    let id = conversation.id.clone();
    let title = if conversation.title.trim().is_empty() {
        conversation.label.clone()
    } else {
        conversation.title.clone()
    };
    let meta = format!(
        "{} · {} · {} turn{}",
        date_label(conversation.updated_ms),
        model_label(&conversation.model),
        conversation.turn_count,
        if conversation.turn_count == 1 {
            ""
        } else {
            "s"
        }
    );
    let open_id = id.clone();
    let export_id = id.clone();
    let delete_what = format!("\u{201c}{}\u{201d}", short(&title));
    let is_current = {
        let id = id.clone();
        move || state.current.with(|c| c.id == id)
    };
    view! {
        <li class="history__entry" class:history__entry--current=is_current>
            <button
                type="button"
                class="history__open"
                disabled=move || state.running.with(Option::is_some)
                on:click=move |_| handle_open_conversation(state, open_id.clone())
            >
                <span class="history__thumb">
                    {move || {
                        thumb
                            .with(|t| {
                                t.as_ref()
                                    .map(|u| {
                                        view! {
                                            <img src=u.as_str().to_owned() alt="" loading="lazy" decoding="async" />
                                        }
                                    })
                            })
                    }}
                </span>
                <span class="history__text">
                    <span class="history__title">{title.clone()}</span>
                    <span class="history__meta">{meta}</span>
                </span>
            </button>
            <span class="history__actions">
                <button
                    type="button"
                    class="button button--ghost button--small"
                    aria-label=format!("Export {}", short(&title))
                    on:click=move |_| handle_export(state, Some(vec![export_id.clone()]))
                >
                    "Export"
                </button>
                <button
                    type="button"
                    class="button button--ghost button--small"
                    aria-label=format!("Delete {}", short(&title))
                    on:click=move |_| handle_delete(state, vec![id.clone()], delete_what.clone())
                >
                    "Delete"
                </button>
            </span>
        </li>
    }
}

fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

fn model_label(model: &str) -> String {
    let caps = gemini::models::caps(model);
    if caps.known {
        caps.label.to_owned()
    } else {
        model.to_owned()
    }
}
