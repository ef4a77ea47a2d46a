//! Pagination rules, one test each, on pages made in memory: synthetic lines whose single
//! glyph carries their number are replayed by the flow into a [`Memory`] sink, and the
//! tests read back which line went on which page and at what height.

use super::*;
use crate::document::pages::Doc;
use crate::images::{Colour, Data};
use crate::pdf::font::FontSet;
use crate::pdf::text::paragraph::LineRun;

/// The faces of the synthetic lines: body text and footnotes (no real face has these
/// numbers, so folios and running heads, set in real faces, are told apart).
const BODY: FaceId = FaceId(90);
const NOTE: FaceId = FaceId(91);

fn fonts() -> (tempfile::TempDir, FontSet) {
    FontSet::bundled()
}

/// A 300 × 300 pt page, 10 pt type on 12 pt leading, on a grid.
fn geometry() -> Geometry {
    Geometry {
        tuning: Default::default(),
        width: Pt::new(300.0),
        height: Pt::new(300.0),
        inner: Pt::new(30.0),
        outer: Pt::new(40.0),
        top: Pt::new(30.0),
        bottom: Pt::new(30.0),
        size: Pt::new(10.0),
        leading: Pt::new(12.0),
        indent: Pt::new(10.0),
        paragraph_space: Pt::new(0.0),
        align: Alignment::Justify,
        hyphenate: true,
        recto_starts: true,
        running_heads: style::RunningHeads::None,
        grid: true,
        native_digits: false,
        scale: Scale::of(&style::Sizes::default()),
        space: Space::of(&style::Spacing::default()),
    }
}

/// Line `id` in `face`; `link` > 0 makes it call the unit's link target `link`.
fn line(id: u16, face: FaceId, link: u32) -> Line {
    let run = LineRun {
        face,
        size: 10.0,
        x: 0.0,
        rise: 0.0,
        hscale: 1.0,
        glyphs: vec![Glyph { id, x: 0.0, dy: 0.0 }],
        actual_text: None,
        link,
        tag: 0,
        lang: 0,
        width: 50.0,
    };
    Line { runs: vec![run], width: 50.0, ascent: 7.0, descent: 2.0, hyphenated: false, text: String::new(), word: 0 }
}

/// The body's leading.
const LEADING: Pt = Pt::new(12.0);

/// A paragraph of the lines numbered `ids`, at the body's leading.
fn para(ids: std::ops::Range<u16>) -> Op {
    Op::Lines {
        lines: ids.map(|i| line(i, BODY, 0)).collect(),
        dx: Pt::ZERO,
        advance: LEADING,
        keep: false,
        variants: Variants::None,
    }
}

/// Lengths this close are the same.
fn near(a: Pt, b: Pt) -> bool {
    (a - b).abs() < Pt::new(0.01)
}

/// What a test sees of a page: its body lines (number, baseline from the top), its
/// footnote lines, images (their tops), rules (their widths), and glyph runs in real faces
/// (folios, labels).
#[derive(Debug, Default)]
struct View {
    index: usize,
    body: Vec<(u16, Pt)>,
    notes: Vec<(u16, Pt)>,
    images: Vec<Pt>,
    rules: Vec<Pt>,
    other: Vec<(FaceId, Pt)>,
}

impl View {
    fn ids(&self) -> Vec<u16> {
        self.body.iter().map(|b| b.0).collect()
    }

    fn last_baseline(&self) -> Pt {
        self.body.last().map_or(Pt::ZERO, |b| b.1)
    }
}

/// Replay `ops` from page `first` (1-based; odd pages are rectos) and read the pages back.
fn run_from(first: usize, ops: Vec<Op>) -> Vec<View> {
    run_in(&geometry(), first, ops)
}

/// [`run_from`] in geometry `g`.
fn run_in(g: &Geometry, first: usize, ops: Vec<Op>) -> Vec<View> {
    let (_dir, fonts) = fonts();
    let mut ts = Typesetter::new(&fonts, Vec::new());
    let mut flow = Flow::new(g, first, "Note {}, continued", Memory::default());
    flow.replay(ops, &mut ts).unwrap();
    flow.finish(&mut ts).unwrap();
    let pages = std::mem::take(&mut flow.sink().0);
    pages
        .into_iter()
        .map(|(index, page)| {
            let mut v = View { index, ..View::default() };
            for m in &page.marks {
                match m {
                    Mark::Glyphs { face, y, glyphs, .. } => {
                        let from_top = *y;
                        match *face {
                            BODY => v.body.extend(glyphs.iter().map(|gl| (gl.id, from_top))),
                            NOTE => v.notes.extend(glyphs.iter().map(|gl| (gl.id, from_top))),
                            f => v.other.push((f, from_top)),
                        }
                    }
                    Mark::Image { y, .. } => v.images.push(*y),
                    Mark::Rect { width, .. } => v.rules.push(*width),
                    _ => {}
                }
            }
            v
        })
        .collect()
}

fn run(ops: Vec<Op>) -> Vec<View> {
    run_from(1, ops)
}

/// How many body lines a page holds.
fn capacity() -> u16 {
    let pages = run(vec![para(0..100)]);
    pages[0].body.len() as u16
}

#[test]
fn lines_sit_on_the_grid() {
    let pages = run(vec![para(0..30)]);
    let g = geometry();
    for p in &pages {
        for (_, y) in &p.body {
            assert!(near(g.snap(*y), *y), "line at {y:?} off the grid");
        }
    }
    // All lines, once each, in order.
    let all: Vec<u16> = pages.iter().flat_map(View::ids).collect();
    assert_eq!(all, (0..30).collect::<Vec<_>>());
}

#[test]
fn no_widow() {
    let cap = capacity();
    // One line more than a page holds: the last would stand alone on the next page.
    let pages = run(vec![para(0..cap + 1)]);
    assert_eq!(pages[0].body.len(), cap as usize - 1, "the page gives up a line");
    assert_eq!(pages[1].ids(), vec![cap - 1, cap]);
}

#[test]
fn no_orphan() {
    let cap = capacity();
    // The page has room for one line of the second paragraph: it starts on the next page.
    let pages = run(vec![para(0..cap - 1), para(100..105)]);
    assert_eq!(pages[0].ids(), (0..cap - 1).collect::<Vec<_>>());
    assert_eq!(pages[1].ids(), (100..105).collect::<Vec<_>>());
}

#[test]
fn heading_kept_with_two_lines() {
    let cap = capacity();
    let heading = Op::Lines {
        lines: vec![line(500, BODY, 0)],
        dx: Pt::ZERO,
        advance: LEADING,
        keep: true,
        variants: Variants::None,
    };
    // Room for the heading and one line after it: the heading goes over with the text.
    let pages = run(vec![para(0..cap - 2), heading, para(100..110)]);
    assert_eq!(pages[0].ids(), (0..cap - 2).collect::<Vec<_>>());
    assert_eq!(pages[1].ids()[..3], [500, 100, 101]);
}

/// A unit whose paragraph `0..len` calls footnote 1 (of `note_lines` lines) on line `call`.
fn with_note(len: u16, call: u16, note_lines: u16) -> Vec<Op> {
    let lines = (0..len).map(|i| line(i, BODY, u32::from(i == call))).collect();
    vec![
        Op::Targets(vec![LinkTarget::Note(1)]),
        Op::Note { number: 1, lines: (0..note_lines).map(|i| (line(1000 + i, NOTE, 0), Pt::ZERO, 0)).collect() },
        Op::Lines { lines, dx: Pt::ZERO, advance: LEADING, keep: false, variants: Variants::None },
        Op::EndUnit,
    ]
}

#[test]
fn footnote_on_its_calls_page() {
    let cap = capacity();
    // The call falls on the page's last line, where the note does not fit with it.
    let call = cap - 1;
    let pages = run(with_note(2 * cap, call, 3));
    let call_page = pages.iter().position(|p| p.ids().contains(&call)).unwrap();
    let note_pages: Vec<usize> = (0..pages.len()).filter(|&i| !pages[i].notes.is_empty()).collect();
    assert_eq!(note_pages, vec![call_page]);
    assert_eq!(pages[call_page].notes.len(), 3);
    // The notes sit below the text.
    let lowest_text = pages[call_page].last_baseline();
    assert!(pages[call_page].notes.iter().all(|n| n.1 > lowest_text));
}

#[test]
fn long_note_split_two_and_two_with_its_label() {
    let cap = capacity();
    // A ten-line note called a few lines above the foot: part stays, the rest goes over.
    let call = cap - 6;
    let pages = run(with_note(3 * cap, call, 10));
    let call_page = pages.iter().position(|p| p.ids().contains(&call)).unwrap();
    let here: Vec<u16> = pages[call_page].notes.iter().map(|n| n.0).collect();
    let next: Vec<u16> = pages[call_page + 1].notes.iter().map(|n| n.0).collect();
    assert!(here.len() >= 2 && next.len() >= 2, "split {here:?} / {next:?}");
    let all: Vec<u16> = here.iter().chain(&next).copied().collect();
    assert_eq!(all, (1000..1010).collect::<Vec<_>>(), "every note line once, in order");
    // The continuation carries its label (set in a real face) above it, under a rule
    // as wide as the measure.
    let first_continued = pages[call_page + 1].notes[0].1;
    assert!(pages[call_page + 1].other.iter().any(|(f, y)| *f == FaceId::ITALIC && *y < first_continued));
    let measure = geometry().measure();
    assert!(pages[call_page + 1].rules.iter().any(|w| near(*w, measure)));
}

#[test]
fn figure_that_does_not_fit_heads_the_next_page() {
    let cap = capacity();
    let image = Arc::new(PdfImage {
        width: 1,
        height: 1,
        colour: Colour::Gray,
        data: Data::Raw { samples: vec![0], alpha: None },
    });
    let figure = Figure {
        key: "figure".into(),
        image,
        width: Pt::new(100.0),
        height: Pt::new(120.0),
        dx: Pt::ZERO,
        caption: vec![line(900, BODY, 0)],
        caption_dx: Pt::ZERO,
        advance: LEADING,
        at: Spot { doc: Doc::Chapter(0), block: 2, word: 0 },
        alt: "a figure".into(),
        home: 0,
    };
    // Half a page of text, the figure (ten lines tall), then more text.
    let pages = run(vec![para(0..cap / 2 + 2), Op::Figure(figure), para(100..100 + cap)]);
    assert!(pages[0].images.is_empty(), "the figure does not fit on the first page");
    // The text after the figure fills the first page.
    assert_eq!(pages[0].body.len(), cap as usize);
    assert!(pages[0].ids().contains(&100));
    // The figure heads the second page, above its first line of text.
    let g = geometry();
    assert_eq!(pages[1].images.len(), 1);
    assert!(near(pages[1].images[0], g.top));
    assert_eq!(pages[1].ids()[0], 900, "the caption comes first");
}

#[test]
fn chapter_starts_on_a_recto() {
    let pages = run(vec![para(0..3), Op::NewPage { recto: true }, para(100..103)]);
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0].ids(), vec![0, 1, 2]);
    assert!(pages[1].body.is_empty(), "a blank verso");
    assert_eq!(pages[2].index, 2);
    assert_eq!(pages[2].ids(), vec![100, 101, 102]);
}

#[test]
fn facing_pages_end_level() {
    let cap = capacity();
    // From a verso: a paragraph running three lines onto the recto, then one that would
    // leave a widow there, so the recto runs a line short. The verso gives up a line and
    // both end level.
    let pages = run_from(2, vec![para(0..cap + 3), para(100..100 + cap - 2)]);
    assert_eq!(pages[0].index % 2, 1, "the first page is a verso");
    assert_eq!(pages[0].body.len(), cap as usize - 1);
    assert!(near(pages[0].last_baseline(), pages[1].last_baseline()));
    assert!(pages[1].body.len() >= 2);
}

#[test]
fn native_figures() {
    assert_eq!(figures(1948, '0'), "1948");
    let lang = |t: &str| crate::lang::Lang::parse(t).unwrap().0;
    assert_eq!(figures(1948, native_zero(&lang("ar"))), "١٩٤٨");
    assert_eq!(figures(205, native_zero(&lang("fa-IR"))), "۲۰۵");
    assert_eq!(native_zero(&lang("de")), '0');
}

/// Each page begins at the place of the first line set on it: the block of the `Op::At`
/// before the line and the word the line begins with; a floated figure that heads a page
/// begins it at its own block.
#[test]
fn pages_begin_where_their_first_line_comes_from() {
    let (_dir, fonts) = fonts();
    let g = geometry();
    let cap = capacity();
    let at = |block, word| Spot { doc: Doc::Chapter(3), block, word };
    let mut lines: Vec<Line> = (0..cap + 10).map(|i| line(i, BODY, 0)).collect();
    for (i, l) in lines.iter_mut().enumerate() {
        // Five words a line, the paragraph's words counted from its start.
        l.word = i as u32 * 5;
    }
    let ops = vec![
        Op::At(at(1, 0)),
        Op::Lines { lines, dx: Pt::ZERO, advance: LEADING, keep: false, variants: Variants::None },
        Op::NewPage { recto: false },
        Op::At(at(2, 0)),
        para(500..502),
    ];
    let mut ts = Typesetter::new(&fonts, Vec::new());
    let mut flow = Flow::new(&g, 1, "Note {}, continued", Memory::default());
    flow.replay(ops, &mut ts).unwrap();
    flow.finish(&mut ts).unwrap();
    let first_of_page2 = flow.sink().0[1].1.marks.iter().find_map(|m| match m {
        Mark::Glyphs { face: BODY, glyphs, .. } => Some(glyphs[0].id),
        _ => None,
    });
    let k = first_of_page2.unwrap() as u32;
    assert!(k > 0 && k < cap as u32 + 10, "{k}");
    assert_eq!(flow.spots, vec![(0, at(1, 0)), (1, at(1, k * 5)), (2, at(2, 0))]);
}

/// The test geometry with paragraphs allowed a line longer or shorter to fill pages.
fn filling() -> Geometry {
    let tuning = Tuning {
        looseness: 1,
        looseness_demerits: 1.0e6,
        heading_demerits: 1.0e5,
        short_page_demerits: 4.0e6,
        apart_demerits: 3.0e6,
        ..Tuning::default()
    };
    Geometry { tuning, ..geometry() }
}

#[test]
fn a_paragraph_a_line_shorter_fills_the_page_a_widow_would_leave_short() {
    let cap = capacity();
    // Ten lines (or, for a few more demerits, nine: lines 300-308), then a paragraph that
    // would leave its last line alone on the next page, then another.
    let shorter = Variant { delta: -1, cost: 500.0, lines: (300..309).map(|i| line(i, BODY, 0)).collect() };
    let first = || {
        let Op::Lines { lines, dx, advance, keep, .. } = para(0..10) else { unreachable!() };
        Op::Lines { lines, dx, advance, keep, variants: Variants::Set(vec![shorter.clone()]) }
    };
    let ops = || vec![first(), para(100..100 + cap - 9), para(400..405)];
    // As set without variants: the page runs a line short.
    let plain = run_in(&geometry(), 1, ops());
    assert_eq!(plain[0].body.len(), cap as usize - 1);
    // With them: the nine-line variant, and the page full.
    let pages = run_in(&filling(), 1, ops());
    assert_eq!(pages[0].body.len(), cap as usize);
    assert_eq!(pages[0].ids()[..9], (300..309).collect::<Vec<_>>()[..]);
    assert_eq!(pages[1].ids(), (400..405).collect::<Vec<_>>());
}

#[test]
fn a_heading_moves_up_a_line_of_the_grid_to_keep_its_two_lines_on_the_page() {
    let cap = capacity();
    let g = filling();
    let heading = || Op::Lines {
        lines: vec![line(500, BODY, 0)],
        dx: Pt::ZERO,
        advance: LEADING,
        keep: true,
        variants: Variants::None,
    };
    let space = LEADING * 1.5;
    let ops = || {
        vec![
            para(0..cap - 5),
            Op::HeadingSpace { space, variants: [space - LEADING * 0.5, space + LEADING] },
            heading(),
            Op::Skip(LEADING * 0.5),
            para(100..110),
        ]
    };
    // The heading and two lines need six lines of the grid, the page has five left: as
    // the heading's space stands, the heading goes over and the page runs five lines short.
    let plain = run_in(&geometry(), 1, ops());
    assert_eq!(plain[0].body.len(), cap as usize - 5);
    // Half a line less above it, the heading and its two lines fill the page, on the grid.
    let pages = run_in(&g, 1, ops());
    assert_eq!(pages[0].ids()[cap as usize - 5..], [500, 100, 101]);
    for (_, y) in &pages[0].body {
        assert!(near(g.snap(*y), *y), "line at {y:?} off the grid");
    }
}

#[test]
fn no_word_broken_across_the_page_after_two_hyphens_in_a_row() {
    let cap = capacity() as usize;
    // The page would end on the second of two hyphenated lines: it ends before both.
    let mut lines: Vec<Line> = (0..cap as u16 + 5).map(|i| line(i, BODY, 0)).collect();
    lines[cap - 2].hyphenated = true;
    lines[cap - 1].hyphenated = true;
    let pages = run(vec![Op::Lines { lines, dx: Pt::ZERO, advance: LEADING, keep: false, variants: Variants::None }]);
    assert_eq!(pages[0].body.len(), cap - 2);
}

#[test]
fn a_paragraph_on_an_earlier_page_fills_a_later_one() {
    let cap = capacity();
    // Page 1 (a recto, full either way): A, `cap - 3` lines (or, for a few demerits,
    // `cap - 2`: lines 300-), then B, five lines. Page 2: B's rest, then C, `cap - 1` lines,
    // which would leave its last line alone on page 3, so page 2 runs a line short. Only a
    // plan of the whole chapter sees that A a line longer moves a line of B over and
    // fills page 2: nothing on page 2 can change.
    let longer = Variant { delta: 1, cost: 500.0, lines: (300..300 + cap - 2).map(|i| line(i, BODY, 0)).collect() };
    let ops = || {
        let Op::Lines { lines, dx, advance, keep, .. } = para(0..cap - 3) else { unreachable!() };
        let a = Op::Lines { lines, dx, advance, keep, variants: Variants::Set(vec![longer.clone()]) };
        vec![a, para(100..105), para(200..200 + cap - 1), para(400..405)]
    };
    let plain = run_in(&geometry(), 1, ops());
    assert_eq!(plain[1].body.len(), cap as usize - 1);
    let pages = run_in(&filling(), 1, ops());
    assert_eq!(pages[0].body.len(), cap as usize);
    assert_eq!(pages[0].ids()[0], 300, "A is set a line longer");
    assert_eq!(pages[1].body.len(), cap as usize, "{:?}", pages[1].ids());
    assert!(pages[2].body.len() >= 2);
    for p in &pages {
        for (_, y) in &p.body {
            assert!(near(filling().snap(*y), *y), "line at {y:?} off the grid");
        }
    }
}
