//! The web edition (`--format site`): the books built in one run as a static site in
//! `out/site/`: a home page listing them with their downloads, a page per book, per
//! speech, per speaker and per tag, subset web fonts (WOFF), the metadata the web reads
//! (schema.org JSON-LD, Open Graph, `rel=alternate`), an Atom feed of the speeches by
//! date, an OPDS catalogue (1.2 Atom and 2.0 JSON) and, with `site_url`, a sitemap.
//!
//! A renderer beside the EPUB and the PDF: the chapters are written by the EPUB's own
//! writer ([`crate::xhtml::body`]) in its HTML syntax, the fonts planned and the images
//! checked by the same code ([`crate::xhtml::fonts`], [`crate::xhtml::images`]). Every
//! link is relative, so the folder works from `file://` and under any path of a server;
//! no page has a script. The whole site is made in memory and replaces the previous one
//! only when complete.

mod feeds;
mod woff;

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::locale::{self, Strings, Web};
use crate::document::model::{Book, Chapter, ChapterKind};
use crate::lang::Lang;
use crate::parallel::parallel_map;
use crate::project::Project;
use crate::style::Style;
use crate::xhtml::{body, escape, fonts, images, Dir, Set, Syntax, Usage, Writer};
use crate::Prepared;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A book for the site, with the files of it built in the same run (EPUB, PDF).
pub(crate) struct SiteBook<'a> {
    pub(crate) prep: &'a Prepared,
    pub(crate) downloads: Vec<PathBuf>,
}

/// A file offered for download.
struct Download {
    file: String,
    label: &'static str,
    media_type: &'static str,
    size: u64,
}

struct Cover {
    href: String,
    media_type: &'static str,
    size: (u32, u32),
    thumb: String,
    thumb_size: (u32, u32),
    alt: String,
}

/// A book as the site shows it.
struct Entry<'a> {
    prep: &'a Prepared,
    book: &'a Book,
    /// Its folder in the site (the book file's name).
    dir: String,
    strings: &'static Strings,
    /// Its style among the site's (`Site::styles`).
    style: usize,
    cover: Option<Cover>,
    downloads: Vec<Download>,
    images: images::Images,
}

impl Entry<'_> {
    /// The chapters with pages of their own: speeches and afterword (the introduction is
    /// on the book's page), in reading order.
    fn pages(&self) -> impl Iterator<Item = &Chapter> {
        self.book.chapters().filter(|c| c.kind != ChapterKind::Introduction)
    }
}

/// A speech as the lists across books show it.
#[derive(Clone, Copy)]
struct Listed<'a> {
    entry: usize,
    chapter: &'a Chapter,
}

/// Where a page is and what its head says.
struct Head<'a> {
    /// Its path from the site's root (`example/index.html`).
    path: String,
    title: String,
    lang: &'a Lang,
    description: Option<String>,
    /// `(media type, path from the root, title)`
    alternates: Vec<(&'static str, String, String)>,
    og_type: &'static str,
    /// Path from the root of the image Open Graph shows.
    og_image: Option<String>,
    json_ld: serde_json::Value,
    /// Which item of the site's navigation the page belongs to.
    section: Option<usize>,
    /// The style it is set in (`Site::styles`): its book's, or the site's (the first).
    style: usize,
}

/// A style the site's pages are set in: a book's, with what its pages use.
struct SiteStyle<'a> {
    style: &'a Style,
    /// Its style sheet's path from the root: `site.css` for the first book's (which the
    /// pages across books use too), `style-<name>.css` for another book's.
    sheet: String,
    /// The folder of its web fonts: `fonts/`, or `fonts/<name>/` for another book's.
    fonts: String,
    usage: Usage,
}

/// The site being made: its files by path from its root.
struct Site<'a> {
    files: BTreeMap<String, Vec<u8>>,
    /// The EPUBs and PDFs built in this run, by their paths in the site.
    copies: BTreeMap<String, PathBuf>,
    styles: Vec<SiteStyle<'a>>,
    /// The style and the language of each page, and where in it the footer's lines on
    /// the fonts go (`FONTS_MARK`).
    pages: BTreeMap<String, (usize, Lang, usize)>,
    base: Option<String>,
    /// The site's language (the first book's): that of the pages across books.
    lang: Lang,
    title: String,
    book_file: &'a Path,
}

/// The site's words for a page in `lang`, and the language they are in when it is not
/// `lang` (English standing in for a language the table lacks).
fn words(lang: &Lang) -> (&'static Web, Option<Lang>) {
    match locale::web(lang) {
        (w, true) => (w, None),
        (w, false) => (w, Some(Lang::english())),
    }
}

/// A path from the root as a link from the page at `from`: the shortest, so a page's
/// own folder is not left and entered again.
fn rel(from: &str, to: &str) -> String {
    let mut dirs: Vec<&str> = from.split('/').collect();
    dirs.pop();
    let mut rest: Vec<&str> = to.split('/').collect();
    let common = dirs.iter().zip(&rest).take_while(|(a, b)| a == b).count().min(rest.len() - 1);
    rest.drain(..common);
    format!("{}{}", "../".repeat(dirs.len() - common), href_escape(&rest.join("/")))
}

/// A path as an `href`: letters outside ASCII and anything a URL may not hold
/// percent-encoded (file names of speakers and tags keep their own script).
fn href_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || "-._/~#".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// A name as a file name: letters and digits of any script in lower case, `-` between.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "x".into()
    } else {
        out
    }
}

/// File names for `names`, each distinct, and none the folder's `index`.
fn slugs<'n>(names: impl Iterator<Item = &'n String>) -> BTreeMap<&'n String, String> {
    let mut taken = BTreeSet::from(["index".to_string()]);
    let mut out = BTreeMap::new();
    for n in names {
        let base = slug(n);
        let mut s = base.clone();
        let mut i = 2;
        while !taken.insert(s.clone()) {
            s = format!("{base}-{i}");
            i += 1;
        }
        out.insert(n, s);
    }
    out
}

/// JSON for a `<script type="application/ld+json">`: `<` escaped so that no `</script>`
/// can end it.
fn json_in_html(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default().replace('<', "\\u003c")
}

fn person(name: &str) -> serde_json::Value {
    serde_json::json!({"@type": "Person", "name": name})
}

impl Site<'_> {
    /// An address for the metadata: absolute under `site_url`, else relative to `from`.
    fn url(&self, from: &str, to: &str) -> String {
        match &self.base {
            Some(b) => format!("{b}{}", href_escape(to)),
            None => rel(from, to),
        }
    }

    /// A writer for the main content of a page in `lang`.
    fn writer<'u>(usage: &'u mut Usage, file: &Path, lang: &Lang) -> Writer<'u> {
        Writer::new(usage, file, lang).with_syntax(Syntax::Html)
    }

    /// The site's words in its own language, and their language when it is not the site's.
    fn words(&self) -> (&'static Web, Option<Lang>) {
        words(&self.lang)
    }

    /// The usage of the style `i`, taken out while a page of it is written.
    fn take_usage(&mut self, i: usize) -> Usage {
        std::mem::take(&mut self.styles[i].usage)
    }

    /// The whole page: head, skip link, the site's navigation, `main`, footer.
    fn page(&mut self, head: Head<'_>, main: &str) {
        let from = head.path.as_str();
        let (w, fallback) = words(head.lang);
        let strings = locale::strings(head.lang);
        let mut out = String::with_capacity(main.len() + 4096);
        let dir = Dir::of(head.lang).attr();
        out.push_str(&format!(
            "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n",
            escape(head.lang.as_str()),
            escape(&head.title)
        ));
        if let Some(d) = &head.description {
            out.push_str(&format!("<meta name=\"description\" content=\"{}\">\n", escape(d)));
        }
        out.push_str(&format!("<link rel=\"stylesheet\" href=\"{}\">\n", rel(from, &self.styles[head.style].sheet)));
        if let Some(b) = &self.base {
            out.push_str(&format!(
                "<link rel=\"canonical\" href=\"{}\">\n",
                escape(&format!("{b}{}", href_escape(from)))
            ));
        }
        for (t, to, title) in &head.alternates {
            out.push_str(&format!(
                "<link rel=\"alternate\" type=\"{t}\" href=\"{}\" title=\"{}\">\n",
                rel(from, to),
                escape(title)
            ));
        }
        out.push_str(&format!(
            "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{}\" title=\"{}\">\n",
            rel(from, "feed.xml"),
            escape(w.feed)
        ));
        out.push_str(&format!(
            "<link rel=\"alternate\" type=\"{}\" href=\"{}\" title=\"{}\">\n",
            feeds::OPDS_ACQUISITION,
            rel(from, "opds.xml"),
            escape(w.catalogue)
        ));
        let og_locale = head.lang.as_str().replace('-', "_");
        let mut og = vec![
            ("og:title", head.title.clone()),
            ("og:type", head.og_type.to_string()),
            ("og:site_name", self.title.clone()),
            ("og:locale", og_locale),
        ];
        if let Some(d) = &head.description {
            og.push(("og:description", d.clone()));
        }
        // Open Graph takes absolute addresses only.
        if let Some(b) = &self.base {
            og.push(("og:url", format!("{b}{}", href_escape(from))));
            if let Some(img) = &head.og_image {
                og.push(("og:image", format!("{b}{}", href_escape(img))));
            }
        }
        for (k, v) in og {
            out.push_str(&format!("<meta property=\"{k}\" content=\"{}\">\n", escape(&v)));
        }
        out.push_str(&format!("<script type=\"application/ld+json\">{}</script>\n", json_in_html(&head.json_ld)));
        out.push_str("</head>\n<body>\n");
        // The page's words are in its language; English standing in for one without
        // words says so.
        let lang_attr = |l: &Lang| {
            let dir = if Dir::of(l) != Dir::of(head.lang) {
                format!(" dir=\"{}\"", Dir::of(l).attr())
            } else {
                String::new()
            };
            format!(" lang=\"{}\"{dir}", escape(l.as_str()))
        };
        let words_attr = fallback.as_ref().map(lang_attr).unwrap_or_default();
        out.push_str(&format!("<a class=\"skip-link\" href=\"#main\"{words_attr}>{}</a>\n", escape(w.skip)));
        out.push_str("<header class=\"site-header\">\n");
        // The site's name, unless it is only the word for books the navigation begins with;
        // in the site's language, isolated on a page in another.
        if self.title != self.words().0.books {
            let attrs = if self.lang != *head.lang { lang_attr(&self.lang) } else { String::new() };
            let iso = match Dir::of_text(&self.title) {
                Some(d) if d != Dir::of(&self.lang) => format!(" dir=\"{}\"", d.attr()),
                _ => String::new(),
            };
            out.push_str(&format!(
                "<p class=\"site-title\"{attrs}><a href=\"{}\"{iso}>{}</a></p>\n",
                rel(from, "index.html"),
                escape(&self.title)
            ));
        }
        out.push_str(&format!("<nav aria-label=\"{}\"{words_attr}>\n<ul>\n", escape(w.site_nav)));
        for (i, (label, to)) in
            [(w.books, "index.html"), (w.speakers, "speakers/index.html"), (w.tags, "tags/index.html")]
                .into_iter()
                .enumerate()
        {
            let current = if head.section == Some(i) && from == to { " aria-current=\"page\"" } else { "" };
            out.push_str(&format!("<li><a href=\"{}\"{current}>{}</a></li>\n", rel(from, to), escape(label)));
        }
        out.push_str("</ul>\n</nav>\n</header>\n<main id=\"main\">\n");
        out.push_str(main);
        out.push_str("\n</main>\n<footer class=\"site-footer\">\n<ul>\n");
        out.push_str(&format!(
            "<li{words_attr}><a href=\"{}\">{}</a></li>\n<li{words_attr}><a href=\"{}\">{}</a></li>\n",
            rel(from, "feed.xml"),
            escape(w.feed),
            rel(from, "opds.xml"),
            escape(w.catalogue)
        ));
        let mark = out.len();
        out.push_str(FONTS_MARK);
        let made_with = strings.made_with.replace("{}", &format!("Tribune {}", env!("CARGO_PKG_VERSION")));
        out.push_str(&format!("<li{words_attr}>{}</li>\n</ul>\n</footer>\n</body>\n</html>\n", escape(&made_with)));
        self.pages.insert(head.path.clone(), (head.style, head.lang.clone(), mark));
        self.files.insert(head.path, out.into_bytes());
    }
}

/// Write the site for `books` into the folder `dir`, replacing what is there only when
/// all of it is made. Problems go to `report`.
pub(crate) fn write(books: &[SiteBook<'_>], project: &Project, dir: &Path, report: &mut Report) {
    let errors = report.errors();
    let Some((files, copies)) = make(books, project, report) else { return };
    if report.errors() > errors {
        return;
    }
    if let Err(d) = commit(dir, &files, &copies) {
        report.push(d);
    }
}

/// Write `files` and the `copies` of files built in this run (the EPUBs and PDFs: hard
/// links where the file system allows, as every output is replaced by a rename and never
/// written in place) into a stage beside `dir`, then swap it in.
fn commit(dir: &Path, files: &BTreeMap<String, Vec<u8>>, copies: &BTreeMap<String, PathBuf>) -> Result<(), Diagnostic> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    let stage = dir.with_file_name(format!(".{name}.{}.staged.tmp", std::process::id()));
    let old = dir.with_file_name(format!(".{name}.{}.old.tmp", std::process::id()));
    let written = (|| {
        if stage.exists() {
            std::fs::remove_dir_all(&stage).map_err(|e| Diagnostic::io(&stage, &e, "remove an old stage"))?;
        }
        // The folders first, then the files side by side: a site is a thousand files and
        // more, and making each is the file system's work more than ours.
        let folders: BTreeSet<PathBuf> =
            files.keys().filter_map(|p| stage.join(p).parent().map(Path::to_path_buf)).collect();
        for f in &folders {
            std::fs::create_dir_all(f).map_err(|e| Diagnostic::io(f, &e, "make a folder of the site"))?;
        }
        let files: Vec<(&String, &Vec<u8>)> = files.iter().collect();
        parallel_map(&files, |(path, bytes)| {
            let p = stage.join(path);
            std::fs::write(&p, bytes).map_err(|e| Diagnostic::io(&p, &e, "write the site"))
        })
        .into_iter()
        .collect::<Result<Vec<()>, Diagnostic>>()?;
        for (path, from) in copies {
            let p = stage.join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e, "make a folder of the site"))?;
            }
            if std::fs::hard_link(from, &p).is_err() {
                std::fs::copy(from, &p).map_err(|e| Diagnostic::io(&p, &e, "copy a download into the site"))?;
            }
        }
        Ok(())
    })();
    if let Err(d) = written {
        let _ = std::fs::remove_dir_all(&stage);
        return Err(d);
    }
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&stage);
            Diagnostic::io(dir, &e, "move the previous site aside")
        })?;
    }
    if let Err(e) = std::fs::rename(&stage, dir) {
        let _ = std::fs::rename(&old, dir);
        let _ = std::fs::remove_dir_all(&stage);
        return Err(Diagnostic::io(dir, &e, "put the new site in place"));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// The download files of a book: those of its formats written in this run.
fn downloads(
    book: &Book,
    paths: &[PathBuf],
    copies: &mut BTreeMap<String, PathBuf>,
    report: &mut Report,
) -> Vec<Download> {
    let mut out = Vec::new();
    for p in paths {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (label, media_type) = if name.ends_with(".epub") {
            ("EPUB", "application/epub+zip")
        } else if name.ends_with(".pdf") {
            ("PDF", "application/pdf")
        } else {
            continue;
        };
        match std::fs::metadata(p) {
            Ok(m) => {
                out.push(Download { file: name.clone(), label, media_type, size: m.len() });
                copies.insert(format!("{}/{name}", book.name), p.clone());
            }
            Err(e) => report.push(Diagnostic::io(p, &e, "read the file for the site")),
        }
    }
    out
}

/// The site's files by path, and the files built in this run it offers, by path.
type Made = (BTreeMap<String, Vec<u8>>, BTreeMap<String, PathBuf>);

fn make(books: &[SiteBook<'_>], project: &Project, report: &mut Report) -> Option<Made> {
    let first = books.first()?;
    let lang = first.prep.book.meta.language.clone();
    let (site_words, _) = words(&lang);
    let publishers: BTreeSet<&String> = books.iter().filter_map(|b| b.prep.book.meta.publisher.as_ref()).collect();
    let title = match (publishers.len(), publishers.first()) {
        (1, Some(p)) if books.len() > 1 || first.prep.book.meta.publisher.is_some() => (*p).clone(),
        _ if books.len() == 1 => first.prep.book.meta.title.clone(),
        _ => site_words.books.to_string(),
    };
    let mut base = None;
    for b in books {
        if let Some(u) = &b.prep.book.meta.site_url {
            match &base {
                None => base = Some(u.clone()),
                Some(prev) if prev != u => report.push(
                    b.prep
                        .anthology
                        .warning_at(
                            Kind::Value,
                            "site_url",
                            format!("the site is at `{prev}`; this book's `{u}` is not used"),
                        )
                        .with_hint("give every book the same site_url, or only one of them"),
                ),
                Some(_) => {}
            }
        }
    }
    // The styles: the first book's for the site (and the pages across books), then each
    // other style a book is set in, by its name in the book file.
    let mut style_names: Vec<&str> = Vec::new();
    let mut styles: Vec<SiteStyle<'_>> = Vec::new();
    let mut style_of = Vec::new();
    for b in books {
        let name = b.prep.anthology.meta.style.as_str();
        let i = match style_names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                let (sheet, fonts) = if styles.is_empty() {
                    ("site.css".to_string(), "fonts/".to_string())
                } else {
                    let taken: BTreeSet<String> = styles.iter().map(|s| s.sheet.clone()).collect();
                    let mut stem = format!("style-{}", slug(name));
                    let mut n = 2;
                    while taken.contains(&format!("{stem}.css")) {
                        stem = format!("style-{}-{n}", slug(name));
                        n += 1;
                    }
                    (format!("{stem}.css"), format!("fonts/{}/", stem.trim_start_matches("style-")))
                };
                style_names.push(name);
                styles.push(SiteStyle { style: &b.prep.style, sheet, fonts, usage: Usage::default() });
                styles.len() - 1
            }
        };
        style_of.push(i);
    }
    let mut site = Site {
        files: BTreeMap::new(),
        copies: BTreeMap::new(),
        styles,
        pages: BTreeMap::new(),
        base,
        lang: lang.clone(),
        title,
        book_file: first.prep.anthology.shown.as_path(),
    };
    let errors = report.errors();
    let mut entries = Vec::new();
    for (b, style) in books.iter().zip(style_of) {
        let book = &b.prep.book;
        let images = images::collect(book, &b.prep.anthology, report);
        let dir = book.name.clone();
        let cover = images.cover.as_ref().and_then(|(packed, alt)| match images::thumbnail(packed, 400) {
            Ok(images::Thumbnail { size, bytes: thumb, thumb_size }) => {
                let ext = packed.href.rsplit('.').next().unwrap_or("jpg");
                let href = format!("{dir}/cover.{ext}");
                site.files.insert(href.clone(), packed.bytes.clone());
                let thumb_href = format!("{dir}/cover-thumbnail.jpg");
                site.files.insert(thumb_href.clone(), thumb);
                Some(Cover {
                    href,
                    media_type: packed.media_type,
                    size,
                    thumb: thumb_href,
                    thumb_size,
                    alt: alt.clone(),
                })
            }
            Err(why) => {
                report.push(b.prep.anthology.error_at(
                    Kind::Value,
                    "cover",
                    format!("the cover cannot be scaled: {why}"),
                ));
                None
            }
        });
        for f in &images.files {
            site.files.insert(format!("{dir}/{}", f.href), f.bytes.clone());
        }
        let downloads = downloads(book, &b.downloads, &mut site.copies, report);
        entries.push(Entry {
            prep: b.prep,
            book,
            dir,
            strings: locale::strings(&book.meta.language),
            style,
            cover,
            downloads,
            images,
        });
    }
    if report.errors() > errors {
        return None;
    }
    // Speakers and tags across books, each speech once, in the order of the books.
    let mut speakers: BTreeMap<&String, Vec<Listed<'_>>> = BTreeMap::new();
    let mut tags: BTreeMap<&String, Vec<Listed<'_>>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        for c in e.book.chapters().filter(|c| c.kind == ChapterKind::Speech) {
            for s in &c.meta.speakers {
                speakers.entry(s).or_default().push(Listed { entry: i, chapter: c });
            }
            for t in &c.meta.tags {
                tags.entry(t).or_default().push(Listed { entry: i, chapter: c });
            }
        }
    }
    let speaker_files = slugs(speakers.keys().copied());
    let tag_files = slugs(tags.keys().copied());
    let names = Names { speakers: &speaker_files, tags: &tag_files };

    for e in &entries {
        book_pages(&mut site, e, &names);
    }
    home(&mut site, &entries);
    lists(&mut site, &entries, 1, "speakers", &speakers, &speaker_files);
    lists(&mut site, &entries, 2, "tags", &tags, &tag_files);

    // The fonts of each style: planned for every character of the pages set in it.
    let css_frame = include_str!("site.css");
    let mut footers: Vec<Vec<(String, Option<String>)>> = Vec::new();
    for i in 0..site.styles.len() {
        let style = site.styles[i].style;
        let usage = site.take_usage(i);
        let folder = site.styles[i].fonts.clone();
        let mut plan = fonts::plan(project, &style.fonts, &style.source, &usage, true, report)?;
        plan.report_missing(report);
        for (n, l) in plan.licences.iter().enumerate() {
            let text = format!("{}\n\n{}\n", LICENCE_NOTE, l.text);
            site.files.insert(format!("{folder}licence-{}.txt", n + 1), text.into_bytes());
        }
        let mut chars: BTreeSet<char> = fonts::GENERATED.chars().collect();
        for (path, _) in site.pages.iter().filter(|(_, (s, _, _))| *s == i) {
            if let Some(bytes) = site.files.get(path) {
                fonts::chars_of(&String::from_utf8_lossy(bytes), &mut chars);
            }
        }
        fonts::chars_of(&style.css, &mut chars);
        fonts::chars_of(css_frame, &mut chars);
        let book_css = style.css.replace("@namespace epub \"http://www.idpf.org/2007/ops\";", "");
        plan.subset(&chars, &usage, &format!("{book_css}\n{css_frame}"), &style.source, report);
        for e in &mut plan.embedded {
            let stem = e.file.rsplit_once('.').map_or(e.file.as_str(), |(s, _)| s).to_string();
            match woff::encode(&e.bytes) {
                Ok(bytes) => {
                    e.href = format!("{folder}{stem}.woff");
                    site.files.insert(e.href.clone(), bytes);
                }
                Err(why) => {
                    report.push(
                        Diagnostic::error(
                            Kind::Value,
                            format!("the font `{}` cannot be made a web font: {why}", e.file),
                        )
                        .at_file(&style.source),
                    );
                    return None;
                }
            }
        }
        // The sheet sits at the root, so the fonts' addresses are as the plan has them.
        let css = format!(
            "/* The web edition of Tribune: the book's style sheet ({}), its fonts, then the site's frame. */\n{}\n{}\n{}",
            style.source.display(),
            book_css.trim(),
            plan.css().replace("  src: url(", "  font-display: swap;\n  src: url("),
            css_frame
        );
        site.files.insert(site.styles[i].sheet.clone(), css.into_bytes());
        footers.push(
            plan.family_lines()
                .into_iter()
                .map(|(family, licence)| {
                    let file = licence
                        .and_then(|l| plan.licences.iter().position(|x| x == l))
                        .map(|n| format!("{folder}licence-{}.txt", n + 1));
                    (family, file)
                })
                .collect(),
        );
    }
    // The footer names the fonts of the page's style; the pages were written before the
    // plans, so add them now.
    for (path, (style, lang, mark)) in &site.pages {
        let (w, fallback) = words(lang);
        let licence_attr = match &fallback {
            Some(l) => format!(" lang=\"{}\"", escape(l.as_str())),
            None => String::new(),
        };
        let lines: String = footers[*style]
            .iter()
            .map(|(family, file)| match file {
                Some(f) => format!(
                    "<li><span dir=\"ltr\" lang=\"en\">{}</span> (<a href=\"{}\"{licence_attr}>{}</a>)</li>\n",
                    escape(family),
                    rel(path, f),
                    escape(w.licence)
                ),
                None => format!("<li><span dir=\"ltr\" lang=\"en\">{}</span></li>\n", escape(family)),
            })
            .collect();
        if let Some(bytes) = site.files.get_mut(path) {
            bytes.splice(*mark..*mark + FONTS_MARK.len(), lines.into_bytes());
        }
    }
    feeds::write(&mut site, &entries);
    Some((site.files, site.copies))
}

/// Where the footer's lines on the fonts go, once the fonts are known.
const FONTS_MARK: &str = "<li hidden>fonts</li>\n";

const LICENCE_NOTE: &str = "The web fonts of this site are subsets in WOFF format: Tribune kept only the \
glyphs of the characters the site uses, with the fonts' names, copyright notices and licences unchanged. \
The SIL Open Font License below allows this (the fonts may be modified and redistributed with this licence). \
The complete fonts are available from their authors under the same licence.";

/// File names of speakers and tags.
struct Names<'a> {
    speakers: &'a BTreeMap<&'a String, String>,
    tags: &'a BTreeMap<&'a String, String>,
}

fn speech_path(e: &Entry<'_>, c: &Chapter) -> String {
    match c.kind {
        ChapterKind::Introduction => format!("{}/index.html", e.dir),
        _ => format!("{}/{}", e.dir, body::file_name(c, "html")),
    }
}

/// The downloads of a book as a list, links relative to `from`, in the words of `page`
/// (the page's language). Inside text of another language (`around`: an Arabic book's card
/// on a German home page) each item carries the words' language and direction, and the
/// list keeps the direction around it, so the buttons line up with the text they follow.
fn download_list(w: &mut Writer<'_>, page: &Lang, around: &Lang, e: &Entry<'_>, from: &str) {
    if e.downloads.is_empty() {
        return;
    }
    let (words, fallback) = words(page);
    let words_lang = fallback.as_ref().unwrap_or(page);
    w.start("ul", &[("class", "downloads")], Set::Inherit);
    for d in &e.downloads {
        let attrs = if words_lang != around { w.lang_attrs(words_lang) } else { Vec::new() };
        w.start("li", &attrs, Set::Inherit);
        let href = rel(from, &format!("{}/{}", e.dir, d.file));
        // The language's own comma (`، ` in Arabic script) before the size.
        let sep = locale::strings(words_lang).list_separator;
        let label = format!("{}{sep}{}", words.download.replace("{}", d.label), words.size(d.size));
        let attrs = [("href", href.as_str()), ("type", d.media_type), ("download", d.file.as_str())];
        w.text_element("a", &attrs, Set::Inherit, &label);
        w.end("li");
    }
    w.end("ul");
    w.newline();
}

fn book_json(site: &Site<'_>, e: &Entry<'_>, from: &str) -> serde_json::Value {
    let m = &e.book.meta;
    let mut v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Book",
        "name": m.title,
        "inLanguage": m.language.as_str(),
        "url": site.url(from, &format!("{}/index.html", e.dir)),
    });
    let o = v.as_object_mut().expect("an object");
    if let Some(s) = &m.subtitle {
        o.insert("alternativeHeadline".into(), s.as_str().into());
    }
    if !m.editors.is_empty() {
        o.insert("editor".into(), m.editors.iter().map(|n| person(n)).collect());
    }
    if let Some(p) = &m.publisher {
        o.insert("publisher".into(), serde_json::json!({"@type": "Organization", "name": p}));
    }
    if let Some(d) = &m.date {
        o.insert("datePublished".into(), d.to_string().into());
    }
    if let Some(i) = &m.isbn {
        o.insert("isbn".into(), i.as_str().into());
    }
    if let Some(d) = &m.description {
        o.insert("description".into(), d.as_str().into());
    }
    if let Some(c) = &e.cover {
        o.insert("image".into(), site.url(from, &c.href).into());
    }
    let formats: Vec<serde_json::Value> = e
        .downloads
        .iter()
        .map(|d| {
            serde_json::json!({
                "@type": "Book",
                "bookFormat": "https://schema.org/EBook",
                "encodingFormat": d.media_type,
                "url": site.url(from, &format!("{}/{}", e.dir, d.file)),
            })
        })
        .collect();
    if !formats.is_empty() {
        o.insert("workExample".into(), formats.into());
    }
    v
}

fn chapter_json(site: &Site<'_>, e: &Entry<'_>, c: &Chapter, from: &str) -> serde_json::Value {
    let mut v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Chapter",
        "name": c.meta.title,
        "inLanguage": c.meta.language.as_str(),
        "url": site.url(from, &speech_path(e, c)),
        "isPartOf": {"@type": "Book", "name": e.book.meta.title, "url": site.url(from, &format!("{}/index.html", e.dir))},
    });
    let o = v.as_object_mut().expect("an object");
    if !c.meta.speakers.is_empty() {
        o.insert("author".into(), c.meta.speakers.iter().map(|n| person(n)).collect());
    }
    if let Some(crate::library::SpeechDate::Calendar(d)) = &c.meta.date {
        if d.is_html_date() {
            o.insert("dateCreated".into(), d.to_string().into());
        }
    }
    if let Some(p) = &c.meta.place {
        o.insert("locationCreated".into(), serde_json::json!({"@type": "Place", "name": p}));
    }
    if !c.meta.tags.is_empty() {
        o.insert("keywords".into(), c.meta.tags.join(", ").into());
    }
    if let Some(s) = &c.meta.summary {
        o.insert("description".into(), s.as_str().into());
    }
    if !c.meta.translators.is_empty() {
        o.insert("translator".into(), c.meta.translators.iter().map(|n| person(n)).collect());
    }
    v
}

/// A book's metadata block: title, subtitle, editors, publisher and date, ISBN.
fn book_meta(w: &mut Writer<'_>, e: &Entry<'_>, heading: &str, link: Option<&str>) {
    let m = &e.book.meta;
    let id = format!("book-{}", e.dir);
    w.start(heading, &[("id", id.as_str()), ("class", "book-title")], Set::Bold);
    match link {
        Some(href) => w.isolated_element("a", &[("href", href)], Set::Inherit, &m.title),
        None => w.isolated(&m.title),
    }
    w.end(heading);
    w.newline();
    if let Some(s) = &m.subtitle {
        w.isolated_element("p", &[("class", "subtitle")], Set::Inherit, s);
        w.newline();
    }
    if !m.editors.is_empty() {
        let text = format!("{} {}", e.strings.edited_by, e.strings.list(&m.editors));
        w.text_element("p", &[("class", "editors")], Set::Inherit, &text);
        w.newline();
    }
}

/// The cover image, linked to `link` when given.
fn cover_img(w: &mut Writer<'_>, c: &Cover, from: &str, thumb: bool, link: Option<&str>) {
    let (src, (width, height)) = if thumb { (&c.thumb, c.thumb_size) } else { (&c.href, c.size) };
    let src = rel(from, src);
    let (width, height) = (width.to_string(), height.to_string());
    let attrs = [
        ("src", src.as_str()),
        ("alt", c.alt.as_str()),
        ("width", width.as_str()),
        ("height", height.as_str()),
        ("class", "cover"),
    ];
    match link {
        // The title beside it is the link's text for readers; the image repeats it.
        Some(href) => {
            w.start(
                "a",
                &[("href", href), ("class", "cover-link"), ("tabindex", "-1"), ("aria-hidden", "true")],
                Set::Inherit,
            );
            w.empty("img", &attrs);
            w.end("a");
        }
        None => w.empty("img", &attrs),
    }
    w.newline();
}

fn home(site: &mut Site<'_>, entries: &[Entry<'_>]) {
    let from = "index.html";
    let lang = site.lang.clone();
    let mut usage = site.take_usage(0);
    let mut w = Site::writer(&mut usage, site.book_file, &lang);
    // A site of one book named after it: the book's title is the page's heading, not
    // said twice.
    let single = matches!(entries, [e] if e.book.meta.title == site.title);
    if !single {
        w.text_element("h1", &[("class", "site-heading")], Set::Bold, &site.title);
        w.newline();
    }
    w.start("ul", &[("class", "book-list")], Set::Inherit);
    w.newline();
    for e in entries {
        let m = &e.book.meta;
        let mut attrs = vec![("class", "book-card")];
        if m.language != lang {
            attrs.extend(w.lang_attrs(&m.language));
        }
        w.start("li", &attrs, Set::Inherit);
        let book_href = rel(from, &format!("{}/index.html", e.dir));
        if let Some(c) = &e.cover {
            cover_img(&mut w, c, from, true, Some(book_href.as_str()));
        }
        w.start("div", &[("class", "book-text")], Set::Inherit);
        book_meta(&mut w, e, if single { "h1" } else { "h2" }, Some(book_href.as_str()));
        if let Some(d) = &m.description {
            w.isolated_element("p", &[("class", "description")], Set::Inherit, d);
            w.newline();
        }
        download_list(&mut w, &lang, &m.language, e, from);
        w.end("div");
        w.end("li");
        w.newline();
    }
    w.end("ul");
    let main = w.finish();
    site.styles[0].usage = usage;
    let mut alternates = Vec::new();
    for e in entries {
        for d in &e.downloads {
            alternates.push((
                d.media_type,
                format!("{}/{}", e.dir, d.file),
                format!("{} ({})", e.book.meta.title, d.label),
            ));
        }
    }
    let json = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": site.title,
        "itemListElement": entries.iter().enumerate().map(|(i, e)| serde_json::json!({
            "@type": "ListItem", "position": i + 1, "item": book_json(site, e, from)
        })).collect::<Vec<_>>(),
    });
    let head = Head {
        path: from.into(),
        title: site.title.clone(),
        lang: &lang,
        description: entries.first().and_then(|e| e.book.meta.description.clone()).filter(|_| entries.len() == 1),
        alternates,
        og_type: "website",
        og_image: entries.first().and_then(|e| e.cover.as_ref()).map(|c| c.href.clone()),
        json_ld: json,
        section: Some(0),
        style: 0,
    };
    site.page(head, &main);
}

fn book_pages(site: &mut Site<'_>, e: &Entry<'_>, names: &Names<'_>) {
    let book = e.book;
    let lang = &book.meta.language;
    let from = format!("{}/index.html", e.dir);
    let anchors: BTreeMap<String, String> = body::anchor_files(book, "html")
        .into_iter()
        .map(|(a, f)| {
            let intro = book.front.iter().any(|c| f == body::file_name(c, "html"));
            (a, if intro { "index.html".to_string() } else { f })
        })
        .collect();
    let no_marks = crate::xhtml::pagelist::Marks::new(None);
    let cx = body::Context {
        book_lang: lang,
        strings: e.strings,
        images: &e.images.href,
        anchors: &anchors,
        // The site has no print pages to mark: they are the EPUB's page list.
        marks: &no_marks,
        syntax: Syntax::Html,
        ext: "html",
    };
    let mut usage = site.take_usage(e.style);
    let book_file = e.prep.anthology.shown.as_path();
    // The book's page: cover, metadata, downloads, contents, introduction.
    let mut w = Site::writer(&mut usage, book_file, lang);
    w.start("div", &[("class", "book-head")], Set::Inherit);
    if let Some(c) = &e.cover {
        cover_img(&mut w, c, &from, false, None);
    }
    w.start("div", &[("class", "book-text")], Set::Inherit);
    book_meta(&mut w, e, "h1", None);
    let m = &book.meta;
    let imprint: Vec<String> =
        [m.publisher.clone(), m.date.as_ref().map(|d| e.strings.date(d))].into_iter().flatten().collect();
    if !imprint.is_empty() {
        w.isolated_element("p", &[("class", "imprint")], Set::Inherit, &imprint.join(", "));
        w.newline();
    }
    if let Some(isbn) = m.isbn_shown.as_ref().or(m.isbn.as_ref()) {
        w.text_element("p", &[("class", "isbn")], Set::Inherit, &format!("ISBN {isbn}"));
        w.newline();
    }
    if let Some(d) = &m.description {
        w.isolated_element("p", &[("class", "description")], Set::Inherit, d);
        w.newline();
    }
    download_list(&mut w, lang, lang, e, &from);
    w.end("div");
    w.end("div");
    w.newline();
    // The contents.
    w.start("nav", &[("class", "contents"), ("aria-labelledby", "contents-title")], Set::Inherit);
    w.text_element("h2", &[("id", "contents-title")], Set::Bold, e.strings.contents);
    w.newline();
    w.start("ol", &[], Set::Inherit);
    w.newline();
    // An entry in another language says so but keeps the list's direction and alignment;
    // its title and speakers are isolated, as in the EPUB's contents.
    let item = |w: &mut Writer<'_>, c: &Chapter| {
        let mut attrs = vec![];
        if c.meta.language != *lang {
            attrs.push(("lang", c.meta.language.as_str()));
        }
        w.start("li", &attrs, Set::Inherit);
        let href = rel(&from, &speech_path(e, c));
        let href = if c.kind == ChapterKind::Introduction { format!("#{}", c.anchor) } else { href };
        w.isolated_element("a", &[("href", href.as_str())], Set::Inherit, &c.meta.title);
        if !c.meta.speakers.is_empty() {
            w.text(" ");
            let by = locale::strings_in(&c.meta.language, &e.book.meta.language).list(&c.meta.speakers);
            w.isolated_element("span", &[("class", "toc-byline")], Set::Inherit, &by);
        }
        w.end("li");
        w.newline();
    };
    for c in &book.front {
        item(&mut w, c);
    }
    for part in &book.parts {
        match &part.title {
            Some(t) => {
                w.start("li", &[("class", "part")], Set::Inherit);
                w.isolated_element("span", &[("class", "part-title")], Set::Bold, t);
                w.start("ol", &[], Set::Inherit);
                w.newline();
                for c in &part.chapters {
                    item(&mut w, c);
                }
                w.end("ol");
                w.end("li");
                w.newline();
            }
            None => part.chapters.iter().for_each(|c| item(&mut w, c)),
        }
    }
    for c in &book.back {
        item(&mut w, c);
    }
    w.end("ol");
    w.end("nav");
    w.newline();
    let mut main = w.finish();
    for (index, c) in book.front.iter().enumerate() {
        let (html, _) = body::render_body(c, index, 2, &cx, &mut usage);
        main.push_str(&with_lang(&html, c, lang));
    }
    site.styles[e.style].usage = usage;
    let mut alternates = Vec::new();
    for d in &e.downloads {
        alternates.push((d.media_type, format!("{}/{}", e.dir, d.file), format!("{} ({})", m.title, d.label)));
    }
    let head = Head {
        path: from.clone(),
        title: m.title.clone(),
        lang,
        description: m.description.clone(),
        alternates: alternates.clone(),
        og_type: "book",
        og_image: e.cover.as_ref().map(|c| c.href.clone()),
        json_ld: {
            let mut v = book_json(site, e, &from);
            let parts: Vec<serde_json::Value> = e
                .pages()
                .map(|c| serde_json::json!({"@type": "Chapter", "name": c.meta.title, "url": site.url(&from, &speech_path(e, c))}))
                .collect();
            v.as_object_mut().expect("an object").insert("hasPart".into(), parts.into());
            v
        },
        section: None,
        style: e.style,
    };
    site.page(head, &main);

    // A page per speech and for the afterword.
    let pages: Vec<&Chapter> = e.pages().collect();
    for (i, c) in pages.iter().enumerate() {
        let path = speech_path(e, c);
        let mut usage = site.take_usage(e.style);
        let (mut main, _) = body::render_body(c, book.front.len() + i, 1, &cx, &mut usage);
        let page_lang = &c.meta.language;
        // The page's words are in its language (the speech's).
        let (page_words, fallback) = words(page_lang);
        let mut w = Site::writer(&mut usage, &c.source, page_lang);
        let words_attrs = |w: &Writer<'_>| fallback.as_ref().map(|l| w.lang_attrs(l)).unwrap_or_default();
        // Speakers and tags, linked to their pages.
        let links: Vec<(&str, &String, &BTreeMap<&String, String>)> = c
            .meta
            .speakers
            .iter()
            .map(|s| ("speakers", s, names.speakers))
            .chain(c.meta.tags.iter().map(|t| ("tags", t, names.tags)))
            .collect();
        if !links.is_empty() && c.kind == ChapterKind::Speech {
            w.start("ul", &[("class", "speech-links")], Set::Inherit);
            for (folder, name, files) in links {
                let Some(file) = files.get(name) else { continue };
                let href = rel(&path, &format!("{folder}/{file}.html"));
                let class = if folder == "tags" { "tag" } else { "speaker" };
                w.start("li", &[("class", class)], Set::Inherit);
                // The link itself runs the way its name does and is isolated, so the `#`
                // the style sheet puts before a tag stays at its start in either direction.
                let mut a_attrs = vec![("href", href.as_str())];
                a_attrs.extend(w.dir_attr(Dir::of_text(name)));
                w.text_element("a", &a_attrs, Set::Inherit, name);
                w.end("li");
            }
            w.end("ul");
            w.newline();
        }
        // Previous and next, and the book.
        let label = page_words.pager;
        let mut nav_attrs = vec![("class", "pager"), ("aria-label", label)];
        nav_attrs.extend(words_attrs(&w));
        w.start("nav", &nav_attrs, Set::Inherit);
        w.start("ul", &[], Set::Inherit);
        for (rel_label, class, other) in [
            (page_words.previous, "previous", i.checked_sub(1).and_then(|j| pages.get(j))),
            (page_words.next, "next", pages.get(i + 1)),
        ] {
            let Some(other) = other else { continue };
            w.start("li", &[("class", class)], Set::Inherit);
            let href = rel(&path, &speech_path(e, other));
            let rel_attr = if class == "previous" { "prev" } else { "next" };
            w.start("a", &[("href", href.as_str()), ("rel", rel_attr)], Set::Inherit);
            let mut l_attrs = vec![("class", "pager-label")];
            l_attrs.extend(words_attrs(&w));
            w.text_element("span", &l_attrs, Set::Inherit, rel_label);
            w.text(" ");
            let mut t_attrs = vec![("class", "pager-title")];
            if other.meta.language != *page_lang {
                t_attrs.extend(w.lang_attrs(&other.meta.language));
            }
            w.isolated_element("span", &t_attrs, Set::Inherit, &other.meta.title);
            w.end("a");
            w.end("li");
        }
        w.end("ul");
        w.end("nav");
        w.newline();
        w.start("aside", &[("class", "from-book"), ("aria-labelledby", "from-book")], Set::Inherit);
        let mut from_attrs = vec![("id", "from-book"), ("class", "from-book-label")];
        from_attrs.extend(words_attrs(&w));
        w.text_element("p", &from_attrs, Set::Inherit, page_words.in_book);
        let book_href = rel(&path, &format!("{}/index.html", e.dir));
        let mut title_attrs = vec![("class", "from-book-title")];
        if lang != page_lang {
            title_attrs.extend(w.lang_attrs(lang));
        }
        w.start("p", &title_attrs, Set::Inherit);
        w.isolated_element("a", &[("href", book_href.as_str())], Set::Inherit, &m.title);
        w.end("p");
        download_list(&mut w, page_lang, page_lang, e, &path);
        w.end("aside");
        main.push_str(&w.finish());
        site.styles[e.style].usage = usage;
        let head = Head {
            path: path.clone(),
            title: format!("{} – {}", c.meta.title, m.title),
            lang: &c.meta.language,
            description: c.meta.summary.clone(),
            alternates: alternates.clone(),
            og_type: "article",
            og_image: e.cover.as_ref().map(|c| c.href.clone()),
            json_ld: chapter_json(site, e, c, &path),
            section: None,
            style: e.style,
        };
        site.page(head, &main);
    }
}

/// A chapter's section in a page of another language keeps its own: the writer gives the
/// section no `lang`, since in the EPUB each chapter is its own document.
fn with_lang(html: &str, c: &Chapter, page: &Lang) -> String {
    if c.meta.language == *page {
        return html.to_string();
    }
    let mut attrs = format!(" lang=\"{}\"", escape(c.meta.language.as_str()));
    if Dir::of(&c.meta.language) != Dir::of(page) {
        attrs.push_str(&format!(" dir=\"{}\"", Dir::of(&c.meta.language).attr()));
    }
    match html.strip_prefix("<section") {
        Some(rest) => format!("<section{attrs}{rest}"),
        None => html.to_string(),
    }
}

/// The pages of speakers (`folder` `speakers`) or tags: an index, and a page for each
/// listing their speeches across the books.
fn lists(
    site: &mut Site<'_>,
    entries: &[Entry<'_>],
    section: usize,
    folder: &str,
    all: &BTreeMap<&String, Vec<Listed<'_>>>,
    files: &BTreeMap<&String, String>,
) {
    let lang = site.lang.clone();
    let (site_words, fallback) = site.words();
    let heading = if section == 1 { site_words.speakers } else { site_words.tags };
    let index = format!("{folder}/index.html");
    let mut usage = site.take_usage(0);
    let mut w = Site::writer(&mut usage, site.book_file, &lang);
    let fallback_attrs = |w: &Writer<'_>| fallback.as_ref().map(|l| w.lang_attrs(l)).unwrap_or_default();
    let mut h_attrs = vec![];
    h_attrs.extend(fallback_attrs(&w));
    w.text_element("h1", &h_attrs, Set::Bold, heading);
    w.newline();
    w.start("ul", &[("class", "index")], Set::Inherit);
    w.newline();
    for (name, speeches) in all {
        let Some(file) = files.get(name) else { continue };
        w.start("li", &[], Set::Inherit);
        let href = rel(&index, &format!("{folder}/{file}.html"));
        w.isolated_element("a", &[("href", href.as_str())], Set::Inherit, name);
        w.text(" ");
        let count = site_words.speeches(speeches.len());
        let mut c_attrs = vec![("class", "count")];
        c_attrs.extend(fallback_attrs(&w));
        w.text_element("span", &c_attrs, Set::Inherit, &count);
        w.end("li");
        w.newline();
    }
    w.end("ul");
    let main = w.finish();
    site.styles[0].usage = usage;
    let json = serde_json::json!({"@context": "https://schema.org", "@type": "CollectionPage", "name": heading});
    let head = Head {
        path: index.clone(),
        title: format!("{heading} – {}", site.title),
        lang: &lang,
        description: None,
        alternates: Vec::new(),
        og_type: "website",
        og_image: None,
        json_ld: json,
        section: Some(section),
        style: 0,
    };
    site.page(head, &main);

    let strings = locale::strings(&lang);
    for (name, speeches) in all {
        let Some(file) = files.get(name) else { continue };
        let path = format!("{folder}/{file}.html");
        let mut usage = site.take_usage(0);
        let mut w = Site::writer(&mut usage, site.book_file, &lang);
        let mut e_attrs = vec![("class", "eyebrow")];
        e_attrs.extend(fallback_attrs(&w));
        w.start("p", &e_attrs, Set::Inherit);
        w.text_element("a", &[("href", "index.html")], Set::Inherit, heading);
        w.end("p");
        w.newline();
        w.isolated_element("h1", &[], Set::Bold, name);
        w.newline();
        w.start("ul", &[("class", "speech-list")], Set::Inherit);
        w.newline();
        let mut parts = Vec::new();
        for l in speeches {
            let e = &entries[l.entry];
            let c = l.chapter;
            // In the list's direction and alignment; title, speakers and book isolated.
            let mut attrs = vec![];
            if c.meta.language != lang {
                attrs.push(("lang", c.meta.language.as_str()));
            }
            w.start("li", &attrs, Set::Inherit);
            let href = rel(&path, &speech_path(e, c));
            w.isolated_element("a", &[("href", href.as_str()), ("class", "speech-title")], Set::Inherit, &c.meta.title);
            w.newline();
            w.start("span", &[("class", "speech-meta")], Set::Inherit);
            if section == 2 && !c.meta.speakers.is_empty() {
                let by = locale::strings_in(&c.meta.language, &e.book.meta.language).list(&c.meta.speakers);
                w.isolated(&by);
                w.text(" · ");
            }
            if let Some(d) = &c.meta.date {
                let mut d_attrs = vec![];
                if c.meta.language != lang {
                    d_attrs.extend(w.lang_attrs(&lang));
                }
                w.text_element("span", &d_attrs, Set::Inherit, &strings.date(d));
                w.text(" · ");
            }
            let mut b_attrs = vec![("class", "speech-book")];
            if e.book.meta.language != c.meta.language {
                b_attrs.extend(w.lang_attrs(&e.book.meta.language));
            }
            w.isolated_element("cite", &b_attrs, Set::Inherit, &e.book.meta.title);
            w.end("span");
            w.end("li");
            w.newline();
            parts.push(serde_json::json!({"@type": "Chapter", "name": c.meta.title, "url": site.url(&path, &speech_path(e, c))}));
        }
        w.end("ul");
        let main = w.finish();
        site.styles[0].usage = usage;
        let json = if section == 1 {
            serde_json::json!({"@context": "https://schema.org", "@type": "Person", "name": name, "subjectOf": parts})
        } else {
            serde_json::json!({"@context": "https://schema.org", "@type": "CollectionPage", "name": name, "hasPart": parts})
        };
        let head = Head {
            path: path.clone(),
            title: format!("{name} – {}", site.title),
            lang: &lang,
            description: None,
            alternates: Vec::new(),
            og_type: if section == 1 { "profile" } else { "website" },
            og_image: None,
            json_ld: json,
            section: Some(section),
            style: 0,
        };
        site.page(head, &main);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_and_names_become_file_names() {
        assert_eq!(rel("index.html", "example/index.html"), "example/index.html");
        assert_eq!(rel("speakers/ahmet.html", "example/a b.html"), "../example/a%20b.html");
        assert_eq!(rel("example/index.html", "example/example.epub"), "example.epub");
        assert_eq!(rel("opds/tags/a.xml", "opds/tags.xml"), "../tags.xml");
        assert_eq!(rel("opds/tags.xml", "opds.xml"), "../opds.xml");
        assert_eq!(slug("Ахмет Жумабаев"), "ахмет-жумабаев");
        assert_eq!(slug("  Dr. Anna-Lena Weiß! "), "dr-anna-lena-weiß");
        assert_eq!(slug("★"), "x");
        assert_eq!(href_escape("ß"), "%C3%9F");
        let names = ["A b".to_string(), "a-b".to_string(), "A B".to_string(), "Index".to_string()];
        let s = slugs(names.iter());
        assert_eq!(s.values().cloned().collect::<BTreeSet<_>>().len(), 4);
        assert_eq!(s[&names[3]], "index-2");
        assert!(json_in_html(&serde_json::json!({"x": "</script>"})).contains("\\u003c/script>"));
    }

    #[test]
    fn sizes_are_written_as_readers_read_them() {
        let (de, _) = words(&Lang::of("de"));
        assert_eq!(de.size(579_001), "580\u{a0}kB");
        assert_eq!(de.size(1_234_567), "1,2\u{a0}MB");
        assert_eq!([de.speeches(1), de.speeches(2)], ["1 Rede", "2 Reden"]);
        let (ar, _) = words(&Lang::of("ar"));
        assert_eq!(
            [ar.speeches(1), ar.speeches(2), ar.speeches(3), ar.speeches(12)],
            ["خطبة واحدة", "خطبتان", "3 خطب", "12 خطبة"]
        );
        let (ru, _) = words(&Lang::of("ru"));
        assert_eq!(
            [ru.speeches(1), ru.speeches(3), ru.speeches(5), ru.speeches(21), ru.speeches(1000)],
            ["1 речь", "3 речи", "5 речей", "21 речь", "1\u{a0}000 речей"]
        );
        let (fa, _) = words(&Lang::of("fa"));
        assert_eq!(fa.size(1_234_567), "۱٫۲\u{a0}مگابایت");
        assert_eq!(fa.speeches(12), "۱۲ سخنرانی");
        let (en, fallback) = words(&Lang::of("ur"));
        assert_eq!((en.size(2_960_000), fallback), ("3.0\u{a0}MB".to_string(), Some(Lang::english())));
    }
}
