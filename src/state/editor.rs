//! The image tools' signals: which image the viewer shows, and the control
//! that opened it (focus goes back to it on close).

use leptos::prelude::*;

use crate::browser::object_url::SharedUrl;

/// Provided once by the conversation view; the result images open the viewer
/// through it.
#[derive(Clone, Copy)]
pub struct EditorState {
    /// The object URL of the image the viewer shows (open while set).
    pub viewing: RwSignal<Option<String>>,
    /// The image the region editor edits (open while set).
    pub editing: RwSignal<Option<SharedUrl>>,
    /// The image being annotated (open while set).
    pub annotating: RwSignal<Option<SharedUrl>>,
    /// What had focus when a tool opened: focused again when it closes.
    pub opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
}

impl EditorState {
    pub fn new() -> Self {
        Self {
            viewing: RwSignal::new(None),
            editing: RwSignal::new(None),
            annotating: RwSignal::new(None),
            opener: StoredValue::new_local(None),
        }
    }

    /// Opens the viewer on `url`; `opener` gets focus back when it closes.
    pub fn view(&self, url: String, opener: Option<web_sys::HtmlElement>) {
        self.opener.set_value(opener);
        self.viewing.set(Some(url));
    }

    /// Opens the region editor on `image`.
    pub fn edit(&self, image: SharedUrl, opener: Option<web_sys::HtmlElement>) {
        self.opener.set_value(opener);
        self.editing.set(Some(image));
    }

    /// Opens Annotate on `image`.
    pub fn annotate(&self, image: SharedUrl, opener: Option<web_sys::HtmlElement>) {
        self.opener.set_value(opener);
        self.annotating.set(Some(image));
    }

    /// Gives focus back to what opened the last tool.
    pub fn refocus(&self) {
        if let Some(el) = self.opener.try_update_value(Option::take).flatten() {
            let _ = el.focus();
        }
    }
}

impl Default for EditorState {
    fn default() -> Self {
        Self::new()
    }
}
