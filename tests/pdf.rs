//! The PDF read back by the external tools: qpdf finds no error, pdffonts shows every font
//! embedded and subset with a Unicode map, text_fidelity.py finds every word, and on the
//! 100-speech corpus and a smaller book typo_metrics.py and page_fill.py stay within the
//! bounds of the text engine and page fill issues.
//! Each tool runs when installed; with TRIBUNE_REQUIRE_VALIDATORS=1 a missing tool fails.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

fn build_pdf(project: &Path, book: &str, out: &Path, epoch: Option<&str>) -> PathBuf {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tribune"));
    cmd.args(["build", book, "--project", project.to_str().unwrap(), "--out", out.to_str().unwrap(), "-f", "pdf"]);
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join(format!("{book}.pdf"))
}

fn run(tool: &Path, args: &[&str]) -> (bool, String) {
    let o = Command::new(tool).args(args).output().unwrap();
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn example_pdf_is_valid_reproducible_and_complete() {
    let out1 = tempfile::tempdir().unwrap();
    let out2 = tempfile::tempdir().unwrap();
    let a = build_pdf(&repo(), "example", out1.path(), Some("1700000000"));
    let b = build_pdf(&repo(), "example", out2.path(), Some("1700000000"));
    let bytes = std::fs::read(&a).unwrap();
    assert!(bytes == std::fs::read(&b).unwrap(), "two builds of the PDF differ");
    assert!(bytes.windows(17).any(|w| w == b"D:20231114221320Z"), "SOURCE_DATE_EPOCH is not the PDF's date");
    // XMP metadata with the title and the language.
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("<x:xmpmeta") && text.contains("Stimmen der Solidarität") && text.contains("<rdf:li>de</rdf:li>")
    );
    // Text is painted in DeviceGray black, never RGB.
    assert!(!bytes.windows(4).any(|w| w == b" rg\n"), "RGB colour in the PDF");
    if let Some(qpdf) = validator("qpdf") {
        let (ok, out) = run(&qpdf, &["--check", a.to_str().unwrap()]);
        assert!(ok, "qpdf --check:\n{out}");
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");
    }
    if let Some(pdffonts) = validator("pdffonts") {
        let (ok, out) = run(&pdffonts, &[a.to_str().unwrap()]);
        assert!(ok, "{out}");
        let fonts: Vec<&str> = out.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
        assert!(fonts.len() >= 3, "{out}");
        for l in fonts {
            // name type encoding emb sub uni object ID
            let cols: Vec<&str> = l.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "not embedded, subset and mapped: {l}");
            assert!(cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+', "no subset tag: {l}");
        }
    }
    if let Some(py) = validator("tribune-tools-python") {
        let Some(shared) = shared() else { return };
        assert_every_word(&py, &shared, &a, &book_sources("example"));
    }
}

#[test]
fn hyphenated_words_copy_out_whole() {
    let Some(pdftotext) = validator("pdftotext") else { return };
    let out = tempfile::tempdir().unwrap();
    let pdf = build_pdf(&repo(), "example", out.path(), None);
    let (ok, text) = run(&pdftotext, &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    assert!(ok);
    // A hyphen of a line break is marked as a soft hyphen, so no line of the text ends in
    // a hard hyphen followed by the rest of a word in lower case.
    let broken = text
        .lines()
        .zip(text.lines().skip(1))
        .filter(|(a, b)| {
            a.ends_with('-')
                && a.chars().rev().nth(1).is_some_and(char::is_alphabetic)
                && b.starts_with(char::is_lowercase)
        })
        .filter(|(_, b)| !["und ", "oder ", "and ", "or "].iter().any(|w| b.starts_with(w)))
        .count();
    assert_eq!(broken, 0, "words broken by hard hyphens in the copied text");
    assert!(text.contains('\u{AD}'), "no soft hyphen marks a hyphenation break");
}

/// The typographic metrics (`typo_metrics.py`) and the page fill (`page_fill.py`) of `pdf`
/// over `pages` (all when `None`), as one JSON object each.
fn quality(py: &Path, shared: &Path, pdf: &Path, pages: Option<&str>) -> (serde_json::Value, serde_json::Value) {
    let mut out = Vec::new();
    for tool in ["typo_metrics.py", "page_fill.py"] {
        let tool = shared.join("tools").join(tool);
        let mut args = vec![tool.to_str().unwrap(), pdf.to_str().unwrap(), "--json"];
        if let Some(p) = pages {
            args.extend(["--pages", p]);
        }
        let (ok, text) = run(py, &args);
        assert!(ok, "{text}");
        let m: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        eprintln!("{}: {m}", tool.display());
        out.push(m);
    }
    let fill = out.pop().unwrap();
    (out.pop().unwrap(), fill)
}

/// The bounds issue 19 asks of the spacing, and those of the page fill reached so far
/// (it asks for at most 5 % of pages a line short, none three lines short and 5 % of
/// spreads a line apart; with spaces that shrink by at most 0.3, the 100-speech book has
/// 27.5 %, 5.0 % and 20.7 %, the seed and 30 speeches 25.5 %, 2.1 % and 27.9 %).
/// `fill`: the most pages a line short, three lines short and spreads a line apart, in %.
fn assert_quality(typo: &serde_json::Value, fill: &serde_json::Value, lines: f64, bounds: [f64; 3]) {
    let f = |m: &serde_json::Value, k: &str| m[k].as_f64().unwrap_or(f64::NAN);
    assert!(f(typo, "lines") > lines, "{typo}");
    assert_eq!(f(typo, "overfull"), 0.0, "{typo}");
    assert_eq!(f(typo, "loose_pct"), 0.0, "{typo}");
    assert!(f(typo, "hyphen_pct") <= 15.0, "{typo}");
    assert!(f(typo, "max_ladder") <= 2.0, "{typo}");
    assert!(f(typo, "jitter_em") <= 0.035, "{typo}");
    assert!(f(typo, "space_p95_em") <= 0.33, "{typo}");
    assert_eq!(f(fill, "off_grid_pct"), 0.0, "{fill}");
    assert!(f(fill, "short1_pct") <= bounds[0], "{fill}");
    assert!(f(fill, "short3_pct") <= bounds[1], "{fill}");
    assert!(f(fill, "mismatch_line_pct") <= bounds[2], "{fill}");
}

/// The text engine's bounds on a book of the 100-speech corpus, A5, 10 pt, pages 10-110,
/// no widow or orphan lines, and every word.
#[test]
fn corpus_typesetting_quality() {
    let Some(shared) = shared() else { return };
    let Some(py) = validator("tribune-tools-python") else { return };
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(&shared, 100, dir.path(), 2000);
    let pdf = build_pdf(dir.path(), "bench", &dir.path().join("out"), None);
    let (typo, fill) = quality(&py, &shared, &pdf, Some("10-110"));
    // The issue's bounds: 5 % of pages a line short, none three lines, 5 % of spreads a
    // line apart (measured: 2.6, 0 and 3.9 %).
    assert_quality(&typo, &fill, 1000.0, [5.0, 0.0, 5.0]);
    assert_no_widows_and_every_word(&py, &shared, &pdf, dir.path());
}

/// The same bounds on a smaller book, harder to fill (fewer paragraphs to choose from):
/// the seed speech of the corpus and 30 generated ones, every page.
#[test]
fn seed_and_thirty_speeches_typesetting_quality() {
    let Some(shared) = shared() else { return };
    let Some(py) = validator("tribune-tools-python") else { return };
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(&shared, 30, dir.path(), 2000);
    let seed = "kasachstan-solidaritaet";
    std::fs::copy(shared.join(format!("corpus/{seed}.md")), dir.path().join(format!("books/speeches/{seed}.md")))
        .unwrap();
    let toml = dir.path().join("books/bench.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace("speeches = [", &format!("speeches = [\"{seed}\", "));
    std::fs::write(&toml, text).unwrap();
    let pdf = build_pdf(dir.path(), "bench", &dir.path().join("out"), None);
    let (typo, fill) = quality(&py, &shared, &pdf, None);
    // The same bounds (measured: 2.7 % a line short, none three lines, 3.1 % apart).
    assert_quality(&typo, &fill, 3000.0, [5.0, 0.0, 5.0]);
    assert_no_widows_and_every_word(&py, &shared, &pdf, dir.path());
}

/// No widow or orphan in `pdf`, and every word of the speeches of the project in `dir`.
fn assert_no_widows_and_every_word(py: &Path, shared: &Path, pdf: &Path, dir: &Path) {
    let checker = repo().join("tests/tools/widows_orphans.py");
    let tools = shared.join("tools");
    let (ok, out) = run(py, &[checker.to_str().unwrap(), pdf.to_str().unwrap(), tools.to_str().unwrap()]);
    assert!(ok, "widows or orphans:\n{out}");
    assert_every_word(py, shared, pdf, &md_files(&dir.join("books/speeches")));
}

/// The bookmarks follow the book: parts, speeches and their sections, each pointing at
/// the page that shows its title.
#[test]
fn outline_points_at_the_titles() {
    let Some(py) = validator("tribune-tools-python") else { return };
    let out = tempfile::tempdir().unwrap();
    let pdf = build_pdf(&repo(), "example", out.path(), None);
    let script = r#"
import sys, unicodedata, pikepdf, pdfplumber
pdf = pikepdf.open(sys.argv[1])
pages = pdfplumber.open(sys.argv[1]).pages
with pdf.open_outline() as o:
    def walk(items, depth):
        for it in items:
            n = pdf.pages.index(pikepdf.Page(it.destination[0]))
            text = " ".join((pages[n].extract_text() or "").split())
            first = " ".join(it.title.split()[:3])
            # pdfplumber gives right-to-left text in visual order, without the vowel
            # marks the PDF's text layer leaves out: compare it so.
            plain = lambda s: "".join(c for c in s if not unicodedata.category(c).startswith("M"))
            found = plain(first) in plain(text) or plain(first)[::-1] in plain(text)
            print(f"{depth}|{n + 1}|{found}|{it.title}")
            walk(it.children, depth + 1)
    walk(o.root, 0)
"#;
    let (ok, listing) = run(&py, &["-c", script, pdf.to_str().unwrap()]);
    assert!(ok, "{listing}");
    let rows: Vec<Vec<&str>> = listing.lines().map(|l| l.splitn(4, '|').collect()).collect();
    assert!(
        rows.iter().all(|r| r.len() == 4 && r[2] == "True"),
        "an entry points at a page without its title:\n{listing}"
    );
    let titles: Vec<&str> = rows.iter().map(|r| r[3]).collect();
    for t in ["Einleitung", "Arbeit und Wohnen", "Wer pflegt, braucht Zeit", "Jobs, Not Bombs", "Nachwort"] {
        assert!(titles.contains(&t), "no bookmark {t}:\n{listing}");
    }
    assert!(rows.iter().any(|r| r[0] == "2"), "sections are nested under their speeches:\n{listing}");
}

/// Folios and page labels agree: Roman in the front matter, Arabic from the first part;
/// opening pages show no folio and no running head; other pages show both.
#[test]
fn page_labels_folios_and_running_heads() {
    let Some(py) = validator("tribune-tools-python") else { return };
    let out = tempfile::tempdir().unwrap();
    let pdf = build_pdf(&repo(), "example", out.path(), None);
    let script = r#"
import sys, unicodedata, pikepdf, pdfplumber
pdf = pikepdf.open(sys.argv[1])
plumb = pdfplumber.open(sys.argv[1])
for i, page in enumerate(pdf.pages):
    p = plumb.pages[i]
    words = p.extract_words()
    top = [w["text"] for w in words if w["bottom"] < 0.1 * p.height]
    foot = [w["text"] for w in words if w["top"] > 0.93 * p.height]
    print(f"{pikepdf.Page(page).label}|{' '.join(foot)}|{' '.join(top)}")
"#;
    let (ok, listing) = run(&py, &["-c", script, pdf.to_str().unwrap()]);
    assert!(ok, "{listing}");
    let rows: Vec<Vec<&str>> = listing.lines().map(|l| l.splitn(3, '|').collect()).collect();
    let labels: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    // The cover and the inside of the cover come before page i.
    assert_eq!(&labels[..4], &["Umschlag 1", "Umschlag 2", "i", "ii"], "{listing}");
    let first_arabic = labels.iter().position(|l| *l == "1").expect("an Arabic page 1");
    assert!(labels[2..first_arabic].iter().all(|l| l.chars().all(|c| "ivxlcdm".contains(c))), "{listing}");
    for r in &rows {
        // A folio, where there is one, is the page's label.
        assert!(r[1].is_empty() || r[1] == r[0], "folio {} on the page labelled {}", r[1], r[0]);
    }
    let with_heads = rows.iter().filter(|r| !r[2].is_empty()).count();
    assert!(with_heads > 10, "running heads are missing:\n{listing}");
    assert!(rows.iter().any(|r| r[2].contains("Solidarität")), "no book title on a verso:\n{listing}");
    // Opening pages (a part or speech title) carry neither.
    assert!(rows.iter().filter(|r| r[1].is_empty()).count() >= 8, "{listing}");
}

/// The PDF's structure as `tests/tools/pdf_structure.py` reads it back.
fn structure(py: &Path, pdf: &Path) -> serde_json::Value {
    let tool = repo().join("tests/tools/pdf_structure.py");
    let (ok, out) = run(py, &[tool.to_str().unwrap(), pdf.to_str().unwrap()]);
    assert!(ok, "{out}");
    serde_json::from_str(out.lines().last().unwrap()).unwrap()
}

/// The contents list what the outline lists, in the same order; each entry links to the
/// page where its part or speech starts, that page shows the title, and the entry shows
/// that page's label as its folio. The speech in English is marked as English.
#[test]
fn contents_match_the_outline_and_link_to_the_openings() {
    let Some(py) = validator("tribune-tools-python") else { return };
    let out = tempfile::tempdir().unwrap();
    let pdf = build_pdf(&repo(), "example", out.path(), None);
    let s = structure(&py, &pdf);
    let pages = s["pages"].as_array().unwrap();
    let outline = s["outline"].as_array().unwrap();
    let contents_page = outline.iter().find(|e| e["title"] == "Inhalt").expect("a bookmark for the contents")["page"]
        .as_u64()
        .unwrap() as usize;
    let listed: Vec<&serde_json::Value> =
        outline.iter().filter(|e| e["level"].as_u64().unwrap() <= 1 && e["title"] != "Inhalt").collect();
    // The contents' links, one target per entry (title and byline link to the same place).
    let mut targets: Vec<usize> = Vec::new();
    let mut contents_text = String::new();
    for p in &pages[contents_page..] {
        let links: Vec<u64> = p["links"].as_array().unwrap().iter().filter_map(|l| l["page"].as_u64()).collect();
        if links.is_empty() {
            break;
        }
        contents_text.push_str(p["text"].as_str().unwrap());
        contents_text.push(' ');
        for t in links {
            if targets.last() != Some(&(t as usize)) {
                targets.push(t as usize);
            }
        }
    }
    let outline_pages: Vec<usize> = listed.iter().map(|e| e["page"].as_u64().unwrap() as usize).collect();
    assert_eq!(targets, outline_pages, "the contents and the outline disagree");
    for e in &listed {
        let title = e["title"].as_str().unwrap();
        // pdf_structure.py reads right-to-left text in visual order: the Arabic speech's
        // entry is checked by its link above, its text in tests/rtl.rs.
        if title.chars().any(|c| ('\u{0590}'..='\u{08FF}').contains(&c)) {
            continue;
        }
        let page = &pages[e["page"].as_u64().unwrap() as usize];
        assert!(page["titles"].as_str().unwrap().contains(title), "page of `{title}` does not show it: {page}");
        let label = page["label"].as_str().unwrap();
        let entry = format!("{title} ");
        let at = contents_text.find(&entry).unwrap_or_else(|| panic!("`{title}` is not in the contents"));
        let after: String =
            contents_text[at + entry.len()..].split_whitespace().filter(|w| *w != ".").take(60).collect();
        assert!(after.contains(label), "the entry `{title}` does not show its folio {label}: {after}");
    }
    assert_eq!(s["lang"], "de");
    let english = pages.iter().filter(|p| p["langs"].as_array().unwrap().iter().any(|l| l == "en")).count();
    assert!(english >= 2, "the English speech is not marked as English");
    let uris = pages.iter().flat_map(|p| p["links"].as_array().unwrap()).filter(|l| l["uri"].is_string()).count();
    assert!(uris >= 1, "the example's web link is not clickable");
}

/// A book whose notes fall everywhere on the page, some long enough to be split: every
/// note starts on the page of its call, call and note link to each other, a split note
/// continues under a label on the next page, and no word is lost.
#[test]
fn footnotes_sit_on_the_page_of_their_call() {
    let Some(shared) = shared() else { return };
    let Some(py) = validator("tribune-tools-python") else { return };
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(&shared, 12, dir.path(), 2500);
    let mut calls = Vec::new();
    for (f, file) in md_files(&dir.path().join("books/speeches")).iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap();
        // Drop the corpus' own notes; call new ones at the ends of paragraphs.
        let body: Vec<&str> = text.split("\n\n").filter(|p| !p.starts_with("[^")).collect();
        let mut out = Vec::new();
        let mut notes = Vec::new();
        let mut k = 0;
        for (i, p) in body.iter().enumerate() {
            let p = p.replace("[^1]", "").replace("[^2]", "").replace("[^3]", "");
            if i > 1 && !p.starts_with('#') && !p.starts_with("---") && i % 2 == 0 {
                k += 1;
                let call = format!("rufwort{f}x{k}y");
                let note = format!("notizwort{f}x{k}y");
                // Every third note runs to about eight lines.
                let filler = if k % 3 == 0 {
                    "Die Quelle liegt im Archiv der Gewerkschaft vor. ".repeat(14)
                } else {
                    "Siehe das Protokoll der Sitzung.".to_string()
                };
                out.push(format!("{p} {call}[^{k}]"));
                notes.push(format!("[^{k}]: {note} {filler}"));
                calls.push((call, note));
            } else {
                out.push(p.to_string());
            }
        }
        out.extend(notes);
        std::fs::write(file, out.join("\n\n")).unwrap();
    }
    let pdf = build_pdf(dir.path(), "bench", &dir.path().join("out"), None);
    let s = structure(&py, &pdf);
    let pages = s["pages"].as_array().unwrap();
    let mut placed = 0;
    let mut split = 0;
    for (i, p) in pages.iter().enumerate() {
        let text = p["text"].as_str().unwrap();
        for (call, note) in &calls {
            if text.contains(call.as_str()) {
                assert!(text.contains(note.as_str()), "the note of {call} is not on its page ({}):\n{text}", i + 1);
                placed += 1;
            }
        }
        if text.contains("Fortsetzung der Anmerkung") {
            split += 1;
        }
        // Calls link to their notes and notes back, on the same page.
        let here = p["links"].as_array().unwrap().iter().filter(|l| l["page"].as_u64() == Some(i as u64)).count();
        let called = calls.iter().filter(|(c, _)| text.contains(c.as_str())).count();
        assert!(here >= 2 * called, "page {}: {here} links for {called} notes: {p}", i + 1);
    }
    assert_eq!(placed, calls.len(), "some calls were not found");
    assert!(split > 0, "no note was long enough to be split; the test does not test that");
    assert_every_word(&py, &shared, &pdf, &md_files(&dir.path().join("books/speeches")));
}

/// The cover JPEG goes into the PDF byte for byte (no re-encoding); a PNG with
/// transparency keeps it as a soft mask; a grey PNG stays grey.
#[test]
fn images_are_embedded_as_they_are() {
    let project = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("books"), &project.path().join("books"));
    let out = tempfile::tempdir().unwrap();
    let pdf = std::fs::read(build_pdf(project.path(), "example", out.path(), None)).unwrap();
    let jpeg = std::fs::read(repo().join("books/cover.jpg")).unwrap();
    let at = pdf.windows(64).position(|w| w == &jpeg[..64]).expect("the cover's bytes are in the PDF");
    assert_eq!(&pdf[at..at + jpeg.len()], &jpeg[..], "the cover JPEG was changed");
    let text = pdf_syntax(&pdf);
    assert!(text.contains("/Filter/DCTDecode"), "no JPEG stream");
    assert!(text.contains("/ColorSpace/DeviceGray"), "the grey chart is not stored as grey");
    assert!(!text.contains("/SMask"), "an image without transparency got a mask");
    // The chart with a transparent background.
    let chart = project.path().join("books/images/mieten-loehne.png");
    let mut img = image::RgbaImage::from_pixel(1400, 840, image::Rgba([200, 30, 30, 255]));
    for x in 0..700 {
        for y in 0..840 {
            img.put_pixel(x, y, image::Rgba([0, 0, 0, 0]));
        }
    }
    img.save(&chart).unwrap();
    let pdf = std::fs::read(build_pdf(project.path(), "example", out.path(), None)).unwrap();
    let text = pdf_syntax(&pdf);
    assert!(text.contains("/SMask") && text.contains("/ColorSpace/DeviceRGB"), "the transparency was lost");
}
