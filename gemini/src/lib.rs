//! The Gemini `generateContent` image protocol, with no browser dependencies.
//!
//! Everything that can be decided without a browser lives here so host `cargo test`
//! reaches it: what the request body is ([`request`]), what each model accepts
//! ([`models`]), which part of an answer is the final image and what went wrong
//! ([`response`], [`error`]), what kind of image a file really is ([`mime`]) and
//! what a download is called ([`naming`]).

pub mod codegen;
pub mod conversation;
pub mod error;
pub mod lift;
pub mod mime;
pub mod models;
pub mod naming;
pub mod pricing;
pub mod request;
pub mod response;
pub mod wire;

pub use conversation::{Conversation, Turn};
pub use error::{ApiError, Failure};
pub use mime::{ImageMime, Sniffed};
pub use models::{AspectRatio, ImageSize, ModelCaps, Thinking, ThinkingLevel};
pub use request::{RequestError, Settings};
pub use response::Generation;
