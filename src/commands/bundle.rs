//! Download all's ZIP (a conversation's final images and `prompts.txt`,
//! written in pieces with the `formats` crate's ZIP writer, as the history
//! export is) and the region-edit composite it holds for an edited turn.
//! Loaded on first use in the release build (`super::editor`'s split point), so it
//! uses nothing of the commands that call it.

use formats::zip::{Data, Modified, ZipWriter};
use js_sys::{Array, Uint8Array};
use web_sys::Blob;

use crate::browser::canvas;
use crate::browser::files::{blob_bytes, join};
use crate::browser::{next_task, now_ms};
use crate::model::bundle::{entry_name, prompts_txt, BundleItem};
use crate::model::region::{self, Selection, FEATHER_PX};

/// A region edit's source image and selection.
pub struct Edit {
    pub selection: Selection,
    pub source: Blob,
}

/// The ZIP of Download all (see `super::editor::handle_download_all`).
pub async fn bundle(
    title: &str,
    images: &[(BundleItem, Blob, Option<Edit>)],
) -> Result<Blob, String> {
    let modified = Modified {
        unix_ms: now_ms(),
        utc_offset_minutes: -(js_sys::Date::new_0().get_timezone_offset() as i32),
    };
    let items: Vec<BundleItem> = images.iter().map(|(i, _, _)| i.clone()).collect();
    let parts = Array::new();
    let mut zip = ZipWriter::new();
    for (item, blob, edit) in images {
        let name = zip.unique_name(&entry_name(item, items.len()));
        // A region edit's final image is its composite.
        let made;
        let blob = match edit {
            Some(e) => {
                made = composite_png(&e.source, blob, &e.selection).await?;
                &made
            }
            None => blob,
        };
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

/// The composite of a region edit: `source` outside the selection, byte for
/// byte; the model's `output`, scaled to the source's size, inside (feathered
/// inward by at most `FEATHER_PX`). A lossless PNG at the source's size.
pub async fn composite_png(
    source: &Blob,
    output: &Blob,
    selection: &Selection,
) -> Result<Blob, String> {
    let src = canvas::decode(source).await?;
    let (w, h) = (src.width(), src.height());
    let src_pixels = canvas::pixels(&src, w, h);
    src.close();
    let src_pixels = src_pixels?;
    let out = canvas::decode(output).await?;
    let out_pixels = canvas::pixels(&out, w, h);
    out.close();
    let out_pixels = out_pixels?;
    let alpha = region::feather(&region::mask(selection, w, h), w, h, FEATHER_PX);
    canvas::encode_png(&canvas::Rgba {
        width: w,
        height: h,
        data: region::composite(&src_pixels.data, &out_pixels.data, &alpha),
    })
    .await
}
