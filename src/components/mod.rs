//! The page, one component per file; `ui` holds the small shared parts.

mod alert;
mod app_status;
mod banner;
mod code;
mod composer;
mod conversation;
mod editor;
mod endpoint;
mod history;
mod key_destination;
mod markdown;
mod prompts;
mod settings;
mod share;
mod shortcuts;
mod theme;
mod turn;
pub mod ui;
mod usage;

pub use alert::{AlertBanner, SaveFile};
pub use app_status::AppStatus;
pub use banner::SiteBanner;
pub use code::GetCodeDialog;
pub use composer::Composer;
pub use conversation::ConversationView;
pub use endpoint::Endpoint;
pub use history::HistoryPanel;
pub use key_destination::KeyDestinationDialog;
pub use markdown::Markdown;
pub use prompts::PromptLibraryDialog;
pub use settings::SettingsPanel;
pub use share::{ShareDialog, ShareOfferDialog};
pub use shortcuts::{ShortcutsButton, ShortcutsDialog};
pub use theme::ThemeSwitch;
pub use turn::TurnCard;
pub use usage::Usage;
