//! The page sink of a build: pages from the flow go in batches to encoder threads (content
//! stream, compressed), and come back to be written to the file in the order they were
//! made (the writer numbers the objects). Handing pages over in batches, and writing on
//! the thread that paginates, keeps threads from waking each other for every page; every
//! queue is short, so memory stays bounded however long the book.

use super::Memo;
use crate::diagnostics::{Diagnostic, Kind};
use crate::pdf::font::FontSet;
use crate::pdf::layout::PageSink;
use crate::pdf::write::{Encoded, Page, PdfWriter};
use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::Scope;

/// The fewest pages handed to an encoder at once (when a unit has that many): each
/// hand-over may wake a thread, and a unit's pages are not worth spreading thinner.
const MIN_SHARE: usize = 3;

/// The most pages held back before they go to the encoders, in a long unit.
const MAX_BATCH: usize = 16;

/// A page on its way: the order it was made in, its index in the file, and the page.
type Numbered<T> = (usize, usize, T);

/// Pages kept for the preview, with their indices, in the order made.
pub(super) type Kept = Vec<(usize, Arc<Page>)>;

/// A page encoded, the page itself when it is kept for the preview (handed back by
/// the encoder rather than copied before), and with a memo its digest.
type Done = (Result<Arc<Encoded>, Diagnostic>, Option<Arc<Page>>, Option<u128>);

/// A page as made, for the pages kept with a unit ([`super::reuse`]): its index, the
/// digest its encoding is kept by, and its smallest type (print files).
#[derive(Debug, Clone, Copy)]
pub(super) struct Made {
    pub(super) index: usize,
    pub(super) digest: u128,
    pub(super) smallest: Option<(f32, bool)>,
}

pub(super) struct EncodingSink {
    writer: PdfWriter,
    /// Batch n goes to encoder n % encoders, each with a queue of its own.
    to_encoders: Vec<SyncSender<Vec<Numbered<Page>>>>,
    /// Encoded pages come back on a channel without bound: an encoder never waits on the
    /// paginating thread, which drains it between units, so neither can wait on the other.
    encoded: Receiver<Numbered<Done>>,
    /// Pages encoded out of order, waiting for those made before them.
    waiting: BTreeMap<usize, (usize, Done)>,
    /// The next page to write, in the order made.
    next: usize,
    /// Pages made so far.
    made: usize,
    /// The pages made since the last hand-over.
    batch: Vec<Numbered<Page>>,
    batches: usize,
    /// For the preview: every page with its lines, by index, as the encoders hand them
    /// back (`None` when not kept, the usual case).
    kept: Option<Kept>,
    /// With a memo: every page made, in the order made (its digest once encoded).
    log: Option<Vec<Made>>,
}

impl EncodingSink {
    /// Start `encoders` encoder threads for `writer`'s pages; with `keep`, the pages are
    /// kept (with their lines) for the preview. With `memo` (`watch`, `serve`), a page
    /// whose content was encoded by an earlier build is taken from it, and the pages
    /// encoded are kept.
    pub(super) fn spawn<'scope, 'env>(
        s: &'scope Scope<'scope, 'env>,
        writer: PdfWriter,
        fonts: &'env FontSet,
        encoders: usize,
        keep: bool,
        memo: Option<Memo<'env>>,
    ) -> Self {
        let (done_tx, encoded) = channel();
        let mut to_encoders = Vec::new();
        for _ in 0..encoders {
            let mut encoder = writer.encoder();
            let (page_tx, page_rx) = sync_channel::<Vec<Numbered<Page>>>(4);
            to_encoders.push(page_tx);
            let done_tx = done_tx.clone();
            s.spawn(move || {
                for batch in page_rx {
                    for (seq, index, page) in batch {
                        let (encoded, digest) = match memo {
                            Some(m) => {
                                let digest = crate::pdf::write::digest(&page);
                                let encoded = match m.cache.page(m.context, digest) {
                                    Some(kept) => Ok(kept),
                                    None => {
                                        let e = encoder.encode(fonts, &page).map(Arc::new);
                                        if let Ok(e) = &e {
                                            m.cache.keep_page(m.context, digest, e);
                                        }
                                        e
                                    }
                                };
                                (encoded, Some(digest))
                            }
                            None => (encoder.encode(fonts, &page).map(Arc::new), None),
                        };
                        let back = keep.then(|| Arc::new(page));
                        if done_tx.send((seq, index, (encoded, back, digest))).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        EncodingSink {
            writer,
            to_encoders,
            encoded,
            waiting: BTreeMap::new(),
            next: 0,
            made: 0,
            batch: Vec::new(),
            batches: 0,
            kept: keep.then(Vec::new),
            log: memo.map(|_| Vec::new()),
        }
    }

    /// Hand the batch to the encoders, shared out in runs of pages (so that the last
    /// unit's pages, which all wait for, are encoded side by side), then write what is
    /// encoded so far.
    fn hand_over(&mut self) -> Result<(), Diagnostic> {
        let mut pages = std::mem::take(&mut self.batch);
        let share = pages.len().div_ceil(self.to_encoders.len()).max(MIN_SHARE);
        while !pages.is_empty() {
            let rest = pages.split_off(share.min(pages.len()));
            let n = self.batches;
            self.batches += 1;
            let encoders = self.to_encoders.len();
            self.to_encoders[n % encoders].send(pages).map_err(|_| {
                Diagnostic::error(Kind::Internal, "a PDF encoder stopped").with_hint("see the error above")
            })?;
            pages = rest;
        }
        while let Ok((seq, index, encoded)) = self.encoded.try_recv() {
            self.put(seq, index, encoded)?;
        }
        Ok(())
    }

    /// Pages come encoded in any order; they are written in the order they were made.
    fn put(&mut self, seq: usize, index: usize, done: Done) -> Result<(), Diagnostic> {
        self.waiting.insert(seq, (index, done));
        while let Some((index, (encoded, page, digest))) = self.waiting.remove(&self.next) {
            if let (Some(made), Some(digest)) = (self.log.as_mut().and_then(|l| l.get_mut(self.next)), digest) {
                made.digest = digest;
            }
            self.writer.put(index, &*encoded?)?;
            if let (Some(kept), Some(page)) = (&mut self.kept, page) {
                kept.push((index, page));
            }
            self.next += 1;
        }
        Ok(())
    }

    /// Wait for the encoders to finish and write the last pages; the writer, every page
    /// written, is handed back, with the pages kept for the preview and, with a memo,
    /// every page made (in the order made).
    pub(super) fn finish(mut self) -> Result<(PdfWriter, Option<Kept>, Vec<Made>), Diagnostic> {
        self.hand_over()?;
        self.to_encoders.clear();
        while let Ok((seq, index, encoded)) = self.encoded.recv() {
            self.put(seq, index, encoded)?;
        }
        Ok((self.writer, self.kept, self.log.unwrap_or_default()))
    }

    /// How many pages were made so far.
    pub(super) fn made(&self) -> usize {
        self.made
    }

    /// Pages kept from an earlier build, encoded: each goes to the file after the pages
    /// made before it, as a page the flow made would.
    pub(super) fn known(&mut self, pages: Vec<(Made, Arc<Encoded>, Option<Arc<Page>>)>) -> Result<(), Diagnostic> {
        // The flow's pages held back go first, so the order made is kept.
        self.hand_over()?;
        for (made, encoded, page) in pages {
            self.writer.note_smallest_type(made.smallest, made.index);
            if let Some(log) = &mut self.log {
                log.push(made);
            }
            let seq = self.made;
            self.made += 1;
            self.put(seq, made.index, (Ok(encoded), page, Some(made.digest)))?;
        }
        Ok(())
    }
}

impl PageSink for EncodingSink {
    /// A unit's pages go over when it is replayed, or sooner when it is long: the pages
    /// held here stay few however long a chapter.
    fn page(&mut self, index: usize, page: Page) -> Result<(), Diagnostic> {
        let smallest = self.writer.smallest_type(&page.marks);
        self.writer.note_smallest_type(smallest, index);
        if let Some(log) = &mut self.log {
            log.push(Made { index, digest: 0, smallest });
        }
        let seq = self.made;
        self.made += 1;
        self.batch.push((seq, index, page));
        if self.batch.len() >= MAX_BATCH {
            self.hand_over()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Diagnostic> {
        self.hand_over()
    }

    fn records(&self) -> bool {
        self.kept.is_some()
    }
}
