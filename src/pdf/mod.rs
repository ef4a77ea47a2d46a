//! The print side: fonts and shaping, hyphenation and Knuth–Plass line breaking, pages,
//! and the PDF writer. `write` turns the document model into the reading edition's PDF.

pub mod barcode;
mod build;
pub mod cover;
pub mod font;
pub mod impose;
pub(crate) mod layout;
pub mod length;
pub(crate) mod print;
pub mod text;
pub mod write;

use crate::diagnostics::{Diagnostic, Report};
use crate::project::Project;
use crate::Prepared;
pub(crate) use build::SetUnit;
pub use print::Edition;
use std::path::Path;

/// The one warning a book gets for its languages without hyphenation patterns, when it
/// makes any PDF; the caller asks once per book, however many PDFs it makes.
pub(crate) fn hyphenation_warning(prep: &Prepared) -> Option<Diagnostic> {
    build::hyphenation_warning(&prep.book, prep.style.text.hyphenate)
}

/// Write the book's PDF to `file`. Problems go to `report`; on any error the file is not
/// replaced.
pub fn write(prep: &Prepared, project: &Project, file: &Path, report: &mut Report) {
    write_edition(prep, project, file, Edition::Reading, report);
}

/// Write the book's PDF in `edition` to `file`; returns the number of pages of the
/// interior (before imposition) when it was written.
pub fn write_edition(
    prep: &Prepared,
    project: &Project,
    file: &Path,
    edition: Edition,
    report: &mut Report,
) -> Option<usize> {
    build::run(prep, project, file, edition, false, report).unwrap_or_else(|d| {
        report.push(d);
        None
    })
}

/// The number of pages of the print edition, set but not written (`scratch` is where its
/// temporary file goes, removed afterwards): what the cover's spine needs.
pub fn page_count(prep: &Prepared, project: &Project, scratch: &Path, report: &mut Report) -> Option<usize> {
    let edition = Edition::Print { marks: false };
    build::run(prep, project, scratch, edition, true, report).unwrap_or_else(|d| {
        report.push(d);
        None
    })
}
