//! An anthology: `books/<BOOK>.toml` read and checked (metadata, files it names), and its
//! selection of speeches from the library (ids, globs, tags, speakers, languages, dates),
//! ordered and grouped into parts.

pub(crate) mod isbn;
mod select;

pub use select::{select, Selection};

use crate::config::{self, Text, TextList};
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::lang::Lang;
use crate::library::PartialDate;
use crate::project::{read_source, Project};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Every key a book file may have, at any level, for "did you mean" hints.
const FIELDS: &[&str] = &[
    "title",
    "subtitle",
    "language",
    "editors",
    "publisher",
    "date",
    "isbn",
    "identifier",
    "description",
    "rights",
    "cover",
    "style",
    "introduction",
    "afterword",
    "typography",
    "hyphenation",
    "exceptions",
    "select",
    "parts",
    "speeches",
    "tags",
    "speakers",
    "languages",
    "from",
    "to",
    "order",
    "print",
    "output_profile",
    "paper_thickness_mm",
    "creep_mm",
    "allow_low_resolution",
    "booklet_cover",
    "accessibility",
    "conforms_to",
    "certified_by",
    "certifier_credential",
    "certifier_report",
    "profile",
    "paper",
    "spine_text",
    "site_url",
];
const WHAT: &str = "a book file";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    title: Text,
    subtitle: Option<Text>,
    language: Text,
    editors: Option<TextList>,
    publisher: Option<Text>,
    date: Option<Text>,
    isbn: Option<Text>,
    identifier: Option<Text>,
    description: Option<Text>,
    rights: Option<Text>,
    site_url: Option<Text>,
    cover: Option<Text>,
    style: Option<Text>,
    introduction: Option<Text>,
    afterword: Option<Text>,
    typography: Option<bool>,
    hyphenation: Option<RawHyphenation>,
    select: Option<RawSelect>,
    #[serde(default)]
    parts: Vec<RawPart>,
    print: Option<RawPrint>,
    accessibility: Option<RawAccessibility>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccessibility {
    conforms_to: Option<Text>,
    certified_by: Option<Text>,
    certifier_credential: Option<Text>,
    certifier_report: Option<Text>,
}

/// The book's `[accessibility]` table: the publisher's own conformance statement and who
/// certified it, for the EPUB's package metadata (EPUB Accessibility 1.1).
#[derive(Debug, Clone, Default)]
pub(crate) struct AccessibilityClaim {
    /// `dcterms:conformsTo`, in place of the one Tribune derives from the book.
    pub(crate) conforms_to: Option<String>,
    /// `a11y:certifiedBy`, with its credential and report.
    pub(crate) certified_by: Option<String>,
    pub(crate) certifier_credential: Option<String>,
    pub(crate) certifier_report: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrint {
    output_profile: Option<Text>,
    paper_thickness_mm: Option<Number>,
    creep_mm: Option<Number>,
    allow_low_resolution: Option<bool>,
    booklet_cover: Option<bool>,
    profile: Option<crate::config::Platform>,
    paper: Option<crate::config::Paper>,
    spine_text: Option<bool>,
}

/// A number as TOML writes it, integer or not (`creep_mm = 1` and `= 0.5`).
#[derive(Debug, Clone, Copy)]
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// The book's `[print]` table: what the print-shop formats need to know about this book
/// (the style holds the bleed and the printing condition).
#[derive(Debug, Clone)]
pub(crate) struct PrintOptions {
    /// An ICC output profile: the print edition becomes PDF/X-4 with it embedded.
    pub(crate) output_profile: Option<Asset>,
    /// Thickness of one leaf (two pages) of the paper, for the spine.
    pub(crate) paper_thickness_mm: f64,
    /// How far the innermost sheet of a booklet moves its pages towards the spine.
    pub(crate) creep_mm: f64,
    /// Images under 150 ppi are warnings instead of errors.
    pub(crate) allow_low_resolution: bool,
    /// The booklet's outer sheet is the cover (front and back).
    pub(crate) booklet_cover: bool,
    /// `paper_thickness_mm` was given (a platform's own paper table is used otherwise).
    pub(crate) paper_thickness_given: bool,
    /// The platform the print edition is for; the style's when the book names none.
    pub(crate) profile: Option<crate::config::Platform>,
    /// The interior's paper, for the spine.
    pub(crate) paper: crate::config::Paper,
    /// Spine text asked for (`true`) or refused (`false`); by default the cover carries
    /// it when the platform allows it for the page count.
    pub(crate) spine_text: Option<bool>,
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions {
            output_profile: None,
            paper_thickness_mm: 0.1,
            creep_mm: 0.0,
            allow_low_resolution: false,
            booklet_cover: false,
            paper_thickness_given: false,
            profile: None,
            paper: crate::config::Paper::White,
            spine_text: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHyphenation {
    #[serde(default)]
    exceptions: Vec<Text>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSelect {
    pub(crate) speeches: Option<Vec<Text>>,
    pub(crate) tags: Option<TextList>,
    pub(crate) speakers: Option<TextList>,
    pub(crate) languages: Option<TextList>,
    pub(crate) from: Option<Text>,
    pub(crate) to: Option<Text>,
    pub(crate) order: Option<Order>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPart {
    title: Text,
    select: Option<RawSelect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Order {
    Listed,
    Date,
    Title,
    Speaker,
}

/// A file of the project that enters the book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Asset {
    /// As shown to people and in the model: `books/cover.jpg`.
    pub(crate) shown: PathBuf,
    /// Where to read it (canonical, inside `books/`).
    #[serde(skip)]
    pub(crate) path: PathBuf,
}

/// The book's metadata, checked.
#[derive(Debug, Clone, Serialize)]
pub struct BookMeta {
    /// The title, as the title page, the cover and the metadata give it.
    pub title: String,
    pub(crate) subtitle: Option<String>,
    pub(crate) language: Lang,
    pub(crate) editors: Vec<String>,
    pub(crate) publisher: Option<String>,
    pub(crate) date: Option<PartialDate>,
    /// Digits only (ISBN-10 may end in X).
    pub(crate) isbn: Option<String>,
    /// The ISBN as the book file writes it, with its hyphens (which only the publisher's
    /// allocation knows), for the copyright pages.
    pub(crate) isbn_shown: Option<String>,
    /// `urn:isbn:…` when an ISBN is given and no identifier, else the identifier or a
    /// stable `urn:uuid:` derived from the title and language.
    pub(crate) identifier: String,
    pub(crate) description: Option<String>,
    pub(crate) rights: Option<String>,
    pub(crate) cover: Option<Asset>,
    pub(crate) style: String,
    pub(crate) typography: bool,
    pub(crate) hyphenation_exceptions: Vec<String>,
    /// Where the web edition (`--format site`) is published, ending in `/`: for the
    /// sitemap and the absolute addresses Open Graph and the feeds want.
    pub(crate) site_url: Option<String>,
}

/// Selection criteria, checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Criteria {
    pub(crate) speeches: Option<Vec<String>>,
    pub(crate) tags: Vec<String>,
    pub(crate) speakers: Vec<String>,
    /// Language ranges: a speech is taken when its language falls under one (`Lang::within`).
    pub(crate) languages: Vec<Lang>,
    pub(crate) from: Option<PartialDate>,
    pub(crate) to: Option<PartialDate>,
    pub(crate) order: Option<Order>,
}

#[derive(Debug, Clone)]
pub(crate) struct PartSpec {
    pub(crate) title: String,
    pub(crate) criteria: Criteria,
}

/// A book file read and checked: its metadata, what it selects, its parts and print options.
#[derive(Debug, Clone)]
pub struct Anthology {
    /// The file's stem: `example` for `books/example.toml`; names the outputs.
    pub(crate) name: String,
    pub(crate) shown: PathBuf,
    pub(crate) source: String,
    /// Title, language, editors, ISBN and the rest of `[book]`, checked.
    pub meta: BookMeta,
    pub(crate) introduction: Option<Asset>,
    pub(crate) afterword: Option<Asset>,
    pub(crate) criteria: Criteria,
    pub(crate) parts: Vec<PartSpec>,
    pub(crate) print: PrintOptions,
    pub(crate) accessibility: AccessibilityClaim,
}

impl Anthology {
    /// Where `needle` stands in the book file: as a quoted value (`"a"`), else as a key
    /// (`isbn = …`), else anywhere. Returns 1-based line, 1-based column in characters, and
    /// the width to underline; the first or the last match.
    fn locate(&self, needle: &str, last: bool) -> Option<(usize, usize, usize)> {
        let quoted = [format!("\"{needle}\""), format!("'{needle}'")];
        let as_value = |l: &str| quoted.iter().filter_map(|q| l.find(q.as_str()).map(|i| i + 1)).min();
        let as_key = |l: &str| {
            let t = l.trim_start();
            let rest = t.strip_prefix(needle)?;
            rest.trim_start().starts_with('=').then_some(l.len() - t.len())
        };
        let anywhere = |l: &str| l.find(needle);
        let pick = |find: &dyn Fn(&str) -> Option<usize>| {
            let mut hits = self.source.lines().enumerate().filter_map(|(i, l)| find(l).map(|b| (i, l, b)));
            let (i, l, b) = if last { hits.last() } else { hits.next() }?;
            Some((i + 1, l[..b].chars().count() + 1, needle.chars().count()))
        };
        pick(&as_value).or_else(|| pick(&as_key)).or_else(|| pick(&anywhere))
    }

    fn located(&self, d: Diagnostic, needle: &str, last: bool) -> Diagnostic {
        match self.locate(needle, last) {
            Some((line, col, width)) => d.at(&self.shown, Some(&self.source), line, Some(col)).underline(width),
            None => d.at_file(&self.shown),
        }
    }

    /// An error at the first place in the book file where `needle` stands.
    pub(crate) fn error_at(&self, kind: Kind, needle: &str, msg: impl Into<String>) -> Diagnostic {
        self.located(Diagnostic::error(kind, msg), needle, false)
    }

    /// A warning at the first place in the book file where `needle` stands.
    pub(crate) fn warning_at(&self, kind: Kind, needle: &str, msg: impl Into<String>) -> Diagnostic {
        self.located(Diagnostic::warning(kind, msg), needle, false)
    }

    /// An error at the last place in the book file where `needle` stands (a repetition).
    pub(crate) fn error_at_last(&self, kind: Kind, needle: &str, msg: impl Into<String>) -> Diagnostic {
        self.located(Diagnostic::error(kind, msg), needle, true)
    }
}

/// The books of the project: `books/*.toml`, sorted by name.
pub fn book_files(project: &Project) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(&project.books)
        .map(|rd| {
            rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Find the book a command line names: `example`, `example.toml` or a path to the file.
pub(crate) fn find_book(project: &Project, name: &str) -> Result<PathBuf, Diagnostic> {
    let as_path = Path::new(name);
    if name.ends_with(".toml") && as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    let stem = name.trim_end_matches(".toml");
    let p = project.books.join(format!("{stem}.toml"));
    if p.is_file() {
        return Ok(p);
    }
    let known: Vec<String> =
        book_files(project).iter().filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned())).collect();
    let hint = match crate::diagnostics::nearest(stem, known.iter().map(String::as_str)) {
        Some(n) => format!("did you mean `{n}`?"),
        None if known.is_empty() => "the project has no books/*.toml yet".to_string(),
        None => format!("the books are: {}", known.join(", ")),
    };
    Err(Diagnostic::error(Kind::Usage, format!("there is no book `{name}`")).with_hint(hint))
}

/// Read and check one book file. All problems found go to `report`; `None` when the book
/// cannot be used at all.
pub fn load(project: &Project, path: &Path, report: &mut Report) -> Option<Anthology> {
    let shown = project.display_path(&std::path::absolute(path).unwrap_or(path.to_path_buf()));
    let source = match read_source(path, &shown) {
        Ok(s) => s,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let raw: Raw = match config::from_toml(&source, &shown, &source, 1, FIELDS, WHAT) {
        Ok(r) => r,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut a = Anthology {
        name,
        shown,
        source,
        meta: BookMeta {
            title: String::new(),
            subtitle: None,
            language: Lang::default(),
            editors: Vec::new(),
            publisher: None,
            date: None,
            isbn: None,
            isbn_shown: None,
            identifier: String::new(),
            description: None,
            rights: None,
            cover: None,
            style: String::new(),
            typography: raw.typography.unwrap_or(true),
            hyphenation_exceptions: Vec::new(),
            site_url: None,
        },
        introduction: None,
        afterword: None,
        criteria: Criteria::default(),
        parts: Vec::new(),
        print: PrintOptions::default(),
        accessibility: AccessibilityClaim::default(),
    };
    let before = report.errors();
    check(project, &mut a, raw, report);
    (report.errors() == before).then_some(a)
}

fn opt(t: Option<Text>) -> Option<String> {
    t.map(|t| t.0.trim().to_string()).filter(|t| !t.is_empty())
}

fn check(project: &Project, a: &mut Anthology, raw: Raw, report: &mut Report) {
    let title = raw.title.0.trim().to_string();
    if title.is_empty() {
        report.push(a.error_at(Kind::Value, "title", "the book's title is empty").with_hint("give the book a title"));
    }
    let language = language(a, &raw.language.0, "use a BCP 47 tag such as de, en, fr, ru, kk or de-CH", report)
        .unwrap_or_default();
    let date = opt(raw.date).and_then(|d| match PartialDate::parse(&d) {
        Ok(d) if d.year >= 1 => Some(d),
        Ok(_) => {
            report.push(
                a.error_at(Kind::Value, "date", format!("the book's date `{d}` is before year 1"))
                    .with_hint("the book's `date` is when it is published; speeches may be dated BC"),
            );
            None
        }
        Err(m) => {
            report.push(a.error_at(Kind::Value, "date", m).with_hint("write the date as YYYY, YYYY-MM or YYYY-MM-DD"));
            None
        }
    });
    let isbn = opt(raw.isbn).and_then(|i| match isbn::validate(&i) {
        Ok(d) => Some((d, isbn::shown(&i))),
        Err(m) => {
            report.push(
                a.error_at(Kind::Value, "isbn", m)
                    .with_hint("copy the ISBN from the publisher's allocation again; each digit counts"),
            );
            None
        }
    });
    let (isbn, isbn_shown) = isbn.unzip();
    let identifier = opt(raw.identifier).unwrap_or_else(|| match &isbn {
        Some(i) => format!("urn:isbn:{i}"),
        None => {
            let name = format!("tribune:book:{language}:{title}");
            format!("urn:uuid:{}", uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()))
        }
    });
    let mut file = |field: &str, value: Option<Text>, exts: &[&str]| -> Option<Asset> {
        let v = opt(value)?;
        let ext_ok = exts.is_empty()
            || Path::new(&v).extension().is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)));
        if !ext_ok {
            report.push(
                a.error_at(Kind::Value, &v, format!("the {field} `{v}` is not a {} file", exts.join(" or ")))
                    .with_hint(format!("give a {} file", exts.join(" or "))),
            );
            return None;
        }
        match project.resolve_inside_books(&project.books, &v) {
            Ok(path) => Some(Asset { shown: project.display_path(&path), path }),
            Err(e) => {
                let (why, hint) = e.explain();
                report.push(
                    a.error_at(Kind::Missing, &v, format!("the {field} `{v}` cannot be used: {why}"))
                        .with_hint(format!("{hint} (paths in a book file are relative to books/)")),
                );
                None
            }
        }
    };
    let cover = file("cover", raw.cover, &["jpg", "jpeg", "png"]);
    let raw_print = raw.print;
    let output_profile = raw_print.as_ref().and_then(|p| p.output_profile.clone());
    let output_profile = file("output profile", output_profile, &["icc", "icm"]);
    let introduction = file("introduction", raw.introduction, &["md"]);
    let afterword = file("afterword", raw.afterword, &["md"]);
    a.introduction = introduction;
    a.afterword = afterword;
    let style = opt(raw.style).unwrap_or_else(|| "default".into());
    if style.contains(['/', '\\']) || style.starts_with('.') {
        report.push(
            a.error_at(Kind::Value, "style", format!("`{style}` is not a style name"))
                .with_hint("name a style by its file name in styles/ without the ending, e.g. `default`"),
        );
    }
    let exceptions = hyphenation_exceptions(a, raw.hyphenation.map(|h| h.exceptions).unwrap_or_default(), report);
    let site_url = raw.site_url.and_then(|u| site_url(a, &u.0, report));
    a.meta = BookMeta {
        title,
        subtitle: opt(raw.subtitle),
        language,
        editors: raw.editors.map(|e| e.0).unwrap_or_default(),
        publisher: opt(raw.publisher),
        date,
        isbn,
        isbn_shown,
        identifier,
        description: opt(raw.description),
        rights: opt(raw.rights),
        cover,
        style,
        typography: raw.typography.unwrap_or(true),
        hyphenation_exceptions: exceptions,
        site_url,
    };
    if let Some(p) = raw_print {
        a.print = print_options(a, p, output_profile, report);
    }
    if let Some(r) = raw.accessibility {
        a.accessibility = AccessibilityClaim {
            conforms_to: opt(r.conforms_to),
            certified_by: opt(r.certified_by),
            certifier_credential: opt(r.certifier_credential),
            certifier_report: opt(r.certifier_report),
        };
        let c = &a.accessibility;
        if c.certified_by.is_none() && (c.certifier_credential.is_some() || c.certifier_report.is_some()) {
            report.push(
                a.error_at(
                    Kind::Value,
                    "certifier_",
                    "[accessibility] names a certifier's credential or report but no certifier",
                )
                .with_hint("add `certified_by = \"…\"`: the person or organisation that certified the book"),
            );
        }
    }
    a.criteria = criteria(a, raw.select.unwrap_or_default(), report);
    parts(a, raw.parts, report);
}

/// `site_url`: an absolute `http` or `https` address, given back ending in `/` so that
/// the site's paths can follow it.
fn site_url(a: &Anthology, raw: &str, report: &mut Report) -> Option<String> {
    let parsed = url::Url::parse(raw.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    let Some(mut u) = parsed.filter(|u| u.query().is_none() && u.fragment().is_none()) else {
        report.push(
            a.error_at(Kind::Value, "site_url", format!("`{raw}` is not the address of a web site"))
                .with_hint("write the full address the site is published at, e.g. \"https://example.org/books/\""),
        );
        return None;
    };
    if !u.path().ends_with('/') {
        let path = format!("{}/", u.path());
        u.set_path(&path);
    }
    Some(u.to_string())
}

/// The words of `[hyphenation] exceptions`, with hyphens where they may break.
fn hyphenation_exceptions(a: &Anthology, raw: Vec<Text>, report: &mut Report) -> Vec<String> {
    let mut exceptions = Vec::new();
    for e in raw {
        let w = e.0.trim().to_string();
        if w.is_empty() || !w.chars().all(|c| c.is_alphabetic() || c == '-') || w.starts_with('-') || w.ends_with('-') {
            report.push(
                a.error_at(Kind::Value, &e.0, format!("`{}` is not a hyphenation exception", e.0))
                    .with_hint("write the word with hyphens where it may break, e.g. \"Arbei-ter-in-nen\""),
            );
        } else {
            exceptions.push(w);
        }
    }
    exceptions
}

/// The book's `[[parts]]`, each with its title and selection.
fn parts(a: &mut Anthology, raw: Vec<RawPart>, report: &mut Report) {
    if !raw.is_empty() {
        if a.criteria.speeches.is_some() || a.criteria.order.is_some() {
            report.push(
                a.error_at(Kind::Selection, "[select]", "a book with [[parts]] cannot list speeches or an order in its top [select]")
                    .with_hint("move `speeches` and `order` into each part's [parts.select]; the top [select] may only narrow (tags, speakers, languages, from, to)"),
            );
        }
        for p in raw {
            let title = p.title.0.trim().to_string();
            if title.is_empty() {
                report.push(
                    a.error_at(Kind::Value, "[[parts]]", "a part has no title").with_hint("give every part a title"),
                );
            }
            let criteria = criteria(a, p.select.unwrap_or_default(), report);
            a.parts.push(PartSpec { title, criteria });
        }
    }
}

fn print_options(a: &Anthology, raw: RawPrint, output_profile: Option<Asset>, report: &mut Report) -> PrintOptions {
    let d = PrintOptions::default();
    let mut within = |key: &str, v: Option<Number>, lo: f64, hi: f64, default: f64, usual: &str| match v {
        Some(Number(n)) if n.is_finite() && (lo..=hi).contains(&n) => n,
        Some(Number(n)) => {
            report.push(
                a.error_at(Kind::Value, key, format!("`{key} = {n}` is outside {lo} to {hi}"))
                    .with_hint(format!("give it in millimetres: {usual}")),
            );
            default
        }
        None => default,
    };
    let paper_thickness_mm = within(
        "paper_thickness_mm",
        raw.paper_thickness_mm,
        0.02,
        1.0,
        d.paper_thickness_mm,
        "one leaf of 80 g/m² offset paper is about 0.1, of 90 g/m² book paper about 0.12",
    );
    let creep_mm = within(
        "creep_mm",
        raw.creep_mm,
        0.0,
        5.0,
        d.creep_mm,
        "about the paper thickness times the number of sheets, e.g. 0.5 for 5 sheets of 0.1 mm",
    );
    PrintOptions {
        output_profile,
        paper_thickness_mm,
        creep_mm,
        allow_low_resolution: raw.allow_low_resolution.unwrap_or(d.allow_low_resolution),
        booklet_cover: raw.booklet_cover.unwrap_or(d.booklet_cover),
        paper_thickness_given: raw.paper_thickness_mm.is_some(),
        profile: raw.profile,
        paper: raw.paper.unwrap_or(d.paper),
        spine_text: raw.spine_text,
    }
}

fn criteria(a: &Anthology, raw: RawSelect, report: &mut Report) -> Criteria {
    let date = |v: Option<Text>, field: &str, report: &mut Report| {
        v.and_then(|d| match PartialDate::parse(&d.0) {
            Ok(d) => Some(d),
            Err(m) => {
                report.push(
                    a.error_at(Kind::Value, &d.0, format!("`{field}`: {m}"))
                        .with_hint("write the date as YYYY, YYYY-MM or YYYY-MM-DD"),
                );
                None
            }
        })
    };
    let from = date(raw.from, "from", report);
    let to = date(raw.to, "to", report);
    if let (Some(f), Some(t)) = (from, to) {
        if f.earliest() > t.latest() {
            report.push(
                a.error_at(
                    Kind::Selection,
                    "from",
                    format!("`from` ({f}) is after `to` ({t}): nothing can be selected"),
                )
                .with_hint("swap the two dates"),
            );
        }
    }
    let mut languages = Vec::new();
    for l in raw.languages.map(|l| l.0).unwrap_or_default() {
        languages.extend(language(a, &l, "use a BCP 47 tag such as de, en, fr, ru, kk", report));
    }
    if raw.order == Some(Order::Listed) && raw.speeches.is_none() {
        report.push(
            a.error_at(Kind::Selection, "listed", "`order = \"listed\"` needs a `speeches` list to follow")
                .with_hint("list the speeches in `speeches`, or order by date, title or speaker"),
        );
    }
    Criteria {
        speeches: raw.speeches.map(|v| v.into_iter().map(|t| t.0.trim().to_string()).collect()),
        tags: raw.tags.map(|t| t.0).unwrap_or_default(),
        speakers: raw.speakers.map(|t| t.0).unwrap_or_default(),
        languages,
        from,
        to,
        order: raw.order,
    }
}

/// A language tag of the book file, checked; a three-letter code where a two-letter one
/// exists is taken with a warning at its place.
fn language(a: &Anthology, text: &str, hint: &str, report: &mut Report) -> Option<Lang> {
    let quoted = [format!("\"{text}\""), format!("'{text}'")];
    let needle = if quoted.iter().any(|q| a.source.contains(q.as_str())) { text } else { "language" };
    match Lang::parse(text) {
        Ok((lang, long)) => {
            if let Some(long) = long {
                report.push(a.warning_at(Kind::Value, needle, long.message()).with_hint(long.hint()));
            }
            Some(lang)
        }
        Err(m) => {
            report.push(a.error_at(Kind::Value, needle, m).with_hint(hint));
            None
        }
    }
}

#[cfg(test)]
mod tests;
