//! The page, one component per file.

mod alert;
mod composer;
mod conversation;
mod endpoint;
mod settings;
mod turn;

pub use alert::AlertBanner;
pub use composer::Composer;
pub use conversation::ConversationView;
pub use endpoint::Endpoint;
pub use settings::SettingsPanel;
pub use turn::TurnCard;
