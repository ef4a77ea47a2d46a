//! Blocks to pages: every block of the model set in the style's measure and stacked on
//! pages with mirrored margins and folios. Pages are handed out one by one as they are
//! filled, so the writer can put them into the file at once.

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::pages::{Doc, Spot};
use crate::document::{locale, BlockKind, Book, Chapter, ChapterKind, Inline};
use crate::images::PdfImage;
use crate::lang::Lang;
use crate::pdf::font::{Case, FaceId};
use crate::pdf::length::Pt;
use crate::pdf::text::paragraph::{
    Alignment, FontProblem, Line, LineRun, Measure, Prepared, Span, SpanStyle, Tuning, Typesetter, Variant,
};
use crate::pdf::write::{Elem, Glyph, Mark, Page, Role};
use crate::style::{self, Style};
use std::collections::BTreeSet;
use std::sync::Arc;

mod blocks;
mod flow;

use blocks::At;

#[cfg(test)]
pub(crate) use flow::Memory;
pub(crate) use flow::{folio_text, Added, Between, Count, Flow, PageSink, Reached};

/// Sizes derived from the style: the page, its margins, the text's size, leading and
/// indents as lengths; `[sizes]` and `[spacing]` as factors of them.
#[derive(Debug, Clone)]
pub(crate) struct Geometry {
    pub(crate) width: Pt,
    pub(crate) height: Pt,
    pub(crate) inner: Pt,
    pub(crate) outer: Pt,
    pub(crate) top: Pt,
    pub(crate) bottom: Pt,
    pub(crate) size: Pt,
    pub(crate) leading: Pt,
    pub(crate) indent: Pt,
    pub(crate) paragraph_space: Pt,
    pub(crate) align: Alignment,
    pub(crate) hyphenate: bool,
    pub(crate) recto_starts: bool,
    pub(crate) running_heads: style::RunningHeads,
    /// Body lines sit on a grid of `leading` from the first line of the page.
    pub(crate) grid: bool,
    /// Note numbers and list numbers in each speech's own figures.
    pub(crate) native_digits: bool,
    /// Type sizes of the elements, as multiples of the text size (`[sizes]`).
    pub(crate) scale: Scale,
    /// Spaces in lines of the leading, indents in em (`[spacing]`).
    pub(crate) space: Space,
    /// How lines are justified, and how far paragraphs may run a line longer or shorter
    /// (`[justification]`).
    pub(crate) tuning: Tuning,
}

/// The style's `[sizes]`, as factors of the text size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub(crate) title: f32,
    pub(crate) heading: f32,
    pub(crate) subheading: f32,
    pub(crate) quote: f32,
    pub(crate) note: f32,
    pub(crate) code: f32,
    pub(crate) table: f32,
    pub(crate) caption: f32,
    pub(crate) folio: f32,
}

/// The style's `[spacing]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Space {
    pub(crate) before_heading: f32,
    pub(crate) after_heading: f32,
    pub(crate) around_blocks: f32,
    pub(crate) around_lists: f32,
    pub(crate) note_leading: f32,
    pub(crate) note_rule: f32,
    pub(crate) quote_indent: f32,
    pub(crate) list_indent: f32,
}

impl Scale {
    fn of(s: &style::Sizes) -> Scale {
        let f = |v: f64| v as f32;
        Scale {
            title: f(s.title),
            heading: f(s.heading),
            subheading: f(s.subheading),
            quote: f(s.quote),
            note: f(s.note),
            code: f(s.code),
            table: f(s.table),
            caption: f(s.caption),
            folio: f(s.folio),
        }
    }
}

impl Space {
    fn of(s: &style::Spacing) -> Space {
        let f = |v: f64| v as f32;
        Space {
            before_heading: f(s.before_heading),
            after_heading: f(s.after_heading),
            around_blocks: f(s.around_blocks),
            around_lists: f(s.around_lists),
            note_leading: f(s.note_leading),
            note_rule: f(s.note_rule),
            quote_indent: f(s.quote_indent),
            list_indent: f(s.list_indent),
        }
    }
}

impl Geometry {
    pub(crate) fn of(style: &Style) -> Result<Geometry, Diagnostic> {
        let (width, height) = style.page.dimensions().map_err(|e| {
            Diagnostic::error(Kind::Value, e).at_file(&style.source).with_hint("see styles/default.toml")
        })?;
        let size = style.text.size.absolute_pt().unwrap_or(10.0) as f32;
        let pt = |l: &style::Length| Pt::new(l.to_pt(size as f64) as f32);
        Ok(Geometry {
            width: Pt::new(width as f32),
            height: Pt::new(height as f32),
            inner: pt(&style.page.inner),
            outer: pt(&style.page.outer),
            top: pt(&style.page.top),
            bottom: pt(&style.page.bottom),
            size: Pt::new(size),
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
            grid: style.layout.baseline_grid,
            native_digits: style.text.digits == style::Digits::Native,
            scale: Scale::of(&style.sizes),
            space: Space::of(&style.spacing),
            tuning: Tuning::of(&style.justification),
        })
    }

    /// The width of the text block.
    pub(crate) fn measure(&self) -> Pt {
        self.width - self.inner - self.outer
    }

    /// A page of the book's size with nothing on it.
    pub(crate) fn blank_page(&self) -> Page {
        Page { width: self.width, height: self.height, ..Page::default() }
    }

    /// The distance from one footnote line to the next.
    pub(crate) fn note_advance(&self) -> Pt {
        self.leading * self.space.note_leading
    }

    /// The height of a footnote area of `lines` lines, with the space and rule above it.
    pub(crate) fn foot_height(&self, lines: usize) -> Pt {
        if lines == 0 {
            Pt::ZERO
        } else {
            self.leading + lines as f32 * self.note_advance()
        }
    }

    /// `y` (from the top of the page) moved down to the next line of the baseline grid.
    pub(crate) fn snap(&self, y: Pt) -> Pt {
        let origin = self.top + self.size * 0.8;
        if y <= origin {
            return origin;
        }
        origin + ((y - origin) / self.leading - 0.01).ceil() * self.leading
    }
}

/// Lower-case Roman numerals for the front matter's folios.
pub(crate) fn roman(mut n: usize) -> String {
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

/// Draw `line` with its left edge at `left` and its baseline at `baseline` (from the top
/// of the page), keeping the line (folios, notes and captions that may be drawn again).
/// Here set lines leave the text engine, whose measures are bare `f32` points, for the
/// page, where they are [`Pt`].
pub(crate) fn push_line(marks: &mut Vec<Mark>, line: &Line, left: Pt, baseline: Pt) {
    move_line(marks, &mut line.clone(), left, baseline);
}

/// Draw `line` as [`push_line`] does, moving its glyphs into the marks (a line set once).
pub(crate) fn move_line(marks: &mut Vec<Mark>, line: &mut Line, left: Pt, baseline: Pt) {
    // A line holding cells (text joined by tabs) reads out as one row.
    let row = line.text.contains('\t');
    if row {
        marks.push(Mark::Begin { actual_text: Some(line.text.clone()), lang: None });
    }
    for r in &mut line.runs {
        marks.push(take_run(r, left, baseline, row));
    }
    if row {
        marks.push(Mark::End);
    }
}

/// The mark of run `r` of a line at `left` on `baseline`, its glyphs moved out; in a row of
/// cells (`row`) the row's own text stands for the runs'.
pub(crate) fn take_run(r: &mut LineRun, left: Pt, baseline: Pt, row: bool) -> Mark {
    Mark::Glyphs {
        face: r.face,
        size: r.size,
        x: left + Pt::new(r.x),
        y: baseline,
        rise: Pt::new(r.rise),
        glyphs: std::mem::take(&mut r.glyphs),
        hscale: r.hscale,
        actual_text: if row { None } else { r.actual_text.take() },
    }
}

/// The zero of the figures a language writes numbers in: Arabic-Indic in Arabic,
/// Eastern Arabic-Indic in Persian, Urdu, Pashto and Sindhi, else the Latin zero.
pub(crate) fn native_zero(lang: &Lang) -> char {
    match lang.language() {
        "ar" | "ckb" => '\u{0660}',
        "fa" | "ur" | "ps" | "sd" | "prs" => '\u{06F0}',
        _ => '0',
    }
}

/// `n` in the figures whose zero is `zero` (which must be followed by one to nine).
pub(crate) fn figures(n: u64, zero: char) -> String {
    let plain = n.to_string();
    if zero == '0' {
        return plain;
    }
    plain.chars().map(|d| char::from_u32(zero as u32 + (d as u32 - '0' as u32)).unwrap_or(d)).collect()
}

/// Move every run of `lines` right by `dx`.
fn shift_runs(lines: &mut [Line], dx: f32) {
    for r in lines.iter_mut().flat_map(|l| l.runs.iter_mut()) {
        r.x += dx;
    }
}

/// Converts model inlines to styled spans, numbering the links it meets in `targets`.
struct Spanner<'t, 'f> {
    mono: Option<FaceId>,
    targets: &'t mut Vec<LinkTarget>,
    /// The zero of the figures of note numbers.
    zero: char,
    /// Numbers the languages of spans ([`SpanStyle::lang`]).
    typesetter: &'t mut Typesetter<'f>,
    /// The language of the paragraphs being set (a span in it needs no number).
    lang: &'t Lang,
}

impl Spanner<'_, '_> {
    fn link(&mut self, target: LinkTarget) -> u32 {
        if let Some(i) = self.targets.iter().position(|t| *t == target) {
            return i as u32 + 1;
        }
        self.targets.push(target);
        self.targets.len() as u32
    }

    fn spans(&mut self, inlines: &[Inline], style: SpanStyle, bold: bool, italic: bool, out: &mut Vec<Span>) {
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
                Inline::Link { content, url, .. } => {
                    // A link inside the book (`#…`) names an anchor, whose page is known
                    // only when it is placed: a named destination.
                    let target = match url.strip_prefix('#') {
                        Some(a) => LinkTarget::Anchor(a.to_string()),
                        None => LinkTarget::Uri(url.clone()),
                    };
                    let style = if url.is_empty() { style } else { SpanStyle { link: self.link(target), ..style } };
                    self.spans(content, style, bold, italic, out)
                }
                Inline::Code { text } => out.push(Span {
                    text: text.clone(),
                    style: SpanStyle {
                        face: self.mono.unwrap_or(face(bold, italic)),
                        size: style.size * 0.9,
                        hyphenate: false,
                        ..style
                    },
                }),
                Inline::FootnoteRef { number, .. } => {
                    let link = self.link(LinkTarget::Note(*number));
                    out.push(Span {
                        text: figures(*number as u64, self.zero),
                        style: SpanStyle {
                            face: FaceId::REGULAR,
                            size: style.size * 0.68,
                            rise: style.rise + style.size * 0.38,
                            hyphenate: false,
                            link,
                            ..style
                        },
                    })
                }
                Inline::Image { image } => {
                    out.push(Span { text: image.alt.clone(), style: SpanStyle { face: face(bold, !italic), ..style } })
                }
                Inline::Break => out.push(Span { text: "\n".into(), style }),
                Inline::Lang { lang, content, .. } => {
                    // Hyphenated and shaped in its language; the direction of its letters
                    // is their own (UAX #9), whatever `dir` the EPUB is given.
                    let n = if lang == self.lang { 0 } else { self.typesetter.span_lang(lang) };
                    self.spans(content, SpanStyle { lang: n, ..style }, bold, italic, out)
                }
            }
        }
    }
}

/// Sets the blocks of a book into lines and records what the page flow is to do with
/// them ([`Op`]). Independent of page positions, so chapters can be set in parallel and
/// replayed in order. Font problems go to `report`.
pub(crate) struct Layout<'a, 'f> {
    pub(crate) g: &'a Geometry,
    pub(crate) typesetter: Typesetter<'f>,
    pub(crate) report: Report,
    pub(crate) fallback_used: BTreeSet<(char, String)>,
    /// Outline level of the chapter being set.
    pub(crate) depth: u8,
    /// For the running heads of versos.
    pub(crate) book_title: String,
    /// The link targets of the unit being set; a span's `link` n is `targets[n - 1]`.
    pub(crate) targets: Vec<LinkTarget>,
    /// Images read so far, by file: each is read once per worker.
    pub(crate) images: std::collections::HashMap<std::path::PathBuf, Result<Arc<PdfImage>, String>>,
    /// The zero of the figures for note and list numbers in the chapter being set.
    zero: char,
    /// The document being set, and the number of its last block begun (see [`Spot`]).
    pub(crate) doc: Doc,
    block_no: u32,
    /// The last number given to a structure element (tagged PDF), see [`Op::Open`].
    tag: u32,
    /// The level of the last heading of the chapter being set, so that levels never skip.
    last_heading: u8,
    /// The language of the chapter being set.
    lang: Lang,
}

/// Where a link of the text leads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LinkTarget {
    Uri(String),
    /// A chapter's or heading's anchor (a named destination).
    Anchor(String),
    /// A footnote of the unit, by number.
    Note(u32),
    /// A page (0-based index) and the height the view opens at.
    Page {
        index: usize,
        top: Pt,
    },
}

/// A line of a footnote, its indent, and the paragraph of the note it is in (from 0).
pub(crate) type NoteLine = (Line, Pt, u32);

/// A paragraph set a line longer or shorter ([`Typesetter::variants`]): set only when the
/// page flow first needs them, where a page would end short (most paragraphs never are).
#[derive(Debug, Clone, Default)]
pub(crate) enum Variants {
    /// Not to be set (lines not of a justified body paragraph, or one of a line).
    #[default]
    None,
    /// The paragraph as it was set, to set them from.
    Later(Box<Prepared>),
    /// Set (possibly none within the tolerance).
    Set(Vec<Variant>),
}

impl Variants {
    /// The variants, set now if they were not yet.
    pub(crate) fn get(&mut self, typesetter: &mut Typesetter, tuning: &Tuning) -> &[Variant] {
        if let Variants::Later(p) = self {
            // The flow's typesetter sets them with the style's tuning, and leaves no font
            // problems behind: the paragraph's own setting reported them.
            let own = std::mem::replace(&mut typesetter.tuning, tuning.clone());
            let problems = typesetter.problems.len();
            let set = typesetter.variants_of(p);
            typesetter.problems.truncate(problems);
            typesetter.tuning = own;
            *self = Variants::Set(set);
        }
        match self {
            Variants::Set(v) => v,
            _ => &[],
        }
    }

    /// The variants set so far.
    pub(crate) fn set(&self) -> &[Variant] {
        match self {
            Variants::Set(v) => v,
            _ => &[],
        }
    }
}

/// One step of the page flow.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// Lines at `dx` from the left margin, each `advance` below the last. `keep`: they
    /// stay on the page with the first two lines of what follows (headings). `variants`:
    /// the same paragraph set a line longer or shorter, which the flow may take instead
    /// to fill a page.
    Lines { lines: Vec<Line>, dx: Pt, advance: Pt, keep: bool, variants: Variants },
    /// Vertical space before the next line.
    Skip(Pt),
    /// The space before a heading, which the flow may set as one of `variants` instead
    /// (a line of the grid less or more under the heading) to fill a page.
    HeadingSpace { space: Pt, variants: [Pt; 2] },
    /// Continue no higher than this distance from the top of the page.
    SkipTo(Pt),
    /// Start a new page (a recto when asked).
    NewPage { recto: bool },
    /// The current page gets no folio (title and opening pages).
    NoFolio,
    /// An entry of the PDF's outline (bookmarks) pointing at the next line set; `contents`:
    /// the start of a unit the contents list.
    Bookmark { level: u8, title: String, contents: bool },
    /// From the current page on, folios are Arabic figures (the main text begins).
    Arabic,
    /// The running heads from here on.
    Heads { verso: String, recto: String },
    /// The link targets of the unit's lines (see [`SpanStyle::link`]).
    Targets(Vec<LinkTarget>),
    /// The anchor of a chapter or heading, at the next line set (links inside the book).
    Anchor(String),
    /// A footnote, set, to be placed on the page of its first call.
    Note { number: u32, lines: Vec<NoteLine> },
    /// The unit ends: notes never called are placed.
    EndUnit,
    /// The language of what follows, when it is not the book's.
    Lang(Option<String>),
    /// The languages of spans in the unit's lines: a run's `lang` n is entry n - 1 (the
    /// layout worker's numbers, which the unit's operations carry with them).
    SpanLangs(Vec<String>),
    /// A figure: an image `width` × `height` points at `dx` from the left margin, and its
    /// caption lines (at `caption_dx`, `advance` apart) under it. Where it does not fit,
    /// the text goes on and the figure heads the next page.
    Figure(Figure),
    /// A horizontal rule `width` long at `dx`, `below` the current baseline (tables).
    Rule { dx: Pt, width: Pt, below: Pt },
    /// A page filled by an image, its `bleed` cut off: the cover.
    Cover { key: String, image: Arc<PdfImage>, bleed: Pt, alt: String },
    /// Leave this many pages free, to be written later (the contents).
    Reserve(usize),
    /// The lines that follow come from this place of the book (their own words counted
    /// from its word): where a page starting with them begins in the EPUB.
    At(Spot),
    /// Tagged PDF: open the structure element numbered `id` (numbers are the worker's,
    /// the flow gives each a key of the book) as the last child of the element open. When
    /// `current`, what follows is set in it; else only runs tagged with `id` are (a list
    /// item's label, a table's cells).
    Open { id: u32, elem: Elem, current: bool },
    /// Close structure element `id`.
    Close(u32),
    /// The element `id` is the section reserved with the contents' pages (`Reserve`).
    OpenReserved(u32),
    /// A part of the book ends (a chapter outside parts follows).
    EndPart,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figure {
    pub(crate) key: String,
    pub(crate) image: Arc<PdfImage>,
    pub(crate) width: Pt,
    pub(crate) height: Pt,
    pub(crate) dx: Pt,
    pub(crate) caption: Vec<Line>,
    pub(crate) caption_dx: Pt,
    pub(crate) advance: Pt,
    /// Its block, where a page it heads begins.
    pub(crate) at: Spot,
    /// Its alternative text (the Markdown alt text).
    pub(crate) alt: String,
    /// The key of the structure element it goes into, set by the flow.
    pub(crate) home: u32,
}

/// An outline entry placed on a page.
pub(crate) use crate::pdf::write::OutlineEntry as Placed;

/// An entry of the contents: a part (`level` 0) or a chapter, with who spoke it.
#[derive(Debug, Clone)]
pub(crate) struct ContentsEntry {
    pub(crate) level: u8,
    pub(crate) title: String,
    pub(crate) byline: Option<String>,
    /// The folio shown and the link target.
    pub(crate) folio: String,
    pub(crate) page: usize,
    pub(crate) top: Pt,
}

impl<'a, 'f> Layout<'a, 'f> {
    pub(crate) fn new(g: &'a Geometry, mut typesetter: Typesetter<'f>, book_title: &str) -> Self {
        typesetter.tuning = g.tuning.clone();
        Layout {
            g,
            typesetter,
            report: Report::default(),
            fallback_used: BTreeSet::new(),
            depth: 0,
            book_title: book_title.to_string(),
            targets: Vec::new(),
            images: Default::default(),
            zero: '0',
            doc: Doc::Title,
            block_no: 0,
            tag: 0,
            last_heading: 0,
            lang: Lang::default(),
        }
    }

    /// Open structure element `elem`; what follows is set in it. Returns its number.
    pub(crate) fn open(&mut self, ops: &mut Vec<Op>, elem: Elem) -> u32 {
        self.tag += 1;
        ops.push(Op::Open { id: self.tag, elem, current: true });
        self.tag
    }

    /// Open structure element `elem` for runs tagged with the number returned.
    pub(crate) fn open_aside(&mut self, ops: &mut Vec<Op>, elem: Elem) -> u32 {
        self.tag += 1;
        ops.push(Op::Open { id: self.tag, elem, current: false });
        self.tag
    }

    /// The cover as the first page, and the inside of the cover left blank, so that the
    /// book's first page is a recto as in print.
    pub(crate) fn cover(&mut self, ops: &mut Vec<Op>, book: &Book, bleed: Pt) {
        let Some(asset) = &book.meta.cover else { return };
        match self.image(&asset.path) {
            Ok(image) => {
                let key = asset.path.to_string_lossy().into_owned();
                let alt = format!("{}: {}", locale::strings(&book.meta.language).cover, book.meta.title);
                ops.push(Op::Cover { key, image, bleed, alt });
                ops.push(Op::NewPage { recto: false });
                ops.push(Op::NoFolio);
            }
            Err(why) => self.report.push(
                Diagnostic::error(
                    Kind::Value,
                    format!("the cover `{}` cannot be placed in the PDF: {why}", asset.shown.display()),
                )
                .with_hint("save the cover as a JPEG or PNG file"),
            ),
        }
    }

    fn image(&mut self, path: &std::path::Path) -> Result<Arc<PdfImage>, String> {
        self.images.entry(path.to_path_buf()).or_insert_with(|| PdfImage::load(path).map(Arc::new)).clone()
    }

    /// The half-title: the book's title alone, and a blank verso.
    pub(crate) fn half_title(&mut self, ops: &mut Vec<Op>, book: &Book) {
        let g = self.g;
        ops.push(Op::NewPage { recto: true });
        ops.push(Op::At(Spot::start(Doc::Title)));
        ops.push(Op::SkipTo(g.height * 0.28));
        let style =
            SpanStyle { case: Case::SmallCaps, hyphenate: false, ..self.text_style(FaceId::REGULAR, g.size * 1.3) };
        let s = Span { text: book.meta.title.clone(), style };
        let p = self.open(ops, Elem::of(Role::P));
        self.block_lines(ops, &[s], &book.meta.language, Alignment::Center, Pt::ZERO, Pt::ZERO, "", 0);
        ops.push(Op::Close(p));
        ops.push(Op::NoFolio);
    }

    /// The title page: title, subtitle, editors, and the publisher at the foot; on its
    /// verso the copyright page.
    pub(crate) fn title_page(&mut self, ops: &mut Vec<Op>, book: &Book, fonts: &[String]) {
        let g = self.g;
        let m = &book.meta;
        let lang = &m.language;
        let strings = locale::strings(lang);
        ops.push(Op::NewPage { recto: true });
        ops.push(Op::NoFolio);
        ops.push(Op::At(Spot::start(Doc::Title)));
        let title = SpanStyle { hyphenate: false, ..self.text_style(FaceId::BOLD, g.size * 2.0) };
        ops.push(Op::SkipTo(g.height * 0.25));
        let sect = self.open(ops, Elem::of(Role::Sect));
        let h = self.open(ops, Elem::of(Role::H(1)));
        let mut spans = vec![Span { text: m.title.clone(), style: title }];
        if let Some(sub) = &m.subtitle {
            spans.push(Span { text: "\n".into(), style: title });
            let style = SpanStyle { hyphenate: false, ..self.text_style(FaceId::ITALIC, g.size * 1.3) };
            spans.push(Span { text: sub.clone(), style });
        }
        self.block_lines(ops, &spans, lang, Alignment::Center, Pt::ZERO, Pt::ZERO, "", 0);
        ops.push(Op::Close(h));
        if !m.editors.is_empty() {
            ops.push(Op::Skip(g.leading * 2.5));
            let text = format!("{}\n{}", strings.edited_by, strings.list(&m.editors));
            let s = Span { text, style: self.text_style(FaceId::REGULAR, g.size * 1.1) };
            let p = self.open(ops, Elem::of(Role::P));
            self.block_lines(ops, &[s], lang, Alignment::Center, Pt::ZERO, Pt::ZERO, "", 0);
            ops.push(Op::Close(p));
        }
        if let Some(p) = &m.publisher {
            let style = SpanStyle { case: Case::SmallCaps, ..self.text_style(FaceId::REGULAR, g.size) };
            let lines = self.set_plain(&[Span { text: p.clone(), style }], lang, Alignment::Center);
            let height = lines.len() as f32 * g.leading;
            // A line above the foot of the text area, whichever grid line that falls on.
            ops.push(Op::SkipTo(g.height - g.bottom - height - 2.0 * g.leading));
            let p = self.open(ops, Elem::of(Role::P));
            ops.push(Op::Lines { lines, dx: Pt::ZERO, advance: g.leading, keep: false, variants: Variants::None });
            ops.push(Op::Close(p));
        }
        ops.push(Op::Close(sect));
        // The copyright page, set at the foot of the verso.
        ops.push(Op::NewPage { recto: false });
        ops.push(Op::NoFolio);
        ops.push(Op::At(Spot::start(Doc::Copyright)));
        let mut paras = Vec::new();
        let mut full = m.title.clone();
        if let Some(s) = &m.subtitle {
            full.push_str(&format!(". {s}"));
        }
        paras.push(full);
        if !m.editors.is_empty() {
            paras.push(format!("{} {}", strings.edited_by, strings.list(&m.editors)));
        }
        let imprint: Vec<String> =
            [m.publisher.clone(), m.date.as_ref().map(|d| strings.date(d))].into_iter().flatten().collect();
        if !imprint.is_empty() {
            paras.push(imprint.join(", "));
        }
        if let Some(r) = &m.rights {
            paras.push(r.clone());
        }
        if let Some(isbn) = m.isbn_shown.as_ref().or(m.isbn.as_ref()) {
            paras.push(format!("ISBN {isbn}"));
        }
        if m.isbn.as_ref().map(|i| format!("urn:isbn:{i}")).as_ref() != Some(&m.identifier) {
            paras.push(format!("{}: {}", strings.identifier, m.identifier));
        }
        if !fonts.is_empty() {
            paras.push(format!("{}: {} (SIL Open Font License 1.1).", strings.fonts, fonts.join(", ")));
        }
        paras.push(strings.made_with.replace("{}", &format!("Tribune {}", env!("CARGO_PKG_VERSION"))));
        let style = SpanStyle { hyphenate: false, ..self.text_style(FaceId::REGULAR, g.size * 0.85) };
        let advance = g.leading * 0.85;
        let mut blocks = Vec::new();
        let mut height = -advance * 0.5;
        for p in paras {
            let lines = self.set_plain(&[Span { text: p, style }], lang, Alignment::Ragged);
            height += lines.len() as f32 * advance + advance * 0.5;
            blocks.push(lines);
        }
        ops.push(Op::SkipTo(g.height - g.bottom - height - advance));
        let sect = self.open(ops, Elem::of(Role::Sect));
        for lines in blocks {
            let p = self.open(ops, Elem::of(Role::P));
            ops.push(Op::Lines { lines, dx: Pt::ZERO, advance, keep: false, variants: Variants::None });
            ops.push(Op::Close(p));
            ops.push(Op::Skip(advance * 0.5));
        }
        ops.push(Op::Close(sect));
    }

    /// Lines without a page position (for blocks placed by their height).
    fn set_plain(&mut self, spans: &[Span], lang: &Lang, align: Alignment) -> Vec<Line> {
        let m = Measure { width: self.g.measure().get(), indent: 0.0, align, lang: lang.clone() };
        let lines = self.typesetter.set(spans, &m);
        self.problems("", 0);
        lines
    }

    /// The contents: a heading, then each part and chapter with a dotted leader to its
    /// folio, the whole entry a link to where it starts. The titles are set narrower than
    /// the measure by the width the folios take, so the folios do not change how the
    /// entries break (the pages are counted before the folios are known).
    pub(crate) fn contents(&mut self, ops: &mut Vec<Op>, lang: &Lang, entries: &[ContentsEntry]) {
        let g = self.g;
        let strings = locale::strings(lang);
        ops.push(Op::NoFolio);
        ops.push(Op::Heads { verso: strings.contents.to_string(), recto: strings.contents.to_string() });
        ops.push(Op::Bookmark { level: 0, title: strings.contents.to_string(), contents: false });
        ops.push(Op::SkipTo(g.top + g.leading * 4.0));
        ops.push(Op::At(Spot::start(Doc::Contents)));
        // The section of the contents was opened where their pages were reserved.
        self.tag += 1;
        let sect = self.tag;
        ops.push(Op::OpenReserved(sect));
        let heading = Span { text: strings.contents.to_string(), style: self.text_style(FaceId::BOLD, g.size * 1.5) };
        let h = self.open(ops, Elem::of(Role::H(1)));
        self.block_lines(ops, &[heading], lang, Alignment::Ragged, Pt::ZERO, Pt::ZERO, "", 0);
        ops.push(Op::Close(h));
        let toc = self.open(ops, Elem::of(Role::Toc));
        ops.push(Op::Skip(g.leading * 1.5));
        self.targets.clear();
        let folio_room = g.size * 3.0;
        let rtl = lang.is_rtl();
        let size = g.size.get();
        let dot = self.typesetter.set(
            &[Span { text: ".".into(), style: self.text_style(FaceId::REGULAR, g.size) }],
            &Measure { width: 1000.0, indent: 0.0, align: Alignment::Ragged, lang: lang.clone() },
        );
        let dot = dot.first().and_then(|l| l.runs.first()).cloned();
        for (n, e) in entries.iter().enumerate() {
            ops.push(Op::At(Spot { doc: Doc::Contents, block: n as u32 + 1, word: 0 }));
            let link = {
                self.targets.push(LinkTarget::Page { index: e.page, top: e.top });
                self.targets.len() as u32
            };
            // Parts in small capitals, chapters in the text's face.
            let case = if e.level == 0 { Case::SmallCaps } else { Case::Normal };
            let style = SpanStyle { case, link, hyphenate: false, ..self.text_style(FaceId::REGULAR, g.size) };
            if e.level == 0 {
                ops.push(Op::Skip(g.leading * 0.6));
            }
            let m = Measure {
                width: (g.measure() - folio_room).get(),
                indent: 0.0,
                align: Alignment::Ragged,
                lang: lang.clone(),
            };
            let mut lines = self.typesetter.set(&[Span { text: e.title.clone(), style }], &m);
            // Folios are figures, set left to right in any book.
            let folio_lang = if rtl { Lang::default() } else { lang.clone() };
            let folio = self.typesetter.set(
                &[Span { text: e.folio.clone(), style: SpanStyle { case: Case::Normal, ..style } }],
                &Measure { width: 1000.0, indent: 0.0, align: Alignment::Ragged, lang: folio_lang.clone() },
            );
            if rtl {
                // Right to left: the title flush right, the folio at the left.
                shift_runs(&mut lines, folio_room.get());
            }
            // The entry's line is put together in the text engine's measures.
            if let (Some(last), Some(f)) = (lines.last_mut(), folio.first()) {
                let right = g.measure().get();
                // The folio's place, and the span the leader dots may fill.
                let (number_x, from, end) = if rtl {
                    (0.0, f.width + size * 0.6, right - last.width - size * 0.6)
                } else {
                    let number_x = right - f.width;
                    (number_x, last.width + size * 0.6, number_x - size * 0.6)
                };
                // Leader dots on a grid shared by all entries, so they line up down the page.
                if let Some(d) = &dot {
                    let step = size * 0.5;
                    let first = (from / step).ceil() as i32;
                    let mut run = d.clone();
                    run.glyphs.clear();
                    run.x = 0.0;
                    run.link = link;
                    let proto = d.glyphs.first().copied();
                    let mut k = first;
                    while let Some(gl) = proto {
                        let x = k as f32 * step;
                        if x + d.width > end {
                            break;
                        }
                        run.glyphs.push(Glyph { x, ..gl });
                        k += 1;
                    }
                    if !run.glyphs.is_empty() {
                        run.width = run.glyphs.last().map_or(0.0, |gl| gl.x + d.width);
                        last.runs.push(run);
                    }
                }
                for r in &f.runs {
                    let mut r = r.clone();
                    r.x += number_x;
                    last.runs.push(r);
                }
                last.text = format!("{}\t{}", last.text, f.text);
                last.width = right;
            }
            self.problems("", 0);
            let item = self.open(ops, Elem::of(Role::Toci));
            ops.push(Op::Lines {
                lines,
                dx: Pt::ZERO,
                advance: g.leading,
                keep: e.byline.is_some(),
                variants: Variants::None,
            });
            if let Some(b) = &e.byline {
                let style = SpanStyle { link, hyphenate: false, ..self.text_style(FaceId::ITALIC, g.size * 0.9) };
                let m = Measure {
                    width: (g.measure() - folio_room).get(),
                    indent: 0.0,
                    align: Alignment::Ragged,
                    lang: lang.clone(),
                };
                let mut lines = self.typesetter.set(&[Span { text: b.clone(), style }], &m);
                if rtl {
                    shift_runs(&mut lines, folio_room.get());
                }
                self.problems("", 0);
                ops.push(Op::Lines { lines, dx: Pt::ZERO, advance: g.leading, keep: false, variants: Variants::None });
            }
            ops.push(Op::Close(item));
            ops.push(Op::Skip(g.leading * 0.3));
        }
        ops.push(Op::Close(toc));
        ops.insert(0, Op::Targets(std::mem::take(&mut self.targets)));
        ops.push(Op::EndUnit);
        ops.push(Op::Close(sect));
    }

    /// A part's title page.
    pub(crate) fn part_title(&mut self, ops: &mut Vec<Op>, title: &str, lang: &Lang) {
        let g = self.g;
        ops.push(Op::NewPage { recto: g.recto_starts });
        ops.push(Op::SkipTo(g.height * 0.3));
        ops.push(Op::Bookmark { level: 0, title: title.to_string(), contents: true });
        ops.push(Op::Arabic);
        ops.push(Op::At(Spot::start(self.doc)));
        // The part stays open for its chapters; the flow closes it.
        self.open(ops, Elem::of(Role::Part));
        let s = Span { text: title.to_string(), style: self.text_style(FaceId::BOLD, g.size * g.scale.title) };
        let h = self.open(ops, Elem::of(Role::H(1)));
        self.block_lines(ops, &[s], lang, Alignment::Center, Pt::ZERO, Pt::ZERO, "", 0);
        ops.push(Op::Close(h));
        ops.push(Op::NoFolio);
        // The part's verso stays blank when chapters start on rectos anyway.
    }

    /// The text's style in `face` at type size `size`.
    fn text_style(&self, face: FaceId, size: Pt) -> SpanStyle {
        SpanStyle {
            face,
            size: size.get(),
            rise: 0.0,
            case: Case::Normal,
            hyphenate: self.g.hyphenate,
            link: 0,
            lang: 0,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn block_lines(
        &mut self,
        ops: &mut Vec<Op>,
        spans: &[Span],
        lang: &Lang,
        align: Alignment,
        indent: Pt,
        dx: Pt,
        source: &str,
        line: usize,
    ) {
        let m = Measure { width: (self.g.measure() - dx).get(), indent: indent.get(), align, lang: lang.clone() };
        // Body paragraphs (not those in lists and quotes, whose first lines are changed
        // after) come with variants a line longer and shorter for the page flow.
        let body = dx == Pt::ZERO && align == Alignment::Justify && self.g.tuning.looseness > 0;
        let (lines, prepared) =
            if body { self.typesetter.set_keeping(spans, &m) } else { (self.typesetter.set(spans, &m), None) };
        let variants = match prepared {
            Some(p) => Variants::Later(p),
            // Too long to break whole, or broken only by the emergency pass.
            None if body && lines.len() >= 2 => Variants::Set(Vec::new()),
            None => Variants::None,
        };
        self.problems(source, line);
        let size = spans.iter().map(|s| s.style.size).fold(0.0f32, f32::max).max(self.g.size.get());
        // The leading grows with the largest type of the lines.
        let advance = Pt::new(self.g.leading.get() * size / self.g.size.get()).max(self.g.leading);
        // An indent is on the side lines start from: the right in right-to-left text.
        let dx = if lang.is_rtl() { Pt::ZERO } else { dx };
        ops.push(Op::Lines { lines, dx, advance, keep: false, variants });
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
                FontProblem::Overfull(word) => {
                    let shown: String = word.chars().take(40).collect();
                    let more = if shown.len() < word.len() { "…" } else { "" };
                    self.report.push(
                        Diagnostic::warning(
                            Kind::Content,
                            format!(
                                "`{shown}{more}` ({} characters) is wider than the line; it is broken \
                                 where it must, without a hyphen",
                                word.chars().count()
                            ),
                        )
                        .at(source, None, line, None)
                        .with_hint(
                            "give it break points: spaces, a hyphen, or soft hyphens (U+00AD) where it may break",
                        ),
                    )
                }
                FontProblem::Fallback(c, f) => {
                    let file = self.typesetter.fonts().face(f).file.clone();
                    self.fallback_used.insert((c, file));
                }
            }
        }
    }

    /// A chapter; `depth` is its level in the outline (1 inside a titled part, else 0).
    pub(crate) fn chapter(&mut self, ops: &mut Vec<Op>, c: &Chapter, book_lang: &Lang, depth: u8) {
        let g = self.g;
        let src = c.source.to_string_lossy().into_owned();
        let lang = &c.meta.language;
        self.lang = lang.clone();
        self.targets.clear();
        self.zero = if g.native_digits { native_zero(lang) } else { '0' };
        ops.push(Op::NewPage { recto: g.recto_starts });
        ops.push(Op::Lang((lang != book_lang).then(|| lang.to_string())));
        if depth == 0 {
            ops.push(Op::EndPart);
        }
        let sect = Elem { lang: (lang != book_lang).then(|| lang.to_string()), ..Elem::of(Role::Sect) };
        let sect = self.open(ops, sect);
        let targets_at = ops.len();
        // The notes first: the flow places each with the line that calls it.
        let note_size = g.size * g.scale.note;
        for n in &c.footnotes {
            let mut note_ops = Vec::new();
            for (i, b) in n.blocks.iter().enumerate() {
                let mut spans = Vec::new();
                if i == 0 {
                    spans.push(Span {
                        text: format!("{}\u{a0}", figures(n.number as u64, self.zero)),
                        style: self.text_style(FaceId::REGULAR, note_size),
                    });
                }
                if let BlockKind::Paragraph { content } = &b.kind {
                    let st = self.text_style(FaceId::REGULAR, note_size);
                    self.spanner().spans(content, st, false, false, &mut spans);
                    self.block_lines(&mut note_ops, &spans, lang, g.align, Pt::ZERO, Pt::ZERO, &src, b.line);
                } else {
                    self.block(&mut note_ops, b, At { lang, src: &src, dx: Pt::ZERO, size: note_size }, false);
                }
            }
            // Each run of lines a paragraph of the note (a list item's, a quote's too).
            let lines = note_ops
                .into_iter()
                .filter_map(|o| match o {
                    Op::Lines { lines, dx, .. } => Some((lines, dx)),
                    _ => None,
                })
                .enumerate()
                .flat_map(|(p, (lines, dx))| lines.into_iter().map(move |l| (l, dx, p as u32)))
                .collect();
            ops.push(Op::Note { number: n.number, lines });
        }
        ops.push(Op::SkipTo(g.top + g.leading * 4.0));
        // Blocks are counted from here: the notes' blocks are not the chapter's.
        self.block_no = 0;
        ops.push(Op::At(Spot::start(self.doc)));
        ops.push(Op::Bookmark { level: depth, title: c.meta.title.clone(), contents: true });
        ops.push(Op::Anchor(c.anchor.clone()));
        if c.kind != ChapterKind::Introduction {
            ops.push(Op::Arabic);
        }
        ops.push(Op::NoFolio);
        ops.push(Op::Heads { verso: self.book_title.clone(), recto: c.meta.title.clone() });
        self.depth = depth;
        self.opening(ops, c, book_lang, &src);
        let mut after_paragraph = false;
        for b in &c.blocks {
            after_paragraph = self.block(ops, b, At { lang, src: &src, dx: Pt::ZERO, size: g.size }, after_paragraph);
        }
        let strings = locale::strings(book_lang);
        let mut tail = Vec::new();
        if let Some(s) = &c.meta.source {
            tail.push(format!("{}: {s}", strings.source));
        }
        if !c.meta.translators.is_empty() {
            tail.push(format!("{}: {}", strings.translated_by, strings.list(&c.meta.translators)));
        }
        if !tail.is_empty() {
            ops.push(Op::Skip(g.leading * g.space.before_heading));
            ops.push(Op::At(Spot { doc: self.doc, block: Spot::TAIL, word: 0 }));
            let s = Span { text: tail.join("\n"), style: self.text_style(FaceId::ITALIC, g.size * g.scale.caption) };
            // In the book's language, which the speech's section may not be in.
            let lang = (lang != book_lang).then(|| book_lang.to_string());
            let p = self.open(ops, Elem { lang, ..Elem::of(Role::P) });
            self.block_lines(ops, &[s], book_lang, Alignment::Ragged, Pt::ZERO, Pt::ZERO, &src, 1);
            ops.push(Op::Close(p));
        }
        ops.insert(targets_at, Op::Targets(std::mem::take(&mut self.targets)));
        if !self.typesetter.span_langs().is_empty() {
            let langs = self.typesetter.span_langs().iter().map(|l| l.to_string()).collect();
            ops.insert(targets_at, Op::SpanLangs(langs));
        }
        ops.push(Op::EndUnit);
        ops.push(Op::Close(sect));
        ops.push(Op::Lang(None));
    }

    /// A chapter's opening: the title large, then for a speech who gave it, in small
    /// capitals, and when, where and on what occasion, in italics, under a short rule.
    fn opening(&mut self, ops: &mut Vec<Op>, c: &Chapter, book_lang: &Lang, src: &str) {
        let g = self.g;
        let lang = &c.meta.language;
        let title = SpanStyle { hyphenate: false, ..self.text_style(FaceId::BOLD, g.size * g.scale.title) };
        // The chapter's title heads its section: level 1, or 2 inside a part.
        self.last_heading = (self.depth + 1).min(6);
        let h = self.open(ops, Elem::of(Role::H(self.last_heading)));
        self.block_lines(
            ops,
            &[Span { text: c.meta.title.clone(), style: title }],
            lang,
            Alignment::Ragged,
            Pt::ZERO,
            Pt::ZERO,
            src,
            1,
        );
        ops.push(Op::Close(h));
        if c.kind == ChapterKind::Speech {
            let strings = locale::strings(book_lang);
            if !c.meta.speakers.is_empty() {
                ops.push(Op::Skip(g.leading * 0.6));
                let style = SpanStyle {
                    case: Case::SmallCaps,
                    hyphenate: false,
                    ..self.text_style(FaceId::REGULAR, g.size * 1.1)
                };
                let s = Span { text: strings.list(&c.meta.speakers), style };
                let p = self.open(ops, Elem::of(Role::P));
                self.block_lines(ops, &[s], lang, Alignment::Ragged, Pt::ZERO, Pt::ZERO, src, 1);
                ops.push(Op::Close(p));
            }
            let mut details = Vec::new();
            if let Some(d) = &c.meta.date {
                details.push(strings.date(d));
            }
            details.extend(c.meta.place.iter().cloned());
            let mut text = details.join(", ");
            if let Some(o) = &c.meta.occasion {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(o);
            }
            if !text.is_empty() {
                let style = SpanStyle { hyphenate: false, ..self.text_style(FaceId::ITALIC, g.size * 0.95) };
                let p = self.open(ops, Elem::of(Role::P));
                self.block_lines(ops, &[Span { text, style }], lang, Alignment::Ragged, Pt::ZERO, Pt::ZERO, src, 1);
                ops.push(Op::Close(p));
            }
        }
        ops.push(Op::Skip(g.leading * 2.0));
    }

    fn spanner(&mut self) -> Spanner<'_, 'f> {
        Spanner {
            mono: self.typesetter.fonts().monospace,
            targets: &mut self.targets,
            zero: self.zero,
            typesetter: &mut self.typesetter,
            lang: &self.lang,
        }
    }
}

#[cfg(test)]
mod tests;
