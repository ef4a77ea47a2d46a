//! Nothing leaves the text block: runs wider than the measure (a long hash, a URL without
//! separators, a word of 3,000 letters, inline code), tables of many columns and long code
//! lines are broken, shrunk, split or wrapped where they must, every glyph of every page
//! stays inside the text block, and each is reported with its file and line. The spec
//! examples (CommonMark and GFM, `tests/data/spec/`) are held to the same rule.

use super::*;
use crate::diagnostics::Report;
use crate::library::Library;
use crate::pdf::layout::Memory;
use crate::pdf::write::Mark;

/// What may hang into the right margin (`paragraph::protrusion`).
const HANGING: &str = ".,-\u{AD}:;“”‘’„‚\"'»«›‹–—!?)]";

/// A project of the speeches `files` (name, text) and a book of them all.
fn project(files: &[(String, String)], book: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let speeches = dir.path().join("books/speeches");
    std::fs::create_dir_all(&speeches).unwrap();
    for (name, text) in files {
        std::fs::write(speeches.join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("books/b.toml"), book).unwrap();
    dir
}

/// Set the book `books/b.toml` of the project in `dir` into pages in memory, and assert
/// that every glyph of every page lies inside the text block (the inner margin on the
/// left of a recto, the outer on the left of a verso: one of the two holds the whole
/// page). Returns the layout's diagnostics and how many glyphs were checked.
fn glyphs_inside_the_text_block(dir: &Path) -> (Vec<Diagnostic>, usize) {
    let project = Project::at(dir.to_path_buf()).unwrap();
    let mut report = Report::default();
    let lib = Library::load(&project, &mut report);
    let prep = crate::prepare(&project, &lib, &project.books.join("b.toml"), &mut report);
    let prep = prep.unwrap_or_else(|| panic!("{report:?}"));
    let fonts = FontSet::load(&project, &prep.style.fonts).unwrap();
    let g = Geometry::of(&prep.style).unwrap();
    let units = plan::units(&prep.book, Edition::Reading);
    let (pages, paged, texts) = std::thread::scope(|s| {
        let mut setters = Setters::spawn(s, 2, &fonts, &g, &prep.book, &units, &[], None);
        let contents = Contents::count(&fonts, &g, &prep.book, &units).unwrap();
        let mut sink = Memory::default();
        let mut folios = Typesetter::new(&fonts, Vec::new());
        let paged = paginate(
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
        let mut texts = std::mem::take(&mut folios.shaper.glyph_texts);
        setters.join(&mut texts);
        (sink.0, paged, texts)
    });
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
    (paged.report.items, glyphs)
}

fn line_of(d: &Diagnostic) -> Option<usize> {
    d.location.as_ref().and_then(|l| l.line)
}

#[test]
fn runs_wider_than_the_measure_stay_in_the_text_block() {
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
    let dir = project(&[("s.md".into(), text)], "title = \"B\"\nlanguage = \"de\"\n");
    let (diagnostics, glyphs) = glyphs_inside_the_text_block(dir.path());
    assert!(glyphs > 3000, "{glyphs}");
    // One warning per run, with the file and the line of its block.
    let warnings: Vec<&Diagnostic> =
        diagnostics.iter().filter(|d| d.message.contains("is wider than the line")).collect();
    let lines: Vec<Option<usize>> = warnings.iter().map(|d| line_of(d)).collect();
    // The word of 3,000 letters of the alphabet breaks at its syllables: no warning.
    assert_eq!(lines, [Some(8), Some(10), Some(14), Some(16), Some(18)], "{warnings:#?}");
    assert!(warnings.iter().all(|d| d.location.as_ref().unwrap().file.ends_with("s.md")));
    assert!(warnings[4].message.contains("(3000 characters)"), "{}", warnings[4].message);
}

#[test]
fn wide_tables_and_long_code_lines_stay_in_the_text_block() {
    // A table of 40 columns, one of 7 that fits at a smaller size, one of 12 that wraps;
    // code with tabs and lines of 200 characters, with and without spaces.
    let row =
        |n: usize, f: &dyn Fn(usize) -> String| format!("| {} |\n", (0..n).map(f).collect::<Vec<_>>().join(" | "));
    let table = |n: usize, cell: &dyn Fn(usize) -> String| {
        format!("{}{}{}{}", row(n, &|i| format!("Spalte{i}")), row(n, &|_| "---".into()), row(n, cell), row(n, cell))
    };
    let forty = table(40, &|i| format!("Wert{}", i * 7919 % 1000));
    let nine = table(9, &|i| format!("Betrag {i}"));
    let eight = table(8, &|i| format!("ein längerer Text in Spalte {i}"));
    let four = table(4, &|i| format!("ein längerer Text in Spalte {i}, der umbricht"));
    let long = (0..40).map(|i| format!("arg{i}")).collect::<Vec<_>>().join(", ");
    let code = format!("```\nfn main() {{\n\tcall({long});\n\t\tlet x = \"{}\";\n}}\n```\n", "y".repeat(200));
    let text = format!(
        "---\ntitle: Breite Dinge\nspeaker: A\ndate: 2024-01-01\nlanguage: de\n---\n\n\
         Eine Tabelle mit vierzig Spalten:\n\n{forty}\nUnd neun:\n\n{nine}\nUnd acht:\n\n{eight}\n\
         Und vier:\n\n{four}\n\
         Ein Programm:\n\n{code}\nDie Adresse https://example.org/{} ist lang.\n",
        "abcdefghij".repeat(40)
    );
    let dir = project(&[("w.md".into(), text.clone())], "title = \"B\"\nlanguage = \"de\"\n");
    let (diagnostics, glyphs) = glyphs_inside_the_text_block(dir.path());
    assert!(glyphs > 2000, "{glyphs}");
    let at = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let tables: Vec<(Option<usize>, &str)> = diagnostics
        .iter()
        .filter(|d| d.message.starts_with("this table is wider"))
        .map(|d| (line_of(d), d.message.as_str()))
        .collect();
    assert_eq!(tables.len(), 3, "{tables:#?}");
    assert_eq!(tables[0].0, Some(at("| Spalte0 | Spalte1 | Spalte2 | Spalte3 | Spalte4")));
    assert!(tables[0].1.contains("its 40 columns") && tables[0].1.contains("parts"), "{}", tables[0].1);
    assert!(tables[1].1.ends_with("pt instead of 9.0 pt"), "{}", tables[1].1);
    assert!(tables[2].1.contains("cells wrap"), "{}", tables[2].1);
    let code: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.message.contains("of this code block")).collect();
    assert_eq!(code.len(), 1, "{diagnostics:#?}");
    assert!(code[0].message.starts_with("2 lines of this code block are wider"), "{}", code[0].message);
    assert_eq!(line_of(code[0]), Some(at("```")));
}

#[test]
fn spec_examples_stay_in_the_text_block() {
    let json = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/spec/examples.json"));
    let v: serde_json::Value = serde_json::from_str(&json.unwrap()).unwrap();
    let examples: Vec<(String, String)> = v["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_string(), e["markdown"].as_str().unwrap().to_string()))
        .collect();
    assert!(examples.len() >= 690);
    let files: Vec<(String, String)> = examples
        .iter()
        .map(|(id, md)| {
            (format!("{id}.md"), format!("---\ntitle: Beispiel {id}\nspeaker: Zyx\ndate: 2021\n---\n\n{md}"))
        })
        .collect();
    let book = |ids: &[&String]| {
        let list: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
        format!("title = \"Zyx\"\nlanguage = \"en\"\n\n[select]\nspeeches = [{}]\n", list.join(", "))
    };
    let mut ids: Vec<&String> = examples.iter().map(|(id, _)| id).collect();
    let dir = project(&files, &book(&ids));
    // Leave out the examples the model refuses on purpose (a local image that is not
    // there, a footnote called but not defined), as tests/spec.rs does.
    let project = Project::at(dir.path().to_path_buf()).unwrap();
    for _ in 0..3 {
        let mut report = Report::default();
        let lib = Library::load(&project, &mut report);
        if crate::prepare(&project, &lib, &project.books.join("b.toml"), &mut report).is_some() {
            break;
        }
        let refused: BTreeSet<String> = report
            .items
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.location.as_ref()?.file.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect();
        assert!(!refused.is_empty(), "{report:?}");
        ids.retain(|id| !refused.contains(id.as_str()));
        std::fs::write(dir.path().join("books/b.toml"), book(&ids)).unwrap();
    }
    assert!(ids.len() > 650, "{} examples built", ids.len());
    let (_, glyphs) = glyphs_inside_the_text_block(dir.path());
    assert!(glyphs > 20_000, "{glyphs}");
}
