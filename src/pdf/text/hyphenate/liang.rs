//! Liang's hyphenation patterns, read from TeX's `\patterns{…}` files bundled under
//! `hyphenation/` (for languages `hypher` lacks): the patterns become a trie the first
//! time a book asks for the language, then each word is looked up as TeX does.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// A language's patterns as a trie: node 0 is the root; a node reached by the letters of a
/// pattern holds the pattern's levels, one per gap (before its first letter to after its last).
#[derive(Debug, Default)]
pub(super) struct Patterns {
    children: FxHashMap<(u32, char), u32>,
    levels: Vec<Box<[u8]>>,
}

/// A set of bundled patterns, parsed at first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bundled {
    /// Ancient Greek (`grc`), Dimitrios Filippou's patterns from hyph-utf8 (`hyph-grc.tex`).
    AncientGreek,
    /// Modern Greek in the polytonic spelling (`hyph-el-polyton.tex`), same author.
    PolytonicGreek,
}

impl Bundled {
    /// The trie of these patterns, built once for the whole process.
    pub(super) fn patterns(self) -> &'static Patterns {
        static GRC: OnceLock<Patterns> = OnceLock::new();
        static EL_POLYTON: OnceLock<Patterns> = OnceLock::new();
        match self {
            Bundled::AncientGreek => {
                GRC.get_or_init(|| Patterns::parse(include_str!("../../../../hyphenation/hyph-grc.tex")))
            }
            Bundled::PolytonicGreek => {
                EL_POLYTON.get_or_init(|| Patterns::parse(include_str!("../../../../hyphenation/hyph-el-polyton.tex")))
            }
        }
    }
}

impl Patterns {
    /// The patterns of a TeX file: the words inside `\patterns{…}`, `%` starting a comment.
    pub(super) fn parse(tex: &str) -> Patterns {
        let mut p = Patterns { children: FxHashMap::default(), levels: vec![Box::default()] };
        let body = tex.find("\\patterns{").map_or("", |i| &tex[i + "\\patterns{".len()..]);
        'lines: for line in body.lines() {
            let line = line.split('%').next().unwrap_or("");
            for token in line.split_whitespace() {
                let (token, end) = match token.find('}') {
                    Some(i) => (&token[..i], true),
                    None => (token, false),
                };
                if !token.is_empty() {
                    p.insert(token);
                }
                if end {
                    break 'lines;
                }
            }
        }
        p
    }

    /// Adds one pattern such as `ά3ι` or `.ἐ2κ`: letters with a level in some gaps.
    fn insert(&mut self, pattern: &str) {
        let mut node = 0u32;
        let mut levels = vec![0u8];
        for c in pattern.chars() {
            if let Some(d) = c.to_digit(10) {
                *levels.last_mut().expect("starts with one gap") = d as u8;
                continue;
            }
            let next = self.levels.len() as u32;
            node = *self.children.entry((node, c)).or_insert(next);
            if node == next {
                self.levels.push(Box::default());
            }
            levels.push(0);
        }
        self.levels[node as usize] = levels.into_boxed_slice();
    }

    /// Calls `emit` with the byte offsets in `word` (lower case) where an odd level allows
    /// a break, in order; the caller keeps the letters it needs on either side.
    pub(super) fn breaks(&self, word: &str, mut emit: impl FnMut(usize)) {
        let chars: Vec<(usize, char)> =
            std::iter::once((0, '.')).chain(word.char_indices()).chain([(word.len(), '.')]).collect();
        let mut gaps = vec![0u8; chars.len() + 1];
        for i in 0..chars.len() {
            let mut node = 0u32;
            for &(_, c) in &chars[i..] {
                let Some(&n) = self.children.get(&(node, c)) else { break };
                node = n;
                for (k, &l) in self.levels[n as usize].iter().enumerate() {
                    gaps[i + k] = gaps[i + k].max(l);
                }
            }
        }
        // Gap g lies before chars[g]; chars[1] is the word's first letter.
        for g in 2..chars.len() - 1 {
            if gaps[g] % 2 == 1 {
                emit(chars[g].0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(p: &Patterns, word: &str) -> String {
        let mut s = String::new();
        let mut at = 0;
        p.breaks(word, |o| {
            s.push_str(&word[at..o]);
            s.push('-');
            at = o;
        });
        s + &word[at..]
    }

    #[test]
    fn liang_on_knuths_example() {
        // The patterns of The TeXbook's appendix H that bear on "hyphenation".
        let p = Patterns::parse("\\patterns{ % a comment\n hy3ph he2n hena4 hen5at 1na n2at 1tio 2io o2n }");
        assert_eq!(show(&p, "hyphenation"), "hy-phen-ation");
        // Text after the closing brace is not read.
        let p = Patterns::parse("\\patterns{ 1na }\n\\hyphenation{ x-y }");
        assert_eq!(show(&p, "banana"), "ba-na-na");
        assert_eq!(show(&Patterns::parse(""), "banana"), "banana");
    }

    #[test]
    fn bundled_patterns_parse() {
        for b in [Bundled::AncientGreek, Bundled::PolytonicGreek] {
            let p = b.patterns();
            assert!(p.levels.len() > 1000, "{b:?}: {} nodes", p.levels.len());
        }
    }
}
