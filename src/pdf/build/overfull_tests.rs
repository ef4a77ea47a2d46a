//! Nothing leaves the text block: runs wider than the measure (a long hash, a URL without
//! separators, a word of 3,000 letters, inline code) are broken where they must, every
//! glyph of every page stays inside the text block, and each run is reported with its
//! file and line.

use super::*;
use crate::diagnostics::Report;
use crate::library::Library;
use crate::pdf::layout::Memory;
use crate::pdf::write::Mark;

/// What may hang into the right margin (`paragraph::protrusion`).
const HANGING: &str = ".,-\u{AD}:;“”‘’„‚\"'»«›‹–—!?)]";

#[test]
fn runs_wider_than_the_measure_stay_in_the_text_block() {
    let dir = tempfile::tempdir().unwrap();
    let speeches = dir.path().join("books/speeches");
    std::fs::create_dir_all(&speeches).unwrap();
    let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".repeat(2);
    let letters = "abcdefghijklmnopqrstuvwxyz".repeat(116);
    let url = format!("https://{}", "x".repeat(300));
    let xs = "x".repeat(3000);
    let text = format!(
        "---\ntitle: Lange Wörter\nspeaker: A\ndate: 2024-01-01\nlanguage: de\n---\n\n\
         Die Prüfsumme lautet {hash} und stimmt.\n\n\
         Die Adresse {url} hat keinen Punkt.\n\n\
         Ein Wort: {letters}.\n\n\
         Im Code: `{hash}{hash}` und weiter.\n\n\
         - Auch in einer Liste: {hash}\n\n\
         Und {xs} Buchstaben.\n"
    );
    std::fs::write(speeches.join("s.md"), text).unwrap();
    std::fs::write(dir.path().join("books/b.toml"), "title = \"B\"\nlanguage = \"de\"\n").unwrap();
    let project = Project::at(dir.path().to_path_buf()).unwrap();
    let mut report = Report::default();
    let lib = Library::load(&project, &mut report);
    let prep = crate::prepare(&project, &lib, &project.books.join("b.toml"), &mut report).unwrap();
    let fonts = FontSet::load(&project, &prep.style.fonts).unwrap();
    let g = Geometry::of(&prep.style).unwrap();
    let units = plan::units(&prep.book, Edition::Reading);
    let (pages, paged, texts) = std::thread::scope(|s| {
        let mut setters = Setters::spawn(s, 1, &fonts, &g, &prep.book, &units, &[], None);
        let contents = Contents::count(&fonts, &g, &prep.book, &units).unwrap();
        let mut sink = Memory::default();
        let mut folios = Typesetter::new(&fonts, Vec::new());
        let paged =
            paginate(&g, &prep.book.meta.language, &units, &mut setters, &mut sink, &mut folios, contents.pages, None)
                .unwrap();
        let mut texts = std::mem::take(&mut folios.shaper.glyph_texts);
        setters.join(&mut texts);
        (sink.0, paged, texts)
    });
    // Every glyph inside the text block of its page (the inner margin on the left of a
    // recto, the outer on the left of a verso: one of the two holds the whole page).
    let mut glyphs = 0;
    for (index, page) in &pages {
        let mut extent = (f32::MAX, f32::MIN);
        for m in &page.marks {
            if let Mark::Glyphs { face, size, x, glyphs: gs, hscale, .. } = m {
                let f = fonts.face(*face);
                for gl in gs {
                    let left = x.get() + gl.x;
                    let right = left + f.advance(gl.id) * size / f.units_per_em * hscale;
                    // Punctuation and the hyphen hang into the margin by design (optical
                    // margin alignment): they only have to start inside the block.
                    let hangs = texts.get(&(*face, gl.id)).is_some_and(|t| HANGING.contains(t.as_str()));
                    extent = (extent.0.min(left), extent.1.max(if hangs { left } else { right }));
                    glyphs += 1;
                }
            }
        }
        if extent.0 > extent.1 {
            continue;
        }
        let (inner, outer, measure) = (g.inner.get(), g.outer.get(), g.measure().get());
        let fits = [inner, outer].iter().any(|&l| extent.0 >= l - 0.01 && extent.1 <= l + measure + 0.01);
        assert!(fits, "page {index}: glyphs from {} to {} pt, text block {measure} pt wide", extent.0, extent.1);
    }
    assert!(glyphs > 3000, "{glyphs}");
    // One warning per run, with the file and the line of its block.
    let warnings: Vec<&Diagnostic> =
        paged.report.items.iter().filter(|d| d.message.contains("is wider than the line")).collect();
    let lines: Vec<Option<usize>> = warnings.iter().map(|d| d.location.as_ref().and_then(|l| l.line)).collect();
    // The word of 3,000 letters of the alphabet breaks at its syllables: no warning.
    assert_eq!(lines, [Some(8), Some(10), Some(14), Some(16), Some(18)], "{warnings:#?}");
    assert!(warnings.iter().all(|d| d.location.as_ref().unwrap().file.ends_with("s.md")));
    assert!(warnings[4].message.contains("(3000 characters)"), "{}", warnings[4].message);
}
