//! Words and date forms per language, shared by both renderers so the EPUB and the PDF
//! say the same. Dates come from CLDR through ICU4X (`13. Dezember 2021`, `December 13,
//! 2021`, `13 декабря 2021 г.`, `431 v. Chr.`); the book's own labels (`Inhalt`,
//! `Quelle`) from the table in `labels.rs`. A language without labels gets English, and
//! the book a warning that names it.

mod labels;
mod web;

use super::model::ChapterKind;
use crate::diagnostics::{Diagnostic, Kind};
use crate::lang::Lang;
use crate::library::{PartialDate, SpeechDate};
use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::{Y, YM, YMD};
use icu_datetime::options::YearStyle;
use icu_datetime::parts;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};
use std::fmt;
use writeable::{Part, PartsWrite, Writeable};

/// The book's labels in one language. Every language has every field (the table is Rust,
/// so a missing one does not compile); `{}` stands where a number or name goes.
pub(crate) struct Strings {
    /// The language these are for (its primary subtag); also the CLDR locale of its dates.
    pub code: &'static str,
    pub introduction: &'static str,
    pub afterword: &'static str,
    pub contents: &'static str,
    /// Heads the part of a footnote carried over to the next page; `{}` is its number.
    pub note_continued: &'static str,
    pub source: &'static str,
    pub translated_by: &'static str,
    /// The book's cover (a page and the start of its image's alt text).
    pub cover: &'static str,
    pub title_page: &'static str,
    /// The copyright page, with rights, ISBN, fonts and imprint.
    pub copyright: &'static str,
    /// The heading of the EPUB's list of landmarks (cover, contents, start of the text).
    pub landmarks: &'static str,
    /// Where the main text begins (the EPUB `bodymatter` landmark).
    pub start: &'static str,
    /// Before the editors' names on the title page.
    pub edited_by: &'static str,
    /// Between the names of a list but the last two (`, `; `، ` in Arabic script).
    pub list_separator: &'static str,
    /// Joins the last two names of a list: `{} und {}`; Hebrew and Arabic join the
    /// conjunction to the name (`{} ו{}`).
    pub list_last: &'static str,
    /// Before an identifier that is not an ISBN.
    pub identifier: &'static str,
    pub fonts: &'static str,
    pub font_licences: &'static str,
    /// `{}` is the program's name and version.
    pub made_with: &'static str,
    /// The accessible name of a footnote's link back to where it is called.
    pub back_to_text: &'static str,
    /// Sentences of the EPUB's accessibility summary.
    pub a11y_summary: &'static str,
    pub a11y_images_described: &'static str,
    pub a11y_images_undescribed: &'static str,
    pub a11y_footnotes: &'static str,
    /// The print edition's page numbers are in the text and in a page list.
    pub a11y_pages: &'static str,
    /// The heading of the EPUB's page list (the print edition's pages).
    pub pages: &'static str,
    pub a11y_conforms: &'static str,
}

/// The web edition's own words in one language (`web.rs`), for the same languages as
/// [`Strings`]; `{}` stands where a format's name or a number goes.
pub(crate) struct Web {
    /// The language these are for (its primary subtag), as in [`Strings`].
    pub code: &'static str,
    /// The skip link to the page's main content.
    pub skip: &'static str,
    pub books: &'static str,
    pub speakers: &'static str,
    /// The speeches' tags.
    pub tags: &'static str,
    /// The accessible name of the site's navigation.
    pub site_nav: &'static str,
    /// `{}` is the format (`EPUB`).
    pub download: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    /// The accessible name of the previous/next navigation of a book's speeches.
    pub pager: &'static str,
    /// Before the title of the book a speech is from.
    pub in_book: &'static str,
    pub feed: &'static str,
    pub catalogue: &'static str,
    /// The link to a font's licence.
    pub licence: &'static str,
    /// File sizes: `{}` is the number (kilobytes, megabytes).
    pub kb: &'static str,
    pub mb: &'static str,
    /// "3 speeches" in each of CLDR's plural categories the language has.
    speeches: Forms,
}

/// The forms of a counted word by CLDR's plural categories (`one`, `two`, `few`, `many`,
/// `other`); a category the language does not use is `None` and takes `other`. A form
/// without `{}` spells the number out (`خطبتان`, two speeches).
pub(crate) struct Forms {
    one: &'static str,
    two: Option<&'static str>,
    few: Option<&'static str>,
    many: Option<&'static str>,
    other: &'static str,
}

impl Web {
    /// `n` speeches, in the form CLDR's plural rules give `n` and the locale's digits.
    pub(crate) fn speeches(&self, n: usize) -> String {
        let f = &self.speeches;
        let locale = Locale::try_from_str(self.code).ok();
        let category = locale
            .as_ref()
            .and_then(|l| PluralRules::try_new_cardinal(l.into()).ok())
            .map_or(PluralCategory::Other, |r| r.category_for(n));
        let form = match category {
            PluralCategory::One => Some(f.one),
            PluralCategory::Two => f.two,
            PluralCategory::Few => f.few,
            PluralCategory::Many => f.many,
            _ => None,
        }
        .unwrap_or(f.other);
        form.replacen("{}", &self.number(Decimal::from(n)), 1)
    }

    /// A file size as readers see it: `580 kB`, `1,2 MB`, `۱٫۲ مگابایت` (kilobytes rounded
    /// up, megabytes to a tenth), with a no-break space before the unit.
    pub(crate) fn size(&self, bytes: u64) -> String {
        if bytes < 1_000_000 {
            self.kb.replacen("{}", &self.number(Decimal::from(bytes.div_ceil(1000))), 1)
        } else {
            let mut tenths = Decimal::from((bytes + 50_000) / 100_000);
            tenths.absolute.multiply_pow10(-1);
            self.mb.replacen("{}", &self.number(tenths), 1)
        }
    }

    /// `d` in the locale's digits and separators (CLDR through ICU4X).
    fn number(&self, d: Decimal) -> String {
        let formatter = Locale::try_from_str(self.code)
            .ok()
            .and_then(|l| DecimalFormatter::try_new((&l).into(), Default::default()).ok());
        match formatter {
            Some(f) => f.format(&d).write_to_string().into_owned(),
            None => d.write_to_string().into_owned(),
        }
    }
}

/// What a date line shows: a calendar date written out in the language, or a speech's
/// date given as text, as written.
#[derive(Clone, Copy)]
pub(crate) enum Dating<'a> {
    Calendar(&'a PartialDate),
    Text(&'a str),
}

impl<'a> From<&'a PartialDate> for Dating<'a> {
    fn from(d: &'a PartialDate) -> Self {
        Dating::Calendar(d)
    }
}

impl<'a> From<&'a SpeechDate> for Dating<'a> {
    fn from(d: &'a SpeechDate) -> Self {
        match d {
            SpeechDate::Calendar(d) => Dating::Calendar(d),
            SpeechDate::Text { text, .. } => Dating::Text(text),
        }
    }
}

impl Strings {
    pub(crate) fn matter_title(&self, kind: ChapterKind) -> &'static str {
        match kind {
            ChapterKind::Afterword => self.afterword,
            _ => self.introduction,
        }
    }

    /// Names joined as a reader says them: `A`, `A und B`, `A, B und C`.
    pub(crate) fn list(&self, names: &[String]) -> String {
        match names {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => {
                self.list_last.replacen("{}", &rest.join(self.list_separator), 1).replacen("{}", last, 1)
            }
        }
    }

    /// The date written out in this language by CLDR's long form: `13. Dezember 2021`,
    /// `Dezember 2021`, `2021`; years before 1 with their era (`431 v. Chr.`). A date given
    /// as text is shown as written.
    pub(crate) fn date<'a>(&self, d: impl Into<Dating<'a>>) -> String {
        match d.into() {
            Dating::Text(t) => t.to_string(),
            Dating::Calendar(d) => cldr_date(self.code, d).unwrap_or_else(|| d.to_string()),
        }
    }
}

/// A `PartsWrite` that keeps where each field of a formatted date stands.
#[derive(Default)]
struct Fields {
    text: String,
    spans: Vec<(usize, usize, Part)>,
}

impl fmt::Write for Fields {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.text.push_str(s);
        Ok(())
    }
}

impl PartsWrite for Fields {
    type SubPartsWrite = Fields;

    fn with_part(&mut self, part: Part, mut f: impl FnMut(&mut Self::SubPartsWrite) -> fmt::Result) -> fmt::Result {
        let start = self.text.len();
        f(self)?;
        self.spans.push((start, self.text.len(), part));
        Ok(())
    }
}

/// `d` in the long form of CLDR's Gregorian calendar for `code`, in the locale's default
/// digits (Arabic-Indic for `ar`, Persian for `fa`, as CLDR has them), with no-break
/// spaces where a date must not be broken across lines; `None` if ICU4X has no data.
fn cldr_date(code: &str, d: &PartialDate) -> Option<String> {
    // CLDR 49's Portuguese year-month pattern names the week-based year (`MMMM 'de' Y`),
    // which ICU4X cannot format; European Portuguese writes the same words with the
    // calendar year (`dezembro de 2021`).
    let tag = if code == "pt" && d.month.is_some() && d.day.is_none() { "pt-PT" } else { code };
    let locale = Locale::try_from_str(tag).ok()?;
    let prefs = (&locale).into();
    // Years before 1 always with their era; ICU4X's `Auto` also adds it to years under 1000.
    let style = YearStyle::Auto;
    let date = Date::try_new_gregorian(d.year, d.month.unwrap_or(1), d.day.unwrap_or(1)).ok()?;
    let mut out = Fields::default();
    match (d.month, d.day) {
        (Some(_), Some(_)) => {
            FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(prefs, YMD::long().with_year_style(style))
                .ok()?
                .format(&date)
                .write_to_parts(&mut out)
        }
        (Some(_), None) => {
            FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(prefs, YM::long().with_year_style(style))
                .ok()?
                .format(&date)
                .write_to_parts(&mut out)
        }
        _ => FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(prefs, Y::long().with_year_style(style))
            .ok()?
            .format(&date)
            .write_to_parts(&mut out),
    }
    .ok()?;
    Some(keep_together(code, out))
}

/// No line break between a day and its month (`13 décembre`, `December 13`), a year and
/// the word or era after it (`2021 г.`, `431 v. Chr.`), nor inside an era: the spaces
/// there become no-break spaces, as the hand-set dates before CLDR had them. French writes
/// the first of a month as an ordinal (`1er décembre`), which CLDR's pattern does not.
fn keep_together(code: &str, f: Fields) -> String {
    let bytes = f.text.as_bytes();
    let mut keep = vec![false; bytes.len()];
    let mut first_of_month = None;
    for &(a, b, part) in &f.spans {
        if part == parts::DAY {
            if a > 0 && bytes[a - 1] == b' ' {
                keep[a - 1] = true;
            }
            // After the day's own punctuation (`13.`, `13,` stays breakable below).
            let after = b + f.text[b..].bytes().take_while(|&c| c == b'.').count();
            if bytes.get(after) == Some(&b' ') {
                keep[after] = true;
            }
            if code == "fr" && &f.text[a..b] == "1" {
                first_of_month = Some(b);
            }
        } else if part == parts::ERA {
            (a..b).filter(|&i| bytes[i] == b' ').for_each(|i| keep[i] = true);
            if a > 0 && bytes[a - 1] == b' ' {
                keep[a - 1] = true;
            }
            // An era before its year (`MÖ 431`, `i. e. 431.`).
            if bytes.get(b) == Some(&b' ') && bytes.get(b + 1).is_some_and(u8::is_ascii_digit) {
                keep[b] = true;
            }
        } else if part == parts::YEAR
            && bytes.get(b) == Some(&b' ')
            && f.text[b + 1..].chars().next().is_some_and(char::is_alphabetic)
        {
            keep[b] = true;
        }
    }
    let mut out = String::with_capacity(f.text.len() + 4);
    for (i, c) in f.text.char_indices() {
        if first_of_month == Some(i) {
            out.push_str("er");
        }
        if c == ' ' && keep[i] {
            out.push('\u{a0}');
        } else {
            out.push(c);
        }
    }
    if first_of_month == Some(f.text.len()) {
        out.push_str("er");
    }
    out
}

/// The table's entry for a language: its primary subtag, Norwegian Bokmål (`nb`) as `no`.
fn labels_of(lang: &Lang) -> Option<&'static Strings> {
    let code = match lang.language() {
        "nb" => "no",
        l => l,
    };
    labels::ALL.iter().copied().find(|s| s.code == code)
}

/// The web edition's words for a language, and whether they are its own: a language the
/// table lacks gets English (`false`), which the page then marks as English.
pub(crate) fn web(lang: &Lang) -> (&'static Web, bool) {
    let code = match lang.language() {
        "nb" => "no",
        l => l,
    };
    match web::ALL.iter().copied().find(|w| w.code == code) {
        Some(w) => (w, true),
        None => (&web::EN, false),
    }
}

/// Whether a language has its own strings (else it gets English).
pub(crate) fn has_strings(lang: &Lang) -> bool {
    labels_of(lang).is_some()
}

/// The strings of a language (by its primary subtag); English for one the table lacks,
/// which `fallback_warning` reports once per book.
pub(crate) fn strings(lang: &Lang) -> &'static Strings {
    labels_of(lang).unwrap_or(&labels::EN)
}

/// The strings for text in `lang` in a book in `book`: a language without strings of its
/// own gets the book's (a Klingon speech's byline in a German book says `und`), and only a
/// book whose own language has none gets English.
pub(crate) fn strings_in(lang: &Lang, book: &Lang) -> &'static Strings {
    labels_of(lang).or_else(|| labels_of(book)).unwrap_or(&labels::EN)
}

/// The language [`strings_in`] gives text in `lang` in a book in `book`: `lang` itself, or
/// the book's when `lang` has no strings; `None` for English in place of both.
pub(crate) fn strings_lang<'l>(lang: &'l Lang, book: &'l Lang) -> Option<&'l Lang> {
    [lang, book].into_iter().find(|l| has_strings(l))
}

/// The one warning a book gets when its language or a speech's has no strings of its own.
/// `languages` begins with the book's.
pub(crate) fn fallback_warning(book: &str, languages: &[Lang]) -> Option<Diagnostic> {
    let missing: Vec<String> = languages.iter().filter(|l| !has_strings(l)).map(|l| format!("`{l}`")).collect();
    if missing.is_empty() {
        return None;
    }
    let instead = match languages.first().filter(|l| has_strings(l)) {
        Some(l) => format!("the book's language, `{l}`"),
        None => "English".to_string(),
    };
    let known: Vec<&str> = labels::ALL.iter().map(|s| s.code).collect();
    Some(
        Diagnostic::warning(
            Kind::Value,
            format!(
                "book `{book}`: Tribune has no labels or date forms for {}; they are set in {instead}",
                missing.join(", ")
            ),
        )
        .with_hint(format!("labels and dates exist for {}", known.join(", "))),
    )
}

#[cfg(test)]
mod tests;
