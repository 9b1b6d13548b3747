//! Generating a turn: the composer's prompt and images sent as one request per
//! variant, in parallel and independently (each shows as it lands); each
//! request retried as the server asks when it fails for a passing reason, and
//! timed out when no answer comes; Cancel; and the answers made ready to show.
//!
//! The composer's rule: what was sent stays in the composer while the turn
//! runs (and after a failure or Cancel). When the turn lands, what was sent
//! leaves it: the prompt if it is unchanged, the images that were sent.
//! Anything typed or attached meanwhile stays.

use std::sync::Arc;

use futures::stream::{FuturesUnordered, StreamExt};
use gemini::request::user_content;
use gemini::response::interpret_with;
use gemini::retry::{decide, Decision, RetryInput, RetryPolicy, BODY_IDLE_LIMIT_MS};
use gemini::stream::{interpret_array_with, is_event_stream, StreamingAnswer};
use gemini::wire::Part;
use gemini::{Failure, Generation};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use super::{alert_for, lazy, show};
use crate::browser::http::{self, Limits};
use crate::browser::object_url::{ObjectUrl, SharedUrl};
use crate::browser::{base64, next_task, now_ms, sleep};
use crate::error::AppError;
use crate::model::conversation;
use crate::model::TurnData;
use crate::state::{Answer, AppState, Job, Prepared, Turn, Variant, VariantProgress, MAX_VARIANTS};

/// The command that generates a turn. Its input is the turn in flight (what
/// the pending turn shows); dropping its work (Cancel) aborts the requests.
pub fn action() -> Action<Job, ()> {
    Action::new_local(|job: &Job| run(job.clone()))
}

/// Aborts a request when dropped: when its work is done, and when the work is
/// cancelled (its future is dropped).
struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
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
    let prompt = state.prompt.get_untracked();
    match prepare(state, &prompt) {
        Ok(p) => dispatch(state, p),
        Err(f) => show(state, f),
    }
}

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
                ArcRwSignal::new(VariantProgress::Sending {
                    bytes: prepared.body.len(),
                    attempt: 1,
                    attempts: 1,
                })
            })
            .collect(),
        prepared: Arc::new(prepared),
    };
    state.alert.set(None);
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
    let body = state.with_history(|turns| {
        conversation::request(&settings, turns.iter().copied(), &next).map(|b| b.to_json())
    })?;
    let url = if requests.stream {
        gemini::request::stream_endpoint(&connection.base_url, &settings.model)?
    } else {
        gemini::request::endpoint(&connection.base_url, &settings.model)?
    };
    Ok(Prepared {
        url,
        body,
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
        variants: count,
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
    // The pending turn paints before the body is handed to the browser.
    next_task().await;
    let mut requests: FuturesUnordered<_> = (0..count)
        .map(|i| {
            let (p, slot) = (&*prepared, &progress[i]);
            async move { (i, variant(p, slot, started_ms).await) }
        })
        .collect();
    let mut results: Vec<Option<Result<Answer, AppError>>> = (0..count).map(|_| None).collect();
    while let Some((i, result)) = requests.next().await {
        // Each variant shows as it lands; the others go on.
        progress[i].set(match &result {
            Ok(a) => VariantProgress::Done(Arc::new(a.clone())),
            Err(e) => VariantProgress::Failed(alert_for(&prepared.connection.api_key, e.clone())),
        });
        if let Some(slot) = results.get_mut(i) {
            *slot = Some(result);
        }
    }
    drop(requests);
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

/// One request of the turn, sent again as the server asks while it fails for
/// a passing reason.
async fn variant(
    p: &Prepared,
    slot: &ArcRwSignal<VariantProgress>,
    started_ms: f64,
) -> Result<Answer, AppError> {
    let policy = RetryPolicy::default().with_max_retries(p.requests.retries);
    let attempts = policy.attempts();
    let mut attempt = 1;
    loop {
        slot.set(VariantProgress::Sending {
            bytes: p.body.len(),
            attempt,
            attempts,
        });
        let (failure, retry_after) = match attempt_once(p, slot).await {
            Ok(gen) => {
                slot.set(VariantProgress::Decoding);
                return answer(gen, &p.prompt, now_ms() - started_ms).map_err(AppError::from);
            }
            Err(x) => x,
        };
        if failure == Failure::Aborted {
            return Err(failure.into());
        }
        let now = now_ms();
        let decision = decide(RetryInput {
            failure: &failure,
            retry_after: retry_after.as_deref(),
            now_ms: now as u64,
            attempt,
            random: js_sys::Math::random(),
            policy,
        });
        match decision {
            Decision::Retry(r) => {
                slot.set(VariantProgress::Retrying {
                    reason: r.reason,
                    at_ms: now + r.delay_ms as f64,
                    attempt: r.attempt,
                    attempts: r.attempts,
                });
                // Cancel drops this wait with everything else.
                sleep(r.delay_ms).await;
                attempt = r.attempt;
            }
            Decision::GiveUp(g) => {
                return Err(AppError::GaveUp {
                    failure,
                    message: g.message,
                })
            }
        }
    }
}

/// One attempt: the answer, or why not (with the server's `Retry-After`).
async fn attempt_once(
    p: &Prepared,
    slot: &ArcRwSignal<VariantProgress>,
) -> Result<Generation, (Failure, Option<String>)> {
    let abort = AbortController::new().map_err(|_| {
        (
            Failure::Network("this browser cannot cancel requests".into()),
            None,
        )
    })?;
    let _abort = AbortOnDrop(abort.clone());
    let limits = Limits {
        headers_ms: p.header_limit_ms,
        idle_ms: BODY_IDLE_LIMIT_MS,
    };
    let c = &p.connection;
    let reply = http::post(&p.url, c.key_header, &c.api_key, &p.body, &abort, limits)
        .await
        .map_err(|f| (f, None))?;
    let retry_after = reply.retry_after.clone();
    let ok = (200..300).contains(&reply.status);
    let result = if ok && p.requests.stream && is_event_stream(&reply.content_type) {
        read_stream(&reply, &abort, limits, slot).await
    } else {
        let total = reply.length;
        let body = http::read_body(&reply, &abort, limits, |received| {
            if ok {
                slot.set(VariantProgress::Receiving { received, total });
            }
        })
        .await;
        body.and_then(|body| {
            if p.requests.stream && ok {
                // A proxy that dropped `alt=sse`: the events as a JSON array.
                interpret_array_with(reply.status, body, base64::decode)
            } else {
                interpret_with(reply.status, body, base64::decode)
            }
        })
    };
    result.map_err(|f| (f, retry_after))
}

/// A streamed answer, shown as it arrives: thought text, drafts, then the
/// final image.
pub async fn read_stream(
    reply: &http::Answer,
    abort: &AbortController,
    limits: Limits,
    slot: &ArcRwSignal<VariantProgress>,
) -> Result<Generation, Failure> {
    let mut answer = StreamingAnswer::new();
    let mut scratch = Vec::new();
    let mut thoughts = String::new();
    let mut drafts: Vec<SharedUrl> = Vec::new();
    let mut image = None;
    http::read_chunks(reply, abort, limits, |chunk| {
        scratch.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut scratch);
        let progress = answer.push(&scratch)?;
        thoughts.push_str(&progress.thought_text);
        let parts = answer.assembler().parts();
        let show = |i: usize| {
            let d = parts.get(i)?.inline_data.as_ref()?;
            let bytes = base64::decode(&d.data).ok()?;
            ObjectUrl::from_bytes(&bytes, showable(&bytes)?).ok()
        };
        drafts.extend(progress.drafts.iter().filter_map(|&i| show(i)));
        if let Some(i) = progress.final_image {
            image = show(i).or(image.take());
        }
        slot.set(VariantProgress::Streaming {
            phase: progress.phase,
            thoughts: thoughts.clone(),
            drafts: drafts.clone(),
            image: image.clone(),
        });
        Ok(())
    })
    .await?;
    answer.finish(base64::decode)
}

/// The MIME type to show `bytes` as, if they are an image the page shows
/// safely (PNG, JPEG, WebP, sniffed from the bytes, not the claimed type).
fn showable(bytes: &[u8]) -> Option<&'static str> {
    match gemini::mime::sniff(bytes) {
        gemini::Sniffed::Supported(m) => Some(m.as_str()),
        _ => None,
    }
}

/// An answer ready to show: the final image and the drafts as object URLs. An
/// image that is not a PNG, JPEG or WebP (whatever it claims), or would
/// decode to more pixels than a page should hold, is never shown.
pub fn answer(gen: Generation, prompt: &str, elapsed_ms: f64) -> Result<Answer, Failure> {
    crate::model::limits::check_answer_image(&gen.image, &gen.mime_type)?;
    let mime = showable(&gen.image).unwrap_or("image/png");
    let image = ObjectUrl::from_bytes(&gen.image, mime)
        .map_err(|_| Failure::BadImage("the browser could not hold the image".into()))?;
    Ok(Answer::from_generation(
        gen,
        prompt,
        now_ms(),
        elapsed_ms,
        image,
        |d| {
            let bytes = base64::decode(&d.data).ok()?;
            crate::model::limits::check_answer_image(&bytes, &d.mime_type).ok()?;
            ObjectUrl::from_bytes(&bytes, showable(&bytes)?).ok()
        },
    ))
}
