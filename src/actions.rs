//! What the user's commands do. Each `handle_*` is one job; components call them.

use std::sync::Arc;

use gemini::mime::ImageMime;
use gemini::naming::download_name;
use gemini::request::{decoded_len, human_bytes, user_content};
use gemini::response::interpret_with;
use gemini::wire::{Content, Part};
use gemini::{Failure, Generation};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{AbortController, File};

use crate::browser::files::to_base64;
use crate::browser::object_url::ObjectUrl;
use crate::browser::reencode::prepare;
use crate::browser::{base64, http, now_ms};
use crate::state::{
    Alert, Answer, AppState, Attachment, Conversation, ConversationMeta, Running, Thought,
    TurnView, Variant,
};

/// Adds image files to the composer, in order. Files that cannot be used are
/// refused one by one with a reason; the model's image limit is never passed and
/// nothing already attached is dropped.
pub fn handle_add_files(state: AppState, files: Vec<File>) {
    if files.is_empty() {
        return;
    }
    spawn_local(async move {
        let mut problems = Vec::new();
        let mut notes = Vec::new();
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
            match prepare(&file).await {
                Ok(prepared) => {
                    let img = prepared.image;
                    let url = if prepared.note.is_none() {
                        ObjectUrl::for_blob(&file)
                    } else {
                        ObjectUrl::from_bytes(&img.bytes, img.mime.as_str())
                    };
                    let url = match url {
                        Ok(url) => url,
                        Err(_) => {
                            problems.push(format!(
                                "\u{201c}{}\u{201d} could not be previewed.",
                                img.name
                            ));
                            continue;
                        }
                    };
                    if let Some(note) = &prepared.note {
                        notes.push(note.clone());
                    }
                    let attachment = Attachment {
                        id: state.next_id(),
                        name: img.name,
                        mime: img.mime,
                        size: img.bytes.len(),
                        base64: Arc::new(to_base64(&img.bytes)),
                        url,
                        note: prepared.note,
                    };
                    state.attachments.update(|a| a.push(attachment));
                }
                Err(why) => problems.push(why),
            }
        }
        if !notes.is_empty() {
            state.notice.set(Some(notes.join(" ")));
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
                action:
                    "Use PNG, JPEG or WebP images (others are converted where the browser can)."
                        .into(),
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

/// Puts the conversation on screen aside and starts an empty one.
pub fn handle_new_conversation(state: AppState) {
    if state.is_running() {
        return;
    }
    // Every conversation there is: kept, of this session, and the one on screen.
    let mut ids: std::collections::BTreeSet<String> = state
        .history
        .with_untracked(|h| h.iter().map(|c| c.id.clone()).collect());
    state
        .others
        .with_untracked(|o| ids.extend(o.iter().map(|c| c.meta.id.clone())));
    ids.insert(state.current.with_untracked(|c| c.id.clone()));
    let label = format!("Conversation {}", ids.len() + 1);
    switch_to(
        state,
        Conversation {
            meta: ConversationMeta::new(label),
            turns: Vec::new(),
        },
    );
}

/// Shows another conversation of this session; the current one is kept.
pub fn handle_switch_conversation(state: AppState, id: String) {
    if state.is_running() || state.current.with_untracked(|c| c.id == id) {
        return;
    }
    let mut target = None;
    state.others.update(|o| {
        if let Some(i) = o.iter().position(|c| c.meta.id == id) {
            target = Some(o.remove(i));
        }
    });
    if let Some(c) = target {
        switch_to(state, c);
    }
}

/// Starts a branch holding the turns up to and including `turn_id`; the
/// original conversation is kept whole.
pub fn handle_edit_from_here(state: AppState, turn_id: u64) {
    if state.is_running() {
        return;
    }
    let turns = state.turns.get_untracked();
    let Some(keep) = turns.iter().position(|t| t.id == turn_id) else {
        return;
    };
    let branch: Vec<TurnView> = turns[..=keep]
        .iter()
        .map(|t| TurnView {
            id: state.next_id(),
            saved: false,
            ..t.clone()
        })
        .collect();
    let label = format!(
        "{} · branch at turn {}",
        state.current.with_untracked(|c| c.label.clone()),
        keep + 1
    );
    switch_to(
        state,
        Conversation {
            meta: ConversationMeta::new(label),
            turns: branch,
        },
    );
    // The branch is a conversation of its own, kept like any other.
    spawn_local(async move {
        if let Err(alert) = crate::history::save_turns(state, None, false).await {
            state.alert.set(Some(alert));
        }
    });
    state.notice.set(Some(format!(
        "Editing from turn {}: the next prompt changes that image. The original conversation is kept.",
        keep + 1
    )));
}

/// Puts `next` on screen. The conversation leaving it stays in memory only if
/// some of it is not in browser storage: a stored one is read back from there
/// when opened again, so its images (base64 and object URLs) are freed now.
pub(crate) fn switch_to(state: AppState, next: Conversation) {
    let turns = state.turns.get_untracked();
    let meta = state.current.get_untracked();
    let stored = state.store.with_value(Option::is_some) && turns.iter().all(|t| t.saved);
    if !turns.is_empty() && !stored {
        state
            .others
            .update(|o| o.insert(0, Conversation { meta, turns }));
    }
    state.current.set(next.meta);
    state.turns.set(next.turns);
    state.alert.set(None);
}

/// Makes variant `index` of a turn the model turn sent in later requests.
pub fn handle_choose_variant(state: AppState, turn_id: u64, index: usize) {
    let mut changed = false;
    state.turns.update(|turns| {
        if let Some(t) = turns.iter_mut().find(|t| t.id == turn_id) {
            if t.chosen != index && matches!(t.variants.get(index), Some(Variant::Done(_))) {
                t.chosen = index;
                changed = true;
            }
        }
    });
    if changed {
        spawn_local(async move {
            if let Err(alert) = crate::history::save_turns(state, Some(turn_id), false).await {
                state.alert.set(Some(alert));
            }
        });
    }
}

/// Attaches a generated image as a reference for the next turn, as the API sent it.
pub fn handle_use_as_reference(state: AppState, answer: Arc<Answer>) {
    let Some(img) = answer.final_image() else {
        return;
    };
    let Some(mime) = ImageMime::parse(&img.mime_type) else {
        show_failure(
            state,
            &Failure::BadImage(format!("{} cannot be sent back to the API", img.mime_type)),
            "",
        );
        return;
    };
    let max = state.settings.with_untracked(|s| s.caps().max_images);
    if state.attachments.with_untracked(Vec::len) >= max {
        state.alert.set(Some(Alert {
            title: "The image was not added".into(),
            detail: None,
            action: format!(
                "{} takes at most {max} reference images. Remove one first.",
                state.settings.with_untracked(model_name)
            ),
            retryable: false,
        }));
        return;
    }
    let attachment = Attachment {
        id: state.next_id(),
        name: answer.download_name.clone(),
        mime,
        size: decoded_len(&img.data),
        base64: img.data.clone(),
        url: answer.image_url.clone(),
        note: None,
    };
    state.attachments.update(|a| a.push(attachment));
}

/// Sends the composer's prompt and images as the next turn, as one request per
/// variant in parallel. The composer is cleared only when an image comes back; a
/// failure or Cancel keeps everything and leaves no trace in the conversation.
pub fn handle_generate(state: AppState) {
    if state.is_running() {
        return;
    }
    let settings = state.settings.get_untracked();
    let connection = state.connection.get_untracked();
    let prompt = state.prompt.get_untracked();
    let attachments = state.attachments.get_untracked();
    let count = state
        .variants
        .get_untracked()
        .clamp(1, crate::state::MAX_VARIANTS);
    let next = user_content(
        &prompt,
        attachments
            .iter()
            .map(|a| Part::image_shared(a.mime.as_str(), a.base64.clone())),
    );
    let body = state.turns.with_untracked(|turns| {
        let history: Vec<&Content> = turns
            .iter()
            .filter_map(|t| Some([&t.user, &t.answer()?.model]))
            .flatten()
            .collect();
        gemini::request::build(&settings, history, &next).map(|b| b.to_json())
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
        variants: count,
    }));
    spawn_local(async move {
        // The pending turn paints before the body is handed to the browser.
        crate::browser::next_task().await;
        let requests = (0..count).map(|_| {
            let (url, body, signal, key, prompt) =
                (&url, &body, &signal, &connection.api_key, &prompt);
            async move {
                let result = http::post_json(url, connection.key_header, key, body, signal)
                    .await
                    .and_then(|(status, bytes)| interpret_with(status, bytes, base64::decode))
                    .and_then(|g| answer(g, prompt, now_ms() - started_ms));
                result
            }
        });
        let results = futures::future::join_all(requests).await;
        state.abort.set_value(None);
        let mut variants = Vec::new();
        let mut first_failure = None;
        for r in results {
            match r {
                Ok(a) => variants.push(Variant::Done(Arc::new(a))),
                Err(Failure::Aborted) => {}
                Err(f) => {
                    variants.push(Variant::Failed(alert_for(&f, &connection.api_key)));
                    first_failure.get_or_insert(f);
                }
            }
        }
        let Some(chosen) = variants.iter().position(|v| matches!(v, Variant::Done(_))) else {
            state.running.set(None);
            match first_failure {
                Some(f) => show_failure(state, &f, &connection.api_key),
                None => state.notice.set(Some(
                    "Cancelled. Your prompt and images are still here.".into(),
                )),
            }
            return;
        };
        let view = TurnView {
            id: state.next_id(),
            prompt,
            user: next,
            user_images: attachments.iter().map(|a| a.url.clone()).collect(),
            settings,
            variants,
            chosen,
            created_ms: now_ms(),
            saved: false,
        };
        // The turn shows at once; saving follows (the turn says "Saving…"
        // meanwhile), and a failure is an alert: the turn stays on the page,
        // downloadable. The composer's draft goes in the same transaction.
        state.running.set(None);
        state.turns.update(|t| t.push(view));
        state.prompt.set(String::new());
        state.attachments.set(Vec::new());
        if let Err(alert) = crate::history::save_turns(state, None, true).await {
            state.alert.set(Some(alert));
        }
    });
}

/// Aborts the requests in flight; their turn leaves no trace.
pub fn handle_cancel(state: AppState) {
    state.abort.with_value(|c| {
        if let Some(c) = c {
            c.abort();
        }
    });
}

pub(crate) fn answer(gen: Generation, prompt: &str, elapsed_ms: f64) -> Result<Answer, Failure> {
    let image_url = ObjectUrl::from_bytes(&gen.image, &gen.mime_type)
        .map_err(|_| Failure::BadImage("the browser could not hold the image".into()))?;
    let thoughts = gen
        .thoughts()
        .filter_map(|p| match (&p.text, &p.inline_data) {
            (Some(t), _) if !t.trim().is_empty() => Some(Thought::Text(t.clone())),
            (_, Some(d)) => base64::decode(&d.data)
                .ok()
                .and_then(|bytes| ObjectUrl::from_bytes(&bytes, &d.mime_type).ok())
                .map(Thought::Draft),
            _ => None,
        })
        .collect();
    Ok(Answer {
        download_name: download_name(prompt, now_ms(), gen.extension()),
        image_size: gen.image.len(),
        text: gen.text(),
        thoughts,
        finish_reason: gen.finish_reason.clone(),
        usage: gen.usage,
        model_version: gen.model_version.clone(),
        grounding: gen.grounding.clone(),
        mime_type: gen.mime_type,
        image_url,
        elapsed_ms,
        model: gen.content,
    })
}

/// Shows a failure. The API key never appears in what the user (or a screenshot)
/// sees, even if an endpoint echoes it.
pub fn show_failure(state: AppState, failure: &Failure, api_key: &str) {
    state.alert.set(Some(alert_for(failure, api_key)));
}

fn alert_for(failure: &Failure, api_key: &str) -> Alert {
    let m = failure.message();
    let scrub = |s: String| {
        let key = api_key.trim();
        if key.len() >= 4 {
            s.replace(key, "[key hidden]")
        } else {
            s
        }
    };
    Alert {
        title: scrub(m.title),
        detail: m.detail.map(scrub),
        action: scrub(m.action),
        retryable: failure.retryable(),
    }
}

fn model_name(s: &gemini::Settings) -> String {
    let caps = s.caps();
    if caps.known {
        caps.label.to_owned()
    } else {
        format!("\u{201c}{}\u{201d}", s.model)
    }
}

/// "12.3 s" from milliseconds, in integer arithmetic (float formatting weighs
/// several KiB of wasm).
pub fn seconds(ms: f64) -> String {
    let tenths = (ms.max(0.0) / 100.0) as u64;
    format!("{}.{} s", tenths / 10, tenths % 10)
}

/// "1.2 MB PNG".
pub fn describe_image(size: usize, mime: &str) -> String {
    let kind = mime
        .strip_prefix("image/")
        .unwrap_or(mime)
        .to_ascii_uppercase();
    format!("{} {kind}", human_bytes(size as u64))
}
