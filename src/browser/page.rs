//! The page itself: its origin and its Content Security Policy.

/// `scheme://host[:port]` of this page.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The policy of the page's `<meta http-equiv="Content-Security-Policy">`, if
/// any (a policy sent as an HTTP header is not visible to the page).
pub fn meta_csp() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    doc.query_selector("meta[http-equiv='Content-Security-Policy' i]")
        .ok()
        .flatten()?
        .get_attribute("content")
}
