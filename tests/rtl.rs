//! Books that read right to left, read back from the PDF: the all-Arabic example book
//! (books/tadamun.toml) and the German example with its Arabic speech. Every word comes
//! back in the order it was typed, Arabic lines end flush at the right margin (the inner
//! one on a recto, since the binding is on the right), the viewer is told to show spreads
//! right to left, and the cover has its front on the left.

mod support;

use std::path::{Path, PathBuf};
use support::*;

const MM: f64 = 72.0 / 25.4;

fn build(book: &str, out: &Path, formats: &[&str]) {
    let repo = repo();
    let mut args = vec![book, "--project", repo.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"];
    for f in formats {
        args.extend(["-f", f]);
    }
    build_ok(&args);
}

/// Every word of `sources` in `pdf`, when the text-fidelity tool is installed.
fn every_word(pdf: &Path, sources: &[PathBuf]) {
    let (Some(py), Some(shared)) = (validator("tribune-tools-python"), shared()) else { return };
    assert_every_word(&py, &shared, pdf, sources);
}

#[test]
fn arabic_book_reads_back_in_order_and_ends_lines_flush_right() {
    let out = tempfile::tempdir().unwrap();
    build("tadamun", out.path(), &["pdf"]);
    let pdf = out.path().join("tadamun.pdf");
    every_word(&pdf, &book_sources("tadamun"));
    // Spreads right to left.
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(pdf_syntax(&bytes).contains("/Direction/R2L"), "no /ViewerPreferences /Direction /R2L");
    let Some(pages) = word_boxes(&pdf) else { return };
    // The default style: A5, inner margin 20 mm, outer 16 mm. Pages from the first
    // speech on (the 10th) carry body text; odd ones are rectos.
    let mut flush = 0;
    let mut lines = 0;
    for (i, (width, words)) in pages.iter().enumerate().skip(9) {
        let recto = i % 2 == 0;
        let right_margin = if recto { 20.0 * MM } else { 16.0 * MM };
        let edge = width - right_margin;
        // Lines by the height of their Arabic words (Latin punctuation, from another font,
        // and vowel marks, drawn above the letters, stand at other heights).
        let mut ends: std::collections::BTreeMap<i64, f64> = Default::default();
        let arabic = |t: &str| t.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c));
        for (_, r) in words.iter().filter(|(t, r)| arabic(t) && r[2] - r[0] > 0.5) {
            let e = ends.entry((r[3] * 2.0).round() as i64).or_insert(0.0);
            *e = e.max(r[2]);
        }
        // Folios and running heads (centred) above and below the text are left out.
        for (&y, &right) in ends.iter().filter(|(y, _)| (**y as f64) / 2.0 > 22.0 * MM) {
            assert!(
                right <= edge + 1.5,
                "page {}: a line at {y} ends at {right:.1}, past the margin at {edge:.1}",
                i + 1
            );
            lines += 1;
            if (right - edge).abs() < 1.5 {
                flush += 1;
            }
        }
    }
    // Body lines, first lines and headings of a right-to-left book all end at the right
    // margin (only centred and left-to-right material does not).
    assert!(lines > 100, "{lines} lines");
    // On a recto the text ends at the inner margin (20 mm): flush at the outer one
    // (16 mm) would have failed the bound above.
    // (Indented first lines, quotes and list items end an indent short, centred titles
    // and lines that begin with a figure or a Latin name elsewhere: a third of them.)
    assert!(flush * 10 >= lines * 6, "{flush} of {lines} lines end flush right");
}

#[test]
fn arabic_cover_has_its_front_on_the_left() {
    let out = tempfile::tempdir().unwrap();
    build("tadamun", out.path(), &["cover"]);
    let Some(pages) = word_boxes(&out.path().join("tadamun-cover.pdf")) else { return };
    let (width, words) = &pages[0];
    // The back carries the ISBN's digits and the description; the front is the cover
    // image. All type of the back stands on the right half of the sheet.
    let isbn = words.iter().find(|(t, _)| t.contains("978")).expect("the ISBN's digits");
    assert!(isbn.1[0] > width / 2.0, "the back is not on the right: ISBN at {:?}", isbn.1);
    assert!(words.iter().all(|(_, r)| r[0] > width / 2.0 - 1.0), "type on the front's half");
}

#[test]
fn german_book_with_an_arabic_speech_stays_left_to_right() {
    let out = tempfile::tempdir().unwrap();
    build("example", out.path(), &["pdf"]);
    let pdf = out.path().join("example.pdf");
    every_word(&pdf, &book_sources("example"));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(!pdf_syntax(&bytes).contains("/Direction/R2L"));
}
