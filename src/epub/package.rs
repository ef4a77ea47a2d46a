//! The package document's metadata beyond what epub-builder writes: the book's own
//! identifier, the subtitle, speakers, editors and translators with their roles, the
//! publisher and date, and the accessibility metadata of EPUB Accessibility 1.1, whose
//! conformance claim is made only when the model shows the book meets it.

use crate::anthology::AccessibilityClaim;
use crate::document::locale::Strings;
use crate::document::model::{plain_text, Block, BlockKind, Book};
use crate::lang::Lang;
use crate::xhtml::images::Images;
use crate::xhtml::{escape, Dir};

/// The conformance a book claims when every check of [`Accessibility::conforms`] passes.
pub(crate) const CONFORMS_TO: &str = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA";

/// What the model says about the book's accessibility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Accessibility {
    /// Images (the cover included) are part of the book.
    pub visual: bool,
    /// Every image has alt text.
    pub described: bool,
    pub footnotes: bool,
    /// The print edition's pages are marked and listed.
    pub pages: bool,
    /// Why the book does not claim conformance (empty: it does).
    pub gaps: Vec<String>,
}

impl Accessibility {
    pub(super) fn conforms(&self) -> bool {
        self.gaps.is_empty()
    }
}

fn tables_have_headers(blocks: &[Block]) -> bool {
    blocks.iter().all(|b| match &b.kind {
        BlockKind::Table { head, .. } => head.iter().any(|c| !plain_text(c).trim().is_empty()),
        BlockKind::Quote { blocks } => tables_have_headers(blocks),
        BlockKind::List { items, .. } => items.iter().all(|i| tables_have_headers(i)),
        _ => true,
    })
}

/// The checks behind the conformance claim, on the model. The renderer guarantees the
/// rest by construction: a language on every document, titles, heading levels without
/// gaps, unique ids, links with text, header cells in tables, notes linked both ways.
/// `pages`: the EPUB has the print edition's page list.
pub(super) fn accessibility(book: &Book, images: &Images, pages: bool) -> Accessibility {
    let mut gaps = Vec::new();
    if images.undescribed > 0 {
        gaps.push(format!("{} image(s) without alt text", images.undescribed));
    }
    if !book
        .chapters()
        .all(|c| tables_have_headers(&c.blocks) && c.footnotes.iter().all(|n| tables_have_headers(&n.blocks)))
    {
        gaps.push("a table without header cells".into());
    }
    if book.chapters().any(|c| c.meta.title.trim().is_empty()) {
        gaps.push("a chapter without a title".into());
    }
    Accessibility {
        visual: images.cover.is_some() || images.uses > 0,
        described: images.undescribed == 0,
        footnotes: book.chapters().any(|c| !c.footnotes.is_empty()),
        pages,
        gaps,
    }
}

/// The accessibility summary, in the book's language.
fn summary(a: &Accessibility, strings: &Strings) -> String {
    let mut s = vec![strings.a11y_summary];
    if a.visual {
        s.push(if a.described { strings.a11y_images_described } else { strings.a11y_images_undescribed });
    }
    if a.footnotes {
        s.push(strings.a11y_footnotes);
    }
    if a.pages {
        s.push(strings.a11y_pages);
    }
    if a.conforms() {
        s.push(strings.a11y_conforms);
    }
    s.join(" ")
}

/// The people of the book, each once, with all their roles: editors, then speakers in
/// the order they first speak, then translators.
fn people(book: &Book) -> Vec<(String, Vec<&'static str>)> {
    let mut out: Vec<(String, Vec<&'static str>)> = Vec::new();
    let mut add = |name: &str, role: &'static str| {
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, roles)) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => out.push((name.to_string(), vec![role])),
        }
    };
    book.meta.editors.iter().for_each(|e| add(e, "edt"));
    book.chapters().flat_map(|c| c.meta.speakers.iter()).for_each(|s| add(s, "aut"));
    book.chapters().flat_map(|c| c.meta.translators.iter()).for_each(|t| add(t, "trl"));
    out
}

/// The metadata epub-builder cannot write, as `<metadata>` children; `claim`: the book
/// file's `[accessibility]`.
pub(super) fn metadata(book: &Book, a11y: &Accessibility, strings: &Strings, claim: &AccessibilityClaim) -> String {
    let m = &book.meta;
    let mut out = Vec::new();
    let meta = |property: &str, value: &str| format!("<meta property=\"{property}\">{}</meta>", escape(value));
    if let Some(s) = &m.subtitle {
        out.push(format!("<dc:title id=\"subtitle\">{}</dc:title>", escape(s)));
        out.push("<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>".to_string());
    }
    for (i, (name, roles)) in people(book).iter().enumerate() {
        // Translators contributed; editors and speakers made the book.
        let element = if roles.iter().all(|r| *r == "trl") { "dc:contributor" } else { "dc:creator" };
        let id = format!("person-{}", i + 1);
        out.push(format!("<{element} id=\"{id}\">{}</{element}>", escape(name)));
        for r in roles {
            out.push(format!("<meta refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\">{r}</meta>"));
        }
    }
    if let Some(p) = &m.publisher {
        out.push(format!("<dc:publisher>{}</dc:publisher>", escape(p)));
    }
    if let Some(d) = &m.date {
        out.push(format!("<dc:date>{d}</dc:date>"));
    }
    out.push(meta("schema:accessMode", "textual"));
    if a11y.visual {
        out.push(meta("schema:accessMode", "visual"));
    }
    if !a11y.visual || a11y.described {
        out.push(meta("schema:accessModeSufficient", "textual"));
    }
    if a11y.visual {
        out.push(meta("schema:accessModeSufficient", "textual,visual"));
    }
    for f in features(a11y) {
        out.push(meta("schema:accessibilityFeature", f));
    }
    // Text, still images and links only: nothing flashes, moves or sounds.
    out.push(meta("schema:accessibilityHazard", "none"));
    out.push(meta("schema:accessibilitySummary", &summary(a11y, strings)));
    if a11y.pages {
        // The printed book the page numbers are from: its ISBN (the book file's), else
        // the book's identifier.
        let source = m.isbn.as_ref().map_or_else(|| m.identifier.clone(), |i| format!("urn:isbn:{i}"));
        out.push(meta("pageBreakSource", &source));
    }
    // The publisher's own statement stands in place of the one derived from the book.
    match &claim.conforms_to {
        Some(c) => out.push(meta("dcterms:conformsTo", c)),
        None if a11y.conforms() => out.push(meta("dcterms:conformsTo", CONFORMS_TO)),
        None => {}
    }
    if let Some(by) = &claim.certified_by {
        out.push(format!("<meta property=\"a11y:certifiedBy\" id=\"certifier\">{}</meta>", escape(by)));
        if let Some(c) = &claim.certifier_credential {
            out.push(format!(
                "<meta refines=\"#certifier\" property=\"a11y:certifierCredential\">{}</meta>",
                escape(c)
            ));
        }
        if let Some(r) = &claim.certifier_report {
            out.push(format!("<link refines=\"#certifier\" rel=\"a11y:certifierReport\" href=\"{}\"/>", escape(r)));
        }
    }
    out.iter().map(|l| format!("    {l}\n")).collect()
}

/// The `accessibilityFeature`s the book has, from what is in it. Tables are not among
/// them: the vocabulary has no such value (Ace rejects `tables`); their header cells are
/// a condition of the conformance claim instead. No `MathML`: Tribune writes none.
fn features(a: &Accessibility) -> Vec<&'static str> {
    let mut f = vec!["structuralNavigation", "tableOfContents", "readingOrder"];
    if a.visual && a.described {
        f.push("alternativeText");
    }
    if a.pages {
        f.extend(["printPageNumbers", "pageNavigation"]);
    }
    f.push("displayTransformability");
    f
}

/// epub-builder insists on a `urn:uuid:` identifier: this one, derived from the book's
/// identifier, is the stand-in that [`finish_opf`] replaces.
pub(super) fn stand_in_uuid(identifier: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, identifier.as_bytes())
}

/// The spine's `page-progression-direction` set to `dir`, whatever epub-builder wrote
/// (its 0.8 always writes `ltr`: its `epub_direction` setter is stored but never read).
fn set_progression(opf: &str, dir: Dir) -> Result<String, String> {
    let start = match opf
        .match_indices("<spine")
        .find(|(i, _)| opf[i + "<spine".len()..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/'))
    {
        Some((i, _)) => i,
        None => return Err("the package document from epub-builder has no <spine>".into()),
    };
    let end = start + opf[start..].find('>').ok_or("the package document from epub-builder has no <spine>")?;
    let tag = &opf[start..end];
    const ATTR: &str = " page-progression-direction=\"";
    let new_tag = match tag.find(ATTR) {
        Some(a) => {
            let value = a + ATTR.len();
            let close = value + tag[value..].find('"').ok_or("a <spine> attribute from epub-builder is not closed")?;
            format!("{}{}{}", &tag[..value], dir.attr(), &tag[close..])
        }
        None => format!("<spine{ATTR}{}\"{}", dir.attr(), &tag["<spine".len()..]),
    };
    Ok(format!("{}{new_tag}{}", &opf[..start], &opf[end..]))
}

/// The package document as epub-builder wrote it, finished: the book's language on the
/// package (its default for all metadata, which accessibility checkers ask for) and, for a
/// book right to left, its direction there and the spine's page progression from right to
/// left; the book's identifier in place of the stand-in, and `extra` metadata added.
pub(super) fn finish_opf(
    opf: Vec<u8>,
    lang: &Lang,
    stand_in: &str,
    identifier: &str,
    extra: &str,
) -> Result<Vec<u8>, String> {
    let opf = String::from_utf8(opf).map_err(|_| "epub-builder wrote a package document that is not UTF-8")?;
    if opf.matches("<package ").count() != 1 {
        return Err("the package document from epub-builder has no <package> element".into());
    }
    let dir = Dir::of(lang);
    let dir_attr = if dir == Dir::Rtl { " dir=\"rtl\"" } else { "" };
    let opf = opf.replacen("<package ", &format!("<package xml:lang=\"{}\"{dir_attr} ", escape(lang.as_str())), 1);
    let opf = set_progression(&opf, dir)?;
    let old = format!(">{stand_in}</dc:identifier>");
    if opf.matches(&old).count() != 1 {
        return Err("the package document from epub-builder has no identifier to replace".into());
    }
    let opf = opf.replacen(&old, &format!(">{}</dc:identifier>", escape(identifier)), 1);
    // epub-builder's template leaves the lines of its empty conditionals behind.
    let opf: String = opf.lines().filter(|l| !l.trim().is_empty()).flat_map(|l| [l, "\n"]).collect();
    let end = opf.find("</metadata>").ok_or("the package document from epub-builder has no </metadata>")?;
    let mut out = String::with_capacity(opf.len() + extra.len());
    out.push_str(opf[..end].trim_end());
    out.push('\n');
    out.push_str(extra);
    out.push_str("  ");
    out.push_str(&opf[end..]);
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identifier_is_replaced_and_metadata_added() {
        let opf = b"<package version=\"3.0\"><metadata>\n<dc:identifier id=\"epub-id-1\">urn:uuid:x</dc:identifier>\n\n  \n</metadata><spine toc=\"ncx\" page-progression-direction=\"ltr\">".to_vec();
        let out =
            finish_opf(opf, &Lang::of("de"), "urn:uuid:x", "urn:isbn:978&", "    <dc:publisher>P</dc:publisher>\n")
                .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("<package xml:lang=\"de\" version=\"3.0\">"), "{out}");
        assert!(!out.contains("\n\n"), "{out}");
        assert!(out.contains(">urn:isbn:978&amp;</dc:identifier>"), "{out}");
        assert!(out.contains("<dc:publisher>P</dc:publisher>\n  </metadata>"), "{out}");
        assert!(out.contains("</metadata><spine toc=\"ncx\" page-progression-direction=\"ltr\">"), "{out}");
        let no_id = b"<package ><metadata></metadata><spine>".to_vec();
        let e = finish_opf(no_id, &Lang::of("de"), "urn:uuid:x", "y", "").unwrap_err();
        assert!(e.contains("no identifier"), "{e}");
    }

    #[test]
    fn a_book_right_to_left_turns_its_pages_right_to_left() {
        let opf = b"<package version=\"3.0\"><metadata>\n<dc:identifier>urn:uuid:x</dc:identifier>\n</metadata><spine toc=\"ncx\" page-progression-direction=\"ltr\">\n<itemref idref=\"a\"/></spine>".to_vec();
        let out = finish_opf(opf, &Lang::of("ar"), "urn:uuid:x", "id", "").unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("<package xml:lang=\"ar\" dir=\"rtl\" version=\"3.0\">"), "{out}");
        assert!(out.contains("<spine toc=\"ncx\" page-progression-direction=\"rtl\">\n<itemref"), "{out}");
        // Without the attribute (another version of epub-builder), it is added.
        assert_eq!(
            set_progression("<spinet/><spine toc=\"ncx\">", Dir::Rtl).unwrap(),
            "<spinet/><spine page-progression-direction=\"rtl\" toc=\"ncx\">"
        );
        assert_eq!(set_progression("<spine>", Dir::Ltr).unwrap(), "<spine page-progression-direction=\"ltr\">");
        assert!(set_progression("<package/>", Dir::Rtl).is_err());
    }
}
