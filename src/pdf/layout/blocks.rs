//! The blocks of a chapter set into layout operations, one method per kind of block:
//! paragraphs and verse, headings, quotes, lists, rules, code, figures and tables. Sizes
//! and spaces come from the style's `[sizes]` and `[spacing]` (see [`Geometry`]).

use super::{Figure, Layout, Op};
use crate::diagnostics::{Diagnostic, Kind};
use crate::document::{Align, Block, BlockKind, ImageRef, Inline};
use crate::lang::Lang;
use crate::pdf::font::FaceId;
use crate::pdf::length::Pt;
use crate::pdf::text::paragraph::{Alignment, Line, Measure, Span, SpanStyle};

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
        match &b.kind {
            BlockKind::Paragraph { content } => return self.paragraph(ops, content, b.line, at, after_paragraph),
            BlockKind::Heading { level, content, anchor } => {
                ops.push(Op::Anchor(anchor.clone()));
                self.heading(ops, *level, content, b.line, at)
            }
            BlockKind::Quote { blocks } => self.quote(ops, blocks, at),
            BlockKind::List { start, items, .. } => self.list(ops, *start, items, at),
            BlockKind::Rule => self.rule(ops, b.line, at),
            BlockKind::Code { text, .. } => self.code(ops, text, b.line, at),
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
        // Lines broken by hand (verse, an address): set as a block of their own,
        // indented, ragged, with space around and no first-line indent.
        if content.iter().filter(|i| matches!(i, Inline::Break)).count() >= 2 {
            ops.push(self.space(g.space.around_blocks));
            let dx = at.dx + g.space.quote_indent * at.size;
            self.block_lines(ops, &spans, at.lang, Alignment::Ragged, Pt::ZERO, dx, at.src, line);
            ops.push(self.space(g.space.around_blocks));
            return false;
        }
        let indent = if after { g.indent } else { Pt::ZERO };
        if !after || g.paragraph_space > Pt::ZERO {
            ops.push(Op::Skip(g.paragraph_space));
        }
        self.block_lines(ops, &spans, at.lang, g.align, indent, at.dx, at.src, line);
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
        self.block_lines(ops, &spans, at.lang, Alignment::Ragged, Pt::ZERO, at.dx, at.src, line);
        if let Some(Op::Lines { keep, .. }) = ops.last_mut() {
            *keep = true;
        }
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
                    first.runs.insert(0, r);
                }
            }
            ops.extend(item_ops);
        }
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
        let body = text.trim_end_matches('\n').replace(' ', "\u{a0}");
        self.block_lines(ops, &[Span { text: body, style }], at.lang, Alignment::Ragged, Pt::ZERO, at.dx, at.src, line);
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
                ops.extend(caption_ops);
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

    /// Column widths from the content: each column as wide as its widest cell set on one
    /// line; when that does not fit in `avail`, the columns share it in proportion and
    /// their cells wrap. Widths are in the text engine's measures (the cells are set in
    /// them and joined into one line).
    fn column_widths(&mut self, rows: &[&Vec<Vec<Inline>>], head: bool, cols: usize, avail: f32, at: At) -> Vec<f32> {
        let tsize = (at.size * self.g.scale.table).get();
        let gap = 1.2 * tsize;
        let mut natural = vec![0.0f32; cols];
        for (ri, row) in rows.iter().enumerate() {
            for (ci, cell) in row.iter().enumerate() {
                let spans = self.cell_spans(cell, ri == 0 && head, Pt::new(tsize));
                let m = Measure { width: 10_000.0, indent: 0.0, align: Alignment::Ragged, lang: at.lang.clone() };
                let w = self.typesetter.set(&spans, &m).iter().map(|l| l.width).fold(0.0, f32::max);
                natural[ci] = natural[ci].max(w);
            }
        }
        let total: f32 = natural.iter().sum::<f32>() + gap * (cols as f32 - 1.0);
        if total <= avail {
            return natural;
        }
        let room = (avail - gap * (cols as f32 - 1.0)).max(cols as f32 * 2.0 * tsize);
        let sum: f32 = natural.iter().sum::<f32>().max(1.0);
        natural.iter().map(|w| (w / sum * room).max(2.0 * tsize)).collect()
    }

    /// A table with rules above, under the head and below, as a well-set table has; each
    /// row is set line by line across its cells, and reads out as one row.
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
        let tsize = at.size * g.scale.table;
        let gap = 1.2 * tsize.get();
        let all: Vec<&Vec<Vec<Inline>>> = std::iter::once(head).chain(rows.iter()).filter(|r| !r.is_empty()).collect();
        let has_head = !head.is_empty();
        let widths = self.column_widths(&all, has_head, cols, (g.measure() - at.dx).get(), at);
        self.problems(at.src, line);
        let table_width = Pt::new(widths.iter().sum::<f32>() + gap * (cols as f32 - 1.0));
        // Right to left, the table stands at the right and its first column is rightmost.
        let rtl = at.lang.is_rtl();
        let dx = if rtl { g.measure() - at.dx - table_width } else { at.dx };
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
            for (l, w) in lefts.iter_mut().zip(&widths) {
                *l = table_width.get() - *l - w;
            }
        }
        for (ri, row) in all.iter().enumerate() {
            let mut cells = Vec::new();
            for (ci, cell) in row.iter().enumerate() {
                let spans = self.cell_spans(cell, ri == 0 && has_head, tsize);
                let m = Measure { width: widths[ci], indent: 0.0, align: Alignment::Ragged, lang: at.lang.clone() };
                cells.push(self.typesetter.set(&spans, &m));
            }
            self.problems(at.src, line);
            let depth = cells.iter().map(Vec::len).max().unwrap_or(0);
            for li in 0..depth {
                let merged = row_line(&cells, li, &widths, &lefts, align, rtl);
                ops.push(Op::Lines {
                    lines: vec![merged],
                    dx,
                    advance: g.leading * 0.95,
                    keep: false,
                    variants: Vec::new(),
                });
            }
            if ri == 0 && has_head {
                ops.push(Op::Rule { dx, width: table_width, below: tsize * 0.4 });
                ops.push(self.space(0.2));
            }
        }
        ops.push(Op::Rule { dx, width: table_width, below: tsize * 0.4 });
        ops.push(self.space(g.space.around_blocks));
    }
}

/// Line `li` of a table row: the cells' lines side by side, aligned in their columns, with
/// their text joined by tabs.
/// Right to left (`rtl`), cells are set flush right already: a column aligned left or
/// centred moves its lines the other way.
fn row_line(cells: &[Vec<Line>], li: usize, widths: &[f32], lefts: &[f32], align: &[Align], rtl: bool) -> Line {
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
            merged.runs.push(r);
        }
        merged.ascent = merged.ascent.max(l.ascent);
        merged.descent = merged.descent.max(l.descent);
        texts.push(l.text.as_str());
    }
    merged.text = texts.join("\t");
    merged
}
