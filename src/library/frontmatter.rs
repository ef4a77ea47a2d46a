//! A speech's front matter: YAML between `---` lines or TOML between `+++` lines, read into
//! typed fields. Unknown fields are errors with the nearest known field as a hint, so a
//! misspelt `speeker` cannot silently vanish.

use super::date::{PartialDate, SpeechDate};
use crate::config::{self, Text, TextList};
use crate::diagnostics::{Diagnostic, Kind};
use crate::lang::Lang;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub(super) const FIELDS: &[&str] = &[
    "title",
    "speaker",
    "date",
    "sort_date",
    "language",
    "place",
    "occasion",
    "source",
    "translator",
    "tags",
    "rights",
    "summary",
];

const WHAT: &str = "a speech's front matter";
/// Front matter is a handful of short fields; anything far larger is a mistake, and the
/// YAML parser's time grows faster than linearly with deep nesting.
const MAX_FRONT_MATTER: usize = 64 * 1024;
const MAX_NESTING: usize = 16;

/// The deepest nesting of `[` and `{` outside quoted strings, and the (0-based) line where
/// it is reached, checked before parsing so that hostile input stays cheap.
fn nesting(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut max, mut at, mut line) = (0usize, 0usize, 0usize, 0usize);
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (_, '\n') => {
                line += 1;
                if quote == Some('\'') {
                    quote = None;
                }
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => {
                depth += 1;
                if depth > max {
                    (max, at) = (depth, line);
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (max > 0).then_some((max, at))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    title: Text,
    speaker: TextList,
    date: Text,
    sort_date: Option<Text>,
    language: Option<Text>,
    place: Option<Text>,
    occasion: Option<Text>,
    source: Option<Text>,
    translator: Option<TextList>,
    tags: Option<TextList>,
    rights: Option<Text>,
    summary: Option<Text>,
}

/// The checked front matter of one speech.
#[derive(Debug, Clone, Serialize)]
pub struct SpeechMeta {
    /// The speech's title.
    pub title: String,
    /// Who gave it (one or more).
    pub speakers: Vec<String>,
    /// When it was given.
    pub date: SpeechDate,
    /// `None` means the book's language.
    pub language: Option<Lang>,
    /// Where it was given.
    pub place: Option<String>,
    /// On what occasion.
    pub occasion: Option<String>,
    /// Where the text comes from (a publication, a recording).
    pub source: Option<String>,
    /// Who translated it, when it is a translation.
    pub translators: Vec<String>,
    /// Tags a book can select speeches by.
    pub tags: Vec<String>,
    /// The speech's own rights statement, when it differs from the book's.
    pub rights: Option<String>,
    /// A short summary.
    pub summary: Option<String>,
}

#[derive(Debug)]
pub(super) struct FrontMatter {
    pub meta: SpeechMeta,
    /// Problems that do not stop the speech from being read (a three-letter language code).
    pub warnings: Vec<Diagnostic>,
    pub body_start: usize,
    pub body_line: usize,
}

pub(super) fn parse(source: &str, shown: &Path) -> Result<FrontMatter, Diagnostic> {
    let example = "begin the file with front matter, e.g.\n  ---\n  title: \"…\"\n  speaker: Anna Petrowa\n  date: 2021-12-13\n  ---";
    let first = source.lines().next().unwrap_or("");
    let fence = match first.trim_end() {
        "---" => "---",
        "+++" => "+++",
        _ => {
            let msg = if source.trim().is_empty() { "the speech is empty" } else { "the speech has no front matter" };
            return Err(Diagnostic::error(Kind::Syntax, msg).at(shown, Some(source), 1, Some(1)).with_hint(example));
        }
    };
    // Find the closing fence: a line that is exactly the fence (YAML also allows `...`).
    let mut offset = first.len() + 1;
    let mut close = None;
    for (line_no, line) in (2..).zip(source[offset.min(source.len())..].split_inclusive('\n')) {
        let t = line.trim_end();
        if t == fence || (fence == "---" && t == "...") {
            close = Some((offset, offset + line.len(), line_no));
            break;
        }
        offset += line.len();
    }
    let Some((fm_end, body_start, close_line)) = close else {
        return Err(Diagnostic::error(
            Kind::Syntax,
            format!("the front matter is not closed: no `{fence}` line ends it"),
        )
        .at(shown, Some(source), 1, Some(1))
        .underline(3)
        .with_hint(format!("add a line `{fence}` after the last field")));
    };
    let fm_start = (first.len() + 1).min(fm_end);
    let text = &source[fm_start..fm_end];
    if text.trim().is_empty() {
        return Err(Diagnostic::error(Kind::Syntax, "the front matter is empty")
            .at(shown, Some(source), 1, Some(1))
            .with_hint("a speech needs at least `title`, `speaker` and `date`"));
    }
    if text.len() > MAX_FRONT_MATTER {
        return Err(Diagnostic::error(
            Kind::Content,
            format!("the front matter has {} bytes, more than the {MAX_FRONT_MATTER} it may have", text.len()),
        )
        .at(shown, Some(source), 1, Some(1))
        .with_hint(
            "front matter holds a speech's title, speakers, date and a few more fields; move long text into the body",
        ));
    }
    if let Some((depth, line)) = nesting(text).filter(|(d, _)| *d > MAX_NESTING) {
        return Err(Diagnostic::error(
            Kind::Content,
            format!("the front matter nests lists or tables {depth} levels deep, more than {MAX_NESTING}"),
        )
        .at(shown, Some(source), line + 2, None)
        .with_hint("front matter fields are texts or lists of texts"));
    }
    let raw: Raw = if fence == "---" {
        config::from_yaml(text, shown, source, 2, FIELDS, WHAT)?
    } else {
        config::from_toml(text, shown, source, 2, FIELDS, WHAT)?
    };
    let mut warnings = Vec::new();
    let meta = check(raw, text, shown, source, &mut warnings)?;
    Ok(FrontMatter { meta, warnings, body_start, body_line: close_line + 1 })
}

/// Line (in the file) of the front matter line that sets `field`, for messages.
fn field_line(text: &str, field: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(field).is_some_and(|r| r.trim_start().starts_with(':') || r.trim_start().starts_with('='))
        })
        .map(|i| i + 2)
        .unwrap_or(1)
}

fn check(
    raw: Raw,
    text: &str,
    shown: &Path,
    source: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<SpeechMeta, Diagnostic> {
    let at = |d: Diagnostic, field: &str, hint: String| {
        let line = field_line(text, field);
        d.at(shown, Some(source), line, Some(1)).underline(field.len()).with_hint(hint)
    };
    let err = |field: &str, msg: String, hint: &str| at(Diagnostic::error(Kind::Value, msg), field, hint.to_string());
    let nonempty = |t: Option<Text>| t.map(|t| t.0.trim().to_string()).filter(|t| !t.is_empty());
    let title = raw.title.0.trim().to_string();
    if title.is_empty() {
        return Err(err("title", "the title is empty".into(), "give the speech its title"));
    }
    let speakers: Vec<String> = raw.speaker.0.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if speakers.is_empty() {
        return Err(err("speaker", "no speaker is given".into(), "name who gave the speech"));
    }
    let date = speech_date(&raw, &err, &at, warnings)?;
    let language = match raw.language {
        Some(l) => {
            let (lang, long) = Lang::parse(&l.0)
                .map_err(|m| err("language", m, "use a BCP 47 tag such as de, en, fr, ru, kk or de-CH"))?;
            if let Some(long) = long {
                warnings.push(at(Diagnostic::warning(Kind::Value, long.message()), "language", long.hint()));
            }
            Some(lang)
        }
        None => None,
    };
    let list = |l: Option<TextList>| {
        l.map(|l| l.0.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
    };
    Ok(SpeechMeta {
        title,
        speakers,
        date,
        language,
        place: nonempty(raw.place),
        occasion: nonempty(raw.occasion),
        source: nonempty(raw.source),
        translators: list(raw.translator),
        tags: list(raw.tags),
        rights: nonempty(raw.rights),
        summary: nonempty(raw.summary),
    })
}

/// Whether `text` is written as an ISO 8601 date is meant to be (`2021-02-30`, `-0430`),
/// so that a wrong one is an error and not taken for a date given as text.
fn looks_iso(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    !t.is_empty() && t.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The speech's `date`: a calendar date, or a text with a `sort_date`.
fn speech_date(
    raw: &Raw,
    err: &impl Fn(&str, String, &str) -> Diagnostic,
    at: &impl Fn(Diagnostic, &str, String) -> Diagnostic,
    warnings: &mut Vec<Diagnostic>,
) -> Result<SpeechDate, Diagnostic> {
    const FORMS: &str =
        "write the date as YYYY, YYYY-MM or YYYY-MM-DD, with a minus before years BC (`-0430` is 431 BC)";
    let text = raw.date.0.trim();
    let sort = match &raw.sort_date {
        Some(s) => Some(PartialDate::parse(&s.0).map_err(|m| err("sort_date", m, FORMS))?),
        None => None,
    };
    if looks_iso(text) {
        let date = PartialDate::parse(text).map_err(|m| err("date", m, FORMS))?;
        if sort.is_some() {
            warnings.push(at(
                Diagnostic::warning(Kind::Value, "`sort_date` is ignored: the speech's `date` is a calendar date"),
                "sort_date",
                "`sort_date` places a date given as text (`um 430 v. Chr.`) in the order; remove it".into(),
            ));
        }
        return Ok(SpeechDate::Calendar(date));
    }
    if text.is_empty() {
        return Err(err("date", "the date is empty".into(), FORMS));
    }
    match sort {
        Some(sort) => Ok(SpeechDate::Text { text: text.to_string(), sort }),
        None => Err(err(
            "date",
            format!("`{text}` is not a calendar date, and no `sort_date` says where it belongs in the order"),
            &format!(
                "{FORMS}; to keep `{text}` as it is written, add a calendar date to sort it by, e.g. \
                 `sort_date: -0430` for 431 BC"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<FrontMatter, Diagnostic> {
        parse(src, Path::new("books/speeches/a.md"))
    }

    #[test]
    fn yaml_front_matter() {
        let fm = p("---\ntitle: \"Kasachstan: Solidarität\"\nspeaker: [Anna, Ben]\ndate: 2021-12-13\nlanguage: de\ntags: [a, b]\n---\n\nText.\n").unwrap();
        assert_eq!(fm.meta.title, "Kasachstan: Solidarität");
        assert_eq!(fm.meta.speakers, ["Anna", "Ben"]);
        assert_eq!(fm.meta.date.to_string(), "2021-12-13");
        assert_eq!(fm.meta.tags, ["a", "b"]);
        assert_eq!(fm.body_line, 8);
    }

    #[test]
    fn toml_front_matter_with_native_date() {
        let src = "+++\ntitle = \"1984\"\nspeaker = \"Anna\"\ndate = 2021-12-13\nplace = \"Berlin\"\n+++\nText.\n";
        let fm = p(src).unwrap();
        assert_eq!(fm.meta.date.to_string(), "2021-12-13");
        assert_eq!(fm.meta.place.as_deref(), Some("Berlin"));
        assert_eq!(&src[fm.body_start..], "Text.\n");
        assert_eq!(fm.body_line, 7);
    }

    #[test]
    fn yaml_year_only_and_numeric_title() {
        let fm = p("---\ntitle: 1984\nspeaker: Anna\ndate: 2021\n---\n").unwrap();
        assert_eq!(fm.meta.title, "1984");
        assert_eq!(fm.meta.date.to_string(), "2021");
    }

    #[test]
    fn misspelt_field_is_an_error_with_hint_and_line() {
        let e = p("---\ntitle: T\nspeeker: Anna\ndate: 2021\n---\n").unwrap_err();
        assert_eq!(e.message, "unknown field `speeker`");
        assert!(e.hint.as_deref().unwrap().contains("did you mean `speaker`"));
        assert_eq!(e.location.unwrap().line, Some(3));
        let e = p("+++\ntitle = \"T\"\nspeaker = \"A\"\ndate = \"2021\"\ntitel = \"x\"\n+++\n").unwrap_err();
        assert!(e.hint.as_deref().unwrap().contains("did you mean `title`"), "{e}");
        assert_eq!(e.location.unwrap().line, Some(5));
    }

    #[test]
    fn missing_and_bad_values() {
        let e = p("---\ntitle: T\ndate: 2021\n---\n").unwrap_err();
        assert!(e.message.contains("`speaker` is missing"), "{e}");
        let e = p("---\ntitle: T\nspeaker: A\ndate: 2021-02-30\n---\n").unwrap_err();
        assert!(e.message.contains("29 days") || e.message.contains("28 days"), "{e}");
        assert_eq!(e.location.unwrap().line, Some(4));
        let e = p("---\ntitle: T\nspeaker: A\ndate: 2021\nlanguage: Deutsch\n---\n").unwrap_err();
        assert!(e.message.contains("not a language tag"), "{e}");
        let e = p("---\ntitle: [1, [2]]\nspeaker: A\ndate: 2021\n---\n").unwrap_err();
        assert_eq!(e.kind, Kind::Syntax);
        assert_eq!(e.location.unwrap().line, Some(2));
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep =
            format!("---\ntitle: T\nspeaker: A\ndate: 2021\ntags: {}{}\n---\n", "[".repeat(1000), "]".repeat(1000));
        let e = p(&deep).unwrap_err();
        assert!(e.message.contains("levels deep"), "{e}");
        assert_eq!(e.location.unwrap().line, Some(5));
        assert!(p("---\ntitle: \"[[[[[[[[[[[[[[[[[[[[\"\nspeaker: A\ndate: 2021\n---\n").is_ok());
    }

    #[test]
    fn missing_or_unclosed_front_matter() {
        assert!(p("").unwrap_err().message.contains("empty"));
        assert!(p("Just text\n").unwrap_err().message.contains("no front matter"));
        assert!(p("---\ntitle: T\n").unwrap_err().message.contains("not closed"));
        assert!(p("---\n---\nText").unwrap_err().message.contains("front matter is empty"));
        let e = p("---\ntitle: T\n  bad: : yaml\nspeaker: [\n---\n").unwrap_err();
        assert_eq!(e.kind, Kind::Syntax);
        assert!(e.location.unwrap().line.unwrap() >= 2);
    }

    #[test]
    fn dates_before_year_one_and_as_text() {
        let date = |fm: &str| p(&format!("---\ntitle: T\nspeaker: A\n{fm}---\n")).map(|f| f.meta.date);
        // YAML hands an unquoted `-0430` over as the number -430: the same year.
        for written in ["date: -0430\n", "date: \"-0430\"\n", "date: -430\n"] {
            let d = date(written).unwrap();
            assert_eq!((d.to_string(), d.earliest()), ("-0430".to_string(), (-430, 1, 1)), "{written}");
        }
        let t = date("date: um 430 v. Chr.\nsort_date: \"-0430\"\n").unwrap();
        assert_eq!(t, SpeechDate::Text { text: "um 430 v. Chr.".into(), sort: PartialDate::parse("-0430").unwrap() });
        let toml =
            p("+++\ntitle = \"T\"\nspeaker = \"A\"\ndate = \"Frühjahr 1919\"\nsort_date = \"1919-03\"\n+++\n").unwrap();
        assert_eq!(toml.meta.date.earliest(), (1919, 3, 1));
        // Text without a sort date: an error at the date line with the way out.
        let e = date("date: um 430 v. Chr.\n").unwrap_err();
        assert_eq!(e.location.as_ref().unwrap().line, Some(4));
        assert!(e.message.contains("no `sort_date`"), "{}", e.message);
        assert!(e.hint.as_deref().unwrap().contains("sort_date: -0430"), "{:?}", e.hint);
        // A wrong ISO date stays an error, sort date or not; a wrong sort date too.
        assert!(date("date: 2021-02-30\nsort_date: 2021\n").unwrap_err().message.contains("28 days"));
        assert!(date("date: Frühjahr\nsort_date: Frühjahr\n").unwrap_err().message.contains("not a date"));
        // A sort date beside a calendar date is ignored, with a warning.
        let fm = p("---\ntitle: T\nspeaker: A\ndate: 2021\nsort_date: 2020\n---\n").unwrap();
        assert_eq!(fm.meta.date.earliest(), (2021, 1, 1));
        assert_eq!(fm.warnings.len(), 1);
        assert!(fm.warnings[0].message.contains("`sort_date` is ignored"));
    }
}
