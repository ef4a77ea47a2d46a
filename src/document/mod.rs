//! The document model: Book > Part > Chapter > Block > Inline, built once from the
//! anthology's selection. Markdown is parsed here and only here, and the typography of each
//! chapter's language is applied here, so the EPUB and the PDF read the same final text.

mod gender;
pub(crate) mod links;
pub(crate) mod locale;
mod markdown;
pub mod model;
pub(crate) mod pages;
pub(crate) mod typography;

pub use markdown::MAX_DEPTH;
pub use model::*;

use crate::anthology::{Anthology, Asset, Selection};
use crate::diagnostics::Report;
use crate::incremental::{self, Cache};
use crate::lang::Lang;
use crate::library::{count_words, Library, Speech};
use crate::parallel::parallel_map;
use crate::project::{read_source, Project};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use typography::TextRun;

/// Build the model of `book`. Problems go to `report`; the model is complete only when
/// the report has no errors.
/// `epoch` is `SOURCE_DATE_EPOCH` when set. With `cache`, a speech's chapter is taken from
/// it when nothing it is made from changed (see [`crate::incremental`]).
pub(crate) fn build(
    project: &Project,
    book: &Anthology,
    sel: &Selection,
    lib: &Library,
    epoch: Option<i64>,
    cache: Option<&Cache>,
    report: &mut Report,
) -> Book {
    let lang = book.meta.language.clone();
    let typo = book.meta.typography;
    let mut anchors = BTreeSet::new();
    let mut unique = |base: String| {
        let mut a = base.clone();
        let mut n = 1;
        while !anchors.insert(a.clone()) {
            n += 1;
            a = format!("{base}-{n}");
        }
        a
    };
    let mut meta = book.meta.clone();
    if typo {
        for t in [&mut meta.title].into_iter().chain(meta.subtitle.as_mut()).chain(meta.description.as_mut()) {
            *t = typography::apply_str(&lang, t);
        }
    }
    let mut front = Vec::new();
    // Each chapter's links to speeches and headings, by its anchor.
    let mut pending = BTreeMap::new();
    let mut keep = |c: Option<(Chapter, Vec<links::Pending>)>| {
        c.map(|(c, l)| {
            pending.insert(c.anchor.clone(), l);
            c
        })
    };
    if let Some(a) = &book.introduction {
        let anchor = unique("introduction".into());
        front.extend(keep(matter_chapter(project, a, ChapterKind::Introduction, anchor, &lang, typo, report)));
    }
    // Speech chapters are independent: parse them on all cores.
    let ids: Vec<(usize, &Speech)> = sel
        .parts
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.speeches.iter().filter_map(move |id| lib.speeches.get(id).map(|s| (i, s))))
        .collect();
    let anchored: Vec<(usize, &Speech, String)> =
        ids.into_iter().map(|(i, s)| (i, s, unique(anchor_of("s-", &s.id)))).collect();
    let built = parallel_map(&anchored, |(_, s, anchor)| {
        let key = cache.map(|c| {
            let meta = format!("{:?}", s.meta);
            let place = (&s.id, &s.shown, &s.dir, s.body_start, s.body_line);
            incremental::hash_of((c.tree(), place, &s.source, meta, anchor, &lang, typo))
        });
        if let Some(hit) = cache.zip(key).and_then(|(c, k)| c.parsed(k)) {
            return Arc::unwrap_or_clone(hit);
        }
        let mut r = Report::default();
        let c = speech_chapter(project, s, anchor.clone(), &lang, typo, &mut r);
        if let Some((cache, key)) = cache.zip(key) {
            cache.keep_parsed(key, Arc::new((c.clone(), r.clone())));
        }
        (c, r)
    });
    let mut parts: Vec<Part> = sel
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| Part {
            title: p.title.as_ref().map(|t| if typo { typography::apply_str(&lang, t) } else { t.clone() }),
            anchor: format!("part-{}", i + 1),
            chapters: Vec::new(),
        })
        .collect();
    for ((part, _, _), (chapter, r)) in anchored.iter().zip(built) {
        report.extend(r);
        if let Some(c) = keep(chapter) {
            parts[*part].chapters.push(c);
        }
    }
    let mut back = Vec::new();
    if let Some(a) = &book.afterword {
        let anchor = unique("afterword".into());
        back.extend(keep(matter_chapter(project, a, ChapterKind::Afterword, anchor, &lang, typo, report)));
    }
    let mut languages = vec![lang.clone()];
    let mut b = Book { name: book.name.clone(), meta, languages: Vec::new(), modified: 0, front, parts, back };
    links::resolve(&mut b, pending, lib, report);
    let mut newest = b.meta.date.map(|d| d.earliest());
    for c in b.chapters() {
        if !languages.contains(&c.meta.language) {
            languages.push(c.meta.language.clone());
        }
        newest = newest.max(c.meta.date.as_ref().map(|d| d.earliest()));
    }
    if let Some(w) = locale::fallback_warning(&b.name, &languages) {
        report.push(w);
    }
    b.languages = languages;
    b.modified = epoch.unwrap_or_else(|| {
        // A book of speeches all before year 1 is still modified in a year the EPUB's
        // `dcterms:modified` can name.
        let (y, m, d) = newest.unwrap_or((2000, 1, 1)).max((1, 1, 1));
        days_from_civil(y as i64, m as u32, d as u32) * 86_400
    });
    b
}

fn speech_chapter(
    project: &Project,
    s: &Speech,
    anchor: String,
    book_lang: &Lang,
    typo: bool,
    report: &mut Report,
) -> Option<(Chapter, Vec<links::Pending>)> {
    let language = s.meta.language.clone().unwrap_or_else(|| book_lang.clone());
    let src = markdown::SourceInfo {
        project,
        shown: &s.shown,
        file_text: &s.source,
        offset: s.body_start,
        dir: &s.dir,
        anchor: &anchor,
        lang: &language,
    };
    let parsed = markdown::parse(s.body(), &src, report).ok()?;
    let m = &s.meta;
    let fix = |t: &str| if typo { typography::apply_str(&language, t) } else { t.to_string() };
    let meta = ChapterMeta {
        title: fix(&m.title),
        speakers: m.speakers.clone(),
        date: Some(m.date.clone()),
        language: language.clone(),
        place: m.place.as_deref().map(fix),
        occasion: m.occasion.as_deref().map(fix),
        source: m.source.as_deref().map(fix),
        translators: m.translators.clone(),
        tags: m.tags.clone(),
        rights: m.rights.as_deref().map(fix),
        summary: m.summary.as_deref().map(fix),
    };
    let chapter = finish(
        Chapter {
            id: s.id.clone(),
            kind: ChapterKind::Speech,
            anchor,
            meta,
            source: s.shown.clone(),
            blocks: parsed.blocks,
            footnotes: parsed.footnotes,
            words: 0,
        },
        typo,
        s.body_line,
    );
    Some((chapter, parsed.links))
}

/// The introduction or afterword: Markdown without front matter; its first `#` heading is
/// its title.
fn matter_chapter(
    project: &Project,
    asset: &Asset,
    kind: ChapterKind,
    anchor: String,
    lang: &Lang,
    typo: bool,
    report: &mut Report,
) -> Option<(Chapter, Vec<links::Pending>)> {
    let text = match read_source(&asset.path, &asset.shown) {
        Ok(t) => t,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let dir = asset.path.parent().unwrap_or(&project.books).to_path_buf();
    let src = markdown::SourceInfo {
        project,
        shown: &asset.shown,
        file_text: &text,
        offset: 0,
        dir: &dir,
        anchor: &anchor,
        lang,
    };
    let mut parsed = markdown::parse(&text, &src, report).ok()?;
    let title = match parsed.blocks.first() {
        Some(Block { kind: BlockKind::Heading { level: 1, content, .. }, .. }) => {
            let t = plain_text(content);
            parsed.blocks.remove(0);
            t
        }
        _ => locale::strings(lang).matter_title(kind).to_string(),
    };
    let meta = ChapterMeta {
        title: if typo { typography::apply_str(lang, &title) } else { title },
        speakers: Vec::new(),
        date: None,
        language: lang.clone(),
        place: None,
        occasion: None,
        source: None,
        translators: Vec::new(),
        tags: Vec::new(),
        rights: None,
        summary: None,
    };
    let id = match kind {
        ChapterKind::Introduction => "introduction",
        _ => "afterword",
    };
    let chapter = finish(
        Chapter {
            id: id.into(),
            kind,
            anchor,
            meta,
            source: asset.shown.clone(),
            blocks: parsed.blocks,
            footnotes: parsed.footnotes,
            words: 0,
        },
        typo,
        1,
    );
    Some((chapter, parsed.links))
}

/// Apply typography block by block, turn body-relative lines into file lines, count words.
fn finish(mut c: Chapter, typo: bool, body_line: usize) -> Chapter {
    let lang = c.meta.language.clone();
    let shift = body_line.saturating_sub(1);
    let mut words = 0;
    let mut visit = |b: &mut Block| {
        b.line += shift;
        for_each_inline_run(b, &mut |runs: &mut Vec<&mut Inline>| {
            if typo {
                let mut text_runs: Vec<TextRun> = runs
                    .iter_mut()
                    .filter_map(|i| match &mut **i {
                        Inline::Text { text } => Some(TextRun { text, verbatim: false }),
                        Inline::Code { text } => Some(TextRun { text, verbatim: true }),
                        _ => None,
                    })
                    .collect();
                typography::apply(&lang, &mut text_runs);
                for i in runs.iter_mut() {
                    if let Inline::Image { image } = &mut **i {
                        image.alt = typography::apply_str(&lang, &image.alt);
                    }
                }
            }
            for i in runs.iter() {
                match &**i {
                    Inline::Text { text } | Inline::Code { text } => words += count_words(text),
                    Inline::Image { image } => words += count_words(&image.alt),
                    _ => {}
                }
            }
        });
    };
    for b in c.blocks.iter_mut() {
        walk_blocks(b, &mut visit);
    }
    for n in c.footnotes.iter_mut() {
        n.line += shift;
        for b in n.blocks.iter_mut() {
            walk_blocks(b, &mut visit);
        }
    }
    c.words = words;
    c
}

/// Visit `b` and every block inside it.
fn walk_blocks(b: &mut Block, f: &mut impl FnMut(&mut Block)) {
    f(b);
    match &mut b.kind {
        BlockKind::Quote { blocks } => blocks.iter_mut().for_each(|x| walk_blocks(x, f)),
        BlockKind::List { items, .. } => items.iter_mut().flatten().for_each(|x| walk_blocks(x, f)),
        _ => {}
    }
}

/// Call `f` once per run of inline text of `b` (a paragraph, a heading, a table cell, an
/// image's alt text), with the inlines flattened in reading order.
fn for_each_inline_run(b: &mut Block, f: &mut impl FnMut(&mut Vec<&mut Inline>)) {
    fn flatten<'a>(v: &'a mut [Inline], out: &mut Vec<&'a mut Inline>) {
        for i in v {
            match i {
                Inline::Emphasis { content }
                | Inline::Strong { content }
                | Inline::Superscript { content }
                | Inline::Subscript { content }
                | Inline::Link { content, .. }
                | Inline::Lang { content, .. } => flatten(content, out),
                other => out.push(other),
            }
        }
    }
    let mut run = |content: &mut [Inline]| {
        let mut v = Vec::new();
        flatten(content, &mut v);
        f(&mut v);
    };
    match &mut b.kind {
        BlockKind::Heading { content, .. } | BlockKind::Paragraph { content } => run(content),
        BlockKind::Table { head, rows, .. } => {
            for cell in head.iter_mut().chain(rows.iter_mut().flatten()) {
                run(cell);
            }
        }
        BlockKind::Image { image } => {
            let mut alt = [Inline::text(std::mem::take(&mut image.alt))];
            run(&mut alt);
            if let [Inline::Text { text }] = alt {
                image.alt = text;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
