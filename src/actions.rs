//! What the user's commands do. Each `handle_*` is one job; components call them.

use std::sync::Arc;

use gemini::naming::download_name;
use gemini::request::{human_bytes, user_content};
use gemini::response::{decode_base64, interpret};
use gemini::wire::Part;
use gemini::{Failure, Generation, Turn};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{AbortController, File};

use crate::browser::files::{read_image, to_base64};
use crate::browser::object_url::ObjectUrl;
use crate::browser::{http, now_ms};
use crate::state::{Alert, AppState, Attachment, Running, Thought, TurnView};

/// Adds image files to the composer, in order. Files that cannot be used are
/// refused one by one with a reason; the model's image limit is never passed and
/// nothing already attached is dropped.
pub fn handle_add_files(state: AppState, files: Vec<File>) {
    if files.is_empty() {
        return;
    }
    spawn_local(async move {
        let mut problems = Vec::new();
        for file in files {
            let max = state.settings.with_untracked(|s| s.caps().max_images);
            let count = state.attachments.with_untracked(Vec::len);
            if count >= max {
                let label = state.settings.with_untracked(model_name);
                problems.push(format!(
                    "\u{201c}{}\u{201d} was not added: {label} takes at most {max} reference images.",
                    file.name()
                ));
                continue;
            }
            match read_image(&file).await {
                Ok(img) => {
                    let url = match ObjectUrl::for_blob(&file) {
                        Ok(url) => url,
                        Err(_) => match ObjectUrl::from_bytes(&img.bytes, img.mime.as_str()) {
                            Ok(url) => url,
                            Err(_) => {
                                problems.push(format!(
                                    "\u{201c}{}\u{201d} could not be previewed.",
                                    img.name
                                ));
                                continue;
                            }
                        },
                    };
                    let attachment = Attachment {
                        id: state.next_id(),
                        name: img.name,
                        mime: img.mime,
                        size: img.bytes.len(),
                        base64: Arc::from(to_base64(&img.bytes)),
                        url,
                    };
                    state.attachments.update(|a| a.push(attachment));
                }
                Err(why) => problems.push(why),
            }
        }
        if problems.is_empty() {
            state.alert.set(None);
        } else {
            state.alert.set(Some(Alert {
                title: if problems.len() == 1 {
                    "An image was not added".into()
                } else {
                    format!("{} images were not added", problems.len())
                },
                detail: Some(problems.join("\n")),
                action: "Use PNG, JPEG or WebP images under 7 MB.".into(),
                retryable: false,
            }));
        }
    });
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

/// Switches model and clears the options it does not take, saying which.
pub fn handle_model_change(state: AppState, model: String) {
    let mut cleared = Vec::new();
    state.settings.update(|s| {
        s.model = model;
        cleared = s.fit_to_model();
    });
    let max = state.settings.with_untracked(|s| s.caps().max_images);
    let count = state.attachments.with_untracked(Vec::len);
    if count > max {
        cleared.push(format!(
            "this model takes {max} reference images and {count} are attached: remove {} before generating",
            count - max
        ));
    }
    state.notice.set((!cleared.is_empty()).then(|| {
        let mut text = cleared.join("; ");
        if let Some(first) = text.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        text + "."
    }));
}

pub fn handle_new_conversation(state: AppState) {
    if state.is_running() {
        return;
    }
    state.turns.set(Vec::new());
    state.alert.set(None);
}

/// Sends the composer's prompt and images as the next turn. The composer is
/// cleared only when an image comes back; a failure or Cancel keeps everything.
pub fn handle_generate(state: AppState) {
    if state.is_running() {
        return;
    }
    let settings = state.settings.get_untracked();
    let connection = state.connection.get_untracked();
    let prompt = state.prompt.get_untracked();
    let attachments = state.attachments.get_untracked();
    let next = user_content(
        &prompt,
        attachments
            .iter()
            .map(|a| Part::image(a.mime.as_str(), a.base64.to_string())),
    );
    let body = state.turns.with_untracked(|turns| {
        gemini::request::build(
            &settings,
            turns.iter().flat_map(|t| [&t.turn.user, &t.turn.model]),
            &next,
        )
        .map(|b| b.to_json())
    });
    let url = gemini::request::endpoint(&connection.base_url, &settings.model);
    let (body, url) = match (body, url) {
        (Ok(body), Ok(url)) => (body, url),
        (Err(e), _) | (_, Err(e)) => {
            show_failure(state, &Failure::Request(e), &connection.api_key);
            return;
        }
    };
    let Ok(controller) = AbortController::new() else {
        show_failure(
            state,
            &Failure::Network("this browser cannot cancel requests".into()),
            "",
        );
        return;
    };
    let signal = controller.signal();
    state.abort.set_value(Some(controller));
    let started_ms = now_ms();
    state.alert.set(None);
    state.notice.set(None);
    state.running.set(Some(Running {
        started_ms,
        prompt: prompt.clone(),
        images: attachments.len(),
    }));
    spawn_local(async move {
        let result = http::post_json(
            &url,
            connection.key_header,
            &connection.api_key,
            body,
            &signal,
        )
        .await
        .and_then(|(status, bytes)| interpret(status, &bytes));
        state.abort.set_value(None);
        state.running.set(None);
        match result.and_then(|g| turn_view(state, g, next, &prompt, &attachments, &settings)) {
            Ok(mut view) => {
                view.elapsed_ms = now_ms() - started_ms;
                state.turns.update(|t| t.push(view));
                state.prompt.set(String::new());
                state.attachments.set(Vec::new());
            }
            Err(Failure::Aborted) => state.notice.set(Some(
                "Cancelled. Your prompt and images are still here.".into(),
            )),
            Err(failure) => show_failure(state, &failure, &connection.api_key),
        }
    });
}

/// Aborts the request in flight; its turn leaves no trace.
pub fn handle_cancel(state: AppState) {
    state.abort.with_value(|c| {
        if let Some(c) = c {
            c.abort();
        }
    });
}

fn turn_view(
    state: AppState,
    gen: Generation,
    user: gemini::wire::Content,
    prompt: &str,
    attachments: &[Attachment],
    settings: &gemini::Settings,
) -> Result<TurnView, Failure> {
    let image_url = ObjectUrl::from_bytes(&gen.image, &gen.mime_type)
        .map_err(|_| Failure::BadImage("the browser could not hold the image".into()))?;
    let thoughts = gen
        .thoughts()
        .filter_map(|p| match (&p.text, &p.inline_data) {
            (Some(t), _) if !t.trim().is_empty() => Some(Thought::Text(t.clone())),
            (_, Some(d)) => decode_base64(&d.data)
                .ok()
                .and_then(|bytes| ObjectUrl::from_bytes(&bytes, &d.mime_type).ok())
                .map(Thought::Draft),
            _ => None,
        })
        .collect();
    Ok(TurnView {
        id: state.next_id(),
        prompt: prompt.to_owned(),
        user_images: attachments.iter().map(|a| a.url.clone()).collect(),
        download_name: download_name(prompt, now_ms(), gen.extension()),
        image_size: gen.image.len(),
        text: gen.text(),
        thoughts,
        finish_reason: gen.finish_reason.clone(),
        usage: gen.usage,
        model_version: gen.model_version.clone(),
        grounding: gen.grounding.clone(),
        settings: settings.clone(),
        mime_type: gen.mime_type,
        image_url,
        elapsed_ms: 0.0,
        turn: Turn {
            user,
            model: gen.content,
        },
    })
}

/// Shows a failure. The API key never appears in what the user (or a screenshot)
/// sees, even if an endpoint echoes it.
pub fn show_failure(state: AppState, failure: &Failure, api_key: &str) {
    let m = failure.message();
    let scrub = |s: String| {
        let key = api_key.trim();
        if key.len() >= 4 {
            s.replace(key, "[key hidden]")
        } else {
            s
        }
    };
    state.alert.set(Some(Alert {
        title: scrub(m.title),
        detail: m.detail.map(scrub),
        action: scrub(m.action),
        retryable: failure.retryable(),
    }));
}

fn model_name(s: &gemini::Settings) -> String {
    let caps = s.caps();
    if caps.known {
        caps.label.to_owned()
    } else {
        format!("\u{201c}{}\u{201d}", s.model)
    }
}

/// "1.2 MB PNG".
pub fn describe_image(size: usize, mime: &str) -> String {
    let kind = mime
        .strip_prefix("image/")
        .unwrap_or(mime)
        .to_ascii_uppercase();
    format!("{} {kind}", human_bytes(size as u64))
}
