//! A chapter's pages kept between builds (`watch`, `serve`): **a chapter's pagination
//! depends only on the chapter and the flow's state where it begins** (its start page's
//! number, the page still open, the structure key, running heads, …; see
//! `layout::flow::between`). A chapter starts on a page of its own (`Op::NewPage`), so
//! the state where it begins is small and, for a chapter after an edit that did not
//! change the page count or the number of structure elements, the same as before.
//!
//! So each chapter the flow replays is kept (by the PDF context and its place in the
//! book) with the state it began in, the state it left, the pages it made (by the
//! digests their encodings are kept under in [`crate::incremental::Cache`]), what it
//! added to the flow's lists, the anchors its links lead to and the glyph texts its
//! folios and running heads shaped. In a later build, a chapter whose operations are the
//! same (`Arc`) as those kept and whose flow begins in the kept state is passed over: its
//! encoded pages go to the writer as they are, and the flow is put into the state it left.
//! The file is byte for byte what replaying every chapter writes (`incremental::tests`).

use super::encode::{EncodingSink, Made};
use super::set::{SetUnit, Setters};
use super::Memo;
use crate::diagnostics::{Diagnostic, Report};
use crate::document::pages::Spot;
use crate::pdf::font::FaceId;
use crate::pdf::layout::{Added, Between, Count, Flow, PageSink, Placed, Reached};
use crate::pdf::text::paragraph::Typesetter;
use crate::pdf::write::{digest, Encoded, Page};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A chapter's pages as kept (see the module's documentation).
pub(crate) struct KeptPages {
    set: Arc<SetUnit>,
    /// The state the flow began the chapter in, and the digest of the page then open.
    begin: Between,
    begin_page: u128,
    /// The state the chapter left the flow in, with the page still open and its digest.
    end: Between,
    end_page: Page,
    end_digest: u128,
    pages: Vec<Made>,
    /// Under `serve`: the pages themselves, with their lines, for the preview.
    shown: Vec<Arc<Page>>,
    added: Added,
    linked: BTreeSet<String>,
    texts: BTreeMap<(FaceId, u16), String>,
}

impl KeptPages {
    /// Whether these are the pages of the chapter set as `set`.
    pub(crate) fn of(&self, set: &Arc<SetUnit>) -> bool {
        Arc::ptr_eq(&self.set, set)
    }
}

/// The contents' pages as set by an earlier build, by everything they are made from
/// (`key`: the entries with their folios and the stand-ins they were counted with, the
/// pages reserved, the structure keys), with what setting them added.
pub(crate) struct KeptContents {
    key: String,
    pages: Vec<Made>,
    shown: Vec<Arc<Page>>,
    outline: Vec<Placed>,
    spots: Vec<(usize, Spot)>,
    report: Report,
    /// The glyph texts of the contents' own layout, and those its folios shaped.
    texts: BTreeMap<(FaceId, u16), String>,
    folio_texts: BTreeMap<(FaceId, u16), String>,
}

/// The contents set in this build, to keep once their pages are encoded.
struct ContentsSet {
    key: String,
    pages: std::ops::Range<usize>,
    outline: Vec<Placed>,
    spots: Vec<(usize, Spot)>,
    report: Report,
    texts: BTreeMap<(FaceId, u16), String>,
    folio_texts: BTreeMap<(FaceId, u16), String>,
}

/// A sink that can take pages kept from an earlier build.
pub(super) trait TakesKnown: PageSink {
    /// Pages made so far.
    fn made(&self) -> usize;
    /// Take pages kept, encoded, after those made so far.
    fn known(&mut self, pages: Vec<(Made, Arc<Encoded>, Option<Arc<Page>>)>) -> Result<(), Diagnostic>;
}

impl TakesKnown for EncodingSink {
    fn made(&self) -> usize {
        EncodingSink::made(self)
    }

    fn known(&mut self, pages: Vec<(Made, Arc<Encoded>, Option<Arc<Page>>)>) -> Result<(), Diagnostic> {
        EncodingSink::known(self, pages)
    }
}

/// Counting pages, kept ones count too.
impl TakesKnown for Count {
    fn made(&self) -> usize {
        self.0
    }

    fn known(&mut self, pages: Vec<(Made, Arc<Encoded>, Option<Arc<Page>>)>) -> Result<(), Diagnostic> {
        self.0 += pages.len();
        Ok(())
    }
}

/// Pages in memory (tests) are the flow's own: none kept are passed to it.
#[cfg(test)]
impl TakesKnown for crate::pdf::layout::Memory {
    fn made(&self) -> usize {
        self.0.len()
    }

    fn known(&mut self, _: Vec<(Made, Arc<Encoded>, Option<Arc<Page>>)>) -> Result<(), Diagnostic> {
        Err(Diagnostic::error(crate::diagnostics::Kind::Internal, "pages kept were passed to a sink in memory"))
    }
}

impl<S: TakesKnown + ?Sized> TakesKnown for &mut S {
    fn made(&self) -> usize {
        (**self).made()
    }

    fn known(&mut self, pages: Vec<(Made, Arc<Encoded>, Option<Arc<Page>>)>) -> Result<(), Diagnostic> {
        (**self).known(pages)
    }
}

/// A chapter replayed in this build, to keep once its pages are encoded.
struct Replayed {
    unit: usize,
    set: Arc<SetUnit>,
    begin: Between,
    begin_page: u128,
    end: Between,
    end_page: Page,
    end_digest: u128,
    /// Its pages, by the order made.
    pages: std::ops::Range<usize>,
    added: Added,
    linked: BTreeSet<String>,
    texts: BTreeMap<(FaceId, u16), String>,
}

/// Where a chapter being replayed began.
pub(super) struct Start {
    set: Arc<SetUnit>,
    begin: Between,
    begin_page: u128,
    reached: Reached,
    made: usize,
}

/// The kept pages of one pagination.
pub(super) struct Pager<'m> {
    memo: Memo<'m>,
    /// The memo's key for this PDF: its context and whether pages carry their lines.
    key: u64,
    /// Whether the pages are kept for the preview.
    shown: bool,
    /// The last unit passed over, whose end state the flow has not been put into yet.
    passed: Option<Arc<KeptPages>>,
    replayed: Vec<Replayed>,
    contents: Option<ContentsSet>,
}

impl<'m> Pager<'m> {
    pub(super) fn new(memo: Memo<'m>, record: bool) -> Self {
        let key = crate::incremental::hash_of((memo.context, record));
        Pager { memo, key, shown: record, passed: None, replayed: Vec::new(), contents: None }
    }

    /// Pass over unit `unit` when its pages can be kept: its operations are those kept
    /// with the pages, the flow is in the state the unit began in then, and every page's
    /// encoding is still kept. Its report goes to `report`, the anchors its links lead to
    /// to `linked`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pass<S: TakesKnown>(
        &mut self,
        unit: usize,
        flow: &mut Flow<'_, S>,
        setters: &mut Setters,
        folios: &mut Typesetter,
        report: &mut Report,
        linked: &mut BTreeSet<String>,
    ) -> Result<bool, Diagnostic> {
        let Some(set) = setters.peek_kept() else { return Ok(false) };
        let Some(kept) = self.memo.cache.kept_pages(self.key, unit, set) else { return Ok(false) };
        let fits = match &self.passed {
            Some(p) => p.end_digest == kept.begin_page && p.end == kept.begin,
            None => {
                let (state, page) = flow.between();
                state == kept.begin && digest(page) == kept.begin_page
            }
        };
        if !fits {
            return Ok(false);
        }
        if self.shown && kept.shown.len() != kept.pages.len() {
            return Ok(false);
        }
        let mut pages = Vec::with_capacity(kept.pages.len());
        for (n, m) in kept.pages.iter().enumerate() {
            match self.memo.cache.page(self.memo.context, m.digest) {
                Some(e) => pages.push((*m, e, kept.shown.get(n).cloned())),
                None => return Ok(false),
            }
        }
        report.extend(setters.pass()?);
        flow.sink().known(pages)?;
        flow.append(&kept.added);
        linked.extend(kept.linked.iter().cloned());
        for (k, v) in &kept.texts {
            folios.shaper.glyph_texts.entry(*k).or_insert_with(|| v.clone());
        }
        self.memo.cache.count_kept_pages(true);
        self.passed = Some(kept);
        Ok(true)
    }

    /// Put the flow into the state the units passed over left it in, before it goes on.
    pub(super) fn settle<S: PageSink>(&mut self, flow: &mut Flow<'_, S>) {
        if let Some(p) = self.passed.take() {
            flow.restore(&p.end, &p.end_page);
        }
    }

    /// A chapter set as `set` is about to be replayed: where it begins.
    pub(super) fn start<S: TakesKnown>(
        &mut self,
        set: &Arc<SetUnit>,
        flow: &Flow<'_, S>,
        made: usize,
        folios: &mut Typesetter,
    ) -> Start {
        self.memo.cache.count_kept_pages(false);
        folios.shaper.record();
        let (begin, page) = flow.between();
        Start { set: set.clone(), begin_page: digest(page), begin, reached: flow.reached(), made }
    }

    /// The chapter begun at `start`, unit `unit`, was replayed; `linked` are the anchors
    /// its links lead to and `made` the pages made by now.
    pub(super) fn end<S: TakesKnown>(
        &mut self,
        unit: usize,
        start: Start,
        flow: &Flow<'_, S>,
        made: usize,
        linked: BTreeSet<String>,
        folios: &mut Typesetter,
    ) {
        let (end, page) = flow.between();
        self.replayed.push(Replayed {
            unit,
            set: start.set,
            begin: start.begin,
            begin_page: start.begin_page,
            end_digest: digest(page),
            end_page: page.clone(),
            end,
            pages: start.made..made,
            added: flow.added_since(start.reached),
            linked,
            texts: folios.shaper.recorded(),
        });
    }

    /// Take the contents from memory when they were set from `key` by an earlier build
    /// (and their pages' encodings are kept): their pages go to `sink`, their outline
    /// entry, page places, report and glyph texts where setting them puts them.
    pub(super) fn pass_contents<S: TakesKnown>(
        &mut self,
        key: &str,
        paged: &mut super::Paginated,
        sink: &mut S,
        folios: &mut Typesetter,
        outline: &mut Vec<Placed>,
    ) -> Result<bool, Diagnostic> {
        let Some(kept) = self.memo.cache.kept_contents(self.key).filter(|k| k.key == key) else {
            self.memo.cache.count_kept_contents(false);
            return Ok(false);
        };
        if self.shown && kept.shown.len() != kept.pages.len() {
            return Ok(false);
        }
        let mut pages = Vec::with_capacity(kept.pages.len());
        for (n, m) in kept.pages.iter().enumerate() {
            match self.memo.cache.page(self.memo.context, m.digest) {
                Some(e) => pages.push((*m, e, kept.shown.get(n).cloned())),
                None => return Ok(false),
            }
        }
        paged.report.extend(kept.report.clone());
        sink.known(pages)?;
        outline.extend(kept.outline.iter().cloned());
        paged.spots.extend(kept.spots.iter().copied());
        paged.spots.sort_by_key(|s| s.0);
        sink.flush()?;
        for (k, v) in &kept.folio_texts {
            folios.shaper.glyph_texts.entry(*k).or_insert_with(|| v.clone());
        }
        folios.shaper.glyph_texts.append(&mut kept.texts.clone());
        self.memo.cache.count_kept_contents(true);
        self.memo.cache.keep_kept_contents(self.key, kept);
        Ok(true)
    }

    /// The contents' pages counted from the stand-ins `key` by an earlier build.
    pub(super) fn contents_counted(&self, key: &str) -> Option<usize> {
        self.memo.cache.contents_count(self.key).filter(|c| c.0 == key).map(|c| c.1)
    }

    /// The contents' stand-ins `key` took `pages` pages.
    pub(super) fn contents_count(&mut self, key: String, pages: usize) {
        self.memo.cache.keep_contents_count(self.key, Arc::new((key, pages)));
    }

    /// The contents were set from `key` onto the pages made `pages` (in the order made).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn contents_set(
        &mut self,
        key: String,
        pages: std::ops::Range<usize>,
        outline: Vec<Placed>,
        spots: Vec<(usize, Spot)>,
        report: Report,
        texts: BTreeMap<(FaceId, u16), String>,
        folio_texts: BTreeMap<(FaceId, u16), String>,
    ) {
        self.contents = Some(ContentsSet { key, pages, outline, spots, report, texts, folio_texts });
    }

    /// Keep the chapters replayed, now that every page made (`made`, in the order made)
    /// has its digest; `shown` are the pages kept for the preview, in the same order.
    pub(super) fn keep(self, made: &[Made], shown: Option<&[(usize, Arc<Page>)]>) {
        let shown_of = |r: &std::ops::Range<usize>| match shown {
            Some(s) => s.get(r.clone()).map(|s| s.iter().map(|p| p.1.clone()).collect()),
            None => Some(Vec::new()),
        };
        if let Some(c) = self.contents {
            if let (Some(pages), Some(shown)) = (made.get(c.pages.clone()), shown_of(&c.pages)) {
                let kept = KeptContents {
                    key: c.key,
                    pages: pages.to_vec(),
                    shown,
                    outline: c.outline,
                    spots: c.spots,
                    report: c.report,
                    texts: c.texts,
                    folio_texts: c.folio_texts,
                };
                self.memo.cache.keep_kept_contents(self.key, Arc::new(kept));
            }
        }
        for r in self.replayed {
            let Some(pages) = made.get(r.pages.clone()) else { continue };
            let Some(shown) = shown_of(&r.pages) else { continue };
            let kept = KeptPages {
                set: r.set,
                begin: r.begin,
                begin_page: r.begin_page,
                end: r.end,
                end_page: r.end_page,
                end_digest: r.end_digest,
                pages: pages.to_vec(),
                shown,
                added: r.added,
                linked: r.linked,
                texts: r.texts,
            };
            self.memo.cache.keep_kept_pages(self.key, r.unit, Arc::new(kept));
        }
    }
}
