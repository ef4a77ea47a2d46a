//! Finishing the file once every page is written: document information, page labels,
//! the outline and the catalog, or, for a booklet, the imposed sheets.

use super::Paginated;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::{locale, Book};
use crate::pdf::font::FontSet;
use crate::pdf::layout::{Geometry, Placed};
use crate::pdf::write::{self, DocInfo, PdfWriter};
use crate::pdf::{impose, Edition};
use crate::Prepared;
use std::collections::{BTreeMap, BTreeSet};

/// Warn once per fallback font about the characters the book face lacked.
pub(super) fn report_fallbacks(fallback: BTreeSet<(char, String)>, report: &mut Report) {
    let mut by_font: BTreeMap<String, String> = BTreeMap::new();
    for (c, f) in fallback {
        by_font.entry(f).or_default().push(c);
    }
    for (f, chars) in by_font {
        report.push(
            Diagnostic::warning(
                Kind::Content,
                format!(
                    "the book face lacks {chars}; {} set from the fallback font {f}",
                    if chars.chars().count() > 1 { "they are" } else { "it is" }
                ),
            )
            .with_hint("that is fine for symbols; for letters, choose a book face that has them"),
        );
    }
}

/// The document information: title, the editors (else every speaker) as authors, the
/// speeches' tags as keywords.
fn doc_info(book: &Book) -> DocInfo {
    let mut authors: Vec<String> = book.meta.editors.clone();
    if authors.is_empty() {
        for c in book.chapters() {
            for s in &c.meta.speakers {
                if !authors.contains(s) {
                    authors.push(s.clone());
                }
            }
        }
    }
    let mut keywords: Vec<String> = Vec::new();
    for c in book.chapters() {
        for t in &c.meta.tags {
            if !keywords.contains(t) {
                keywords.push(t.clone());
            }
        }
    }
    DocInfo {
        title: book.meta.title.clone(),
        authors,
        subject: book.meta.description.clone().or_else(|| book.meta.subtitle.clone()),
        keywords,
        language: book.meta.language.to_string(),
        modified: book.modified,
        identifier: book.meta.identifier.clone(),
    }
}

/// Page labels as the folios show them: the cover, then i, ii, … then 1, 2, …
fn page_labels(book: &Book, paged: &Paginated) -> Vec<write::PageLabel> {
    let (offset, arabic_from) = (paged.folio_offset, paged.arabic_from);
    let mut labels = Vec::new();
    if offset > 0 {
        let prefix = Some(format!("{} ", locale::strings(&book.meta.language).cover));
        labels.push(write::PageLabel { start: 0, style: write::NumberingStyle::Arabic, prefix });
    }
    if arabic_from != Some(offset) {
        labels.push(write::PageLabel { start: offset, style: write::NumberingStyle::LowerRoman, prefix: None });
    }
    if let Some(a) = arabic_from {
        labels.push(write::PageLabel { start: a, style: write::NumberingStyle::Arabic, prefix: None });
    }
    labels
}

/// Write the file's last objects and its trailer.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    mut writer: PdfWriter,
    prep: &Prepared,
    fonts: &FontSet,
    g: &Geometry,
    edition: Edition,
    mut texts: BTreeMap<(crate::pdf::font::FaceId, u16), String>,
    paged: &Paginated,
    outline: &[Placed],
    report: &mut Report,
) -> Result<(), Diagnostic> {
    let book = &prep.book;
    let info = doc_info(book);
    if edition == Edition::Booklet {
        // A booklet's pages are sheets: no bookmarks or labels of the book's pages.
        impose::booklet(&mut writer, prep, fonts, g, &mut texts, report)?;
        return writer.finish(fonts, &texts, &info, write::Navigation::default());
    }
    let labels = page_labels(book, paged);
    let outline = writer.outline(outline)?;
    let destinations = writer.destinations(&paged.anchors)?;
    let right_to_left = book.meta.language.is_rtl();
    writer.finish(fonts, &texts, &info, write::Navigation { labels, outline, destinations, right_to_left })
}
