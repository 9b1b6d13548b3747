//! Small, pure formats the studio reads and writes, with no browser dependencies so
//! host `cargo test` reaches them, and small enough for the wasm app.
//!
//! - [`zip`]: a ZIP writer that never holds the archive (it hands out headers; the
//!   caller appends each entry's bytes itself, e.g. as Blob parts) and a reader that
//!   works on byte ranges of a file it never loads whole. ZIP64, UTF-8 names, strict
//!   validation with typed errors.
//! - [`markdown`]: the model's (and its thoughts') Markdown as a small tree of blocks
//!   and inlines, to be rendered as elements built from text nodes (never HTML).
//! - [`image`]: width and height from the first bytes of a PNG, JPEG, WebP, GIF or BMP.
//!
//! Nothing here panics on input from outside: every byte, length and offset is
//! checked, and failures are typed errors whose messages say what happened and what
//! to do.

#![forbid(unsafe_code)]

pub mod image;
pub mod markdown;
pub mod zip;
