//! Code blocks set verbatim: each source line a line of its own, every space kept and drawn
//! as a space glyph (tabs to the next multiple of four columns), and a line wider than the
//! measure wrapped, its continuation indented as the line is and marked with an arrow that
//! the text layer leaves out.

use super::paragraph::{Line, LineRun, SpanStyle, Typesetter};
use crate::lang::Lang;
use crate::pdf::font::{Case, ShapedText};
use crate::pdf::write::Glyph;
use std::sync::Arc;

/// Columns to a tab stop.
pub(crate) const TAB: usize = 4;

/// The continuation marks, the first a face of the book has: `↪` as listings set it, `⮡`
/// (Noto Sans Symbols 2, a fallback of the default style), `→` (any monospace face).
const MARKS: [char; 3] = ['\u{21AA}', '\u{2BA1}', '\u{2192}'];

/// `line` with each tab replaced by the spaces to the next multiple of [`TAB`] columns
/// (a column a character, as a terminal counts Latin text).
pub(crate) fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut col = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = TAB - col % TAB;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

/// A glyph of a code line, flattened out of its shaped pieces.
struct CodeGlyph {
    piece: usize,
    index: usize,
    /// Advance, points.
    advance: f32,
    /// Byte range in the piece's text of the cluster it belongs to.
    text: (usize, usize),
    space: bool,
}

/// A code block set: its lines, and how many of its source lines were wrapped.
pub(crate) struct Code {
    pub(crate) lines: Vec<Line>,
    pub(crate) wrapped: usize,
}

impl Typesetter<'_> {
    /// The lines of a code block `text` in `style`, `width` points wide.
    ///
    /// A source line wider than `width` is wrapped after its last space that leaves at
    /// least half a line (between two characters where it has none); its continuation
    /// starts at the line's own indentation (at most half the width) with a continuation
    /// mark, read out as nothing. A line wrapped inside a word ends in marked content
    /// whose text is its last character and a soft hyphen, as a hyphenated line does, so
    /// the word copies out whole.
    pub(crate) fn set_code(&mut self, text: &str, style: SpanStyle, lang: &Lang, width: f32) -> Code {
        // Code is shaped as it stands, whatever direction the paragraph before ran.
        self.split_dir = false;
        let mark = self.continuation_mark(style, lang);
        let mark_width = mark.as_ref().map_or(0.0, |(s, st)| self.points(s, st.size, 0, s.glyphs.len()));
        let fonts = self.fonts();
        let face = fonts.face(style.face);
        let (ascent, descent) =
            (face.ascender * style.size / face.units_per_em, -face.descender * style.size / face.units_per_em);
        let space_width =
            face.glyph(' ').map_or(0.25 * style.size, |g| face.advance(g) * style.size / face.units_per_em);
        let mut out = Code { lines: Vec::new(), wrapped: 0 };
        let mut pieces = Vec::new();
        for raw in text.split('\n') {
            let src = expand_tabs(raw.strip_suffix('\r').unwrap_or(raw));
            let src = src.trim_end();
            pieces.clear();
            self.shape_pieces(src, style, lang.as_str(), &mut pieces);
            let glyphs = self.code_glyphs(&pieces);
            let indent: f32 = glyphs.iter().take_while(|g| g.space).map(|g| g.advance).sum();
            let lead = indent.min(width / 2.0);
            let mut start = 0;
            let mut first = true;
            loop {
                let (x0, avail) = if first {
                    (0.0, width)
                } else {
                    (lead + mark_width + space_width, width - lead - mark_width - space_width)
                };
                // As many glyphs as fit, never splitting a cluster, at least one.
                let (mut end, mut x) = (start, 0.0);
                while end < glyphs.len() && x + glyphs[end].advance <= avail + 0.01 {
                    x += glyphs[end].advance;
                    end += 1;
                }
                if end == glyphs.len() {
                    let mut line = self.code_line(&pieces, &glyphs[start..end], x0, false);
                    if !first {
                        self.add_mark(&mut line, mark.as_ref(), lead);
                    }
                    line.ascent = line.ascent.max(ascent);
                    line.descent = line.descent.max(descent);
                    out.lines.push(line);
                    break;
                }
                while end > start + 1 && glyphs[end].text == glyphs[end - 1].text {
                    end -= 1;
                }
                end = end.max(start + 1);
                // After the last space that leaves half a line and is no part of the
                // line's indentation; else inside the word.
                let text_from = start + glyphs[start..end].iter().take_while(|g| g.space).count();
                let mut w = 0.0;
                let half = (start..end)
                    .find(|&k| {
                        w += glyphs[k].advance;
                        w >= avail / 2.0
                    })
                    .unwrap_or(end);
                let at_space = (half.max(text_from + 1)..=end).rev().find(|&k| k < glyphs.len() && glyphs[k - 1].space);
                let (shown, next, inside) = match at_space {
                    Some(k) => {
                        let mut shown = k;
                        while shown > start && glyphs[shown - 1].space {
                            shown -= 1;
                        }
                        let mut next = k;
                        while next < glyphs.len() && glyphs[next].space {
                            next += 1;
                        }
                        (shown, next, false)
                    }
                    None => (end, end, !glyphs[end - 1].space && !glyphs[end].space),
                };
                let mut line = self.code_line(&pieces, &glyphs[start..shown], x0, inside);
                if !first {
                    self.add_mark(&mut line, mark.as_ref(), lead);
                }
                line.ascent = line.ascent.max(ascent);
                line.descent = line.descent.max(descent);
                out.lines.push(line);
                if first {
                    out.wrapped += 1;
                }
                first = false;
                start = next;
                if start >= glyphs.len() {
                    break;
                }
            }
        }
        out
    }

    /// Width in points of glyphs `from..to` of `s` at `size`.
    fn points(&self, s: &ShapedText, size: f32, from: usize, to: usize) -> f32 {
        let upem = self.fonts().face(s.face).units_per_em;
        s.glyphs[from..to].iter().map(|g| g.advance).sum::<f32>() * size / upem
    }

    /// The continuation mark shaped in the first face that has one of [`MARKS`].
    fn continuation_mark(&mut self, style: SpanStyle, lang: &Lang) -> Option<(Arc<ShapedText>, SpanStyle)> {
        let fonts = self.fonts();
        let (c, face) = MARKS.iter().find_map(|&c| fonts.face_for(style.face, c).map(|f| (c, f)))?;
        let shaped = self.shaper.shape(face, lang.as_str(), Case::Normal, &c.to_string());
        Some((shaped, SpanStyle { face, ..style }))
    }

    /// The glyphs of a code line's pieces in order, with their advances and clusters.
    fn code_glyphs(&self, pieces: &[(Arc<ShapedText>, SpanStyle)]) -> Vec<CodeGlyph> {
        let mut out = Vec::new();
        let mut starts = Vec::new();
        for (pi, (s, st)) in pieces.iter().enumerate() {
            let scale = st.size / self.fonts().face(s.face).units_per_em;
            starts.clear();
            starts.extend(s.glyphs.iter().map(|g| g.cluster as usize));
            starts.sort_unstable();
            starts.dedup();
            for (gi, g) in s.glyphs.iter().enumerate() {
                let from = g.cluster as usize;
                // The cluster ends where the next one in the text begins.
                let to = starts.get(starts.partition_point(|&c| c <= from)).copied().unwrap_or(s.text.len());
                let text = (from, to);
                let space = s.text.get(from..to).is_some_and(|t| t.chars().all(|c| c == ' '));
                out.push(CodeGlyph { piece: pi, index: gi, advance: g.advance * scale, text, space });
            }
        }
        out
    }

    /// A line of `glyphs` starting `x0` from the line's left edge; `inside`: it ends inside a
    /// word, and its last cluster reads out with a soft hyphen after it.
    fn code_line(&self, pieces: &[(Arc<ShapedText>, SpanStyle)], glyphs: &[CodeGlyph], x0: f32, inside: bool) -> Line {
        let fonts = self.fonts();
        let mut line = Line::default();
        let last_cluster = glyphs.last().map(|g| (g.piece, g.text));
        let mut x = x0;
        let mut cluster = None;
        for g in glyphs {
            let (s, st) = &pieces[g.piece];
            let split = inside && Some((g.piece, g.text)) == last_cluster;
            let new_run = match line.runs.last() {
                Some(r) => r.face != s.face || r.size != st.size || (split && r.actual_text.is_none()),
                None => true,
            };
            if new_run {
                let face = fonts.face(s.face);
                let scale = st.size / face.units_per_em;
                line.ascent = line.ascent.max(face.ascender * scale);
                line.descent = line.descent.max(-face.descender * scale);
                let actual = split.then(|| format!("{}\u{AD}", &s.text[g.text.0..g.text.1]));
                line.runs.push(LineRun {
                    face: s.face,
                    size: st.size,
                    x,
                    rise: st.rise,
                    hscale: 1.0,
                    glyphs: Vec::new(),
                    actual_text: actual,
                    link: 0,
                    tag: 0,
                    lang: 0,
                    width: 0.0,
                });
            }
            let run = line.runs.last_mut().expect("a run");
            let scale = st.size / fonts.face(s.face).units_per_em;
            let sg = &s.glyphs[g.index];
            run.glyphs.push(Glyph { id: sg.id, x: x - run.x + sg.dx * scale, dy: sg.dy * scale });
            x += g.advance;
            run.width = x - run.x;
            if cluster != Some((g.piece, g.text)) {
                line.text.push_str(&s.text[g.text.0..g.text.1]);
                cluster = Some((g.piece, g.text));
            }
        }
        line.width = x;
        line
    }

    /// The continuation mark at `x` before a continued line's text, read out as nothing.
    fn add_mark(&self, line: &mut Line, mark: Option<&(Arc<ShapedText>, SpanStyle)>, x: f32) {
        let Some((s, st)) = mark else { return };
        let scale = st.size / self.fonts().face(s.face).units_per_em;
        let mut pen = 0.0;
        let glyphs = s
            .glyphs
            .iter()
            .map(|g| {
                let gl = Glyph { id: g.id, x: pen + g.dx * scale, dy: g.dy * scale };
                pen += g.advance * scale;
                gl
            })
            .collect();
        let run = LineRun {
            face: s.face,
            size: st.size,
            x,
            rise: st.rise,
            hscale: 1.0,
            glyphs,
            actual_text: Some(String::new()),
            link: 0,
            tag: 0,
            lang: 0,
            width: pen,
        };
        line.runs.insert(0, run);
        line.width = line.width.max(x + pen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::font::{FaceId, FontSet};

    #[test]
    fn tabs_go_to_the_next_multiple_of_four_columns() {
        assert_eq!(expand_tabs("\tx"), "    x");
        assert_eq!(expand_tabs("ab\tc"), "ab  c");
        assert_eq!(expand_tabs("abcd\te\t\tf"), "abcd    e       f");
    }

    fn setup() -> (tempfile::TempDir, FontSet) {
        FontSet::bundled()
    }

    fn mono(fonts: &FontSet) -> SpanStyle {
        SpanStyle {
            face: fonts.monospace.unwrap_or(FaceId::REGULAR),
            size: 9.0,
            rise: 0.0,
            case: Case::Normal,
            hyphenate: false,
            link: 0,
            lang: 0,
        }
    }

    /// The text of a line's glyphs by their pen positions: a space glyph for each space.
    fn shown(t: &Typesetter, line: &Line) -> String {
        let mut s = String::new();
        for r in &line.runs {
            if r.actual_text.as_deref() == Some("") {
                s.push('»');
                continue;
            }
            for g in &r.glyphs {
                s.push_str(t.shaper.glyph_texts.get(&(r.face, g.id)).map_or("?", String::as_str));
            }
        }
        s
    }

    #[test]
    fn indentation_and_runs_of_spaces_are_kept() {
        let (_d, f) = setup();
        let mut t = Typesetter::new(&f, Vec::new());
        let code = t.set_code("fn main() {\n\tlet  x =   1;\n\n        y\n}", mono(&f), &Lang::of("en"), 300.0);
        let texts: Vec<String> = code.lines.iter().map(|l| shown(&t, l)).collect();
        assert_eq!(texts, ["fn main() {", "    let  x =   1;", "", "        y", "}"]);
        assert_eq!(code.wrapped, 0);
        // A monospace face: the `l` of the second line stands four columns in.
        let col = code.lines[0].runs[0].glyphs[1].x;
        assert!((code.lines[1].runs[0].glyphs[4].x - 4.0 * col).abs() < 0.01);
        // An empty line keeps its height.
        assert!(code.lines[2].ascent > 0.0);
    }

    #[test]
    fn long_lines_wrap_at_a_space_or_inside_a_word_with_a_mark() {
        let (_d, f) = setup();
        let mut t = Typesetter::new(&f, Vec::new());
        let style = mono(&f);
        let words = (0..30).map(|i| format!("word{i}")).collect::<Vec<_>>().join(" ");
        let long = format!("    call({words});\n{}", "x".repeat(200));
        let width = 150.0;
        let code = t.set_code(&long, style, &Lang::of("en"), width);
        assert_eq!(code.wrapped, 2);
        let texts: Vec<String> = code.lines.iter().map(|l| shown(&t, l)).collect();
        for (l, s) in code.lines.iter().zip(&texts) {
            let right = l.runs.iter().map(|r| r.x + r.width).fold(0.0, f32::max);
            assert!(right <= width + 0.01, "{s} runs to {right}");
        }
        // The first line broke after a space, its continuations start with the mark at
        // the line's indentation, and no word was cut.
        let first: Vec<&String> = texts.iter().take_while(|s| !s.contains("xxx")).collect();
        assert!(first.len() > 2, "{texts:?}");
        assert!(first.iter().skip(1).all(|s| s.starts_with('»')), "{texts:?}");
        let indent = code.lines[1].runs[0].x;
        assert!((indent - code.lines[0].runs[0].glyphs[4].x).abs() < 0.01, "{indent}");
        let joined: String = first.iter().map(|s| s.trim_start_matches('»').trim()).collect::<Vec<_>>().join(" ");
        assert_eq!(joined, format!("call({words});"));
        // The run of x breaks inside the word, the last x reading out with a soft hyphen.
        let xs: Vec<&Line> = code.lines.iter().skip(first.len()).collect();
        assert!(xs.len() >= 2);
        let last = xs[0].runs.last().unwrap();
        assert_eq!(last.actual_text.as_deref(), Some("x\u{AD}"));
        let count: usize = xs.iter().map(|l| l.text.matches('x').count()).sum();
        assert_eq!(count, 200);
    }
}
