//! Hyphenation: where a word may be broken at the end of a line, by the language of its text.
//! Patterns come from `hypher`; Kazakh, which it lacks, uses a syllable rule (module `kazakh` below),
//! and polytonic Greek TeX's patterns bundled under `hyphenation/` (module `liang`).
//! Explicit hyphens, dashes, slashes, soft hyphens and the book's exceptions take precedence.

use crate::lang::Lang;
use std::collections::HashMap;

/// Letters that must stay before a pattern break.
const LEFT_MIN: usize = 2;
/// Letters that must follow a pattern break.
const RIGHT_MIN: usize = 3;
/// Words with fewer letters get no pattern break at all.
const MIN_WORD: usize = 5;
/// In an already hyphenated compound, only parts this long get pattern breaks: the explicit
/// hyphens are the natural breaks, but a long part must still be breakable on a narrow measure.
const MIN_COMPOUND_PART: usize = 8;
const SOFT_HYPHEN: char = '\u{AD}';

/// A place where a word may be broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Break {
    /// Byte offset in the word: the line ends with `word[..offset]`, the next begins with
    /// `word[offset..]`. Always on a char boundary, strictly inside the word.
    pub offset: usize,
    /// The word already shows a hyphen, dash or slash just before `offset`: no hyphen is added.
    pub explicit: bool,
}

#[derive(Debug, Clone, Copy)]
enum Engine {
    Patterns(hypher::Lang),
    Kazakh,
    /// Bundled TeX patterns (`grc`).
    Liang(liang::Bundled),
    /// Modern Greek: `hypher`'s monotonic patterns, or the polytonic ones for a word with a
    /// letter of Greek Extended (U+1F00–U+1FFF), which only the polytonic spelling uses.
    Greek,
}

/// Hyphenation of one language: patterns (hypher) or rules (Kazakh), exceptions, limits.
#[derive(Debug, Clone)]
pub(crate) struct Hyphenator {
    engine: Engine,
    /// Turkish lower-cases `I` to `ı` and `İ` to `i`; the generic mapping would miss its patterns.
    turkic: bool,
    /// German: an inner `Innen` after a small letter is a Binnen-I (`ArbeiterInnen`), not
    /// the start of a word part.
    binnen_i: bool,
    /// Lower-cased word → byte offsets (in that key) of the allowed breaks.
    exceptions: HashMap<String, Vec<usize>>,
}

impl Hyphenator {
    /// The language's primary subtag decides. `exceptions` are words written with
    /// their allowed break points ("Arbei-ter-in-nen"); they replace the patterns for that word
    /// (matched case-insensitively, also when the word is capitalised).
    /// Returns None when no hyphenation is known for the language (the text then breaks only at spaces).
    pub(crate) fn new(lang: &Lang, exceptions: &[String]) -> Option<Hyphenator> {
        let engine = engine_for(lang)?;
        let turkic = matches!(engine, Engine::Patterns(hypher::Lang::Turkish));
        let builtin = builtin_exceptions(engine);
        let mut map = HashMap::with_capacity(builtin.len() + exceptions.len());
        // The book's own exceptions come last, so they win over the built-in ones.
        for written in builtin.iter().copied().chain(exceptions.iter().map(String::as_str)) {
            let mut key = String::with_capacity(written.len());
            let mut offsets = Vec::new();
            for c in written.trim().chars() {
                if is_hyphen(c) || c == SOFT_HYPHEN {
                    if !key.is_empty() && offsets.last() != Some(&key.len()) {
                        offsets.push(key.len());
                    }
                } else {
                    lower(c, turkic, |l| key.push(l));
                }
            }
            // A mark at the very end ("Öl-") is no break inside the word.
            offsets.retain(|&o| o < key.len());
            if !key.is_empty() {
                map.insert(key, offsets);
            }
        }
        Some(Hyphenator { engine, turkic, binnen_i: lang.is_german(), exceptions: map })
    }

    /// Byte offsets inside `word` where a hyphen may be inserted (sorted, each on a char boundary),
    /// and whether the word already contains an explicit hyphen at that offset.
    /// `out` is cleared first, so one buffer can serve every word.
    pub(crate) fn breaks(&self, word: &str, out: &mut Vec<Break>) {
        out.clear();
        let mut letters = 0usize;
        let mut alnum = 0usize;
        let mut soft = false;
        let mut separators = false;
        let mut last = None;
        for c in word.chars() {
            letters += c.is_alphabetic() as usize;
            alnum += c.is_alphanumeric() as usize;
            soft |= c == SOFT_HYPHEN;
            separators |= is_separator(c);
            last = Some(c);
        }
        // `Öl-` stands for a compound completed later ("Öl- und Gasarbeiter"): it stays whole.
        match last {
            None => return,
            Some(c) if is_separator(c) => return,
            _ => {}
        }
        if soft {
            self.soft_breaks(word, alnum, out);
            return;
        }
        if !separators {
            if letters >= MIN_WORD {
                self.part_breaks(word, 0, out);
            }
            return;
        }
        // A compound: its own hyphens (dashes, slashes) first, long parts by pattern as well.
        let mut part_start = 0;
        let mut part_letters = 0;
        let mut alnum_before = 0;
        let mut chars = word.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if !is_separator(c) {
                alnum_before += c.is_alphanumeric() as usize;
                part_letters += c.is_alphabetic() as usize;
                continue;
            }
            if part_letters >= MIN_COMPOUND_PART {
                self.part_breaks(&word[part_start..i], part_start, out);
            }
            let after = i + c.len_utf8();
            part_start = after;
            part_letters = 0;
            // Break after the last of a run of separators, never before one ("--"), and keep
            // at least one character before and two after, so no line begins with "-s".
            let next_is_separator = chars.peek().is_some_and(|&(_, n)| is_separator(n));
            if alnum_before >= 1 && !next_is_separator && alnum - alnum_before >= 2 {
                push(out, Break { offset: after, explicit: true });
            }
        }
        if part_letters >= MIN_COMPOUND_PART {
            self.part_breaks(&word[part_start..], part_start, out);
        }
    }

    /// A soft hyphen the author typed is the word's only hyphenation point, besides the word's
    /// own hyphens; the break lies just after it so the next line does not begin with it.
    fn soft_breaks(&self, word: &str, alnum: usize, out: &mut Vec<Break>) {
        let mut alnum_before = 0;
        let mut chars = word.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let after = i + c.len_utf8();
            let next = chars.peek().map(|&(_, n)| n);
            let room = alnum_before >= 1 && alnum > alnum_before;
            if c == SOFT_HYPHEN {
                if room && next != Some(SOFT_HYPHEN) {
                    push(out, Break { offset: after, explicit: false });
                }
            } else if is_separator(c) {
                if room && !next.is_some_and(is_separator) {
                    push(out, Break { offset: after, explicit: true });
                }
            } else {
                alnum_before += c.is_alphanumeric() as usize;
            }
        }
    }

    /// Pattern breaks of one part (a word or a part of a compound) starting at byte `base` of
    /// the word. Digits rule patterns out ("G7", "1914"); other non-letters (apostrophes,
    /// gender stars, non-breaking hyphens) split the part into runs hyphenated on their own.
    fn part_breaks(&self, part: &str, base: usize, out: &mut Vec<Break>) {
        if part.chars().any(|c| c.is_numeric()) {
            return;
        }
        let mut run_start = None;
        for (i, c) in part.char_indices() {
            if c.is_alphabetic() || is_mark(c) {
                if run_start.is_none() && c.is_alphabetic() {
                    run_start = Some(i);
                }
            } else if let Some(s) = run_start.take() {
                self.run_breaks(&part[s..i], base + s, out);
            }
        }
        if let Some(s) = run_start {
            self.run_breaks(&part[s..], base + s, out);
        }
    }

    /// Breaks inside a run of letters (and combining marks) at byte `base` of the word.
    fn run_breaks(&self, run: &str, base: usize, out: &mut Vec<Break>) {
        let letters = count_letters(run);
        if letters < LEFT_MIN + RIGHT_MIN {
            return;
        }
        let mut low = LowerBuf::new();
        for c in run.chars() {
            lower(c, self.turkic, |l| low.push(l));
        }
        let lowered = low.as_str();
        let tail = out.len();
        let mut map = OffsetMap::new(run, self.turkic);
        let mut emit = |off: usize| {
            if let Some((orig, before)) = map.find(off) {
                if before >= LEFT_MIN && letters - before >= RIGHT_MIN {
                    push(out, Break { offset: base + orig, explicit: false });
                }
            }
        };
        if let Some(offsets) = self.exceptions.get(lowered) {
            // The book's word: its break points and nothing else.
            offsets.iter().for_each(|&o| emit(o));
            return;
        }
        match self.engine {
            Engine::Patterns(lang) => {
                let mut off = 0;
                let mut syllables = hypher::hyphenate_bounded(lowered, lang, LEFT_MIN, RIGHT_MIN).peekable();
                while let Some(s) = syllables.next() {
                    off += s.len();
                    if syllables.peek().is_some() {
                        emit(off);
                    }
                }
            }
            Engine::Kazakh => kazakh::breaks(lowered, emit),
            Engine::Liang(bundled) => bundled.patterns().breaks(lowered, emit),
            Engine::Greek => greek_breaks(lowered, emit),
        }
        camel_breaks(run, base, letters, tail, self.binnen_i, out);
    }
}

/// Characters after which a URL or an e-mail address may end a line (no hyphen is added).
fn is_url_break(c: char) -> bool {
    matches!(c, '/' | '.' | '-' | '?' | '&' | '=' | '#' | '_' | '@')
}

/// Whether `word` (without the punctuation around it) is a URL (`scheme://…`, `www.…`) or
/// an e-mail address (`name@host.tld`): such a word is never hyphenated.
pub(crate) fn is_url(word: &str) -> bool {
    if word.contains("://") || word.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("www.")) {
        return true;
    }
    // An e-mail address: something, `@`, then a host with a dot inside it.
    match word.split_once('@') {
        Some((name, host)) => {
            !name.is_empty()
                && !host.contains('@')
                && host.trim_end_matches('.').contains('.')
                && !host.starts_with('.')
                && !host.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The breaks of a URL or e-mail address (see [`is_url`]): after `/`, `.`, `-`, `?`, `&`,
/// `=`, `#`, `_` or `@`, the last of a run (`https://` stays whole), with at least two
/// characters before and three after; all explicit, so no hyphen is added. `out` is
/// cleared first.
pub(crate) fn url_breaks(word: &str, out: &mut Vec<Break>) {
    out.clear();
    let total = word.chars().count();
    let mut chars = word.char_indices().enumerate().peekable();
    while let Some((n, (i, c))) = chars.next() {
        let next = chars.peek().map(|&(_, (_, c))| c);
        if is_url_break(c) && !next.is_some_and(is_url_break) && n + 1 >= 2 && total - (n + 1) >= 3 {
            push(out, Break { offset: i + c.len_utf8(), explicit: true });
        }
    }
}

/// An inner capital after a small letter (`PowerPoint`, `McDonald`) starts a new word part:
/// break there, and not one letter either side of it (`Powe-rPoint`). In German text the
/// Binnen-I of a plural gender form (`ArbeiterInnen`, `ArbeiterInnenklasse`) is no such
/// boundary: the word is one word, hyphenated by the patterns of its lower case
/// (`Ar-bei-te-rIn-nen`, as `Ar-bei-te-rin-nen`). A final `In` stays a boundary: it ends
/// singular gender forms (`ArbeiterIn`, `Ar-bei-terIn`: one break fewer than the lower
/// case) as well as names (`LinkedIn`), which the lower case would break wrongly
/// (`Linke-dIn`).
fn camel_breaks(run: &str, base: usize, letters: usize, tail: usize, binnen_i: bool, out: &mut Vec<Break>) {
    // Whether the char at byte `i` of the run, after the letter `a`, starts a word part.
    let is_boundary = |a: char, i: usize| {
        let rest = &run[i..];
        a.is_lowercase()
            && rest.chars().next().is_some_and(char::is_uppercase)
            && !(binnen_i && rest.starts_with("Innen"))
    };
    let mut chars = run.char_indices();
    let mut prev = chars.next().map(|(_, c)| c);
    if !chars.any(|(i, c)| prev.replace(c).is_some_and(|p| is_boundary(p, i))) {
        return;
    }
    // Drop pattern breaks at, or one letter either side of, a boundary: each check looks at
    // the two chars on either side of the break only, so the whole pass stays linear.
    let mut k = tail;
    for j in tail..out.len() {
        let o = out[j].offset - base;
        let mut before = run[..o].chars().rev();
        let mut after = run[o..].chars();
        let (x, w) = (before.next(), before.next());
        let (y, z) = (after.next(), after.next());
        let near = match (w, x, y, z) {
            (_, Some(x), Some(_), _) if is_boundary(x, o) => true,
            (Some(w), Some(x), _, _) if is_boundary(w, o - x.len_utf8()) => true,
            (_, _, Some(y), Some(_)) => is_boundary(y, o + y.len_utf8()),
            _ => false,
        };
        if !near {
            out[k] = out[j];
            k += 1;
        }
    }
    out.truncate(k);
    let mut prev: Option<char> = None;
    let mut before = 0usize;
    for (i, c) in run.char_indices() {
        if let Some(p) = prev {
            if is_boundary(p, i) && before >= LEFT_MIN && letters - before >= RIGHT_MIN {
                out.push(Break { offset: base + i, explicit: false });
            }
        }
        if c.is_alphabetic() {
            prev = Some(c);
            before += 1;
        }
    }
    out[tail..].sort_unstable_by_key(|b| b.offset);
}

/// Appends a break, keeping `out` strictly increasing (two marks in a row give one break).
fn push(out: &mut Vec<Break>, b: Break) {
    match out.last() {
        Some(l) if l.offset >= b.offset => {}
        _ => out.push(b),
    }
}

fn count_letters(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphabetic()).count()
}

/// Hyphen characters after which a line may end without adding another hyphen.
/// U+2011 (non-breaking hyphen) is deliberately absent.
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}')
}

/// Everything that ends a line inside a word without an added hyphen: hyphens, en and em
/// dashes ("1914–1918"), slashes ("Kunst/Kultur").
fn is_separator(c: char) -> bool {
    is_hyphen(c) || matches!(c, '\u{2013}' | '\u{2014}' | '/')
}

/// Combining marks belong to the letter before them (decomposed "é"); a break never splits them.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// The lower case used for pattern lookup; `f` receives one or more chars.
fn lower(c: char, turkic: bool, mut f: impl FnMut(char)) {
    if turkic {
        match c {
            'I' => return f('ı'),
            'İ' => return f('i'),
            _ => {}
        }
    }
    if c.is_ascii() {
        return f(c.to_ascii_lowercase());
    }
    c.to_lowercase().for_each(f);
}

/// Maps byte offsets of the lower-cased run back to the original run, in increasing order and
/// in one walk. An offset inside the lower case of one char (`İ` → `i̇`) has no counterpart.
struct OffsetMap<'a> {
    chars: std::str::CharIndices<'a>,
    orig: usize,
    low: usize,
    letters: usize,
    turkic: bool,
    len: usize,
}

impl<'a> OffsetMap<'a> {
    fn new(run: &'a str, turkic: bool) -> Self {
        OffsetMap { chars: run.char_indices(), orig: 0, low: 0, letters: 0, turkic, len: run.len() }
    }

    /// The original offset for lower-case offset `low`, and the letters before it; None when it
    /// is not a boundary of both, or would put a combining mark at the start of a line.
    fn find(&mut self, low: usize) -> Option<(usize, usize)> {
        while self.low < low {
            let (i, c) = self.chars.next()?;
            let mut n = 0;
            lower(c, self.turkic, |l| n += l.len_utf8());
            self.low += n;
            self.orig = i + c.len_utf8();
            self.letters += c.is_alphabetic() as usize;
        }
        if self.low != low || self.orig == 0 || self.orig >= self.len {
            return None;
        }
        let next = self.chars.clone().next().map(|(_, c)| c);
        match next {
            Some(c) if c.is_alphabetic() => Some((self.orig, self.letters)),
            _ => None,
        }
    }
}

/// Lower-case text of one run, on the stack unless the run is long.
struct LowerBuf {
    arr: [u8; 96],
    len: usize,
    heap: String,
}

impl LowerBuf {
    fn new() -> Self {
        LowerBuf { arr: [0; 96], len: 0, heap: String::new() }
    }

    fn push(&mut self, c: char) {
        let n = c.len_utf8();
        if self.heap.is_empty() && self.len + n <= self.arr.len() {
            c.encode_utf8(&mut self.arr[self.len..]);
            self.len += n;
            return;
        }
        if self.heap.is_empty() {
            self.heap.reserve(self.len * 2 + n);
            self.heap.push_str(std::str::from_utf8(&self.arr[..self.len]).unwrap_or_default());
        }
        self.heap.push(c);
    }

    fn as_str(&self) -> &str {
        if self.heap.is_empty() {
            // Only whole chars are ever encoded into `arr`, so this cannot fail.
            std::str::from_utf8(&self.arr[..self.len]).unwrap_or_default()
        } else {
            &self.heap
        }
    }
}

/// The engine for a language: its primary subtag decides (`Lang` has already read the
/// three-letter codes of languages with a two-letter one as that).
fn engine_for(lang: &Lang) -> Option<Engine> {
    match lang.language() {
        "kk" => Some(Engine::Kazakh),
        "grc" => Some(Engine::Liang(liang::Bundled::AncientGreek)),
        "el" => Some(Engine::Greek),
        _ => hypher_lang(lang).map(Engine::Patterns),
    }
}

/// Modern Greek (lower case): polytonic words by the polytonic patterns, others by `hypher`'s.
fn greek_breaks(word: &str, mut emit: impl FnMut(usize)) {
    if word.chars().any(|c| matches!(c, '\u{1F00}'..='\u{1FFF}')) {
        return liang::Bundled::PolytonicGreek.patterns().breaks(word, emit);
    }
    let mut off = 0;
    let mut syllables = hypher::hyphenate_bounded(word, hypher::Lang::Greek, LEFT_MIN, RIGHT_MIN).peekable();
    while let Some(s) = syllables.next() {
        off += s.len();
        if syllables.peek().is_some() {
            emit(off);
        }
    }
}

/// Words the patterns break wrongly, written with their correct breaks (checked by the
/// word lists in `hyphenate/native.rs`); a book's `[hyphenation] exceptions` override them.
fn builtin_exceptions(engine: Engine) -> &'static [&'static str] {
    match engine {
        // The patterns break before the suffix (`відповід-альність`), inside the syllable `да`.
        Engine::Patterns(hypher::Lang::Ukrainian) => &["від-по-ві-даль-ність", "від-по-ві-даль-но-сті"],
        _ => &[],
    }
}

/// The `hypher` patterns for a language tag, for every language `hypher` has: by the
/// ISO 639-1 code (`nb` and `nn` take the Norwegian ones), by the ISO 639-3 codes of the
/// individual languages inside a macrolanguage (`kmr` is Kurmanji, `ory` Odia, `khk`
/// Halh Mongolian, `ekk` Estonian, `als` Tosk Albanian), and by related written standards
/// (`gsw` writes German spelling). Serbian written in Latin letters (`sr-Latn`), and
/// Bosnian and Serbo-Croatian, which are written in the same Latin alphabet and divide
/// syllables by the same rules, take the Croatian patterns; `hypher`'s Serbian patterns
/// are Cyrillic.
fn hypher_lang(lang: &Lang) -> Option<hypher::Lang> {
    let iso: [u8; 2] = match (lang.language(), lang.script()) {
        ("sr", Some("Latn")) | ("bs" | "sh" | "hbs", _) => *b"hr",
        ("gsw", _) => *b"de",
        ("kmr", _) => *b"ku",
        ("ory", _) => *b"or",
        ("khk", _) => *b"mn",
        ("ekk", _) => *b"et",
        ("als", _) => *b"sq",
        (l, _) => <[u8; 2]>::try_from(l.as_bytes()).ok()?,
    };
    hypher::Lang::from_iso(iso)
}

/// Kazakh syllables, by rule: hypher has no Kazakh patterns.
///
/// Kazakh (Cyrillic) words are split by the Turkic syllable: a syllable has one vowel and
/// begins with at most one consonant. So between two vowels a break goes before the last
/// consonant of the cluster: V-CV, VC-CV, VCC-CV (ба-ла, бір-лік, айт-ты). ь and ъ stay with
/// the consonant before them; й is a consonant, and у and и right after a vowel are glides, so
/// consonants too (та-уы, тау-да). Two vowels in a row split between them (қи-ын).
/// One refinement for loan words: in a cluster of three or more consonants whose last two are
/// an onset of Russian or Persian origin (ст, сп, ск; a stop or фх before р or л) the break
/// goes before that pair (Қазақ-стан, ин-сти-тут, элек-трон) rather than inside it.
/// A run with letters outside the Kazakh Cyrillic alphabet gets no break.
mod kazakh {
    #[derive(Clone, Copy, PartialEq)]
    enum Class {
        Vowel,
        Consonant,
        Sign,
    }

    fn class(c: char, after_vowel: bool) -> Option<Class> {
        Some(match c {
            'у' | 'и' if after_vowel => Class::Consonant,
            'а' | 'ә' | 'е' | 'ё' | 'и' | 'о' | 'ө' | 'у' | 'ұ' | 'ү' | 'ы' | 'і' | 'э' | 'ю' | 'я' => {
                Class::Vowel
            }
            'ь' | 'ъ' => Class::Sign,
            'б' | 'в' | 'г' | 'ғ' | 'д' | 'ж' | 'з' | 'й' | 'к' | 'қ' | 'л' | 'м' | 'н' | 'ң' | 'п' | 'р' | 'с'
            | 'т' | 'ф' | 'х' | 'һ' | 'ц' | 'ч' | 'ш' | 'щ' => Class::Consonant,
            // Combining marks (a decomposed й) stay with their letter.
            '\u{300}'..='\u{36F}' => Class::Sign,
            _ => return None,
        })
    }

    fn onset(a: char, b: char) -> bool {
        matches!((a, b), ('с', 'т' | 'п' | 'к'))
            || (matches!(a, 'б' | 'в' | 'г' | 'д' | 'к' | 'п' | 'т' | 'ф' | 'х') && matches!(b, 'р' | 'л'))
    }

    /// Calls `emit` with the byte offsets of the breaks in `word` (lower case), in order.
    pub(super) fn breaks(word: &str, mut emit: impl FnMut(usize)) {
        // A foreign letter anywhere means the rule does not apply: check before emitting.
        let mut after_vowel = false;
        for c in word.chars() {
            match class(c, after_vowel) {
                None => return,
                Some(k) => after_vowel = k == Class::Vowel,
            }
        }
        let mut seen_vowel = false;
        let mut after_vowel = false;
        // The cluster since the last vowel: its size and its last two consonants.
        let mut k = 0usize;
        let mut last: Option<(usize, char)> = None;
        let mut second: Option<(usize, char)> = None;
        let mut adjacent = false;
        for (i, c) in word.char_indices() {
            match class(c, after_vowel) {
                Some(Class::Vowel) => {
                    if seen_vowel {
                        match (k, second, last) {
                            (0, _, _) => emit(i),
                            (3.., Some((s, a)), Some((_, b))) if adjacent && onset(a, b) => emit(s),
                            (_, _, Some((l, _))) => emit(l),
                            _ => {}
                        }
                    }
                    seen_vowel = true;
                    after_vowel = true;
                    k = 0;
                    last = None;
                    second = None;
                }
                Some(Class::Consonant) => {
                    second = last;
                    adjacent = true;
                    last = Some((i, c));
                    k += 1;
                    after_vowel = false;
                }
                Some(Class::Sign) => {
                    adjacent = false;
                    after_vowel = false;
                }
                None => return,
            }
        }
    }
}

mod liang;

#[cfg(test)]
mod native;

#[cfg(test)]
mod urls;

#[cfg(test)]
mod tests {
    use super::*;

    fn hy(tag: &str) -> Hyphenator {
        Hyphenator::new(&Lang::of(tag), &[]).expect("language known")
    }

    /// The word with "-" at pattern breaks and "|" at explicit ones.
    fn show(h: &Hyphenator, word: &str) -> String {
        let mut out = Vec::new();
        h.breaks(word, &mut out);
        let mut s = String::new();
        let mut at = 0;
        for b in &out {
            assert!(word.is_char_boundary(b.offset) && b.offset > at && b.offset < word.len(), "{word}: {out:?}");
            s.push_str(&word[at..b.offset]);
            s.push(if b.explicit { '|' } else { '-' });
            at = b.offset;
        }
        s.push_str(&word[at..]);
        s
    }

    #[test]
    fn german_words() {
        let de = hy("de");
        assert_eq!(show(&de, "Solidaritätskundgebung"), "So-li-da-ri-täts-kund-ge-bung");
        assert_eq!(show(&de, "Gewerkschaftsversammlung"), "Ge-werk-schafts-ver-samm-lung");
        assert_eq!(show(&de, "Ausnahmezustand"), "Aus-nah-me-zu-stand");
        let bewegung = show(&de, "Arbeiterinnenbewegung");
        assert!(bewegung.starts_with("Ar-bei-te") && bewegung.ends_with("be-we-gung"), "{bewegung}");
    }

    #[test]
    fn german_regional_tags_use_german() {
        for tag in ["de-CH", "de-AT", "DE", "de_DE", "deu", "gsw"] {
            let h = Hyphenator::new(&Lang::of(tag), &[]).expect(tag);
            assert_eq!(show(&h, "Gewerkschaftsversammlung"), "Ge-werk-schafts-ver-samm-lung", "{tag}");
        }
    }

    #[test]
    fn inner_capital_breaks_before_it() {
        // Real camel case, in German text too: a break at the capital, none one letter off.
        let de = hy("de");
        assert_eq!(show(&de, "PowerPoint"), "Pow-er-Point");
        assert_eq!(show(&de, "BahnCard"), "Bahn-Card");
        assert_eq!(show(&de, "McDonald"), "Mc-Do-nald");
        assert_eq!(show(&de, "iPhone"), "iPhone");
        // Outside German, an inner `In` is camel case like any other.
        let en = hy("en");
        assert!(show(&en, "ArbeiterInnen").ends_with("r-In-nen"), "{}", show(&en, "ArbeiterInnen"));
        assert_eq!(show(&en, "LinkedIn"), "LinkedIn");
    }

    #[test]
    fn binnen_i_hyphenates_as_its_lower_case() {
        let de = hy("de");
        assert_eq!(show(&de, "ArbeiterInnen"), "Ar-bei-te-rIn-nen");
        assert_eq!(show(&de, "GasarbeiterInnen"), "Gas-ar-bei-te-rIn-nen");
        assert_eq!(show(&de, "KollegInnen"), "Kol-le-gIn-nen");
        // Every Binnen-I word of the seed speech breaks exactly where its lower case does.
        for w in [
            "ArbeiterInnen",
            "ArbeiterInnenklasse",
            "ArbeiterInnenkontrolle",
            "ArbeiterInnenkomitees",
            "ArbeiterInnenpartei",
            "ArbeiterInnenmacht",
            "AufrührerInnen",
            "TerroristInnen",
            "AgentInnen",
            "StudentInnen",
        ] {
            assert_eq!(show(&de, w).to_lowercase(), show(&de, &w.to_lowercase()), "{w}");
            assert!(show(&de, w).replace('-', "") == w, "{w}");
        }
        // A final `In` may be a name: it keeps the rule of camel case.
        assert_eq!(show(&de, "ArbeiterIn"), "Ar-bei-terIn");
        assert_eq!(show(&de, "LinkedIn"), "LinkedIn");
        // The book's exceptions still decide (the README's advice).
        let ex = Hyphenator::new(&Lang::of("de"), &["Kol-le-gIn".to_string()]).unwrap();
        assert_eq!(show(&ex, "KollegIn"), "Kol-le-gIn");
        // A Binnen-I beside real camel case: each keeps its own rule.
        assert_eq!(show(&de, "PowerPointArbeiterInnen"), "Pow-er-Point-ar-bei-te-rIn-nen".replace("-ar", "-Ar"));
        for tag in ["de-AT", "de-CH", "gsw"] {
            assert_eq!(show(&hy(tag), "ArbeiterInnen"), "Ar-bei-te-rIn-nen", "{tag}");
        }
    }

    #[test]
    fn gender_signs_break_in_the_parts() {
        let de = hy("de");
        assert_eq!(show(&de, "Arbeiter*innen"), "Ar-bei-ter*in-nen");
        assert_eq!(show(&de, "Kolleg*innen"), "Kol-leg*in-nen");
        assert_eq!(show(&de, "Kolleg:innen"), "Kol-leg:in-nen");
        assert_eq!(show(&de, "Bürger_innen"), "Bür-ger_in-nen");
        assert_eq!(show(&de, "Kolleg*in"), "Kol-leg*in");
        assert_eq!(show(&de, "Arbeiter*innenbewegung"), "Ar-bei-ter*in-nen-be-we-gung");
        assert_eq!(show(&de, "jede*r"), "jede*r");
        assert_eq!(show(&de, "Kolleg*e"), "Kol-leg*e");
        // Never right before or after the sign: no line ends with `Kolleg*` or begins with `*in`.
        for w in ["Arbeiter*innen", "Kolleg:in", "Bürger_innen", "Lehrer*innen", "eine*n", "Ärzt*innen"] {
            let mut out = Vec::new();
            de.breaks(w, &mut out);
            for b in out {
                let (l, r) = (&w[..b.offset], &w[b.offset..]);
                assert!(!l.ends_with(['*', ':', '_']) && !r.starts_with(['*', ':', '_']), "{w} at {}", b.offset);
            }
        }
    }

    #[test]
    fn uppercase_words() {
        let de = hy("de");
        assert_eq!(show(&de, "GEWERKSCHAFTSVERSAMMLUNG"), "GE-WERK-SCHAFTS-VER-SAMM-LUNG");
        assert_eq!(show(&de, "SOLIDARITÄT"), "SO-LI-DA-RI-TÄT");
    }

    #[test]
    fn lowercase_changing_byte_length() {
        // ẞ (3 bytes) lowers to ß (2 bytes); İ lowers to two chars outside Turkish.
        let de = hy("de");
        assert_eq!(show(&de, "STRAẞENBAHN"), show(&de, "straßenbahn").to_uppercase().replace("SS", "ẞ"));
        for w in ["İSTANBULİSTANBUL", "İİİİİİİİİ", "aİbİcİdİe", "ǅemalǅemal"] {
            show(&de, w);
            show(&hy("tr"), w);
            show(&hy("en"), w);
        }
        // Turkish has its own dotted and dotless i.
        assert_eq!(show(&hy("tr"), "İSTANBUL"), "İS-TAN-BUL");
        assert_eq!(show(&hy("tr"), "istanbul"), "is-tan-bul");
    }

    #[test]
    fn english_french_russian() {
        let en = hy("en-GB");
        assert_eq!(show(&en, "extensive"), "ex-ten-sive");
        assert_eq!(show(&en, "solidarity"), "sol-i-dar-ity");
        assert_eq!(show(&en, "hyphenation"), "hy-phen-ation");
        let fr = hy("fr");
        assert_eq!(show(&fr, "solidarité"), "so-li-da-rité");
        assert_eq!(show(&fr, "manifestation"), "ma-ni-fes-ta-tion");
        // Apostrophes separate runs; the elided article is never left alone.
        assert_eq!(show(&fr, "l’organisation"), "l’or-ga-ni-sa-tion");
        assert_eq!(show(&hy("ru"), "солидарность"), "со-ли-дар-ность");
        assert_eq!(show(&hy("ru"), "Солидарность"), "Со-ли-дар-ность");
        assert_eq!(show(&hy("uk"), "солідарність"), "со-лі-дар-ність");
    }

    #[test]
    fn kazakh() {
        let kk = hy("kk");
        assert_eq!(show(&kk, "Қазақстан"), "Қа-зақ-стан");
        assert_eq!(show(&kk, "ынтымақ"), "ын-ты-мақ");
        assert_eq!(show(&kk, "жұмысшылар"), "жұ-мыс-шы-лар");
        assert_eq!(show(&kk, "бірлік"), "бір-лік");
        assert_eq!(show(&kk, "ынтымақтастық"), "ын-ты-мақ-тас-тық");
        assert_eq!(show(&kk, "ЫНТЫМАҚТАСТЫҚ"), "ЫН-ТЫ-МАҚ-ТАС-ТЫҚ");
        assert_eq!(show(&kk, "Ынтымақтастық"), "Ын-ты-мақ-тас-тық");
        assert_eq!(show(&kk, "жұмысшылардың"), "жұ-мыс-шы-лар-дың");
        assert_eq!(show(&kk, "айттық"), "айт-тық");
        // Three letters must follow: айт-ты is too short a tail.
        assert_eq!(show(&kk, "айтты"), "айтты");
        assert_eq!(show(&kk, "тауларда"), "тау-ларда");
        assert_eq!(show(&kk, "ауылдарда"), "ауыл-дарда");
        assert_eq!(show(&kk, "оқушылар"), "оқу-шы-лар");
        assert_eq!(show(&kk, "тәуелсіздік"), "тә-уел-сіз-дік");
        assert_eq!(show(&kk, "Республикасы"), "Рес-пуб-ли-касы");
        assert_eq!(show(&kk, "Өзбекстан"), "Өз-бек-стан");
        assert_eq!(show(&kk, "институт"), "ин-сти-тут");
        assert_eq!(show(&kk, "электрондық"), "элек-трон-дық");
        assert_eq!(show(&kk, "бостандық"), "бос-тан-дық");
        assert_eq!(show(&kk, "әлеуметтік"), "әлеу-мет-тік");
        assert_eq!(show(&kk, "қиындық"), "қи-ын-дық");
        assert_eq!(show(&kk, "Тоқаевтың"), "То-қа-ев-тың");
        // Too short, and foreign letters: no break.
        assert_eq!(show(&kk, "бала"), "бала");
        assert_eq!(show(&kk, "Қазақstan"), "Қазақstan");
        assert_eq!(show(&hy("kk-Cyrl-KZ"), "бірлік"), "бір-лік");
    }

    #[test]
    fn exceptions_override_patterns() {
        let ex = vec!["Arbei-ter-In-nen".to_string(), "ta-ble".to_string(), " -Öl-".to_string(), String::new()];
        let de = Hyphenator::new(&Lang::of("de"), &ex).unwrap();
        assert_eq!(show(&de, "Arbeiterinnen"), "Arbei-ter-in-nen");
        assert_eq!(show(&de, "ArbeiterInnen"), "Arbei-ter-In-nen");
        assert_eq!(show(&de, "ARBEITERINNEN"), "ARBEI-TER-IN-NEN");
        // Only the whole run matches.
        assert_eq!(show(&de, "Arbeiterinnenbewegung"), show(&hy("de"), "Arbeiterinnenbewegung"));
        // Within a compound the exception governs its part.
        assert_eq!(show(&de, "Arbeiterinnen-Komitee"), "Arbei-ter-in-nen-|Komitee");
        // Exceptions still keep two letters before and three after.
        let en = Hyphenator::new(&Lang::of("en"), &["a-bcdef-g".to_string()]).unwrap();
        assert_eq!(show(&en, "abcdefg"), "abcdefg");
        let en = Hyphenator::new(&Lang::of("en"), &["ab-cd-efg".to_string()]).unwrap();
        assert_eq!(show(&en, "Abcdefg"), "Ab-cd-efg");
    }

    #[test]
    fn letter_limits() {
        let de = hy("de");
        // Four letters: never.
        assert_eq!(show(&de, "Ofen"), "Ofen");
        assert_eq!(show(&de, "Oper"), "Oper");
        // Two before, three after.
        let en = hy("en");
        for w in ["abaft", "eleven", "atonement", "Solidaritätskundgebung", "aeroplane", "uneven"] {
            let mut out = Vec::new();
            en.breaks(w, &mut out);
            de.breaks(w, &mut out);
            for b in &out {
                assert!(w[..b.offset].chars().count() >= 2, "{w} {b:?}");
                assert!(w[b.offset..].chars().count() >= 3, "{w} {b:?}");
            }
        }
        assert_eq!(show(&de, "Abend"), "Abend");
        assert_eq!(show(&de, "Ebene"), "Ebene");
        assert_eq!(show(&de, "Ruder"), "Ru-der");
    }

    #[test]
    fn explicit_hyphens_and_compounds() {
        let de = hy("de");
        assert_eq!(show(&de, "E-Mail"), "E-|Mail");
        assert_eq!(show(&de, "Nord-Süd-Konflikt"), "Nord-|Süd-|Kon-flikt");
        assert_eq!(show(&de, "ArbeiterInnen-Komitee"), "Ar-bei-te-rIn-nen-|Komitee");
        assert_eq!(show(&de, "Gewerkschaftsversammlungs-Ausnahmezustand"), {
            "Ge-werk-schafts-ver-samm-lungs-|Aus-nah-me-zu-stand"
        });
        assert_eq!(show(&de, "Kunst/Kultur"), "Kunst/|Kultur");
        assert_eq!(show(&de, "1914–1918"), "1914–|1918");
        assert_eq!(show(&de, "Ost—West"), "Ost—|West");
        // Doubled or leading marks, and too little after.
        assert_eq!(show(&de, "Nord--Süd"), "Nord--|Süd");
        assert_eq!(show(&de, "-Komitee"), "-Komitee");
        assert_eq!(show(&de, "Vitamin-C"), "Vitamin-C");
        // The non-breaking hyphen does not break and splits runs.
        assert_eq!(show(&de, "Gewerkschaft\u{2011}Versammlung"), "Ge-werk-schaft\u{2011}Ver-samm-lung");
    }

    #[test]
    fn word_ending_in_hyphen_stays_whole() {
        let de = hy("de");
        assert_eq!(show(&de, "Öl-"), "Öl-");
        assert_eq!(show(&de, "Gewerkschaftsversammlungs-"), "Gewerkschaftsversammlungs-");
        assert_eq!(show(&de, "Nord-Süd-"), "Nord-Süd-");
        assert_eq!(show(&de, "-"), "-");
    }

    #[test]
    fn soft_hyphens_are_the_only_breaks() {
        let de = hy("de");
        assert_eq!(show(&de, "Gewerkschafts\u{ad}versammlung"), "Gewerkschafts\u{ad}-versammlung");
        assert_eq!(show(&de, "Ab\u{ad}c"), "Ab\u{ad}-c");
        assert_eq!(show(&de, "\u{ad}Abcdef\u{ad}"), "\u{ad}Abcdef\u{ad}");
        assert_eq!(show(&de, "Nord-Süd\u{ad}konflikt"), "Nord-|Süd\u{ad}-konflikt");
        assert_eq!(show(&de, "a\u{ad}\u{ad}b"), "a\u{ad}\u{ad}-b");
        let mut out = Vec::new();
        de.breaks("Gewerkschafts\u{ad}versammlung", &mut out);
        assert_eq!(out, vec![Break { offset: "Gewerkschafts\u{ad}".len(), explicit: false }]);
    }

    #[test]
    fn digits_rule_out_patterns() {
        let de = hy("de");
        assert_eq!(show(&de, "Gewerkschafts2versammlung"), "Gewerkschafts2versammlung");
        assert_eq!(show(&de, "G7-Gipfeltreffen"), "G7-|Gip-fel-tref-fen");
        assert_eq!(show(&de, "123456789"), "123456789");
    }

    #[test]
    fn unknown_language() {
        for tag in ["xx", "zh-Hans", "und", "ro"] {
            assert!(Hyphenator::new(&Lang::of(tag), &[]).is_none(), "{tag}");
        }
        for tag in ["en-US", "nob", "nn", "gsw-CH", "kk-KZ"] {
            assert!(Hyphenator::new(&Lang::of(tag), &[]).is_some(), "{tag}");
        }
        // A three-letter code of a language with a two-letter one hyphenates as that.
        assert_eq!(show(&hy("deu"), "Solidaritätskundgebung"), show(&hy("de"), "Solidaritätskundgebung"));
        assert_eq!(show(&hy("GER-at"), "Solidaritätskundgebung"), show(&hy("de"), "Solidaritätskundgebung"));
    }

    #[test]
    fn out_is_cleared_and_sorted() {
        let de = hy("de");
        let mut out = vec![Break { offset: 99, explicit: true }];
        de.breaks("Solidaritätskundgebung", &mut out);
        assert!(out.windows(2).all(|w| w[0].offset < w[1].offset));
        de.breaks("", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn hostile_words_do_not_panic() {
        let mut long = "Donaudampfschifffahrtsgesellschaftskapitänswitwe".repeat(5);
        long.push_str("ArbeiterInnen-Komitee");
        let kk_long = "ынтымақтастық".repeat(20);
        let words = [
            long.as_str(),
            kk_long.as_str(),
            "a",
            "’",
            "---",
            "/",
            "\u{ad}",
            "e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}",
            "\u{301}abcdefgh",
            "😀😀😀😀😀😀😀😀",
            "Ab😀cdefghijkl",
            "ﬃﬃﬃﬃﬃﬃ",
            "ΣΊΣΥΦΟΣΣΊΣΥΦΟΣ",
            "ǅǅǅǅǅǅǅǅǅ",
            "x\u{0}y\u{0}zabcdef",
        ];
        for lang in ["de", "en", "fr", "ru", "kk", "tr", "el", "hi"] {
            let h = hy(lang);
            for w in words {
                show(&h, w);
            }
        }
        let mut out = Vec::new();
        hy("de").breaks(&long, &mut out);
        assert!(out.len() > 20);
    }

    #[test]
    fn huge_words_take_linear_time() {
        // 200,000-character "words" of the shapes that could go quadratic.
        let de = hy("de");
        let kk = hy("kk");
        let mut out = Vec::new();
        let t = std::time::Instant::now();
        for w in ["aB".repeat(100_000), "ab-".repeat(66_666) + "x", "ab\u{ad}".repeat(50_000), "Ab".repeat(100_000)] {
            de.breaks(&w, &mut out);
            assert!(out.windows(2).all(|p| p[0].offset < p[1].offset));
            kk.breaks(&w, &mut out);
        }
        kk.breaks(&"қазақ".repeat(40_000), &mut out);
        assert!(out.len() > 10_000);
        eprintln!("huge words: {:?}", t.elapsed());
    }

    #[test]
    fn every_prefix_of_many_words_is_safe() {
        // All char-boundary slices of a mixed text: offsets valid, increasing, in range.
        let text =
            "Gewerkschafts\u{AD}versammlung–ArbeiterInnen/Kunst-Kultur l’état İSTANBUL ẞtraße Қазақстан 1914–1918";
        for lang in ["de", "kk", "tr", "fr"] {
            let h = hy(lang);
            let idx: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            for (n, &a) in idx.iter().enumerate() {
                for &b in &idx[n..] {
                    show(&h, &text[a..b]);
                }
            }
        }
    }
}
