//! The studio's pure model: turns and their answers, conversations, branching,
//! variant choice, the stored form of a turn, labels and limits, "Get code"
//! and price estimates. No browser
//! crates and no signals, so `cargo test -p studio --lib` checks all of it on
//! the host. Images are a type parameter: the app shows them as object URLs,
//! tests as plain values.

pub mod alert;
pub mod annotate;
pub mod bundle;
pub mod code;
pub mod conversation;
pub mod cost;
pub mod labels;
pub mod limits;
pub mod look;
pub mod prefs;
pub mod progress;
pub mod region;
pub mod requests;
pub mod share;
pub mod sources;
pub mod stored;
pub mod turn;
pub mod viewer;

pub use alert::{Alert, AlertFile};
pub use conversation::{ConversationMeta, PendingDelete};
pub use turn::{Answer, Thought, Tokens, TurnData, Variant};
