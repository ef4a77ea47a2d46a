//! Setting the units: worker threads, each with its own shaping and hyphenation caches,
//! set units in turn (unit i on worker i mod n) into layout operations, and hand them back
//! in reading order.
//!
//! With a [`Memo`] (`watch`, `serve`), a chapter set by an earlier build is taken from it
//! and only the others are set. The text of each glyph (for the ToUnicode maps, first use
//! wins) is then gathered unit by unit and merged as a build from scratch merges it,
//! worker by worker in the order of a full build's workers, so the PDF is the same bytes.

use super::plan::Unit;
use super::Memo;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::pages::Doc;
use crate::document::Book;
use crate::pdf::font::{FaceId, FontSet};
use crate::pdf::layout::{Geometry, Layout, Op};
use crate::pdf::length::Pt;
use crate::pdf::text::paragraph::Typesetter;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::{Scope, ScopedJoinHandle};

/// What a worker hands back for one unit.
pub(super) struct Done {
    pub(super) ops: Vec<Op>,
    pub(super) report: Report,
    /// With a memo, a chapter's operations as kept (the same `Arc` while it is not set
    /// again, which the pages kept of it are checked against).
    pub(super) kept: Option<Arc<SetUnit>>,
}

/// What a worker learnt while setting: the text of each glyph it shaped (for the fonts'
/// ToUnicode maps) and the characters it took from fallback fonts.
type Learnt = (BTreeMap<(FaceId, u16), String>, BTreeSet<(char, String)>);

/// One unit as set, kept by [`crate::incremental::Cache`]: its operations and report, and
/// what setting it alone taught (glyph texts, first use wins; fallback characters).
pub(crate) struct SetUnit {
    ops: Vec<Op>,
    report: Report,
    learnt: Arc<Learnt>,
}

/// What a worker sends: the unit's operations, and with a memo what the unit taught.
type Sent = (Done, Option<Learnt>);

/// Where the next unit comes from.
enum Source {
    /// Set by worker n.
    Worker(usize),
    /// Kept from an earlier build.
    Kept(Arc<SetUnit>),
}

/// The layout workers of one build.
pub(super) struct Setters<'scope, 'env> {
    results: Vec<Receiver<Sent>>,
    threads: Vec<ScopedJoinHandle<'scope, Learnt>>,
    /// The next unit to hand back.
    next: usize,
    units: &'env [Unit<'env>],
    /// With a memo: where each unit comes from, and what each taught once handed back.
    memo: Option<Memo<'env>>,
    sources: Vec<Source>,
    learnt: Vec<Option<Arc<Learnt>>>,
    /// The workers a build from scratch has, whose order the glyph texts are merged in.
    workers: usize,
    fonts: &'env FontSet,
}

impl<'scope, 'env> Setters<'scope, 'env> {
    /// Start `workers` threads setting `units` of `book`. A chapter always goes to the same
    /// worker, so the output does not depend on thread timing. With `memo`, the chapters
    /// it keeps are not set again, and those set are kept.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn spawn(
        s: &'scope Scope<'scope, 'env>,
        workers: usize,
        fonts: &'env FontSet,
        g: &'env Geometry,
        book: &'env Book,
        units: &'env [Unit<'env>],
        families: &'env [String],
        memo: Option<Memo<'env>>,
    ) -> Self {
        let mut sources: Vec<Source> = Vec::with_capacity(units.len());
        let mut todo: Vec<usize> = Vec::new();
        let threads_wanted = if memo.is_some() {
            for (i, u) in units.iter().enumerate() {
                let kept = match (u, memo) {
                    (Unit::Chapter(c, depth, index), Some(m)) => m.cache.set(m.context, c, *depth, *index),
                    _ => None,
                };
                match kept {
                    Some(k) => sources.push(Source::Kept(k)),
                    None => {
                        todo.push(i);
                        sources.push(Source::Worker(0));
                    }
                }
            }
            let n = workers.min(todo.len());
            for (k, &i) in todo.iter().enumerate() {
                sources[i] = Source::Worker(k % n);
            }
            n
        } else {
            todo = (0..units.len()).collect();
            sources.extend((0..units.len()).map(|i| Source::Worker(i % workers)));
            workers
        };
        let record = memo.is_some();
        let mut results = Vec::new();
        let mut threads = Vec::new();
        let lang = &book.meta.language;
        let todo = Arc::new(todo);
        for w in 0..threads_wanted {
            let (tx, rx) = sync_channel::<Sent>(4);
            results.push(rx);
            let todo = todo.clone();
            threads.push(s.spawn(move || {
                let typesetter = Typesetter::new(fonts, book.meta.hyphenation_exceptions.clone());
                let mut lay = Layout::new(g, typesetter, &book.meta.title);
                for &i in todo.iter().skip(w).step_by(threads_wanted) {
                    let mut ops = Vec::new();
                    if record {
                        lay.typesetter.shaper.record();
                    }
                    match &units[i] {
                        Unit::Cover => lay.cover(&mut ops, book, Pt::ZERO),
                        Unit::HalfTitle => lay.half_title(&mut ops, book),
                        Unit::Title => lay.title_page(&mut ops, book, families),
                        // The pages it takes are reserved by the flow (see `contents`).
                        Unit::Contents => ops.push(Op::NewPage { recto: true }),
                        Unit::Part(t, i) => {
                            lay.doc = Doc::Part(*i);
                            lay.part_title(&mut ops, t, lang)
                        }
                        Unit::Chapter(c, depth, i) => {
                            lay.doc = Doc::Chapter(*i);
                            lay.chapter(&mut ops, c, lang, *depth)
                        }
                    }
                    let learnt =
                        record.then(|| (lay.typesetter.shaper.recorded(), std::mem::take(&mut lay.fallback_used)));
                    let done = Done { ops, report: std::mem::take(&mut lay.report), kept: None };
                    if tx.send((done, learnt)).is_err() {
                        break;
                    }
                }
                (lay.typesetter.shaper.glyph_texts, lay.fallback_used)
            }));
        }
        let learnt = vec![None; units.len()];
        Setters { results, threads, next: 0, units, memo, sources, learnt, workers, fonts }
    }

    /// The next unit's operations, in reading order.
    pub(super) fn next(&mut self) -> Result<Done, Diagnostic> {
        let i = self.next;
        self.next += 1;
        let stopped = || Diagnostic::error(Kind::Internal, "a layout thread stopped").with_hint("see the error above");
        match self.sources.get(i).ok_or_else(stopped)? {
            Source::Kept(k) => {
                self.learnt[i] = Some(k.learnt.clone());
                Ok(Done { ops: k.ops.clone(), report: k.report.clone(), kept: Some(k.clone()) })
            }
            Source::Worker(w) => {
                let (mut done, learnt) = self.results[*w].recv().map_err(|_| stopped())?;
                if let (Some(learnt), Some(memo)) = (learnt, self.memo) {
                    let learnt = Arc::new(learnt);
                    if let Unit::Chapter(c, depth, index) = &self.units[i] {
                        let unit =
                            SetUnit { ops: done.ops.clone(), report: done.report.clone(), learnt: learnt.clone() };
                        let unit = Arc::new(unit);
                        memo.cache.keep_set(memo.context, c, *depth, *index, unit.clone());
                        done.kept = Some(unit);
                    }
                    self.learnt[i] = Some(learnt);
                }
                Ok(done)
            }
        }
    }

    /// The next unit's operations when they were kept by an earlier build (so they are
    /// not set again and its pages may be kept too).
    pub(super) fn peek_kept(&self) -> Option<&Arc<SetUnit>> {
        match self.sources.get(self.next)? {
            Source::Kept(k) => Some(k),
            Source::Worker(_) => None,
        }
    }

    /// Pass over the next unit, kept by an earlier build (see [`Setters::peek_kept`]),
    /// without its operations: its pages are kept too. Its report is returned.
    pub(super) fn pass(&mut self) -> Result<Report, Diagnostic> {
        let i = self.next;
        let Some(Source::Kept(k)) = self.sources.get(i) else {
            return Err(Diagnostic::error(Kind::Internal, "a unit passed over was not kept"));
        };
        self.learnt[i] = Some(k.learnt.clone());
        self.next += 1;
        Ok(k.report.clone())
    }

    /// Wait for the workers; their glyph texts go into `texts` where it has none yet, and
    /// the fallback characters they used are returned.
    pub(super) fn join(self, texts: &mut BTreeMap<(FaceId, u16), String>) -> BTreeSet<(char, String)> {
        drop(self.results);
        let mut fallback = BTreeSet::new();
        for t in self.threads {
            let (glyph_texts, used) = t.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            if self.memo.is_none() {
                for (k, v) in glyph_texts {
                    texts.entry(k).or_insert(v);
                }
                fallback.extend(used);
            }
        }
        if self.memo.is_some() {
            // As a build from scratch: worker w set units w, w + n, …, each word's glyphs
            // recorded the first time the worker shaped it, after the spaces every
            // typesetter starts with; the workers' maps are merged in order.
            let start = Typesetter::new(self.fonts, Vec::new()).shaper.glyph_texts;
            for w in 0..self.workers {
                let mut worker = start.clone();
                for l in self.learnt.iter().skip(w).step_by(self.workers).flatten() {
                    for (k, v) in &l.0 {
                        worker.entry(*k).or_insert_with(|| v.clone());
                    }
                }
                for (k, v) in worker {
                    texts.entry(k).or_insert(v);
                }
            }
            for l in self.learnt.iter().flatten() {
                fallback.extend(l.1.iter().cloned());
            }
        }
        fallback
    }
}
