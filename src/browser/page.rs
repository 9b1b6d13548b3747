//! The page itself: its origin and its Content Security Policy.

use wasm_bindgen::JsCast;

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

/// Sets `data-theme` on `<html>` (the style sheets' light or dark), or
/// removes it to follow the system.
pub fn set_theme(theme: Option<&str>) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme {
        Some(t) => root.set_attribute("data-theme", t),
        None => root.remove_attribute("data-theme"),
    };
}

/// Enables the stylesheets linked `disabled` (the release build's styles of
/// what comes after the first paint: not fetched until now).
pub fn enable_styles() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(links) = doc.query_selector_all("link[rel='stylesheet'][disabled]") {
        for i in 0..links.length() {
            if let Some(link) = links
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                let _ = link.remove_attribute("disabled");
            }
        }
    }
}

/// What the page says when the app has stopped (a panic, or the browser ran
/// out of memory for it). `index.html` says the same for a failure outside
/// Rust; the element's id keeps it from appearing twice.
pub const CRASH_TEXT: &str = "Something went wrong: your work is saved; reload to continue.";

/// Shows [`CRASH_TEXT`] with a Reload link over the page. Written with as
/// little as possible: it runs after a panic.
pub fn show_crash() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if doc.get_element_by_id("crashed").is_some() {
        return;
    }
    let (Ok(p), Ok(a), Some(body)) = (doc.create_element("p"), doc.create_element("a"), doc.body())
    else {
        return;
    };
    let _ = p.set_attribute("id", "crashed");
    let _ = p.set_attribute("role", "alert");
    p.set_text_content(Some(CRASH_TEXT));
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let _ = a.set_attribute("href", &href);
    a.set_text_content(Some("Reload"));
    let _ = p.append_child(&a);
    let _ = body.append_child(&p);
}

/// The page's fragment, without its `#` (empty when none).
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.strip_prefix('#').map(str::to_owned).unwrap_or(h))
        .unwrap_or_default()
}

/// The page's address without its fragment.
pub fn address_without_fragment() -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match href.split_once('#') {
        Some((before, _)) => before.to_owned(),
        None => href,
    }
}

/// The app's own address: origin and path, without the query (which may
/// hold someone's tokens or tracking) or the fragment.
pub fn app_address() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// Removes the fragment from the address bar without a navigation (a reload
/// then does not read it again).
pub fn clear_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&address_without_fragment()),
        );
    }
}
