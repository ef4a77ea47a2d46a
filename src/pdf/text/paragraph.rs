//! Paragraphs: styled text to boxes, glue and penalties (words shaped and hyphenated),
//! broken into lines by Knuth–Plass, and set as lines of positioned glyph runs that the
//! pagination can stack, with each line's height and whether it ends hyphenated.

use super::bidi::{self, Piece};
use super::hyphenate::{is_url, url_breaks, Break, Hyphenator};
use super::knuth_plass::{self, Item, Params, INFINITY};
use crate::lang::Lang;
use crate::pdf::font::{is_invisible, Case, FaceId, FontSet, ShapedText, Shaper};
use crate::pdf::write::Glyph;
use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::sync::Arc;

/// How a span of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanStyle {
    /// The face it is set in.
    pub face: FaceId,
    /// Type size, points.
    pub size: f32,
    /// Baseline shift upwards (superscript note calls), points.
    pub rise: f32,
    /// Letters as written or lower case as small capitals.
    pub case: Case,
    /// Code and the like are never hyphenated.
    pub hyphenate: bool,
    /// The link the text belongs to (a footnote call, a URL), as a number the caller
    /// assigns; 0 for none. Runs of different links are kept apart so pages can place
    /// link areas over them.
    pub link: u32,
    /// The language of the text when it is not the paragraph's ([`Measure::lang`]): the
    /// typesetter's number for it ([`Typesetter::span_lang`]); 0 for the paragraph's. It
    /// hyphenates and shapes the text, and goes with its runs to the tagged PDF.
    pub lang: u16,
}

/// A piece of paragraph text in one style. `\n` in `text` is a forced line break.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The text.
    pub text: String,
    /// How it is set.
    pub style: SpanStyle,
}

/// How the lines of a paragraph sit in the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// Lines stretched or shrunk to fill the measure, the last one excepted.
    Justify,
    /// Lines at their natural width, from the start edge.
    Ragged,
    /// Each line centred.
    Center,
}

/// The shape of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Line width in points.
    pub width: f32,
    /// First-line indent, points.
    pub indent: f32,
    /// How the lines are aligned.
    pub align: Alignment,
    /// The language, for hyphenation, shaping and direction.
    pub lang: Lang,
}

/// A run of glyphs on a line, in one face and size.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRun {
    /// The face of its glyphs.
    pub face: FaceId,
    /// Type size, points.
    pub size: f32,
    /// From the line's left edge, points.
    pub x: f32,
    pub(crate) rise: f32,
    /// Horizontal scale of the glyphs (font expansion), 1.0 for none.
    pub(crate) hscale: f32,
    /// Its glyphs, positioned from `x`.
    pub glyphs: Vec<Glyph>,
    pub(crate) actual_text: Option<String>,
    /// The span's link (see [`SpanStyle::link`]), 0 for none.
    pub(crate) link: u32,
    /// The structure element (tagged PDF) it belongs to, by the unit's number for it, when
    /// not the element its line is set in (a list item's label, a table's cells); 0 else.
    pub(crate) tag: u32,
    /// The language of its text when not its paragraph's (see [`SpanStyle::lang`]), else 0.
    pub(crate) lang: u16,
    /// Width of the run from `x` to the end of its last glyph, points.
    pub(crate) width: f32,
}

/// A set line: what pagination stacks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    /// Its runs of glyphs, from the left.
    pub runs: Vec<LineRun>,
    /// The line's content width (after justification), points.
    pub(crate) width: f32,
    /// Height above and depth below the baseline of the tallest material, points.
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    /// Whether the line ends at a hyphenation break.
    pub hyphenated: bool,
    /// The line's text as a reader would copy it (for marked content such as table rows).
    pub text: String,
    /// The word of the paragraph it begins with, counted from 0 (a word broken at the
    /// line before counts as its own): where a page starting with it begins in the EPUB.
    pub word: u32,
}

/// Characters that stop a line end from being an alphanumeric edge and may hang into the
/// right margin, with the share of their width that hangs (optical margin alignment).
fn protrusion(c: char) -> f32 {
    match c {
        '.' | ',' => 0.7,
        '-' | '\u{2010}' | '\u{AD}' => 0.7,
        ':' | ';' => 0.5,
        '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}' | '\u{201E}' | '\u{201A}' | '"' | '\'' => 0.6,
        '\u{BB}' | '\u{AB}' | '\u{203A}' | '\u{2039}' => 0.4,
        '\u{2013}' => 0.3,
        '\u{2014}' => 0.2,
        '!' | '?' => 0.2,
        ')' | ']' => 0.1,
        _ => 0.0,
    }
}

/// A fragment of a box: a slice of a shaped piece.
#[derive(Debug, Clone)]
struct Frag {
    shaped: Arc<ShapedText>,
    start: usize,
    end: usize,
    style: SpanStyle,
    width: f32,
    /// Byte offset of its first character in the word it belongs to (for its
    /// embedding level in a paragraph of mixed direction).
    at: u32,
}

impl Frag {
    /// The text the frag's glyphs stand for.
    fn text(&self) -> &str {
        let s = &self.shaped;
        if self.start == 0 && self.end == s.glyphs.len() {
            return &s.text;
        }
        // Only left-to-right text is cut into frags (at hyphenation points).
        let g = &s.glyphs;
        let from = g.get(self.start).map_or(s.text.len(), |g| g.cluster as usize);
        let to = g.get(self.end).map_or(s.text.len(), |g| g.cluster as usize);
        s.text.get(from..to.max(from)).unwrap_or("")
    }
}

/// A line of a mixed or right-to-left paragraph while it is built (see
/// [`Typesetter::build_line_bidi`]).
struct BidiLine<'f> {
    fonts: &'f FontSet,
    hscale: f32,
    /// The paragraph's level.
    base: u8,
    runs: Vec<LineRun>,
    /// The line's pieces in logical order, and the run of each that has one.
    pieces: Vec<Piece>,
    owner: Vec<Option<usize>>,
    /// Glue waiting for the level of the next word (it takes the lower of its two
    /// neighbours').
    spaces: Vec<usize>,
    last_level: u8,
    ascent: f32,
    descent: f32,
    text: String,
    x: f32,
    /// Where the last visible material ends (glue at the end is not content).
    content_end: f32,
}

impl<'f> BidiLine<'f> {
    fn new(fonts: &'f FontSet, hscale: f32, base: u8) -> Self {
        BidiLine {
            fonts,
            hscale,
            base,
            runs: Vec::new(),
            pieces: Vec::new(),
            owner: Vec::new(),
            spaces: Vec::new(),
            last_level: base,
            ascent: 0.0,
            descent: 0.0,
            text: String::new(),
            x: 0.0,
            content_end: 0.0,
        }
    }

    /// A run of `f`'s glyphs at the pen, at embedding `level`; its piece.
    fn place(&mut self, f: &Frag, level: u8, actual: Option<&str>) -> Piece {
        let face = self.fonts.face(f.shaped.face);
        let (hscale, scale) = (self.hscale, f.style.size / face.units_per_em);
        self.ascent = self.ascent.max(face.ascender * scale + f.style.rise);
        self.descent = self.descent.max(-face.descender * scale - f.style.rise);
        let mut glyphs = Vec::with_capacity(f.end - f.start);
        let mut pen = 0.0;
        for g in &f.shaped.glyphs[f.start..f.end] {
            glyphs.push(Glyph { id: g.id, x: pen + g.dx * scale * hscale, dy: g.dy * scale });
            pen += g.advance * scale * hscale;
        }
        let width = f.width * hscale;
        // Neutral characters (punctuation, brackets) shaped left to right but resolved to a
        // right-to-left level run the other way, with brackets mirrored; what they read as
        // stays the logical text.
        let mut actual = actual.map(str::to_string);
        if level % 2 == 1 && !f.shaped.rtl {
            let text = f.text();
            let chars: Vec<char> = text.chars().collect();
            let mut mirrored = false;
            for (k, (g, sg)) in glyphs.iter_mut().zip(&f.shaped.glyphs[f.start..f.end]).enumerate() {
                g.x = width - g.x - sg.advance * scale * hscale;
                let c = if chars.len() == f.end - f.start { chars.get(k).copied() } else { None };
                if let Some(id) = c.and_then(bidi::mirror).and_then(|m| face.glyph(m)) {
                    g.id = id;
                    mirrored = true;
                }
            }
            glyphs.reverse();
            if mirrored && actual.is_none() {
                actual = Some(text.to_string());
            }
        }
        let (face, size, rise, link, lang) = (f.shaped.face, f.style.size, f.style.rise, f.style.link, f.style.lang);
        let x = self.x;
        let actual_text = actual;
        self.runs.push(LineRun { face, size, x, rise, hscale, glyphs, actual_text, link, tag: 0, lang, width });
        self.x += width;
        Piece { x, width, level }
    }

    /// A frag of a word at `level`.
    fn frag(&mut self, f: &Frag, level: u8) {
        for &sp in &self.spaces {
            self.pieces[sp].level = self.pieces[sp].level.min(level);
        }
        self.spaces.clear();
        let piece = self.place(f, level, None);
        // Left to right, what touches in one style stays one run (the syllables of a
        // word, words and their spaces).
        let n = self.runs.len();
        let joins = level.is_multiple_of(2)
            && matches!(self.owner.last(), Some(Some(r)) if *r + 2 == n)
            && self.pieces.last().is_some_and(|p| p.level == level && (p.x + p.width - piece.x).abs() < 1e-3)
            && mergeable(&self.runs[n - 2], &self.runs[n - 1]);
        if joins {
            let run = self.runs.pop().expect("just placed");
            let prev = self.runs.last_mut().expect("checked above");
            let dx = run.x - prev.x;
            prev.glyphs.extend(run.glyphs.into_iter().map(|g| Glyph { x: g.x + dx, ..g }));
            prev.width += run.width;
            self.pieces.last_mut().expect("checked above").width += piece.width;
        } else {
            self.pieces.push(piece);
            self.owner.push(Some(self.runs.len() - 1));
        }
        self.text.push_str(f.text());
        self.last_level = level;
        self.content_end = self.x;
    }

    /// A box without glyphs (an indent), at the paragraph's level.
    fn gap(&mut self, width: f32) {
        self.pieces.push(Piece { x: self.x, width, level: self.base });
        self.owner.push(None);
        self.x += width;
        self.content_end = self.x;
    }

    /// Glue `width` wide; a word space (`space`) gets a space glyph, for text extraction.
    fn glue(&mut self, width: f32, space: bool) {
        let piece = Piece { x: self.x, width, level: self.last_level };
        self.owner.push(None);
        if space && !self.text.is_empty() && !self.text.ends_with(' ') {
            self.text.push(' ');
            if let Some(r) = self.runs.last() {
                let (face, size, rise, link, lang) = (r.face, r.size, r.rise, r.link, r.lang);
                if let Some(id) = self.fonts.face(face).glyph(' ') {
                    let glyphs = vec![Glyph { id, x: 0.0, dy: 0.0 }];
                    let (x, hscale) = (self.x, self.hscale);
                    self.runs.push(LineRun {
                        face,
                        size,
                        x,
                        rise,
                        hscale,
                        glyphs,
                        actual_text: None,
                        link,
                        tag: 0,
                        lang,
                        width,
                    });
                    *self.owner.last_mut().expect("pushed above") = Some(self.runs.len() - 1);
                }
            }
        }
        self.spaces.push(self.pieces.len());
        self.pieces.push(piece);
        self.x += width;
    }

    /// The hyphen of a line broken inside a word, at the word's level.
    fn hyphen(&mut self, h: &Frag) {
        let piece = self.place(h, self.last_level, Some("\u{AD}"));
        self.pieces.push(piece);
        self.owner.push(Some(self.runs.len() - 1));
        self.content_end = self.x;
    }

    /// The line: its pieces in their visual places, flush right when `rtl`.
    fn finish(mut self, m: &Measure, rtl: bool, hyphenated: bool) -> Line {
        for &sp in &self.spaces {
            self.pieces[sp].level = self.base;
        }
        // Spaces and gaps after the last word are not part of the line.
        while self.pieces.last().is_some_and(|p| p.x >= self.content_end) {
            self.pieces.pop();
            if let Some(Some(r)) = self.owner.pop() {
                self.runs.truncate(r);
            }
        }
        bidi::reorder(&mut self.pieces);
        let width = self.content_end;
        let shift = match m.align {
            Alignment::Center => ((m.width - width) / 2.0).max(0.0),
            _ if rtl => m.width - width,
            _ => 0.0,
        };
        for (p, o) in self.pieces.iter().zip(&self.owner) {
            if let Some(r) = o {
                self.runs[*r].x = p.x + shift;
            }
        }
        let mut text = self.text;
        text.truncate(text.trim_end().len());
        Line { runs: self.runs, width, ascent: self.ascent, descent: self.descent, hyphenated, text, word: 0 }
    }
}

/// The first item of a line that starts at break `start`: discardable items (glue,
/// penalties) at the start of a line vanish.
fn line_start(items: &[Item], mut start: usize) -> usize {
    while start < items.len() && !matches!(items[start], Item::Box { .. }) {
        start += 1;
    }
    start
}

/// The direction class of a character for splitting mixed words: 0 left-to-right
/// letters, 1 right-to-left letters, 2 figures, 3 everything else (punctuation, symbols),
/// whose level depends on what stands around it.
fn direction_class(c: char) -> u8 {
    use unicode_bidi::BidiClass::*;
    match unicode_bidi::bidi_class(c) {
        L => 0,
        R | AL => 1,
        EN | AN => 2,
        _ => 3,
    }
}

/// Whether run `b`, placed right after `a`, can join it: the same face, size, rise,
/// scale and link, left to right, and nothing to read out instead.
fn mergeable(a: &LineRun, b: &LineRun) -> bool {
    a.face == b.face
        && a.size == b.size
        && a.rise == b.rise
        && a.hscale == b.hscale
        && a.link == b.link
        && a.lang == b.lang
        && a.actual_text.is_none()
        && b.actual_text.is_none()
}

/// A paragraph as [`Typesetter::set_keeping`] set it: what its variants are set from.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    items: Vec<Item>,
    contents: Vec<Content>,
    /// The first item of each word.
    word_starts: Vec<u32>,
    params: Params,
    refinements: knuth_plass::Refinements,
    bidi: Option<Bidi>,
    expansion: f32,
    split_dir: bool,
    measure: Measure,
    /// The best breaking's lines and demerits.
    n_best: usize,
    demerits: f64,
}

/// Numbers each line by the word it begins with, counted from the paragraph's first.
fn number_lines(lines: &mut [Line], breaks: &[knuth_plass::Line], items: &[Item], word_starts: &[u32]) {
    for (line, b) in lines.iter_mut().zip(breaks) {
        let start = line_start(items, b.start) as u32;
        line.word = word_starts.partition_point(|&s| s <= start).saturating_sub(1) as u32;
    }
}

/// What the line builder needs of a paragraph of mixed or right-to-left direction.
#[derive(Debug, Clone)]
struct Bidi {
    /// Right to left as a whole.
    rtl: bool,
    /// The embedding level of each byte of the paragraph's text.
    levels: Vec<u8>,
    /// For each item of a word, the offset of the word in the paragraph's text.
    word_at: Vec<u32>,
}

impl Bidi {
    fn base(&self) -> u8 {
        u8::from(self.rtl)
    }

    /// The level of `frag`, a part of item `item`.
    fn level(&self, item: usize, frag: &Frag) -> u8 {
        match self.word_at.get(item) {
            Some(&w) if w != u32::MAX => {
                let at = (w + frag.at) as usize;
                self.levels.get(at.min(self.levels.len().saturating_sub(1))).copied().unwrap_or(self.base())
            }
            _ => self.base(),
        }
    }
}

/// What the line builder needs to know of each item beyond its size.
#[derive(Debug, Clone)]
enum Content {
    /// Shared, so that a word's items are copied from [`WordItems`] without allocating.
    Glyphs(Arc<[Frag]>),
    /// A hyphen to add when the line breaks here (`None`: an explicit hyphen is already there).
    /// Shared, like glyphs: it keeps this enum small to copy.
    Hyphen(Option<Arc<Frag>>),
    Space,
    Other,
}

/// The items of a word as set alone, kept per word, style and language: prose repeats its
/// words, and a repeated word then costs a lookup instead of splitting, hyphenating and
/// measuring it again.
#[derive(Debug, Default)]
struct WordItems {
    items: Vec<Item>,
    contents: Vec<Content>,
}

impl WordItems {
    /// Append the word after `items`: what precedes does not change a word's items.
    fn append_to(&self, items: &mut Vec<Item>, contents: &mut Vec<Content>) {
        items.extend_from_slice(&self.items);
        contents.extend(self.contents.iter().cloned());
    }
}

/// What the items of a one-style word depend on besides its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct WordKey {
    face: FaceId,
    case: Case,
    lang: u16,
    size: u32,
    rise: u32,
    hyphenate: bool,
    link: u32,
    /// The span's language ([`SpanStyle::lang`]), when not the paragraph's.
    span: u16,
    expansion: u32,
    /// Set for a paragraph of mixed direction (see [`Typesetter::split_dir`]).
    split: bool,
}

/// Tunable parameters of justification, in em of the body size where they are lengths.
#[derive(Debug, Clone)]
pub(crate) struct Tuning {
    pub(crate) stretch: f32,
    pub(crate) shrink: f32,
    pub(crate) hyphen_penalty: f32,
    pub(crate) explicit_hyphen_penalty: f32,
    /// How far glyphs of justified lines may be widened or narrowed (0.02: 2 %).
    pub(crate) expansion: f32,
    pub(crate) params: Params,
    /// See [`knuth_plass::Refinements::evenness`].
    pub(crate) evenness: f32,
    /// How many lines longer or shorter than its best a paragraph is also set, for the page
    /// flow to choose from ([`Typesetter::variants`]); 0: never.
    pub(crate) looseness: u32,
    /// The most demerits such a variant may cost beyond the best breaking.
    pub(crate) looseness_demerits: f32,
    /// What moving a heading by a line of the grid costs, in the same demerits.
    pub(crate) heading_demerits: f32,
    /// The most badness a line of a variant may have (see [`Typesetter::variants`]).
    pub(crate) variant_tolerance: f32,
    /// What a page ending a line short costs, per line, in the same demerits.
    pub(crate) short_page_demerits: f32,
    /// What facing pages ending a line apart cost, per line.
    pub(crate) apart_demerits: f32,
}

impl Tuning {
    /// The tuning a style's `[justification]` asks for.
    pub(crate) fn of(j: &crate::style::Justification) -> Tuning {
        let d = Tuning::default();
        Tuning {
            stretch: j.word_stretch as f32,
            shrink: j.word_shrink as f32,
            hyphen_penalty: j.hyphen_penalty as f32,
            expansion: j.expansion as f32,
            params: Params { adj_demerits: j.adjacent_demerits as f32, ..d.params },
            evenness: j.evenness as f32,
            looseness: j.looseness,
            looseness_demerits: j.looseness_demerits as f32,
            heading_demerits: j.heading_demerits as f32,
            variant_tolerance: j.variant_tolerance as f32,
            short_page_demerits: j.short_page_demerits as f32,
            apart_demerits: j.apart_demerits as f32,
            ..d
        }
    }
}

/// A paragraph set a line (or two) longer or shorter than its best breaking, for the page
/// flow to take when that makes a page end full.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Variant {
    /// Lines more (> 0) or fewer (< 0) than the best breaking.
    pub(crate) delta: i32,
    /// Demerits beyond the best breaking's.
    pub(crate) cost: f32,
    pub(crate) lines: Vec<Line>,
}

impl Default for Tuning {
    /// Measured on the 100-speech corpus (A5, 10 pt, `../shared/tools/typo_metrics.py`):
    /// with 2 % font expansion, inter-word glue of 0.9 space stretch and 0.25 shrink and a
    /// hyphen penalty of 500 give no loose line, about 10 % hyphenated lines, ladders of at
    /// most 2 and line-to-line jitter of 0.07 em.
    fn default() -> Self {
        Tuning {
            stretch: 0.9,
            shrink: 0.25,
            hyphen_penalty: 500.0,
            explicit_hyphen_penalty: 1000.0,
            expansion: 0.02,
            // TeX's values but for these; the measure is set per paragraph.
            params: Params { adj_demerits: 30000.0, ..Params::tex(0.0) },
            evenness: 0.0,
            looseness: 0,
            looseness_demerits: 0.0,
            heading_demerits: 0.0,
            variant_tolerance: 200.0,
            short_page_demerits: 0.0,
            apart_demerits: 0.0,
        }
    }
}

/// A problem met while setting a paragraph (a character the fonts cannot set, a word
/// wider than the measure), for the caller to report where it occurred.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FontProblem {
    /// Taken from a fallback face.
    Fallback(char, FaceId),
    /// No face has it.
    Missing(char),
    /// A word wider than the measure, broken where no break is allowed (with no hyphen).
    Overfull(String),
}

/// Sets paragraphs: holds the shaper, the hyphenators and their caches for a whole book.
pub struct Typesetter<'f> {
    /// Shapes the text, and records which text each glyph stands for (for copying).
    pub shaper: Shaper<'f>,
    hyphenators: FxHashMap<u16, Option<Hyphenator>>,
    breaks: FxHashMap<u16, FxHashMap<String, Rc<Vec<Break>>>>,
    exceptions: Vec<String>,
    pub(crate) tuning: Tuning,
    /// Words shaped in the face their style asks for, by text, face, case and language.
    pieces: FxHashMap<(FaceId, Case, u16), FxHashMap<String, Arc<ShapedText>>>,
    /// Font problems of the paragraph being set; the caller drains them.
    pub(crate) problems: Vec<FontProblem>,
    /// Font expansion of the paragraph being set (0 unless justified).
    expansion: f32,
    /// The paragraph being set mixes directions: its words are shaped in pieces of one
    /// direction class (left-to-right letters, right-to-left letters, the rest), so that
    /// punctuation at a word's edge takes its own embedding level (`ver.di.` in Arabic:
    /// the last full stop belongs to the Arabic sentence).
    pub(super) split_dir: bool,
    /// Words set before, and the hyphen penalties they were set with (the cache is
    /// dropped if the tuning changes them).
    /// By style (few in a book, so a list, and the last one used is tried first).
    words: Vec<(WordKey, FxHashMap<Box<str>, WordItems>)>,
    last_style: usize,
    words_tuning: (f32, f32),
    /// Items and contents of the paragraph being set, kept for the next one.
    scratch: (Vec<Item>, Vec<Content>),
    word_starts: Vec<u32>,
    /// The line breaker's buffers, kept likewise.
    breaker: knuth_plass::Workspace,
    /// The languages of spans ([`SpanStyle::lang`] n is `span_langs[n - 1]`).
    span_langs: Vec<Lang>,
}

impl<'f> Typesetter<'f> {
    /// A typesetter for the faces of `fonts`; `exceptions`: words hyphenated where they may
    /// break (`ta-ble`), which override the patterns.
    pub fn new(fonts: &'f FontSet, exceptions: Vec<String>) -> Typesetter<'f> {
        let mut shaper = Shaper::new(fonts);
        for (i, f) in fonts.faces.iter().enumerate() {
            if let Some(id) = f.glyph(' ') {
                shaper.glyph_texts.insert((FaceId(i as u16), id), " ".to_string());
            }
        }
        Typesetter {
            shaper,
            hyphenators: FxHashMap::default(),
            breaks: FxHashMap::default(),
            exceptions,
            tuning: Tuning::default(),
            pieces: FxHashMap::default(),
            problems: Vec::new(),
            expansion: 0.0,
            split_dir: false,
            words: Vec::new(),
            last_style: 0,
            words_tuning: (0.0, 0.0),
            scratch: Default::default(),
            word_starts: Vec::new(),
            breaker: Default::default(),
            span_langs: Vec::new(),
        }
    }

    /// The number a span in `lang` gets in [`SpanStyle::lang`]: the same for the same
    /// language as long as the typesetter lives.
    pub(crate) fn span_lang(&mut self, lang: &Lang) -> u16 {
        match self.span_langs.iter().position(|l| l == lang) {
            Some(i) => i as u16 + 1,
            None => {
                self.span_langs.push(lang.clone());
                self.span_langs.len() as u16
            }
        }
    }

    /// The languages of spans so far: number n (see [`SpanStyle::lang`]) is entry n - 1.
    pub(crate) fn span_langs(&self) -> &[Lang] {
        &self.span_langs
    }

    /// The language of text in `style` in a paragraph in `paragraph`.
    fn lang_of<'l>(&'l self, style: &SpanStyle, paragraph: &'l Lang) -> &'l Lang {
        match style.lang {
            0 => paragraph,
            n => self.span_langs.get(n as usize - 1).unwrap_or(paragraph),
        }
    }

    pub(crate) fn fonts(&self) -> &'f FontSet {
        self.shaper.fonts()
    }

    fn hyphen_breaks(&mut self, lang: &Lang, word: &str) -> Rc<Vec<Break>> {
        let lang_id = self.shaper.lang_id(lang.as_str());
        if let Some(b) = self.breaks.get(&lang_id).and_then(|m| m.get(word)) {
            return b.clone();
        }
        let exceptions = &self.exceptions;
        let h = self.hyphenators.entry(lang_id).or_insert_with(|| Hyphenator::new(lang, exceptions));
        let mut out = Vec::new();
        if let Some(h) = h {
            h.breaks(word, &mut out);
        }
        let out = Rc::new(out);
        self.breaks.entry(lang_id).or_default().insert(word.to_string(), out.clone());
        out
    }

    /// Shape `text` in the face the style asks for, splitting it where a character has to
    /// come from a fallback face.
    pub(super) fn shape_pieces(
        &mut self,
        text: &str,
        style: SpanStyle,
        lang: &str,
        out: &mut Vec<(Arc<ShapedText>, SpanStyle)>,
    ) {
        // Most words are set in the face asked for; those are cached whole, which spares
        // the per-character face lookup on every later occurrence.
        let key = (style.face, style.case, self.shaper.lang_id(lang));
        if let Some(s) = self.pieces.get(&key).and_then(|m| m.get(text)) {
            if !self.split_dir
                || s.text.chars().map(direction_class).collect::<Vec<_>>().windows(2).all(|w| w[0] == w[1])
            {
                out.push((s.clone(), style));
                return;
            }
        }
        let before = out.len();
        let problems = self.problems.len();
        self.shape_pieces_uncached(text, style, lang, out);
        if out.len() == before + 1 && self.problems.len() == problems && out[before].1.face == style.face {
            self.pieces.entry(key).or_default().insert(text.to_string(), out[before].0.clone());
        }
    }

    fn shape_pieces_uncached(
        &mut self,
        text: &str,
        style: SpanStyle,
        lang: &str,
        out: &mut Vec<(Arc<ShapedText>, SpanStyle)>,
    ) {
        let fonts = self.fonts();
        let split = self.split_dir;
        let mut last_class = 0;
        let mut start = 0;
        let mut current: Option<FaceId> = None;
        let mut flush = |ts: &mut Self, from: usize, to: usize, face: FaceId| {
            if from < to {
                let piece: String = text[from..to].chars().filter(|c| *c != '\u{AD}').collect();
                if piece.is_empty() {
                    return;
                }
                let shaped = ts.shaper.shape(face, lang, style.case, &piece);
                out.push((shaped, SpanStyle { face, ..style }));
            }
        };
        for (i, c) in text.char_indices() {
            let face = match fonts.face_for(style.face, c) {
                Some(f) => {
                    // Right-to-left scripts come from their own faces by design.
                    if f.0 >= 4 && Some(f) != fonts.monospace && !bidi::may_have_rtl(c.encode_utf8(&mut [0; 4])) {
                        self.problems.push(FontProblem::Fallback(c, f));
                    }
                    f
                }
                None => {
                    self.problems.push(FontProblem::Missing(c));
                    style.face
                }
            };
            // Marks and invisible characters stay with what they follow.
            let joins = is_invisible(c) || is_mark(c);
            let class = direction_class(c);
            match current {
                Some(cur) if (cur != face || (split && class != last_class)) && !joins => {
                    flush(self, start, i, cur);
                    start = i;
                    current = Some(face);
                }
                None => current = Some(face),
                _ => {}
            }
            if !joins {
                last_class = class;
            }
        }
        if let Some(cur) = current {
            flush(self, start, text.len(), cur);
        }
    }

    /// Set a paragraph.
    pub fn set(&mut self, spans: &[Span], m: &Measure) -> Vec<Line> {
        self.set_inner(spans, m, false).0
    }

    /// [`Self::set`], and for a justified paragraph of two lines or more (and of at most
    /// two breaking windows) what it was set from, for [`Self::variants_of`]: its items,
    /// kept so that a variant is one more run of the breaker, not the paragraph itemised,
    /// hyphenated and broken again.
    pub(crate) fn set_keeping(&mut self, spans: &[Span], m: &Measure) -> (Vec<Line>, Option<Box<Prepared>>) {
        self.set_inner(spans, m, true)
    }

    /// The paragraph `p` was prepared from set up to `tuning.looseness` lines longer and
    /// shorter than [`Self::set`] set it (TeX's `\looseness`), where that is possible
    /// within the tolerance, with no line looser than its spaces may stretch and at most
    /// `tuning.looseness_demerits` beyond the best. The page flow asks for them only where
    /// a page would end short.
    pub(crate) fn variants_of(&mut self, p: &Prepared) -> Vec<Variant> {
        let mut alternatives = Vec::new();
        let n_best = p.n_best as i32;
        // A variant's lines may be looser than the best breaking's, up to the badness
        // `variant_tolerance` (TeX's: 100 r³ for a line stretched r times its stretch).
        let tolerance = self.tuning.variant_tolerance;
        let ratio = (tolerance / 100.0).cbrt() + 0.01;
        // One run of the breaker gives the best breaking of every line count (no
        // emergency pass: a variant is set within the tolerance or not at all).
        let spread = self.tuning.looseness.min(2) as usize;
        let found = knuth_plass::break_variants_in(
            &mut self.breaker,
            &p.items,
            &p.params,
            &p.refinements,
            p.n_best,
            spread,
            tolerance,
        );
        let (expansion, split_dir) = (self.expansion, self.split_dir);
        (self.expansion, self.split_dir) = (p.expansion, p.split_dir);
        for (i, alt) in found.into_iter().enumerate() {
            let Some(alt) = alt else { continue };
            let d = (i / 2 + 1) as i32;
            let delta = if i % 2 == 0 { -d } else { d };
            let cost = alt.demerits - p.demerits;
            let n = alt.lines.len();
            if n as i32 != n_best + delta
                || cost.is_nan()
                || cost > self.tuning.looseness_demerits as f64
                || alt.lines[..n - 1].iter().any(|l| l.ratio > ratio)
            {
                continue;
            }
            let mut lines = self.build_lines(&p.items, &p.contents, &alt.lines, &p.measure, p.bidi.as_ref());
            number_lines(&mut lines, &alt.lines, &p.items, &p.word_starts);
            alternatives.push(Variant { delta, cost: cost.max(0.0) as f32, lines });
        }
        (self.expansion, self.split_dir) = (expansion, split_dir);
        alternatives
    }

    #[cfg(test)]
    /// The variants of a paragraph ([`Self::variants_of`]), set from its text.
    pub(crate) fn variants(&mut self, spans: &[Span], m: &Measure) -> Vec<Variant> {
        match self.set_keeping(spans, m) {
            (_, Some(p)) => self.variants_of(&p),
            _ => Vec::new(),
        }
    }

    fn set_inner(&mut self, spans: &[Span], m: &Measure, keep: bool) -> (Vec<Line>, Option<Box<Prepared>>) {
        // The buffers of the last paragraph, so that a paragraph grows no vectors.
        let (mut items, mut contents) = std::mem::take(&mut self.scratch);
        items.clear();
        contents.clear();
        // The first item of each word, for the word each line begins with.
        let mut word_starts = std::mem::take(&mut self.word_starts);
        word_starts.clear();
        let body = spans.first().map(|s| s.style.size).unwrap_or(10.0);
        let fonts = self.fonts();
        // The width of a space in the style before it (the last one asked for kept).
        let mut last_space: Option<(FaceId, f32, f32)> = None;
        let mut space_of = |style: &SpanStyle| match last_space {
            Some((face, size, w)) if face == style.face && size == style.size => w,
            _ => {
                let f = fonts.face(style.face);
                let id = f.glyph(' ').unwrap_or(0);
                let w = if id == 0 { 0.25 * f.units_per_em } else { f.advance(id) };
                let w = w * style.size / f.units_per_em;
                last_space = Some((style.face, style.size, w));
                w
            }
        };
        if m.indent > 0.0 {
            items.push(Item::Box { width: m.indent, stretch: 0.0, shrink: 0.0, protrusion: 0.0 });
            contents.push(Content::Other);
        }
        let ragged = m.align != Alignment::Justify;
        let rag = 3.0 * body;
        self.expansion = if ragged { 0.0 } else { self.tuning.expansion };
        let lang_id = self.shaper.lang_id(m.lang.as_str());
        // Right-to-left and mixed paragraphs are reordered line by line after breaking;
        // left-to-right ones (most) skip the bidirectional algorithm.
        let rtl = m.lang.is_rtl();
        let mut word_at: Option<Vec<u32>> = (rtl || spans.iter().any(|s| bidi::may_have_rtl(&s.text))).then(Vec::new);
        self.split_dir = word_at.is_some();
        let mut span_base = 0;
        let mut word_start = 0;
        // Words: maximal runs of text between breakable spaces, possibly across spans.
        let mut word: Vec<(&str, SpanStyle)> = Vec::new();
        let mut pending_space: Option<(SpanStyle, bool)> = None;
        // A word that ends in a hyphen standing for a left-out part (`Öl- und`) keeps the
        // next word on its line: a line ending in `Öl-` reads (and extracts) as a broken word.
        let mut suspended = false;
        for span in spans {
            let mut piece_start = 0;
            // The spaces by their bytes: ASCII, or U+00A0 as C2 A0 (neither byte occurs
            // inside another character's encoding).
            let bytes = span.text.as_bytes();
            let mut i = 0;
            loop {
                i += crate::bytescan::wordlike_len(&bytes[i..]);
                let Some(&b) = bytes.get(i) else { break };
                let c = match b {
                    b' ' => ' ',
                    b'\t' => '\t',
                    b'\n' => '\n',
                    0xC2 if bytes.get(i + 1) == Some(&0xA0) => '\u{a0}',
                    _ => {
                        i += 1;
                        continue;
                    }
                };
                if piece_start < i {
                    if word.is_empty() {
                        word_start = span_base + piece_start;
                    }
                    word.push((&span.text[piece_start..i], span.style));
                }
                piece_start = i + c.len_utf8();
                i = piece_start;
                if !word.is_empty() {
                    if let Some((st, nb)) = pending_space.take() {
                        self.push_space(&mut items, &mut contents, nb, ragged, rag, space_of(&st));
                    }
                    let before = items.len();
                    word_starts.push(before as u32);
                    self.push_word(&mut items, &mut contents, &word, &m.lang, lang_id, m.width);
                    if let Some(w) = word_at.as_mut() {
                        w.resize(before, u32::MAX);
                        w.resize(items.len(), word_start as u32);
                    }
                    suspended = word.last().is_some_and(|(t, _)| {
                        let mut cs = t.chars().rev();
                        cs.next() == Some('-') && cs.next().is_some_and(char::is_alphabetic)
                    });
                    word.clear();
                }
                if c == '\n' {
                    pending_space = None;
                    self.push_forced_break(&mut items, &mut contents, m.align);
                } else if !items.is_empty() || pending_space.is_some() {
                    let nb = c == '\u{a0}' || suspended || pending_space.is_some_and(|(_, nb)| nb);
                    pending_space = Some((span.style, nb));
                }
            }
            if piece_start < span.text.len() {
                if word.is_empty() {
                    word_start = span_base + piece_start;
                }
                word.push((&span.text[piece_start..], span.style));
            }
            span_base += span.text.len();
        }
        if !word.is_empty() {
            if let Some((st, nb)) = pending_space.take() {
                self.push_space(&mut items, &mut contents, nb, ragged, rag, space_of(&st));
            }
            let before = items.len();
            word_starts.push(before as u32);
            self.push_word(&mut items, &mut contents, &word, &m.lang, lang_id, m.width);
            if let Some(w) = word_at.as_mut() {
                w.resize(before, u32::MAX);
                w.resize(items.len(), word_start as u32);
            }
        }
        let params = self.end_paragraph(&mut items, &mut contents, m, body, rag);
        let refinements = knuth_plass::Refinements { evenness: if ragged { 0.0 } else { self.tuning.evenness } };
        // A paragraph of a window or two is broken whole (and has variants); a longer one
        // window by window.
        let whole = items.len() <= 2 * WINDOW;
        let outcome = if whole {
            knuth_plass::break_paragraph_in(&mut self.breaker, &items, &params, &refinements)
        } else {
            let lines = break_windowed(&mut self.breaker, &items, &params, &refinements);
            knuth_plass::Outcome { lines, pass: 1, demerits: 0.0 }
        };
        let bidi = word_at.map(|mut word_at| {
            word_at.resize(items.len(), u32::MAX);
            let text: String = spans.iter().map(|s| s.text.as_str()).collect();
            Bidi { rtl, levels: bidi::levels(&text, rtl), word_at }
        });
        let mut lines = self.build_lines(&items, &contents, &outcome.lines, m, bidi.as_ref());
        number_lines(&mut lines, &outcome.lines, &items, &word_starts);
        let n_best = outcome.lines.len();
        let prepared = (keep
            && whole
            && m.align == Alignment::Justify
            && n_best >= 2
            && outcome.pass <= 2
            && self.tuning.looseness > 0)
            .then(|| {
                // Copies at their length: the buffers stay for the next paragraph.
                Box::new(Prepared {
                    items: items.clone(),
                    contents: contents.clone(),
                    word_starts: word_starts.clone(),
                    params,
                    refinements,
                    bidi,
                    expansion: self.expansion,
                    split_dir: self.split_dir,
                    measure: m.clone(),
                    n_best,
                    demerits: outcome.demerits,
                })
            });
        self.scratch = (items, contents);
        self.word_starts = word_starts;
        (lines, prepared)
    }

    /// The end of a paragraph's items (`\parfillskip` and a forced break), and the line
    /// breaker's parameters for it.
    fn end_paragraph(
        &self,
        items: &mut Vec<Item>,
        contents: &mut Vec<Content>,
        m: &Measure,
        body: f32,
        rag: f32,
    ) -> Params {
        if m.align == Alignment::Center {
            items.push(Item::Glue { width: 0.0, stretch: rag, shrink: 0.0 });
        } else {
            items.push(Item::Penalty { width: 0.0, penalty: INFINITY, flagged: false, protrusion: 0.0 });
            items.push(Item::Glue { width: 0.0, stretch: 1.0e5, shrink: 0.0 });
        }
        contents.push(Content::Other);
        if m.align != Alignment::Center {
            contents.push(Content::Other);
        }
        items.push(Item::Penalty { width: 0.0, penalty: -INFINITY, flagged: false, protrusion: 0.0 });
        contents.push(Content::Other);
        let mut params = self.tuning.params.clone();
        params.widths = vec![m.width];
        // The emergency pass: extra stretch rather than an overfull line.
        params.emergency_stretch = 1.5 * body;
        if m.align != Alignment::Justify {
            params.pretolerance = -1.0;
        }
        params
    }

    fn push_space(
        &self,
        items: &mut Vec<Item>,
        contents: &mut Vec<Content>,
        no_break: bool,
        ragged: bool,
        rag: f32,
        width: f32,
    ) {
        if no_break {
            items.push(Item::Penalty { width: 0.0, penalty: INFINITY, flagged: false, protrusion: 0.0 });
            contents.push(Content::Other);
        }
        if ragged {
            // Knuth & Plass's ragged right: the stretch appears only at a line's end.
            items.push(Item::Glue { width: 0.0, stretch: rag, shrink: 0.0 });
            contents.push(Content::Other);
            items.push(Item::Penalty { width: 0.0, penalty: 0.0, flagged: false, protrusion: 0.0 });
            contents.push(Content::Other);
            items.push(Item::Glue { width, stretch: -rag, shrink: 0.0 });
            contents.push(Content::Space);
        } else {
            let t = &self.tuning;
            items.push(Item::Glue { width, stretch: width * t.stretch, shrink: width * t.shrink });
            contents.push(Content::Space);
        }
    }

    fn push_forced_break(&self, items: &mut Vec<Item>, contents: &mut Vec<Content>, align: Alignment) {
        if align != Alignment::Center {
            items.push(Item::Penalty { width: 0.0, penalty: INFINITY, flagged: false, protrusion: 0.0 });
            contents.push(Content::Other);
        }
        items.push(Item::Glue { width: 0.0, stretch: 1.0e5, shrink: 0.0 });
        contents.push(Content::Other);
        items.push(Item::Penalty { width: 0.0, penalty: -INFINITY, flagged: false, protrusion: 0.0 });
        contents.push(Content::Other);
    }

    /// A word (pieces in possibly different styles), as [`Self::push_word_cached`] sets it;
    /// but a word with a piece wider than the `measure` between its break points (a long
    /// hash, a URL without separators, thousands of letters) gets a break at every
    /// character as a last resort, with no hyphen (the URL's separators and the
    /// hyphenation points stay the better breaks), and is reported as a problem.
    #[allow(clippy::too_many_arguments)]
    fn push_word(
        &mut self,
        items: &mut Vec<Item>,
        contents: &mut Vec<Content>,
        word: &[(&str, SpanStyle)],
        lang: &Lang,
        lang_id: u16,
        measure: f32,
    ) {
        let (start, contents_start) = (items.len(), contents.len());
        self.push_word_cached(items, contents, word, lang, lang_id);
        // The pieces too wide, as byte ranges of the word: only these get last-resort breaks.
        let mut wide = Vec::new();
        for (it, c) in items[start..].iter().zip(&contents[contents_start..]) {
            if let (Item::Box { width, shrink, .. }, Content::Glyphs(frags)) = (it, c) {
                if width - shrink > measure {
                    if let (Some(first), Some(last)) = (frags.first(), frags.last()) {
                        wide.push((first.at as usize, last.at as usize + last.text().len()));
                    }
                }
            }
        }
        if wide.is_empty() {
            return;
        }
        items.truncate(start);
        contents.truncate(contents_start);
        let mut set = WordItems::default();
        self.word_items(&mut set, word, lang, &wide);
        set.append_to(items, contents);
        self.problems.push(FontProblem::Overfull(word.iter().map(|(t, _)| *t).collect()));
    }

    /// A word (pieces in possibly different styles): shaped, with its hyphenation points
    /// as flagged penalties between its syllables. Words in one style come from the cache
    /// of words set before.
    fn push_word_cached(
        &mut self,
        items: &mut Vec<Item>,
        contents: &mut Vec<Content>,
        word: &[(&str, SpanStyle)],
        lang: &Lang,
        lang_id: u16,
    ) {
        let mut set = WordItems::default();
        let [(text, style)] = word else {
            self.word_items(&mut set, word, lang, &[]);
            set.append_to(items, contents);
            return;
        };
        let tuning = (self.tuning.hyphen_penalty, self.tuning.explicit_hyphen_penalty);
        if self.words_tuning != tuning {
            self.words.clear();
            self.words_tuning = tuning;
        }
        let key = WordKey {
            face: style.face,
            case: style.case,
            lang: lang_id,
            size: style.size.to_bits(),
            rise: style.rise.to_bits(),
            hyphenate: style.hyphenate,
            link: style.link,
            span: style.lang,
            expansion: self.expansion.to_bits(),
            split: self.split_dir,
        };
        let style = match self.words.get(self.last_style) {
            Some((k, _)) if *k == key => self.last_style,
            _ => match self.words.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    self.words.push((key, FxHashMap::default()));
                    self.words.len() - 1
                }
            },
        };
        self.last_style = style;
        if let Some(w) = self.words[style].1.get(*text) {
            w.append_to(items, contents);
            return;
        }
        let problems = self.problems.len();
        self.word_items(&mut set, word, lang, &[]);
        set.append_to(items, contents);
        // A word with font problems is set anew each time, so each occurrence is reported.
        if self.problems.len() == problems {
            self.words[style].1.insert((*text).into(), set);
        }
    }

    /// The items of a word set alone (see [`WordItems`]).
    /// Inside the byte ranges `wide` of the word, every character boundary is a break as
    /// well (see [`Self::push_word`]).
    fn word_items(&mut self, set: &mut WordItems, word: &[(&str, SpanStyle)], lang: &Lang, wide: &[(usize, usize)]) {
        let WordItems { items, contents } = set;
        let raw: String = word.iter().map(|(t, _)| *t).collect();
        let hyphenate = word.iter().all(|(_, s)| s.hyphenate);
        // The letters of the word without the punctuation around it.
        let core_start = raw.find(|c: char| c.is_alphanumeric()).unwrap_or(raw.len());
        let core_end = raw
            .rfind(|c: char| c.is_alphanumeric())
            .map(|i| i + raw[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(core_start);
        let mut breaks: Vec<Break> = Vec::new();
        if hyphenate && core_end > core_start {
            let core = &raw[core_start..core_end];
            // Offsets into the word without soft hyphens, which are break hints, not text.
            let strip = |o: usize| raw[..o].chars().filter(|c| *c != '\u{AD}').map(char::len_utf8).sum::<usize>();
            // A URL or an e-mail address breaks only after its separators, with no hyphen.
            // The word is hyphenated in the language of the piece its letters start in.
            let mut piece_end = 0;
            let core_style = word.iter().find(|(t, _)| {
                piece_end += t.len();
                piece_end > core_start
            });
            let found = if is_url(core) {
                let mut url = Vec::new();
                url_breaks(core, &mut url);
                Rc::new(url)
            } else {
                match core_style {
                    Some((_, st)) if st.lang != 0 => {
                        let span_lang = self.lang_of(st, lang).clone();
                        self.hyphen_breaks(&span_lang, core)
                    }
                    _ => self.hyphen_breaks(lang, core),
                }
            };
            // A compound's parts before its last hyphen break at that hyphen, not inside:
            // `pull-` / `down-cmark` reads as two hyphens (and pdftotext copies both).
            let last_hyphen = found.iter().filter(|b| b.explicit).map(|b| b.offset).max();
            breaks = found
                .iter()
                .filter(|b| b.explicit || last_hyphen.is_none_or(|h| b.offset > h))
                .map(|b| Break { offset: strip(b.offset + core_start), explicit: b.explicit })
                .collect();
            breaks.dedup_by_key(|b| b.offset);
        }
        let text: String = raw.chars().filter(|c| *c != '\u{AD}').collect();
        // The last-resort breaks of a word wider than the measure, by byte offset in `text`.
        let mut last_resort = Vec::new();
        if !wide.is_empty() {
            last_resort = vec![false; text.len() + 1];
            let mut merged = Vec::with_capacity(text.len());
            let mut known = breaks.iter().peekable();
            for (i, _) in text.char_indices().skip(1) {
                while let Some(b) = known.next_if(|b| b.offset < i) {
                    merged.push(*b);
                }
                match known.peek() {
                    Some(b) if b.offset == i => merged.push(*known.next().expect("peeked")),
                    _ if wide.iter().any(|&(a, z)| a < i && i < z) => {
                        last_resort[i] = true;
                        merged.push(Break { offset: i, explicit: true });
                    }
                    _ => {}
                }
            }
            merged.extend(known.copied());
            breaks = merged;
        }
        // Shape the pieces; fallback faces split them further, in order.
        let mut shaped: Vec<(Arc<ShapedText>, SpanStyle, usize)> = Vec::new();
        let mut offset = 0;
        for (t, style) in word {
            let mut pieces = Vec::new();
            if style.lang == 0 {
                self.shape_pieces(t, *style, lang.as_str(), &mut pieces);
            } else {
                let span_lang = self.lang_of(style, lang).clone();
                self.shape_pieces(t, *style, span_lang.as_str(), &mut pieces);
            }
            for (s, st) in pieces {
                let len = s.text.len();
                shaped.push((s, st, offset));
                offset += len;
            }
        }
        let mut frags: Vec<Frag> = Vec::new();
        let mut bi = 0;
        let fonts = self.fonts();
        let expansion = self.expansion;
        let emit_box = |items: &mut Vec<Item>, contents: &mut Vec<Content>, frags: &mut Vec<Frag>, protrusion: f32| {
            if frags.is_empty() {
                return;
            }
            let width: f32 = frags.iter().map(|f| f.width).sum();
            // Font expansion: the line's ratio scales the glyphs too (by at most a few per
            // cent), so spaces need to vary less and fewer words need hyphenating.
            let flex = width * expansion;
            items.push(Item::Box { width, stretch: flex, shrink: flex, protrusion });
            contents.push(Content::Glyphs(frags.drain(..).collect()));
        };
        for (s, style, at) in &shaped {
            let scale = style.size / fonts.face(s.face).units_per_em;
            let mut start = 0;
            let mut acc = 0.0;
            for (gi, g) in s.glyphs.iter().enumerate() {
                // A cut before glyph gi when a break offset equals its cluster start.
                let pos = at + g.cluster as usize;
                while bi < breaks.len() && breaks[bi].offset < pos {
                    bi += 1; // inside a ligature or a removed character: no cut there
                }
                let cut = bi < breaks.len()
                    && breaks[bi].offset == pos
                    && gi > 0
                    && !s.rtl
                    && (gi == 0 || s.glyphs[gi - 1].cluster != g.cluster);
                if cut {
                    let from = at + s.glyphs[start].cluster as usize;
                    let width = acc * scale;
                    frags.push(Frag { shaped: s.clone(), start, end: gi, style: *style, width, at: from as u32 });
                    let before = text[..pos].chars().next_back().unwrap_or(' ');
                    emit_box(items, contents, &mut frags, 0.0);
                    let b = breaks[bi];
                    if last_resort.get(pos) == Some(&true) {
                        items.push(Item::Penalty {
                            width: 0.0,
                            penalty: LAST_RESORT_PENALTY,
                            flagged: false,
                            protrusion: 0.0,
                        });
                        contents.push(Content::Hyphen(None));
                    } else if b.explicit {
                        let p = protrusion(before) * fonts.face(s.face).advance(s.glyphs[gi - 1].id) * scale;
                        items.push(Item::Penalty {
                            width: 0.0,
                            penalty: self.tuning.explicit_hyphen_penalty,
                            flagged: true,
                            protrusion: p,
                        });
                        contents.push(Content::Hyphen(None));
                    } else {
                        let h = if style.lang == 0 {
                            self.hyphen(style, lang.as_str())
                        } else {
                            let span_lang = self.lang_of(style, lang).clone();
                            self.hyphen(style, span_lang.as_str())
                        };
                        let w = h.as_ref().map(|f| f.width).unwrap_or(0.0);
                        items.push(Item::Penalty {
                            width: w,
                            penalty: self.tuning.hyphen_penalty,
                            flagged: true,
                            protrusion: w * protrusion('-'),
                        });
                        contents.push(Content::Hyphen(h.map(Arc::new)));
                    }
                    bi += 1;
                    start = gi;
                    acc = 0.0;
                }
                acc += g.advance;
            }
            if start < s.glyphs.len() {
                let from = if s.rtl { *at } else { at + s.glyphs[start].cluster as usize };
                let (end, width) = (s.glyphs.len(), acc * scale);
                frags.push(Frag { shaped: s.clone(), start, end, style: *style, width, at: from as u32 });
            }
        }
        let last = text.chars().next_back().unwrap_or(' ');
        let prot = match frags.last() {
            Some(f) if f.end > f.start => {
                let g = &f.shaped.glyphs[f.end - 1];
                protrusion(last) * g.advance * f.style.size / fonts.face(f.shaped.face).units_per_em
            }
            _ => 0.0,
        };
        emit_box(items, contents, &mut frags, prot);
    }

    /// The hyphen to add at a break, in the style of the text before it.
    fn hyphen(&mut self, style: &SpanStyle, lang: &str) -> Option<Frag> {
        let mut pieces = Vec::new();
        self.shape_pieces("-", *style, lang, &mut pieces);
        let (s, st) = pieces.pop()?;
        let width = s.width * st.size / self.fonts().face(s.face).units_per_em;
        let end = s.glyphs.len();
        Some(Frag { shaped: s, start: 0, end, style: st, width, at: 0 })
    }

    fn build_lines(
        &self,
        items: &[Item],
        contents: &[Content],
        breaks: &[knuth_plass::Line],
        m: &Measure,
        bidi: Option<&Bidi>,
    ) -> Vec<Line> {
        let mut lines = Vec::with_capacity(breaks.len());
        for (li, b) in breaks.iter().enumerate() {
            let start = if li > 0 { line_start(items, b.start).min(b.end) } else { b.start };
            let last = li + 1 == breaks.len();
            lines.push(match bidi {
                Some(bidi) => self.build_line_bidi(items, contents, start, b, last, m, bidi),
                None => self.build_line(items, contents, start, b, last, m),
            });
        }
        lines
    }

    /// A line of a right-to-left or mixed paragraph: its pieces (each frag a run of its
    /// own, each space a run of its space glyph, indents and gaps) are laid out in logical
    /// order, then moved to their visual places by their embedding levels; a right-to-left
    /// line ends flush right (its first-line indent on the right, its last line ragged on
    /// the left, punctuation at its end hanging into the left margin). The runs stay in
    /// logical order, which is the order the page is read out in.
    #[allow(clippy::too_many_arguments)]
    fn build_line_bidi(
        &self,
        items: &[Item],
        contents: &[Content],
        start: usize,
        b: &knuth_plass::Line,
        last: bool,
        m: &Measure,
        bidi: &Bidi,
    ) -> Line {
        let (box_ratio, glue_ratio) = self.line_ratios(items, start, b, last);
        let hscale = 1.0 + box_ratio * self.expansion;
        let mut line = BidiLine::new(self.fonts(), hscale, bidi.base());
        for i in start..b.end {
            match (&items[i], &contents[i]) {
                (Item::Box { .. }, Content::Glyphs(frags)) => {
                    for f in frags.iter() {
                        line.frag(f, bidi.level(i, f));
                    }
                }
                (Item::Box { width, stretch, shrink, .. }, _) => {
                    line.gap(width + box_ratio * if box_ratio >= 0.0 { stretch } else { shrink });
                }
                (Item::Glue { width, stretch, shrink }, c) => {
                    let w = width + glue_ratio * if glue_ratio >= 0.0 { stretch } else { shrink };
                    line.glue(w, matches!(c, Content::Space));
                }
                _ => {}
            }
        }
        // The break itself: a hyphen to draw when it is a hyphenation point.
        let mut hyphenated = false;
        if let (Some(Item::Penalty { .. }), Some(Content::Hyphen(h))) = (items.get(b.end), contents.get(b.end)) {
            hyphenated = true;
            if let Some(h) = h {
                line.hyphen(h);
            }
        }
        line.finish(m, bidi.rtl, hyphenated)
    }

    /// How far line `b` (from item `start`) stretches or shrinks its glyphs (`box_ratio`,
    /// the font expansion) and its spaces (`glue_ratio`).
    fn line_ratios(&self, items: &[Item], start: usize, b: &knuth_plass::Line, last: bool) -> (f32, f32) {
        let ratio = if b.ratio.is_finite() { b.ratio } else { 0.0 };
        // The glyphs take their share of the line's stretch or shrink (font expansion)
        // up to a limit; a last line leaves its stretch to the fill after it. What the
        // glyphs do not take, the spaces do, so the line still fills the measure.
        let box_ratio =
            if self.expansion == 0.0 || (last && ratio > 0.0) { 0.0 } else { ratio.clamp(-1.0, MAX_EXPANSION_RATIO) };
        let glue_ratio = if box_ratio == ratio {
            ratio
        } else {
            let (mut boxes, mut glue) = (0.0f32, 0.0f32);
            for it in &items[start..b.end] {
                match *it {
                    Item::Box { stretch, shrink, .. } => boxes += if ratio >= 0.0 { stretch } else { shrink },
                    Item::Glue { stretch, shrink, .. } => glue += if ratio >= 0.0 { stretch } else { shrink },
                    Item::Penalty { .. } => {}
                }
            }
            if glue > 0.0 {
                ratio + (ratio - box_ratio) * boxes / glue
            } else {
                ratio
            }
        };
        (box_ratio, glue_ratio)
    }

    /// Line `b` of a paragraph, from item `start` (its discardable items skipped): its
    /// runs of glyphs placed, its hyphen, its text.
    fn build_line(
        &self,
        items: &[Item],
        contents: &[Content],
        start: usize,
        b: &knuth_plass::Line,
        last: bool,
        m: &Measure,
    ) -> Line {
        let fonts = self.fonts();
        let (box_ratio, glue_ratio) = self.line_ratios(items, start, b, last);
        let hscale = 1.0 + box_ratio * self.expansion;
        let mut x = 0.0f32;
        let mut runs: Vec<LineRun> = Vec::new();
        let (mut ascent, mut descent) = (0.0f32, 0.0f32);
        // Glyphs the line may still take (a hyphen at the end included): a new run
        // reserves that many, so its glyphs never need to be moved as they arrive.
        let mut room = 1 + contents[start..b.end]
            .iter()
            .map(|c| match c {
                Content::Glyphs(frags) => frags.iter().map(|f| f.end - f.start).sum(),
                Content::Space => 1,
                _ => 0,
            })
            .sum::<usize>();
        // Room for the glyphs' characters (a few take more than one byte each).
        let mut text = String::with_capacity(room + room / 2);
        let mut place = |f: &Frag, x: &mut f32, runs: &mut Vec<LineRun>, actual: Option<&str>, hscale: f32| {
            let face = fonts.face(f.shaped.face);
            let scale = f.style.size / face.units_per_em;
            ascent = ascent.max(face.ascender * scale + f.style.rise);
            descent = descent.max(-face.descender * scale - f.style.rise);
            let merge = actual.is_none()
                && runs.last().is_some_and(|r| {
                    r.face == f.shaped.face
                        && r.size == f.style.size
                        && r.rise == f.style.rise
                        && r.actual_text.is_none()
                        && r.hscale == hscale
                        && r.link == f.style.link
                        && r.lang == f.style.lang
                });
            if !merge {
                runs.push(LineRun {
                    face: f.shaped.face,
                    size: f.style.size,
                    x: *x,
                    rise: f.style.rise,
                    hscale,
                    glyphs: Vec::with_capacity(room),
                    actual_text: actual.map(str::to_string),
                    link: f.style.link,
                    tag: 0,
                    lang: f.style.lang,
                    width: 0.0,
                });
            }
            let run = runs.last_mut().expect("a run was just pushed or exists");
            let mut pen = *x - run.x;
            for g in &f.shaped.glyphs[f.start..f.end] {
                run.glyphs.push(Glyph { id: g.id, x: pen + g.dx * scale * hscale, dy: g.dy * scale });
                pen += g.advance * scale * hscale;
            }
            room = room.saturating_sub(f.end - f.start);
            *x += f.width * hscale;
            run.width = *x - run.x;
        };
        // Where the last visible material ends (glue at the end is not content).
        let mut content_end = 0.0f32;
        for i in start..b.end {
            match (&items[i], &contents[i]) {
                (Item::Box { .. }, Content::Glyphs(frags)) => {
                    for f in frags.iter() {
                        place(f, &mut x, &mut runs, None, hscale);
                        let g = &f.shaped.glyphs;
                        let from = g.get(f.start).map_or(f.shaped.text.len(), |g| g.cluster as usize);
                        let to = g.get(f.end).map_or(f.shaped.text.len(), |g| g.cluster as usize);
                        text.push_str(f.shaped.text.get(from..to.max(from)).unwrap_or(""));
                    }
                    content_end = x;
                }
                (Item::Box { width, stretch, shrink, .. }, _) => {
                    x += width + box_ratio * if box_ratio >= 0.0 { stretch } else { shrink };
                    content_end = x;
                }
                (Item::Glue { width, stretch, shrink }, c) => {
                    if matches!(c, Content::Space) && !text.is_empty() && !text.ends_with(' ') {
                        text.push(' ');
                        // A real space glyph where words part: text extraction then
                        // finds the word boundaries without guessing from gaps.
                        if let Some(run) = runs.last_mut() {
                            if let Some(id) = fonts.face(run.face).glyph(' ') {
                                run.glyphs.push(Glyph { id, x: content_end - run.x, dy: 0.0 });
                            }
                        }
                    }
                    x += width + glue_ratio * if glue_ratio >= 0.0 { stretch } else { shrink };
                }
                _ => {}
            }
        }
        // The break itself: a hyphen to draw when it is a hyphenation point.
        let mut hyphenated = false;
        if let (Some(Item::Penalty { .. }), Some(Content::Hyphen(h))) = (items.get(b.end), contents.get(b.end)) {
            hyphenated = true;
            if let Some(h) = h {
                place(h, &mut x, &mut runs, Some("\u{AD}"), hscale);
                content_end = x;
            }
        }
        let width = content_end;
        let shift = match m.align {
            Alignment::Center => ((m.width - width) / 2.0).max(0.0),
            _ => 0.0,
        };
        if shift > 0.0 {
            for r in &mut runs {
                r.x += shift;
            }
        }
        text.truncate(text.trim_end().len());
        Line { runs, width, ascent, descent, hyphenated, text, word: 0 }
    }
}

/// A paragraph of more items than this (about 1,000 words) is broken window by window.
const WINDOW: usize = 4096;

/// The breaks of a paragraph, in time and memory linear in its length. Knuth–Plass looks
/// at every break that could end a line from every active one, which stays bounded, but
/// it keeps the whole paragraph's totals and candidates; a transcript of hours pasted
/// without a blank line (250,000 characters and more) is broken over a window of
/// [`WINDOW`] items at a time instead: the window is broken as a paragraph of its own,
/// the lines ending in its first half are kept, and the next window starts where the
/// breaker put the next line. The seam is a line break the breaker chose with half a
/// window (some 70 lines) still ahead, so it looks like any other; only the ladder of
/// hyphenated lines and the fitness of neighbouring lines are not weighed across it.
fn break_windowed(
    ws: &mut knuth_plass::Workspace,
    items: &[Item],
    params: &Params,
    refinements: &knuth_plass::Refinements,
) -> Vec<knuth_plass::Line> {
    let whole = |ws: &mut knuth_plass::Workspace, items: &[Item]| {
        knuth_plass::break_paragraph_in(ws, items, params, refinements).lines
    };
    if items.len() <= 2 * WINDOW {
        return whole(ws, items);
    }
    let mut out = Vec::new();
    let mut window = Vec::with_capacity(WINDOW + 3);
    let mut start = 0;
    while items.len() - start > 2 * WINDOW {
        window.clear();
        window.extend_from_slice(&items[start..start + WINDOW]);
        // Ended as a paragraph is (`\parfillskip` and a forced break): its last lines,
        // which end there, are not kept.
        window.push(Item::Penalty { width: 0.0, penalty: INFINITY, flagged: false, protrusion: 0.0 });
        window.push(Item::Glue { width: 0.0, stretch: 1.0e5, shrink: 0.0 });
        window.push(Item::Penalty { width: 0.0, penalty: -INFINITY, flagged: false, protrusion: 0.0 });
        let lines = whole(ws, &window);
        // The lines that end in the window's first half, and the start of the one after.
        let keep = lines.iter().take_while(|l| l.end <= WINDOW / 2).count().clamp(1, lines.len().saturating_sub(1));
        let Some(next) = lines.get(keep) else { break };
        out.extend(lines[..keep].iter().map(|l| knuth_plass::Line {
            start: l.start + start,
            end: l.end + start,
            ..*l
        }));
        start += next.start;
    }
    let rest = whole(ws, &items[start..]);
    out.extend(rest.into_iter().map(|l| knuth_plass::Line { start: l.start + start, end: l.end + start, ..l }));
    out
}

/// The penalty of a break inside a word wider than the measure where no break is allowed:
/// far above a hyphen's, so URLs break at their separators and words at their syllables
/// wherever these serve, and below `INFINITY`, so a break is always found.
const LAST_RESORT_PENALTY: f32 = 5000.0;

/// The most of its line's stretch ratio a glyph box takes: at 2 % expansion, 3 %.
const MAX_EXPANSION_RATIO: f32 = 1.5;

/// Combining marks join the character before them.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
        // Any other script's nonspacing marks: Arabic harakat, Hebrew points, …
        || (!c.is_ascii() && unicode_bidi::bidi_class(c) == unicode_bidi::BidiClass::NSM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::font::FontSet;

    fn fonts() -> (tempfile::TempDir, FontSet) {
        FontSet::bundled()
    }

    fn span(text: &str) -> Span {
        Span {
            text: text.into(),
            style: SpanStyle {
                face: FaceId::REGULAR,
                size: 10.0,
                rise: 0.0,
                case: Case::Normal,
                hyphenate: true,
                link: 0,
                lang: 0,
            },
        }
    }

    fn measure(width: f32) -> Measure {
        Measure { width, indent: 0.0, align: Alignment::Justify, lang: Lang::of("de") }
    }

    /// A Kazakh span in a German paragraph is hyphenated by the Kazakh rules (which the
    /// German patterns, knowing no Cyrillic, cannot do), and its runs carry its language.
    #[test]
    fn a_span_in_another_language_is_hyphenated_in_it() {
        let (_dir, fonts) = fonts();
        let kazakh = "Жаңаөзенді ұмытпаймыз, қаһармандар, біз бірге болсақ күштіміз, жұмысшылардың одағы.";
        let set = |lang: Option<&str>| {
            let mut ts = Typesetter::new(&fonts, Vec::new());
            let mut s = span(kazakh);
            if let Some(l) = lang {
                s.style.lang = ts.span_lang(&Lang::of(l));
            }
            let spans = [span("Sie schrieb: "), s, span(" Wenn wir zusammen sind, sind wir stark.")];
            let lines = ts.set(&spans, &measure(90.0));
            let breaks: Vec<String> = lines
                .iter()
                .filter(|l| l.hyphenated)
                .filter_map(|l| l.text.split_whitespace().last().map(str::to_string))
                .collect();
            (lines, breaks)
        };
        let (german, none) = set(None);
        let (lines, breaks) = set(Some("kk"));
        assert!(german.iter().all(|l| l.runs.iter().all(|r| r.lang == 0)));
        assert!(
            breaks.iter().any(|w| w.chars().any(|c| ('\u{400}'..='\u{4FF}').contains(&c))),
            "no Kazakh word hyphenated: {breaks:?} (in German: {none:?})"
        );
        // Every break inside a Kazakh word is one the Kazakh hyphenator allows.
        let kk = super::super::hyphenate::Hyphenator::new(&Lang::of("kk"), &[]).expect("Kazakh rules");
        for w in &breaks {
            let part = w.trim_end_matches('-').trim_start_matches(|c: char| !c.is_alphabetic());
            let word = kazakh
                .split(|c: char| !c.is_alphabetic())
                .find(|k| k.starts_with(part) && k.len() > part.len())
                .unwrap_or_else(|| panic!("{w} ends no Kazakh word"));
            let mut at = Vec::new();
            kk.breaks(word, &mut at);
            assert!(at.iter().any(|b| b.offset == part.len()), "{word} broken after {part}: not a Kazakh break");
        }
        assert!(lines.iter().flat_map(|l| &l.runs).any(|r| r.lang == 1), "the span's runs carry its language");
        assert!(lines.iter().flat_map(|l| &l.runs).any(|r| r.lang == 0), "the German text's do not");
    }

    const PROSE: &str = "Wir sind hier, um unsere Solidarität mit dem Kampf der kasachischen ArbeiterInnen und \
        Jugendlichen zum Ausdruck zu bringen. Wir sind hier, weil wir uns mit ihrem Kampf gegen Preiserhöhungen, \
        gegen Verarmung und Verelendung und gegen ein seit Jahrzehnten herrschendes diktatorisches Regime \
        solidarisieren, ein Regime, das schon vor den Streiks und dem Aufruhr im Januar nur notdürftig \
        parlamentarisch maskiert war. Die Enteignung der großen Öl- und Gaskonzerne spielt dabei eine Rolle.";

    #[test]
    fn a_paragraph_that_fits_is_one_unhyphenated_line() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let lines = t.set(&[span("Hoch die internationale Solidarität!")], &measure(300.0));
        assert_eq!(lines.len(), 1);
        assert!(!lines[0].hyphenated);
        assert_eq!(lines[0].text, "Hoch die internationale Solidarität!");
    }

    /// A line knows the word it begins with, counted as the EPUB counts words (runs
    /// between spaces, over spans); a line after a hyphen begins inside the word before.
    #[test]
    fn lines_know_the_word_they_begin_with() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let (a, b) = PROSE.split_at(PROSE.find("Jugend").unwrap() + 3);
        let mut hyphens = 0;
        for width in [90.0, 150.0, 240.0] {
            let mut m = measure(width);
            m.indent = 10.0;
            let lines = t.set(&[span(a), span(b)], &m);
            assert!(lines.len() > 3);
            hyphens += lines.iter().filter(|l| l.hyphenated).count();
            let mut next = 0;
            for l in &lines {
                assert_eq!(l.word, next, "{width}: `{}`", l.text);
                next += l.text.split_whitespace().count() as u32 - u32::from(l.hyphenated);
            }
            assert_eq!(next as usize, PROSE.split_whitespace().count());
        }
        assert!(hyphens > 0, "a line after a hyphen is tried");
    }

    #[test]
    fn justified_lines_fill_the_measure_and_never_exceed_it() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        for width in [180.0, 240.0, 317.0] {
            let lines = t.set(&[span(PROSE)], &measure(width));
            assert!(lines.len() > 2);
            for (i, l) in lines.iter().enumerate() {
                // Punctuation and hyphens may hang a little into the margin, letters not.
                assert!(l.width <= width + 0.7 * 10.0 * 0.4, "line {i} is {} wide on {width}: {}", l.width, l.text);
                if i + 1 < lines.len() {
                    assert!(l.width >= width - 0.01 - 0.7 * 10.0 * 0.4, "line {i} is short: {} of {width}", l.width);
                }
            }
            let joined: String = lines.iter().map(|l| l.text.clone()).collect::<Vec<_>>().join(" ");
            let words = |s: &str| s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count();
            assert!(words(&joined) >= words(PROSE), "words lost at {width}");
        }
    }

    #[test]
    fn a_paragraph_of_many_windows_reads_and_fills_as_one() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        // Numbered sentences, so a word lost or doubled at a seam shows.
        let text: String = (0..150).map(|i| format!("{PROSE} Satz {i}. ")).collect();
        let width = 240.0;
        let lines = t.set(&[span(text.trim_end())], &measure(width));
        assert!(t.scratch.0.len() > 6 * WINDOW, "{} items", t.scratch.0.len());
        for (i, l) in lines.iter().enumerate() {
            assert!(l.width <= width + 0.7 * 10.0 * 0.4, "line {i} is {} wide: {}", l.width, l.text);
            if i + 1 < lines.len() {
                assert!(l.width >= width - 0.01 - 0.7 * 10.0 * 0.4, "line {i} is short: {} of {width}", l.width);
            }
        }
        let mut joined = String::new();
        for l in &lines {
            joined.push_str(&l.text);
            if !l.hyphenated {
                joined.push(' ');
            }
        }
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(words(&joined), words(&text));
        // No more lines than the paragraph broken whole, give or take one a window.
        let (mut items, mut contents) = (Vec::new(), Vec::new());
        std::mem::swap(&mut items, &mut t.scratch.0);
        std::mem::swap(&mut contents, &mut t.scratch.1);
        let mut params = t.tuning.params.clone();
        params.widths = vec![width];
        params.emergency_stretch = 15.0;
        let whole = knuth_plass::break_paragraph_in(&mut Default::default(), &items, &params, &Default::default());
        let windows = items.len() / (WINDOW / 2);
        assert!(lines.len().abs_diff(whole.lines.len()) <= windows, "{} against {}", lines.len(), whole.lines.len());
    }

    #[test]
    fn every_word_of_a_line_is_expanded_alike_and_loose_lines_still_fill() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        // Narrow measures force loose lines (the emergency pass), beyond what the glyphs
        // may take: the spaces take the rest.
        let text = "Die Gewerkschaftsversammlung beschloss Arbeitszeitverkürzung, \
                    Kündigungsschutz und Mietpreisbremse für Wohnungsbaugenossenschaften.";
        let mut loose = 0;
        for width in [90.0, 120.0, 317.0] {
            let lines = t.set(&[span(text), span(" "), span(PROSE)], &measure(width));
            for (i, l) in lines.iter().enumerate().take(lines.len() - 1) {
                let scales: Vec<f32> = l.runs.iter().filter(|r| r.actual_text.is_none()).map(|r| r.hscale).collect();
                assert!(scales.windows(2).all(|w| w[0] == w[1]), "line {i} on {width}: scales {scales:?}");
                assert!(scales.iter().all(|s| (1.0 - 0.02..=1.0 + 0.02 * MAX_EXPANSION_RATIO + 1e-6).contains(s)));
                loose += scales.iter().any(|s| *s >= 1.0 + 0.02 * MAX_EXPANSION_RATIO - 1e-6) as usize;
                if l.text.contains(' ') {
                    assert!(l.width >= width - 0.01 - 0.7 * 10.0 * 0.4, "line {i} is short: {} of {width}", l.width);
                }
            }
        }
        assert!(loose > 0, "no line was loose enough to test the spaces' remainder");
    }

    #[test]
    fn a_suspended_hyphen_keeps_its_next_word() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        for width in (120..320).step_by(7) {
            let lines = t.set(&[span(PROSE)], &measure(width as f32));
            assert!(lines.iter().all(|l| !l.text.ends_with("Öl-")), "a line ends in `Öl-` at {width}");
        }
    }

    #[test]
    fn forced_breaks_and_centring() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let m = Measure { width: 300.0, indent: 0.0, align: Alignment::Center, lang: Lang::of("de") };
        let lines = t.set(&[span("Erste Zeile\nZweite")], &m);
        assert_eq!(lines.len(), 2);
        let x = lines[1].runs[0].x;
        assert!((x - (300.0 - lines[1].width) / 2.0).abs() < 0.01, "centred: {x}");
    }

    #[test]
    fn fallback_and_missing_characters_are_reported() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        t.set(&[span("Ein Stern ★ und ein 漢 Zeichen")], &measure(300.0));
        let p = std::mem::take(&mut t.problems);
        assert!(p.iter().any(|x| matches!(x, FontProblem::Fallback('★', _))), "{p:?}");
        assert!(p.contains(&FontProblem::Missing('漢')), "{p:?}");
    }

    #[test]
    fn hyphens_of_breaks_read_out_as_soft_hyphens() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let lines = t.set(&[span(PROSE)], &measure(120.0));
        let hyphenated: Vec<&Line> = lines.iter().filter(|l| l.hyphenated).collect();
        assert!(!hyphenated.is_empty(), "a narrow measure needs hyphens");
        for l in hyphenated {
            assert_eq!(l.runs.last().unwrap().actual_text.as_deref(), Some("\u{AD}"));
        }
    }

    const ARABIC: &str = "أيها الرفاق والرفيقات، نجتمع اليوم في الأول من أيار لنقول بصوت واحد إن العمل ليس سلعة، \
        وإن الكرامة لا تُشترى ولا تُباع. قال Karl Marx عام 1848 إن العمال لا يملكون وطناً، ونحن نقول اليوم إن \
        تضامننا لا يعرف حدوداً. في المصانع والموانئ (وفي كل مكان يعمل فيه الناس) نرى الشيء نفسه.";

    fn rtl(width: f32, align: Alignment) -> Measure {
        Measure { width, indent: 0.0, align, lang: Lang::parse("ar").unwrap().0 }
    }

    /// The runs of `line` left to right, with the text of each in reading order.
    fn visual(line: &Line, t: &Typesetter) -> Vec<(f32, String)> {
        let mut runs: Vec<(f32, String)> = line
            .runs
            .iter()
            .map(|r| {
                let text: String = r
                    .glyphs
                    .iter()
                    .map(|g| t.shaper.glyph_texts.get(&(r.face, g.id)).map_or("", String::as_str))
                    .collect();
                // A right-to-left word's glyphs are in visual order: read them back.
                let text =
                    if text.chars().any(crate::pdf::font::strong_rtl) { text.chars().rev().collect() } else { text };
                (r.x, text)
            })
            .collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        runs
    }

    #[test]
    fn an_arabic_word_keeps_the_shapers_glyphs() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let word = "والمستشفيات";
        let lines = t.set(&[span(word)], &rtl(300.0, Alignment::Ragged));
        let naskh = f.face_for(FaceId::REGULAR, 'و').unwrap();
        let whole = t.shaper.shape(naskh, "ar", Case::Normal, word);
        let set: Vec<u16> = lines[0].runs.iter().flat_map(|r| r.glyphs.iter().map(|g| g.id)).collect();
        let shaped: Vec<u16> = whole.glyphs.iter().map(|g| g.id).collect();
        assert_eq!(set, shaped);
        assert!(whole.rtl);
        // Joined: the letters take contextual forms, not the isolated ones of the cmap.
        let isolated: Vec<u16> = word.chars().filter_map(|c| f.face(naskh).glyph(c)).collect();
        assert_ne!(shaped.iter().rev().copied().collect::<Vec<_>>(), isolated);
    }

    #[test]
    fn right_to_left_lines_end_flush_right() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        for width in [180.0, 260.0] {
            let lines = t.set(&[span(ARABIC)], &rtl(width, Alignment::Justify));
            assert!(lines.len() > 2);
            for (i, l) in lines.iter().enumerate() {
                let right = l.runs.iter().map(|r| r.x + r.width).fold(0.0, f32::max);
                let left = l.runs.iter().map(|r| r.x).fold(f32::MAX, f32::min);
                assert!((right - width).abs() < 0.05, "line {i} ends at {right} of {width}: {}", l.text);
                if i + 1 < lines.len() {
                    // Justified to both edges; punctuation may hang into the left margin.
                    assert!(left < 0.01 && left > -5.0, "line {i} starts at {left}: {}", l.text);
                } else {
                    assert!(left > 1.0, "the last line is ragged on the left");
                }
            }
        }
    }

    /// The runs' texts of `text` set on one ragged Arabic line, left to right, spaces
    /// left out.
    fn arabic_line(t: &mut Typesetter, text: &str) -> Vec<String> {
        let lines = t.set(&[span(text)], &rtl(300.0, Alignment::Ragged));
        let v = visual(&lines[0], t).into_iter().map(|r| r.1.trim().to_string());
        v.filter(|t| !t.is_empty()).collect()
    }

    #[test]
    fn mixed_lines_read_as_a_reader_of_either_expects() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        // Arabic with a Latin name and a year: right to left, the name and the year each
        // left to right.
        assert_eq!(arabic_line(&mut t, "قال Karl Marx عام 1848"), ["1848", "عام", "Karl", "Marx", "قال"]);
        // German with an Arabic word: left to right around it.
        let m = Measure { lang: Lang::parse("de").unwrap().0, ..rtl(300.0, Alignment::Ragged) };
        let lines = t.set(&[span("Das Wort سلام heißt Frieden")], &m);
        let v: String = visual(&lines[0], &t).into_iter().map(|r| r.1).collect();
        assert_eq!(v.split_whitespace().collect::<Vec<_>>(), ["Das", "Wort", "سلام", "heißt", "Frieden"]);
        assert!(lines[0].runs.iter().map(|r| r.x).fold(f32::MAX, f32::min) < 0.01, "flush left");
        // The text reads in logical order.
        assert_eq!(lines[0].text, "Das Wort سلام heißt Frieden");
    }

    #[test]
    fn brackets_turn_in_right_to_left_text() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let lines = t.set(&[span("نص (بين قوسين) هنا")], &rtl(300.0, Alignment::Ragged));
        let runs = visual(&lines[0], &t);
        let open = f.face(FaceId::REGULAR).glyph('(').unwrap();
        let close = f.face(FaceId::REGULAR).glyph(')').unwrap();
        // The logical opening bracket stands right of the words it opens, drawn as `)`.
        let ids: Vec<u16> = {
            let mut r: Vec<&LineRun> = lines[0].runs.iter().collect();
            r.sort_by(|a, b| a.x.total_cmp(&b.x));
            r.iter().flat_map(|r| r.glyphs.iter().map(|g| g.id)).filter(|&g| g == open || g == close).collect()
        };
        assert_eq!(ids, [open, close], "{runs:?}");
        // And it reads as what was typed.
        let actual: Vec<&str> = lines[0].runs.iter().filter_map(|r| r.actual_text.as_deref()).collect();
        assert_eq!(actual, ["(", ")"]);
    }

    #[test]
    fn left_to_right_paragraphs_take_the_plain_path() {
        assert!(!bidi::rtl_language("de") && !bidi::may_have_rtl(PROSE));
    }

    #[test]
    fn figures_and_edge_punctuation_in_right_to_left_text() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        // Arabic-Indic figures read left to right; a full stop after a Latin word in an
        // Arabic sentence belongs to the sentence, left of the word.
        let v = arabic_line(&mut t, "عمري ١٥ سنة في نقابة ver.di. لم");
        assert_eq!(v, ["لم", ".", "ver.di", "نقابة", "في", "سنة", "١٥", "عمري"]);
    }

    #[test]
    fn urls_and_addresses_break_at_separators_without_hyphens() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let url = "https://de.wikisource.org/wiki/Rede_über_die_Arbeiterfrage_und_die_Gewerkschaftsversammlung";
        let mail = "gewerkschaftsversammlung@arbeiterbildungsverein.example.org";
        let text = format!("Quelle: {url}, und Anfragen an {mail}.");
        // Measures where every piece between separators fits (at 90 pt
        // `Gewerkschaftsversammlung` would not, and would break as a last resort).
        for width in [140.0, 170.0, 200.0] {
            let lines = t.set(&[span(&text)], &measure(width));
            assert!(t.problems.is_empty(), "{:?}", t.problems);
            let joined: String = lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
            // No hyphen is added anywhere: every break is a space or a URL's separator.
            for l in &lines {
                assert!(l.runs.iter().all(|r| r.actual_text.as_deref() != Some("\u{AD}")), "{width}: {joined}");
            }
            // A line that ends inside the URL or the address ends after a separator and the
            // next goes on with the rest: joined so, the lines give the text again.
            let mut rebuilt = String::new();
            for l in &lines {
                if !rebuilt.is_empty() && !rebuilt.ends_with(|c: char| "/.-?&=#_@".contains(c)) {
                    rebuilt.push(' ');
                }
                rebuilt.push_str(&l.text);
            }
            assert_eq!(rebuilt.replace(". ", "."), text.replace(". ", "."), "{width}: {joined}");
            assert!(lines.len() > 2, "{width}: {joined}");
        }
    }

    #[test]
    fn a_run_wider_than_the_measure_breaks_at_a_separator_first_then_anywhere() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let tail = "q".repeat(120);
        let url = format!("https://archiv.example.org/{tail}");
        let lines = t.set(&[span(&format!("Siehe {url} dort."))], &measure(150.0));
        // The URL breaks at its own separators where they serve (its host and path stay
        // whole); only the run without one that is wider than the line breaks anywhere.
        let first = lines[0].text.strip_prefix("Siehe https://archiv.example.org/").expect(&lines[0].text);
        assert!(first.chars().all(|c| c == 'q'), "{:?}", lines[0].text);
        assert!(lines.len() >= 3, "{lines:?}");
        let rest: String = lines[1..].iter().map(|l| l.text.as_str()).collect();
        assert_eq!(format!("{first}{rest}"), format!("{tail} dort."));
        for l in &lines {
            assert!(l.width <= 150.0 + 0.01, "{} {}", l.width, l.text);
            assert!(l.runs.iter().all(|r| r.actual_text.as_deref() != Some("\u{AD}")), "{}", l.text);
        }
        assert_eq!(t.problems, [FontProblem::Overfull(url)]);
    }

    /// The page flow's variants of a paragraph: each a line longer or shorter than the
    /// best setting, at no fewer demerits, its lines numbered by the word they begin with
    /// as the best setting's are; and a compound's part before its hyphen gets no break.
    #[test]
    fn variants_run_a_line_longer_or_shorter_with_their_words_numbered() {
        let (_d, f) = fonts();
        let mut t = Typesetter::new(&f, Vec::new());
        let j = crate::style::Justification::default();
        t.tuning = Tuning { looseness: 1, ..Tuning::of(&j) };
        let text = "Seit Jahren erleben wir, wie die Gesundheitsversorgung auf Kosten der \
                    Beschäftigten ausgebaut wird. Die Erfahrungen aus Almaty zeigen, dass die \
                    gemeinsame Bewegung stärker ist, als die Regierung glaubt. Wer heute über \
                    die Arbeitsbedingungen schweigt, macht sich mitschuldig an der \
                    Unterdrückung. Deshalb unterstützen wir die Streikenden in Schanaösen und \
                    überall, wo Menschen für ihre Rechte eintreten, nicht aus Mitleid, sondern \
                    aus gemeinsamem Interesse.";
        let words = text.split_whitespace().count() as u32;
        // Within the tolerance, only some measures let the paragraph give or take a line.
        let mut found = 0;
        for width in (150..=330).step_by(6) {
            let m = measure(width as f32);
            let best = t.set(&[span(text)], &m);
            let variants = t.variants(&[span(text)], &m);
            found += variants.len();
            for v in &variants {
                assert_eq!(v.lines.len() as i32, best.len() as i32 + v.delta, "{v:?}");
                assert!(v.delta.abs() == 1 && v.cost >= 0.0, "{v:?}");
                assert_eq!(v.lines[0].word, 0);
                assert!(v.lines.windows(2).all(|w| w[0].word < w[1].word), "{v:?}");
                assert!(v.lines.last().unwrap().word < words);
            }
        }
        assert!(found > 0, "no variant at any measure");
        assert!(t.problems.is_empty(), "{:?}", t.problems);
        // `pulldown-cmark` breaks after its hyphen or not at all.
        let lines = t.set(&[span("aaaa bbbb cccc pulldown-cmark")], &measure(75.0));
        assert!(lines.iter().all(|l| !l.text.trim_end_matches('\u{AD}').ends_with("pull")), "{lines:?}");
    }
}
