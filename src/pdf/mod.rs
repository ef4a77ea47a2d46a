//! The print side: fonts and shaping, hyphenation and Knuth–Plass line breaking, pages,
//! and the PDF writer. `write` turns the document model into the reading edition's PDF.

pub mod barcode;
mod build;
pub mod cover;
pub mod font;
pub mod impose;
pub(crate) mod layout;
pub mod length;
pub mod preflight;
pub(crate) mod print;
pub(crate) mod profile;
pub(crate) mod svg;
pub mod text;
pub mod write;

use crate::diagnostics::{self, Diagnostic, Report};
use crate::document::pages::PageMap;
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
    if let Edition::Print { marks } = edition {
        return write_print(prep, project, file, marks, false, report).map(|p| p.outcome.pages);
    }
    write_mapped(prep, project, file, edition, report).map(|(pages, _)| pages)
}

/// [`write_edition`], returning also where the printed pages begin in the book (for the
/// EPUB's page list).
pub(crate) fn write_mapped(
    prep: &Prepared,
    project: &Project,
    file: &Path,
    edition: Edition,
    report: &mut Report,
) -> Option<(usize, PageMap)> {
    if let Edition::Print { marks } = edition {
        return write_print(prep, project, file, marks, false, report).map(|p| (p.outcome.pages, p.outcome.map));
    }
    build::run(prep, project, file, edition, false, None, report)
        .unwrap_or_else(|d| {
            report.push(d);
            None
        })
        .map(|o| (o.pages, o.map))
}

/// Where the printed pages begin in the book, paginated without writing a PDF (for the
/// EPUB's page list when no PDF is made). `Err`: what stops the book being set, which
/// is an error for a PDF only.
pub(crate) fn page_map(prep: &Prepared, project: &Project) -> Result<PageMap, Report> {
    build::page_map(prep, project)
}

/// The number of pages of the print edition, set but not written (`scratch` is where its
/// temporary file goes, removed afterwards): what the cover's spine needs.
pub fn page_count(prep: &Prepared, project: &Project, scratch: &Path, report: &mut Report) -> Option<usize> {
    write_print(prep, project, scratch, false, true, report).map(|p| p.outcome.pages)
}

/// The print edition as set: what the build found, the page geometry it was set in, and
/// in how many passes the gutter settled.
#[derive(Debug, Clone)]
pub(crate) struct PrintSet {
    pub(crate) outcome: build::Outcome,
    pub(crate) geometry: layout::Geometry,
    pub(crate) passes: usize,
}

/// The print edition's geometry for `pages` pages: the style's margins, each at least
/// what the profile asks, the gutter as the profile's table has it for that page count.
pub(crate) fn print_geometry(base: &layout::Geometry, p: &profile::Profile, pages: usize) -> layout::Geometry {
    use length::Pt;
    let mut g = base.clone();
    let least = Pt::new(p.min_margin);
    g.outer = g.outer.max(least);
    g.top = g.top.max(least);
    g.bottom = g.bottom.max(least);
    g.inner = g.inner.max(least).max(Pt::new(p.gutter_for(pages)));
    g
}

/// Write the print edition to `file` (with `count_only`, set and count it only).
///
/// The gutter follows the page count, which follows the gutter. Pass 1 sets the book with
/// the gutter of the profile's fewest pages (or the style's, if wider). If the page count
/// it gives needs a wider gutter, pass 2 sets the book again with the gutter of an
/// estimate: the count grows about as the measure narrows, so the estimate is pass 1's
/// count times the ratio of the two measures, plus 5 % and two pages for chapters that
/// move to the next recto. A gutter wider than the least is allowed, so pass 2's holds
/// unless the book grew past even that estimate's bracket, which is an error saying what
/// inner margin to set in the style. No third pass.
pub(crate) fn write_print(
    prep: &Prepared,
    project: &Project,
    file: &Path,
    marks: bool,
    count_only: bool,
    report: &mut Report,
) -> Option<PrintSet> {
    let edition = Edition::Print { marks };
    let base = match layout::Geometry::of(&prep.style) {
        Ok(g) => g,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let p = profile::Profile::of(profile::platform(prep));
    let run = |g: &layout::Geometry, report: &mut Report| {
        build::run(prep, project, file, edition, count_only, Some(g.clone()), report).unwrap_or_else(|d| {
            report.push(d);
            None
        })
    };
    let g1 = print_geometry(&base, &p, p.pages.0);
    let mut first = Report::default();
    let o1 = run(&g1, &mut first);
    let settled = |o: &build::Outcome, g: &layout::Geometry| p.gutter_for(o.pages) <= g.inner.get() + 0.01;
    match o1 {
        None => {
            report.extend(first);
            None
        }
        Some(o1) if settled(&o1, &g1) => {
            report.extend(first);
            Some(PrintSet { outcome: o1, geometry: g1, passes: 1 })
        }
        Some(o1) => {
            let wider = print_geometry(&base, &p, o1.pages);
            let ratio = g1.measure().get() / wider.measure().get().max(1.0);
            let estimate = (o1.pages as f32 * ratio * 1.05).ceil() as usize + 2;
            let g2 = print_geometry(&base, &p, estimate.max(o1.pages));
            let o2 = run(&g2, report)?;
            if !settled(&o2, &g2) {
                let need = p.gutter_for(o2.pages) / profile::IN;
                report.push(
                    diagnostics::Diagnostic::error(
                        diagnostics::Kind::Content,
                        format!(
                            "the gutter did not settle: set with a gutter of {} in, the book has {} pages, which need {} in",
                            profile::fmt_num(g2.inner.get() / profile::IN),
                            o2.pages,
                            profile::fmt_num(need)
                        ),
                    )
                    .at_file(&prep.style.source)
                    .with_hint(format!("set `inner = \"{}in\"` under [page] in the style", profile::fmt_num(need))),
                );
                return None;
            }
            Some(PrintSet { outcome: o2, geometry: g2, passes: 2 })
        }
    }
}
