//! Tribune: a library of speeches in Markdown to anthologies, as EPUB 3 and print PDF.
//!
//! One pass, one direction: the project's speeches are read into a [`library::Library`],
//! a book file selects and orders them ([`anthology`]), the selection becomes one
//! [`document::Book`], and the renderers write that model out.

// A `Diagnostic` carries its location, hint and source line so it can be shown without
// the file at hand; it travels only on the error path, where its size costs nothing.
#![allow(clippy::result_large_err)]

pub mod anthology;
pub(crate) mod assets;
pub(crate) mod bytescan;
pub(crate) mod config;
pub mod diagnostics;
pub mod document;
pub mod epub;
pub(crate) mod fontsubset;
pub(crate) mod images;
pub mod lang;
pub mod library;
pub mod messages;
mod parallel;
pub mod pdf;
pub mod project;
pub mod scaffold;
pub mod serve;
mod site;
mod sniff;
pub mod style;
pub mod watch;
pub(crate) mod xhtml;

use anthology::Anthology;
use diagnostics::{Diagnostic, Report};
use document::Book;
use library::Library;
use project::Project;
use std::path::{Path, PathBuf};
use style::Style;

/// What `build` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// The document model as JSON (`<BOOK>.model.json`): the debugging view.
    Model,
    /// The EPUB 3 for readers (`<BOOK>.epub`).
    Epub,
    /// The reading edition's PDF (`<BOOK>.pdf`).
    Pdf,
    /// The interior for a print shop (`<BOOK>-print.pdf`): PDF/X, trim and bleed.
    Print {
        /// Crop marks outside the bleed.
        marks: bool,
    },
    /// The interior imposed for saddle stitching (`<BOOK>-booklet.pdf`).
    Booklet,
    /// The wrap-around cover with spine (`<BOOK>-cover.pdf`); after `Print` so that its
    /// spine can take the page count from the interior just set.
    Cover {
        /// Crop marks outside the bleed.
        marks: bool,
    },
    /// The web edition of all the books built (`site/`): last, since it offers the EPUB
    /// and the PDF made in the same run.
    Site,
}

impl Format {
    /// Its name as `--format` takes it (`epub`, `print`), for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Model => "model",
            Format::Epub => "epub",
            Format::Pdf => "pdf",
            Format::Print { .. } => "print",
            Format::Booklet => "booklet",
            Format::Cover { .. } => "cover",
            Format::Site => "site",
        }
    }

    /// The output's file name for the book named `book` (`example.epub`).
    pub fn file_name(&self, book: &str) -> String {
        match self {
            Format::Model => format!("{book}.model.json"),
            Format::Epub => format!("{book}.epub"),
            Format::Pdf => format!("{book}.pdf"),
            Format::Print { .. } => format!("{book}-print.pdf"),
            Format::Booklet => format!("{book}-booklet.pdf"),
            Format::Cover { .. } => format!("{book}-cover.pdf"),
            Format::Site => "site".to_string(),
        }
    }
}

/// The formats `build` writes when none is named.
pub const DEFAULT_FORMATS: &[Format] = &[Format::Epub, Format::Pdf];

/// A book made ready for the renderers.
pub struct Prepared {
    pub(crate) anthology: Anthology,
    /// The book's style: page, fonts, type, layout and the EPUB's CSS.
    pub style: Style,
    /// The document model the renderers write out.
    pub book: Book,
}

/// The book files a command names (all of the project's when `names` is empty).
pub fn book_paths(project: &Project, names: &[String]) -> Result<Vec<PathBuf>, Diagnostic> {
    if names.is_empty() {
        let all = anthology::book_files(project);
        if all.is_empty() {
            return Err(Diagnostic::error(
                diagnostics::Kind::Usage,
                "the project has no book: books/ holds no .toml file",
            )
            .at_file(project.display_path(&project.books))
            .with_hint("add a book file such as books/example.toml (`tribune new DIR` makes one to start from)"));
        }
        return Ok(all);
    }
    names.iter().map(|n| anthology::find_book(project, n)).collect()
}

/// Read, select and build one book. Every problem goes to `report`; `None` when there is
/// any error, so nothing half-right is ever written.
pub fn prepare(project: &Project, lib: &Library, path: &Path, report: &mut Report) -> Option<Prepared> {
    let errors_before = report.errors();
    let anthology = anthology::load(project, path, report)?;
    let missing = |msg| anthology.error_at(diagnostics::Kind::Missing, "style", msg);
    let style = style::load(project, &anthology.meta.style, missing, report);
    let selection = anthology::select(&anthology, lib, report);
    let book = document::build(project, &anthology, &selection, lib, source_date_epoch(report), report);
    if report.errors() > errors_before {
        return None;
    }
    Some(Prepared { anthology, style: style?, book })
}

/// `SOURCE_DATE_EPOCH` (seconds since 1970), the build time of reproducible builds.
pub fn source_date_epoch(report: &mut Report) -> Option<i64> {
    let v = std::env::var("SOURCE_DATE_EPOCH").ok()?;
    match v.trim().parse::<i64>() {
        Ok(s) if s >= 0 => Some(s),
        _ => {
            report.push(
                Diagnostic::warning(
                    diagnostics::Kind::Value,
                    format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds; it is ignored"),
                )
                .with_hint("set it to seconds since 1970, e.g. `SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`"),
            );
            None
        }
    }
}

/// `tribune check`: everything loaded and validated, nothing written.
pub fn check(project: &Project, names: &[String]) -> Result<Report, Diagnostic> {
    let paths = book_paths(project, names)?;
    let mut report = Report::default();
    let lib = Library::load(project, &mut report);
    for p in paths {
        prepare(project, &lib, &p, &mut report);
    }
    Ok(report)
}

/// Write `prep` as `format` to `file` (a stage of the book's [`project::Outputs`]). Each
/// renderer writes through an [`project::AtomicFile`], so an error leaves no file there.
/// `pages`: the print interior's page count once known (the cover's spine needs it).
/// Returns the pages the book was set on, for the PDF formats of the interior.
fn render(
    format: Format,
    prep: &Prepared,
    project: &Project,
    file: &Path,
    pages: &mut Option<usize>,
    report: &mut Report,
) -> Option<usize> {
    match format {
        Format::Epub => epub::write(prep, project, file, report),
        Format::Pdf => return pdf::write_edition(prep, project, file, pdf::Edition::Reading, report),
        Format::Print { marks } => {
            *pages = pdf::write_edition(prep, project, file, pdf::Edition::Print { marks }, report);
            return *pages;
        }
        Format::Booklet => return pdf::write_edition(prep, project, file, pdf::Edition::Booklet, report),
        Format::Cover { marks } => {
            if pages.is_none() {
                *pages = pdf::page_count(prep, project, file, report);
            }
            if let Some(n) = *pages {
                pdf::cover::write(prep, project, file, n, marks, report);
            }
        }
        // Written once for all books, after them (`build`).
        Format::Site => {}
        Format::Model => {
            let written = serde_json::to_vec_pretty(&prep.book)
                .map_err(|e| {
                    Diagnostic::error(diagnostics::Kind::Internal, format!("cannot write the model as JSON: {e}"))
                        .with_hint("this is a fault in Tribune; please report it with the book that shows it")
                })
                .and_then(|mut json| {
                    json.push(b'\n');
                    project::write_atomic(file, &json)
                });
            if let Err(d) = written {
                report.push(d);
            }
        }
    }
    None
}

/// One file a build wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// Where it was written.
    pub path: PathBuf,
    /// What it is.
    pub format: Format,
    /// The pages the book was set on (the interior's, before a booklet's imposition);
    /// `None` for the EPUB, the model and the cover.
    pub pages: Option<usize>,
}

/// The outcome of building one book.
pub struct Built {
    /// The book's name (its file's stem).
    pub name: String,
    /// The files written (none when the book had errors).
    pub written: Vec<Written>,
    /// Words in its chapters.
    pub words: usize,
    /// How many chapters it has: speeches, introduction and afterword.
    pub chapters: usize,
}

/// `tribune build`: each book checked, then written in every format asked for. A book's
/// outputs are committed together once all are made: a book with errors, found while
/// checking or in any renderer, writes nothing (its earlier outputs stay as they were).
pub fn build(
    project: &Project,
    names: &[String],
    out: &Path,
    formats: &[Format],
) -> Result<(Vec<Built>, Report), Diagnostic> {
    let paths = book_paths(project, names)?;
    let mut report = Report::default();
    let lib = Library::load(project, &mut report);
    let library_ok = !report.has_errors();
    let mut built = Vec::new();
    let want_site = formats.contains(&Format::Site);
    // The books for the site, with the files of them written in this run.
    let mut site_books: Vec<(Prepared, Vec<PathBuf>)> = Vec::new();
    for p in paths {
        let Some(prep) = prepare(project, &lib, &p, &mut report) else { continue };
        if !library_ok {
            continue;
        }
        let errors_before = report.errors();
        let mut outputs = project::Outputs::default();
        let mut pages = None;
        let mut pdf_failed = false;
        if formats.iter().any(|f| !matches!(f, Format::Model | Format::Epub | Format::Site)) {
            if let Some(w) = pdf::hyphenation_warning(&prep) {
                report.push(w);
            }
        }
        let mut made = Vec::new();
        for f in formats.iter().filter(|f| **f != Format::Site) {
            // The PDF formats set the same pages: once one fails, the others would only
            // report the same problems again.
            let pdf = !matches!(f, Format::Model | Format::Epub);
            if pdf && pdf_failed {
                continue;
            }
            let file = out.join(f.file_name(&prep.book.name));
            let stage = outputs.stage(&file);
            let shown = report.items.len();
            let before = report.errors();
            let set = render(*f, &prep, project, &stage, &mut pages, &mut report);
            made.push(Written { path: file, format: *f, pages: set });
            pdf_failed |= pdf && report.errors() > before;
            // A message names the output, not the stage it was written to.
            for loc in report.items[shown..].iter_mut().filter_map(|d| d.location.as_mut()) {
                if let Some(path) = outputs.output_of(&loc.file) {
                    loc.file = path.to_path_buf();
                }
            }
        }
        // Every format is made even after an error (but the PDF formats after one of them
        // failed), so one run shows every problem.
        // Dropped with an error: the stages are removed, nothing is written.
        let written = if report.errors() == errors_before {
            let (written, result) = outputs.commit();
            if let Err(d) = result {
                report.push(d);
            }
            made.retain(|m| written.contains(&m.path));
            made
        } else {
            Vec::new()
        };
        built.push(Built {
            name: prep.book.name.clone(),
            written: written.clone(),
            words: prep.book.chapters().map(|c| c.words).sum(),
            chapters: prep.book.chapters().count(),
        });
        if want_site {
            let files = written.iter().filter(|w| matches!(w.format, Format::Epub | Format::Pdf));
            site_books.push((prep, files.map(|w| w.path.clone()).collect()));
        }
    }
    // The site shows every book asked for: after an error in any, the previous site stays.
    if want_site && !report.has_errors() && !site_books.is_empty() {
        let dir = out.join(Format::Site.file_name(""));
        let books: Vec<site::SiteBook<'_>> =
            site_books.iter().map(|(prep, downloads)| site::SiteBook { prep, downloads: downloads.clone() }).collect();
        let errors = report.errors();
        site::write(&books, project, &dir, &mut report);
        if report.errors() == errors {
            built.push(Built {
                name: "site".into(),
                written: vec![Written { path: dir, format: Format::Site, pages: None }],
                words: built.iter().map(|b| b.words).sum(),
                chapters: built.iter().map(|b| b.chapters).sum(),
            });
        }
    }
    Ok((built, report))
}
