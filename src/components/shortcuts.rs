use leptos::prelude::*;

use crate::components::ui::{sync_dialog, Button, Look, Size};
use crate::model::look::SHORTCUTS;
use crate::state::AppState;

/// The `?` button of the top bar: opens the Keyboard shortcuts dialog.
#[component]
pub fn ShortcutsButton() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <Button
            look=Look::Ghost
            size=Size::Small
            attr:aria-label="Keyboard shortcuts"
            attr:title="Keyboard shortcuts (?)"
            attr:aria-keyshortcuts="Shift+?"
            on:click=move |_| state.shortcuts_open.set(true)
        >
            <span aria-hidden="true">"?"</span>
        </Button>
    }
}

/// "Keyboard shortcuts": every shortcut of the page, in a modal `<dialog>`
/// (Escape or Close closes it; the focus goes back where it was).
#[component]
pub fn ShortcutsDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    sync_dialog(dialog, move || state.shortcuts_open.get());
    view! {
        <dialog
            node_ref=dialog
            class="dialog dialog--shortcuts"
            aria-labelledby="shortcuts-title"
            on:close=move |_| state.shortcuts_open.set(false)
        >
            <h2 id="shortcuts-title" class="dialog__title">
                "Keyboard shortcuts"
            </h2>
            <table class="shortcuts">
                <thead>
                    <tr>
                        <th scope="col">"Keys"</th>
                        <th scope="col">"Does"</th>
                    </tr>
                </thead>
                <tbody>
                    {SHORTCUTS
                        .iter()
                        .map(|(keys, does)| {
                            view! {
                                <tr>
                                    <td>
                                        <kbd>{*keys}</kbd>
                                    </td>
                                    <td>{*does}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="hint">"Single keys work when the focus is not in a text field. Tab and Shift+Tab move between controls; Enter or Space uses one."</p>
            <div class="dialog__buttons">
                <Button look=Look::Primary on:click=move |_| state.shortcuts_open.set(false)>
                    "Close"
                </Button>
            </div>
        </dialog>
    }
}
