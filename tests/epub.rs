//! The EPUB, built through the real binary and read back: the container, the package
//! metadata, the navigation, the speeches with their bylines and footnotes, the fonts,
//! the images, the accessibility rules that can be checked without a browser, the same
//! bytes from the same sources; and the validators (EPUBCheck, text_fidelity.py, Ace
//! where installed) over the example and a book of 101 speeches.

mod support;

use roxmltree::{Document, Node, ParsingOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;
use support::*;

const OPS: &str = "http://www.idpf.org/2007/ops";
const XML: &str = "http://www.w3.org/XML/1998/namespace";
const DC: &str = "http://purl.org/dc/elements/1.1/";
/// The build time the tests set: 2023-11-14T22:13:20Z.
const EPOCH: &str = "1700000000";

/// Build `book` of `project` as EPUB into `out`; `epoch` sets `SOURCE_DATE_EPOCH` (or
/// removes it). Returns the EPUB's path and what tribune said, or panics with it.
fn build_logged(project: &Path, book: &str, out: &Path, epoch: Option<&str>) -> (PathBuf, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tribune"));
    cmd.args(["build", book, "--format", "epub", "--color", "never", "--project"]).arg(project).arg("--out").arg(out);
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    let o = cmd.output().expect("run tribune");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "tribune build failed:\n{err}");
    (out.join(format!("{book}.epub")), err)
}

fn build(project: &Path, book: &str, out: &Path, epoch: Option<&str>) -> PathBuf {
    build_logged(project, book, out, epoch).0
}

/// The example, built once for all the tests of this file that only read it.
fn example() -> &'static Epub {
    static EXAMPLE: OnceLock<Epub> = OnceLock::new();
    EXAMPLE.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("epub-example-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let (file, log) = build_logged(&repo(), "example", &out, Some(EPOCH));
        assert!(!log.contains("warning"), "the example must build without warnings:\n{log}");
        let epub = Epub::open(&file);
        let _ = std::fs::remove_dir_all(&out);
        epub
    })
}

/// An EPUB read into memory: its entries in order, with how each is compressed.
struct Epub {
    bytes: Vec<u8>,
    names: Vec<String>,
    files: BTreeMap<String, Vec<u8>>,
    stored: BTreeSet<String>,
}

impl Epub {
    fn open(path: &Path) -> Epub {
        let bytes = std::fs::read(path).expect("the EPUB exists");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("the EPUB is a zip file");
        let mut e = Epub { bytes, names: Vec::new(), files: BTreeMap::new(), stored: BTreeSet::new() };
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().to_string();
            if f.compression() == zip::CompressionMethod::Stored {
                e.stored.insert(name.clone());
            }
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            e.names.push(name.clone());
            e.files.insert(name, b);
        }
        e
    }

    fn text(&self, name: &str) -> String {
        String::from_utf8(self.files.get(name).unwrap_or_else(|| panic!("no {name} in the EPUB")).clone())
            .unwrap_or_else(|_| panic!("{name} is not UTF-8"))
    }

    /// The package document's path, from META-INF/container.xml.
    fn opf_path(&self) -> String {
        let c = self.text("META-INF/container.xml");
        let doc = parse(&c);
        let rootfile = doc.descendants().find(|n| n.has_tag_name("rootfile")).expect("a rootfile");
        rootfile.attribute("full-path").unwrap().to_string()
    }

    /// A file of the package by its href in the manifest.
    fn item(&self, href: &str) -> String {
        let opf = self.opf_path();
        let dir = opf.rsplit_once('/').map_or("", |(d, _)| d);
        self.text(&if dir.is_empty() { href.to_string() } else { format!("{dir}/{href}") })
    }

    /// (href, media type, properties) of every manifest item, and the spine's hrefs.
    fn manifest_and_spine(&self) -> (Vec<(String, String, String)>, Vec<String>) {
        let opf = self.text(&self.opf_path());
        let doc = parse(&opf);
        let items: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("item")).collect();
        let by_id: BTreeMap<&str, &str> =
            items.iter().map(|n| (n.attribute("id").unwrap(), n.attribute("href").unwrap())).collect();
        let manifest = items
            .iter()
            .map(|n| {
                (
                    n.attribute("href").unwrap().to_string(),
                    n.attribute("media-type").unwrap().to_string(),
                    n.attribute("properties").unwrap_or("").to_string(),
                )
            })
            .collect();
        let spine = doc
            .descendants()
            .filter(|n| n.has_tag_name("itemref"))
            .map(|n| by_id[n.attribute("idref").unwrap()].to_string())
            .collect();
        (manifest, spine)
    }

    /// Every XHTML document of the spine and the navigation document, by href.
    fn documents(&self) -> Vec<(String, String)> {
        let (manifest, _) = self.manifest_and_spine();
        manifest
            .iter()
            .filter(|(_, mt, _)| mt == "application/xhtml+xml")
            .map(|(href, _, _)| (href.clone(), self.item(href)))
            .collect()
    }
}

fn parse(text: &str) -> Document<'_> {
    let opts = ParsingOptions { allow_dtd: true, ..Default::default() };
    Document::parse_with_options(text, opts).unwrap_or_else(|e| panic!("not well-formed XML: {e}"))
}

fn epub_type<'a>(n: &Node<'a, '_>) -> Option<&'a str> {
    n.attribute((OPS, "type"))
}

fn text_of(n: &Node<'_, '_>) -> String {
    n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect()
}

fn class_is(n: &Node<'_, '_>, class: &str) -> bool {
    n.attribute("class").is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

#[test]
fn the_container_starts_with_a_stored_mimetype() {
    let e = example();
    assert_eq!(e.names[0], "mimetype");
    assert!(e.stored.contains("mimetype"));
    assert_eq!(e.files["mimetype"], b"application/epub+zip");
    // No extra field in the first local header: reading systems find the type at byte 38.
    assert_eq!(&e.bytes[30..38], b"mimetype");
    assert_eq!(&e.bytes[38..58], b"application/epub+zip");
    assert_eq!(e.opf_path(), "OEBPS/content.opf");
}

#[test]
fn the_package_carries_the_book_metadata() {
    let e = example();
    let opf = e.text(&e.opf_path());
    let doc = parse(&opf);
    let pkg = doc.root_element();
    assert_eq!(pkg.attribute((XML, "lang")), Some("de"));
    let dc = |name: &str| -> Vec<Node> {
        doc.descendants().filter(|n| n.tag_name().namespace() == Some(DC) && n.tag_name().name() == name).collect()
    };
    let texts = |name: &str| -> Vec<String> { dc(name).iter().map(text_of).collect() };
    let refines = |id: &str, property: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| {
                n.has_tag_name("meta")
                    && n.attribute("refines") == Some(&format!("#{id}"))
                    && n.attribute("property") == Some(property)
            })
            .map(|n| text_of(&n))
            .collect()
    };
    let meta = |property: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| {
                n.has_tag_name("meta") && n.attribute("property") == Some(property) && n.attribute("refines").is_none()
            })
            .map(|n| text_of(&n))
            .collect()
    };

    // The book's identifier is the package's unique identifier.
    let unique = pkg.attribute("unique-identifier").unwrap();
    let id = dc("identifier").into_iter().find(|n| n.attribute("id") == Some(unique)).expect("the unique identifier");
    assert_eq!(text_of(&id), "urn:isbn:9783949831072");

    let titles = dc("title");
    assert_eq!(text_of(&titles[0]), "Stimmen der Solidarität", "the main title comes first");
    let sub = titles.iter().find(|t| text_of(t) == "Reden aus vier Ländern").expect("the subtitle");
    assert_eq!(refines(sub.attribute("id").unwrap(), "title-type"), ["subtitle"]);

    let mut people = BTreeMap::new();
    for c in dc("creator").into_iter().chain(dc("contributor")) {
        let roles = refines(c.attribute("id").expect("people have ids to refine"), "role");
        assert!(people.insert(text_of(&c), roles).is_none(), "each person once");
    }
    for speaker in [
        "Sabine Krell",
        "Ayşe Doğan",
        "Jonas Brettschneider",
        "Ainur Ospanova",
        "Ruth Halloran",
        "Magdalena Reiter",
        "ريم الحداد",
    ] {
        assert_eq!(people.get(speaker), Some(&vec!["aut".to_string()]), "{speaker}: {people:?}");
    }
    assert_eq!(people["Lena Marquardt"], ["edt"]);
    assert_eq!(people["Thomas Riedel"], ["trl"]);
    assert!(doc
        .descendants()
        .filter(|n| n.attribute("property") == Some("role"))
        .all(|n| n.attribute("scheme") == Some("marc:relators")));

    assert_eq!(texts("language"), ["de", "en", "ar", "de-AT"]);
    assert_eq!(texts("publisher"), ["Edition Laternenhof"]);
    assert_eq!(texts("date"), ["2026"]);
    assert!(texts("rights")[0].starts_with("© 2026 Edition Laternenhof"));
    assert!(texts("description")[0].starts_with("Sechs Reden aus Leipzig"));
    assert_eq!(meta("dcterms:modified"), ["2023-11-14T22:13:20Z"], "from SOURCE_DATE_EPOCH");

    // Accessibility: the example has images, all described, so it claims conformance.
    assert_eq!(meta("schema:accessMode"), ["textual", "visual"]);
    assert_eq!(meta("schema:accessModeSufficient"), ["textual", "textual,visual"]);
    let features: BTreeSet<String> = meta("schema:accessibilityFeature").into_iter().collect();
    for f in ["structuralNavigation", "tableOfContents", "readingOrder", "alternativeText", "displayTransformability"] {
        assert!(features.contains(f), "{f} missing from {features:?}");
    }
    assert_eq!(meta("schema:accessibilityHazard"), ["none"]);
    assert!(meta("schema:accessibilitySummary")[0].contains("Alternativtext"));
    assert_eq!(meta("dcterms:conformsTo"), ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]);
}

#[test]
fn the_manifest_has_the_cover_the_navigation_and_one_document_per_speech() {
    let e = example();
    let (manifest, spine) = e.manifest_and_spine();
    let with =
        |prop: &str| manifest.iter().filter(|(_, _, p)| p.split_whitespace().any(|x| x == prop)).collect::<Vec<_>>();
    let cover = with("cover-image");
    assert_eq!(cover.len(), 1);
    assert_eq!(cover[0].1, "image/jpeg");
    assert_eq!(with("nav").len(), 1);
    assert!(manifest.iter().any(|(h, mt, _)| h == "toc.ncx" && mt == "application/x-dtbncx+xml"));
    // Every file in the package is in the manifest, and every manifest item is local.
    for (href, _, _) in &manifest {
        assert!(!href.contains("://") && !href.starts_with('/'), "{href}");
        assert!(e.files.contains_key(&format!("OEBPS/{href}")), "{href} is not in the container");
    }
    let speeches: Vec<&String> = spine.iter().filter(|h| h.starts_with("s-")).collect();
    assert_eq!(
        speeches,
        [
            "s-2019-05-leipzig-pflege.xhtml",
            "s-2023-03-hamburg-mieten.xhtml",
            "s-2021-12-berlin-kasachstan.xhtml",
            "s-en-2024-09-brighton-peace.xhtml",
            "s-ar-2024-05-beirut-salam.xhtml",
            "s-2025-05-wien-befreiung.xhtml"
        ]
    );
    assert_eq!(
        spine[..5],
        ["cover.xhtml", "title.xhtml", "copyright.xhtml", "contents.xhtml", "introduction.xhtml"],
        "cover, title page, copyright page, contents, introduction"
    );
    assert_eq!(spine[5], "part-1.xhtml");
    assert!(
        spine.iter().position(|h| h == "afterword.xhtml")
            > spine.iter().position(|h| h == "s-2025-05-wien-befreiung.xhtml")
    );
    // The cover page shows the cover image with alt text.
    let cover_page = e.item("cover.xhtml");
    let doc = parse(&cover_page);
    let img = doc.descendants().find(|n| n.has_tag_name("img")).unwrap();
    assert_eq!(img.attribute("src"), Some(cover[0].0.as_str()));
    assert!(img.attribute("alt").unwrap().contains("Stimmen der Solidarität"));
}

/// The EPUB 2 NCX lists the same print pages as the navigation document's page list.
#[test]
fn the_ncx_page_list_matches_the_navigation_page_list() {
    let e = example();
    let (manifest, _) = e.manifest_and_spine();
    let nav_href = &manifest.iter().find(|(_, _, p)| p == "nav").unwrap().0;
    let nav = e.item(nav_href);
    let doc = parse(&nav);
    let list =
        doc.descendants().find(|n| n.has_tag_name("nav") && epub_type(n) == Some("page-list")).expect("page-list");
    let pages: Vec<(String, String)> = list
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .map(|a| (text_of(&a), a.attribute("href").unwrap().to_string()))
        .collect();
    assert!(pages.len() > 20, "{pages:?}");
    let ncx = e.item("toc.ncx");
    let doc = parse(&ncx);
    let targets: Vec<Node> = doc.descendants().filter(|n| n.has_tag_name("pageTarget")).collect();
    let got: Vec<(String, String)> = targets
        .iter()
        .map(|t| {
            let label = text_of(&t.descendants().find(|n| n.has_tag_name("text")).unwrap());
            let src = t.descendants().find(|n| n.has_tag_name("content")).unwrap().attribute("src").unwrap();
            (label, src.to_string())
        })
        .collect();
    assert_eq!(got, pages, "the NCX's pageList is the page-list");
    for t in &targets {
        let label = text_of(&t.descendants().find(|n| n.has_tag_name("text")).unwrap());
        match label.parse::<u32>() {
            Ok(n) => {
                assert_eq!((t.attribute("type"), t.attribute("value")), (Some("normal"), Some(n.to_string().as_str())))
            }
            Err(_) => assert_eq!((t.attribute("type"), t.attribute("value")), (Some("front"), None)),
        }
    }
    let meta = |name: &str| {
        doc.descendants().find(|n| n.attribute("name") == Some(name)).and_then(|n| n.attribute("content")).unwrap()
    };
    assert_eq!(meta("dtb:totalPageCount"), pages.len().to_string());
    let max = pages.iter().filter_map(|(l, _)| l.parse::<u32>().ok()).max().unwrap();
    assert_eq!(meta("dtb:maxPageNumber"), max.to_string());
}

#[test]
fn the_navigation_nests_parts_speeches_and_sections_and_has_landmarks() {
    let e = example();
    let (manifest, _) = e.manifest_and_spine();
    let nav_href = &manifest.iter().find(|(_, _, p)| p == "nav").unwrap().0;
    let nav = e.item(nav_href);
    let doc = parse(&nav);
    let toc = doc.descendants().find(|n| n.has_tag_name("nav") && epub_type(n) == Some("toc")).expect("a toc nav");
    let top: Vec<Node> =
        toc.children().find(|n| n.has_tag_name("ol")).unwrap().children().filter(|n| n.has_tag_name("li")).collect();
    let label = |li: &Node| text_of(&li.children().find(|n| n.has_tag_name("a")).unwrap());
    let labels: Vec<String> = top.iter().map(label).collect();
    assert_eq!(labels[..4], ["Einleitung", "Arbeit und Wohnen", "Frieden und internationale Solidarität", "Nachwort"]);
    let speeches = |li: &Node| -> Vec<String> {
        li.children()
            .find(|n| n.has_tag_name("ol"))
            .map_or(Vec::new(), |ol| ol.children().filter(|n| n.has_tag_name("li")).map(|l| label(&l)).collect())
    };
    assert_eq!(speeches(&top[1]), ["Wer pflegt, braucht Zeit", "Die Miete frisst den Lohn"]);
    let first_speech =
        top[1].children().find(|n| n.has_tag_name("ol")).unwrap().children().find(|n| n.has_tag_name("li")).unwrap();
    assert_eq!(
        speeches(&first_speech),
        ["Was eine Schicht wirklich bedeutet", "Was wir fordern", "Warum das alle angeht"]
    );

    let landmarks =
        doc.descendants().find(|n| n.has_tag_name("nav") && epub_type(n) == Some("landmarks")).expect("landmarks");
    let marks: BTreeMap<&str, &str> = landmarks
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .map(|a| (epub_type(&a).unwrap(), a.attribute("href").unwrap()))
        .collect();
    assert_eq!(marks.get("cover"), Some(&"cover.xhtml"));
    assert_eq!(marks.get("toc"), Some(&"contents.xhtml"));
    assert_eq!(marks.get("bodymatter"), Some(&"part-1.xhtml"));

    // The NCX: the same entries, the package's identifier.
    let ncx = e.item("toc.ncx");
    let ndoc = parse(&ncx);
    let uid = ndoc.descendants().find(|n| n.attribute("name") == Some("dtb:uid")).unwrap();
    assert_eq!(uid.attribute("content"), Some("urn:isbn:9783949831072"));
    let points = ndoc.descendants().filter(|n| n.has_tag_name("navPoint")).count();
    assert_eq!(points, toc.descendants().filter(|n| n.has_tag_name("a")).count());
    let orders: Vec<usize> = ndoc
        .descendants()
        .filter(|n| n.has_tag_name("navPoint"))
        .map(|n| n.attribute("playOrder").unwrap().parse().unwrap())
        .collect();
    assert_eq!(orders, (1..=points).collect::<Vec<_>>());
}

#[test]
fn speeches_have_titles_bylines_and_their_language() {
    let e = example();
    let berlin = e.item("s-2021-12-berlin-kasachstan.xhtml");
    let doc = parse(&berlin);
    let html = doc.root_element();
    assert_eq!((html.attribute("lang"), html.attribute((XML, "lang"))), (Some("de"), Some("de")));
    let h2 = doc.descendants().find(|n| n.has_tag_name("h2")).unwrap();
    assert_eq!(text_of(&h2), "Zehn Jahre nach Жаңаөзен", "a speech under a titled part has an h2 title");
    assert!(!doc.descendants().any(|n| n.has_tag_name("h1")));
    let byline = doc.descendants().find(|n| class_is(n, "byline")).unwrap();
    let time = byline.descendants().find(|n| n.has_tag_name("time")).unwrap();
    assert_eq!(time.attribute("datetime"), Some("2021-12-16"));
    assert_eq!(text_of(&time), "16.\u{a0}Dezember 2021");
    let by = text_of(&byline);
    assert!(by.contains("Ainur Ospanova") && by.contains("Berlin-Pankow") && by.contains("Mahnwache"), "{by}");
    let end = doc.descendants().find(|n| class_is(n, "speech-end")).unwrap();
    assert!(
        text_of(&end).contains("Quelle: Manuskript der Rednerin")
            && text_of(&end).contains("Übersetzung: Thomas Riedel")
    );

    // A speech in English: its own language on the root, the date in the book's.
    let brighton = e.item("s-en-2024-09-brighton-peace.xhtml");
    let doc = parse(&brighton);
    let html = doc.root_element();
    assert_eq!((html.attribute("lang"), html.attribute((XML, "lang"))), (Some("en"), Some("en")));
    let time = doc.descendants().find(|n| n.has_tag_name("time")).unwrap();
    assert_eq!(text_of(&time), "9.\u{a0}September 2024");
    assert_eq!((time.attribute("lang"), time.attribute((XML, "lang"))), (Some("de"), Some("de")));
    let source = doc.descendants().find(|n| class_is(n, "source")).unwrap();
    let label = source.children().find(|n| n.has_tag_name("span")).unwrap();
    assert_eq!((text_of(&label).as_str(), label.attribute("lang")), ("Quelle:", Some("de")));

    let wien = e.item("s-2025-05-wien-befreiung.xhtml");
    assert_eq!(parse(&wien).root_element().attribute("lang"), Some("de-AT"));
    // The introduction, outside the parts, has an h1 title.
    let intro = e.item("introduction.xhtml");
    assert_eq!(text_of(&parse(&intro).descendants().find(|n| n.has_tag_name("h1")).unwrap()), "Einleitung");
}

#[test]
fn footnotes_are_epub3_footnotes_linked_both_ways() {
    let e = example();
    let mut notes = 0;
    for (href, xhtml) in e.documents() {
        let doc = parse(&xhtml);
        let ids: BTreeMap<&str, Node> = doc.descendants().filter_map(|n| n.attribute("id").map(|i| (i, n))).collect();
        for r in doc.descendants().filter(|n| epub_type(n) == Some("noteref")) {
            assert_eq!(r.attribute("role"), Some("doc-noteref"), "{href}");
            let target = r.attribute("href").unwrap().strip_prefix('#').expect("a note in the same file");
            let aside = ids.get(target).unwrap_or_else(|| panic!("{href}: no note {target}"));
            assert!(aside.has_tag_name("aside") && epub_type(aside) == Some("footnote"), "{href}: {target}");
            assert_eq!(aside.attribute("role"), Some("doc-footnote"));
            let back: Vec<&str> = aside
                .descendants()
                .filter(|n| n.attribute("role") == Some("doc-backlink"))
                .filter_map(|n| n.attribute("href"))
                .collect();
            let me = format!("#{}", r.attribute("id").unwrap());
            assert!(back.contains(&me.as_str()), "{href}: note {target} has no link back to {me}: {back:?}");
            assert_eq!(text_of(&r), text_of(aside).split_whitespace().next().unwrap(), "the note shows its number");
            notes += 1;
        }
        // Notes stand at the end of their chapter's file.
        if let Some(last_aside) = doc.descendants().rfind(|n| n.has_tag_name("aside")) {
            let after = last_aside.next_siblings().skip(1).filter(|n| n.is_element()).count();
            assert_eq!(after, 0, "{href}: something follows the notes");
        }
    }
    assert!(notes >= 6, "the example calls at least six notes, found {notes}");
}

#[test]
fn blocks_render_lists_tables_figures_and_quotes() {
    let e = example();
    let leipzig = e.item("s-2019-05-leipzig-pflege.xhtml");
    let doc = parse(&leipzig);
    let ol = doc.descendants().find(|n| n.has_tag_name("ol")).unwrap();
    let nums: Vec<String> = ol
        .children()
        .filter(|n| n.has_tag_name("li"))
        .map(|li| text_of(&li.descendants().find(|n| class_is(n, "num")).unwrap()))
        .collect();
    assert_eq!(nums, ["1.", "2.", "3.", "4."], "list numbers are text");
    assert!(ol.descendants().any(|n| n.has_tag_name("ul")), "the nested list");
    // Headings inside the speech nest below its h2 title.
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("h3")).count(), 3);

    let hamburg = e.item("s-2023-03-hamburg-mieten.xhtml");
    let doc = parse(&hamburg);
    let table = doc.descendants().find(|n| n.has_tag_name("table")).unwrap();
    let ths: Vec<Node> = table.descendants().filter(|n| n.has_tag_name("th")).collect();
    assert_eq!(ths.len(), 4);
    assert!(ths.iter().all(|th| th.attribute("scope") == Some("col")));
    let first_row: Vec<Node> = table
        .descendants()
        .find(|n| n.has_tag_name("tbody"))
        .unwrap()
        .descendants()
        .filter(|n| n.has_tag_name("td"))
        .take(4)
        .collect();
    assert_eq!(first_row[1].attribute("style"), Some("text-align: right"));
    assert_eq!(text_of(&first_row[1]), "8,10");
    let figure = doc.descendants().find(|n| n.has_tag_name("figure")).unwrap();
    let img = figure.descendants().find(|n| n.has_tag_name("img")).unwrap();
    assert!(img.attribute("alt").unwrap().starts_with("Liniendiagramm"));
    assert_eq!(img.attribute("src"), Some("images/mieten-loehne.png"));
    let caption = figure.descendants().find(|n| n.has_tag_name("figcaption")).unwrap();
    assert!(text_of(&caption).starts_with("Liniendiagramm"), "the description is shown");
    let link = doc
        .descendants()
        .find(|n| n.has_tag_name("a") && n.attribute("href").is_some_and(|h| h.starts_with("https://")))
        .unwrap();
    assert_eq!(text_of(&link), "Mietenbefragung Reiherstieg 2022");

    let wien = e.item("s-2025-05-wien-befreiung.xhtml");
    let doc = parse(&wien);
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("blockquote")).count(), 2);
    assert!(doc.descendants().filter(|n| n.has_tag_name("br")).count() >= 3, "the poem keeps its lines");
}

#[test]
fn only_the_faces_the_text_uses_are_embedded() {
    let e = example();
    let (manifest, _) = e.manifest_and_spine();
    let fonts: Vec<&str> =
        manifest.iter().filter(|(h, _, _)| h.starts_with("fonts/")).map(|(h, _, _)| h.as_str()).collect();
    let style = tribune_default_fonts();
    // The Arabic speech needs the Arabic fallback, and its bold twin for its title; no
    // other fallback has a character to set.
    let arabic = style[4..].iter().find(|f| f.contains("Arabic")).expect("an Arabic fallback in the style");
    let arabic_bold = arabic.replace("-Regular", "-Bold");
    let want: Vec<String> =
        [&style[0], &style[1], &style[2], arabic, &arabic_bold].iter().map(|f| format!("fonts/{f}")).collect();
    assert_eq!(
        fonts, want,
        "regular, italic (emphasis), bold (headings) and Arabic with its bold; no bold italic, no other fallback"
    );
    let css = e.item("stylesheet.css");
    assert_eq!(css.matches("@font-face {").count(), 5);
    for f in &want {
        assert!(css.contains(&format!("url(\"{f}\")")), "{f} has no @font-face");
    }
}

/// The bundled style's font files: regular, italic, bold, bold italic, then fallbacks.
fn tribune_default_fonts() -> Vec<String> {
    let toml = std::fs::read_to_string(repo().join("styles/default.toml")).unwrap();
    let v: toml::Value = toml::from_str(&toml).unwrap();
    let f = &v["fonts"];
    let mut out: Vec<String> =
        ["regular", "italic", "bold", "bold_italic"].iter().map(|k| f[k].as_str().unwrap().to_string()).collect();
    out.extend(f["fallback"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()));
    out
}

/// A project of one book `b` with the given speeches (`name`, body) in German.
fn project(speeches: &[(&str, &str)], book_extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sp = dir.path().join("books/speeches");
    std::fs::create_dir_all(&sp).unwrap();
    for (name, body) in speeches {
        let text = format!(
            "---\ntitle: \"Rede {name}\"\nspeaker: Anna Petrowa\ndate: 2021-12-13\nlanguage: de\n---\n\n{body}\n"
        );
        std::fs::write(sp.join(format!("{name}.md")), text).unwrap();
    }
    std::fs::write(dir.path().join("books/b.toml"), format!("title = \"Buch\"\nlanguage = \"de\"\n{book_extra}"))
        .unwrap();
    dir
}

/// A Welsh speech (Tribune has no Welsh words) in a German book: its byline joins the
/// speakers with the book's `und`, marked German, and its notes lead back "Zurück zum
/// Text", not in English.
#[test]
fn a_speech_without_words_of_its_own_takes_the_books() {
    let dir = tempfile::tempdir().unwrap();
    let sp = dir.path().join("books/speeches");
    std::fs::create_dir_all(&sp).unwrap();
    let text = "---\ntitle: Araith\nspeaker: [Siân Jones, Dafydd Evans]\ndate: 2021-12-13\nlanguage: cy\n---\n\n\
                Diolch yn fawr[^1].\n\n[^1]: Nodyn.\n";
    std::fs::write(sp.join("araith.md"), text).unwrap();
    std::fs::write(dir.path().join("books/b.toml"), "title = \"Buch\"\nlanguage = \"de\"\n").unwrap();
    let (file, log) = build_logged(dir.path(), "b", &dir.path().join("out"), Some(EPOCH));
    assert!(log.contains("`cy`") && log.contains("the book's language, `de`"), "{log}");
    let e = Epub::open(&file);
    let xhtml = e.item("s-araith.xhtml");
    let doc = parse(&xhtml);
    let speakers = doc.descendants().find(|n| class_is(n, "speakers")).expect("a byline");
    assert_eq!(text_of(&speakers), "Siân Jones und Dafydd Evans");
    assert_eq!(speakers.attribute("lang"), Some("de"));
    let back = doc.descendants().find(|n| n.attribute("role") == Some("doc-backlink")).expect("a link back");
    assert_eq!(back.attribute("title"), Some("Zurück zum Text"));
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &file);
    }
}

fn fonts_of(epub: &Epub) -> Vec<String> {
    let (manifest, _) = epub.manifest_and_spine();
    manifest
        .into_iter()
        .filter(|(h, _, _)| h.starts_with("fonts/"))
        .map(|(h, _, _)| h.trim_start_matches("fonts/").to_string())
        .collect()
}

#[test]
fn faces_and_fallbacks_follow_the_text() {
    let f = tribune_default_fonts();
    let plain = project(&[("a", "Nur Text, ohne Hervorhebung.")], "");
    let e = Epub::open(&build(plain.path(), "b", &plain.path().join("out"), Some(EPOCH)));
    assert_eq!(fonts_of(&e), [f[0].clone(), f[2].clone()], "regular, and bold for the title");

    let rich = project(&[("a", "Text mit ***fett und kursiv*** und einem Stern ★.")], "");
    let e = Epub::open(&build(rich.path(), "b", &rich.path().join("out"), Some(EPOCH)));
    assert_eq!(
        fonts_of(&e),
        [f[0].clone(), f[2].clone(), f[3].clone(), f[4].clone()],
        "bold italic and the symbol fallback"
    );
    let css = e.item("stylesheet.css");
    assert!(css.contains("font-style: italic;\n  font-weight: bold;"));
}

/// A speech in Arabic with every block that has a side: headings, a bold phrase, lists,
/// a quotation, notes (one called twice), a paragraph that opens with a Latin name and a
/// German quotation.
const ARABIC_SPEECH: &str = r#"---
title: "الخبز والكرامة"
speaker: سلمى حداد
date: 2021-12-13
language: ar
place: تونس، ساحة القصبة
occasion: تجمع عمالي
source: نص الخطاب كما ألقي
---

أيها الأصدقاء، أيتها الصديقات،

أقف أمامكم اليوم لأتحدث عن **الخبز والكرامة**، وعن العمل الذي يستحق أجرًا عادلًا.[^1] قال Karl Marx عام 1848 إن العمال لا يملكون ما يخسرونه سوى قيودهم.

## ما نطالب به

- أجر يكفي للعيش الكريم
- ساعات عمل معقولة
- حق التنظيم النقابي[^2]

1. أولًا: التضامن
2. ثانيًا: الصبر

> إن الكرامة لا تُمنح، بل تُنتزع.
>
> Brot und Rosen für alle, riefen die Streikenden.

COVID-19 كشف لنا هشاشة العمل، وكشف أيضًا قوة التضامن بيننا.[^1]

[^1]: انظر تقرير الاتحاد العام لعام 2020.
[^2]: هذا الحق مكفول في الدستور.
"#;

/// A project with `files` (path under `books/`, text).
fn project_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let file = dir.path().join("books").join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    dir
}

/// The `dir` of the root of every XHTML document of the package, by href.
fn root_dirs(e: &Epub) -> BTreeMap<String, Option<String>> {
    e.documents()
        .iter()
        .map(|(href, text)| (href.clone(), parse(text).root_element().attribute("dir").map(str::to_string)))
        .collect()
}

fn spine_progression(e: &Epub) -> String {
    let opf = e.text(&e.opf_path());
    let doc = parse(&opf);
    let spine = doc.descendants().find(|n| n.has_tag_name("spine")).expect("a spine");
    spine.attribute("page-progression-direction").unwrap_or("").to_string()
}

/// The first element named `tag` whose text starts with `start`.
fn element_starting<'a, 'i>(doc: &'a Document<'i>, tag: &str, start: &str) -> Node<'a, 'i> {
    doc.descendants()
        .find(|n| n.has_tag_name(tag) && text_of(n).trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("no <{tag}> starting with {start}"))
}

#[test]
fn an_arabic_book_runs_right_to_left_in_every_document_and_turns_its_pages_so() {
    let p = project_of(&[
        ("speeches/ar.md", ARABIC_SPEECH),
        (
            "kitab.toml",
            "title = \"أصوات التضامن\"\nsubtitle = \"خطب مختارة\"\nlanguage = \"ar\"\neditors = [\"ليلى منصور\"]\n\
             publisher = \"دار الفجر\"\n[[parts]]\ntitle = \"العمل\"\n[parts.select]\nspeeches = [\"ar\"]\n",
        ),
    ]);
    let file = build(p.path(), "kitab", &p.path().join("out"), Some(EPOCH));
    let e = Epub::open(&file);
    let dirs = root_dirs(&e);
    for doc in ["title.xhtml", "copyright.xhtml", "contents.xhtml", "nav.xhtml", "part-1.xhtml", "s-ar.xhtml"] {
        assert_eq!(dirs.get(doc), Some(&Some("rtl".to_string())), "{doc}: {dirs:?}");
    }
    assert!(dirs.values().all(|d| d.as_deref() == Some("rtl")), "{dirs:?}");
    assert_eq!(spine_progression(&e), "rtl");
    let opf = e.text(&e.opf_path());
    let package = parse(&opf).root_element().attribute("dir").map(str::to_string);
    assert_eq!(package.as_deref(), Some("rtl"), "the metadata's base direction");

    let xhtml = e.item("s-ar.xhtml");
    let doc = parse(&xhtml);
    // Arabic in an Arabic document needs no dir of its own; nor does a paragraph that
    // opens with a Latin name but is Arabic.
    assert_eq!(element_starting(&doc, "p", "أقف").attribute("dir"), None);
    assert_eq!(element_starting(&doc, "p", "COVID-19").attribute("dir"), None);
    assert_eq!(element_starting(&doc, "h3", "ما نطالب").attribute("dir"), None);
    // The German line of the quotation runs left to right; the quotation as a whole
    // (Arabic and German) keeps the document's direction.
    assert_eq!(element_starting(&doc, "p", "Brot und Rosen").attribute("dir"), Some("ltr"));
    assert_eq!(doc.descendants().find(|n| n.has_tag_name("blockquote")).unwrap().attribute("dir"), None);
    let with_dir: Vec<String> = doc
        .descendants()
        .filter(|n| n.is_element() && n.attribute("dir").is_some() && n.parent_element().is_some())
        .map(|n| text_of(&n))
        .collect();
    assert_eq!(with_dir, ["Brot und Rosen für alle, riefen die Streikenden."], "nothing else turns");

    // Arabic set in Noto Naskh Arabic, the bold title and phrase in its bold twin.
    let fonts = fonts_of(&e);
    assert!(fonts.contains(&"NotoNaskhArabic-Regular.ttf".to_string()), "{fonts:?}");
    assert!(fonts.contains(&"NotoNaskhArabic-Bold.ttf".to_string()), "{fonts:?}");
    let css = e.item("stylesheet.css");
    assert!(css.contains("font-family: \"Noto Naskh Arabic\";\n  font-style: normal;\n  font-weight: bold;"), "{css}");
    assert!(css.contains("html { font-family: \"Gentium Book Plus\", \"Noto Naskh Arabic\", serif; }"), "{css}");
    // One style sheet for both directions: no side is named where start or end is meant.
    for physical in
        ["text-align: left", "text-align: right", "margin-left", "margin-right", "padding-left", "padding-right"]
    {
        assert!(!css.contains(physical), "{physical} in the style sheet");
    }
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &file);
    }
}

#[test]
fn a_german_book_marks_its_arabic_speech_and_its_arabic_quotations() {
    let german =
        "---\ntitle: \"Brot und Würde\"\nspeaker: Anna Petrowa\ndate: 2022-05-01\nlanguage: de\nplace: Berlin\n---\n\n\
                  Liebe Kolleginnen und Kollegen, das Wort سلام heißt Frieden, und wir sagen es heute laut.\n\n\
                  > العيش، الحرية، العدالة الاجتماعية.\n>\n> So riefen die Menschen auf dem Tahrir-Platz.\n\n\
                  Ein Satz auf Arabisch steht für sich:\n\nقال العامل: لن نستسلم أبدًا.\n\n\
                  - Erstens: Solidarität\n- ثانيًا: الصبر\n\n\
                  > قال الشاعر: إذا الشعب يومًا أراد الحياة\n>\n> فلا بد أن يستجيب القدر\n";
    let p = project_of(&[
        ("speeches/de.md", german),
        ("speeches/ar.md", ARABIC_SPEECH),
        ("buch.toml", "title = \"Stimmen\"\nlanguage = \"de\"\n[select]\nspeeches = [\"de\", \"ar\"]\n"),
    ]);
    let file = build(p.path(), "buch", &p.path().join("out"), Some(EPOCH));
    let e = Epub::open(&file);
    let dirs = root_dirs(&e);
    assert_eq!(dirs.get("s-ar.xhtml"), Some(&Some("rtl".to_string())), "{dirs:?}");
    for (doc, dir) in &dirs {
        if doc != "s-ar.xhtml" {
            assert!(dir.is_none() || dir.as_deref() == Some("ltr"), "{doc}: {dir:?}");
        }
    }
    assert_eq!(spine_progression(&e), "ltr");

    let xhtml = e.item("s-de.xhtml");
    let doc = parse(&xhtml);
    // A German paragraph with an Arabic word stays German; an Arabic sentence turns.
    assert_eq!(element_starting(&doc, "p", "Liebe").attribute("dir"), None);
    assert_eq!(element_starting(&doc, "p", "قال العامل").attribute("dir"), Some("rtl"));
    // In a quotation of both, its Arabic paragraph; a quotation all Arabic turns as a whole.
    let quotes: Vec<Node> = doc.descendants().filter(|n| n.has_tag_name("blockquote")).collect();
    assert_eq!(quotes[0].attribute("dir"), None);
    assert_eq!(element_starting(&doc, "p", "العيش").attribute("dir"), Some("rtl"));
    assert_eq!(element_starting(&doc, "p", "So riefen").attribute("dir"), None);
    assert_eq!(quotes[1].attribute("dir"), Some("rtl"));
    assert!(quotes[1].descendants().skip(1).all(|n| n.attribute("dir").is_none()), "nothing more inside");
    // A list of both: each item its own way, room for markers on both sides.
    let ul = doc.descendants().find(|n| n.has_tag_name("ul")).unwrap();
    assert!(class_is(&ul, "mixed"));
    let items: Vec<Option<&str>> = ul.children().filter(|n| n.has_tag_name("li")).map(|n| n.attribute("dir")).collect();
    assert_eq!(items, [None, Some("rtl")]);

    // The Arabic speech in the German book: the words in German run left to right.
    let xhtml = e.item("s-ar.xhtml");
    let doc = parse(&xhtml);
    let time = doc.descendants().find(|n| n.has_tag_name("time")).unwrap();
    assert_eq!((time.attribute("lang"), time.attribute("dir")), (Some("de"), Some("ltr")));
    let label = doc.descendants().find(|n| class_is(n, "source")).unwrap().first_element_child().unwrap();
    assert_eq!((text_of(&label).as_str(), label.attribute("dir")), ("Quelle:", Some("ltr")));
    // The navigation and the contents isolate the Arabic titles in the German lists.
    let nav = e.item("nav.xhtml");
    let doc = parse(&nav);
    let a = doc.descendants().find(|n| n.attribute("href") == Some("s-ar.xhtml")).unwrap();
    assert_eq!((a.attribute("lang"), a.attribute("dir")), (Some("ar"), Some("rtl")));
    let contents = e.item("contents.xhtml");
    let doc = parse(&contents);
    let title = doc.descendants().find(|n| class_is(n, "toc-title") && text_of(n) == "الخبز والكرامة").unwrap();
    assert_eq!(title.attribute("dir"), Some("rtl"));
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &file);
    }
}

/// Every kind of block and inline of the model, in one speech: rendered as it should be,
/// and valid.
#[test]
fn every_kind_of_block_and_inline_renders_and_validates() {
    let body = r#"Text mit *Betonung*, **Stärke**, ***beidem***, `Code <&>`, H<sub>2</sub>O, x<sup>2</sup>,
einem [Link](https://example.org/a "Ein Titel"), einem leeren [](https://example.org/leer),
einem Stern ![Stern](../images/star.png) im Text und einer Anmerkung[^a], die zweimal[^a] gerufen wird.\
Nach dem Umbruch <span lang="ru">мир <em>труд</em></span> und <span lang="ar">سلام</span>, <span lang="en" dir="ltr">peace</span>.

# Erste Ebene

#### Tief gestaffelt

> Zitat mit
>
> > verschachteltem Zitat

3. drei
4. vier

   mit Absatz

---

```rust
fn main() { println!("<&>"); }
```

| A | B |
|:-:|--:|
| 1 | 2 |

![Ein Bild mit Titel](../images/star.png "Der Titel")

[^a]: Die Anmerkung mit **Stärke**.
"#;
    let p = project(&[("a", body)], "");
    std::fs::create_dir_all(p.path().join("books/images")).unwrap();
    image::RgbImage::from_pixel(16, 16, image::Rgb([200, 30, 30]))
        .save(p.path().join("books/images/star.png"))
        .unwrap();
    let file = build(p.path(), "b", &p.path().join("out"), Some(EPOCH));
    let e = Epub::open(&file);
    let xhtml = e.item("s-a.xhtml");
    let doc = parse(&xhtml);
    let tags = |name: &str| doc.descendants().filter(|n| n.has_tag_name(name)).collect::<Vec<_>>();
    assert_eq!(text_of(&tags("h1")[0]), "Rede a", "the speech's title, outside any part, is h1");
    assert_eq!(text_of(&tags("h2")[0]), "Erste Ebene");
    assert_eq!(text_of(&tags("h3")[0]), "Tief gestaffelt", "#### below # becomes h3: no level skipped");
    for t in ["em", "strong", "sub", "sup", "code", "blockquote", "hr", "pre", "table", "figure", "br"] {
        assert!(!tags(t).is_empty(), "no <{t}>");
    }
    assert_eq!(text_of(&tags("code")[0]), "Code <&>");
    assert_eq!(tags("blockquote")[0].descendants().filter(|n| n.has_tag_name("blockquote")).count(), 2, "nested quote");
    let links: Vec<(String, String)> = tags("a")
        .iter()
        .filter(|a| epub_type(a).is_none() && a.attribute("role").is_none())
        .map(|a| (a.attribute("href").unwrap().to_string(), text_of(a)))
        .collect();
    assert!(links.contains(&("https://example.org/a".into(), "Link".into())));
    assert!(
        links.contains(&("https://example.org/leer".into(), "https://example.org/leer".into())),
        "a link needs words: {links:?}"
    );
    let inline = tags("img").into_iter().find(|i| class_is(i, "inline")).expect("the inline image");
    assert_eq!(inline.attribute("alt"), Some("Stern"));
    assert_eq!(
        tags("img").iter().map(|i| i.attribute("src").unwrap()).collect::<BTreeSet<_>>().len(),
        1,
        "one file for both uses"
    );
    let (manifest, _) = e.manifest_and_spine();
    assert_eq!(manifest.iter().filter(|(h, _, _)| h.starts_with("images/")).count(), 1);
    let ol = &tags("ol")[0];
    assert_eq!(ol.attribute("start"), Some("3"));
    let nums: Vec<String> = ol.descendants().filter(|n| class_is(n, "num")).map(|n| text_of(&n)).collect();
    assert_eq!(nums, ["3.", "4."]);
    let code = tags("pre")[0].children().next().unwrap();
    assert_eq!(code.attribute("class"), Some("language-rust"));
    assert_eq!(text_of(&code), "fn main() { println!(\"<&>\"); }");
    // Language spans: `lang` and `xml:lang`, the direction where it turns or is given.
    type LangSpan<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, String);
    let spans: Vec<LangSpan> = tags("span")
        .iter()
        .filter(|n| n.attribute("lang").is_some())
        .map(|n| {
            let xml_lang = n.attribute(("http://www.w3.org/XML/1998/namespace", "lang"));
            (n.attribute("lang"), xml_lang, n.attribute("dir"), text_of(n))
        })
        .collect();
    assert_eq!(
        spans,
        [
            (Some("ru"), Some("ru"), None, "мир труд".to_string()),
            (Some("ar"), Some("ar"), Some("rtl"), "سلام".to_string()),
            (Some("en"), Some("en"), Some("ltr"), "peace".to_string()),
        ],
        "{xhtml}"
    );
    let th = &tags("th");
    assert_eq!(th[0].attribute("style"), Some("text-align: center"));
    assert_eq!(tags("td")[1].attribute("style"), Some("text-align: right"));
    let caption = text_of(&tags("figcaption")[0]);
    assert!(caption.starts_with("Der Titel") && caption.contains("Ein Bild mit Titel"), "{caption}");
    // One note, called twice: two calls, two links back.
    let refs = doc.descendants().filter(|n| epub_type(n) == Some("noteref")).collect::<Vec<_>>();
    assert_eq!(refs.len(), 2);
    let aside = tags("aside")[0];
    let backs: Vec<&str> = aside
        .descendants()
        .filter(|n| n.attribute("role") == Some("doc-backlink"))
        .map(|n| n.attribute("href").unwrap())
        .collect();
    let ids: Vec<String> = refs.iter().map(|r| format!("#{}", r.attribute("id").unwrap())).collect();
    assert_eq!(backs, ids);
    // ***beidem*** needs the bold italic, the Arabic span the Arabic face.
    assert_eq!(fonts_of(&e).len(), 5, "{:?}", fonts_of(&e));
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &file);
    }
}

#[test]
fn two_builds_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for epoch in [Some(EPOCH), None] {
        let a = std::fs::read(build(&repo(), "example", &dir.path().join("a"), epoch)).unwrap();
        let b = std::fs::read(build(&repo(), "example", &dir.path().join("b"), epoch)).unwrap();
        assert!(a == b, "two builds differ (SOURCE_DATE_EPOCH {epoch:?})");
    }
    let other = std::fs::read(build(&repo(), "example", &dir.path().join("c"), Some("1600000000"))).unwrap();
    let e = std::fs::read(dir.path().join("a/example.epub")).unwrap();
    assert!(other != e, "SOURCE_DATE_EPOCH is the build's date");
}

#[test]
fn the_cover_is_scaled_to_the_stores_size_and_a_small_one_kept_as_it_is() {
    let e = example();
    let (manifest, _) = e.manifest_and_spine();
    let cover = &manifest.iter().find(|(_, _, p)| p == "cover-image").unwrap().0;
    let bytes = &e.files[&format!("OEBPS/{cover}")];
    let img = image::load_from_memory(bytes).unwrap();
    let source = image::image_dimensions(repo().join("books/cover.jpg")).unwrap();
    let px = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
    let (mw, mh) = tribune::epub::MAX_COVER_SIZE;
    let (w, h) = (u64::from(img.width()), u64::from(img.height()));
    assert!(px((img.width(), img.height())) <= tribune::epub::MAX_COVER_PIXELS && w <= mw && h <= mh, "{w} × {h}");
    // The example's cover (1,819 × 2,552) is wider than the stores' 1,600: it fills that
    // width, keeping its shape.
    assert!(u64::from(source.0) > mw, "{source:?}");
    assert_eq!(w, mw);
    assert!((w as f64 / h as f64 - f64::from(source.0) / f64::from(source.1)).abs() < 0.001);

    let p = project(&[("a", "Text.")], "cover = \"cover.png\"\n");
    let small = image::RgbImage::from_fn(300, 450, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    small.save(p.path().join("books/cover.png")).unwrap();
    let e = Epub::open(&build(p.path(), "b", &p.path().join("out"), Some(EPOCH)));
    assert_eq!(e.files["OEBPS/images/cover.png"], std::fs::read(p.path().join("books/cover.png")).unwrap());
}

#[test]
fn a_broken_image_is_an_error_naming_it_and_the_old_epub_stays() {
    let p = project(
        &[("a", "Text.\n\n![Ein Diagramm](../images/chart.png)\n\nMehr.\n\n![Ein Bild](../images/bad.svg)\n")],
        "",
    );
    std::fs::create_dir_all(p.path().join("books/images")).unwrap();
    image::RgbImage::new(20, 10).save(p.path().join("books/images/chart.png")).unwrap();
    std::fs::write(p.path().join("books/images/bad.svg"), r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#).unwrap();
    let out = p.path().join("out");
    let good = std::fs::read(build(p.path(), "b", &out, Some(EPOCH))).unwrap();

    std::fs::write(p.path().join("books/images/chart.png"), b"\x89PNG\r\n\x1a\nnot really").unwrap();
    std::fs::write(
        p.path().join("books/images/bad.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["build", "b", "-f", "epub", "--color", "never", "--project"])
        .arg(p.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("books/images/chart.png") && err.contains("cannot be decoded"), "{err}");
    let md = std::fs::read_to_string(p.path().join("books/speeches/a.md")).unwrap();
    let line = md.lines().position(|l| l.contains("chart.png")).unwrap() + 1;
    assert!(
        err.contains(&format!("books/speeches/a.md:{line}")),
        "the error is at the line that uses the image: {err}"
    );
    assert!(err.contains("books/images/bad.svg") && err.contains("event handler"), "{err}");
    assert_eq!(std::fs::read(out.join("b.epub")).unwrap(), good, "the earlier EPUB is untouched");
}

/// What Ace by DAISY (axe-core) checks that a parser can check too.
#[test]
fn accessibility_rules_hold_in_every_document() {
    let e = example();
    let docs = e.documents();
    let all_ids: BTreeMap<String, BTreeSet<String>> = docs
        .iter()
        .map(|(href, x)| {
            (href.clone(), parse(x).descendants().filter_map(|n| n.attribute("id").map(String::from)).collect())
        })
        .collect();
    for (href, xhtml) in &docs {
        let doc = parse(xhtml);
        let html = doc.root_element();
        let lang = html.attribute("lang").unwrap_or_else(|| panic!("{href}: no lang"));
        assert!(!lang.is_empty() && html.attribute((XML, "lang")) == Some(lang), "{href}: lang and xml:lang differ");
        for n in doc.descendants().filter(|n| n.attribute("lang").is_some() || n.attribute((XML, "lang")).is_some()) {
            assert_eq!(n.attribute("lang"), n.attribute((XML, "lang")), "{href}: lang and xml:lang differ");
        }
        let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap_or_else(|| panic!("{href}: no title"));
        assert!(!text_of(&title).trim().is_empty(), "{href}: empty title");
        // Unique ids; every reference to an id finds one.
        let mut seen = BTreeSet::new();
        for n in doc.descendants().filter_map(|n| n.attribute("id")) {
            assert!(seen.insert(n), "{href}: duplicate id {n}");
        }
        for n in doc.descendants() {
            if let Some(l) = n.attribute("aria-labelledby") {
                assert!(seen.contains(l), "{href}: aria-labelledby {l} names nothing");
            }
        }
        for img in doc.descendants().filter(|n| n.has_tag_name("img")) {
            let alt = img.attribute("alt").unwrap_or_else(|| panic!("{href}: an img without alt"));
            assert!(!alt.trim().is_empty(), "{href}: an img with empty alt (the example describes all its images)");
        }
        // Headings: at least one, and no level skipped going down.
        let levels: Vec<u8> = doc
            .descendants()
            .filter_map(|n| {
                n.tag_name().name().strip_prefix('h').and_then(|l| l.parse::<u8>().ok()).filter(|_| n.is_element())
            })
            .collect();
        assert!(!levels.is_empty() || href == "cover.xhtml", "{href}: no heading");
        for w in levels.windows(2) {
            assert!(w[1] <= w[0] + 1, "{href}: heading level jumps from h{} to h{}", w[0], w[1]);
        }
        // Links: words to follow, and a target that exists.
        for a in doc.descendants().filter(|n| n.has_tag_name("a")) {
            let name = text_of(&a);
            assert!(!name.trim().is_empty() || a.attribute("aria-label").is_some(), "{href}: a link without text");
            let target = a.attribute("href").unwrap_or_else(|| panic!("{href}: an a without href"));
            if target.contains("://") || target.starts_with("mailto:") || target.starts_with("tel:") {
                continue;
            }
            let (file, frag) = target.split_once('#').unwrap_or((target, ""));
            let file = if file.is_empty() { href.as_str() } else { file };
            let ids = all_ids.get(file).unwrap_or_else(|| panic!("{href}: link to {file}, which is not a document"));
            assert!(frag.is_empty() || ids.contains(frag), "{href}: link to a missing #{frag} in {file}");
        }
        for table in doc.descendants().filter(|n| n.has_tag_name("table")) {
            assert!(
                table.descendants().any(|n| n.has_tag_name("th") && !text_of(&n).trim().is_empty()),
                "{href}: a table without headers"
            );
        }
        // epub:type with a DPUB-ARIA equivalent carries that role too (the landmarks'
        // links name where they point, and are no such thing themselves).
        let in_landmarks = |n: &Node| n.ancestors().any(|a| epub_type(&a) == Some("landmarks"));
        for n in doc.descendants().filter(|n| epub_type(n).is_some() && !in_landmarks(n)) {
            let t = epub_type(&n).unwrap();
            let role = match t {
                "noteref" => Some("doc-noteref"),
                "footnote" => Some("doc-footnote"),
                "chapter" => Some("doc-chapter"),
                "part" => Some("doc-part"),
                "introduction" => Some("doc-introduction"),
                "afterword" => Some("doc-afterword"),
                "appendix" => Some("doc-appendix"),
                "toc" => Some("doc-toc"),
                _ => None,
            };
            if let Some(r) = role {
                assert_eq!(n.attribute("role"), Some(r), "{href}: epub:type {t} without role {r}");
            }
        }
        // No script, no handler, nothing from elsewhere.
        for n in doc.descendants().filter(|n| n.is_element()) {
            assert!(!n.has_tag_name("script") && !n.has_tag_name("iframe") && !n.has_tag_name("object"), "{href}");
            for attr in n.attributes() {
                assert!(!attr.name().starts_with("on"), "{href}: event handler {}", attr.name());
                if matches!(attr.name(), "src" | "data" | "poster") {
                    assert!(!attr.value().contains(':'), "{href}: remote {}", attr.value());
                }
            }
        }
    }
}

#[test]
fn epub_is_the_default_format() {
    assert!(tribune::DEFAULT_FORMATS.contains(&tribune::Format::Epub));
    assert!(!tribune::DEFAULT_FORMATS.contains(&tribune::Format::Model));
    assert_eq!(tribune::Format::Epub.file_name("example"), "example.epub");
}

fn text_fidelity(python: &Path, shared: &Path, epub: &Path, sources: &[PathBuf]) {
    let o = Command::new(python).arg(shared.join("tools/text_fidelity.py")).arg(epub).args(sources).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "text_fidelity.py: words of the speeches are missing from the EPUB:\n{out}");
    assert!(out.contains("recall 100.0000%"), "{out}");
}

#[test]
fn epubcheck_and_text_fidelity_pass_on_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let file = build(&repo(), "example", dir.path(), Some(EPOCH));
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &file);
    }
    if let (Some(python), Some(shared)) = (validator("tribune-tools-python"), shared()) {
        text_fidelity(&python, &shared, &file, &book_sources("example"));
    }
}

/// The all-Arabic example book: right to left in every document and in its page
/// progression, valid, every word of its sources in it.
#[test]
fn epubcheck_and_text_fidelity_pass_on_the_arabic_example_book() {
    let dir = tempfile::tempdir().unwrap();
    let file = build(&repo(), "tadamun", dir.path(), Some(EPOCH));
    let e = Epub::open(&file);
    let dirs = root_dirs(&e);
    assert!(dirs.len() > 10 && dirs.values().all(|d| d.as_deref() == Some("rtl")), "{dirs:?}");
    assert_eq!(spine_progression(&e), "rtl");
    if let Some(tool) = validator("epubcheck") {
        epubcheck(&tool, &file);
    }
    if let (Some(python), Some(shared)) = (validator("tribune-tools-python"), shared()) {
        text_fidelity(&python, &shared, &file, &book_sources("tadamun"));
    }
}

/// The owner's seed speech and 100 generated ones, selected together.
#[test]
fn epubcheck_and_text_fidelity_pass_on_a_book_of_101_speeches() {
    let Some(shared) = shared() else { return };
    let epubcheck_tool = validator("epubcheck");
    let python = validator("tribune-tools-python");
    if epubcheck_tool.is_none() && python.is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(&shared, 100, dir.path(), 2000);
    let seed = shared.join("corpus/kasachstan-solidaritaet.md");
    std::fs::copy(&seed, dir.path().join("books/speeches/kasachstan-solidaritaet.md")).unwrap();
    let toml = dir.path().join("books/bench.toml");
    let book = std::fs::read_to_string(&toml).unwrap().replacen(
        "speeches = [",
        "speeches = [\"kasachstan-solidaritaet\", ",
        1,
    );
    std::fs::write(&toml, book).unwrap();
    let start = Instant::now();
    let file = build(dir.path(), "bench", &dir.path().join("out"), None);
    eprintln!("building 101 speeches took {:.1?}", start.elapsed());
    let e = Epub::open(&file);
    let (_, spine) = e.manifest_and_spine();
    assert_eq!(spine.iter().filter(|h| h.starts_with("s-")).count(), 101);
    assert_eq!(
        spine.iter().position(|h| h == "s-kasachstan-solidaritaet.xhtml"),
        Some(3),
        "the seed speech comes first, after title, copyright and contents pages"
    );
    if let Some(tool) = epubcheck_tool {
        epubcheck(&tool, &file);
    }
    if let Some(python) = python {
        text_fidelity(&python, &shared, &file, &md_files(&dir.path().join("books/speeches")));
    }
}

/// Ace by DAISY, when it is installed: no violation on the example. `ace-puppeteer` (from
/// `npm install --ignore-scripts @daisy/ace`: the scripts would fetch Electron, which
/// `ace-puppeteer` does not use; with `PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium`) or
/// `ace` on PATH. It is not among the validators CI installs, so its absence only skips this.
#[test]
fn ace_finds_no_violation_when_installed() {
    let on_path = |name: &str| {
        std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()))
    };
    let Some(ace) = on_path("ace-puppeteer").or_else(|| on_path("ace")) else {
        eprintln!("skipped: Ace by DAISY (`ace-puppeteer` or `ace`) is not on PATH");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = build(&repo(), "example", dir.path(), Some(EPOCH));
    let report = dir.path().join("ace");
    let o = Command::new(ace).arg("-f").arg("-o").arg(&report).arg(&file).output().unwrap();
    assert!(o.status.success(), "ace failed:\n{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    let violations: Vec<String> = json["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|doc| {
            doc["assertions"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |a| format!("{}: {}", doc["earl:testSubject"]["url"], a["earl:test"]["dct:title"]))
        })
        .collect();
    assert!(violations.is_empty(), "Ace reports: {violations:?}");
    assert_eq!(json["earl:result"]["earl:outcome"], "pass");
}

/// A face of the style sheet: family, bold, italic.
type FaceKey = (String, bool, bool);

/// The `@font-face` rules Tribune adds to the style sheet: each face → the font's href;
/// and the families of `html`, in order.
fn font_faces(css: &str) -> (BTreeMap<FaceKey, String>, Vec<String>) {
    let value = |rule: &str, key: &str| -> String {
        let at = rule.find(&format!("{key}:")).unwrap_or_else(|| panic!("no {key} in {rule}")) + key.len() + 1;
        rule[at..].split(';').next().unwrap().trim().to_string()
    };
    let mut faces = BTreeMap::new();
    for rule in css.split("@font-face {").skip(1) {
        let rule = rule.split('}').next().unwrap();
        let family = value(rule, "font-family").trim_matches('"').to_string();
        let src = value(rule, "src");
        let href = src.trim_start_matches("url(\"").trim_end_matches("\")").to_string();
        faces.insert((family, value(rule, "font-weight") == "bold", value(rule, "font-style") == "italic"), href);
    }
    let html = css.split("html { font-family: ").nth(1).expect("the book's families on html");
    let families =
        html.split(';').next().unwrap().split(", ").map(|f| f.trim_matches('"').to_string()).filter(|f| f != "serif");
    (faces, families.collect())
}

/// Whether `font` draws `c` as the original font `full` does (same glyph outline).
fn draws(font: &ttf_parser::Face<'_>, full: &ttf_parser::Face<'_>, c: char) -> bool {
    match (font.glyph_index(c), full.glyph_index(c)) {
        (Some(g), Some(h)) => g == h && font.glyph_bounding_box(g) == full.glyph_bounding_box(h),
        _ => false,
    }
}

/// Every character of the text of every XHTML document (and of the navigation) has a
/// glyph in the embedded subset of the face that styles it: the face the bundled style
/// sheet gives its element (h1–h3, th, strong: bold; h4–h6: italic, not bold; em,
/// figcaption: italic; code, pre: the reading system's monospace), or, for a character
/// that face lacks, the first fallback that has it, in its bold twin for bold text when
/// there is one. The glyph is the original font's, outline for outline.
fn assert_glyphs_for_every_character(e: &Epub) {
    let (faces, families) = font_faces(&e.item("stylesheet.css"));
    let fonts: BTreeMap<String, (Vec<u8>, Vec<u8>)> = faces
        .values()
        .map(|href| {
            let file = href.trim_start_matches("fonts/");
            let full = std::fs::read(repo().join("fonts").join(file)).unwrap();
            (href.clone(), (e.files[&format!("OEBPS/{href}")].clone(), full))
        })
        .collect();
    let parsed: BTreeMap<&String, (ttf_parser::Face<'_>, ttf_parser::Face<'_>)> = fonts
        .iter()
        .map(|(h, (sub, full))| {
            (h, (ttf_parser::Face::parse(sub, 0).unwrap(), ttf_parser::Face::parse(full, 0).unwrap()))
        })
        .collect();
    assert!(fonts.values().all(|(sub, full)| sub.len() * 2 < full.len()), "the fonts are subset");
    let mut checked = 0;
    for (href, text) in e.documents() {
        let doc = parse(&text);
        for t in doc.descendants().filter(|n| n.is_text()) {
            let ancestors: Vec<_> = t.ancestors().filter(|a| a.is_element()).collect();
            if ancestors.iter().any(|a| {
                matches!(a.tag_name().name(), "head" | "code" | "pre" | "kbd" | "samp")
                    || a.attribute("hidden").is_some()
            }) {
                continue;
            }
            let (mut bold, mut italic) = (false, false);
            for a in ancestors.iter().rev() {
                match a.tag_name().name() {
                    "h1" | "h2" | "h3" | "th" | "strong" | "b" => bold = true,
                    "h4" | "h5" | "h6" => (bold, italic) = (false, true),
                    "em" | "i" | "figcaption" => italic = true,
                    _ => {}
                }
            }
            for c in t.text().unwrap().chars().filter(|c| !c.is_whitespace() && !c.is_control()) {
                if matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
                {
                    continue;
                }
                let (first, fallbacks) = families.split_first().unwrap();
                let book_face = faces.get(&(first.clone(), bold, italic)).unwrap_or_else(|| {
                    panic!("{href}: `{c}` is set in bold {bold}, italic {italic}, a face that is not embedded")
                });
                let mut stack = vec![book_face];
                for f in fallbacks {
                    stack.extend(faces.get(&(f.clone(), bold, false)).or(faces.get(&(f.clone(), false, false))));
                }
                // The face whose original has the character must draw it in its subset.
                let Some(h) = stack.into_iter().find(|h| parsed[h].1.glyph_index(c).is_some()) else { continue };
                let (sub, full) = &parsed[h];
                assert!(draws(sub, full, c), "{href}: `{c}` (U+{:04X}) has no glyph in the subset {h}", c as u32);
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn every_character_has_a_glyph_in_the_subset_of_the_face_that_styles_it() {
    let e = example();
    assert_glyphs_for_every_character(e);
    // The example book with its fonts subset is light: at most 600 kB.
    assert!(e.bytes.len() <= 600_000, "{} bytes", e.bytes.len());
    let dir = tempfile::tempdir().unwrap();
    assert_glyphs_for_every_character(&Epub::open(&build(&repo(), "tadamun", dir.path(), Some(EPOCH))));
}

#[test]
fn embed_fonts_full_keeps_the_font_files_whole() {
    let p = project(&[("a", "Text mit *Betonung*.")], "");
    std::fs::create_dir_all(p.path().join("styles")).unwrap();
    std::fs::write(p.path().join("styles/default.toml"), "[epub]\nembed_fonts = \"full\"\n").unwrap();
    let e = Epub::open(&build(p.path(), "b", &p.path().join("out"), Some(EPOCH)));
    let f = tribune_default_fonts();
    for file in [&f[0], &f[1]] {
        let whole = std::fs::read(repo().join("fonts").join(file)).unwrap();
        assert_eq!(e.files[&format!("OEBPS/fonts/{file}")], whole, "{file}");
    }
    assert!(!e.text("OEBPS/licences.xhtml").contains("subsets"));
    // By default they are subset, and the licence page says so.
    let p = project(&[("a", "Text mit *Betonung*.")], "");
    let e = Epub::open(&build(p.path(), "b", &p.path().join("out"), Some(EPOCH)));
    let regular = std::fs::read(repo().join("fonts").join(&f[0])).unwrap();
    assert!(e.files[&format!("OEBPS/fonts/{}", f[0])].len() * 3 < regular.len());
    assert!(e.text("OEBPS/licences.xhtml").contains("The fonts in this book are subsets"));
}
