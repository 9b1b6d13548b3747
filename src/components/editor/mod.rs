//! The image tools: viewer, compare, region edit, annotate.

mod compare;
mod region;
mod viewer;

pub use compare::CompareView;
pub use region::RegionEditor;
pub use viewer::ImageViewer;
