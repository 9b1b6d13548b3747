//! The image tools' work: Copy image (a PNG on the clipboard) and Download all
//! (a ZIP of a conversation's final images and `prompts.txt`, written in
//! pieces with the `formats` crate's ZIP writer, as the history export is).

use formats::zip::{Data, Modified, ZipWriter};
use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Blob;

use super::show;
use crate::browser::download::download_blob;
use crate::browser::files::{blob_bytes, join};
use crate::browser::object_url::SharedUrl;
use crate::browser::{canvas, clipboard, next_task, now_ms};
use crate::error::AppError;
use crate::model::bundle::{archive_name, entry_name, prompts_txt, BundleItem};
use crate::state::AppState;

/// Puts `image` on the clipboard as a PNG (re-encoded if it is a JPEG or
/// WebP: browsers take only PNG images); an alert says why when the browser
/// refuses.
pub fn handle_copy_image(state: AppState, image: SharedUrl) {
    spawn_local(async move {
        let copied = match canvas::as_png(image.blob()).await {
            Ok(png) => clipboard::copy_png(&png).await,
            Err(why) => Err(why),
        };
        match copied {
            Ok(()) => state.notice.set(Some("Image copied.".to_owned())),
            Err(why) => show(state, AppError::NotCopied(why)),
        }
    });
}

/// Saves a ZIP of the conversation on screen: each turn's final image (the
/// chosen variant), named by turn number and prompt with its real extension,
/// and `prompts.txt`. Images are read one at a time (for their CRC) and the
/// archive is a Blob of pieces, never whole in wasm memory.
pub fn handle_download_all(state: AppState) {
    let title = state.current.with_untracked(|c| c.label.clone());
    let images: Vec<(BundleItem, Blob)> = state.turns.with_untracked(|turns| {
        turns
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let a = t.answer()?;
                Some((
                    BundleItem {
                        turn: i + 1,
                        prompt: t.data.prompt.clone(),
                        mime: a.mime_type.clone(),
                    },
                    a.image.blob().clone(),
                ))
            })
            .collect()
    });
    if images.is_empty() {
        return;
    }
    spawn_local(async move {
        match bundle(&title, &images).await {
            Ok(blob) => {
                if download_blob(&blob, &archive_name(&title)).is_err() {
                    show(
                        state,
                        AppError::NotBundled("The browser would not save the file.".into()),
                    );
                }
            }
            Err(why) => show(state, AppError::NotBundled(why)),
        }
    });
}

async fn bundle(title: &str, images: &[(BundleItem, Blob)]) -> Result<Blob, String> {
    let modified = Modified {
        unix_ms: now_ms(),
        utc_offset_minutes: -(js_sys::Date::new_0().get_timezone_offset() as i32),
    };
    let items: Vec<BundleItem> = images.iter().map(|(i, _)| i.clone()).collect();
    let parts = Array::new();
    let mut zip = ZipWriter::new();
    for (item, blob) in images {
        let name = zip.unique_name(&entry_name(item, items.len()));
        let bytes = blob_bytes(blob).await?;
        let header = zip
            .entry_header(&name, Data::Bytes(&bytes), modified)
            .map_err(|e| e.to_string())?;
        drop(bytes);
        parts.push(&Uint8Array::from(header.as_slice()));
        parts.push(blob);
        next_task().await;
    }
    let txt = prompts_txt(title, &items);
    let entry = zip
        .deflated_entry("prompts.txt", txt.as_bytes(), modified)
        .map_err(|e| e.to_string())?;
    parts.push(&Uint8Array::from(entry.as_slice()));
    parts.push(&Uint8Array::from(zip.finish().as_slice()));
    join(&parts, "application/zip")
}
