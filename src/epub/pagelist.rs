//! The print edition's pages in the EPUB: a `pagebreak` marker where each printed page
//! begins (before a block, or before the word inside a paragraph where the page breaks
//! in it), and the navigation document's `page-list` of them. Where pages begin comes
//! from the PDF's pagination as places in the model ([`PageMap`]); the documents are
//! walked in the same order and their words counted the same way.

use super::xhtml::{escape, Writer};
use crate::document::pages::{Doc, PageMap, Spot, WordCounter};
use std::collections::BTreeMap;

/// A printed page's marker.
#[derive(Debug, Clone)]
pub(super) struct Marker {
    pub spot: Spot,
    pub label: String,
}

impl Marker {
    /// The marker's id in its document.
    pub(super) fn id(&self) -> String {
        format!("page-{}", self.label)
    }
}

/// The markers of the book by document, each document's in page order.
#[derive(Debug, Default)]
pub(super) struct Marks {
    by_doc: BTreeMap<Doc, Vec<Marker>>,
}

impl Marks {
    pub(super) fn new(map: Option<&PageMap>) -> Marks {
        let mut by_doc: BTreeMap<Doc, Vec<Marker>> = BTreeMap::new();
        for p in map.map_or(&[][..], |m| &m.pages) {
            by_doc.entry(p.at.doc).or_default().push(Marker { spot: p.at, label: p.label.clone() });
        }
        Marks { by_doc }
    }

    /// The markers to put into `doc`.
    pub(super) fn queue(&self, doc: Doc) -> Queue<'_> {
        Queue { marks: self.by_doc.get(&doc).map_or(&[], Vec::as_slice), next: 0 }
    }

    /// The page list's entries, in page order: the label and the marker's address, for the
    /// documents that exist (`file` names each one's file, `None` for none).
    pub(super) fn entries(&self, map: Option<&PageMap>, file: impl Fn(Doc) -> Option<String>) -> Vec<(String, String)> {
        let Some(map) = map else { return Vec::new() };
        map.pages
            .iter()
            .filter_map(|p| {
                let f = file(p.at.doc)?;
                Some((p.label.clone(), format!("{f}#page-{}", p.label)))
            })
            .collect()
    }
}

/// The markers of one document still to be written.
pub(super) struct Queue<'m> {
    marks: &'m [Marker],
    next: usize,
}

impl Queue<'_> {
    /// Write every marker (in page order) up to the one whose page begins after `at`.
    pub(super) fn upto(&mut self, w: &mut Writer, at: Spot) {
        while let Some(m) = self.marks.get(self.next) {
            if m.spot > at {
                break;
            }
            marker(w, m);
            self.next += 1;
        }
    }

    /// Write the markers left (at the end of the document).
    pub(super) fn rest(&mut self, w: &mut Writer) {
        for m in &self.marks[self.next..] {
            marker(w, m);
        }
        self.next = self.marks.len();
    }

    /// The word of block `block` where the next marker goes, when it goes inside it.
    fn word_in(&self, block: u32) -> Option<u32> {
        self.marks.get(self.next).filter(|m| m.spot.block == block).map(|m| m.spot.word)
    }

    /// Write `text` of block `block` (of `doc`) counting its words with `words`, with the
    /// markers of pages that begin at one of them before that word.
    pub(super) fn text(&mut self, w: &mut Writer, doc: Doc, block: u32, words: &mut WordCounter, text: &str) {
        let Some(first) = self.word_in(block) else {
            words.feed(text, |_, _| {});
            w.text(text);
            return;
        };
        let mut cuts = Vec::new();
        words.feed(text, |n, i| {
            if n >= first {
                cuts.push((n, i))
            }
        });
        let mut from = 0;
        for (n, i) in cuts {
            let at = Spot { doc, block, word: n };
            if self.marks.get(self.next).is_some_and(|m| m.spot <= at) {
                w.text(&text[from..i]);
                from = i;
                self.upto(w, at);
            }
        }
        w.text(&text[from..]);
    }

    /// Count `text` of block `block`, which is not written as text (a note's number, an
    /// image's alt text, inline code): markers of pages that begin in it go before it.
    pub(super) fn before(&mut self, w: &mut Writer, doc: Doc, block: u32, words: &mut WordCounter, text: &str) {
        let mut last = None;
        words.feed(text, |n, _| last = Some(n));
        if let Some(n) = last {
            self.upto(w, Spot { doc, block, word: n });
        }
    }
}

/// `<span epub:type="pagebreak" role="doc-pagebreak" id="page-iv" aria-label="iv"/>`.
fn marker(w: &mut Writer, m: &Marker) {
    let id = m.id();
    w.empty("span", &[("epub:type", "pagebreak"), ("role", "doc-pagebreak"), ("id", &id), ("aria-label", &m.label)]);
}

/// The navigation document's page list (hidden: reading systems offer it as a menu).
pub(super) fn nav(entries: &[(String, String)], title: &str) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        return out;
    }
    out.push_str(
        "<nav epub:type=\"page-list\" id=\"page-list\" hidden=\"hidden\" aria-labelledby=\"page-list-title\">\n",
    );
    out.push_str(&format!("  <h2 id=\"page-list-title\">{}</h2>\n  <ol>\n", escape(title)));
    for (label, href) in entries {
        out.push_str(&format!("    <li><a href=\"{}\">{}</a></li>\n", escape(href), escape(label)));
    }
    out.push_str("  </ol>\n</nav>\n");
    out
}
