//! Markdown to model blocks: pulldown-cmark events folded into typed blocks and inlines,
//! each block with its source line. Raw HTML is not passed through: a few inline tags become
//! model inlines, the rest is dropped as markup with a warning while its text is kept.

use super::gender;
use super::links::{self, Pending, Target};
use super::model::*;
use crate::anthology::Asset;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::lang::Lang;
use crate::project::{Project, ResolveError};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::BTreeMap;
use std::path::Path;

/// Deeper nesting of lists and quotes is no speech, and would only strain the renderers.
pub const MAX_DEPTH: usize = 24;

/// Where a Markdown text comes from, for messages and for resolving image paths.
pub(super) struct SourceInfo<'a> {
    pub project: &'a Project,
    pub shown: &'a Path,
    /// The whole file (messages quote its lines).
    pub file_text: &'a str,
    /// Byte offset of the Markdown in `file_text`.
    pub offset: usize,
    /// The folder of the file, for relative image paths.
    pub dir: &'a Path,
    /// The chapter's anchor, prefix of heading anchors.
    pub anchor: &'a str,
    /// The language of the text: German text keeps its gender stars (`Arbeiter*innen`).
    pub lang: &'a Lang,
}

pub(super) struct Parsed {
    pub blocks: Vec<Block>,
    pub footnotes: Vec<Footnote>,
    /// Links to speeches and headings, waiting for the whole book (`links::resolve`).
    pub links: Vec<Pending>,
}

enum Frame {
    /// A sequence of blocks: the document, a quote, a list item, a footnote definition.
    Blocks {
        kind: BlocksKind,
        blocks: Vec<Block>,
        line: usize,
    },
    List {
        start: Option<u64>,
        tight: bool,
        items: Vec<Vec<Block>>,
        line: usize,
    },
    Inlines {
        kind: InlinesKind,
        content: Vec<Inline>,
        line: usize,
    },
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        row: Vec<Vec<Inline>>,
        line: usize,
    },
    Code {
        language: Option<String>,
        text: String,
        line: usize,
    },
    Html {
        text: String,
        line: usize,
    },
}

#[derive(PartialEq)]
enum BlocksKind {
    Root,
    Quote,
    Item,
    Footnote(String),
}

#[derive(PartialEq, Clone)]
enum InlinesKind {
    Paragraph,
    /// A paragraph opened implicitly by text in a tight list item.
    Implicit,
    Heading(u8),
    Cell,
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
    Link {
        url: String,
        title: String,
    },
    Image {
        url: String,
        title: String,
    },
    /// An inline HTML element we map (`<sup>`, `<em>` …), by tag name.
    Html(String),
    /// `<span lang="…">`: text in another language.
    LangSpan {
        lang: Lang,
        dir: Option<TextDir>,
    },
}

impl InlinesKind {
    /// An inline HTML element (closed by its end tag, or with the span it is in).
    fn is_html(&self) -> bool {
        matches!(self, InlinesKind::Html(_) | InlinesKind::LangSpan { .. })
    }
}

/// Language spans nested deeper than this are taken as plain spans (no speech needs it,
/// and the renderers walk inlines recursively).
const MAX_LANG_NESTING: usize = 8;

struct Builder<'a> {
    src: &'a SourceInfo<'a>,
    report: &'a mut Report,
    stack: Vec<Frame>,
    line_starts: Vec<usize>,
    depth: usize,
    fatal: bool,
    notes_by_label: BTreeMap<String, (u32, u32)>,
    next_note: u32,
    definitions: BTreeMap<String, (Vec<Block>, usize)>,
    call_lines: BTreeMap<String, usize>,
    slugs: BTreeMap<String, u32>,
    warned_tags: BTreeMap<String, ()>,
    links: Vec<Pending>,
}

/// The CommonMark extensions a speech may use.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES
}

pub(super) fn parse(markdown: &str, src: &SourceInfo, report: &mut Report) -> Result<Parsed, ()> {
    // The escapes add no line: lines counted in the escaped text are the file's.
    let escaped = if src.lang.is_german() { gender::escape_stars(markdown, options()) } else { None };
    let markdown = escaped.as_deref().unwrap_or(markdown);
    let mut line_starts = vec![0];
    line_starts.extend(markdown.match_indices('\n').map(|(i, _)| i + 1));
    let mut b = Builder {
        src,
        report,
        stack: vec![Frame::Blocks { kind: BlocksKind::Root, blocks: Vec::new(), line: 1 }],
        line_starts,
        depth: 0,
        fatal: false,
        notes_by_label: BTreeMap::new(),
        next_note: 1,
        definitions: BTreeMap::new(),
        call_lines: BTreeMap::new(),
        slugs: BTreeMap::new(),
        warned_tags: BTreeMap::new(),
        links: Vec::new(),
    };
    for (ev, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let line = b.line_of(range.start);
        b.event(ev, line);
        if b.fatal {
            return Err(());
        }
    }
    b.close_implicit();
    let blocks = match b.stack.pop() {
        Some(Frame::Blocks { blocks, .. }) => blocks,
        _ => Vec::new(),
    };
    let footnotes = b.finish_notes();
    if b.fatal {
        return Err(());
    }
    Ok(Parsed { blocks, footnotes, links: b.links })
}

impl<'a> Builder<'a> {
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// The line in the file (not in the Markdown body) for messages.
    fn file_line(&self, line: usize) -> usize {
        let before = &self.src.file_text[..self.src.offset.min(self.src.file_text.len())];
        before.matches('\n').count() + line
    }

    fn diag(&self, d: Diagnostic, line: usize) -> Diagnostic {
        d.at(self.src.shown, Some(self.src.file_text), self.file_line(line), None)
    }

    fn warn(&mut self, line: usize, msg: String, hint: &str) {
        let d = self.diag(Diagnostic::warning(Kind::Content, msg), line).with_hint(hint);
        self.report.push(d);
    }

    fn error(&mut self, line: usize, kind: Kind, msg: String, hint: &str) {
        let d = self.diag(Diagnostic::error(kind, msg), line).with_hint(hint);
        self.report.push(d);
    }

    fn push_block(&mut self, block: Block) {
        for f in self.stack.iter_mut().rev() {
            if let Frame::Blocks { blocks, .. } = f {
                blocks.push(block);
                return;
            }
            if matches!(f, Frame::List { .. }) {
                break;
            }
        }
        // A block outside any block container: can only follow malformed nesting.
        if let Some(Frame::Blocks { blocks, .. }) = self.stack.first_mut() {
            blocks.push(block);
        }
    }

    fn push_inline(&mut self, inline: Inline, line: usize) {
        if !matches!(self.stack.last(), Some(Frame::Inlines { .. })) {
            // Text straight inside a tight list item (or a footnote) is an implicit paragraph.
            self.stack.push(Frame::Inlines { kind: InlinesKind::Implicit, content: Vec::new(), line });
        }
        if let Some(Frame::Inlines { content, .. }) = self.stack.last_mut() {
            if let (Inline::Text { text: new }, Some(Inline::Text { text })) = (&inline, content.last_mut()) {
                text.push_str(new);
                return;
            }
            content.push(inline);
        }
    }

    /// Close the implicit paragraph and any HTML inline elements left open.
    fn close_implicit(&mut self) {
        while let Some(Frame::Inlines { kind, .. }) = self.stack.last() {
            match kind {
                InlinesKind::Implicit => {
                    self.end_inlines();
                    return;
                }
                k if k.is_html() => self.end_inlines(),
                _ => return,
            }
        }
    }

    fn enter_container(&mut self, line: usize) {
        self.depth += 1;
        if self.depth > MAX_DEPTH && !self.fatal {
            self.error(
                line,
                Kind::Content,
                format!("lists or quotes are nested more than {MAX_DEPTH} levels deep here"),
                "flatten the nesting: no speech needs this many levels",
            );
            self.fatal = true;
        }
    }

    fn event(&mut self, ev: Event, line: usize) {
        match ev {
            Event::Start(tag) => self.start(tag, line),
            Event::End(tag) => self.end(tag, line),
            Event::Text(t) => match self.stack.last_mut() {
                Some(Frame::Code { text, .. }) | Some(Frame::Html { text, .. }) => text.push_str(&t),
                // `into_string`, not `to_string`: no trip through the formatting machinery.
                _ => self.push_inline(Inline::text(t.into_string()), line),
            },
            Event::Code(t) => self.push_inline(Inline::Code { text: t.into_string() }, line),
            Event::SoftBreak => self.push_inline(Inline::text(" "), line),
            Event::HardBreak => self.push_inline(Inline::Break, line),
            Event::Rule => {
                self.close_implicit();
                self.push_block(Block { line, kind: BlockKind::Rule });
            }
            Event::FootnoteReference(label) => {
                let label = label.to_string();
                let (number, calls) = match self.notes_by_label.get(&label) {
                    Some(&(n, c)) => (n, c + 1),
                    None => {
                        let n = self.next_note;
                        self.next_note += 1;
                        self.call_lines.insert(label.clone(), line);
                        (n, 1)
                    }
                };
                self.notes_by_label.insert(label, (number, calls));
                self.push_inline(Inline::FootnoteRef { number, call: calls }, line);
            }
            Event::Html(html) => match self.stack.last_mut() {
                Some(Frame::Html { text, .. }) => text.push_str(&html),
                _ => self.inline_html(&html, line),
            },
            Event::InlineHtml(html) => self.inline_html(&html, line),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.push_inline(Inline::Code { text: t.to_string() }, line)
            }
            Event::TaskListMarker(done) => self.push_inline(Inline::text(if done { "☒ " } else { "☐ " }), line),
        }
    }

    fn start(&mut self, tag: Tag, line: usize) {
        let inline_tag = matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        );
        if !inline_tag {
            self.close_implicit();
        }
        match tag {
            Tag::Paragraph => {
                self.stack.push(Frame::Inlines { kind: InlinesKind::Paragraph, content: Vec::new(), line })
            }
            Tag::Heading { level, .. } => {
                let level = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                self.stack.push(Frame::Inlines { kind: InlinesKind::Heading(level), content: Vec::new(), line })
            }
            Tag::BlockQuote(_) => {
                self.enter_container(line);
                self.stack.push(Frame::Blocks { kind: BlocksKind::Quote, blocks: Vec::new(), line })
            }
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_string).filter(|s| !s.is_empty())
                    }
                    CodeBlockKind::Indented => None,
                };
                self.stack.push(Frame::Code { language, text: String::new(), line })
            }
            Tag::HtmlBlock => self.stack.push(Frame::Html { text: String::new(), line }),
            Tag::List(start) => {
                self.enter_container(line);
                self.stack.push(Frame::List { start, tight: true, items: Vec::new(), line })
            }
            Tag::Item => self.stack.push(Frame::Blocks { kind: BlocksKind::Item, blocks: Vec::new(), line }),
            Tag::FootnoteDefinition(label) => {
                self.enter_container(line);
                self.stack.push(Frame::Blocks {
                    kind: BlocksKind::Footnote(label.to_string()),
                    blocks: Vec::new(),
                    line,
                })
            }
            Tag::Table(aligns) => {
                let align = aligns
                    .iter()
                    .map(|a| match a {
                        Alignment::None => Align::None,
                        Alignment::Left => Align::Left,
                        Alignment::Center => Align::Center,
                        Alignment::Right => Align::Right,
                    })
                    .collect();
                self.stack.push(Frame::Table { align, head: Vec::new(), rows: Vec::new(), row: Vec::new(), line })
            }
            Tag::TableHead | Tag::TableRow => {}
            Tag::TableCell => self.stack.push(Frame::Inlines { kind: InlinesKind::Cell, content: Vec::new(), line }),
            Tag::Emphasis => self.open_inline(InlinesKind::Emphasis, line),
            Tag::Strong => self.open_inline(InlinesKind::Strong, line),
            Tag::Strikethrough => self.open_inline(InlinesKind::Strikethrough, line),
            Tag::Superscript => self.open_inline(InlinesKind::Superscript, line),
            Tag::Subscript => self.open_inline(InlinesKind::Subscript, line),
            Tag::Link { link_type, dest_url, title, .. } => {
                // An e-mail autolink (`<a@b.cd>`) comes without its scheme.
                let url = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                self.open_inline(InlinesKind::Link { url, title: title.to_string() }, line)
            }
            Tag::Image { dest_url, title, .. } => {
                self.open_inline(InlinesKind::Image { url: dest_url.to_string(), title: title.to_string() }, line)
            }
            Tag::MetadataBlock(_) | Tag::DefinitionList | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                self.stack.push(Frame::Blocks { kind: BlocksKind::Quote, blocks: Vec::new(), line })
            }
        }
    }

    fn open_inline(&mut self, kind: InlinesKind, line: usize) {
        if !matches!(self.stack.last(), Some(Frame::Inlines { .. })) {
            self.stack.push(Frame::Inlines { kind: InlinesKind::Implicit, content: Vec::new(), line });
        }
        self.stack.push(Frame::Inlines { kind, content: Vec::new(), line });
    }

    fn end(&mut self, tag: TagEnd, line: usize) {
        match tag {
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image => {
                // HTML elements left open inside the span are closed with it.
                while matches!(self.stack.last(), Some(Frame::Inlines { kind, .. }) if kind.is_html()) {
                    self.end_inlines();
                }
                self.end_inlines();
            }
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell => {
                self.close_html_elements();
                self.end_inlines();
            }
            TagEnd::BlockQuote(_) | TagEnd::Item | TagEnd::FootnoteDefinition | TagEnd::MetadataBlock(_) => {
                self.close_implicit();
                self.end_blocks();
            }
            TagEnd::DefinitionList | TagEnd::DefinitionListTitle | TagEnd::DefinitionListDefinition => {
                self.close_implicit();
                self.end_blocks();
            }
            TagEnd::List(_) => {
                self.close_implicit();
                self.depth = self.depth.saturating_sub(1);
                if let Some(Frame::List { start, tight, items, line }) = self.stack.pop() {
                    self.push_block(Block { line, kind: BlockKind::List { start, tight, items } });
                }
            }
            TagEnd::CodeBlock => {
                if let Some(Frame::Code { language, text, line }) = self.stack.pop() {
                    self.push_block(Block { line, kind: BlockKind::Code { language, text } });
                }
            }
            TagEnd::HtmlBlock => {
                if let Some(Frame::Html { text, line }) = self.stack.pop() {
                    self.html_block(&text, line);
                }
            }
            TagEnd::TableHead => {
                if let Some(Frame::Table { head, row, .. }) = self.stack.last_mut() {
                    *head = std::mem::take(row);
                }
            }
            TagEnd::TableRow => {
                if let Some(Frame::Table { rows, row, .. }) = self.stack.last_mut() {
                    rows.push(std::mem::take(row));
                }
            }
            TagEnd::Table => {
                if let Some(Frame::Table { align, head, rows, line, .. }) = self.stack.pop() {
                    self.push_block(Block { line, kind: BlockKind::Table { align, head, rows } });
                }
            }
        }
        let _ = line;
    }

    fn close_html_elements(&mut self) {
        while matches!(self.stack.last(), Some(Frame::Inlines { kind, .. }) if kind.is_html()) {
            self.end_inlines();
        }
    }

    fn end_blocks(&mut self) {
        let Some(Frame::Blocks { kind, blocks, line }) = self.stack.pop() else { return };
        match kind {
            BlocksKind::Root => self.stack.push(Frame::Blocks { kind, blocks, line }),
            BlocksKind::Quote => {
                self.depth = self.depth.saturating_sub(1);
                self.push_block(Block { line, kind: BlockKind::Quote { blocks } })
            }
            BlocksKind::Item => {
                if let Some(Frame::List { items, .. }) = self.stack.last_mut() {
                    items.push(blocks);
                }
            }
            BlocksKind::Footnote(label) => {
                self.depth = self.depth.saturating_sub(1);
                match self.definitions.entry(label) {
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert((blocks, line));
                    }
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let label = e.key().clone();
                        self.warn(
                            line,
                            format!("the footnote [^{label}] is defined twice; the second one is kept as text"),
                            "give each footnote its own label",
                        );
                        // Keep its words: they go to the end of the speech as ordinary paragraphs.
                        for b in blocks {
                            self.push_block(b);
                        }
                    }
                }
            }
        }
    }

    fn end_inlines(&mut self) {
        let Some(Frame::Inlines { kind, content, line }) = self.stack.pop() else { return };
        match kind {
            InlinesKind::Paragraph | InlinesKind::Implicit => {
                self.undefined_calls(&content, line);
                let block = match lone_image(&content) {
                    Some(image) => BlockKind::Image { image },
                    None => BlockKind::Paragraph { content },
                };
                // pulldown-cmark marks paragraphs explicitly only in loose lists.
                if kind == InlinesKind::Paragraph {
                    if let [.., Frame::List { tight, .. }, Frame::Blocks { kind: BlocksKind::Item, .. }] =
                        &mut self.stack[..]
                    {
                        *tight = false;
                    }
                }
                self.push_block(Block { line, kind: block });
            }
            InlinesKind::Heading(level) => {
                if plain_text(&content).trim().is_empty() && !has_image_or_call(&content) {
                    self.warn(
                        line,
                        "this heading has no text; it is left out (and gets no entry in the navigation)".into(),
                        "give the heading its words, or remove the `#`",
                    );
                    return;
                }
                let slug = anchor_of("", &plain_text(&content));
                let base = format!("{}-{}", self.src.anchor, if slug.is_empty() { "section" } else { &slug });
                let n = self.slugs.entry(base.clone()).or_insert(0);
                *n += 1;
                let anchor = if *n == 1 { base } else { format!("{base}-{n}") };
                self.push_block(Block { line, kind: BlockKind::Heading { level, anchor, content } });
            }
            InlinesKind::Cell => {
                if let Some(Frame::Table { row, .. }) = self.stack.last_mut() {
                    row.push(content);
                }
            }
            InlinesKind::Emphasis => self.push_inline(Inline::Emphasis { content }, line),
            InlinesKind::Strong => self.push_inline(Inline::Strong { content }, line),
            InlinesKind::Strikethrough => self.splice(content, line),
            InlinesKind::Superscript => self.push_inline(Inline::Superscript { content }, line),
            InlinesKind::Subscript => self.push_inline(Inline::Subscript { content }, line),
            InlinesKind::Html(tag) => match tag.as_str() {
                "em" => self.push_inline(Inline::Emphasis { content }, line),
                "strong" => self.push_inline(Inline::Strong { content }, line),
                "sup" => self.push_inline(Inline::Superscript { content }, line),
                "sub" => self.push_inline(Inline::Subscript { content }, line),
                // A script's or style's content is no text of the speech.
                "script" | "style" => {}
                _ => self.splice(content, line),
            },
            InlinesKind::LangSpan { lang, dir } => self.push_inline(Inline::Lang { lang, dir, content }, line),
            InlinesKind::Link { url, title } => self.link(url, title, content, line),
            InlinesKind::Image { url, title } => self.image(url, title, content, line),
        }
    }

    /// pulldown-cmark leaves a call of a footnote that is never defined as plain text
    /// (`[^9]`): find such calls, so a lost note is an error and not a stray bracket.
    fn undefined_calls(&mut self, content: &[Inline], line: usize) {
        let mut found = Vec::new();
        fn scan(content: &[Inline], found: &mut Vec<String>) {
            for i in content {
                match i {
                    Inline::Text { text } => footnote_calls(text, found),
                    Inline::Emphasis { content }
                    | Inline::Strong { content }
                    | Inline::Superscript { content }
                    | Inline::Subscript { content }
                    | Inline::Link { content, .. }
                    | Inline::Lang { content, .. } => scan(content, found),
                    _ => {}
                }
            }
        }
        scan(content, &mut found);
        for label in found {
            self.error(
                line,
                Kind::Content,
                format!("the footnote [^{label}] is called but never defined"),
                &format!("add its text at the end of the speech: [^{label}]: …"),
            );
        }
    }

    /// Put `content` into the parent as it is (for markup that is dropped but whose text stays).
    fn splice(&mut self, content: Vec<Inline>, line: usize) {
        for i in content {
            self.push_inline(i, line);
        }
    }

    fn link(&mut self, url: String, title: String, content: Vec<Inline>, line: usize) {
        let url = match links::classify(&url, self.src.project, self.src.dir) {
            Target::External(u) => u,
            Target::Internal { ids, fragment } => {
                let line = self.file_line(line);
                self.links.push(Pending { line, raw: url, ids, fragment });
                links::pending_url(self.links.len() - 1)
            }
            Target::Refused(why) => {
                self.warn(
                    line,
                    format!("the link to `{url}` is not kept: {why}"),
                    "its text stays as plain text; a book keeps links to http, https, mailto and tel addresses and to its own speeches",
                );
                return self.splice(content, line);
            }
        };
        let title = Some(title).filter(|t| !t.is_empty());
        self.push_inline(Inline::Link { url, title, content }, line);
    }

    fn image(&mut self, url: String, title: String, content: Vec<Inline>, line: usize) {
        let alt = plain_text(&content).trim().to_string();
        let project = self.src.project;
        let resolved = match project.resolve_inside_books(self.src.dir, &url) {
            Err(ResolveError::NotFound(_)) if !url.starts_with("..") => {
                project.resolve_inside_books(&project.books, &url)
            }
            r => r,
        };
        match resolved {
            Ok(path) => {
                let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
                if !matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp") {
                    self.error(
                        line,
                        Kind::Value,
                        format!("the image `{url}` is not a PNG, JPEG, GIF, WebP or SVG file"),
                        "convert it to PNG or JPEG",
                    );
                    return self.splice(content, line);
                }
                if alt.is_empty() {
                    self.warn(
                        line,
                        format!("the image `{url}` has no alt text"),
                        "describe the image for readers who cannot see it: ![what it shows](path)",
                    );
                }
                let asset = Asset { shown: project.display_path(&path), path };
                let title = Some(title).filter(|t| !t.is_empty());
                self.push_inline(Inline::Image { image: ImageRef { asset, alt, title } }, line);
            }
            Err(e) => {
                let (why, hint) = e.explain();
                self.error(
                    line,
                    Kind::Missing,
                    format!("the image `{url}` cannot be used: {why}"),
                    &format!("{hint} (image paths are relative to the Markdown file or to books/)"),
                );
                self.splice(content, line);
            }
        }
    }

    fn inline_html(&mut self, html: &str, line: usize) {
        let t = html.trim();
        if t.starts_with("<!--") {
            return; // a comment: the author's note to themselves, not text of the speech
        }
        let closing = t.starts_with("</");
        let name: String = t
            .trim_start_matches('<')
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let mapped = match name.as_str() {
            "em" | "i" => Some("em"),
            "strong" | "b" => Some("strong"),
            "sup" => Some("sup"),
            "sub" => Some("sub"),
            _ => None,
        };
        if name == "br" {
            return self.push_inline(Inline::Break, line);
        }
        if name == "span" {
            return self.span_html(t, closing, line);
        }
        if matches!(name.as_str(), "script" | "style") {
            // Its content comes as text between the tags: gathered and dropped with it.
            if !closing && !t.ends_with("/>") {
                self.warn(line, format!("<{name}> is never passed into a book"), "remove it");
                self.open_inline(InlinesKind::Html(name), line);
            } else if closing {
                let open = self
                    .stack
                    .iter()
                    .rposition(|f| matches!(f, Frame::Inlines { kind: InlinesKind::Html(k), .. } if *k == name));
                if let Some(i) = open {
                    while self.stack.len() > i {
                        self.end_inlines();
                    }
                }
            }
            return;
        }
        match (mapped, closing) {
            (Some(tag), false) if !t.ends_with("/>") => {
                self.open_inline(InlinesKind::Html(tag.to_string()), line);
            }
            (Some(tag), true) => {
                let open = self
                    .stack
                    .iter()
                    .rposition(|f| matches!(f, Frame::Inlines { kind: InlinesKind::Html(k), .. } if k == tag));
                self.close_html(open, &format!("/{name}"), line);
            }
            _ => {
                if !name.is_empty() || !t.is_empty() {
                    self.warn_tag(&name, line);
                }
            }
        }
    }

    /// Close the inline markup opened at `open` on the stack, with everything opened inside
    /// it, when all of that is inline markup too; else the closing tag `tag` is one without
    /// its opening, and only warned about.
    fn close_html(&mut self, open: Option<usize>, tag: &str, line: usize) {
        match open {
            Some(i)
                if self.stack[i + 1..].iter().all(|f| matches!(f, Frame::Inlines { kind, .. } if kind.is_html())) =>
            {
                while self.stack.len() > i {
                    self.end_inlines();
                }
            }
            _ => self.warn_tag(tag, line),
        }
    }

    /// `<span lang="…" dir="…">` opens text in another language, `</span>` closes the
    /// innermost span. Only `lang` and `dir` are read; any other attribute is dropped with a
    /// warning (so no script or style ever passes), and a span without a language keeps
    /// its text as other unknown markup does. A tag that is no language is an error.
    fn span_html(&mut self, tag: &str, closing: bool, line: usize) {
        if closing {
            let open = self.stack.iter().rposition(|f| {
                matches!(f, Frame::Inlines { kind: InlinesKind::LangSpan { .. }, .. })
                    || matches!(f, Frame::Inlines { kind: InlinesKind::Html(k), .. } if k == "span")
            });
            self.close_html(open, "/span", line);
            return;
        }
        if tag.ends_with("/>") {
            return; // an empty span holds no text
        }
        let Some(attrs) = span_attributes(tag) else {
            self.warn(
                line,
                format!("`{tag}` is not a well-formed tag; it is left out and its text kept"),
                "write a language span as <span lang=\"ru\">…</span>",
            );
            return self.open_inline(InlinesKind::Html("span".into()), line);
        };
        let mut lang = None;
        let mut dir = None;
        let mut dropped = Vec::new();
        for (name, value) in attrs {
            match name.as_str() {
                "lang" if lang.is_none() => lang = Some(value),
                "dir" if dir.is_none() => {
                    dir = match value.trim().to_ascii_lowercase().as_str() {
                        "ltr" => Some(TextDir::Ltr),
                        "rtl" => Some(TextDir::Rtl),
                        "auto" => Some(TextDir::Auto),
                        _ => {
                            self.warn(
                                line,
                                format!("`dir=\"{value}\"` is no direction; it is left out"),
                                "write dir=\"rtl\", dir=\"ltr\" or dir=\"auto\", or leave it out",
                            );
                            None
                        }
                    }
                }
                _ => dropped.push(name),
            }
        }
        if !dropped.is_empty() && lang.is_some() {
            let list = dropped.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            self.warn(
                line,
                format!("a <span> passes only `lang` and `dir` into the book; {list} left out"),
                "a span says which language its text is in: <span lang=\"ru\">…</span>",
            );
        }
        let lang = match lang.map(|l| Lang::parse(l.trim())) {
            Some(Ok((lang, long))) => {
                if let Some(long) = long {
                    self.warn(line, long.message(), &long.hint());
                }
                Some(lang)
            }
            Some(Err(why)) => {
                self.error(
                    line,
                    Kind::Value,
                    format!("the language of a <span> is not a language tag: {why}"),
                    "write a BCP 47 tag such as lang=\"ru\", lang=\"de-CH\" or lang=\"sr-Latn\"",
                );
                None
            }
            None => {
                self.warn_tag("span", line);
                None
            }
        };
        let nested = self
            .stack
            .iter()
            .filter(|f| matches!(f, Frame::Inlines { kind: InlinesKind::LangSpan { .. }, .. }))
            .count();
        match lang {
            Some(lang) if nested < MAX_LANG_NESTING => self.open_inline(InlinesKind::LangSpan { lang, dir }, line),
            Some(_) => {
                self.warn(
                    line,
                    format!("language spans are nested more than {MAX_LANG_NESTING} deep here; this one is left out"),
                    "its text is kept in the language of the span around it",
                );
                self.open_inline(InlinesKind::Html("span".into()), line)
            }
            None => self.open_inline(InlinesKind::Html("span".into()), line),
        }
    }

    fn warn_tag(&mut self, name: &str, line: usize) {
        if self.warned_tags.insert(name.to_string(), ()).is_none() {
            self.warn(
                line,
                format!("raw HTML <{name}> is not passed through; its text is kept"),
                "use Markdown instead (only <br>, <sup>, <sub>, <em>, <strong> and <span lang> are understood)",
            );
        }
    }

    /// A block of raw HTML: its markup goes, its text stays as a paragraph.
    fn html_block(&mut self, html: &str, line: usize) {
        let (text, script) = strip_tags(html);
        if script {
            self.warn(
                line,
                "a <script> or <style> element is never passed into a book; it was left out".into(),
                "remove it",
            );
        }
        let t = html.trim_start();
        let markup_only = t.starts_with("<!") || t.starts_with("<?") || script;
        if text.trim().is_empty() && markup_only {
            return;
        }
        self.warn(
            line,
            "a raw HTML block is not passed through; its text is kept as a paragraph".into(),
            "use Markdown instead of HTML",
        );
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            self.push_block(Block { line, kind: BlockKind::Paragraph { content: vec![Inline::text(text)] } });
        }
    }

    fn finish_notes(&mut self) -> Vec<Footnote> {
        let mut notes = Vec::new();
        let calls: Vec<(String, (u32, u32))> = self.notes_by_label.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (label, (number, calls)) in calls {
            match self.definitions.remove(&label) {
                Some((blocks, line)) => notes.push(Footnote { label, number, calls, line, blocks }),
                None => {
                    let line = self.call_lines.get(&label).copied().unwrap_or(1);
                    self.error(
                        line,
                        Kind::Content,
                        format!("the footnote [^{label}] is called but never defined"),
                        &format!("add its text at the end of the speech: [^{label}]: …"),
                    );
                }
            }
        }
        // Notes nobody calls: keep their words, numbered after the others.
        let rest: Vec<(String, (Vec<Block>, usize))> = std::mem::take(&mut self.definitions).into_iter().collect();
        let mut rest = rest;
        rest.sort_by_key(|(_, (_, line))| *line);
        for (label, (blocks, line)) in rest {
            self.warn(
                line,
                format!("the footnote [^{label}] is never called in the text"),
                &format!("call it with [^{label}] where it belongs, or remove it; it is kept after the others"),
            );
            let number = self.next_note;
            self.next_note += 1;
            notes.push(Footnote { label, number, calls: 0, line, blocks });
        }
        notes.sort_by_key(|n| n.number);
        notes
    }
}

/// Whether `content` holds an image or a footnote call: a heading of those alone is kept.
fn has_image_or_call(content: &[Inline]) -> bool {
    content.iter().any(|i| match i {
        Inline::Image { .. } | Inline::FootnoteRef { .. } => true,
        Inline::Emphasis { content }
        | Inline::Strong { content }
        | Inline::Superscript { content }
        | Inline::Subscript { content }
        | Inline::Link { content, .. }
        | Inline::Lang { content, .. } => has_image_or_call(content),
        _ => false,
    })
}

fn lone_image(content: &[Inline]) -> Option<ImageRef> {
    let mut image = None;
    for i in content {
        match i {
            Inline::Image { image: img } if image.is_none() => image = Some(img.clone()),
            Inline::Text { text } if text.trim().is_empty() => {}
            _ => return None,
        }
    }
    image
}

/// Adds to `found` the labels of the footnote calls (`[^label]`) left in `text`.
pub(super) fn footnote_calls(text: &str, found: &mut Vec<String>) {
    let mut rest = text;
    // A search for one byte is much cheaper than one for the pair `[^`.
    while let Some(start) = rest.find('[') {
        let Some(after) = rest[start + 1..].strip_prefix('^') else {
            rest = &rest[start + 1..];
            continue;
        };
        match after.find(']') {
            Some(end) if end > 0 && !after[..end].contains(char::is_whitespace) => {
                found.push(after[..end].to_string());
                rest = &after[end..];
            }
            _ => rest = after,
        }
    }
}

/// The text of raw HTML, without its markup: tags (their quoted attribute values may hold
/// `>`), comments, processing instructions (`<?php … ?>`), declarations and CDATA sections
/// are left out, and so is everything from `<script` or `<style` to its closing tag; the text
/// around them stays, the text after a closing tag on its line too. Character references
/// are decoded. Returns the text and whether a script or style was left out.
pub(super) fn strip_tags(html: &str) -> (String, bool) {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut script = false;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let after = |close: &str, from: usize| rest[from..].find(close).map(|e| from + e + close.len());
        let lower = rest.get(..10).unwrap_or(rest).to_ascii_lowercase();
        let name_at = usize::from(rest[1..].starts_with('/')) + 1;
        let is_tag = rest[name_at..].starts_with(|c: char| c.is_ascii_alphabetic());
        let end = if rest.starts_with("<!--") {
            after("-->", 4)
        } else if rest.starts_with("<?") {
            after("?>", 2)
        } else if rest.starts_with("<![CDATA[") {
            after("]]>", 9)
        } else if rest.starts_with("<!") {
            after(">", 2)
        } else if lower.starts_with("<script") || lower.starts_with("<style") {
            script = true;
            let close = if lower.starts_with("<script") { "</script" } else { "</style" };
            rest.to_ascii_lowercase().find(close).and_then(|e| rest[e..].find('>').map(|g| e + g + 1))
        } else if is_tag {
            tag_end(rest)
        } else {
            // A `<` that opens nothing is text.
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        match end {
            Some(e) => {
                out.push(' ');
                rest = &rest[e..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    (decode_references(&out), script)
}

/// The attributes of a start tag (`<span lang="ru" dir=rtl>`), names in lower case,
/// values with their character references decoded; `None` when it is not well formed.
fn span_attributes(tag: &str) -> Option<Vec<(String, String)>> {
    let inner = tag.strip_prefix('<')?.strip_suffix('>')?;
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let mut rest = inner.get(4..)?; // after `span`, any case
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Some(out);
        }
        let name_len =
            rest.find(|c: char| c.is_whitespace() || c == '=' || c == '"' || c == '\'').unwrap_or(rest.len());
        if name_len == 0 {
            return None;
        }
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let Some(after) = rest.strip_prefix('=') else {
            out.push((name, String::new()));
            continue;
        };
        rest = after.trim_start();
        let value;
        if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let end = rest[1..].find(q)? + 1;
            value = &rest[1..end];
            rest = &rest[end + 1..];
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value = &rest[..end];
            rest = &rest[end..];
        }
        out.push((name, decode_references(value)));
    }
}

/// The end of the tag at the start of `s` (after its `>`), skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// HTML's character references in `s` decoded: the common named ones and every numeric one
/// (`&#8212;`, `&#x2014;`); others stay as written.
fn decode_references(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let c = match name {
            "nbsp" => Some('\u{a0}'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "amp" => Some('&'),
            "shy" => Some('\u{ad}'),
            "mdash" => Some('\u{2014}'),
            "ndash" => Some('\u{2013}'),
            _ => match name.strip_prefix('#') {
                Some(n) => match n.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => n.parse().ok(),
                }
                .and_then(char::from_u32)
                // Controls a source may not hold stay out of the text here too.
                .filter(|c| !c.is_control() || matches!(c, '\t' | '\n')),
                None => None,
            },
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
