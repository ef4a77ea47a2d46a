//! Blocks to pages: every block of the model set in the style's measure and stacked on
//! pages with mirrored margins and folios. Pages are handed out one by one as they are
//! filled, so the writer can put them into the file at once.

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::{locale, Block, BlockKind, Book, Chapter, ChapterKind, Inline};
use crate::pdf::font::{Case, FaceId};
use crate::pdf::text::paragraph::{Alignment, FontProblem, Line, Measure, Span, SpanStyle, Typesetter};
use crate::pdf::write::{Glyph, Mark, Page};
use crate::style::{self, Style};
use std::collections::BTreeSet;

/// Sizes derived from the style, in points.
#[derive(Debug, Clone)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    pub inner: f32,
    pub outer: f32,
    pub top: f32,
    pub bottom: f32,
    pub size: f32,
    pub leading: f32,
    pub indent: f32,
    pub paragraph_space: f32,
    pub align: Alignment,
    pub hyphenate: bool,
    pub recto_starts: bool,
    pub running_heads: style::RunningHeads,
}

impl Geometry {
    pub fn of(style: &Style) -> Result<Geometry, Diagnostic> {
        let (width, height) = style.page.dimensions().map_err(|e| {
            Diagnostic::error(Kind::Value, e).at_file(&style.source).with_hint("see styles/default.toml")
        })?;
        let size = style.text.size.absolute_pt().unwrap_or(10.0) as f32;
        let pt = |l: &style::Length| l.to_pt(size as f64) as f32;
        Ok(Geometry {
            width: width as f32,
            height: height as f32,
            inner: pt(&style.page.inner),
            outer: pt(&style.page.outer),
            top: pt(&style.page.top),
            bottom: pt(&style.page.bottom),
            size,
            leading: pt(&style.text.leading),
            indent: pt(&style.text.indent),
            paragraph_space: pt(&style.text.paragraph_space),
            align: match style.text.align {
                style::Align::Justify => Alignment::Justify,
                style::Align::Ragged => Alignment::Ragged,
            },
            hyphenate: style.text.hyphenate,
            recto_starts: style.layout.chapter_start == style::ChapterStart::Recto,
            running_heads: style.layout.running_heads,
        })
    }

    pub fn measure(&self) -> f32 {
        self.width - self.inner - self.outer
    }
}

/// The page flow: stacks lines onto pages and hands each finished page to `emit`.
pub struct Flow<'a, F: FnMut(Page) -> Result<(), Diagnostic>> {
    g: &'a Geometry,
    emit: F,
    page: Page,
    /// 1-based number of the page being filled.
    number: usize,
    /// Baseline of the last line set, from the top of the page; `None` on an empty page.
    cursor: Option<f32>,
    folio: bool,
    /// The page opens a chapter or a part, or is the title page: no folio, no running head.
    opening: bool,
    /// Index (0-based) of the first page numbered in Arabic figures; pages before it are the
    /// front matter, numbered in Roman ones.
    pub arabic_from: Option<usize>,
    /// Running heads: the book's title on versos, the chapter's on rectos.
    heads: (String, String),
    /// Bookmarks waiting for the next line, and those placed.
    pending: Vec<(u8, String)>,
    pub outline: Vec<Placed>,
}

impl<'a, F: FnMut(Page) -> Result<(), Diagnostic>> Flow<'a, F> {
    pub fn new(g: &'a Geometry, emit: F) -> Self {
        Flow {
            g,
            emit,
            page: Page { width: g.width, height: g.height, marks: Vec::new() },
            number: 1,
            cursor: None,
            folio: false,
            opening: false,
            arabic_from: None,
            heads: (String::new(), String::new()),
            pending: Vec::new(),
            outline: Vec::new(),
        }
    }

    fn left(&self) -> f32 {
        // Odd pages are rectos: the inner margin is on the left.
        if self.number % 2 == 1 {
            self.g.inner
        } else {
            self.g.outer
        }
    }

    fn empty(&self) -> bool {
        self.page.marks.is_empty()
    }

    /// Carry out `ops`; `typesetter` sets the folios.
    pub fn replay(&mut self, ops: Vec<Op>, typesetter: &mut Typesetter) -> Result<(), Diagnostic> {
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Lines { lines, dx, advance, keep } => {
                    if *keep && self.cursor.is_some() && !self.keeps(lines, *advance, &ops[i + 1..]) {
                        self.finish_page(typesetter)?;
                    }
                    self.lines(typesetter, lines, *dx, *advance)?
                }
                Op::Skip(s) => self.skip(*s),
                Op::SkipTo(y) => self.cursor = Some(y.max(self.cursor.unwrap_or(0.0))),
                Op::NewPage { recto } => self.new_page(typesetter, *recto)?,
                Op::NoFolio => self.opening = true,
                Op::Arabic => {
                    if self.arabic_from.is_none() {
                        self.arabic_from = Some(self.number - 1);
                    }
                }
                Op::Heads { verso, recto } => self.heads = (verso.clone(), recto.clone()),
                Op::Bookmark { level, title } => self.pending.push((*level, title.clone())),
            }
        }
        Ok(())
    }

    /// Finish the last page; returns the outline and the first page numbered in Arabic.
    pub fn finish(mut self, typesetter: &mut Typesetter) -> Result<(Vec<Placed>, Option<usize>), Diagnostic> {
        if !self.empty() || self.cursor.is_some() {
            self.finish_page(typesetter)?;
        }
        Ok((self.outline, self.arabic_from))
    }

    /// The folio of the page being filled: Roman in the front matter, Arabic after.
    pub fn folio_text(&self) -> String {
        match self.arabic_from {
            Some(a) if self.number > a => (self.number - a).to_string(),
            _ => roman(self.number),
        }
    }

    fn finish_page(&mut self, typesetter: &mut Typesetter) -> Result<(), Diagnostic> {
        if self.folio && !self.opening && !self.page.marks.is_empty() {
            let small = SpanStyle {
                face: FaceId::REGULAR,
                size: self.g.size * 0.9,
                rise: 0.0,
                case: Case::Normal,
                hyphenate: false,
                link: 0,
            };
            let m = Measure { width: self.g.measure(), indent: 0.0, align: Alignment::Center, lang: "en".into() };
            let lines = typesetter.set(&[Span { text: self.folio_text(), style: small }], &m);
            let y = self.g.bottom * 0.5 + self.g.size * 0.3;
            let left = self.left();
            for l in &lines {
                push_line(&mut self.page, l, left, y);
            }
            // The running head, centred above the text, shortened to one line.
            let head = if self.number.is_multiple_of(2) { &self.heads.0 } else { &self.heads.1 };
            let style = match self.g.running_heads {
                style::RunningHeads::Smallcaps => Some(SpanStyle { case: Case::SmallCaps, ..small }),
                style::RunningHeads::Italic => Some(SpanStyle { face: FaceId::ITALIC, ..small }),
                style::RunningHeads::None => None,
            };
            if let (Some(style), false) = (style, head.is_empty()) {
                let line = one_line(typesetter, head, style, self.g.measure() * 0.8);
                let shift = (self.g.measure() - line.width) / 2.0;
                let y = self.g.height - self.g.top * 0.55;
                push_line(&mut self.page, &line, left + shift, y);
            }
        }
        let page =
            std::mem::replace(&mut self.page, Page { width: self.g.width, height: self.g.height, marks: Vec::new() });
        (self.emit)(page)?;
        self.number += 1;
        self.cursor = None;
        self.folio = false;
        self.opening = false;
        Ok(())
    }

    /// Start a new page (a recto when `recto`), leaving an empty page before if needed.
    fn new_page(&mut self, typesetter: &mut Typesetter, recto: bool) -> Result<(), Diagnostic> {
        if !self.empty() || self.cursor.is_some() {
            self.finish_page(typesetter)?;
        }
        if recto && self.number.is_multiple_of(2) {
            self.finish_page(typesetter)?;
        }
        Ok(())
    }

    /// Vertical space before the next line.
    fn skip(&mut self, space: f32) {
        if let Some(c) = self.cursor.as_mut() {
            *c += space;
        }
    }

    /// The baseline of line `l` placed after `cursor`, and whether it fits on the page.
    fn place(&self, cursor: Option<f32>, l: &Line, advance: f32) -> (f32, bool) {
        let next = match cursor {
            Some(c) => c + advance.max(l.ascent + l.descent),
            None => self.g.top + l.ascent.max(self.g.size * 0.8),
        };
        (next, cursor.is_none() || next + l.descent <= self.g.height - self.g.bottom)
    }

    /// How many of `lines` fit on the current page.
    fn fitting(&self, lines: &[Line], advance: f32) -> usize {
        let mut cursor = self.cursor;
        for (i, l) in lines.iter().enumerate() {
            let (next, fits) = self.place(cursor, l, advance);
            if !fits {
                return i;
            }
            cursor = Some(next);
        }
        lines.len()
    }

    /// Whether `lines` and the first two lines of the next block (after the spaces between)
    /// fit on the current page.
    fn keeps(&self, lines: &[Line], advance: f32, rest: &[Op]) -> bool {
        let mut cursor = self.cursor;
        for l in lines {
            let (next, fits) = self.place(cursor, l, advance);
            if !fits {
                return false;
            }
            cursor = Some(next);
        }
        for op in rest {
            match op {
                Op::Skip(s) => cursor = cursor.map(|c| c + s),
                Op::Lines { lines, advance, .. } => {
                    for l in lines.iter().take(2) {
                        let (next, fits) = self.place(cursor, l, *advance);
                        if !fits {
                            return false;
                        }
                        cursor = Some(next);
                    }
                    return true;
                }
                Op::Bookmark { .. } => {}
                _ => return true,
            }
        }
        true
    }

    /// Set lines at `dx` from the left margin, each `advance` below the last, breaking the
    /// page where needed without leaving an orphan (a paragraph's first line alone at the
    /// foot of a page) or a widow (its last line alone at the head of the next): a page
    /// runs a line short rather than leave one.
    fn lines(&mut self, typesetter: &mut Typesetter, lines: &[Line], dx: f32, advance: f32) -> Result<(), Diagnostic> {
        let mut rest = lines;
        while !rest.is_empty() {
            let n = rest.len();
            let k = self.fitting(rest, advance);
            let take = if k >= n {
                n
            } else {
                let fresh = self.cursor.is_none();
                let mut t = k;
                if n - t < 2 {
                    t = n.saturating_sub(2); // no widow: two lines go over
                }
                if t < 2 && !fresh {
                    t = 0; // no orphan: the block starts on the next page
                }
                // No word broken across pages: the page ends a line earlier instead.
                if t > 0 && rest[t - 1].hyphenated {
                    t = if t > 2 {
                        t - 1
                    } else if fresh {
                        t
                    } else {
                        0
                    };
                }
                if fresh {
                    t = t.clamp(1, k.max(1)); // a fresh page always takes something
                }
                t
            };
            self.set_lines(&rest[..take], dx, advance);
            rest = &rest[take..];
            if !rest.is_empty() {
                self.finish_page(typesetter)?;
            }
        }
        Ok(())
    }

    fn set_lines(&mut self, lines: &[Line], dx: f32, advance: f32) {
        for l in lines {
            let (next, _) = self.place(self.cursor, l, advance);
            let left = self.left() + dx;
            for (level, title) in self.pending.drain(..) {
                let top = self.g.height - next + l.ascent;
                self.outline.push(Placed { level, title, page: self.number - 1, top });
            }
            push_line(&mut self.page, l, left, self.g.height - next);
            self.cursor = Some(next);
            self.folio = true;
        }
    }
}

/// `text` set on one line no wider than `width`, cut at a word with an ellipsis if needed.
fn one_line(typesetter: &mut Typesetter, text: &str, style: SpanStyle, width: f32) -> Line {
    let m = Measure { width: 100_000.0, indent: 0.0, align: Alignment::Ragged, lang: "und".into() };
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let mut candidate = text.to_string();
    loop {
        let mut lines = typesetter.set(&[Span { text: candidate.clone(), style }], &m);
        let line = lines.pop().unwrap_or_default();
        if line.width <= width || words.len() <= 1 {
            return line;
        }
        words.pop();
        let kept = words.join(" ");
        candidate = format!("{}\u{a0}…", kept.trim_end_matches([',', ';', ':', '.', '–', '—', ' ']));
    }
}

/// Lower-case Roman numerals for the front matter's folios.
pub fn roman(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

fn push_line(page: &mut Page, line: &Line, left: f32, baseline: f32) {
    // A line holding cells (text joined by tabs) reads out as one row.
    let row = line.text.contains('\t');
    if row {
        page.marks.push(Mark::BeginText(line.text.clone()));
    }
    for r in &line.runs {
        page.marks.push(Mark::Glyphs {
            face: r.face,
            size: r.size,
            x: left + r.x,
            y: baseline + r.rise,
            glyphs: r.glyphs.iter().map(|g| Glyph { id: g.id, x: g.x, dy: g.dy }).collect(),
            hscale: r.hscale,
            actual_text: if row { None } else { r.actual_text.clone() },
        });
    }
    if row {
        page.marks.push(Mark::EndText);
    }
}

/// Converts model inlines to styled spans.
struct Spanner {
    mono: Option<FaceId>,
}

impl Spanner {
    fn spans(&self, inlines: &[Inline], style: SpanStyle, bold: bool, italic: bool, out: &mut Vec<Span>) {
        let face = |b: bool, i: bool| FaceId::of(b, i);
        for i in inlines {
            match i {
                Inline::Text { text } => {
                    out.push(Span { text: text.clone(), style: SpanStyle { face: face(bold, italic), ..style } })
                }
                Inline::Emphasis { content } => self.spans(content, style, bold, !italic, out),
                Inline::Strong { content } => self.spans(content, style, true, italic, out),
                Inline::Superscript { content } => {
                    let s = SpanStyle { size: style.size * 0.7, rise: style.rise + style.size * 0.35, ..style };
                    self.spans(content, s, bold, italic, out)
                }
                Inline::Subscript { content } => {
                    let s = SpanStyle { size: style.size * 0.7, rise: style.rise - style.size * 0.15, ..style };
                    self.spans(content, s, bold, italic, out)
                }
                Inline::Link { content, .. } => self.spans(content, style, bold, italic, out),
                Inline::Code { text } => out.push(Span {
                    text: text.clone(),
                    style: SpanStyle {
                        face: self.mono.unwrap_or(face(bold, italic)),
                        size: style.size * 0.9,
                        hyphenate: false,
                        ..style
                    },
                }),
                Inline::FootnoteRef { number, .. } => out.push(Span {
                    text: number.to_string(),
                    style: SpanStyle {
                        face: FaceId::REGULAR,
                        size: style.size * 0.68,
                        rise: style.rise + style.size * 0.38,
                        hyphenate: false,
                        ..style
                    },
                }),
                Inline::Image { image } => {
                    out.push(Span { text: image.alt.clone(), style: SpanStyle { face: face(bold, !italic), ..style } })
                }
                Inline::Break => out.push(Span { text: "\n".into(), style }),
            }
        }
    }
}

/// Sets the blocks of a book into lines and records what the page flow is to do with
/// them ([`Op`]). Independent of page positions, so chapters can be set in parallel and
/// replayed in order. Font problems go to `report`.
pub struct Layout<'a, 'f> {
    pub g: &'a Geometry,
    pub typesetter: Typesetter<'f>,
    pub report: Report,
    pub fallback_used: BTreeSet<(char, String)>,
    /// Outline level of the chapter being set.
    pub depth: u8,
    /// For the running heads of versos.
    pub book_title: String,
}

/// One step of the page flow.
#[derive(Debug, Clone)]
pub enum Op {
    /// Lines at `dx` from the left margin, each `advance` below the last. `keep`: they
    /// stay on the page with the first two lines of what follows (headings).
    Lines { lines: Vec<Line>, dx: f32, advance: f32, keep: bool },
    /// Vertical space before the next line.
    Skip(f32),
    /// Continue no higher than this distance from the top of the page.
    SkipTo(f32),
    /// Start a new page (a recto when asked).
    NewPage { recto: bool },
    /// The current page gets no folio (title and opening pages).
    NoFolio,
    /// An entry of the PDF's outline (bookmarks) pointing at the next line set.
    Bookmark { level: u8, title: String },
    /// From the current page on, folios are Arabic figures (the main text begins).
    Arabic,
    /// The running heads from here on.
    Heads { verso: String, recto: String },
}

/// An outline entry placed on a page.
pub use crate::pdf::write::OutlineEntry as Placed;

impl<'a, 'f> Layout<'a, 'f> {
    /// The title page: title, subtitle, editors.
    pub fn title_page(&mut self, ops: &mut Vec<Op>, book: &Book) {
        let g = self.g;
        let lang = book.meta.language.as_str();
        let title = self.text_style(FaceId::BOLD, g.size * 2.0);
        ops.push(Op::SkipTo(g.height * 0.25));
        let mut spans = vec![Span { text: book.meta.title.clone(), style: title }];
        if let Some(sub) = &book.meta.subtitle {
            spans.push(Span { text: "\n".into(), style: title });
            spans.push(Span { text: sub.clone(), style: self.text_style(FaceId::ITALIC, g.size * 1.3) });
        }
        self.block_lines(ops, &spans, lang, Alignment::Center, 0.0, 0.0, "", 0);
        if !book.meta.editors.is_empty() {
            ops.push(Op::Skip(g.leading * 2.0));
            let s = Span { text: book.meta.editors.join(", "), style: self.text_style(FaceId::REGULAR, g.size * 1.1) };
            self.block_lines(ops, &[s], lang, Alignment::Center, 0.0, 0.0, "", 0);
        }
        ops.push(Op::NoFolio);
    }

    /// A part's title page.
    pub fn part_title(&mut self, ops: &mut Vec<Op>, title: &str, lang: &str) {
        let g = self.g;
        ops.push(Op::NewPage { recto: g.recto_starts });
        ops.push(Op::SkipTo(g.height * 0.3));
        ops.push(Op::Bookmark { level: 0, title: title.to_string() });
        ops.push(Op::Arabic);
        let s = Span { text: title.to_string(), style: self.text_style(FaceId::BOLD, g.size * 1.6) };
        self.block_lines(ops, &[s], lang, Alignment::Center, 0.0, 0.0, "", 0);
        ops.push(Op::NoFolio);
    }

    fn text_style(&self, face: FaceId, size: f32) -> SpanStyle {
        SpanStyle { face, size, rise: 0.0, case: Case::Normal, hyphenate: self.g.hyphenate, link: 0 }
    }

    #[allow(clippy::too_many_arguments)]
    fn block_lines(
        &mut self,
        ops: &mut Vec<Op>,
        spans: &[Span],
        lang: &str,
        align: Alignment,
        indent: f32,
        dx: f32,
        source: &str,
        line: usize,
    ) {
        let m = Measure { width: self.g.measure() - dx, indent, align, lang: lang.to_string() };
        let lines = self.typesetter.set(spans, &m);
        self.problems(source, line);
        let size = spans.iter().map(|s| s.style.size).fold(0.0f32, f32::max).max(self.g.size);
        let advance = (self.g.leading * size / self.g.size).max(self.g.leading);
        ops.push(Op::Lines { lines, dx, advance, keep: false });
    }

    fn problems(&mut self, source: &str, line: usize) {
        for p in std::mem::take(&mut self.typesetter.problems) {
            match p {
                FontProblem::Missing(c) => self.report.push(
                    Diagnostic::error(
                        Kind::Content,
                        format!("no bundled font has the character `{c}` (U+{:04X})", c as u32),
                    )
                    .at(source, None, line, None)
                    .with_hint(
                        "replace the character, or add a font that has it to fonts/ and to the style's fallback list",
                    ),
                ),
                FontProblem::Fallback(c, f) => {
                    let file = self.typesetter.fonts().face(f).file.clone();
                    self.fallback_used.insert((c, file));
                }
            }
        }
    }

    /// A chapter; `depth` is its level in the outline (1 inside a titled part, else 0).
    pub fn chapter(&mut self, ops: &mut Vec<Op>, c: &Chapter, book_lang: &str, depth: u8) {
        let g = self.g;
        let src = c.source.to_string_lossy().into_owned();
        let lang = c.meta.language.as_str();
        ops.push(Op::NewPage { recto: g.recto_starts });
        ops.push(Op::SkipTo(g.top + g.leading * 4.0));
        ops.push(Op::Bookmark { level: depth, title: c.meta.title.clone() });
        if c.kind != ChapterKind::Introduction {
            ops.push(Op::Arabic);
        }
        ops.push(Op::NoFolio);
        ops.push(Op::Heads { verso: self.book_title.clone(), recto: c.meta.title.clone() });
        self.depth = depth;
        let title = Span { text: c.meta.title.clone(), style: self.text_style(FaceId::BOLD, g.size * 1.5) };
        let title_style = SpanStyle { hyphenate: false, ..title.style };
        self.block_lines(ops, &[Span { style: title_style, ..title }], lang, Alignment::Ragged, 0.0, 0.0, &src, 1);
        if c.kind == ChapterKind::Speech {
            let strings = locale::strings(book_lang);
            let mut by = c.meta.speakers.join(", ");
            let mut details = Vec::new();
            if let Some(d) = &c.meta.date {
                details.push(strings.date(d));
            }
            details.extend(c.meta.place.iter().cloned());
            if !details.is_empty() {
                by.push('\n');
                by.push_str(&details.join(", "));
            }
            if let Some(o) = &c.meta.occasion {
                by.push('\n');
                by.push_str(o);
            }
            ops.push(Op::Skip(g.leading * 0.5));
            let style =
                SpanStyle { case: Case::SmallCaps, hyphenate: false, ..self.text_style(FaceId::REGULAR, g.size) };
            self.block_lines(ops, &[Span { text: by, style }], lang, Alignment::Ragged, 0.0, 0.0, &src, 1);
        }
        ops.push(Op::Skip(g.leading * 2.0));
        let mut after_paragraph = false;
        for b in &c.blocks {
            after_paragraph = self.block(ops, b, lang, &src, 0.0, after_paragraph, g.size);
        }
        if !c.footnotes.is_empty() {
            ops.push(Op::Skip(g.leading * 1.5));
            let heading = Span {
                text: locale::strings(book_lang).notes.to_string(),
                style: self.text_style(FaceId::BOLD, g.size),
            };
            self.block_lines(ops, &[heading], lang, Alignment::Ragged, 0.0, 0.0, &src, 1);
            ops.push(Op::Skip(g.leading * 0.5));
            let size = g.size * 0.85;
            for n in &c.footnotes {
                for (i, b) in n.blocks.iter().enumerate() {
                    let mut spans = Vec::new();
                    if i == 0 {
                        spans.push(Span {
                            text: format!("{}\u{a0}", n.number),
                            style: self.text_style(FaceId::REGULAR, size),
                        });
                    }
                    if let BlockKind::Paragraph { content } = &b.kind {
                        self.spanner().spans(content, self.text_style(FaceId::REGULAR, size), false, false, &mut spans);
                        self.block_lines(ops, &spans, lang, g.align, 0.0, 0.0, &src, b.line);
                    } else {
                        self.block(ops, b, lang, &src, 0.0, false, size);
                    }
                }
            }
        }
        let strings = locale::strings(book_lang);
        let mut tail = Vec::new();
        if let Some(s) = &c.meta.source {
            tail.push(format!("{}: {s}", strings.source));
        }
        if !c.meta.translators.is_empty() {
            tail.push(format!("{}: {}", strings.translated_by, c.meta.translators.join(", ")));
        }
        if !tail.is_empty() {
            ops.push(Op::Skip(g.leading));
            let s = Span { text: tail.join("\n"), style: self.text_style(FaceId::ITALIC, g.size * 0.9) };
            self.block_lines(ops, &[s], book_lang, Alignment::Ragged, 0.0, 0.0, &src, 1);
        }
    }

    fn spanner(&self) -> Spanner {
        Spanner { mono: self.typesetter.fonts().monospace }
    }

    /// Set one block; returns whether it was a paragraph (the next one gets an indent).
    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        ops: &mut Vec<Op>,
        b: &Block,
        lang: &str,
        src: &str,
        dx: f32,
        after_paragraph: bool,
        size: f32,
    ) -> bool {
        let g = self.g;
        match &b.kind {
            BlockKind::Paragraph { content } => {
                let mut spans = Vec::new();
                self.spanner().spans(content, self.text_style(FaceId::REGULAR, size), false, false, &mut spans);
                let indent = if after_paragraph { g.indent } else { 0.0 };
                if !after_paragraph || g.paragraph_space > 0.0 {
                    ops.push(Op::Skip(g.paragraph_space));
                }
                self.block_lines(ops, &spans, lang, g.align, indent, dx, src, b.line);
                true
            }
            BlockKind::Heading { level, content, .. } => {
                let scale = match level {
                    1 | 2 => 1.2,
                    3 => 1.1,
                    _ => 1.0,
                };
                ops.push(Op::Skip(g.leading * 1.5));
                if *level <= 2 {
                    ops.push(Op::Bookmark { level: self.depth + 1, title: crate::document::plain_text(content) });
                }
                let mut spans = Vec::new();
                let style = SpanStyle { hyphenate: false, ..self.text_style(FaceId::BOLD, size * scale) };
                self.spanner().spans(content, style, true, false, &mut spans);
                self.block_lines(ops, &spans, lang, Alignment::Ragged, 0.0, dx, src, b.line);
                if let Some(Op::Lines { keep, .. }) = ops.last_mut() {
                    *keep = true;
                }
                ops.push(Op::Skip(g.leading * 0.5));
                false
            }
            BlockKind::Quote { blocks } => {
                ops.push(Op::Skip(g.leading * 0.5));
                let mut after = false;
                for x in blocks {
                    after = self.block(ops, x, lang, src, dx + 1.5 * g.size, after, size * 0.92);
                }
                ops.push(Op::Skip(g.leading * 0.5));
                false
            }
            BlockKind::List { start, items, .. } => {
                ops.push(Op::Skip(g.leading * 0.3));
                let hang = 1.6 * size;
                for (i, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(n) => format!("{}.", n + i as u64),
                        None => "•".to_string(),
                    };
                    // The marker hangs in the indent, right-aligned against the item's text.
                    let mstyle = self.text_style(FaceId::REGULAR, size);
                    let m = Measure {
                        width: hang - 0.4 * size,
                        indent: 0.0,
                        align: Alignment::Ragged,
                        lang: lang.to_string(),
                    };
                    let marker_lines = self.typesetter.set(&[Span { text: marker, style: mstyle }], &m);
                    let mut item_ops = Vec::new();
                    let mut after = false;
                    for x in item {
                        after = self.block(&mut item_ops, x, lang, src, dx + hang, after, size);
                    }
                    // The marker joins the item's first line, so it moves with it.
                    let first = item_ops.iter_mut().find_map(|o| match o {
                        Op::Lines { lines, .. } => lines.first_mut(),
                        _ => None,
                    });
                    if let (Some(first), Some(l)) = (first, marker_lines.first()) {
                        let shift = hang - 0.4 * size - l.width;
                        for r in l.runs.iter().rev() {
                            let mut r = r.clone();
                            r.x += shift - hang;
                            first.runs.insert(0, r);
                        }
                    }
                    ops.extend(item_ops);
                }
                ops.push(Op::Skip(g.leading * 0.3));
                false
            }
            BlockKind::Rule => {
                ops.push(Op::Skip(g.leading * 0.5));
                let s = Span { text: "*\u{2003}*\u{2003}*".into(), style: self.text_style(FaceId::REGULAR, size) };
                self.block_lines(ops, &[s], lang, Alignment::Center, 0.0, dx, src, b.line);
                ops.push(Op::Skip(g.leading * 0.5));
                false
            }
            BlockKind::Code { text, .. } => {
                ops.push(Op::Skip(g.leading * 0.5));
                let face = self.typesetter.fonts().monospace.unwrap_or(FaceId::REGULAR);
                let style = SpanStyle { hyphenate: false, ..self.text_style(face, size * 0.85) };
                let body = text.trim_end_matches('\n').replace(' ', "\u{a0}");
                self.block_lines(ops, &[Span { text: body, style }], lang, Alignment::Ragged, 0.0, dx, src, b.line);
                ops.push(Op::Skip(g.leading * 0.5));
                false
            }
            BlockKind::Image { image } => {
                ops.push(Op::Skip(g.leading * 0.5));
                let mut text = image.alt.clone();
                if let Some(t) = &image.title {
                    text.push_str(": ");
                    text.push_str(t);
                }
                let s = Span { text, style: self.text_style(FaceId::ITALIC, size * 0.9) };
                self.block_lines(ops, &[s], lang, Alignment::Center, 0.0, dx, src, b.line);
                ops.push(Op::Skip(g.leading * 0.5));
                false
            }
            BlockKind::Table { head, rows, align } => {
                ops.push(Op::Skip(g.leading * 0.5));
                let cols = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
                let tsize = size * 0.9;
                let gap = 1.2 * tsize;
                let avail = g.measure() - dx;
                let all: Vec<&Vec<Vec<Inline>>> =
                    std::iter::once(head).chain(rows.iter()).filter(|r| !r.is_empty()).collect();
                let spans_of = |this: &Self, cell: &[Inline], header: bool| {
                    let mut spans = Vec::new();
                    let face = if header { FaceId::BOLD } else { FaceId::REGULAR };
                    this.spanner().spans(
                        cell,
                        SpanStyle { hyphenate: false, ..this.text_style(face, tsize) },
                        header,
                        false,
                        &mut spans,
                    );
                    spans
                };
                // Column widths from the content: each column as wide as its widest cell
                // set on one line; when that does not fit, the columns share the measure
                // in proportion and their cells wrap.
                let mut natural = vec![0.0f32; cols];
                for (ri, row) in all.iter().enumerate() {
                    for (ci, cell) in row.iter().enumerate() {
                        let spans = spans_of(self, cell, ri == 0 && !head.is_empty());
                        let m =
                            Measure { width: 10_000.0, indent: 0.0, align: Alignment::Ragged, lang: lang.to_string() };
                        let w = self.typesetter.set(&spans, &m).iter().map(|l| l.width).fold(0.0, f32::max);
                        natural[ci] = natural[ci].max(w);
                    }
                }
                self.problems(src, b.line);
                let total: f32 = natural.iter().sum::<f32>() + gap * (cols as f32 - 1.0);
                let widths: Vec<f32> = if total <= avail {
                    natural.clone()
                } else {
                    let room = (avail - gap * (cols as f32 - 1.0)).max(cols as f32 * 2.0 * tsize);
                    let sum: f32 = natural.iter().sum::<f32>().max(1.0);
                    natural.iter().map(|w| (w / sum * room).max(2.0 * tsize)).collect()
                };
                let lefts: Vec<f32> = widths
                    .iter()
                    .scan(0.0, |x, w| {
                        let l = *x;
                        *x += w + gap;
                        Some(l)
                    })
                    .collect();
                for (ri, row) in all.iter().enumerate() {
                    let mut cells = Vec::new();
                    for (ci, cell) in row.iter().enumerate() {
                        let spans = spans_of(self, cell, ri == 0 && !head.is_empty());
                        let m = Measure {
                            width: widths[ci],
                            indent: 0.0,
                            align: Alignment::Ragged,
                            lang: lang.to_string(),
                        };
                        cells.push(self.typesetter.set(&spans, &m));
                    }
                    self.problems(src, b.line);
                    // A row is set line by line across its cells.
                    let depth = cells.iter().map(Vec::len).max().unwrap_or(0);
                    for li in 0..depth {
                        let mut merged = Line::default();
                        let mut texts = Vec::new();
                        for (ci, c) in cells.iter().enumerate() {
                            if let Some(l) = c.get(li) {
                                let shift = match align.get(ci) {
                                    Some(crate::document::Align::Right) => widths[ci] - l.width,
                                    Some(crate::document::Align::Center) => (widths[ci] - l.width) / 2.0,
                                    _ => 0.0,
                                };
                                for r in &l.runs {
                                    let mut r = r.clone();
                                    r.x += lefts[ci] + shift.max(0.0);
                                    merged.runs.push(r);
                                }
                                merged.ascent = merged.ascent.max(l.ascent);
                                merged.descent = merged.descent.max(l.descent);
                                texts.push(l.text.as_str());
                            } else {
                                texts.push("");
                            }
                        }
                        merged.text = texts.join("\t");
                        ops.push(Op::Lines { lines: vec![merged], dx, advance: g.leading * 0.95, keep: false });
                    }
                    if ri == 0 && !head.is_empty() {
                        ops.push(Op::Skip(g.leading * 0.2));
                    }
                }
                ops.push(Op::Skip(g.leading * 0.5));
                false
            }
        }
    }
}
