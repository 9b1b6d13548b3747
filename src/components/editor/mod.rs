//! The image tools: viewer, compare, region edit, annotate.

mod annotate;
mod compare;
mod region;
mod viewer;

pub use annotate::Annotator;
pub use compare::CompareView;
pub use region::RegionEditor;
pub use viewer::ImageViewer;
