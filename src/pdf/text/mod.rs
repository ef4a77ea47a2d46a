//! Text for print: hyphenation, Knuth–Plass line breaking, and paragraphs set as lines.

pub(crate) mod bidi;
pub(crate) mod code;
pub(crate) mod hyphenate;
pub(crate) mod knuth_plass;
pub mod paragraph;
