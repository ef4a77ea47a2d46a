//! Writing the book's text as markup, shared by the EPUB (`crate::epub`, XHTML) and the
//! web edition (`crate::site`, HTML): escaping, the frame every EPUB content document
//! shares, the direction of text, and a writer that notes, while it writes, which font
//! faces and which characters the text needs, so the package or the site carries exactly
//! the faces and fallbacks the book uses. [`body`] writes a chapter, [`fonts`] plans the
//! fonts for that usage, [`images`] checks and names the image files.

pub(crate) mod body;
pub(crate) mod fonts;
pub(crate) mod images;
pub(crate) mod pagelist;

use crate::lang::Lang;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The style sheet every document links (the name epub-builder gives it).
pub(crate) const STYLESHEET: &str = "stylesheet.css";

/// Append `s` as XML text: `&`, `<`, `>` escaped, and characters that XML 1.0 forbids
/// (C0 controls other than tab and newline, U+FFFE, U+FFFF) left out, so no speech can
/// make a document that a reading system refuses to open.
pub(crate) fn escape_into(s: &str, out: &mut String) {
    // Runs of bytes that stand for themselves are copied whole; only the bytes that may
    // start something to change (markup characters, controls, and 0xEF, the lead byte of
    // U+FFFE and U+FFFF) are looked at as characters.
    let special = |b: u8| b < 0x20 || matches!(b, b'&' | b'<' | b'>' | b'"' | 0xEF);
    let mut rest = s;
    while let Some(i) = rest.bytes().position(special) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(c) = rest.chars().next() else { break };
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push('\n'),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(rest);
}

/// `s` escaped for XML text and attribute values (double-quoted).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(s, &mut out);
    out
}

/// The direction of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    Ltr,
    Rtl,
}

impl Dir {
    /// The direction of text in `lang`.
    pub(crate) fn of(lang: &Lang) -> Dir {
        if lang.is_rtl() {
            Dir::Rtl
        } else {
            Dir::Ltr
        }
    }

    /// The value of a `dir` attribute.
    pub(crate) fn attr(self) -> &'static str {
        match self {
            Dir::Ltr => "ltr",
            Dir::Rtl => "rtl",
        }
    }

    /// The direction of `text` when it has one; see [`Flow::of_text`].
    pub(crate) fn of_text(text: &str) -> Option<Dir> {
        Flow::of_text(text).dir()
    }
}

/// Which way a stretch of text runs, or several stretches taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// No strong character: it runs the way the text around it does.
    Neutral,
    One(Dir),
    /// Parts that run different ways, or a paragraph that opens one way and runs mostly
    /// the other.
    Mixed,
}

impl Flow {
    /// The direction of `text`: that of its first strong character (UAX #9, P2–P3, through
    /// `unicode-bidi`), provided most of its strong characters agree. A paragraph of an
    /// Arabic speech that opens with a Latin name (`COVID-19 هو …`) stays right to left, a
    /// German one that opens with an Arabic word left to right; a quotation wholly in the
    /// other script turns.
    pub(crate) fn of_text(text: &str) -> Flow {
        use unicode_bidi::{BidiClass, Direction};
        // Most text has no right-to-left character: a Latin letter then says it all.
        if !crate::bytescan::may_have_rtl(text) && text.bytes().any(|b| b.is_ascii_alphabetic()) {
            return Flow::One(Dir::Ltr);
        }
        let first = match unicode_bidi::get_base_direction(text) {
            Direction::Ltr => Dir::Ltr,
            Direction::Rtl => Dir::Rtl,
            Direction::Mixed => return Flow::Neutral,
        };
        let (mut ltr, mut rtl) = (0usize, 0usize);
        for c in text.chars() {
            match unicode_bidi::bidi_class(c) {
                BidiClass::L => ltr += 1,
                BidiClass::R | BidiClass::AL => rtl += 1,
                _ => {}
            }
        }
        let most = if rtl > ltr { Dir::Rtl } else { Dir::Ltr };
        if first == most {
            Flow::One(first)
        } else {
            Flow::Mixed
        }
    }

    /// Two stretches taken together.
    pub(crate) fn and(self, other: Flow) -> Flow {
        match (self, other) {
            (Flow::Neutral, f) | (f, Flow::Neutral) => f,
            (Flow::One(a), Flow::One(b)) if a == b => self,
            _ => Flow::Mixed,
        }
    }

    /// The one direction, if it has one.
    pub(crate) fn dir(self) -> Option<Dir> {
        match self {
            Flow::One(d) => Some(d),
            _ => None,
        }
    }
}

/// The four faces of the book's type family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Face {
    Regular,
    Italic,
    Bold,
    BoldItalic,
}

impl Face {
    pub(crate) fn of(bold: bool, italic: bool) -> Face {
        match (bold, italic) {
            (false, false) => Face::Regular,
            (false, true) => Face::Italic,
            (true, false) => Face::Bold,
            (true, true) => Face::BoldItalic,
        }
    }
}

/// How text inside an element is set, by the rules of the bundled style sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Set {
    /// As around it.
    Inherit,
    Bold,
    Italic,
    /// Italic and not bold (`h4`–`h6` in the style sheet).
    ItalicOnly,
    /// In the reading system's monospace font: none of the book's faces.
    Mono,
}

/// What the text of the whole book needs: faces, and the characters with the first place
/// each occurs (for a warning about a character no font has).
#[derive(Debug, Default, Clone)]
pub(crate) struct Usage {
    faces: [bool; 4],
    chars: BTreeMap<char, (PathBuf, usize)>,
    /// The characters set in bold (bold or bold italic), for the bold twins of fallbacks.
    bold: BTreeSet<char>,
    /// The characters set in each face, for the font subsets.
    by_face: [BTreeSet<char>; 4],
    /// What `by_face` already holds, as bits: a book's text is millions of characters and
    /// a few hundred distinct ones, and the trees looked up for each took two fifths of an
    /// EPUB build.
    marked: [CharBits; 4],
}

/// A set of characters as a bit per character of the Basic Multilingual Plane (8 KB,
/// made on the first mark), for telling at a glance whether a character was seen before.
#[derive(Debug, Default, Clone)]
pub(crate) struct CharBits(Vec<u64>);

impl CharBits {
    /// Mark `c`; whether it was not marked before. A character beyond the Basic
    /// Multilingual Plane is never marked (the answer is always yes), so callers keep
    /// whatever set they were keeping and only skip the work for characters seen before.
    #[inline]
    pub(crate) fn mark(&mut self, c: char) -> bool {
        let i = c as usize;
        if i >= 0x1_0000 {
            return true;
        }
        if self.0.is_empty() {
            self.0 = vec![0; 0x1_0000 / 64];
        }
        let (word, bit) = (&mut self.0[i / 64], 1u64 << (i % 64));
        let new = *word & bit == 0;
        *word |= bit;
        new
    }
}

impl Usage {
    pub(crate) fn uses(&self, face: Face) -> bool {
        self.faces[face as usize]
    }

    /// Every character set in the book's faces, with where it first occurs.
    pub(crate) fn chars(&self) -> &BTreeMap<char, (PathBuf, usize)> {
        &self.chars
    }

    /// Whether `c` is set in bold somewhere.
    pub(crate) fn in_bold(&self, c: char) -> bool {
        self.bold.contains(&c)
    }

    /// The characters set in `face`.
    pub(crate) fn in_face(&self, face: Face) -> &BTreeSet<char> {
        &self.by_face[face as usize]
    }

    /// Add what `later` counted, as if its text had been written after this one's: a
    /// character's first place stays the earlier one. Documents are counted each on its
    /// own and merged in reading order, so a document kept from an earlier build
    /// (`incremental`) brings its count with it.
    pub(crate) fn merge(&mut self, later: &Usage) {
        for (a, b) in self.faces.iter_mut().zip(later.faces) {
            *a |= b;
        }
        for (c, at) in &later.chars {
            if !self.chars.contains_key(c) {
                self.chars.insert(*c, at.clone());
            }
        }
        self.bold.extend(&later.bold);
        for (a, b) in self.by_face.iter_mut().zip(&later.by_face) {
            a.extend(b);
        }
    }
}

/// Which markup a [`Writer`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// XHTML for the EPUB: `epub:type`, `xml:lang`, `<br/>`.
    Xhtml,
    /// HTML for the web: the EPUB's own attributes (`epub:*`, `xml:lang`) left out,
    /// void elements without the slash. The ARIA roles say what `epub:type` said.
    Html,
}

/// One XHTML (or HTML) document being written.
pub(crate) struct Writer<'u> {
    out: String,
    syntax: Syntax,
    usage: &'u mut Usage,
    bold: bool,
    italic: bool,
    mono: bool,
    /// The direction of the text being written: the document's, or that of the nearest
    /// element open with a `dir`.
    dir: Dir,
    /// The set of the elements open (the state to return to when each closes).
    saved: Vec<(bool, bool, bool, Dir)>,
    /// Where the text being written comes from, for messages.
    file: PathBuf,
    line: usize,
}

impl<'u> Writer<'u> {
    /// A writer for the body of a document in `lang` (whose direction it starts in).
    pub(crate) fn new(usage: &'u mut Usage, file: &Path, lang: &Lang) -> Writer<'u> {
        Writer {
            out: String::with_capacity(16 * 1024),
            syntax: Syntax::Xhtml,
            usage,
            bold: false,
            italic: false,
            mono: false,
            dir: Dir::of(lang),
            saved: Vec::new(),
            file: file.to_path_buf(),
            line: 0,
        }
    }

    /// Write `syntax` from now on.
    pub(crate) fn with_syntax(mut self, syntax: Syntax) -> Self {
        self.syntax = syntax;
        self
    }

    /// The source line of what follows (0: not from a line of a source file).
    pub(crate) fn at_line(&mut self, line: usize) {
        self.line = line;
    }

    pub(crate) fn newline(&mut self) {
        self.out.push('\n');
    }

    /// `dir` for an element whose content runs `dir` (when known), if that is not the
    /// direction around it.
    pub(crate) fn dir_attr(&self, dir: Option<Dir>) -> Option<(&'static str, &'static str)> {
        dir.filter(|d| *d != self.dir).map(|d| ("dir", d.attr()))
    }

    /// `lang`, `xml:lang` and, when the language runs the other way, `dir`: the attributes
    /// of an element in `lang` inside text in another language.
    pub(crate) fn lang_attrs<'l>(&self, lang: &'l Lang) -> Vec<(&'static str, &'l str)> {
        let mut attrs = vec![("lang", lang.as_str()), ("xml:lang", lang.as_str())];
        attrs.extend(self.dir_attr(Some(Dir::of(lang))));
        attrs
    }

    /// Text that stands on its own (a title, a name, a source), isolated in a `span` with
    /// its own `dir` when it runs the other way, so its punctuation stays where it belongs
    /// while the line keeps the alignment of the text around it.
    pub(crate) fn isolated(&mut self, s: &str) {
        match self.dir_attr(Dir::of_text(s)) {
            Some(attr) => self.text_element("span", &[attr], Set::Inherit, s),
            None => self.text(s),
        }
    }

    /// Text of the book: escaped, and counted for faces and characters.
    pub(crate) fn text(&mut self, s: &str) {
        if !self.mono && s.chars().any(|c| !c.is_whitespace()) {
            let face = Face::of(self.bold, self.italic) as usize;
            self.usage.faces[face] = true;
            let u = &mut *self.usage;
            for c in s.chars() {
                // A character seen in this face before is in every set already.
                if !c.is_whitespace() && !c.is_control() && u.marked[face].mark(c) {
                    u.by_face[face].insert(c);
                    u.chars.entry(c).or_insert_with(|| (self.file.clone(), self.line));
                    if self.bold {
                        u.bold.insert(c);
                    }
                }
            }
        }
        escape_into(s, &mut self.out);
    }

    fn tag(&mut self, name: &str, attrs: &[(&str, &str)], close: bool) {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            if self.syntax == Syntax::Html && (k.starts_with("epub:") || *k == "xml:lang") {
                continue;
            }
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape_into(v, &mut self.out);
            self.out.push('"');
        }
        self.out.push_str(if close && self.syntax == Syntax::Xhtml { "/>" } else { ">" });
    }

    /// `<name …/>`
    pub(crate) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.tag(name, attrs, true);
    }

    /// `<name …>`, the text inside set as `set` says until the matching [`Writer::end`].
    /// A `dir` among the attributes sets the direction until then.
    pub(crate) fn start(&mut self, name: &str, attrs: &[(&str, &str)], set: Set) {
        self.saved.push((self.bold, self.italic, self.mono, self.dir));
        match attrs.iter().find(|(k, _)| *k == "dir").map(|(_, v)| *v) {
            Some("rtl") => self.dir = Dir::Rtl,
            Some("ltr") => self.dir = Dir::Ltr,
            _ => {}
        }
        match set {
            Set::Inherit => {}
            Set::Bold => self.bold = true,
            Set::Italic => self.italic = true,
            Set::ItalicOnly => (self.bold, self.italic) = (false, true),
            Set::Mono => self.mono = true,
        }
        self.tag(name, attrs, false);
    }

    /// `</name>`
    pub(crate) fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        if let Some(s) = self.saved.pop() {
            (self.bold, self.italic, self.mono, self.dir) = s;
        }
    }

    /// `<name …>` + what `f` writes + `</name>`.
    pub(crate) fn element(&mut self, name: &str, attrs: &[(&str, &str)], set: Set, f: impl FnOnce(&mut Self)) {
        self.start(name, attrs, set);
        f(self);
        self.end(name);
    }

    /// An element holding only text.
    pub(crate) fn text_element(&mut self, name: &str, attrs: &[(&str, &str)], set: Set, text: &str) {
        self.element(name, attrs, set, |w| w.text(text));
    }

    /// An element holding only text that stands on its own: the element keeps the
    /// direction around it (and so its alignment), the text is [isolated](Writer::isolated).
    pub(crate) fn isolated_element(&mut self, name: &str, attrs: &[(&str, &str)], set: Set, text: &str) {
        self.element(name, attrs, set, |w| w.isolated(text));
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// A whole XHTML content document: `body` inside the frame every page shares (language,
/// its direction when right to left, title, the style sheet).
pub(crate) fn document(lang: &Lang, title: &str, body_attrs: &[(&str, &str)], body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
    out.push_str("<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"");
    out.push_str(&format!(" lang=\"{0}\" xml:lang=\"{0}\"", escape(lang.as_str())));
    if Dir::of(lang) == Dir::Rtl {
        out.push_str(" dir=\"rtl\"");
    }
    out.push_str(">\n");
    out.push_str("<head>\n<meta charset=\"UTF-8\"/>\n<title>");
    escape_into(title.trim(), &mut out);
    out.push_str(&format!("</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"{STYLESHEET}\"/>\n</head>\n"));
    out.push_str("<body");
    for (k, v) in body_attrs {
        out.push_str(&format!(" {k}=\"{}\"", escape(v)));
    }
    out.push_str(">\n");
    out.push_str(body);
    out.push_str("\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_xml_well_formed() {
        assert_eq!(escape("a < b & \"c\" > d"), "a &lt; b &amp; &quot;c&quot; &gt; d");
        assert_eq!(escape("x\u{0}\u{8}y\u{b}\u{c}z\u{FFFF}"), "xyz");
        assert_eq!(escape("tab\there\r\n"), "tab\there\n\n");
    }

    #[test]
    fn the_writer_notes_faces_and_characters() {
        let mut usage = Usage::default();
        let mut w = Writer::new(&mut usage, Path::new("books/speeches/a.md"), &Lang::of("de"));
        w.at_line(3);
        w.element("p", &[("class", "x")], Set::Inherit, |w| {
            w.text("a ");
            w.element("em", &[], Set::Italic, |w| {
                w.element("strong", &[], Set::Bold, |w| w.text("b"));
            });
            w.element("code", &[], Set::Mono, |w| w.text("★"));
        });
        assert_eq!(w.finish(), "<p class=\"x\">a <em><strong>b</strong></em><code>★</code></p>");
        assert!(usage.uses(Face::Regular) && usage.uses(Face::BoldItalic));
        assert!(!usage.uses(Face::Bold) && !usage.uses(Face::Italic));
        assert_eq!(usage.chars().get(&'b'), Some(&(PathBuf::from("books/speeches/a.md"), 3)));
        assert!(!usage.chars().contains_key(&'★'), "code is set in the reading system's monospace font");
    }

    #[test]
    fn text_runs_the_way_its_first_strong_character_does_when_most_agree() {
        assert_eq!(Flow::of_text("Guten Tag"), Flow::One(Dir::Ltr));
        assert_eq!(Flow::of_text("«قال العامل: لن نستسلم»"), Flow::One(Dir::Rtl));
        assert_eq!(Flow::of_text("שלום"), Flow::One(Dir::Rtl));
        assert_eq!(Flow::of_text("1848 — 2021."), Flow::Neutral);
        // An Arabic paragraph that opens with a Latin name, a German one with an Arabic word.
        assert_eq!(Flow::of_text("COVID-19 كشف لنا هشاشة العمل وقوة التضامن"), Flow::Mixed);
        assert_eq!(Flow::of_text("سلام heißt Frieden, sagen wir"), Flow::Mixed);
        assert_eq!(Dir::of_text("COVID-19 كشف لنا هشاشة العمل"), None);
        let (rtl, ltr) = (Flow::One(Dir::Rtl), Flow::One(Dir::Ltr));
        assert_eq!(Flow::Neutral.and(rtl).and(Flow::Neutral), rtl);
        assert_eq!(rtl.and(ltr), Flow::Mixed);
        assert_eq!(Flow::Mixed.and(Flow::Neutral), Flow::Mixed);
        assert_eq!((Dir::of(&Lang::of("ar")), Dir::of(&Lang::of("de"))), (Dir::Rtl, Dir::Ltr));
    }

    #[test]
    fn the_writer_marks_what_runs_the_other_way() {
        let mut usage = Usage::default();
        let mut w = Writer::new(&mut usage, Path::new("x"), &Lang::of("ar"));
        w.isolated_element("h1", &[], Set::Bold, "Brot und Würde");
        w.isolated("قال");
        w.isolated("2021");
        let (de, en) = (Lang::of("de"), Lang::of("en"));
        let attrs = w.lang_attrs(&de);
        w.element("p", &attrs, Set::Inherit, |w| {
            w.isolated("Berlin");
            // Inside the German paragraph, the Arabic turns it back.
            w.isolated("سلام");
            let attrs = w.lang_attrs(&en);
            w.text_element("span", &attrs, Set::Inherit, "x");
        });
        assert_eq!(
            w.finish(),
            "<h1><span dir=\"ltr\">Brot und Würde</span></h1>قال2021\
             <p lang=\"de\" xml:lang=\"de\" dir=\"ltr\">Berlin<span dir=\"rtl\">سلام</span>\
             <span lang=\"en\" xml:lang=\"en\">x</span></p>"
        );
        assert!(usage.in_bold('B') && !usage.in_bold('ق'));
        let doc = document(&Lang::of("ar"), "t", &[], "");
        assert!(doc.contains("lang=\"ar\" xml:lang=\"ar\" dir=\"rtl\">"), "{doc}");
        assert!(!document(&Lang::of("de"), "t", &[], "").contains("dir="));
    }

    #[test]
    fn headings_h4_and_below_are_italic_not_bold() {
        let mut usage = Usage::default();
        let mut w = Writer::new(&mut usage, Path::new("x"), &Lang::of("de"));
        w.element("th", &[], Set::Bold, |w| w.element("h4", &[], Set::ItalicOnly, |w| w.text("x")));
        assert!(usage.uses(Face::Italic) && !usage.uses(Face::Bold));
    }
}
