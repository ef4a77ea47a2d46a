//! Which faces the book's characters need, read once before anything is set: characters
//! that no font of the book has are reported once per speech and character (how often,
//! where first, its Unicode name, and a font that has it), at most [`MAX_LISTED`] per book
//! and then the total, instead of one error per occurrence; the families the book uses
//! are named on its copyright page.

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::{Block, BlockKind, Book};
use crate::pdf::font::{is_invisible, FaceId, FontSet};
use std::collections::BTreeMap;
use std::path::Path;

/// The most characters listed one by one in a book.
const MAX_LISTED: usize = 20;

/// A missing character in one place: how often, and the first line it is on (0: the
/// book file's metadata).
struct Missing {
    count: usize,
    line: usize,
}

/// What the book's text needs of its fonts.
pub(super) struct Coverage {
    /// Distinct characters that no face has.
    pub(super) missing: usize,
    /// The families the book uses, for its copyright page.
    pub(super) families: Vec<String>,
}

/// Report the characters of `book` that no face of `fonts` has, and find the families
/// it uses. `book_file` stands for the book's own metadata.
pub(super) fn check(book: &Book, fonts: &FontSet, book_file: &Path, report: &mut Report) -> Coverage {
    let mut known = Known::new(fonts);
    // By source file, in reading order: the book file first, then each chapter.
    let mut places: Vec<(&Path, BTreeMap<char, Missing>)> = Vec::new();
    let mut found = BTreeMap::new();
    let m = &book.meta;
    for t in [Some(&m.title), m.subtitle.as_ref(), m.publisher.as_ref(), m.rights.as_ref()].into_iter().flatten() {
        known.scan(t, 0, &mut found);
    }
    m.editors.iter().chain(book.parts.iter().filter_map(|p| p.title.as_ref())).for_each(|t| {
        known.scan(t, 0, &mut found);
    });
    places.push((book_file, found));
    for c in book.chapters() {
        let mut found = BTreeMap::new();
        let cm = &c.meta;
        let meta = [Some(&cm.title), cm.place.as_ref(), cm.occasion.as_ref(), cm.source.as_ref()];
        for t in meta.into_iter().flatten().chain(&cm.speakers).chain(&cm.translators) {
            known.scan(t, 1, &mut found);
        }
        known.blocks(&c.blocks, &mut found);
        for n in &c.footnotes {
            known.blocks(&n.blocks, &mut found);
        }
        places.push((c.source.as_path(), found));
    }
    let mut listed = 0;
    let (mut distinct, mut occurrences) = (0, 0);
    for (file, found) in &places {
        let mut in_order: Vec<(&char, &Missing)> = found.iter().collect();
        in_order.sort_by_key(|(c, m)| (m.line, **c));
        for (&c, m) in in_order {
            distinct += 1;
            if listed == MAX_LISTED {
                occurrences += m.count;
                continue;
            }
            listed += 1;
            report.push(missing_error(c, m, file));
        }
    }
    let families = fonts.families(&known.used, known.code);
    if distinct > listed {
        report.push(
            Diagnostic::error(
                Kind::Content,
                format!(
                    "{} more characters that no font has, {} times in all, were not listed one by one",
                    distinct - listed,
                    occurrences
                ),
            )
            .with_hint("add fonts for the scripts named above and build again to see what is still missing"),
        );
    }
    Coverage { missing: distinct, families }
}

fn missing_error(c: char, m: &Missing, file: &Path) -> Diagnostic {
    let name = unicode_names2::name(c).map_or_else(|| "an unnamed character".to_string(), |n| n.to_string());
    let times = if m.count == 1 { "once".to_string() } else { format!("{} times", m.count) };
    let d = Diagnostic::error(
        Kind::Content,
        format!("no font of the book has `{c}` (U+{:04X} {name}), used {times} here", c as u32),
    );
    let d = if m.line > 0 { d.at(file, None, m.line, None) } else { d.at_file(file) };
    d.with_hint(match suggestion(c) {
        Some((script, font)) => {
            format!("add a font for {script} to fonts/ and to the style's `[fonts] fallback` list, e.g. {font}")
        }
        None => "replace the character, or add a font that has it to fonts/ and to the style's `[fonts] fallback` list"
            .to_string(),
    })
}

/// The characters looked up so far, as bits, so each character is looked up once (the
/// characters a book uses are few), and what the lookups found.
struct Known<'f> {
    fonts: &'f FontSet,
    seen: Vec<u64>,
    missing: Vec<u64>,
    /// By fallback index: the fallback sets a character of the book.
    used: Vec<bool>,
    /// The book has code (set in the monospace face).
    code: bool,
}

impl<'f> Known<'f> {
    fn new(fonts: &'f FontSet) -> Self {
        let bits = vec![0; 0x11_0000 / 64];
        Known { fonts, seen: bits.clone(), missing: bits, used: vec![false; fonts.fallbacks.len()], code: false }
    }

    fn is_missing(&mut self, c: char) -> bool {
        let (word, bit) = (c as usize / 64, 1u64 << (c as usize % 64));
        if self.seen[word] & bit == 0 {
            self.seen[word] |= bit;
            if !c.is_control() && !c.is_whitespace() && !is_invisible(c) {
                match self.fonts.face_for(FaceId::REGULAR, c) {
                    None => self.missing[word] |= bit,
                    Some(f) => {
                        if let Some(i) = self.fonts.fallbacks.iter().position(|x| *x == f) {
                            self.used[i] = true;
                        }
                    }
                }
            }
        }
        self.missing[word] & bit != 0
    }

    fn scan(&mut self, text: &str, line: usize, found: &mut BTreeMap<char, Missing>) {
        // Most text is ASCII, which every book face has: skip it by the byte.
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            i += crate::bytescan::ascii_len(&bytes[i..]);
            let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else { break };
            i += c.len_utf8();
            if self.is_missing(c) {
                found.entry(c).or_insert(Missing { count: 0, line }).count += 1;
            }
        }
    }

    fn blocks(&mut self, blocks: &[Block], found: &mut BTreeMap<char, Missing>) {
        for b in blocks {
            match &b.kind {
                BlockKind::Quote { blocks } => self.blocks(blocks, found),
                BlockKind::List { items, .. } => items.iter().for_each(|i| self.blocks(i, found)),
                _ => crate::document::visit_blocks(std::slice::from_ref(b), &mut |t: &str, code| {
                    self.code |= code;
                    self.scan(t, b.line, found);
                }),
            }
        }
    }
}

/// The script of `c` and a font that covers it (Debian packages them all), for the
/// scripts a book of speeches may hold.
fn suggestion(c: char) -> Option<(&'static str, &'static str)> {
    const RANGES: &[(u32, u32, &str, &str)] = &[
        (0x0530, 0x058F, "Armenian", "Noto Serif Armenian (Debian: fonts-noto-core)"),
        (0x0700, 0x074F, "Syriac", "Noto Sans Syriac (fonts-noto-extra)"),
        (0x0780, 0x07BF, "Thaana", "Noto Sans Thaana (fonts-noto-core)"),
        (0x0900, 0x097F, "Devanagari (Hindi, Marathi, Nepali)", "Noto Serif Devanagari (fonts-noto-core)"),
        (0x0980, 0x09FF, "Bengali", "Noto Serif Bengali (fonts-noto-core)"),
        (0x0A00, 0x0A7F, "Gurmukhi (Punjabi)", "Noto Serif Gurmukhi (fonts-noto-core)"),
        (0x0A80, 0x0AFF, "Gujarati", "Noto Serif Gujarati (fonts-noto-core)"),
        (0x0B80, 0x0BFF, "Tamil", "Noto Serif Tamil (fonts-noto-core)"),
        (0x0C00, 0x0C7F, "Telugu", "Noto Serif Telugu (fonts-noto-core)"),
        (0x0C80, 0x0CFF, "Kannada", "Noto Serif Kannada (fonts-noto-core)"),
        (0x0D00, 0x0D7F, "Malayalam", "Noto Serif Malayalam (fonts-noto-core)"),
        (0x0D80, 0x0DFF, "Sinhala", "Noto Serif Sinhala (fonts-noto-core)"),
        (0x0E00, 0x0E7F, "Thai", "Noto Serif Thai (fonts-noto-core)"),
        (0x0E80, 0x0EFF, "Lao", "Noto Serif Lao (fonts-noto-core)"),
        (0x0F00, 0x0FFF, "Tibetan", "Noto Serif Tibetan (fonts-noto-extra)"),
        (0x1000, 0x109F, "Myanmar", "Noto Serif Myanmar (fonts-noto-core)"),
        (0x10A0, 0x10FF, "Georgian", "Noto Serif Georgian (fonts-noto-core)"),
        (0x1100, 0x11FF, "Hangul (Korean)", "Noto Serif CJK (fonts-noto-cjk)"),
        (0x1200, 0x139F, "Ethiopic (Amharic, Tigrinya)", "Noto Serif Ethiopic (fonts-noto-core)"),
        (0x13A0, 0x13FF, "Cherokee", "Noto Sans Cherokee (fonts-noto-core)"),
        (0x1780, 0x17FF, "Khmer", "Noto Serif Khmer (fonts-noto-core)"),
        (0x1800, 0x18AF, "Mongolian", "Noto Sans Mongolian (fonts-noto-core)"),
        (0x2E80, 0x9FFF, "Chinese and Japanese (CJK)", "Noto Serif CJK (fonts-noto-cjk)"),
        (0xA000, 0xA4CF, "Yi", "Noto Sans Yi (fonts-noto-core)"),
        (0xAC00, 0xD7AF, "Hangul (Korean)", "Noto Serif CJK (fonts-noto-cjk)"),
        (0xF900, 0xFAFF, "Chinese and Japanese (CJK)", "Noto Serif CJK (fonts-noto-cjk)"),
        (
            0x1F300,
            0x1FAFF,
            "emoji",
            "Noto Emoji (fonts-noto-color-emoji has only colour bitmaps; use a monochrome emoji font)",
        ),
        (0x20000, 0x3134F, "Chinese and Japanese (CJK)", "Noto Serif CJK (fonts-noto-cjk)"),
    ];
    let u = c as u32;
    RANGES.iter().find(|(a, b, _, _)| (*a..=*b).contains(&u)).map(|(_, _, s, f)| (*s, *f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_error_per_character_and_place_and_a_total() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("books/speeches")).unwrap();
        // Arabic and Hebrew are covered; Tibetan is not: 30 letters, each twice, and one
        // three times, in two paragraphs (lines 7 and 9).
        let letters: String = ('\u{0F40}'..='\u{0F5D}').collect();
        let speech = format!(
            "---\ntitle: Probe\nspeaker: A\ndate: 2024\nlanguage: de\n---\nمرحبا שלום {letters} ཀ\n\n{letters}\n"
        );
        std::fs::write(dir.path().join("books/speeches/s.md"), speech).unwrap();
        std::fs::write(
            dir.path().join("books/b.toml"),
            "title = \"B\"\nlanguage = \"de\"\n[select]\nspeeches = [\"s\"]\n",
        )
        .unwrap();
        let project = crate::project::Project::at(dir.path().to_path_buf()).unwrap();
        let mut report = Report::default();
        let lib = crate::library::Library::load(&project, &mut report);
        let prep = crate::prepare(&project, &lib, &project.books.join("b.toml"), &mut report).unwrap();
        let fonts = FontSet::load(&project, &prep.style.fonts).unwrap();
        let mut report = Report::default();
        let coverage = check(&prep.book, &fonts, Path::new("books/b.toml"), &mut report);
        assert_eq!(coverage.missing, 30);
        // Arabic and Hebrew came from their fallbacks: the copyright page names them.
        assert!(coverage.families.iter().any(|f| f == "Noto Naskh Arabic"), "{:?}", coverage.families);
        assert!(coverage.families.iter().any(|f| f == "Noto Serif Hebrew"), "{:?}", coverage.families);
        assert!(!coverage.families.iter().any(|f| f == "Noto Sans Mono"), "no code, no monospace face");
        let errors = &report.items;
        assert_eq!(errors.len(), MAX_LISTED + 1);
        assert!(errors[0].message.contains("U+0F40 TIBETAN LETTER KA"), "{}", errors[0].message);
        assert!(errors[0].message.contains("3 times"), "{}", errors[0].message);
        assert_eq!(errors[0].location.as_ref().unwrap().line, Some(7));
        assert!(errors[0].hint.as_ref().unwrap().contains("Noto Serif Tibetan"));
        assert!(errors[1].message.contains("2 times"), "{}", errors[1].message);
        let total = &errors[MAX_LISTED].message;
        assert!(total.starts_with("10 more characters that no font has, 20 times in all"), "{total}");
    }

    #[test]
    fn suggestions_by_script() {
        assert_eq!(suggestion('ཀ').unwrap().0, "Tibetan");
        assert_eq!(suggestion('中').unwrap().0, "Chinese and Japanese (CJK)");
        assert_eq!(suggestion('a'), None);
    }
}
