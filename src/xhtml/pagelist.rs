//! The print edition's pages in the EPUB: a `pagebreak` marker where each printed page
//! begins (before a block, or before the word inside a paragraph where the page breaks
//! in it), and the navigation document's `page-list` of them. Where pages begin comes
//! from the PDF's pagination as places in the model ([`PageMap`]); the documents are
//! walked in the same order and their words counted the same way.

use super::{escape, Writer};
use crate::document::pages::{Doc, PageMap, Spot, WordCounter};
use std::collections::BTreeMap;

/// A printed page's marker.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Marker {
    pub spot: Spot,
    pub label: String,
}

impl Marker {
    /// The marker's id in its document.
    pub(crate) fn id(&self) -> String {
        format!("page-{}", self.label)
    }
}

/// The markers of the book by document, each document's in page order.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    by_doc: BTreeMap<Doc, Vec<Marker>>,
}

impl Marks {
    pub(crate) fn new(map: Option<&PageMap>) -> Marks {
        let mut by_doc: BTreeMap<Doc, Vec<Marker>> = BTreeMap::new();
        for p in map.map_or(&[][..], |m| &m.pages) {
            by_doc.entry(p.at.doc).or_default().push(Marker { spot: p.at, label: p.label.clone() });
        }
        Marks { by_doc }
    }

    /// The markers of `doc`, in page order (what its document depends on).
    pub(crate) fn of(&self, doc: Doc) -> &[Marker] {
        self.by_doc.get(&doc).map_or(&[], Vec::as_slice)
    }

    /// The markers to put into `doc`.
    pub(crate) fn queue(&self, doc: Doc) -> Queue<'_> {
        Queue { marks: self.by_doc.get(&doc).map_or(&[], Vec::as_slice), next: 0 }
    }

    /// The page list's entries, in page order: the label and the marker's address, for the
    /// documents that exist (`file` names each one's file, `None` for none).
    pub(crate) fn entries(&self, map: Option<&PageMap>, file: impl Fn(Doc) -> Option<String>) -> Vec<(String, String)> {
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
pub(crate) struct Queue<'m> {
    marks: &'m [Marker],
    next: usize,
}

impl Queue<'_> {
    /// Write every marker (in page order) up to the one whose page begins after `at`.
    pub(crate) fn upto(&mut self, w: &mut Writer, at: Spot) {
        while let Some(m) = self.marks.get(self.next) {
            if m.spot > at {
                break;
            }
            marker(w, m);
            self.next += 1;
        }
    }

    /// Write the markers left (at the end of the document).
    pub(crate) fn rest(&mut self, w: &mut Writer) {
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
    pub(crate) fn text(&mut self, w: &mut Writer, doc: Doc, block: u32, words: &mut WordCounter, text: &str) {
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
    pub(crate) fn before(&mut self, w: &mut Writer, doc: Doc, block: u32, words: &mut WordCounter, text: &str) {
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
pub(crate) fn nav(entries: &[(String, String)], title: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::pages::PrintPage;
    use crate::lang::Lang;
    use crate::xhtml::Usage;
    use std::path::Path;

    fn map(spots: &[(&str, Spot)]) -> PageMap {
        PageMap { pages: spots.iter().map(|(l, at)| PrintPage { label: l.to_string(), at: *at }).collect() }
    }

    /// Markers go before the word their page begins with, in page order, never inside a
    /// word, however the text is cut into pieces; a page that begins inside something not
    /// written as text (a note's number) has its marker before it; what is left goes at
    /// the end.
    #[test]
    fn markers_go_before_their_word_and_never_split_one() {
        let doc = Doc::Chapter(0);
        let at = |block, word| Spot { doc, block, word };
        let m = map(&[
            ("1", at(0, 0)),
            ("2", at(1, 3)),
            ("3", at(1, 3)),
            ("4", at(1, 5)),
            ("5", at(2, 0)),
            ("6", at(9, 0)),
        ]);
        let marks = Marks::new(Some(&m));
        let mut usage = Usage::default();
        let mut w = Writer::new(&mut usage, Path::new("a.md"), &Lang::of("de"));
        let mut q = marks.queue(doc);
        q.upto(&mut w, at(0, u32::MAX));
        q.upto(&mut w, at(1, 0));
        let mut words = WordCounter::default();
        // Words 0–2, then word 3 split over two pieces (`Wort` `ende`), word 4, then a
        // note's number standing alone (word 5, written by the caller as an element),
        // then word 6.
        q.text(&mut w, doc, 1, &mut words, "eins zwei drei Wort");
        q.text(&mut w, doc, 1, &mut words, "ende vier");
        q.before(&mut w, doc, 1, &mut words, " 7");
        q.text(&mut w, doc, 1, &mut words, " fünf");
        q.upto(&mut w, at(2, 0));
        q.rest(&mut w);
        let out = w.finish();
        let marker = |l: &str| {
            format!("<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{l}\" aria-label=\"{l}\"/>")
        };
        let [m1, m2, m3, m4, m5, m6] = ["1", "2", "3", "4", "5", "6"].map(marker);
        assert_eq!(out, format!("{m1}eins zwei drei {m2}{m3}Wortende vier{m4} fünf{m5}{m6}"));
        assert_eq!(words.words, 7);
    }

    #[test]
    fn the_page_list_names_each_marker_in_its_document() {
        let m = map(&[
            ("i", Spot::start(Doc::Title)),
            ("1", Spot::start(Doc::Chapter(0))),
            ("2", Spot::start(Doc::Part(4))),
        ]);
        let marks = Marks::new(Some(&m));
        let entries = marks.entries(Some(&m), |d| match d {
            Doc::Title => Some("title.xhtml".into()),
            Doc::Chapter(0) => Some("s-a.xhtml".into()),
            _ => None,
        });
        assert_eq!(
            entries,
            [("i".to_string(), "title.xhtml#page-i".to_string()), ("1".into(), "s-a.xhtml#page-1".into())]
        );
        let nav = nav(&entries, "Seiten");
        assert!(nav.starts_with("<nav epub:type=\"page-list\""), "{nav}");
        assert!(nav.contains("<li><a href=\"s-a.xhtml#page-1\">1</a></li>"), "{nav}");
        assert!(super::nav(&[], "Seiten").is_empty());
    }
}
