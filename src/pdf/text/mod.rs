//! Text for print: hyphenation, Knuth–Plass line breaking, and paragraphs set as lines.

pub mod bidi;
pub mod hyphenate;
pub mod knuth_plass;
pub mod paragraph;
