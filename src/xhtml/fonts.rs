//! The fonts of the package: of the style's four faces only those the text is set in, and
//! of its fallbacks only those that have a character the book face lacks; their
//! `@font-face` rules; and what the copyright page says about them (names, versions,
//! licences, read from the fonts themselves and the `OFL-*.txt` files beside them).
//! By default each font is subset to the characters of the package (`crate::fontsubset`,
//! after every document is written: [`Plan::subset`]); with `[epub] embed_fonts = "full"`
//! the files go in whole and unchanged, for readers who annotate in other scripts.

use crate::assets;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::project::Project;
use crate::style::Fonts as StyleFonts;
use crate::xhtml::{CharBits, Face, Usage};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One font file in the package.
#[derive(Debug, Clone)]
pub(crate) struct Embedded {
    /// The file's name in `fonts/` (`GentiumBookPlus-Regular.ttf`).
    pub file: String,
    pub href: String,
    pub media_type: &'static str,
    pub bytes: Cow<'static, [u8]>,
    pub family: String,
    pub version: Option<String>,
    pub bold: bool,
    pub italic: bool,
}

/// A licence and the families under it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Licence {
    pub families: Vec<String>,
    /// `SIL Open Font License 1.1`, when the text says so.
    pub name: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub embedded: Vec<Embedded>,
    /// The CSS `font-family` list: the book face, then the fallbacks that are embedded.
    pub families: Vec<String>,
    pub licences: Vec<Licence>,
    /// Characters of the text that no embedded font has, with where each first occurs.
    pub missing: Vec<(char, PathBuf, usize)>,
    /// Whether the fonts are to be subset (the licence page says so).
    pub subset: bool,
}

struct Loaded {
    file: String,
    bytes: Cow<'static, [u8]>,
    media_type: &'static str,
}

impl Loaded {
    fn face(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.bytes, 0).ok()
    }
}

fn load(project: &Project, file: &str, style_file: &Path) -> Result<Loaded, Diagnostic> {
    let bytes = assets::font(project, file).ok_or_else(|| {
        Diagnostic::error(
            Kind::Missing,
            format!("the font file `{file}` is neither in fonts/ nor bundled with Tribune"),
        )
        .at_file(style_file)
    })?;
    let media_type = match bytes.get(0..4) {
        Some(b"OTTO") => "font/otf",
        Some(b"\0\x01\0\0") | Some(b"true") => "font/ttf",
        _ => "",
    };
    let loaded = Loaded { file: file.to_string(), bytes, media_type };
    if media_type.is_empty() || loaded.face().is_none() {
        return Err(Diagnostic::error(
            Kind::Value,
            format!("the font file `{file}` is not a TrueType or OpenType font"),
        )
        .at_file(style_file)
        .with_hint("use .ttf or .otf files (WOFF cannot be typeset for print either)"));
    }
    Ok(loaded)
}

fn name(face: &ttf_parser::Face<'_>, id: u16) -> Option<String> {
    face.names().into_iter().filter(|n| n.name_id == id).find_map(|n| n.to_string()).filter(|s| !s.trim().is_empty())
}

/// Characters that take no glyph of their own (soft hyphen, zero-width and directional
/// marks, joiners, variation selectors): whether a font has them does not matter.
fn invisible(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

/// The version as its name table states it, without the word: `6.200`.
fn version(face: &ttf_parser::Face<'_>) -> Option<String> {
    let v = name(face, ttf_parser::name_id::VERSION)?;
    let v = v.trim().trim_start_matches("Version").trim();
    v.split([';', ' ']).next().map(str::to_string).filter(|s| !s.is_empty())
}

fn family(face: &ttf_parser::Face<'_>, file: &str) -> String {
    name(face, ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
        .or_else(|| name(face, ttf_parser::name_id::FAMILY))
        .unwrap_or_else(|| file.rsplit_once('.').map_or(file, |(s, _)| s).to_string())
}

/// Decide the fonts for a book whose text needs `usage`. Problems go to `report`.
pub(crate) fn plan(
    project: &Project,
    fonts: &StyleFonts,
    style_file: &Path,
    usage: &Usage,
    subset: bool,
    report: &mut Report,
) -> Option<Plan> {
    let faces = [
        (Face::Regular, &fonts.regular),
        (Face::Italic, &fonts.italic),
        (Face::Bold, &fonts.bold),
        (Face::BoldItalic, &fonts.bold_italic),
    ];
    let errors = report.errors();
    let mut chosen: Vec<(Loaded, bool, bool)> = Vec::new();
    for (face, file) in faces {
        // The regular face is always in: the reading system falls back to it for text
        // that the CSS of a project's own style sets in ways Tribune cannot foresee.
        if face != Face::Regular && !usage.uses(face) {
            continue;
        }
        match load(project, file, style_file) {
            Ok(l) => chosen.push((
                l,
                matches!(face, Face::Bold | Face::BoldItalic),
                matches!(face, Face::Italic | Face::BoldItalic),
            )),
            Err(d) => report.push(d),
        }
    }
    if report.errors() > errors {
        return None;
    }
    let regular_face = chosen.first()?.0.face()?;
    let mut fallbacks: Vec<(Loaded, Vec<char>)> = Vec::new();
    for file in &fonts.fallback {
        match load(project, file, style_file) {
            Ok(l) => fallbacks.push((l, Vec::new())),
            Err(d) => report.push(d),
        }
    }
    if report.errors() > errors {
        return None;
    }
    let mut missing = Vec::new();
    {
        let parsed: Vec<Option<ttf_parser::Face<'_>>> = fallbacks.iter().map(|(l, _)| l.face()).collect();
        let mut takes: Vec<Vec<char>> = vec![Vec::new(); parsed.len()];
        for (&c, (file, line)) in usage.chars() {
            if invisible(c) || regular_face.glyph_index(c).is_some() {
                continue;
            }
            match parsed.iter().position(|f| f.as_ref().is_some_and(|f| f.glyph_index(c).is_some())) {
                Some(i) => takes[i].push(c),
                None => missing.push((c, file.clone(), *line)),
            }
        }
        for (slot, t) in fallbacks.iter_mut().zip(takes) {
            slot.1 = t;
        }
    }
    let mut embedded = Vec::new();
    let mut families = Vec::new();
    let mut add = |l: &Loaded, bold: bool, italic: bool, families: &mut Vec<String>| {
        let face = l.face();
        let family = face.as_ref().map(|f| family(f, &l.file)).unwrap_or_else(|| l.file.clone());
        if !families.contains(&family) {
            families.push(family.clone());
        }
        embedded.push(Embedded {
            file: l.file.clone(),
            href: format!("fonts/{}", l.file),
            media_type: l.media_type,
            bytes: l.bytes.clone(),
            family,
            version: face.as_ref().and_then(version),
            bold,
            italic,
        });
    };
    for (l, bold, italic) in &chosen {
        add(l, *bold, *italic, &mut families);
    }
    for (l, takes) in &fallbacks {
        if takes.is_empty() {
            continue;
        }
        add(l, false, false, &mut families);
        // Bold text in the fallback's script (an Arabic title, `**…**` in Hebrew) is set
        // from its bold twin, `X-Bold.ttf` beside `X-Regular.ttf`, as in print; without it
        // the reading system would embolden the regular face.
        let twin = l.file.strip_suffix("-Regular.ttf").map(|stem| format!("{stem}-Bold.ttf"));
        let Some(twin) = twin.filter(|t| takes.iter().any(|c| usage.in_bold(*c)) && assets::font(project, t).is_some())
        else {
            continue;
        };
        match load(project, &twin, style_file) {
            Ok(t) => add(&t, true, false, &mut families),
            Err(d) => report.push(d),
        }
    }
    if report.errors() > errors {
        return None;
    }
    let licences = licences(project, &embedded);
    Some(Plan { embedded, families, licences, missing, subset })
}

/// The licence files a project or Tribune has: `fonts/OFL-<Prefix>.txt` and `fonts/OFL.txt`.
fn licence_files(project: &Project) -> Vec<String> {
    let mut names: Vec<String> =
        assets::bundled_in("fonts").filter_map(|n| n.strip_prefix("fonts/")).map(str::to_string).collect();
    if let Ok(rd) = std::fs::read_dir(project.root.join("fonts")) {
        names.extend(rd.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()));
    }
    names.retain(|n| {
        let l = n.to_ascii_lowercase();
        l.starts_with("ofl") && l.ends_with(".txt")
    });
    names.sort();
    names.dedup();
    names
}

/// The licence file for a font file: the `OFL-<Prefix>.txt` with the longest prefix of the
/// font's file name, else a plain `OFL.txt`.
fn licence_file_for<'a>(font: &str, files: &'a [String]) -> Option<&'a String> {
    let prefixed = files
        .iter()
        .filter_map(|f| {
            let stem = f.strip_suffix(".txt").or_else(|| f.strip_suffix(".TXT"))?;
            let prefix = stem.get(4..).filter(|_| stem.get(3..4) == Some("-"))?;
            (!prefix.is_empty() && font.starts_with(prefix)).then_some((prefix.len(), f))
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, f)| f);
    prefixed.or_else(|| files.iter().find(|f| f.eq_ignore_ascii_case("ofl.txt")))
}

fn licence_name(text: &str) -> Option<String> {
    let t = text.to_ascii_lowercase();
    if !t.contains("open font license") {
        return None;
    }
    Some(if t.contains("version 1.1") { "SIL Open Font License 1.1" } else { "SIL Open Font License" }.to_string())
}

/// The licences of the embedded fonts, one per distinct text, with the families under it.
/// The OFL asks that the licence travel with the fonts; the package carries it as a page.
fn licences(project: &Project, embedded: &[Embedded]) -> Vec<Licence> {
    let files = licence_files(project);
    let mut out: Vec<Licence> = Vec::new();
    for e in embedded {
        let text = match licence_file_for(&e.file, &files) {
            Some(f) => assets::font(project, f).map(|b| String::from_utf8_lossy(&b).into_owned()),
            // Without a licence file, what the font says of itself.
            None => ttf_parser::Face::parse(&e.bytes, 0).ok().and_then(|f| {
                let parts: Vec<String> = [ttf_parser::name_id::COPYRIGHT_NOTICE, ttf_parser::name_id::LICENSE]
                    .into_iter()
                    .filter_map(|id| name(&f, id))
                    .collect();
                (!parts.is_empty()).then(|| parts.join("\n\n"))
            }),
        };
        let Some(text) = text.map(|t| t.trim().replace("\r\n", "\n")) else { continue };
        match out.iter_mut().find(|l| l.text == text) {
            Some(l) if !l.families.contains(&e.family) => l.families.push(e.family.clone()),
            Some(_) => {}
            None => out.push(Licence { families: vec![e.family.clone()], name: licence_name(&text), text }),
        }
    }
    out
}

/// Characters a reading system may draw that no document holds: list numbers and
/// bullets, the hyphen of automatic hyphenation, spaces.
pub(crate) const GENERATED: &str = " \u{A0}0123456789.-\u{2010}\u{2022}\u{25E6}\u{25AA}";

/// Add the characters of an XHTML document or a style sheet to `chars`: all of them,
/// markup too (alt texts, titles and generated content are in attributes and rules), with
/// character references decoded.
pub(crate) fn chars_of(text: &str, chars: &mut BTreeSet<char>) {
    // Each character is looked up in the tree once per document, not once per occurrence.
    let mut seen = CharBits::default();
    let mut add = |s: &str, chars: &mut BTreeSet<char>| {
        for c in s.chars() {
            if seen.mark(c) {
                chars.insert(c);
            }
        }
    };
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        add(&rest[..i], chars);
        rest = &rest[i..];
        let reference = rest.find(';').filter(|&end| end <= 12).map(|end| (&rest[1..end], end));
        let decoded = reference.and_then(|(name, end)| {
            let c = match name.strip_prefix('#') {
                Some(hex) if hex.starts_with(['x', 'X']) => {
                    u32::from_str_radix(&hex[1..], 16).ok().and_then(char::from_u32)
                }
                Some(dec) => dec.parse().ok().and_then(char::from_u32),
                None => None,
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                chars.insert(c);
                rest = &rest[end + 1..];
            }
            None => {
                chars.insert('&');
                rest = &rest[1..];
            }
        }
    }
    add(rest, chars);
}

/// A CSS string literal.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Plan {
    /// Whether `other` embeds the same files.
    pub(crate) fn same_fonts(&self, other: &Plan) -> bool {
        self.embedded.iter().map(|e| &e.file).eq(other.embedded.iter().map(|e| &e.file))
    }

    /// The `@font-face` rules and the font family of the whole book. They come after the
    /// style's own CSS (whose `@namespace` must stay first) and set the family on `html`,
    /// so a style sheet that names another family for `body` or any element still wins.
    pub(crate) fn css(&self) -> String {
        let mut css = String::from("\n/* Added by Tribune: the fonts embedded in this book. */\n");
        for e in &self.embedded {
            css.push_str(&format!(
                "@font-face {{\n  font-family: {};\n  font-style: {};\n  font-weight: {};\n  src: url({});\n}}\n",
                css_string(&e.family),
                if e.italic { "italic" } else { "normal" },
                if e.bold { "bold" } else { "normal" },
                css_string(&e.href),
            ));
        }
        let families: Vec<String> = self.families.iter().map(|f| css_string(f)).collect();
        css.push_str(&format!("html {{ font-family: {}, serif; }}\n", families.join(", ")));
        css
    }

    /// Each family once with its version, for the copyright page: `Gentium Book Plus 6.200`.
    pub(crate) fn family_lines(&self) -> Vec<(String, Option<&Licence>)> {
        let mut out: Vec<(String, Option<&Licence>)> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for e in &self.embedded {
            if seen.contains(&e.family.as_str()) {
                continue;
            }
            seen.push(&e.family);
            let label = match &e.version {
                Some(v) => format!("{} {v}", e.family),
                None => e.family.clone(),
            };
            out.push((label, self.licences.iter().find(|l| l.families.contains(&e.family))));
        }
        out
    }

    /// Cut every embedded font down to the glyphs its characters need, when the plan says
    /// so, with the `GSUB` features a reading system applies and those the style sheet
    /// `css` asks for. A regular face (the book's or a fallback) keeps every character of every
    /// document of the package, `all`: the reading system falls back to it for whatever
    /// the style sheet does not set in another face (navigation, alt text, its own
    /// labels). A bold or italic face keeps the characters the text sets in it, and those
    /// a reading system may generate ([`GENERATED`]). A font that cannot be subset (CFF
    /// outlines, a damaged table) goes in whole, with a warning.
    pub(crate) fn subset(
        &mut self,
        all: &BTreeSet<char>,
        usage: &Usage,
        css: &str,
        style_file: &Path,
        report: &mut Report,
    ) {
        if !self.subset {
            return;
        }
        let features = crate::fontsubset::css_features(css);
        for e in &mut self.embedded {
            let chars: BTreeSet<char> = match (e.bold, e.italic) {
                (false, false) => all.clone(),
                (bold, italic) => {
                    let mut set: BTreeSet<char> = GENERATED.chars().collect();
                    set.extend(usage.in_face(Face::of(bold, italic)));
                    // A bold twin of a fallback also sets bold italic text.
                    if bold && !italic {
                        set.extend(usage.in_face(Face::BoldItalic));
                    }
                    set
                }
            };
            match crate::fontsubset::subset(&e.bytes, &chars, &features) {
                Ok(bytes) => e.bytes = Cow::Owned(bytes),
                Err(why) => report.push(
                    Diagnostic::warning(Kind::Value, format!("the font `{}` is embedded whole: {why}", e.file))
                        .at_file(style_file)
                        .with_hint("use a TrueType (glyf) font, or set `[epub] embed_fonts = \"full\"` in the style"),
                ),
            }
        }
    }

    pub(crate) fn report_missing(&self, report: &mut Report) {
        for (c, file, line) in &self.missing {
            let d = Diagnostic::warning(
                Kind::Content,
                format!("the character `{c}` (U+{:04X}) is in none of the book's fonts", *c as u32),
            )
            .with_hint("readers' apps show it in a font of their own, or not at all; add a fallback font that has it to the style's [fonts]");
            report.push(if *line > 0 { d.at(file, None, *line, None) } else { d.at_file(file) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_files_are_found_by_the_longest_prefix() {
        let files: Vec<String> =
            ["OFL-Gentium.txt", "OFL-GentiumBookPlus.txt", "OFL-Noto.txt", "OFL.txt"].map(String::from).to_vec();
        assert_eq!(licence_file_for("GentiumBookPlus-Bold.ttf", &files).unwrap(), "OFL-GentiumBookPlus.txt");
        assert_eq!(licence_file_for("NotoSansSymbols2-Regular.ttf", &files).unwrap(), "OFL-Noto.txt");
        assert_eq!(licence_file_for("Other.ttf", &files).unwrap(), "OFL.txt");
        assert_eq!(licence_file_for("Other.ttf", &files[..3]), None);
    }

    #[test]
    fn licence_names_and_css_strings() {
        assert_eq!(
            licence_name("licensed under the SIL Open Font License, Version 1.1.").unwrap(),
            "SIL Open Font License 1.1"
        );
        assert_eq!(licence_name("All rights reserved"), None);
        assert_eq!(css_string("A \"B\" \\ C"), "\"A \\\"B\\\" \\\\ C\"");
    }

    fn usage_of(text: &str, bold: bool) -> Usage {
        let mut usage = Usage::default();
        let mut w =
            crate::xhtml::Writer::new(&mut usage, Path::new("books/speeches/a.md"), &crate::lang::Lang::of("de"));
        w.at_line(7);
        let set = if bold { crate::xhtml::Set::Bold } else { crate::xhtml::Set::Inherit };
        w.element("p", &[], set, |w| w.text(text));
        usage
    }

    #[test]
    fn fallbacks_only_for_characters_the_book_face_lacks_and_the_rest_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("books")).unwrap();
        let project = Project::at(dir.path().to_path_buf()).unwrap();
        let fonts = StyleFonts::default();
        let style = Path::new("styles/default.toml");
        let mut report = Report::default();

        let p = plan(&project, &fonts, style, &usage_of("Solidarität – Қайрат", false), false, &mut report).unwrap();
        assert_eq!(p.embedded.iter().map(|e| e.file.as_str()).collect::<Vec<_>>(), [fonts.regular.as_str()]);
        assert!(p.missing.is_empty() && p.families.len() == 1);
        assert!(p.css().contains("@font-face") && p.css().contains("html { font-family: "));
        assert!(p.licences[0].name.as_deref() == Some("SIL Open Font License 1.1"));

        // ★ is in the symbol fallback; U+10FFFD (private use) is in no font.
        let p = plan(&project, &fonts, style, &usage_of("Stern ★ \u{10FFFD}", true), false, &mut report).unwrap();
        let files: Vec<&str> = p.embedded.iter().map(|e| e.file.as_str()).collect();
        assert_eq!(files, [fonts.regular.as_str(), fonts.bold.as_str(), fonts.fallback[0].as_str()]);
        assert_eq!(p.families.len(), 2, "{:?}", p.families);
        assert_eq!(p.missing, [('\u{10FFFD}', PathBuf::from("books/speeches/a.md"), 7)]);
        p.report_missing(&mut report);
        assert_eq!(report.warnings(), 1);
        assert!(report.items[0].message.contains("U+10FFFD"));
        assert_eq!(report.errors(), 0);
    }

    #[test]
    fn bold_text_in_a_fallback_script_brings_the_fallback_s_bold_twin() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("books")).unwrap();
        let project = Project::at(dir.path().to_path_buf()).unwrap();
        let fonts = StyleFonts::default();
        let style = Path::new("styles/default.toml");
        let mut report = Report::default();
        let files = |p: &Plan| p.embedded.iter().map(|e| e.file.clone()).collect::<Vec<_>>();
        let hebrew = fonts.fallback.iter().find(|f| f.starts_with("NotoSerifHebrew")).unwrap().clone();
        let arabic = fonts.fallback.iter().find(|f| f.starts_with("NotoNaskhArabic")).unwrap().clone();

        // Regular Hebrew: the fallback alone.
        let p = plan(&project, &fonts, style, &usage_of("שלום", false), false, &mut report).unwrap();
        assert_eq!(files(&p), [fonts.regular.clone(), hebrew.clone()]);
        // Bold Hebrew: its bold twin too, under the same family, in bold.
        let p = plan(&project, &fonts, style, &usage_of("שלום", true), false, &mut report).unwrap();
        let twin = hebrew.replace("-Regular", "-Bold");
        assert_eq!(files(&p), [fonts.regular.clone(), fonts.bold.clone(), hebrew.clone(), twin.clone()]);
        let e = p.embedded.iter().find(|e| e.file == twin).unwrap();
        assert!(e.bold && !e.italic && e.family == p.embedded[2].family);
        assert_eq!(p.families.len(), 2, "{:?}", p.families);
        assert!(p.css().contains(&format!("font-weight: bold;\n  src: url(\"fonts/{twin}\")")), "{}", p.css());
        // Bold Latin with regular Arabic: no twin.
        let mut usage = usage_of("سلام", false);
        let mut w = crate::xhtml::Writer::new(&mut usage, Path::new("a.md"), &crate::lang::Lang::of("ar"));
        w.element("h1", &[], crate::xhtml::Set::Bold, |w| w.text("Title"));
        let p = plan(&project, &fonts, style, &usage, false, &mut report).unwrap();
        assert_eq!(files(&p), [fonts.regular.clone(), fonts.bold.clone(), arabic]);
        assert_eq!(report.errors(), 0);
    }

    #[test]
    fn a_font_that_is_not_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("books")).unwrap();
        std::fs::create_dir_all(dir.path().join("fonts")).unwrap();
        std::fs::write(dir.path().join("fonts/Broken.ttf"), b"\0\x01\0\0 not a font").unwrap();
        let project = Project::at(dir.path().to_path_buf()).unwrap();
        let fonts = StyleFonts { regular: "Broken.ttf".into(), ..StyleFonts::default() };
        let mut report = Report::default();
        assert!(
            plan(&project, &fonts, Path::new("styles/default.toml"), &Usage::default(), false, &mut report).is_none()
        );
        assert!(report.items[0].message.contains("`Broken.ttf` is not a TrueType or OpenType font"));
    }

    #[test]
    fn bundled_fonts_have_names_and_versions() {
        let name = crate::style::Fonts::default().regular;
        let bytes = assets::bundled(&format!("fonts/{name}")).expect("the default font is bundled");
        let face = ttf_parser::Face::parse(bytes, 0).unwrap();
        assert!(!family(&face, &name).is_empty());
        assert!(version(&face).is_some_and(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit())));
    }
}
