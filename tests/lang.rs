//! A language tag is read once, as a `Lang`: a speech and a book written with ISO 639-2
//! codes (`deu`, `ger`) are German everywhere, with German quotation marks in the model and
//! the EPUB, German labels and dates, German hyphenation in the PDF's line breaking, and a
//! warning at the line that names the code.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use support::*;
use tribune::diagnostics::Report;
use tribune::document::model::{plain_text, BlockKind};
use tribune::pdf::font::{Case, FaceId, FontSet};
use tribune::pdf::text::paragraph::{Alignment, Measure, Span, SpanStyle, Typesetter};

/// Two compounds as German patterns break them, and as English ones would: the PDF of a
/// `deu` speech must break them only at the first kind, and once at least where the
/// second would not.
const COMPOUNDS: &[(&str, &str)] = &[
    ("So-li-da-ri-täts-kund-ge-bung", "Sol-i-dar-ität-skundge-bung"),
    ("Ge-werk-schafts-ver-samm-lung", "Gew-erkschaftsver-samm-lung"),
];

/// Character positions of the hyphens in `word`, counted in the word without them.
fn breaks(word: &str) -> Vec<usize> {
    word.split('-')
        .scan(0, |n, part| {
            *n += part.chars().count();
            Some(*n)
        })
        .collect::<Vec<_>>()
        .split_last()
        .map(|(_, v)| v.to_vec())
        .unwrap_or_default()
}

/// A book written `ger` with one speech written `deu` (the `language` line is line 5).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let speeches = dir.path().join("books/speeches");
    std::fs::create_dir_all(&speeches).unwrap();
    std::fs::write(dir.path().join("books/b.toml"), "title = \"Buch\"\nlanguage = \"ger\"\n").unwrap();
    std::fs::write(
        speeches.join("rede.md"),
        "---\ntitle: Rede\nspeaker: [Anna Petrowa, Ben Roth]\ndate: 2021-12-13\nlanguage: deu\n\
         source: Archiv der Bewegung\n---\n\nSie sagte: \"Die Solidaritätskundgebung der Gewerkschaftsversammlung.\"\n",
    )
    .unwrap();
    dir
}

fn build(project: &Path, out: &Path) -> String {
    let (project, out) = (project.to_str().unwrap(), out.to_str().unwrap());
    build_ok(&["b", "--format", "epub", "--format", "pdf", "--format", "model", "--project", project, "--out", out])
}

#[test]
fn a_speech_written_deu_is_german_throughout_with_a_warning() {
    let dir = project();
    let out: PathBuf = dir.path().join("out");
    let err = build(dir.path(), &out);

    // The warnings, each at the line that names the code.
    for (code, place) in [("deu", "books/speeches/rede.md:5"), ("ger", "books/b.toml:2")] {
        let at = err
            .find(&format!("warning: language `{code}` is ISO 639-2; write `de`"))
            .unwrap_or_else(|| panic!("{err}"));
        assert!(err[at..].contains(place), "{err}");
    }

    // The model: the tags as BCP 47 writes them, German quotation marks.
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("b.model.json")).unwrap()).unwrap();
    assert_eq!(model["meta"]["language"], "de");
    assert_eq!(model["languages"], serde_json::json!(["de"]));
    let chapter = &model["parts"][0]["chapters"][0];
    assert_eq!(chapter["meta"]["language"], "de");
    let json = chapter.to_string();
    assert!(json.contains("„Die Solidaritätskundgebung der Gewerkschaftsversammlung.“"), "{json}");

    // The EPUB: German on every document, German quotes, labels, date and list of names.
    let epub = out.join("b.epub");
    let speech = epub_entry(&epub, "OEBPS/s-rede.xhtml");
    assert!(speech.contains("<html") && speech.contains(" lang=\"de\" xml:lang=\"de\""), "{speech}");
    assert!(speech.contains("„Die Solidaritätskundgebung der Gewerkschaftsversammlung.“"), "{speech}");
    assert!(speech.contains("Anna Petrowa und Ben Roth"), "{speech}");
    assert!(speech.contains("13.\u{a0}Dezember 2021"), "{speech}");
    assert!(speech.contains("Quelle:") && !speech.contains("Source:"), "{speech}");
    // The speech is in the book's language: no label needs a language of its own.
    assert!(!speech.contains("<span lang="), "{speech}");
    let opf = epub_entry(&epub, "OEBPS/content.opf");
    assert!(opf.contains(">de</dc:language>") && opf.contains("<package xml:lang=\"de\""), "{opf}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("lang=\"deu\"") && !text.contains("lang=\"ger\""), "{}", f.name());
    }

    // The PDF says German in its metadata.
    let pdf = std::fs::read(out.join("b.pdf")).unwrap();
    assert!(String::from_utf8_lossy(&pdf).contains("<rdf:li>de</rdf:li>"), "no German in the PDF's XMP");
}

#[test]
fn the_pdf_breaks_a_deu_speech_with_german_patterns() {
    // The model the PDF is set from, and the typesetter it is set with.
    let dir = project();
    let project = tribune::project::Project::at(dir.path().to_path_buf()).unwrap();
    let mut report = Report::default();
    let lib = tribune::library::Library::load(&project, &mut report);
    let prep = tribune::prepare(&project, &lib, &project.books.join("b.toml"), &mut report).expect("the book builds");
    let lang = &prep.book.parts[0].chapters[0].meta.language;
    assert_eq!(lang.as_str(), "de");
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
    let plain = |w: &str| w.replace('-', "");
    let BlockKind::Paragraph { content } = &prep.book.parts[0].chapters[0].blocks[0].kind else {
        panic!("a paragraph")
    };
    let text = plain_text(content);
    // Narrow enough that neither compound stands on a line whole.
    let m = Measure { width: 70.0, indent: 0.0, align: Alignment::Ragged, lang: lang.clone() };
    let mut joined = String::new();
    for line in ts.set(&[Span { text, style }], &m) {
        joined.push_str(&line.text);
        joined.push_str(if line.hyphenated { "-" } else { " " });
    }
    let mut german_only = 0;
    for (german, english) in COMPOUNDS {
        let word = |w: &str| plain(w).trim_matches(|c: char| !c.is_alphabetic()).to_string();
        let set = joined.split_whitespace().find(|w| word(w) == plain(german)).unwrap();
        let (set, german, english) = (breaks(set), breaks(german), breaks(english));
        assert!(set.iter().all(|b| german.contains(b)), "`{joined}` breaks where German does not");
        german_only += set.iter().filter(|b| !english.contains(b)).count();
    }
    assert!(german_only > 0, "`{joined}` is broken only where English patterns would break too");
}
