//! What search grounding found, ready to list.

use gemini::wire::GroundingMetadata;

/// The web sources to link: (title, URL), `http(s)` only, the URL standing in
/// for a missing title.
pub fn links(grounding: &GroundingMetadata) -> Vec<(String, String)> {
    grounding
        .grounding_chunks
        .iter()
        .filter_map(|c| c.web.as_ref())
        .filter_map(|w| {
            let uri = w.uri.clone()?;
            (uri.starts_with("https://") || uri.starts_with("http://")).then(|| {
                let title = w.title.clone().filter(|t| !t.trim().is_empty());
                (title.unwrap_or_else(|| uri.clone()), uri)
            })
        })
        .collect()
}

/// Google's search suggestions (HTML from outside), if any.
pub fn suggestions(grounding: &GroundingMetadata) -> Option<String> {
    grounding
        .search_entry_point
        .as_ref()
        .and_then(|s| s.rendered_content.clone())
        .filter(|h| !h.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_are_listed() {
        let g: GroundingMetadata = serde_json::from_value(serde_json::json!({
            "groundingChunks": [
                {"web": {"uri": "https://a.example/x", "title": "A"}},
                {"web": {"uri": "javascript:alert(1)", "title": "bad"}},
                {"web": {"uri": "http://b.example/", "title": " "}},
                {"web": {"title": "no uri"}}
            ],
            "searchEntryPoint": {"renderedContent": "  "}
        }))
        .unwrap();
        assert_eq!(
            links(&g),
            [
                ("A".to_owned(), "https://a.example/x".to_owned()),
                (
                    "http://b.example/".to_owned(),
                    "http://b.example/".to_owned()
                )
            ]
        );
        assert_eq!(suggestions(&g), None);
    }
}
