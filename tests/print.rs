//! The print-shop formats read back: the print edition passes the shared preflight as
//! PDF/X-1a (and as PDF/X-4 with an ICC profile), booklets hold every page once on the
//! sheet side the fold needs, the cover is as wide as the spine says and its barcode says
//! the ISBN. External tools run when installed (TRIBUNE_REQUIRE_VALIDATORS=1: required).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;
use tribune::pdf::font::{FaceId, FontSet};
use tribune::pdf::impose;
use tribune::pdf::length::Pt;
use tribune::pdf::text::paragraph::{Alignment, Measure, Span, SpanStyle, Typesetter};
use tribune::pdf::write::{DocInfo, Glyph, Mark, Page, PdfWriter};

const MM: f64 = 72.0 / 25.4;
const A5: (f64, f64) = (148.0 * MM, 210.0 * MM);

fn build(project: &Path, out: &Path, formats: &[&str], extra: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tribune"));
    cmd.args(["build", "example", "--project", project.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    for f in formats {
        cmd.args(["-f", f]);
    }
    cmd.args(extra).env("SOURCE_DATE_EPOCH", "1700000000");
    let o = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    err
}

/// Run `tribune ARGS… --project PROJECT --color never` (a build writes to `out`) and give
/// the exit code and what it said on stderr.
fn tribune_says(project: &Path, args: &[&str], out: Option<&Path>) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tribune"));
    cmd.args(args).args(["--project", project.to_str().unwrap(), "--color", "never"]);
    if let Some(o) = out {
        cmd.arg("--out").arg(o);
    }
    let o = cmd.output().unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn run(tool: &Path, args: &[&str]) -> (bool, String) {
    let o = Command::new(tool).args(args).output().unwrap();
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

/// A copy of the example project (books/ only: fonts and styles are built in), with
/// `print` appended to the book file as its `[print]` table.
fn example_copy(print: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("books"), &dir.path().join("books"));
    let toml = dir.path().join("books/example.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    // [print] before the [[parts]] tables, so it stays a table of the book.
    let at = text.find("[[parts]]").unwrap();
    std::fs::write(&toml, format!("{}[print]\n{print}\n\n{}", &text[..at], &text[at..])).unwrap();
    dir
}

/// Boxes of every page as pdfinfo prints them: (name, [x0, y0, x1, y1]) for page 1.
fn boxes(pdf: &Path) -> Option<Vec<(String, [f64; 4])>> {
    let pdfinfo = validator("pdfinfo")?;
    let (ok, out) = run(&pdfinfo, &["-box", pdf.to_str().unwrap()]);
    assert!(ok, "{out}");
    Some(
        out.lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                let nums: Vec<f64> = v.split_whitespace().filter_map(|n| n.parse().ok()).collect();
                (k.ends_with("Box") && nums.len() == 4).then(|| (k.to_string(), [nums[0], nums[1], nums[2], nums[3]]))
            })
            .collect(),
    )
}

fn pages(pdf: &Path) -> Option<usize> {
    let pdfinfo = validator("pdfinfo")?;
    let (_, out) = run(&pdfinfo, &[pdf.to_str().unwrap()]);
    out.lines().find_map(|l| l.strip_prefix("Pages:")).map(|n| n.trim().parse().unwrap())
}

fn preflight(pdf: &Path, standard: &str) -> Option<String> {
    let python = validator("tribune-tools-python")?;
    let shared = shared()?;
    let script = shared.join("tools/print_preflight.py");
    let (ok, out) = run(&python, &[script.to_str().unwrap(), pdf.to_str().unwrap(), "--standard", standard]);
    assert!(ok, "preflight --standard {standard} found problems:\n{out}");
    Some(out)
}

#[test]
fn print_edition_is_pdf_x1a_with_trim_and_bleed() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path(), &["print"], &[]);
    let pdf = out.path().join("example-print.pdf");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"), "PDF/X-1a:2003 is PDF 1.4");
    let text = pdf_syntax(&bytes);
    assert!(text.contains("/GTS_PDFXVersion(PDF/X-1a:2003)") && text.contains("/Trapped/False"));
    assert!(
        text.contains("/OutputConditionIdentifier(FOGRA39)") && text.contains("/RegistryName(http://www.color.org)")
    );
    assert!(!text.contains("/Annots"), "a print edition has no link annotations");
    if let Some(n) = pages(&pdf) {
        assert_eq!(n % 2, 0, "whole leaves");
    }
    if let Some(out) = preflight(&pdf, "x1a") {
        assert!(out.contains("preflight: 0 problems"), "{out}");
    }
    if let Some(b) = boxes(&pdf) {
        let get = |k: &str| b.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap();
        let (trim, bleed, media) = (get("TrimBox"), get("BleedBox"), get("MediaBox"));
        assert!((trim[2] - trim[0] - A5.0).abs() < 0.01 && (trim[3] - trim[1] - A5.1).abs() < 0.01, "{trim:?}");
        for i in 0..2 {
            assert!((trim[i] - bleed[i] - 3.0 * MM).abs() < 0.01, "3 mm bleed: {trim:?} {bleed:?}");
            assert!((bleed[i + 2] - trim[i + 2] - 3.0 * MM).abs() < 0.01, "3 mm bleed: {trim:?} {bleed:?}");
        }
        assert_eq!(bleed, media, "without marks the MediaBox is the BleedBox");
    }
    // With crop marks the sheet grows to hold them outside the bleed.
    let marked = tempfile::tempdir().unwrap();
    build(&repo(), marked.path(), &["print"], &["--marks"]);
    let pdf = marked.path().join("example-print.pdf");
    if let Some(b) = boxes(&pdf) {
        let get = |k: &str| b.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap();
        assert!(get("BleedBox")[0] > 5.0 * MM, "room for marks: {b:?}");
        preflight(&pdf, "x1a");
    }
}

#[test]
fn print_edition_with_an_icc_profile_is_pdf_x4() {
    // Debian's icc-profiles-free (installed by .ci/run) has no CMYK press profile; its
    // sRGB profile stands in for an RGB output condition (PDF/X-4 allows those).
    let icc = Path::new("/usr/share/color/icc/sRGB.icc");
    if !icc.is_file() {
        assert!(
            std::env::var_os("TRIBUNE_REQUIRE_VALIDATORS").is_none(),
            "{} is missing: apt-get install icc-profiles-free",
            icc.display()
        );
        eprintln!("skipped: {} is not installed (apt-get install icc-profiles-free)", icc.display());
        return;
    }
    let project = example_copy("output_profile = \"press.icc\"");
    std::fs::copy(icc, project.path().join("books/press.icc")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let err = build(project.path(), out.path(), &["print"], &[]);
    assert!(err.contains("describes a screen or scanner"), "{err}");
    let pdf = out.path().join("example-print.pdf");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.6"));
    assert!(String::from_utf8_lossy(&bytes).contains("/DestOutputProfile"));
    preflight(&pdf, "x4");
}

/// A page's width and its words with their left edges.
type Words = (f64, Vec<(f64, String)>);

/// Words on each page with their left edge, from `pdftotext -bbox`.
fn words_by_page(pdf: &Path) -> Option<Vec<Words>> {
    let pages = word_boxes(pdf)?;
    Some(pages.into_iter().map(|(w, words)| (w, words.into_iter().map(|(t, r)| (r[0], t)).collect())).collect())
}

/// A booklet of `n` pages, each showing only `P<number>`, imposed by the library.
/// `rtl`: imposed for a book read right to left.
fn numbered_booklet(n: usize, fonts: &FontSet, dir: &Path, creep: f32, rtl: bool) -> PathBuf {
    let (w, h) = (A5.0 as f32, A5.1 as f32);
    let file = dir.join(format!("b{n}-{creep}-{rtl}.pdf"));
    let mut writer = PdfWriter::create(&file).unwrap();
    writer.keep_as_forms();
    let mut ts = Typesetter::new(fonts, Vec::new());
    let style = SpanStyle {
        face: FaceId::REGULAR,
        size: 24.0,
        rise: 0.0,
        case: tribune::pdf::font::Case::Normal,
        hyphenate: false,
        link: 0,
        lang: 0,
    };
    let m = Measure {
        width: w - 40.0,
        indent: 0.0,
        align: Alignment::Center,
        lang: tribune::lang::Lang::parse("de").unwrap().0,
    };
    for i in 1..=n {
        let lines = ts.set(&[Span { text: format!("P{i}"), style }], &m);
        let marks = lines[0]
            .runs
            .iter()
            .map(|r| Mark::Glyphs {
                face: r.face,
                size: r.size,
                x: Pt::new(20.0 + r.x),
                y: Pt::new(h / 2.0),
                rise: Pt::ZERO,
                glyphs: r.glyphs.iter().map(|g| Glyph { id: g.id, x: g.x, dy: g.dy }).collect(),
                hscale: 1.0,
                actual_text: None,
            })
            .collect();
        let mut page = Page::default();
        (page.width, page.height, page.marks) = (Pt::new(w), Pt::new(h), marks);
        writer.page(fonts, i - 1, &page).unwrap();
    }
    let forms = writer.forms().unwrap();
    impose::write_sheets(&mut writer, &impose::sequence(&forms, None), w, h, creep, rtl).unwrap();
    let info = DocInfo { title: "Booklet".into(), language: "de".into(), ..Default::default() };
    writer.finish(fonts, &ts.shaper.glyph_texts, &info, Default::default()).unwrap();
    file
}

/// The booklet read the way it is made: the sheet sides in order, the sheets stacked and
/// folded. Returns what each page of the folded booklet shows (its words) in reading order:
/// the right half of each sheet's front, then the left half of its back (on the other side
/// of the same leaf, the sheet flipped on its short edge), sheet by sheet from the outside
/// in; then, on the way back out, each sheet's back right and front left. A booklet read
/// right to left (`rtl`) is folded with its spine on the right: left and right swap.
fn read_folded(sides: &[Words], rtl: bool) -> Vec<String> {
    let half = |side: &Words, right: bool| -> String {
        let mid = side.0 / 2.0;
        let right = right != rtl;
        let words: Vec<&str> = side.1.iter().filter(|(x, _)| (*x >= mid) == right).map(|(_, t)| t.as_str()).collect();
        words.join(" ")
    };
    let sheets = sides.len() / 2;
    let mut pages = Vec::new();
    for k in 0..sheets {
        pages.push(half(&sides[2 * k], true));
        pages.push(half(&sides[2 * k + 1], false));
    }
    for k in (0..sheets).rev() {
        pages.push(half(&sides[2 * k + 1], true));
        pages.push(half(&sides[2 * k], false));
    }
    pages
}

#[test]
fn booklets_of_1_to_40_pages_fold_into_reading_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("books")).unwrap();
    let project = tribune::project::Project::at(dir.path().to_path_buf()).unwrap();
    let fonts = FontSet::load(&project, &tribune::style::Fonts::default()).unwrap();
    for n in 1..=40 {
        let file = numbered_booklet(n, &fonts, dir.path(), 0.0, false);
        let Some(sides) = words_by_page(&file) else { return };
        let padded = n.div_ceil(4) * 4;
        assert_eq!(sides.len() * 2, padded, "{n} pages: {} sheet sides", sides.len());
        assert_eq!(sides.len() % 2, 0, "sheets have two sides");
        for (w, _) in &sides {
            assert!((w - 2.0 * A5.0).abs() < 0.01, "the sheet is twice the page: {w}");
        }
        let read = read_folded(&sides, false);
        let want: Vec<String> = (1..=padded).map(|i| if i <= n { format!("P{i}") } else { String::new() }).collect();
        assert_eq!(read, want, "{n} pages");
        // Imposed for a book read right to left, the same pages fold the other way.
        if n % 4 == 0 {
            let Some(sides) = words_by_page(&numbered_booklet(n, &fonts, dir.path(), 0.0, true)) else { return };
            assert_eq!(read_folded(&sides, true), want, "{n} pages, right to left");
            assert_ne!(read_folded(&sides, false), want, "{n} pages, right to left, read left to right");
        }
    }
    // Creep: the innermost of four sheets moves its pages 2 mm towards the fold, the
    // outermost not at all, the ones between in proportion.
    let x_of = |sides: &[Words], page: &str| {
        sides.iter().flat_map(|s| s.1.iter()).find(|(_, t)| t == page).map(|(x, _)| *x).unwrap()
    };
    let (Some(plain), Some(crept)) = (
        words_by_page(&numbered_booklet(16, &fonts, dir.path(), 0.0, false)),
        words_by_page(&numbered_booklet(16, &fonts, dir.path(), (2.0 * MM) as f32, false)),
    ) else {
        return;
    };
    // P8 and P9 face each other on the innermost sheet; P5 is on the right half of the
    // third sheet's front, so it moves left by two thirds of the creep.
    for (page, want) in [("P1", 0.0), ("P16", 0.0), ("P8", 2.0 * MM), ("P9", -2.0 * MM), ("P5", -4.0 / 3.0 * MM)] {
        let moved = x_of(&crept, page) - x_of(&plain, page);
        assert!((moved - want).abs() < 0.05, "{page} moved {moved}, not {want}");
    }
}

#[test]
fn example_booklet_holds_the_print_interior_in_order_with_its_cover() {
    // The booklet's pages are the print edition's (no cover image page, which the
    // reading edition opens with), in the same order.
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path(), &["booklet", "print"], &[]);
    let Some(booklet) = words_by_page(&out.path().join("example-booklet.pdf")) else { return };
    let Some(interior) = words_by_page(&out.path().join("example-print.pdf")) else { return };
    assert_eq!(booklet.len() * 2, interior.len().div_ceil(4) * 4);
    let sorted = |s: &str| {
        let mut v: Vec<&str> = s.split_whitespace().collect();
        v.sort();
        v.join(" ")
    };
    let read = read_folded(&booklet, false);
    for (i, page) in interior.iter().enumerate() {
        let text: Vec<&str> = page.1.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(sorted(&read[i]), sorted(&text.join(" ")), "page {}", i + 1);
    }
    assert!(read[interior.len()..].iter().all(String::is_empty), "padding pages are blank");

    // With the cover as the outer sheet: front cover first, back cover last, blanks inside.
    // Without its cover image, the front is set from the title (which text can find).
    let project = example_copy("booklet_cover = true\ncreep_mm = 0.4");
    let toml = project.path().join("books/example.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace("cover = \"cover.jpg\"\n", "");
    std::fs::write(&toml, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path(), &["booklet"], &[]);
    let Some(booklet) = words_by_page(&out.path().join("example-booklet.pdf")) else { return };
    let read = read_folded(&booklet, false);
    assert_eq!(read.len(), (interior.len() + 4).div_ceil(4) * 4);
    assert!(read[0].contains("Stimmen") && read[0].contains("Herausgegeben"), "front cover: {}", read[0]);
    assert!(read[1].is_empty() && read[read.len() - 2].is_empty(), "the cover's insides are blank");
    assert!(read[read.len() - 1].contains("831072"), "back cover: {}", read[read.len() - 1]);
    assert_eq!(sorted(&read[2]), sorted(&interior[0].1.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(" ")));
}

/// The bars of the cover's barcode as modules, read from the page's rectangles.
fn barcode_modules(pdf: &Path) -> Option<Vec<bool>> {
    let qpdf = validator("qpdf")?;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pdf");
    let (ok, out) = run(&qpdf, &["--qdf", "--object-streams=disable", pdf.to_str().unwrap(), plain.to_str().unwrap()]);
    assert!(ok, "{out}");
    let text = String::from_utf8_lossy(&std::fs::read(&plain).unwrap()).into_owned();
    // Bars are the tall filled rectangles (rules and marks are thin or short).
    let bars: Vec<(f64, f64)> = text
        .lines()
        .filter_map(|l| l.strip_suffix(" re f"))
        .filter_map(|l| {
            let v: Vec<f64> = l.split_whitespace().filter_map(|n| n.parse().ok()).collect();
            (v.len() == 4 && v[3] > 10.0 * MM).then(|| (v[0], v[2]))
        })
        .collect();
    let module = bars.iter().map(|b| b.1).fold(f64::MAX, f64::min);
    let x0 = bars.iter().map(|b| b.0).fold(f64::MAX, f64::min);
    let mut modules = vec![false; 95];
    for (x, w) in bars {
        let start = ((x - x0) / module).round() as usize;
        for m in modules.iter_mut().skip(start).take((w / module).round() as usize) {
            *m = true;
        }
    }
    Some(modules)
}

#[test]
fn cover_spans_back_spine_and_front_and_its_barcode_says_the_isbn() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path(), &["print", "cover"], &[]);
    let cover = out.path().join("example-cover.pdf");
    preflight(&cover, "x1a");
    let Some(b) = boxes(&cover) else { return };
    let n = pages(&out.path().join("example-print.pdf")).unwrap();
    let spine = n.div_ceil(2) as f64 * 0.1 * MM;
    let bleed = b.iter().find(|(k, _)| k == "BleedBox").unwrap().1;
    let trim = b.iter().find(|(k, _)| k == "TrimBox").unwrap().1;
    assert!((bleed[2] - bleed[0] - (2.0 * A5.0 + spine + 6.0 * MM)).abs() < 0.01, "{bleed:?}, {n} pages");
    assert!((trim[2] - trim[0] - (2.0 * A5.0 + spine)).abs() < 0.01, "{trim:?}");
    assert!((bleed[3] - bleed[1] - (A5.1 + 6.0 * MM)).abs() < 0.01);

    let modules = barcode_modules(&cover).unwrap();
    let digits = tribune::pdf::barcode::decode(&modules).expect("the bars are an EAN-13");
    assert_eq!(digits, "9783949831072");
    let sum: u32 =
        digits.bytes().take(12).enumerate().map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 }).sum();
    assert_eq!(((10 - sum % 10) % 10) as u8, digits.as_bytes()[12] - b'0', "check digit");
    let pdftotext = validator("pdftotext").unwrap();
    let (_, text) = run(&pdftotext, &[cover.to_str().unwrap(), "-"]);
    assert!(text.contains("783949") && text.contains("831072") && text.contains("ISBN 978-3-949831-07-2"), "{text}");
    // The spine is too thin for text at 0.1 mm a leaf; the front is the cover image: the
    // title (as text) is on the back only.
    assert_eq!(text.matches("Stimmen der Solidarität").count(), 1, "{text}");

    // Thicker paper: a wider spine, which then carries the title and the editor. Without
    // the print edition built alongside, the cover sets the interior to count its pages.
    let project = example_copy("paper_thickness_mm = 0.5");
    let out = tempfile::tempdir().unwrap();
    build(project.path(), out.path(), &["cover"], &[]);
    let cover = out.path().join("example-cover.pdf");
    assert!(!out.path().join("example-print.pdf").exists());
    let b = boxes(&cover).unwrap();
    let trim = b.iter().find(|(k, _)| k == "TrimBox").unwrap().1;
    let spine = n.div_ceil(2) as f64 * 0.5 * MM;
    assert!((trim[2] - trim[0] - (2.0 * A5.0 + spine)).abs() < 0.01, "{trim:?}");
    let (_, text) = run(&pdftotext, &[cover.to_str().unwrap(), "-"]);
    assert_eq!(text.matches("Stimmen der Solidarität").count(), 2, "{text}");
    assert!(text.contains("Lena Marquardt"), "the editor on the spine: {text}");
    let leftovers: Vec<_> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "only the cover is written: {leftovers:?}");
}

#[test]
fn print_outputs_are_reproducible() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    build(&repo(), a.path(), &["print", "cover", "booklet"], &[]);
    build(&repo(), b.path(), &["print", "cover", "booklet"], &[]);
    for f in ["example-print.pdf", "example-cover.pdf", "example-booklet.pdf"] {
        assert!(std::fs::read(a.path().join(f)).unwrap() == std::fs::read(b.path().join(f)).unwrap(), "{f} differs");
    }
}

#[test]
fn a_file_that_is_no_output_profile_is_an_error_at_its_line() {
    let project = example_copy("output_profile = \"notes.icc\"");
    std::fs::write(project.path().join("books/notes.icc"), "these are not colours").unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, err) = tribune_says(project.path(), &["build", "example", "-f", "print"], Some(out.path()));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("not an ICC profile") && err.contains("books/example.toml:"), "{err}");
    assert!(!out.path().join("example-print.pdf").exists());
}

#[test]
fn nothing_but_pictures_comes_within_5_mm_of_the_trim() {
    let out = tempfile::tempdir().unwrap();
    build(&repo(), out.path(), &["print", "cover"], &["--marks"]);
    for name in ["example-print.pdf", "example-cover.pdf"] {
        let pdf = out.path().join(name);
        let Some(b) = boxes(&pdf) else { return };
        let get = |k: &str| b.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap();
        let (trim, media) = (get("TrimBox"), get("MediaBox"));
        // pdftotext measures from the top left of the MediaBox.
        let safe =
            [trim[0] + 5.0 * MM, media[3] - trim[3] + 5.0 * MM, trim[2] - 5.0 * MM, media[3] - trim[1] - 5.0 * MM];
        let Some(pages) = word_boxes(&pdf) else { return };
        for (i, (_, words)) in pages.iter().enumerate() {
            for (w, r) in words {
                assert!(
                    r[0] >= safe[0] && r[1] >= safe[1] && r[2] <= safe[2] && r[3] <= safe[3],
                    "{name} page {}: `{w}` at {r:?} is within 5 mm of the trim {safe:?}",
                    i + 1
                );
            }
        }
    }
}

#[test]
fn print_images_are_checked_for_resolution_and_converted_to_cmyk() {
    // A cover far too small for its panel: under 150 ppi, an error unless allowed. (The
    // interior never enlarges an image below 150 ppi, so only a cover can be that soft.)
    let project = example_copy("");
    let small = image::RgbImage::from_fn(300, 420, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    small.save(project.path().join("books/cover.jpg")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, err) = tribune_says(project.path(), &["build", "example", "-f", "cover"], Some(out.path()));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("books/cover.jpg prints at ") && err.contains(" ppi, under the 150 ppi"), "{err}");
    assert!(err.contains("allow_low_resolution"), "{err}");
    assert!(!out.path().join("example-cover.pdf").exists());
    let toml = project.path().join("books/example.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace("[print]\n", "[print]\nallow_low_resolution = true\n");
    std::fs::write(&toml, text).unwrap();
    let err = build(project.path(), out.path(), &["cover"], &[]);
    assert!(err.contains("ppi; print wants 300") && !err.contains("error"), "{err}");

    // The chart replaced by a small RGB picture: set at 150 ppi, a warning, and it goes in
    // as CMYK without a soft mask.
    let chart = image::RgbImage::from_fn(300, 180, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    chart.save(project.path().join("books/images/mieten-loehne.png")).unwrap();
    let err = build(project.path(), out.path(), &["print"], &[]);
    assert!(err.contains("books/images/mieten-loehne.png prints at 150 ppi; print wants 300"), "{err}");
    assert!(err.contains("converted from RGB to CMYK") && err.contains("books/images/mieten-loehne.png"), "{err}");
    let bytes = std::fs::read(out.path().join("example-print.pdf")).unwrap();
    let text = pdf_syntax(&bytes);
    assert!(!text.contains("/DeviceRGB") && text.contains("/ColorSpace/DeviceCMYK"));
    assert!(!text.contains("/SMask"), "no transparency in PDF/X-1a");
}

#[test]
fn a_style_with_an_impossible_bleed_is_an_error() {
    let project = example_copy("");
    let styles = project.path().join("styles");
    std::fs::create_dir_all(&styles).unwrap();
    std::fs::write(styles.join("default.toml"), "[print]\nbleed = \"2cm\"\ncondition = \"FOGRA51\"\n").unwrap();
    std::fs::copy(repo().join("styles/default.css"), styles.join("default.css")).unwrap();
    let (code, err) = tribune_says(project.path(), &["check", "example"], None);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("the bleed `2cm` must be between 0mm and 12.7mm") && err.contains("styles/default.toml"),
        "{err}"
    );
    // A misspelt key names the right one.
    std::fs::write(styles.join("default.toml"), "[print]\nbleeed = \"3mm\"\n").unwrap();
    let (code, err) = tribune_says(project.path(), &["check", "example"], None);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("did you mean `bleed`?") && err.contains("styles/default.toml:2"), "{err}");
}
