//! Links of the text through the real binary: links to other speeches (by file or id, with
//! a heading) and to headings of the same speech become links inside the book in the EPUB
//! and the PDF; links to speeches not in the book, to missing headings, to relative files
//! and to other schemes become plain text with a warning at their line; web addresses are
//! kept percent-encoded, an e-mail autolink gets `mailto:`.

mod support;

use std::path::Path;
use support::*;

const BOOK: &str = "title = \"Links\"\nlanguage = \"de\"\n\n[select]\nspeeches = [\"de/a\", \"b\"]\n";

fn speech(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nspeaker: Anna\ndate: 2021-12-13\n---\n\n{body}")
}

/// Body of `de/a`; its lines start at 7.
const A: &str = "# Die Lage\n\n\
Siehe [die zweite Rede](../b.md), [ihren Schluss](../b.md#am-ende), [per Id](b#am-ende) \
und [oben](#die-lage).\n\n\
Nicht im Buch: [die dritte](../c.md). Keine Überschrift: [nirgends](#fehlt).\n\n\
Datei: [relativ](foo.html), [Wurzel](/url), [Skript](javascript:alert(1)), [leer](http://).\n\n\
Web: [eckig](https://example.org/a[1]) und <kontakt@example.org>.\n\n\
#\n";

const B: &str = "Erster Absatz.\n\n## Am Ende\n\nZurück zu [A](de/a.md) und [Fehler](de/a.md#gibt-es-nicht).\n";

fn project(dir: &Path) {
    let w = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("books/links.toml", BOOK);
    w("books/speeches/de/a.md", &speech("Rede A", A));
    w("books/speeches/b.md", &speech("Rede B", B));
    w("books/speeches/c.md", &speech("Rede C", "Drei.\n"));
}

#[test]
fn links_inside_the_book_and_out_of_it() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let out = dir.path().join("out");
    let (p, o) = (dir.path().to_str().unwrap(), out.to_str().unwrap());
    let err = build_ok(&["links", "--format", "epub", "--format", "pdf", "--project", p, "--out", o]);
    let a = epub_entry(&out.join("links.epub"), "OEBPS/s-de-a.xhtml");
    let b = epub_entry(&out.join("links.epub"), "OEBPS/s-b.xhtml");
    // Inside the book: to the other speech's file, to its heading, to our own heading.
    for href in ["href=\"s-b.xhtml#s-b\"", "href=\"s-b.xhtml#s-b-am-ende\"", "href=\"#s-de-a-die-lage\""] {
        assert!(a.contains(href), "no {href} in:\n{a}");
    }
    assert_eq!(a.matches("href=\"s-b.xhtml#s-b-am-ende\"").count(), 2, "by file and by id:\n{a}");
    assert!(b.contains("href=\"s-de-a.xhtml#s-de-a\""), "{b}");
    // Kept as text, each with a warning at its line.
    for text in ["die dritte", "nirgends", "relativ", "Wurzel", "Skript", "leer"] {
        assert!(a.contains(text), "the words `{text}` are lost:\n{a}");
    }
    for href in ["c.xhtml", "#fehlt", "foo.html", "/url", "javascript", "http://\""] {
        assert!(!a.contains(&format!("href=\"{href}")), "`{href}` was kept as a link:\n{a}");
    }
    for (line, what) in [
        (11, "`../c.md`"),
        (11, "`#fehlt`"),
        (13, "`foo.html`"),
        (13, "`/url`"),
        (13, "`javascript:alert(1)`"),
        (13, "`http://`"),
        (17, "heading has no text"),
    ] {
        let at = format!("--> books/speeches/de/a.md:{line}");
        assert!(
            err.lines().zip(err.lines().skip(1)).any(|(m, l)| m.contains(what) && l.contains(&at)),
            "no warning about {what} at {at}:\n{err}"
        );
    }
    assert!(err.contains("the speech `c` it leads to is not in this book"), "{err}");
    assert!(err.contains("the speech `de/a` has no heading `#gibt-es-nicht`"), "{err}");
    // Web addresses: valid after percent-encoding; the e-mail autolink with its scheme.
    assert!(a.contains("href=\"https://example.org/a%5B1%5D\""), "{a}");
    assert!(a.contains("href=\"mailto:kontakt@example.org\""), "{a}");
    // The heading without text is left out, and the navigation has no empty entry.
    let nav = epub_entry(&out.join("links.epub"), "OEBPS/nav.xhtml");
    assert!(!nav.contains("\"></a>") && !nav.contains("<a href=\"s-de-a.xhtml#s-de-a-section\""), "{nav}");
    // The PDF: the same links, as GoTo actions to named destinations, each of which the
    // catalog's Dests dictionary places on a page.
    let pdf = String::from_utf8_lossy(&std::fs::read(out.join("links.pdf")).unwrap()).into_owned();
    for name in ["s-b", "s-b-am-ende", "s-de-a-die-lage", "s-de-a"] {
        assert!(pdf.contains(&format!("/D/{name}/")) || pdf.contains(&format!("/D/{name}>")), "no link to {name}");
        assert!(pdf.contains(&format!("/{name}[")), "no destination {name}");
    }
    assert!(pdf.contains("/Dests "), "the catalog has no Dests");
    assert!(!pdf.contains("/D/s-c"), "a link to the speech outside the book");
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &out.join("links.epub"));
    }
}
