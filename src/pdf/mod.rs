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
use write::{DocInfo, PdfWriter};

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
    // known (the entries break the same way whatever their folios).
    let families = fonts.families();
    let contents_pages = {
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
        count
    };
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4).min(units.len());
    let writer = edition.writer(prep, file, report)?;
    let errors_before = report.errors();
    let (fonts_ref, g, units_ref, families) = (&fonts, &geometry, &units, &families);
    // Chapters are set on `workers` threads (each with its own shaping and hyphenation
    // caches) and replayed into pages in reading order here; the pages are encoded and
    // compressed on `workers` more threads, and written in order by a last one, which
    // numbers the objects. Every queue is short, so memory stays bounded however long the
    // book.
    let encoders: Vec<write::Encoder> = (0..workers).map(|_| writer.encoder()).collect();
    let outcome = std::thread::scope(|s| {
        let (done_tx, done_rx) =
            std::sync::mpsc::sync_channel::<(usize, usize, Result<write::Encoded, Diagnostic>)>(64);
        // Page n goes to encoder n % encoders, each with a queue of its own.
        let mut page_txs = Vec::new();
        for mut encoder in encoders {
            let (page_tx, page_rx) = std::sync::mpsc::sync_channel::<(usize, usize, write::Page)>(32);
            page_txs.push(page_tx);
            let done_tx = done_tx.clone();
            s.spawn(move || {
                for (seq, index, page) in page_rx {
                    let encoded = encoder.encode(fonts_ref, &page);
                    drop(page);
                    if done_tx.send((seq, index, encoded)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let writer_thread = s.spawn(move || {
            let mut writer = writer;
            // Pages come encoded in any order; they are written in the order they were made.
            let mut waiting = std::collections::BTreeMap::new();
            let mut next = 0;
            for (seq, index, encoded) in done_rx {
                waiting.insert(seq, (index, encoded));
                while let Some((index, encoded)) = waiting.remove(&next) {
                    writer.put(index, encoded?)?;
                    next += 1;
                }
            }
            Ok::<PdfWriter, Diagnostic>(writer)
        });
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
                        Unit::Contents => {
                            ops.push(layout::Op::NewPage { recto: true });
                            ops.push(layout::Op::Reserve(contents_pages));
                        }
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
        let mut folios = Typesetter::new(fonts_ref, Vec::new());
        let made = std::cell::Cell::new(0);
        let send = |index: usize, page: write::Page| {
            let seq = made.get();
            made.set(seq + 1);
            page_txs[seq % page_txs.len()]
                .send((seq, index, page))
                .map_err(|_| Diagnostic::error(Kind::Io, "the PDF writer stopped").with_hint("see the error above"))
        };
        let mut flow = layout::Flow::new(g, 1, strings.note_continued, send);
        let mut unit_reports = Report::default();
        for i in 0..units_ref.len() {
            let Ok(done) = results[i % workers].recv() else {
                return Err(Diagnostic::error(Kind::Io, "a layout thread stopped").with_hint("see the error above"));
            };
            unit_reports.extend(done.report);
            flow.replay(done.ops, &mut folios)?;
        }
        flow.finish(&mut folios)?;
        // The contents, now that the folios are known, on the pages left for them.
        let (offset, arabic_from) = (flow.folio_offset, flow.arabic_from);
        let mut outline = std::mem::take(&mut flow.outline);
        let starts = std::mem::take(&mut flow.starts);
        let reserved = std::mem::take(&mut flow.reserved);
        drop(flow);
        if let Some(&first) = reserved.first() {
            let entries =
                contents_entries(units_ref, lang, &starts, |p| layout::folio_text(p + 1, offset, arabic_from));
            let mut lay = layout::Layout::new(g, Typesetter::new(fonts_ref, Vec::new()), &book.meta.title);
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
        let writer = writer_thread.join().unwrap_or_else(|e| std::panic::resume_unwind(e))?;
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
    let mut nums = Vec::new();
    let dict = |style: &str, prefix: Option<&str>| {
        let mut d = vec![("S".to_string(), write::Obj::Name(style.into()))];
        if let Some(p) = prefix {
            d.push(("P".to_string(), write::Obj::Str(write::PdfString::text(p))));
        }
        write::Obj::Dict(d)
    };
    if offset > 0 {
        nums.push(write::Obj::Int(0));
        nums.push(dict("D", Some(&format!("{} ", strings.cover))));
    }
    if arabic_from != Some(offset) {
        nums.push(write::Obj::Int(offset as i64));
        nums.push(dict("r", None));
    }
    if let Some(a) = arabic_from {
        nums.push(write::Obj::Int(a as i64));
        nums.push(dict("D", None));
    }
    let mut catalog = vec![("PageLabels", write::Obj::Dict(vec![("Nums".into(), write::Obj::Array(nums))]))];
    // A booklet's pages are sheets: no bookmarks or labels of the book's pages.
    if let Some(root) = if edition == Edition::Booklet { None } else { writer.outline(&outline)? } {
        catalog.push(("Outlines", write::Obj::Ref(root)));
        catalog.push(("PageMode", write::Obj::Name("UseOutlines".into())));
    }
    if edition == Edition::Booklet {
        let mut texts = texts;
        impose::booklet(&mut writer, prep, &fonts, &geometry, &mut texts, report)?;
        writer.finish(&fonts, &texts, &info, Vec::new())?;
    } else {
        writer.finish(&fonts, &texts, &info, catalog)?;
    }
    Ok(Some(pages))
}
