//! The contents, written last: their folios are known only when the book is set. Their
//! pages are counted first with stand-in folios (titles are set narrower than the measure
//! by the folio column, so the folios cannot change how an entry breaks), reserved in the
//! flow (`Op::Reserve`), and set at the end into those pages.

use super::plan::{contents_entries, Unit};
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
    lay: Layout<'a, 'f>,
}

impl<'a, 'f> Contents<'a, 'f> {
    /// Count the pages the contents of `units` take, with stand-in folios.
    pub(super) fn count(fonts: &'f FontSet, g: &'a Geometry, book: &Book, units: &[Unit]) -> Result<Self, Diagnostic> {
        let lang = &book.meta.language;
        let mut lay = Layout::new(g, Typesetter::new(fonts, Vec::new()), &book.meta.title);
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
        Ok(Contents { pages, lay })
    }

    /// Set the contents with their real folios on the pages `paged` reserved for them,
    /// into `sink`; their bookmark joins `outline`. `folios` sets folios and running heads,
    /// and keeps the text of the glyphs shaped here.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn set<S: PageSink>(
        mut self,
        units: &[Unit],
        lang: &Lang,
        paged: &mut Paginated,
        sink: &mut S,
        folios: &mut Typesetter,
        outline: &mut Vec<Placed>,
    ) -> Result<(), Diagnostic> {
        let Some(&first) = paged.reserved.first() else { return Ok(()) };
        let (offset, arabic_from) = (paged.folio_offset, paged.arabic_from);
        let entries = contents_entries(units, lang, &paged.starts, |p| folio_text(p + 1, offset, arabic_from));
        let mut ops = Vec::new();
        self.lay.contents(&mut ops, lang, &entries);
        paged.report.extend(std::mem::take(&mut self.lay.report));
        let continued = locale::strings(lang).note_continued;
        let mut flow = Flow::new(self.lay.g, first + 1, continued, Counted { sink: &mut *sink, count: 0 });
        flow.folio_offset = offset;
        flow.arabic_from = arabic_from;
        flow.rtl = lang.is_rtl();
        flow.tagged = paged.tagged;
        flow.record = flow.sink().records();
        flow.next_key = paged.next_key;
        flow.reserved_key = paged.reserved_key;
        flow.replay(ops, folios)?;
        flow.finish(folios)?;
        outline.extend(std::mem::take(&mut flow.outline));
        paged.spots.append(&mut flow.spots);
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
        let mut texts = std::mem::take(&mut self.lay.typesetter.shaper.glyph_texts);
        folios.shaper.glyph_texts.append(&mut texts);
        Ok(())
    }
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
