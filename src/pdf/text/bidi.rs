//! Text direction: which paragraphs run right to left, the embedding levels of a
//! paragraph by the Unicode Bidirectional Algorithm (UAX #9, through `unicode-bidi`), and
//! the reordering of a set line's pieces from logical into visual order (rule L2).

use crate::lang::Lang;
use unicode_bidi::{BidiInfo, Level};

/// Whether text in `lang` (a BCP 47 tag) runs right to left ([`Lang::is_rtl`]); a tag
/// that is not one runs left to right.
pub(crate) fn rtl_language(lang: &str) -> bool {
    Lang::parse(lang).is_ok_and(|(l, _)| l.is_rtl())
}

pub(crate) use crate::bytescan::may_have_rtl;

/// The embedding level of every byte of paragraph `text`, with a right-to-left base
/// direction when `rtl`, else left to right.
pub(crate) fn levels(text: &str, rtl: bool) -> Vec<u8> {
    let base = if rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(text, Some(base));
    info.levels.iter().map(|l| l.number()).collect()
}

/// The mirror image of a paired character (UAX #9, L4: a bracket in right-to-left text
/// opens to the right), for the pairs that books use.
pub(crate) fn mirror(c: char) -> Option<char> {
    const PAIRS: [(char, char); 12] = [
        ('(', ')'),
        ('[', ']'),
        ('{', '}'),
        ('<', '>'),
        ('«', '»'),
        ('‹', '›'),
        ('⁅', '⁆'),
        ('⁽', '⁾'),
        ('₍', '₎'),
        ('⟨', '⟩'),
        ('〈', '〉'),
        ('≤', '≥'),
    ];
    PAIRS.iter().find_map(|&(a, b)| {
        if c == a {
            Some(b)
        } else if c == b {
            Some(a)
        } else {
            None
        }
    })
}

/// A piece of a line at `x`, `width` wide, at embedding `level`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Piece {
    pub x: f32,
    pub width: f32,
    pub level: u8,
}

/// Move the pieces of a line, given left to right in logical order and touching, to
/// their visual places: from the highest level down to the lowest odd one, every maximal
/// sequence of pieces at that level or higher is reversed (UAX #9, L2). Reversing a
/// sequence mirrors its pieces' places within the span it covers; the glyphs inside a
/// piece keep their order (a right-to-left word comes from the shaper in visual order).
pub(crate) fn reorder(pieces: &mut [Piece]) {
    let Some(highest) = pieces.iter().map(|p| p.level).max() else { return };
    let lowest_odd = pieces.iter().map(|p| p.level).filter(|l| l % 2 == 1).min().unwrap_or(highest + 1);
    // The pieces in their current visual order, as indices.
    let mut order: Vec<usize> = (0..pieces.len()).collect();
    let mut level = highest;
    while level >= lowest_odd && level > 0 {
        let mut i = 0;
        while i < order.len() {
            if pieces[order[i]].level < level {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < order.len() && pieces[order[j]].level >= level {
                j += 1;
            }
            let start = pieces[order[i]].x;
            let end = pieces[order[j - 1]].x + pieces[order[j - 1]].width;
            for &k in &order[i..j] {
                pieces[k].x = start + end - pieces[k].x - pieces[k].width;
            }
            order[i..j].reverse();
            i = j;
        }
        level -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        for l in ["ar", "fa", "he", "yi", "ur", "ckb", "ar-EG", "az-Arab", "he-IL"] {
            assert!(rtl_language(l), "{l}");
        }
        for l in ["de", "en", "ru", "kk", "az-Latn", "ar-Latn", "und", ""] {
            assert!(!rtl_language(l), "{l}");
        }
    }

    #[test]
    fn quick_test_finds_every_rtl_character() {
        for c in ['\u{5D0}', '\u{627}', '\u{6F1}', '\u{200F}', '\u{202B}', '\u{2067}', '\u{FB1D}', '\u{FEFC}'] {
            assert!(may_have_rtl(&format!("ab{c}cd")), "U+{:04X}", c as u32);
        }
        assert!(!may_have_rtl("Grüße, Привет, Сәлем — “quoted” …"));
        // Every strong right-to-left character of the BMP is found.
        for u in 0..0x10000u32 {
            let Some(c) = char::from_u32(u) else { continue };
            let class = unicode_bidi::bidi_class(c);
            if matches!(class, unicode_bidi::BidiClass::R | unicode_bidi::BidiClass::AL) {
                assert!(may_have_rtl(&c.to_string()), "U+{u:04X}");
            }
        }
    }

    #[test]
    fn levels_of_mixed_text() {
        // An Arabic paragraph with a Latin name and a number: the name and the number are
        // at level 2, the Arabic at 1.
        let text = "قال Marx عام 1848";
        let l = levels(text, true);
        assert_eq!(l[0], 1);
        assert_eq!(l[text.find("Marx").unwrap()], 2);
        assert_eq!(l[text.find("1848").unwrap()], 2);
        // German with an Arabic word: the Arabic at 1, the rest at 0.
        let text = "Das Wort سلام heißt Frieden";
        let l = levels(text, false);
        assert_eq!((l[0], l[text.find('س').unwrap()]), (0, 1));
    }

    #[test]
    fn mirrored_pairs() {
        assert_eq!((mirror('('), mirror(')'), mirror('«'), mirror('a')), (Some(')'), Some('('), Some('»'), None));
        // Every pair is a pair both ways.
        for c in "()[]{}<>«»‹›".chars() {
            assert_eq!(mirror(mirror(c).unwrap()), Some(c));
        }
    }

    #[test]
    fn reordering_mirrors_runs() {
        let p = |x: f32, width: f32, level: u8| Piece { x, width, level };
        // Three right-to-left words (and the spaces between) on a right-to-left line: the
        // first word logically ends up rightmost.
        let mut line = vec![p(0.0, 10.0, 1), p(10.0, 2.0, 1), p(12.0, 20.0, 1), p(32.0, 2.0, 1), p(34.0, 5.0, 1)];
        reorder(&mut line);
        let xs: Vec<f32> = line.iter().map(|p| p.x).collect();
        assert_eq!(xs, vec![29.0, 27.0, 7.0, 5.0, 0.0]);
        // A left-to-right name inside: it keeps its own order.
        let mut line = vec![p(0.0, 10.0, 1), p(10.0, 2.0, 1), p(12.0, 5.0, 2), p(17.0, 1.0, 2), p(18.0, 6.0, 2)];
        reorder(&mut line);
        let xs: Vec<f32> = line.iter().map(|p| p.x).collect();
        assert_eq!(xs, vec![14.0, 12.0, 0.0, 5.0, 6.0]);
        // Left to right only: nothing moves.
        let mut line = vec![p(0.0, 10.0, 0), p(10.0, 2.0, 0)];
        reorder(&mut line);
        assert_eq!(line[1].x, 10.0);
    }
}
