//! The image tools: viewer, compare, region edit, annotate.

mod annotate;
mod compare;
mod region;
mod viewer;

pub use annotate::Annotator;
pub use compare::CompareView;
pub use region::RegionEditor;
pub use viewer::ImageViewer;

use leptos::prelude::*;

/// The image's size in pixels: as its `load` handler noted it, or read from
/// the element when a pointer comes first (`complete` is true a moment before
/// `load` is dispatched). `None` while it has not decoded.
fn known_size(
    image: NodeRef<leptos::html::Img>,
    natural: RwSignal<(u32, u32)>,
) -> Option<(u32, u32)> {
    let size = natural.get_untracked();
    if size.0 > 0 && size.1 > 0 {
        return Some(size);
    }
    let img = image.get_untracked()?;
    let size = (img.natural_width(), img.natural_height());
    if size.0 == 0 || size.1 == 0 {
        return None;
    }
    natural.set(size);
    Some(size)
}
