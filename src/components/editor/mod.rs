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

/// The image's size in pixels, read from the element (a pointer can come
/// before its `load` handler has run, or while another image's size is still
/// noted), and noted in `natural` if it changed. `None` until it has decoded.
fn known_size(
    image: NodeRef<leptos::html::Img>,
    natural: RwSignal<(u32, u32)>,
) -> Option<(u32, u32)> {
    let img = image.get_untracked()?;
    let size = (img.natural_width(), img.natural_height());
    if size.0 == 0 || size.1 == 0 || !img.complete() {
        return None;
    }
    if natural.get_untracked() != size {
        natural.set(size);
    }
    Some(size)
}
