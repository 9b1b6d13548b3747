//! Generating a turn: the composer's prompt and images sent as one request per
//! variant, in parallel; Cancel; and the answers made ready to show.

use std::sync::Arc;

use gemini::request::user_content;
use gemini::response::interpret_with;
use gemini::wire::Part;
use gemini::{Failure, Generation};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use super::{alert_for, persistence, show};
use crate::browser::object_url::ObjectUrl;
use crate::browser::{base64, http, next_task, now_ms};
use crate::model::conversation;
use crate::model::TurnData;
use crate::state::{Answer, AppState, Job, Prepared, Turn, Variant, MAX_VARIANTS};

/// The command that generates a turn. Its input is the turn in flight (what
/// the pending turn shows); dropping its work (Cancel) aborts the requests.
pub fn action() -> Action<Job, ()> {
    Action::new_local(|job: &Job| run(job.clone()))
}

/// Aborts the requests it was made for when dropped: when the work finishes,
/// and when it is cancelled (its future is dropped).
struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Sends the composer's prompt and images as the next turn. The composer is
/// cleared only when an image comes back; a failure or Cancel keeps everything
/// and leaves no trace in the conversation.
pub fn handle_generate(state: AppState) {
    if state.is_running() {
        return;
    }
    let prompt = state.prompt.get_untracked();
    let prepared = match prepare(state, &prompt) {
        Ok(p) => p,
        Err(f) => {
            show(state, f);
            return;
        }
    };
    let job = Job {
        state,
        started_ms: now_ms(),
        prompt,
        images: prepared.user_images.len(),
        variants: state.variants.get_untracked().clamp(1, MAX_VARIANTS),
        prepared: Arc::new(prepared),
    };
    state.alert.set(None);
    state.notice.set(None);
    let handle = state.generation.dispatch_local(job);
    state.cancel.set_value(Some(handle));
}

/// The request for the composer's prompt and images after the conversation.
fn prepare(state: AppState, prompt: &str) -> Result<Prepared, Failure> {
    let settings = state.settings.get_untracked();
    let connection = state.connection.get_untracked();
    let attachments = state.attachments.get_untracked();
    let next = user_content(
        prompt,
        attachments
            .iter()
            .map(|a| Part::image_shared(a.mime.as_str(), a.base64.clone())),
    );
    let body = state.with_history(|turns| {
        conversation::request(&settings, turns.iter().copied(), &next).map(|b| b.to_json())
    })?;
    let url = gemini::request::endpoint(&connection.base_url, &settings.model)?;
    Ok(Prepared {
        url,
        body,
        next,
        user_images: attachments.iter().map(|a| a.url.clone()).collect(),
        settings,
        connection,
    })
}

/// Stops the turn in flight at once; it leaves no trace.
pub fn handle_cancel(state: AppState) {
    if let Some(handle) = state.cancel.try_update_value(Option::take).flatten() {
        handle.abort();
        state.notice.set(Some(
            "Cancelled. Your prompt and images are still here.".into(),
        ));
    }
}

async fn run(job: Job) {
    let Job {
        state,
        started_ms,
        prompt,
        variants: count,
        prepared,
        ..
    } = job;
    let Ok(controller) = AbortController::new() else {
        state.cancel.set_value(None);
        show(
            state,
            Failure::Network("this browser cannot cancel requests".into()),
        );
        return;
    };
    let signal = controller.signal();
    let _abort = AbortOnDrop(controller);
    // The pending turn paints before the body is handed to the browser.
    next_task().await;
    let p = &*prepared;
    let requests = (0..count).map(|_| {
        let (signal, prompt) = (&signal, &prompt);
        async move {
            http::post_json(
                &p.url,
                p.connection.key_header,
                &p.connection.api_key,
                &p.body,
                signal,
            )
            .await
            .and_then(|(status, bytes)| interpret_with(status, bytes, base64::decode))
            .and_then(|g| answer(g, prompt, now_ms() - started_ms))
        }
    });
    let results = futures::future::join_all(requests).await;
    state.cancel.set_value(None);
    let mut variants = Vec::new();
    let mut first_failure = None;
    for r in results {
        match r {
            Ok(a) => variants.push(Variant::Done(Arc::new(a))),
            Err(Failure::Aborted) => {}
            Err(f) => {
                variants.push(Variant::Failed(alert_for(&p.connection.api_key, f.clone())));
                first_failure.get_or_insert(f);
            }
        }
    }
    let data = TurnData {
        prompt,
        user: p.next.clone(),
        user_images: p.user_images.clone(),
        settings: p.settings.clone(),
        variants,
        created_ms: now_ms(),
    };
    let Some(chosen) = data.first_answer() else {
        match first_failure {
            Some(f) => show(state, f),
            None => state.notice.set(Some(
                "Cancelled. Your prompt and images are still here.".into(),
            )),
        }
        return;
    };
    // The turn shows at once; saving follows (the turn says "Saving…"
    // meanwhile), and a failure is an alert: the turn stays on the page,
    // downloadable. The composer's draft goes in the same transaction.
    state
        .turns
        .update(|t| t.push(Turn::new(state.next_id(), data, chosen, false)));
    state.prompt.set(String::new());
    state.attachments.set(Vec::new());
    spawn_local(async move {
        if let Err(e) = persistence::save_turns(state, None, true).await {
            show(state, e);
        }
    });
}

/// An answer ready to show: the final image and the drafts as object URLs.
pub fn answer(gen: Generation, prompt: &str, elapsed_ms: f64) -> Result<Answer, Failure> {
    let image = ObjectUrl::from_bytes(&gen.image, &gen.mime_type)
        .map_err(|_| Failure::BadImage("the browser could not hold the image".into()))?;
    Ok(Answer::from_generation(
        gen,
        prompt,
        now_ms(),
        elapsed_ms,
        image,
        |d| {
            base64::decode(&d.data)
                .ok()
                .and_then(|bytes| ObjectUrl::from_bytes(&bytes, &d.mime_type).ok())
        },
    ))
}
