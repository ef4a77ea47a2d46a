//! The typed model both renderers read: Book > Part > Chapter > Block > Inline. Text in it
//! is final (typography applied); every block knows the file and line it came from; anchors
//! are derived deterministically from ids and positions.

use crate::anthology::{Asset, BookMeta};
use crate::lang::Lang;
use crate::library::SpeechDate;
use serde::Serialize;
use std::path::PathBuf;

/// A whole book as the renderers take it: metadata, front matter, parts, back matter.
#[derive(Debug, Clone, Serialize)]
pub struct Book {
    /// The book file's name (`example`); names the outputs.
    pub(crate) name: String,
    pub(crate) meta: BookMeta,
    /// Every language used in the book, the book's first.
    pub(crate) languages: Vec<Lang>,
    /// When the book was last modified, in seconds since 1970 (UTC): `SOURCE_DATE_EPOCH`
    /// when set, else the newest date of the book and its speeches, so that the same
    /// sources always give the same bytes.
    pub(crate) modified: i64,
    /// The introduction, when the book has one.
    pub(crate) front: Vec<Chapter>,
    /// The parts in reading order (one untitled part when the book has no `[[parts]]`).
    pub parts: Vec<Part>,
    /// The afterword, when the book has one.
    pub(crate) back: Vec<Chapter>,
}

impl Book {
    /// Every chapter in reading order.
    pub(crate) fn chapters(&self) -> impl Iterator<Item = &Chapter> {
        self.front.iter().chain(self.parts.iter().flat_map(|p| p.chapters.iter())).chain(self.back.iter())
    }
}

/// A part of the book: its title and its speeches.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    /// `None` when the book has no `[[parts]]`: its speeches stand in one untitled part.
    pub(crate) title: Option<String>,
    pub(crate) anchor: String,
    /// Its speeches, in reading order.
    pub chapters: Vec<Chapter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChapterKind {
    Introduction,
    Speech,
    Afterword,
}

/// A speech, the introduction or the afterword: its metadata, body and footnotes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chapter {
    /// The speech id, or `introduction` / `afterword`.
    pub(crate) id: String,
    pub(crate) kind: ChapterKind,
    /// Unique in the book, safe as an XML id and a file name.
    pub(crate) anchor: String,
    /// Title, speakers, date, language and the rest of its front matter.
    pub meta: ChapterMeta,
    pub(crate) source: PathBuf,
    /// Its body, in order.
    pub blocks: Vec<Block>,
    /// In the order of their numbers (first call first).
    pub(crate) footnotes: Vec<Footnote>,
    pub(crate) words: usize,
}

/// A chapter's front matter, as the book shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChapterMeta {
    pub(crate) title: String,
    pub(crate) speakers: Vec<String>,
    pub(crate) date: Option<SpeechDate>,
    /// The chapter's language (the speech's, else the book's).
    pub language: Lang,
    pub(crate) place: Option<String>,
    pub(crate) occasion: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) translators: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) rights: Option<String>,
    pub(crate) summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Footnote {
    /// The label as written (`1`, `quelle`); unique within its chapter only.
    pub(crate) label: String,
    /// 1-based, per chapter, by first call.
    pub(crate) number: u32,
    /// How many times the text calls it (each call gets its own back link).
    pub(crate) calls: u32,
    pub(crate) line: usize,
    pub(crate) blocks: Vec<Block>,
}

/// A block of a chapter's body, with the source line it starts on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub(crate) line: usize,
    /// What the block is, with its content.
    #[serde(flatten)]
    pub kind: BlockKind,
}

/// How a table column is aligned (the colons of its delimiter row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    /// No colon: the reader's default.
    None,
    /// `:---`
    Left,
    /// `:---:`
    Center,
    /// `---:`
    Right,
}

/// The blocks a chapter body is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockKind {
    /// A heading inside a speech (`#` to `######`).
    Heading {
        /// As in the source: 1 for `#`; the speech's own title is not a block.
        level: u8,
        /// Its id, unique in the book, for links and the contents.
        anchor: String,
        /// Its text.
        content: Vec<Inline>,
    },
    /// A paragraph.
    Paragraph {
        /// Its text.
        content: Vec<Inline>,
    },
    /// A block quotation (`>`).
    Quote {
        /// The quoted blocks.
        blocks: Vec<Block>,
    },
    /// A bullet or numbered list.
    List {
        /// The first number of an ordered list; `None` for bullets.
        start: Option<u64>,
        /// Loose lists have space between their items.
        tight: bool,
        /// Its items, each a run of blocks.
        items: Vec<Vec<Block>>,
    },
    /// A thematic break (`---`).
    Rule,
    /// An image that stands alone in its paragraph.
    Image {
        /// The image.
        image: ImageRef,
    },
    /// A table (a header row and body rows of cells).
    Table {
        /// The alignment of each column.
        align: Vec<Align>,
        /// The header row's cells.
        head: Vec<Vec<Inline>>,
        /// The body rows, each a list of cells.
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// A code block, set as written in the monospace face.
    Code {
        /// The language named after the opening fence, if any.
        language: Option<String>,
        /// The code, its lines ending in `\n`.
        text: String,
    },
}

/// An image of the book: its file, alternative text and title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageRef {
    pub(crate) asset: Asset,
    pub(crate) alt: String,
    pub(crate) title: Option<String>,
}

/// Text inside a block, with its emphasis, links and calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Inline {
    /// Plain text.
    Text {
        /// The text, typography applied.
        text: String,
    },
    /// Emphasised text (`*…*`), set in italics.
    Emphasis {
        /// The emphasised text.
        content: Vec<Inline>,
    },
    /// Strong text (`**…**`), set in bold.
    Strong {
        /// The strong text.
        content: Vec<Inline>,
    },
    /// Text raised above the baseline (`<sup>…</sup>`).
    Superscript {
        /// The raised text.
        content: Vec<Inline>,
    },
    /// Text lowered below the baseline (`<sub>…</sub>`).
    Subscript {
        /// The lowered text.
        content: Vec<Inline>,
    },
    /// A hyperlink.
    Link {
        /// Where it leads.
        url: String,
        /// Its title (`[text](url "title")`), if any.
        title: Option<String>,
        /// The linked text.
        content: Vec<Inline>,
    },
    /// Code inside running text (`` `…` ``), in the monospace face.
    Code {
        /// The code as written.
        text: String,
    },
    /// A call of footnote `number` of this chapter; `call` counts the calls of that note (1-based).
    FootnoteRef {
        /// The note's number in its chapter.
        number: u32,
        /// Which call of the note this is, from 1.
        call: u32,
    },
    /// An image inside running text.
    Image {
        /// The image.
        image: ImageRef,
    },
    /// A forced line break.
    Break,
    /// Text in another language than the text around it (`<span lang="ru">…</span>`).
    Lang {
        /// Its language.
        lang: Lang,
        /// The direction the author gave it (`dir="rtl"`), if any; else its language's.
        #[serde(skip_serializing_if = "Option::is_none")]
        dir: Option<TextDir>,
        /// The text in that language.
        content: Vec<Inline>,
    },
}

/// A direction of text an author gives a span (HTML's `dir`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextDir {
    /// `dir="ltr"`
    Ltr,
    /// `dir="rtl"`
    Rtl,
    /// `dir="auto"`: the direction of its first strong letter.
    Auto,
}

impl TextDir {
    /// The value of HTML's `dir` attribute.
    pub(crate) fn attr(self) -> &'static str {
        match self {
            TextDir::Ltr => "ltr",
            TextDir::Rtl => "rtl",
            TextDir::Auto => "auto",
        }
    }
}

impl Inline {
    pub(crate) fn text(s: impl Into<String>) -> Inline {
        Inline::Text { text: s.into() }
    }
}

/// Every piece of text of `blocks`, in reading order, to `f`, with whether it is code.
pub(crate) fn visit_blocks(blocks: &[Block], f: &mut impl FnMut(&str, bool)) {
    for b in blocks {
        match &b.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph { content } => visit_inlines(content, f),
            BlockKind::Quote { blocks } => visit_blocks(blocks, f),
            BlockKind::List { items, .. } => items.iter().for_each(|i| visit_blocks(i, f)),
            BlockKind::Rule => {}
            BlockKind::Image { image } => {
                f(&image.alt, false);
                image.title.iter().for_each(|t| f(t, false));
            }
            BlockKind::Table { head, rows, .. } => {
                head.iter().chain(rows.iter().flatten()).for_each(|c| visit_inlines(c, f));
            }
            BlockKind::Code { text, .. } => f(text, true),
        }
    }
}

/// Every piece of text of `inlines`, in reading order, to `f`, with whether it is code.
pub(crate) fn visit_inlines(inlines: &[Inline], f: &mut impl FnMut(&str, bool)) {
    for i in inlines {
        match i {
            Inline::Text { text } => f(text, false),
            Inline::Code { text } => f(text, true),
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Superscript { content }
            | Inline::Subscript { content }
            | Inline::Link { content, .. }
            | Inline::Lang { content, .. } => visit_inlines(content, f),
            Inline::Image { image } => f(&image.alt, false),
            Inline::FootnoteRef { .. } | Inline::Break => {}
        }
    }
}

/// The plain text of inlines (for titles in navigation, alt texts, word counts).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    fn go(i: &[Inline], out: &mut String) {
        for x in i {
            match x {
                Inline::Text { text } | Inline::Code { text } => out.push_str(text),
                Inline::Emphasis { content }
                | Inline::Strong { content }
                | Inline::Superscript { content }
                | Inline::Subscript { content }
                | Inline::Link { content, .. }
                | Inline::Lang { content, .. } => go(content, out),
                Inline::Image { image } => out.push_str(&image.alt),
                Inline::Break => out.push(' '),
                Inline::FootnoteRef { .. } => {}
            }
        }
    }
    go(inlines, &mut out);
    out
}

/// Anchors: derived from ids so they are stable across builds and safe in XML and URLs.
pub(crate) fn anchor_of(prefix: &str, id: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + id.len());
    out.push_str(prefix);
    let mut dash = false;
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The anchor of footnote `number` in the chapter with anchor `chapter`.
pub(crate) fn footnote_anchor(chapter: &str, number: u32) -> String {
    format!("{chapter}-fn{number}")
}

/// The anchor of the `call`th call of footnote `number` (for the link back).
pub(crate) fn footnote_ref_anchor(chapter: &str, number: u32, call: u32) -> String {
    if call <= 1 {
        format!("{chapter}-fnref{number}")
    } else {
        format!("{chapter}-fnref{number}-{call}")
    }
}

/// `2021-12-13T00:00:00Z` for seconds since 1970.
pub(crate) fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 for a date (proleptic Gregorian; Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a count of days since 1970-01-01 (proleptic Gregorian).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn iso_dates_round_trip() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_639_353_600 + 3661), "2021-12-13T01:01:01Z");
        assert_eq!(days_from_civil(2021, 12, 13) * 86_400, 1_639_353_600);
        assert_eq!(iso8601(days_from_civil(2024, 2, 29) * 86_400), "2024-02-29T00:00:00Z");
    }
}
