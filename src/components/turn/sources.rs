use gemini::wire::GroundingMetadata;
use leptos::prelude::*;

use crate::model::sources;

/// The frame's only script (its hash is in the page's policy; see the file).
const FRAME_SCRIPT: &str = include_str!("../../../assets/suggestions-frame.js");

/// Where the model looked: source links, the queries, and Google's search
/// suggestions: HTML from outside, shown only in a sandboxed frame (an opaque
/// origin) that receives it by message, runs none of its scripts and applies
/// its styles without any inline style (see `assets/suggestions-frame.js`).
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
                    let doc = format!(
                        "<!doctype html><html><head><meta charset=\"utf-8\"></head><body><script>{FRAME_SCRIPT}</script></body></html>"
                    );
                    view! {
                        <iframe
                            class="sources__suggestions"
                            title="Search suggestions"
                            sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"
                            referrerpolicy="no-referrer"
                            srcdoc=doc
                            on:load:target=move |ev| {
                                if let Some(w) = ev.target().content_window() {
                                    let _ = w.post_message(&html.as_str().into(), "*");
                                }
                            }
                        ></iframe>
                    }
                })}
        </section>
    }
}
