use leptos::prelude::*;

use crate::state::AppState;

/// Where requests go, in one glance.
#[component]
pub fn Endpoint() -> impl IntoView {
    let state = expect_context::<AppState>();
    let text = move || {
        state.connection.with(|c| {
            let base = c.base_url.trim();
            let target = if base.is_empty() {
                "this site's proxy".to_owned()
            } else {
                base.trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_owned()
            };
            let key = if c.api_key.trim().is_empty() {
                "no key in browser"
            } else if c.remember {
                "key remembered"
            } else {
                "key in memory"
            };
            format!("{target} · {key}")
        })
    };
    view! {
        <p class="endpoint" title="Requests go here; change it in Settings">
            <span class="endpoint__dot" aria-hidden="true"></span>
            {text}
        </p>
    }
}
