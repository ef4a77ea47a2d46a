//! Page content streams: a page's marks as PDF operators, compressed. An [`Encoder`]
//! needs nothing of the writer's state (glyphs are shown by their glyph ids, which are the
//! CIDs of the embedded fonts), so pages are encoded on several threads while the writer
//! only numbers the objects and writes them out in page order.
//!
//! The operators are kept short, because deflate's time grows with the bytes it reads:
//! glyph codes are two-byte literal strings rather than four hex digits, a page's lines
//! share one text object, and the font, scaling and rise are set only when they change.

use super::print::PrintSetup;
use super::tags::{Event, ARTIFACT, FOOTER, HEADER};
use super::{pdf_y, push_num, Glyph, Link, Mark, Page};
use crate::diagnostics::{Diagnostic, Kind};
use crate::images::PdfImage;
use crate::pdf::font::{Face, FaceId, FontSet};
use crate::pdf::length::Pt;
use std::io::Write as _;
use std::sync::Arc;

/// Where a run of glyphs stands and how it is set.
#[derive(Clone, Copy)]
struct Run {
    face: FaceId,
    size: f32,
    x: f32,
    y: f32,
    hscale: f32,
}

/// A page made ready for the file: its compressed content stream and what the stream
/// refers to.
#[derive(Debug, Clone)]
pub(crate) struct Encoded {
    pub(crate) width: Pt,
    pub(crate) height: Pt,
    /// The content stream, zlib-compressed.
    pub(crate) content: Vec<u8>,
    /// Each face shown, with the glyph ids it shows here (each once, ascending).
    pub(crate) glyphs: Vec<(FaceId, Vec<u16>)>,
    /// Every image placement in order; the stream calls the n-th distinct key `/Im{n}`.
    pub(crate) images: Vec<Placed>,
    pub(crate) links: Vec<Link>,
    /// Tagged PDF: the structure elements opened and closed on the page and the owners of
    /// its MCIDs, in the order of the content.
    pub(crate) events: Vec<Event>,
}

/// An image as placed on a page.
#[derive(Debug, Clone)]
pub(crate) struct Placed {
    pub(crate) key: String,
    pub(crate) image: Arc<PdfImage>,
    pub(crate) width: Pt,
    pub(crate) height: Pt,
}

/// The width PDF readers give glyph `id` of `face`, in thousandths of the type size (to a
/// tenth): the value of the font's `W` array, which the pen of the content stream follows
/// so that rounding never accumulates along a line.
pub(super) fn width_1000(face: &Face, id: u16) -> f32 {
    round_i((face.advance(id) * 10_000.0 / face.units_per_em) as f64) as f32 / 10.0
}

/// `v` rounded half away from zero (saturating): `f64::round` is a call into libm on the
/// baseline x86-64 this is built for, and it ran for every glyph.
pub(super) fn round_i(v: f64) -> i64 {
    if v >= 0.0 {
        (v + 0.5) as i64
    } else {
        (v - 0.5) as i64
    }
}

/// The text state the stream has set, so that operators are written only on a change.
#[derive(Clone, Copy, PartialEq)]
struct TextState {
    font: Option<(FaceId, f32)>,
    /// Horizontal scaling, percent.
    scale: f32,
    rise: f32,
}

const INITIAL: TextState = TextState { font: None, scale: 100.0, rise: 0.0 };

/// Turns pages into [`Encoded`] pages; one per thread (it keeps a compressor and tables).
pub(crate) struct Encoder {
    /// Print editions: the colour black is 100 % K, and (`frame`) pages are shifted onto
    /// the trim with their marks around them.
    print: Option<PrintSetup>,
    frame: bool,
    /// Tagged PDF: content goes into marked-content sequences with MCIDs, or artifacts.
    tagged: bool,
    deflate: Deflater,
    /// By face id (made when the face is first shown).
    faces: Vec<FaceTables>,
    raw: Vec<u8>,
}

impl Encoder {
    /// `print`: the print edition's setup; `frame`: its pages become pages of the file (not
    /// forms that a booklet's sheets place, which are framed as sheets).
    /// `tagged`: a tagged PDF (see `tags.rs`).
    pub(crate) fn new(print: Option<PrintSetup>, frame: bool, tagged: bool) -> Encoder {
        Encoder {
            frame: frame && print.is_some(),
            tagged,
            print,
            deflate: Deflater::new(1),
            faces: Vec::new(),
            raw: Vec::with_capacity(16384),
        }
    }

    /// The colour every page starts with: DeviceGray black, or 100 % K for print.
    pub(crate) fn black(print: bool) -> &'static [u8] {
        if print {
            b"0 0 0 1 k 0 0 0 1 K\n"
        } else {
            b"0 g\n"
        }
    }

    pub(crate) fn encode(&mut self, fonts: &FontSet, page: &Page) -> Result<Encoded, Diagnostic> {
        let mut out = std::mem::take(&mut self.raw);
        out.clear();
        out.extend_from_slice(Self::black(self.print.is_some()));
        let mut images: Vec<Placed> = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        let mut state = INITIAL;
        let mut saved: Vec<TextState> = Vec::new();
        // Inside a text object: the origin of its current line, in thousandths of a point.
        let mut text: Option<(i64, i64)> = None;
        let end_text = |out: &mut Vec<u8>, text: &mut Option<(i64, i64)>| {
            if text.take().is_some() {
                out.extend_from_slice(b"ET\n");
            }
        };
        // The height `y` is flipped against (`pdf_y`): the page's, or 0 inside a turned
        // frame, whose `y` runs down from its origin; one per `saved` state.
        let mut frame = page.height;
        let mut frames: Vec<Pt> = Vec::new();
        // Tagged: the element the content belongs to, and the marked-content sequence open.
        let mut mc = Sequences { tagged: self.tagged, want: ARTIFACT, open: None, events: Vec::new(), mcids: 0 };
        for m in &page.marks {
            match m {
                Mark::Glyphs { face, size, x, y, rise, glyphs, hscale, actual_text } => {
                    if glyphs.is_empty() {
                        continue;
                    }
                    mc.enter(&mut out, &mut text, None);
                    let origin = text.get_or_insert_with(|| {
                        out.extend_from_slice(b"BT\n");
                        (0, 0)
                    });
                    let y = pdf_y(frame, *y) + rise.get();
                    let run = Run { face: *face, size: *size, x: x.get(), y, hscale: *hscale };
                    self.glyphs(&mut out, &mut state, origin, fonts.face(*face), run, glyphs, actual_text.as_deref());
                }
                Mark::Rect { x, y, width, height } => {
                    // Rules are decoration: artifacts in a tagged PDF.
                    mc.enter(&mut out, &mut text, Some(ARTIFACT));
                    end_text(&mut out, &mut text);
                    let bottom = pdf_y(frame, *y) - height.get();
                    for v in [x.get(), bottom, width.get(), height.get()] {
                        push_num(&mut out, v);
                        out.push(b' ');
                    }
                    out.extend_from_slice(b"re f\n");
                }
                Mark::Begin { actual_text, lang } => {
                    mc.leave(&mut out, &mut text);
                    end_text(&mut out, &mut text);
                    out.extend_from_slice(b"/Span<<");
                    if let Some(t) = actual_text {
                        out.extend_from_slice(b"/ActualText ");
                        push_text_string(&mut out, t);
                    }
                    if let Some(l) = lang {
                        out.extend_from_slice(b"/Lang ");
                        push_text_string(&mut out, l);
                    }
                    out.extend_from_slice(b">>BDC\n");
                }
                Mark::End => {
                    mc.leave(&mut out, &mut text);
                    end_text(&mut out, &mut text);
                    out.extend_from_slice(b"EMC\n");
                }
                Mark::Open { key, parent, elem } => {
                    mc.events.push(Event::Open { key: *key, parent: *parent, elem: elem.clone() })
                }
                Mark::Close(key) => mc.events.push(Event::Close(*key)),
                Mark::Tag(key) => mc.want = *key,
                Mark::Image { key, image, x, y, width, height } => {
                    mc.enter(&mut out, &mut text, None);
                    end_text(&mut out, &mut text);
                    let n = names.iter().position(|k| *k == key.as_str()).unwrap_or_else(|| {
                        names.push(key);
                        names.len() - 1
                    });
                    out.extend_from_slice(b"q ");
                    let bottom = pdf_y(frame, *y) - height.get();
                    for v in [width.get(), 0.0, 0.0, height.get(), x.get(), bottom] {
                        push_num(&mut out, v);
                        out.push(b' ');
                    }
                    let _ = writeln!(out, "cm /Im{n} Do Q");
                    images.push(Placed { key: key.clone(), image: image.clone(), width: *width, height: *height });
                }
                Mark::Transform { turn, x, y } => {
                    mc.leave(&mut out, &mut text);
                    end_text(&mut out, &mut text);
                    saved.push(state);
                    frames.push(frame);
                    out.extend_from_slice(b"q ");
                    for v in [turn[0], turn[1], turn[2], turn[3], x.get(), pdf_y(frame, *y)] {
                        push_num(&mut out, v);
                        out.push(b' ');
                    }
                    out.extend_from_slice(b"cm\n");
                    frame = Pt::ZERO;
                }
                Mark::Clip { x, y, width, height } => {
                    mc.leave(&mut out, &mut text);
                    end_text(&mut out, &mut text);
                    saved.push(state);
                    frames.push(frame);
                    out.extend_from_slice(b"q ");
                    let bottom = pdf_y(frame, *y) - height.get();
                    for v in [x.get(), bottom, width.get(), height.get()] {
                        push_num(&mut out, v);
                        out.push(b' ');
                    }
                    out.extend_from_slice(b"re W n\n");
                }
                Mark::Restore => {
                    mc.leave(&mut out, &mut text);
                    end_text(&mut out, &mut text);
                    out.extend_from_slice(b"Q\n");
                    state = saved.pop().unwrap_or(INITIAL);
                    frame = frames.pop().unwrap_or(page.height);
                }
            }
        }
        mc.leave(&mut out, &mut text);
        end_text(&mut out, &mut text);
        let framed;
        let stream = match (&self.print, self.frame) {
            (Some(p), true) => {
                framed = p.frame(page.width.get(), page.height.get(), &out);
                &framed[..]
            }
            _ => &out[..],
        };
        let mut content = Vec::new();
        self.deflate.pack(stream, &mut content)?;
        self.raw = out;
        Ok(Encoded {
            width: page.width,
            height: page.height,
            content,
            glyphs: self.take_shown(),
            images,
            links: page.links.clone(),
            events: mc.events,
        })
    }

    /// A run of glyphs in the open text object whose line starts at `origin` (thousandths
    /// of a point): font, position relative to the last line, scaling set where they
    /// change, and the glyphs inside an `ActualText` span when they read as other text.
    #[allow(clippy::too_many_arguments)]
    fn glyphs(
        &mut self,
        out: &mut Vec<u8>,
        state: &mut TextState,
        origin: &mut (i64, i64),
        f: &Face,
        run: Run,
        glyphs: &[Glyph],
        actual_text: Option<&str>,
    ) {
        if state.font != Some((run.face, run.size)) {
            let _ = write!(out, "/F{} ", run.face.0);
            push_num(out, run.size);
            out.extend_from_slice(b" Tf\n");
            state.font = Some((run.face, run.size));
        }
        // The line's origin relative to the last one.
        let (mx, my) = (round_i(run.x as f64 * 1000.0), round_i(run.y as f64 * 1000.0));
        push_milli(out, mx - origin.0);
        out.push(b' ');
        push_milli(out, my - origin.1);
        out.extend_from_slice(b" Td\n");
        *origin = (mx, my);
        let h = if (run.hscale - 1.0).abs() > 0.0001 { run.hscale } else { 1.0 };
        let scale = round_i(h as f64 * 100_000.0) as f32 / 1000.0;
        if state.scale != scale {
            push_num(out, scale);
            out.extend_from_slice(b" Tz\n");
            state.scale = scale;
        }
        if let Some(t) = actual_text {
            out.extend_from_slice(b"/Span<</ActualText ");
            push_text_string(out, t);
            out.extend_from_slice(b">>BDC\n");
        }
        self.glyph_run(out, state, run.face, f, run.size * scale / 100.0, glyphs);
        if actual_text.is_some() {
            out.extend_from_slice(b"EMC\n");
        }
    }

    /// One run's glyphs as `TJ` arrays of two-byte codes (`Ts` between them where marks
    /// are raised). `em`: the type size times the horizontal scaling.
    fn glyph_run(&mut self, out: &mut Vec<u8>, state: &mut TextState, id: FaceId, f: &Face, em: f32, glyphs: &[Glyph]) {
        let i = id.0 as usize;
        if self.faces.len() <= i {
            self.faces.resize_with(i + 1, FaceTables::default);
        }
        let t = &mut self.faces[i];
        if t.widths.is_empty() {
            t.widths = (0..f.glyph_count()).map(|g| width_1000(f, g as u16)).collect();
            t.seen = vec![0; 1024];
            t.silent = silent_marks(f);
        }
        let (per_unit, units_per_pt) = (em / 1000.0, 1000.0 / em);
        out.reserve(glyphs.len() * 3 + 16);
        let mut pen = 0.0f32;
        let mut open = false;
        for g in glyphs {
            if (g.dy - state.rise).abs() > 0.001 {
                if open {
                    out.extend_from_slice(b")] TJ\n");
                    open = false;
                }
                push_num(out, g.dy);
                out.extend_from_slice(b" Ts\n");
                state.rise = g.dy;
            }
            // TJ adjustments are whole thousandths of the (scaled) text space, written only
            // where the pen is off by more than half of one (5/1000 pt at 10 pt); the pen
            // follows what is written, so errors never add up along a line.
            let off = (pen - g.x) * units_per_pt;
            if off.abs() > 0.5 {
                let units = round_i(off as f64);
                out.push(if open { b')' } else { b'[' });
                push_int(out, units);
                out.push(b'(');
                pen -= units as f32 * per_unit;
                open = true;
            } else if !open {
                out.extend_from_slice(b"[(");
                open = true;
            }
            // A right-to-left vowel mark is shown with an empty ActualText: its glyph maps
            // to its character (every glyph must, in PDF/UA), but extractors would put it
            // beside its letter and break the word, and the text layer leaves these
            // optional marks out.
            let silent = t.silent.get(g.id as usize / 64).is_some_and(|w| w & (1 << (g.id % 64)) != 0);
            if silent {
                if open {
                    out.extend_from_slice(b")] TJ\n");
                }
                out.extend_from_slice(b"/Span<</ActualText()>>BDC\n[(");
                open = true;
            }
            let [hi, lo] = g.id.to_be_bytes();
            if hi == 0 && !matches!(lo, b'(' | b')' | b'\\' | b'\r') {
                out.extend_from_slice(&[0, lo]);
            } else {
                for b in [hi, lo] {
                    match b {
                        b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                        // A bare carriage return in a string would be read as a line feed.
                        b'\r' => out.extend_from_slice(b"\\r"),
                        _ => out.push(b),
                    }
                }
            }
            let g_id = g.id as usize;
            if let Some(word) = t.seen.get_mut(g_id / 64) {
                let bit = 1u64 << (g_id % 64);
                if *word & bit == 0 {
                    *word |= bit;
                    t.shown.push(g.id);
                }
            }
            pen += t.widths.get(g_id).copied().unwrap_or(0.0) * per_unit;
            if silent {
                out.extend_from_slice(b")] TJ\nEMC\n");
                open = false;
            }
        }
        if open {
            out.extend_from_slice(b")] TJ\n");
        }
    }

    /// The glyphs shown since the last call, by face, with the marks cleared.
    fn take_shown(&mut self) -> Vec<(FaceId, Vec<u16>)> {
        let mut shown = Vec::new();
        for (i, t) in self.faces.iter_mut().enumerate() {
            if t.shown.is_empty() {
                continue;
            }
            for id in &t.shown {
                t.seen[*id as usize / 64] = 0;
            }
            let mut ids = std::mem::take(&mut t.shown);
            ids.sort_unstable();
            shown.push((FaceId(i as u16), ids));
        }
        shown
    }
}

/// The marked-content sequences of a tagged page: content goes into a sequence for the
/// element it belongs to (`/Span <</MCID n>> BDC`), or into an artifact sequence, and a
/// sequence ends where the element changes. Sequences never straddle a text object: the
/// text object is ended first.
struct Sequences {
    tagged: bool,
    /// The element the next content belongs to (`Mark::Tag`).
    want: u32,
    /// The element of the sequence open, if one is.
    open: Option<u32>,
    events: Vec<Event>,
    mcids: u32,
}

impl Sequences {
    /// Content follows that belongs to `to` (the element last tagged when `None`).
    fn enter(&mut self, out: &mut Vec<u8>, text: &mut Option<(i64, i64)>, to: Option<u32>) {
        let want = to.unwrap_or(self.want);
        if !self.tagged || self.open == Some(want) {
            return;
        }
        self.leave(out, text);
        match want {
            ARTIFACT => out.extend_from_slice(b"/Artifact BMC\n"),
            HEADER => out.extend_from_slice(b"/Artifact<</Type/Pagination/Subtype/Header>>BDC\n"),
            FOOTER => out.extend_from_slice(b"/Artifact<</Type/Pagination/Subtype/Footer>>BDC\n"),
            key => {
                out.extend_from_slice(b"/Span<</MCID ");
                push_int(out, self.mcids as i64);
                out.extend_from_slice(b">>BDC\n");
                self.mcids += 1;
                self.events.push(Event::Mcid(key));
            }
        }
        self.open = Some(want);
    }

    /// End the sequence open, if one is (and the text object inside it).
    fn leave(&mut self, out: &mut Vec<u8>, text: &mut Option<(i64, i64)>) {
        if self.open.take().is_some() {
            if text.take().is_some() {
                out.extend_from_slice(b"ET\n");
            }
            out.extend_from_slice(b"EMC\n");
        }
    }
}

/// What an encoder keeps of a face: [`width_1000`] of every glyph, and the glyphs shown on
/// the page being encoded (a bit per glyph id, and the ids in the order first shown).
#[derive(Default)]
struct FaceTables {
    widths: Vec<f32>,
    seen: Vec<u64>,
    shown: Vec<u16>,
    /// The glyphs shown silently (a bit per glyph id): see [`silent_marks`].
    silent: Vec<u64>,
}

/// The mark glyphs (GDEF class 3) of a face that has Arabic or Hebrew vowel marks: the
/// optional marks the text layer leaves out (see `Shaped::glyph_texts`). None for other
/// faces, whose combining marks are letters' accents.
fn silent_marks(f: &Face) -> Vec<u64> {
    let Ok(face) = ttf_parser::Face::parse(&f.data, 0) else { return Vec::new() };
    let rtl_marks = ['\u{064E}', '\u{0651}', '\u{05B8}', '\u{05B4}'];
    let Some(gdef) = face.tables().gdef.filter(|_| rtl_marks.iter().any(|c| f.glyph(*c).is_some())) else {
        return Vec::new();
    };
    let n = f.glyph_count();
    let mut bits = vec![0u64; n.div_ceil(64)];
    for g in 0..n {
        if gdef.glyph_class(ttf_parser::GlyphId(g as u16)) == Some(ttf_parser::gdef::GlyphClass::Mark) {
            bits[g / 64] |= 1 << (g % 64);
        }
    }
    bits
}

/// `v` thousandths as a PDF number (at most three decimals, no `-0`).
/// `v` in decimal: kerning and spacing in a `TJ` array are small whole numbers, written
/// once per word or kern pair.
/// A text string in a content stream's marked-content properties (ActualText, Lang): a
/// literal string when it is printable ASCII, else UTF-16BE with its byte order mark, in hex.
pub(super) fn push_text_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        out.push(b'(');
        for b in s.bytes() {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
    } else {
        out.extend_from_slice(b"<FEFF");
        for u in s.encode_utf16() {
            for b in u.to_be_bytes() {
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
        }
        out.push(b'>');
    }
}

fn push_int(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let n = v.unsigned_abs();
    match n {
        0..=9 => out.push(b'0' + n as u8),
        10..=99 => out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]),
        100..=999 => {
            out.extend_from_slice(&[b'0' + (n / 100) as u8, b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8])
        }
        _ => {
            let mut buf = [0u8; 20];
            let (mut i, mut n) = (buf.len(), n);
            while n > 0 {
                i -= 1;
                buf[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
            out.extend_from_slice(&buf[i..]);
        }
    }
}

pub(super) fn push_milli(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let r = v.unsigned_abs();
    let (int, mut frac) = (r / 1000, r % 1000);
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    if frac > 0 {
        let mut digits = 3;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        for _ in 0..digits {
            i -= 1;
            buf[i] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        i -= 1;
        buf[i] = b'.';
    }
    let mut n = int;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A zlib compressor (libdeflate) kept from stream to stream, writing into a buffer that
/// is initialised once rather than for every stream. Page contents are packed at level 1:
/// libdeflate's level 1 is as fast as zlib's fastest and packs tighter than zlib's level 2.
pub(crate) struct Deflater {
    level: i32,
    z: libdeflater::Compressor,
    buf: Vec<u8>,
}

impl Deflater {
    /// A compressor at `level` (1 to 12; out of range is taken as the nearest).
    pub(crate) fn new(level: i32) -> Deflater {
        let lvl = libdeflater::CompressionLvl::new(level.clamp(1, 12)).unwrap_or_default();
        Deflater { level, z: libdeflater::Compressor::new(lvl), buf: Vec::new() }
    }

    pub(crate) fn level(&self) -> i32 {
        self.level
    }

    /// `data` as a zlib stream into `out` (cleared first).
    pub(crate) fn pack(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let bound = self.z.zlib_compress_bound(data.len());
        if self.buf.len() < bound {
            self.buf.resize(bound, 0);
        }
        let n = self.z.zlib_compress(data, &mut self.buf).map_err(|e| {
            Diagnostic::error(Kind::Internal, format!("cannot compress a PDF stream: {e:?}"))
                .with_hint("please report this with the book that caused it")
        })?;
        out.clear();
        out.extend_from_slice(&self.buf[..n]);
        Ok(())
    }
}

/// A digest of everything on `page` that its encoding depends on (in a given file: the
/// edition and the fonts are the caller's to key by), for keeping encoded pages between
/// builds (`incremental`): two independent 64-bit SipHashes of every field of every mark
/// and link, lengths and numbers by their bits, an image by its key and size (its
/// samples are the file's, whose size and time the caller's key holds). Each type is
/// taken apart without `..`, so a field added to a mark does not compile until it is
/// digested too.
pub(crate) fn digest(page: &Page) -> u128 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    fn pt(h: &mut impl Hasher, v: Pt) {
        h.write_u32(v.get().to_bits());
    }
    fn f(h: &mut impl Hasher, v: f32) {
        h.write_u32(v.to_bits());
    }
    fn elem(h: &mut impl Hasher, e: &super::tags::Elem) {
        let super::tags::Elem { role, alt, lang, id, bbox, after } = e;
        format!("{role:?}").hash(h);
        (alt, lang, id, after).hash(h);
        match bbox {
            Some(b) => b.iter().for_each(|v| pt(h, *v)),
            None => h.write_u8(0),
        }
    }
    fn all(h: &mut impl Hasher, page: &Page) {
        // `lines` (where each line came from, for the preview) is not written to the PDF.
        let Page { width, height, marks, links, lines: _ } = page;
        pt(h, *width);
        pt(h, *height);
        h.write_usize(marks.len());
        for m in marks {
            std::mem::discriminant(m).hash(h);
            match m {
                Mark::Glyphs { face, size, x, y, rise, glyphs, hscale, actual_text } => {
                    h.write_u16(face.0);
                    f(h, *size);
                    pt(h, *x);
                    pt(h, *y);
                    pt(h, *rise);
                    f(h, *hscale);
                    actual_text.hash(h);
                    h.write_usize(glyphs.len());
                    for Glyph { id, x, dy } in glyphs {
                        h.write_u16(*id);
                        f(h, *x);
                        f(h, *dy);
                    }
                }
                Mark::Rect { x, y, width, height } | Mark::Clip { x, y, width, height } => {
                    [*x, *y, *width, *height].into_iter().for_each(|v| pt(h, v));
                }
                Mark::Begin { actual_text, lang } => (actual_text, lang).hash(h),
                Mark::End | Mark::Restore => {}
                Mark::Image { key, image, x, y, width, height } => {
                    key.hash(h);
                    (image.width, image.height).hash(h);
                    [*x, *y, *width, *height].into_iter().for_each(|v| pt(h, v));
                }
                Mark::Transform { turn, x, y } => {
                    turn.iter().for_each(|v| f(h, *v));
                    pt(h, *x);
                    pt(h, *y);
                }
                Mark::Open { key, parent, elem: e } => {
                    (key, parent).hash(h);
                    elem(h, e);
                }
                Mark::Close(k) | Mark::Tag(k) => k.hash(h),
            }
        }
        h.write_usize(links.len());
        for Link { area, target, tag, contents } in links {
            let super::Area { x0, x1, y, descent, ascent } = area;
            [*x0, *x1, *y, *descent, *ascent].into_iter().for_each(|v| pt(h, v));
            match target {
                super::Target::Uri(u) => (0u8, u).hash(h),
                super::Target::Page { index, top } => {
                    (1u8, index).hash(h);
                    pt(h, *top);
                }
                super::Target::Named(n) => (2u8, n).hash(h),
            }
            (tag, contents).hash(h);
        }
    }
    let (mut a, mut b) = (DefaultHasher::new(), DefaultHasher::new());
    b.write(b"the second of two digests");
    all(&mut a, page);
    all(&mut b, page);
    ((a.finish() as u128) << 64) | b.finish() as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_s_digest_changes_with_anything_it_shows() {
        let glyphs = |x: f32| Mark::Glyphs {
            face: FaceId(0),
            size: 10.0,
            x: Pt::new(72.0),
            y: Pt::new(100.0),
            rise: Pt::ZERO,
            glyphs: vec![Glyph { id: 3, x: 0.0, dy: 0.0 }, Glyph { id: 4, x, dy: 0.0 }],
            hscale: 1.0,
            actual_text: None,
        };
        let page = |marks: Vec<Mark>| Page {
            width: Pt::new(400.0),
            height: Pt::new(600.0),
            marks,
            links: vec![],
            lines: vec![],
        };
        let a = page(vec![Mark::Tag(7), glyphs(5.0)]);
        assert_eq!(digest(&a), digest(&a.clone()));
        assert_ne!(digest(&a), digest(&page(vec![Mark::Tag(7), glyphs(5.5)])), "a glyph moved");
        assert_ne!(digest(&a), digest(&page(vec![Mark::Tag(8), glyphs(5.0)])), "another structure key");
        assert_ne!(digest(&a), digest(&page(vec![glyphs(5.0), Mark::Tag(7)])), "another order");
        let mut taller = a.clone();
        taller.height = Pt::new(601.0);
        assert_ne!(digest(&a), digest(&taller));
        let rect = |x: f32| Mark::Rect { x: Pt::new(x), y: Pt::ZERO, width: Pt::new(1.0), height: Pt::new(1.0) };
        let clip = Mark::Clip { x: Pt::new(1.0), y: Pt::ZERO, width: Pt::new(1.0), height: Pt::new(1.0) };
        assert_ne!(digest(&page(vec![rect(1.0)])), digest(&page(vec![clip])), "the kind of mark counts");
        assert_ne!(digest(&page(vec![rect(1.0)])), digest(&page(vec![rect(-1.0)])));
    }

    #[test]
    fn thousandths_are_written_short() {
        let s = |v| {
            let mut b = Vec::new();
            push_milli(&mut b, v);
            String::from_utf8(b).unwrap()
        };
        assert_eq!(s(0), "0");
        assert_eq!(s(-1500), "-1.5");
        assert_eq!(s(45_354), "45.354");
        assert_eq!(s(-12_600), "-12.6");
        assert_eq!(s(7), "0.007");
    }

    #[test]
    fn whole_numbers_are_written_as_rust_writes_them() {
        for v in [0i64, 7, -9, 10, 99, -100, 999, 1000, -65_535, i64::MAX, i64::MIN] {
            let mut b = Vec::new();
            push_int(&mut b, v);
            assert_eq!(String::from_utf8(b).unwrap(), v.to_string());
        }
    }

    #[test]
    fn text_strings_are_literal_or_utf16() {
        let s = |t| {
            let mut b = Vec::new();
            push_text_string(&mut b, t);
            String::from_utf8(b).unwrap()
        };
        assert_eq!(s("a(b)\\"), "(a\\(b\\)\\\\)");
        assert_eq!(s("Ä"), "<FEFF00C4>");
        assert_eq!(s("\u{ad}"), "<FEFF00AD>");
        assert_eq!(s("a\tb"), "<FEFF006100090062>");
    }

    /// Marks are measured from the page's top; the stream has PDF's coordinates, from the
    /// bottom (inside a turned frame, from the frame's origin).
    #[test]
    fn marks_are_flipped_once_when_encoded() {
        use crate::images::{Colour, Data};
        use std::io::Read;
        let (_dir, fonts) = FontSet::bundled();
        let pt = Pt::new;
        let image = Arc::new(PdfImage {
            width: 1,
            height: 1,
            colour: Colour::Gray,
            data: Data::Raw { samples: vec![0], alpha: None },
        });
        let page = Page {
            width: pt(300.0),
            height: pt(400.0),
            marks: vec![
                Mark::Rect { x: pt(5.0), y: pt(10.0), width: pt(20.0), height: pt(2.0) },
                Mark::Transform { turn: [0.0, -1.0, 1.0, 0.0], x: pt(50.0), y: pt(100.0) },
                Mark::Rect { x: Pt::ZERO, y: Pt::ZERO, width: pt(4.0), height: pt(1.0) },
                Mark::Restore,
                Mark::Image { key: "i".into(), image, x: pt(10.0), y: pt(20.0), width: pt(30.0), height: pt(40.0) },
            ],
            links: Vec::new(),
            lines: Vec::new(),
        };
        let encoded = Encoder::new(None, false, false).encode(&fonts, &page).unwrap();
        let mut stream = String::new();
        flate2::read::ZlibDecoder::new(&encoded.content[..]).read_to_string(&mut stream).unwrap();
        assert_eq!(
            stream,
            "0 g\n5 388 20 2 re f\nq 0 -1 1 0 50 300 cm\n0 -1 4 1 re f\nQ\nq 30 0 0 40 10 340 cm /Im0 Do Q\n"
        );
    }

    /// Tagged: content in MCID sequences per element (a new one where the element
    /// changes), rules and untagged content as artifacts, heads and folios as pagination
    /// artifacts; the events list the MCIDs' owners in order.
    #[test]
    fn content_goes_into_marked_sequences_or_artifacts() {
        use super::super::tags::{Elem, Role};
        use std::io::Read;
        let (_dir, fonts) = FontSet::bundled();
        let pt = Pt::new;
        let glyphs = |x: f32| Mark::Glyphs {
            face: FaceId::REGULAR,
            size: 10.0,
            x: pt(x),
            y: pt(100.0),
            rise: Pt::ZERO,
            glyphs: vec![Glyph { id: 3, x: 0.0, dy: 0.0 }],
            hscale: 1.0,
            actual_text: None,
        };
        let page = Page {
            width: pt(300.0),
            height: pt(400.0),
            marks: vec![
                Mark::Open { key: 20, parent: 3, elem: Box::new(Elem::of(Role::P)) },
                Mark::Tag(20),
                glyphs(10.0),
                glyphs(20.0),
                Mark::Rect { x: pt(5.0), y: pt(10.0), width: pt(20.0), height: pt(2.0) },
                glyphs(30.0),
                Mark::Close(20),
                Mark::Tag(FOOTER),
                glyphs(40.0),
            ],
            links: Vec::new(),
            lines: Vec::new(),
        };
        let encoded = Encoder::new(None, false, true).encode(&fonts, &page).unwrap();
        let mut stream = String::new();
        flate2::read::ZlibDecoder::new(&encoded.content[..]).read_to_string(&mut stream).unwrap();
        let marks: Vec<&str> = stream.lines().filter(|l| l.ends_with("BDC") || l.ends_with("BMC")).collect();
        assert_eq!(
            marks,
            [
                "/Span<</MCID 0>>BDC",
                "/Artifact BMC",
                "/Span<</MCID 1>>BDC",
                "/Artifact<</Type/Pagination/Subtype/Footer>>BDC"
            ],
            "{stream}"
        );
        assert_eq!(stream.matches("BT").count(), stream.matches("ET").count());
        assert_eq!(stream.matches("BDC").count() + stream.matches("BMC").count(), stream.matches("EMC").count());
        let owners: Vec<u32> =
            encoded.events.iter().filter_map(|e| if let Event::Mcid(k) = e { Some(*k) } else { None }).collect();
        assert_eq!(owners, [20, 20]);
    }

    #[test]
    fn streams_of_any_size_round_trip() {
        use std::io::Read;
        let mut d = Deflater::new(1);
        for n in [0usize, 1, 100, 70_000] {
            // Poorly compressible bytes, so the output can exceed the input.
            let data: Vec<u8> = (0..n).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
            let mut packed = Vec::new();
            d.pack(&data, &mut packed).unwrap();
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&packed[..]).read_to_end(&mut back).unwrap();
            assert_eq!(back, data);
        }
    }
}
