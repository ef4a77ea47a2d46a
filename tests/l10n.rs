//! A book in each of the 25 languages Tribune has strings for, built through the binary:
//! each byline date and label in that language (the dates written here by hand from CLDR),
//! its quotation marks (CLDR's delimiters) and dash in the EPUB and, for seven of them, in
//! the PDF's text, no English fallback warning, and EPUBCheck with nothing to report. Then dates before
//! year 1 and dates given as text, and the one warning of a language without strings.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

/// Language, the long date of 13 December 2021 by CLDR (`~` a no-break space, `^` a narrow
/// one), the word for "Contents", the label before the source, and what the typography makes
/// of [`QUOTED`] (quotation marks from CLDR's delimiters, written here by hand).
const BOOKS: &[(&str, &str, &str, &str, &str)] = &[
    ("de", "13.~Dezember 2021", "Inhalt", "Quelle", "„Alpha ‚Beta‘ Gamma“~– Delta. „Epsilon“,- Zeta."),
    ("en", "December~13, 2021", "Contents", "Source", "“Alpha ‘Beta’ Gamma”—Delta. “Epsilon”,- Zeta."),
    ("fr", "13~décembre 2021", "Table des matières", "Source", "«^Alpha «^Beta^» Gamma^»~– Delta. «^Epsilon^»,- Zeta."),
    ("es", "13~de diciembre de 2021", "Índice", "Fuente", "“Alpha ‘Beta’ Gamma”~– Delta. “Epsilon”,- Zeta."),
    ("it", "13~dicembre 2021", "Indice", "Fonte", "«Alpha “Beta” Gamma»~– Delta. «Epsilon»,- Zeta."),
    ("pt", "13~de dezembro de 2021", "Índice", "Fonte", "“Alpha ‘Beta’ Gamma”~– Delta. “Epsilon”,- Zeta."),
    ("ca", "13~de desembre del 2021", "Índex", "Font", "«Alpha “Beta” Gamma»~– Delta. «Epsilon»,- Zeta."),
    ("nl", "13~december 2021", "Inhoud", "Bron", "‘Alpha ‘Beta’ Gamma’~– Delta. ‘Epsilon’,- Zeta."),
    ("sv", "13~december 2021", "Innehåll", "Källa", "”Alpha ’Beta’ Gamma”~– Delta. ”Epsilon”,- Zeta."),
    ("da", "13.~december 2021", "Indhold", "Kilde", "“Alpha ‘Beta’ Gamma”~– Delta. “Epsilon”,- Zeta."),
    ("no", "13.~desember 2021", "Innhold", "Kilde", "«Alpha ‘Beta’ Gamma»~– Delta. «Epsilon»,- Zeta."),
    ("fi", "13.~joulukuuta 2021", "Sisällys", "Lähde", "”Alpha ’Beta’ Gamma”~– Delta. ”Epsilon”,- Zeta."),
    ("pl", "13~grudnia 2021", "Spis treści", "Źródło", "„Alpha «Beta» Gamma”~— Delta. „Epsilon”,- Zeta."),
    ("cs", "13.~prosince 2021", "Obsah", "Zdroj", "„Alpha ‚Beta‘ Gamma“~– Delta. „Epsilon“,- Zeta."),
    ("sk", "13.~decembra 2021", "Obsah", "Zdroj", "„Alpha ‚Beta‘ Gamma“~– Delta. „Epsilon“,- Zeta."),
    ("hu", "2021. december~13.", "Tartalom", "Forrás", "„Alpha »Beta« Gamma”~– Delta. „Epsilon”,- Zeta."),
    ("ro", "13~decembrie 2021", "Cuprins", "Sursa", "„Alpha «Beta» Gamma”~– Delta. „Epsilon”,- Zeta."),
    ("el", "13~Δεκεμβρίου 2021", "Περιεχόμενα", "Πηγή", "«Alpha “Beta” Gamma»~– Delta. «Epsilon»,- Zeta."),
    ("tr", "13~Aralık 2021", "İçindekiler", "Kaynak", "“Alpha ‘Beta’ Gamma”~– Delta. “Epsilon”,- Zeta."),
    ("ru", "13~декабря 2021^г.", "Содержание", "Источник", "«Alpha „Beta“ Gamma»~— Delta. «Epsilon»,~— Zeta."),
    ("uk", "13~грудня 2021^р.", "Зміст", "Джерело", "«Alpha „Beta“ Gamma»~— Delta. «Epsilon»,~— Zeta."),
    ("kk", "2021^ж.~13~желтоқсан", "Мазмұны", "Дереккөз", "«Alpha “Beta” Gamma»~— Delta. «Epsilon»,~— Zeta."),
    ("ar", "13~ديسمبر 2021", "المحتويات", "المصدر", "”Alpha ’Beta‘ Gamma“~– Delta. ”Epsilon“,- Zeta."),
    ("fa", "۱۳~دسامبر ۲۰۲۱", "فهرست مطالب", "منبع", "«Alpha ‹Beta› Gamma»~– Delta. «Epsilon»,- Zeta."),
    ("he", "13~בדצמבר 2021", "תוכן העניינים", "מקור", "”Alpha ’Beta’ Gamma”~– Delta. ”Epsilon”,- Zeta."),
];

/// The paragraph each test book has: straight double and single quotes, a spaced hyphen
/// and the `,-` of direct speech.
const QUOTED: &str = "\"Alpha 'Beta' Gamma\" - Delta. \"Epsilon\",- Zeta.";

/// The books whose PDF text is checked too.
const PDF_BOOKS: &[&str] = &["de", "fr", "pl", "ru", "uk", "el", "cs"];

/// Text without its white space, for comparing what `pdftotext` gives (which sees gaps,
/// not space characters) with what the EPUB says.
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn spaces(s: &str) -> String {
    s.replace('~', "\u{a0}").replace('^', "\u{202f}")
}

fn write(path: PathBuf, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Build `books` (all when empty) of `project` as EPUBs into `out`; what tribune said.
fn build(project: &Path, books: &[&str], out: &Path) -> String {
    let (project, out) = (project.to_str().unwrap(), out.to_str().unwrap());
    let mut args = books.to_vec();
    args.extend(["--format", "epub", "--project", project, "--out", out]);
    build_ok(&args)
}

/// Run EPUBCheck where it is installed, on two books at a time (most of its time is the
/// Java machine starting); it must report nothing.
fn epubcheck(epubs: &[PathBuf]) {
    let Some(tool) = validator("epubcheck") else { return };
    let check = |epub: &PathBuf| {
        let o = Command::new(&tool).arg(epub).output().expect("run epubcheck");
        let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success() && out.trim().is_empty(), "EPUBCheck on {}:\n{out}", epub.display());
    };
    let (odd, even): (Vec<_>, Vec<_>) = epubs.iter().enumerate().partition(|(i, _)| i % 2 == 1);
    std::thread::scope(|s| {
        s.spawn(|| odd.iter().for_each(|(_, e)| check(e)));
        even.iter().for_each(|(_, e)| check(e));
    });
}

#[test]
fn a_book_in_each_language_speaks_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for &(code, ..) in BOOKS {
        write(
            p.join(format!("books/b-{code}.toml")),
            &format!("title = \"Book {code}\"\nlanguage = \"{code}\"\n\n[select]\nspeeches = [\"{code}\"]\n"),
        );
        write(
            p.join(format!("books/speeches/{code}.md")),
            &format!("---\ntitle: T\nspeaker: [A, B]\ndate: 2021-12-13\nsource: S\ntranslator: X\n---\n\nText.\n\n{QUOTED}\n"),
        );
    }
    let out = p.join("out");
    let log = build(p, &[], &out);
    assert!(!log.contains("English"), "no book falls back to English:\n{log}");
    let mut epubs = Vec::new();
    for &(code, date, contents, source, quoted) in BOOKS {
        let epub = out.join(format!("b-{code}.epub"));
        let speech = epub_entry(&epub, &format!("OEBPS/s-{code}.xhtml"));
        let time = format!("<time datetime=\"2021-12-13\">{}</time>", spaces(date));
        assert!(speech.contains(&time), "{code}: {time} in\n{speech}");
        assert!(speech.contains(&format!("{source}:")), "{code}: `{source}:` in\n{speech}");
        let quoted = format!(">{}</p>", spaces(quoted));
        assert!(speech.contains(&quoted), "{code}: {quoted} in\n{speech}");
        let nav = epub_entry(&epub, "OEBPS/nav.xhtml");
        assert!(nav.contains(&format!(">{contents}</h1>")), "{code}: {contents} in\n{nav}");
        let opf = epub_entry(&epub, "OEBPS/content.opf");
        assert_eq!(opf.contains("This e-book has"), code == "en", "{code}: the accessibility summary is translated");
        epubs.push(epub);
    }
    epubcheck(&epubs);
    let Some(pdftotext) = validator("pdftotext") else { return };
    let names: Vec<String> = PDF_BOOKS.iter().map(|code| format!("b-{code}")).collect();
    let mut args: Vec<&str> = names.iter().map(String::as_str).collect();
    let (project, pdf_out) = (p.to_str().unwrap(), out.to_str().unwrap());
    args.extend(["--format", "pdf", "--project", project, "--out", pdf_out]);
    build_ok(&args);
    for code in PDF_BOOKS {
        let pdf = out.join(format!("b-{code}.pdf"));
        let o = Command::new(&pdftotext).args(["-enc", "UTF-8"]).arg(&pdf).arg("-").output().expect("run pdftotext");
        assert!(o.status.success(), "pdftotext {}", pdf.display());
        let text = squeezed(&String::from_utf8_lossy(&o.stdout));
        let (.., quoted) = BOOKS.iter().find(|b| b.0 == *code).unwrap();
        assert!(text.contains(&squeezed(&spaces(quoted))), "{code}: {quoted} in the PDF text\n{text}");
    }
}

#[test]
fn dates_before_year_one_and_dates_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p.join("books/klassiker.toml"),
        "title = \"Reden der Antike\"\nlanguage = \"de\"\n\n[select]\nspeeches = [\"perikles\", \"lysias\", \"cicero\"]\norder = \"date\"\n",
    );
    write(
        p.join("books/classics.toml"),
        "title = \"Ancient speeches\"\nlanguage = \"en\"\n\n[select]\norder = \"date\"\n",
    );
    // YAML reads an unquoted `-0430` as the number -430, which is the same year.
    write(
        p.join("books/speeches/perikles.md"),
        "---\ntitle: Gefallenenrede\nspeaker: Perikles\ndate: -0430\n---\n\nText.\n",
    );
    write(
        p.join("books/speeches/lysias.md"),
        "---\ntitle: Gegen Eratosthenes\nspeaker: Lysias\ndate: \"um 403 v. Chr.\"\nsort_date: \"-0402\"\n---\n\nText.\n",
    );
    write(
        p.join("books/speeches/cicero.md"),
        "+++\ntitle = \"Erste Philippika\"\nspeaker = \"Cicero\"\ndate = \"-0043-09-02\"\n+++\n\nText.\n",
    );
    let out = p.join("out");
    let log = build(p, &[], &out);
    assert!(!log.contains("warning"), "{log}");
    let de = out.join("klassiker.epub");
    let perikles = epub_entry(&de, "OEBPS/s-perikles.xhtml");
    assert!(perikles.contains("431\u{a0}v.\u{a0}Chr."), "{perikles}");
    assert!(!perikles.contains("<time"), "no HTML date for a year BC:\n{perikles}");
    assert!(epub_entry(&de, "OEBPS/s-lysias.xhtml").contains(">um 403 v. Chr.</p>"));
    assert!(epub_entry(&de, "OEBPS/s-cicero.xhtml").contains("2.\u{a0}September 44\u{a0}v.\u{a0}Chr."));
    let en = out.join("classics.epub");
    assert!(epub_entry(&en, "OEBPS/s-perikles.xhtml").contains("431\u{a0}BC"));
    assert!(epub_entry(&en, "OEBPS/s-cicero.xhtml").contains("September\u{a0}2, 44\u{a0}BC"));
    // By date: 431 BC, then the text sorted as 403 BC, then 44 BC.
    let opf = epub_entry(&en, "OEBPS/content.opf");
    let at =
        |id: &str| opf.find(&format!("idref=\"id_s-{id}.xhtml")).unwrap_or_else(|| panic!("{id} in the spine:\n{opf}"));
    assert!(at("perikles") < at("lysias") && at("lysias") < at("cicero"), "{opf}");
    epubcheck(&[de, en]);
}

#[test]
fn a_date_as_text_needs_a_sort_date() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p.join("books/b.toml"), "title = \"B\"\nlanguage = \"de\"\n");
    write(p.join("books/speeches/s.md"), "---\ntitle: T\nspeaker: A\ndate: um 430 v. Chr.\n---\n\nText.\n");
    let o = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["build", "b", "--format", "epub", "--color", "never", "--project"])
        .arg(p)
        .arg("--out")
        .arg(p.join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("`um 430 v. Chr.` is not a calendar date") && err.contains("sort_date: -0430"), "{err}");
}

#[test]
fn a_language_without_strings_is_english_with_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p.join("books/b.toml"), "title = \"B\"\nlanguage = \"tlh\"\n");
    for s in ["s1", "s2"] {
        write(p.join(format!("books/speeches/{s}.md")), "---\ntitle: T\nspeaker: A\ndate: 2021-12-13\n---\n\nText.\n");
    }
    write(p.join("books/speeches/s3.md"), "---\ntitle: T\nspeaker: A\ndate: 2021-12-13\nlanguage: grc\n---\n\nText.\n");
    let log = build(p, &["b"], &p.join("out"));
    assert_eq!(log.matches("they are set in English").count(), 1, "{log}");
    assert!(log.contains("`tlh`, `grc`"), "{log}");
    let speech = epub_entry(&p.join("out/b.epub"), "OEBPS/s-s1.xhtml");
    assert!(speech.contains("December\u{a0}13, 2021"), "{speech}");
}

#[test]
fn a_language_without_hyphenation_gets_one_warning_per_book() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p.join("books/b.toml"), "title = \"B\"\nlanguage = \"de\"\n");
    let speech = |lang: &str| format!("---\ntitle: T\nspeaker: A\ndate: 2021-12-13\nlanguage: {lang}\n---\n\nText.\n");
    for (s, lang) in [("s1", "ro"), ("s2", "de"), ("s3", "ro"), ("s4", "tlh"), ("s5", "grc"), ("s6", "ar")] {
        write(p.join(format!("books/speeches/{s}.md")), &speech(lang));
    }
    let (project, out) = (p.to_str().unwrap(), p.join("out"));
    // Two PDFs of one book: still one warning, naming each language and its speeches.
    let args = ["b", "--format", "pdf", "--format", "print", "--project", project, "--out", out.to_str().unwrap()];
    let log = build_ok(&args);
    assert_eq!(log.matches("no hyphenation patterns").count(), 1, "{log}");
    let line = log.lines().find(|l| l.contains("no hyphenation patterns")).unwrap();
    assert!(line.contains("for `ro` (speeches `s1`, `s3`) and `tlh` (speech `s4`):"), "{line}");
    // German and Ancient Greek have patterns, Arabic is not hyphenated by convention; the
    // EPUB alone gets no such warning.
    assert!(!line.contains("`de`") && !line.contains("`grc`") && !line.contains("`ar`"), "{line}");
    let log = build_ok(&["b", "--format", "epub", "--project", project, "--out", out.to_str().unwrap()]);
    assert!(!log.contains("hyphenation"), "{log}");
}
