//! The print side: fonts and shaping, hyphenation and Knuth–Plass line breaking, pages,
//! and the PDF writer. `write` turns the document model into the reading edition's PDF.

pub mod barcode;
pub mod cover;
pub mod font;
pub mod impose;
pub mod layout;
pub mod print;
pub mod text;
pub mod write;

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::Chapter;
use crate::project::Project;
use crate::Prepared;
use font::FontSet;
pub use print::Edition;
use std::path::Path;
use text::paragraph::Typesetter;
use write::DocInfo;

/// Write the book's PDF to `file`. Problems go to `report`; on any error the file is not
/// replaced.
pub fn write(prep: &Prepared, project: &Project, file: &Path, report: &mut Report) {
    write_edition(prep, project, file, Edition::Reading, report);
}

/// Write the book's PDF in `edition` to `file`; returns the number of pages of the
/// interior (before imposition) when it was written.
pub fn write_edition(
    prep: &Prepared,
    project: &Project,
    file: &Path,
    edition: Edition,
    report: &mut Report,
) -> Option<usize> {
    write_inner(prep, project, file, edition, false, report).unwrap_or_else(|d| {
        report.push(d);
        None
    })
}

/// The number of pages of the print edition, set but not written (`scratch` is where its
/// temporary file goes, removed afterwards): what the cover's spine needs.
pub fn page_count(prep: &Prepared, project: &Project, scratch: &Path, report: &mut Report) -> Option<usize> {
    let edition = Edition::Print { marks: false };
    write_inner(prep, project, scratch, edition, true, report).unwrap_or_else(|d| {
        report.push(d);
        None
    })
}

/// The fewest pages handed to an encoder at once (when a unit has that many): each
/// hand-over may wake a thread, and a unit's pages are not worth spreading thinner.
const MIN_SHARE: usize = 3;

/// The most pages held back before they go to the encoders, in a long unit.
const MAX_BATCH: usize = 16;

/// A unit of layout work, in reading order.
enum Unit<'b> {
    Cover,
    HalfTitle,
    /// The title page and the copyright page on its verso.
    Title,
    Contents,
    Part(&'b str),
    /// A chapter and its level in the outline.
    Chapter(&'b Chapter, u8),
}

/// What a layout worker hands back for one unit.
struct Done {
    ops: Vec<layout::Op>,
    report: Report,
}

/// The contents entries of `units`: parts and chapters, with the folio and place each
/// starts at when `starts` (in the same order) is known, else a stand-in.
fn contents_entries(
    units: &[Unit],
    book_lang: &str,
    starts: &[layout::Placed],
    folio: impl Fn(usize) -> String,
) -> Vec<layout::ContentsEntry> {
    let strings = crate::document::locale::strings(book_lang);
    let mut out = Vec::new();
    for u in units {
        let (level, title, byline) = match u {
            Unit::Part(t) => (0, t.to_string(), None),
            Unit::Chapter(c, _) => {
                let by = (c.kind == crate::document::ChapterKind::Speech && !c.meta.speakers.is_empty())
                    .then(|| strings.list(&c.meta.speakers));
                (1, c.meta.title.clone(), by)
            }
            _ => continue,
        };
        let at = starts.get(out.len());
        out.push(layout::ContentsEntry {
            level,
            title,
            byline,
            folio: at.map_or_else(|| "888".to_string(), |p| folio(p.page)),
            page: at.map_or(0, |p| p.page),
            top: at.map_or(0.0, |p| p.top),
        });
    }
    out
}

fn write_inner(
    prep: &Prepared,
    project: &Project,
    file: &Path,
    edition: Edition,
    count_only: bool,
    report: &mut Report,
) -> Result<Option<usize>, Diagnostic> {
    let book = &prep.book;
    let fonts = FontSet::load(project, &prep.style.fonts)?;
    let geometry = layout::Geometry::of(&prep.style)?;
    let exceptions = &book.meta.hyphenation_exceptions;
    let lang = book.meta.language.as_str();
    let strings = crate::document::locale::strings(lang);
    // The cover is printed on its own for the editions on paper.
    let mut units = if edition.for_paper() { Vec::new() } else { vec![Unit::Cover] };
    units.extend([Unit::HalfTitle, Unit::Title, Unit::Contents]);
    units.extend(book.front.iter().map(|c| Unit::Chapter(c, 0)));
    for p in &book.parts {
        units.extend(p.title.as_deref().map(Unit::Part));
        let depth = u8::from(p.title.is_some());
        units.extend(p.chapters.iter().map(|c| Unit::Chapter(c, depth)));
    }
    units.extend(book.back.iter().map(|c| Unit::Chapter(c, 0)));
    // How many pages the contents take, counted with stand-in folios before the pages are
    // known (the entries break the same way whatever their folios). The layout is kept for
    // setting them with their folios at the end: its words are shaped by then.
    let families = fonts.families();
    let count_contents = || {
        let mut lay = layout::Layout::new(&geometry, Typesetter::new(&fonts, Vec::new()), &book.meta.title);
        let mut ops = Vec::new();
        lay.contents(&mut ops, lang, &contents_entries(&units, lang, &[], |_| String::new()));
        let mut count = 0;
        let mut flow = layout::Flow::new(&geometry, 1, strings.note_continued, |_, _| {
            count += 1;
            Ok(())
        });
        let mut ts = Typesetter::new(&fonts, Vec::new());
        flow.replay(ops, &mut ts)?;
        flow.finish(&mut ts)?;
        drop(flow);
        // What the stand-ins gave to report is reported when the contents are set.
        lay.report = Report::default();
        Ok::<_, Diagnostic>((count, lay))
    };
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4).min(units.len());
    let writer = edition.writer(prep, file, report)?;
    let errors_before = report.errors();
    let (fonts_ref, g, units_ref, families) = (&fonts, &geometry, &units, &families);
    // Chapters are set on `workers` threads (each with its own shaping and hyphenation
    // caches) and replayed into pages in reading order here; the pages of each unit are
    // shared out in batches to `workers` more threads, which encode and compress them, and
    // this thread writes the encoded pages in order between units (the writer numbers the
    // objects). Handing pages over in batches and writing here keeps threads from waking
    // each other for every page. Every queue of pages is short, so memory stays bounded
    // however long the book.
    let encoders: Vec<write::Encoder> = (0..workers).map(|_| writer.encoder()).collect();
    let outcome = std::thread::scope(|s| {
        // Encoded pages come back on a channel without bound: an encoder never waits on
        // this thread, which drains it between units, so neither can wait on the other.
        let (done_tx, done_rx) = std::sync::mpsc::channel::<(usize, usize, Result<write::Encoded, Diagnostic>)>();
        // Batch n goes to encoder n % encoders, each with a queue of its own.
        let mut page_txs = Vec::new();
        for mut encoder in encoders {
            let (page_tx, page_rx) = std::sync::mpsc::sync_channel::<Vec<(usize, usize, write::Page)>>(4);
            page_txs.push(page_tx);
            let done_tx = done_tx.clone();
            s.spawn(move || {
                for batch in page_rx {
                    for (seq, index, page) in batch {
                        let encoded = encoder.encode(fonts_ref, &page);
                        drop(page);
                        if done_tx.send((seq, index, encoded)).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        drop(done_tx);
        let writer = std::cell::RefCell::new(writer);
        // Pages come encoded in any order; they are written in the order they were made.
        let order = std::cell::RefCell::new((std::collections::BTreeMap::new(), 0usize));
        let put = |seq: usize, index: usize, encoded: Result<write::Encoded, Diagnostic>| {
            let (waiting, next) = &mut *order.borrow_mut();
            waiting.insert(seq, (index, encoded));
            while let Some((index, encoded)) = waiting.remove(next) {
                writer.borrow_mut().put(index, encoded?)?;
                *next += 1;
            }
            Ok::<(), Diagnostic>(())
        };
        let mut results = Vec::new();
        let mut worker_threads = Vec::new();
        for w in 0..workers {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Done>(4);
            results.push(rx);
            worker_threads.push(s.spawn(move || {
                let typesetter = Typesetter::new(fonts_ref, exceptions.clone());
                let mut lay = layout::Layout::new(g, typesetter, &book.meta.title);
                for unit in units_ref.iter().skip(w).step_by(workers) {
                    let mut ops = Vec::new();
                    match unit {
                        Unit::Cover => lay.cover(&mut ops, book, 0.0),
                        Unit::HalfTitle => lay.half_title(&mut ops, book),
                        Unit::Title => lay.title_page(&mut ops, book, families),
                        // The pages it takes are reserved by the flow (see below).
                        Unit::Contents => ops.push(layout::Op::NewPage { recto: true }),
                        Unit::Part(t) => lay.part_title(&mut ops, t, lang),
                        Unit::Chapter(c, depth) => lay.chapter(&mut ops, c, lang, *depth),
                    }
                    let done = Done { ops, report: std::mem::take(&mut lay.report) };
                    if tx.send(done).is_err() {
                        break;
                    }
                }
                (lay.typesetter.shaper.glyph_texts, lay.fallback_used)
            }));
        }
        // Counted here while the first units are set.
        let (contents_pages, mut contents_lay) = count_contents()?;
        let mut folios = Typesetter::new(fonts_ref, Vec::new());
        // The pages made since the last hand-over, numbered in the order made.
        let made = std::cell::Cell::new(0);
        let batch = std::cell::RefCell::new(Vec::new());
        let batches = std::cell::Cell::new(0);
        // Hands the batch to the encoders, shared out in runs of pages (so that the last
        // unit's pages, which all wait for, are encoded side by side), then writes what is
        // encoded so far.
        let hand_over = || {
            let mut pages = std::mem::take(&mut *batch.borrow_mut());
            let share = pages.len().div_ceil(page_txs.len()).max(MIN_SHARE);
            while !pages.is_empty() {
                let rest = pages.split_off(share.min(pages.len()));
                let n = batches.get();
                batches.set(n + 1);
                page_txs[n % page_txs.len()].send(pages).map_err(|_| {
                    Diagnostic::error(Kind::Io, "a PDF encoder stopped").with_hint("see the error above")
                })?;
                pages = rest;
            }
            while let Ok((seq, index, encoded)) = done_rx.try_recv() {
                put(seq, index, encoded)?;
            }
            Ok::<(), Diagnostic>(())
        };
        // A unit's pages go over when it is replayed, or sooner when it is long: the pages
        // held here stay few however long a chapter.
        let send = |index: usize, page: write::Page| {
            let seq = made.get();
            made.set(seq + 1);
            let full = {
                let mut b = batch.borrow_mut();
                b.push((seq, index, page));
                b.len() >= MAX_BATCH
            };
            if full {
                hand_over()?;
            }
            Ok(())
        };
        let mut flow = layout::Flow::new(g, 1, strings.note_continued, send);
        let mut unit_reports = Report::default();
        for i in 0..units_ref.len() {
            let Ok(done) = results[i % workers].recv() else {
                return Err(Diagnostic::error(Kind::Io, "a layout thread stopped").with_hint("see the error above"));
            };
            unit_reports.extend(done.report);
            let mut ops = done.ops;
            if matches!(units_ref[i], Unit::Contents) {
                ops.push(layout::Op::Reserve(contents_pages));
            }
            flow.replay(ops, &mut folios)?;
            hand_over()?;
        }
        flow.finish(&mut folios)?;
        hand_over()?;
        // The contents, now that the folios are known, on the pages left for them.
        let (offset, arabic_from) = (flow.folio_offset, flow.arabic_from);
        let mut outline = std::mem::take(&mut flow.outline);
        let starts = std::mem::take(&mut flow.starts);
        let reserved = std::mem::take(&mut flow.reserved);
        drop(flow);
        if let Some(&first) = reserved.first() {
            let entries =
                contents_entries(units_ref, lang, &starts, |p| layout::folio_text(p + 1, offset, arabic_from));
            let lay = &mut contents_lay;
            let mut ops = Vec::new();
            lay.contents(&mut ops, lang, &entries);
            unit_reports.extend(std::mem::take(&mut lay.report));
            let mut written = 0;
            let mut cflow = layout::Flow::new(g, first + 1, strings.note_continued, |index, page| {
                written += 1;
                send(index, page)
            });
            cflow.folio_offset = offset;
            cflow.arabic_from = arabic_from;
            cflow.replay(ops, &mut folios)?;
            cflow.finish(&mut folios)?;
            outline.extend(std::mem::take(&mut cflow.outline));
            drop(cflow);
            hand_over()?;
            if written != reserved.len() {
                return Err(Diagnostic::error(
                    Kind::Io,
                    format!("internal error: the contents took {written} pages, not the {} counted", reserved.len()),
                )
                .with_hint("please report this with the book that caused it"));
            }
            let mut texts = std::mem::take(&mut lay.typesetter.shaper.glyph_texts);
            folios.shaper.glyph_texts.append(&mut texts);
        }
        // Outline entries in page order (the contents were placed last).
        outline.sort_by_key(|e| e.page);
        drop(page_txs);
        for (seq, index, encoded) in done_rx {
            put(seq, index, encoded)?;
        }
        let writer = writer.into_inner();
        let mut texts = std::mem::take(&mut folios.shaper.glyph_texts);
        let mut fallback = std::collections::BTreeSet::new();
        for t in worker_threads {
            let (glyph_texts, used) = t.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (k, v) in glyph_texts {
                texts.entry(k).or_insert(v);
            }
            fallback.extend(used);
        }
        Ok((writer, texts, fallback, unit_reports, outline, (offset, arabic_from)))
    });
    let (mut writer, texts, fallback, unit_reports, outline, (offset, arabic_from)) = outcome?;
    report.extend(unit_reports);
    if edition.is_print() {
        print::report_images(&writer, prep, project, report);
    }
    if !fallback.is_empty() {
        let mut by_font: std::collections::BTreeMap<String, String> = Default::default();
        for (c, f) in fallback {
            by_font.entry(f).or_default().push(c);
        }
        for (f, chars) in by_font {
            report.push(
                Diagnostic::warning(
                    Kind::Content,
                    format!(
                        "the book face lacks {chars}; {} set from the fallback font {f}",
                        if chars.chars().count() > 1 { "they are" } else { "it is" }
                    ),
                )
                .with_hint("that is fine for symbols; for letters, choose a book face that has them"),
            );
        }
    }
    if report.errors() > errors_before {
        return Ok(None);
    }
    if edition.is_print() {
        print::pad_to_leaves(&mut writer, &fonts, &geometry)?;
    }
    let pages = writer.page_count();
    if count_only {
        return Ok(Some(pages));
    }
    let mut authors: Vec<String> = book.meta.editors.clone();
    if authors.is_empty() {
        for c in book.chapters() {
            for s in &c.meta.speakers {
                if !authors.contains(s) {
                    authors.push(s.clone());
                }
            }
        }
    }
    let mut keywords: Vec<String> = Vec::new();
    for c in book.chapters() {
        for t in &c.meta.tags {
            if !keywords.contains(t) {
                keywords.push(t.clone());
            }
        }
    }
    let info = DocInfo {
        title: book.meta.title.clone(),
        authors,
        subject: book.meta.description.clone().or_else(|| book.meta.subtitle.clone()),
        keywords,
        language: book.meta.language.clone(),
        modified: book.modified,
        identifier: book.meta.identifier.clone(),
    };
    // Page labels as the folios show them: the cover, then i, ii, … then 1, 2, …
    let mut labels = Vec::new();
    if offset > 0 {
        let prefix = Some(format!("{} ", strings.cover));
        labels.push(write::PageLabel { start: 0, style: write::NumberingStyle::Arabic, prefix });
    }
    if arabic_from != Some(offset) {
        labels.push(write::PageLabel { start: offset, style: write::NumberingStyle::LowerRoman, prefix: None });
    }
    if let Some(a) = arabic_from {
        labels.push(write::PageLabel { start: a, style: write::NumberingStyle::Arabic, prefix: None });
    }
    // A booklet's pages are sheets: no bookmarks or labels of the book's pages.
    if edition == Edition::Booklet {
        let mut texts = texts;
        impose::booklet(&mut writer, prep, &fonts, &geometry, &mut texts, report)?;
        writer.finish(&fonts, &texts, &info, write::Navigation::default())?;
    } else {
        let outline = writer.outline(&outline)?;
        writer.finish(&fonts, &texts, &info, write::Navigation { labels, outline })?;
    }
    Ok(Some(pages))
}
