//! Print-on-demand profiles: what each platform's published file guide asks of a print
//! interior and its cover (trim sizes, bleed, margins and the gutter by page count, marks,
//! the PDF/X flavour, page counts, type size, image resolution, the spine and the barcode).
//!
//! Every figure names the page it was checked against (`Source`). A figure marked
//! `confirmed: false` could not be checked against the platform's own guide when this was
//! written (the search found only secondary pages, or nothing); the README lists them.

use crate::config::{Paper, Platform};
use crate::pdf::write::print::MM;
use crate::Prepared;

/// Points per inch.
pub(crate) const IN: f32 = 72.0;

/// Where a figure comes from: the page, and whether it was checked on the platform's own
/// guide (`false`: only secondary sources said so, or it is Tribune's own rule).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Source {
    pub(crate) url: &'static str,
    pub(crate) confirmed: bool,
}

const fn src(url: &'static str, confirmed: bool) -> Source {
    Source { url, confirmed }
}

// Amazon KDP, "Paperback Submission Guidelines": trim sizes, bleed (0.125 in at the top,
// bottom and outside edge; the page 0.125 in wider and 0.25 in higher), outside margins
// (0.375 in with bleed), the gutter table, 24 pages at least, spine 0.002252 in a page on
// white and 0.0025 on cream. The search showed this page's own text for the 24 pages, the
// white-paper factor and the 701–828 bracket; the rest of the table, the bleed and the
// margins as quoted from it at https://kdpbuilder.com/guides/kdp-bleed-and-margins.
const KDP_GUIDE: Source = src("https://kdp.amazon.com/en_US/help/topic/G201857950", true);
// KDP, "Save Your Manuscript File": no crop or trim marks, fonts embedded, images 300 DPI.
const KDP_FILE: Source = src("https://kdp.amazon.com/help/topic/GYEKAVKMSE23PFTM", true);
// The 7 pt minimum type size: found only on a secondary page quoting KDP
// (https://authorityagency.com/courses/book-publishing-printing-guides/hardcover-publishing-with-kdp/kdp-hardcover-interior-formatting-requirements/).
const KDP_TYPE: Source = src(
    "https://authorityagency.com/courses/book-publishing-printing-guides/hardcover-publishing-with-kdp/kdp-hardcover-interior-formatting-requirements/",
    false,
);
// The cover: 0.125 in bleed all round, spine text from 79 pages with 0.0625 in clear on
// each side, KDP's barcode in a 2 × 1.2 in box 0.25 in from the bottom and the spine-far
// edge of the back cover. Not confirmed on KDP's own pages; from
// https://www.minjeegan.com/kdp-page-formatting-guide-tool and https://www.kdpcover.pro/guide.
const KDP_COVER: Source = src("https://www.minjeegan.com/kdp-page-formatting-guide-tool", false);

// IngramSpark, "File Requirements for Print Books": single pages, no crop or printer
// marks, fonts embedded, the final page blank (Ingram adds one otherwise), margins at
// least 0.5 in on all sides.
const INGRAM_GUIDE: Source = src("https://www.ingramspark.com/blog/file-requirements-for-print-books", true);
// "Using the default PDF/X-1a:2001 setting will address this issue."
const INGRAM_PDFX: Source = src(
    "https://help.ingramspark.com/hc/en-us/articles/6443532453901-File-Problems-that-Cause-Printing-Problems-of-a-Book",
    true,
);
// Ingram's bleed (0.125 in all sides), trim sizes, 18 pages at least, spine text from 48
// pages and its paper table (taken here as KDP's factors) could not be confirmed on
// Ingram's own pages: its File Creation Guide is behind a login. The report points at
// Ingram's page on print-ready files, where they belong, marked not confirmed. Seen only
// on secondary pages: the 18 pages
// (https://docs.rs/kernsetzer-model/latest/setzer_model/presets/constant.INGRAM_MIN_PAGES.html),
// the paper factors (https://cambric.pages.dev/guides/5x8-ingramspark-specs); the 48
// pages for spine text are the figure, found nowhere.
const INGRAM_UNCONFIRMED: Source = src(
    "https://help.ingramspark.com/hc/en-us/articles/5338619119245-Creating-and-Designing-Print-Ready-Digital-Files-for-Your-Book",
    false,
);

// Lulu, "What is bleed": 0.125 in on every side, the page 0.25 in wider and higher, text
// within a 0.5 in safety margin, single pages, no crop or registration marks.
const LULU_BLEED: Source = src(
    "https://help.lulu.com/en/support/solutions/articles/64000255584-how-do-i-make-my-content-cover-the-whole-page-what-is-bleed",
    true,
);
// Lulu, "How is spine width calculated": (pages / 444) + 0.06 in for perfect bound.
const LULU_SPINE: Source =
    src("https://help.api.lulu.com/en/support/solutions/articles/64000254616-how-is-spine-width-calculated-", true);
// Lulu, "Interior formatting FAQ": 300 ppi.
const LULU_FAQ: Source =
    src("https://help.lulu.com/en/support/solutions/articles/64000255590-interior-formatting-faq", true);
// Lulu's spine width calculator (a PDF of Lulu's): paperbacks from 32 pages. Seen as a copy
// on scribd (https://www.scribd.com/document/513281500/lulu-spine-width-calculator).
const LULU_PAGES: Source = src("https://www.scribd.com/document/513281500/lulu-spine-width-calculator", true);
// Lulu's list of trim sizes was not found; the sizes here are Lulu's book sizes as
// commonly listed (US Trade, Digest, A5, Pocket, Novella, Royal, Executive, Crown Quarto,
// Square, US Letter, A4, Comic, Landscape).
const LULU_TRIMS: Source =
    src("https://help.lulu.com/en/support/solutions/articles/64000255583-tips-for-formatting-documents", false);

// BoD, "Coverberechnung für Verlage": fonts embedded, no crop marks or registration
// crosses, single pages, 300 dpi, 5 mm bleed on all four edges, 24 pages at least, at most
// 1,200 (80 g/m²), 1,050 (90 g/m² white), 900 (90 g/m² cream, paperback); every cover
// needs a barcode at least 25 mm wide.
const BOD_GUIDE: Source = src("https://www.bod.de/verlage/coverberechnung", true);
// BoD offers ten formats (https://www.bod.de/autoren/buch-veroeffentlichen/buchausstattung.html);
// the list of them and BoD's paper table for the spine were not found.
const BOD_TRIMS: Source = src("https://www.bod.de/autoren/buch-veroeffentlichen/buchausstattung.html", false);

/// Tribune's own rules (the copy shop's booklet, the offset default): no platform to cite.
const TRIBUNE: Source = src("README.md#print-shop-outputs", false);

/// How the bleed sits around an interior page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Bleed {
    /// The same on all four edges (points).
    All(f32),
    /// Top, bottom and the outside edge only; none at the spine (KDP).
    Outside(f32),
}

/// Which PDF/X a platform asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pdfx {
    /// PDF/X-1a:2001 (Ingram).
    X1a2001,
    /// PDF/X-1a:2003, or PDF/X-4 when the book names an output profile (today's default).
    Any,
}

/// The spine's width from the page count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Spine {
    /// Inches a page, on white and on cream paper.
    PerPage { white: f32, cream: f32 },
    /// Lulu: pages / `per_inch` + `plus` inches.
    Lulu { per_inch: f32, plus: f32 },
    /// One `paper_thickness_mm` a leaf (two pages).
    Leaves,
    /// Saddle stitching has no spine.
    None,
}

/// What the platform does with the back cover's barcode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Barcode {
    /// The platform prints its own in this box (width, height, from the spine-far edge and
    /// the bottom of the back cover, points): nothing of the cover may be in it.
    KeepClear { width: f32, height: f32, from_edge: f32, from_bottom: f32 },
    /// The cover must carry the ISBN's barcode itself.
    Draw { required: bool },
}

/// One platform's rules.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub(crate) platform: Platform,
    /// For people: "Amazon KDP (paperback)".
    pub(crate) title: &'static str,
    /// Trim sizes accepted (width, height in points); empty: any.
    pub(crate) trims: Vec<(f32, f32)>,
    pub(crate) trims_source: Source,
    /// The interior's bleed; `None`: the style's, all round.
    pub(crate) bleed: Option<Bleed>,
    pub(crate) bleed_source: Source,
    /// Least outside, top and bottom margins (points).
    pub(crate) min_margin: f32,
    /// The least gutter (inside margin) by page count: (up to pages, inches); the last
    /// entry holds for any count above too. Empty: `min_margin`.
    pub(crate) gutter: &'static [(usize, f32)],
    pub(crate) margin_source: Source,
    /// Crop marks allowed.
    pub(crate) marks: bool,
    pub(crate) marks_source: Source,
    pub(crate) pdfx: Pdfx,
    pub(crate) pdfx_source: Source,
    /// Least and most pages.
    pub(crate) pages: (usize, usize),
    pub(crate) pages_source: Source,
    /// The page count is a multiple of this (2: whole leaves; 4: saddle stitching).
    pub(crate) multiple: usize,
    /// Least type size (points), when the platform names one.
    pub(crate) min_type: Option<f32>,
    pub(crate) type_source: Source,
    /// Least effective image resolution.
    pub(crate) min_ppi: f32,
    pub(crate) ppi_source: Source,
    /// The last page must be blank.
    pub(crate) last_blank: bool,
    /// Only books that read left to right (KDP).
    pub(crate) ltr_only: bool,
    pub(crate) spine: Spine,
    pub(crate) spine_source: Source,
    /// Spine text from this many pages; with this much clear on each side of it.
    pub(crate) spine_text_from: Option<usize>,
    pub(crate) spine_clearance: f32,
    pub(crate) spine_text_source: Source,
    pub(crate) barcode: Barcode,
    pub(crate) barcode_source: Source,
    /// The cover's bleed, all round; `None`: the style's.
    pub(crate) cover_bleed: Option<f32>,
    pub(crate) cover_source: Source,
}

fn inches(list: &[(f32, f32)]) -> Vec<(f32, f32)> {
    list.iter().map(|(w, h)| (w * IN, h * IN)).collect()
}

fn mm(list: &[(f32, f32)]) -> Vec<(f32, f32)> {
    list.iter().map(|(w, h)| (w * MM, h * MM)).collect()
}

/// KDP's paperback trim sizes (inches).
const KDP_TRIMS: &[(f32, f32)] = &[
    (5.0, 8.0),
    (5.06, 7.81),
    (5.25, 8.0),
    (5.5, 8.5),
    (6.0, 9.0),
    (6.14, 9.21),
    (6.69, 9.61),
    (7.0, 10.0),
    (7.44, 9.69),
    (7.5, 9.25),
    (8.0, 10.0),
    (8.25, 6.0),
    (8.25, 8.25),
    (8.5, 8.5),
    (8.5, 11.0),
    (8.27, 11.69),
];

/// KDP's gutter by page count.
const KDP_GUTTER: &[(usize, f32)] = &[(150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875)];

impl Profile {
    /// The rules of `platform`.
    pub(crate) fn of(platform: Platform) -> Profile {
        let any = Profile {
            platform,
            title: "",
            trims: Vec::new(),
            trims_source: TRIBUNE,
            bleed: None,
            bleed_source: TRIBUNE,
            min_margin: 0.0,
            gutter: &[],
            margin_source: TRIBUNE,
            marks: true,
            marks_source: TRIBUNE,
            pdfx: Pdfx::Any,
            pdfx_source: TRIBUNE,
            pages: (1, usize::MAX),
            pages_source: TRIBUNE,
            multiple: 2,
            min_type: None,
            type_source: TRIBUNE,
            min_ppi: 300.0,
            ppi_source: TRIBUNE,
            last_blank: false,
            ltr_only: false,
            spine: Spine::Leaves,
            spine_source: TRIBUNE,
            spine_text_from: None,
            spine_clearance: 0.0,
            spine_text_source: TRIBUNE,
            barcode: Barcode::Draw { required: false },
            barcode_source: TRIBUNE,
            cover_bleed: None,
            cover_source: TRIBUNE,
        };
        match platform {
            Platform::Kdp => Profile {
                title: "Amazon KDP (paperback)",
                trims: inches(KDP_TRIMS),
                // The list as KDP's trim sizes are commonly given; the search did not show
                // KDP's own table.
                trims_source: Source { confirmed: false, ..KDP_GUIDE },
                bleed: Some(Bleed::Outside(0.125 * IN)),
                bleed_source: KDP_GUIDE,
                min_margin: 0.375 * IN,
                gutter: KDP_GUTTER,
                margin_source: KDP_GUIDE,
                marks: false,
                marks_source: KDP_FILE,
                pages: (24, 828),
                pages_source: KDP_GUIDE,
                min_type: Some(7.0),
                type_source: KDP_TYPE,
                // "KDP only supports books formatted to read from left to right", on the
                // same secondary page as the 7 pt.
                ltr_only: true,
                ppi_source: KDP_FILE,
                spine: Spine::PerPage { white: 0.002252, cream: 0.0025 },
                spine_source: KDP_GUIDE,
                spine_text_from: Some(79),
                spine_clearance: 0.0625 * IN,
                spine_text_source: KDP_COVER,
                barcode: Barcode::KeepClear {
                    width: 2.0 * IN,
                    height: 1.2 * IN,
                    from_edge: 0.25 * IN,
                    from_bottom: 0.25 * IN,
                },
                barcode_source: KDP_COVER,
                cover_bleed: Some(0.125 * IN),
                cover_source: KDP_COVER,
                ..any
            },
            Platform::Ingramspark => Profile {
                title: "IngramSpark (paperback)",
                trims: inches(&[
                    (4.0, 6.0),
                    (4.25, 7.0),
                    (5.0, 8.0),
                    (5.06, 7.81),
                    (5.25, 8.0),
                    (5.5, 8.5),
                    (5.83, 8.27),
                    (6.0, 9.0),
                    (6.14, 9.21),
                    (6.69, 9.61),
                    (7.0, 10.0),
                    (7.44, 9.69),
                    (7.5, 9.25),
                    (8.0, 10.0),
                    (8.25, 11.0),
                    (8.5, 8.5),
                    (8.5, 11.0),
                    (8.27, 11.69),
                ]),
                trims_source: INGRAM_UNCONFIRMED,
                bleed: Some(Bleed::All(0.125 * IN)),
                bleed_source: INGRAM_UNCONFIRMED,
                min_margin: 0.5 * IN,
                // Ingram's gutter table was not found; its 0.5 in on all sides holds.
                gutter: &[(usize::MAX, 0.5)],
                margin_source: INGRAM_GUIDE,
                marks: false,
                marks_source: INGRAM_GUIDE,
                pdfx: Pdfx::X1a2001,
                pdfx_source: INGRAM_PDFX,
                pages: (18, 1200),
                pages_source: INGRAM_UNCONFIRMED,
                ppi_source: INGRAM_UNCONFIRMED,
                last_blank: true,
                spine: Spine::PerPage { white: 0.002252, cream: 0.0025 },
                spine_source: INGRAM_UNCONFIRMED,
                spine_text_from: Some(48),
                spine_clearance: 0.0625 * IN,
                spine_text_source: INGRAM_UNCONFIRMED,
                barcode: Barcode::Draw { required: true },
                barcode_source: INGRAM_UNCONFIRMED,
                cover_bleed: Some(0.125 * IN),
                cover_source: INGRAM_UNCONFIRMED,
                ..any
            },
            Platform::Lulu => Profile {
                title: "Lulu (paperback, perfect bound)",
                trims: inches(&[
                    (6.0, 9.0),
                    (5.5, 8.5),
                    (5.83, 8.27),
                    (4.25, 6.87),
                    (5.0, 8.0),
                    (6.14, 9.21),
                    (7.0, 10.0),
                    (7.44, 9.68),
                    (8.5, 8.5),
                    (8.5, 11.0),
                    (8.27, 11.69),
                    (6.625, 10.25),
                    (9.0, 7.0),
                ]),
                trims_source: LULU_TRIMS,
                bleed: Some(Bleed::All(0.125 * IN)),
                bleed_source: LULU_BLEED,
                min_margin: 0.5 * IN,
                gutter: &[(usize::MAX, 0.5)],
                margin_source: LULU_BLEED,
                marks: false,
                marks_source: LULU_BLEED,
                pages: (32, 800),
                pages_source: LULU_PAGES,
                ppi_source: LULU_FAQ,
                spine: Spine::Lulu { per_inch: 444.0, plus: 0.06 },
                spine_source: LULU_SPINE,
                // Lulu names no page count for spine text: the spine's own width decides.
                spine_clearance: 0.0625 * IN,
                spine_text_source: LULU_SPINE,
                cover_bleed: Some(0.125 * IN),
                cover_source: LULU_BLEED,
                ..any
            },
            Platform::Bod => Profile {
                title: "BoD – Books on Demand (paperback)",
                trims: mm(&[
                    (120.0, 190.0),
                    (125.0, 190.0),
                    (135.0, 215.0),
                    (148.0, 210.0),
                    (155.0, 220.0),
                    (170.0, 220.0),
                    (170.0, 170.0),
                    (190.0, 270.0),
                    (210.0, 150.0),
                    (210.0, 210.0),
                    (210.0, 297.0),
                ]),
                trims_source: BOD_TRIMS,
                bleed: Some(Bleed::All(5.0 * MM)),
                bleed_source: BOD_GUIDE,
                marks: false,
                marks_source: BOD_GUIDE,
                pages: (24, 1200),
                pages_source: BOD_GUIDE,
                ppi_source: BOD_GUIDE,
                // BoD's paper table was not found: `paper_thickness_mm` a leaf.
                spine: Spine::Leaves,
                spine_source: BOD_TRIMS,
                barcode: Barcode::Draw { required: true },
                barcode_source: BOD_GUIDE,
                cover_bleed: Some(5.0 * MM),
                cover_source: BOD_GUIDE,
                ..any
            },
            Platform::Copyshop => Profile {
                title: "Copy shop (saddle-stitched booklet)",
                multiple: 4,
                pages: (4, crate::pdf::impose::SADDLE_STITCH_PAGES),
                spine: Spine::None,
                ..any
            },
            Platform::Offset => Profile { title: "Offset print shop", ..any },
        }
    }

    /// The least gutter for `pages` pages (points).
    pub(crate) fn gutter_for(&self, pages: usize) -> f32 {
        match self.gutter.iter().find(|(max, _)| pages <= *max).or(self.gutter.last()) {
            Some((_, g)) => g * IN,
            None => self.min_margin,
        }
    }

    /// The spine's width (points) for `pages` pages on `paper`, or of `thickness_mm` a
    /// leaf where the platform uses the paper's own thickness (or the publisher gave one
    /// and the platform's table is not known).
    pub(crate) fn spine_width(&self, pages: usize, paper: Paper, thickness_mm: f64, given: bool) -> f32 {
        let leaves = || crate::pdf::cover::spine_width(pages, thickness_mm);
        match self.spine {
            Spine::PerPage { .. } if given && self.platform != Platform::Kdp => leaves(),
            Spine::PerPage { white, cream } => pages as f32 * if paper == Paper::Cream { cream } else { white } * IN,
            Spine::Lulu { per_inch, plus } => (pages as f32 / per_inch + plus) * IN,
            Spine::Leaves => leaves(),
            Spine::None => 0.0,
        }
    }

    /// Is `w` × `h` (points) a trim size the platform prints? Within half a point: sizes
    /// are published in inches to two places or in millimetres.
    pub(crate) fn accepts_trim(&self, w: f32, h: f32) -> bool {
        self.trims.is_empty() || self.trims.iter().any(|(tw, th)| (tw - w).abs() < 0.75 && (th - h).abs() < 0.75)
    }

    /// The trim sizes, as people read them.
    pub(crate) fn trim_list(&self) -> String {
        let inch = matches!(self.platform, Platform::Kdp | Platform::Ingramspark | Platform::Lulu);
        self.trims
            .iter()
            .map(|(w, h)| {
                if inch {
                    format!("{} × {} in", fmt_num(w / IN), fmt_num(h / IN))
                } else {
                    format!("{} × {} mm", fmt_num(w / MM), fmt_num(h / MM))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A number without trailing zeros (`5.5`, `6`, `8.27`).
pub(crate) fn fmt_num(v: f32) -> String {
    let s = format!("{:.4}", v);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The platform the book is made for: the book file's `[print] profile`, else the
/// style's, else `offset`.
pub(crate) fn platform(prep: &Prepared) -> Platform {
    prep.anthology.print.profile.or(prep.style.print.profile).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdp_gutter_follows_its_table() {
        let p = Profile::of(Platform::Kdp);
        for (pages, inch) in
            [(24, 0.375), (150, 0.375), (151, 0.5), (300, 0.5), (301, 0.625), (700, 0.75), (828, 0.875)]
        {
            assert!((p.gutter_for(pages) - inch * IN).abs() < 1e-3, "{pages}");
        }
    }

    #[test]
    fn spines_follow_the_published_formulas() {
        let kdp = Profile::of(Platform::Kdp);
        assert!((kdp.spine_width(200, Paper::White, 0.1, false) - 200.0 * 0.002252 * IN).abs() < 1e-3);
        assert!((kdp.spine_width(200, Paper::Cream, 0.1, true) - 0.5 * IN).abs() < 1e-3);
        let lulu = Profile::of(Platform::Lulu);
        assert!((lulu.spine_width(444, Paper::White, 0.1, false) - 1.06 * IN).abs() < 1e-3);
        let bod = Profile::of(Platform::Bod);
        assert!((bod.spine_width(101, Paper::White, 0.1, false) - 5.1 * MM).abs() < 1e-3);
        let ingram = Profile::of(Platform::Ingramspark);
        assert!((ingram.spine_width(100, Paper::White, 0.12, true) - 6.0 * MM).abs() < 1e-3);
        assert_eq!(Profile::of(Platform::Copyshop).spine_width(40, Paper::White, 0.1, false), 0.0);
    }

    #[test]
    fn trims_are_matched_within_rounding() {
        let lulu = Profile::of(Platform::Lulu);
        assert!(lulu.accepts_trim(432.0, 648.0));
        assert!(!lulu.accepts_trim(135.0 * MM, 210.0 * MM));
        assert!(Profile::of(Platform::Offset).accepts_trim(1.0, 1.0));
        assert!(Profile::of(Platform::Bod).accepts_trim(148.0 * MM, 210.0 * MM));
    }
}
