//! Selection and ordering, and the checks of a book file.

use super::*;
use crate::library::Library;

struct Fx {
    dir: tempfile::TempDir,
}

impl Fx {
    /// A project with speeches given as (id, front matter lines).
    fn new(speeches: &[(&str, &str)]) -> Fx {
        let dir = tempfile::tempdir().unwrap();
        for (id, fm) in speeches {
            let p = dir.path().join("books/speeches").join(format!("{id}.md"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, format!("---\n{fm}\n---\n\nText.\n")).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("books/speeches")).unwrap();
        Fx { dir }
    }

    fn select(&self, book: &str) -> (Option<Selection>, Report) {
        std::fs::write(self.dir.path().join("books/b.toml"), book).unwrap();
        let project = Project::at(self.dir.path().to_path_buf()).unwrap();
        let mut report = Report::default();
        let lib = Library::load(&project, &mut report);
        assert!(!report.has_errors(), "{:?}", report.items);
        let Some(a) = load(&project, &project.books.join("b.toml"), &mut report) else { return (None, report) };
        let sel = select(&a, &lib, &mut report);
        (Some(sel), report)
    }

    fn ids(&self, book: &str) -> Vec<String> {
        let (sel, r) = self.select(book);
        assert!(!r.has_errors(), "{}", r.items.iter().map(|d| d.to_string()).collect::<String>());
        sel.unwrap().ids().map(str::to_string).collect()
    }

    fn errors(&self, book: &str) -> Vec<String> {
        let (_, r) = self.select(book);
        r.items
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} | {}", d.message, d.hint.clone().unwrap_or_default()))
            .collect()
    }
}

const HEAD: &str = "title = \"T\"\nlanguage = \"de\"\n";

fn lib() -> Fx {
    Fx::new(&[
        ("zeta", "title: Alpha\nspeaker: Clara Neumann\ndate: 2021-05-01\ntags: [streik]"),
        ("alpha", "title: Zulu\nspeaker: Anna Petrowa\ndate: 2019\ntags: [frieden, streik]\nlanguage: en"),
        ("2022/mitte", "title: Mitte\nspeaker: [Ben Roth, Anna Petrowa]\ndate: 2022-03\nlanguage: de-AT"),
        ("2022/spaet", "title: Später\nspeaker: Ben Roth\ndate: 2022-11-30\ntags: [wohnen]"),
    ])
}

#[test]
fn listed_ids_keep_their_order_and_globs_expand_in_id_order() {
    let fx = lib();
    let ids = fx.ids(&format!("{HEAD}[select]\nspeeches = [\"zeta\", \"2022/*\", \"alpha\"]\n"));
    assert_eq!(ids, ["zeta", "2022/mitte", "2022/spaet", "alpha"]);
}

#[test]
fn without_a_list_everything_in_date_order() {
    let fx = lib();
    assert_eq!(fx.ids(HEAD), ["alpha", "zeta", "2022/mitte", "2022/spaet"]);
}

#[test]
fn orders_by_title_and_speaker() {
    let fx = lib();
    assert_eq!(fx.ids(&format!("{HEAD}[select]\norder = \"title\"\n")), ["zeta", "2022/mitte", "2022/spaet", "alpha"]);
    assert_eq!(
        fx.ids(&format!("{HEAD}[select]\norder = \"speaker\"\n")),
        ["alpha", "2022/spaet", "2022/mitte", "zeta"]
    );
    let listed_then_date =
        fx.ids(&format!("{HEAD}[select]\nspeeches = [\"2022/spaet\", \"zeta\"]\norder = \"date\"\n"));
    assert_eq!(listed_then_date, ["zeta", "2022/spaet"]);
}

#[test]
fn language_ranges_take_regions_and_three_letter_codes() {
    let fx = Fx::new(&[
        ("a", "title: A\nspeaker: X\ndate: 2020\nlanguage: deu"),
        ("b", "title: B\nspeaker: X\ndate: 2021\nlanguage: DE-at"),
        ("c", "title: C\nspeaker: X\ndate: 2022\nlanguage: dsb"),
        ("d", "title: D\nspeaker: X\ndate: 2023\nlanguage: en"),
    ]);
    let book = |langs: &str| format!("title = \"T\"\nlanguage = \"en\"\n[select]\nlanguages = [{langs}]\n");
    assert_eq!(fx.ids(&book("\"de\"")), ["a", "b"]);
    assert_eq!(fx.ids(&book("\"ger\"")), ["a", "b"]);
    assert_eq!(fx.ids(&book("\"de-AT\"")), ["b"]);
    let e = fx.errors(&book("\"ds\""));
    assert!(e.iter().any(|e| e.contains("[select] criteria")), "a range ends at a subtag: {e:?}");
    // The book's language and a range written with three letters: a warning each, at its line.
    let (sel, r) = fx.select("title = \"T\"\nlanguage = \"ger\"\n[select]\nlanguages = [\"eng\"]\n");
    assert_eq!(sel.unwrap().ids().collect::<Vec<_>>(), ["d"]);
    let warnings: Vec<String> = r
        .items
        .iter()
        .map(|d| format!("{:?} {} {:?}", d.severity, d.message, d.location.as_ref().and_then(|l| l.line)))
        .collect();
    assert!(warnings.contains(&"Warning language `deu` is ISO 639-2; write `de` Some(5)".to_string()), "{warnings:?}");
    assert!(warnings.contains(&"Warning language `ger` is ISO 639-2; write `de` Some(2)".to_string()), "{warnings:?}");
    assert!(warnings.contains(&"Warning language `eng` is ISO 639-2; write `en` Some(4)".to_string()), "{warnings:?}");
    let e = fx.errors("title = \"T\"\nlanguage = \"de\"\n[select]\nlanguages = [\"de-CH-DE\"]\n");
    assert!(e[0].contains("`DE` is not a script"), "{e:?}");
}

#[test]
fn filters_by_tags_speakers_languages_and_dates() {
    let fx = lib();
    assert_eq!(fx.ids(&format!("{HEAD}[select]\ntags = [\"streik\"]\n")), ["alpha", "zeta"]);
    assert_eq!(fx.ids(&format!("{HEAD}[select]\nspeakers = [\"anna petrowa\"]\n")), ["alpha", "2022/mitte"]);
    // `de` takes the book's default language and regional variants such as de-AT.
    assert_eq!(fx.ids(&format!("{HEAD}[select]\nlanguages = [\"de\"]\n")), ["zeta", "2022/mitte", "2022/spaet"]);
    assert_eq!(
        fx.ids(&format!("{HEAD}[select]\nfrom = \"2021-05\"\nto = \"2022\"\n")),
        ["zeta", "2022/mitte", "2022/spaet"]
    );
    assert_eq!(fx.ids(&format!("{HEAD}[select]\nfrom = \"2021-05-02\"\nto = \"2022-03-31\"\n")), ["2022/mitte"]);
}

#[test]
fn parts_group_and_outer_filters_narrow_them() {
    let fx = lib();
    let book = format!(
        "{HEAD}[select]\ntags = [\"streik\", \"wohnen\"]\n\n[[parts]]\ntitle = \"Eins\"\n[parts.select]\nspeeches = [\"zeta\", \"alpha\"]\n\n[[parts]]\ntitle = \"Zwei\"\n[parts.select]\nfrom = \"2022\"\n"
    );
    let (sel, r) = fx.select(&book);
    assert!(!r.has_errors(), "{:?}", r.items);
    let sel = sel.unwrap();
    assert_eq!(sel.parts.len(), 2);
    assert_eq!(sel.parts[0].title.as_deref(), Some("Eins"));
    assert_eq!(sel.parts[0].speeches, ["zeta", "alpha"]);
    assert_eq!(sel.parts[1].speeches, ["2022/spaet"]);
}

#[test]
fn missing_speech_names_the_nearest_id() {
    let fx = lib();
    let e = fx.errors(&format!("{HEAD}[select]\nspeeches = [\"zeta\", \"alpah\"]\n"));
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("no speech `alpah`") && e[0].contains("did you mean `alpha`?"), "{e:?}");
    let e = fx.errors(&format!("{HEAD}[select]\nspeeches = [\"1999/*\"]\n"));
    assert!(e[0].contains("matches no speech"), "{e:?}");
}

#[test]
fn a_speech_selected_twice_is_an_error() {
    let fx = lib();
    let e = fx.errors(&format!("{HEAD}[select]\nspeeches = [\"zeta\", \"zeta\"]\n"));
    assert!(e[0].contains("`zeta` is selected twice"), "{e:?}");
    let e = fx.errors(&format!(
        "{HEAD}[[parts]]\ntitle = \"A\"\n[parts.select]\ntags = [\"streik\"]\n[[parts]]\ntitle = \"B\"\n[parts.select]\nspeakers = [\"Clara Neumann\"]\n"
    ));
    assert!(e.iter().any(|m| m.contains("in part “A” and in part “B”")), "{e:?}");
}

#[test]
fn an_empty_book_or_part_is_an_error() {
    let fx = lib();
    let e = fx.errors(&format!("{HEAD}[select]\ntags = [\"nobody\"]\n"));
    assert!(e[0].contains("selects no speech"), "{e:?}");
    let e = fx.errors(&format!("{HEAD}[[parts]]\ntitle = \"Leer\"\n[parts.select]\ntags = [\"nobody\"]\n"));
    assert!(e[0].contains("part “Leer” selects no speech"), "{e:?}");
}

#[test]
fn book_file_checks() {
    let fx = lib();
    let e = fx.errors("title = \"T\"\nlanguage = \"de\"\nisbn = \"978-3-16-148410-1\"\n");
    assert!(e[0].contains("should end in 0"), "{e:?}");
    let e = fx.errors("titel = \"T\"\nlanguage = \"de\"\n");
    assert!(e[0].contains("unknown field `titel`") && e[0].contains("did you mean `title`?"), "{e:?}");
    let e = fx.errors("title = \"T\"\nlanguage = \"de\"\ncover = \"none.jpg\"\n");
    assert!(e[0].contains("cover `none.jpg`"), "{e:?}");
    let e = fx.errors("title = \"T\"\nlanguage = \"de\"\ncover = \"../../etc/passwd.jpg\"\n");
    assert!(e[0].contains("outside"), "{e:?}");
    let e = fx.errors("title = \"T\"\nlanguage = \"deutsch\"\n");
    assert!(e[0].contains("not a language tag"), "{e:?}");
    let e = fx.errors(&format!("{HEAD}[select]\norder = \"random\"\n"));
    assert!(e[0].contains("unknown value `random`"), "{e:?}");
    let e = fx.errors(&format!("{HEAD}[select]\nfrom = \"2023\"\nto = \"2021\"\n"));
    assert!(e[0].contains("after `to`"), "{e:?}");
}

#[test]
fn identifier_is_stable_and_isbn_wins() {
    let fx = lib();
    let project = Project::at(fx.dir.path().to_path_buf()).unwrap();
    let mut r = Report::default();
    std::fs::write(fx.dir.path().join("books/b.toml"), HEAD).unwrap();
    let a1 = load(&project, &project.books.join("b.toml"), &mut r).unwrap();
    let a2 = load(&project, &project.books.join("b.toml"), &mut r).unwrap();
    assert!(a1.meta.identifier.starts_with("urn:uuid:"));
    assert_eq!(a1.meta.identifier, a2.meta.identifier);
    std::fs::write(fx.dir.path().join("books/b.toml"), format!("{HEAD}isbn = \"978-3-16-148410-0\"\n")).unwrap();
    let a3 = load(&project, &project.books.join("b.toml"), &mut r).unwrap();
    assert_eq!(a3.meta.identifier, "urn:isbn:9783161484100");
}

#[test]
fn print_table_checks() {
    let fx = lib();
    let e = fx.errors(&format!("{HEAD}[print]\npaper_thicknes_mm = 0.1\n"));
    assert!(e[0].contains("did you mean `paper_thickness_mm`?"), "{e:?}");
    let e = fx.errors(&format!("{HEAD}[print]\ncreep_mm = 12\n"));
    assert!(e[0].contains("`creep_mm = 12` is outside"), "{e:?}");
    let e = fx.errors(&format!("{HEAD}[print]\noutput_profile = \"press.jpg\"\n"));
    assert!(e[0].contains("not a icc or icm file"), "{e:?}");
    let e = fx.errors(&format!("{HEAD}[print]\noutput_profile = \"none.icc\"\n"));
    assert!(e[0].contains("output profile `none.icc`"), "{e:?}");
    let project = Project::at(fx.dir.path().to_path_buf()).unwrap();
    let mut r = Report::default();
    std::fs::write(
        fx.dir.path().join("books/b.toml"),
        format!("{HEAD}[print]\npaper_thickness_mm = 0.12\ncreep_mm = 1\n"),
    )
    .unwrap();
    let a = load(&project, &project.books.join("b.toml"), &mut r).unwrap();
    assert_eq!((a.print.paper_thickness_mm, a.print.creep_mm), (0.12, 1.0));
    assert!(!a.print.booklet_cover && a.print.output_profile.is_none());
}
