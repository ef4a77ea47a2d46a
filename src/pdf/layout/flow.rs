//! The page flow: replays the layout operations of each unit, in reading order, onto pages
//! with mirrored margins, footnotes at the foot of the page that calls them, folios and
//! running heads, and hands each page to the writer as soon as it is finished.

use super::{move_line, push_line, roman, take_run, Figure, Geometry, LinkTarget, NoteLine, Op, Placed, Variants};
use crate::diagnostics::Diagnostic;
use crate::document::pages::{Doc, Spot};
use crate::lang::Lang;
use crate::pdf::font::{Case, FaceId};
use crate::pdf::length::Pt;
use crate::pdf::text::bidi;
use crate::pdf::text::paragraph::{Alignment, Line, Measure, Span, SpanStyle, Typesetter};
use crate::pdf::write::tags::{ARTIFACT, DOCUMENT, FIRST_KEY, FOOTER, HEADER};
use crate::pdf::write::{Area, Elem, LineFrom, Link, Mark, Page, PlacedLine, Role, Target};
use crate::style;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};

mod between;
mod plan;
pub(crate) use between::{Added, Reached, State as Between};

/// The thickness of the rules the flow draws (tables, the footnotes' rule).
const RULE: Pt = Pt::new(0.4);

/// A line of the footnote area.
#[derive(Debug, Clone, PartialEq)]
struct FootLine {
    line: Line,
    dx: Pt,
    /// The note it belongs to, and whether it is the note's first line (which carries its
    /// number and the link back to the call) and its last.
    note: u32,
    first: bool,
    last: bool,
    /// Tagged PDF: the note's structure element, and where it goes: its parent and the
    /// element it follows (the block that calls it).
    key: u32,
    home: (u32, Option<u32>),
    /// The document of the note (for the preview's line sources).
    doc: Option<Doc>,
    /// Tagged PDF: the `P` element of the note's paragraph the line is in, and whether the
    /// line is that paragraph's first and its last.
    para: Option<(u32, bool, bool)>,
}

/// What a line does to the page it would go on: the baseline it gets, the footnote lines
/// the page holds with it, and whether a note had to be split.
#[derive(Debug, Clone, Copy)]
struct State {
    cursor: Option<Pt>,
    foot: usize,
    split: bool,
    /// The last baseline allowed, when the page faces a verso that ran short.
    balance: Option<Pt>,
}

/// Where a page simulated by [`Flow::sim_page`] ends.
#[derive(Debug, Clone, Copy)]
enum End {
    /// It breaks `short` lines short of full; the next page starts at `at` (op, line);
    /// `split`: a note continues onto it.
    Break { short: usize, at: (usize, usize), split: bool },
    /// The unit ends on it (at op `k`), or a new page is asked for: nothing to fill.
    Open(usize),
}

/// The most paragraphs [`Flow::plan`] sets in a variant for one page.
const MAX_CHANGES: usize = 4;

/// Where the flow's finished pages go: the build's encoders and writer, or memory (in
/// tests, and to count pages).
pub(crate) trait PageSink {
    /// Take page `index` (0-based, counting every page of the file), finished.
    fn page(&mut self, index: usize, page: Page) -> Result<(), Diagnostic>;

    /// Whether the pages should carry their lines and where each comes from
    /// ([`Page::lines`], for the preview's SVG pages).
    fn records(&self) -> bool {
        false
    }

    /// A unit is replayed: the pages given so far may go on (the build's sink hands them
    /// to its encoders and writes what they have done).
    fn flush(&mut self) -> Result<(), Diagnostic> {
        Ok(())
    }
}

impl<S: PageSink + ?Sized> PageSink for &mut S {
    fn page(&mut self, index: usize, page: Page) -> Result<(), Diagnostic> {
        (**self).page(index, page)
    }

    fn records(&self) -> bool {
        (**self).records()
    }

    fn flush(&mut self) -> Result<(), Diagnostic> {
        (**self).flush()
    }
}

/// A sink that only counts the pages it is given.
#[derive(Debug, Default)]
pub(crate) struct Count(pub usize);

impl PageSink for Count {
    fn page(&mut self, _: usize, _: Page) -> Result<(), Diagnostic> {
        self.0 += 1;
        Ok(())
    }
}

/// A sink that keeps the pages, with their indices, in the order given (for tests).
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct Memory(pub Vec<(usize, Page)>);

#[cfg(test)]
impl PageSink for Memory {
    fn page(&mut self, index: usize, page: Page) -> Result<(), Diagnostic> {
        self.0.push((index, page));
        Ok(())
    }
}

pub(crate) struct Flow<'a, S: PageSink> {
    g: &'a Geometry,
    sink: S,
    page: Page,
    /// 1-based number of the page being filled, counting every page of the file (odd
    /// numbers are rectos).
    number: usize,
    /// Pages before the one numbered i (the cover and the inside of the cover).
    pub folio_offset: usize,
    /// Baseline of the last line set, from the top of the page; `None` on an empty page.
    cursor: Option<Pt>,
    folio: bool,
    /// The page opens a chapter or a part, or is a title page: no folio, no running head.
    opening: bool,
    /// Index (0-based) of the first page numbered in Arabic figures.
    pub arabic_from: Option<usize>,
    /// Running heads: the book's title on versos, the chapter's on rectos.
    heads: (String, String),
    /// The running head last set on a verso and on a recto, with its text: the same on
    /// most pages, and set the same way each time (see `set_folio_and_head`).
    head_lines: [Option<(String, Line)>; 2],
    /// Bookmarks waiting for the next line (level, title, whether the contents list it).
    pending: Vec<(u8, String, bool)>,
    pub outline: Vec<Placed>,
    /// Anchors waiting for the next line, and those placed: name, page index, top.
    pending_anchors: Vec<String>,
    pub anchors: Vec<(String, usize, Pt)>,
    /// The anchors some link leads to: only those become named destinations.
    pub linked: BTreeSet<String>,
    /// Where the units listed in the contents start, in order.
    pub starts: Vec<Placed>,
    /// Pages left free for the contents, by index.
    pub reserved: Vec<usize>,
    /// The current unit's link targets (link `n` of a span is `targets[n - 1]`).
    targets: Vec<LinkTarget>,
    /// The unit's footnotes not yet placed, by number.
    notes: BTreeMap<u32, Vec<NoteLine>>,
    /// Footnote lines on the current page, and those continued onto the next.
    foot: Vec<FootLine>,
    carried: Vec<FootLine>,
    /// Note calls on the current page: the note's number, the call's area and its `Link`
    /// element.
    calls: Vec<(u32, Area, u32)>,
    /// Heads a continued note: `{}` is its number.
    continued: String,
    /// The language of the current unit where it differs from the book's.
    lang: Option<String>,
    lang_open: bool,
    /// Facing pages balanced: when a verso runs short (a widow or orphan moved over), its
    /// last baseline, which the recto facing it then does not pass either.
    short_verso: Option<Pt>,
    balance_to: Option<Pt>,
    /// Figures waiting for the next page.
    floats: Vec<Figure>,
    /// The page whose paragraphs were last chosen among their variants (see [`Flow::plan`]).
    planned: usize,
    /// The unit's pages were planned together ([`Flow::plan_unit`]): no page is planned
    /// again on its own, nor balanced with the page facing it.
    whole: bool,
    /// How many lines short the last verso ended, for the recto facing it (0 when it
    /// ended its unit: such a page is not filled).
    verso_short: usize,
    /// The baseline and descent of the last body line set on the page.
    last_line: Option<(Pt, Pt)>,
    /// The plan's buffer of the states after each line of a paragraph (see
    /// [`Flow::plan_lines`]), kept so that planning allocates nothing per paragraph.
    plan_states: std::cell::RefCell<Vec<(State, Option<usize>)>>,
    /// The book reads right to left: its binding is on the right, so a recto's inner
    /// margin is on its right.
    pub rtl: bool,
    /// Where the lines being set come from, and where each page began: page index and
    /// place, for the pages whose text has a place (the EPUB's page list).
    at: Option<Spot>,
    pub spots: Vec<(usize, Spot)>,
    /// Tagged PDF: structure marks go onto the pages (see `write/tags.rs`).
    pub tagged: bool,
    /// The pages carry their lines and where each comes from (`Page::lines`).
    pub record: bool,
    /// The next key of a structure element (keys are unique in the book).
    pub next_key: u32,
    /// The structure elements open with `current` (their key and type), innermost last.
    stack: Vec<(u32, Role)>,
    /// The keys of the unit's elements by the numbers its operations give them.
    local: FxHashMap<u32, u32>,
    /// The part open, if any: its chapters go into it.
    part: Option<u32>,
    /// Sections and parts that ended while notes of theirs are still to be set: they close
    /// when the notes are out.
    deferred: Vec<u32>,
    /// The section reserved with the contents' pages.
    pub reserved_key: Option<u32>,
    /// The element of the content last marked on the page (`Mark::Tag`).
    tag_now: u32,
    /// The languages of the unit's spans: a run's `lang` n is entry n - 1.
    span_langs: Vec<String>,
}

impl<'a, S: PageSink> Flow<'a, S> {
    /// A flow whose first page is page `first` (1-based) of the file.
    pub(crate) fn new(g: &'a Geometry, first: usize, continued: &str, sink: S) -> Self {
        Flow {
            g,
            sink,
            page: g.blank_page(),
            number: first,
            folio_offset: 0,
            cursor: None,
            folio: false,
            opening: false,
            arabic_from: None,
            heads: (String::new(), String::new()),
            head_lines: [None, None],
            pending: Vec::new(),
            outline: Vec::new(),
            pending_anchors: Vec::new(),
            anchors: Vec::new(),
            linked: BTreeSet::new(),
            starts: Vec::new(),
            reserved: Vec::new(),
            targets: Vec::new(),
            notes: BTreeMap::new(),
            foot: Vec::new(),
            carried: Vec::new(),
            calls: Vec::new(),
            continued: continued.to_string(),
            lang: None,
            lang_open: false,
            short_verso: None,
            balance_to: None,
            floats: Vec::new(),
            planned: 0,
            whole: false,
            verso_short: 0,
            last_line: None,
            plan_states: Default::default(),
            rtl: false,
            at: None,
            spots: Vec::new(),
            tagged: false,
            record: false,
            next_key: FIRST_KEY,
            stack: Vec::new(),
            local: FxHashMap::default(),
            part: None,
            deferred: Vec::new(),
            reserved_key: None,
            tag_now: ARTIFACT,
            span_langs: Vec::new(),
        }
    }

    /// Whether anything is painted on the page (structure marks paint nothing).
    fn painted(&self) -> bool {
        self.page.marks.iter().any(|m| !matches!(m, Mark::Open { .. } | Mark::Close(_) | Mark::Tag(_)))
    }

    /// The element the content set now goes into: the innermost open one.
    fn current(&self) -> u32 {
        self.stack.last().map_or(ARTIFACT, |e| e.0)
    }

    /// The element a new element goes into: the innermost open one that is not an
    /// artifact, else the document.
    fn parent(&self) -> u32 {
        self.stack.iter().rev().map(|e| e.0).find(|k| *k >= FIRST_KEY).unwrap_or(DOCUMENT)
    }

    /// Where a footnote called now goes: into the innermost section, after the block of it
    /// that calls the note (outside lists, tables and quotes, which hold no notes).
    fn note_home(&self) -> (u32, Option<u32>) {
        match self.stack.iter().rposition(|e| e.1 == Role::Sect) {
            Some(i) => (self.stack[i].0, self.stack.get(i + 1).map(|e| e.0).filter(|k| *k >= FIRST_KEY)),
            None => (self.parent(), None),
        }
    }

    fn new_key(&mut self) -> u32 {
        let k = self.next_key;
        self.next_key += 1;
        k
    }

    /// The content that follows belongs to `key`.
    fn tag(&mut self, key: u32) {
        if self.tagged && self.tag_now != key {
            self.page.marks.push(Mark::Tag(key));
            self.tag_now = key;
        }
    }

    /// Open structure element `elem` under `parent` with a new key.
    fn open_elem(&mut self, parent: u32, elem: Elem) -> u32 {
        let key = self.new_key();
        self.page.marks.push(Mark::Open { key, parent, elem: Box::new(elem) });
        key
    }

    /// Close element `key` now, or once the notes set so far are out when it is a section
    /// or a part (the notes go into it).
    fn close_elem(&mut self, key: u32, role: Option<Role>) {
        if matches!(role, Some(Role::Sect | Role::Part)) {
            self.deferred.push(key);
        } else {
            self.page.marks.push(Mark::Close(key));
        }
    }

    fn end_part(&mut self) {
        if let Some(p) = self.part.take() {
            if let Some(i) = self.stack.iter().position(|e| e.0 == p) {
                self.stack.truncate(i);
            }
            self.deferred.push(p);
        }
    }

    /// Draw `l` as `move_line` does, in a tagged PDF with each run in its element: the
    /// unit's element its `tag` names, else `default`; runs of a link (when `links`) in a
    /// `Link` element of their own inside it. Returns the `Link` elements made, by link.
    fn put_line(&mut self, l: &mut Line, left: Pt, baseline: Pt, default: u32, links: bool) -> Vec<(u32, u32)> {
        if !self.tagged {
            move_line(&mut self.page.marks, l, left, baseline);
            return Vec::new();
        }
        let mut made: Vec<(u32, u32)> = Vec::new();
        // A line of cells (a table row, a contents entry) reads out as one row, as in an
        // untagged file; the cells' own sequences are inside.
        let row = l.text.contains('\t');
        if row {
            self.page.marks.push(Mark::Begin { actual_text: Some(l.text.clone()), lang: None });
        }
        // Text in another language than its paragraph's: a `Span` with its `Lang` (its parent,
        // language and key), one per line and stretch of runs.
        let mut span: Option<(u32, u16, u32)> = None;
        for r in &mut l.runs {
            let mut t = if r.tag != 0 { self.local.get(&r.tag).copied().unwrap_or(default) } else { default };
            let lang = self.span_langs.get((r.lang as usize).wrapping_sub(1)).filter(|_| t >= FIRST_KEY);
            match (lang, span) {
                (Some(_), Some((p, n, k))) if p == t && n == r.lang => t = k,
                (Some(tag), _) => {
                    let elem = Elem { lang: Some(tag.clone()), ..Elem::of(Role::Span) };
                    if let Some((_, _, k)) = span.take() {
                        self.page.marks.push(Mark::Close(k));
                    }
                    let k = self.open_elem(t, elem);
                    span = Some((t, r.lang, k));
                    t = k;
                }
                (None, Some((_, _, k))) => {
                    self.page.marks.push(Mark::Close(k));
                    span = None;
                }
                (None, None) => {}
            }
            if links && r.link > 0 && t >= FIRST_KEY {
                t = match made.iter().find(|m| m.0 == r.link) {
                    Some(m) => m.1,
                    None => {
                        let k = self.open_elem(t, Elem::of(Role::Link));
                        made.push((r.link, k));
                        k
                    }
                };
            }
            self.tag(t);
            self.page.marks.push(take_run(r, left, baseline, row));
        }
        if row {
            self.page.marks.push(Mark::End);
        }
        if let Some((_, _, k)) = span {
            self.page.marks.push(Mark::Close(k));
        }
        for m in &made {
            self.page.marks.push(Mark::Close(m.1));
        }
        made
    }

    /// A structure operation of the unit being replayed.
    fn structure(&mut self, op: &Op) {
        if !self.tagged {
            return;
        }
        match op {
            Op::Open { id, elem, current } => {
                if elem.role == Role::Artifact {
                    self.local.insert(*id, ARTIFACT);
                    if *current {
                        self.stack.push((ARTIFACT, Role::Artifact));
                    }
                    return;
                }
                if elem.role == Role::Part {
                    self.end_part();
                }
                let key = self.open_elem(self.parent(), elem.clone());
                self.local.insert(*id, key);
                if *current {
                    self.stack.push((key, elem.role));
                }
                if elem.role == Role::Part {
                    self.part = Some(key);
                }
            }
            Op::OpenReserved(id) => {
                let key = match self.reserved_key {
                    Some(k) => k,
                    None => self.open_elem(self.parent(), Elem::of(Role::Sect)),
                };
                self.local.insert(*id, key);
                self.stack.push((key, Role::Sect));
            }
            Op::Close(id) => {
                let Some(&key) = self.local.get(id) else { return };
                let role = self.stack.iter().rposition(|e| e.0 == key).map(|i| {
                    let role = self.stack[i].1;
                    self.stack.truncate(i);
                    role
                });
                if key == ARTIFACT {
                    return;
                }
                if self.part == Some(key) {
                    self.part = None;
                }
                self.close_elem(key, role);
            }
            Op::EndPart => self.end_part(),
            _ => {}
        }
    }

    /// Where the pages go.
    pub(crate) fn sink(&mut self) -> &mut S {
        &mut self.sink
    }

    fn left(&self) -> Pt {
        // Odd pages are rectos: the inner margin is on the left, or in a book that reads
        // right to left on the right.
        if (self.number % 2 == 1) != self.rtl {
            self.g.inner
        } else {
            self.g.outer
        }
    }

    fn empty(&self) -> bool {
        !self.painted() && self.foot.is_empty()
    }

    /// Carry out `ops`; `typesetter` sets folios, running heads and note labels.
    pub(crate) fn replay(&mut self, mut ops: Vec<Op>, typesetter: &mut Typesetter) -> Result<(), Diagnostic> {
        self.local.clear();
        self.span_langs.clear();
        self.whole = false;
        let mut tried = self.g.tuning.looseness == 0;
        for i in 0..ops.len() {
            if matches!(ops[i], Op::Lines { .. }) {
                // Before the unit's first line, its pages are planned together; where that
                // cannot be done, each page's paragraphs (and the facing page's) are chosen
                // among their variants before any is set.
                if !tried {
                    tried = true;
                    self.whole = self.plan_unit(typesetter, &mut ops[i..]);
                    if self.whole {
                        self.balance_to = None;
                    }
                }
                if !self.whole && self.planned != self.number {
                    self.plan(typesetter, &[], Pt::ZERO, &mut ops[i..]);
                }
                if let Op::Lines { lines, advance, keep: true, .. } = &ops[i] {
                    if self.cursor.is_some() && !self.keeps(lines, *advance, &ops[i + 1..]) {
                        self.finish_page(typesetter)?;
                        if !self.whole {
                            self.plan(typesetter, &[], Pt::ZERO, &mut ops[i..]);
                        }
                    }
                }
            }
            // The lines of an op are moved into the pages as they are set; what follows is
            // only looked at, or at a new page set in other variants.
            let (done, following) = ops.split_at_mut(i + 1);
            match &mut done[i] {
                Op::Lines { lines, dx, advance, .. } => {
                    let (dx, advance) = (*dx, *advance);
                    self.lines(typesetter, lines, dx, advance, following)?;
                    continue;
                }
                Op::Note { number, lines } => {
                    self.notes.insert(*number, std::mem::take(lines));
                    continue;
                }
                _ => {}
            }
            match &done[i] {
                Op::Lines { .. } | Op::Note { .. } => {}
                op @ (Op::Open { .. } | Op::Close(_) | Op::OpenReserved(_) | Op::EndPart) => self.structure(op),
                Op::Skip(s) | Op::HeadingSpace { space: s, .. } => self.skip(*s),
                Op::SkipTo(y) => self.cursor = Some(y.max(self.cursor.unwrap_or(Pt::ZERO))),
                Op::NewPage { recto } => self.new_page(typesetter, *recto)?,
                Op::NoFolio => self.opening = true,
                Op::Arabic => {
                    if self.arabic_from.is_none() {
                        self.arabic_from = Some(self.number - 1);
                    }
                }
                Op::Heads { verso, recto } => self.heads = (verso.clone(), recto.clone()),
                Op::Bookmark { level, title, contents } => self.pending.push((*level, title.clone(), *contents)),
                Op::Targets(t) => self.targets = t.clone(),
                Op::SpanLangs(l) => self.span_langs = l.clone(),
                Op::Anchor(a) => self.pending_anchors.push(a.clone()),
                Op::EndUnit => {
                    // Notes never called are set at the foot of the unit's last page.
                    let rest: Vec<u32> = self.notes.keys().copied().collect();
                    let home = (self.parent(), None);
                    for n in rest {
                        self.place_note(n, usize::MAX, home);
                    }
                    self.targets.clear();
                }
                Op::Lang(l) => {
                    if self.lang_open {
                        self.page.marks.push(Mark::End);
                        self.lang_open = false;
                    }
                    self.lang = l.clone();
                }
                Op::Figure(f) => {
                    // Figures keep their order; one that does not fit waits for the next
                    // page while the text goes on, and goes into the section then.
                    let fresh = self.cursor.is_none() && !self.painted();
                    let mut f = f.clone();
                    if self.floats.is_empty() && (fresh || self.figure_fits(&f)) {
                        f.home = self.parent();
                        self.place_figure(&f);
                    } else {
                        f.home = self.note_home().0;
                        self.floats.push(f);
                    }
                }
                Op::Rule { dx, width, below } => {
                    if let Some(c) = self.cursor {
                        // The rule's foot `below` the baseline, 0.4 pt above it its top.
                        let y = c + *below - RULE;
                        let x = self.left() + *dx;
                        self.tag(ARTIFACT);
                        self.page.marks.push(Mark::Rect { x, y, width: *width, height: RULE });
                    }
                }
                Op::Cover { key, image, bleed, alt } => {
                    // Scaled to fill the page with its bleed, centred: the bleed falls
                    // outside the page, as it does when the printed cover is trimmed.
                    let (w, h) = (self.g.width + 2.0 * *bleed, self.g.height + 2.0 * *bleed);
                    let scale = (w.get() / image.width as f32).max(h.get() / image.height as f32);
                    let (iw, ih) = (Pt::new(image.width as f32 * scale), Pt::new(image.height as f32 * scale));
                    let figure = self.tagged.then(|| {
                        let (x0, y0) = ((self.g.width - iw) / 2.0, (self.g.height - ih) / 2.0);
                        let bbox = Some([
                            x0.max(Pt::ZERO),
                            y0.max(Pt::ZERO),
                            self.g.width.min(x0 + iw),
                            self.g.height.min(y0 + ih),
                        ]);
                        let elem = Elem { alt: Some(alt.clone()), bbox, ..Elem::of(Role::Figure) };
                        let key = self.open_elem(self.parent(), elem);
                        self.tag(key);
                        key
                    });
                    self.page.marks.push(Mark::Image {
                        key: key.clone(),
                        image: image.clone(),
                        x: (self.g.width - iw) / 2.0,
                        y: (self.g.height - ih) / 2.0,
                        width: iw,
                        height: ih,
                    });
                    if let Some(key) = figure {
                        self.page.marks.push(Mark::Close(key));
                    }
                    self.opening = true;
                    self.finish_page(typesetter)?;
                    // The inside of the cover follows; page i is the recto after it.
                    self.folio_offset = self.number;
                }
                Op::At(at) => self.at = Some(*at),
                Op::Reserve(n) => {
                    if !self.empty() || self.cursor.is_some() {
                        self.finish_page(typesetter)?;
                    }
                    // The contents' section, in its place in reading order; what it holds
                    // comes when the contents are set, last.
                    if self.tagged {
                        let key = self.open_elem(self.parent(), Elem::of(Role::Sect));
                        self.reserved_key = Some(key);
                    }
                    for _ in 0..*n {
                        self.reserved.push(self.number - 1);
                        self.number += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Finish the last page; returns the first page numbered in Arabic.
    pub(crate) fn finish(&mut self, typesetter: &mut Typesetter) -> Result<(), Diagnostic> {
        self.flush_floats(typesetter)?;
        if !self.empty() || self.cursor.is_some() {
            self.finish_page(typesetter)?;
        }
        while !self.carried.is_empty() {
            self.finish_page(typesetter)?;
        }
        Ok(())
    }

    /// The folio of the page being filled: Roman in the front matter, Arabic after.
    pub(crate) fn folio_text(&self) -> String {
        folio_text(self.number, self.folio_offset, self.arabic_from)
    }

    /// How far down the page body text may reach with `foot` lines of notes below it.
    fn limit(&self, foot: usize) -> Pt {
        self.limit_with(foot, self.balance_to)
    }

    fn limit_with(&self, foot: usize, balance: Option<Pt>) -> Pt {
        let limit = self.g.height - self.g.bottom - self.g.foot_height(foot);
        match balance {
            Some(b) if foot == 0 => limit.min(b + self.g.size * 0.4),
            _ => limit,
        }
    }

    fn open_lang(&mut self) {
        // A tagged PDF gives the language on the speech's section instead.
        if self.tagged {
            return;
        }
        if let (Some(l), false) = (&self.lang, self.lang_open) {
            self.page.marks.push(Mark::Begin { actual_text: None, lang: Some(l.clone()) });
            self.lang_open = true;
        }
    }

    fn finish_page(&mut self, typesetter: &mut Typesetter) -> Result<(), Diagnostic> {
        if self.lang_open {
            self.page.marks.push(Mark::End);
            self.lang_open = false;
        }
        self.set_foot();
        if self.folio && !self.opening && self.painted() {
            self.set_folio_and_head(typesetter);
        }
        // Sections and parts whose notes are all set now close.
        if self.carried.is_empty() {
            for key in std::mem::take(&mut self.deferred) {
                self.page.marks.push(Mark::Close(key));
            }
        }
        if self.number.is_multiple_of(2) {
            self.verso_short = match self.last_line {
                Some((depth, descent)) if self.carried.is_empty() => self.short_by(depth, descent, self.foot.len()),
                _ => 0,
            };
        }
        // The next page starts with room for as many marks as this one took: pages hold
        // much the same, and the marks no longer grow (and move) from empty on each.
        let mut next = self.g.blank_page();
        next.marks.reserve(self.page.marks.len());
        let page = std::mem::replace(&mut self.page, next);
        self.tag_now = ARTIFACT;
        self.sink.page(self.number - 1, page)?;
        self.balance_to = if self.number.is_multiple_of(2) { self.short_verso.take() } else { None };
        self.short_verso = None;
        self.number += 1;
        self.cursor = None;
        self.last_line = None;
        self.folio = false;
        self.opening = false;
        self.calls.clear();
        // A note continued from the page before heads the new page's notes, under a label;
        // at most half the page goes to it, the rest continues again.
        if !self.carried.is_empty() {
            let label = self.continued.replace("{}", &self.carried[0].note.to_string());
            let style = SpanStyle {
                face: FaceId::ITALIC,
                size: (self.g.size * self.g.scale.note).get(),
                rise: 0.0,
                case: Case::Normal,
                hyphenate: false,
                link: 0,
                lang: 0,
            };
            let line = one_line(typesetter, &label, style, self.g.measure());
            let room = ((self.g.height - self.g.top - self.g.bottom) * 0.5 / self.g.note_advance()) as usize;
            let take = self.carried.len().min(room.saturating_sub(1).max(1));
            let note = self.carried[0].note;
            let home = (ARTIFACT, None);
            let (first, last, key, para) = (false, false, ARTIFACT, None);
            let f = FootLine { line, dx: Pt::ZERO, note, first, last, key, home, doc: None, para };
            self.foot.push(f);
            self.foot.extend(self.carried.drain(..take));
        }
        // Figures that waited head the new page, as many as fit.
        while let Some(f) = self.floats.first() {
            let fresh = self.cursor.is_none();
            if !fresh && !self.figure_fits(f) {
                break;
            }
            let f = self.floats.remove(0);
            self.place_figure(&f);
            // The space after a figure that waited (the text's own went with the page).
            self.skip(self.g.leading);
        }
        Ok(())
    }

    /// Place the figures still waiting before the unit ends, on new pages if need be.
    fn flush_floats(&mut self, typesetter: &mut Typesetter) -> Result<(), Diagnostic> {
        while let Some(f) = self.floats.first() {
            if self.figure_fits(f) {
                let f = self.floats.remove(0);
                self.place_figure(&f);
            } else {
                self.finish_page(typesetter)?;
            }
        }
        Ok(())
    }

    /// Where a figure's image starts (from the top of the page), after what is set.
    fn figure_top(&self) -> Pt {
        self.cursor.map_or(self.g.top, |c| c + self.g.leading * 0.5)
    }

    fn figure_fits(&self, f: &Figure) -> bool {
        let bottom = self.figure_top() + f.height + f.caption.len() as f32 * f.advance;
        bottom + self.g.size * 0.4 <= self.limit(self.foot.len())
    }

    fn place_figure(&mut self, f: &Figure) {
        self.spot(f.at);
        let top = self.figure_top();
        let left = self.left();
        self.open_lang();
        self.place_pending(top);
        // Tagged: a `Figure` with the alt text and its box, its caption inside it.
        let figure = self.tagged.then(|| {
            let (x0, x1) = (left + f.dx, left + f.dx + f.width);
            let elem =
                Elem { alt: Some(f.alt.clone()), bbox: Some([x0, top, x1, top + f.height]), ..Elem::of(Role::Figure) };
            let key = self.open_elem(f.home, elem);
            self.tag(key);
            key
        });
        self.page.marks.push(Mark::Image {
            key: f.key.clone(),
            image: f.image.clone(),
            x: left + f.dx,
            y: top,
            width: f.width,
            height: f.height,
        });
        let mut baseline = top + f.height + f.advance * 0.9;
        let caption = figure.map(|k| (k, self.open_elem(k, Elem::of(Role::Caption))));
        for (i, l) in f.caption.iter().enumerate() {
            if i > 0 {
                baseline += f.advance;
            }
            self.record_line(l, left + f.caption_dx, baseline, Some(LineFrom::Text(f.at)));
            match caption {
                Some((_, c)) => {
                    self.put_line(&mut l.clone(), left + f.caption_dx, baseline, c, false);
                }
                None => push_line(&mut self.page.marks, l, left + f.caption_dx, baseline),
            }
        }
        if let Some((k, c)) = caption {
            self.page.marks.push(Mark::Close(c));
            self.page.marks.push(Mark::Close(k));
        }
        self.cursor = Some(baseline);
        self.folio = true;
    }

    /// Draw the footnote area under a short rule (a full-width one when a note continues
    /// from the page before), and link each note with its call.
    fn set_foot(&mut self) {
        if self.foot.is_empty() {
            return;
        }
        let g = self.g;
        self.open_lang();
        let top = g.height - g.bottom - g.foot_height(self.foot.len());
        let left = self.left();
        let continued = self.foot.first().is_some_and(|f| !f.first);
        let rule = if continued { g.measure() } else { g.measure() * g.space.note_rule };
        // The short rule stands where the notes' lines start.
        let rtl = self.lang.as_deref().map_or(self.rtl, bidi::rtl_language);
        let x = if rtl { left + g.measure() - rule } else { left };
        self.tag(ARTIFACT);
        self.page.marks.push(Mark::Rect { x, y: top + g.leading * 0.45 - RULE, width: rule, height: RULE });
        let page = self.number - 1;
        let foot = std::mem::take(&mut self.foot);
        for (i, mut f) in foot.into_iter().enumerate() {
            let baseline = top + g.leading + g.note_advance() * (i as f32 + 0.75);
            let call = if f.first { self.calls.iter().find(|c| c.0 == f.note).map(|c| (c.1, c.2)) } else { None };
            // Tagged: the note is a `Note` element (with an identifier) after the block that
            // calls it; its number, which leads back to the call, a `Link` in it.
            let tagged = self.tagged && f.key >= FIRST_KEY;
            if tagged && f.first {
                let elem = Elem { id: Some(format!("note-{}", f.key)), after: f.home.1, ..Elem::of(Role::Note) };
                self.page.marks.push(Mark::Open { key: f.key, parent: f.home.0, elem: Box::new(elem) });
            }
            let number = f.line.runs.first().map(|r| (r.x, r.width));
            if call.is_some() {
                if let Some(r) = f.line.runs.first_mut() {
                    r.link = u32::MAX;
                }
            }
            let from = f.doc.map(|doc| LineFrom::Note { doc, number: f.note });
            self.record_line(&f.line, left + f.dx, baseline, from);
            let mut home = f.key;
            if let (true, Some((p, first, _))) = (tagged, f.para) {
                if first {
                    self.page.marks.push(Mark::Open { key: p, parent: f.key, elem: Box::new(Elem::of(Role::P)) });
                }
                home = p;
            }
            let made = self.put_line(&mut f.line, left + f.dx, baseline, home, tagged);
            if let (true, Some((p, _, true))) = (tagged, f.para) {
                self.page.marks.push(Mark::Close(p));
            }
            if tagged && f.last {
                self.page.marks.push(Mark::Close(f.key));
            }
            let (Some((call, call_tag)), Some((rx, rw))) = (call, number) else { continue };
            let x = left + f.dx + Pt::new(rx);
            let (descent, ascent) = (Pt::new(f.line.descent), Pt::new(f.line.ascent));
            let area = Area { x0: x, x1: x + Pt::new(rw), y: baseline, descent, ascent };
            // The note's number leads to its call, the call to the note, each a little
            // above the line's top.
            let to_call = call.y - call.ascent - g.size;
            let tag = made.iter().find(|m| m.0 == u32::MAX).map_or(0, |m| m.1);
            let contents = f.note.to_string();
            let target = Target::Page { index: page, top: to_call };
            self.page.links.push(Link { area, target, tag, contents: contents.clone() });
            let to_note = baseline - ascent - g.size * 0.5;
            let target = Target::Page { index: page, top: to_note };
            self.page.links.push(Link { area: call, target, tag: call_tag, contents });
        }
        if self.lang_open {
            self.page.marks.push(Mark::End);
            self.lang_open = false;
        }
    }

    fn set_folio_and_head(&mut self, typesetter: &mut Typesetter) {
        let g = self.g;
        let small = SpanStyle {
            face: FaceId::REGULAR,
            size: (g.size * g.scale.folio).get(),
            rise: 0.0,
            case: Case::Normal,
            hyphenate: false,
            link: 0,
            lang: 0,
        };
        let m = Measure { width: g.measure().get(), indent: 0.0, align: Alignment::Center, lang: Lang::english() };
        let lines = typesetter.set(&[Span { text: self.folio_text(), style: small }], &m);
        // The folio's baseline stands this high above the foot of the page.
        let y = g.height - (g.bottom * 0.5 + g.size * 0.3);
        let left = self.left();
        self.tag(FOOTER);
        for l in &lines {
            push_line(&mut self.page.marks, l, left, y);
        }
        // The running head, centred above the text, shortened to one line.
        let verso = self.number.is_multiple_of(2);
        let head = if verso { &self.heads.0 } else { &self.heads.1 };
        let style = match g.running_heads {
            style::RunningHeads::Smallcaps => Some(SpanStyle { case: Case::SmallCaps, ..small }),
            style::RunningHeads::Italic => Some(SpanStyle { face: FaceId::ITALIC, ..small }),
            style::RunningHeads::None => None,
        };
        if let (Some(style), false) = (style, head.is_empty()) {
            // A head set before is taken as it was set: its words are shaped and recorded
            // by then, so setting it again would give the same line (the work of a
            // paragraph for each page, on the thread every page waits for).
            let last = &mut self.head_lines[usize::from(verso)];
            let mut line = match last {
                Some((text, line)) if text == head => line.clone(),
                _ => {
                    let line = one_line(typesetter, head, style, g.measure() * 0.8);
                    *last = Some((head.clone(), line.clone()));
                    line
                }
            };
            let shift = (g.measure() - Pt::new(line.width)) / 2.0;
            let y = g.top * 0.55;
            self.tag(HEADER);
            move_line(&mut self.page.marks, &mut line, left + shift, y);
        }
    }

    /// Start a new page (a recto when `recto`), leaving an empty page before if needed.
    /// Notes still continuing are set first, on pages of their own.
    fn new_page(&mut self, typesetter: &mut Typesetter, recto: bool) -> Result<(), Diagnostic> {
        self.flush_floats(typesetter)?;
        if !self.empty() || self.cursor.is_some() {
            self.finish_page(typesetter)?;
            self.verso_short = 0;
        }
        while !self.carried.is_empty() || !self.foot.is_empty() {
            self.finish_page(typesetter)?;
        }
        if recto && self.number.is_multiple_of(2) {
            self.finish_page(typesetter)?;
        }
        Ok(())
    }

    /// Vertical space before the next line.
    fn skip(&mut self, space: Pt) {
        if let Some(c) = self.cursor.as_mut() {
            *c += space;
        }
    }

    /// The notes `l` calls that are still to be placed.
    fn calls_of(&self, l: &Line) -> Vec<u32> {
        let mut out = Vec::new();
        for r in &l.runs {
            if let Some(LinkTarget::Note(n)) = r.link.checked_sub(1).and_then(|i| self.targets.get(i as usize)) {
                if self.notes.contains_key(n) && !out.contains(n) {
                    out.push(*n);
                }
            }
        }
        out
    }

    /// Where line `l` goes after state `s`, and the notes it calls with it; `None` when it
    /// does not fit on this page. A fresh page always takes a line. The notes a line calls
    /// go on its page; when the last of them does not fit whole, at least two of its lines
    /// stay and the rest continues on the next page, after which the page takes no more
    /// calls (notes keep their order).
    fn admit(&self, s: State, l: &Line, advance: Pt) -> Option<(State, Option<usize>)> {
        let g = self.g;
        // The advance alone spaces lines: the font's ascender and descender (1.46 em in
        // Gentium) are a recommendation for the gap between lines, not ink. The first line
        // of a page hangs from the top margin by about its capital height.
        let mut next = match s.cursor {
            Some(c) => c + advance,
            None => g.top + Pt::new(l.ascent * 0.73).max(g.size * 0.8),
        };
        // Lines at the body's leading sit on the grid; others (headings, tables, title
        // pages) keep their own spacing, and the text after them returns to the grid.
        if g.grid && (advance - g.leading).abs() < Pt::new(0.01) {
            next = g.snap(next);
        }
        let fresh = s.cursor.is_none();
        let descent = Pt::new(l.descent);
        let calls = self.calls_of(l);
        if calls.is_empty() {
            let fits = fresh || next + descent <= self.limit_with(s.foot, s.balance);
            return fits.then_some((State { cursor: Some(next), ..s }, None));
        }
        if s.split {
            return None;
        }
        let lens: Vec<usize> = calls.iter().map(|n| self.notes.get(n).map_or(0, Vec::len)).collect();
        let all = s.foot + lens.iter().sum::<usize>();
        if next + descent <= self.limit_with(all, s.balance) {
            return Some((State { cursor: Some(next), foot: all, split: false, ..s }, None));
        }
        // Split the last note: as many of its lines as fit, at least two (one on a page
        // that has nothing else).
        let before = all - lens[lens.len() - 1];
        let last = lens[lens.len() - 1];
        let mut m = last;
        while m > 0 && next + descent > self.limit_with(before + m, s.balance) {
            m -= 1;
        }
        // Two lines stay and two go over, and no word is broken across the pages.
        let lines = calls.last().and_then(|n| self.notes.get(n));
        while m > 0 && lines.is_some_and(|l| l.get(m - 1).is_some_and(|(l, _, _)| l.hyphenated)) {
            m -= 1;
        }
        let least = if fresh { 1 } else { 2 };
        if m >= least && m + 2 <= last {
            return Some((State { cursor: Some(next), foot: before + m, split: true, ..s }, Some(m)));
        }
        if fresh {
            // Not even that: the line still goes here (a page must take something) and its
            // notes start on this page as far as they go.
            return Some((State { cursor: Some(next), foot: before + m.max(1), split: true, ..s }, Some(m.max(1))));
        }
        None
    }

    fn state(&self) -> State {
        State { cursor: self.cursor, foot: self.foot.len(), split: !self.carried.is_empty(), balance: self.balance_to }
    }

    /// How many of `lines` fit on the current page after state `s`.
    fn fitting(&self, mut s: State, lines: &[Line], advance: Pt) -> usize {
        for (i, l) in lines.iter().enumerate() {
            match self.admit(s, l, advance) {
                Some((n, _)) => s = n,
                None => return i,
            }
        }
        lines.len()
    }

    /// Whether `lines` and the first two lines of the next block (after the spaces between)
    /// fit on the current page.
    fn keeps(&self, lines: &[Line], advance: Pt, rest: &[Op]) -> bool {
        self.keeps_from(self.state(), lines, advance, rest)
    }

    fn keeps_from(&self, mut s: State, lines: &[Line], advance: Pt, rest: &[Op]) -> bool {
        for l in lines {
            match self.admit(s, l, advance) {
                Some((n, _)) => s = n,
                None => return false,
            }
        }
        for op in rest {
            match op {
                Op::Skip(x) | Op::HeadingSpace { space: x, .. } => s.cursor = s.cursor.map(|c| c + *x),
                Op::Lines { lines, advance, .. } => {
                    // As many lines as the page would really take (widow, orphan and
                    // hyphen rules included), and at least two.
                    let k = self.fitting(s, lines, *advance);
                    let t = take(lines, k, s.cursor.is_none());
                    return t == lines.len() || t >= 2;
                }
                // A figure that does not fit floats to the next page; the text after it
                // comes here.
                Op::Figure(_) | Op::Rule { .. } => {}
                Op::Bookmark { .. } | Op::Anchor(_) | Op::Note { .. } | Op::Targets(_) | Op::Lang(_) | Op::At(_) => {}
                Op::SpanLangs(_) => {}
                Op::Open { .. } | Op::Close(_) | Op::OpenReserved(_) | Op::EndPart => {}
                _ => return true,
            }
        }
        true
    }

    /// Set lines at `dx` from the left margin, each `advance` below the last, breaking the
    /// page where needed without leaving an orphan (a paragraph's first line alone at the
    /// foot of a page) or a widow (its last line alone at the head of the next): a page
    /// runs a line short rather than leave one.
    fn lines(
        &mut self,
        typesetter: &mut Typesetter,
        lines: &mut [Line],
        dx: Pt,
        advance: Pt,
        following: &mut [Op],
    ) -> Result<(), Diagnostic> {
        let mut from = 0;
        while from < lines.len() {
            let rest = &lines[from..];
            let k = self.fitting(self.state(), rest, advance);
            let mut take = take(rest, k, self.cursor.is_none());
            if take < rest.len() && take == k && !self.whole {
                take = self.balanced_take(rest, take, advance, following);
            }
            self.set_lines(&mut lines[from..from + take], dx, advance);
            from += take;
            if from < lines.len() {
                let verso = self.number.is_multiple_of(2);
                if verso && take < k && self.foot.is_empty() && self.carried.is_empty() && !self.whole {
                    self.short_verso = self.cursor;
                }
                self.finish_page(typesetter)?;
                if !self.whole {
                    self.plan(typesetter, &lines[from..], advance, following);
                }
            }
        }
        Ok(())
    }

    /// Facing pages balanced: a full verso whose recto would run short (a widow or orphan
    /// moved over) gives up its last line when the recto then ends level with it.
    fn balanced_take(&self, rest: &[Line], take: usize, advance: Pt, following: &[Op]) -> usize {
        let s = self.state();
        if !self.number.is_multiple_of(2) || take < 3 || s.foot > 0 || s.split || rest[take - 2].hyphenated {
            return take;
        }
        // The verso's last baseline with `t` of the lines, and the recto's with the rest.
        let depth = |t: usize| {
            let mut st = s;
            for l in &rest[..t] {
                st = self.admit(st, l, advance).map_or(st, |x| x.0);
            }
            st.cursor
        };
        let (Some(full), Some(short)) = (depth(take), depth(take - 1)) else { return take };
        let recto = |t: usize, balance: Option<Pt>| self.page_depth(&rest[t..], advance, following, balance);
        let Some(as_is) = recto(take, None) else { return take };
        if as_is >= full - Pt::new(0.5) {
            return take;
        }
        match recto(take - 1, Some(short)) {
            Some(d) if (d - short).abs() < (as_is - full).abs() => take - 1,
            _ => take,
        }
    }

    /// The last baseline of a fresh page that starts with `lines` and goes on with
    /// `following`; `None` when that cannot be told from here or does not matter: the unit
    /// ends on the page, or it holds notes or an image.
    fn page_depth(&self, lines: &[Line], advance: Pt, following: &[Op], balance: Option<Pt>) -> Option<Pt> {
        let mut s = State { cursor: None, foot: 0, split: false, balance };
        let blocks = std::iter::once((lines, advance, false, 0)).chain(following.iter().enumerate().filter_map(
            |(j, op)| match op {
                Op::Lines { lines, advance, keep, .. } => Some((&lines[..], *advance, *keep, j + 1)),
                _ => None,
            },
        ));
        let mut at = 0;
        for (lines, advance, keep, j) in blocks {
            for op in &following[at.min(following.len())..j.saturating_sub(1).max(at)] {
                match op {
                    Op::Skip(x) | Op::HeadingSpace { space: x, .. } => s.cursor = s.cursor.map(|c| c + *x),
                    Op::SkipTo(y) => s.cursor = Some(y.max(s.cursor.unwrap_or(Pt::ZERO))),
                    Op::Bookmark { .. }
                    | Op::Anchor(_)
                    | Op::Heads { .. }
                    | Op::Targets(_)
                    | Op::SpanLangs(_)
                    | Op::Lang(_)
                    | Op::At(_)
                    | Op::Arabic
                    | Op::Rule { .. }
                    | Op::Open { .. }
                    | Op::Close(_)
                    | Op::OpenReserved(_)
                    | Op::EndPart => {}
                    _ => return None,
                }
            }
            at = j;
            if lines.iter().any(|l| !self.calls_of(l).is_empty()) {
                return None;
            }
            let rest = &following[j.min(following.len())..];
            if keep && s.cursor.is_some() && !self.keeps_from(s, lines, advance, rest) {
                return s.cursor;
            }
            let k = self.fitting(s, lines, advance);
            let t = take(lines, k, s.cursor.is_none());
            for l in &lines[..t] {
                s = self.admit(s, l, advance)?.0;
            }
            if t < lines.len() {
                return s.cursor;
            }
        }
        None
    }

    /// How many more lines of the body would fit under a last baseline at `depth` (with
    /// `descent` below it) above `foot` lines of notes: how many lines short the page ends.
    fn short_by(&self, depth: Pt, descent: Pt, foot: usize) -> usize {
        let room = self.limit_with(foot, None) - descent - depth;
        (room / self.g.leading + 0.001).floor().max(0.0) as usize
    }

    /// Where a page that starts in state `s` at `from` ends: `from.0` 0 is `cur` (the
    /// rest of the op being set), `k` > 0 is `ops[k - 1]`, set in the variant `pick[k - 1]`
    /// names; `from.1` the line of it. `None` when that cannot be told (a figure).
    fn sim_page(
        &self,
        mut s: State,
        cur: (&[Line], Pt),
        ops: &[Op],
        pick: &[Option<usize>],
        from: (usize, usize),
    ) -> Option<End> {
        let (mut k, mut t0) = from;
        let mut last: Option<(Pt, Pt)> = None;
        let end = |s: State, last: Option<(Pt, Pt)>, at: (usize, usize)| -> Option<End> {
            let short = last.map_or(0, |(d, x)| self.short_by(d, x, s.foot));
            Some(End::Break { short, at, split: s.split })
        };
        while k <= ops.len() {
            let block = if k == 0 {
                Some((cur.0, cur.1, false))
            } else {
                match &ops[k - 1] {
                    Op::Lines { lines, advance, keep, variants, .. } => {
                        let lines = match pick[k - 1] {
                            Some(v) => &variants.set()[v].lines[..],
                            None => &lines[..],
                        };
                        Some((lines, *advance, *keep))
                    }
                    _ => None,
                }
            };
            match block {
                Some((lines, advance, keep)) => {
                    let lines = &lines[t0.min(lines.len())..];
                    if keep && t0 == 0 && k > 0 && s.cursor.is_some() && !self.keeps_from(s, lines, advance, &ops[k..])
                    {
                        return end(s, last, (k, 0));
                    }
                    let n = self.fitting(s, lines, advance);
                    let t = take(lines, n, s.cursor.is_none());
                    for l in &lines[..t] {
                        s = self.admit(s, l, advance)?.0;
                        last = s.cursor.map(|c| (c, Pt::new(l.descent)));
                    }
                    if t < lines.len() {
                        return end(s, last, (k, t0 + t));
                    }
                }
                None => match &ops[k - 1] {
                    Op::Skip(x) => s.cursor = s.cursor.map(|c| c + *x),
                    Op::HeadingSpace { space, variants } => {
                        let x = pick[k - 1].map_or(*space, |v| variants[v]);
                        s.cursor = s.cursor.map(|c| c + x);
                    }
                    Op::SkipTo(y) => s.cursor = Some(y.max(s.cursor.unwrap_or(Pt::ZERO))),
                    Op::Bookmark { .. }
                    | Op::Anchor(_)
                    | Op::Heads { .. }
                    | Op::Targets(_)
                    | Op::Lang(_)
                    | Op::Arabic
                    | Op::NoFolio
                    | Op::Note { .. }
                    | Op::Rule { .. }
                    | Op::At(_)
                    | Op::Open { .. }
                    | Op::Close(_)
                    | Op::OpenReserved(_)
                    | Op::EndPart => {}
                    Op::Figure(_) => return None,
                    _ => return Some(End::Open(k)),
                },
            }
            k += 1;
            t0 = 0;
        }
        Some(End::Open(k))
    }

    /// How far the page being begun (and, on a verso, the recto facing it) end from full
    /// and from level, in lines, with the variants `pick`; and how many of `ops` start on
    /// those pages. `None` when that cannot be told.
    fn spread_cost(&self, cur: (&[Line], Pt), ops: &[Op], pick: &[Option<usize>]) -> Option<(usize, usize)> {
        let verso = self.number.is_multiple_of(2);
        let first = self.sim_page(self.state(), cur, ops, pick, (0, 0))?;
        let (short, at, split) = match first {
            End::Open(k) => return Some((0, k.min(ops.len()))),
            End::Break { short, at, split } => (short, at, split),
        };
        if !verso {
            return Some((short + short.abs_diff(self.verso_short), at.0.min(ops.len())));
        }
        if split {
            return Some((short, at.0.min(ops.len())));
        }
        let fresh = State { cursor: None, foot: 0, split: false, balance: None };
        match self.sim_page(fresh, cur, ops, pick, at)? {
            End::Open(k) => Some((short, k.min(ops.len()))),
            End::Break { short: next, at, .. } => Some((short + next + short.abs_diff(next), at.0.min(ops.len()))),
        }
    }

    /// At the start of a page: choose, among the paragraphs that start on it (and on the
    /// recto facing it, when it is a verso), which to set a line longer or shorter than
    /// their best ([`Op::Lines`] `variants`), and which headings to set a line of the grid
    /// higher or lower ([`Op::HeadingSpace`]), so that the pages end full and level: a few
    /// changes at most, each time the one that helps most for the fewest demerits. The
    /// variants are set (with `typesetter`) only when a page would end short.
    fn plan(&mut self, typesetter: &mut Typesetter, cur: &[Line], advance: Pt, ops: &mut [Op]) {
        self.planned = self.number;
        let tuning = &self.g.tuning;
        if tuning.looseness == 0 {
            return;
        }
        let scale = tuning.looseness_demerits.max(1.0) as f64;
        let mut pick: Vec<Option<usize>> = vec![None; ops.len()];
        let Some((mut lines, mut reach)) = self.spread_cost((cur, advance), ops, &pick) else { return };
        let mut spent = 0.0f64;
        for _ in 0..MAX_CHANGES {
            if lines == 0 {
                break;
            }
            let mut best: Option<(usize, f64, usize, usize, usize)> = None;
            for j in 0..reach.min(ops.len()) {
                if pick[j].is_some() {
                    continue;
                }
                let costs: Vec<f64> = match &mut ops[j] {
                    Op::Lines { variants, .. } => {
                        variants.get(typesetter, tuning).iter().map(|v| v.cost as f64).collect()
                    }
                    Op::HeadingSpace { .. } => vec![tuning.heading_demerits as f64; 2],
                    _ => continue,
                };
                for (v, cost) in costs.into_iter().enumerate() {
                    pick[j] = Some(v);
                    if let Some((l, r)) = self.spread_cost((cur, advance), ops, &pick) {
                        let c = spent + cost / scale;
                        if l < lines && best.is_none_or(|b| (l, c) < (b.0, b.1)) {
                            best = Some((l, c, j, v, r));
                        }
                    }
                    pick[j] = None;
                }
            }
            let Some((l, c, j, v, r)) = best else { break };
            pick[j] = Some(v);
            (lines, spent, reach) = (l, c, r);
        }
        for (j, v) in pick.iter().enumerate() {
            let Some(v) = v else { continue };
            if let Op::HeadingSpace { variants, .. } = &ops[j] {
                ops[j] = Op::Skip(variants[*v]);
                continue;
            }
            let Op::Lines { lines, variants: Variants::Set(variants), .. } = &mut ops[j] else { continue };
            // The variant taken changes places with the lines it replaces, and the
            // costs become relative to it.
            let (delta, cost) = (variants[*v].delta, variants[*v].cost);
            std::mem::swap(lines, &mut variants[*v].lines);
            for (u, other) in variants.iter_mut().enumerate() {
                if u == *v {
                    other.delta = -delta;
                    other.cost = -cost;
                } else {
                    other.delta -= delta;
                    other.cost -= cost;
                }
            }
        }
    }

    /// Outline entries waiting for the next line point at `top` (from the top of the page).
    fn place_pending(&mut self, top: Pt) {
        for (level, title, contents) in self.pending.drain(..) {
            let placed = Placed { level, title, page: self.number - 1, top };
            if contents {
                self.starts.push(placed.clone());
            }
            self.outline.push(placed);
        }
        for a in self.pending_anchors.drain(..) {
            self.anchors.push((a, self.number - 1, top));
        }
    }

    fn set_lines(&mut self, lines: &mut [Line], dx: Pt, advance: Pt) {
        for l in lines {
            // `lines` checked that these fit (a fresh page takes any line); should the check
            // ever disagree, the line is still set, below the last, rather than lost.
            let (next, split) = match self.admit(self.state(), l, advance) {
                Some((s, split)) => (s.cursor.unwrap_or(self.g.top), split),
                None => (self.cursor.map_or(self.g.top, |c| c + advance), None),
            };
            let from = self.at.map(|at| Spot { word: at.word + l.word, ..at });
            if let Some(at) = from {
                self.spot(at);
            }
            let left = self.left() + dx;
            let baseline = next;
            self.record_line(l, left, baseline, from.map(LineFrom::Text));
            let (descent, ascent) = (Pt::new(l.descent), Pt::new(l.ascent));
            self.open_lang();
            self.place_pending(baseline - ascent);
            let current = self.current();
            let made = self.put_line(l, left, baseline, current, true);
            // Links and note calls on the line.
            let calls = self.calls_of(l);
            // One area per link and line, over all the runs of the link.
            let mut areas: Vec<(u32, Area)> = Vec::new();
            for r in l.runs.iter().filter(|r| r.link > 0) {
                let x0 = left + Pt::new(r.x);
                let area = Area { x0, x1: x0 + Pt::new(r.width), y: baseline, descent, ascent };
                match areas.iter_mut().find(|a| a.0 == r.link) {
                    Some(a) => {
                        a.1.x0 = a.1.x0.min(area.x0);
                        a.1.x1 = a.1.x1.max(area.x1);
                    }
                    None => areas.push((r.link, area)),
                }
            }
            for (link, area) in areas {
                let Some(t) = self.targets.get(link as usize - 1) else { continue };
                let tag = made.iter().find(|m| m.0 == link).map_or(0, |m| m.1);
                // What the link says in words: its address, or the line it is on.
                let line_text = || l.text.replace('\t', " ").trim().to_string();
                match t {
                    LinkTarget::Uri(u) => {
                        self.page.links.push(Link { area, target: Target::Uri(u.clone()), tag, contents: u.clone() })
                    }
                    LinkTarget::Anchor(a) => {
                        self.linked.insert(a.clone());
                        let contents = line_text();
                        self.page.links.push(Link { area, target: Target::Named(a.clone()), tag, contents })
                    }
                    LinkTarget::Page { index, top } => {
                        let target = Target::Page { index: *index, top: *top };
                        self.page.links.push(Link { area, target, tag, contents: line_text() })
                    }
                    LinkTarget::Note(n) => {
                        if calls.contains(n) {
                            self.calls.push((*n, area, tag));
                        }
                    }
                }
            }
            let home = self.note_home();
            for (i, n) in calls.iter().enumerate() {
                let keep = if i + 1 == calls.len() { split.unwrap_or(usize::MAX) } else { usize::MAX };
                self.place_note(*n, keep, home);
            }
            self.cursor = Some(next);
            self.last_line = Some((next, descent));
            self.folio = true;
        }
    }

    /// Keep `l`, drawn at `left` on `baseline`, in the page's lines when they are
    /// recorded (see [`Page::lines`]): its area over its runs, its text and `from`.
    fn record_line(&mut self, l: &Line, left: Pt, baseline: Pt, from: Option<LineFrom>) {
        if !self.record || l.runs.is_empty() {
            return;
        }
        let x0 = l.runs.iter().map(|r| r.x).fold(f32::INFINITY, f32::min);
        let x1 = l.runs.iter().map(|r| r.x + r.width).fold(f32::NEG_INFINITY, f32::max);
        let area = Area {
            x0: left + Pt::new(x0),
            x1: left + Pt::new(x1),
            y: baseline,
            descent: Pt::new(l.descent),
            ascent: Pt::new(l.ascent),
        };
        self.page.lines.push(PlacedLine { area, text: l.text.clone(), from });
    }

    /// The current page begins at `at`, unless something with a place was set on it
    /// before.
    fn spot(&mut self, at: Spot) {
        let index = self.number - 1;
        if self.spots.last().is_none_or(|s| s.0 != index) {
            self.spots.push((index, at));
        }
    }

    /// Put note `n` into the page's footnote area: its first `keep` lines here, the rest
    /// continued on the next page.
    fn place_note(&mut self, n: u32, keep: usize, home: (u32, Option<u32>)) {
        let Some(lines) = self.notes.remove(&n) else { return };
        let key = if self.tagged { self.new_key() } else { ARTIFACT };
        let count = lines.len();
        // Tagged: each paragraph of the note a `P` in it.
        let mut paras: Vec<u32> = Vec::new();
        if self.tagged {
            let count = lines.last().map_or(0, |l| l.2 as usize + 1);
            paras.extend((0..count).map(|_| self.new_key()));
        }
        let para_of: Vec<u32> = lines.iter().map(|l| l.2).collect();
        for (i, (line, dx, p)) in lines.into_iter().enumerate() {
            let para = paras.get(p as usize).map(|&k| {
                let first = i == 0 || para_of[i - 1] != p;
                let last = i + 1 == count || para_of[i + 1] != p;
                (k, first, last)
            });
            let doc = self.at.map(|a| a.doc);
            let f = FootLine { line, dx, note: n, first: i == 0, last: i + 1 == count, key, home, doc, para };
            if i < keep && self.carried.is_empty() {
                self.foot.push(f);
            } else {
                self.carried.push(f);
            }
        }
    }
}

/// How many of `lines` a page takes when `k` of them fit: all when all fit; else no widow
/// (two lines go over), no orphan (two stay, or the block starts on the next page), and no
/// word broken across the pages (the page ends a line earlier). A `fresh` page always takes
/// something.
fn take(lines: &[Line], k: usize, fresh: bool) -> usize {
    let n = lines.len();
    if k >= n {
        return n;
    }
    let mut t = k;
    if n - t < 2 {
        t = n.saturating_sub(2);
    }
    if t < 2 && !fresh {
        t = 0;
    }
    // Back over a ladder of hyphenated lines to one that ends a word.
    while t > 0 && lines[t - 1].hyphenated {
        if t > 2 {
            t -= 1;
        } else {
            if !fresh {
                t = 0;
            }
            break;
        }
    }
    if fresh {
        t = t.clamp(1, k.max(1));
    }
    t
}

/// The folio of page `number` (1-based, counting every page of the file): Roman numerals
/// from the first page after `offset`, Arabic figures from page `arabic_from` (0-based).
pub(crate) fn folio_text(number: usize, offset: usize, arabic_from: Option<usize>) -> String {
    match arabic_from {
        Some(a) if number > a => (number - a).to_string(),
        _ => roman(number.saturating_sub(offset).max(1)),
    }
}

/// `text` set on one line no wider than `width`, cut at a word with an ellipsis if needed.
pub(crate) fn one_line(typesetter: &mut Typesetter, text: &str, style: SpanStyle, width: Pt) -> Line {
    let m = Measure { width: 100_000.0, indent: 0.0, align: Alignment::Ragged, lang: Lang::default() };
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let mut candidate = text.to_string();
    loop {
        let mut lines = typesetter.set(&[Span { text: candidate.clone(), style }], &m);
        let line = lines.pop().unwrap_or_default();
        if line.width <= width.get() || words.len() <= 1 {
            return line;
        }
        words.pop();
        let kept = words.join(" ");
        candidate = format!("{}\u{a0}…", kept.trim_end_matches([',', ';', ':', '.', '–', '—', ' ']));
    }
}
