//! Language tags (BCP 47, RFC 5646): read and checked once where a speech or a book names
//! its language, then carried as a `Lang` that typography, strings, hyphenation, selection
//! and both renderers ask for its parts instead of taking the text apart each its own way.

use serde::{Serialize, Serializer};
use std::fmt;

/// A well-formed BCP 47 tag in its canonical case: `de`, `de-CH`, `sr-Latn-RS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lang {
    tag: String,
    /// Byte length of the primary language subtag (2 or 3).
    language: usize,
    /// Byte range of the script subtag in `tag`.
    script: Option<(usize, usize)>,
    /// Byte range of the region subtag in `tag`.
    region: Option<(usize, usize)>,
}

/// A three-letter ISO 639-2 code written where BCP 47 wants the two-letter ISO 639-1 code
/// of the same language (`deu` for `de`); the tag is read with the short code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongCode {
    pub(crate) written: String,
    pub(crate) short: &'static str,
}

impl LongCode {
    pub(crate) fn message(&self) -> String {
        format!("language `{}` is ISO 639-2; write `{}`", self.written, self.short)
    }

    pub(crate) fn hint(&self) -> String {
        format!(
            "BCP 47 takes the two-letter code where a language has one; `{}` is read as `{}`",
            self.written, self.short
        )
    }
}

/// ISO 639-2/B, 639-2/T (the same as 639-3) codes of languages that have a two-letter code.
const LONG_CODES: &[(&str, &str)] = &[
    ("afr", "af"),
    ("alb", "sq"),
    ("ara", "ar"),
    ("arm", "hy"),
    ("asm", "as"),
    ("aze", "az"),
    ("baq", "eu"),
    ("bel", "be"),
    ("ben", "bn"),
    ("bos", "bs"),
    ("bul", "bg"),
    ("cat", "ca"),
    ("ces", "cs"),
    ("chi", "zh"),
    ("cym", "cy"),
    ("cze", "cs"),
    ("dan", "da"),
    ("deu", "de"),
    ("dut", "nl"),
    ("ell", "el"),
    ("eng", "en"),
    ("epo", "eo"),
    ("est", "et"),
    ("eus", "eu"),
    ("fas", "fa"),
    ("fin", "fi"),
    ("fra", "fr"),
    ("fre", "fr"),
    ("geo", "ka"),
    ("ger", "de"),
    ("gle", "ga"),
    ("glg", "gl"),
    ("gre", "el"),
    ("guj", "gu"),
    ("heb", "he"),
    ("hin", "hi"),
    ("hrv", "hr"),
    ("hun", "hu"),
    ("hye", "hy"),
    ("ice", "is"),
    ("isl", "is"),
    ("ita", "it"),
    ("jpn", "ja"),
    ("kan", "kn"),
    ("kat", "ka"),
    ("kaz", "kk"),
    ("kir", "ky"),
    ("kor", "ko"),
    ("kur", "ku"),
    ("lat", "la"),
    ("lav", "lv"),
    ("lit", "lt"),
    ("mac", "mk"),
    ("mal", "ml"),
    ("mar", "mr"),
    ("mkd", "mk"),
    ("mon", "mn"),
    ("nld", "nl"),
    ("nno", "nn"),
    ("nob", "nb"),
    ("nor", "no"),
    ("ori", "or"),
    ("pan", "pa"),
    ("per", "fa"),
    ("pol", "pl"),
    ("por", "pt"),
    ("pus", "ps"),
    ("ron", "ro"),
    ("rum", "ro"),
    ("rus", "ru"),
    ("san", "sa"),
    ("slk", "sk"),
    ("slo", "sk"),
    ("slv", "sl"),
    ("spa", "es"),
    ("sqi", "sq"),
    ("srp", "sr"),
    ("swe", "sv"),
    ("tam", "ta"),
    ("tat", "tt"),
    ("tel", "te"),
    ("tgk", "tg"),
    ("tuk", "tk"),
    ("tur", "tr"),
    ("ukr", "uk"),
    ("urd", "ur"),
    ("uzb", "uz"),
    ("wel", "cy"),
    ("yid", "yi"),
    ("zho", "zh"),
];

/// Where in the tag a subtag may stand, in the order RFC 5646 allows them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Extlang,
    Script,
    Region,
    Variant,
}

impl Lang {
    /// Check `text` as a BCP 47 tag (its form, not the registry) and bring it to the case
    /// BCP 47 recommends. `_` is taken for `-` (`kk_KZ`, as locales write it). A three-letter
    /// code of a language with a two-letter one is read as that, and returned for a warning.
    /// The error says what is wrong, after "`text` is not a language tag".
    pub fn parse(text: &str) -> Result<(Lang, Option<LongCode>), String> {
        let t = text.trim();
        let not = |why: String| format!("`{t}` is not a language tag: {why}");
        if t.is_empty() {
            return Err("the language tag is empty".into());
        }
        let subtags: Vec<&str> = t.split(['-', '_']).collect();
        if let Some(bad) =
            subtags.iter().find(|s| s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(not(if bad.is_empty() {
                "an empty part between two hyphens".into()
            } else {
                format!("`{bad}` is not a part of one to eight letters or digits")
            }));
        }
        let primary = subtags[0];
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(not(
                "it must begin with a language code of two or three letters (ISO 639), such as `de`".into()
            ));
        }
        let primary = primary.to_ascii_lowercase();
        let long = LONG_CODES
            .binary_search_by_key(&primary.as_str(), |(l, _)| l)
            .ok()
            .map(|i| LongCode { written: subtags[0].to_string(), short: LONG_CODES[i].1 });
        let mut tag = long.as_ref().map_or(primary, |l| l.short.to_string());
        let language = tag.len();
        let mut script = None;
        let mut region = None;
        let mut slot = Slot::Extlang;
        let mut extlangs = 0;
        let mut rest = subtags[1..].iter().peekable();
        while let Some(&s) = rest.next() {
            let alpha = s.bytes().all(|b| b.is_ascii_alphabetic());
            let digits = s.bytes().all(|b| b.is_ascii_digit());
            tag.push('-');
            let start = tag.len();
            if s.len() == 1 {
                // An extension (`u-…`, parts of two to eight up to the next single letter)
                // or private use (`x-…`, parts of one to eight to the end): lower case.
                let private = s.eq_ignore_ascii_case("x");
                tag.push_str(&s.to_ascii_lowercase());
                let mut n = 0;
                while let Some(e) = rest.next_if(|e| private || e.len() > 1) {
                    tag.push('-');
                    tag.push_str(&e.to_ascii_lowercase());
                    n += 1;
                }
                if n == 0 {
                    let size = if private { "one" } else { "two" };
                    return Err(not(format!(
                        "the single letter `{s}` must be followed by a part of {size} to eight characters"
                    )));
                }
                slot = Slot::Variant;
            } else if slot == Slot::Extlang && alpha && s.len() == 3 && extlangs < 3 {
                extlangs += 1;
                tag.push_str(&s.to_ascii_lowercase());
            } else if slot < Slot::Script && alpha && s.len() == 4 {
                slot = Slot::Script;
                tag.push_str(&s[..1].to_ascii_uppercase());
                tag.push_str(&s[1..].to_ascii_lowercase());
                script = Some((start, start + 4));
            } else if slot < Slot::Region && ((alpha && s.len() == 2) || (digits && s.len() == 3)) {
                slot = Slot::Region;
                tag.push_str(&s.to_ascii_uppercase());
                region = Some((start, start + s.len()));
            } else if slot <= Slot::Variant && (s.len() >= 5 || (s.len() == 4 && s.as_bytes()[0].is_ascii_digit())) {
                slot = Slot::Variant;
                tag.push_str(&s.to_ascii_lowercase());
            } else {
                return Err(not(format!(
                    "`{s}` is not a script (four letters), a region (two letters or three digits) or a variant \
                     (five to eight characters, or a digit and three more), or it stands out of that order"
                )));
            }
        }
        Ok((Lang { tag, language, script, region }, long))
    }

    /// A tag known to be well-formed, for tests.
    #[cfg(test)]
    pub(crate) fn of(tag: &str) -> Lang {
        Lang::parse(tag).unwrap_or_else(|e| panic!("{e}")).0
    }

    /// The tag as BCP 47 writes it.
    pub fn as_str(&self) -> &str {
        &self.tag
    }

    /// The primary language subtag, lower case: `de` for `de-CH`.
    pub(crate) fn language(&self) -> &str {
        &self.tag[..self.language]
    }

    /// The script subtag, in title case (`Latn`, `Arab`).
    pub(crate) fn script(&self) -> Option<&str> {
        self.script.map(|(a, b)| &self.tag[a..b])
    }

    /// Whether text in this language runs right to left: by its script subtag when it has
    /// one (`az-Arab` does, `ar-Latn` does not), else by its language.
    pub(crate) fn is_rtl(&self) -> bool {
        match self.script() {
            Some(script) => {
                matches!(script, "Arab" | "Hebr" | "Syrc" | "Thaa" | "Nkoo" | "Adlm" | "Rohg" | "Mand" | "Samr")
            }
            None => matches!(
                self.language(),
                "ar" | "fa"
                    | "ur"
                    | "ps"
                    | "ckb"
                    | "he"
                    | "yi"
                    | "sd"
                    | "ug"
                    | "dv"
                    | "syr"
                    | "arc"
                    | "ks"
                    | "prs"
                    | "azb"
                    | "lrc"
                    | "mzn"
                    | "glk"
                    | "bal"
            ),
        }
    }

    /// The region subtag, upper case (`CH`), or three digits (`419`).
    pub(crate) fn region(&self) -> Option<&str> {
        self.region.map(|(a, b)| &self.tag[a..b])
    }

    /// Whether text in this language is written in German spelling (German in any region,
    /// and Swiss German `gsw`): its gender forms (`Arbeiter*innen`, `ArbeiterInnen`) and its
    /// hyphenation patterns.
    pub(crate) fn is_german(&self) -> bool {
        matches!(self.language(), "de" | "gsw")
    }

    /// Whether this tag falls under `range` (RFC 4647 basic filtering): it is the range, or
    /// the range followed by more subtags. `de` takes `de`, `de-AT` and `de-Latn-CH`;
    /// `de-AT` takes `de-AT` only. Both are canonical, so `DE` and `deu` match `de` too.
    pub(crate) fn within(&self, range: &Lang) -> bool {
        self.tag.strip_prefix(range.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
    }
}

impl Lang {
    /// English, for what is English whatever the book's language (font licences, folios).
    pub(crate) fn english() -> Lang {
        Lang { tag: "en".into(), language: 2, script: None, region: None }
    }
}

impl Default for Lang {
    /// `und` (undetermined), the stand-in while a book file whose language is wrong is
    /// checked for further problems; such a book is never built.
    fn default() -> Lang {
        Lang { tag: "und".into(), language: 3, script: None, region: None }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

impl Serialize for Lang {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str) -> String {
        Lang::parse(text).map(|(l, _)| l.to_string()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn error(text: &str) -> String {
        Lang::parse(text).map(|(l, _)| l.to_string()).expect_err(text)
    }

    #[test]
    fn case_follows_bcp47_whatever_was_written() {
        assert_eq!(tag("de"), "de");
        assert_eq!(tag("DE"), "de");
        assert_eq!(tag("de-de"), "de-DE");
        assert_eq!(tag("DE-ch"), "de-CH");
        assert_eq!(tag(" sr-latn-rs "), "sr-Latn-RS");
        assert_eq!(tag("kk_KZ"), "kk-KZ");
        assert_eq!(tag("es-419"), "es-419");
        assert_eq!(tag("zh-YUE-hant-hk"), "zh-yue-Hant-HK");
        assert_eq!(tag("de-CH-1996"), "de-CH-1996");
        assert_eq!(tag("sl-rozaj-biske"), "sl-rozaj-biske");
        // After a single letter every part is lower case, two and four letters too.
        assert_eq!(tag("en-US-u-CA-gregory-X-AB"), "en-US-u-ca-gregory-x-ab");
        assert_eq!(tag("de-x-Latn"), "de-x-latn");
        assert_eq!(tag("de-u-ca-CH-x-a"), "de-u-ca-ch-x-a");
        assert_eq!(tag("de-abc"), "de-abc");
        assert_eq!(tag("grc"), "grc");
    }

    #[test]
    fn parts_are_found() {
        let (l, _) = Lang::parse("sr-latn-rs").unwrap();
        assert_eq!((l.language(), l.region()), ("sr", Some("RS")));
        let (l, _) = Lang::parse("de").unwrap();
        assert_eq!((l.language(), l.region()), ("de", None));
        let (l, _) = Lang::parse("zh-yue-hk").unwrap();
        assert_eq!((l.language(), l.region()), ("zh", Some("HK")));
        let (l, _) = Lang::parse("es-419").unwrap();
        assert_eq!(l.region(), Some("419"));
        let (l, _) = Lang::parse("de-u-ch").unwrap();
        assert_eq!(l.region(), None, "an extension is no region");
    }

    #[test]
    fn three_letter_codes_become_two_letters_with_a_warning() {
        for (written, short) in
            [("deu", "de"), ("ger", "de"), ("rus", "ru"), ("kaz", "kk"), ("FRE", "fr"), ("nob", "nb")]
        {
            let (l, long) = Lang::parse(written).unwrap();
            assert_eq!(l.as_str(), short);
            let long = long.expect("a warning");
            assert_eq!(long.message(), format!("language `{written}` is ISO 639-2; write `{short}`"));
        }
        let (l, long) = Lang::parse("deu-at").unwrap();
        assert_eq!((l.as_str(), l.language(), l.region()), ("de-AT", "de", Some("AT")));
        assert_eq!(long.unwrap().written, "deu");
        // A language without a two-letter code keeps its three letters, silently.
        assert_eq!(Lang::parse("grc").unwrap().1, None);
        assert_eq!(Lang::parse("gsw").unwrap().1, None);
        assert!(LONG_CODES.windows(2).all(|w| w[0].0 < w[1].0), "the table is sorted for binary search");
    }

    #[test]
    fn garbage_is_refused_with_the_reason() {
        assert_eq!(error(""), "the language tag is empty");
        assert!(error("german").contains("a language code of two or three letters"), "{}", error("german"));
        assert!(error("Deutsch").starts_with("`Deutsch` is not a language tag"));
        assert!(error("d").contains("two or three letters"));
        assert!(error("de--CH").contains("an empty part"));
        assert!(error("de-").contains("an empty part"));
        assert!(error("de-Ö").contains("`Ö`"));
        assert!(error("de-toolongpart").contains("one to eight"));
        assert!(error("12").contains("two or three letters"));
        assert!(error("de-CH-DE").contains("`DE` is not a script"), "{}", error("de-CH-DE"));
        assert!(error("de-CH-Latn").contains("out of that order"));
        assert!(error("de-x").contains("the single letter `x` must be followed by a part of one to eight"));
        assert!(error("de-u-x-a").contains("the single letter `u`"), "{}", error("de-u-x-a"));
        assert!(error("de-u-a").contains("the single letter `u`"));
    }

    #[test]
    fn ranges_take_their_regional_variants() {
        let l = |t: &str| Lang::parse(t).unwrap().0;
        assert!(l("de").within(&l("de")));
        assert!(l("de-AT").within(&l("de")));
        assert!(l("deu").within(&l("DE")));
        assert!(l("de-Latn-CH").within(&l("de")));
        assert!(!l("de").within(&l("de-AT")));
        assert!(!l("dsb").within(&l("ds")), "a range ends at a subtag's end");
        assert!(!l("en").within(&l("de")));
    }

    #[test]
    fn direction_by_script_else_by_language() {
        let l = |t: &str| Lang::parse(t).unwrap().0;
        assert_eq!(l("sr-latn-rs").script(), Some("Latn"));
        assert_eq!(l("zh-yue-hant-hk").script(), Some("Hant"));
        assert_eq!(l("de-CH").script(), None);
        assert_eq!(l("de-x-arab").script(), None, "private use is no script");
        for t in
            ["ar", "ar-EG", "fa", "he-IL", "yi", "ur", "ckb", "ps", "az-Arab", "pa-arab", "ara", "heb", "per", "urd"]
        {
            assert!(l(t).is_rtl(), "{t}");
        }
        for t in ["de", "en", "ru", "kk", "az-Latn", "ar-Latn", "und", "de-x-arab", "ku"] {
            assert!(!l(t).is_rtl(), "{t}");
        }
        assert!(!Lang::default().is_rtl() && !Lang::english().is_rtl());
    }

    #[test]
    fn serialises_as_its_tag() {
        let (l, _) = Lang::parse("de-ch").unwrap();
        assert_eq!(serde_json::to_string(&l).unwrap(), "\"de-CH\"");
    }
}
