//! German gender forms (`Arbeiter*innen`, `Kolleg:in`, `Bürger_innen`, `jede*r`, the Binnen-I
//! `ArbeiterInnen`) stay whole words in the model, the EPUB and the PDF's text, emphasis next
//! to them still works, and the PDF breaks them only at syllables of their parts.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;
use tribune::diagnostics::Report;
use tribune::document::model::{plain_text, BlockKind};
use tribune::pdf::font::{Case, FaceId, FontSet};
use tribune::pdf::text::paragraph::{Alignment, Measure, Span, SpanStyle, Typesetter};

/// The gender words of the long paragraph, written with `|` where the PDF may break them.
const SYLLABLES: &[&str] =
    &["Kol|leg*in|nen", "Ar|bei|ter*in|nen", "Kol|leg:in|nen", "Bür|ger_in|nen", "Ar|bei|te|rIn|nen", "Kol|le|gIn|nen"];

fn speech() -> String {
    let words: Vec<String> = SYLLABLES.iter().map(|w| w.replace('|', "")).collect();
    // Long words only, so that justified lines must break some of them.
    let long = (0..80)
        .map(|i| if i % 2 == 0 { "Kolleg*innen" } else { words[i / 2 % words.len()].as_str() })
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "---\ntitle: Rede an die Belegschaft\nspeaker: Anna Petrowa\ndate: 2024-05-01\nlanguage: de\n---\n\n\
         Liebe Arbeiter*innen und Kolleg*innen, liebe Kolleg:innen und Bürger_innen!\n\n\
         Jede*r von uns, ein*e Kolleg*e: *so* geht es nicht, **stark** bleiben, _gemeinsam_ mit \
         *Arbeiter*innen* und **Kolleg*innen**.\n\n\
         `code*innen und x*innen` bleibt Code, [die Kolleg*innen](https://example.org/Kolleg*innen) ein Link.\n\n\
         {long}\n"
    )
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let speeches = dir.path().join("books/speeches");
    std::fs::create_dir_all(&speeches).unwrap();
    std::fs::write(dir.path().join("books/b.toml"), "title = \"Buch\"\nlanguage = \"de\"\n").unwrap();
    std::fs::write(speeches.join("rede.md"), speech()).unwrap();
    dir
}

fn build(project: &Path, out: &Path) {
    let (project, out) = (project.to_str().unwrap(), out.to_str().unwrap());
    build_ok(&["b", "--format", "epub", "--format", "pdf", "--format", "model", "--project", project, "--out", out]);
}

#[test]
fn gender_forms_stay_whole_in_the_model_and_the_epub() {
    let dir = project();
    let out: PathBuf = dir.path().join("out");
    build(dir.path(), &out);

    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("b.model.json")).unwrap()).unwrap();
    let blocks = &model["parts"][0]["chapters"][0]["blocks"];
    let first = blocks[0]["content"].to_string();
    assert_eq!(
        blocks[0]["content"],
        serde_json::json!([{"type": "text", "text": "Liebe Arbeiter*innen und Kolleg*innen, liebe Kolleg:innen und Bürger_innen!"}]),
        "{first}"
    );
    let second = blocks[1]["content"].to_string();
    assert!(second.contains(r#""text":"Jede*r von uns, ein*e Kolleg*e: ""#), "{second}");
    let span = |kind: &str, text: &str| format!(r#"{{"content":[{{"text":"{text}","type":"text"}}],"type":"{kind}"}}"#);
    for (kind, text) in [
        ("emphasis", "so"),
        ("strong", "stark"),
        ("emphasis", "gemeinsam"),
        ("emphasis", "Arbeiter*innen"),
        ("strong", "Kolleg*innen"),
    ] {
        assert!(second.contains(&span(kind, text)), "{kind} {text} in {second}");
    }
    let third = blocks[2]["content"].to_string();
    assert!(third.contains(r#"{"text":"code*innen und x*innen","type":"code"}"#), "{third}");
    assert!(third.contains(r#""url":"https://example.org/Kolleg*innen""#), "{third}");
    assert!(third.contains(r#"{"text":"die Kolleg*innen","type":"text"}"#), "{third}");

    let xhtml = epub_entry(&out.join("b.epub"), "OEBPS/s-rede.xhtml");
    assert!(xhtml.contains("Liebe Arbeiter*innen und Kolleg*innen, liebe Kolleg:innen und Bürger_innen!"), "{xhtml}");
    assert!(xhtml.contains("Jede*r von uns, ein*e Kolleg*e"), "{xhtml}");
    assert!(xhtml.contains("<em>Arbeiter*innen</em>") && xhtml.contains("<strong>Kolleg*innen</strong>"), "{xhtml}");
    assert!(xhtml.contains("<em>so</em>") && xhtml.contains("<strong>stark</strong>"), "{xhtml}");
    assert!(!xhtml.contains("<em>innen") && !xhtml.contains("innen</em>innen"), "stars read as emphasis: {xhtml}");
}

#[test]
fn the_pdf_text_has_the_gender_forms_broken_only_at_syllables() {
    let Some(pdftotext) = validator("pdftotext") else { return };
    let dir = project();
    let out = dir.path().join("out");
    build(dir.path(), &out);
    let o = Command::new(pdftotext).args(["-enc", "UTF-8", out.join("b.pdf").to_str().unwrap(), "-"]).output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let joined = text.replace("\u{ad}\n", "").replace('\n', " ");
    for word in ["Arbeiter*innen", "Kolleg*innen,", "Kolleg:innen", "Bürger_innen!", "Jede*r", "ein*e", "Kolleg*e:"] {
        assert!(joined.split_whitespace().any(|w| w == word), "{word} is not whole in:\n{text}");
    }
    // Every break inside a gender word is one of its syllables, never at the sign.
    let allowed: BTreeSet<String> = SYLLABLES
        .iter()
        .flat_map(|w| (1..w.split('|').count()).map(move |n| w.split('|').take(n).collect::<String>()))
        .collect();
    let plain: BTreeSet<String> = SYLLABLES.iter().map(|w| w.replace('|', "")).collect();
    let lines: Vec<&str> = text.lines().collect();
    let mut broken = Vec::new();
    for (a, b) in lines.iter().zip(lines.iter().skip(1)) {
        let Some(head) = a.strip_suffix('\u{ad}') else { continue };
        let head = head.split_whitespace().last().unwrap_or("");
        let tail = b.split_whitespace().next().unwrap_or("");
        let word = format!("{head}{tail}");
        assert!(!head.ends_with(['*', ':', '_']) && !tail.starts_with(['*', ':', '_']), "{head}|{tail}");
        if plain.contains(&word) {
            assert!(allowed.contains(head), "{word} broken as {head}-{tail}");
            broken.push(format!("{head}-{tail}"));
        }
    }
    assert!(broken.iter().any(|b| b.starts_with("Kol") && b.contains('*')), "no break in Kolleg*innen: {broken:?}");
    assert!(broken.iter().any(|b| b.contains("In")), "no break in a Binnen-I word: {broken:?}");
}

#[test]
fn a_line_that_must_break_in_kolleg_innen_breaks_at_a_syllable() {
    let dir = project();
    let project = tribune::project::Project::at(dir.path().to_path_buf()).unwrap();
    let mut report = Report::default();
    let lib = tribune::library::Library::load(&project, &mut report);
    let prep = tribune::prepare(&project, &lib, &project.books.join("b.toml"), &mut report).expect("the book builds");
    let chapter = &prep.book.parts[0].chapters[0];
    let BlockKind::Paragraph { content } = &chapter.blocks[0].kind else { panic!("a paragraph") };
    let text = plain_text(content);
    assert!(text.contains("Kolleg*innen,"), "{text}");
    let fonts = FontSet::load(&project, &prep.style.fonts).unwrap();
    let mut ts = Typesetter::new(&fonts, Vec::new());
    let style = SpanStyle {
        face: FaceId::REGULAR,
        size: 10.0,
        rise: 0.0,
        case: Case::Normal,
        hyphenate: true,
        link: 0,
        lang: 0,
    };
    let lang = chapter.meta.language.clone();
    let set = |ts: &mut Typesetter, text: &str, width: f32| {
        let m = Measure { width, indent: 0.0, align: Alignment::Ragged, lang: lang.clone() };
        ts.set(&[Span { text: text.to_string(), style }], &m)
    };
    let lines_of = |ts: &mut Typesetter, text: &str, width: f32| -> Vec<(String, bool)> {
        set(ts, text, width).into_iter().map(|l| (l.text, l.hyphenated)).collect()
    };
    let shown = |ts: &mut Typesetter, width: f32| lines_of(ts, "Kolleg*innen", width);
    // The narrowest measure (to a tenth of a point) that holds `text` on one line.
    let narrowest = |ts: &mut Typesetter, text: &str| {
        let (mut lo, mut hi) = (1.0f32, 200.0f32);
        while hi - lo > 0.1 {
            let mid = (lo + hi) / 2.0;
            if lines_of(ts, text, mid).len() == 1 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    };
    let whole = narrowest(&mut ts, "Kolleg*innen");
    // Below the width of its widest syllable group the word must be cut anywhere (a run
    // wider than the line, with a warning): the syllable rule holds down to there.
    let floor = narrowest(&mut ts, "leg*in-");
    // Just narrower than the word: it must break, and does at `Kolleg*in-`.
    assert_eq!(shown(&mut ts, whole - 0.5), vec![("Kolleg*in".to_string(), true), ("nen".to_string(), false)]);
    // At every narrower measure, each line that ends in the word ends at a syllable, and
    // some end at `Kol-`.
    let mut heads = BTreeSet::new();
    let mut w = whole - 0.5;
    while w >= floor {
        for (text, hyphenated) in shown(&mut ts, w) {
            if hyphenated {
                assert!(["Kol", "Kolleg*in", "leg*in"].contains(&text.as_str()), "`{text}-` at {w} pt");
                heads.insert(text);
            }
        }
        w -= 0.5;
    }
    assert!(heads.contains("Kol"), "{heads:?}");
    // In the speech's first paragraph, at every measure from narrow to wide, a line that ends
    // inside a gender word ends at one of its syllables.
    for w in (60..=260).step_by(5) {
        for l in set(&mut ts, &text, w as f32) {
            if l.hyphenated {
                let last = l.text.split_whitespace().last().unwrap_or("");
                assert!(
                    ["Ar", "Arbei", "Arbeiter*in", "Kol", "Kolleg*in", "Kolleg:in", "Bür", "Bürger_in"].contains(&last),
                    "a line ends in `{last}-` at {w} pt"
                );
            }
        }
    }
}
