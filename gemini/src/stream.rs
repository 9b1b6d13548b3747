//! A streamed answer (`:streamGenerateContent?alt=sse`), read as it arrives.
//!
//! The server sends `200`, `text/event-stream`, and a series of events, each
//! `data: <one line of JSON>` and a blank line. Each event is a whole
//! `GenerateContentResponse` carrying the next parts in order; text parts are
//! split over several events, images arrive whole (one event of 10+ MB for a
//! 4K image); the last event's candidate has `finishReason`, and the last
//! `usageMetadata` wins. An event `{"error": …}` ends the stream with that error.
//!
//! Three layers, each usable alone:
//! - [`SseReader`] takes byte chunks as they come and yields whole events' data.
//!   Each byte is looked at once (the search for a line end resumes where it
//!   stopped) and a `data:` value is copied straight into the event being built,
//!   so memory is the current event plus at most a few bytes of a field name.
//! - [`Assembler`] parses each event as the non-streamed answer is parsed
//!   ([`crate::response::parse_answer`]) and merges them by the contract's
//!   rule: adjacent text parts with the same `thought` flag are one part (a
//!   `thoughtSignature` on any piece belongs to it); images are never merged.
//!   After each event it says what the UI can show ([`Progress`]); at the end
//!   [`Assembler::finish`] gives the same [`Generation`] (or [`Failure`]) that
//!   [`crate::response::interpret_with`] gives for the non-streamed body.
//! - [`StreamingAnswer`] is both together: bytes in, progress out, then the result.
//!
//! A stream that ends inside an event, or without any `finishReason`, is
//! [`Failure::Incomplete`]: nothing is kept, and it is not retried
//! automatically (it may have been billed).

use crate::error::Failure;
use crate::response::{from_response, parse_answer, Generation};
use crate::wire::{
    Candidate, Content, GenerateContentResponse, GroundingMetadata, Part, PromptFeedback,
    UsageMetadata,
};

/// The bytes of a UTF-8 byte order mark, which a stream may begin with.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Field names are kept up to this many bytes: enough to tell `data` from
/// anything longer, which is ignored anyway.
const NAME_KEPT: usize = 5;

/// An event still arriving with at least this much data is an image on its way:
/// the phase is [`Phase::Receiving`].
pub const RECEIVING_FROM_BYTES: usize = 64 * 1024;

/// What the line being read is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// Reading the field name (until `:` or the line's end).
    Name,
    /// Just after the `:`: one space is skipped.
    ValueStart(Field),
    /// Reading the value (until the line's end).
    Value(Field),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Data,
    /// A line starting with `:`.
    Comment,
    /// `event`, `id`, `retry` or anything else: ignored.
    Other,
}

/// Reads `text/event-stream` bytes into events (the WHATWG `EventSource`
/// parsing rules): lines end in `\r\n`, `\n` or `\r`; `data:` lines of one event
/// are joined with `\n`; comments and other fields are ignored; an event ends at
/// a blank line. Lines may be of any length.
#[derive(Debug)]
pub struct SseReader {
    /// The data of the event being read.
    data: Vec<u8>,
    /// Whether the event being read has a `data` line yet.
    has_data: bool,
    /// The first [`NAME_KEPT`] bytes of the current line's field name.
    name: [u8; NAME_KEPT],
    /// The whole length of the current line's field name.
    name_len: usize,
    line: Line,
    /// The last line ended with `\r`: a `\n` right after belongs to it.
    after_cr: bool,
    /// How many bytes of a leading BOM were matched; 3 once past the start.
    bom: usize,
    /// Events given out.
    events: usize,
}

impl Default for SseReader {
    fn default() -> Self {
        Self::new()
    }
}

impl SseReader {
    pub fn new() -> Self {
        Self {
            data: Vec::new(),
            has_data: false,
            name: [0; NAME_KEPT],
            name_len: 0,
            line: Line::Name,
            after_cr: false,
            bom: 0,
            events: 0,
        }
    }

    /// Reads the next bytes of the stream; returns the data of every event they
    /// completed, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let chunk = self.skip_bom(chunk, &mut out);
        self.feed(chunk, &mut out);
        out
    }

    /// The stream has ended. `Ok` if it ended between events; otherwise how
    /// many whole events came before the one that was cut.
    pub fn finish(self) -> Result<usize, usize> {
        let cut_line = match self.line {
            Line::Name => self.name_len > 0,
            Line::ValueStart(f) | Line::Value(f) => f != Field::Comment,
        };
        if self.has_data || cut_line {
            Err(self.events)
        } else {
            Ok(self.events)
        }
    }

    /// Data bytes of the event being read so far (for "receiving 3.2 MB").
    pub fn pending_bytes(&self) -> usize {
        self.data.len()
    }

    /// Bytes the reader holds allocated: the event being read, and no more.
    pub fn buffered_capacity(&self) -> usize {
        self.data.capacity()
    }

    /// Whole events given out so far.
    pub fn events(&self) -> usize {
        self.events
    }

    /// Drops a leading UTF-8 BOM, even one split over chunks.
    fn skip_bom<'c>(&mut self, chunk: &'c [u8], out: &mut Vec<Vec<u8>>) -> &'c [u8] {
        let mut rest = chunk;
        while self.bom < BOM.len() {
            let Some((&b, tail)) = rest.split_first() else {
                return rest;
            };
            if BOM.get(self.bom) == Some(&b) {
                self.bom += 1;
                rest = tail;
            } else {
                // Not a BOM after all: what matched of it is ordinary bytes.
                let matched = self.bom;
                self.bom = BOM.len();
                self.feed(BOM.get(..matched).unwrap_or_default(), out);
            }
        }
        rest
    }

    fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<Vec<u8>>) {
        while let Some((&first, tail)) = chunk.split_first() {
            if self.after_cr {
                self.after_cr = false;
                if first == b'\n' {
                    chunk = tail;
                    continue;
                }
            }
            match self.line {
                Line::Name => match memchr::memchr3(b':', b'\r', b'\n', chunk) {
                    None => {
                        self.add_name(chunk);
                        chunk = &[];
                    }
                    Some(i) => {
                        let (name, rest) = chunk.split_at(i);
                        self.add_name(name);
                        let (end, rest) = rest.split_first().unwrap_or((&b'\n', &[]));
                        chunk = rest;
                        if *end == b':' {
                            let field = self.field();
                            if field == Field::Data {
                                self.begin_data_line();
                            }
                            self.line = Line::ValueStart(field);
                        } else {
                            self.after_cr = *end == b'\r';
                            self.end_line(out);
                        }
                    }
                },
                Line::ValueStart(field) => {
                    if first == b' ' {
                        chunk = tail;
                    }
                    self.line = Line::Value(field);
                }
                Line::Value(field) => {
                    let end = memchr::memchr2(b'\r', b'\n', chunk);
                    let (value, rest) = chunk.split_at(end.unwrap_or(chunk.len()));
                    if field == Field::Data {
                        self.data.extend_from_slice(value);
                    }
                    chunk = rest;
                    if let Some((&eol, rest)) = chunk.split_first() {
                        chunk = rest;
                        self.after_cr = eol == b'\r';
                        self.line = Line::Name;
                        self.name_len = 0;
                    }
                }
            }
        }
    }

    fn add_name(&mut self, bytes: &[u8]) {
        for (slot, b) in self.name.iter_mut().skip(self.name_len).zip(bytes) {
            *slot = *b;
        }
        self.name_len = self.name_len.saturating_add(bytes.len());
    }

    fn field(&self) -> Field {
        match self.name.get(..self.name_len) {
            Some(b"") => Field::Comment,
            Some(b"data") => Field::Data,
            _ => Field::Other,
        }
    }

    fn begin_data_line(&mut self) {
        if self.has_data {
            self.data.push(b'\n');
        }
        self.has_data = true;
    }

    /// A line ended while its field name was read: a blank line ends the event;
    /// `data` alone is a data line with an empty value.
    fn end_line(&mut self, out: &mut Vec<Vec<u8>>) {
        if self.name_len == 0 {
            if self.has_data {
                out.push(std::mem::take(&mut self.data));
                self.has_data = false;
                self.events += 1;
            }
        } else if self.field() == Field::Data {
            self.begin_data_line();
        }
        self.name_len = 0;
    }
}

/// Where the answer is, for the pending turn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing yet, or the latest part is the model's reasoning.
    #[default]
    Thinking,
    /// The latest part is a draft image or the answer's text: the model is
    /// making the image.
    Drawing,
    /// An image is arriving (an event of [`RECEIVING_FROM_BYTES`] or more is
    /// being read), or the final image has arrived and the rest follows.
    Receiving,
}

/// What arrived: everything new since the previous progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// New reasoning text (continuing the latest thought part, or starting one).
    pub thought_text: String,
    /// Indexes in [`Assembler::parts`] of draft images that arrived.
    pub drafts: Vec<usize>,
    /// New answer text.
    pub answer_text: String,
    /// Index in [`Assembler::parts`] of a non-thought image that arrived: the
    /// final image, unless another one follows.
    pub final_image: Option<usize>,
    pub phase: Phase,
    /// Data bytes of the event being read (an image on its way); 0 between events.
    pub receiving_bytes: usize,
}

impl Progress {
    /// Adds what `later` says to this progress (several events in one chunk).
    fn absorb(&mut self, later: Progress) {
        self.thought_text.push_str(&later.thought_text);
        self.drafts.extend(later.drafts);
        self.answer_text.push_str(&later.answer_text);
        self.final_image = later.final_image.or(self.final_image);
        self.phase = later.phase;
        self.receiving_bytes = later.receiving_bytes;
    }
}

/// Merges the events of a streamed answer into one model turn.
#[derive(Clone, Debug, Default)]
pub struct Assembler {
    parts: Vec<Part>,
    /// Whether any event had a candidate.
    has_candidate: bool,
    finish_reason: Option<String>,
    finish_message: Option<String>,
    grounding: Option<GroundingMetadata>,
    usage: Option<UsageMetadata>,
    model_version: Option<String>,
    response_id: Option<String>,
    prompt_feedback: Option<PromptFeedback>,
    events: usize,
    /// The first failure (an error event, an unreadable event); it ends the answer.
    failure: Option<Failure>,
    phase: Phase,
}

impl Assembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one event's data (freed once parsed). An error event, or data
    /// that is not a `GenerateContentResponse`, is the answer's failure: this
    /// and every later call return it. Data of only whitespace is ignored.
    pub fn push_event(&mut self, data: Vec<u8>) -> Result<Progress, Failure> {
        if let Some(f) = &self.failure {
            return Err(f.clone());
        }
        if data.iter().all(u8::is_ascii_whitespace) {
            return Ok(self.progress());
        }
        let parsed = parse_answer(&data);
        drop(data);
        let response = match parsed {
            Ok(r) => r,
            Err(f) => return Err(self.fail(f)),
        };
        if let Some(error) = &response.error {
            return Err(self.fail(crate::error::from_error_value(error)));
        }
        self.events += 1;
        Ok(self.merge(response))
    }

    fn fail(&mut self, f: Failure) -> Failure {
        self.failure = Some(f.clone());
        f
    }

    fn progress(&self) -> Progress {
        Progress {
            phase: self.phase,
            ..Progress::default()
        }
    }

    fn merge(&mut self, response: GenerateContentResponse) -> Progress {
        let GenerateContentResponse {
            candidates,
            prompt_feedback,
            usage_metadata,
            model_version,
            response_id,
            error: _,
        } = response;
        last(&mut self.usage, usage_metadata);
        last(&mut self.model_version, model_version);
        last(&mut self.response_id, response_id);
        last(&mut self.prompt_feedback, prompt_feedback);
        let mut progress = Progress::default();
        if let Some(candidate) = candidates.into_iter().next() {
            self.has_candidate = true;
            let Candidate {
                content,
                finish_reason,
                finish_message,
                grounding_metadata,
            } = candidate;
            last(&mut self.finish_reason, finish_reason);
            last(&mut self.finish_message, finish_message);
            last(&mut self.grounding, grounding_metadata);
            for part in content.map(|c| c.parts).unwrap_or_default() {
                self.add_part(part, &mut progress);
            }
        }
        progress.phase = self.phase;
        progress
    }

    fn add_part(&mut self, part: Part, progress: &mut Progress) {
        let thought = part.is_thought();
        if let (Some(piece), None) = (&part.text, &part.inline_data) {
            if thought {
                progress.thought_text.push_str(piece);
            } else {
                progress.answer_text.push_str(piece);
            }
            self.phase = if thought {
                Phase::Thinking
            } else {
                Phase::Drawing
            };
            if let Some(last) = self.parts.last_mut().filter(|l| continues(l, &part)) {
                if let Some(text) = last.text.as_mut() {
                    text.push_str(piece);
                }
                if last.thought_signature.is_none() {
                    last.thought_signature = part.thought_signature;
                }
                return;
            }
        } else if part.inline_data.is_some() {
            let index = self.parts.len();
            if thought {
                progress.drafts.push(index);
                self.phase = Phase::Drawing;
            } else {
                progress.final_image = Some(index);
                self.phase = Phase::Receiving;
            }
        }
        self.parts.push(part);
    }

    /// The parts merged so far (a draft's image is `parts()[i].inline_data`).
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whole events read.
    pub fn events(&self) -> usize {
        self.events
    }

    /// Whether an event said how the answer finished (`finishReason`).
    pub fn finished(&self) -> bool {
        self.finish_reason.is_some()
    }

    /// The merged answer so far, as the non-streamed call returns it (`None`
    /// once the stream failed). Nothing is decoded; images are shared, not copied.
    pub fn response(&self) -> Option<GenerateContentResponse> {
        self.clone().into_response().ok()
    }

    /// The stream ended between events: the result, as
    /// [`crate::response::interpret_with`] gives it for the non-streamed body.
    /// Without a `finishReason` (and no blocked prompt) the answer is
    /// [`Failure::Incomplete`].
    pub fn finish(
        self,
        decode: impl FnOnce(&str) -> Result<Vec<u8>, String>,
    ) -> Result<Generation, Failure> {
        let blocked = !self.has_candidate
            && self
                .prompt_feedback
                .as_ref()
                .is_some_and(|fb| fb.block_reason.is_some());
        if self.failure.is_none() && self.finish_reason.is_none() && !blocked {
            return Err(Failure::Incomplete {
                events: self.events,
                inside_event: false,
            });
        }
        from_response(self.into_response()?, decode)
    }

    fn into_response(self) -> Result<GenerateContentResponse, Failure> {
        if let Some(f) = self.failure {
            return Err(f);
        }
        let candidates = if self.has_candidate {
            vec![Candidate {
                content: Some(Content {
                    role: Some(crate::wire::Role::Model),
                    parts: self.parts,
                }),
                finish_reason: self.finish_reason,
                finish_message: self.finish_message,
                grounding_metadata: self.grounding,
            }]
        } else {
            Vec::new()
        };
        Ok(GenerateContentResponse {
            candidates,
            prompt_feedback: self.prompt_feedback,
            usage_metadata: self.usage,
            model_version: self.model_version,
            response_id: self.response_id,
            error: None,
        })
    }
}

/// The last value given wins.
fn last<T>(old: &mut Option<T>, new: Option<T>) {
    if new.is_some() {
        *old = new;
    }
}

/// Whether `next` is the continuation of the text part `last`: both text, the
/// same `thought` flag, and not two signatures (a piece with a signature that
/// follows a signed part starts a part of its own).
fn continues(last: &Part, next: &Part) -> bool {
    last.text.is_some()
        && last.inline_data.is_none()
        && last.is_thought() == next.is_thought()
        && !(last.thought_signature.is_some() && next.thought_signature.is_some())
}

/// A streamed answer: bytes in as they arrive, progress out, then the result.
#[derive(Debug, Default)]
pub struct StreamingAnswer {
    reader: SseReader,
    assembler: Assembler,
}

impl StreamingAnswer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the next bytes of a `200 text/event-stream` body. `Err` once the
    /// answer has failed (an error event, an unreadable event): stop reading
    /// and show it.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Progress, Failure> {
        let mut progress = Progress::default();
        for data in self.reader.push(chunk) {
            progress.absorb(self.assembler.push_event(data)?);
        }
        progress.phase = self.phase();
        progress.receiving_bytes = self.reader.pending_bytes();
        Ok(progress)
    }

    /// The phase now, counting an image that is still arriving.
    pub fn phase(&self) -> Phase {
        if self.reader.pending_bytes() >= RECEIVING_FROM_BYTES {
            Phase::Receiving
        } else {
            self.assembler.phase()
        }
    }

    pub fn assembler(&self) -> &Assembler {
        &self.assembler
    }

    pub fn reader(&self) -> &SseReader {
        &self.reader
    }

    /// The body has ended: the [`Generation`], or why there is none. An error
    /// event wins; then a stream cut inside an event is [`Failure::Incomplete`].
    pub fn finish(
        self,
        decode: impl FnOnce(&str) -> Result<Vec<u8>, String>,
    ) -> Result<Generation, Failure> {
        if let Some(f) = &self.assembler.failure {
            return Err(f.clone());
        }
        if let Err(events) = self.reader.finish() {
            return Err(Failure::Incomplete {
                events,
                inside_event: true,
            });
        }
        self.assembler.finish(decode)
    }
}

/// Whether a `Content-Type` is `text/event-stream` (any parameters, any case):
/// a 200 of another type is not read as a stream (a proxy that drops
/// `alt=sse` gets the JSON array of [`interpret_array_with`]).
pub fn is_event_stream(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// Reads `:streamGenerateContent` answered without `alt=sse`: a JSON array of
/// the events (`[{…},{…}]`), merged as the stream's are. Any other status is
/// the error it carries, as for [`crate::response::interpret_with`].
pub fn interpret_array_with(
    status: u16,
    body: Vec<u8>,
    decode: impl FnOnce(&str) -> Result<Vec<u8>, String>,
) -> Result<Generation, Failure> {
    if !(200..300).contains(&status) {
        return Err(crate::error::from_error_response(status, &body));
    }
    let parsed = serde_json::from_slice::<Vec<GenerateContentResponse>>(&body);
    drop(body);
    let events = parsed.map_err(|e| {
        if e.is_eof() {
            Failure::Truncated
        } else {
            Failure::Malformed(e.to_string())
        }
    })?;
    let mut assembler = Assembler::new();
    for event in events {
        if let Some(error) = &event.error {
            return Err(crate::error::from_error_value(error));
        }
        assembler.events += 1;
        assembler.merge(event);
    }
    assembler.finish(decode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{decode_base64, interpret};
    use serde_json::{json, Value};

    fn b64(n: usize, seed: u8) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..n)
            .map(|i| A[(i * 7 + seed as usize) % 64] as char)
            .collect()
    }

    /// A deterministic xorshift for chunk sizes.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// A key of `obj` in whichever spelling it has.
    fn take(
        obj: &mut serde_json::Map<String, Value>,
        camel: &str,
        snake: &str,
    ) -> Option<(String, Value)> {
        [camel, snake]
            .into_iter()
            .find_map(|k| obj.remove(k).map(|v| (k.to_owned(), v)))
    }

    /// Splits a non-streamed answer into events as the contract says: text parts
    /// in pieces of `piece` characters (the signature on the first), images
    /// whole, `modelVersion`/`responseId` on every event, a stand-in
    /// `usageMetadata` on the first, the real one and the candidate's other
    /// fields (finish, grounding) on the last. With `separate_finish`, the last
    /// event carries no part.
    fn split(answer: &Value, piece: usize, separate_finish: bool) -> Vec<Value> {
        let mut top = answer.as_object().unwrap().clone();
        let mut candidate = top.remove("candidates").unwrap()[0]
            .as_object()
            .unwrap()
            .clone();
        let mut content = candidate.remove("content").unwrap();
        let parts = content.as_object_mut().unwrap().remove("parts").unwrap();
        let usage = take(&mut top, "usageMetadata", "usage_metadata");
        let mut events = Vec::new();
        for part in parts.as_array().unwrap() {
            let mut part = part.as_object().unwrap().clone();
            match part.remove("text") {
                Some(Value::String(text)) => {
                    let chars: Vec<char> = text.chars().collect();
                    for (i, c) in chars.chunks(piece.max(1)).enumerate() {
                        let mut p = serde_json::Map::new();
                        p.insert("text".into(), Value::String(c.iter().collect()));
                        for (k, v) in &part {
                            if i == 0 || k == "thought" {
                                p.insert(k.clone(), v.clone());
                            }
                        }
                        events.push(vec![Value::Object(p)]);
                    }
                }
                Some(other) => panic!("text {other}"),
                None => events.push(vec![Value::Object(part)]),
            }
        }
        if separate_finish || events.is_empty() {
            events.push(Vec::new());
        }
        let n = events.len();
        events
            .into_iter()
            .enumerate()
            .map(|(i, parts)| {
                let mut cand = serde_json::Map::new();
                cand.insert("content".into(), json!({"role": "model", "parts": parts}));
                cand.insert("index".into(), json!(0));
                let mut ev = serde_json::Map::new();
                for (k, v) in &top {
                    ev.insert(k.clone(), v.clone());
                }
                if i + 1 == n {
                    for (k, v) in &candidate {
                        cand.insert(k.clone(), v.clone());
                    }
                    if let Some((k, v)) = &usage {
                        ev.insert(k.clone(), v.clone());
                    }
                } else if i == 0 {
                    if let Some((k, _)) = &usage {
                        ev.insert(k.clone(), json!({"promptTokenCount": 1}));
                    }
                }
                ev.insert("candidates".into(), json!([Value::Object(cand)]));
                Value::Object(ev)
            })
            .collect()
    }

    /// The events framed as SSE with `eol` line ends, with comments, other
    /// fields and (with `multiline`) data split over two lines.
    fn frame(events: &[Value], eol: &str, extras: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if extras {
            out.extend_from_slice(format!(": hello{eol}retry: 1000{eol}{eol}").as_bytes());
        }
        for (i, e) in events.iter().enumerate() {
            let json = serde_json::to_string(e).unwrap();
            if extras && i % 2 == 1 {
                // `{` then the rest on a second data line: joined by "\n",
                // which is JSON whitespace.
                let (a, b) = json.split_at(1);
                out.extend_from_slice(
                    format!("event: message{eol}data:{a}{eol}: between{eol}data: {b}{eol}id: {i}{eol}{eol}").as_bytes(),
                );
            } else {
                out.extend_from_slice(format!("data: {json}{eol}{eol}").as_bytes());
            }
        }
        out
    }

    fn run(stream: &[u8], sizes: &mut dyn FnMut() -> usize) -> Result<Generation, Failure> {
        let mut s = StreamingAnswer::new();
        let mut rest = stream;
        while !rest.is_empty() {
            let n = sizes().clamp(1, rest.len());
            let (chunk, tail) = rest.split_at(n);
            rest = tail;
            s.push(chunk)?;
        }
        s.finish(decode_base64)
    }

    /// Every framing and chunking of `answer` gives what the non-streamed
    /// answer gives.
    fn streams_like_whole(answer: Value) -> Result<Generation, Failure> {
        let whole = interpret(200, &serde_json::to_vec(&answer).unwrap());
        let mut rng = Rng(0x9E3779B97F4A7C15);
        for (piece, separate) in [(1, false), (5, true), (1000, false)] {
            let events = split(&answer, piece, separate);
            for (eol, extras) in [("\r\n", false), ("\n", true), ("\r", true), ("\r\n", true)] {
                let stream = frame(&events, eol, extras);
                let mut sizers: Vec<Box<dyn FnMut() -> usize>> = vec![
                    Box::new(|| 1),
                    Box::new(|| 7),
                    Box::new(|| usize::MAX),
                    Box::new(|| (rng.next() % 300) as usize + 1),
                ];
                for sizes in sizers.iter_mut() {
                    let streamed = run(&stream, sizes.as_mut());
                    assert_eq!(
                        streamed, whole,
                        "piece {piece}, eol {eol:?}, extras {extras}"
                    );
                }
            }
        }
        whole
    }

    fn thoughts_drafts_text_image() -> Value {
        json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "Planning the **scene**: a fox, then — light. ", "thought": true},
                {"inlineData": {"mimeType": "image/png", "data": b64(5000, 1)}, "thought": true, "thoughtSignature": "ZHJhZnQ="},
                {"text": "Refining the lighting… ünïcödé 🦊", "thought": true},
                {"inlineData": {"mimeType": "image/png", "data": b64(800, 2)}, "thought": true},
                {"text": "Here is your fox at dusk.", "thoughtSignature": b64(96, 3)},
                {"inlineData": {"mimeType": "image/jpeg", "data": b64(9000, 4)}, "thoughtSignature": "c2lnMg=="}
            ]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 1120, "thoughtsTokenCount": 200, "totalTokenCount": 1330},
            "modelVersion": "gemini-3.1-flash-image-preview",
            "responseId": "abc"
        })
    }

    #[test]
    fn thoughts_drafts_text_and_image_stream_like_the_whole_answer() {
        let g = streams_like_whole(thoughts_drafts_text_image()).unwrap();
        assert_eq!(g.final_index, 5);
        assert_eq!(g.content.parts.len(), 6);
    }

    #[test]
    fn image_only_streams_like_the_whole_answer() {
        let g = streams_like_whole(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"inlineData": {"mimeType": "image/png", "data": b64(6000, 5)}, "thoughtSignature": "c2ln"}
            ]}, "finishReason": "STOP"}],
            "usageMetadata": {"totalTokenCount": 1120},
            "modelVersion": "gemini-2.5-flash-image"
        }))
        .unwrap();
        assert_eq!(
            g.usage.unwrap().total_token_count,
            Some(1120),
            "the last usage wins"
        );
    }

    #[test]
    fn snake_case_streams_like_the_whole_answer() {
        let g = streams_like_whole(json!({
            "candidates": [{"content": {"parts": [
                {"text": "thinking", "thought": true},
                {"text": "Done.", "thought_signature": "c2ln"},
                {"inline_data": {"mime_type": "image/png", "data": b64(100, 6)}, "thought_signature": "czI="}
            ]}, "finish_reason": "STOP", "finish_message": "ok"}],
            "usage_metadata": {"prompt_token_count": 3, "thoughts_token_count": 4},
            "model_version": "m",
            "response_id": "r"
        }))
        .unwrap();
        assert_eq!(
            g.content.parts[1].thought_signature.as_deref(),
            Some("c2ln")
        );
        assert_eq!(g.usage.unwrap().prompt_token_count, Some(3));
    }

    #[test]
    fn grounding_streams_like_the_whole_answer() {
        let g = streams_like_whole(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "Today's weather in Paris, drawn.", "thoughtSignature": "c2ln"},
                {"inlineData": {"mimeType": "image/png", "data": b64(4100, 7)}, "thoughtSignature": "czI="}
            ]}, "finishReason": "STOP", "groundingMetadata": {
                "webSearchQueries": ["paris weather"],
                "groundingChunks": [{"web": {"uri": "https://example.org/w", "title": "Weather"}}],
                "searchEntryPoint": {"renderedContent": "<div>Paris weather</div>"}
            }}],
            "usageMetadata": {"totalTokenCount": 9},
            "modelVersion": "gemini-3-pro-image-preview"
        }))
        .unwrap();
        assert_eq!(g.grounding.unwrap().web_search_queries, ["paris weather"]);
    }

    #[test]
    fn failures_stream_like_the_whole_answer() {
        // No image: the model's text and finish reason, as for the whole answer.
        let e = streams_like_whole(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"text": "I cannot draw that."}
            ]}, "finishReason": "IMAGE_SAFETY", "finishMessage": "filtered"}]
        }))
        .unwrap_err();
        assert!(matches!(e, Failure::NoImage { .. }));
        // Bad image data.
        let e = streams_like_whole(json!({
            "candidates": [{"content": {"role": "model", "parts": [
                {"inlineData": {"mimeType": "image/png", "data": "!!!"}}
            ]}, "finishReason": "STOP"}]
        }))
        .unwrap_err();
        assert!(matches!(e, Failure::BadImage(_)));
    }

    #[test]
    fn a_json_array_of_events_reads_like_the_whole_answer() {
        for answer in [
            thoughts_drafts_text_image(),
            json!({"candidates": [{"content": {"parts": [{"text": "no"}]}, "finishReason": "STOP"}]}),
        ] {
            let events = split(&answer, 3, false);
            let array = serde_json::to_vec(&events).unwrap();
            assert_eq!(
                interpret_array_with(200, array, decode_base64),
                interpret(200, &serde_json::to_vec(&answer).unwrap())
            );
        }
        let events = split(&thoughts_drafts_text_image(), 3, false);
        let cut = serde_json::to_vec(&events[..2]).unwrap();
        assert_eq!(
            interpret_array_with(200, cut.clone(), decode_base64),
            Err(Failure::Incomplete {
                events: 2,
                inside_event: false
            })
        );
        assert_eq!(
            interpret_array_with(200, cut[..cut.len() - 1].to_vec(), decode_base64),
            Err(Failure::Truncated)
        );
        let error =
            br#"[{"candidates":[]},{"error":{"code":503,"message":"m","status":"UNAVAILABLE"}}]"#;
        assert!(
            matches!(interpret_array_with(200, error.to_vec(), decode_base64), Err(Failure::Api(e)) if e.code == 503)
        );
        assert!(
            matches!(interpret_array_with(503, error.to_vec(), decode_base64), Err(Failure::Api(e)) if e.code == 503)
        );
        assert!(matches!(
            interpret_array_with(200, b"{}".to_vec(), decode_base64),
            Err(Failure::Malformed(_))
        ));
    }

    #[test]
    fn event_stream_content_types() {
        assert!(is_event_stream("text/event-stream"));
        assert!(is_event_stream(" Text/Event-Stream ; charset=utf-8"));
        assert!(!is_event_stream("application/json"));
        assert!(!is_event_stream("text/event-streams"));
        assert!(!is_event_stream(""));
    }

    #[test]
    fn a_blocked_prompt_needs_no_finish_reason() {
        let stream = b"data: {\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"}, \"usageMetadata\": {\"promptTokenCount\": 5}}\r\n\r\n";
        assert_eq!(
            run(stream, &mut || usize::MAX).unwrap_err(),
            Failure::Blocked {
                reason: "PROHIBITED_CONTENT".into(),
                message: None
            }
        );
    }

    #[test]
    fn an_error_event_is_the_api_failure() {
        let events = split(&thoughts_drafts_text_image(), 10, false);
        let mut stream = frame(&events[..3], "\r\n", false);
        stream.extend_from_slice(
            b"data: {\"error\":{\"code\":500,\"message\":\"An internal error has occurred.\",\"status\":\"INTERNAL\"}}\r\n\r\n",
        );
        let mut s = StreamingAnswer::new();
        let err = s.push(&stream).unwrap_err();
        assert!(matches!(&err, Failure::Api(e) if e.code == 500 && e.status == "INTERNAL"));
        assert_eq!(s.push(b"data: {}\n\n"), Err(err.clone()), "it stays failed");
        assert_eq!(s.finish(decode_base64), Err(err));
        // Cut right after the error event: the error still wins.
        let mut s = StreamingAnswer::new();
        let _ = s.push(b"data: {\"error\":{\"code\":503,\"status\":\"UNAVAILABLE\",\"message\":\"m\"}}\n\ndata: {\"cand");
        assert!(matches!(s.finish(decode_base64), Err(Failure::Api(e)) if e.code == 503));
    }

    #[test]
    fn a_stream_cut_inside_an_event_is_incomplete() {
        let events = split(&thoughts_drafts_text_image(), 10, false);
        let stream = frame(&events, "\r\n", false);
        let last_data = stream.len() - 40;
        for (cut, complete) in [
            (last_data, events.len() - 1),
            (stream.len() - 2, events.len() - 1), // the blank line is missing
            (3, 0),
        ] {
            assert_eq!(
                run(&stream[..cut], &mut || 7).unwrap_err(),
                Failure::Incomplete {
                    events: complete,
                    inside_event: true
                },
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_stream_without_finish_reason_is_incomplete() {
        let events = split(&thoughts_drafts_text_image(), 10, false);
        let n = events.len();
        let stream = frame(&events[..n - 1], "\n", false);
        assert_eq!(
            run(&stream, &mut || 64).unwrap_err(),
            Failure::Incomplete {
                events: n - 1,
                inside_event: false
            }
        );
        assert_eq!(
            run(b"", &mut || 1).unwrap_err(),
            Failure::Incomplete {
                events: 0,
                inside_event: false
            }
        );
        assert_eq!(
            run(b": keepalive\n\n: only comments\n", &mut || 1).unwrap_err(),
            Failure::Incomplete {
                events: 0,
                inside_event: false
            },
            "comments are not events"
        );
    }

    #[test]
    fn unreadable_events_are_malformed_or_truncated() {
        assert!(matches!(
            run(b"data: <html>\n\n", &mut || 1).unwrap_err(),
            Failure::Malformed(_)
        ));
        assert_eq!(
            run(b"data: {\"candidates\": [\n\n", &mut || 1).unwrap_err(),
            Failure::Truncated
        );
    }

    #[test]
    fn progress_shows_thoughts_drafts_text_and_the_image_as_they_come() {
        let events = split(&thoughts_drafts_text_image(), 1000, true);
        let mut a = Assembler::new();
        let mut seen = Vec::new();
        for e in &events {
            let p = a.push_event(serde_json::to_vec(e).unwrap()).unwrap();
            seen.push(p);
        }
        assert_eq!(
            seen[0].thought_text,
            "Planning the **scene**: a fox, then — light. "
        );
        assert_eq!(seen[0].phase, Phase::Thinking);
        assert_eq!(seen[1].drafts, [1]);
        assert_eq!(seen[1].phase, Phase::Drawing);
        assert_eq!(seen[2].phase, Phase::Thinking);
        assert_eq!(seen[3].drafts, [3]);
        assert_eq!(seen[4].answer_text, "Here is your fox at dusk.");
        assert_eq!(seen[4].phase, Phase::Drawing);
        assert_eq!(seen[5].final_image, Some(5));
        assert_eq!(seen[5].phase, Phase::Receiving);
        assert_eq!(
            seen[6],
            Progress {
                phase: Phase::Receiving,
                ..Progress::default()
            }
        );
        assert!(a.finished());
        assert_eq!(a.parts().len(), 6);
        assert_eq!(a.events(), 7);
        let whole = crate::lift::parse_response(
            &serde_json::to_vec(&thoughts_drafts_text_image()).unwrap(),
        )
        .unwrap();
        let mut merged = a.response().unwrap();
        // The whole answer's candidate has its own role; the merged one is the model's.
        assert_eq!(
            merged.candidates[0].content.take().unwrap().parts,
            whole.candidates[0].content.clone().unwrap().parts
        );
        // Text pieces of one chunk come as one progress; several events too.
        let mut s = StreamingAnswer::new();
        let p = s
            .push(&frame(
                &split(&thoughts_drafts_text_image(), 4, false)[..3],
                "\n",
                false,
            ))
            .unwrap();
        assert_eq!(p.thought_text, "Planning the");
        let p = s
            .push(&frame(
                &split(&thoughts_drafts_text_image(), 1000, false)[1..2],
                "\n",
                false,
            ))
            .unwrap();
        assert_eq!(p.drafts, [1]);
    }

    #[test]
    fn an_image_on_its_way_is_receiving() {
        let mut s = StreamingAnswer::new();
        let head = b"data: {\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"";
        let p = s.push(head).unwrap();
        assert_eq!(p.phase, Phase::Thinking);
        let p = s.push(&vec![b'A'; RECEIVING_FROM_BYTES]).unwrap();
        assert_eq!(p.phase, Phase::Receiving);
        assert_eq!(p.receiving_bytes, head.len() - 6 + RECEIVING_FROM_BYTES);
        let p = s.push(b"\"}}]},\"finishReason\":\"STOP\"}]}\n\n").unwrap();
        assert_eq!(
            (p.final_image, p.receiving_bytes, p.phase),
            (Some(0), 0, Phase::Receiving)
        );
        assert_eq!(
            s.finish(decode_base64).unwrap().image.len(),
            RECEIVING_FROM_BYTES / 4 * 3
        );
    }

    #[test]
    fn merging_rule() {
        let mut a = Assembler::new();
        let ev = |parts: Value| {
            serde_json::to_vec(&json!({"candidates": [{"content": {"parts": parts}}]})).unwrap()
        };
        a.push_event(ev(json!([{"text": "a", "thought": true}, {"text": "b", "thought": true, "thoughtSignature": "s1"}]))).unwrap();
        a.push_event(ev(json!([{"text": "c", "thought": true}, {"text": "d"}])))
            .unwrap();
        a.push_event(ev(json!([{"text": "e", "thought": false, "thoughtSignature": "s2"}, {"text": "f", "thoughtSignature": "s3"}]))).unwrap();
        a.push_event(ev(json!([{"inlineData": {"mimeType": "image/png", "data": "AA=="}}, {"inlineData": {"mimeType": "image/png", "data": "AQ=="}}, {"text": "g"}]))).unwrap();
        let p = a.parts();
        let texts: Vec<_> = p
            .iter()
            .map(|p| {
                (
                    p.text.as_deref(),
                    p.is_thought(),
                    p.thought_signature.as_deref(),
                    p.inline_data.is_some(),
                )
            })
            .collect();
        assert_eq!(
            texts,
            [
                // A signature on a later piece belongs to the merged part.
                (Some("abc"), true, Some("s1"), false),
                (Some("de"), false, Some("s2"), false),
                // A second signature starts a part of its own.
                (Some("f"), false, Some("s3"), false),
                // Images are never merged.
                (None, false, None, true),
                (None, false, None, true),
                (Some("g"), false, None, false),
            ]
        );
    }

    #[test]
    fn sse_framing() {
        let all = |input: &[u8]| {
            // Same events whether fed whole or a byte at a time.
            let mut r = SseReader::new();
            let whole = r.push(input);
            let mut r2 = SseReader::new();
            let bytes: Vec<Vec<u8>> = input.iter().flat_map(|b| r2.push(&[*b])).collect();
            assert_eq!(whole, bytes);
            assert_eq!(r.finish(), r2.finish());
            whole
        };
        let s = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(
            all(b"data: a\n\ndata:b\r\n\r\ndata:  c\r\rdata\n\n"),
            s(&["a", "b", " c", ""])
        );
        assert_eq!(all(b"data: 1\ndata: 2\r\ndata:3\r\r"), s(&["1\n2\n3"]));
        assert_eq!(
            all(b": c\nevent: x\nid: 7\nretry: 5\ndatax: no\nDATA: no\n\ndata: y\n\n"),
            s(&["y"])
        );
        assert_eq!(all(b"\n\n\r\n\r\r"), s(&[]));
        assert_eq!(all(b"\xEF\xBB\xBFdata: bom\n\n"), s(&["bom"]));
        assert_eq!(
            all(b"\xEF\xBBdata: half\n\n"),
            s(&[]),
            "a half BOM spoils the first line's name"
        );
        assert_eq!(all(b"\xEFdata: x\n\ndata: y\n\n"), s(&["y"]));
        assert_eq!(all(b"data: \xEF\xBB\xBFkept\n\n"), s(&["\u{feff}kept"]));
        assert_eq!(all(b"data:\n\n"), s(&[""]));
        assert_eq!(all(b"data: a:b: c\n\n"), s(&["a:b: c"]));
        let mut r = SseReader::new();
        assert!(r.push(b"data: x\n").is_empty());
        assert_eq!(r.finish(), Err(0), "no blank line: the event is cut");
        let mut r = SseReader::new();
        r.push(b"data: x\n\nda");
        assert_eq!(r.finish(), Err(1));
        let mut r = SseReader::new();
        r.push(b"data: x\n\n: partial comm");
        assert_eq!(r.finish(), Ok(1));
        let mut r = SseReader::new();
        r.push(b"data: x\n\nid: 3\n");
        assert_eq!(r.finish(), Ok(1), "a field without data is no event");
    }

    #[test]
    fn a_20_mb_event_in_64_kib_chunks_is_held_once() {
        let image = b64(20 * 1024 * 1024, 9);
        let mut stream = Vec::with_capacity(image.len() + 200);
        stream.extend_from_slice(b"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"");
        stream.extend_from_slice(image.as_bytes());
        stream.extend_from_slice(
            b"\"},\"thoughtSignature\":\"c2ln\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n",
        );
        let event = stream.len();
        let mut s = StreamingAnswer::new();
        let mut most = 0;
        for chunk in stream.chunks(64 * 1024) {
            s.push(chunk).unwrap();
            most = most.max(s.reader().buffered_capacity());
        }
        assert!(most < 2 * event, "held {most} for an event of {event}");
        assert!(most >= event - 100, "the event was gathered: {most}");
        assert_eq!(
            s.reader().buffered_capacity(),
            0,
            "given away whole, not copied"
        );
        let g = s
            .finish(|data| Ok(data.len().to_le_bytes().to_vec()))
            .unwrap();
        assert_eq!(g.image, image.len().to_le_bytes());
    }
}
