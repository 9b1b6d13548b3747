//! Reference images in the composer: added from files (picked, dropped,
//! pasted), from a generated image, or from the kept draft; reordered; removed.

use std::sync::Arc;

use gemini::mime::ImageMime;
use gemini::request::decoded_len;
use gemini::Failure;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::File;

use super::lazy::{self, load, split_point, NotLoaded};
use super::show;
use crate::error::AppError;
use crate::model::limits::room_for_one;
use crate::state::{Answer, AppState, Attachment, Deferred};

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
        let loading = async { load!(add_chunk(state, files, count)) };
        match lazy::said_while(state, "Add images", loading).await {
            Ok(adding) => adding.await,
            // The image reading code (loaded after the first paint) did not
            // come: none of the images is added.
            Err(NotLoaded) => {
                state.adding.update(|n| *n = n.saturating_sub(count));
                if let Some(d) = state.after_adding.try_update(Option::take).flatten() {
                    state.notice.set(Some(format!(
                        "{} was not started: the images were not added (see why below).",
                        d.what
                    )));
                }
                show(state, AppError::NotLoaded("Add images"));
            }
        }
    });
}

split_point!(
    later,
    /// Reading image files into the composer, and what follows.
    fn add_chunk(state: AppState, files: Vec<File>, count: usize) -> lazy::Boxed<()> {
        Box::pin(add_files(state, files, count))
    }
);

/// Reads `files` (`count` of them, counted in `adding`) into the composer, in
/// order, then runs the command that waited for them, if any (in the chunk
/// the image reading is in, `later`).
async fn add_files(state: AppState, files: Vec<File>, count: usize) {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for file in files {
        match super::adding::add_file(state, &file).await {
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
        super::clear_alert(state);
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
