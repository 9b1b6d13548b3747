//! The kept conversations, newest first: search, open, delete (with Undo),
//! export, import, and how much storage is used.

mod entry;
mod tools;

use leptos::prelude::*;

use crate::components::lazy::{lazy_view, OnFirstUse};
use crate::components::ui::{Button, Look, Size};
use crate::model::conversation::listed;
use crate::state::{AppState, Keeping};
use entry::HistoryEntry;
use tools::{StorageLine, Tools, UndoLine};

/// How many entries are shown before "Show more": thumbnails load a page at a time.
const PAGE: usize = 24;

// The open panel, loaded the first time it opens (see components::lazy).
lazy_view!(history, body, HistoryBody);

#[component]
pub fn HistoryPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = state.history_open;
    let warning = move || {
        match state.keeping.get() {
        Keeping::Opening | Keeping::Kept => None,
        Keeping::Blocked => Some(
            "Another tab has the studio open with an older version: close or reload it so storage can be updated. Turns made meanwhile are saved once it is done.".to_owned(),
        ),
        Keeping::Unavailable(why) => Some(format!(
            "Browser storage is unavailable ({why}): the studio works, but nothing will be kept after this page closes. Download what you want to keep."
        )),
        Keeping::Closed => Some(
            "The studio was updated in another tab: reload this page to keep saving.".to_owned(),
        ),
    }
    };
    view! {
        {move || warning().map(|t| view! { <p class="history__warning">{t}</p> })}
        <details
            class="history"
            prop:open=move || open.get()
            on:toggle:target=move |ev| open.set(ev.target().open())
        >
            <summary class="history__summary">
                {move || format!("History ({})", state.history.with(Vec::len))}
            </summary>
            <OnFirstUse
                what="History"
                load=body::load
                when=open.into()
                close=Callback::new(move |()| open.set(false))
            />
        </details>
    }
}

/// The open panel: Undo, the tools (search, export, import), the storage
/// used, and the list.
#[component]
pub fn HistoryBody() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = state.history_open;
    let query = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);
    let entries = Memo::new(move |_| {
        let history = state.history.read();
        let pending = state.pending_delete.read();
        query.with(|q| {
            listed(&history, pending.as_ref(), q)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let count = move || entries.with(Vec::len);
    view! {
            <div class="history__body">
                <UndoLine />
                <Tools query shown page=PAGE />
                <StorageLine />
                <Show when=move || open.get()>
                    <ul class="history__list" aria-label="Conversations">
                        <For
                            each=move || entries.with(|e| e.iter().take(shown.get()).cloned().collect::<Vec<_>>())
                            key=|c| (c.id.clone(), c.updated_ms.to_bits(), c.thumb.clone())
                            children=move |c| view! { <HistoryEntry conversation=c /> }
                        />
                    </ul>
                    {move || {
                        (count() > shown.get())
                            .then(|| {
                                view! {
                                    <Button look=Look::Ghost size=Size::Small on:click=move |_| shown.update(|n| *n += PAGE)>
                                        {move || format!("Show more ({} left)", count() - shown.get())}
                                    </Button>
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
    }
}
