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
use std::thread::Scope;

/// The fewest pages handed to an encoder at once (when a unit has that many): each
/// hand-over may wake a thread, and a unit's pages are not worth spreading thinner.
const MIN_SHARE: usize = 3;

/// The most pages held back before they go to the encoders, in a long unit.
const MAX_BATCH: usize = 16;

/// A page on its way: the order it was made in, its index in the file, and the page.
type Numbered<T> = (usize, usize, T);

/// Pages kept for the preview, with their indices.
pub(super) type Kept = Vec<(usize, Page)>;

/// A page encoded, and the page itself when it is kept for the preview (handed back by
/// the encoder rather than copied before).
type Done = (Result<Encoded, Diagnostic>, Option<Page>);

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
                        let encoded = match memo {
                            Some(m) => {
                                let digest = crate::pdf::write::digest(&page);
                                match m.cache.page(m.context, digest) {
                                    Some(kept) => Ok(kept),
                                    None => {
                                        let e = encoder.encode(fonts, &page);
                                        if let Ok(e) = &e {
                                            m.cache.keep_page(m.context, digest, e);
                                        }
                                        e
                                    }
                                }
                            }
                            None => encoder.encode(fonts, &page),
                        };
                        let back = keep.then_some(page);
                        if done_tx.send((seq, index, (encoded, back))).is_err() {
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
        while let Some((index, (encoded, page))) = self.waiting.remove(&self.next) {
            self.writer.put(index, encoded?)?;
            if let (Some(kept), Some(page)) = (&mut self.kept, page) {
                kept.push((index, page));
            }
            self.next += 1;
        }
        Ok(())
    }

    /// Wait for the encoders to finish and write the last pages; the writer, every page
    /// written, is handed back, with the pages kept for the preview.
    pub(super) fn finish(mut self) -> Result<(PdfWriter, Option<Kept>), Diagnostic> {
        self.hand_over()?;
        self.to_encoders.clear();
        while let Ok((seq, index, encoded)) = self.encoded.recv() {
            self.put(seq, index, encoded)?;
        }
        Ok((self.writer, self.kept))
    }
}

impl PageSink for EncodingSink {
    /// A unit's pages go over when it is replayed, or sooner when it is long: the pages
    /// held here stay few however long a chapter.
    fn page(&mut self, index: usize, page: Page) -> Result<(), Diagnostic> {
        self.writer.note_type_sizes(&page.marks, index);
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
