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
pub mod incremental;
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

pub use config::{Paper, Platform};

use anthology::Anthology;
use diagnostics::{Diagnostic, Report};
use document::pages::PageMap;
use document::Book;
use incremental::Cache;
use library::Library;
use project::Project;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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

/// Told how a build goes, for a progress bar: `tribune build`, `watch` and `serve` on a
/// terminal show one.
pub trait Progress: Send + Sync {
    /// A new stage begins: `what` it does.
    fn stage(&self, what: &str);
    /// The stage under way takes `total` steps (when it can count them).
    fn steps(&self, total: usize);
    /// One more step of the stage is done.
    fn step(&self);
}

/// A book made ready for the renderers.
pub struct Prepared {
    pub(crate) anthology: Anthology,
    /// The book's style: page, fonts, type, layout and the EPUB's CSS.
    pub style: Style,
    /// The document model the renderers write out.
    pub book: Book,
    /// What `watch` and `serve` keep between builds, when this build is one of theirs.
    pub(crate) cache: Option<Arc<Cache>>,
    /// Where the renderers report how far they are.
    pub(crate) progress: Option<Arc<dyn Progress>>,
}

/// Whether the process ends once its build is done (see [`ends_after_build`]).
static ENDS_AFTER_BUILD: AtomicBool = AtomicBool::new(false);

/// Say that this process ends right after the build (`tribune build`): the speeches read
/// and each book's model are then left for the system to take back with the process,
/// instead of being freed piece by piece while everything waits (1.2 ms of the 100-speech
/// book's PDF, on the one thread still working). `watch` and `serve`, which build again,
/// never call it.
pub fn ends_after_build() {
    ENDS_AFTER_BUILD.store(true, Ordering::Relaxed);
}

/// Let go of `value`: freed, or left to the end of the process (see [`ends_after_build`]).
fn let_go<T>(value: T) {
    if ENDS_AFTER_BUILD.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
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
    prepare_with(project, lib, path, None, report)
}

/// [`prepare`], taking what it can from `cache` and keeping there what it makes.
fn prepare_with(
    project: &Project,
    lib: &Library,
    path: &Path,
    cache: Option<&Arc<Cache>>,
    report: &mut Report,
) -> Option<Prepared> {
    let errors_before = report.errors();
    let anthology = anthology::load(project, path, report)?;
    let missing = |msg| anthology.error_at(diagnostics::Kind::Missing, "style", msg);
    let style = style::load(project, &anthology.meta.style, missing, report);
    let selection = anthology::select(&anthology, lib, report);
    let epoch = source_date_epoch(report);
    let book = document::build(project, &anthology, &selection, lib, epoch, cache.map(|c| &**c), report);
    if report.errors() > errors_before {
        return None;
    }
    Some(Prepared { anthology, style: style?, book, cache: cache.cloned(), progress: None })
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

/// What the print formats of one book found: the interior's page count (the cover's
/// spine needs it), how the interior was set and what the cover was made with (the
/// preflight reads both).
#[derive(Debug, Default)]
pub(crate) struct PrintState {
    pub(crate) pages: Option<usize>,
    pub(crate) print: Option<pdf::PrintSet>,
    pub(crate) cover: Option<pdf::cover::CoverFacts>,
    /// Where the printed pages begin in the book, once paginated (the EPUB's page list).
    pub(crate) map: Option<PageMap>,
}

/// Write `prep` as `format` to `file` (a stage of the book's [`project::Outputs`]). Each
/// renderer writes through an [`project::AtomicFile`], so an error leaves no file there.
/// `state`: the print interior's page count once known (the cover's spine needs it), what
/// the print formats found, and where the printed pages begin once a PDF of the interior
/// was set (the EPUB's page list; the EPUB paginates for it itself when no PDF is made).
/// Returns the pages the book was set on, for the PDF formats of the interior.
fn render(
    format: Format,
    prep: &Prepared,
    project: &Project,
    file: &Path,
    state: &mut PrintState,
    report: &mut Report,
) -> Option<usize> {
    let mut interior = |edition: pdf::Edition, report: &mut Report| {
        let (n, m) = pdf::write_mapped(prep, project, file, edition, report)?;
        state.map.get_or_insert(m);
        Some(n)
    };
    match format {
        Format::Epub => {
            if state.map.is_none() {
                state.map = page_map(prep, project, report);
            }
            epub::write(prep, project, file, state.map.as_ref(), report)
        }
        Format::Pdf => return interior(pdf::Edition::Reading, report),
        Format::Print { marks } => {
            state.print = pdf::write_print(prep, project, file, marks, false, report);
            if let Some(p) = &state.print {
                state.map.get_or_insert_with(|| p.outcome.map.clone());
            }
            state.pages = state.print.as_ref().map(|p| p.outcome.pages);
            return state.pages;
        }
        Format::Booklet => return interior(pdf::Edition::Booklet, report),
        Format::Cover { marks } => {
            if state.pages.is_none() {
                state.pages = pdf::page_count(prep, project, file, report);
            }
            if let Some(n) = state.pages {
                state.cover = pdf::cover::write(prep, project, file, n, marks, report);
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

/// The printed pages for an EPUB made without a PDF: paginated, not written. A book the
/// PDF could not set (a character no bundled font has) gets its EPUB without a page list,
/// and a warning saying why.
fn page_map(prep: &Prepared, project: &Project, report: &mut Report) -> Option<PageMap> {
    match pdf::page_map(prep, project) {
        Ok(map) => Some(map),
        Err(why) => {
            let first = why.items.iter().find(|d| d.is_error()).or(why.items.first());
            let reason = first.map_or_else(|| "it cannot be set".to_string(), |d| d.message.clone());
            report.push(
                Diagnostic::warning(
                    diagnostics::Kind::Content,
                    format!("the EPUB has no page list of the print edition: {reason}"),
                )
                .at_file(&prep.anthology.shown)
                .with_hint("build the PDF (`--format pdf`) to see every problem that stops the book being set"),
            );
            None
        }
    }
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
    build_with(project, names, out, formats, None, None)
}

/// A book's preflight and where its HTML report was written.
pub struct Checked {
    /// The rules checked.
    pub preflight: pdf::preflight::Preflight,
    /// Where its HTML report was written.
    pub html: PathBuf,
}

/// `tribune preflight`: each book's print interior and cover built into `out` as `build`
/// writes them (for `profile` instead of the book's when given), then checked against its
/// print profile rule by rule; the HTML report goes beside them as `<BOOK>-preflight.html`.
/// Images under 150 ppi do not stop the build here: the preflight names them.
pub fn preflight(
    project: &Project,
    names: &[String],
    out: &Path,
    profile: Option<Platform>,
) -> Result<(Vec<Built>, Vec<Checked>, Report), Diagnostic> {
    let formats = [Format::Print { marks: false }, Format::Cover { marks: false }];
    let adjust = |prep: &mut Prepared| {
        if let Some(p) = profile {
            prep.anthology.print.profile = Some(p);
        }
        prep.anthology.print.allow_low_resolution = true;
    };
    let mut checked = Vec::new();
    let mut each = |prep: &Prepared, state: &PrintState, built: &Built, report: &mut Report| {
        let (Some(print), Some(cover)) = (&state.print, &state.cover) else { return };
        let mut scratch = Report::default();
        let Ok(setup) = pdf::print::print_setup(prep, false, false, &mut scratch) else { return };
        let shown = |key: &str| project.display_path(Path::new(key)).display().to_string();
        let p = pdf::profile::Profile::of(pdf::profile::platform(prep));
        let file = |f: Format| {
            built.written.iter().find(|w| w.format == f).map(|w| project.display_path(&w.path).display().to_string())
        };
        let pf = pdf::preflight::Preflight {
            book: built.name.clone(),
            profile: pdf::profile::platform(prep).name(),
            title: p.title,
            interior: file(Format::Print { marks: false }).unwrap_or_default(),
            cover: file(Format::Cover { marks: false }).unwrap_or_default(),
            checks: pdf::preflight::evaluate(prep, &setup, print, cover, shown),
        };
        let html = out.join(format!("{}-preflight.html", built.name));
        match project::write_atomic(&html, pdf::preflight::html(&pf).as_bytes()) {
            Ok(()) => checked.push(Checked { preflight: pf, html }),
            Err(d) => report.push(d),
        }
    };
    let (built, report) = build_books(project, names, out, &formats, None, None, &adjust, &mut each)?;
    Ok((built, checked, report))
}

/// [`build`], taking from `cache` what earlier builds made of the speeches that did not
/// change and keeping there what this one makes (see [`incremental`]): the outputs are
/// the same bytes. `progress` is told each stage.
pub fn build_with(
    project: &Project,
    names: &[String],
    out: &Path,
    formats: &[Format],
    cache: Option<&Arc<Cache>>,
    progress: Option<Arc<dyn Progress>>,
) -> Result<(Vec<Built>, Report), Diagnostic> {
    build_books(project, names, out, formats, cache, progress, &|_| {}, &mut |_, _, _, _| {})
}

/// What `build` and `preflight` share: each book prepared (then `adjust`ed), written in
/// `formats`, committed; `each` sees the books whose outputs were committed. `cache` and
/// `progress` as for [`build_with`].
#[allow(clippy::too_many_arguments)]
fn build_books(
    project: &Project,
    names: &[String],
    out: &Path,
    formats: &[Format],
    cache: Option<&Arc<Cache>>,
    progress: Option<Arc<dyn Progress>>,
    adjust: &dyn Fn(&mut Prepared),
    each: &mut dyn FnMut(&Prepared, &PrintState, &Built, &mut Report),
) -> Result<(Vec<Built>, Report), Diagnostic> {
    let paths = book_paths(project, names)?;
    if let Some(c) = cache {
        c.begin(project);
    }
    let stage = |what: &str| {
        if let Some(p) = &progress {
            p.stage(what);
        }
    };
    stage("reading the speeches");
    let mut report = Report::default();
    let lib = Library::load(project, &mut report);
    let library_ok = !report.has_errors();
    let mut built = Vec::new();
    let want_site = formats.contains(&Format::Site);
    // The books for the site, with the files of them written in this run.
    let mut site_books: Vec<(Prepared, Vec<PathBuf>)> = Vec::new();
    for p in paths {
        let name = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        stage(&format!("{name}: reading its speeches into the book"));
        let Some(mut prep) = prepare_with(project, &lib, &p, cache, &mut report) else { continue };
        prep.progress = progress.clone();
        adjust(&mut prep);
        if !library_ok {
            continue;
        }
        let errors_before = report.errors();
        let mut outputs = project::Outputs::default();
        let mut state = PrintState::default();
        let mut pdf_failed = false;
        if formats.iter().any(|f| !matches!(f, Format::Model | Format::Epub | Format::Site)) {
            if let Some(w) = pdf::hyphenation_warning(&prep) {
                report.push(w);
            }
        }
        let mut made = Vec::new();
        // The EPUB after the PDF formats, so that its page list comes from the pages set.
        let (pdfs, rest): (Vec<&Format>, Vec<&Format>) =
            formats.iter().partition(|f| matches!(f, Format::Pdf | Format::Print { .. } | Format::Booklet));
        let mut order: Vec<&Format> = rest.iter().copied().filter(|f| **f != Format::Epub).collect();
        let at = order.iter().position(|f| matches!(f, Format::Cover { .. })).unwrap_or(order.len());
        order.splice(at..at, pdfs);
        order.extend(rest.iter().copied().filter(|f| **f == Format::Epub));
        for f in order.into_iter().filter(|f| **f != Format::Site) {
            // The PDF formats set the same pages: once one fails, the others would only
            // report the same problems again.
            let pdf = !matches!(f, Format::Model | Format::Epub);
            if pdf && pdf_failed {
                continue;
            }
            let file = out.join(f.file_name(&prep.book.name));
            stage(&format!("{name}: writing {}", f.file_name(&prep.book.name)));
            let stage = outputs.stage(&file);
            let shown = report.items.len();
            let before = report.errors();
            let set = render(*f, &prep, project, &stage, &mut state, &mut report);
            made.push(Written { path: file, format: *f, pages: set });
            pdf_failed |= pdf && report.errors() > before;
            // A message names the output, not the stage it was written to.
            for loc in report.items[shown..].iter_mut().filter_map(|d| d.location.as_mut()) {
                if let Some(path) = outputs.output_of(&loc.file) {
                    loc.file = path.to_path_buf();
                }
            }
        }
        made.sort_by_key(|m| formats.iter().position(|f| *f == m.format));
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
        let b = Built {
            name: prep.book.name.clone(),
            written: written.clone(),
            words: prep.book.chapters().map(|c| c.words).sum(),
            chapters: prep.book.chapters().count(),
        };
        if !b.written.is_empty() {
            each(&prep, &state, &b, &mut report);
        }
        built.push(b);
        if want_site {
            let files = written.iter().filter(|w| matches!(w.format, Format::Epub | Format::Pdf));
            site_books.push((prep, files.map(|w| w.path.clone()).collect()));
        } else {
            let_go(prep);
        }
    }
    if let Some(c) = cache.filter(|_| !report.has_errors()) {
        c.sweep();
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
    let_go(site_books);
    let_go(lib);
    Ok((built, report))
}
