//! `tribune preflight` against each print profile: a book made for the profile passes with
//! no failure, and its page boxes, gutter, bleed, spine and cover size are what the
//! platform's published formula gives for its page count (computed here from the formula,
//! read back from the PDFs with poppler); the shared preflight finds no problem in either
//! file. Books made wrong on purpose fail with the rule, its page and the fix, and exit 1.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::*;

const IN: f64 = 72.0;
const MM: f64 = 72.0 / 25.4;

/// Words to make speeches of, in a fixed order.
const WORDS: &[&str] = &[
    "solidarity",
    "workers",
    "the",
    "of",
    "and",
    "together",
    "city",
    "rent",
    "wages",
    "we",
    "demand",
    "peace",
    "union",
    "care",
    "nurses",
    "strike",
    "history",
    "memory",
    "future",
    "children",
    "bread",
    "roses",
    "hands",
    "build",
    "homes",
    "justice",
    "equal",
    "share",
    "time",
    "year",
    "never",
    "again",
    "every",
    "one",
    "who",
];

/// A project with `speeches` speeches of `words` words each, the style `style` (TOML) and
/// `print` as the book's `[print]` table; `extra` adds files (path, bytes) under books/.
fn project(
    style: &str,
    print: &str,
    speeches: usize,
    words: usize,
    extra: &[(&str, Vec<u8>)],
    body: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let books = dir.path().join("books");
    std::fs::create_dir_all(books.join("speeches")).unwrap();
    std::fs::create_dir_all(dir.path().join("styles")).unwrap();
    std::fs::write(dir.path().join("styles/pod.toml"), style).unwrap();
    std::fs::write(dir.path().join("styles/pod.css"), "").unwrap();
    let mut n = 7usize;
    for s in 0..speeches {
        let mut text = format!(
            "---\ntitle: \"Speech {s}\"\nspeaker: Speaker {s}\ndate: 2024-01-{:02}\nlanguage: en\n---\n\n",
            s % 28 + 1
        );
        if s == 0 {
            text.push_str(body);
        }
        for w in 0..words {
            n = (n * 31 + 17) % 1009;
            text.push_str(WORDS[n % WORDS.len()]);
            text.push(if w % 90 == 89 { '\n' } else { ' ' });
            if w % 90 == 89 {
                text.push('\n');
            }
        }
        text.push_str("end.\n");
        std::fs::write(books.join(format!("speeches/s{s:03}.md")), text).unwrap();
    }
    for (path, bytes) in extra {
        std::fs::write(books.join(path), bytes).unwrap();
    }
    std::fs::write(
        books.join("pod.toml"),
        format!(
            "title = \"Voices\"\nlanguage = \"en\"\neditors = [\"A. Editor\"]\npublisher = \"Small Press\"\n\
             isbn = \"978-3-949831-07-2\"\ndescription = \"Speeches.\"\nstyle = \"pod\"\n\n[print]\n{print}\n"
        ),
    )
    .unwrap();
    dir
}

/// `tribune preflight pod` with `args` into `out`: the exit code, the JSON lines, stderr.
fn preflight(project: &Path, out: &Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["preflight", "pod", "--project", project.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .args(["--message-format", "json", "--color", "never"])
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (o.status.code().unwrap_or(-1), lines, String::from_utf8_lossy(&o.stderr).into_owned())
}

fn checks<'a>(lines: &'a [Value], rule: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["reason"] == "preflight-check" && l["rule"] == rule).collect()
}

fn failures(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|l| l["reason"] == "preflight-check" && l["passed"] == false).collect()
}

/// The boxes of pages `first..=last` as pdfinfo gives them: per page, (name, [x0, y0, x1, y1]).
/// A page's boxes by name.
type Boxes = Vec<(String, [f64; 4])>;

fn boxes(pdf: &Path, first: usize, last: usize) -> Option<Vec<Boxes>> {
    let pdfinfo = validator("pdfinfo")?;
    let (f, l) = (first.to_string(), last.to_string());
    let o = Command::new(pdfinfo).args(["-box", "-f", &f, "-l", &l, pdf.to_str().unwrap()]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut pages: Vec<Boxes> = vec![Vec::new(); last - first + 1];
    for line in out.lines() {
        // "Page    1 MediaBox:     0.00     0.00   450.00   666.00"
        let Some(rest) = line.strip_prefix("Page") else { continue };
        let mut parts = rest.split_whitespace();
        let (Some(n), Some(name)) = (parts.next(), parts.next()) else { continue };
        let Ok(n) = n.parse::<usize>() else { continue };
        let nums: Vec<f64> = parts.filter_map(|x| x.parse().ok()).collect();
        if nums.len() == 4 && name.ends_with("Box:") {
            pages[n - first].push((name.trim_end_matches(':').to_string(), [nums[0], nums[1], nums[2], nums[3]]));
        }
    }
    Some(pages)
}

fn get(page: &[(String, [f64; 4])], name: &str) -> [f64; 4] {
    page.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name} in {page:?}")).1
}

fn page_count(pdf: &Path) -> Option<usize> {
    let pdfinfo = validator("pdfinfo")?;
    let o = Command::new(pdfinfo).arg(pdf).output().unwrap();
    String::from_utf8_lossy(&o.stdout).lines().find_map(|l| l.strip_prefix("Pages:")).map(|n| n.trim().parse().unwrap())
}

fn shared_preflight(pdf: &Path) -> Option<()> {
    let python = validator("tribune-tools-python")?;
    let script = shared()?.join("tools/print_preflight.py");
    let o = Command::new(python)
        .args([script.to_str().unwrap(), pdf.to_str().unwrap(), "--standard", "x1a"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success() && out.contains("preflight: 0 problems"), "{}:\n{out}", pdf.display());
    Some(())
}

/// The x at which most lines of page `index` (0-based) start, relative to the trim's left
/// edge: the inner margin on a recto.
fn line_start(pdf: &Path, index: usize, trim_x0: f64) -> Option<f64> {
    let pages = word_boxes(pdf)?;
    let (_, words) = &pages[index];
    let mut starts: std::collections::BTreeMap<i64, usize> = Default::default();
    let mut last_y: Option<f64> = None;
    for (_, b) in words {
        if last_y.is_none_or(|y| (b[1] - y).abs() > 2.0) {
            *starts.entry((b[0] * 10.0).round() as i64).or_default() += 1;
            last_y = Some(b[1]);
        }
    }
    let (x, _) = starts.into_iter().max_by_key(|(_, n)| *n)?;
    Some(x as f64 / 10.0 - trim_x0)
}

struct Expect {
    profile: &'static str,
    /// Trim size, points.
    trim: (f64, f64),
    /// Interior bleed; `outside_only`: KDP's.
    bleed: f64,
    outside_only: bool,
    /// The least gutter for a page count (points), from the platform's table.
    gutter: fn(usize) -> f64,
    /// The spine for a page count (points), from the platform's formula.
    spine: fn(usize) -> f64,
    cover_bleed: f64,
    multiple: usize,
}

fn kdp_gutter(pages: usize) -> f64 {
    // KDP's table: 0.375 in to 150 pages, 0.5 to 300, 0.625 to 500, 0.75 to 700, 0.875 to 828.
    IN * match pages {
        0..=150 => 0.375,
        151..=300 => 0.5,
        301..=500 => 0.625,
        501..=700 => 0.75,
        _ => 0.875,
    }
}

/// Build the book for `e.profile`, check it passes, and that the files are what the
/// formulas say. `style_inner` is the style's inner margin (points): the gutter is the
/// wider of it and the platform's.
fn passes(e: &Expect, style: &str, print: &str, speeches: usize, words: usize, style_inner: f64) -> usize {
    let dir = project(style, &format!("profile = \"{}\"\n{print}", e.profile), speeches, words, &[], "");
    let out = dir.path().join("out");
    let (code, lines, err) = preflight(dir.path(), &out, &[]);
    let failed = failures(&lines);
    assert!(code == 0 && failed.is_empty(), "{}: exit {code}, failures {failed:#?}\n{err}", e.profile);
    let done = lines.iter().find(|l| l["reason"] == "preflight").expect("a preflight message");
    assert_eq!(done["failures"], 0);
    assert!(out.join("pod-preflight.html").is_file());
    let interior = out.join("pod-print.pdf");
    let cover = out.join("pod-cover.pdf");
    let Some(pages) = page_count(&interior) else { return 0 };
    assert_eq!(pages % e.multiple, 0, "{}: {pages} pages", e.profile);
    let b = boxes(&interior, 1, 2).unwrap();
    for (i, page) in b.iter().enumerate() {
        let (trim, media, bleed) = (get(page, "TrimBox"), get(page, "MediaBox"), get(page, "BleedBox"));
        assert!((trim[2] - trim[0] - e.trim.0).abs() < 0.02 && (trim[3] - trim[1] - e.trim.1).abs() < 0.02, "{trim:?}");
        let (mw, mh) = (media[2] - media[0], media[3] - media[1]);
        let want_w = e.trim.0 + if e.outside_only { e.bleed } else { 2.0 * e.bleed };
        assert!(
            (mw - want_w).abs() < 0.02 && (mh - (e.trim.1 + 2.0 * e.bleed)).abs() < 0.02,
            "{}: page {} {media:?}",
            e.profile,
            i + 1
        );
        assert_eq!(bleed, media, "the bleed is the whole sheet");
        if e.outside_only {
            // A recto (page 1) is bound on its left: no bleed there; a verso on its right.
            if i == 0 {
                assert!(
                    (media[0] - trim[0]).abs() < 0.02 && (media[2] - trim[2] - e.bleed).abs() < 0.02,
                    "{media:?} {trim:?}"
                );
            } else {
                assert!(
                    (trim[0] - media[0] - e.bleed).abs() < 0.02 && (media[2] - trim[2]).abs() < 0.02,
                    "{media:?} {trim:?}"
                );
            }
        }
    }
    // The gutter: lines of a recto of text start at the gutter from the trim's left edge.
    let trim0 = get(&b[0], "TrimBox");
    let media0 = get(&b[0], "MediaBox");
    let want_gutter = (e.gutter)(pages).max(style_inner);
    let recto =
        (4..pages.min(40)).step_by(2).find(|&i| word_boxes(&interior).map(|p| p[i].1.len() > 150).unwrap_or(false));
    let i = recto.unwrap_or_else(|| panic!("{}: no recto full of text to measure the gutter on", e.profile));
    let got = line_start(&interior, i, trim0[0] - media0[0]).unwrap();
    assert!((got - want_gutter).abs() < 0.6, "{}: gutter {got} pt, want {want_gutter} pt ({pages} pages)", e.profile);
    let gutter = &checks(&lines, "gutter")[0]["detail"];
    eprintln!("{}: {pages} pages, gutter {got:.2} pt, {gutter}", e.profile);
    // The cover: back + spine + front, bleed all round, spine from the page count.
    let spine = (e.spine)(pages);
    let c = boxes(&cover, 1, 1).unwrap();
    let (ct, cm) = (get(&c[0], "TrimBox"), get(&c[0], "MediaBox"));
    assert!((ct[2] - ct[0] - (2.0 * e.trim.0 + spine)).abs() < 0.05, "{}: cover trim {ct:?}, spine {spine}", e.profile);
    assert!((cm[2] - cm[0] - (2.0 * e.trim.0 + spine + 2.0 * e.cover_bleed)).abs() < 0.05, "{}: {cm:?}", e.profile);
    assert!((cm[3] - cm[1] - (e.trim.1 + 2.0 * e.cover_bleed)).abs() < 0.05, "{}: {cm:?}", e.profile);
    shared_preflight(&interior);
    shared_preflight(&cover);
    pages
}

/// A style with the page size `size` and margins that leave the platform to decide.
fn style(size: &str, inner: &str) -> String {
    format!("[page]\nsize = \"{size}\"\ninner = \"{inner}\"\nouter = \"14mm\"\ntop = \"14mm\"\nbottom = \"16mm\"\n")
}

#[test]
fn kdp_book_passes_with_its_gutter_bleed_and_spine() {
    let e = Expect {
        profile: "kdp",
        trim: (6.0 * IN, 9.0 * IN),
        bleed: 0.125 * IN,
        outside_only: true,
        gutter: kdp_gutter,
        // KDP: pages × 0.002252 in on white paper.
        spine: |p| p as f64 * 0.002252 * IN,
        cover_bleed: 0.125 * IN,
        multiple: 2,
    };
    // Enough text to pass 150 pages: the gutter then grows to 0.5 in, in a second pass.
    let pages = passes(&e, &style("6in x 9in", "5mm"), "", 44, 1500, 5.0 * MM);
    if pages > 0 {
        assert!(pages > 150, "{pages} pages: the test book should need KDP's second gutter");
    }
    let dir = project(&style("6in x 9in", "5mm"), "profile = \"kdp\"", 44, 1500, &[], "");
    let (_, lines, _) = preflight(dir.path(), &dir.path().join("out"), &[]);
    let gutter = checks(&lines, "gutter")[0]["detail"].as_str().unwrap().to_string();
    assert!(gutter.contains("settled in 2 passes"), "{gutter}");
}

#[test]
fn kdp_cream_paper_widens_the_spine() {
    let e = Expect {
        profile: "kdp",
        trim: (5.5 * IN, 8.5 * IN),
        bleed: 0.125 * IN,
        outside_only: true,
        gutter: kdp_gutter,
        spine: |p| p as f64 * 0.0025 * IN,
        cover_bleed: 0.125 * IN,
        multiple: 2,
    };
    passes(&e, &style("5.5in x 8.5in", "5mm"), "paper = \"cream\"", 12, 600, 5.0 * MM);
}

#[test]
fn ingramspark_book_passes_as_pdf_x1a_2001_with_a_blank_last_page() {
    let e = Expect {
        profile: "ingramspark",
        trim: (5.5 * IN, 8.5 * IN),
        bleed: 0.125 * IN,
        outside_only: false,
        // Ingram: 0.5 in on all sides.
        gutter: |_| 0.5 * IN,
        spine: |p| p as f64 * 0.002252 * IN,
        cover_bleed: 0.125 * IN,
        multiple: 2,
    };
    let pages = passes(&e, &style("5.5in x 8.5in", "5mm"), "", 10, 500, 5.0 * MM);
    assert!(pages == 0 || pages >= 18);
}

#[test]
fn ingramspark_files_say_pdf_x1a_2001() {
    let dir = project(&style("6in x 9in", "5mm"), "profile = \"ingramspark\"", 6, 400, &[], "");
    let out = dir.path().join("out");
    let (code, lines, err) = preflight(dir.path(), &out, &[]);
    assert_eq!(code, 0, "{err}\n{lines:#?}");
    let bytes = std::fs::read(out.join("pod-print.pdf")).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.3"), "PDF/X-1a:2001 is PDF 1.3");
    let text = pdf_syntax(&bytes);
    assert!(text.contains("/GTS_PDFXVersion(PDF/X-1:2001)") && text.contains("/GTS_PDFXConformance(PDF/X-1a:2001)"));
    // The last page is blank: its content stream draws nothing but the frame.
    if let Some(words) = word_boxes(&out.join("pod-print.pdf")) {
        assert!(words.last().unwrap().1.is_empty(), "the last page has text");
        assert!(!words[words.len() - 2].1.is_empty() || !words[words.len() - 3].1.is_empty());
    }
}

#[test]
fn lulu_book_passes_with_its_spine_formula() {
    let e = Expect {
        profile: "lulu",
        trim: (6.0 * IN, 9.0 * IN),
        bleed: 0.125 * IN,
        outside_only: false,
        gutter: |_| 0.5 * IN,
        // Lulu: pages / 444 + 0.06 in.
        spine: |p| (p as f64 / 444.0 + 0.06) * IN,
        cover_bleed: 0.125 * IN,
        multiple: 2,
    };
    let pages = passes(&e, &style("6in x 9in", "5mm"), "", 16, 500, 5.0 * MM);
    assert!(pages == 0 || pages >= 32);
}

#[test]
fn bod_book_passes_with_5_mm_bleed() {
    let e = Expect {
        profile: "bod",
        trim: (135.0 * MM, 215.0 * MM),
        bleed: 5.0 * MM,
        outside_only: false,
        gutter: |_| 0.0,
        // One paper_thickness_mm (0.12) a leaf, as the book gives it.
        spine: |p| p.div_ceil(2) as f64 * 0.12 * MM,
        cover_bleed: 5.0 * MM,
        multiple: 2,
    };
    passes(&e, &style("135mm x 215mm", "18mm"), "paper_thickness_mm = 0.12", 12, 500, 18.0 * MM);
}

#[test]
fn copyshop_booklet_passes_in_fours() {
    let e = Expect {
        profile: "copyshop",
        trim: (148.0 * MM, 210.0 * MM),
        bleed: 3.0 * MM,
        outside_only: false,
        gutter: |_| 0.0,
        spine: |_| 0.0,
        cover_bleed: 3.0 * MM,
        multiple: 4,
    };
    passes(&e, &style("A5", "18mm"), "", 5, 300, 18.0 * MM);
}

#[test]
fn offset_is_todays_print_edition() {
    let e = Expect {
        profile: "offset",
        trim: (148.0 * MM, 210.0 * MM),
        bleed: 3.0 * MM,
        outside_only: false,
        gutter: |_| 0.0,
        spine: |p| p.div_ceil(2) as f64 * 0.1 * MM,
        cover_bleed: 3.0 * MM,
        multiple: 2,
    };
    passes(&e, &style("A5", "20mm"), "", 5, 300, 20.0 * MM);
}

/// A PNG of `w` × `h` pixels, grey noise.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::GrayImage::from_fn(w, h, |x, y| image::Luma([((x * 7 + y * 13) % 200) as u8 + 30]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

/// Run a wrong book: exit 1, and the failing checks.
fn fails(
    style_toml: &str,
    print: &str,
    speeches: usize,
    words: usize,
    extra: &[(&str, Vec<u8>)],
    body: &str,
) -> Vec<Value> {
    let dir = project(style_toml, print, speeches, words, extra, body);
    let out = dir.path().join("out");
    let (code, lines, err) = preflight(dir.path(), &out, &[]);
    assert_eq!(code, 1, "a failed rule exits 1\n{err}\n{lines:#?}");
    assert!(out.join("pod-preflight.html").is_file(), "the report is written for a book that fails");
    failures(&lines).into_iter().cloned().collect()
}

#[test]
fn low_resolution_images_fail_with_their_page_and_fix() {
    // A 72 ppi cover image (450 × 666 px over 6 × 9 in and KDP's 0.125 in bleed) and a small picture in the text,
    // which layout enlarges no further than 150 ppi.
    let extra = [("cover.png", png(450, 666)), ("small.png", png(120, 90))];
    let dir_toml = "profile = \"kdp\"";
    let dir = project(&style("6in x 9in", "5mm"), dir_toml, 8, 700, &extra, "![A small chart](../small.png)\n\n");
    let book = dir.path().join("books/pod.toml");
    let text =
        std::fs::read_to_string(&book).unwrap().replace("style = \"pod\"", "style = \"pod\"\ncover = \"cover.png\"");
    std::fs::write(&book, text).unwrap();
    let out = dir.path().join("out");
    let (code, lines, err) = preflight(dir.path(), &out, &[]);
    assert_eq!(code, 1, "{err}");
    let failed = failures(&lines);
    let image = failed.iter().find(|c| c["rule"] == "images").unwrap_or_else(|| panic!("{failed:#?}"));
    assert!(image["detail"].as_str().unwrap().contains("small.png"), "{image}");
    assert!(image["detail"].as_str().unwrap().contains("150 ppi"), "{image}");
    let page = image["page"].as_u64().unwrap();
    assert!(page >= 1, "{image}");
    assert!(image["fix"].as_str().unwrap().contains("times as many pixels"), "{image}");
    // The page named holds the picture's caption.
    if let Some(words) = word_boxes(&out.join("pod-print.pdf")) {
        let on_page: Vec<&str> = words[page as usize - 1].1.iter().map(|(w, _)| w.as_str()).collect();
        assert!(on_page.contains(&"chart"), "page {page}: {on_page:?}");
    }
    let cover = failed.iter().find(|c| c["rule"] == "cover-image").unwrap_or_else(|| panic!("{failed:#?}"));
    assert!(cover["detail"].as_str().unwrap().contains("72 ppi"), "{cover}");
    assert_eq!(cover["page"], 0);
}

#[test]
fn twenty_pages_are_too_few_for_kdp() {
    let failed = fails(&style("6in x 9in", "5mm"), "profile = \"kdp\"", 4, 300, &[], "");
    let count = failed.iter().find(|c| c["rule"] == "page-count").unwrap_or_else(|| panic!("{failed:#?}"));
    let detail = count["detail"].as_str().unwrap();
    let pages: usize = detail.split_whitespace().next().unwrap().parse().unwrap();
    assert!(pages < 24, "{detail}");
    let fix = count["fix"].as_str().unwrap();
    assert!(fix.contains("from 24 pages") && fix.contains(&format!("add {} pages", 24 - pages)), "{fix}");
    assert_eq!(count["source"], "https://kdp.amazon.com/en_US/help/topic/G201857950");
}

#[test]
fn a_trim_size_lulu_does_not_print_fails() {
    let failed = fails(&style("135mm x 210mm", "5mm"), "profile = \"lulu\"", 12, 500, &[], "");
    let trim = failed.iter().find(|c| c["rule"] == "trim").unwrap_or_else(|| panic!("{failed:#?}"));
    assert!(trim["detail"].as_str().unwrap().contains("5.315 × 8.2677 in"), "{trim}");
    let fix = trim["fix"].as_str().unwrap();
    assert!(fix.contains("`size` under [page]") && fix.contains("6 × 9 in"), "{fix}");
}

#[test]
fn spine_text_on_40_pages_fails_for_kdp() {
    let failed = fails(&style("6in x 9in", "5mm"), "profile = \"kdp\"\nspine_text = true", 10, 1200, &[], "");
    let spine = failed.iter().find(|c| c["rule"] == "spine-text").unwrap_or_else(|| panic!("{failed:#?}"));
    assert_eq!(spine["page"], 0, "the cover");
    let detail = spine["detail"].as_str().unwrap();
    assert!(detail.contains("spine_text = true"), "{detail}");
    let fix = spine["fix"].as_str().unwrap();
    assert!(fix.contains("from 79 pages") && fix.contains("remove `spine_text = true`"), "{fix}");
    let pages: usize = fix.rsplit(' ').next().unwrap().parse().unwrap();
    assert!((24..79).contains(&pages), "{pages}");
}

#[test]
fn the_report_page_lists_every_rule() {
    let failed_dir = project(&style("135mm x 210mm", "5mm"), "profile = \"lulu\"", 3, 200, &[], "");
    let out = failed_dir.path().join("out");
    let (code, lines, _) = preflight(failed_dir.path(), &out, &[]);
    assert_eq!(code, 1);
    let html = std::fs::read_to_string(out.join("pod-preflight.html")).unwrap();
    let rules = lines.iter().filter(|l| l["reason"] == "preflight-check").count();
    assert_eq!(html.matches("<tr class=").count(), rules);
    assert!(html.contains("FAIL") && html.contains("Fix:") && html.contains("https://help.lulu.com/"));
    assert!(!html.contains("<script"));
}

#[test]
fn text_in_kdps_barcode_area_fails() {
    let dir = project(&style("6in x 9in", "5mm"), "profile = \"kdp\"", 8, 700, &[], "");
    let book = dir.path().join("books/pod.toml");
    let long = "publisher = \"The Cooperative Press of the Workers' Educational Association for Speeches, Pamphlets and Songs\"";
    let text = std::fs::read_to_string(&book).unwrap().replace("publisher = \"Small Press\"", long);
    std::fs::write(&book, text).unwrap();
    let out = dir.path().join("out");
    let (code, lines, err) = preflight(dir.path(), &out, &[]);
    assert_eq!(code, 1, "{err}");
    let failed = failures(&lines);
    let barcode = failed.iter().find(|c| c["rule"] == "barcode").unwrap_or_else(|| panic!("{failed:#?}"));
    assert!(barcode["detail"].as_str().unwrap().contains("reach into it"), "{barcode}");
    assert!(barcode["fix"].as_str().unwrap().contains("publisher"), "{barcode}");
    // With the short name the area is clear (the other tests' books pass).
}

#[test]
fn kdp_takes_no_book_that_reads_right_to_left() {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["preflight", "tadamun", "--profile", "kdp", "--message-format", "json", "--project"])
        .arg(repo())
        .arg("--out")
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<Value> =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let failed = failures(&lines);
    let dir = failed.iter().find(|c| c["rule"] == "direction").unwrap_or_else(|| panic!("{failed:#?}"));
    assert!(dir["fix"].as_str().unwrap().contains("ingramspark"), "{dir}");
    // The Arabic book's pages mirror: its first recto is bound on the right, so KDP's
    // outside-edge bleed would sit on its left.
    if let Some(b) = boxes(&out.path().join("tadamun-print.pdf"), 1, 1) {
        let (trim, media) = (get(&b[0], "TrimBox"), get(&b[0], "MediaBox"));
        assert!(
            (trim[0] - media[0] - 0.125 * IN).abs() < 0.02 && (media[2] - trim[2]).abs() < 0.02,
            "{media:?} {trim:?}"
        );
    }
}
