//! How a 200 answer goes over the wire: whole, cut off, stalled, or as a stream of events
//! (Server-Sent Events or a JSON array), with the timing and breakage markers ask for.

use std::collections::VecDeque;
use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use serde_json::Value;

use crate::answer::{self, Markers};
use crate::error;
use crate::stream;

/// How long a cut-off body waits after its last bytes before the connection is aborted (so the
/// bytes reach the client first).
const CUT_PAUSE: Duration = Duration::from_millis(50);

/// One step of a [`ScriptedBody`].
#[derive(Debug)]
pub enum Step {
    /// Send these bytes.
    Data(Bytes),
    /// Send nothing for this long.
    Wait(Duration),
    /// Fail the body, so hyper aborts the connection (no clean end of the body).
    Fail(&'static str),
}

/// A response body that plays a script of bytes, pauses and a failure.
pub struct ScriptedBody {
    steps: VecDeque<Step>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl ScriptedBody {
    pub fn new(steps: Vec<Step>) -> Self {
        ScriptedBody {
            steps: steps.into(),
            sleep: None,
        }
    }
}

impl http_body::Body for ScriptedBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        loop {
            if let Some(sleep) = self.sleep.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.sleep = None;
            }
            match self.steps.pop_front() {
                None => return Poll::Ready(None),
                Some(Step::Data(b)) => return Poll::Ready(Some(Ok(http_body::Frame::data(b)))),
                Some(Step::Wait(d)) => self.sleep = Some(Box::pin(tokio::time::sleep(d))),
                Some(Step::Fail(why)) => {
                    self.steps.clear();
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        why,
                    ))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.sleep.is_none() && self.steps.is_empty()
    }
}

/// `[[drop]]`: a body that fails before its first byte; hyper then closes the connection
/// without sending the status line (the head is only buffered until the first body poll).
pub fn dropped() -> Body {
    Body::new(ScriptedBody::new(vec![Step::Fail(
        "gemini-mock: connection closed before the answer ([[drop]])",
    )]))
}

fn cut(frame: &Bytes, steps: &mut Vec<Step>, why: &'static str) {
    steps.push(Step::Data(frame.slice(..frame.len() / 2)));
    steps.push(Step::Wait(CUT_PAUSE));
    steps.push(Step::Fail(why));
}

/// A non-streamed 200 answer: whole, or cut in half (`[[truncate]]`), or its first third, a
/// pause and the rest (`[[stall-body:MS]]`).
pub fn unary(bytes: Vec<u8>, m: &Markers) -> Body {
    let bytes = Bytes::from(bytes);
    if m.truncate {
        let mut steps = Vec::with_capacity(3);
        cut(
            &bytes,
            &mut steps,
            "gemini-mock: connection cut mid-body ([[truncate]])",
        );
        return Body::new(ScriptedBody::new(steps));
    }
    if let Some(ms) = m.stall_body_ms {
        let third = bytes.len() / 3;
        return Body::new(ScriptedBody::new(vec![
            Step::Data(bytes.slice(..third)),
            Step::Wait(Duration::from_millis(ms)),
            Step::Data(bytes.slice(third..)),
        ]));
    }
    Body::from(bytes)
}

/// How stream events are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `?alt=sse`: `data: <json>\r\n\r\n` per event.
    Sse,
    /// No `alt=sse`: one JSON array of the events.
    JsonArray,
}

fn frame(v: &Value, i: usize, framing: Framing) -> Bytes {
    let json = serde_json::to_vec(v).unwrap_or_default();
    let mut out = Vec::with_capacity(json.len() + 10);
    match framing {
        Framing::Sse => {
            out.extend_from_slice(b"data: ");
            out.extend_from_slice(&json);
            out.extend_from_slice(b"\r\n\r\n");
        }
        Framing::JsonArray => {
            out.extend_from_slice(if i == 0 { b"[" } else { b",\r\n" });
            out.extend_from_slice(&json);
        }
    }
    Bytes::from(out)
}

/// A streamed 200 answer: the events of [`stream::events`] with `[[stream-delay]]` between
/// them, `[[snake]]` applied to each, and `[[stream-error]]`, `[[stream-cut]]` (also
/// `[[truncate]]`) or `[[stall-body]]` applied as the README says.
pub fn streamed(answer: &Value, m: &Markers, framing: Framing) -> Body {
    let mut events = stream::events(answer);
    let final_at = stream::final_image_event(&events);
    if m.snake {
        events = events.into_iter().map(answer::snake_case_keys).collect();
    }
    let cut_final = m.stream_cut || m.truncate;
    let mut error_event = None;
    if m.stream_error && !cut_final {
        events.truncate((events.len() / 2).max(1));
        error_event = Some(error::stream_internal().to_json());
    }
    let stall_at = final_at.min(events.len().saturating_sub(1));
    let delay = m.stream_delay_ms.map(Duration::from_millis);
    let mut steps = Vec::with_capacity(events.len() * 2 + 2);
    for (i, event) in events.iter().chain(error_event.iter()).enumerate() {
        if let (true, Some(d)) = (i > 0, delay) {
            steps.push(Step::Wait(d));
        }
        let bytes = frame(event, i, framing);
        if i == final_at && cut_final {
            cut(
                &bytes,
                &mut steps,
                "gemini-mock: stream cut mid-image ([[stream-cut]])",
            );
            return Body::new(ScriptedBody::new(steps));
        }
        match m.stall_body_ms {
            Some(ms) if i == stall_at => {
                let half = bytes.len() / 2;
                steps.push(Step::Data(bytes.slice(..half)));
                steps.push(Step::Wait(Duration::from_millis(ms)));
                steps.push(Step::Data(bytes.slice(half..)));
            }
            _ => steps.push(Step::Data(bytes)),
        }
    }
    if framing == Framing::JsonArray {
        steps.push(Step::Data(Bytes::from_static(b"]")));
    }
    Body::new(ScriptedBody::new(steps))
}

/// `[[malformed]]` in a stream: one event (or array element) that is not JSON.
pub fn malformed_stream(framing: Framing) -> Body {
    let text = answer::MALFORMED_BODY;
    Body::from(match framing {
        Framing::Sse => format!("data: {text}\r\n\r\n"),
        Framing::JsonArray => format!("[{text}]"),
    })
}
