//! Editions of the book's PDF: the reading edition, the print shop's interior (PDF/X with
//! trim and bleed) and the booklet for saddle stitching. All share one layout; what
//! differs is how the writer frames and orders the pages.

use crate::diagnostics::Severity;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::pdf::font::FontSet;
use crate::pdf::layout::Geometry;
use crate::pdf::profile::{self, Bleed, Pdfx, Profile};
use crate::pdf::write::print::{icc_profile, PrintSetup, Standard, MM};
use crate::pdf::write::{Page, PdfWriter};
use crate::project::Project;
use crate::Prepared;
use std::path::Path;

/// Which PDF the pages go into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// `<BOOK>.pdf`: for reading on screen and printing at home.
    Reading,
    /// `<BOOK>-print.pdf`: the interior for a print shop.
    Print {
        /// Crop marks outside the bleed.
        marks: bool,
    },
    /// `<BOOK>-booklet.pdf`: the interior imposed two pages to a sheet side.
    Booklet,
}

impl Edition {
    pub(crate) fn is_print(self) -> bool {
        matches!(self, Edition::Print { .. })
    }

    /// Editions printed on paper by someone else: no link annotations (they are not
    /// printed), no cover image page (the cover is printed separately).
    pub(crate) fn for_paper(self) -> bool {
        !matches!(self, Edition::Reading)
    }

    /// The writer for this edition, set up for `file`.
    pub(crate) fn writer(self, prep: &Prepared, file: &Path, report: &mut Report) -> Result<PdfWriter, Diagnostic> {
        match self {
            // The reading edition is a tagged PDF/UA-1 file; the editions for the press are
            // not tagged (see DESIGN.md, "Tagged PDF").
            Edition::Reading => {
                let mut w = PdfWriter::create(file)?;
                w.tag();
                Ok(w)
            }
            Edition::Booklet => {
                let mut w = PdfWriter::create(file)?;
                w.keep_as_forms();
                Ok(w)
            }
            Edition::Print { marks } => {
                let setup = print_setup(prep, marks, false, report)?;
                let mut w = PdfWriter::create_version(file, setup.version())?;
                w.set_print(setup);
                Ok(w)
            }
        }
    }
}

/// Bleed, marks, the printing condition and PDF/X from the style and the book's `[print]`,
/// as the book's print profile sets them (`cover`: for the cover, whose bleed is all round).
pub(crate) fn print_setup(
    prep: &Prepared,
    marks: bool,
    cover: bool,
    report: &mut Report,
) -> Result<PrintSetup, Diagnostic> {
    let style = &prep.style.print;
    let profile = Profile::of(profile::platform(prep));
    let style_bleed = style.bleed.absolute_pt().unwrap_or(3.0 * MM as f64) as f32;
    let (bleed, outside_only) = match (cover, profile.bleed) {
        (true, _) => (profile.cover_bleed.unwrap_or(style_bleed), None),
        (false, None) => (style_bleed, None),
        (false, Some(Bleed::All(b))) => (b, None),
        (false, Some(Bleed::Outside(b))) => (b, Some(prep.book.meta.language.is_rtl())),
    };
    if marks && !profile.marks {
        report.push(
            Diagnostic::warning(
                Kind::Value,
                format!("{} takes files without crop marks: `--marks` is left out", profile.title),
            )
            .with_hint("build without --marks for this profile"),
        );
    }
    let marks = marks && profile.marks;
    let standard = match &prep.anthology.print.output_profile {
        None if profile.pdfx == Pdfx::X1a2001 => Standard::X1a2001,
        None => Standard::X1a,
        Some(asset) => {
            // Problems are shown where the book file names the profile.
            let at = |msg: String| prep.anthology.error_at(Kind::Value, "output_profile", msg);
            let shown = asset.shown.display();
            let bytes = std::fs::read(&asset.path).map_err(|e| {
                at(format!("the output profile {shown} cannot be read: {e}"))
                    .with_hint("check that the file exists and can be read")
            })?;
            let (components, description, printer) = icc_profile(&bytes).map_err(|why| {
                at(format!("the output profile {shown} cannot be used: {why}")).with_hint(
                    "name the ICC profile of the printing condition your print shop gives you (e.g. ISOcoated_v2_300_eci.icc for FOGRA39)",
                )
            })?;
            if !printer {
                let mut d =
                    at(format!("the output profile {shown} describes a screen or scanner, not a printing condition"))
                        .with_hint("ask the print shop for the ICC profile of its printing condition");
                d.severity = Severity::Warning;
                report.push(d);
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
        outside_only,
        standard,
        condition: style.condition.trim().to_string(),
        registry: style.registry.trim().to_string(),
        condition_info,
    })
}

/// A perfect-bound book is made of leaves: an odd page count gets a blank last page, so
/// the file has what the bound book has. The profile may ask for more: a multiple of four
/// (saddle stitching), or a blank last page (Ingram), where the last page set is never
/// blank. Returns the pages added.
pub(crate) fn pad(writer: &mut PdfWriter, prep: &Prepared, fonts: &FontSet, g: &Geometry) -> Result<usize, Diagnostic> {
    let profile = Profile::of(profile::platform(prep));
    let set = writer.page_count();
    let at_least = if profile.last_blank { set + 1 } else { set };
    let target = at_least.div_ceil(profile.multiple.max(1)) * profile.multiple.max(1);
    for n in set..target {
        writer.page(fonts, n, &Page { width: g.width, height: g.height, ..Default::default() })?;
    }
    Ok(target - set)
}

/// What the print edition's images need said: RGB converted to CMYK (a warning, since
/// without a profile the conversion is approximate), and each image's effective
/// resolution at the size placed (under 300 ppi a warning, under 150 an error unless the
/// book allows it).
pub(crate) fn report_images(writer: &PdfWriter, prep: &Prepared, project: &Project, report: &mut Report) {
    let log = writer.press_log();
    // Images are keyed by their canonical path; people know them by the project's.
    let shown = |key: &str| project.display_path(Path::new(key)).display().to_string();
    if !log.converted.is_empty() {
        let names: Vec<String> = log.converted.iter().map(|k| shown(k)).collect();
        report.push(
            Diagnostic::warning(
                Kind::Content,
                format!("converted from RGB to CMYK for PDF/X-1a without a colour profile: {}", names.join(", ")),
            )
            .with_hint("colours may shift in print; supply CMYK images, or name the print shop's ICC profile as `output_profile` under [print] (PDF/X-4 keeps RGB)"),
        );
    }
    for (key, ppi) in &log.lowest_ppi {
        let what = format!("the image {}", shown(key));
        if let Some(d) =
            crate::images::press::resolution_problem(&what, *ppi, prep.anthology.print.allow_low_resolution)
        {
            report.push(d);
        }
    }
}
