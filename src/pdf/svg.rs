//! The typeset pages as SVG, for `tribune serve`'s preview: drawn from the same pages the
//! PDF's content streams are encoded from (`write::Page`, after pagination), so a page
//! in the browser is the PDF's page: each glyph at its place as an outline from the font
//! (`<path>` once per glyph a page uses, placed with `<use>`), rules, images, turned and
//! clipped frames. Over the glyphs lies a transparent `<text>` per line (`Page::lines`),
//! stretched to the line's width, so that the text can be selected and found, and which
//! names the line's source file and line (`data-file`, `data-line`) for a click.
//!
//! A build under `serve` keeps a copy of its pages ([`Keeper`]); the server renders a page
//! when the browser asks for it, from the last good build.

use crate::document::model::{Block, BlockKind, Book};
use crate::document::pages::{Doc, Spot};
use crate::images::{Colour, Data};
use crate::pdf::font::FontSet;
use crate::pdf::write::{LineFrom, Mark, Page};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Where a build hands its pages to the preview: the PDF build offers them, the server
/// takes them once the whole build has succeeded.
#[derive(Default)]
pub(crate) struct Keeper {
    offered: Mutex<Option<Arc<Typeset>>>,
}

impl Keeper {
    /// The pages of a PDF just written (the last offer of a build wins).
    pub(crate) fn offer(&self, t: Typeset) {
        *self.offered.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(t));
    }

    /// The pages offered since the last call, if any.
    pub(crate) fn take(&self) -> Option<Arc<Typeset>> {
        self.offered.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// A chapter's sources: its file and the line each of its blocks starts on.
struct Source {
    /// The file as shown (`books/speeches/a.md`), relative to the project.
    file: String,
    anchor: String,
    /// Block n (counted from 1, depth first, as the layout counts them) starts on line
    /// `blocks[n - 1].0`; `.1`: it is a paragraph (lines inside it are found by words).
    blocks: Vec<(usize, bool)>,
    /// Footnote number → the line of its definition.
    notes: HashMap<u32, usize>,
}

/// A face's data for outlines.
struct FaceData {
    data: Cow<'static, [u8]>,
    units_per_em: f32,
}

/// The pages of a build with what drawing them needs.
pub(crate) struct Typeset {
    pages: Vec<Page>,
    faces: Vec<FaceData>,
    chapters: Vec<Source>,
    /// The parts' anchors and first pages.
    parts: Vec<(String, Option<usize>)>,
    /// The book file as shown; the title page, contents and parts come from it.
    book_file: String,
    root: PathBuf,
    /// The first page of each chapter, by chapter.
    first_pages: Vec<Option<usize>>,
    /// Glyph outlines made so far, by face and glyph: SVG path data in font units.
    outlines: Mutex<HashMap<(u16, u16), Arc<str>>>,
}

impl Typeset {
    /// The pages of `book` (`kept`: by index, each with its lines), set in `fonts`;
    /// `root` is the project's folder, `book_file` the book file as shown.
    pub(crate) fn new(
        kept: Vec<(usize, Page)>,
        fonts: &FontSet,
        book: &Book,
        root: PathBuf,
        book_file: String,
    ) -> Self {
        let mut pages: Vec<Page> = Vec::new();
        for (index, page) in kept {
            if pages.len() <= index {
                pages.resize_with(index + 1, Page::default);
            }
            pages[index] = page;
        }
        let faces =
            fonts.faces.iter().map(|f| FaceData { data: f.data.clone(), units_per_em: f.units_per_em }).collect();
        let chapters: Vec<Source> = book
            .chapters()
            .map(|c| {
                let mut blocks = Vec::new();
                count_blocks(&c.blocks, &mut blocks);
                let notes = c.footnotes.iter().map(|n| (n.number, n.line)).collect();
                Source { file: c.source.to_string_lossy().into_owned(), anchor: c.anchor.clone(), blocks, notes }
            })
            .collect();
        let mut first_pages = vec![None; chapters.len()];
        let mut parts: Vec<(String, Option<usize>)> = book.parts.iter().map(|p| (p.anchor.clone(), None)).collect();
        for (i, p) in pages.iter().enumerate() {
            for l in &p.lines {
                let slot = match l.from {
                    Some(LineFrom::Text(Spot { doc: Doc::Chapter(c), .. })) => first_pages.get_mut(c),
                    Some(LineFrom::Text(Spot { doc: Doc::Part(n), .. })) => parts.get_mut(n).map(|p| &mut p.1),
                    _ => None,
                };
                if let Some(slot @ None) = slot {
                    *slot = Some(i);
                }
            }
        }
        Typeset { pages, faces, chapters, parts, book_file, root, first_pages, outlines: Mutex::new(HashMap::new()) }
    }

    /// Each page's width and height, points.
    pub(crate) fn sizes(&self) -> Vec<(f32, f32)> {
        self.pages.iter().map(|p| (p.width.get(), p.height.get())).collect()
    }

    /// The index of the first page of the chapter or part whose EPUB document is `doc`
    /// (`OEBPS/<anchor>.xhtml`).
    pub(crate) fn first_page_of(&self, doc: &str) -> Option<usize> {
        let name = doc.rsplit('/').next()?.strip_suffix(".xhtml")?;
        match self.chapters.iter().position(|c| c.anchor == name) {
            Some(c) => self.first_pages[c],
            None => self.parts.iter().find(|p| p.0 == name)?.1,
        }
    }

    /// Whether `file` is a source file of this build (as shown), and where it is.
    pub(crate) fn source_path(&self, file: &str) -> Option<PathBuf> {
        let known = file == self.book_file || self.chapters.iter().any(|c| c.file == file);
        known.then(|| self.root.join(file))
    }

    /// The image of mark `n` (counting the page's images from 0) of page `index`, as a
    /// file a browser shows: a JPEG as it is, other images as PNG.
    pub(crate) fn image(&self, index: usize, n: usize) -> Option<(&'static str, Vec<u8>)> {
        let image = self.pages.get(index)?.marks.iter().filter_map(|m| match m {
            Mark::Image { image, .. } => Some(image),
            _ => None,
        });
        let image = image.into_iter().nth(n)?;
        match &image.data {
            Data::Jpeg(bytes) => Some(("image/jpeg", bytes.clone())),
            Data::Raw { samples, alpha } => {
                use image::ImageEncoder as _;
                let (w, h) = (image.width, image.height);
                let px = w as usize * h as usize;
                let components = image.colour.components();
                if samples.len() < px * components || alpha.as_ref().is_some_and(|a| a.len() < px) {
                    return None;
                }
                let (bytes, kind) = match (image.colour, alpha) {
                    (Colour::Gray, None) => (samples.clone(), image::ExtendedColorType::L8),
                    (Colour::Rgb, None) => (samples.clone(), image::ExtendedColorType::Rgb8),
                    (Colour::Gray, Some(a)) => {
                        ((0..px).flat_map(|i| [samples[i], a[i]]).collect(), image::ExtendedColorType::La8)
                    }
                    (Colour::Rgb, Some(a)) => (
                        (0..px).flat_map(|i| [samples[3 * i], samples[3 * i + 1], samples[3 * i + 2], a[i]]).collect(),
                        image::ExtendedColorType::Rgba8,
                    ),
                    (Colour::Cmyk { .. }, _) => return None,
                };
                let mut out = Vec::new();
                image::codecs::png::PngEncoder::new(&mut out).write_image(&bytes, w, h, kind).ok()?;
                Some(("image/png", out))
            }
        }
    }

    /// Page `index` (0-based) as an SVG document.
    pub(crate) fn svg(&self, index: usize) -> Option<String> {
        let page = self.pages.get(index)?;
        let n = index + 1;
        let (w, h) = (page.width.get(), page.height.get());
        let mut defs = String::new();
        let mut body = String::new();
        let mut defined: std::collections::HashSet<(u16, u16)> = std::collections::HashSet::new();
        let mut clips = 0;
        let mut images = 0;
        // Open groups (frames and clips), closed by `Restore`.
        let mut open = 0usize;
        for m in &page.marks {
            match m {
                Mark::Glyphs { face, size, x, y, rise, glyphs, hscale, .. } => {
                    let Some(f) = self.faces.get(face.0 as usize) else { continue };
                    if glyphs.is_empty() {
                        continue;
                    }
                    let s = size / f.units_per_em;
                    let sx = s * hscale;
                    let _ = write!(
                        body,
                        "<g transform=\"matrix({} 0 0 {} {} {})\">",
                        // The scale in full: four decimals of 0.0049 are half a percent.
                        sx,
                        -s,
                        num(x.get()),
                        num(y.get() - rise.get())
                    );
                    for g in glyphs {
                        let key = (face.0, g.id);
                        if defined.insert(key) {
                            let d = self.outline(key);
                            if d.is_empty() {
                                // A space or a glyph without outline draws nothing.
                                continue;
                            }
                            let _ = write!(defs, "<path id=\"p{n}g{}-{}\" d=\"{d}\"/>", key.0, key.1);
                        } else if self.outline(key).is_empty() {
                            continue;
                        }
                        let _ = write!(body, "<use href=\"#p{n}g{}-{}\" x=\"{}\"", key.0, key.1, num(g.x / sx));
                        if g.dy != 0.0 {
                            let _ = write!(body, " y=\"{}\"", num(g.dy / s));
                        }
                        body.push_str("/>");
                    }
                    body.push_str("</g>\n");
                }
                Mark::Rect { x, y, width, height } => {
                    let _ = writeln!(
                        body,
                        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                        num(x.get()),
                        num(y.get()),
                        num(width.get()),
                        num(height.get())
                    );
                }
                Mark::Image { x, y, width, height, .. } => {
                    let _ = writeln!(
                        body,
                        "<image href=\"/image/{n}/{images}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                         preserveAspectRatio=\"none\"/>",
                        num(x.get()),
                        num(y.get()),
                        num(width.get()),
                        num(height.get())
                    );
                    images += 1;
                }
                Mark::Transform { turn, x, y } => {
                    // PDF's [a b c d] works upwards; the frame's `y` runs down from its
                    // origin, so in SVG's downward space the matrix is [a -b -c d].
                    let _ = writeln!(
                        body,
                        "<g transform=\"matrix({} {} {} {} {} {})\">",
                        num(turn[0]),
                        num(-turn[1]),
                        num(-turn[2]),
                        num(turn[3]),
                        num(x.get()),
                        num(y.get())
                    );
                    open += 1;
                }
                Mark::Clip { x, y, width, height } => {
                    clips += 1;
                    let _ = write!(
                        defs,
                        "<clipPath id=\"p{n}c{clips}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>",
                        num(x.get()),
                        num(y.get()),
                        num(width.get()),
                        num(height.get())
                    );
                    let _ = writeln!(body, "<g clip-path=\"url(#p{n}c{clips})\">");
                    open += 1;
                }
                Mark::Restore => {
                    if open > 0 {
                        body.push_str("</g>\n");
                        open -= 1;
                    }
                }
                Mark::Begin { .. } | Mark::End | Mark::Open { .. } | Mark::Close(_) | Mark::Tag(_) => {}
            }
        }
        for _ in 0..open {
            body.push_str("</g>\n");
        }
        // The text layer: each line's text stretched over its area, transparent.
        let mut text = String::new();
        let mut files: HashMap<String, Option<Vec<String>>> = HashMap::new();
        for l in &page.lines {
            let a = &l.area;
            let width = (a.x1 - a.x0).get();
            let height = (a.ascent + a.descent).get();
            if width <= 0.0 || height <= 0.0 || l.text.trim().is_empty() {
                continue;
            }
            let _ = write!(
                text,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\"",
                num(a.x0.get()),
                // A sans-serif's box is about 1.15 em, its baseline 0.92 em down: the text's
                // box then covers the line's.
                num((a.y - a.ascent).get() + height / 1.15 * 0.92),
                num(height / 1.15),
                num(width)
            );
            if let Some((file, line)) = l.from.and_then(|f| self.place(f, &mut files)) {
                let _ = write!(text, " data-file=\"{}\"", xml(&file));
                if let Some(line) = line {
                    let _ = write!(text, " data-line=\"{line}\"");
                }
            }
            let _ = writeln!(text, ">{}</text>", xml(&l.text.replace('\t', " ")));
        }
        let mut out = String::with_capacity(defs.len() + body.len() + text.len() + 512);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"page\" data-page=\"{n}\" viewBox=\"0 0 {} {}\" \
             width=\"{}\" height=\"{}\">\n<defs>{defs}</defs>\n<rect class=\"paper\" width=\"{}\" height=\"{}\" \
             fill=\"#fff\"/>\n<g class=\"ink\" fill=\"#000\">\n{body}</g>\n<g class=\"lines\" fill=\"transparent\" \
             font-family=\"sans-serif\" style=\"white-space:pre\">\n{text}</g>\n</svg>\n",
            num(w),
            num(h),
            num(w),
            num(h),
            num(w),
            num(h)
        );
        Some(out)
    }

    /// Glyph `key`'s outline as SVG path data in font units (y up), empty for none.
    fn outline(&self, key: (u16, u16)) -> Arc<str> {
        if let Some(d) = self.outlines.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return d.clone();
        }
        let mut b = PathData(String::new());
        if let Some(face) = self.faces.get(key.0 as usize).and_then(|f| ttf_parser::Face::parse(&f.data, 0).ok()) {
            face.outline_glyph(ttf_parser::GlyphId(key.1), &mut b);
        }
        let d: Arc<str> = b.0.into();
        self.outlines.lock().unwrap_or_else(|p| p.into_inner()).insert(key, d.clone());
        d
    }

    /// The source file (as shown) and line of a line from `from`; `files` caches the
    /// files read (`None`: unreadable).
    fn place(
        &self,
        from: LineFrom,
        files: &mut HashMap<String, Option<Vec<String>>>,
    ) -> Option<(String, Option<usize>)> {
        let mut lines_of = |file: &str| -> Option<Vec<String>> {
            files
                .entry(file.to_string())
                .or_insert_with(|| {
                    std::fs::read_to_string(self.root.join(file)).ok().map(|t| t.lines().map(str::to_string).collect())
                })
                .clone()
        };
        match from {
            LineFrom::Note { doc: Doc::Chapter(c), number } => {
                let src = self.chapters.get(c)?;
                Some((src.file.clone(), src.notes.get(&number).copied()))
            }
            LineFrom::Text(Spot { doc: Doc::Chapter(c), block, word }) => {
                let src = self.chapters.get(c)?;
                let line = if block == 0 || block == Spot::TAIL {
                    // The title and byline, or the source and translator: the front matter.
                    let key = if block == 0 { "title:" } else { "source:" };
                    let lines = lines_of(&src.file);
                    Some(lines.and_then(|ls| ls.iter().position(|l| l.starts_with(key)).map(|i| i + 1)).unwrap_or(1))
                } else {
                    let &(start, paragraph) = src.blocks.get(block as usize - 1)?;
                    let refined = if paragraph && word > 0 {
                        lines_of(&src.file).map(|ls| line_of_word(&ls, start, word))
                    } else {
                        None
                    };
                    Some(refined.unwrap_or(start))
                };
                Some((src.file.clone(), line))
            }
            LineFrom::Text(Spot { doc: Doc::Title | Doc::Copyright | Doc::Contents | Doc::Part(_), .. })
            | LineFrom::Note { .. } => Some((self.book_file.clone(), None)),
        }
    }
}

/// The line (1-based) of word `word` (counted from 0) of the paragraph starting on line
/// `start` of `lines`, counting the words of each source line after its block marks (`>`,
/// list markers); the paragraph ends at a blank line.
fn line_of_word(lines: &[String], start: usize, word: u32) -> usize {
    let mut seen = 0u32;
    let mut at = start;
    for (i, l) in lines.iter().enumerate().skip(start.saturating_sub(1)) {
        let t = strip_marks(l);
        if t.trim().is_empty() {
            break;
        }
        at = i + 1;
        seen += t.split(crate::document::pages::is_space).filter(|w| !w.is_empty()).count() as u32;
        if seen > word {
            break;
        }
    }
    at
}

/// A source line without the marks of the blocks it is in: quote marks, list markers and
/// the indent.
fn strip_marks(l: &str) -> &str {
    let mut t = l.trim_start();
    loop {
        if let Some(r) = t.strip_prefix('>') {
            t = r.trim_start();
            continue;
        }
        let marker = t.split(' ').next().unwrap_or("").as_bytes();
        let ordered = marker.len() > 1
            && marker[..marker.len() - 1].iter().all(u8::is_ascii_digit)
            && matches!(marker.last(), Some(b'.' | b')'));
        let marker = std::str::from_utf8(marker).unwrap_or("");
        if matches!(marker, "-" | "*" | "+") || ordered {
            t = t[marker.len()..].trim_start();
            continue;
        }
        return t;
    }
}

/// Each block's start line and whether it is a paragraph, depth first.
fn count_blocks(blocks: &[Block], out: &mut Vec<(usize, bool)>) {
    for b in blocks {
        out.push((b.line, matches!(b.kind, BlockKind::Paragraph { .. })));
        match &b.kind {
            BlockKind::Quote { blocks } => count_blocks(blocks, out),
            BlockKind::List { items, .. } => items.iter().for_each(|i| count_blocks(i, out)),
            _ => {}
        }
    }
}

/// SVG path data from a glyph outline.
struct PathData(String);

impl ttf_parser::OutlineBuilder for PathData {
    fn move_to(&mut self, x: f32, y: f32) {
        let _ = write!(self.0, "M{} {}", num(x), num(y));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let _ = write!(self.0, "L{} {}", num(x), num(y));
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let _ = write!(self.0, "Q{} {} {} {}", num(x1), num(y1), num(x), num(y));
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let _ = write!(self.0, "C{} {} {} {} {} {}", num(x1), num(y1), num(x2), num(y2), num(x), num(y));
    }
    fn close(&mut self) {
        self.0.push('Z');
    }
}

/// `v` with at most four decimals, without trailing zeros.
fn num(v: f32) -> String {
    let s = format!("{:.4}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_find_their_source_line() {
        let lines: Vec<String> =
            ["Erste Zeile mit vier", "zweite Zeile hier", "", "> Zitat eins", "> zwei drei"].map(String::from).to_vec();
        assert_eq!(line_of_word(&lines, 1, 0), 1);
        assert_eq!(line_of_word(&lines, 1, 3), 1);
        assert_eq!(line_of_word(&lines, 1, 4), 2);
        // The paragraph ends at the blank line, however many words are asked for.
        assert_eq!(line_of_word(&lines, 1, 40), 2);
        assert_eq!(line_of_word(&lines, 4, 2), 5);
        assert_eq!(strip_marks("  1. Punkt"), "Punkt");
        assert_eq!(strip_marks("> - Punkt"), "Punkt");
        assert_eq!(strip_marks("-1 Grad"), "-1 Grad");
        // Letters of any width: no marker is cut inside one.
        assert_eq!(strip_marks("صباح الخير"), "صباح الخير");
        assert_eq!(strip_marks("- السلام"), "السلام");
        assert_eq!(strip_marks("12) Punkt"), "Punkt");
    }

    /// A page drawn mark for mark as the encoder writes it: a run's matrix with its type
    /// size, horizontal scale and baseline, each glyph at its pen position, a rule, a turned
    /// frame, and the line's text over it.
    #[test]
    fn a_page_is_drawn_mark_for_mark() {
        use crate::pdf::font::FaceId;
        use crate::pdf::length::Pt;
        use crate::pdf::write::{Area, Glyph, PlacedLine};
        let (_dir, fonts) = FontSet::bundled();
        let face = fonts.face(FaceId(0));
        let (a, b) = (face.glyph('A').unwrap(), face.glyph('B').unwrap());
        let pt = Pt::new;
        let glyphs = vec![Glyph { id: a, x: 0.0, dy: 0.0 }, Glyph { id: b, x: 7.5, dy: 1.0 }];
        let mut page = Page::default();
        (page.width, page.height) = (pt(300.0), pt(400.0));
        page.marks = vec![
            Mark::Glyphs {
                face: FaceId(0),
                size: 10.0,
                x: pt(20.0),
                y: pt(50.0),
                rise: pt(2.0),
                glyphs,
                hscale: 1.02,
                actual_text: None,
            },
            Mark::Rect { x: pt(5.0), y: pt(10.0), width: pt(20.0), height: pt(2.0) },
            Mark::Transform { turn: [0.0, -1.0, 1.0, 0.0], x: pt(50.0), y: pt(100.0) },
            Mark::Restore,
        ];
        let area = Area { x0: pt(20.0), x1: pt(35.0), y: pt(50.0), descent: pt(2.0), ascent: pt(8.0) };
        page.lines = vec![PlacedLine { area, text: "AB".into(), from: None }];
        let t = Typeset {
            pages: vec![page],
            faces: vec![FaceData { data: face.data.clone(), units_per_em: face.units_per_em }],
            chapters: Vec::new(),
            parts: Vec::new(),
            book_file: "books/b.toml".into(),
            root: PathBuf::new(),
            first_pages: Vec::new(),
            outlines: Mutex::new(HashMap::new()),
        };
        let svg = t.svg(0).unwrap();
        let s = 10.0 / face.units_per_em;
        let sx = s * 1.02;
        assert!(svg.contains(&format!("<g transform=\"matrix({sx} 0 0 {} 20 48)\">", -s)), "{svg}");
        assert!(svg.contains(&format!("<use href=\"#p1g0-{a}\" x=\"0\"/>")), "{svg}");
        assert!(svg.contains(&format!("<use href=\"#p1g0-{b}\" x=\"{}\" y=\"{}\"/>", num(7.5 / sx), num(1.0 / s))));
        assert!(svg.contains(&format!("<path id=\"p1g0-{a}\" d=\"M")), "A's outline: {svg}");
        assert!(svg.contains("<rect x=\"5\" y=\"10\" width=\"20\" height=\"2\"/>"));
        assert!(svg.contains("<g transform=\"matrix(0 1 -1 0 50 100)\">\n</g>"), "{svg}");
        assert!(svg.contains("textLength=\"15\" lengthAdjust=\"spacingAndGlyphs\">AB</text>"), "{svg}");
        assert!(t.svg(1).is_none());
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.00001), "0");
        assert_eq!(num(12.345678), "12.3457");
        assert_eq!(num(0.5), "0.5");
    }
}
