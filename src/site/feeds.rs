//! The site's feeds: an Atom feed of the speeches by date (`feed.xml`), the OPDS 1.2
//! acquisition feed of the books (`opds.xml`) with navigation feeds by speaker and by tag
//! (`opds/`), the same catalogue as OPDS 2.0 JSON (`opds.json`), and with `site_url` a
//! sitemap (`sitemap.xml`, whose addresses must be absolute).
//!
//! Without `site_url` the feeds' links are relative, which Atom allows (RFC 4287 §3.4
//! refers to RFC 3987 IRI references, resolved against the feed's own address), so a
//! reading app pointed at `…/opds.xml` finds the books wherever the folder is served.

use super::{speech_path, Entry, Site};
use crate::document::model::{Chapter, ChapterKind};
use crate::xhtml::escape;
use std::collections::BTreeMap;

/// The media type of an OPDS acquisition feed.
pub(crate) const OPDS_ACQUISITION: &str = "application/atom+xml;profile=opds-catalog;kind=acquisition";
/// The media type of an OPDS navigation feed.
const OPDS_NAVIGATION: &str = "application/atom+xml;profile=opds-catalog;kind=navigation";

/// Seconds since 1970 as an RFC 3339 date and time in UTC.
pub(crate) fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Days since 1970-01-01 as a Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The first day a speech's date can mean, as RFC 3339, when it is a year Atom can write.
fn speech_time(c: &Chapter) -> Option<String> {
    let (y, m, d) = c.meta.date.as_ref()?.earliest();
    (1..=9999).contains(&y).then(|| format!("{y:04}-{m:02}-{d:02}T00:00:00Z"))
}

/// A stable `urn:uuid:` for what `key` names inside the book `identifier`.
fn urn(identifier: &str, key: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("{identifier}#{key}").as_bytes()).urn().to_string()
}

/// `<name>text</name>`, escaped, with `xml:lang` when given.
fn el(out: &mut String, name: &str, lang: Option<&str>, text: &str) {
    match lang {
        Some(l) => out.push_str(&format!("<{name} xml:lang=\"{}\">{}</{name}>\n", escape(l), escape(text))),
        None => out.push_str(&format!("<{name}>{}</{name}>\n", escape(text))),
    }
}

fn link(out: &mut String, rel: &str, href: &str, media_type: &str, title: Option<&str>) {
    out.push_str(&format!("<link rel=\"{rel}\" href=\"{}\" type=\"{media_type}\"", escape(href)));
    if let Some(t) = title {
        out.push_str(&format!(" title=\"{}\"", escape(t)));
    }
    out.push_str("/>\n");
}

/// The newest modification of the books.
fn updated(entries: &[Entry<'_>]) -> i64 {
    entries.iter().map(|e| e.book.modified).max().unwrap_or(0)
}

pub(super) fn write(site: &mut Site<'_>, entries: &[Entry<'_>]) {
    let atom = atom(site, entries);
    site.files.insert("feed.xml".into(), atom.into_bytes());
    let all: Vec<usize> = (0..entries.len()).collect();
    let root = opds_feed(site, entries, "opds.xml", &site.title, "opds.xml", &all, true);
    site.files.insert("opds.xml".into(), root.into_bytes());
    opds_navigation(site, entries);
    let json = opds2(site, entries);
    site.files.insert("opds.json".into(), json.into_bytes());
    if let Some(base) = &site.base {
        let sitemap = sitemap(site, base, entries);
        site.files.insert("sitemap.xml".into(), sitemap.into_bytes());
    }
}

/// The Atom feed: every speech of every book, the newest first (undated ones last).
fn atom(site: &Site<'_>, entries: &[Entry<'_>]) -> String {
    let from = "feed.xml";
    let mut speeches: Vec<(&Entry<'_>, &Chapter)> = entries
        .iter()
        .flat_map(|e| e.book.chapters().filter(|c| c.kind == ChapterKind::Speech).map(move |c| (e, c)))
        .collect();
    // Newest first; a stable sort keeps the books' order among equal dates.
    speeches.sort_by(|a, b| {
        let key = |c: &Chapter| c.meta.date.as_ref().map(|d| d.earliest());
        key(b.1).cmp(&key(a.1))
    });
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(site.lang.as_str())
    ));
    el(&mut out, "title", None, &site.title);
    let (words, fallback) = site.words();
    el(&mut out, "subtitle", fallback.as_ref().map(|l| l.as_str()), words.feed);
    let id = entries.first().map(|e| urn(&e.book.meta.identifier, "feed")).unwrap_or_default();
    el(&mut out, "id", None, &id);
    el(&mut out, "updated", None, &rfc3339(updated(entries)));
    out.push_str("<author>\n");
    el(&mut out, "name", None, &site.title);
    out.push_str("</author>\n");
    link(&mut out, "self", &site.url(from, "feed.xml"), "application/atom+xml", None);
    link(&mut out, "alternate", &site.url(from, "index.html"), "text/html", None);
    out.push_str(&format!("<generator version=\"{}\">Tribune</generator>\n", env!("CARGO_PKG_VERSION")));
    for (e, c) in speeches {
        let lang = c.meta.language.as_str();
        out.push_str(&format!("<entry xml:lang=\"{}\">\n", escape(lang)));
        el(&mut out, "title", None, &c.meta.title);
        el(&mut out, "id", None, &urn(&e.book.meta.identifier, &c.anchor));
        let time = speech_time(c).unwrap_or_else(|| rfc3339(e.book.modified));
        el(&mut out, "updated", None, &time);
        if c.meta.date.is_some() {
            el(&mut out, "published", None, &time);
        }
        let authors: Vec<&String> = if c.meta.speakers.is_empty() {
            e.book.meta.editors.iter().collect()
        } else {
            c.meta.speakers.iter().collect()
        };
        for a in authors {
            out.push_str("<author>\n");
            el(&mut out, "name", None, a);
            out.push_str("</author>\n");
        }
        link(&mut out, "alternate", &site.url(from, &speech_path(e, c)), "text/html", None);
        for t in &c.meta.tags {
            out.push_str(&format!("<category term=\"{}\"/>\n", escape(t)));
        }
        let mut summary = Vec::new();
        if let Some(s) = &c.meta.summary {
            summary.push(s.clone());
        }
        let line: Vec<&str> = [c.meta.place.as_deref(), c.meta.occasion.as_deref()].into_iter().flatten().collect();
        if summary.is_empty() && !line.is_empty() {
            summary.push(line.join(" · "));
        }
        if let Some(s) = summary.first() {
            el(&mut out, "summary", None, s);
        }
        out.push_str(&format!(
            "<source>\n<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n</source>\n",
            escape(&urn(&e.book.meta.identifier, "book")),
            escape(&e.book.meta.title),
            rfc3339(e.book.modified)
        ));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// The head of an OPDS feed: namespaces, id, title, updated, author, self and start.
fn opds_head(site: &Site<'_>, out: &mut String, path: &str, id: &str, title: &str, kind: &str, updated: i64) {
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/terms/\" \
         xmlns:opds=\"http://opds-spec.org/2010/catalog\" xml:lang=\"{}\">\n",
        escape(site.lang.as_str())
    ));
    el(out, "id", None, id);
    el(out, "title", None, title);
    el(out, "updated", None, &rfc3339(updated));
    out.push_str("<author>\n");
    el(out, "name", None, &site.title);
    out.push_str("</author>\n");
    link(out, "self", &site.url(path, path), kind, None);
    link(out, "start", &site.url(path, "opds.xml"), OPDS_ACQUISITION, None);
}

/// An OPDS 1.2 acquisition feed of the books `which`, at `path`. The root also links the
/// navigation feeds and the OPDS 2.0 catalogue.
fn opds_feed(
    site: &Site<'_>,
    entries: &[Entry<'_>],
    path: &str,
    title: &str,
    key: &str,
    which: &[usize],
    root: bool,
) -> String {
    let mut out = String::new();
    let id = entries.first().map(|e| urn(&e.book.meta.identifier, key)).unwrap_or_default();
    let newest = which.iter().map(|&i| entries[i].book.modified).max().unwrap_or(0);
    opds_head(site, &mut out, path, &id, title, OPDS_ACQUISITION, newest);
    if root {
        let (words, _) = site.words();
        link(&mut out, "alternate", &site.url(path, "index.html"), "text/html", None);
        link(&mut out, "related", &site.url(path, "opds/speakers.xml"), OPDS_NAVIGATION, Some(words.speakers));
        link(&mut out, "related", &site.url(path, "opds/tags.xml"), OPDS_NAVIGATION, Some(words.tags));
        link(&mut out, "alternate", &site.url(path, "opds.json"), "application/opds+json", None);
    } else {
        link(&mut out, "up", &site.url(path, "opds.xml"), OPDS_ACQUISITION, None);
    }
    for &i in which {
        let e = &entries[i];
        let m = &e.book.meta;
        out.push_str(&format!("<entry xml:lang=\"{}\">\n", escape(m.language.as_str())));
        el(&mut out, "title", None, &m.title);
        el(&mut out, "id", None, &m.identifier);
        el(&mut out, "updated", None, &rfc3339(e.book.modified));
        let authors: Vec<&String> = if m.editors.is_empty() { Vec::new() } else { m.editors.iter().collect() };
        for a in authors {
            out.push_str("<author>\n");
            el(&mut out, "name", None, a);
            out.push_str("</author>\n");
        }
        for l in &e.book.languages {
            el(&mut out, "dc:language", None, l.as_str());
        }
        if let Some(p) = &m.publisher {
            el(&mut out, "dc:publisher", None, p);
        }
        if let Some(d) = &m.date {
            el(&mut out, "dc:issued", None, &d.to_string());
        }
        if let Some(isbn) = &m.isbn {
            el(&mut out, "dc:identifier", None, &format!("urn:isbn:{isbn}"));
        }
        if let Some(d) = &m.description {
            el(&mut out, "summary", None, d);
        }
        if let Some(r) = &m.rights {
            el(&mut out, "rights", None, r);
        }
        if let Some(c) = &e.cover {
            link(&mut out, "http://opds-spec.org/image", &site.url(path, &c.href), c.media_type, None);
            link(&mut out, "http://opds-spec.org/image/thumbnail", &site.url(path, &c.thumb), "image/jpeg", None);
        }
        link(&mut out, "alternate", &site.url(path, &format!("{}/index.html", e.dir)), "text/html", None);
        for d in &e.downloads {
            link(
                &mut out,
                "http://opds-spec.org/acquisition/open-access",
                &site.url(path, &format!("{}/{}", e.dir, d.file)),
                d.media_type,
                Some(d.label),
            );
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// Navigation feeds by speaker and by tag (`opds/speakers.xml`, `opds/tags.xml`), each
/// entry leading to an acquisition feed of the books with that speaker's or tag's speeches.
fn opds_navigation(site: &mut Site<'_>, entries: &[Entry<'_>]) {
    let (words, _) = site.words();
    for (folder, title) in [("speakers", words.speakers), ("tags", words.tags)] {
        let mut by: BTreeMap<&String, Vec<usize>> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            for c in e.book.chapters() {
                let names = if folder == "speakers" { &c.meta.speakers } else { &c.meta.tags };
                for n in names {
                    let books = by.entry(n).or_default();
                    if !books.contains(&i) {
                        books.push(i);
                    }
                }
            }
        }
        let files = super::slugs(by.keys().copied());
        let path = format!("opds/{folder}.xml");
        let mut out = String::new();
        let id = entries.first().map(|e| urn(&e.book.meta.identifier, &path)).unwrap_or_default();
        opds_head(site, &mut out, &path, &id, title, OPDS_NAVIGATION, updated(entries));
        link(&mut out, "up", &site.url(&path, "opds.xml"), OPDS_ACQUISITION, None);
        let mut feeds = Vec::new();
        for (name, books) in &by {
            let Some(file) = files.get(name) else { continue };
            let sub = format!("opds/{folder}/{file}.xml");
            out.push_str("<entry>\n");
            el(&mut out, "title", None, name);
            el(&mut out, "id", None, &entries.first().map(|e| urn(&e.book.meta.identifier, &sub)).unwrap_or_default());
            let newest = books.iter().map(|&i| entries[i].book.modified).max().unwrap_or(0);
            el(&mut out, "updated", None, &rfc3339(newest));
            link(&mut out, "subsection", &site.url(&path, &sub), OPDS_ACQUISITION, None);
            out.push_str("</entry>\n");
            feeds.push((sub, (*name).clone(), books.clone()));
        }
        out.push_str("</feed>\n");
        site.files.insert(path, out.into_bytes());
        for (sub, name, books) in feeds {
            let feed = opds_feed(site, entries, &sub, &name, &sub, &books, false);
            site.files.insert(sub, feed.into_bytes());
        }
    }
}

/// The catalogue as OPDS 2.0 (JSON), beside the Atom one.
fn opds2(site: &Site<'_>, entries: &[Entry<'_>]) -> String {
    let from = "opds.json";
    let publications: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let m = &e.book.meta;
            let mut meta = serde_json::json!({
                "@type": "http://schema.org/Book",
                "title": m.title,
                "identifier": m.identifier,
                "modified": rfc3339(e.book.modified),
                "language": e.book.languages.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            });
            let o = meta.as_object_mut().expect("an object");
            if let Some(s) = &m.subtitle {
                o.insert("subtitle".into(), s.as_str().into());
            }
            if !m.editors.is_empty() {
                o.insert("editor".into(), m.editors.iter().map(|n| serde_json::json!({"name": n})).collect());
            }
            if let Some(p) = &m.publisher {
                o.insert("publisher".into(), serde_json::json!({"name": p}));
            }
            if let Some(d) = &m.date {
                o.insert("published".into(), d.to_string().into());
            }
            if let Some(d) = &m.description {
                o.insert("description".into(), d.as_str().into());
            }
            let mut links = vec![serde_json::json!({
                "rel": "alternate", "href": site.url(from, &format!("{}/index.html", e.dir)), "type": "text/html"
            })];
            for d in &e.downloads {
                links.push(serde_json::json!({
                    "rel": "http://opds-spec.org/acquisition/open-access",
                    "href": site.url(from, &format!("{}/{}", e.dir, d.file)),
                    "type": d.media_type,
                }));
            }
            let images: Vec<serde_json::Value> = e
                .cover
                .iter()
                .flat_map(|c| {
                    [
                        serde_json::json!({"href": site.url(from, &c.href), "type": c.media_type, "width": c.size.0, "height": c.size.1}),
                        serde_json::json!({"href": site.url(from, &c.thumb), "type": "image/jpeg", "width": c.thumb_size.0, "height": c.thumb_size.1}),
                    ]
                })
                .collect();
            serde_json::json!({"metadata": meta, "links": links, "images": images})
        })
        .collect();
    let catalogue = serde_json::json!({
        "metadata": {"title": site.title, "modified": rfc3339(updated(entries)), "numberOfItems": entries.len()},
        "links": [
            {"rel": "self", "href": site.url(from, "opds.json"), "type": "application/opds+json"},
            {"rel": "alternate", "href": site.url(from, "opds.xml"), "type": OPDS_ACQUISITION},
        ],
        "publications": publications,
    });
    let mut s = serde_json::to_string_pretty(&catalogue).unwrap_or_default();
    s.push('\n');
    s
}

/// Every page of the site with its absolute address and its book's date.
fn sitemap(site: &Site<'_>, base: &str, entries: &[Entry<'_>]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let newest = rfc3339(updated(entries));
    for path in site.files.keys().filter(|p| p.ends_with(".html")) {
        let modified = entries
            .iter()
            .find(|e| path.starts_with(&format!("{}/", e.dir)))
            .map_or_else(|| newest.clone(), |e| rfc3339(e.book.modified));
        out.push_str(&format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            escape(&format!("{base}{}", super::href_escape(path))),
            &modified[..10]
        ));
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc_3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_825_600 + 3661), "2000-02-29T13:01:01Z");
        assert_eq!(rfc3339(-86_400), "1969-12-31T00:00:00Z");
    }
}
