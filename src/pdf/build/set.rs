//! Setting the units: worker threads, each with its own shaping and hyphenation caches,
//! set units in turn (unit i on worker i mod n) into layout operations, and hand them back
//! in reading order.

use super::plan::Unit;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::pages::Doc;
use crate::document::Book;
use crate::pdf::font::{FaceId, FontSet};
use crate::pdf::layout::{Geometry, Layout, Op};
use crate::pdf::length::Pt;
use crate::pdf::text::paragraph::Typesetter;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::{Scope, ScopedJoinHandle};

/// What a worker hands back for one unit.
pub(super) struct Done {
    pub(super) ops: Vec<Op>,
    pub(super) report: Report,
}

/// What a worker learnt while setting: the text of each glyph it shaped (for the fonts'
/// ToUnicode maps) and the characters it took from fallback fonts.
type Learnt = (BTreeMap<(FaceId, u16), String>, BTreeSet<(char, String)>);

/// The layout workers of one build.
pub(super) struct Setters<'scope> {
    results: Vec<Receiver<Done>>,
    threads: Vec<ScopedJoinHandle<'scope, Learnt>>,
    /// The next unit to hand back.
    next: usize,
}

impl<'scope> Setters<'scope> {
    /// Start `workers` threads setting `units` of `book`. A chapter always goes to the same
    /// worker, so the output does not depend on thread timing.
    pub(super) fn spawn<'env>(
        s: &'scope Scope<'scope, 'env>,
        workers: usize,
        fonts: &'env FontSet,
        g: &'env Geometry,
        book: &'env Book,
        units: &'env [Unit<'env>],
        families: &'env [String],
    ) -> Self {
        let mut results = Vec::new();
        let mut threads = Vec::new();
        let lang = &book.meta.language;
        for w in 0..workers {
            let (tx, rx) = sync_channel::<Done>(4);
            results.push(rx);
            threads.push(s.spawn(move || {
                let typesetter = Typesetter::new(fonts, book.meta.hyphenation_exceptions.clone());
                let mut lay = Layout::new(g, typesetter, &book.meta.title);
                for unit in units.iter().skip(w).step_by(workers) {
                    let mut ops = Vec::new();
                    match unit {
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
                    let done = Done { ops, report: std::mem::take(&mut lay.report) };
                    if tx.send(done).is_err() {
                        break;
                    }
                }
                (lay.typesetter.shaper.glyph_texts, lay.fallback_used)
            }));
        }
        Setters { results, threads, next: 0 }
    }

    /// The next unit's operations, in reading order.
    pub(super) fn next(&mut self) -> Result<Done, Diagnostic> {
        let i = self.next;
        self.next += 1;
        self.results[i % self.results.len()]
            .recv()
            .map_err(|_| Diagnostic::error(Kind::Internal, "a layout thread stopped").with_hint("see the error above"))
    }

    /// Wait for the workers; their glyph texts go into `texts` where it has none yet, and
    /// the fallback characters they used are returned.
    pub(super) fn join(self, texts: &mut BTreeMap<(FaceId, u16), String>) -> BTreeSet<(char, String)> {
        drop(self.results);
        let mut fallback = BTreeSet::new();
        for t in self.threads {
            let (glyph_texts, used) = t.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (k, v) in glyph_texts {
                texts.entry(k).or_insert(v);
            }
            fallback.extend(used);
        }
        fallback
    }
}
