//! Sending a turn's requests: one per variant, in parallel and independently
//! (each shows as it lands), each retried as the server asks when it fails
//! for a passing reason and timed out when no answer comes, a streamed answer
//! shown as it arrives; and the answers made ready to show. In the split
//! build this is in the chunk loaded right after the first paint (`later`,
//! reached through [`super::lazy::send_variants`], which also makes the
//! request's bytes here); dropping its future (Cancel) aborts the requests.

use std::sync::Arc;

use futures::stream::{FuturesUnordered, StreamExt};
use gemini::response::interpret_with;
use gemini::retry::{decide, Decision, RetryInput, RetryPolicy, BODY_IDLE_LIMIT_MS};
use gemini::stream::{interpret_array_with, is_event_stream, StreamingAnswer};
use gemini::{Failure, Generation};
use leptos::prelude::*;
use web_sys::AbortController;

use super::alert_for;
use crate::browser::base64;
use crate::browser::http::{self, Limits};
use crate::browser::object_url::{ObjectUrl, SharedUrl};
use crate::browser::{now_ms, sleep};
use crate::error::AppError;
use crate::state::{Answer, Prepared, VariantProgress};

/// Each variant's result, by its number (`None`: it never ended).
pub type Results = Vec<Option<Result<Answer, AppError>>>;

/// Sends `prepared` once per slot of `progress`, each slot showing its
/// request's progress, then its answer or failure.
pub async fn send_variants(
    prepared: Arc<Prepared>,
    progress: Vec<ArcRwSignal<VariantProgress>>,
    started_ms: f64,
) -> Results {
    // Made once, here (the serializer is in this chunk): every variant and
    // every retry sends these bytes.
    let body = prepared.request.to_json();
    let mut requests: FuturesUnordered<_> = (0..progress.len())
        .map(|i| {
            let (p, body, slot) = (&*prepared, &body[..], &progress[i]);
            async move { (i, variant(p, body, slot, started_ms).await) }
        })
        .collect();
    let mut results: Results = (0..progress.len()).map(|_| None).collect();
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
    results
}

/// Decodes a small made-up answer once, in idle time after the first paint,
/// so that the first real one is not slow. The browser compiles each wasm
/// function on its first call, on the page's thread, with a quick baseline
/// compiler, and optimizes it in the background only once it has run a
/// while: unwarmed, the first 4K answer (20 MB) was parsed and decoded by
/// baseline code in one task of about 100 ms, twice the later answers'
/// (`cargo xtask bench`: the UI's longest task). Its base64 encoding warms
/// the reference images' path too. Returns whether the answer decoded to the
/// image it holds (it always should: the path was taken whole).
pub fn warm_up() -> bool {
    const IMAGE_BYTES: usize = 256 * 1024;
    // (Made at run time: a constant array would be 256 KiB of the chunk.)
    let raw = vec![0x5a; IMAGE_BYTES];
    let image = base64::encode(&raw);
    drop(raw);
    let body = format!(
        r#"{{"candidates":[{{"content":{{"role":"model","parts":[{{"inlineData":{{"mimeType":"image/png","data":"{image}"}}}}]}},"finishReason":"STOP"}}]}}"#
    );
    drop(image);
    interpret_with(200, body.into_bytes(), base64::decode)
        .is_ok_and(|g| g.image.len() == IMAGE_BYTES && g.image.iter().all(|&b| b == 0x5a))
}

/// Aborts a request when dropped: when its work is done, and when the work is
/// cancelled (its future is dropped).
struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One request of the turn, sent again as the server asks while it fails for
/// a passing reason.
async fn variant(
    p: &Prepared,
    body: &[u8],
    slot: &ArcRwSignal<VariantProgress>,
    started_ms: f64,
) -> Result<Answer, AppError> {
    let policy = RetryPolicy::default().with_max_retries(p.requests.retries);
    let attempts = policy.attempts();
    let mut attempt = 1;
    loop {
        slot.set(VariantProgress::Sending {
            bytes: body.len(),
            attempt,
            attempts,
        });
        let (failure, retry_after) = match attempt_once(p, body, slot).await {
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
    body: &[u8],
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
    let reply = http::post(&p.url, c.key_header, &c.api_key, body, &abort, limits)
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
