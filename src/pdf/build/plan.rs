//! The plan of a PDF build: the units of layout work in reading order, and the contents
//! entries they give.

use crate::document::{locale, Book, Chapter, ChapterKind};
use crate::lang::Lang;
use crate::pdf::layout::{ContentsEntry, Placed};
use crate::pdf::length::Pt;
use crate::pdf::Edition;

/// A unit of layout work, in reading order.
pub(super) enum Unit<'b> {
    Cover,
    HalfTitle,
    /// The title page and the copyright page on its verso.
    Title,
    Contents,
    /// A part's title and its index in the book's parts.
    Part(&'b str, usize),
    /// A chapter, its level in the outline and its index in the book's reading order.
    Chapter(&'b Chapter, u8, usize),
}

/// The units of `book` in `edition`, in reading order: the cover (on screen only; the
/// editions on paper print it on its own), the front matter, the contents, then the
/// chapters with their parts.
pub(super) fn units(book: &Book, edition: Edition) -> Vec<Unit<'_>> {
    let mut units = if edition.for_paper() { Vec::new() } else { vec![Unit::Cover] };
    units.extend([Unit::HalfTitle, Unit::Title, Unit::Contents]);
    let mut n = 0;
    let mut next = || {
        n += 1;
        n - 1
    };
    units.extend(book.front.iter().map(|c| Unit::Chapter(c, 0, next())));
    for (i, p) in book.parts.iter().enumerate() {
        units.extend(p.title.as_deref().map(|t| Unit::Part(t, i)));
        let depth = u8::from(p.title.is_some());
        units.extend(p.chapters.iter().map(|c| Unit::Chapter(c, depth, next())));
    }
    units.extend(book.back.iter().map(|c| Unit::Chapter(c, 0, next())));
    units
}

/// The contents entries of `units`: parts and chapters, with the folio and place each
/// starts at when `starts` (in the same order) is known, else a stand-in.
pub(super) fn contents_entries(
    units: &[Unit],
    book_lang: &Lang,
    starts: &[Placed],
    folio: impl Fn(usize) -> String,
) -> Vec<ContentsEntry> {
    let strings = locale::strings(book_lang);
    let mut out = Vec::new();
    for u in units {
        let (level, title, byline) = match u {
            Unit::Part(t, _) => (0, t.to_string(), None),
            Unit::Chapter(c, _, _) => {
                let by = (c.kind == ChapterKind::Speech && !c.meta.speakers.is_empty())
                    .then(|| strings.list(&c.meta.speakers));
                (1, c.meta.title.clone(), by)
            }
            _ => continue,
        };
        let at = starts.get(out.len());
        out.push(ContentsEntry {
            level,
            title,
            byline,
            folio: at.map_or_else(|| "888".to_string(), |p| folio(p.page)),
            page: at.map_or(0, |p| p.page),
            top: at.map_or(Pt::ZERO, |p| p.top),
        });
    }
    out
}
