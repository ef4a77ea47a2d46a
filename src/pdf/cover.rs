//! The wrap-around cover of a perfect-bound book: back cover, spine and front cover on one
//! sheet with bleed all round. The spine's width follows the page count and the paper;
//! it carries the title and editors when it is wide enough to hold them. The back carries
//! the description and the ISBN as an EAN-13 barcode; the front is the cover image, or a
//! typographic cover from the title, subtitle and editors.
//!
//! The panels are also what a booklet's cover sheet shows (front and back, no spine).

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::images::PdfImage;
use crate::lang::Lang;
use crate::pdf::barcode;
use crate::pdf::font::{Case, FaceId, FontSet};
use crate::pdf::layout::Geometry;
use crate::pdf::length::Pt;
use crate::pdf::print::print_setup;
use crate::pdf::profile::{Barcode, Profile};
use crate::pdf::text::paragraph::{Alignment, Line, Measure, Span, SpanStyle, Typesetter};
use crate::pdf::write::print::MM;
use crate::pdf::write::{DocInfo, Mark, Page, PdfWriter};
use crate::project::Project;
use crate::Prepared;
use std::path::Path;
use std::sync::Arc;

/// Nothing that matters comes closer to the trim than this (cutting wanders by a
/// millimetre or two; 5 mm is what print shops ask for, a little more looks calmer).
pub(crate) const SAFE: f32 = 12.0 * MM;

/// The width of the ISBN's barcode with its quiet zones and digits (EAN-13 at 90 %).
const BARCODE_WIDTH: f32 = 113.0 * 0.33 * 0.9 * MM;

/// A spine narrower than this carries no text.
pub(crate) const MIN_SPINE_TEXT: f32 = 6.0 * MM;

/// The spine's width in points: one paper thickness per leaf (two pages).
pub(crate) fn spine_width(pages: usize, paper_thickness_mm: f64) -> f32 {
    (pages.div_ceil(2) as f64 * paper_thickness_mm) as f32 * MM
}

/// The cover's trimmed size (back, spine, front) for pages `w` × `h` and a spine `s`.
pub(crate) fn trim_size(w: f32, h: f32, spine: f32) -> (f32, f32) {
    (2.0 * w + spine, h)
}

/// What the cover was made with, for the preflight.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CoverFacts {
    /// The interior's pages the spine was made for.
    pub(crate) pages: usize,
    /// The trimmed panel (one page) and the whole trimmed cover, points.
    pub(crate) page: (f32, f32),
    pub(crate) size: (f32, f32),
    pub(crate) spine: f32,
    pub(crate) bleed: f32,
    /// The spine carries text.
    pub(crate) spine_text: bool,
    /// The ISBN's barcode is drawn.
    pub(crate) barcode_drawn: bool,
    /// Marks of the back cover that reach into the platform's barcode box (0: clear).
    pub(crate) in_barcode_box: usize,
    /// The cover image's resolution as placed.
    pub(crate) lowest_ppi: Option<(String, f32)>,
}

/// Write the cover for an interior of `pages` pages to `file`.
pub(crate) fn write(
    prep: &Prepared,
    project: &Project,
    file: &Path,
    pages: usize,
    marks: bool,
    report: &mut Report,
) -> Option<CoverFacts> {
    write_inner(prep, project, file, pages, marks, report).unwrap_or_else(|d| {
        report.push(d);
        None
    })
}

fn write_inner(
    prep: &Prepared,
    project: &Project,
    file: &Path,
    pages: usize,
    marks: bool,
    report: &mut Report,
) -> Result<Option<CoverFacts>, Diagnostic> {
    let errors_before = report.errors();
    let fonts = FontSet::load(project, &prep.style.fonts)?;
    let g = Geometry::of(&prep.style)?;
    let setup = print_setup(prep, marks, true, report)?;
    let bleed = setup.bleed;
    let profile = Profile::of(crate::pdf::profile::platform(prep));
    let opts = &prep.anthology.print;
    let spine = profile.spine_width(pages, opts.paper, opts.paper_thickness_mm, opts.paper_thickness_given);
    // Spine text where the platform allows it for this page count, unless the book says.
    let allowed = profile.spine_text_from.is_none_or(|least| pages >= least);
    let want_spine_text = opts.spine_text.unwrap_or(allowed);
    // The cover's own arithmetic is in bare points, its heights from the top edge.
    let (gw, gh) = (g.width.get(), g.height.get());
    let (width, height) = trim_size(gw, gh, spine);
    let mut ts = Typesetter::new(&fonts, Vec::new());
    let mut page = Page { width: Pt::new(width), height: Pt::new(height), ..Default::default() };
    // A book that reads right to left has its front on the left, its back on the right.
    let rtl = prep.book.meta.language.is_rtl();
    let (back_x, front_x) = if rtl { (gw + spine, 0.0) } else { (0.0, gw + spine) };
    let draw_barcode = matches!(profile.barcode, Barcode::Draw { .. });
    let before_back = page.marks.len();
    back(&mut ts, prep, &mut page.marks, back_x, gw, gh, draw_barcode, report);
    let in_barcode_box = match profile.barcode {
        Barcode::KeepClear { width, height, from_edge, from_bottom } => {
            // The box is at the foot of the back cover on the spine's side.
            let x = if rtl { back_x + from_edge } else { back_x + gw - from_edge - width };
            let y = gh - from_bottom - height;
            page.marks[before_back..].iter().filter(|m| overlaps(m, (x, y, width, height))).count()
        }
        Barcode::Draw { .. } => 0,
    };
    let barcode_drawn = draw_barcode
        && prep.book.meta.isbn.as_deref().and_then(barcode::ean13_digits).and_then(|d| barcode::modules(&d)).is_some();
    let spine_drawn =
        want_spine_text && spine_text(&mut ts, prep, &mut page.marks, gw, spine, gh, profile.spine_clearance);
    front(&mut ts, prep, &mut page.marks, front_x, gw, gh, bleed, report);
    if marks {
        fold_marks(&mut page.marks, &[gw, gw + spine], height, bleed);
    }
    let mut writer = PdfWriter::create_version(file, setup.version())?;
    writer.set_print(setup);
    writer.page(&fonts, 0, &page)?;
    crate::pdf::print::report_images(&writer, prep, project, report);
    if report.errors() > errors_before {
        return Ok(None);
    }
    let lowest_ppi = writer.press_log().lowest_ppi.iter().map(|(k, v)| (k.clone(), *v)).next();
    let facts = CoverFacts {
        pages,
        page: (gw, gh),
        size: (width, height),
        spine,
        bleed,
        spine_text: spine_drawn,
        barcode_drawn,
        in_barcode_box,
        lowest_ppi,
    };
    let info = DocInfo {
        title: format!("{} – cover", prep.book.meta.title),
        authors: prep.book.meta.editors.clone(),
        subject: prep.book.meta.description.clone(),
        keywords: Vec::new(),
        language: prep.book.meta.language.to_string(),
        modified: prep.book.modified,
        identifier: format!("{}#cover", prep.book.meta.identifier),
    };
    let texts = std::mem::take(&mut ts.shaper.glyph_texts);
    writer.finish(&fonts, &texts, &info, Default::default())?;
    Ok(Some(facts))
}

/// Does `m` (a mark of the back cover) reach into the rectangle `(x, y, w, h)` (`y` from
/// the top)? Glyph runs are taken as an em high above their baseline and a third below,
/// and an em wider than their last glyph's start, which is more than they cover.
fn overlaps(m: &Mark, (x, y, w, h): (f32, f32, f32, f32)) -> bool {
    let (x0, y0, x1, y1) = match m {
        Mark::Glyphs { size, x: gx, y: gy, glyphs, .. } => {
            let Some(last) = glyphs.last() else { return false };
            let first = glyphs.first().map_or(0.0, |g| g.x);
            (gx.get() + first, gy.get() - size, gx.get() + last.x + size, gy.get() + size / 3.0)
        }
        Mark::Rect { x: rx, y: ry, width, height } => {
            (rx.get(), ry.get(), rx.get() + width.get(), ry.get() + height.get())
        }
        Mark::Image { x: ix, y: iy, width, height, .. } => {
            (ix.get(), iy.get(), ix.get() + width.get(), iy.get() + height.get())
        }
        _ => return false,
    };
    x0 < x + w && x1 > x && y0 < y + h && y1 > y
}

/// The front and the back cover as pages of their own (a booklet's outer sheet).
pub(crate) fn panels(ts: &mut Typesetter, prep: &Prepared, g: &Geometry, report: &mut Report) -> (Page, Page) {
    let (w, h) = (g.width.get(), g.height.get());
    let mut front_page = g.blank_page();
    front(ts, prep, &mut front_page.marks, 0.0, w, h, 0.0, report);
    let mut back_page = g.blank_page();
    back(ts, prep, &mut back_page.marks, 0.0, w, h, true, report);
    (front_page, back_page)
}

fn style(face: FaceId, size: f32) -> SpanStyle {
    SpanStyle { face, size, rise: 0.0, case: Case::Normal, hyphenate: false, link: 0, lang: 0 }
}

/// Lines set in `width`, centred or ragged.
fn set(ts: &mut Typesetter, spans: &[Span], width: f32, align: Alignment, lang: &Lang) -> Vec<Line> {
    let m = Measure { width, indent: 0.0, align, lang: lang.clone() };
    let lines = ts.set(spans, &m);
    // A character no font has is reported where the interior sets the same text.
    ts.problems.clear();
    lines
}

/// Place `lines` with their left edges at `x`, the first baseline at `y` (from the top),
/// each `leading` below the last; returns the baseline of the last.
fn place(marks: &mut Vec<Mark>, lines: &[Line], x: f32, mut y: f32, leading: f32) -> f32 {
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            y += leading;
        }
        crate::pdf::layout::push_line(marks, l, Pt::new(x), Pt::new(y));
    }
    y
}

/// A filled rectangle with its top left corner at (`x`, `y`), `y` from the top.
fn rect(x: f32, y: f32, width: f32, height: f32) -> Mark {
    Mark::Rect { x: Pt::new(x), y: Pt::new(y), width: Pt::new(width), height: Pt::new(height) }
}

/// The front cover in the panel from `x0`, `w` × `h`: the cover image filling it and its
/// bleed (top, bottom and the outer edge; at the spine it is cut at the fold), or the
/// title, subtitle and editors set large.
#[allow(clippy::too_many_arguments)]
fn front(
    ts: &mut Typesetter,
    prep: &Prepared,
    marks: &mut Vec<Mark>,
    x0: f32,
    w: f32,
    h: f32,
    bleed: f32,
    report: &mut Report,
) {
    let Some(asset) = &prep.book.meta.cover else {
        typographic_front(ts, prep, marks, x0, w, h);
        return;
    };
    let image = match PdfImage::load(&asset.path) {
        Ok(i) => Arc::new(i),
        Err(why) => {
            report.push(
                prep.anthology
                    .error_at(
                        Kind::Value,
                        "cover",
                        format!("the cover `{}` cannot be printed: {why}", asset.shown.display()),
                    )
                    .with_hint("save the cover as a JPEG or PNG file"),
            );
            return;
        }
    };
    // Scaled to cover the panel with bleed all round (as a cover image is made, e.g. A5
    // + 3 mm), centred on the panel's trim.
    let (bw, bh) = (w + 2.0 * bleed, h + 2.0 * bleed);
    let scale = (bw / image.width as f32).max(bh / image.height as f32);
    let (iw, ih) = (image.width as f32 * scale, image.height as f32 * scale);
    // The bleed on the outer edge; at the spine the image is cut at the fold.
    let outer_left = prep.book.meta.language.is_rtl() && bleed > 0.0;
    let clip_x = if outer_left { x0 - bleed } else { x0 };
    marks.push(Mark::Clip {
        x: Pt::new(clip_x),
        y: Pt::new(-bleed),
        width: Pt::new(w + bleed),
        height: Pt::new(h + 2.0 * bleed),
    });
    marks.push(Mark::Image {
        key: asset.path.to_string_lossy().into_owned(),
        image,
        x: Pt::new(x0 + (w - iw) / 2.0),
        y: Pt::new((h - ih) / 2.0),
        width: Pt::new(iw),
        height: Pt::new(ih),
    });
    marks.push(Mark::Restore);
}

fn typographic_front(ts: &mut Typesetter, prep: &Prepared, marks: &mut Vec<Mark>, x0: f32, w: f32, h: f32) {
    let meta = &prep.book.meta;
    let lang = &meta.language;
    let measure = w - 2.0 * SAFE;
    let size = (w / 14.0).clamp(18.0, 40.0);
    // A band across the top third carries the title: a cover reads from afar.
    let title = set(
        ts,
        &[Span { text: meta.title.clone(), style: style(FaceId::BOLD, size) }],
        measure,
        Alignment::Center,
        lang,
    );
    let mut y = h - h * 0.68;
    y = place(marks, &title, x0 + SAFE, y, size * 1.15);
    if let Some(sub) = &meta.subtitle {
        let s = size * 0.55;
        let lines =
            set(ts, &[Span { text: sub.clone(), style: style(FaceId::ITALIC, s) }], measure, Alignment::Center, lang);
        y = place(marks, &lines, x0 + SAFE, y + s * 2.0, s * 1.25);
    }
    marks.push(rect(x0 + w * 0.35, y + size * 1.2 - 1.0, w * 0.3, 1.0));
    if !meta.editors.is_empty() {
        let s = size * 0.45;
        let words = crate::document::locale::strings(lang);
        let text = format!("{} {}", words.edited_by, words.list(&meta.editors));
        let lines = set(ts, &[Span { text, style: style(FaceId::REGULAR, s) }], measure, Alignment::Center, lang);
        place(marks, &lines, x0 + SAFE, y + size * 1.2 + s * 2.2, s * 1.3);
    }
    if let Some(p) = &meta.publisher {
        let s = 10.0;
        let lines = set(
            ts,
            &[Span { text: p.clone(), style: SpanStyle { case: Case::SmallCaps, ..style(FaceId::REGULAR, s) } }],
            measure,
            Alignment::Center,
            lang,
        );
        place(marks, &lines, x0 + SAFE, h - (SAFE + s), s * 1.3);
    }
}

/// The back cover in the panel from `x0`: the title, the description, the publisher, and
/// the ISBN as a barcode at the foot, towards the spine's far side.
#[allow(clippy::too_many_arguments)]
fn back(
    ts: &mut Typesetter,
    prep: &Prepared,
    marks: &mut Vec<Mark>,
    x0: f32,
    w: f32,
    h: f32,
    draw_barcode: bool,
    report: &mut Report,
) {
    let meta = &prep.book.meta;
    let lang = &meta.language;
    let measure = w - 2.0 * SAFE;
    let size = 10.5;
    let mut y = SAFE + size * 1.6;
    let title = set(
        ts,
        &[Span { text: meta.title.clone(), style: style(FaceId::BOLD, size * 1.6) }],
        measure,
        Alignment::Ragged,
        lang,
    );
    y = place(marks, &title, x0 + SAFE, y, size * 1.9);
    if let Some(d) = &meta.description {
        let lines =
            set(ts, &[Span { text: d.clone(), style: style(FaceId::REGULAR, size) }], measure, Alignment::Ragged, lang);
        // The barcode's corner stays free.
        let room = ((h - y - size * 2.2 - (SAFE + 40.0 * MM)) / (size * 1.35)).floor().max(0.0) as usize;
        if lines.len() > room {
            report.push(
                Diagnostic::warning(
                    Kind::Content,
                    format!(
                        "the description is too long for the back cover: {} of its {} lines are left out",
                        lines.len() - room,
                        lines.len()
                    ),
                )
                .with_hint("shorten `description` in the book file"),
            );
        }
        place(marks, &lines[..lines.len().min(room)], x0 + SAFE, y + size * 2.2, size * 1.35);
    }
    if let Some(p) = &meta.publisher {
        let lines = set(
            ts,
            &[Span { text: p.clone(), style: SpanStyle { case: Case::SmallCaps, ..style(FaceId::REGULAR, size) } }],
            measure,
            Alignment::Ragged,
            lang,
        );
        place(marks, &lines, x0 + SAFE, h - (SAFE + 4.0), size);
    }
    if let Some(isbn) = meta.isbn.as_ref().filter(|_| draw_barcode) {
        let shown = meta.isbn_shown.as_deref().unwrap_or(isbn);
        // At the foot on the spine's side.
        let right = if lang.is_rtl() { x0 + SAFE + BARCODE_WIDTH } else { x0 + w - SAFE };
        isbn_barcode(ts, marks, isbn, shown, right, h - SAFE);
    }
}

/// The ISBN's EAN-13 barcode, at 90 % of the nominal size (module 0.33 mm), with its
/// digits under the bars and `ISBN …` above; its right edge (quiet zone included) at
/// `right`, its foot at `bottom` (from the top).
fn isbn_barcode(ts: &mut Typesetter, marks: &mut Vec<Mark>, isbn: &str, shown: &str, right: f32, bottom: f32) {
    let Some(digits) = barcode::ean13_digits(isbn) else { return };
    let Some(modules) = barcode::modules(&digits) else { return };
    let m = 0.33 * 0.9 * MM;
    let bar_h = 22.85 * 0.9 * MM;
    let digit_size = 8.5;
    // Quiet zones: 11 modules left (where the first digit stands), 7 right.
    let x = right - (95.0 + 7.0) * m;
    let text_h = digit_size * 1.1;
    // The foot of the bars, and their top.
    let foot = bottom - text_h;
    let top = foot - (bar_h - 5.0 * m);
    for (start, width, guard) in barcode::bars(&modules) {
        let extra = if guard { 5.0 * m } else { 0.0 };
        marks.push(rect(x + start as f32 * m, top, width as f32 * m, bar_h - 5.0 * m + extra));
    }
    let digit = |ts: &mut Typesetter, text: &str, width: f32| {
        set(
            ts,
            &[Span { text: text.to_string(), style: style(FaceId::REGULAR, digit_size) }],
            width,
            Alignment::Center,
            &Lang::default(),
        )
    };
    let baseline = bottom - 1.0;
    let first = digit(ts, &digits[..1], 7.0 * m);
    place(marks, &first, x - 9.0 * m, baseline, 0.0);
    let left = digit(ts, &digits[1..7], 42.0 * m);
    place(marks, &left, x + 3.0 * m, baseline, 0.0);
    let right_digits = digit(ts, &digits[7..], 42.0 * m);
    place(marks, &right_digits, x + 50.0 * m, baseline, 0.0);
    // The label on one line, centred over the bars however long it is.
    let label = set(
        ts,
        &[Span { text: format!("ISBN {shown}"), style: style(FaceId::REGULAR, digit_size) }],
        100_000.0,
        Alignment::Ragged,
        &Lang::default(),
    );
    let lw = label.first().map_or(0.0, |l| l.width);
    place(marks, &label[..label.len().min(1)], x + (95.0 * m - lw) / 2.0, top - 3.0, 0.0);
}

/// The spine from `x0`, `s` wide: the title and the editors, reading from top to bottom
/// (ISO 6357), centred across the spine, when it is wide enough to hold them with `clear`
/// free on each side. Returns whether it drew them.
#[allow(clippy::too_many_arguments)]
fn spine_text(
    ts: &mut Typesetter,
    prep: &Prepared,
    marks: &mut Vec<Mark>,
    x0: f32,
    s: f32,
    h: f32,
    clear: f32,
) -> bool {
    if s < MIN_SPINE_TEXT.max(2.0 * clear + 6.0) {
        return false;
    }
    let meta = &prep.book.meta;
    let lang = &meta.language;
    let room = h - 2.0 * SAFE;
    // The type's height (ascender to descender, about 1.2 em) stays within the clearance.
    let mut size = (s / MM * 1.6).min((s - 2.0 * clear) / 1.2).clamp(6.0, 14.0);
    let mut with_editors = !meta.editors.is_empty();
    let line = loop {
        let mut spans = vec![Span { text: meta.title.clone(), style: style(FaceId::BOLD, size) }];
        if with_editors {
            spans.push(Span {
                text: format!("\u{2003}{}", meta.editors.join(", ")),
                style: style(FaceId::REGULAR, size * 0.85),
            });
        }
        let lines = set(ts, &spans, 100_000.0, Alignment::Ragged, lang);
        let line = lines.into_iter().next().unwrap_or_default();
        if line.width <= room {
            break Some(line);
        }
        if size > 6.0 {
            size = (size * room / line.width).max(6.0).min(size - 0.5);
        } else if with_editors {
            with_editors = false;
        } else {
            break None;
        }
    };
    let Some(mut line) = line else { return false };
    if line.ascent - line.descent > s - 2.0 * clear {
        return false;
    }
    let centre = x0 + s / 2.0;
    if lang.is_rtl() {
        // Set flush right on its long measure: back to the start.
        let shift = 100_000.0 - line.width;
        line.runs.iter_mut().for_each(|r| r.x -= shift);
        // A book read right to left lies with its front on the left: the spine reads
        // from the foot up, the tops of its letters again towards the front.
        let tx = centre + (line.ascent - line.descent) / 2.0;
        let ty = h - (h - line.width) / 2.0;
        marks.push(Mark::Transform { turn: [0.0, 1.0, -1.0, 0.0], x: Pt::new(tx), y: Pt::new(ty) });
        place(marks, std::slice::from_ref(&line), 0.0, 0.0, 0.0);
        marks.push(Mark::Restore);
        return true;
    }
    // Rotated a quarter turn clockwise: the text's baseline runs down the spine and the
    // tops of its letters face the front cover.
    let tx = centre - (line.ascent - line.descent) / 2.0;
    let ty = (h - line.width) / 2.0;
    marks.push(Mark::Transform { turn: [0.0, -1.0, 1.0, 0.0], x: Pt::new(tx), y: Pt::new(ty) });
    place(marks, std::slice::from_ref(&line), 0.0, 0.0, 0.0);
    marks.push(Mark::Restore);
    true
}

/// Marks for the folds at the spine's edges, above and below the sheet, outside the bleed.
fn fold_marks(marks: &mut Vec<Mark>, folds: &[f32], h: f32, bleed: f32) {
    let near = bleed + 1.0 * MM;
    let len = 5.0 * MM;
    for x in folds {
        marks.push(rect(x - 0.125, h + near, 0.25, len));
        marks.push(rect(x - 0.125, -near - len, 0.25, len));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spine_follows_leaves_and_paper() {
        // 33 pages are 17 leaves: 1.7 mm of 0.1 mm paper, 8.5 mm of 0.5 mm board.
        assert!((spine_width(33, 0.1) - 1.7 * MM).abs() < 0.001);
        assert!((spine_width(34, 0.1) - 1.7 * MM).abs() < 0.001);
        assert!((spine_width(33, 0.5) - 8.5 * MM).abs() < 0.001);
        let (w, h) = trim_size(100.0, 200.0, spine_width(200, 0.1));
        assert!((w - (200.0 + 10.0 * MM)).abs() < 0.001 && h == 200.0);
    }
}
