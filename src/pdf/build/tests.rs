//! The pipeline driven into memory: a small book with parts, set and paginated by the
//! real stages, and its contents read back against where the chapters really start.

use super::*;
use crate::diagnostics::Report;
use crate::library::Library;
use crate::pdf::layout::{folio_text, Memory};
use crate::pdf::write::{Mark, Page};

const TITLES: [&str; 4] =
    ["Vom langen Atem der Streiks", "Gegen die Mietsteigerung", "Frieden ist Arbeit", "Was bleibt"];

/// A project whose book has two parts and four speeches of different lengths (so the
/// chapters start on different pages, some after several pages).
fn project() -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let speeches = dir.path().join("books/speeches");
    std::fs::create_dir_all(&speeches).unwrap();
    let para = "Die Beschäftigten haben ihre Forderungen gemeinsam aufgestellt, und sie werden sie \
                gemeinsam durchsetzen, ob die Verantwortlichen das wollen oder nicht. ";
    for (i, title) in TITLES.iter().enumerate() {
        let body: Vec<String> = (0..(3 + i * 9)).map(|_| para.repeat(3)).collect();
        let text = format!(
            "---\ntitle: \"{title}\"\nspeaker: Anna Petrowa\ndate: 2024-0{}-01\nlanguage: de\n---\n\n{}\n",
            i + 1,
            body.join("\n\n")
        );
        std::fs::write(speeches.join(format!("s{i}.md")), text).unwrap();
    }
    let book = "title = \"Probe\"\nlanguage = \"de\"\n\n[[parts]]\ntitle = \"Erster Teil\"\n[parts.select]\n\
                speeches = [\"s0\", \"s1\"]\n\n[[parts]]\ntitle = \"Zweiter Teil\"\n[parts.select]\n\
                speeches = [\"s2\", \"s3\"]\n";
    std::fs::write(dir.path().join("books/probe.toml"), book).unwrap();
    let project = Project::at(dir.path().to_path_buf()).unwrap();
    (dir, project)
}

/// The text of a page's glyphs, without spaces and leader dots.
fn page_text(page: &Page, texts: &BTreeMap<(FaceId, u16), String>) -> String {
    let mut s = String::new();
    for m in &page.marks {
        if let &Mark::Glyphs { face, ref glyphs, .. } = m {
            for g in glyphs {
                s.push_str(texts.get(&(face, g.id)).map_or("", String::as_str));
            }
        }
    }
    s.chars().filter(|c| !c.is_whitespace() && *c != '.').collect()
}

#[test]
fn contents_folios_are_the_real_ones() {
    let (_dir, project) = project();
    let mut report = Report::default();
    let lib = Library::load(&project, &mut report);
    let prep = crate::prepare(&project, &lib, &project.books.join("probe.toml"), &mut report).unwrap();
    assert!(!report.has_errors(), "{report:?}");
    let fonts = FontSet::load(&project, &prep.style.fonts).unwrap();
    let g = Geometry::of(&prep.style).unwrap();
    let units = plan::units(&prep.book, Edition::Reading);
    let (pages, texts, paged) = std::thread::scope(|s| {
        let mut setters = Setters::spawn(s, 2, &fonts, &g, &prep.book, &units, &[], None);
        let contents = Contents::count(&fonts, &g, &prep.book, &units).unwrap();
        let mut sink = Memory::default();
        let mut folios = Typesetter::new(&fonts, Vec::new());
        let mut paged = paginate(
            &g,
            &prep.book.meta.language,
            &units,
            &mut setters,
            &mut sink,
            &mut folios,
            contents.pages,
            false,
            None,
            None,
        )
        .unwrap();
        let mut outline = std::mem::take(&mut paged.outline);
        contents.set(&units, &prep.book.meta.language, &mut paged, &mut sink, &mut folios, &mut outline).unwrap();
        let mut texts = std::mem::take(&mut folios.shaper.glyph_texts);
        setters.join(&mut texts);
        (sink.0, texts, paged)
    });
    // Every page once; the contents on the pages reserved for them.
    let mut indices: Vec<usize> = pages.iter().map(|p| p.0).collect();
    indices.sort_unstable();
    assert_eq!(indices, (0..pages.len()).collect::<Vec<_>>());
    let page = |i: usize| &pages.iter().find(|p| p.0 == i).unwrap().1;
    let contents: String = paged.reserved.iter().map(|&i| page_text(page(i), &texts)).collect();
    let folio = |index: usize| folio_text(index + 1, paged.folio_offset, paged.arabic_from);
    let mut starts = Vec::new();
    for title in TITLES {
        let wanted: String = title.chars().filter(|c| !c.is_whitespace()).collect();
        // The chapter's opening page: the first page after the contents showing its title.
        let first = (0..pages.len())
            .filter(|i| !paged.reserved.contains(i) && *i > paged.reserved[0])
            .find(|&i| page_text(page(i), &texts).contains(&wanted))
            .unwrap_or_else(|| panic!("no page shows {title}"));
        let entry = format!("{wanted}{}", folio(first));
        assert!(contents.contains(&entry), "the contents lack {entry}: {contents}");
        starts.push(first);
    }
    assert!(starts.windows(2).all(|w| w[0] < w[1]) && starts[3] > starts[0] + 3, "{starts:?}");
}
