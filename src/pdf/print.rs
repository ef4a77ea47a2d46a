//! Editions of the book's PDF: the reading edition, the print shop's interior (PDF/X with
//! trim and bleed) and the booklet for saddle stitching. All share one layout; what
//! differs is how the writer frames and orders the pages.

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::pdf::write::print::{icc_profile, profile_error, PrintSetup, Standard, MM};
use crate::pdf::write::PdfWriter;
use crate::Prepared;
use std::path::Path;

/// Which PDF the pages go into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// `<BOOK>.pdf`: for reading on screen and printing at home.
    Reading,
    /// `<BOOK>-print.pdf`: the interior for a print shop; `marks`: crop marks.
    Print { marks: bool },
    /// `<BOOK>-booklet.pdf`: the interior imposed two pages to a sheet side.
    Booklet,
}

impl Edition {
    pub fn is_print(self) -> bool {
        matches!(self, Edition::Print { .. })
    }

    /// Editions printed on paper by someone else: no link annotations (they are not
    /// printed), no cover image page (the cover is printed separately).
    pub fn for_paper(self) -> bool {
        !matches!(self, Edition::Reading)
    }

    /// The writer for this edition, set up for `file`.
    pub fn writer(self, prep: &Prepared, file: &Path, report: &mut Report) -> Result<PdfWriter, Diagnostic> {
        match self {
            Edition::Reading => PdfWriter::create(file),
            Edition::Booklet => {
                let mut w = PdfWriter::create(file)?;
                w.keep_as_forms();
                Ok(w)
            }
            Edition::Print { marks } => {
                let setup = print_setup(prep, marks, report)?;
                let mut w = PdfWriter::create_version(file, setup.version())?;
                w.set_print(setup);
                Ok(w)
            }
        }
    }
}

/// Bleed, marks, the printing condition and PDF/X from the style and the book's `[print]`.
pub fn print_setup(prep: &Prepared, marks: bool, report: &mut Report) -> Result<PrintSetup, Diagnostic> {
    let style = &prep.style.print;
    let bleed = style.bleed.absolute_pt().unwrap_or(3.0 * MM as f64) as f32;
    let standard = match &prep.anthology.print.output_profile {
        None => Standard::X1a,
        Some(asset) => {
            let bytes =
                std::fs::read(&asset.path).map_err(|e| Diagnostic::io(&asset.shown, &e, "read the output profile"))?;
            let (components, description, printer) =
                icc_profile(&bytes).map_err(|why| profile_error(&asset.shown, &why))?;
            if !printer {
                report.push(
                    Diagnostic::warning(
                        Kind::Value,
                        format!(
                            "the output profile {} describes a screen or scanner, not a printing condition",
                            asset.shown.display()
                        ),
                    )
                    .at_file(&asset.shown)
                    .with_hint("ask the print shop for the ICC profile of its printing condition"),
                );
            }
            Standard::X4 { profile: bytes, components, description }
        }
    };
    let condition_info = match &standard {
        Standard::X4 { description, .. } if !description.is_empty() => description.clone(),
        _ => style.condition_info.clone(),
    };
    Ok(PrintSetup {
        bleed,
        marks,
        standard,
        condition: style.condition.trim().to_string(),
        registry: style.registry.trim().to_string(),
        condition_info,
    })
}
