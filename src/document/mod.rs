//! The document model: Book > Part > Chapter > Block > Inline, built once from Markdown.
pub mod typography;
