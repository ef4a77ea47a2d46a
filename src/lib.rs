//! Tribune: a library of speeches in Markdown to EPUB 3 and print-ready PDF.
pub mod document;
