//! The image tools' work: Copy image (a PNG on the clipboard), Download all
//! (its ZIP is written by `super::bundle`), and region edit (the turn sent,
//! and the composite made from its answer).
//! The decisions (mask, feather, composite, the marked copy, the wrapper) are
//! in `crate::model::region`; the pixels pass through `crate::browser::canvas`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Blob;

use super::bundle::{composite_png, Edit};
use super::lazy::{load, said_while, split_point, Boxed, NotLoaded};
use super::show;
use crate::browser::download::download_blob;
use crate::browser::files::{blob_bytes, to_base64};
use crate::browser::object_url::{ObjectUrl, SharedUrl};
use crate::browser::{canvas, clipboard};
use crate::error::AppError;
use crate::model::annotate::{arrow_head, font_size, line_width, rect, Shape};
use crate::model::bundle::{archive_name, BundleItem};
use crate::model::region::{self, Selection};
use crate::state::AppState;
use gemini::mime::{sniff, Sniffed};
use gemini::request::user_content;
use gemini::wire::Part;

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
    if state.turns.with_untracked(Vec::is_empty) {
        return;
    }
    spawn_local(async move {
        let loading = async { load!(download_all_chunk(state)) };
        match said_while(state, "Download all", loading).await {
            Ok(saving) => saving.await,
            Err(NotLoaded) => show(state, AppError::NotLoaded("Download all")),
        }
    });
}

split_point!(
    editor,
    /// Download all's ZIP writer (and the region edit composites it makes),
    /// and saving the ZIP (of the turns on screen when its code is in).
    fn download_all_chunk(state: AppState) -> Boxed<()> {
        let title = state.current.with_untracked(|c| c.label.clone());
        let images = bundle_items(state);
        Box::pin(async move {
            if !images.is_empty() {
                download_all(state, title, images).await;
            }
        })
    }
);

/// Each turn's final image (the chosen variant), what to call it, and the
/// region edit to make it from, if it is one.
fn bundle_items(state: AppState) -> Vec<(BundleItem, Blob, Option<Edit>)> {
    state.turns.with_untracked(|turns| {
        turns
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let a = t.answer()?;
                let edit =
                    t.data
                        .region
                        .clone()
                        .zip(t.data.user_images.first())
                        .map(|(sel, src)| Edit {
                            selection: sel,
                            source: src.blob().clone(),
                        });
                Some((
                    BundleItem {
                        turn: i + 1,
                        prompt: t.data.prompt.clone(),
                        mime: if edit.is_some() {
                            "image/png".to_owned()
                        } else {
                            a.mime_type.clone()
                        },
                    },
                    a.image.blob().clone(),
                    edit,
                ))
            })
            .collect()
    })
}

/// Makes Download all's ZIP of `images` (see [`super::bundle::bundle`]) and
/// hands it to the browser to save.
async fn download_all(
    state: AppState,
    title: String,
    images: Vec<(BundleItem, Blob, Option<Edit>)>,
) {
    match super::bundle::bundle(&title, &images).await {
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
}

/// Sends a region edit of `source` as the next turn of the conversation: the
/// instruction in its wrapper, the source image as it is, and the marked copy
/// (see `crate::model::region`). `done` is told whether the turn was sent
/// (false: an alert says why).
pub fn handle_apply_region_edit(
    state: AppState,
    source: SharedUrl,
    selection: Selection,
    instruction: String,
    done: Callback<bool>,
) {
    spawn_local(async move {
        match region_turn(&source, &selection, &instruction).await {
            Ok((next, marked)) => {
                // Not sent (a turn running, offline, too large…): the dialog
                // stays open with the selection and the instruction.
                let sent = crate::commands::generate::handle_generate_turn(
                    state,
                    instruction.trim().to_owned(),
                    next,
                    vec![source, marked],
                    Some(selection),
                );
                done.run(sent);
            }
            Err(why) => {
                show(state, AppError::EditFailed(why));
                done.run(false);
            }
        }
    });
}

async fn region_turn(
    source: &SharedUrl,
    selection: &Selection,
    instruction: &str,
) -> Result<(gemini::wire::Content, SharedUrl), String> {
    if instruction.trim().is_empty() {
        return Err("Write an instruction: what should change in the region.".into());
    }
    let bytes = blob_bytes(source.blob()).await?;
    let mime = match sniff(&bytes) {
        Sniffed::Supported(m) => m,
        _ => return Err("The image to edit is not a PNG, JPEG or WebP.".into()),
    };
    let bitmap = canvas::decode(source.blob()).await?;
    let (w, h) = (bitmap.width(), bitmap.height());
    let pixels = canvas::pixels(&bitmap, w, h);
    bitmap.close();
    let pixels = pixels?;
    let mask = region::mask(selection, w, h);
    if !mask.iter().any(|&v| v != 0) {
        return Err("Select the region to change first: drag over the image.".into());
    }
    let marked = canvas::encode_png(&canvas::Rgba {
        width: w,
        height: h,
        data: region::mark(&pixels.data, &mask, w, h),
    })
    .await?;
    let marked_bytes = blob_bytes(&marked).await?;
    let marked_url = ObjectUrl::for_blob(&marked)
        .map_err(|_| "the browser could not hold the marked copy".to_owned())?;
    let next = user_content(
        &region::wrap_instruction(instruction),
        [
            Part::image(mime.as_str(), to_base64(&bytes)),
            Part::image("image/png", to_base64(&marked_bytes)),
        ],
    );
    Ok((next, marked_url))
}

/// [`composite_png`] as an object URL, to show.
pub async fn composite_url(
    source: SharedUrl,
    output: SharedUrl,
    selection: Selection,
) -> Result<SharedUrl, String> {
    let blob = composite_png(source.blob(), output.blob(), &selection).await?;
    ObjectUrl::for_blob(&blob).map_err(|_| "the browser could not hold the composite".to_owned())
}

/// Adds `image` with the marks `shapes` drawn on it, flattened to a PNG at
/// the image's size, to the composer as a reference image (the image itself
/// is untouched). `done` is told whether it was added.
pub fn handle_add_annotated(
    state: AppState,
    image: SharedUrl,
    shapes: Vec<Shape>,
    done: Callback<bool>,
) {
    if !room_for_one(state) {
        done.run(false);
        return;
    }
    spawn_local(async move {
        match flatten(&image, &shapes).await {
            Ok((bytes, url)) => done.run(attach_png(state, "annotated.png", &bytes, url)),
            Err(why) => {
                show(state, AppError::EditFailed(why));
                done.run(false);
            }
        }
    });
}

/// Use as reference on a region edit: the composite shown (a PNG made here,
/// not the model's output) goes to the composer as a reference image.
pub fn handle_use_composite_as_reference(state: AppState, composite: SharedUrl, name: String) {
    if !room_for_one(state) {
        return;
    }
    spawn_local(async move {
        match blob_bytes(composite.blob()).await {
            Ok(bytes) => {
                attach_png(state, &name, &bytes, composite);
            }
            Err(why) => show(state, AppError::NotAttached(why)),
        }
    });
}

/// Whether the composer takes one more reference image (an alert says why not).
fn room_for_one(state: AppState) -> bool {
    let count = state.attachments.with_untracked(Vec::len);
    match state
        .settings
        .with_untracked(|s| crate::model::limits::room_for_one(count, s))
    {
        Ok(()) => true,
        Err(limit) => {
            show(state, AppError::ReferenceLimit(limit));
            false
        }
    }
}

/// Adds a PNG made here to the composer as a reference image, if there is
/// still room (asked again: another image may have come in meanwhile).
/// Returns whether it was added.
fn attach_png(state: AppState, name: &str, bytes: &[u8], url: SharedUrl) -> bool {
    if !room_for_one(state) {
        return false;
    }
    let attachment = crate::state::Attachment {
        id: state.next_id(),
        name: name.to_owned(),
        mime: gemini::mime::ImageMime::Png,
        size: bytes.len(),
        base64: std::sync::Arc::new(to_base64(bytes)),
        url,
        note: None,
    };
    state.attachments.update(|a| a.push(attachment));
    true
}

async fn flatten(image: &SharedUrl, shapes: &[Shape]) -> Result<(Vec<u8>, SharedUrl), String> {
    let bitmap = canvas::decode(image.blob()).await?;
    let (w, h) = (bitmap.width(), bitmap.height());
    let sketch = canvas::Sketch::new(&bitmap);
    bitmap.close();
    let sketch = sketch?;
    let width = line_width(w, h);
    for shape in shapes {
        let colour = shape.colour();
        match shape {
            Shape::Pen { points, .. } => sketch.line(points, colour, width, false),
            Shape::Arrow { from, to, .. } => {
                let head = arrow_head(*from, *to, width);
                sketch.line(&[*from, *to], colour, width, false);
                sketch.fill(&head, colour);
            }
            Shape::Box { a, b, .. } => {
                let (x, y, bw, bh) = rect(*a, *b);
                sketch.line(
                    &[(x, y), (x + bw, y), (x + bw, y + bh), (x, y + bh)],
                    colour,
                    width,
                    true,
                );
            }
            Shape::Text { at, text, .. } => sketch.text(at.0, at.1, text, colour, font_size(w, h)),
        }
    }
    let png = sketch.png().await?;
    let bytes = blob_bytes(&png).await?;
    let url =
        ObjectUrl::for_blob(&png).map_err(|_| "the browser could not hold the image".to_owned())?;
    Ok((bytes, url))
}
