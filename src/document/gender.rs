//! German gender forms in Markdown (`Arbeiter*innen`, `Kolleg:in`, `Bürger_innen`, `jede*r`).
//! CommonMark reads two gender stars of a paragraph as emphasis (`Arbeiter<em>innen und
//! Kolleg</em>innen`), so before a German text is parsed each gender star of its prose gets a
//! backslash (`Arbeiter\*innen`): the parser then keeps it as a character of the word.
//!
//! Why a pre-pass and not a fix-up of the events: which stars pair up is decided by
//! CommonMark's delimiter algorithm over the whole paragraph (`*Arbeiter*innen*` pairs the
//! first two stars); undoing one wrong pair afterwards would mean running that algorithm
//! again. An escape is CommonMark's own way to say "this star is a letter", and it adds no
//! line, so every line the parser reports stays the line of the file. Where a star is prose
//! is asked of the parser itself: a first parse (only of texts that have a candidate) gives
//! the ranges of the text it reads as prose, so code spans, code blocks, raw HTML, link
//! destinations and autolinks keep their stars. The colon and the underscore need no
//! escape: a colon is no Markdown, and an underscore between letters never opens or closes
//! emphasis in CommonMark.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Whether the star at byte `at` of `text` joins a German gender form: a letter before it,
/// and after it `in` or `innen` (also as the start of a compound, `Kolleg*innenkreis`) or
/// one of the endings `e`, `r`, `n`, `m` (`ein*e`, `jede*r`, `eine*n`, `jede*m`).
fn is_gender_star(text: &str, at: usize) -> bool {
    if !text[at..].starts_with('*') || !text[..at].chars().next_back().is_some_and(char::is_alphabetic) {
        return false;
    }
    let after = &text[at + 1..];
    let ends_word = |rest: &str| !rest.chars().next().is_some_and(char::is_alphabetic);
    if let Some(rest) = after.strip_prefix("in") {
        return ends_word(rest) || rest.starts_with("nen");
    }
    match after.as_bytes().first() {
        Some(b'e' | b'r' | b'n' | b'm') => ends_word(&after[1..]),
        _ => false,
    }
}

/// `markdown` with a backslash before each gender star of its prose, or None when it has
/// none (most texts: then nothing is parsed twice). `options` are those the text will be
/// parsed with.
pub(super) fn escape_stars(markdown: &str, options: Options) -> Option<String> {
    let candidates: Vec<usize> = markdown
        .match_indices('*')
        .map(|(i, _)| i)
        .filter(|&i| is_gender_star(markdown, i) && !in_address(markdown, i))
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let prose = prose_ranges(markdown, options);
    let is_prose = |at: usize| {
        let i = prose.partition_point(|r| r.end <= at);
        prose.get(i).is_some_and(|r| r.start <= at)
    };
    let mut out = String::with_capacity(markdown.len() + candidates.len());
    let mut copied = 0;
    for at in candidates {
        let letter = at - markdown[..at].chars().next_back().map_or(0, char::len_utf8);
        if is_prose(letter) && is_prose(at + 1) {
            out.push_str(&markdown[copied..at]);
            out.push('\\');
            copied = at;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&markdown[copied..]);
    Some(out)
}

/// The byte ranges of the text the parser reads as prose: text events outside code blocks,
/// autolinks and links whose text is also their label (`[Kolleg*innen]`, matched against
/// its definition as written), in order and without overlap.
fn prose_ranges(markdown: &str, options: Options) -> Vec<Range<usize>> {
    let mut prose = Vec::new();
    let mut code = 0usize;
    // For each open link or image: whether its text must stay as written.
    let mut links: Vec<bool> = Vec::new();
    let mut shielded = 0usize;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => code += 1,
            Event::End(TagEnd::CodeBlock) => code = code.saturating_sub(1),
            Event::Start(Tag::Link { link_type, .. } | Tag::Image { link_type, .. }) => {
                let keep = !matches!(link_type, LinkType::Inline | LinkType::Reference);
                shielded += keep as usize;
                links.push(keep);
            }
            Event::End(TagEnd::Link | TagEnd::Image) => shielded -= links.pop().unwrap_or(false) as usize,
            Event::Text(_) if code == 0 && shielded == 0 => prose.push(range),
            _ => {}
        }
    }
    prose
}

/// Whether byte `at` lies in a word that is a web or e-mail address (`https://…`, `www.…`,
/// `name@host`): those are written as they are. Looks at most 256 bytes either way, so a
/// text of many stars stays linear.
fn in_address(text: &str, at: usize) -> bool {
    const REACH: usize = 256;
    let is_space = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'<' | b'>' | b'(' | b')' | b'[' | b']');
    let bytes = text.as_bytes();
    let from = at.saturating_sub(REACH);
    let start = bytes[from..at].iter().rposition(is_space).map_or(from, |i| from + i + 1);
    let to = (at + REACH).min(bytes.len());
    let end = bytes[at..to].iter().position(is_space).map_or(to, |i| at + i);
    let word = &bytes[start..end];
    word.starts_with(b"www.") || word.contains(&b'@') || word.windows(3).any(|w| w == b"://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES
    }

    fn escaped(md: &str) -> String {
        escape_stars(md, opts()).unwrap_or_else(|| md.to_string())
    }

    #[test]
    fn gender_forms_are_recognised() {
        let yes = [
            "Arbeiter*innen",
            "Kolleg*in",
            "Kolleg*innenkreis",
            "jede*r",
            "ein*e",
            "Kolleg*e",
            "eine*n",
            "jede*m",
            "Lehrer*in,",
            "Ärzt*innen.",
        ];
        for w in yes {
            assert!(is_gender_star(w, w.find('*').unwrap()), "{w}");
        }
        let no = ["2*3", "a *innen", "x**innen", "so*interessant", "ein*en", "*innen", "a*b", "Kolleg*Innen", "10*in"];
        for w in no {
            assert!(!is_gender_star(w, w.rfind('*').unwrap()), "{w}");
        }
    }

    #[test]
    fn stars_of_gender_forms_are_escaped_in_prose() {
        assert_eq!(escaped("Liebe Arbeiter*innen und Kolleg*innen"), r"Liebe Arbeiter\*innen und Kolleg\*innen");
        assert_eq!(escaped("*Arbeiter*innen*"), r"*Arbeiter\*innen*");
        assert_eq!(escaped("**Kolleg*innen**"), r"**Kolleg\*innen**");
        assert_eq!(escaped("a*innen*b"), r"a\*innen*b");
        assert_eq!(escaped("jede*r und ein*e"), r"jede\*r und ein\*e");
        // Not gender forms: left to CommonMark.
        for md in ["2*3 = 6", "**x**innen", "*so* und **stark**", r"Arbeiter\*innen", "un*glaub*lich"] {
            assert_eq!(escape_stars(md, opts()), None, "{md}");
        }
        // Several lines: no line is added.
        let md = "Liebe\nArbeiter*innen,\n\nliebe Kolleg*innen!\n";
        assert_eq!(escaped(md).lines().count(), md.lines().count());
    }

    #[test]
    fn code_html_links_and_addresses_keep_their_stars() {
        for md in [
            "`Arbeiter*innen` und `Kolleg*innen`",
            "```\nArbeiter*innen und Kolleg*innen\n```",
            "    Arbeiter*innen und Kolleg*innen",
            "<span title=\"Arbeiter*innen\">x</span> und <b title=\"Kolleg*innen\">",
            "<div>\nArbeiter*innen und Kolleg*innen\n</div>",
            "<https://example.org/Arbeiter*innen> <mail*innen@example.org>",
            "Siehe https://example.org/Kolleg*innen und www.example.org/Arbeiter*innen",
            "<xy:Kolleg*innen> und <xy:Arbeiter*innen>",
            "[Kolleg*innen]\n\n[Kolleg*innen]: https://example.org/",
        ] {
            assert_eq!(escape_stars(md, opts()), None, "{md}");
        }
        // A link's text is prose; its destination and title are not.
        assert_eq!(
            escaped("[Kolleg*innen](https://x.org/Arbeiter*innen \"Arbeiter*innen\")"),
            r#"[Kolleg\*innen](https://x.org/Arbeiter*innen "Arbeiter*innen")"#
        );
        assert_eq!(escaped("![Kolleg*innen](bild*innen.png)"), r"![Kolleg\*innen](bild*innen.png)");
        // Prose beside code is still prose.
        assert_eq!(escaped("`a*b` Kolleg*innen `x*innen`"), r"`a*b` Kolleg\*innen `x*innen`");
    }

    #[test]
    fn typography_leaves_the_signs_alone() {
        use crate::document::typography::apply_str;
        use crate::lang::Lang;
        let text = "Liebe Kolleg:innen, Arbeiter*innen und Bürger_innen: jede*r ist gemeint";
        for tag in ["de", "de-AT", "de-CH", "de-LI", "gsw"] {
            assert_eq!(apply_str(&Lang::of(tag), text), text, "{tag}");
        }
        // French spaces its colon; German, Swiss German included, never does.
        assert!(apply_str(&Lang::of("fr-CH"), "Achtung: los").contains('\u{202f}'));
        assert_eq!(apply_str(&Lang::of("de-CH"), "Achtung: los"), "Achtung: los");
    }

    #[test]
    fn stars_stay_linear_and_safe_on_hostile_text() {
        let long = "Arbeiter*innen".repeat(20_000);
        assert_eq!(escaped(&long).len(), long.len() + 20_000);
        for md in ["*", "a*", "ä*i", "ä*in", "*in", "\u{10FFFF}*innen", "a*inné", "x*e\u{301}"] {
            escape_stars(md, opts());
        }
    }
}
