//! One chapter of the model (a speech, the introduction, the afterword) as one XHTML
//! document: its title, the byline, every kind of block and inline, the source and
//! translator, and its footnotes as EPUB 3 footnotes linked both ways.

use crate::document::locale::{self, Strings};
use crate::document::model::{
    footnote_anchor, footnote_ref_anchor, plain_text, Align, Block, BlockKind, Chapter, ChapterKind, Footnote,
    ImageRef, Inline,
};
use crate::document::pages::{Doc, Spot, WordCounter};
use crate::lang::Lang;
use crate::library::SpeechDate;
use crate::xhtml::pagelist::{Marks, Queue};
use crate::xhtml::{self, Flow, Set, Usage, Writer};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What every chapter needs to know of the book.
pub(crate) struct Context<'a> {
    pub book_lang: &'a Lang,
    /// Words in the book's language.
    pub strings: &'static Strings,
    /// Where each image went in the package, by its path on disk.
    pub images: &'a BTreeMap<PathBuf, String>,
    /// The file of each chapter's and heading's anchor, for links inside the book.
    pub anchors: &'a BTreeMap<String, String>,
    /// Where the print edition's pages begin (the EPUB; none on the site).
    pub marks: &'a Marks,
    /// XHTML for the EPUB, HTML for the site.
    pub syntax: xhtml::Syntax,
    /// The extension of a chapter's file (`xhtml`, `html`).
    pub ext: &'a str,
}

/// The file each anchor a link inside the book can name (a chapter's, a heading's) is in.
pub(crate) fn anchor_files(book: &crate::document::Book, ext: &str) -> BTreeMap<String, String> {
    fn headings(blocks: &[Block], file: &str, out: &mut BTreeMap<String, String>) {
        for b in blocks {
            match &b.kind {
                BlockKind::Heading { anchor, .. } => {
                    out.insert(anchor.clone(), file.to_string());
                }
                BlockKind::Quote { blocks } => headings(blocks, file, out),
                BlockKind::List { items, .. } => items.iter().for_each(|i| headings(i, file, out)),
                _ => {}
            }
        }
    }
    let mut out = BTreeMap::new();
    for c in book.chapters() {
        let file = file_name(c, ext);
        out.insert(c.anchor.clone(), file.clone());
        headings(&c.blocks, &file, &mut out);
    }
    out
}

/// A heading of a chapter for the navigation: the chapter's own sections.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub anchor: String,
    pub title: String,
}

pub(crate) struct Rendered {
    pub xhtml: String,
    pub sections: Vec<Section>,
}

/// The file of a chapter in the package (`ext` `xhtml`) or the site (`html`).
pub(crate) fn file_name(chapter: &Chapter, ext: &str) -> String {
    format!("{}.{ext}", chapter.anchor)
}

/// `lang` and `xml:lang`, which XHTML wants together and equal.
pub(crate) fn lang_attrs(lang: &Lang) -> [(&'static str, &str); 2] {
    [("lang", lang.as_str()), ("xml:lang", lang.as_str())]
}

/// Heading levels in the output: the chapter's title is `title`, and the headings inside
/// it nest below it without skipping a level, whatever levels the author typed (`#` then
/// `###` become the title's level + 1 and + 2; a lone `###` becomes + 1).
pub(crate) struct Levels {
    title: u8,
    open: Vec<(u8, u8)>,
}

impl Levels {
    pub(crate) fn new(title: u8) -> Levels {
        Levels { title, open: Vec::new() }
    }

    pub(crate) fn level(&mut self, source: u8) -> u8 {
        while self.open.last().is_some_and(|&(s, _)| s >= source) {
            self.open.pop();
        }
        let out = (self.open.last().map_or(self.title, |&(_, o)| o) + 1).min(6);
        self.open.push((source, out));
        out
    }
}

/// `href` made safe as a URL in an attribute: characters a URL may not hold literally
/// are percent-encoded (the text of the link keeps them).
fn url_attr(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            ' ' | '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^' => out.push_str(&format!("%{:02X}", c as u32)),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A letter for the `n`th call of a note called more than once: `a`, `b`, … `z`, `aa`, ….
fn call_label(n: u32) -> String {
    let mut n = n.max(1) - 1;
    let mut s = Vec::new();
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.iter().rev().collect()
}

struct Body<'a, 'u> {
    w: Writer<'u>,
    cx: &'a Context<'a>,
    chapter: &'a Chapter,
    levels: Levels,
    sections: Vec<Section>,
    /// Inside a footnote, headings are set as bold paragraphs: an outline heading in a
    /// pop-up note would break the chapter's heading order.
    in_note: bool,
    /// The chapter as a document of the book, the print edition's page markers still to
    /// write in it, the block being written (counted as the PDF counts them, see
    /// [`Spot`]) and the words of its text so far.
    doc: Doc,
    marks: Queue<'a>,
    block: u32,
    words: Option<WordCounter>,
}

/// Render `chapter`, whose title is a heading of level `title_level` (1, or 2 under a
/// titled part); it is chapter `index` of the book in reading order.
pub(crate) fn render(
    chapter: &Chapter,
    index: usize,
    title_level: u8,
    cx: &Context<'_>,
    usage: &mut Usage,
) -> Rendered {
    let (body, sections) = render_body(chapter, index, title_level, cx, usage);
    let body_type = match chapter.kind {
        ChapterKind::Introduction => "frontmatter",
        ChapterKind::Speech => "bodymatter",
        ChapterKind::Afterword => "backmatter",
    };
    let xhtml = xhtml::document(&chapter.meta.language, &chapter.meta.title, &[("epub:type", body_type)], &body);
    Rendered { xhtml, sections }
}

/// The chapter's `section` (title, byline, text, source, notes) alone, in the syntax
/// `cx` asks for, and its sections for a table of contents; `index` as for [`render`]
/// (where the print edition's pages begin in it, when `cx` has them).
pub(crate) fn render_body(
    chapter: &Chapter,
    index: usize,
    title_level: u8,
    cx: &Context<'_>,
    usage: &mut Usage,
) -> (String, Vec<Section>) {
    let doc = Doc::Chapter(index);
    let mut b = Body {
        w: Writer::new(usage, &chapter.source, &chapter.meta.language).with_syntax(cx.syntax),
        cx,
        chapter,
        levels: Levels::new(title_level),
        sections: Vec::new(),
        in_note: false,
        doc,
        marks: cx.marks.queue(doc),
        block: 0,
        words: None,
    };
    b.chapter(title_level);
    let sections = std::mem::take(&mut b.sections);
    (b.w.finish(), sections)
}

impl Body<'_, '_> {
    fn chapter(&mut self, title_level: u8) {
        let c = self.chapter;
        let (epub_type, role) = match c.kind {
            ChapterKind::Introduction => ("introduction", "doc-introduction"),
            ChapterKind::Speech => ("chapter", "doc-chapter"),
            ChapterKind::Afterword => ("afterword", "doc-afterword"),
        };
        let anchor = c.anchor.as_str();
        self.w.start("section", &[("epub:type", epub_type), ("role", role), ("aria-labelledby", anchor)], Set::Inherit);
        self.w.newline();
        // The pages that begin with the chapter's title.
        self.marks.upto(&mut self.w, Spot { doc: self.doc, block: 0, word: u32::MAX });
        if c.kind == ChapterKind::Speech {
            self.w.start("header", &[], Set::Inherit);
            self.w.newline();
        }
        let h = format!("h{title_level}");
        self.w.isolated_element(&h, &[("id", anchor), ("class", "chapter-title")], Set::Bold, &c.meta.title);
        self.w.newline();
        if c.kind == ChapterKind::Speech {
            self.byline();
            self.w.end("header");
            self.w.newline();
        }
        self.blocks(&c.blocks);
        self.words = None;
        self.speech_end();
        self.marks.rest(&mut self.w);
        self.notes();
        self.w.end("section");
    }

    /// The speaker(s), then the date (in the book's language, wherever the speech's
    /// language differs), the place and the occasion.
    fn byline(&mut self) {
        let c = self.chapter;
        // The names joined in the speech's words, or where its language has none, in the
        // book's (marked so).
        let own = locale::strings_in(&c.meta.language, self.cx.book_lang);
        self.w.start("div", &[("class", "byline")], Set::Inherit);
        if !c.meta.speakers.is_empty() {
            let words =
                locale::strings_lang(&c.meta.language, self.cx.book_lang).cloned().unwrap_or_else(Lang::english);
            let mut attrs = vec![("class", "speakers")];
            if words != c.meta.language && c.meta.speakers.len() > 1 {
                attrs.extend(self.w.lang_attrs(&words));
            }
            self.w.isolated_element("p", &attrs, Set::Inherit, &own.list(&c.meta.speakers));
        }
        let mut parts = 0;
        let has_line = c.meta.date.is_some() || c.meta.place.is_some() || c.meta.occasion.is_some();
        if has_line {
            self.w.start("p", &[("class", "dateline")], Set::Inherit);
            if let Some(d) = &c.meta.date {
                // `2021`, `2021-12`, `2021-12-13`: each a valid HTML `datetime`. A year
                // before 1 is not one, and a date given as text has none: a `span`.
                let dt = match d {
                    SpeechDate::Calendar(d) if d.is_html_date() => Some(d.to_string()),
                    _ => None,
                };
                let text = self.cx.strings.date(d);
                let mut attrs: Vec<(&str, &str)> = dt.as_deref().map(|dt| ("datetime", dt)).into_iter().collect();
                if c.meta.language != *self.cx.book_lang {
                    attrs.extend(self.w.lang_attrs(self.cx.book_lang));
                }
                match dt {
                    Some(_) => self.w.text_element("time", &attrs, Set::Inherit, &text),
                    None if attrs.is_empty() => self.w.text(&text),
                    None => self.w.text_element("span", &attrs, Set::Inherit, &text),
                }
                parts += 1;
            }
            for field in [&c.meta.place, &c.meta.occasion].into_iter().flatten() {
                if parts > 0 {
                    self.w.text(" · ");
                }
                self.w.isolated(field);
                parts += 1;
            }
            self.w.end("p");
        }
        self.w.end("div");
        self.w.newline();
    }

    /// A label in the book's language inside a speech that may be in another.
    fn label(&mut self, text: &str) {
        if self.chapter.meta.language == *self.cx.book_lang {
            self.w.text(text);
        } else {
            let attrs = self.w.lang_attrs(self.cx.book_lang);
            self.w.text_element("span", &attrs, Set::Inherit, text);
        }
    }

    fn speech_end(&mut self) {
        let m = &self.chapter.meta;
        if m.source.is_none() && m.translators.is_empty() && m.rights.is_none() {
            return;
        }
        self.w.start("footer", &[("class", "speech-end")], Set::Inherit);
        self.w.newline();
        self.marks.upto(&mut self.w, Spot { doc: self.doc, block: Spot::TAIL, word: u32::MAX });
        if let Some(source) = &m.source {
            self.w.start("p", &[("class", "source")], Set::Inherit);
            self.label(&format!("{}:", self.cx.strings.source));
            self.w.text(" ");
            self.w.isolated(source);
            self.w.end("p");
            self.w.newline();
        }
        if !m.translators.is_empty() {
            self.w.start("p", &[("class", "translator")], Set::Inherit);
            self.label(&format!("{}:", self.cx.strings.translated_by));
            self.w.text(" ");
            self.w.isolated(&locale::strings_in(&m.language, self.cx.book_lang).list(&m.translators));
            self.w.end("p");
            self.w.newline();
        }
        if let Some(rights) = &m.rights {
            self.w.isolated_element("p", &[("class", "rights")], Set::Inherit, rights);
            self.w.newline();
        }
        self.w.end("footer");
        self.w.newline();
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for b in blocks {
            self.block(b);
        }
    }

    /// `attrs`, and `dir` when the content runs `flow` and that is not the way of the text
    /// around it.
    fn with_dir<'s>(&self, attrs: &[(&'s str, &'s str)], flow: Flow) -> Vec<(&'s str, &'s str)> {
        let mut out = attrs.to_vec();
        out.extend(self.w.dir_attr(flow.dir()));
        out
    }

    /// Begin the next block of the chapter's text (not of its notes): the markers of pages
    /// that begin before it are written, and its words are counted from here.
    fn begin_block(&mut self, words: bool) {
        if self.in_note {
            return;
        }
        self.block += 1;
        self.marks.upto(&mut self.w, Spot { doc: self.doc, block: self.block, word: 0 });
        self.words = words.then(WordCounter::default);
    }

    /// Text of the current block, with the markers of the pages that begin in it.
    fn text(&mut self, text: &str) {
        match &mut self.words {
            Some(words) if !self.in_note => self.marks.text(&mut self.w, self.doc, self.block, words, text),
            _ => self.w.text(text),
        }
    }

    /// Words of the current block the PDF sets but the EPUB does not write as text (a
    /// note's number, an image's alt text, code): markers of pages that begin in them go
    /// before what is written for them.
    fn counted(&mut self, text: &str) {
        if let (Some(words), false) = (&mut self.words, self.in_note) {
            self.marks.before(&mut self.w, self.doc, self.block, words, text);
        }
    }

    fn block(&mut self, b: &Block) {
        self.w.at_line(b.line);
        let flow = block_flow(b);
        let words = matches!(b.kind, BlockKind::Heading { .. } | BlockKind::Paragraph { .. } | BlockKind::Code { .. });
        self.begin_block(words);
        match &b.kind {
            BlockKind::Heading { level, anchor, content } if !self.in_note => {
                let l = self.levels.level(*level);
                // The style sheet sets h1–h3 in bold and h4–h6 in italic.
                let set = if l <= 3 { Set::Bold } else { Set::ItalicOnly };
                self.w.start(&format!("h{l}"), &self.with_dir(&[("id", anchor)], flow), set);
                self.inlines(content);
                self.w.end(&format!("h{l}"));
                let title = plain_text(content).trim().to_string();
                // A heading without words (an image without alt text) has no entry.
                if l == self.levels.title + 1 && !title.is_empty() {
                    self.sections.push(Section { anchor: anchor.clone(), title });
                }
            }
            BlockKind::Heading { content, .. } => {
                self.w.start("p", &self.with_dir(&[("class", "note-heading")], flow), Set::Inherit);
                self.w.start("strong", &[], Set::Bold);
                self.inlines(content);
                self.w.end("strong");
                self.w.end("p");
            }
            BlockKind::Paragraph { content } => {
                // Three or more lines broken by hand (verse, an address) are set as
                // lines: flush left, not indented, not justified. A single break is
                // only a pause in a paragraph of prose.
                let lines = content.iter().filter(|i| matches!(i, Inline::Break)).count() >= 2;
                let attrs = self.with_dir(if lines { &[("class", "lines")] } else { &[] }, flow);
                self.w.start("p", &attrs, Set::Inherit);
                self.inlines(content);
                self.w.end("p");
            }
            BlockKind::Quote { blocks } => {
                self.w.start("blockquote", &self.with_dir(&[], flow), Set::Inherit);
                self.w.newline();
                self.blocks(blocks);
                self.w.end("blockquote");
            }
            BlockKind::List { start, tight, items } => self.list(*start, *tight, items, flow),
            BlockKind::Rule => self.w.empty("hr", &[]),
            BlockKind::Image { image } => self.figure(image, flow),
            BlockKind::Table { align, head, rows } => self.table(align, head, rows, flow),
            BlockKind::Code { language, text } => {
                let class = language
                    .as_deref()
                    .map(|l| l.chars().filter(|c| c.is_ascii_alphanumeric() || "+#_-".contains(*c)).collect::<String>())
                    .filter(|l| !l.is_empty())
                    .map(|l| format!("language-{l}"));
                self.w.start("pre", &self.with_dir(&[], flow), Set::Mono);
                match &class {
                    Some(c) => self.w.start("code", &[("class", c)], Set::Mono),
                    None => self.w.start("code", &[], Set::Mono),
                }
                self.text(text.strip_suffix('\n').unwrap_or(text));
                self.w.end("code");
                self.w.end("pre");
            }
        }
        self.w.newline();
    }

    /// Lists. An ordered list's numbers are written as text (`<span class="num">3.</span>`,
    /// with the list's own markers turned off in the style sheet), not left to the
    /// reading system's `list-style`: generated markers are not part of the text, so
    /// copying, searching, read-aloud in some systems and `text_fidelity.py` (which
    /// counts the numbers as words of the speech) would all lose them.
    fn list(&mut self, start: Option<u64>, tight: bool, items: &[Vec<Block>], flow: Flow) {
        let tag = if start.is_some() { "ol" } else { "ul" };
        let first = start.unwrap_or(1);
        let start_attr = first.to_string();
        let mut class = String::from(if start.is_some() { "numbered" } else { "bullets" });
        if !tight {
            class.push_str(" loose");
        }
        // Items that run the other way than their list (which then has no direction of
        // its own) have their markers on the other side: the style sheet gives the list
        // room on both.
        if self.w.dir_attr(flow.dir()).is_none()
            && items.iter().any(|i| self.w.dir_attr(blocks_flow(i).dir()).is_some())
        {
            class.push_str(" mixed");
        }
        let mut attrs = vec![("class", class.as_str())];
        if start.is_some() && first != 1 {
            attrs.push(("start", start_attr.as_str()));
        }
        self.w.start(tag, &self.with_dir(&attrs, flow), Set::Inherit);
        self.w.newline();
        for (i, item) in items.iter().enumerate() {
            let number = start.map(|_| format!("{}.", first.saturating_add(i as u64)));
            self.w.start("li", &self.with_dir(&[], blocks_flow(item)), Set::Inherit);
            let mut rest = item.as_slice();
            match item.first() {
                Some(b @ Block { line, kind: BlockKind::Paragraph { content } }) => {
                    // The number goes into the first paragraph so it stands on its line.
                    self.w.at_line(*line);
                    self.begin_block(true);
                    if !tight {
                        self.w.start("p", &self.with_dir(&[], block_flow(b)), Set::Inherit);
                    }
                    if let Some(n) = &number {
                        self.w.text_element("span", &[("class", "num")], Set::Inherit, n);
                        self.w.text(" ");
                    }
                    self.inlines(content);
                    if !tight {
                        self.w.end("p");
                    }
                    rest = &item[1..];
                }
                _ => {
                    if let Some(n) = &number {
                        self.w.text_element("span", &[("class", "num")], Set::Inherit, n);
                        self.w.text(" ");
                    }
                }
            }
            if !rest.is_empty() {
                self.w.newline();
                self.blocks(rest);
            }
            self.w.end("li");
            self.w.newline();
        }
        self.w.end(tag);
    }

    fn table(&mut self, align: &[Align], head: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>], flow: Flow) {
        let style = |i: usize| match align.get(i) {
            Some(Align::Left) => Some("text-align: left"),
            Some(Align::Center) => Some("text-align: center"),
            Some(Align::Right) => Some("text-align: right"),
            _ => None,
        };
        // A wide table scrolls inside its own box instead of widening the page.
        self.w.start("div", &[("class", "table")], Set::Inherit);
        self.w.start("table", &self.with_dir(&[], flow), Set::Inherit);
        self.w.newline();
        if !head.is_empty() {
            self.w.start("thead", &[], Set::Inherit);
            self.w.start("tr", &[], Set::Inherit);
            for (i, cell) in head.iter().enumerate() {
                let mut attrs = vec![("scope", "col")];
                if let Some(s) = style(i) {
                    attrs.push(("style", s));
                }
                let attrs = self.with_dir(&attrs, Flow::of_text(&plain_text(cell)));
                // The style sheet sets header cells in bold.
                self.w.start("th", &attrs, Set::Bold);
                if i == 0 {
                    self.row_marks(0);
                }
                self.inlines(cell);
                self.w.end("th");
            }
            self.w.end("tr");
            self.w.end("thead");
            self.w.newline();
        }
        self.w.start("tbody", &[], Set::Inherit);
        self.w.newline();
        for (r, row) in rows.iter().enumerate() {
            let r = r + usize::from(!head.is_empty());
            self.w.start("tr", &[], Set::Inherit);
            for (i, cell) in row.iter().enumerate() {
                let attrs = self.with_dir(style(i).map(|s| ("style", s)).as_slice(), Flow::of_text(&plain_text(cell)));
                self.w.start("td", &attrs, Set::Inherit);
                if i == 0 {
                    self.row_marks(r);
                }
                self.inlines(cell);
                self.w.end("td");
            }
            self.w.end("tr");
            self.w.newline();
        }
        self.w.end("tbody");
        self.w.end("table");
        self.w.end("div");
    }

    /// Markers of pages that begin with row `row` of the table being written (the PDF
    /// counts a table's rows where it counts a paragraph's words).
    fn row_marks(&mut self, row: usize) {
        if !self.in_note {
            self.marks.upto(&mut self.w, Spot { doc: self.doc, block: self.block, word: row as u32 });
        }
    }

    /// An image standing alone: a figure. Its caption shows the title, and the image's
    /// description (its alt text) for every reader, since what an author wrote about
    /// an image (a chart's numbers, say) is part of the text, in the book as in print.
    /// The description is hidden from assistive technology, which reads it once, as the
    /// image's `alt`.
    fn figure(&mut self, image: &ImageRef, flow: Flow) {
        self.w.start("figure", &self.with_dir(&[], flow), Set::Inherit);
        self.image(image, None);
        let alt = image.alt.trim();
        if image.title.is_some() || !alt.is_empty() {
            // The style sheet sets captions in italic.
            self.w.start("figcaption", &[], Set::Italic);
            if let Some(title) = &image.title {
                self.w.text_element("span", &[("class", "figure-title")], Set::Inherit, title);
            }
            if !alt.is_empty() {
                if image.title.is_some() {
                    self.w.text(" ");
                }
                let attrs = [("class", "figure-description"), ("aria-hidden", "true")];
                self.w.text_element("span", &attrs, Set::Inherit, alt);
            }
            self.w.end("figcaption");
        }
        self.w.end("figure");
    }

    fn image(&mut self, image: &ImageRef, class: Option<&str>) {
        let Some(href) = self.cx.images.get(&image.asset.path) else {
            // Not in the package (its problem is already reported): its description
            // stands in its place, so no word is lost and no link is broken.
            self.w.text(&image.alt);
            return;
        };
        let alt = image.alt.trim();
        let mut attrs = vec![("src", href.as_str()), ("alt", alt)];
        if let Some(c) = class {
            attrs.push(("class", c));
        }
        self.w.empty("img", &attrs);
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for i in inlines {
            self.inline(i);
        }
    }

    fn inline(&mut self, i: &Inline) {
        match i {
            Inline::Text { text } => self.text(text),
            Inline::Emphasis { content } => self.wrap("em", Set::Italic, content),
            Inline::Strong { content } => self.wrap("strong", Set::Bold, content),
            Inline::Superscript { content } => self.wrap("sup", Set::Inherit, content),
            Inline::Subscript { content } => self.wrap("sub", Set::Inherit, content),
            Inline::Link { url, title, content } => {
                // A link inside the book names an anchor; in the package it is in a file.
                let href = match url.strip_prefix('#').and_then(|a| Some((a, self.cx.anchors.get(a)?))) {
                    Some((a, file)) if *file == file_name(self.chapter, self.cx.ext) => format!("#{a}"),
                    Some((a, file)) => format!("{file}#{a}"),
                    None => url_attr(url),
                };
                let mut attrs = vec![("href", href.as_str())];
                if let Some(t) = title {
                    attrs.push(("title", t.as_str()));
                }
                self.w.start("a", &attrs, Set::Inherit);
                self.inlines(content);
                if plain_text(content).trim().is_empty() {
                    // A link needs words a reader can follow: without any, its address.
                    let shown = ["mailto:", "tel:"].iter().fold(url.as_str(), |u, p| u.strip_prefix(p).unwrap_or(u));
                    self.w.text(shown);
                }
                self.w.end("a");
            }
            Inline::Code { text } => {
                self.counted(text);
                let attrs = self.with_dir(&[], Flow::of_text(text));
                self.w.text_element("code", &attrs, Set::Mono, text)
            }
            Inline::FootnoteRef { number, call } => {
                self.counted(&number.to_string());
                self.noteref(*number, *call)
            }
            Inline::Image { image } => {
                self.counted(&image.alt);
                self.image(image, Some("inline"))
            }
            Inline::Lang { lang, dir, content } => {
                // `lang` and `xml:lang`, and `dir`: the author's, else the language's when
                // it runs the other way than the text around it.
                let mut attrs = self.w.lang_attrs(lang);
                if let Some(d) = dir {
                    attrs.retain(|(k, _)| *k != "dir");
                    attrs.push(("dir", d.attr()));
                }
                self.w.start("span", &attrs, Set::Inherit);
                self.inlines(content);
                self.w.end("span");
            }
            Inline::Break => {
                if let Some(w) = &mut self.words {
                    w.space();
                }
                self.w.empty("br", &[])
            }
        }
    }

    fn wrap(&mut self, tag: &str, set: Set, content: &[Inline]) {
        self.w.start(tag, &[], set);
        self.inlines(content);
        self.w.end(tag);
    }

    fn note(&self, number: u32) -> Option<&Footnote> {
        self.chapter.footnotes.iter().find(|n| n.number == number)
    }

    fn noteref(&mut self, number: u32, call: u32) {
        let n = number.to_string();
        if self.note(number).is_none() {
            // The model only makes calls of notes it has; should one not, a bare number
            // is better than a link to nothing.
            self.w.text_element("sup", &[], Set::Inherit, &n);
            return;
        }
        let id = footnote_ref_anchor(&self.chapter.anchor, number, call);
        let href = format!("#{}", footnote_anchor(&self.chapter.anchor, number));
        let attrs = [("epub:type", "noteref"), ("role", "doc-noteref"), ("id", id.as_str()), ("href", href.as_str())];
        self.w.text_element("a", &attrs, Set::Inherit, &n);
    }

    /// The footnotes at the end of the chapter's file, each an `aside` that reading
    /// systems can show as a pop-up, with a link back to every place that calls it.
    fn notes(&mut self) {
        let c = self.chapter;
        if c.footnotes.is_empty() {
            return;
        }
        self.in_note = true;
        self.w.start("div", &[("class", "notes")], Set::Inherit);
        self.w.newline();
        for note in &c.footnotes {
            self.w.at_line(note.line);
            let id = footnote_anchor(&c.anchor, note.number);
            // A note that nothing calls is no pop-up: without `epub:type` a reading
            // system shows it in the text instead of hiding it with nothing to open it.
            let mut attrs: Vec<(&str, &str)> = if note.calls > 0 {
                vec![("epub:type", "footnote"), ("role", "doc-footnote"), ("id", &id)]
            } else {
                vec![("role", "doc-footnote"), ("id", &id), ("class", "uncalled")]
            };
            // On the web every `aside` of a page is a landmark, which needs a name of its
            // own: the note's number.
            let label = format!("{id}-num");
            if self.cx.syntax == xhtml::Syntax::Html {
                attrs.push(("aria-labelledby", &label));
            }
            self.w.start("aside", &self.with_dir(&attrs, blocks_flow(&note.blocks)), Set::Inherit);
            self.w.newline();
            let mut rest = note.blocks.as_slice();
            let first = note.blocks.first().filter(|b| matches!(b.kind, BlockKind::Paragraph { .. }));
            self.w.start(
                "p",
                &self.with_dir(&[("class", "note")], first.map_or(Flow::Neutral, block_flow)),
                Set::Inherit,
            );
            self.note_mark(note);
            if let Some(Block { line, kind: BlockKind::Paragraph { content } }) = note.blocks.first() {
                self.w.at_line(*line);
                self.w.text(" ");
                self.inlines(content);
                rest = &note.blocks[1..];
            }
            self.w.end("p");
            self.w.newline();
            self.blocks(rest);
            self.w.end("aside");
            self.w.newline();
        }
        self.w.end("div");
        self.w.newline();
        self.in_note = false;
    }

    /// The note's number: a link back to its call, or, for a note called several times,
    /// the number followed by a link back to each call (`1 a b`).
    fn note_mark(&mut self, note: &Footnote) {
        let c = self.chapter;
        let n = note.number.to_string();
        let back = |call: u32| format!("#{}", footnote_ref_anchor(&c.anchor, note.number, call));
        // An attribute has the language of its document: the chapter's.
        let title = locale::strings_in(&c.meta.language, self.cx.book_lang).back_to_text;
        let label = format!("{}-num", footnote_anchor(&c.anchor, note.number));
        let id: &[(&str, &str)] = if self.cx.syntax == xhtml::Syntax::Html { &[("id", &label)] } else { &[] };
        if note.calls == 1 {
            let href = back(1);
            let mut attrs =
                vec![("class", "note-num"), ("role", "doc-backlink"), ("href", href.as_str()), ("title", title)];
            attrs.extend(id);
            self.w.text_element("a", &attrs, Set::Inherit, &n);
            return;
        }
        let mut attrs = vec![("class", "note-num")];
        attrs.extend(id);
        self.w.text_element("span", &attrs, Set::Inherit, &n);
        for call in 1..=note.calls {
            let href = back(call);
            let label = call_label(call);
            self.w.text(" ");
            let attrs = [("class", "backlink"), ("role", "doc-backlink"), ("href", href.as_str()), ("title", title)];
            self.w.text_element("a", &attrs, Set::Inherit, &label);
        }
    }
}

/// Which way a block's text runs (its own text for a paragraph, heading, code or figure;
/// all of it taken together for a quote, a list or a table).
fn block_flow(b: &Block) -> Flow {
    match &b.kind {
        BlockKind::Paragraph { content } | BlockKind::Heading { content, .. } => Flow::of_text(&plain_text(content)),
        BlockKind::Code { text, .. } => Flow::of_text(text),
        BlockKind::Quote { blocks } => blocks_flow(blocks),
        BlockKind::List { items, .. } => items.iter().fold(Flow::Neutral, |f, i| f.and(blocks_flow(i))),
        BlockKind::Table { head, rows, .. } => {
            head.iter().chain(rows.iter().flatten()).fold(Flow::Neutral, |f, c| f.and(Flow::of_text(&plain_text(c))))
        }
        BlockKind::Image { image } => {
            Flow::of_text(image.title.as_deref().unwrap_or("")).and(Flow::of_text(&image.alt))
        }
        BlockKind::Rule => Flow::Neutral,
    }
}

fn blocks_flow(blocks: &[Block]) -> Flow {
    blocks.iter().fold(Flow::Neutral, |f, b| f.and(block_flow(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_nest_below_the_title_without_skipping_levels() {
        let mut l = Levels::new(2);
        assert_eq!([2, 3, 3, 2, 1, 4].map(|s| l.level(s)), [3, 4, 4, 3, 3, 4]);
        let mut l = Levels::new(1);
        assert_eq!([3, 3, 5, 4, 2].map(|s| l.level(s)), [2, 2, 3, 3, 2]);
        let mut l = Levels::new(5);
        assert_eq!([2, 3, 4].map(|s| l.level(s)), [6, 6, 6]);
    }

    #[test]
    fn calls_are_lettered_and_urls_encoded() {
        assert_eq!([1, 2, 26, 27, 28, 53].map(call_label), ["a", "b", "z", "aa", "ab", "ba"]);
        assert_eq!(url_attr(" https://example.org/a b?x=\"1\" "), "https://example.org/a%20b?x=%221%22");
    }
}
