//! The contents, written last: their folios are known only when the book is set. Their
//! pages are counted first with stand-in folios (titles are set narrower than the measure
//! by the folio column, so the folios cannot change how an entry breaks), reserved in the
//! flow (`Op::Reserve`), and set at the end into those pages.

use super::plan::{contents_entries, Unit};
use super::reuse::{Pager, TakesKnown};
use super::Paginated;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::{locale, Book};
use crate::lang::Lang;
use crate::pdf::font::FontSet;
use crate::pdf::layout::{folio_text, Count, Flow, Geometry, Layout, PageSink, Placed};
use crate::pdf::text::paragraph::Typesetter;
use crate::pdf::write::Page;

/// The contents' layout, kept from counting their pages to setting them: its words are
/// shaped by then.
pub(super) struct Contents<'a, 'f> {
    /// How many pages the contents take.
    pub(super) pages: usize,
    /// The layout the pages were counted with, or `None` when the count came from memory
    /// (it is counted again then, should the contents have to be set).
    lay: Option<Layout<'a, 'f>>,
    fonts: &'f FontSet,
    g: &'a Geometry,
    title: String,
}

impl<'a, 'f> Contents<'a, 'f> {
    /// Count the pages the contents of `units` take, with stand-in folios.
    pub(super) fn count(fonts: &'f FontSet, g: &'a Geometry, book: &Book, units: &[Unit]) -> Result<Self, Diagnostic> {
        Contents::count_with(fonts, g, book, units, None)
    }

    /// [`Contents::count`]; with a `pager` (`watch`, `serve`), a count of the same
    /// stand-ins by an earlier build is taken from it.
    pub(super) fn count_with(
        fonts: &'f FontSet,
        g: &'a Geometry,
        book: &Book,
        units: &[Unit],
        pager: Option<&mut Pager>,
    ) -> Result<Self, Diagnostic> {
        let lang = &book.meta.language;
        let title = book.meta.title.clone();
        let key = pager.as_ref().map(|_| format!("{:?}", contents_entries(units, lang, &[], |_| String::new())));
        if let (Some(pager), Some(key)) = (pager.as_deref(), &key) {
            if let Some(pages) = pager.contents_counted(key) {
                return Ok(Contents { pages, lay: None, fonts, g, title });
            }
        }
        let (lay, pages) = counted(fonts, g, &title, lang, units)?;
        if let (Some(pager), Some(key)) = (pager, key) {
            pager.contents_count(key, pages);
        }
        Ok(Contents { pages, lay: Some(lay), fonts, g, title })
    }

    /// Set the contents with their real folios on the pages `paged` reserved for them,
    /// into `sink`; their bookmark joins `outline`. `folios` sets folios and running heads,
    /// and keeps the text of the glyphs shaped here.
    pub(super) fn set<S: PageSink + TakesKnown>(
        self,
        units: &[Unit],
        lang: &Lang,
        paged: &mut Paginated,
        sink: &mut S,
        folios: &mut Typesetter,
        outline: &mut Vec<Placed>,
    ) -> Result<(), Diagnostic> {
        self.set_with(units, lang, paged, sink, folios, outline, None)
    }

    /// [`Contents::set`]; with a `pager` (`watch`, `serve`),
    /// contents set from the same entries onto the same pages by an earlier build are
    /// taken from it (see `reuse::KeptContents`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn set_with<S: PageSink + TakesKnown>(
        mut self,
        units: &[Unit],
        lang: &Lang,
        paged: &mut Paginated,
        sink: &mut S,
        folios: &mut Typesetter,
        outline: &mut Vec<Placed>,
        pager: Option<&mut Pager>,
    ) -> Result<(), Diagnostic> {
        let Some(&first) = paged.reserved.first() else { return Ok(()) };
        let (offset, arabic_from) = (paged.folio_offset, paged.arabic_from);
        let entries = contents_entries(units, lang, &paged.starts, |p| folio_text(p + 1, offset, arabic_from));
        // Everything the contents' pages are made from (the stand-ins counted them with
        // the same layout, whose shaped words they keep).
        let key = pager.as_ref().map(|_| {
            let standins = contents_entries(units, lang, &[], |_| String::new());
            format!(
                "{entries:?} {standins:?} {first} {} {offset} {arabic_from:?} {} {} {:?} {}",
                paged.reserved.len(),
                paged.tagged,
                paged.next_key,
                paged.reserved_key,
                sink.records()
            )
        });
        let mut pager = pager;
        if let (Some(pager), Some(key)) = (pager.as_deref_mut(), &key) {
            if pager.pass_contents(key, paged, sink, folios, outline)? {
                return Ok(());
            }
        }
        let made = sink.made();
        if pager.is_some() {
            folios.shaper.record();
        }
        let mut lay = match self.lay.take() {
            Some(lay) => lay,
            None => counted(self.fonts, self.g, &self.title, lang, units)?.0,
        };
        let mut ops = Vec::new();
        lay.contents(&mut ops, lang, &entries);
        let report = std::mem::take(&mut lay.report);
        let kept_report = key.as_ref().map(|_| report.clone());
        paged.report.extend(report);
        let continued = locale::strings(lang).note_continued;
        let mut flow = Flow::new(self.g, first + 1, continued, Counted { sink: &mut *sink, count: 0 });
        flow.folio_offset = offset;
        flow.arabic_from = arabic_from;
        flow.rtl = lang.is_rtl();
        flow.tagged = paged.tagged;
        flow.record = flow.sink().records();
        flow.next_key = paged.next_key;
        flow.reserved_key = paged.reserved_key;
        flow.replay(ops, folios)?;
        flow.finish(folios)?;
        let (own_outline, own_spots) = (std::mem::take(&mut flow.outline), std::mem::take(&mut flow.spots));
        outline.extend(own_outline.iter().cloned());
        paged.spots.extend(own_spots.iter().copied());
        paged.spots.sort_by_key(|s| s.0);
        let written = flow.sink().count;
        drop(flow);
        sink.flush()?;
        if written != paged.reserved.len() {
            return Err(Diagnostic::error(
                Kind::Internal,
                format!("internal error: the contents took {written} pages, not the {} counted", paged.reserved.len()),
            )
            .with_hint("please report this with the book that caused it"));
        }
        let mut texts = std::mem::take(&mut lay.typesetter.shaper.glyph_texts);
        if let (Some(pager), Some(key), Some(report)) = (pager, key, kept_report) {
            let folio_texts = folios.shaper.recorded();
            let pages = made..sink.made();
            pager.contents_set(key, pages, own_outline, own_spots, report, texts.clone(), folio_texts);
        }
        folios.shaper.glyph_texts.append(&mut texts);
        Ok(())
    }
}

/// The contents of `units` laid out with stand-in folios (their words shaped), and the
/// pages they take.
fn counted<'a, 'f>(
    fonts: &'f FontSet,
    g: &'a Geometry,
    title: &str,
    lang: &Lang,
    units: &[Unit],
) -> Result<(Layout<'a, 'f>, usize), Diagnostic> {
    let mut lay = Layout::new(g, Typesetter::new(fonts, Vec::new()), title);
    let mut ops = Vec::new();
    lay.contents(&mut ops, lang, &contents_entries(units, lang, &[], |_| String::new()));
    let mut flow = Flow::new(g, 1, locale::strings(lang).note_continued, Count::default());
    flow.rtl = lang.is_rtl();
    let mut ts = Typesetter::new(fonts, Vec::new());
    flow.replay(ops, &mut ts)?;
    flow.finish(&mut ts)?;
    let pages = flow.sink().0;
    // What the stand-ins gave to report is reported when the contents are set.
    lay.report = Report::default();
    Ok((lay, pages))
}

/// A sink that passes pages on and counts them.
struct Counted<S> {
    sink: S,
    count: usize,
}

impl<S: PageSink> PageSink for Counted<S> {
    fn page(&mut self, index: usize, page: Page) -> Result<(), Diagnostic> {
        self.count += 1;
        self.sink.page(index, page)
    }

    fn flush(&mut self) -> Result<(), Diagnostic> {
        self.sink.flush()
    }

    fn records(&self) -> bool {
        self.sink.records()
    }
}
