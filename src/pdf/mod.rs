//! The print side: fonts and shaping, hyphenation and Knuth–Plass line breaking, pages,
//! and the PDF writer. `write` turns the document model into the reading edition's PDF.

pub mod font;
pub mod layout;
pub mod text;
pub mod write;

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::project::Project;
use crate::Prepared;
use font::FontSet;
use std::path::Path;
use text::paragraph::Typesetter;
use write::{DocInfo, PdfWriter};

/// Write the book's PDF to `file`. Problems go to `report`; on any error the file is not
/// replaced.
pub fn write(prep: &Prepared, project: &Project, file: &Path, report: &mut Report) {
    if let Err(d) = write_inner(prep, project, file, report) {
        report.push(d);
    }
}

fn write_inner(prep: &Prepared, project: &Project, file: &Path, report: &mut Report) -> Result<(), Diagnostic> {
    let book = &prep.book;
    let fonts = FontSet::load(project, &prep.style.fonts)?;
    let geometry = layout::Geometry::of(&prep.style)?;
    let mut typesetter = Typesetter::new(&fonts, book.meta.hyphenation_exceptions.clone());
    let writer = PdfWriter::create(file)?;
    let errors_before = report.errors();
    let mut lay =
        layout::Layout { g: &geometry, typesetter: &mut typesetter, report, fallback_used: Default::default() };
    let fonts_ref = &fonts;
    // Pages are serialised and compressed on a second thread while the next ones are set.
    let (writer, laid) = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<write::Page>(16);
        let handle = s.spawn(move || {
            let mut writer = writer;
            for page in rx {
                writer.page(fonts_ref, &page, Vec::new())?;
            }
            Ok::<PdfWriter, Diagnostic>(writer)
        });
        let laid = lay.book(book, |page| {
            tx.send(page)
                .map_err(|_| Diagnostic::error(Kind::Io, "the PDF writer stopped").with_hint("see the error above"))
        });
        drop(tx);
        let writer = handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (writer, laid)
    });
    let writer = match (writer, laid) {
        (Err(d), _) | (Ok(_), Err(d)) => return Err(d),
        (Ok(w), Ok(_)) => w,
    };
    let fallback = std::mem::take(&mut lay.fallback_used);
    if !fallback.is_empty() {
        let mut by_font: std::collections::BTreeMap<String, String> = Default::default();
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
    if report.errors() > errors_before {
        return Ok(());
    }
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
    let info = DocInfo {
        title: book.meta.title.clone(),
        authors,
        subject: book.meta.description.clone().or_else(|| book.meta.subtitle.clone()),
        keywords,
        language: book.meta.language.clone(),
        modified: book.modified,
        identifier: book.meta.identifier.clone(),
    };
    writer.finish(&fonts, &typesetter.shaper.glyph_texts, &info, Vec::new())
}
