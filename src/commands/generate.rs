//! Generating a turn: the composer's prompt and images made into one request,
//! sent once per variant (see [`super::sending`]); Cancel; and the turn made
//! from the answers.
//!
//! The composer's rule: what was sent stays in the composer while the turn
//! runs (and after a failure or Cancel). When the turn lands, what was sent
//! leaves it: the prompt if it is unchanged, the images that were sent.
//! Anything typed or attached meanwhile stays.

use std::sync::Arc;

use gemini::request::user_content;
use gemini::wire::Part;
use gemini::Failure;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::lazy::{self, load, split_point, NotLoaded};
use super::{alert_for, show};
use crate::browser::object_url::SharedUrl;
use crate::browser::{next_task, now_ms};
use crate::error::AppError;
use crate::model::conversation;
use crate::model::TurnData;
use crate::state::{
    AppState, Deferred, Job, Prepared, Turn, Variant, VariantProgress, MAX_VARIANTS,
};

/// The command that generates a turn. Its input is the turn in flight (what
/// the pending turn shows); dropping its work (Cancel) aborts the requests.
/// A turn is dispatched by code already loaded (the `later` chunk, or the
/// image tools'), which gives it its work ([`Job::run`]): nothing of a
/// turn's work is on the first screen.
pub fn action() -> Action<Job, ()> {
    Action::new_local(|job: &Job| (job.run)(job.clone()))
}

/// Sends the composer's prompt and images as the next turn. A failure or
/// Cancel keeps everything and leaves no trace in the conversation.
pub fn handle_generate(state: AppState) {
    if state.is_running() || super::attachments::after_adding(state, handle_generate, "Generate") {
        return;
    }
    if state
        .in_use_elsewhere
        .get_untracked()
        .contains(&state.current.get_untracked().id)
    {
        show(state, AppError::InUseElsewhere);
        return;
    }
    // Offline, nothing could reach the API: say so rather than fail slowly.
    if !crate::browser::service_worker::online() {
        state.offline.set(true);
        show(state, AppError::Offline);
        return;
    }
    // Making the request is in the chunk its sending is in (`later`, fetched
    // right after the first paint). Once that has run, it is called at once.
    if state.generate_loaded.get_value() {
        spawn_local(async move {
            let _ = load!(generate_chunk(state, false));
        });
        return;
    }
    // Pressed before it is in, Generate waits for it ("Generate: loading…")
    // as it waits for images being added: Cancel calls it off, and once the
    // code is in it sends the prompt and images of that moment.
    state.after_adding.set(Some(Deferred {
        command: handle_generate,
        what: GENERATE,
    }));
    spawn_local(async move {
        let loading = async { load!(generate_chunk(state, true)) };
        if lazy::said_while(state, GENERATE, loading).await.is_err()
            // (Images being added did not load either: that is said there.)
            && state.adding.get_untracked() == 0
            && take_waiting(state)
        {
            // Nothing was sent: the prompt and images stay.
            show(state, AppError::NotLoaded(GENERATE));
        }
    });
}

/// What Generate is called, waiting or not loaded.
const GENERATE: &str = "Generate";

/// Takes Generate's wait for its code: false if something else took it
/// meanwhile (Cancel, another conversation, the images it waited for).
fn take_waiting(state: AppState) -> bool {
    state
        .after_adding
        .try_update(|d| {
            if d.is_some_and(|d| d.what == GENERATE) {
                d.take()
            } else {
                None
            }
        })
        .flatten()
        .is_some()
}

split_point!(
    later,
    /// Makes the composer's turn and sends it, or says why it cannot. After
    /// a wait for this code (`waited`), only if it still waits: called off,
    /// it does nothing; with images being added meanwhile, it waits for them
    /// (`attachments::add_files` presses Generate again once they are in).
    fn generate_chunk(state: AppState, waited: bool) -> () {
        state.generate_loaded.set_value(true);
        let go = !waited || (state.adding.get_untracked() == 0 && take_waiting(state));
        if go && !state.is_running() {
            let prompt = state.prompt.get_untracked();
            match prepare(state, &prompt) {
                Ok(p) => dispatch(state, p),
                Err(f) => show(state, f),
            }
        }
    }
);

/// A turn that is not the composer's: `shown` is the prompt the turn shows,
/// `next` what is sent (text and images), `user_images` those images to show,
/// `region` the selection of a region edit. The composer is left as it is.
/// Returns whether the turn was sent (if not, the alert says why, or a turn
/// is already running).
pub fn handle_generate_turn(
    state: AppState,
    shown: String,
    next: gemini::wire::Content,
    user_images: Vec<SharedUrl>,
    region: Option<crate::model::region::Selection>,
) -> bool {
    if state.is_running() {
        return false;
    }
    if state.in_use_elsewhere() {
        show(state, AppError::InUseElsewhere);
        return false;
    }
    if !crate::browser::service_worker::online() {
        state.offline.set(true);
        show(state, AppError::Offline);
        return false;
    }
    match prepare_content(state, shown, next, user_images, Vec::new()) {
        Ok(mut p) => {
            p.region = region;
            p.from_composer = false;
            dispatch(state, p);
            true
        }
        Err(f) => {
            show(state, f);
            false
        }
    }
}

fn dispatch(state: AppState, prepared: Prepared) {
    let prompt = prepared.prompt.clone();
    let count = state.variants.get_untracked().clamp(1, MAX_VARIANTS);
    let job = Job {
        state,
        started_ms: now_ms(),
        prompt,
        images: prepared.user_images.len(),
        variants: count,
        progress: (0..count)
            .map(|_| {
                // (The exact size once the body is made, a moment later.)
                ArcRwSignal::new(VariantProgress::Sending {
                    bytes: prepared.request.approx_len(),
                    attempt: 1,
                    attempts: 1,
                })
            })
            .collect(),
        prepared: Arc::new(prepared),
        run: |job| Box::pin(run(job)),
    };
    super::clear_alert(state);
    state.notice.set(None);
    let handle = state.generation.dispatch_local(job);
    state.cancel.set_value(Some(handle));
}

/// The request for the composer's prompt and images after the conversation.
fn prepare(state: AppState, prompt: &str) -> Result<Prepared, Failure> {
    let attachments = state.attachments.get_untracked();
    let next = user_content(
        prompt,
        attachments
            .iter()
            .map(|a| Part::image_shared(a.mime.as_str(), a.base64.clone())),
    );
    prepare_content(
        state,
        prompt.to_owned(),
        next,
        attachments.iter().map(|a| a.url.clone()).collect(),
        attachments.iter().map(|a| a.id).collect(),
    )
}

/// The request for `next` after the conversation.
fn prepare_content(
    state: AppState,
    prompt: String,
    next: gemini::wire::Content,
    user_images: Vec<SharedUrl>,
    sent_attachments: Vec<u64>,
) -> Result<Prepared, Failure> {
    let settings = state.settings.get_untracked();
    let connection = state.connection.get_untracked();
    let requests = state.requests.get_untracked();
    let request = state.with_history(|turns| {
        conversation::request(&settings, turns.iter().copied(), &next)
            .map(gemini::request::RequestBody::into_owned)
    })?;
    let url = if requests.stream {
        gemini::request::stream_endpoint(&connection.base_url, &settings.model)?
    } else {
        gemini::request::endpoint(&connection.base_url, &settings.model)?
    };
    Ok(Prepared {
        url,
        request,
        header_limit_ms: requests.header_limit_ms(&settings),
        requests,
        prompt,
        sent_attachments,
        conversation: state.current.with_untracked(|c| c.id.clone()),
        next,
        user_images,
        settings,
        connection,
        region: None,
        from_composer: true,
    })
}

/// Stops the turn in flight at once: its requests, and any wait before a
/// retry; or calls off a command waiting for images being added. It leaves no
/// trace.
pub fn handle_cancel(state: AppState) {
    // With no request running, it is a command waiting for images being
    // added that is called off (one Cancel stops one thing).
    if !state.is_running()
        && state
            .after_adding
            .try_update(Option::take)
            .flatten()
            .is_some()
    {
        state.notice.set(Some(
            "Cancelled. Your prompt and images are still here.".into(),
        ));
    }
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
        prepared,
        progress,
        ..
    } = job;
    // Another tab continuing this conversation at the same time would fork it.
    let lock = match lazy::hold_conversation(state, prepared.conversation.clone()).await {
        Ok(lock) => lock,
        Err(e) => {
            state.cancel.set_value(None);
            show(state, e);
            return;
        }
    };
    // What is sent is kept before it leaves: a reload or a crash meanwhile
    // brings it back.
    let inflight = lazy::keep_inflight(state, &prepared).await;
    // The pending turn paints before the body is made and handed to the
    // browser.
    next_task().await;
    // The requests' code (the body's serializer, sending, retrying, reading
    // the answers) is in the chunk this runs in, so it is already here; the
    // fallback below is a safety net should they ever be apart (nothing has
    // been sent then).
    let sending = match lazy::send_variants(state, prepared.clone(), progress, started_ms).await {
        Ok(sending) => sending,
        Err(NotLoaded) => {
            drop(inflight);
            state.cancel.set_value(None);
            show(state, AppError::NotLoaded("Generate"));
            return;
        }
    };
    let results = sending.await;
    state.cancel.set_value(None);
    let mut variants = Vec::new();
    let mut first_failure = None;
    for r in results.into_iter().flatten() {
        match r {
            Ok(a) => variants.push(Variant::Done(Arc::new(a))),
            Err(AppError::Generation(Failure::Aborted)) => {}
            Err(e) => {
                variants.push(Variant::Failed(alert_for(
                    &prepared.connection.api_key,
                    e.clone(),
                )));
                first_failure.get_or_insert(e);
            }
        }
    }
    let p = &*prepared;
    let data = TurnData {
        prompt: p.prompt.clone(),
        user: p.next.clone(),
        user_images: p.user_images.clone(),
        settings: p.settings.clone(),
        variants,
        created_ms: now_ms(),
        region: p.region.clone(),
    };
    let Some(chosen) = data.first_answer() else {
        drop(inflight);
        match first_failure {
            Some(e) => show(state, e),
            None => state.notice.set(Some(
                "Cancelled. Your prompt and images are still here.".into(),
            )),
        }
        return;
    };
    // The conversation was deleted or left meanwhile: the answer is shown
    // nowhere and kept nowhere (a deleted conversation never comes back).
    if state.current.with_untracked(|c| c.id != p.conversation) {
        return;
    }
    // The turn shows at once; saving follows (the turn says "Saving…"
    // meanwhile), and a failure is an alert: the turn stays on the page,
    // downloadable.
    state
        .turns
        .update(|t| t.push(Turn::new(state.next_id(), data, chosen, false)));
    // What was sent leaves the composer; what was typed or attached since stays.
    state.prompt.update(|now| {
        if p.from_composer && *now == p.prompt {
            now.clear();
        }
    });
    state
        .attachments
        .update(|a| a.retain(|x| !p.sent_attachments.contains(&x.id)));
    let composer_empty = state.prompt.with_untracked(String::is_empty)
        && state.attachments.with_untracked(Vec::is_empty);
    spawn_local(async move {
        // The draft is emptied with the turn's save only if nothing is left in
        // the composer; otherwise it keeps what is there.
        let saved = lazy::save_turns(state, None, composer_empty).await;
        match saved {
            // Stored: what was sent need not come back.
            Ok(()) => drop(inflight),
            // Not stored: what was sent stays kept, to come back after a reload.
            Err(e) => {
                std::mem::forget(inflight);
                show(state, e);
            }
        }
        drop(lock);
    });
}
