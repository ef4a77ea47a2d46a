//! The blocks of a chapter set into layout operations, one method per kind of block:
//! paragraphs and verse, headings, quotes, lists, rules, code, figures and tables. Sizes
//! and spaces come from the style's `[sizes]` and `[spacing]` (see [`Geometry`]).

use super::{Figure, Layout, Op, Variants};
use crate::diagnostics::{Diagnostic, Kind};
use crate::document::pages::Spot;
use crate::document::{Align, Block, BlockKind, ImageRef, Inline};
use crate::lang::Lang;
use crate::pdf::font::FaceId;
use crate::pdf::length::Pt;
use crate::pdf::text::paragraph::{Alignment, Line, Measure, Span, SpanStyle};
use crate::pdf::write::{Elem, Role};

/// Where a block is set: its language, its source file (for messages), its distance from
/// the left margin and the type size of the text around it.
#[derive(Clone, Copy)]
pub(super) struct At<'c> {
    pub(super) lang: &'c Lang,
    pub(super) src: &'c str,
    pub(super) dx: Pt,
    pub(super) size: Pt,
}

impl Layout<'_, '_> {
    /// Set one block; returns whether it was a paragraph (the next one gets an indent).
    pub(super) fn block(&mut self, ops: &mut Vec<Op>, b: &Block, at: At, after_paragraph: bool) -> bool {
        self.block_no += 1;
        ops.push(Op::At(Spot { doc: self.doc, block: self.block_no, word: 0 }));
        match &b.kind {
            BlockKind::Paragraph { content } => return self.paragraph(ops, content, b.line, at, after_paragraph),
            BlockKind::Heading { level, content, anchor } => {
                ops.push(Op::Anchor(anchor.clone()));
                self.heading(ops, *level, content, b.line, at)
            }
            BlockKind::Quote { blocks } => {
                let q = self.open(ops, Elem::of(Role::BlockQuote));
                self.quote(ops, blocks, at);
                ops.push(Op::Close(q));
            }
            BlockKind::List { start, items, .. } => self.list(ops, *start, items, at),
            BlockKind::Rule => {
                // The asterisks are decoration: the break itself is the gap.
                let a = self.open(ops, Elem::of(Role::Artifact));
                self.rule(ops, b.line, at);
                ops.push(Op::Close(a));
            }
            BlockKind::Code { text, .. } => {
                let c = self.open(ops, Elem::of(Role::Code));
                self.code(ops, text, b.line, at);
                ops.push(Op::Close(c));
            }
            BlockKind::Image { image } => self.figure(ops, image, b.line, at),
            BlockKind::Table { head, rows, align } => self.table(ops, head, rows, align, b.line, at),
        }
        false
    }

    /// Space of `lines` lines of the leading.
    fn space(&self, lines: f32) -> Op {
        Op::Skip(self.g.leading * lines)
    }

    /// A paragraph; returns false for verse, which the next paragraph does not indent after.
    fn paragraph(&mut self, ops: &mut Vec<Op>, content: &[Inline], line: usize, at: At, after: bool) -> bool {
        let g = self.g;
        let mut spans = Vec::new();
        let st = self.text_style(FaceId::REGULAR, at.size);
        self.spanner().spans(content, st, false, false, &mut spans);
        let p = self.open(ops, Elem::of(Role::P));
        // Lines broken by hand (verse, an address): set as a block of their own,
        // indented, ragged, with space around and no first-line indent.
        if content.iter().filter(|i| matches!(i, Inline::Break)).count() >= 2 {
            ops.push(self.space(g.space.around_blocks));
            let dx = at.dx + g.space.quote_indent * at.size;
            self.block_lines(ops, &spans, at.lang, Alignment::Ragged, Pt::ZERO, dx, at.src, line);
            ops.push(Op::Close(p));
            ops.push(self.space(g.space.around_blocks));
            return false;
        }
        let indent = if after { g.indent } else { Pt::ZERO };
        if !after || g.paragraph_space > Pt::ZERO {
            ops.push(Op::Skip(g.paragraph_space));
        }
        self.block_lines(ops, &spans, at.lang, g.align, indent, at.dx, at.src, line);
        ops.push(Op::Close(p));
        true
    }

    fn heading(&mut self, ops: &mut Vec<Op>, level: u8, content: &[Inline], line: usize, at: At) {
        let g = self.g;
        let scale = match level {
            1 | 2 => g.scale.heading,
            3 => g.scale.subheading,
            _ => 1.0,
        };
        // Half a line less above the heading sets the text under it a line of the grid
        // higher, a line more a line lower (the text after a heading snaps to the grid).
        let space = g.leading * g.space.before_heading;
        let less = (space - g.leading * 0.5).max(Pt::ZERO);
        ops.push(Op::HeadingSpace { space, variants: [less, space + g.leading] });
        let title = crate::document::plain_text(content);
        if level <= 2 && !title.trim().is_empty() {
            ops.push(Op::Bookmark { level: self.depth + 1, title, contents: false });
        }
        let mut spans = Vec::new();
        let style = SpanStyle { hyphenate: false, ..self.text_style(FaceId::BOLD, at.size * scale) };
        self.spanner().spans(content, style, true, false, &mut spans);
        // Below the chapter's title: `#` and `##` one level down from it, `###` two and so
        // on, never skipping a level (a `###` right under the title is the next level down).
        let level = (self.depth + 1 + level.saturating_sub(1).max(1)).min(self.last_heading + 1).min(6);
        self.last_heading = level;
        let h = self.open(ops, Elem::of(Role::H(level)));
        self.block_lines(ops, &spans, at.lang, Alignment::Ragged, Pt::ZERO, at.dx, at.src, line);
        if let Some(Op::Lines { keep, .. }) = ops.last_mut() {
            *keep = true;
        }
        ops.push(Op::Close(h));
        ops.push(self.space(g.space.after_heading));
    }

    fn quote(&mut self, ops: &mut Vec<Op>, blocks: &[Block], at: At) {
        let g = self.g;
        ops.push(self.space(g.space.around_blocks));
        let inner = At { dx: at.dx + g.space.quote_indent * g.size, size: at.size * g.scale.quote, ..at };
        let mut after = false;
        for x in blocks {
            after = self.block(ops, x, inner, after);
        }
        ops.push(self.space(g.space.around_blocks));
    }

    fn list(&mut self, ops: &mut Vec<Op>, start: Option<u64>, items: &[Vec<Block>], at: At) {
        let g = self.g;
        let size = at.size;
        ops.push(self.space(g.space.around_lists));
        let list = self.open(ops, Elem::of(Role::L));
        let hang = g.space.list_indent * size;
        let rtl = at.lang.is_rtl();
        for (i, item) in items.iter().enumerate() {
            let marker = match start {
                Some(n) => format!("{}.", super::figures(n + i as u64, self.zero)),
                None => "•".to_string(),
            };
            // The marker hangs in the indent, right-aligned against the item's text.
            let mstyle = self.text_style(FaceId::REGULAR, size);
            let m = Measure {
                width: (hang - 0.4 * size).get(),
                indent: 0.0,
                align: Alignment::Ragged,
                lang: at.lang.clone(),
            };
            let marker_lines = self.typesetter.set(&[Span { text: marker, style: mstyle }], &m);
            let mut item_ops = Vec::new();
            let li = self.open(&mut item_ops, Elem::of(Role::LI));
            let label = self.open_aside(&mut item_ops, Elem::of(Role::Lbl));
            let body = self.open(&mut item_ops, Elem::of(Role::LBody));
            let mut after = false;
            for x in item {
                after = self.block(&mut item_ops, x, At { dx: at.dx + hang, ..at }, after);
            }
            // The marker joins the item's first line, so it moves with it.
            let first = item_ops.iter_mut().find_map(|o| match o {
                Op::Lines { lines, .. } => lines.first_mut(),
                _ => None,
            });
            if let (Some(first), Some(l)) = (first, marker_lines.first()) {
                // Right to left, the marker stands right of the item's text, which ends
                // flush with its measure.
                let x = if rtl {
                    g.measure() - at.dx - hang + 0.4 * size
                } else {
                    hang - 0.4 * size - Pt::new(l.width) - hang
                };
                for r in l.runs.iter().rev() {
                    let mut r = r.clone();
                    r.x += x.get();
                    r.tag = label;
                    first.runs.insert(0, r);
                }
            }
            item_ops.extend([Op::Close(body), Op::Close(label), Op::Close(li)]);
            ops.extend(item_ops);
        }
        ops.push(Op::Close(list));
        ops.push(self.space(g.space.around_lists));
    }

    /// A thematic break: three spaced asterisks.
    fn rule(&mut self, ops: &mut Vec<Op>, line: usize, at: At) {
        let g = self.g;
        ops.push(self.space(g.space.around_blocks));
        let s = Span { text: "*\u{2003}*\u{2003}*".into(), style: self.text_style(FaceId::REGULAR, at.size) };
        self.block_lines(ops, &[s], at.lang, Alignment::Center, Pt::ZERO, at.dx, at.src, line);
        ops.push(self.space(g.space.around_blocks));
    }

    fn code(&mut self, ops: &mut Vec<Op>, text: &str, line: usize, at: At) {
        let g = self.g;
        ops.push(self.space(g.space.around_blocks));
        let face = self.typesetter.fonts().monospace.unwrap_or(FaceId::REGULAR);
        let style = SpanStyle { hyphenate: false, ..self.text_style(face, at.size * g.scale.code) };
        let width = (g.measure() - at.dx).get();
        let code = self.typesetter.set_code(text.trim_end_matches('\n'), style, at.lang, width);
        self.problems(at.src, line);
        if code.wrapped > 0 {
            let n = code.wrapped;
            self.report.push(
                Diagnostic::warning(
                    Kind::Content,
                    format!(
                        "{n} line{} of this code block {} wider than the text block; wrapped, each continuation \
                         marked with an arrow",
                        if n == 1 { "" } else { "s" },
                        if n == 1 { "is" } else { "are" }
                    ),
                )
                .at(at.src, None, line, None)
                .with_hint("break the long lines in the source where they read best"),
            );
        }
        // The leading grows with the type, as for other blocks; right to left, the lines
        // stand at the left of a measure indented from the right.
        let advance = Pt::new(g.leading.get() * style.size / g.size.get()).max(g.leading);
        let dx = if at.lang.is_rtl() { Pt::ZERO } else { at.dx };
        ops.push(Op::Lines { lines: code.lines, dx, advance, keep: false, variants: Variants::None });
        ops.push(self.space(g.space.around_blocks));
    }

    /// An image with its caption (the alt text and title), as a figure the flow may float
    /// to the next page; its description alone when it cannot be placed.
    fn figure(&mut self, ops: &mut Vec<Op>, image: &ImageRef, line: usize, at: At) {
        let g = self.g;
        ops.push(self.space(g.space.around_blocks));
        let mut text = image.alt.clone();
        if let Some(t) = &image.title {
            text.push_str(": ");
            text.push_str(t);
        }
        let caption = Span { text, style: self.text_style(FaceId::ITALIC, at.size * g.scale.caption) };
        let mut caption_ops = Vec::new();
        self.block_lines(&mut caption_ops, &[caption], at.lang, Alignment::Center, Pt::ZERO, at.dx, at.src, line);
        match self.image(&image.asset.path) {
            Ok(pic) => {
                // As wide as the measure, but never enlarged below 150 pixels per inch (the
                // least a print shop accepts; the print edition is set the same way), no
                // taller than 60 % of the text area, centred.
                let avail = g.measure() - at.dx;
                let aspect = pic.height as f32 / pic.width as f32;
                let mut width = avail.min(Pt::new(pic.width as f32 * 72.0 / 150.0));
                let max_height = (g.height - g.top - g.bottom) * 0.6;
                if width * aspect > max_height {
                    width = max_height / aspect;
                }
                let Some(Op::Lines { lines, advance, .. }) = caption_ops.pop() else { return };
                ops.push(Op::Figure(Figure {
                    key: image.asset.path.to_string_lossy().into_owned(),
                    image: pic,
                    width,
                    height: width * aspect,
                    dx: at.dx + (avail - width) / 2.0,
                    caption: lines,
                    caption_dx: at.dx,
                    advance,
                    at: Spot { doc: self.doc, block: self.block_no, word: 0 },
                    alt: image.alt.clone(),
                    home: 0,
                }));
            }
            Err(why) => {
                self.report.push(
                    Diagnostic::warning(
                        Kind::Content,
                        format!(
                            "the image `{}` is not placed in the PDF, only its description: {why}",
                            image.asset.shown.display()
                        ),
                    )
                    .at(at.src, None, line, None)
                    .with_hint("save it as PNG or JPEG to have it in the PDF"),
                );
                let p = self.open(ops, Elem::of(Role::P));
                ops.extend(caption_ops);
                ops.push(Op::Close(p));
            }
        }
        ops.push(self.space(g.space.around_blocks));
    }

    /// A table cell's spans, bold in the head.
    fn cell_spans(&mut self, cell: &[Inline], header: bool, size: Pt) -> Vec<Span> {
        let mut spans = Vec::new();
        let face = if header { FaceId::BOLD } else { FaceId::REGULAR };
        let style = SpanStyle { hyphenate: false, ..self.text_style(face, size) };
        self.spanner().spans(cell, style, header, false, &mut spans);
        spans
    }

    /// The widest word of a set line (its words parted by space glyphs), points.
    fn widest_word(&self, line: &Line) -> f32 {
        let fonts = self.typesetter.fonts();
        let (mut widest, mut start, mut end) = (0.0f32, None::<f32>, 0.0f32);
        for r in &line.runs {
            let f = fonts.face(r.face);
            let space = f.glyph(' ');
            for gl in &r.glyphs {
                let left = r.x + gl.x;
                if Some(gl.id) == space {
                    if let Some(s) = start.take() {
                        widest = widest.max(end - s);
                    }
                    continue;
                }
                start.get_or_insert(left);
                end = left + f.advance(gl.id) * r.size / f.units_per_em * r.hscale;
            }
        }
        if let Some(s) = start {
            widest = widest.max(end - s);
        }
        widest
    }

    /// Each column's natural width (its widest cell set on one line) and its least (its
    /// widest word), at type size `size`.
    fn column_extents(
        &mut self,
        rows: &[&Vec<Vec<Inline>>],
        head: bool,
        cols: usize,
        size: Pt,
        at: At,
    ) -> Vec<(f32, f32)> {
        let mut out = vec![(0.0f32, 0.0f32); cols];
        for (ri, row) in rows.iter().enumerate() {
            for (ci, cell) in row.iter().enumerate() {
                let spans = self.cell_spans(cell, ri == 0 && head, size);
                let m = Measure { width: 10_000.0, indent: 0.0, align: Alignment::Ragged, lang: at.lang.clone() };
                for l in self.typesetter.set(&spans, &m) {
                    out[ci].0 = out[ci].0.max(l.width);
                    out[ci].1 = out[ci].1.max(self.widest_word(&l));
                }
            }
        }
        out
    }

    /// A table with rules above, under the head and below, as a well-set table has; each
    /// row is set line by line across its cells, and reads out as one row. A table wider
    /// than the measure is made to fit in three steps, and a warning says which it took
    /// ([`fit_table`]): its type is made smaller, down to a floor; then its cells wrap;
    /// then its columns are split into parts set one below the other, each repeating the
    /// first column (the row labels), which the text layer reads only once.
    fn table(
        &mut self,
        ops: &mut Vec<Op>,
        head: &Vec<Vec<Inline>>,
        rows: &[Vec<Vec<Inline>>],
        align: &[Align],
        line: usize,
        at: At,
    ) {
        let g = self.g;
        ops.push(self.space(g.space.around_blocks));
        let cols = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        let base = at.size * g.scale.table;
        let all: Vec<&Vec<Vec<Inline>>> = std::iter::once(head).chain(rows.iter()).filter(|r| !r.is_empty()).collect();
        let has_head = !head.is_empty();
        let extents = self.column_extents(&all, has_head, cols, base, at);
        self.problems(at.src, line);
        let avail = (g.measure() - at.dx).get();
        let fit = fit_table(&extents, base.get(), avail);
        if let Some(what) = fit.warning(cols, base.get()) {
            self.report.push(
                Diagnostic::warning(Kind::Content, format!("this table is wider than the text block: {what}"))
                    .at(at.src, None, line, None)
                    .with_hint("fewer or narrower columns fit the page; a table of many columns may read better turned, its rows as columns"),
            );
        }
        for (pi, (columns, widths)) in fit.parts.iter().enumerate() {
            if pi > 0 {
                ops.push(self.space(g.space.around_blocks));
            }
            self.table_part(ops, &all, has_head, columns, widths, align, Pt::new(fit.size), base, line, at);
        }
        ops.push(self.space(g.space.around_blocks));
    }

    /// The columns `columns` of a table's rows, `widths` wide, at type size `size`; the
    /// first column of a part after the first is a repeat and reads out as nothing.
    #[allow(clippy::too_many_arguments)]
    fn table_part(
        &mut self,
        ops: &mut Vec<Op>,
        all: &[&Vec<Vec<Inline>>],
        has_head: bool,
        columns: &[usize],
        widths: &[f32],
        align: &[Align],
        size: Pt,
        base: Pt,
        line: usize,
        at: At,
    ) {
        let g = self.g;
        let gap = 1.2 * size.get();
        let n = columns.len();
        let repeat = columns.first() == Some(&0) && columns.get(1).is_some_and(|&c| c > 1);
        let table_width = Pt::new(widths.iter().sum::<f32>() + gap * (n as f32 - 1.0));
        // Right to left, the table stands at the right and its first column is rightmost.
        let rtl = at.lang.is_rtl();
        let dx = if rtl { g.measure() - at.dx - table_width } else { at.dx };
        let table = self.open(ops, Elem::of(Role::Table));
        ops.push(Op::Rule { dx, width: table_width, below: g.leading * 0.1 });
        let mut lefts: Vec<f32> = widths
            .iter()
            .scan(0.0, |x, w| {
                let l = *x;
                *x += w + gap;
                Some(l)
            })
            .collect();
        if rtl {
            for (l, w) in lefts.iter_mut().zip(widths) {
                *l = table_width.get() - *l - w;
            }
        }
        let aligns: Vec<Align> = columns.iter().map(|&c| align.get(c).copied().unwrap_or(Align::None)).collect();
        let empty = Vec::new();
        let mut set_rows = Vec::with_capacity(all.len());
        let block = self.block_no;
        for (ri, row) in all.iter().enumerate() {
            let mut cells = Vec::new();
            for (ci, &c) in columns.iter().enumerate() {
                let spans = self.cell_spans(row.get(c).unwrap_or(&empty), ri == 0 && has_head, size);
                let m = Measure { width: widths[ci], indent: 0.0, align: Alignment::Ragged, lang: at.lang.clone() };
                cells.push(self.typesetter.set(&spans, &m));
            }
            self.problems(at.src, line);
            set_rows.push(cells);
        }
        // Rows of wrapped cells get a little space between them, so each reads as one.
        let depth = |cells: &Vec<Vec<Line>>| cells.iter().map(Vec::len).max().unwrap_or(0);
        let wraps = set_rows.iter().skip(usize::from(has_head)).any(|c| depth(c) > 1);
        for (ri, cells) in set_rows.iter().enumerate() {
            if wraps && ri > usize::from(has_head) {
                ops.push(self.space(0.3));
            }
            // A row's lines begin at the row (`word` counts rows in a table).
            ops.push(Op::At(Spot { doc: self.doc, block, word: ri as u32 }));
            // A row's cells are set side by side in its lines; each cell's runs are tagged
            // with its element. The head's cells are headers of their columns; a first
            // column repeated from an earlier part is an artifact.
            let tr = self.open(ops, Elem::of(Role::TR));
            let role = if ri == 0 && has_head { Role::TH } else { Role::TD };
            let tags: Vec<u32> = (0..cells.len())
                .map(|ci| {
                    let r = if repeat && ci == 0 { Role::Artifact } else { role };
                    self.open_aside(ops, Elem::of(r))
                })
                .collect();
            for li in 0..depth(cells) {
                let merged = row_line(cells, li, widths, &lefts, &aligns, rtl, repeat, &tags);
                let advance = g.leading * 0.95 * (size / base).min(1.0);
                ops.push(Op::Lines { lines: vec![merged], dx, advance, keep: false, variants: Variants::None });
            }
            ops.extend(tags.iter().map(|t| Op::Close(*t)));
            ops.push(Op::Close(tr));
            if ri == 0 && has_head {
                ops.push(Op::Rule { dx, width: table_width, below: size * 0.4 });
                ops.push(self.space(0.2));
            }
        }
        ops.push(Op::Rule { dx, width: table_width, below: size * 0.4 });
        ops.push(Op::Close(table));
    }
}

/// The smallest a table's type is made to fit, as a share of its size, and in points.
const TABLE_FLOOR: f32 = 0.75;
const TABLE_FLOOR_PT: f32 = 6.0;
/// The least width of a column that wraps, in ems of its type (when its text is wider).
const MIN_COLUMN_EMS: f32 = 3.0;

/// How a table is set: its type size and its parts, each the columns it shows and their
/// widths (one part unless it was split).
#[derive(Debug, PartialEq)]
struct TableFit {
    size: f32,
    wrapped: bool,
    parts: Vec<(Vec<usize>, Vec<f32>)>,
}

impl TableFit {
    /// What was done to a table of `cols` columns at type size `base`, for the warning.
    fn warning(&self, cols: usize, base: f32) -> Option<String> {
        let size = format!("{:.1} pt instead of {:.1} pt", self.size, base);
        let smaller = self.size < base;
        if self.parts.len() > 1 {
            let most = self.parts.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
            Some(format!(
                "its {cols} columns are set at {size}, their cells wrapped, and split into {} parts of at most {most} \
                 columns set one below the other, each repeating the first column",
                self.parts.len()
            ))
        } else if self.wrapped && smaller {
            Some(format!("its type is set at {size} and its cells wrap"))
        } else if smaller {
            Some(format!("its type is set at {size}"))
        } else {
            None
        }
    }
}

/// How a table whose columns have the natural and least widths `extents` (at type size
/// `base`) fits `avail` points: at `base` when it does; else on one line a row at the size
/// that fits, if not below the floor ([`TABLE_FLOOR`]); else with its cells wrapped, each
/// column at least its widest word or [`MIN_COLUMN_EMS`] wide (never wider than its natural
/// width), at the largest size down to the floor at which that fits; else at the floor with
/// its columns split into parts, filled in order, each starting with the first column.
fn fit_table(extents: &[(f32, f32)], base: f32, avail: f32) -> TableFit {
    let gaps = |n: usize, size: f32| 1.2 * size * n.saturating_sub(1) as f32;
    let natural: f32 = extents.iter().map(|e| e.0).sum::<f32>() + gaps(extents.len(), base);
    let all: Vec<usize> = (0..extents.len()).collect();
    if natural <= avail {
        return TableFit { size: base, wrapped: false, parts: vec![(all, extents.iter().map(|e| e.0).collect())] };
    }
    let floor = (base * TABLE_FLOOR).max(TABLE_FLOOR_PT).min(base);
    // Widths scale with the type; a tenth of a point less, for a size that reads plainly.
    let fitting = (base * avail / natural * 10.0).floor() / 10.0;
    if fitting >= floor {
        let k = fitting / base;
        return TableFit {
            size: fitting,
            wrapped: false,
            parts: vec![(all, extents.iter().map(|e| e.0 * k).collect())],
        };
    }
    // Cells wrap at the largest size down to the floor at which every column keeps its
    // widest word (or a few ems) on a line: prose in cells need not shrink.
    let least_at = |size: f32| -> Vec<f32> {
        let k = size / base;
        extents.iter().map(|e| (e.1 * k).max(MIN_COLUMN_EMS * size).min(e.0 * k)).collect()
    };
    let least_total = least_at(base).iter().sum::<f32>() + gaps(extents.len(), base);
    let wrapping = ((base * avail / least_total * 10.0).floor() / 10.0).min(base);
    let size = if wrapping >= floor { wrapping } else { floor };
    let k = size / base;
    let nat: Vec<f32> = extents.iter().map(|e| e.0 * k).collect();
    let least = least_at(size);
    let width = |cs: &[usize]| cs.iter().map(|&c| least[c]).sum::<f32>() + gaps(cs.len(), size);
    let mut parts: Vec<Vec<usize>> = Vec::new();
    if wrapping >= floor {
        parts.push(all);
    } else {
        let mut part = vec![0];
        for c in 1..extents.len() {
            part.push(c);
            if part.len() > 2 && width(&part) > avail {
                part.pop();
                parts.push(std::mem::replace(&mut part, vec![0, c]));
            }
        }
        parts.push(part);
    }
    let parts = parts
        .into_iter()
        .map(|cs| {
            let room = avail - gaps(cs.len(), size);
            let widths = share(
                &cs.iter().map(|&c| least[c]).collect::<Vec<_>>(),
                &cs.iter().map(|&c| nat[c]).collect::<Vec<_>>(),
                room,
            );
            (cs, widths)
        })
        .collect();
    TableFit { size, wrapped: true, parts }
}

/// Column widths in `room`: each its `least`, and what is left shared in proportion to how
/// much wider each would be set on one line; all in proportion to `least` when even that
/// does not fit (the cells' words then break where they must).
fn share(least: &[f32], natural: &[f32], room: f32) -> Vec<f32> {
    let (sum_least, sum_nat) = (least.iter().sum::<f32>(), natural.iter().sum::<f32>());
    if sum_nat <= room {
        return natural.to_vec();
    }
    if sum_least >= room {
        return least.iter().map(|w| w * room / sum_least.max(f32::MIN_POSITIVE)).collect();
    }
    let extra = (room - sum_least) / (sum_nat - sum_least).max(f32::MIN_POSITIVE);
    least.iter().zip(natural).map(|(l, n)| l + (n - l) * extra).collect()
}

/// Line `li` of a table row: the cells' lines side by side, aligned in their columns, with
/// their text joined by tabs.
/// Right to left (`rtl`), cells are set flush right already: a column aligned left or
/// centred moves its lines the other way.
/// `repeat`: the first column repeats an earlier part's, and its text is left out.
/// `tags`: the structure element of each cell (tagged PDF).
#[allow(clippy::too_many_arguments)]
fn row_line(
    cells: &[Vec<Line>],
    li: usize,
    widths: &[f32],
    lefts: &[f32],
    align: &[Align],
    rtl: bool,
    repeat: bool,
    tags: &[u32],
) -> Line {
    let mut merged = Line::default();
    let mut texts = Vec::new();
    for (ci, c) in cells.iter().enumerate() {
        let Some(l) = c.get(li) else {
            texts.push("");
            continue;
        };
        let room = (widths[ci] - l.width).max(0.0);
        let shift = match (align.get(ci), rtl) {
            (Some(Align::Right), false) => room,
            (Some(Align::Center), false) => room / 2.0,
            (Some(Align::Left), true) => -room,
            (Some(Align::Center), true) => -room / 2.0,
            _ => 0.0,
        };
        for r in &l.runs {
            let mut r = r.clone();
            r.x += lefts[ci] + shift;
            r.tag = tags.get(ci).copied().unwrap_or(0);
            merged.runs.push(r);
        }
        merged.ascent = merged.ascent.max(l.ascent);
        merged.descent = merged.descent.max(l.descent);
        texts.push(if repeat && ci == 0 { "" } else { l.text.as_str() });
    }
    merged.text = texts.join("\t");
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The width a part takes: its columns and their gaps.
    fn width(fit: &TableFit, part: usize) -> f32 {
        let w = &fit.parts[part].1;
        w.iter().sum::<f32>() + 1.2 * fit.size * (w.len() - 1) as f32
    }

    #[test]
    fn a_table_that_fits_is_set_as_it_is() {
        let fit = fit_table(&[(50.0, 20.0), (80.0, 30.0)], 9.0, 300.0);
        assert_eq!(fit, TableFit { size: 9.0, wrapped: false, parts: vec![(vec![0, 1], vec![50.0, 80.0])] });
        assert_eq!(fit.warning(2, 9.0), None);
    }

    #[test]
    fn a_table_a_little_too_wide_is_set_smaller_on_one_line_a_row() {
        let extents = vec![(40.0, 40.0); 8];
        let fit = fit_table(&extents, 9.0, 330.0);
        assert!(!fit.wrapped && fit.parts.len() == 1);
        assert!(fit.size < 9.0 && fit.size >= 9.0 * TABLE_FLOOR, "{}", fit.size);
        assert!(width(&fit, 0) <= 330.0, "{}", width(&fit, 0));
        assert!(fit.warning(8, 9.0).unwrap().starts_with("its type is set at"));
    }

    #[test]
    fn prose_in_cells_wraps_at_the_largest_size_that_keeps_its_words() {
        // Four columns of 200 points of text whose longest word is 40: wrap at 9 pt.
        let fit = fit_table(&[(200.0, 40.0); 4], 9.0, 300.0);
        assert!(fit.wrapped && fit.size == 9.0 && fit.parts.len() == 1, "{fit:?}");
        assert!(fit.parts[0].1.iter().all(|&w| w >= 40.0) && width(&fit, 0) <= 300.01);
        assert_eq!(fit.warning(4, 9.0), None);
        // Eight such columns: their words fit only in smaller type.
        let fit = fit_table(&[(200.0, 40.0); 8], 9.0, 300.0);
        assert!(fit.wrapped && fit.size < 9.0 && fit.parts.len() == 1, "{fit:?}");
        assert!(width(&fit, 0) <= 300.01);
        assert!(fit.warning(8, 9.0).unwrap().ends_with("and its cells wrap"));
    }

    #[test]
    fn many_columns_split_into_parts_that_repeat_the_first() {
        let extents: Vec<(f32, f32)> = (0..40).map(|i| (30.0 + i as f32, 30.0)).collect();
        let fit = fit_table(&extents, 9.0, 300.0);
        let floor = (9.0 * TABLE_FLOOR).max(TABLE_FLOOR_PT);
        assert_eq!(fit.size, floor);
        assert!(fit.parts.len() > 3, "{fit:?}");
        let mut seen: Vec<usize> = Vec::new();
        for (i, (cols, _)) in fit.parts.iter().enumerate() {
            assert_eq!(cols[0], 0);
            assert!(width(&fit, i) <= 300.01, "part {i}: {}", width(&fit, i));
            seen.extend(&cols[1..]);
        }
        assert_eq!(seen, (1..40).collect::<Vec<usize>>());
        let w = fit.warning(40, 9.0).unwrap();
        assert!(w.contains("its 40 columns") && w.contains(&format!("{} parts", fit.parts.len())), "{w}");
    }
}
