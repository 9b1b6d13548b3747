//! What is kept in the browser: conversations, turns, images and the composer
//! draft in IndexedDB ([`db`]), as plain records ([`records`]); how much room
//! there is ([`quota`]); and the word between tabs ([`sync`]).

pub mod records;

pub mod db;
pub mod quota;
pub mod sync;

pub use db::{DraftSlot, Store, StoreError};
pub use records::{
    ConversationRecord, DraftRecord, PromptRecord, StoredTurn, TurnRecord, VariantRecord,
};
