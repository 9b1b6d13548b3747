use leptos::prelude::*;

use crate::model::look::Theme;
use crate::state::AppState;

/// The Theme menu: as the system, light or dark (kept in preferences).
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <span class="theme-switch">
            <label for="theme" class="visually-hidden">
                "Theme"
            </label>
            <select
                id="theme"
                class="theme-switch__select"
                on:change:target=move |ev| state.theme.set(Theme::from_value(&ev.target().value()))
            >
                {Theme::ALL
                    .into_iter()
                    .map(|t| {
                        view! {
                            <option value=t.value() selected=move || state.theme.get() == t>
                                {t.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </span>
    }
}
