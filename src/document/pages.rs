//! The print edition's pages as places in the model: for each printed page, its label (as
//! the PDF's page labels give it) and where it begins (a document, a block of it and a
//! word of that block). The PDF's pagination produces it, the EPUB marks the places; both
//! count words the same way (`is_space`), so neither renderer imports the other.

/// Which document of the book a place is in. Chapters count in reading order
/// ([`super::Book::chapters`]), parts in [`super::Book::parts`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Doc {
    /// The half-title and the title page.
    Title,
    Copyright,
    Contents,
    Part(usize),
    Chapter(usize),
}

/// A place in the book: a document, a block of it, a word of that block.
///
/// Blocks count from 1 in the order a chapter's blocks are visited, depth first (a quote,
/// then the blocks inside it; a list, then its items' blocks); 0 is the document's start
/// (a chapter's title and byline), [`Spot::TAIL`] the source and translator at its end. In
/// the contents, block `n` is the `n`th entry (parts and chapters). `word` counts the
/// block's words from 0 (runs of text between [`is_space`] characters, footnote calls and
/// the alt text of inline images included, as the PDF sets them); in a table it is the
/// row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Spot {
    pub(crate) doc: Doc,
    pub(crate) block: u32,
    pub(crate) word: u32,
}

impl Spot {
    /// The block number of what follows a chapter's blocks (its source and translator).
    pub(crate) const TAIL: u32 = u32::MAX;

    /// The start of `doc`.
    pub(crate) fn start(doc: Doc) -> Spot {
        Spot { doc, block: 0, word: 0 }
    }
}

/// One printed page: its label (`iii`, `12`) and where it begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrintPage {
    pub(crate) label: String,
    pub(crate) at: Spot,
}

/// The printed pages of the book in order (the cover of the reading edition is not one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PageMap {
    pub(crate) pages: Vec<PrintPage>,
}

/// Whether `c` separates words where the PDF's line breaker sees a space (the no-break
/// space included: it joins words on a line but they stay two words).
pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{a0}')
}

/// Counts words through text given piece by piece: a word may go on from one piece into
/// the next (`**Wort**ende`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WordCounter {
    /// Words begun so far.
    pub(crate) words: u32,
    in_word: bool,
}

impl WordCounter {
    /// Feed `text`; `at_start(word, byte)` is called where each word begins, with the
    /// word's number and its byte offset in `text`.
    pub(crate) fn feed(&mut self, text: &str, mut at_start: impl FnMut(u32, usize)) {
        for (i, c) in text.char_indices() {
            if is_space(c) {
                self.in_word = false;
            } else if !self.in_word {
                self.in_word = true;
                at_start(self.words, i);
                self.words += 1;
            }
        }
    }

    /// A break between words (a line break), with no text.
    pub(crate) fn space(&mut self) {
        self.in_word = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_run_across_pieces_and_break_at_spaces() {
        let mut w = WordCounter::default();
        let mut starts = Vec::new();
        w.feed("  ein Wort", |n, b| starts.push((0, n, b)));
        w.feed("ende\u{a0}und\tso", |n, b| starts.push((1, n, b)));
        w.space();
        w.feed("fort", |n, b| starts.push((2, n, b)));
        assert_eq!(starts, [(0, 0, 2), (0, 1, 6), (1, 2, 6), (1, 3, 10), (2, 4, 0)]);
        assert_eq!(w.words, 5);
    }
}
