//! The Gemini `generateContent` image protocol, with no browser dependencies.
//!
//! Everything that can be decided without a browser lives here so host `cargo test`
//! reaches it: what the request body is ([`request`]), what each model accepts
//! ([`models`]), which part of an answer is the final image and what went wrong
//! ([`response`], [`error`]), what kind of image a file really is ([`mime`]),
//! what a download is called ([`naming`]), whether and when to retry and how
//! long to wait ([`retry`]), how a streamed answer is read ([`stream`]) and how
//! the API key is kept out of anything shown ([`scrub`]), the same request as a
//! program ([`codegen`]), and what an answer probably cost ([`pricing`]).

pub mod auth;
pub mod codegen;
pub mod error;
pub mod lift;
pub mod mime;
pub mod models;
pub mod naming;
pub mod pricing;
pub mod request;
pub mod response;
pub mod retry;
pub mod scrub;
pub mod stream;
pub mod wire;

pub use auth::KeyHeader;
pub use error::{ApiError, Failure, TimeoutPhase};
pub use mime::{ImageMime, Sniffed};
pub use models::{AspectRatio, ImageSize, ModelCaps, Thinking, ThinkingLevel};
pub use request::{RequestError, Settings};
pub use response::Generation;
pub use retry::{Decision, RetryInput, RetryPolicy};
pub use scrub::scrub;
pub use stream::StreamingAnswer;
