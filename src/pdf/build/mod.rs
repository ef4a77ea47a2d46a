//! The PDF build as its pipeline, in the order it runs:
//!
//! 1. **plan** ([`plan`]): the units of layout work in reading order (cover, front
//!    matter, contents, parts and chapters), after [`coverage`] found a font for every
//!    character;
//! 2. **set** ([`set`]): worker threads set the units into layout operations, each with its
//!    own shaping and hyphenation caches, while this thread counts the contents' pages
//!    ([`contents`]);
//! 3. **paginate** ([`paginate`]): the operations are replayed in reading order by the page
//!    flow (`layout::Flow`) into a page sink ([`encode`]) that encodes pages on threads
//!    and writes them in order;
//! 4. **contents** ([`contents`]): set last, with the real folios, into the pages reserved
//!    for them;
//! 5. **finish** ([`finish`]): print checks, whole leaves, then document information,
//!    page labels, outline and catalog, or the booklet's sheets.

mod contents;
mod coverage;
mod encode;
mod finish;
mod languages;
mod plan;
mod reuse;
mod set;

use crate::diagnostics::{Diagnostic, Report};
use crate::document::locale;
use crate::document::pages::{PageMap, PrintPage, Spot};
use crate::incremental::Cache;
use crate::lang::Lang;
use crate::pdf::font::{FaceId, FontSet};
use crate::pdf::layout::{folio_text, Count, Flow, Geometry, Op, PageSink, Placed};
use crate::pdf::text::paragraph::Typesetter;
use crate::pdf::write::PdfWriter;
use crate::pdf::{print, Edition};
use crate::project::Project;
use crate::Prepared;
use contents::Contents;
use encode::EncodingSink;
use plan::Unit;
pub(crate) use reuse::{KeptContents, KeptPages};
use reuse::{Pager, TakesKnown};
pub(crate) use set::SetUnit;
use set::Setters;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::thread::Scope;

pub(crate) use languages::hyphenation_warning;

/// What a build set: its pages, where they begin in the book, and what the print
/// edition's checks need.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// Pages of the interior (before imposition), blank ones added at the end included.
    pub(crate) pages: usize,
    /// Blank pages added at the end (whole leaves, a platform's multiple, a blank last page).
    pub(crate) padded: usize,
    /// The images' lowest resolutions and the smallest type, with their pages.
    pub(crate) press: crate::pdf::write::print::PressLog,
    /// Where the printed pages begin in the book (the EPUB's page list); a blank page
    /// added for print is none.
    pub(crate) map: PageMap,
}

/// Build `prep` as `edition` into `file` with the style's page geometry, or `geometry`
/// when given (the print edition's margins by page count); returns what was set when
/// the file was written. With `count_only`, the pages are set and counted but the file is
/// not finished (the cover's spine needs only the count).
pub(crate) fn run(
    prep: &Prepared,
    project: &Project,
    file: &Path,
    edition: Edition,
    count_only: bool,
    geometry: Option<Geometry>,
    report: &mut Report,
) -> Result<Option<Outcome>, Diagnostic> {
    let book = &prep.book;
    let fonts = FontSet::load(project, &prep.style.fonts)?;
    let geometry = match geometry {
        Some(g) => g,
        None => Geometry::of(&prep.style)?,
    };
    // A character no font has stops the build before anything is set.
    let coverage = coverage::check(book, &fonts, &prep.anthology.shown, report);
    if coverage.missing > 0 {
        return Ok(None);
    }
    let units = plan::units(book, edition);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4).min(units.len());
    let writer = edition.writer(prep, file, report)?;
    let errors_before = report.errors();
    let families = &coverage.families;
    let memo = prep.cache.as_deref().map(|cache| Memo { cache, context: context(prep, &fonts, &geometry, edition) });
    // Under `serve`, the reading edition's pages are kept for the preview.
    let keeper = prep.cache.as_deref().and_then(|c| c.keeper()).filter(|_| edition == Edition::Reading && !count_only);
    let keep = keeper.is_some();
    let set =
        std::thread::scope(|s| typeset(s, prep, &fonts, &geometry, &units, families, workers, writer, memo, keep))?;
    let Typeset { mut writer, texts, fallback, mut paged, outline, kept } = set;
    report.extend(std::mem::take(&mut paged.report));
    if edition.is_print() {
        print::report_images(&writer, prep, project, report);
    }
    finish::report_fallbacks(fallback, report);
    if report.errors() > errors_before {
        return Ok(None);
    }
    // The page list ends with the last page set; a blank leaf added for print is none.
    let map = paged.page_map(writer.page_count());
    let padded = if edition.is_print() { print::pad(&mut writer, prep, &fonts, &geometry)? } else { 0 };
    let outcome = Outcome { pages: writer.page_count(), padded, press: writer.press_log().clone(), map };
    if count_only {
        return Ok(Some(outcome));
    }
    finish::finish(writer, prep, &fonts, &geometry, edition, texts, &paged, &outline, report)?;
    if let (Some(keeper), Some(kept)) = (keeper, kept) {
        let book_file = prep.anthology.shown.to_string_lossy().into_owned();
        keeper.offer(crate::pdf::svg::Typeset::new(kept, &fonts, book, project.root.clone(), book_file));
    }
    Ok(Some(outcome))
}

/// The printed pages of `prep` (the print interior's, which the reading edition has
/// after its cover), paginated as for the PDF but neither encoded nor written: what the
/// EPUB's page list needs when no PDF is made. Problems that would stop the PDF go to
/// the `Err`'s report instead of the caller's (the EPUB does not need the PDF's fonts
/// to cover every character).
pub(crate) fn page_map(prep: &Prepared, project: &Project) -> Result<PageMap, Report> {
    let mut report = Report::default();
    let fail = |d: Diagnostic, mut report: Report| {
        report.push(d);
        report
    };
    let book = &prep.book;
    let fonts = FontSet::load(project, &prep.style.fonts).map_err(|d| fail(d, Report::default()))?;
    let g = Geometry::of(&prep.style).map_err(|d| fail(d, Report::default()))?;
    let coverage = coverage::check(book, &fonts, &prep.anthology.shown, &mut report);
    if coverage.missing > 0 {
        return Err(report);
    }
    let units = plan::units(book, Edition::Print { marks: false });
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4).min(units.len());
    let families = &coverage.families;
    let lang = &book.meta.language;
    let set = std::thread::scope(|s| {
        let mut setters = Setters::spawn(s, workers, &fonts, &g, book, &units, families, None);
        let mut sink = Count::default();
        let contents = Contents::count(&fonts, &g, book, &units)?;
        let mut folios = Typesetter::new(&fonts, Vec::new());
        let mut paged =
            paginate(&g, lang, &units, &mut setters, &mut sink, &mut folios, contents.pages, false, None, None)?;
        let mut outline = Vec::new();
        contents.set(&units, lang, &mut paged, &mut sink, &mut folios, &mut outline)?;
        let mut texts = BTreeMap::new();
        setters.join(&mut texts);
        Ok::<_, Diagnostic>((paged, sink.0))
    });
    let (paged, pages) = set.map_err(|d| fail(d, Report::default()))?;
    if paged.report.has_errors() {
        return Err(paged.report);
    }
    Ok(paged.page_map(pages))
}

/// Where set chapters are kept between builds, and the hash of what their layout depends
/// on besides the chapter and its depth.
#[derive(Clone, Copy)]
pub(crate) struct Memo<'c> {
    cache: &'c Cache,
    context: u64,
}

/// The hash of everything but the chapter that decides how a chapter is set: the edition,
/// the page geometry (the style), the fonts, the book's language, title (running heads)
/// and hyphenation exceptions, and the images under `books/`.
fn context(prep: &Prepared, fonts: &FontSet, g: &Geometry, edition: Edition) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    fonts.fingerprint(&mut h);
    let meta = &prep.book.meta;
    (format!("{edition:?}"), format!("{g:?}"), &meta.language, &meta.title, &meta.hyphenation_exceptions).hash(&mut h);
    prep.cache.as_ref().map(|c| c.images()).hash(&mut h);
    h.finish()
}

/// The book set and paginated, every page written.
struct Typeset {
    writer: PdfWriter,
    /// The text of every glyph shown, for the fonts' ToUnicode maps.
    texts: BTreeMap<(FaceId, u16), String>,
    /// Characters set from fallback fonts, with the font's file.
    fallback: BTreeSet<(char, String)>,
    paged: Paginated,
    /// Outline entries in page order.
    outline: Vec<Placed>,
    /// The pages with their lines, by index, when kept for the preview.
    kept: Option<encode::Kept>,
}

/// What pagination found out: where units start and the folios change, the pages left
/// for the contents, and what the units reported.
struct Paginated {
    outline: Vec<Placed>,
    /// Where each chapter's and heading's anchor was placed: name, page index, top.
    anchors: Vec<(String, usize, crate::pdf::length::Pt)>,
    /// Where the units the contents list start, in order.
    starts: Vec<Placed>,
    /// Pages left free for the contents, by index.
    reserved: Vec<usize>,
    /// Tagged PDF: whether the file is tagged, the next key of a structure element, and
    /// the section reserved for the contents.
    tagged: bool,
    next_key: u32,
    reserved_key: Option<u32>,
    /// Pages before the one numbered i.
    folio_offset: usize,
    /// Index of the first page numbered in Arabic figures.
    arabic_from: Option<usize>,
    /// Where pages begin in the book, by page index (see `Flow::spots`).
    spots: Vec<(usize, Spot)>,
    report: Report,
}

impl Paginated {
    /// The printed pages of a book set on `pages` pages: each labelled as its folio, and
    /// beginning where its first text with a place comes from. A page without one (a
    /// blank verso) begins where the next page does, and pages after the last text with
    /// a place where that one began. The cover and its inside are not printed pages.
    fn page_map(&self, pages: usize) -> PageMap {
        let mut out = Vec::new();
        let mut spots = self.spots.iter().peekable();
        let mut last = None;
        for index in self.folio_offset..pages {
            while spots.peek().is_some_and(|s| s.0 < index) {
                spots.next();
            }
            let at = match spots.peek() {
                Some(&&(i, at)) if i == index => Some(at),
                Some(&&(_, next)) => Some(next),
                None => last,
            };
            let Some(at) = at else { continue };
            last = Some(at);
            out.push(PrintPage { label: folio_text(index + 1, self.folio_offset, self.arabic_from), at });
        }
        PageMap { pages: out }
    }
}

/// Steps 2–4 of the pipeline on `workers` layout threads and as many encoders;
/// `families` are named on the copyright page.
#[allow(clippy::too_many_arguments)]
fn typeset<'scope, 'env>(
    s: &'scope Scope<'scope, 'env>,
    prep: &'env Prepared,
    fonts: &'env FontSet,
    g: &'env Geometry,
    units: &'env [Unit<'env>],
    families: &'env [String],
    workers: usize,
    writer: PdfWriter,
    memo: Option<Memo<'env>>,
    keep: bool,
) -> Result<Typeset, Diagnostic> {
    let book = &prep.book;
    let lang = &book.meta.language;
    let tagged = writer.tagged();
    let mut setters = Setters::spawn(s, workers, fonts, g, book, units, families, memo);
    let mut sink = EncodingSink::spawn(s, writer, fonts, workers, keep, memo);
    // Chapters' pages kept by earlier builds.
    let mut pager = memo.map(|m| Pager::new(m, keep));
    // Counted here while the first units are set.
    let contents = Contents::count_with(fonts, g, book, units, pager.as_mut())?;
    let mut folios = Typesetter::new(fonts, Vec::new());
    let progress = prep.progress.as_deref();
    let mut paged = paginate(
        g,
        lang,
        units,
        &mut setters,
        &mut sink,
        &mut folios,
        contents.pages,
        tagged,
        progress,
        pager.as_mut(),
    )?;
    let mut outline = std::mem::take(&mut paged.outline);
    contents.set_with(units, lang, &mut paged, &mut sink, &mut folios, &mut outline, pager.as_mut())?;
    // Outline entries in page order (the contents were placed last).
    outline.sort_by_key(|e| e.page);
    let (writer, kept, made) = sink.finish()?;
    if let Some(pager) = pager {
        pager.keep(&made, kept.as_deref());
    }
    let mut texts = std::mem::take(&mut folios.shaper.glyph_texts);
    let fallback = setters.join(&mut texts);
    Ok(Typeset { writer, texts, fallback, paged, outline, kept })
}

/// Replay every unit's operations, in reading order, onto pages that go to `sink`; the
/// contents get `contents_pages` pages reserved. `folios` sets folios, running heads and
/// note labels; `progress` is told of each unit. With a `pager` (`watch`), a chapter whose
/// pages an earlier build kept, and which begins where it began then, is passed over
/// (see [`reuse`]: a chapter's pagination depends only on the chapter and the flow's
/// state where it begins), and the chapters replayed are kept.
#[allow(clippy::too_many_arguments)]
fn paginate<S: PageSink + TakesKnown>(
    g: &Geometry,
    lang: &Lang,
    units: &[Unit],
    setters: &mut Setters,
    sink: &mut S,
    folios: &mut Typesetter,
    contents_pages: usize,
    tagged: bool,
    progress: Option<&dyn crate::Progress>,
    mut pager: Option<&mut Pager>,
) -> Result<Paginated, Diagnostic> {
    let mut flow = Flow::new(g, 1, locale::strings(lang).note_continued, &mut *sink);
    if let Some(p) = progress {
        p.steps(units.len());
    }
    flow.rtl = lang.is_rtl();
    flow.tagged = tagged;
    flow.record = flow.sink().records();
    let mut report = Report::default();
    // The anchors links lead to, taken from the flow after each unit (see `reuse`).
    let mut linked = BTreeSet::new();
    for (i, unit) in units.iter().enumerate() {
        if let Some(pager) = pager.as_deref_mut() {
            if pager.pass(i, &mut flow, setters, folios, &mut report, &mut linked)? {
                if let Some(p) = progress {
                    p.step();
                }
                continue;
            }
            pager.settle(&mut flow);
        }
        let done = setters.next()?;
        report.extend(done.report);
        let mut ops = done.ops;
        if matches!(unit, Unit::Contents) {
            ops.push(Op::Reserve(contents_pages));
        }
        let start = match (pager.as_deref_mut(), &done.kept) {
            (Some(pager), Some(set)) => Some(pager.start(set, &flow, flow_made(&flow), folios)),
            _ => None,
        };
        flow.replay(ops, folios)?;
        flow.sink().flush()?;
        let unit_linked = std::mem::take(&mut flow.linked);
        linked.extend(unit_linked.iter().cloned());
        if let (Some(pager), Some(start)) = (pager.as_deref_mut(), start) {
            let made = flow_made(&flow);
            pager.end(i, start, &flow, made, unit_linked, folios);
        }
        if let Some(p) = progress {
            p.step();
        }
    }
    if let Some(pager) = pager {
        pager.settle(&mut flow);
    }
    flow.finish(folios)?;
    flow.sink().flush()?;
    linked.append(&mut flow.linked);
    flow.linked = linked;
    Ok(Paginated {
        outline: std::mem::take(&mut flow.outline),
        anchors: std::mem::take(&mut flow.anchors).into_iter().filter(|a| flow.linked.contains(&a.0)).collect(),
        starts: std::mem::take(&mut flow.starts),
        reserved: std::mem::take(&mut flow.reserved),
        tagged,
        next_key: flow.next_key,
        reserved_key: flow.reserved_key,
        folio_offset: flow.folio_offset,
        arabic_from: flow.arabic_from,
        spots: std::mem::take(&mut flow.spots),
        report,
    })
}

/// The pages the flow's sink was given so far.
fn flow_made<S: PageSink + TakesKnown>(flow: &Flow<'_, &mut S>) -> usize {
    flow.sink_ref().made()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod overfull_tests;
