//! The image tools: viewer, compare, region edit, annotate.

mod compare;
mod viewer;

pub use compare::CompareView;
pub use viewer::ImageViewer;
