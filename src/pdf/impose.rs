//! Booklet imposition for saddle stitching: the pages padded with blanks to a multiple of
//! four, two to a sheet side twice the page's width, in the order that gives the book
//! when the sheets are printed on both sides (flipped on the short edge), stacked and
//! folded. Optional creep compensation moves the inner sheets' pages towards the fold.

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::pdf::font::{FaceId, FontSet};
use crate::pdf::layout::Geometry;
use crate::pdf::text::paragraph::Typesetter;
use crate::pdf::write::print::{Placement, MM};
use crate::pdf::write::PdfWriter;
use crate::Prepared;
use std::collections::BTreeMap;

/// Saddle stitching holds about this many pages; thicker booklets bulge and their inner
/// pages creep out too far.
pub(crate) const SADDLE_STITCH_PAGES: usize = 96;

/// Impose the pages the writer holds as forms (the whole interior) into the booklet's
/// sheets, with the cover as the outer sheet when the book asks for it. The glyphs the
/// cover sets are added to `texts`.
pub(crate) fn booklet(
    writer: &mut PdfWriter,
    prep: &Prepared,
    fonts: &FontSet,
    g: &Geometry,
    texts: &mut BTreeMap<(FaceId, u16), String>,
    report: &mut Report,
) -> Result<(), Diagnostic> {
    let interior = writer.forms()?;
    let print = &prep.anthology.print;
    let cover = if print.booklet_cover {
        let mut ts = Typesetter::new(fonts, Vec::new());
        let (front, back) = crate::pdf::cover::panels(&mut ts, prep, g, report);
        let n = interior.len();
        let ids = (writer.page(fonts, n, &front)?, writer.page(fonts, n + 1, &back)?);
        for (k, v) in std::mem::take(&mut ts.shaper.glyph_texts) {
            texts.entry(k).or_insert(v);
        }
        Some(ids)
    } else {
        None
    };
    let pages = sequence(&interior, cover);
    if pages.len() > SADDLE_STITCH_PAGES {
        report.push(
            Diagnostic::warning(
                Kind::Content,
                format!(
                    "the booklet has {} pages; saddle stitching holds about {SADDLE_STITCH_PAGES} at most",
                    pages.len()
                ),
            )
            .with_hint(
                "print it as a perfect-bound book (`--format print` and `--format cover`), or split it into volumes",
            ),
        );
    }
    let rtl = prep.book.meta.language.is_rtl();
    write_sheets(writer, &pages, g.width.get(), g.height.get(), print.creep_mm as f32 * MM, rtl)
}

/// One page of the booklet in reading order: a written page (its Form XObject) or a blank.
pub(crate) type Slot = Option<u32>;

/// The booklet's pages in reading order, padded to a multiple of four. Blanks go at the
/// end of the interior, before the back cover when the cover is the outer sheet (whose
/// insides stay blank).
pub fn sequence(interior: &[u32], cover: Option<(u32, u32)>) -> Vec<Slot> {
    let mut pages: Vec<Slot> = Vec::new();
    if let Some((front, _)) = cover {
        pages.push(Some(front));
        pages.push(None);
    }
    pages.extend(interior.iter().map(|f| Some(*f)));
    let extra = if cover.is_some() { 2 } else { 0 };
    while !(pages.len() + extra).is_multiple_of(4) || pages.len() + extra == 0 {
        pages.push(None);
    }
    if let Some((_, back)) = cover {
        pages.push(None);
        pages.push(Some(back));
    }
    pages
}

/// The sheet sides in printing order for `n` pages (a multiple of four), each as the
/// 0-based indices of its left and right page: for 8 pages 8|1, 2|7, 6|3, 4|5 (1-based).
/// Even entries are sheet fronts, odd ones their backs.
pub(crate) fn order(n: usize) -> Vec<(usize, usize)> {
    let mut sides = Vec::with_capacity(n / 2);
    for k in 0..n / 4 {
        sides.push((n - 1 - 2 * k, 2 * k));
        sides.push((2 * k + 1, n - 2 - 2 * k));
    }
    sides
}

/// How far sheet `k` (0: outermost) of `sheets` moves its pages towards the fold: none
/// for the outermost, `creep` for the innermost, in proportion between.
pub(crate) fn creep_shift(k: usize, sheets: usize, creep: f32) -> f32 {
    if sheets < 2 {
        0.0
    } else {
        creep * k as f32 / (sheets - 1) as f32
    }
}

/// Write the sheets of `pages` (in reading order, a multiple of four; each `w` × `h`)
/// onto sheet sides `2w` × `h`. A booklet read right to left (`rtl`) is folded with its
/// spine on the right: every sheet side shows its two pages the other way round.
pub fn write_sheets(
    writer: &mut PdfWriter,
    pages: &[Slot],
    w: f32,
    h: f32,
    creep: f32,
    rtl: bool,
) -> Result<(), Diagnostic> {
    let sheets = pages.len() / 4;
    for (s, (left, right)) in order(pages.len()).into_iter().enumerate() {
        let (left, right) = if rtl { (right, left) } else { (left, right) };
        let shift = creep_shift(s / 2, sheets, creep);
        let mut placed = Vec::with_capacity(2);
        if let Some(form) = pages[left] {
            placed.push(Placement { form, x: shift, clip_x: 0.0, clip_w: w });
        }
        if let Some(form) = pages[right] {
            placed.push(Placement { form, x: w - shift, clip_x: w, clip_w: w });
        }
        writer.sheet(2.0 * w, h, &placed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_pages_in_booklet_order() {
        let one_based: Vec<(usize, usize)> = order(8).into_iter().map(|(l, r)| (l + 1, r + 1)).collect();
        assert_eq!(one_based, vec![(8, 1), (2, 7), (6, 3), (4, 5)]);
    }

    #[test]
    fn every_page_once_and_facing_pages_add_up() {
        for n in (4..=96).step_by(4) {
            let mut seen = vec![0; n];
            for (s, (l, r)) in order(n).into_iter().enumerate() {
                seen[l] += 1;
                seen[r] += 1;
                // Pages on one side of a folded sheet sum to n + 1 (1-based).
                assert_eq!(l + r + 2, n + 1);
                // Fronts carry an odd page on the right, backs an even one on the left.
                if s % 2 == 0 {
                    assert_eq!(r % 2, 0);
                } else {
                    assert_eq!(l % 2, 1);
                }
            }
            assert!(seen.iter().all(|c| *c == 1));
        }
    }

    #[test]
    fn padding_goes_before_the_back_cover() {
        assert_eq!(
            sequence(&[10, 11, 12, 13, 14], None),
            vec![Some(10), Some(11), Some(12), Some(13), Some(14), None, None, None]
        );
        assert_eq!(sequence(&[10], None), vec![Some(10), None, None, None]);
        assert_eq!(sequence(&[], None), vec![None, None, None, None]);
        assert_eq!(
            sequence(&[10, 11, 12], Some((1, 2))),
            vec![Some(1), None, Some(10), Some(11), Some(12), None, None, Some(2)]
        );
        assert_eq!(
            sequence(&[10, 11], Some((1, 2))),
            vec![Some(1), None, Some(10), Some(11), None, None, None, Some(2)]
        );
    }

    #[test]
    fn creep_grows_towards_the_centre() {
        assert_eq!(creep_shift(0, 5, 2.0), 0.0);
        assert_eq!(creep_shift(4, 5, 2.0), 2.0);
        assert_eq!(creep_shift(0, 1, 2.0), 0.0);
    }
}
