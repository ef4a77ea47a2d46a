//! The book's style: the print style (`styles/<name>.toml`: page, margins, fonts, type,
//! layout) and the EPUB's CSS (`styles/<name>.css`). A project's own files override the
//! ones compiled into Tribune; keys left out take the defaults of `Style::default()`, which
//! the bundled `styles/default.toml` spells out.

mod length;

pub(crate) use length::Length;

use crate::assets;
use crate::config::from_toml;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::project::Project;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A book's style: page, fonts, type, layout, sizes, spacing, print setup and the EPUB's CSS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Style {
    pub(crate) page: Page,
    /// The font files the book is set in.
    pub fonts: Fonts,
    pub(crate) text: Text,
    pub(crate) layout: Layout,
    /// Type sizes of the elements, relative to the text size.
    pub(crate) sizes: Sizes,
    /// Vertical spaces and indents of the elements.
    pub(crate) spacing: Spacing,
    /// The print shop's side: bleed and printing condition (`-print.pdf`, `-cover.pdf`).
    pub(crate) print: Print,
    /// The EPUB's side: how its fonts are embedded.
    pub(crate) epub: Epub,
    /// How justified lines are filled and pages made to end level (`[justification]`).
    pub(crate) justification: Justification,
    /// The EPUB style sheet (not part of the TOML file).
    #[serde(skip)]
    pub(crate) css: String,
    /// Where the print style was read from, for messages.
    #[serde(skip)]
    pub(crate) source: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Page {
    /// A4, A5, A6, B5, letter, trade (6 × 9 in), or `WIDTH x HEIGHT` with units (`135mm x 210mm`).
    pub(crate) size: String,
    pub(crate) inner: Length,
    pub(crate) outer: Length,
    pub(crate) top: Length,
    pub(crate) bottom: Length,
}

/// How the EPUB embeds its fonts (`[epub] embed_fonts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum EmbedFonts {
    /// Only the glyphs of the characters the book uses (`src/fontsubset.rs`).
    #[default]
    Subset,
    /// The font files whole, as they are: readers can annotate in any script they cover.
    Full,
}

/// The EPUB's options (`[epub]`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Epub {
    pub(crate) embed_fonts: EmbedFonts,
}

/// A style's font files (`[fonts]`): file names in `fonts/` or bundled with Tribune.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fonts {
    pub(crate) regular: String,
    pub(crate) italic: String,
    pub(crate) bold: String,
    pub(crate) bold_italic: String,
    /// Faces for characters the book face lacks, tried in order.
    pub(crate) fallback: Vec<String>,
    /// The face for code.
    pub(crate) monospace: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Align {
    Justify,
    Ragged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Text {
    pub(crate) size: Length,
    pub(crate) leading: Length,
    /// First-line indent of paragraphs that follow a paragraph.
    pub(crate) indent: Length,
    /// Space between paragraphs (usually 0 when there is an indent).
    pub(crate) paragraph_space: Length,
    pub(crate) align: Align,
    pub(crate) hyphenate: bool,
    /// The figures of note numbers and numbered lists: `latin` (0–9) everywhere, or
    /// `native`, each speech's own (Arabic-Indic ٠–٩ in Arabic, Eastern ۰–۹ in Persian,
    /// Urdu and Pashto; 0–9 where the language has no others).
    pub(crate) digits: Digits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Digits {
    Latin,
    Native,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChapterStart {
    Any,
    Recto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RunningHeads {
    Smallcaps,
    Italic,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Layout {
    pub(crate) chapter_start: ChapterStart,
    pub(crate) running_heads: RunningHeads,
    pub(crate) baseline_grid: bool,
}

/// Type sizes of the book's elements, as multiples of the text size (`[sizes]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Sizes {
    /// A speech's title on its opening page, and a part's title.
    pub(crate) title: f64,
    /// Headings of levels 1 and 2 inside a speech.
    pub(crate) heading: f64,
    /// Headings of level 3.
    pub(crate) subheading: f64,
    /// Block quotations (nested ones shrink again by the same factor).
    pub(crate) quote: f64,
    /// Footnotes and the label of a continued note.
    pub(crate) note: f64,
    /// Code blocks (inline code: 0.9 of its surroundings).
    pub(crate) code: f64,
    /// Tables.
    pub(crate) table: f64,
    /// Captions of images, and the source and translator lines after a speech.
    pub(crate) caption: f64,
    /// Folios and running heads.
    pub(crate) folio: f64,
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            title: 1.6,
            heading: 1.2,
            subheading: 1.1,
            quote: 0.92,
            note: 0.85,
            code: 0.85,
            table: 0.9,
            caption: 0.9,
            folio: 0.9,
        }
    }
}

/// Vertical spaces in lines of the leading, indents in em, and the footnote rule
/// (`[spacing]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Spacing {
    /// Space above a heading inside a speech, and above the source line, in lines.
    pub(crate) before_heading: f64,
    /// Space below a heading, in lines.
    pub(crate) after_heading: f64,
    /// Space above and below quotes, code, images, tables, rules and verse, in lines.
    pub(crate) around_blocks: f64,
    /// Space above and below lists, in lines.
    pub(crate) around_lists: f64,
    /// The distance of footnote lines, as a share of the leading.
    pub(crate) note_leading: f64,
    /// The length of the rule above the footnotes, as a share of the measure (a note
    /// continued from the page before gets a rule across the measure).
    pub(crate) note_rule: f64,
    /// How far block quotations and verse are indented, in em.
    pub(crate) quote_indent: f64,
    /// How far list items are indented (their markers hang in the indent), in em.
    pub(crate) list_indent: f64,
}

impl Default for Spacing {
    fn default() -> Self {
        Spacing {
            before_heading: 1.5,
            after_heading: 0.5,
            around_blocks: 0.5,
            around_lists: 0.3,
            note_leading: 0.8,
            note_rule: 0.3,
            quote_indent: 1.5,
            list_indent: 1.6,
        }
    }
}

/// How justified lines are filled, and how far a paragraph may give or take a line so that
/// pages end level (`[justification]`). The defaults are measured on the 100-speech corpus
/// (DESIGN.md, "Full pages and even spaces").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Justification {
    /// How far a word space may widen, as a share of its natural width.
    pub(crate) word_stretch: f64,
    /// How far a word space may narrow, as a share of its natural width.
    pub(crate) word_shrink: f64,
    /// How far glyphs of a justified line may be widened or narrowed with its spaces
    /// (font expansion), as a share of their width.
    pub(crate) expansion: f64,
    /// The cost of ending a line with a hyphen (TeX's \hyphenpenalty): higher, fewer hyphens.
    pub(crate) hyphen_penalty: f64,
    /// The cost of a line whose spacing differs by more than a class from the line
    /// before (TeX's \adjdemerits): higher, more even lines.
    pub(crate) adjacent_demerits: f64,
    /// Demerits per squared difference between the spacing of adjacent lines (in tenths
    /// of a natural space): higher, more even grey, for more hyphens; 0 leaves TeX's model.
    pub(crate) evenness: f64,
    /// How many lines a paragraph may run longer or shorter than its best breaking, so
    /// that a page ends full and facing pages level (0: never).
    pub(crate) looseness: u32,
    /// The most demerits a paragraph set a line longer or shorter may cost beyond its best.
    pub(crate) looseness_demerits: f64,
    /// What moving a heading a line of the grid higher or lower (half a line less or a
    /// line more above it) costs, in the same demerits, when that fills a page.
    pub(crate) heading_demerits: f64,
    /// The most badness (TeX's: 100 r³ for a line whose spaces stretch r times their
    /// stretch) a line of a paragraph set a line longer or shorter may have: above the
    /// tolerance of the best breaking (200), since such a paragraph is only taken where it
    /// fills a page.
    pub(crate) variant_tolerance: f64,
    /// What a page of a chapter ending a line short costs, per line (the chapter's page
    /// plan weighs it against the demerits of the variants that would fill it).
    pub(crate) short_page_demerits: f64,
    /// What facing pages ending a line apart cost, per line.
    pub(crate) apart_demerits: f64,
}

impl Default for Justification {
    fn default() -> Self {
        Justification {
            word_stretch: 0.35,
            word_shrink: 0.3,
            expansion: 0.035,
            hyphen_penalty: 250.0,
            adjacent_demerits: 30000.0,
            evenness: 40000.0,
            looseness: 1,
            looseness_demerits: 1.0e6,
            heading_demerits: 1.0e5,
            variant_tolerance: 400.0,
            short_page_demerits: 4.0e6,
            apart_demerits: 3.0e6,
        }
    }
}

/// What the print shop prints on: the bleed around every page and the printing condition
/// the PDF/X output intent names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Print {
    /// How far pictures meant to run off the page extend beyond the trim.
    pub(crate) bleed: Length,
    /// The characterised printing condition, as registered (`FOGRA39`, `FOGRA51`, `GRACoL2013`).
    pub(crate) condition: String,
    /// Where that condition is registered.
    pub(crate) registry: String,
    /// A description of the condition for people.
    pub(crate) condition_info: String,
    /// The print-on-demand platform or shop the print edition is made for (the book
    /// file's `[print] profile` wins over the style's).
    pub(crate) profile: Option<crate::config::Platform>,
}

impl Default for Print {
    fn default() -> Self {
        Print {
            bleed: Length::mm(3.0),
            condition: "FOGRA39".into(),
            registry: "http://www.color.org".into(),
            condition_info: "Coated FOGRA39 (ISO 12647-2:2004)".into(),
            profile: None,
        }
    }
}

impl Default for Style {
    fn default() -> Self {
        Style {
            page: Page::default(),
            fonts: Fonts::default(),
            text: Text::default(),
            layout: Layout::default(),
            sizes: Sizes::default(),
            spacing: Spacing::default(),
            print: Print::default(),
            epub: Epub::default(),
            justification: Justification::default(),
            css: String::new(),
            source: PathBuf::new(),
        }
    }
}

impl Default for Page {
    fn default() -> Self {
        Page {
            size: "A5".into(),
            inner: Length::mm(20.0),
            outer: Length::mm(16.0),
            top: Length::mm(18.0),
            bottom: Length::mm(22.0),
        }
    }
}

impl Default for Fonts {
    fn default() -> Self {
        Fonts {
            regular: "GentiumBookPlus-Regular.ttf".into(),
            italic: "GentiumBookPlus-Italic.ttf".into(),
            bold: "GentiumBookPlus-Bold.ttf".into(),
            bold_italic: "GentiumBookPlus-BoldItalic.ttf".into(),
            fallback: vec![
                "NotoSansSymbols2-Regular.ttf".into(),
                "NotoNaskhArabic-Regular.ttf".into(),
                "NotoSerifHebrew-Regular.ttf".into(),
            ],
            monospace: Some("NotoSansMono-Regular.ttf".into()),
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text {
            size: Length::pt(10.0),
            leading: Length::pt(12.6),
            indent: Length::em(1.0),
            paragraph_space: Length::pt(0.0),
            align: Align::Justify,
            hyphenate: true,
            digits: Digits::Latin,
        }
    }
}

impl Default for Layout {
    fn default() -> Self {
        Layout { chapter_start: ChapterStart::Recto, running_heads: RunningHeads::Smallcaps, baseline_grid: true }
    }
}

const FIELDS: &[&str] = &[
    "page",
    "size",
    "inner",
    "outer",
    "top",
    "bottom",
    "fonts",
    "regular",
    "italic",
    "bold",
    "bold_italic",
    "fallback",
    "monospace",
    "text",
    "leading",
    "indent",
    "paragraph_space",
    "align",
    "hyphenate",
    "digits",
    "layout",
    "chapter_start",
    "running_heads",
    "baseline_grid",
    "sizes",
    "title",
    "heading",
    "subheading",
    "quote",
    "note",
    "code",
    "table",
    "caption",
    "folio",
    "spacing",
    "before_heading",
    "after_heading",
    "around_blocks",
    "around_lists",
    "note_leading",
    "note_rule",
    "quote_indent",
    "list_indent",
    "print",
    "bleed",
    "condition",
    "registry",
    "condition_info",
    "profile",
    "epub",
    "embed_fonts",
    "justification",
    "word_stretch",
    "word_shrink",
    "expansion",
    "hyphen_penalty",
    "adjacent_demerits",
    "evenness",
    "looseness",
    "looseness_demerits",
    "heading_demerits",
    "variant_tolerance",
    "short_page_demerits",
    "apart_demerits",
];

impl Page {
    /// Width and height of the trimmed page in points.
    pub(crate) fn dimensions(&self) -> Result<(f64, f64), String> {
        let mm = |w: f64, h: f64| (w * 72.0 / 25.4, h * 72.0 / 25.4);
        Ok(match self.size.trim().to_ascii_lowercase().as_str() {
            "a4" => mm(210.0, 297.0),
            "a5" => mm(148.0, 210.0),
            "a6" => mm(105.0, 148.0),
            "b5" => mm(176.0, 250.0),
            "letter" | "us letter" => (612.0, 792.0),
            "trade" | "us trade" => (432.0, 648.0),
            other => {
                let (w, h) = other
                    .split_once('x')
                    .or_else(|| other.split_once('×'))
                    .ok_or_else(|| format!("`{}` is not a page size", self.size))?;
                let w = Length::parse(w.trim()).map_err(|e| format!("page width: {e}"))?;
                let h = Length::parse(h.trim()).map_err(|e| format!("page height: {e}"))?;
                match (w.absolute_pt(), h.absolute_pt()) {
                    (Some(w), Some(h)) if w >= 72.0 && h >= 72.0 && w <= 14400.0 && h <= 14400.0 => (w, h),
                    _ => {
                        return Err(format!(
                            "`{}` is not a usable page size (1 in to 200 in, in mm, cm, in or pt)",
                            self.size
                        ))
                    }
                }
            }
        })
    }
}

impl Style {
    /// Check what serde cannot: sizes that fit together, fonts that exist.
    fn check(&self, project: &Project) -> Vec<String> {
        let mut problems = Vec::new();
        match self.page.dimensions() {
            Err(e) => problems.push(e),
            Ok((w, h)) => {
                let size = self.text.size.absolute_pt().unwrap_or(10.0);
                let pt = |l: &Length| l.to_pt(size);
                if pt(&self.page.inner) + pt(&self.page.outer) > w * 0.8
                    || pt(&self.page.top) + pt(&self.page.bottom) > h * 0.8
                {
                    problems.push("the margins leave less than a fifth of the page for text".into());
                }
            }
        }
        match self.text.size.absolute_pt() {
            Some(s) if (4.0..=72.0).contains(&s) => {
                if self.text.leading.to_pt(s) < s {
                    problems.push(format!("the leading ({}) is smaller than the type size ({s}pt)", self.text.leading));
                }
            }
            _ => problems.push(format!("the type size `{}` must be between 4pt and 72pt", self.text.size)),
        }
        match self.print.bleed.absolute_pt() {
            Some(b) if (0.0..=36.0).contains(&b) => {}
            _ => {
                problems.push(format!("the bleed `{}` must be between 0mm and 12.7mm (3mm is usual)", self.print.bleed))
            }
        }
        let sizes = &self.sizes;
        for (key, v) in [
            ("title", sizes.title),
            ("heading", sizes.heading),
            ("subheading", sizes.subheading),
            ("quote", sizes.quote),
            ("note", sizes.note),
            ("code", sizes.code),
            ("table", sizes.table),
            ("caption", sizes.caption),
            ("folio", sizes.folio),
        ] {
            if !(0.5..=4.0).contains(&v) {
                problems.push(format!("`[sizes] {key} = {v}` must be between 0.5 and 4 (times the text size)"));
            }
        }
        let sp = &self.spacing;
        for (key, v, max) in [
            ("before_heading", sp.before_heading, 10.0),
            ("after_heading", sp.after_heading, 10.0),
            ("around_blocks", sp.around_blocks, 10.0),
            ("around_lists", sp.around_lists, 10.0),
            ("note_leading", sp.note_leading, 2.0),
            ("note_rule", sp.note_rule, 1.0),
            ("quote_indent", sp.quote_indent, 10.0),
            ("list_indent", sp.list_indent, 10.0),
        ] {
            if !(0.0..=max).contains(&v) {
                problems.push(format!("`[spacing] {key} = {v}` must be between 0 and {max}"));
            }
        }
        if sp.note_leading < 0.5 {
            problems.push(format!("`[spacing] note_leading = {}` must be at least 0.5", sp.note_leading));
        }
        let j = &self.justification;
        for (key, v, max) in [
            ("word_stretch", j.word_stretch, 4.0),
            ("word_shrink", j.word_shrink, 0.9),
            ("expansion", j.expansion, 0.05),
            ("hyphen_penalty", j.hyphen_penalty, 9999.0),
            ("adjacent_demerits", j.adjacent_demerits, 1.0e6),
            ("evenness", j.evenness, 1.0e6),
            ("looseness", j.looseness as f64, 2.0),
            ("looseness_demerits", j.looseness_demerits, 1.0e7),
            ("heading_demerits", j.heading_demerits, 1.0e7),
            ("variant_tolerance", j.variant_tolerance, 10000.0),
            ("short_page_demerits", j.short_page_demerits, 1.0e9),
            ("apart_demerits", j.apart_demerits, 1.0e9),
        ] {
            if !(0.0..=max).contains(&v) {
                problems.push(format!("`[justification] {key} = {v}` must be between 0 and {max}"));
            }
        }
        if self.print.condition.trim().is_empty() {
            problems.push("the printing condition `[print] condition` is empty (FOGRA39 is usual in Europe)".into());
        }
        for f in [&self.fonts.regular, &self.fonts.italic, &self.fonts.bold, &self.fonts.bold_italic]
            .into_iter()
            .chain(self.fonts.fallback.iter())
            .chain(self.fonts.monospace.iter())
        {
            if assets::font(project, f).is_none() {
                problems.push(format!("the font file `{f}` is neither in fonts/ nor bundled with Tribune"));
            }
        }
        problems
    }
}

/// Load the style `name`: the project's `styles/<name>.toml` and `.css`, else the bundled ones.
/// `missing` makes the error for a style that does not exist (placed where the book names it).
pub fn load(
    project: &Project,
    name: &str,
    missing: impl FnOnce(String) -> Diagnostic,
    report: &mut Report,
) -> Option<Style> {
    let toml_name = format!("styles/{name}.toml");
    let css_name = format!("styles/{name}.css");
    let Some((toml_text, toml_path)) = assets::text(project, &toml_name) else {
        report.push(
            missing(format!("there is no style `{name}`: neither {toml_name} in the project nor a bundled one"))
                .with_hint("create the file, or use `style = \"default\"`"),
        );
        return None;
    };
    let toml_text = match toml_text {
        Ok(t) => t,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    let mut style: Style = match from_toml(&toml_text, &toml_path, &toml_text, 1, FIELDS, "a style file") {
        Ok(s) => s,
        Err(d) => {
            report.push(d);
            return None;
        }
    };
    style.source = toml_path.clone();
    style.css = match assets::text(project, &css_name) {
        Some((Ok(css), _)) => css,
        Some((Err(d), _)) => {
            report.push(d);
            return None;
        }
        None => {
            report.push(
                Diagnostic::error(Kind::Missing, format!("the style `{name}` has no {css_name}"))
                    .at_file(&toml_path)
                    .with_hint("add the EPUB style sheet beside the print style"),
            );
            return None;
        }
    };
    let problems = style.check(project);
    for p in &problems {
        report.push(
            Diagnostic::error(Kind::Value, p.clone())
                .at_file(&toml_path)
                .with_hint("see the comments in the bundled styles/default.toml"),
        );
    }
    problems.is_empty().then_some(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_default_toml_states_the_defaults() {
        let text = std::str::from_utf8(assets::bundled("styles/default.toml").expect("bundled")).unwrap();
        let parsed: Style = toml::from_str(text).unwrap();
        assert_eq!(parsed, Style::default());
    }

    #[test]
    fn page_sizes() {
        let mut p = Page::default();
        let (w, h) = p.dimensions().unwrap();
        assert!((w - 419.53).abs() < 0.01 && (h - 595.28).abs() < 0.01);
        p.size = "trade".into();
        assert_eq!(p.dimensions().unwrap(), (432.0, 648.0));
        p.size = "135mm x 210mm".into();
        assert!((p.dimensions().unwrap().0 - 382.68).abs() < 0.01);
        p.size = "A7".into();
        assert!(p.dimensions().is_err());
        p.size = "1mm x 2mm".into();
        assert!(p.dimensions().is_err());
    }

    #[test]
    fn element_sizes_and_spaces_are_checked() {
        let parse = |t: &str| from_toml::<Style>(t, std::path::Path::new("s.toml"), "", 1, FIELDS, "a style file");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("books")).unwrap();
        let project = Project::at(dir.path().to_path_buf()).unwrap();
        let ok = parse("[sizes]\nnote = 0.8\n[spacing]\nbefore_heading = 2\n").unwrap();
        assert_eq!((ok.sizes.note, ok.spacing.before_heading), (0.8, 2.0));
        assert!(ok.check(&project).is_empty());
        let bad = parse("[sizes]\nquote = 9\n[spacing]\nnote_rule = 1.5\n").unwrap();
        let problems = bad.check(&project);
        assert!(problems.iter().any(|p| p.contains("[sizes] quote = 9")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("[spacing] note_rule = 1.5")), "{problems:?}");
        let e = parse("[sizes]\nnotes = 0.8\n").unwrap_err();
        assert!(e.hint.unwrap().contains("`note`"));
    }

    #[test]
    fn unknown_style_key_is_an_error() {
        let e = from_toml::<Style>(
            "[text]\nsise = \"10pt\"\n",
            std::path::Path::new("s.toml"),
            "",
            1,
            FIELDS,
            "a style file",
        )
        .unwrap_err();
        assert!(e.hint.unwrap().contains("`size`"));
    }
}
