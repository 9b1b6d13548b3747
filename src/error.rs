//! The app's one error type, and the one conversion to what the alert shows.
//! Commands return an [`AppError`]; `commands::show` scrubs the key from it and
//! puts it in the alert.

use gemini::Failure;

use crate::model::limits::ImageLimit;
use crate::model::{Alert, AlertFile};
use crate::store::StoreError;

/// Everything that can go wrong, by what the person was doing.
#[derive(Clone, Debug, PartialEq)]
pub enum AppError {
    /// Generating a turn failed (or was refused before sending).
    Generation(Failure),
    /// A request was sent again as long as that could help, and still failed:
    /// `message` says so (the attempts made, or the server's wait).
    GaveUp {
        failure: Failure,
        message: gemini::error::Message,
    },
    /// Another tab has a request in flight on this conversation.
    InUseElsewhere,
    /// Files were not attached: one reason per file.
    NotAdded(Vec<String>),
    /// A generated image was not attached: the model's limit.
    ReferenceLimit(ImageLimit),
    /// A turn was not stored; `used` is the storage estimate when it is full.
    NotSaved {
        error: StoreError,
        used: Option<String>,
    },
    /// A stored conversation could not be read back.
    NotOpened(String),
    NotDeleted(StoreError),
    NotExported(StoreError),
    /// The browser would not save a file.
    NotDownloaded,
    /// An import file was refused before anything was written.
    ImportRefused(String),
    /// A checked import file could not be read again to be stored (why).
    ImportStopped(String),
    /// A checked import could not be written.
    NotImported {
        error: StoreError,
        used: Option<String>,
    },
    /// Get code could not write the request as code (why, and what to do).
    NoCode(String),
    /// The browser refused to put an image on the clipboard (why).
    NotCopied(String),
    /// Download all could not make its ZIP (why).
    NotBundled(String),
    /// An image tool (region edit, annotate) could not do its work (why).
    EditFailed(String),
    /// An image made here (a region edit's composite) could not be read to
    /// become a reference image (why).
    NotAttached(String),
    /// A share link that was opened cannot be used (why).
    ShareUnreadable(String),
    /// The browser would not copy a share link to the clipboard (why).
    LinkNotCopied(String),
    /// The prompt library could not be read or changed.
    Prompts(StoreError),
    /// Generate needs the network and the browser is offline.
    Offline,
    /// The code of a feature (Export, Import, Get code) is loaded on first
    /// use and could not be: the connection dropped, or a new deployment
    /// replaced it. Reload fetches the current version.
    NotLoaded(&'static str),
    /// The storage layer's code (loaded after the first paint) could not be
    /// loaded: nothing is kept in this browser until the page is reloaded.
    StorageNotLoaded,
}

impl From<Failure> for AppError {
    fn from(f: Failure) -> Self {
        AppError::Generation(f)
    }
}

fn alert(title: &str, detail: Option<String>, action: &str) -> Alert {
    Alert {
        title: title.to_owned(),
        detail,
        action: action.to_owned(),
        retryable: false,
        reload: false,
        file: None,
    }
}

/// The bytes of an answer's image that is not shown, to save as a file.
fn unshown(f: &Failure) -> Option<AlertFile> {
    match f {
        Failure::Unshowable { bytes, .. } => Some(AlertFile {
            name: "answer-image-not-shown.bin".into(),
            bytes: bytes.clone(),
        }),
        _ => None,
    }
}

/// Why a write failed, as the alert says it.
fn store_alert(error: &StoreError, used: &Option<String>, title: &str) -> Alert {
    match error {
        StoreError::Quota => {
            let used = used.as_ref().map(|u| format!(" ({u})")).unwrap_or_default();
            alert(
                "Browser storage is full: this image was not saved",
                Some(format!(
                    "The browser's storage for this site is full{used}. The image stays on this page and Download still works; what was saved before is intact."
                )),
                "Export or delete old conversations in History to make room, then generate again or download this image.",
            )
        }
        StoreError::Unavailable(why) => alert(
            title,
            Some(format!("Browser storage is unavailable here ({why}).")),
            "It stays on this page: Download the images you want to keep before closing it (nothing is kept after that).",
        ),
        StoreError::Closed => alert(
            title,
            Some("The studio was updated in another tab.".into()),
            "Download what you want to keep, then reload this page.",
        ),
        other => alert(
            title,
            Some(format!("{other}.")),
            "It stays on this page and Download still works. Reload the page to try saving again.",
        ),
    }
}

/// Why nothing was imported, and what to do: what was here before is always
/// intact (an import is written whole or not at all).
fn import_alert(error: &StoreError, used: Option<String>) -> Alert {
    let (detail, action) = match error {
        StoreError::Quota => (
            format!(
                "The browser's storage for this site is full{}. What was here before is intact.",
                used.map(|u| format!(" ({u})")).unwrap_or_default()
            ),
            "Export or delete old conversations in History to make room (or ask the browser to keep more: Keep storage persistent), then import again.",
        ),
        StoreError::Unavailable(why) => (
            format!("Browser storage is unavailable here ({why})."),
            "Import in a browser window where the studio can keep its history (not a private one).",
        ),
        StoreError::Closed => (
            "The studio was updated in another tab.".to_owned(),
            "Reload this page, then import again.",
        ),
        StoreError::Missing(_) => (
            format!("The import stopped: {error}. What was here before is intact."),
            "Import the file again.",
        ),
        StoreError::Failed(_) => (
            format!("The browser refused to write it: {error}. What was here before is intact."),
            "Reload the page, then import again.",
        ),
    };
    alert("Nothing was imported", Some(detail), action)
}

impl AppError {
    /// The alert of an error the first screen's own code writes, `None` for
    /// any other: that code did not load, and what stops Generate before any
    /// code is fetched (offline, another tab's request), so that these are
    /// said at once and even when nothing more can load. Every other alert
    /// is written by the code loaded right after the first paint (see
    /// `commands::show`), with its messages.
    pub fn early_alert(&self) -> Option<Alert> {
        match self {
            AppError::StorageNotLoaded => Some(storage_not_loaded()),
            AppError::NotLoaded(what) => Some(not_loaded(what)),
            AppError::Offline => Some(offline()),
            AppError::InUseElsewhere => Some(in_use_elsewhere()),
            _ => None,
        }
    }
}

/// Said when something went wrong and the code that writes its alert did not
/// load: what happened is not known here, what to do is.
pub fn unexplained_alert() -> Alert {
    Alert {
        reload: true,
        ..alert(
            "Something did not work, and its message could not be shown: its code did not load",
            Some(
                "The connection may have dropped, or a newer version of the studio replaced this one on the server. Nothing you made was removed."
                    .into(),
            ),
            "Reload the page to get the current version (your conversations, prompt and images are kept), then try again.",
        )
    }
}

fn offline() -> Alert {
    alert(
        "Generate needs the network",
        Some("This browser is offline: your history and drafts are still here.".into()),
        "Connect to the network, then press Generate again.",
    )
}

fn in_use_elsewhere() -> Alert {
    alert(
        "This conversation is being continued in another tab",
        Some("A request on it is in flight there; two at once would fork it.".into()),
        "Wait until that tab's turn lands (this one then shows it), or start a New conversation here.",
    )
}

fn storage_not_loaded() -> Alert {
    Alert {
        reload: true,
        ..alert(
            "Browser storage could not start: its code did not load",
            Some(
                "The connection may have dropped, or a newer version of the studio replaced this one on the server. The studio works, but what you make now is not kept in this browser."
                    .into(),
            ),
            "Download the images you want to keep, then reload the page (what was kept before is still there).",
        )
    }
}

fn not_loaded(what: &str) -> Alert {
    Alert {
        reload: true,
        ..alert(
            &format!("{what} could not start: its code did not load"),
            Some(
                "The connection may have dropped, or a newer version of the studio replaced this one on the server. Nothing was changed."
                    .into(),
            ),
            &format!("Reload the page to get the current version (your conversations, prompt and images are kept), or check the connection and use {what} again."),
        )
    }
}

impl From<AppError> for Alert {
    fn from(e: AppError) -> Alert {
        match e {
            AppError::Generation(f) => Alert {
                retryable: f.retryable(),
                file: unshown(&f),
                ..Alert::from(f.message())
            },
            AppError::GaveUp { failure, message } => Alert {
                retryable: failure.retryable(),
                file: unshown(&failure),
                ..Alert::from(message)
            },
            AppError::InUseElsewhere => in_use_elsewhere(),
            AppError::NotAdded(problems) => alert(
                &if problems.len() == 1 {
                    "An image was not added".to_owned()
                } else {
                    format!("{} images were not added", problems.len())
                },
                Some(problems.join("\n")),
                "Use PNG, JPEG or WebP images (others are converted where the browser can).",
            ),
            AppError::ReferenceLimit(limit) => alert(
                "The image was not added",
                None,
                &format!("{limit}. Remove one first."),
            ),
            AppError::NotSaved { error, used } => {
                store_alert(&error, &used, "This image was not saved")
            }
            AppError::NotOpened(why) => alert(
                "The conversation could not be opened",
                Some(why),
                "Reload the page and try again; export your history if this persists.",
            ),
            AppError::NotDeleted(e) => alert(
                "Nothing was deleted",
                Some(format!("{e}.")),
                "Reload the page and try again.",
            ),
            AppError::NotExported(e) => alert(
                "The export failed",
                Some(format!("{e}.")),
                "Try again; nothing was changed.",
            ),
            AppError::NotDownloaded => {
                alert("The export could not be downloaded", None, "Try again.")
            }
            AppError::ImportRefused(why) => alert(
                "Nothing was imported",
                Some(why),
                "Choose a file exported by Gemini Studio (gemini-studio-export.zip, or a .json export of an earlier version).",
            ),
            AppError::ImportStopped(why) => alert(
                "Nothing was imported",
                Some(format!(
                    "The file was checked, then could not be read again to be stored ({why}): it was moved, deleted or changed meanwhile."
                )),
                "Keep the file where it is, then choose it again in Import.",
            ),
            AppError::NotImported { error, used } => import_alert(&error, used),
            AppError::NoCode(why) => alert(
                "No code for this request",
                Some(why),
                "Fix what the message says, then press Get code again.",
            ),
            AppError::NotCopied(why) => alert(
                "The image was not copied",
                Some(format!("The browser refused: {why}.")),
                "Use Download, or open the image and copy it from the browser's menu.",
            ),
            AppError::NotBundled(why) => alert(
                "Download all failed",
                Some(why),
                "Try again, or download the images one by one.",
            ),
            AppError::EditFailed(why) => alert(
                "The edit was not made",
                Some(why),
                "Nothing was sent; try again with another image or selection.",
            ),
            AppError::NotAttached(why) => alert(
                "The image was not added to the composer",
                Some(why),
                "Try Use as reference again, or download the image and add it with Add images.",
            ),
            AppError::ShareUnreadable(why) => alert(
                "This share link cannot be used",
                Some(format!("{why}. Nothing was changed.")),
                "Ask for the link again, copied whole.",
            ),
            AppError::LinkNotCopied(why) => alert(
                "The link was not copied",
                Some(why),
                "Select the link and copy it yourself.",
            ),
            AppError::Prompts(e) => alert(
                "The prompt library could not be changed",
                Some(format!("{e}.")),
                "Reload the page and try again.",
            ),
            AppError::Offline => offline(),
            AppError::StorageNotLoaded => storage_not_loaded(),
            AppError::NotLoaded(what) => not_loaded(what),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_says_what_happened_and_what_to_do() {
        let cases = [
            AppError::Generation(Failure::Truncated),
            AppError::InUseElsewhere,
            AppError::GaveUp {
                failure: Failure::Truncated,
                message: Failure::Truncated.message(),
            },
            AppError::NotSaved {
                error: StoreError::Unavailable("private mode".into()),
                used: None,
            },
            AppError::NotAdded(vec!["a".into(), "b".into()]),
            AppError::ReferenceLimit(ImageLimit {
                model: "M".into(),
                max: 3,
            }),
            AppError::NotSaved {
                error: StoreError::Quota,
                used: Some("5 MB of 6 MB used".into()),
            },
            AppError::NotSaved {
                error: StoreError::Closed,
                used: None,
            },
            AppError::NotOpened("why".into()),
            AppError::NotDeleted(StoreError::Failed("x".into())),
            AppError::NotExported(StoreError::Failed("x".into())),
            AppError::NotDownloaded,
            AppError::NotCopied("denied".into()),
            AppError::LinkNotCopied("denied".into()),
            AppError::NotBundled("no".into()),
            AppError::EditFailed("no".into()),
            AppError::NotAttached("no".into()),
            AppError::ImportRefused("bad".into()),
            AppError::ImportStopped("NotReadableError".into()),
            AppError::NotImported {
                error: StoreError::Quota,
                used: None,
            },
            AppError::NotImported {
                error: StoreError::Missing("0123456789abcdef".into()),
                used: None,
            },
            AppError::NotImported {
                error: StoreError::Failed("DataError".into()),
                used: None,
            },
            AppError::NotImported {
                error: StoreError::Closed,
                used: None,
            },
            AppError::NotImported {
                error: StoreError::Unavailable("private mode".into()),
                used: None,
            },
            AppError::NoCode("Write a prompt or add an image first.".into()),
            AppError::NotLoaded("Export"),
            AppError::StorageNotLoaded,
        ];
        for e in cases {
            let a = Alert::from(e.clone());
            assert!(!a.title.is_empty() && !a.action.is_empty(), "{e:?}");
            // The first screen writes only the alerts saying code did not
            // load, offline, or in use in another tab, the same as the full
            // conversion; the others need `later`.
            let early = e.early_alert();
            let first_screen = matches!(
                e,
                AppError::NotLoaded(_)
                    | AppError::StorageNotLoaded
                    | AppError::Offline
                    | AppError::InUseElsewhere
            );
            assert_eq!(early.is_some(), first_screen, "{e:?}");
            if let Some(early) = early {
                assert_eq!(early, a, "{e:?}");
            }
            if matches!(e, AppError::NotImported { .. }) {
                // Never the words for an image that was not saved.
                let detail = a.detail.unwrap_or_default();
                assert!(!detail.contains("stays on this page"), "{e:?}");
                assert!(!a.action.contains("Download"), "{e:?}");
                assert_eq!(a.title, "Nothing was imported");
            }
        }
        // When even the alerts' code cannot load: what to do, with Reload.
        let a = unexplained_alert();
        assert!(
            a.reload && a.title.contains("its code did not load") && a.action.contains("Reload")
        );
        // Storage's code missing: never "your work is kept", and Reload.
        let a = Alert::from(AppError::StorageNotLoaded);
        assert!(a.reload && a.title.starts_with("Browser storage could not start"));
        assert!(a.detail.unwrap_or_default().contains("not kept") && a.action.contains("Download"));
        // Only an alert about code that did not load offers Reload.
        let a = Alert::from(AppError::NotLoaded("Get code"));
        assert!(a.reload && !a.retryable);
        assert!(a.title.starts_with("Get code could not start"));
        assert!(!Alert::from(AppError::NoCode("x".into())).reload);
        let a = Alert::from(AppError::NotSaved {
            error: StoreError::Quota,
            used: Some("5 MB of 6 MB used".into()),
        });
        assert!(a.detail.unwrap().contains("(5 MB of 6 MB used)"));
        let full = Alert::from(AppError::NotImported {
            error: StoreError::Quota,
            used: Some("2 GB of 2 GB used".into()),
        });
        assert_eq!(full.title, "Nothing was imported");
        let detail = full.detail.unwrap_or_default();
        assert!(detail.contains("(2 GB of 2 GB used)") && !detail.contains("image stays"));
        assert!(full.action.ends_with("then import again."));
        assert_eq!(
            Alert::from(AppError::NotAdded(vec!["x".into()])).title,
            "An image was not added"
        );
        assert!(Alert::from(AppError::Generation(Failure::Truncated)).retryable);
        assert_eq!(
            Alert::from(AppError::ReferenceLimit(ImageLimit {
                model: "M".into(),
                max: 3
            }))
            .action,
            "M takes at most 3 reference images. Remove one first."
        );
    }
}
