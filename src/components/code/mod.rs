//! The Get code dialog.

mod tabs;

use leptos::prelude::*;

use crate::components::ui::sync_dialog;

use crate::commands::code::handle_close_code;
use crate::state::AppState;
use tabs::CodeTabs;

/// "Get code": the request of a turn (or the next one) as curl, Python and
/// JavaScript, to copy or to download with its images. A modal `<dialog>`:
/// the page behind it is inert, Escape or Close closes it.
#[component]
pub fn GetCodeDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    sync_dialog(dialog, move || state.code.with(Option::is_some));
    view! {
        <dialog
            node_ref=dialog
            class="dialog dialog--code"
            aria-labelledby="get-code-title"
            on:close=move |_| handle_close_code(state)
        >
            <h2 id="get-code-title" class="dialog__title">
                "Get code"
            </h2>
            {move || state.code.get().map(|got| view! { <CodeTabs got /> })}
        </dialog>
    }
}
