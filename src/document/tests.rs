//! The Markdown-to-model mapping, one block and inline kind at a time.

use super::markdown::{parse, SourceInfo, MAX_DEPTH};
use super::model::*;
use crate::diagnostics::{Report, Severity};
use crate::project::Project;
use std::path::Path;

struct Fixture {
    _dir: tempfile::TempDir,
    project: Project,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("books/speeches")).unwrap();
    std::fs::create_dir_all(dir.path().join("books/images")).unwrap();
    std::fs::write(dir.path().join("books/images/chart.png"), b"\x89PNG").unwrap();
    std::fs::write(dir.path().join("outside.png"), b"\x89PNG").unwrap();
    let project = Project::at(dir.path().to_path_buf()).unwrap();
    Fixture { _dir: dir, project }
}

fn md(text: &str) -> (Vec<Block>, Vec<Footnote>, Report) {
    let f = fixture();
    md_in(&f, text)
}

fn md_in(f: &Fixture, text: &str) -> (Vec<Block>, Vec<Footnote>, Report) {
    md_lang(f, text, "en")
}

fn md_lang(f: &Fixture, text: &str, lang: &str) -> (Vec<Block>, Vec<Footnote>, Report) {
    let lang = crate::lang::Lang::of(lang);
    let mut report = Report::default();
    let dir = f.project.speeches_dir();
    let src = SourceInfo {
        project: &f.project,
        shown: Path::new("books/speeches/t.md"),
        file_text: text,
        offset: 0,
        dir: &dir,
        anchor: "s-t",
        lang: &lang,
    };
    match parse(text, &src, &mut report) {
        Ok(p) => (p.blocks, p.footnotes, report),
        Err(()) => (Vec::new(), Vec::new(), report),
    }
}

fn para(b: &Block) -> &Vec<Inline> {
    match &b.kind {
        BlockKind::Paragraph { content } => content,
        other => panic!("not a paragraph: {other:?}"),
    }
}

fn text(s: &str) -> Inline {
    Inline::text(s)
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn headings_keep_level_and_get_unique_anchors() {
    let (b, _, _) = md("## Was tun?\n\ntext\n\n## Was tun?\n\n### Ü\n");
    match (&b[0].kind, &b[2].kind, &b[3].kind) {
        (
            BlockKind::Heading { level: 2, anchor: a1, content },
            BlockKind::Heading { anchor: a2, .. },
            BlockKind::Heading { level: 3, anchor: a3, .. },
        ) => {
            assert_eq!(plain_text(content), "Was tun?");
            assert_eq!(a1, "s-t-was-tun");
            assert_eq!(a2, "s-t-was-tun-2");
            assert_eq!(a3, "s-t-section");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn paragraphs_join_soft_breaks_and_keep_lines() {
    let (b, _, _) = md("first line\nsecond line\n\nnext\n");
    assert_eq!(b.len(), 2);
    assert_eq!(json(para(&b[0])), json(&vec![text("first line second line")]));
    assert_eq!(b[0].line, 1);
    assert_eq!(b[1].line, 4);
}

#[test]
fn emphasis_strong_code_link_and_break() {
    let (b, _, r) = md("*a* **b** `c` [d](https://x.org \"T\") e  \nf\\\ng\n");
    assert!(r.items.is_empty(), "{:?}", r.items);
    let p = para(&b[0]);
    assert_eq!(
        json(p),
        json(&vec![
            Inline::Emphasis { content: vec![text("a")] },
            text(" "),
            Inline::Strong { content: vec![text("b")] },
            text(" "),
            Inline::Code { text: "c".into() },
            text(" "),
            Inline::Link { url: "https://x.org".into(), title: Some("T".into()), content: vec![text("d")] },
            text(" e"),
            Inline::Break,
            text("f"),
            Inline::Break,
            text("g"),
        ])
    );
}

#[test]
fn block_quote_holds_blocks() {
    let (b, _, _) = md("> one\n>\n> two\n");
    match &b[0].kind {
        BlockKind::Quote { blocks } => {
            assert_eq!(blocks.len(), 2);
            assert_eq!(json(para(&blocks[1])), json(&vec![text("two")]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn lists_ordered_unordered_nested_tight_and_loose() {
    let (b, _, _) = md("3. a\n4. b\n   - x\n   - y\n\n<!-- end -->\n\n- p\n\n- q\n");
    match &b[0].kind {
        BlockKind::List { start: Some(3), tight: true, items } => {
            assert_eq!(items.len(), 2);
            assert_eq!(json(para(&items[0][0])), json(&vec![text("a")]));
            match &items[1][1].kind {
                BlockKind::List { start: None, items, .. } => assert_eq!(items.len(), 2),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    match &b[1].kind {
        BlockKind::List { start: None, tight: false, items } => assert_eq!(items.len(), 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn thematic_break_and_code_block() {
    let (b, _, _) = md("a\n\n---\n\n```rust ignore\nlet x = \"q\";\n```\n\n    indented\n");
    assert!(matches!(b[1].kind, BlockKind::Rule));
    match &b[2].kind {
        BlockKind::Code { language, text } => {
            assert_eq!(language.as_deref(), Some("rust"));
            assert_eq!(text, "let x = \"q\";\n");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&b[3].kind, BlockKind::Code { language: None, text } if text == "indented\n"));
}

#[test]
fn table_with_alignment() {
    let (b, _, _) = md("| Jahr | Miete |\n|:-----|------:|\n| 2020 | 450 |\n| 2023 | *620* |\n");
    match &b[0].kind {
        BlockKind::Table { align, head, rows } => {
            assert_eq!(align, &vec![Align::Left, Align::Right]);
            assert_eq!(head.len(), 2);
            assert_eq!(plain_text(&head[1]), "Miete");
            assert_eq!(rows.len(), 2);
            assert_eq!(json(&rows[1][1]), json(&vec![Inline::Emphasis { content: vec![text("620")] }]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn images_alone_are_blocks_inline_ones_stay_inline() {
    let f = fixture();
    let (b, _, r) =
        md_in(&f, "![Mieten und Löhne](../images/chart.png \"Quelle\")\n\nText ![Logo](images/chart.png) mehr.\n");
    assert!(r.items.is_empty(), "{:?}", r.items);
    match &b[0].kind {
        BlockKind::Image { image } => {
            assert_eq!(image.alt, "Mieten und Löhne");
            assert_eq!(image.title.as_deref(), Some("Quelle"));
            assert_eq!(image.asset.shown, Path::new("books/images/chart.png"));
        }
        other => panic!("{other:?}"),
    }
    assert!(para(&b[1]).iter().any(|i| matches!(i, Inline::Image { image } if image.alt == "Logo")));
}

#[test]
fn image_without_alt_is_a_warning() {
    let (_, _, r) = md("![](../images/chart.png)\n");
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.items[0].severity, Severity::Warning);
    assert!(r.items[0].message.contains("no alt text"));
}

#[test]
fn images_outside_books_are_errors_and_keep_alt_text() {
    for path in ["../../outside.png", "/etc/passwd", "https://example.org/x.png", "../images/none.png"] {
        let (b, _, r) = md(&format!("See ![the chart]({path}) here.\n"));
        assert!(r.has_errors(), "{path}");
        assert_eq!(r.items[0].location.as_ref().unwrap().line, Some(1));
        assert_eq!(plain_text(para(&b[0])), "See the chart here.", "{path}");
    }
}

#[test]
fn footnotes_are_numbered_by_first_call_per_chapter() {
    let (b, notes, r) = md("A[^z] b[^a] c[^z].\n\n[^a]: Note a.\n\n[^z]: Note z.\n");
    assert!(r.items.is_empty(), "{:?}", r.items);
    let refs: Vec<(u32, u32)> = para(&b[0])
        .iter()
        .filter_map(|i| match i {
            Inline::FootnoteRef { number, call } => Some((*number, *call)),
            _ => None,
        })
        .collect();
    assert_eq!(refs, vec![(1, 1), (2, 1), (1, 2)]);
    assert_eq!(notes.len(), 2);
    assert_eq!((notes[0].label.as_str(), notes[0].number, notes[0].calls), ("z", 1, 2));
    assert_eq!(plain_text(para(&notes[1].blocks[0])), "Note a.");
    assert_eq!(notes[1].line, 3);
}

#[test]
fn uncalled_footnote_is_kept_with_a_warning() {
    let (_, notes, r) = md("Text.\n\n[^x]: Lonely note.\n");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].calls, 0);
    assert_eq!(r.warnings(), 1);
}

#[test]
fn allowed_inline_html_becomes_model_inlines() {
    let (b, _, r) = md("H<sub>2</sub>O, 10<sup>3</sup>, <em>e</em>, <b>s</b>,<br>next\n");
    assert!(r.items.is_empty(), "{:?}", r.items);
    assert_eq!(
        json(para(&b[0])),
        json(&vec![
            text("H"),
            Inline::Subscript { content: vec![text("2")] },
            text("O, 10"),
            Inline::Superscript { content: vec![text("3")] },
            text(", "),
            Inline::Emphasis { content: vec![text("e")] },
            text(", "),
            Inline::Strong { content: vec![text("s")] },
            text(","),
            Inline::Break,
            text("next"),
        ])
    );
}

fn lang(tag: &str, dir: Option<TextDir>, content: Vec<Inline>) -> Inline {
    Inline::Lang { lang: crate::lang::Lang::of(tag), dir, content }
}

#[test]
fn language_spans_become_model_inlines() {
    let src = "Er sagte <span lang=\"ru\">мир</span>, <SPAN LANG='AR' dir=rtl>سلام</SPAN> und \
               <span lang=de-ch>Grüezi <em>mitenand</em></span>.\n";
    let (b, _, r) = md_lang(&fixture(), src, "de");
    assert!(r.items.is_empty(), "{:?}", r.items);
    assert_eq!(
        json(para(&b[0])),
        json(&vec![
            text("Er sagte "),
            lang("ru", None, vec![text("мир")]),
            text(", "),
            lang("ar", Some(TextDir::Rtl), vec![text("سلام")]),
            text(" und "),
            lang("de-CH", None, vec![text("Grüezi "), Inline::Emphasis { content: vec![text("mitenand")] }]),
            text("."),
        ])
    );
    // Every word of a span counts: plain text, visits (search, word counts).
    assert_eq!(plain_text(para(&b[0])), "Er sagte мир, سلام und Grüezi mitenand.");
    let mut seen = String::new();
    visit_inlines(para(&b[0]), &mut |t, _| seen.push_str(t));
    assert_eq!(seen, plain_text(para(&b[0])));
}

#[test]
fn a_span_whose_language_is_no_tag_is_an_error_at_its_line_and_keeps_its_text() {
    let (b, _, r) = md("Erst.\n\nDann <span lang=\"russisch!\">мир</span> hier.\n");
    assert_eq!(r.errors(), 1, "{:?}", r.items);
    let d = &r.items[0];
    assert!(d.message.contains("language tag"), "{}", d.message);
    let at = d.location.as_ref().unwrap();
    assert_eq!((at.file.as_path(), at.line), (Path::new("books/speeches/t.md"), Some(3)));
    assert_eq!(plain_text(para(&b[1])), "Dann мир hier.");
    assert!(!json(&b).contains("\"lang\""), "no language span is made");
}

#[test]
fn a_span_passes_only_its_language_and_direction() {
    let src = "<span lang=\"fr\" onclick=\"alert(1)\" style=\"color:red\" dir=\"sideways\">oui</span> \
               <span lang=\"fr\"/>x <span lang=\"it\">a <em>b</span> c</em> d <span lang=\"es\">open\n";
    let (b, _, r) = md(src);
    let all = json(&b);
    for debris in ["alert", "onclick", "color", "sideways", "style"] {
        assert!(!all.contains(debris), "{debris} in {all}");
    }
    assert_eq!(r.errors(), 0, "{:?}", r.items);
    assert!(r.items.iter().any(|d| d.message.contains("`onclick`, `style`")), "{:?}", r.items);
    assert!(r.items.iter().any(|d| d.message.contains("sideways")), "{:?}", r.items);
    let p = para(&b[0]);
    assert_eq!(p[0], lang("fr", None, vec![text("oui")]));
    // `</span>` closes the emphasis left open in it; a span left open ends with its paragraph.
    assert!(matches!(&p[2], Inline::Lang { content, .. } if plain_text(content) == "a b"), "{all}");
    assert!(matches!(p.last(), Some(Inline::Lang { content, .. }) if plain_text(content) == "open"), "{all}");
    assert_eq!(plain_text(p), "oui x a b c d open");
}

#[test]
fn other_html_is_dropped_as_markup_but_keeps_its_text() {
    let (b, _, r) = md("a <span class=\"x\">kept</span> b\n\n<div>\nblock text\n</div>\n\n<!-- a comment -->\n");
    assert_eq!(plain_text(para(&b[0])), "a kept b");
    assert_eq!(plain_text(para(&b[1])), "block text");
    assert_eq!(b.len(), 2, "the comment leaves nothing");
    assert!(r.items.iter().all(|d| d.severity == Severity::Warning));
    assert!(r.items.iter().any(|d| d.message.contains("<span>")));
}

#[test]
fn scripts_never_enter_the_model() {
    let (b, _, r) = md("<script>alert(1)</script>\n\nText <script>x()</script> more.\n");
    let all = json(&b);
    assert!(!all.contains("<script"), "{all}");
    assert!(!all.contains("alert"), "{all}");
    assert!(r.warnings() >= 1);
}

#[test]
fn raw_html_leaves_no_debris_and_loses_no_text() {
    // A processing instruction whose string holds `>`; text after `</script>` on its line;
    // a quoted `>` in an attribute; a declaration; references.
    let src = "<?php echo '>'; ?>\n\n<script>\nalert(1)\n</script> after the script\n\n\
               <div title=\"a > b\">inside &amp; &#8212; &#x41;</div>\n\n<!DOCTYPE html>\n\n\
               Text <?php echo '>'; ?> and <style>p{}</style> end.\n";
    let (b, _, r) = md(src);
    let all = json(&b);
    for debris in ["php", "?>", "'", "\u{2018}", "alert", "p{}", "DOCTYPE", "b\\\">"] {
        assert!(!all.contains(debris), "{debris} in {all}");
    }
    let texts: Vec<String> = b.iter().map(|x| plain_text(para(x))).collect();
    assert_eq!(texts, ["after the script", "inside & \u{2014} A", "Text  and  end."], "{all}");
    assert!(r.items.iter().all(|d| d.severity == Severity::Warning));
    assert!(r.items.iter().any(|d| d.message.contains("<script>")));
}

#[test]
fn unsafe_link_schemes_are_dropped_but_text_kept() {
    let (b, _, r) = md("[click](javascript:alert(1)) and [mail](mailto:a@b.org)\n");
    let p = para(&b[0]);
    assert!(matches!(&p[0], Inline::Text { text } if text.starts_with("click")));
    assert!(p.iter().any(|i| matches!(i, Inline::Link { url, .. } if url == "mailto:a@b.org")));
    assert_eq!(r.warnings(), 1);
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error() {
    let deep: String = (0..MAX_DEPTH + 2).map(|i| format!("{}- a\n", "  ".repeat(i))).collect();
    let (_, _, r) = md(&deep);
    assert!(r.has_errors());
    let quotes = format!("{} text\n", ">".repeat(1000));
    let (_, _, r) = md(&quotes);
    assert!(r.has_errors());
    let ok: String = (0..5).map(|i| format!("{}- a\n", "  ".repeat(i))).collect();
    assert!(!md(&ok).2.has_errors());
}

#[test]
fn undefined_footnote_call_is_an_error() {
    let (_, _, r) = md("Intro.\n\nText[^9] and *more[^x]*.\n");
    assert_eq!(r.errors(), 2, "{:?}", r.items);
    assert!(r.items[0].message.contains("[^9]"));
    assert_eq!(r.items[0].location.as_ref().unwrap().line, Some(3));
    let (_, _, r) = md("A [^ not a note] and `[^code]`.\n");
    assert!(!r.has_errors(), "{:?}", r.items);
}

#[test]
fn footnote_calls_match_a_search_for_the_pair() {
    fn by_pair(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("[^") {
            let after = &rest[start + 2..];
            match after.find(']') {
                Some(end) if end > 0 && !after[..end].contains(char::is_whitespace) => {
                    found.push(after[..end].to_string());
                    rest = &after[end..];
                }
                _ => rest = after,
            }
        }
        found
    }
    let samples = [
        "",
        "[",
        "[^",
        "[^]",
        "[^a]",
        "[[^a]]",
        "[x][^1] [^ 2] [^3\u{a0}] [^4\u{2028}] [^Ö] [^жоқ]^] [^[^5]",
        "[^^] [^a[^b]] [][^c] [\u{202f}^d] [^e",
        "Text[^9] and *more[^x]*, [Link](u) [^long-label_1] ]]^[",
    ];
    for text in samples {
        let mut found = Vec::new();
        super::markdown::footnote_calls(text, &mut found);
        assert_eq!(found, by_pair(text), "{text:?}");
    }
}

#[test]
fn german_gender_stars_are_letters_and_emphasis_still_works() {
    let f = fixture();
    let de = |text: &str| -> String {
        let (blocks, _, report) = md_lang(&f, text, "de-AT");
        assert_eq!(report.errors(), 0);
        json(para(&blocks[0]))
    };
    assert_eq!(de("Liebe Arbeiter*innen und Kolleg*innen"), json(&vec![text("Liebe Arbeiter*innen und Kolleg*innen")]));
    assert_eq!(de("jede*r Kolleg:in, ein*e Bürger_in"), json(&vec![text("jede*r Kolleg:in, ein*e Bürger_in")]));
    let em = |s: &str| Inline::Emphasis { content: vec![text(s)] };
    let strong = |s: &str| Inline::Strong { content: vec![text(s)] };
    assert_eq!(
        de("*Arbeiter*innen* und **Kolleg*innen**"),
        json(&vec![em("Arbeiter*innen"), text(" und "), strong("Kolleg*innen")])
    );
    assert_eq!(
        de("*so* und **stark** und _so_, Arbeiter*innen"),
        json(&vec![em("so"), text(" und "), strong("stark"), text(" und "), em("so"), text(", Arbeiter*innen")])
    );
    assert_eq!(de("a*innen*b"), json(&vec![text("a*innen*b")]));
    assert_eq!(de("**x**innen"), json(&vec![strong("x"), text("innen")]));
    assert_eq!(de(r"Arbeiter\*innen und Kolleg\*innen"), json(&vec![text("Arbeiter*innen und Kolleg*innen")]));
    assert_eq!(
        de("`a*innen` Kolleg*innen `b*innen`"),
        json(&vec![
            Inline::Code { text: "a*innen".into() },
            text(" Kolleg*innen "),
            Inline::Code { text: "b*innen".into() }
        ])
    );
    // Lines stay the file's after the escapes.
    let (blocks, _, _) = md_lang(&f, "Arbeiter*innen\nund Kolleg*innen\n\n*Kolleg*innen*\n", "de");
    assert_eq!(blocks.iter().map(|b| b.line).collect::<Vec<_>>(), vec![1, 4]);
    // Other languages read the stars as CommonMark does.
    let (blocks, _, _) = md_lang(&f, "Arbeiter*innen und Kolleg*innen", "en");
    assert_eq!(json(para(&blocks[0])), json(&vec![text("Arbeiter"), em("innen und Kolleg"), text("innen")]));
}
