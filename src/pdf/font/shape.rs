//! Shaping with OpenType features (kerning, ligatures, language forms) through harfrust,
//! one run of one face, language and script at a time, with a cache of shaped words:
//! prose repeats its words, so most words are shaped once per book.

use super::{FaceId, FontSet};
use harfrust::{Buffer, Direction, Feature, Language, ShapeOptions, ShapePlan, ShaperFont, Tag};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;

/// One glyph of shaped text, in font units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ShapedGlyph {
    pub(crate) id: u16,
    pub(crate) advance: f32,
    pub(crate) dx: f32,
    pub(crate) dy: f32,
    /// Byte offset in the shaped text of the first character this glyph stands for.
    pub(crate) cluster: u32,
}

/// A shaped piece of text in one face.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapedText {
    pub(crate) face: FaceId,
    pub(crate) text: String,
    pub(crate) glyphs: Vec<ShapedGlyph>,
    /// Sum of advances, font units.
    pub(crate) width: f32,
    /// Shaped right to left (Arabic, Hebrew, …): the glyphs are in visual order, their
    /// clusters falling.
    pub(crate) rtl: bool,
}

impl ShapedText {
    /// The text each glyph stands for: a ligature stands for all its characters; in a
    /// cluster of several glyphs (a letter and its marks), a glyph that is the character
    /// map's glyph for one of the cluster's characters stands for that character, and the
    /// rest goes to the first glyph (the last, in right-to-left text), so that a letter's
    /// glyph never carries a mark it does not show.
    pub(crate) fn glyph_texts(&self, face: &super::Face) -> Vec<(u16, String)> {
        let n = self.glyphs.len();
        let mut out = Vec::with_capacity(n);
        // Where each cluster ends: the next cluster start in the text (sorted once, so a
        // line of a million glyphs, as a code block may have, takes no quadratic time).
        let mut starts: Vec<usize> = self.glyphs.iter().map(|g| g.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let mut i = 0;
        while i < n {
            let cluster = self.glyphs[i].cluster;
            let mut j = i + 1;
            while j < n && self.glyphs[j].cluster == cluster {
                j += 1;
            }
            let start = cluster as usize;
            // The cluster ends where the next one in the text begins.
            let end = starts.get(starts.partition_point(|&c| c <= start)).copied();
            let text = self.text.get(start..end.unwrap_or(self.text.len())).unwrap_or("");
            if j - i == 1 {
                out.push((self.glyphs[i].id, text.to_string()));
            } else {
                let mut rest: Vec<char> = text.chars().collect();
                let carrier = if self.rtl { j - 1 } else { i };
                let mut own = vec![String::new(); j - i];
                for k in (i..j).filter(|&k| k != carrier) {
                    if let Some(p) = rest.iter().position(|&c| face.glyph(c) == Some(self.glyphs[k].id)) {
                        own[k - i] = rest.remove(p).to_string();
                    }
                }
                // A glyph for several marks at once (shadda with fatha) has no character
                // of its own in the font: it stands for the cluster's marks.
                if self.rtl && rest.iter().any(|c| is_rtl_mark(*c)) {
                    if let Some(k) = (i..j).find(|&k| k != carrier && own[k - i].is_empty()) {
                        own[k - i] = rest.iter().filter(|c| is_rtl_mark(**c)).collect();
                        rest.retain(|c| !is_rtl_mark(*c));
                    }
                }
                own[carrier - i] = rest.into_iter().collect();
                out.extend((i..j).map(|k| (self.glyphs[k].id, std::mem::take(&mut own[k - i]))));
            }
            i = j;
        }
        // Right to left, the vowel marks (optional in Arabic and Hebrew writing) stay out
        // of the text layer of their letters: extractors place a mark by where it is
        // drawn, before or away from its letter, and break the word there. A glyph that is
        // a mark alone keeps it: every glyph shown maps to Unicode (PDF/UA-1, 7.21.7).
        if self.rtl {
            for (_, t) in &mut out {
                if t.chars().any(|c| !is_rtl_mark(c)) {
                    t.retain(|c| !is_rtl_mark(c));
                }
            }
        }
        out
    }
}

/// How letters are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// As written.
    Normal,
    /// Lower-case letters as small capitals (`smcp`).
    SmallCaps,
}

#[derive(PartialEq, Eq, Hash)]
struct PlanKey {
    face: FaceId,
    direction: Direction,
    script: Option<harfrust::Script>,
    lang: String,
    case: Case,
}

/// The words shaped while recording: each once, in the order first used.
#[derive(Default)]
struct Recording {
    seen: FxHashMap<*const ShapedText, ()>,
    order: Vec<Arc<ShapedText>>,
}

/// Shapes text with the faces of a [`FontSet`], caching plans and shaped words.
pub struct Shaper<'f> {
    fonts: &'f FontSet,
    shapers: Vec<ShaperFont<'f, 'static>>,
    plans: HashMap<PlanKey, ShapePlan>,
    words: FxHashMap<(FaceId, u16, Case), FxHashMap<String, Arc<ShapedText>>>,
    langs: Vec<String>,
    buffer: Option<Buffer>,
    /// The text each glyph stands for, for the PDF's ToUnicode maps (first use wins).
    pub glyph_texts: BTreeMap<(FaceId, u16), String>,
    /// While a unit is recorded ([`Shaper::record`]): every word it shaped, cached or not,
    /// in the order first used, so its glyph texts can be told apart from other units'.
    recording: Option<Recording>,
    pub(crate) hits: u64,
    pub(crate) misses: u64,
}

impl<'f> Shaper<'f> {
    pub(crate) fn new(fonts: &'f FontSet) -> Shaper<'f> {
        Shaper {
            fonts,
            shapers: fonts.faces.iter().map(|f| ShaperFont::new(&f.font)).collect(),
            plans: HashMap::new(),
            words: FxHashMap::default(),
            langs: Vec::new(),
            buffer: Some(Buffer::new()),
            glyph_texts: BTreeMap::new(),
            recording: None,
            hits: 0,
            misses: 0,
        }
    }

    pub(crate) fn fonts(&self) -> &'f FontSet {
        self.fonts
    }

    /// A small number standing for a language tag, for cache keys.
    pub(crate) fn lang_id(&mut self, lang: &str) -> u16 {
        match self.langs.iter().position(|l| l == lang) {
            Some(i) => i as u16,
            None => {
                self.langs.push(lang.to_string());
                (self.langs.len() - 1) as u16
            }
        }
    }

    /// Shape `text` (no line breaks inside) in `face` for language `lang`, from the cache
    /// when the same word was shaped before.
    pub(crate) fn shape(&mut self, face: FaceId, lang: &str, case: Case, text: &str) -> Arc<ShapedText> {
        let key = (face, self.lang_id(lang), case);
        if let Some(s) = self.words.get(&key).and_then(|m| m.get(text)) {
            self.hits += 1;
            let s = s.clone();
            self.note(&s);
            return s;
        }
        self.misses += 1;
        let shaped = Arc::new(self.shape_uncached(face, lang, case, text));
        for (g, t) in shaped.glyph_texts(self.fonts.face(face)) {
            if !t.is_empty() {
                self.glyph_texts.entry((face, g)).or_insert(t);
            }
        }
        self.note(&shaped);
        self.words.entry(key).or_default().insert(text.to_string(), shaped.clone());
        shaped
    }

    fn note(&mut self, s: &Arc<ShapedText>) {
        if let Some(r) = &mut self.recording {
            if r.seen.insert(Arc::as_ptr(s), ()).is_none() {
                r.order.push(s.clone());
            }
        }
    }

    /// Start recording the words shaped, for [`Shaper::recorded`].
    pub(crate) fn record(&mut self) {
        self.recording = Some(Default::default());
    }

    /// The glyph texts of the words shaped since [`Shaper::record`], first use winning as
    /// in [`Shaper::glyph_texts`]: what this stretch of work alone would have added to an
    /// empty map, whatever the word cache held before it. Recording stops.
    pub(crate) fn recorded(&mut self) -> BTreeMap<(FaceId, u16), String> {
        let mut texts = BTreeMap::new();
        let Some(r) = self.recording.take() else { return texts };
        for s in r.order {
            for (g, t) in s.glyph_texts(self.fonts.face(s.face)) {
                if !t.is_empty() {
                    texts.entry((s.face, g)).or_insert(t);
                }
            }
        }
        texts
    }

    fn shape_uncached(&mut self, face: FaceId, lang: &str, case: Case, text: &str) -> ShapedText {
        let mut buffer = self.buffer.take().unwrap_or_default();
        buffer.clear();
        buffer.push_str(text);
        // The direction follows the script (Arabic and Hebrew right to left); text of no
        // script (digits, punctuation) is shaped left to right.
        buffer.set_direction(Direction::Invalid);
        buffer.guess_segment_properties();
        // Right to left only with a right-to-left letter: figures (Arabic-Indic ones too)
        // and punctuation read left to right whatever their script.
        if buffer.direction() == Direction::RightToLeft && !text.chars().any(strong_rtl) {
            buffer.set_direction(Direction::LeftToRight);
        }
        let direction = buffer.direction();
        let mut rtl = direction == Direction::RightToLeft;
        let language = Language::from_str(lang).ok();
        buffer.set_language(language.clone());
        let key = PlanKey { face, direction, script: buffer.script(), lang: lang.to_string(), case };
        let features = features(case);
        let fonts = self.fonts;
        let plan = self.plans.entry(key).or_insert_with(|| {
            ShapePlan::new(&fonts.face(face).font, direction, buffer.script(), language.as_ref(), &features)
        });
        let shaper = &self.shapers[face.0 as usize];
        let mut glyphs = Vec::new();
        let mut width = 0.0;
        match harfrust::shape(shaper, &mut buffer, ShapeOptions::new().plan(Some(plan)).features(&features)) {
            Ok(()) => {
                for (i, p) in buffer.glyph_infos().iter().zip(buffer.glyph_positions()) {
                    let advance = p.x_advance as f32;
                    width += advance;
                    glyphs.push(ShapedGlyph {
                        id: i.glyph_id.min(u16::MAX as u32) as u16,
                        advance,
                        dx: p.x_offset as f32,
                        dy: p.y_offset as f32,
                        cluster: i.cluster,
                    });
                }
            }
            Err(_) => {
                // A font harfrust cannot shape with: set the characters one by one from the
                // character map, without features, rather than lose the text.
                rtl = false;
                let f = fonts.face(face);
                for (offset, c) in text.char_indices() {
                    let id = f.glyph(c).unwrap_or(0);
                    let advance = f.advance(id);
                    width += advance;
                    glyphs.push(ShapedGlyph { id, advance, dx: 0.0, dy: 0.0, cluster: offset as u32 });
                }
            }
        }
        buffer.clear();
        self.buffer = Some(buffer);
        ShapedText { face, text: text.to_string(), glyphs, width, rtl }
    }
}

/// Whether `c` is a vowel or cantillation mark of Arabic or Hebrew (harakat, tanwin,
/// shadda, sukun, the superscript alef, niqqud, teamim).
fn is_rtl_mark(c: char) -> bool {
    matches!(c, '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}'
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

/// Whether `c` is a right-to-left letter (bidirectional class R or AL).
pub(crate) fn strong_rtl(c: char) -> bool {
    matches!(unicode_bidi::bidi_class(c), unicode_bidi::BidiClass::R | unicode_bidi::BidiClass::AL)
}

fn features(case: Case) -> Vec<Feature> {
    let mut f = vec![Feature::new(Tag::new(b"kern"), 1, ..), Feature::new(Tag::new(b"liga"), 1, ..)];
    if case == Case::SmallCaps {
        f.push(Feature::new(Tag::new(b"smcp"), 1, ..));
    }
    f
}
