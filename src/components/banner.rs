use leptos::prelude::*;

use super::ui::IconButton;
use crate::state::site::Site;

/// The site's banner (`config.json` → `banner`) and, if `config.json` could not
/// be used, why. Both are text, never HTML.
#[component]
pub fn SiteBanner() -> impl IntoView {
    let site = expect_context::<Site>();
    view! {
        {move || {
            site.config
                .with(|c| c.banner.clone())
                .map(|text| view! { <p class="site-banner">{text}</p> })
        }}
        {move || {
            site.problem
                .get()
                .map(|text| {
                    view! {
                        <div class="site-banner site-banner--problem" role="alert">
                            <p>{text}</p>
                            <IconButton
                                label="Dismiss configuration message"
                                on:click=move |_| site.problem.set(None)
                            >
                                "×"
                            </IconButton>
                        </div>
                    }
                })
        }}
    }
}
