//! The print edition's pages in the EPUB, read back from both files: for every page of the
//! PDF, the first word on it (pdftotext, running head and folio left out) is the word
//! right after the EPUB's marker with that page's label (the PDF's page labels, read with
//! qpdf); the page list lists every marker in page order; EPUBCheck passes. On the
//! example and on a generated book of 100 speeches.

mod support;

use roxmltree::{Document, ParsingOptions};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use support::*;

const OPS: &str = "http://www.idpf.org/2007/ops";

/// The label of each page of `pdf` (0-based index), from its `/PageLabels` as qpdf reads
/// them.
fn page_labels(qpdf: &Path, pdf: &Path, pages: usize) -> Vec<String> {
    let o = Command::new(qpdf).args(["--json", "--json-key=pagelabels"]).arg(pdf).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ranges = json["pagelabels"].as_array().expect("the PDF has page labels");
    let text = |v: &serde_json::Value| v.as_str().map(|s| s.strip_prefix("u:").unwrap_or(s).to_string());
    (0..pages)
        .map(|i| {
            let r = ranges.iter().rev().find(|r| r["index"].as_u64().unwrap() as usize <= i).unwrap();
            let label = &r["label"];
            let n = i - r["index"].as_u64().unwrap() as usize + label["/St"].as_u64().unwrap_or(1) as usize;
            let prefix = text(&label["/P"]).unwrap_or_default();
            let number = match label["/S"].as_str() {
                Some("/D") => n.to_string(),
                Some("/r") => roman(n),
                other => panic!("a numbering style the test does not know: {other:?}"),
            };
            format!("{prefix}{number}")
        })
        .collect()
}

fn roman(mut n: usize) -> String {
    let table = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (v, r) in table {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// The first word of `text` as the word checks count words: a run of letters or of
/// digits, lower-cased (so a list's `3.` is `3`, a bullet no word).
fn first_word(text: &str) -> Option<String> {
    let mut cur = String::new();
    let mut digits = false;
    for c in text.chars() {
        let (letter, digit) = (c.is_alphabetic(), c.is_numeric());
        if letter || digit {
            if !cur.is_empty() && digits != digit {
                break;
            }
            digits = digit;
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            break;
        }
    }
    (!cur.is_empty()).then_some(cur)
}

/// The EPUB's documents in spine order, as (href, text).
fn spine_documents(epub: &Path) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let opf = read("OEBPS/content.opf");
    let doc = Document::parse(&opf).unwrap();
    let items: BTreeMap<&str, &str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .map(|n| (n.attribute("id").unwrap(), n.attribute("href").unwrap()))
        .collect();
    let hrefs: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .map(|n| items[n.attribute("idref").unwrap()].to_string())
        .collect();
    hrefs.into_iter().map(|h| (h.clone(), read(&format!("OEBPS/{h}")))).collect()
}

/// What the EPUB says of the print pages: the markers in reading order (label, the text
/// from the marker to the end of the book, its document), and the page list's entries.
struct Marked {
    markers: Vec<(String, String, String)>,
    list: Vec<(String, String)>,
}

fn marked(epub: &Path) -> Marked {
    let mut text = String::new();
    // Where each marker stands in `text`.
    let mut at: Vec<(String, usize, String)> = Vec::new();
    for (href, xhtml) in spine_documents(epub) {
        let doc =
            Document::parse_with_options(&xhtml, ParsingOptions { allow_dtd: true, ..Default::default() }).unwrap();
        for n in doc.descendants() {
            if n.attribute((OPS, "type")) == Some("pagebreak") {
                assert_eq!(n.attribute("role"), Some("doc-pagebreak"), "{href}");
                let label = n.attribute("aria-label").unwrap().to_string();
                assert_eq!(n.attribute("id"), Some(format!("page-{label}").as_str()), "{href}");
                assert!(n.children().next().is_none(), "a marker holds no text: {href}");
                at.push((label, text.len(), href.clone()));
            } else if n.is_text() {
                text.push_str(n.text().unwrap());
            }
        }
        text.push('\n');
    }
    let markers = at.into_iter().map(|(l, i, h)| (l, text[i..].to_string(), h)).collect();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut nav = String::new();
    zip.by_name("OEBPS/nav.xhtml").unwrap().read_to_string(&mut nav).unwrap();
    let doc = Document::parse_with_options(&nav, ParsingOptions { allow_dtd: true, ..Default::default() }).unwrap();
    let list = doc
        .descendants()
        .find(|n| n.attribute((OPS, "type")) == Some("page-list"))
        .map(|nav| {
            nav.descendants()
                .filter(|n| n.has_tag_name("a"))
                .map(|a| (a.text().unwrap().to_string(), a.attribute("href").unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default();
    Marked { markers, list }
}

/// The first word of each page of `pdf` in pdftotext's order, without the running head
/// above the text block and the folio below it (the default style's A5 page: 18 mm top
/// and 22 mm bottom margin; the head stands at 55 % of the top margin, the folio at half
/// the bottom one); `None` for a page without words. pdftotext's boxes give a line's
/// words from the left with their letters in the order drawn: on a line that runs right
/// to left the first word is the rightmost, its letters reversed.
fn first_words(pdf: &Path) -> Option<Vec<Option<String>>> {
    let mm = 72.0 / 25.4;
    let height = 210.0 * mm;
    let pages = word_boxes(pdf)?;
    let rtl = |w: &str| w.chars().any(|c| ('\u{0590}'..='\u{08FF}').contains(&c));
    Some(
        pages
            .into_iter()
            .map(|(_, words)| {
                let body: Vec<(String, [f64; 4])> = words
                    .into_iter()
                    .filter(|(w, b)| {
                        b[1] > 18.0 * mm * 0.8 && b[3] < height - 22.0 * mm * 0.7 && first_word(w).is_some()
                    })
                    .collect();
                let (w, b) = body.first()?;
                if !rtl(w) {
                    return Some(w.clone());
                }
                let line = body.iter().filter(|(_, o)| (o[1] - b[1]).abs() < 2.0);
                let right = line.max_by(|x, y| x.1[2].total_cmp(&y.1[2]))?;
                Some(right.0.chars().rev().collect())
            })
            .collect(),
    )
}

/// Build `book` of `project` as EPUB and PDF and check the page list against the PDF.
/// Returns the number of pages checked word for word.
fn check_pages(project: &Path, book: &str, out: &Path) -> Option<usize> {
    let err = build_ok(&[
        book,
        "--format",
        "epub",
        "--format",
        "pdf",
        "--project",
        project.to_str()?,
        "--out",
        out.to_str()?,
    ]);
    assert!(!err.contains("page list"), "{err}");
    let (epub, pdf) = (out.join(format!("{book}.epub")), out.join(format!("{book}.pdf")));
    let m = marked(&epub);
    // The page list names every marker, in page order, and nothing else.
    let listed: Vec<&str> = m.list.iter().map(|(l, _)| l.as_str()).collect();
    let placed: Vec<&str> = m.markers.iter().map(|(l, _, _)| l.as_str()).collect();
    assert_eq!(listed, placed, "the page list and the markers in reading order");
    for ((label, href), (_, _, doc)) in m.list.iter().zip(&m.markers) {
        assert_eq!(href, &format!("{doc}#page-{label}"));
    }
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &epub);
    }
    let qpdf = validator("qpdf")?;
    let pages = first_words(&pdf)?;
    let labels = page_labels(&qpdf, &pdf, pages.len());
    let by_label: BTreeMap<&str, &str> = m.markers.iter().map(|(l, t, _)| (l.as_str(), t.as_str())).collect();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (i, (page_first, label)) in pages.iter().zip(&labels).enumerate() {
        // The cover and its inside (labelled with the word for a cover in the book's
        // language and a number) are no printed pages.
        if label.contains(' ') {
            assert!(!by_label.contains_key(label.as_str()), "the cover has a marker: {label}");
            continue;
        }
        let after = by_label.get(label.as_str()).unwrap_or_else(|| panic!("page {} ({label}) has no marker", i + 1));
        // A page without text (a blank verso) has its marker all the same.
        let Some(first) = page_first.as_deref().and_then(first_word) else { continue };
        let epub_first = first_word(after).unwrap_or_default();
        checked += 1;
        // A page that begins with the end of a word hyphenated on the page before has its
        // marker before that word.
        if epub_first != first && !(first.len() >= 3 && epub_first.ends_with(&first)) {
            wrong.push(format!(
                "page {} ({label}): PDF `{first}`, EPUB `{}`",
                i + 1,
                after.chars().take(60).collect::<String>().replace('\n', " ")
            ));
        }
    }
    assert!(wrong.is_empty(), "{} of {checked} pages begin elsewhere in the EPUB:\n{}", wrong.len(), wrong.join("\n"));
    Some(checked)
}

#[test]
fn every_printed_page_of_the_example_begins_at_its_marker() {
    let dir = tempfile::tempdir().unwrap();
    if let Some(n) = check_pages(&repo(), "example", dir.path()) {
        assert!(n > 20, "only {n} pages checked");
    }
}

#[test]
fn every_printed_page_of_a_book_of_100_speeches_begins_at_its_marker() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(&shared, 100, dir.path(), 2000);
    if let Some(n) = check_pages(dir.path(), "bench", &dir.path().join("out")) {
        assert!(n > 500, "only {n} pages checked");
    }
}

/// Asked for alone, the EPUB still has the page list, from a pagination that writes no
/// PDF: the same markers as beside the PDF.
#[test]
fn the_epub_alone_has_the_same_page_list() {
    let dir = tempfile::tempdir().unwrap();
    let (both, alone) = (dir.path().join("both"), dir.path().join("alone"));
    let root = repo();
    build_ok(&[
        "example",
        "--format",
        "epub",
        "--format",
        "pdf",
        "--project",
        root.to_str().unwrap(),
        "--out",
        both.to_str().unwrap(),
    ]);
    build_ok(&["example", "--format", "epub", "--project", root.to_str().unwrap(), "--out", alone.to_str().unwrap()]);
    assert!(!alone.join("example.pdf").exists());
    let (a, b) = (marked(&both.join("example.epub")), marked(&alone.join("example.epub")));
    assert!(!a.list.is_empty());
    assert_eq!(a.list, b.list);
    assert_eq!(std::fs::read(both.join("example.epub")).unwrap(), std::fs::read(alone.join("example.epub")).unwrap());
}

/// The all-Arabic example: right-to-left pages, Arabic-Indic text, the same check.
#[test]
fn every_printed_page_of_the_arabic_example_begins_at_its_marker() {
    let dir = tempfile::tempdir().unwrap();
    if let Some(n) = check_pages(&repo(), "tadamun", dir.path()) {
        assert!(n > 10, "only {n} pages checked");
    }
}

/// A project of one book `b` with one speech whose body is `body`; `book_extra` is added
/// to the book file.
fn project(body: &str, book_extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sp = dir.path().join("books/speeches");
    std::fs::create_dir_all(&sp).unwrap();
    let text = format!("---\ntitle: Rede\nspeaker: Anna Petrowa\ndate: 2021-12-13\nlanguage: de\n---\n\n{body}\n");
    std::fs::write(sp.join("rede.md"), text).unwrap();
    std::fs::write(dir.path().join("books/b.toml"), format!("title = \"Buch\"\nlanguage = \"de\"\n{book_extra}"))
        .unwrap();
    dir
}

/// A book the PDF cannot set (a character no bundled font has) still gets its EPUB,
/// without a page list, and a warning saying why; the package claims no page numbers.
#[test]
fn a_book_the_pdf_cannot_set_gets_an_epub_without_page_list_and_a_warning() {
    let p = project("Ein Zeichen, das keine Schrift hat: \u{13000}.", "");
    let out = p.path().join("out");
    let err =
        build_ok(&["b", "--format", "epub", "--project", p.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(err.contains("no page list of the print edition") && err.contains("U+13000"), "{err}");
    let epub = out.join("b.epub");
    assert!(marked(&epub).list.is_empty());
    let opf = epub_entry(&epub, "OEBPS/content.opf");
    assert!(!opf.contains("printPageNumbers") && !opf.contains("pageBreakSource"), "{opf}");
}

/// The package names the print edition by the book's ISBN, claims page navigation, and
/// takes the publisher's conformance statement and certifier from `[accessibility]`.
#[test]
fn the_package_names_the_print_edition_and_the_publisher_s_claim() {
    let extra =
        "isbn = \"978-3-949831-07-2\"\n[accessibility]\nconforms_to = \"EPUB Accessibility 1.1 - WCAG 2.2 Level AA\"\n\
                 certified_by = \"Lesbar e. V.\"\ncertifier_credential = \"DAISY Ace Certified\"\n\
                 certifier_report = \"https://example.org/report.html\"\n";
    let p = project("Ein kurzer Absatz.\n\n| A | B |\n|---|---|\n| 1 | 2 |", extra);
    let out = p.path().join("out");
    build_ok(&["b", "--format", "epub", "--project", p.path().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let epub = out.join("b.epub");
    let opf = epub_entry(&epub, "OEBPS/content.opf");
    let doc = Document::parse(&opf).unwrap();
    let metas = |property: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("meta") && n.attribute("property") == Some(property))
            .map(|n| n.text().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(metas("pageBreakSource"), ["urn:isbn:9783949831072"]);
    let features = metas("schema:accessibilityFeature");
    for f in ["printPageNumbers", "pageNavigation", "structuralNavigation", "tableOfContents"] {
        assert!(features.iter().any(|x| x == f), "{f}: {features:?}");
    }
    // No images: no alternative text to claim; no such feature as tables.
    assert!(!features.iter().any(|x| x == "alternativeText" || x == "tables"), "{features:?}");
    assert_eq!(metas("schema:accessibilityHazard"), ["none"]);
    assert_eq!(metas("dcterms:conformsTo"), ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]);
    assert_eq!(metas("a11y:certifiedBy"), ["Lesbar e. V."]);
    assert_eq!(metas("a11y:certifierCredential"), ["DAISY Ace Certified"]);
    assert!(opf.contains(
        "<link refines=\"#certifier\" rel=\"a11y:certifierReport\" href=\"https://example.org/report.html\"/>"
    ));
    assert!(metas("schema:accessibilitySummary")[0].contains("Seitenzahlen der gedruckten Ausgabe"));
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &epub);
    }
}

/// A credential without a certifier is an error naming the book file.
#[test]
fn a_certifier_s_credential_without_a_certifier_is_an_error() {
    let p = project("Text.", "[accessibility]\ncertifier_credential = \"X\"\n");
    let o = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["build", "b", "--format", "epub", "--color", "never", "--project"])
        .arg(p.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("b.toml") && err.contains("no certifier") && err.contains("certified_by"), "{err}");
}
