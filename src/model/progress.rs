//! What a request of the turn in flight is doing, in words a person reads:
//! sending, waiting for the model, thinking, drawing, receiving N of M MB,
//! retrying in N s (attempt 2 of 4).

use std::sync::Arc;

use gemini::request::human_bytes;
use gemini::retry::{pending_text, RetryReason};
use gemini::stream::Phase;

use super::{Alert, Answer};

/// Where one request (one variant) of the turn in flight is. `I` is how an
/// image is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress<I> {
    /// The request is being sent (its body is `bytes` long) and its answer awaited.
    Sending {
        bytes: usize,
        attempt: u32,
        attempts: u32,
    },
    /// The answer's headers came; its body is arriving.
    Receiving { received: u64, total: Option<u64> },
    /// A streamed answer is arriving: what it shows so far.
    Streaming {
        phase: Phase,
        thoughts: String,
        drafts: Vec<I>,
        /// The final image, once its event has arrived.
        image: Option<I>,
    },
    /// The answer is read; its image is being decoded.
    Decoding,
    /// Waiting to send again.
    Retrying {
        reason: RetryReason,
        /// When the next attempt goes (ms since the epoch).
        at_ms: f64,
        attempt: u32,
        attempts: u32,
    },
    /// This request's answer, ready.
    Done(Arc<Answer<I>>),
    /// This request failed (for good).
    Failed(Alert),
}

impl<I> Progress<I> {
    /// What the pending turn says for it, `now_ms` being the time now.
    pub fn text(&self, now_ms: f64) -> String {
        match self {
            Progress::Sending {
                bytes,
                attempt,
                attempts,
            } => {
                let sending = format!(
                    "Sending {}, waiting for the model…",
                    human_bytes(*bytes as u64)
                );
                if *attempt > 1 {
                    format!("{sending} (attempt {attempt} of {attempts})")
                } else {
                    sending
                }
            }
            Progress::Receiving { received, total } => match total {
                Some(t) if *t > 0 => format!(
                    "Receiving {} of {}…",
                    human_bytes(*received),
                    human_bytes(*t)
                ),
                _ => format!("Receiving {}…", human_bytes(*received)),
            },
            Progress::Streaming { phase, image, .. } => match (phase, image) {
                (_, Some(_)) => "The image has arrived; receiving the rest…".to_owned(),
                (Phase::Thinking, None) => "The model is thinking…".to_owned(),
                (Phase::Drawing, None) => "The model is drawing…".to_owned(),
                (Phase::Receiving, None) => "Receiving the image…".to_owned(),
            },
            Progress::Decoding => "Decoding the image…".to_owned(),
            Progress::Retrying {
                reason,
                at_ms,
                attempt,
                attempts,
            } => {
                let remaining = (at_ms - now_ms).max(0.0) as u64;
                // Whole seconds, rounded up: "in 12 s" until the last second.
                let remaining = remaining.div_ceil(1000) * 1000;
                pending_text(*reason, remaining, *attempt, *attempts)
            }
            Progress::Done(_) => "Done.".to_owned(),
            Progress::Failed(a) => format!("Failed: {}", a.title),
        }
    }

    /// What a screen reader hears: the same as [`Progress::text`] but without a
    /// countdown (a polite live region would read it out every second).
    pub fn announcement(&self) -> String {
        match self {
            Progress::Retrying {
                reason,
                attempt,
                attempts,
                ..
            } => format!(
                "{} \u{2014} will retry (attempt {attempt} of {attempts})",
                reason.label()
            ),
            other => other.text(0.0),
        }
    }

    /// Whether this request is over (an answer or a failure).
    pub fn is_over(&self) -> bool {
        matches!(self, Progress::Done(_) | Progress::Failed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stage_reads_as_a_sentence() {
        let p: Progress<()> = Progress::Sending {
            bytes: 3 * 1024 * 1024,
            attempt: 1,
            attempts: 4,
        };
        assert_eq!(p.text(0.0), "Sending 3.0 MB, waiting for the model…");
        let p: Progress<()> = Progress::Sending {
            bytes: 10,
            attempt: 2,
            attempts: 4,
        };
        assert!(p.text(0.0).ends_with("(attempt 2 of 4)"));
        let p: Progress<()> = Progress::Receiving {
            received: 1024 * 1024,
            total: Some(4 * 1024 * 1024),
        };
        assert_eq!(p.text(0.0), "Receiving 1.0 MB of 4.0 MB…");
        let p: Progress<()> = Progress::Retrying {
            reason: RetryReason::RateLimited,
            at_ms: 12_000.0,
            attempt: 2,
            attempts: 4,
        };
        assert_eq!(
            p.text(400.0),
            "Rate limited — retrying in 12 s (attempt 2 of 4)"
        );
        assert!(!p.is_over());
        assert_eq!(
            p.announcement(),
            "Rate limited \u{2014} will retry (attempt 2 of 4)"
        );
        let p: Progress<()> = Progress::Streaming {
            phase: Phase::Drawing,
            thoughts: String::new(),
            drafts: vec![],
            image: None,
        };
        assert_eq!(p.text(0.0), "The model is drawing…");
    }
}
