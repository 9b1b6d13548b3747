//! Reading an image file into the composer (checked, re-encoded or resized
//! to fit the API, base64-encoded once). In the split build this is in the
//! chunk loaded right after the first paint (`later`, reached through
//! `super::attachments::add_chunk`).

use std::sync::Arc;

use gemini::mime::ImageMime;
use leptos::prelude::*;
use web_sys::File;

use crate::browser::files::to_base64;
use crate::browser::object_url::{ObjectUrl, SharedUrl};
use crate::browser::reencode::prepare;
use crate::model::limits::room_for_one;
use crate::state::{AppState, Attachment};

/// An attachment of `bytes`, shown by `url`.
pub fn from_bytes(
    state: AppState,
    name: String,
    mime: ImageMime,
    bytes: &[u8],
    url: SharedUrl,
    note: Option<String>,
) -> Attachment {
    Attachment {
        id: state.next_id(),
        name,
        mime,
        size: bytes.len(),
        base64: Arc::new(to_base64(bytes)),
        url,
        note,
    }
}

/// Reads one file into the composer: its note (re-encoded, resized…), if any,
/// or why it was not added.
pub async fn add_file(state: AppState, file: &File) -> Result<Option<String>, String> {
    let count = state.attachments.with_untracked(Vec::len);
    if let Err(limit) = state.settings.with_untracked(|s| room_for_one(count, s)) {
        return Err(format!(
            "\u{201c}{}\u{201d} was not added: {limit}.",
            file.name()
        ));
    }
    let prepared = prepare(file).await?;
    let img = prepared.image;
    // A Blob of the bytes read, never the File itself: a draft or turn stored
    // in IndexedDB must not depend on a file the person may move or delete (a
    // file-backed Blob may be kept as a reference to it).
    let Ok(url) = ObjectUrl::from_bytes(&img.bytes, img.mime.as_str()) else {
        return Err(format!(
            "\u{201c}{}\u{201d} could not be previewed.",
            img.name
        ));
    };
    let note = prepared.note.clone();
    let attachment = from_bytes(state, img.name, img.mime, &img.bytes, url, prepared.note);
    state.attachments.update(|a| a.push(attachment));
    Ok(note)
}
