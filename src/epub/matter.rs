//! The pages around the speeches: the cover, the title page, the copyright page (rights,
//! ISBN, identifier, date, fonts and their licences, Tribune), the contents, a page for
//! each titled part, and the licences of the embedded fonts.

use super::nav::Entry;
use crate::document::locale::Strings;
use crate::document::model::Book;
use crate::document::pages::{Doc, Spot};
use crate::lang::Lang;
use crate::xhtml::body::lang_attrs;
use crate::xhtml::fonts::Plan;
use crate::xhtml::pagelist::Queue;
use crate::xhtml::{self, Dir, Set, Usage, Writer};
use std::path::Path;

pub(super) const COVER: &str = "cover.xhtml";
pub(super) const TITLE: &str = "title.xhtml";
pub(super) const COPYRIGHT: &str = "copyright.xhtml";
pub(super) const CONTENTS: &str = "contents.xhtml";
pub(super) const LICENCES: &str = "licences.xhtml";

/// The cover: the image alone, as large as the screen allows.
pub(super) fn cover(book: &Book, strings: &Strings, href: &str, alt: &str) -> String {
    let mut body = String::from("<section epub:type=\"cover\" class=\"cover\">\n");
    body.push_str(&format!(
        "<img role=\"doc-cover\" src=\"{}\" alt=\"{}\"/>\n</section>",
        xhtml::escape(href),
        xhtml::escape(alt)
    ));
    xhtml::document(&book.meta.language, strings.cover, &[("epub:type", "frontmatter")], &body)
}

/// The title page: title, subtitle, editors, publisher.
/// `marks`: the print edition's pages that begin with it (the half-title's too).
pub(super) fn title_page(
    book: &Book,
    strings: &Strings,
    mut marks: Queue,
    book_file: &Path,
    usage: &mut Usage,
) -> String {
    let m = &book.meta;
    let mut w = Writer::new(usage, book_file, &m.language);
    w.start(
        "section",
        &[("epub:type", "titlepage"), ("class", "titlepage"), ("aria-labelledby", "book-title")],
        Set::Inherit,
    );
    w.newline();
    marks.rest(&mut w);
    w.isolated_element("h1", &[("id", "book-title"), ("class", "title")], Set::Bold, &m.title);
    w.newline();
    if let Some(s) = &m.subtitle {
        w.isolated_element("p", &[("class", "subtitle")], Set::Inherit, s);
        w.newline();
    }
    if !m.editors.is_empty() {
        w.text_element(
            "p",
            &[("class", "editors")],
            Set::Inherit,
            &format!("{} {}", strings.edited_by, strings.list(&m.editors)),
        );
        w.newline();
    }
    if let Some(p) = &m.publisher {
        w.isolated_element("p", &[("class", "publisher")], Set::Inherit, p);
        w.newline();
    }
    w.end("section");
    xhtml::document(&m.language, &m.title, &[("epub:type", "frontmatter")], &w.finish())
}

/// The copyright page.
pub(super) fn copyright(
    book: &Book,
    strings: &Strings,
    fonts: &Plan,
    mut marks: Queue,
    book_file: &Path,
    usage: &mut Usage,
) -> String {
    let m = &book.meta;
    let mut w = Writer::new(usage, book_file, &m.language);
    w.start(
        "section",
        &[("epub:type", "copyright-page"), ("class", "copyright"), ("aria-labelledby", "copyright-title")],
        Set::Inherit,
    );
    w.newline();
    w.text_element("h1", &[("id", "copyright-title")], Set::Bold, strings.copyright);
    w.newline();
    // The printed copyright page has no heading: it begins with the book's title.
    marks.rest(&mut w);
    let p = |w: &mut Writer, text: &str| {
        w.isolated_element("p", &[], Set::Inherit, text);
        w.newline();
    };
    let mut title = m.title.clone();
    if let Some(s) = &m.subtitle {
        title.push_str(&format!(". {s}"));
    }
    p(&mut w, &title);
    if !m.editors.is_empty() {
        p(&mut w, &format!("{} {}", strings.edited_by, strings.list(&m.editors)));
    }
    let imprint: Vec<String> =
        [m.publisher.clone(), m.date.as_ref().map(|d| strings.date(d))].into_iter().flatten().collect();
    if !imprint.is_empty() {
        p(&mut w, &imprint.join(", "));
    }
    if let Some(r) = &m.rights {
        p(&mut w, r);
    }
    if let Some(isbn) = m.isbn_shown.as_ref().or(m.isbn.as_ref()) {
        p(&mut w, &format!("ISBN {isbn}"));
    }
    let isbn_urn = m.isbn.as_ref().map(|i| format!("urn:isbn:{i}"));
    if Some(&m.identifier) != isbn_urn.as_ref() {
        w.start("p", &[], Set::Inherit);
        w.text(&format!("{}: ", strings.identifier));
        w.isolated(&m.identifier);
        w.end("p");
        w.newline();
    }
    let lines = fonts.family_lines();
    if !lines.is_empty() {
        w.start("p", &[("class", "fonts")], Set::Inherit);
        w.text(&format!("{}: ", strings.fonts));
        for (i, (family, licence)) in lines.iter().enumerate() {
            if i > 0 {
                w.text("; ");
            }
            w.isolated(family);
            if let Some(name) = licence.and_then(|l| l.name.as_deref()) {
                w.text(" (");
                w.isolated_element("a", &[("href", LICENCES)], Set::Inherit, name);
                w.text(")");
            }
        }
        w.text(".");
        w.end("p");
        w.newline();
    }
    let tribune = format!("Tribune {}", env!("CARGO_PKG_VERSION"));
    p(&mut w, &strings.made_with.replace("{}", &tribune));
    w.end("section");
    xhtml::document(&m.language, strings.copyright, &[("epub:type", "frontmatter")], &w.finish())
}

/// The licences of the embedded fonts, as the OFL asks: with the fonts, readable.
/// What the licence page says of subset fonts.
const SUBSET_NOTE: &str = "The fonts in this book are subsets: Tribune kept only the glyphs of the characters \
the book uses, with the fonts' names, copyright notices and licences unchanged. The licences below allow \
this: the SIL Open Font License lets the fonts be modified and embedded in documents, and its FAQ counts \
a font subset for one document and embedded in it as embedding. The complete fonts are available from \
their authors under the same licences.";

pub(super) fn licences(
    book: &Book,
    strings: &Strings,
    fonts: &Plan,
    book_file: &Path,
    usage: &mut Usage,
) -> Option<String> {
    if fonts.licences.is_empty() {
        return None;
    }
    let mut w = Writer::new(usage, book_file, &book.meta.language);
    w.start(
        "section",
        &[("epub:type", "appendix"), ("role", "doc-appendix"), ("aria-labelledby", "licences-title")],
        Set::Inherit,
    );
    w.newline();
    w.text_element("h1", &[("id", "licences-title")], Set::Bold, strings.font_licences);
    w.newline();
    let english = Lang::english();
    if fonts.subset {
        // Said in English, as the licences are.
        let mut attrs = vec![("class", "licence-note")];
        attrs.extend(w.lang_attrs(&english));
        w.text_element("p", &attrs, Set::Inherit, SUBSET_NOTE);
        w.newline();
    }
    for l in &fonts.licences {
        w.isolated_element("h2", &[], Set::Bold, &l.families.join(", "));
        w.newline();
        // Licence texts are English and laid out in lines of their own.
        let mut attrs = vec![("class", "licence")];
        attrs.extend(w.lang_attrs(&english));
        w.text_element("pre", &attrs, Set::Mono, &l.text);
        w.newline();
    }
    w.end("section");
    Some(xhtml::document(&book.meta.language, strings.font_licences, &[("epub:type", "backmatter")], &w.finish()))
}

/// A part's own page, with its title.
pub(super) fn part_page(
    lang: &Lang,
    anchor: &str,
    title: &str,
    mut marks: Queue,
    book_file: &Path,
    usage: &mut Usage,
) -> String {
    let mut w = Writer::new(usage, book_file, lang);
    w.start("section", &[("epub:type", "part"), ("role", "doc-part"), ("aria-labelledby", anchor)], Set::Inherit);
    w.newline();
    marks.rest(&mut w);
    w.isolated_element("h1", &[("id", anchor), ("class", "part-title")], Set::Bold, title);
    w.newline();
    w.end("section");
    xhtml::document(lang, title, &[("epub:type", "bodymatter")], &w.finish())
}

/// `marks` and `n`: the print edition's contents pages, which begin at an entry (the
/// `n`th part or chapter, counted as the PDF's contents count them; the licences are not
/// in the PDF's).
fn contents_list(w: &mut Writer, entries: &[Entry], book_lang: &Lang, marks: &mut Queue, n: &mut u32) {
    w.start("ol", &[], Set::Inherit);
    w.newline();
    for e in entries {
        w.start("li", &[("class", e.class)], Set::Inherit);
        if e.href != LICENCES {
            *n += 1;
            marks.upto(w, Spot { doc: Doc::Contents, block: *n, word: u32::MAX });
        }
        let mut attrs = vec![("href", e.href.as_str())];
        if e.lang != *book_lang {
            attrs.extend(lang_attrs(&e.lang));
        }
        // The direction goes not on the link but on the title, and inside the byline (a
        // block): the entry keeps the alignment of the contents.
        w.start("a", &attrs, Set::Inherit);
        let title_dir = Dir::of_text(&e.title).or(Some(Dir::of(&e.lang)));
        let mut title_attrs = vec![("class", "toc-title")];
        title_attrs.extend(w.dir_attr(title_dir));
        w.text_element("span", &title_attrs, Set::Inherit, &e.title);
        if let Some(by) = &e.byline {
            w.text(" ");
            w.isolated_element("span", &[("class", "toc-byline")], Set::Inherit, by);
        }
        w.end("a");
        // The visible contents stop at the speeches; their sections are in the
        // navigation document, which reading systems show as their own menu.
        let children: Vec<Entry> = e.children.iter().filter(|c| c.class != "section").cloned().collect();
        if !children.is_empty() {
            w.newline();
            contents_list(w, &children, book_lang, marks, n);
        }
        w.end("li");
        w.newline();
    }
    w.end("ol");
}

/// The contents page in the reading order.
pub(super) fn contents(
    book: &Book,
    strings: &Strings,
    entries: &[Entry],
    mut marks: Queue,
    book_file: &Path,
    usage: &mut Usage,
) -> String {
    let lang = &book.meta.language;
    let mut w = Writer::new(usage, book_file, lang);
    w.start("nav", &[("role", "doc-toc"), ("class", "contents"), ("aria-labelledby", "contents-title")], Set::Inherit);
    w.newline();
    marks.upto(&mut w, Spot::start(Doc::Contents));
    w.text_element("h1", &[("id", "contents-title")], Set::Bold, strings.contents);
    w.newline();
    contents_list(&mut w, entries, lang, &mut marks, &mut 0);
    marks.rest(&mut w);
    w.newline();
    w.end("nav");
    xhtml::document(lang, strings.contents, &[("epub:type", "frontmatter")], &w.finish())
}
