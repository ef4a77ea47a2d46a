//! The book's fonts for print: the four faces of the style's family plus fallbacks, loaded
//! from the project's `fonts/` or the bundled ones, with the metrics the layout and the PDF
//! writer need. Which face sets a character is decided here (fallback per character).

mod shape;

#[cfg(test)]
pub(crate) use shape::strong_rtl;
pub use shape::Case;
pub(crate) use shape::{ShapedText, Shaper};

use crate::assets;
use crate::diagnostics::{Diagnostic, Kind};
use crate::project::Project;
use crate::style::Fonts;
use harfrust::Font;
use std::borrow::Cow;

/// Index of a face in the [`FontSet`]: 0–3 are regular, italic, bold and bold italic; the
/// fallbacks follow; the monospace face (when the style names one) comes last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaceId(pub u16);

impl FaceId {
    /// The regular face of the family.
    pub const REGULAR: FaceId = FaceId(0);
    /// The italic face.
    pub const ITALIC: FaceId = FaceId(1);
    /// The bold face.
    pub const BOLD: FaceId = FaceId(2);
    /// The bold italic face.
    pub const BOLD_ITALIC: FaceId = FaceId(3);

    /// The face of the family for a style.
    pub(crate) fn of(bold: bool, italic: bool) -> FaceId {
        FaceId(u16::from(italic) + 2 * u16::from(bold))
    }
}

pub(crate) struct Face {
    /// The file name in `fonts/`.
    pub(crate) file: String,
    /// For the PDF's `/BaseFont`: the file stem, with anything PDF names cannot hold removed.
    pub(crate) postscript_name: String,
    /// The family name from the font's name table (for the copyright page).
    pub(crate) family: String,
    pub(crate) data: Cow<'static, [u8]>,
    pub(crate) font: Font,
    pub(crate) units_per_em: f32,
    pub(crate) ascender: f32,
    pub(crate) descender: f32,
    pub(crate) cap_height: f32,
    pub(crate) x_height: f32,
    pub(crate) italic_angle: f32,
    pub(crate) bbox: [f32; 4],
    pub(crate) fixed_pitch: bool,
    pub(crate) serif: bool,
    /// Advance widths of all glyphs, font units (read once: the writer and the layout ask
    /// for them for every glyph they place).
    advances: Vec<f32>,
    /// Glyphs of the ASCII characters, looked up once: the layout asks for the space's on
    /// every word space it sets.
    ascii: [Option<u16>; 128],
}

impl Face {
    fn load(project: &Project, file: &str) -> Result<Face, Diagnostic> {
        let data = assets::font(project, file).ok_or_else(|| {
            Diagnostic::error(Kind::Missing, format!("the font file `{file}` is neither in fonts/ nor bundled"))
                .with_hint("put the file into the project's fonts/ folder or name a bundled font in the style")
        })?;
        let font = match &data {
            Cow::Borrowed(b) => Font::new(*b, 0),
            Cow::Owned(v) => Font::new(v.clone(), 0),
        }
        .ok_or_else(|| {
            Diagnostic::error(Kind::Value, format!("`{file}` is not a font Tribune can read"))
                .at_file(format!("fonts/{file}"))
                .with_hint("use an OpenType font with TrueType outlines (.ttf)")
        })?;
        let m = font.metrics();
        let upem = m.units_per_em as f32;
        let line = m.typo_line.or(m.hhea_line);
        let (ascender, descender) =
            line.map(|l| (l.ascender.to_f32(), l.descender.to_f32())).unwrap_or((0.8 * upem, -0.2 * upem));
        let style = font.style_metrics();
        let bbox = m.bounds;
        let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(file);
        let postscript_name: String =
            stem.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        let family = ttf_parser::Face::parse(&data, 0)
            .ok()
            .and_then(|f| {
                let names = f.names();
                [ttf_parser::name_id::TYPOGRAPHIC_FAMILY, ttf_parser::name_id::FAMILY]
                    .iter()
                    .find_map(|id| names.into_iter().filter(|n| n.name_id == *id).find_map(|n| n.to_string()))
            })
            .unwrap_or_else(|| stem.to_string());
        Ok(Face {
            file: file.to_string(),
            postscript_name,
            family,
            units_per_em: upem,
            ascender,
            descender,
            cap_height: m.cap_height.map(|v| v.to_f32()).unwrap_or(0.7 * upem),
            x_height: m.x_height.map(|v| v.to_f32()).unwrap_or(0.45 * upem),
            italic_angle: style.italic_angle.map(|a| a.to_f32()).unwrap_or(0.0),
            bbox: [bbox.x_min.to_f32(), bbox.y_min.to_f32(), bbox.x_max.to_f32(), bbox.y_max.to_f32()],
            fixed_pitch: style.is_fixed_pitch.unwrap_or(false),
            serif: !file.to_ascii_lowercase().contains("sans"),
            advances: {
                let gm = font.glyph_metrics();
                (0..m.num_glyphs.min(u16::MAX as u32 + 1)).map(|g| gm.h_advance(harfrust::GlyphId::new(g))).collect()
            },
            ascii: std::array::from_fn(|c| cmap_glyph(&font, c as u32)),
            font,
            data,
        })
    }

    /// The glyph for `c`, if the face has one.
    pub(crate) fn glyph(&self, c: char) -> Option<u16> {
        match self.ascii.get(c as usize) {
            Some(g) => *g,
            None => cmap_glyph(&self.font, c as u32),
        }
    }

    /// The advance of glyph `id` in font units.
    pub(crate) fn advance(&self, id: u16) -> f32 {
        self.advances.get(id as usize).copied().unwrap_or(0.0)
    }

    /// How many glyphs the face has.
    pub(crate) fn glyph_count(&self) -> usize {
        self.advances.len()
    }
}

/// The glyph the character map gives `c`, if any.
fn cmap_glyph(font: &Font, c: u32) -> Option<u16> {
    let id = font.charmap().map_unicode(c)?.to_u32();
    (id != 0).then(|| id.min(u16::MAX as u32) as u16)
}

/// The faces a book is set in, loaded: the family, its fallbacks and the monospace face.
pub struct FontSet {
    pub(crate) faces: Vec<Face>,
    /// Faces tried, in order, for characters the family lacks.
    pub(crate) fallbacks: Vec<FaceId>,
    pub(crate) monospace: Option<FaceId>,
    /// The bold twin of a fallback face (`X-Bold.ttf` beside `X-Regular.ttf`), which sets
    /// bold text (headings, `**strong**`) in scripts the family lacks; by fallback index.
    bold_fallbacks: Vec<Option<FaceId>>,
}

impl FontSet {
    /// Feed everything that decides how text is set in these faces into `h`: the faces'
    /// files and bytes and their roles (for the memo of set chapters).
    pub(crate) fn fingerprint(&self, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        for f in &self.faces {
            f.file.hash(h);
            f.data.hash(h);
        }
        (&self.fallbacks, self.monospace, &self.bold_fallbacks).hash(h);
    }

    /// Load the faces `fonts` names, from the project's `fonts/` or those bundled with Tribune.
    pub fn load(project: &Project, fonts: &Fonts) -> Result<FontSet, Diagnostic> {
        let mut faces = Vec::new();
        for f in [&fonts.regular, &fonts.italic, &fonts.bold, &fonts.bold_italic] {
            faces.push(Face::load(project, f)?);
        }
        let mut fallbacks = Vec::new();
        for f in &fonts.fallback {
            fallbacks.push(FaceId(faces.len() as u16));
            faces.push(Face::load(project, f)?);
        }
        let monospace = match &fonts.monospace {
            Some(f) => {
                faces.push(Face::load(project, f)?);
                Some(FaceId(faces.len() as u16 - 1))
            }
            None => None,
        };
        // Bold twins come last, so the faces before keep their numbers.
        let mut bold_fallbacks = Vec::new();
        for f in &fonts.fallback {
            let twin = f.strip_suffix("-Regular.ttf").map(|stem| format!("{stem}-Bold.ttf"));
            match twin.filter(|t| assets::font(project, t).is_some()) {
                Some(t) => {
                    bold_fallbacks.push(Some(FaceId(faces.len() as u16)));
                    faces.push(Face::load(project, &t)?);
                }
                None => bold_fallbacks.push(None),
            }
        }
        Ok(FontSet { faces, fallbacks, monospace, bold_fallbacks })
    }

    /// The default style's fonts, as bundled, for tests (with the empty project they are
    /// looked up from, which must live as long as they are used).
    #[cfg(test)]
    pub(crate) fn bundled() -> (tempfile::TempDir, FontSet) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir_all(dir.path().join("books")).expect("books/");
        let project = Project::at(dir.path().to_path_buf()).expect("a project");
        let fonts = FontSet::load(&project, &crate::style::Fonts::default()).expect("the bundled fonts");
        (dir, fonts)
    }

    /// The families a book shows that uses the fallback faces marked in `used` (by
    /// fallback index) and, when it has `code`, the monospace face: the book face's
    /// first (for the copyright page, which names the fonts).
    pub(crate) fn families(&self, used: &[bool], code: bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let listed = (0..4)
            .map(FaceId)
            .chain(self.monospace.filter(|_| code))
            .chain(self.fallbacks.iter().zip(used).filter(|(_, u)| **u).map(|(f, _)| *f));
        for id in listed {
            let family = &self.face(id).family;
            if !out.contains(family) {
                out.push(family.clone());
            }
        }
        out
    }

    pub(crate) fn face(&self, id: FaceId) -> &Face {
        &self.faces[id.0 as usize]
    }

    /// The face that sets `c` when `want` is asked for: `want` itself if it has the
    /// character, else the first fallback that has it; `None` when no face has it.
    pub(crate) fn face_for(&self, want: FaceId, c: char) -> Option<FaceId> {
        if self.face(want).glyph(c).is_some() || is_invisible(c) {
            return Some(want);
        }
        // A character the italic or bold lacks is better taken upright from the family
        // than from a foreign fallback face.
        if want != FaceId::REGULAR && want.0 < 4 && self.face(FaceId::REGULAR).glyph(c).is_some() {
            return Some(FaceId::REGULAR);
        }
        let i = self.fallbacks.iter().position(|f| self.face(*f).glyph(c).is_some())?;
        let bold = want == FaceId::BOLD || want == FaceId::BOLD_ITALIC;
        match self.bold_fallbacks.get(i) {
            Some(&Some(twin)) if bold => Some(twin),
            _ => Some(self.fallbacks[i]),
        }
    }
}

/// Characters that take no glyph of their own (joiners, variation selectors, marks of
/// direction): they stay with the text around them.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{AD}')
}
