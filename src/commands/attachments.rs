//! Reference images in the composer: added from files (picked, dropped,
//! pasted), from a generated image, or from the kept draft; reordered; removed.

use std::sync::Arc;

use gemini::mime::ImageMime;
use gemini::request::decoded_len;
use gemini::Failure;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::File;

use super::show;
use crate::browser::files::to_base64;
use crate::browser::object_url::{ObjectUrl, SharedUrl};
use crate::browser::reencode::prepare;
use crate::error::AppError;
use crate::model::limits::room_for_one;
use crate::state::{Answer, AppState, Attachment, Deferred};

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

/// Adds image files to the composer, in order. Files that cannot be used are
/// refused one by one with a reason; the model's image limit is never passed and
/// nothing already attached is dropped. While they are read, `adding` counts
/// them, and Generate or Get code pressed meanwhile waits for them
/// ([`after_adding`]).
pub fn handle_add_files(state: AppState, files: Vec<File>) {
    if files.is_empty() {
        return;
    }
    let count = files.len();
    state.adding.update(|n| *n += count);
    spawn_local(async move {
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        for file in files {
            match add_file(state, &file).await {
                Ok(Some(note)) => notes.push(note),
                Ok(None) => {}
                Err(why) => problems.push(why),
            }
        }
        state.adding.update(|n| *n = n.saturating_sub(count));
        if !notes.is_empty() {
            state.notice.set(Some(notes.join(" ")));
        }
        if problems.is_empty() {
            state.alert.set(None);
        } else {
            // An image the person meant to send was refused: the command that
            // waited for it does not run without it.
            if let Some(d) = state.after_adding.try_update(Option::take).flatten() {
                state.notice.set(Some(format!(
                    "{} was not started: an image was not added (see why below).",
                    d.what
                )));
            }
            show(state, AppError::NotAdded(problems));
        }
        if state.adding.get_untracked() == 0 {
            if let Some(d) = state.after_adding.try_update(Option::take).flatten() {
                if state.is_running() {
                    // A request started meanwhile (a region edit): this one
                    // does not run on top of it.
                    state.notice.set(Some(format!(
                        "{} was not started: another request is running. Press it again when that one is done.",
                        d.what
                    )));
                    return;
                }
                // "… starts when the images are in" has come true (another
                // notice, such as how an image was re-encoded, stays).
                if state.notice.with_untracked(|n| {
                    n.as_deref()
                        .is_some_and(|n| n.starts_with(&waiting_notice(d.what)))
                }) {
                    state.notice.set(None);
                }
                (d.command)(state);
            }
        }
    });
}

/// Reads one file into the composer: its note (re-encoded, resized…), if any,
/// or why it was not added.
async fn add_file(state: AppState, file: &File) -> Result<Option<String>, String> {
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

/// Runs `command` now, or, while images are being added, once they are in
/// (saying so). True if it was put off.
pub fn after_adding(state: AppState, command: fn(AppState), what: &'static str) -> bool {
    if state.adding.get_untracked() == 0 {
        return false;
    }
    state.after_adding.set(Some(Deferred { command, what }));
    state.notice.set(Some(format!(
        "{} (Cancel to call it off).",
        waiting_notice(what)
    )));
    true
}

/// What the composer says while `what` waits for images being added.
fn waiting_notice(what: &str) -> String {
    format!("{what} starts when the images being added are in")
}

pub fn handle_remove_attachment(state: AppState, id: u64) {
    state.attachments.update(|a| a.retain(|x| x.id != id));
}

/// Moves an attachment one place earlier (`-1`) or later (`1`); the order is the
/// order of the images in the request.
pub fn handle_move_attachment(state: AppState, id: u64, delta: isize) {
    state.attachments.update(|a| {
        if let Some(i) = a.iter().position(|x| x.id == id) {
            let j = i as isize + delta;
            if j >= 0 && (j as usize) < a.len() {
                a.swap(i, j as usize);
            }
        }
    });
}

/// Attaches a generated image as a reference for the next turn, as the API sent it.
pub fn handle_use_as_reference(state: AppState, answer: Arc<Answer>) {
    let Some(img) = answer.final_image() else {
        return;
    };
    let Some(mime) = ImageMime::parse(&img.mime_type) else {
        show(
            state,
            Failure::BadImage(format!("{} cannot be sent back to the API", img.mime_type)),
        );
        return;
    };
    let count = state.attachments.with_untracked(Vec::len);
    if let Err(limit) = state.settings.with_untracked(|s| room_for_one(count, s)) {
        show(state, AppError::ReferenceLimit(limit));
        return;
    }
    let attachment = Attachment {
        id: state.next_id(),
        name: answer.download_name.clone(),
        mime,
        size: decoded_len(&img.data),
        base64: img.data.clone(),
        url: answer.image.clone(),
        note: None,
    };
    state.attachments.update(|a| a.push(attachment));
}
