use leptos::prelude::*;

use crate::config::host_of;
use crate::state::site::Site;
use crate::state::AppState;

/// Where requests go, and where the key is, in one glance.
#[component]
pub fn Endpoint() -> impl IntoView {
    let state = expect_context::<AppState>();
    let site = expect_context::<Site>();
    let text = move || {
        let proxy_key = site.proxy_holds_key();
        state.connection.with(|c| {
            let base = c.base_url.trim();
            let target = if base.is_empty() || base.starts_with('/') {
                match site.config.with(|c| c.proxy_upstream.clone()) {
                    Some(up) => format!("this site's proxy → {}", host_of(&up)),
                    None => "this site's proxy".to_owned(),
                }
            } else {
                let origin = site.origin_of(base);
                host_of(&origin).to_owned()
            };
            let key = if proxy_key {
                "key added by the proxy"
            } else if c.api_key.trim().is_empty() {
                "no key in browser"
            } else if c.remember {
                "key remembered"
            } else if c.remember_session {
                "key kept for this session"
            } else {
                "key in memory"
            };
            format!("{target} · {key}")
        })
    };
    view! {
        <p class="endpoint" title="Requests go here; change it in Settings">
            <span class="endpoint__dot" aria-hidden="true"></span>
            <span class="endpoint__text">{text}</span>
        </p>
    }
}
