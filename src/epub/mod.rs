//! The EPUB 3 renderer: the document model as XHTML content documents (one per chapter,
//! plus cover, title page, copyright page, contents, part pages and font licences), the
//! navigation, the package metadata with accessibility, the fonts the text needs and the
//! images, packed reproducibly.
//!
//! The package is assembled with epub-builder (manifest, spine, guide, the core of the
//! package document) and its `ZipLibrary`, and Tribune extends around what it cannot
//! express:
//!
//! - **The container.** `ZipLibrary` dates every entry with the clock, so two builds
//!   would differ, and epub-builder's `Zip` trait is private, so no other packer can be
//!   handed to it. [`zip::repack`] packs its archive once more: `mimetype` first and
//!   stored, the entries in epub-builder's order, each dated with the book's modification
//!   time (`SOURCE_DATE_EPOCH` or the sources'), fixed compression. Same sources, same
//!   bytes.
//! - **The navigation document and `toc.ncx`.** epub-builder's templates give the
//!   navigation document no language (an accessibility failure), show a landmark only
//!   for a page that is also in the table of contents, and give the NCX no `dtb:uid`
//!   and the contents' name for the book's title. Tribune writes both itself ([`nav`])
//!   and the re-packing puts them in place of epub-builder's.
//! - **The package metadata.** epub-builder numbers `dc:language` and `dc:creator` ids
//!   from the same `epub-creator-N` (a book with a language and a speaker gets a
//!   duplicate id, which EPUBCheck rejects), has no subtitle, editor, translator,
//!   publisher or partial date, writes only `urn:uuid:` identifiers, and its public API
//!   adds nothing to the metadata but `<meta>` elements (the trait for more is private).
//!   So epub-builder writes title, languages, description, rights, `dcterms:modified`,
//!   the cover and the manifest, and [`package::finish_opf`] finishes its package
//!   document during the re-packing: the book's language on `<package>` (which Ace
//!   asks for), the book's identifier (`urn:isbn:…`) in place of the stand-in UUID, and
//!   the people with their MARC roles, the publisher, the date and the accessibility
//!   metadata added. A book whose language runs right to left gets `dir="rtl"` on the
//!   package and `page-progression-direction="rtl"` on the spine there too: epub-builder
//!   0.8 writes `ltr` whatever its `epub_direction` is told.
//! - **Direction.** Every document says which way it runs (`dir` on `html` when right to
//!   left), and so does every block and span inside that runs the other way
//!   (`xhtml::Flow`, `xhtml::Writer::isolated`); one style sheet serves both ways.
//!
//! A file to finish that epub-builder did not write (a future version that names its
//! files differently) fails the build rather than pack a book without it.

mod matter;
mod nav;
mod package;
mod zip;

pub use crate::xhtml::images::{MAX_COVER_PIXELS, MAX_COVER_SIZE};

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::locale;
use crate::document::model::{Book, Chapter};
use crate::document::pages::{self, PageMap};
use crate::incremental::Cache;
use crate::parallel::parallel_map;
use crate::project::{AtomicFile, Project};
use crate::xhtml::pagelist::Marks;
use crate::xhtml::{body, fonts, images, Usage};
use crate::Prepared;
use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, ZipLibrary};
use nav::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// One content document in reading order.
struct Doc {
    href: String,
    xhtml: String,
    /// For the EPUB 2 guide: its type and title.
    guide: Option<(ReferenceType, String)>,
    /// A chapter's document, made on its own (its `xhtml` is then empty): its text, its
    /// characters and its zip entry.
    chapter: Option<Arc<ChapterDoc>>,
}

/// A chapter's EPUB document as it goes into the package, made once and kept between
/// builds by `watch` and `serve` (`incremental`): the XHTML, the sections the navigation
/// lists, the faces and characters its text uses, every character of the document (for
/// the font subsets) and its zip entry, deflated.
pub(crate) struct ChapterDoc {
    sections: Vec<body::Section>,
    usage: Usage,
    chars: BTreeSet<char>,
    packed: Vec<u8>,
}

/// The document of `c`, the `index`th chapter of the book at outline level `level`: from
/// `kept` (the cache and the hash of the package's context) when an earlier build made
/// it from the same chapter, level and printed pages, else written, counted and deflated
/// now (and kept).
fn chapter_doc(
    c: &Chapter,
    index: usize,
    level: u8,
    cx: &body::Context<'_>,
    kept: Option<(&Cache, u64)>,
) -> Result<Arc<ChapterDoc>, String> {
    let marks = cx.marks.of(pages::Doc::Chapter(index));
    if let Some(doc) = kept.and_then(|(cache, context)| cache.epub_doc(context, c, level, index, marks)) {
        return Ok(doc);
    }
    let mut usage = Usage::default();
    let r = body::render(c, index, level, cx, &mut usage);
    let mut chars = BTreeSet::new();
    fonts::chars_of(&r.xhtml, &mut chars);
    let name = format!("OEBPS/{}", body::file_name(c, "xhtml"));
    let packed = zip::pack_entry(&name, r.xhtml.as_bytes())?;
    let doc = Arc::new(ChapterDoc { sections: r.sections, usage, chars, packed });
    if let Some((cache, context)) = kept {
        cache.keep_epub_doc(context, c, level, index, marks, doc.clone());
    }
    Ok(doc)
}

/// Write `prep` as an EPUB to `file`. Problems go to `report`; with any error nothing is
/// written and a previous file stays as it was.
/// `pages`: where the print edition's pages begin, for the page list (none without).
pub(crate) fn write(prep: &Prepared, project: &Project, file: &Path, pages: Option<&PageMap>, report: &mut Report) {
    let errors = report.errors();
    let Some(bytes) = package(prep, project, pages, report) else { return };
    if report.errors() > errors {
        return;
    }
    let written = AtomicFile::create(file).and_then(|mut f| {
        f.write_all(&bytes).map_err(|e| Diagnostic::io(file, &e, "write the EPUB"))?;
        f.commit()
    });
    if let Err(d) = written {
        report.push(d);
    }
}

/// The chapters' documents and the table of contents, in reading order.
struct Text {
    docs: Vec<Doc>,
    entries: Vec<Entry>,
    /// The first document of the body matter (a part's page or the first speech).
    bodymatter: Option<String>,
}

fn chapter_entry(
    c: &Chapter,
    book_lang: &crate::lang::Lang,
    sections: Vec<body::Section>,
    class: &'static str,
) -> Entry {
    let href = body::file_name(c, "xhtml");
    let children = sections
        .into_iter()
        .map(|s| Entry {
            href: format!("{href}#{}", s.anchor),
            title: s.title,
            lang: c.meta.language.clone(),
            class: "section",
            byline: None,
            children: Vec::new(),
        })
        .collect();
    let byline =
        (!c.meta.speakers.is_empty()).then(|| locale::strings_in(&c.meta.language, book_lang).list(&c.meta.speakers));
    Entry { href, title: c.meta.title.clone(), lang: c.meta.language.clone(), class, byline, children }
}

fn text(
    book: &Book,
    cx: &body::Context<'_>,
    book_file: &Path,
    usage: &mut Usage,
    kept: Option<(&Cache, u64)>,
) -> Result<Text, String> {
    let mut t = Text { docs: Vec::new(), entries: Vec::new(), bodymatter: None };
    // Each chapter's document is written and deflated on its own, so side by side; then
    // taken in reading order, its characters merged in that order.
    let mut chapters: Vec<(&Chapter, u8)> = book.front.iter().map(|c| (c, 1)).collect();
    for part in &book.parts {
        let level = if part.title.is_some() { 2 } else { 1 };
        chapters.extend(part.chapters.iter().map(|c| (c, level)));
    }
    chapters.extend(book.back.iter().map(|c| (c, 1)));
    let numbered: Vec<(usize, &Chapter, u8)> = chapters.into_iter().enumerate().map(|(i, (c, l))| (i, c, l)).collect();
    let mut docs = parallel_map(&numbered, |&(index, c, level)| chapter_doc(c, index, level, cx, kept)).into_iter();
    let mut add_chapter = |t: &mut Text, c: &Chapter, usage: &mut Usage| {
        let doc = docs.next().ok_or_else(|| format!("no document was written for `{}`", c.anchor))??;
        usage.merge(&doc.usage);
        let sections = doc.sections.clone();
        t.docs.push(Doc { href: body::file_name(c, "xhtml"), xhtml: String::new(), guide: None, chapter: Some(doc) });
        Ok::<_, String>(sections)
    };
    for c in &book.front {
        let sections = add_chapter(&mut t, c, usage)?;
        t.entries.push(chapter_entry(c, &book.meta.language, sections, "matter"));
    }
    for (p, part) in book.parts.iter().enumerate() {
        let mut speeches = Vec::new();
        let first = t.docs.len();
        if let Some(title) = &part.title {
            let href = format!("{}.xhtml", part.anchor);
            let marks = cx.marks.queue(pages::Doc::Part(p));
            let page = matter::part_page(&book.meta.language, &part.anchor, title, marks, book_file, usage);
            t.docs.push(Doc { href, xhtml: page, guide: None, chapter: None });
        }
        for c in &part.chapters {
            let sections = add_chapter(&mut t, c, usage)?;
            speeches.push(chapter_entry(c, &book.meta.language, sections, "speech"));
        }
        if t.bodymatter.is_none() {
            t.bodymatter = t.docs.get(first).map(|d| d.href.clone());
        }
        match &part.title {
            Some(title) => t.entries.push(Entry {
                href: format!("{}.xhtml", part.anchor),
                title: title.clone(),
                lang: book.meta.language.clone(),
                class: "part",
                byline: None,
                children: speeches,
            }),
            None => t.entries.extend(speeches),
        }
    }
    for c in &book.back {
        let sections = add_chapter(&mut t, c, usage)?;
        t.entries.push(chapter_entry(c, &book.meta.language, sections, "matter"));
    }
    Ok(t)
}

/// The file of a document of the book, `None` for one the book does not have.
fn doc_file(book: &Book, doc: pages::Doc) -> Option<String> {
    Some(match doc {
        pages::Doc::Title => matter::TITLE.to_string(),
        pages::Doc::Copyright => matter::COPYRIGHT.to_string(),
        pages::Doc::Contents => matter::CONTENTS.to_string(),
        pages::Doc::Part(i) => {
            let part = book.parts.get(i).filter(|p| p.title.is_some())?;
            format!("{}.xhtml", part.anchor)
        }
        pages::Doc::Chapter(i) => body::file_name(book.chapters().nth(i)?, "xhtml"),
    })
}

/// The pages of the front and back matter that name the fonts: the copyright page, the
/// font licences and the contents.
struct Matter {
    copyright: String,
    licences: Option<String>,
    contents: String,
}

/// The copyright and licence pages name the fonts, and their own text is set in them:
/// plan the fonts, write the pages, and plan again until nothing changes (the usage
/// returned counts the pages too). The pages add
/// only plain text, so this settles at once; the bound only guards the loop. The contents
/// gain the licences' entry; the plan is made from all the text, so characters missing
/// from every font are found on these pages too.
fn settle_matter(
    prep: &Prepared,
    project: &Project,
    text: &mut Text,
    usage: &Usage,
    marks: &Marks,
    report: &mut Report,
) -> Option<(fonts::Plan, Matter, Usage)> {
    let book = &prep.book;
    let lang = &book.meta.language;
    let strings = locale::strings(lang);
    let book_file = prep.anthology.shown.as_path();
    let subset = prep.style.epub.embed_fonts == crate::style::EmbedFonts::Subset;
    let mut plan = fonts::plan(project, &prep.style.fonts, &prep.style.source, usage, subset, report)?;
    let mut rounds = 0;
    loop {
        rounds += 1;
        let mut u = usage.clone();
        let licences_entry = (!plan.licences.is_empty()).then(|| Entry {
            href: matter::LICENCES.to_string(),
            title: strings.font_licences.to_string(),
            lang: lang.clone(),
            class: "matter",
            byline: None,
            children: Vec::new(),
        });
        let mut entries = text.entries.clone();
        entries.extend(licences_entry);
        let licences = matter::licences(book, strings, &plan, book_file, &mut u);
        let copyright = matter::copyright(book, strings, &plan, marks.queue(pages::Doc::Copyright), book_file, &mut u);
        let contents = matter::contents(book, strings, &entries, marks.queue(pages::Doc::Contents), book_file, &mut u);
        let again = fonts::plan(project, &prep.style.fonts, &prep.style.source, &u, subset, report)?;
        let settled = again.same_fonts(&plan);
        plan = again;
        if settled || rounds == 3 {
            text.entries = entries;
            return Some((plan, Matter { copyright, licences, contents }, u));
        }
    }
}

/// The XHTML documents in reading order: cover, title page, copyright, contents, the
/// text, the font licences.
fn documents(
    strings: &locale::Strings,
    cover_page: Option<String>,
    title_page: String,
    matter: Matter,
    text: Text,
) -> Vec<Doc> {
    let mut docs = Vec::new();
    if let Some(page) = cover_page {
        docs.push(Doc {
            href: matter::COVER.into(),
            xhtml: page,
            guide: Some((ReferenceType::Cover, strings.cover.into())),
            chapter: None,
        });
    }
    docs.push(Doc {
        href: matter::TITLE.into(),
        xhtml: title_page,
        guide: Some((ReferenceType::TitlePage, strings.title_page.into())),
        chapter: None,
    });
    docs.push(Doc {
        href: matter::COPYRIGHT.into(),
        xhtml: matter.copyright,
        guide: Some((ReferenceType::Copyright, strings.copyright.into())),
        chapter: None,
    });
    docs.push(Doc { href: matter::CONTENTS.into(), xhtml: matter.contents, guide: None, chapter: None });
    for mut d in text.docs {
        if Some(&d.href) == text.bodymatter.as_ref() {
            d.guide = Some((ReferenceType::Text, strings.start.into()));
        }
        docs.push(d);
    }
    if let Some(l) = matter.licences {
        docs.push(Doc { href: matter::LICENCES.into(), xhtml: l, guide: None, chapter: None });
    }
    docs
}

/// The EPUB's bytes, or `None` after reporting why there are none.
pub(crate) fn package(
    prep: &Prepared,
    project: &Project,
    pages: Option<&PageMap>,
    report: &mut Report,
) -> Option<Vec<u8>> {
    let book = &prep.book;
    let lang = &book.meta.language;
    let strings = locale::strings(lang);
    let book_file = prep.anthology.shown.as_path();
    let errors = report.errors();

    let images = images::collect(book, &prep.anthology, report);
    let mut usage = Usage::default();
    let anchors = body::anchor_files(book, "xhtml");
    let marks = Marks::new(pages);
    let cx = body::Context {
        book_lang: lang,
        strings,
        images: &images.href,
        anchors: &anchors,
        marks: &marks,
        syntax: crate::xhtml::Syntax::Xhtml,
        ext: "xhtml",
    };
    // What a chapter's document depends on besides the chapter, its level and its pages.
    let kept = prep
        .cache
        .as_deref()
        .map(|cache| (cache, crate::incremental::hash_of((lang, &images.href, &anchors, env!("CARGO_PKG_VERSION")))));
    let mut text = match text(book, &cx, book_file, &mut usage, kept) {
        Ok(t) => t,
        Err(e) => {
            report.push(
                Diagnostic::error(Kind::Internal, format!("cannot make the EPUB: {e}"))
                    .at_file(book_file)
                    .with_hint("this is a fault in Tribune; please report it with the book that shows it"),
            );
            return None;
        }
    };
    let title_page = matter::title_page(book, strings, marks.queue(pages::Doc::Title), book_file, &mut usage);
    let (mut plan, matter, usage) = settle_matter(prep, project, &mut text, &usage, &marks, report)?;
    if report.errors() > errors {
        return None;
    }
    plan.report_missing(report);

    let landmarks = nav::Landmarks {
        cover: images.cover.as_ref().map(|_| matter::COVER),
        toc: matter::CONTENTS,
        bodymatter: text.bodymatter.as_deref(),
    };
    let page_list = marks.entries(pages, |doc| doc_file(book, doc));
    let nav_doc = nav::nav_document(book, strings, &text.entries, &landmarks, &page_list);
    // Every character of the package's documents, for the font subsets.
    let mut chars: std::collections::BTreeSet<char> = fonts::GENERATED.chars().collect();
    fonts::chars_of(&nav_doc, &mut chars);
    let nav_doc = nav_doc.into_bytes();
    let ncx = nav::ncx(book, &book.meta.identifier, &text.entries, &page_list, strings.pages).into_bytes();
    let a11y = package::accessibility(book, &images, !page_list.is_empty());
    let extra = package::metadata(book, &a11y, strings, &prep.anthology.accessibility);
    let stand_in = package::stand_in_uuid(&book.meta.identifier);
    let stand_in_urn = stand_in.urn().to_string();
    let identifier = book.meta.identifier.clone();
    let opf_lang = lang.clone();

    let mut finish: BTreeMap<String, zip::Finish> = BTreeMap::new();
    finish.insert(
        "OEBPS/content.opf".into(),
        Box::new(move |opf| package::finish_opf(opf, &opf_lang, &stand_in_urn, &identifier, &extra)),
    );
    finish.insert("OEBPS/nav.xhtml".into(), Box::new(move |_| Ok(nav_doc)));
    finish.insert("OEBPS/toc.ncx".into(), Box::new(move |_| Ok(ncx)));

    let cover_page = images.cover.as_ref().map(|(cover, alt)| matter::cover(book, strings, &cover.href, alt));
    let docs = documents(strings, cover_page, title_page, matter, text);
    let css = format!("{}\n{}", prep.style.css.trim_end(), plan.css());
    let mut packed: BTreeMap<String, &[u8]> = BTreeMap::new();
    for d in &docs {
        match &d.chapter {
            Some(c) => {
                chars.extend(&c.chars);
                packed.insert(format!("OEBPS/{}", d.href), &c.packed);
            }
            None => fonts::chars_of(&d.xhtml, &mut chars),
        }
    }
    fonts::chars_of(&css, &mut chars);
    plan.subset(&chars, &usage, &css, &prep.style.source, report);
    let built = assemble(book, strings, stand_in, &css, &plan, &images, &docs);
    let packed = built
        .map_err(|e| format!("epub-builder failed: {e}"))
        .and_then(|bytes| zip::repack(&bytes, book.modified, finish, &packed));
    match packed {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            report.push(
                Diagnostic::error(Kind::Internal, format!("cannot make the EPUB: {e}"))
                    .at_file(book_file)
                    .with_hint("this is a fault in Tribune; please report it with the book that shows it"),
            );
            None
        }
    }
}

/// The archive as epub-builder packs it: metadata, style sheet, fonts, images and
/// documents (its navigation, NCX and package document are completed afterwards).
fn assemble(
    book: &Book,
    strings: &locale::Strings,
    stand_in: uuid::Uuid,
    css: &str,
    plan: &fonts::Plan,
    images: &images::Images,
    docs: &[Doc],
) -> Result<Vec<u8>, epub_builder::Error> {
    let mut b = EpubBuilder::new(ZipLibrary::new()?)?;
    b.epub_version(EpubVersion::V33);
    b.escape_html(true);
    b.set_title(book.meta.title.as_str());
    for l in &book.languages {
        b.add_language(l.as_str());
    }
    if let Some(d) = &book.meta.description {
        b.add_description(d.as_str());
    }
    if let Some(r) = &book.meta.rights {
        b.set_license(r.as_str());
    }
    if let Some(t) = chrono::DateTime::from_timestamp(book.modified, 0) {
        b.set_modified_date(t);
    }
    b.set_uuid(stand_in);
    b.set_generator(format!("Tribune {}", env!("CARGO_PKG_VERSION")));
    b.set_toc_name(strings.contents);
    b.stylesheet(css.as_bytes())?;
    for f in &plan.embedded {
        b.add_resource(&f.href, &f.bytes[..], f.media_type)?;
    }
    if let Some((cover, _)) = &images.cover {
        b.add_cover_image(&cover.href, &cover.bytes[..], cover.media_type)?;
    }
    for i in &images.files {
        b.add_resource(&i.href, &i.bytes[..], i.media_type)?;
    }
    for d in docs {
        let mut content = EpubContent::new(d.href.as_str(), d.xhtml.as_bytes());
        if let Some((kind, title)) = &d.guide {
            content = content.title(title.as_str()).reftype(*kind);
        }
        b.add_content(content)?;
    }
    let mut out = Vec::new();
    b.generate(&mut out)?;
    Ok(out)
}
