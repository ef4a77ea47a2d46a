//! Navigation: the EPUB 3 navigation document (the nested table of contents: parts,
//! speeches, their sections; and the landmarks) and the EPUB 2 `toc.ncx` for older
//! reading systems, both from one tree of entries.

use crate::document::locale::Strings;
use crate::document::model::Book;
use crate::lang::Lang;
use crate::xhtml::body::lang_attrs;
use crate::xhtml::{self, escape, Dir};

/// One entry of the table of contents.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// `part-1.xhtml`, `s-x.xhtml#s-x-section`.
    pub href: String,
    pub title: String,
    /// The language of the title (the chapter's).
    pub lang: Lang,
    /// What it is: `matter`, `part`, `speech`, `section` (a class in the contents page).
    pub class: &'static str,
    /// The speakers, for the contents page.
    pub byline: Option<String>,
    pub children: Vec<Entry>,
}

/// The places a reading system offers to go to directly.
pub(super) struct Landmarks<'a> {
    pub cover: Option<&'a str>,
    pub toc: &'a str,
    pub bodymatter: Option<&'a str>,
}

fn depth(entries: &[Entry]) -> usize {
    entries.iter().map(|e| 1 + depth(&e.children)).max().unwrap_or(0)
}

fn nav_list(out: &mut String, entries: &[Entry], book_lang: &Lang, indent: usize) {
    let pad = "  ".repeat(indent);
    out.push_str(&format!("{pad}<ol>\n"));
    for e in entries {
        let mut attrs = if e.lang != *book_lang {
            let [(a, v), (b, _)] = lang_attrs(&e.lang);
            format!(" {a}=\"{0}\" {b}=\"{0}\"", escape(v))
        } else {
            String::new()
        };
        // A title that runs the other way than the book is isolated, so the list keeps
        // its alignment and the title its punctuation.
        let dir = Dir::of_text(&e.title).unwrap_or(Dir::of(&e.lang));
        if dir != Dir::of(book_lang) {
            attrs.push_str(&format!(" dir=\"{}\"", dir.attr()));
        }
        out.push_str(&format!("{pad}  <li><a href=\"{}\"{attrs}>{}</a>", escape(&e.href), escape(e.title.trim())));
        if !e.children.is_empty() {
            out.push('\n');
            nav_list(out, &e.children, book_lang, indent + 2);
            out.push_str(&format!("{pad}  "));
        }
        out.push_str("</li>\n");
    }
    out.push_str(&format!("{pad}</ol>\n"));
}

/// The navigation document (`nav.xhtml`).
/// `pages`: the print edition's page list (label and address of each page's marker).
pub(super) fn nav_document(
    book: &Book,
    strings: &Strings,
    entries: &[Entry],
    landmarks: &Landmarks<'_>,
    pages: &[(String, String)],
) -> String {
    let lang = &book.meta.language;
    let mut body = String::new();
    body.push_str("<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n");
    body.push_str(&format!("  <h1 id=\"toc-title\">{}</h1>\n", escape(strings.contents)));
    nav_list(&mut body, entries, lang, 1);
    body.push_str("</nav>\n");
    // Landmarks are for the reading system's menus, not a page of their own: hidden.
    body.push_str(
        "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\" aria-labelledby=\"landmarks-title\">\n",
    );
    body.push_str(&format!("  <h2 id=\"landmarks-title\">{}</h2>\n  <ol>\n", escape(strings.landmarks)));
    let mut mark = |t: &str, href: &str, label: &str| {
        body.push_str(&format!("    <li><a epub:type=\"{t}\" href=\"{}\">{}</a></li>\n", escape(href), escape(label)));
    };
    if let Some(c) = landmarks.cover {
        mark("cover", c, strings.cover);
    }
    mark("toc", landmarks.toc, strings.contents);
    if let Some(b) = landmarks.bodymatter {
        mark("bodymatter", b, strings.start);
    }
    body.push_str("  </ol>\n</nav>");
    if !pages.is_empty() {
        body.push('\n');
        body.push_str(crate::xhtml::pagelist::nav(pages, strings.pages).trim_end());
    }
    xhtml::document(lang, strings.contents, &[], &body)
}

fn ncx_points(out: &mut String, entries: &[Entry], order: &mut usize, indent: usize) {
    let pad = "  ".repeat(indent);
    for e in entries {
        *order += 1;
        out.push_str(&format!(
            "{pad}<navPoint id=\"np-{0}\" playOrder=\"{0}\">\n{pad}  <navLabel><text>{1}</text></navLabel>\n{pad}  <content src=\"{2}\"/>\n",
            order,
            escape(e.title.trim()),
            escape(&e.href)
        ));
        ncx_points(out, &e.children, order, indent + 1);
        out.push_str(&format!("{pad}</navPoint>\n"));
    }
}

/// The EPUB 2 table of contents (`toc.ncx`). `uid` must be the package's unique identifier.
/// `pages`: the print edition's page list as the navigation document has it (label and
/// address of each page's marker), which becomes the NCX's `pageList`, titled `pages_title`.
pub(super) fn ncx(book: &Book, uid: &str, entries: &[Entry], pages: &[(String, String)], pages_title: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n",
        escape(book.meta.language.as_str())
    ));
    out.push_str(&format!(
        "<head>\n  <meta name=\"dtb:uid\" content=\"{}\"/>\n  <meta name=\"dtb:depth\" content=\"{}\"/>\n  \
         <meta name=\"dtb:totalPageCount\" content=\"{}\"/>\n  <meta name=\"dtb:maxPageNumber\" content=\"{}\"/>\n</head>\n",
        escape(uid),
        depth(entries).max(1),
        pages.len(),
        pages.iter().filter_map(|(label, _)| label.parse::<u32>().ok()).max().unwrap_or(0)
    ));
    out.push_str(&format!("<docTitle><text>{}</text></docTitle>\n<navMap>\n", escape(&book.meta.title)));
    let mut order = 0;
    ncx_points(&mut out, entries, &mut order, 1);
    out.push_str("</navMap>\n");
    ncx_pages(&mut out, pages, pages_title, &mut order);
    out.push_str("</ncx>\n");
    out
}

/// The NCX's `pageList`: a `pageTarget` per printed page, `normal` with its number as
/// `value` for Arabic folios, `front` for the Roman ones. Their `playOrder` continues the
/// navigation points' (each target is a marker of its own, so no two share one).
fn ncx_pages(out: &mut String, pages: &[(String, String)], title: &str, order: &mut usize) {
    if pages.is_empty() {
        return;
    }
    out.push_str(&format!("<pageList>\n  <navLabel><text>{}</text></navLabel>\n", escape(title)));
    for (i, (label, href)) in pages.iter().enumerate() {
        *order += 1;
        let (kind, value) = match label.parse::<u32>() {
            Ok(n) if n > 0 => ("normal", format!(" value=\"{n}\"")),
            _ => ("front", String::new()),
        };
        out.push_str(&format!(
            "  <pageTarget id=\"pt-{}\" type=\"{kind}\"{value} playOrder=\"{order}\">\n    \
             <navLabel><text>{}</text></navLabel>\n    <content src=\"{}\"/>\n  </pageTarget>\n",
            i + 1,
            escape(label),
            escape(href)
        ));
    }
    out.push_str("</pageList>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(href: &str, children: Vec<Entry>) -> Entry {
        Entry {
            href: href.into(),
            title: format!("T {href}"),
            lang: Lang::of("de"),
            class: "speech",
            byline: None,
            children,
        }
    }

    #[test]
    fn nested_entries_make_nested_lists_and_ordered_nav_points() {
        let entries = vec![e("a.xhtml", vec![e("b.xhtml", vec![e("b.xhtml#x", vec![])])]), e("c.xhtml", vec![])];
        assert_eq!(depth(&entries), 3);
        let mut s = String::new();
        nav_list(&mut s, &entries, &Lang::of("de"), 0);
        assert_eq!(s.matches("<ol>").count(), 3);
        let mut n = String::new();
        let mut order = 0;
        ncx_points(&mut n, &entries, &mut order, 0);
        assert_eq!(order, 4);
        assert!(n.find("playOrder=\"3\"").unwrap() < n.find("playOrder=\"4\"").unwrap());
        assert_eq!(n.matches("<navPoint").count(), n.matches("</navPoint>").count());
    }

    /// The NCX's page list has the navigation document's pages, Roman folios as `front`
    /// pages and Arabic ones as `normal` pages with their number, in the order of play
    /// after the navigation points.
    #[test]
    fn the_ncx_lists_the_print_pages() {
        let pages: Vec<(String, String)> =
            [("iii", "toc.xhtml#page-iii"), ("1", "s-a.xhtml#page-1"), ("2", "s-a.xhtml#page-2")]
                .iter()
                .map(|(l, h)| (l.to_string(), h.to_string()))
                .collect();
        let mut out = String::new();
        let mut order = 4;
        ncx_pages(&mut out, &pages, "Seiten", &mut order);
        assert_eq!(order, 7);
        assert!(out.starts_with("<pageList>\n  <navLabel><text>Seiten</text></navLabel>"), "{out}");
        assert!(out.contains("<pageTarget id=\"pt-1\" type=\"front\" playOrder=\"5\">"), "{out}");
        assert!(out.contains("<pageTarget id=\"pt-3\" type=\"normal\" value=\"2\" playOrder=\"7\">"), "{out}");
        assert!(out.contains("<text>1</text></navLabel>\n    <content src=\"s-a.xhtml#page-1\"/>"), "{out}");
        let mut none = String::new();
        ncx_pages(&mut none, &[], "Seiten", &mut order);
        assert!(none.is_empty(), "a book without pages has no page list");
    }
}
