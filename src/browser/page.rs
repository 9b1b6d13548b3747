//! The page itself: its origin, its Content Security Policy, and small files
//! served beside it (`config.json`).

use gloo_net::http::Request;

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

/// GETs `path` relative to the document base (so under a sub-path it is the
/// file beside this `index.html`), bypassing stale caches. Returns the status,
/// the content type and the text.
pub async fn get_text(path: &str) -> Result<(u16, String, String), String> {
    let resp = Request::get(path)
        .cache(web_sys::RequestCache::NoCache)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    let content_type = resp.headers().get("content-type").unwrap_or_default();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    Ok((status, content_type, text))
}
