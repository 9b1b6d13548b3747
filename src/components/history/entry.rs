use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::date_label;
use crate::browser::object_url::{ObjectUrl, SharedUrl};
use crate::commands::conversations::handle_open_conversation;
use crate::commands::library::{handle_delete, handle_export};
use crate::components::ui::{Button, Look, Size};
use crate::model::labels::{count, model_label, short};
use crate::state::AppState;
use crate::store::ConversationRecord;

/// One kept conversation: its latest image (loaded when shown, its URL revoked
/// when the entry goes), first prompt, date and model.
#[component]
pub fn HistoryEntry(
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
        "{} · {} · {}",
        date_label(conversation.updated_ms),
        model_label(&conversation.model),
        count(conversation.turn_count, "turn")
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
                disabled=move || state.running.get()
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
                <Button
                    look=Look::Ghost
                    size=Size::Small
                    attr:aria-label=format!("Export {}", short(&title))
                    on:click=move |_| handle_export(state, Some(vec![export_id.clone()]))
                >
                    "Export"
                </Button>
                <Button
                    look=Look::Ghost
                    size=Size::Small
                    attr:aria-label=format!("Delete {}", short(&title))
                    on:click=move |_| handle_delete(state, vec![id.clone()], delete_what.clone())
                >
                    "Delete"
                </Button>
            </span>
        </li>
    }
}
