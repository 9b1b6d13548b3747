//! Get code: the request of a turn, or the one Generate would send now, as
//! programs (curl, Python, JavaScript) to copy, or to download in a ZIP with the
//! images they read.

use std::sync::Arc;

use formats::zip::Modified;
use gemini::request::{user_content, RequestBody};
use gemini::wire::Part;
use gemini::KeyHeader;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::lazy::{self, load, split_point, CodeRequest, NotLoaded};
use super::show;
use crate::browser::download::{download_blob, Pieces};
use crate::browser::{clipboard, now_ms, page};
use crate::error::AppError;
use crate::model::code::{absolute_base, turn_request, GotCode, Subject, ZipFailure};
use crate::model::conversation;
use crate::state::AppState;

/// Opens Get code for turn `turn_id` of the conversation on screen: the request
/// it sent (the conversation before it with the variants chosen now, its
/// prompt, images and settings), to the base URL and key header set now.
pub fn handle_get_code_for_turn(state: AppState, turn_id: u64) {
    let Some(index) = state
        .turns
        .with_untracked(|t| t.iter().position(|t| t.id == turn_id))
    else {
        return;
    };
    let connection = state.connection.get_untracked();
    let base = absolute_base(&connection.base_url, &page::origin());
    let got = state.with_history(|turns| {
        let model = turns
            .get(index)
            .map(|(t, _)| t.settings.model.clone())
            .unwrap_or_default();
        match turn_request(turns, index) {
            Some(Ok(body)) => Ok(code_request(
                Subject::Turn(index + 1),
                &body,
                &base,
                &model,
                connection.key_header,
            )),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("That turn is no longer in the conversation.".to_owned()),
        }
    });
    open(state, got);
}

/// Opens Get code for the request Generate would send now: the conversation,
/// the composer's prompt and images, the settings, the connection. The
/// request is made where its programs are written (chunk `code`).
pub fn handle_get_code_for_next(state: AppState) {
    if super::attachments::after_adding(state, handle_get_code_for_next, "Get code") {
        return;
    }
    spawn_local(async move {
        let writing = async { load!(next_code_chunk(state)) };
        opened(state, lazy::said_while(state, "Get code", writing).await);
    });
}

split_point!(
    code,
    /// The request Generate would send now, written as programs.
    fn next_code_chunk(state: AppState) -> Result<GotCode, String> {
        next_request(state).and_then(lazy::write_code)
    }
);

/// The request Generate would send now, for the code generator.
fn next_request(state: AppState) -> Result<CodeRequest, String> {
    let settings = state.settings.get_untracked();
    let connection = state.connection.get_untracked();
    let prompt = state.prompt.get_untracked();
    let next = state.attachments.with_untracked(|attachments| {
        user_content(
            &prompt,
            attachments
                .iter()
                .map(|a| Part::image_shared(a.mime.as_str(), a.base64.clone())),
        )
    });
    let base = absolute_base(&connection.base_url, &page::origin());
    state.with_history(|turns| {
        conversation::request(&settings, turns.iter().copied(), &next)
            .map_err(|e| e.to_string())
            .map(|body| {
                code_request(
                    Subject::Next,
                    &body,
                    &base,
                    &settings.model,
                    connection.key_header,
                )
            })
    })
}

/// What the code generator needs, owned (it may have to wait for its chunk,
/// see [`lazy::got_code`]). The images are shared, not copied.
fn code_request(
    subject: Subject,
    body: &RequestBody<'_>,
    base: &str,
    model: &str,
    key_header: KeyHeader,
) -> CodeRequest {
    CodeRequest {
        subject,
        body: RequestBody {
            contents: body
                .contents
                .iter()
                .map(|c| std::borrow::Cow::Owned(c.as_ref().clone()))
                .collect(),
            generation_config: body.generation_config.clone(),
            tools: body.tools.clone(),
        },
        base: base.to_owned(),
        model: model.to_owned(),
        key_header,
    }
}

/// Writes the programs and opens the dialog, or says why not.
fn open(state: AppState, request: Result<CodeRequest, String>) {
    let request = match request {
        Ok(r) => r,
        Err(why) => return show(state, AppError::NoCode(why)),
    };
    spawn_local(async move {
        opened(
            state,
            lazy::said_while(state, "Get code", lazy::got_code(request)).await,
        );
    });
}

/// Opens the dialog with the programs written, or says why not.
fn opened(state: AppState, written: Result<Result<GotCode, String>, NotLoaded>) {
    match written {
        Ok(Ok(code)) => state.code.set(Some(Arc::new(code))),
        Ok(Err(why)) => show(state, AppError::NoCode(why)),
        Err(NotLoaded) => show(state, AppError::NotLoaded("Get code")),
    }
}

/// Closes the dialog; the code (and the images it holds) is let go.
pub fn handle_close_code(state: AppState) {
    state.code.set(None);
}

/// Copies `text` (one program) to the clipboard; `status` says whether it worked.
pub fn handle_copy_code(text: String, what: &'static str, status: RwSignal<String>) {
    status.set(String::new());
    spawn_local(async move {
        status.set(match clipboard::copy_text(&text).await {
            Ok(()) => format!("Copied the {what} code."),
            Err(why) => format!(
                "Not copied: the browser refused ({why}). Select the code and copy it by hand."
            ),
        });
    });
}

/// Saves the ZIP: README.txt, the three programs and the image files they
/// read, in one folder. Images are decoded one at a time and handed to the
/// browser as they are, so the ZIP is never whole in wasm memory.
pub fn handle_download_code(got: Arc<GotCode>, status: RwSignal<String>) {
    let name = format!("{}.zip", got.folder());
    let offset = -js_sys::Date::new_0().get_timezone_offset();
    let modified = Modified {
        unix_ms: now_ms(),
        utc_offset_minutes: offset as i32,
    };
    let mut pieces = Pieces::default();
    let written = got
        .write_zip(modified, |piece| pieces.push(piece))
        .map_err(|e| match e {
            ZipFailure::Code(e) => e.to_string(),
            ZipFailure::Zip(why) => why,
            ZipFailure::Put(_) => "the browser could not hold the file".to_owned(),
        })
        .and_then(|()| {
            pieces
                .into_blob("application/zip")
                .and_then(|blob| download_blob(&blob, &name))
                .map_err(|_| "the browser would not save the file".to_owned())
        });
    status.set(match written {
        Ok(()) => format!("Saved {name}."),
        Err(why) => format!("{name} was not saved: {why}. Try again."),
    });
}
