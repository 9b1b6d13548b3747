use gemini::wire::GroundingMetadata;
use leptos::prelude::*;

use crate::model::sources;

/// Where the model looked: source links, the queries, and Google's search
/// suggestions (HTML from outside, shown only in a sandbox without scripts).
#[component]
pub fn Sources(
    /// What the search found.
    grounding: GroundingMetadata,
) -> impl IntoView {
    let links = sources::links(&grounding);
    let suggestions = sources::suggestions(&grounding);
    let queries = grounding.web_search_queries;
    view! {
        <section class="sources" aria-label="Sources">
            <p class="sources__title">"Sources"</p>
            <ul class="sources__list">
                {links
                    .into_iter()
                    .map(|(title, uri)| {
                        view! {
                            <li>
                                <a href=uri target="_blank" rel="noopener noreferrer">
                                    {title}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(!queries.is_empty())
                .then(|| view! { <p class="turn__meta">{format!("Searched: {}", queries.join(" · "))}</p> })}
            {suggestions
                .map(|html| {
                    view! {
                        <iframe
                            class="sources__suggestions"
                            title="Search suggestions"
                            sandbox="allow-popups allow-popups-to-escape-sandbox"
                            referrerpolicy="no-referrer"
                            srcdoc=html
                        ></iframe>
                    }
                })}
        </section>
    }
}
