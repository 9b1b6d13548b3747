//! Keeping the keyboard inside an open modal dialog.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

const FOCUSABLE: &str =
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
select:not([disabled]), textarea:not([disabled]), summary, iframe, [tabindex]:not([tabindex='-1'])";

/// On Tab or Shift+Tab while a modal dialog is open, wraps the focus from its
/// last control to its first (and back) instead of letting it leave the
/// page; a focus found outside the dialog is brought back in. Returns whether
/// it moved the focus (the key's default is then prevented).
pub fn trap_tab(ev: &KeyboardEvent) -> bool {
    if ev.key() != "Tab" {
        return false;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    // The dialog on top: the open one that has the focus (opening a modal
    // dialog moves the focus into it), else the last open one.
    let Ok(open) = doc.query_selector_all("dialog[open]") else {
        return false;
    };
    let open: Vec<web_sys::Element> = (0..open.length())
        .filter_map(|i| open.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .collect();
    let focused = doc.active_element();
    let Some(dialog) = open
        .iter()
        .find(|d| {
            focused
                .as_ref()
                .is_some_and(|a| d.contains(Some(a.as_ref())))
        })
        .or(open.last())
        .cloned()
    else {
        return false;
    };
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return false;
    };
    let items: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .filter(|e| e.get_client_rects().length() > 0)
        .collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return false;
    };
    let active = doc.active_element();
    let inside = active
        .as_ref()
        .is_some_and(|a| dialog.contains(Some(a.as_ref())));
    let at = |e: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == AsRef::<web_sys::Element>::as_ref(e))
    };
    let target = if !inside {
        Some(if ev.shift_key() { last } else { first })
    } else if ev.shift_key() && at(first) {
        Some(last)
    } else if !ev.shift_key() && at(last) {
        Some(first)
    } else {
        None
    };
    match target {
        Some(t) => {
            let _ = t.focus();
            true
        }
        None => false,
    }
}
