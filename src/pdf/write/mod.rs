//! The PDF writer: pages go to the file as they are made (the book is never held whole in
//! memory), fonts are embedded at the end as subsets (CIDFontType2, Identity-H) with a
//! ToUnicode map, content streams are compressed, text is painted in DeviceGray.
//!
//! Every object is written through `pdf-writer`'s typed writers (typst's crate) into a
//! `Chunk` of its own, whose bytes go to the file at once: the crate knows the keys and
//! value types of each dictionary, so a misspelt key does not compile, and the file still
//! streams (its `Pdf`, which holds the whole document until the end, is not used). The
//! XMP packet is written by `xmp-writer`. What stays ours: the file's header, the object
//! numbering (pages by index, reserved ahead of being written), the cross-reference table
//! and trailer, the content streams (`content.rs`, tuned for speed), compression,
//! subsetting and the document ID.
//!
//! Why not printpdf: printpdf 0.12 builds the whole document as operations in memory (via
//! lopdf) and serialises it at the end; at 8,000 pages that is far beyond the memory
//! budget, and it has no BleedBox or output intents for print. Subsetting is done by the
//! `subsetter` crate.

mod content;
pub(crate) mod print;
pub(crate) mod tags;

pub(crate) use content::{digest, Deflater, Encoded, Encoder};
pub(crate) use pdf_writer::types::NumberingStyle;
pub use tags::{Elem, Role};

use crate::diagnostics::{Diagnostic, Kind};
use crate::images::{Colour, Data, PdfImage};
use crate::pdf::font::{FaceId, FontSet};
use crate::pdf::length::Pt;
use crate::project::AtomicFile;
use pdf_writer::types::{
    ActionType, AnnotationFlags, AnnotationType, CidFontType, Direction, FontFlags, PageMode, SystemInfo, TabOrder,
    UnicodeCmap,
};
use pdf_writer::writers::{Catalog, DocumentInfo, PageLabel as LabelWriter, Resources, StructTreeRoot};
use pdf_writer::{Chunk, Date, Filter, Finish, Name, Rect, Ref, Settings, Str, TextStr};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xmp_writer::{DateTime, LangId, Timezone, XmpWriter};

/// A glyph placed in a run: `x` is its pen position from the run's start, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// The glyph id in its face.
    pub id: u16,
    /// Pen position from the run's start, points.
    pub x: f32,
    /// Vertical offset (marks placed by GPOS), points, upwards.
    pub dy: f32,
}

/// What a page shows. Positions are measured from the page's top left corner, `y`
/// downwards, as layout works; [`pdf_y`] turns them into PDF's coordinates (from the bottom
/// left, upwards) when the page is encoded, the one place that happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// Glyphs of one face and size on a baseline at (`x`, `y`), raised by `rise`.
    Glyphs {
        /// The face.
        face: FaceId,
        /// Type size, points (the text engine's unit, a bare number).
        size: f32,
        /// Start of the baseline, from the left edge.
        x: Pt,
        /// The baseline, from the top edge.
        y: Pt,
        /// How far the glyphs stand above the baseline (superscripts, note calls); kept
        /// apart from `y` so that the flip is `(height - y) + rise`, the order the bytes
        /// of the file have always had.
        rise: Pt,
        /// The glyphs, positioned from `x`.
        glyphs: Vec<Glyph>,
        /// Horizontal scale of the glyphs (font expansion), 1.0 for none.
        hscale: f32,
        /// Text that replaces the glyphs when the page is read out or copied: a soft
        /// hyphen for the hyphen of a line break, so copied words stay whole.
        actual_text: Option<String>,
    },
    /// A filled rectangle in black (rules).
    Rect {
        /// Left edge, from the left edge of the page.
        x: Pt,
        /// Top edge, from the top edge of the page.
        y: Pt,
        /// Width.
        width: Pt,
        /// Height.
        height: Pt,
    },
    /// The marks up to the matching `End` read out as `actual_text` when given (a table
    /// row: its cells in order, so that copying or extracting keeps rows together), and are
    /// in the language `lang` when given (a speech in another language than the book's).
    Begin {
        /// What the marks read out as, if not their own text.
        actual_text: Option<String>,
        /// Their language (a BCP 47 tag), if not the document's.
        lang: Option<String>,
    },
    /// Closes the last `Begin`.
    End,
    /// An image filling the rectangle with its top left corner at (`x`, `y`). `key`
    /// names the image (its file), so each is embedded once however often it is shown.
    Image {
        /// Names the image (its file).
        key: String,
        /// The image, decoded and ready to embed.
        image: Arc<PdfImage>,
        /// Left edge, from the left edge of the page.
        x: Pt,
        /// Top edge, from the top edge of the page.
        y: Pt,
        /// Width.
        width: Pt,
        /// Height.
        height: Pt,
    },
    /// The marks up to the matching `Restore` drawn in a frame turned by the PDF matrix
    /// `turn` = [a b c d] whose origin is at (`x`, `y`) on the page (the cover's spine,
    /// set turned a quarter). Inside the frame `y` is measured down from its origin.
    Transform {
        /// The turn, as the first four numbers of a PDF matrix.
        turn: [f32; 4],
        /// The frame's origin, from the left edge of the page.
        x: Pt,
        /// The frame's origin, from the top edge of the page.
        y: Pt,
    },
    /// The marks up to the matching `Restore` show only inside this rectangle.
    Clip {
        /// Left edge, from the left edge of the page.
        x: Pt,
        /// Top edge, from the top edge of the page.
        y: Pt,
        /// Width.
        width: Pt,
        /// Height.
        height: Pt,
    },
    /// Ends the last `Transform` or `Clip`.
    Restore,
    /// Opens the structure element `key` (tagged PDF) as the last child of element
    /// `parent` (or after the sibling `elem.after` names). Keys are the layout's, unique in
    /// the book; the writer numbers the objects.
    Open {
        /// The element's key.
        key: u32,
        /// Its parent's key (`tags::DOCUMENT` for the root).
        parent: u32,
        /// What it is.
        elem: Box<Elem>,
    },
    /// Closes the structure element of this key: it gets no more content.
    Close(u32),
    /// The content that follows belongs to the structure element of this key, or is an
    /// artifact (`tags::ARTIFACT`, and `HEADER` and `FOOTER` for running heads and folios).
    /// Pages start with artifacts.
    Tag(u32),
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// A web address (only `http`, `https` and `mailto` are made clickable).
    Uri(String),
    /// A page of the document (0-based index) and the height (from the page's top edge)
    /// the view should open at.
    Page { index: usize, top: Pt },
    /// A named destination (a chapter's or heading's anchor), whose page is known only at
    /// the end ([`PdfWriter::destinations`]).
    Named(String),
}

/// An area of a line: from `x0` to `x1`, from `descent` below the baseline `y` (from the
/// page's top edge) to `ascent` above it. Kept as the line's measures so that the flip to
/// PDF's rectangle is `(height - y) - descent` and `(height - y) + ascent`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Area {
    pub(crate) x0: Pt,
    pub(crate) x1: Pt,
    pub(crate) y: Pt,
    pub(crate) descent: Pt,
    pub(crate) ascent: Pt,
}

/// A clickable area of a page and where it leads.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub(crate) area: Area,
    pub(crate) target: Target,
    /// The `Link` structure element it belongs to (tagged PDF), else 0.
    pub(crate) tag: u32,
    /// What it leads to, in words (its annotation's `/Contents`).
    pub(crate) contents: String,
}

/// A page to write: its size, what it shows and where its links are.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Width.
    pub width: Pt,
    /// Height.
    pub height: Pt,
    /// What it shows, in drawing order.
    pub marks: Vec<Mark>,
    /// Its clickable areas.
    pub links: Vec<Link>,
    /// Its lines of text and where each comes from: kept only for the preview's pages
    /// (`Flow::record`), never written to the file.
    pub(crate) lines: Vec<PlacedLine>,
}

/// A line of text as placed on a page (its area as a link's), what it reads and where
/// it comes from; for the preview's SVG pages (`pdf/svg.rs`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedLine {
    pub(crate) area: Area,
    /// The line as a reader copies it (`Line::text`).
    pub(crate) text: String,
    pub(crate) from: Option<LineFrom>,
}

/// Where a placed line comes from in the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LineFrom {
    /// A block of a document and the word the line begins with.
    Text(crate::document::pages::Spot),
    /// Footnote `number` of a document.
    Note { doc: crate::document::pages::Doc, number: u32 },
}

/// An entry of the outline (bookmarks): its level, title, 0-based page index and the
/// height (from the page's top edge) the reader's view should open at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutlineEntry {
    pub(crate) level: u8,
    pub(crate) title: String,
    pub(crate) page: usize,
    pub(crate) top: Pt,
}

/// Document metadata.
#[derive(Debug, Clone, Default)]
pub struct DocInfo {
    /// The document's title.
    pub title: String,
    /// Its authors (the editors, else the speakers).
    pub authors: Vec<String>,
    /// What it is about (the description, else the subtitle).
    pub subject: Option<String>,
    /// Its keywords.
    pub keywords: Vec<String>,
    /// Its language, a BCP 47 tag.
    pub language: String,
    /// Seconds since 1970 (UTC).
    pub modified: i64,
    /// Stable identifier of the book, seeds the document ID.
    pub identifier: String,
}

/// A run of page labels: from page `start` (0-based) on, pages are numbered in `style`
/// from 1, after `prefix` when there is one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageLabel {
    pub(crate) start: usize,
    pub(crate) style: NumberingStyle,
    pub(crate) prefix: Option<String>,
}

/// What the catalog offers for finding one's way about the book: labels for its pages and
/// its outline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Navigation {
    /// Page labels as the folios show them; none: viewers number the pages from 1.
    pub(crate) labels: Vec<PageLabel>,
    /// The outline's root (from [`PdfWriter::outline`]); the viewer opens showing it.
    pub(crate) outline: Option<u32>,
    /// The named destinations' dictionary (from [`PdfWriter::destinations`]).
    pub(crate) destinations: Option<u32>,
    /// The book reads right to left: viewers show its spreads with the first page on
    /// the right.
    pub(crate) right_to_left: bool,
}

/// The one key pdf-writer has no typed setter for: a font file's length before compression.
const LENGTH1: Name<'static> = Name(b"Length1");

/// Who made the file, for the Info dictionary and the XMP packet.
const PRODUCER: &str = concat!("Tribune ", env!("CARGO_PKG_VERSION"));

/// A face embedded in the file: its font object, and the glyph ids shown (by id).
struct FontUse {
    type0: u32,
    used: Vec<bool>,
}

/// What a page's (or form's) content stream names: fonts as `/F{face}`, images as
/// `/Im{n}` in the order of their first placement.
struct PageResources {
    fonts: Vec<(FaceId, u32)>,
    images: Vec<u32>,
}

impl PageResources {
    fn write(&self, mut res: Resources<'_>) {
        let mut fonts = res.fonts();
        for (face, id) in &self.fonts {
            fonts.pair(Name(format!("F{}", face.0).as_bytes()), r(*id));
        }
        fonts.finish();
        if !self.images.is_empty() {
            let mut images = res.x_objects();
            for (i, id) in self.images.iter().enumerate() {
                images.pair(Name(format!("Im{i}").as_bytes()), r(*id));
            }
        }
    }
}

/// pdf-writer's reference to object `id` (our object numbers start at 1).
fn r(id: u32) -> Ref {
    Ref::new(id as i32)
}

/// The one flip from layout's heights to PDF's: `y` measured down from the top edge of a
/// page `height` tall, as PDF's y, measured up from its bottom edge. Marks are flipped
/// when a page is encoded (`content.rs`), links and outline entries when they are written.
#[inline]
pub(crate) fn pdf_y(height: Pt, y: Pt) -> f32 {
    (height - y).get()
}

/// A number of a dictionary, to a thousandth as the content streams give them.
fn milli(v: f32) -> f32 {
    (content::round_i(v as f64 * 1000.0) as f64 / 1000.0) as f32
}

/// The rectangle [`x0` `y0` `x1` `y1`], to thousandths.
fn rect(x0: f32, y0: f32, x1: f32, y1: f32) -> Rect {
    Rect::new(milli(x0), milli(y0), milli(x1), milli(y1))
}

/// A chunk for one object that is not a stream, written compactly.
fn chunk() -> Chunk {
    Chunk::with_settings_and_capacity(Settings { pretty: false }, 512)
}

/// A chunk for one stream object of `len` bytes. A stream's length is a 32-bit integer in
/// pdf-writer (and in most readers), so a longer one is an error, not a broken file.
fn stream_chunk(len: usize) -> Result<Chunk, Diagnostic> {
    if len > i32::MAX as usize {
        return Err(Diagnostic::error(Kind::Io, "a stream of the PDF would be larger than 2 GB")
            .with_hint("use smaller images; a PDF stream cannot hold more"));
    }
    Ok(Chunk::with_settings_and_capacity(Settings { pretty: false }, len + 512))
}

fn internal(what: String) -> Diagnostic {
    Diagnostic::error(Kind::Internal, format!("internal error: {what}"))
        .with_hint("please report this with the book that caused it")
}

/// Writes a PDF page by page: each page goes to the file when given, the rest at `finish`.
pub struct PdfWriter {
    out: AtomicFile,
    path: PathBuf,
    pos: u64,
    offsets: Vec<u64>,
    pages_root: u32,
    /// Object numbers of the pages by their index; pages may be written in any order
    /// (the contents, which need the page numbers of what follows, are written last).
    pages: Vec<u32>,
    written: Vec<bool>,
    /// The heights of the pages written, by index, for the outline's destinations.
    heights: Vec<Pt>,
    fonts: BTreeMap<FaceId, FontUse>,
    /// Image XObjects by key, written when first shown.
    images: BTreeMap<String, u32>,
    /// Compressed bytes of content streams, for the document ID.
    digest: u64,
    /// The print edition: pages framed with bleed, PDF/X (see `print.rs`).
    print: Option<print::PrintSetup>,
    /// Booklets: pages kept as Form XObjects for sheets to place, by page index.
    forms: Option<BTreeMap<usize, u32>>,
    /// Print: images placed (for their resolution) and converted to CMYK.
    press: print::PressLog,
    /// A compressor for each level used (see [`Deflater`]) and a buffer for their output.
    deflate: Vec<Deflater>,
    packed: Vec<u8>,
    /// Encodes the pages given to [`PdfWriter::page`] (others come encoded).
    encoder: Option<Encoder>,
    /// The structure tree of a tagged PDF (see `tags.rs`), with the object numbers of the
    /// `StructTreeRoot` and its `ParentTree`.
    tree: Option<(tags::Tree, u32, u32)>,
    /// Objects gathered into the object stream being filled (see [`PdfWriter::emit_packed`]).
    objstm: Option<ObjStm>,
    /// Objects written into object streams: the object, its stream and its index there.
    /// Their `offsets` are `IN_STREAM`.
    packed_at: Vec<(u32, u32, u32)>,
}

/// An object stream being filled: its object number, its objects (number and where each
/// starts in `data`) and their bodies.
struct ObjStm {
    id: u32,
    objs: Vec<(u32, usize)>,
    data: Vec<u8>,
}

/// Objects per object stream: the structure elements compress far better together.
const OBJSTM_SIZE: usize = 200;

/// The offset recorded for an object that is in an object stream.
const IN_STREAM: u64 = u64::MAX;

impl PdfWriter {
    /// A writer of a PDF 1.7 to `path`; the file is put in place by `finish`.
    pub fn create(path: &Path) -> Result<PdfWriter, Diagnostic> {
        Self::create_version(path, "1.7")
    }

    /// A writer whose file claims PDF `version` (PDF/X-1a:2003 wants 1.4 at most).
    pub(crate) fn create_version(path: &Path, version: &str) -> Result<PdfWriter, Diagnostic> {
        let out = AtomicFile::create(path)?;
        let mut w = PdfWriter {
            out,
            path: path.to_path_buf(),
            pos: 0,
            offsets: vec![0],
            pages_root: 0,
            pages: Vec::new(),
            written: Vec::new(),
            heights: Vec::new(),
            fonts: BTreeMap::new(),
            images: BTreeMap::new(),
            digest: 0xcbf2_9ce4_8422_2325,
            print: None,
            forms: None,
            press: Default::default(),
            deflate: Vec::new(),
            packed: Vec::new(),
            encoder: None,
            tree: None,
            objstm: None,
            packed_at: Vec::new(),
        };
        w.raw(format!("%PDF-{version}\n").as_bytes())?;
        w.raw(b"%\xe2\xe3\xcf\xd3\n")?;
        w.pages_root = w.alloc();
        Ok(w)
    }

    fn io(&self, e: std::io::Error) -> Diagnostic {
        Diagnostic::io(&self.path, &e, "write the PDF")
    }

    fn raw(&mut self, b: &[u8]) -> Result<(), Diagnostic> {
        self.out.write_all(b).map_err(|e| self.io(e))?;
        self.pos += b.len() as u64;
        Ok(())
    }

    /// Reserve an object number.
    pub(crate) fn alloc(&mut self) -> u32 {
        self.offsets.push(0);
        (self.offsets.len() - 1) as u32
    }

    /// Write `chunk`, which holds one object numbered by [`PdfWriter::alloc`], to the file,
    /// noting where the object starts.
    fn emit(&mut self, chunk: &Chunk) -> Result<(), Diagnostic> {
        let mut refs = chunk.refs();
        let slot = match (refs.next(), refs.next()) {
            (Some(id), None) => usize::try_from(id.get()).ok().filter(|i| *i > 0 && *i < self.offsets.len()),
            _ => None,
        };
        let Some(i) = slot else {
            return Err(internal("a PDF object was written outside the writer's numbering".into()));
        };
        self.offsets[i] = self.pos;
        self.raw(chunk.as_bytes())
    }

    /// Write `chunk`, one object numbered by [`PdfWriter::alloc`] that is not a stream, into
    /// an object stream (PDF 1.5): the structure tree's many small dictionaries compress
    /// to a fraction there. The cross-reference table then becomes a stream too.
    fn emit_packed(&mut self, chunk: &Chunk) -> Result<(), Diagnostic> {
        let mut refs = chunk.refs();
        let id = match (refs.next(), refs.next()) {
            (Some(id), None) => u32::try_from(id.get()).ok().filter(|i| *i > 0 && (*i as usize) < self.offsets.len()),
            _ => None,
        };
        let bytes = chunk.as_bytes();
        // `N 0 obj\n` … `\nendobj\n` around the object's value.
        let start = bytes.windows(4).position(|w| w == b"obj\n").map(|p| p + 4);
        let (Some(id), Some(start)) = (id, start) else {
            return Err(internal("a PDF object was written outside the writer's numbering".into()));
        };
        let body = bytes[start..].strip_suffix(b"\nendobj\n").unwrap_or(&bytes[start..]);
        if self.objstm.is_none() {
            let stm = self.alloc();
            self.objstm = Some(ObjStm { id: stm, objs: Vec::with_capacity(OBJSTM_SIZE), data: Vec::new() });
        }
        let full = match &mut self.objstm {
            Some(o) => {
                self.packed_at.push((id, o.id, o.objs.len() as u32));
                o.objs.push((id, o.data.len()));
                o.data.extend_from_slice(body);
                o.data.push(b'\n');
                o.objs.len() >= OBJSTM_SIZE
            }
            None => false,
        };
        self.offsets[id as usize] = IN_STREAM;
        if full {
            self.flush_objstm()?;
        }
        Ok(())
    }

    /// Write the object stream being filled, if any.
    fn flush_objstm(&mut self) -> Result<(), Diagnostic> {
        let Some(o) = self.objstm.take() else { return Ok(()) };
        let mut head = String::new();
        for (id, at) in &o.objs {
            let _ = write!(head, "{id} {at} ");
        }
        let first = head.len();
        let mut data = head.into_bytes();
        data.extend_from_slice(&o.data);
        // The fast level of the page contents: level 6 packed the structure tree of the
        // 100-speech book 9 % tighter (about 1 % of the file) for twice the time, which the
        // thread that writes the file spent while every page waited for it.
        let packed = self.compress(&data, 1)?;
        let mut c = stream_chunk(packed.len())?;
        let mut st = c.stream(r(o.id), &packed);
        st.filter(Filter::FlateDecode);
        st.pair(Name(b"Type"), Name(b"ObjStm"))
            .pair(Name(b"N"), o.objs.len() as i32)
            .pair(Name(b"First"), first as i32);
        st.finish();
        self.emit_stream(&c, &packed)?;
        self.packed = packed;
        Ok(())
    }

    /// [`PdfWriter::emit`] for a stream object whose data is `data`, which goes into the
    /// digest the document ID is made from.
    fn emit_stream(&mut self, chunk: &Chunk, data: &[u8]) -> Result<(), Diagnostic> {
        for b in data.iter().step_by(61) {
            self.digest = (self.digest ^ *b as u64).wrapping_mul(0x100_0000_01b3);
        }
        self.emit(chunk)
    }

    /// `data` as a zlib stream at `level`, in the writer's buffer: hand it back to
    /// `self.packed` when written. Page contents use a fast level (they are most of the work
    /// and compress well anyway), fonts and images a thorough one.
    fn compress(&mut self, data: &[u8], level: u32) -> Result<Vec<u8>, Diagnostic> {
        let mut out = std::mem::take(&mut self.packed);
        let i = match self.deflate.iter().position(|d| d.level() == level as i32) {
            Some(i) => i,
            None => {
                self.deflate.push(Deflater::new(level as i32));
                self.deflate.len() - 1
            }
        };
        self.deflate[i].pack(data, &mut out)?;
        Ok(out)
    }

    /// Write a plain stream (page contents, a font's maps) whose `data` is zlib-compressed.
    fn packed_stream(&mut self, id: u32, data: &[u8]) -> Result<(), Diagnostic> {
        let mut c = stream_chunk(data.len())?;
        c.stream(r(id), data).filter(Filter::FlateDecode);
        self.emit_stream(&c, data)
    }

    /// The object number of page `index` (0-based), reserved if the page is not written yet.
    pub(crate) fn page_ref(&mut self, index: usize) -> u32 {
        while self.pages.len() <= index {
            let id = self.alloc();
            self.pages.push(id);
            self.written.push(false);
        }
        self.pages[index]
    }

    /// An encoder for the pages of this file, for [`PdfWriter::put`]: one per thread.
    pub(crate) fn encoder(&self) -> Encoder {
        Encoder::new(self.print.clone(), self.forms.is_none(), self.tree.is_some())
    }

    /// Make a tagged PDF (PDF/UA-1): content in marked-content sequences tied to a
    /// structure tree, artifacts marked as such. Call before the first page.
    pub(crate) fn tag(&mut self) {
        let (root, doc, parent_tree) = (self.alloc(), self.alloc(), self.alloc());
        self.tree = Some((tags::Tree::new(doc, root), root, parent_tree));
    }

    /// Whether the file is tagged.
    pub(crate) fn tagged(&self) -> bool {
        self.tree.is_some()
    }

    /// Write page `index` now (see [`PdfWriter::put`]). Returns the page's object number.
    pub fn page(&mut self, fonts: &FontSet, index: usize, page: &Page) -> Result<u32, Diagnostic> {
        let mut encoder = self.encoder.take().unwrap_or_else(|| self.encoder());
        let encoded = encoder.encode(fonts, page);
        self.encoder = Some(encoder);
        self.put(index, &encoded?)
    }

    /// Write page `index`, encoded by an [`Encoder`] of this writer: its content stream,
    /// images first shown on it, its link annotations and its page object. Returns the
    /// page's object number.
    pub(crate) fn put(&mut self, index: usize, page: &Encoded) -> Result<u32, Diagnostic> {
        // A booklet's pages become forms (see `print.rs`), not pages of the file.
        let id = if self.forms.is_some() { 0 } else { self.page_ref(index) };
        if self.written.get(index).copied().unwrap_or(false) {
            return Err(internal(format!("page {} was written twice", index + 1)));
        }
        if let Some(w) = self.written.get_mut(index) {
            *w = true;
        }
        if self.heights.len() <= index {
            self.heights.resize(index + 1, page.height);
        }
        self.heights[index] = page.height;
        let mut res = PageResources { fonts: Vec::with_capacity(page.glyphs.len()), images: Vec::new() };
        for (face, ids) in &page.glyphs {
            let use_ = match self.fonts.get_mut(face) {
                Some(u) => u,
                None => {
                    let type0 = self.alloc();
                    self.fonts.entry(*face).or_insert(FontUse { type0, used: Vec::new() })
                }
            };
            for &g in ids {
                if use_.used.len() <= g as usize {
                    use_.used.resize(g as usize + 1, false);
                }
                use_.used[g as usize] = true;
            }
            res.fonts.push((*face, use_.type0));
        }
        let mut keys: Vec<&str> = Vec::new();
        for p in &page.images {
            self.note_placement(&p.key, &p.image, p.width.get(), p.height.get(), index);
            if keys.contains(&p.key.as_str()) {
                continue;
            }
            let id = match self.images.get(&p.key) {
                Some(id) => *id,
                None => {
                    let id = match self.for_press(&p.key, &p.image)? {
                        Some(converted) => self.image(&converted)?,
                        None => self.image(&p.image)?,
                    };
                    self.images.insert(p.key.clone(), id);
                    id
                }
            };
            res.images.push(id);
            keys.push(&p.key);
        }
        if self.forms.is_some() {
            return self.form(index, page.width.get(), page.height.get(), &page.content, &res);
        }
        let content_id = self.alloc();
        self.packed_stream(content_id, &page.content)?;
        let struct_key = match self.tree.take() {
            Some((mut tree, root, pt)) => {
                let offsets = &mut self.offsets;
                let key = tree.page(id, page.height, &page.events, || {
                    offsets.push(0);
                    (offsets.len() - 1) as u32
                });
                self.tree = Some((tree, root, pt));
                Some(key?)
            }
            None => None,
        };
        let mut annots = Vec::new();
        // Links are not printed: the print edition has none.
        let links = if self.print.is_none() { &page.links[..] } else { &[] };
        for link in links {
            if let Some(a) = self.annotation(link, page.height, id)? {
                annots.push(r(a));
            }
        }
        let mut c = chunk();
        let mut p = c.page(r(id));
        p.parent(r(self.pages_root));
        match &self.print {
            Some(setup) => {
                let b = setup.boxes(page.width.get(), page.height.get(), index);
                p.media_box(b.media).trim_box(b.trim).bleed_box(b.bleed);
            }
            None => {
                p.media_box(rect(0.0, 0.0, page.width.get(), page.height.get()));
            }
        }
        res.write(p.resources());
        p.contents(r(content_id));
        if !annots.is_empty() {
            p.annotations(annots);
        }
        if let Some(key) = struct_key {
            p.struct_parents(key).tab_order(TabOrder::StructureOrder);
        }
        p.finish();
        self.emit(&c)?;
        let closed = self.tree.as_mut().map(|(t, ..)| t.end_page()).unwrap_or_default();
        for c in &closed {
            self.emit_packed(c)?;
        }
        Ok(id)
    }

    /// Write a link annotation without a border and return its object number; `None` for
    /// addresses that are not web or mail links (a `javascript:` or `file:` link is not
    /// made clickable). `height` is the height of the page it is on (and of the page it
    /// leads to: a book's pages are all of one size).
    fn annotation(&mut self, link: &Link, height: Pt, page: u32) -> Result<Option<u32>, Diagnostic> {
        enum Action<'a> {
            Uri(&'a str),
            GoTo(u32, f32),
            Named(&'a str),
        }
        let action = match &link.target {
            Target::Uri(u) => {
                let lower = u.to_ascii_lowercase();
                if !["http://", "https://", "mailto:"].iter().any(|p| lower.starts_with(p)) {
                    return Ok(None);
                }
                Action::Uri(u)
            }
            Target::Page { index, top } => Action::GoTo(self.page_ref(*index), pdf_y(height, *top)),
            Target::Named(name) => Action::Named(name),
        };
        let id = self.alloc();
        // Tagged: the annotation is an `OBJR` of its `Link` element, which its
        // `StructParent` leads back to, and says in words where it leads.
        let parent = match &mut self.tree {
            Some((tree, ..)) if tree.is_open(link.tag) => Some(tree.annotation(link.tag, page, id)?),
            _ => None,
        };
        let Area { x0, x1, y, descent, ascent } = link.area;
        let y = pdf_y(height, y);
        let (x0, y0, x1, y1) = (x0.get(), y - descent.get(), x1.get(), y + ascent.get());
        let mut c = chunk();
        let mut a = c.annotation(r(id));
        a.subtype(AnnotationType::Link)
            .rect(rect(x0, y0, x1, y1))
            .border(0.0, 0.0, 0.0, None)
            .flags(AnnotationFlags::PRINT);
        if let Some(key) = parent {
            a.struct_parent(key);
            if !link.contents.is_empty() {
                a.contents(TextStr(&link.contents));
            }
        }
        let mut act = a.action();
        match action {
            Action::Uri(u) => {
                act.action_type(ActionType::Uri).uri(Str(u.as_bytes()));
            }
            Action::GoTo(page, top) => {
                act.action_type(ActionType::GoTo).destination().page(r(page)).xyz(0.0, milli(top), None);
            }
            Action::Named(name) => {
                act.action_type(ActionType::GoTo).destination_named(Name(name.as_bytes()));
            }
        }
        act.finish();
        a.finish();
        self.emit(&c)?;
        Ok(Some(id))
    }

    /// Write an image XObject (and its soft mask); returns its object number.
    fn image(&mut self, image: &PdfImage) -> Result<u32, Diagnostic> {
        let id = self.alloc();
        let (width, height) = (image.width as i32, image.height as i32);
        let mask = match &image.data {
            Data::Raw { alpha: Some(a), .. } => {
                let mask = self.alloc();
                let packed = self.compress(a, 6)?;
                let mut c = stream_chunk(packed.len())?;
                let mut x = c.image_xobject(r(mask), &packed);
                x.width(width).height(height).bits_per_component(8);
                x.color_space().device_gray();
                x.filter(Filter::FlateDecode);
                x.finish();
                self.emit_stream(&c, &packed)?;
                self.packed = packed;
                Some(mask)
            }
            _ => None,
        };
        let packed = match &image.data {
            Data::Raw { samples, .. } => Some(self.compress(samples, 6)?),
            Data::Jpeg(_) => None,
        };
        let (bytes, filter) = match (&image.data, &packed) {
            (Data::Jpeg(b), _) => (&b[..], Filter::DctDecode),
            (Data::Raw { .. }, p) => (p.as_deref().unwrap_or_default(), Filter::FlateDecode),
        };
        let mut c = stream_chunk(bytes.len())?;
        let mut x = c.image_xobject(r(id), bytes);
        x.width(width).height(height).bits_per_component(8);
        let space = x.color_space();
        match image.colour {
            Colour::Gray => space.device_gray(),
            Colour::Rgb => space.device_rgb(),
            Colour::Cmyk { .. } => space.device_cmyk(),
        }
        if image.colour == (Colour::Cmyk { inverted: true }) {
            x.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        }
        if let Some(m) = mask {
            x.s_mask(r(m));
        }
        x.filter(filter);
        x.finish();
        self.emit_stream(&c, bytes)?;
        if let Some(p) = packed {
            self.packed = p;
        }
        Ok(id)
    }

    /// Write the named destinations (`anchors`: name, page index, top) as the catalog's
    /// `Dests` dictionary; returns its object number, `None` when there are none.
    pub(crate) fn destinations(&mut self, anchors: &[(String, usize, Pt)]) -> Result<Option<u32>, Diagnostic> {
        if anchors.is_empty() {
            return Ok(None);
        }
        // Keys in a fixed order; an anchor set twice (none should be) keeps its first place.
        let mut sorted: Vec<&(String, usize, Pt)> = anchors.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted.dedup_by(|b, a| a.0 == b.0);
        let pages: Vec<u32> = sorted.iter().map(|(_, page, _)| self.page_ref(*page)).collect();
        let id = self.alloc();
        let mut c = chunk();
        let mut dests = c.destinations(r(id));
        for ((name, index, top), page) in sorted.iter().zip(pages) {
            let height = self.heights.get(*index).or(self.heights.last()).copied().unwrap_or_default();
            dests.insert(Name(name.as_bytes())).page(r(page)).xyz(0.0, milli(pdf_y(height, *top)), None);
        }
        dests.finish();
        self.emit(&c)?;
        Ok(Some(id))
    }

    /// Write the outline (bookmarks) of pages already written; returns the outline root.
    /// Levels nest: an entry is the child of the nearest entry before it with a lower level.
    /// Top-level entries show their children; deeper ones start closed.
    pub(crate) fn outline(&mut self, entries: &[OutlineEntry]) -> Result<Option<u32>, Diagnostic> {
        let entries: Vec<&OutlineEntry> = entries.iter().filter(|e| e.page < self.pages.len()).collect();
        if entries.is_empty() {
            return Ok(None);
        }
        let root = self.alloc();
        let ids: Vec<u32> = entries.iter().map(|_| self.alloc()).collect();
        // parent (index into entries, None for the root) and children of each node
        let mut parent: Vec<Option<usize>> = Vec::with_capacity(entries.len());
        let mut stack: Vec<usize> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            while stack.last().is_some_and(|&j| entries[j].level >= e.level) {
                stack.pop();
            }
            parent.push(stack.last().copied());
            stack.push(i);
        }
        // kids[0] are the top-level entries, kids[i + 1] the children of entry i.
        let mut kids: Vec<Vec<usize>> = vec![Vec::new(); entries.len() + 1];
        let mut pos = vec![0; entries.len()];
        for (i, p) in parent.iter().enumerate() {
            let list = &mut kids[p.map_or(0, |p| p + 1)];
            pos[i] = list.len();
            list.push(i);
        }
        let top = &kids[0];
        for (i, e) in entries.iter().enumerate() {
            let siblings = &kids[parent[i].map_or(0, |p| p + 1)];
            let pos = pos[i];
            let mut c = chunk();
            let mut item = c.outline_item(r(ids[i]));
            item.title(TextStr(&e.title)).parent(r(parent[i].map_or(root, |p| ids[p])));
            if pos > 0 {
                item.prev(r(ids[siblings[pos - 1]]));
            }
            if let Some(&n) = siblings.get(pos + 1) {
                item.next(r(ids[n]));
            }
            let mine = &kids[i + 1];
            if let (Some(&f), Some(&l)) = (mine.first(), mine.last()) {
                let n = mine.len() as i32;
                item.first(r(ids[f])).last(r(ids[l])).count(if parent[i].is_none() { n } else { -n });
            }
            let height = self.heights.get(e.page).or(self.heights.last()).copied().unwrap_or_default();
            item.dest().page(r(self.pages[e.page])).xyz(0.0, milli(pdf_y(height, e.top)), None);
            item.finish();
            self.emit(&c)?;
        }
        let open = top.len() + top.iter().map(|&t| kids[t + 1].len()).sum::<usize>();
        let mut c = chunk();
        c.outline(r(root)).first(r(ids[top[0]])).last(r(ids[*top.last().unwrap_or(&top[0])])).count(open as i32);
        self.emit(&c)?;
        Ok(Some(root))
    }

    /// Embed the fonts, write the page tree, metadata, catalog (with `nav`), info and
    /// cross-reference table, and put the file in place. `texts` maps each (face, glyph) to
    /// the text it stands for.
    pub fn finish(
        mut self,
        fonts: &FontSet,
        texts: &BTreeMap<(FaceId, u16), String>,
        info: &DocInfo,
        nav: Navigation,
    ) -> Result<(), Diagnostic> {
        let used: Vec<(FaceId, u32, Vec<u16>)> = self
            .fonts
            .iter()
            .map(|(f, u)| (*f, u.type0, (0..u.used.len() as u16).filter(|g| u.used[*g as usize]).collect()))
            .collect();
        let mut z = Deflater::new(6);
        for (face, type0, gids) in &used {
            let files = font_files(fonts, *face, gids, texts, &mut z)?;
            self.embed_font(fonts, *face, *type0, gids, files)?;
        }
        if let Some(missing) = self.written.iter().position(|w| !w) {
            return Err(internal(format!("page {} was never written", missing + 1)));
        }
        let root = self.pages_root;
        let mut c = Chunk::with_settings_and_capacity(Settings { pretty: false }, 64 + 8 * self.pages.len());
        c.pages(r(root)).kids(self.pages.iter().map(|p| r(*p))).count(self.pages.len() as i32);
        self.emit(&c)?;
        // The document ID: derived from the book's identifier and contents, so the same
        // sources give the same bytes.
        let seed = format!("{}|{}|{}|{:x}", info.identifier, info.modified, self.pages.len(), self.digest);
        let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, seed.as_bytes());
        let structure = match self.tree.take() {
            Some((mut tree, root, parent_tree)) => {
                let (chunks, next_key) = tree.close_all(parent_tree);
                for c in &chunks {
                    self.emit_packed(c)?;
                }
                let mut c = chunk();
                let mut st = c.indirect(r(root)).start::<StructTreeRoot>();
                st.children().item(r(tree.doc()));
                st.pair(Name(b"ParentTree"), r(parent_tree));
                st.parent_tree_next_key(next_key);
                st.finish();
                self.emit_packed(&c)?;
                self.flush_objstm()?;
                Some(root)
            }
            None => None,
        };
        let metadata = self.alloc();
        let xmp = xmp(info, &id.to_string(), self.print.as_ref(), structure.is_some());
        let mut c = stream_chunk(xmp.len())?;
        c.metadata(r(metadata), xmp.as_bytes());
        self.emit(&c)?;
        let profile = self.print_profile()?;
        let mut labels: Vec<(&PageLabel, u32)> = nav.labels.iter().map(|l| (l, self.alloc())).collect();
        labels.sort_by_key(|(l, _)| l.start);
        for (l, id) in &labels {
            let mut c = chunk();
            let mut w = c.indirect(r(*id)).start::<LabelWriter>();
            w.style(l.style);
            if let Some(p) = &l.prefix {
                w.prefix(TextStr(p));
            }
            w.finish();
            self.emit(&c)?;
        }
        let catalog = self.alloc();
        let mut c = chunk();
        let mut cat = c.indirect(r(catalog)).start::<Catalog>();
        cat.pages(r(root)).metadata(r(metadata)).lang(TextStr(&info.language));
        if let Some(st) = structure {
            cat.pair(Name(b"StructTreeRoot"), r(st));
            cat.mark_info().marked(true);
        }
        let mut prefs = cat.viewer_preferences();
        prefs.display_doc_title(true);
        if nav.right_to_left {
            prefs.direction(Direction::R2L);
        }
        prefs.finish();
        if let Some(setup) = &self.print {
            setup.output_intent(cat.output_intents().push(), profile.map(r));
        }
        if !labels.is_empty() {
            let mut tree = cat.page_labels();
            let mut nums = tree.nums();
            for (l, id) in &labels {
                nums.insert(i32::try_from(l.start).unwrap_or(i32::MAX), r(*id));
            }
        }
        if let Some(outline) = nav.outline {
            cat.outlines(r(outline)).page_mode(PageMode::UseOutlines);
        }
        if let Some(dests) = nav.destinations {
            cat.destinations(r(dests));
        }
        cat.finish();
        self.emit(&c)?;
        let info_id = self.alloc();
        let date = pdf_date(info.modified);
        let mut c = chunk();
        let mut d = c.indirect(r(info_id)).start::<DocumentInfo>();
        d.title(TextStr(&info.title))
            .creator(TextStr("Tribune"))
            .producer(TextStr(PRODUCER))
            .creation_date(date)
            .modified_date(date);
        if !info.authors.is_empty() {
            d.author(TextStr(&info.authors.join(", ")));
        }
        if let Some(s) = &info.subject {
            d.subject(TextStr(s));
        }
        if !info.keywords.is_empty() {
            d.keywords(TextStr(&info.keywords.join(", ")));
        }
        if let Some(setup) = &self.print {
            setup.info(&mut d);
        }
        d.finish();
        self.emit(&c)?;
        let id_hex: String = id.as_bytes().iter().map(|b| format!("{b:02X}")).collect();
        if !self.packed_at.is_empty() {
            self.xref_stream(catalog, info_id, &id_hex)?;
            return self.out.commit();
        }
        let xref_at = self.pos;
        let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len());
        for off in &self.offsets[1..] {
            let _ = writeln!(x, "{off:010} 00000 n ");
        }
        let _ = write!(
            x,
            "trailer\n<< /Size {} /Root {catalog} 0 R /Info {info_id} 0 R /ID [<{id_hex}> <{id_hex}>] >>\nstartxref\n{xref_at}\n%%EOF\n",
            self.offsets.len()
        );
        self.raw(x.as_bytes())?;
        if self.offsets[1..].contains(&0) {
            return Err(internal("an object of the PDF was never written".into()));
        }
        self.out.commit()
    }

    /// The cross-reference stream (PDF 1.5) of a file with object streams, which holds the
    /// trailer's entries, and the file's end.
    fn xref_stream(&mut self, catalog: u32, info: u32, id_hex: &str) -> Result<(), Diagnostic> {
        let xref = self.alloc();
        let xref_at = self.pos;
        self.offsets[xref as usize] = xref_at;
        if self.offsets[1..].contains(&0) {
            return Err(internal("an object of the PDF was never written".into()));
        }
        let mut packed: Vec<(u32, u32)> = vec![(0, 0); self.offsets.len()];
        for (obj, stm, idx) in &self.packed_at {
            packed[*obj as usize] = (*stm, *idx);
        }
        // Rows of type (1 byte), offset or object stream (`w` bytes), generation or index
        // (2 bytes).
        let max = self.offsets.iter().filter(|o| **o != IN_STREAM).max().copied().unwrap_or(0);
        let w = (1..8).find(|w| max < 1u64 << (8 * w)).unwrap_or(8);
        // Each row goes through the PNG `Up` predictor (a filter byte 2, then each byte less
        // the byte above it): consecutive rows differ in an offset's low bytes or an index,
        // so the rows become runs of zeros and small numbers. At the fast level that packs
        // the 100-speech book's table into 20 KB instead of 23 KB at level 6 without it,
        // for 3 M instructions instead of 9 M, on the thread that ends the build.
        let cols = 1 + w + 2;
        let mut rows = Vec::with_capacity(self.offsets.len() * (cols + 1));
        let mut above = [0u8; 11];
        for (i, off) in self.offsets.iter().enumerate() {
            let (kind, field, second) = match (i, *off) {
                (0, _) => (0u8, 0u64, 0xffffu16),
                (_, IN_STREAM) => (2, packed[i].0 as u64, packed[i].1 as u16),
                (_, o) => (1, o, 0),
            };
            let mut row = [0u8; 11];
            row[0] = kind;
            row[1..1 + w].copy_from_slice(&field.to_be_bytes()[8 - w..]);
            row[1 + w..cols].copy_from_slice(&second.to_be_bytes());
            rows.push(2);
            rows.extend(row[..cols].iter().zip(&above[..cols]).map(|(b, a)| b.wrapping_sub(*a)));
            above = row;
        }
        let data = self.compress(&rows, 1)?;
        let mut head = format!(
            "{xref} 0 obj\n<</Type/XRef/Size {}/W[1 {w} 2]/Root {catalog} 0 R/Info {info} 0 R/ID[<{id_hex}><{id_hex}>]/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns {cols}>>/Length {}>>\nstream\n",
            self.offsets.len(),
            data.len()
        )
        .into_bytes();
        head.extend_from_slice(&data);
        head.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
        self.packed = data;
        self.raw(&head)
    }

    fn embed_font(
        &mut self,
        fonts: &FontSet,
        face: FaceId,
        type0: u32,
        gids: &[u16],
        files: FontFiles,
    ) -> Result<(), Diagnostic> {
        let f = fonts.face(face);
        // A subset tag from the glyphs it holds: stable for the same book.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in f.postscript_name.bytes().chain(gids.iter().flat_map(|g| g.to_be_bytes())) {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        let tag: String = (0..6).map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char).collect();
        let base = format!("{tag}+{}", f.postscript_name);
        let base = Name(base.as_bytes());
        let k = 1000.0 / f.units_per_em;
        let (file_id, desc_id, cid_id, tu_id) = (self.alloc(), self.alloc(), self.alloc(), self.alloc());
        let mut c = stream_chunk(files.subset.len())?;
        let mut s = c.stream(r(file_id), &files.subset);
        s.filter(Filter::FlateDecode).pair(LENGTH1, i32::try_from(files.subset_len).unwrap_or(i32::MAX));
        s.finish();
        self.emit_stream(&c, &files.subset)?;
        // Symbolic: glyphs are addressed by id, not by a standard encoding.
        let mut flags = FontFlags::SYMBOLIC;
        if f.serif {
            flags |= FontFlags::SERIF;
        }
        if f.fixed_pitch {
            flags |= FontFlags::FIXED_PITCH;
        }
        if f.italic_angle != 0.0 {
            flags |= FontFlags::ITALIC;
        }
        let units = |v: f32| (v * k).round();
        let mut c = chunk();
        c.font_descriptor(r(desc_id))
            .name(base)
            .flags(flags)
            .bbox(Rect::new(units(f.bbox[0]), units(f.bbox[1]), units(f.bbox[2]), units(f.bbox[3])))
            .italic_angle(milli(f.italic_angle))
            .ascent(units(f.ascender))
            .descent(units(f.descender))
            .cap_height(units(f.cap_height))
            .x_height(units(f.x_height))
            .stem_v(if face == FaceId::BOLD || face == FaceId::BOLD_ITALIC { 140.0 } else { 80.0 })
            .font_file2(r(file_id));
        self.emit(&c)?;
        let map_id = self.alloc();
        self.packed_stream(map_id, &files.map)?;
        // The content streams show glyphs by their ids in the font file (so pages can be
        // encoded before the subset is known): those ids are the CIDs, and CIDToGIDMap
        // leads each to its glyph in the subset. Widths in runs of consecutive ids.
        let mut c = Chunk::with_settings_and_capacity(Settings { pretty: false }, 512 + 8 * gids.len());
        let mut cid = c.cid_font(r(cid_id));
        cid.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 })
            .font_descriptor(r(desc_id))
            .default_width(0.0)
            .cid_to_gid_map_stream(r(map_id));
        let mut widths = cid.widths();
        let mut start = 0;
        for i in 0..gids.len() {
            if gids.get(i + 1).copied() != gids[i].checked_add(1) {
                widths.consecutive(gids[start], gids[start..=i].iter().map(|g| content::width_1000(f, *g)));
                start = i + 1;
            }
        }
        widths.finish();
        cid.finish();
        self.emit(&c)?;
        self.packed_stream(tu_id, &files.to_unicode)?;
        let mut c = chunk();
        c.type0_font(r(type0))
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(r(cid_id))
            .to_unicode(r(tu_id));
        self.emit(&c)
    }
}

/// Year, month, day, hour, minute and second (UTC) of seconds since 1970, the year held
/// to the four digits PDF and XMP dates have.
fn civil(secs: i64) -> (u16, u8, u8, u8, u8, u8) {
    let (y, m, d) = crate::document::civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    (y.clamp(0, 9999) as u16, m as u8, d as u8, (rem / 3600) as u8, (rem % 3600 / 60) as u8, (rem % 60) as u8)
}

/// `D:20211213000000Z` for seconds since 1970.
fn pdf_date(secs: i64) -> Date {
    let (y, m, d, h, min, s) = civil(secs);
    Date::new(y).month(m).day(d).hour(h).minute(min).second(s).utc_offset_hour(0)
}

/// The XMP metadata packet: the same facts as the Info dictionary, in the form PDF/A and
/// PDF/X readers and asset managers look for (and the PDF/X identification for print).
/// `ua`: the file is tagged and claims PDF/UA-1 (`pdfuaid:part`).
fn xmp(info: &DocInfo, id: &str, print: Option<&print::PrintSetup>, ua: bool) -> String {
    let (y, m, d, h, min, s) = civil(info.modified);
    let date = DateTime::new(y, m, d, h, min, s, Timezone::Utc);
    let uuid = format!("uuid:{id}");
    let keywords = info.keywords.join(", ");
    let mut x = XmpWriter::new();
    x.format("application/pdf");
    x.title([(None, info.title.as_str())]);
    x.creator(info.authors.iter().map(String::as_str));
    if let Some(s) = &info.subject {
        x.description([(None, s.as_str())]);
    }
    x.subject(info.keywords.iter().map(String::as_str));
    x.language([LangId(&info.language)]);
    x.identifier(&info.identifier);
    x.create_date(date).modify_date(date).metadata_date(date).creator_tool("Tribune");
    x.producer(PRODUCER).pdf_keywords(&keywords);
    x.document_id(&uuid).instance_id(&uuid);
    if let Some(p) = print {
        p.xmp(&mut x);
    }
    if ua {
        x.pdfua_part(1);
    }
    x.finish(None)
}

/// A face's streams, subset and compressed (with `z`, level 6): the font file (and its
/// length before compression), the CID-to-glyph map and the ToUnicode map.
struct FontFiles {
    subset: Vec<u8>,
    subset_len: usize,
    map: Vec<u8>,
    to_unicode: Vec<u8>,
}

/// The subset of `face` holding `gids` (ascending) and its maps, ready to write.
fn font_files(
    fonts: &FontSet,
    face: FaceId,
    gids: &[u16],
    texts: &BTreeMap<(FaceId, u16), String>,
    z: &mut Deflater,
) -> Result<FontFiles, Diagnostic> {
    let f = fonts.face(face);
    let remapper = subsetter::GlyphRemapper::new_from_glyphs(gids);
    let subset = subsetter::subset(&f.data, 0, &remapper).map_err(|e| {
        Diagnostic::error(Kind::Value, format!("the font `{}` cannot be subset: {e}", f.file))
            .with_hint("use another font file; TrueType (.ttf) fonts work best")
    })?;
    let last = gids.last().copied().unwrap_or(0) as usize;
    let mut map = vec![0u8; 2 * (last + 1)];
    for g in gids {
        let new = remapper.get(*g).unwrap_or(0).to_be_bytes();
        map[2 * *g as usize..2 * *g as usize + 2].copy_from_slice(&new);
    }
    let cmap = to_unicode(face, f, gids, texts);
    let mut pack = |data: &[u8]| {
        let mut out = Vec::new();
        z.pack(data, &mut out).map(|()| out)
    };
    Ok(FontFiles { subset: pack(&subset)?, subset_len: subset.len(), map: pack(&map)?, to_unicode: pack(&cmap)? })
}

/// The ToUnicode CMap of a font: glyph id (the CID) to text. A glyph shaping left without
/// text of its own (a right-to-left vowel mark, which the text layer of its word leaves
/// out, or a part of a cluster whose text went to another glyph) maps to the character the
/// font's own `cmap` gives it, so that every glyph shown has its Unicode (PDF/UA-1, 7.21.7).
fn to_unicode(
    face: FaceId,
    f: &crate::pdf::font::Face,
    gids: &[u16],
    texts: &BTreeMap<(FaceId, u16), String>,
) -> Vec<u8> {
    let info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"UCS"), supplement: 0 };
    let mut cmap = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), info);
    let text = |cid: u16| texts.get(&(face, cid)).filter(|t| !t.is_empty());
    let bare: Vec<u16> = gids.iter().copied().filter(|g| text(*g).is_none()).collect();
    let own = own_chars(f, &bare);
    for &cid in gids {
        if let Some(t) = text(cid) {
            cmap.pair_with_multiple(cid, t.chars());
        } else if let Some(c) = own.get(&cid) {
            cmap.pair_with_multiple(cid, std::iter::once(*c));
        }
    }
    cmap.finish().into_vec()
}

/// The characters the font's Unicode `cmap` maps to each of `gids` (the lowest where
/// several do).
fn own_chars(f: &crate::pdf::font::Face, gids: &[u16]) -> BTreeMap<u16, char> {
    let mut out = BTreeMap::new();
    if gids.is_empty() {
        return out;
    }
    let Ok(face) = ttf_parser::Face::parse(&f.data, 0) else { return out };
    let Some(cmap) = face.tables().cmap else { return out };
    for st in cmap.subtables.into_iter().filter(|st| st.is_unicode()) {
        st.codepoints(|cp| {
            let (Some(c), Some(g)) = (char::from_u32(cp), st.glyph_index(cp)) else { return };
            if gids.binary_search(&g.0).is_ok() {
                let e = out.entry(g.0).or_insert(c);
                *e = (*e).min(c);
            }
        });
    }
    out
}

/// A number as PDF writes it: at most three decimals, no exponent, no `-0`.
pub(crate) fn num(v: f32) -> String {
    let mut b = Vec::with_capacity(12);
    push_num(&mut b, v);
    String::from_utf8(b).unwrap_or_default()
}

/// [`num`] appended to `out` without the formatting machinery (content streams are
/// mostly numbers, written millions of times).
pub(crate) fn push_num(out: &mut Vec<u8>, v: f32) {
    content::push_milli(out, thousandths(v));
}

/// `v` in whole thousandths, as [`push_num`] writes it.
pub(crate) fn thousandths(v: f32) -> i64 {
    content::round_i(v as f64 * 1000.0).clamp(-9_000_000_000_000_000, 9_000_000_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_plain() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(595.2756), "595.276");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(-225.253), "-225.253");
        assert_eq!(num(1000.1), "1000.1");
    }

    /// The bytes of a dictionary pdf-writer writes into a chunk.
    fn written(f: impl FnOnce(&mut Chunk)) -> String {
        let mut c = chunk();
        f(&mut c);
        String::from_utf8_lossy(c.as_bytes()).into_owned()
    }

    #[test]
    fn dictionaries_are_compact_with_numbers_to_thousandths() {
        let s = written(|c| {
            c.page(r(3)).parent(r(1)).media_box(rect(0.0, 0.0, 419.527_56, 595.275_6));
        });
        assert_eq!(s, "3 0 obj\n<</Type/Page/Parent 1 0 R/MediaBox[0 0 419.528 595.276]>>\nendobj\n");
        assert_eq!(milli(-0.0001), 0.0);
    }

    #[test]
    fn info_dates_and_text_strings() {
        let s = written(|c| {
            c.indirect(r(7)).start::<DocumentInfo>().title(TextStr("Reden (Ä)")).creation_date(pdf_date(1_639_353_600));
        });
        assert!(s.contains("/CreationDate(D:20211213000000Z)"), "{s}");
        assert!(s.contains("/Title<FEFF"), "{s}");
        assert_eq!(civil(-1), (1969, 12, 31, 23, 59, 59));
    }

    #[test]
    fn the_xmp_packet_says_what_the_info_says() {
        let info = DocInfo {
            title: "Reden & <Antworten>".into(),
            authors: vec!["A. Autor".into(), "B. Bürger".into()],
            subject: Some("Über \"Reden\"".into()),
            keywords: vec!["Politik".into(), "Rede".into()],
            language: "de".into(),
            modified: 1_639_353_600,
            identifier: "urn:isbn:9783000000000".into(),
        };
        let setup = print::PrintSetup {
            bleed: 3.0,
            marks: false,
            outside_only: None,
            standard: print::Standard::X1a,
            condition: "FOGRA39".into(),
            registry: "http://www.color.org".into(),
            condition_info: "Coated FOGRA39".into(),
        };
        let packet = xmp(&info, "0e9a2d5c-0000-5000-8000-000000000000", Some(&setup), false);
        assert!(packet.starts_with("<?xpacket begin=\"\u{feff}\""));
        let doc = roxmltree::Document::parse(&packet).unwrap();
        let text = |ns: &str, name: &str| -> Vec<String> {
            let el = doc.descendants().find(|n| n.has_tag_name((ns, name)));
            let el = el.unwrap_or_else(|| panic!("no {name} in {packet}"));
            let items: Vec<String> =
                el.descendants().filter(|n| n.has_tag_name("li")).filter_map(|n| n.text()).map(String::from).collect();
            if items.is_empty() {
                vec![el.text().unwrap_or_default().to_string()]
            } else {
                items
            }
        };
        const DC: &str = "http://purl.org/dc/elements/1.1/";
        const XMP: &str = "http://ns.adobe.com/xap/1.0/";
        const PDF: &str = "http://ns.adobe.com/pdf/1.3/";
        const MM: &str = "http://ns.adobe.com/xap/1.0/mm/";
        const PDFX: &str = "http://ns.adobe.com/pdfx/1.3/";
        const PDFXID: &str = "http://www.npes.org/pdfx/ns/id/";
        assert_eq!(text(DC, "format"), ["application/pdf"]);
        assert_eq!(text(DC, "title"), ["Reden & <Antworten>"]);
        assert_eq!(text(DC, "creator"), ["A. Autor", "B. Bürger"]);
        assert_eq!(text(DC, "description"), ["Über \"Reden\""]);
        assert_eq!(text(DC, "subject"), ["Politik", "Rede"]);
        assert_eq!(text(DC, "language"), ["de"]);
        assert_eq!(text(DC, "identifier"), ["urn:isbn:9783000000000"]);
        for date in ["CreateDate", "ModifyDate", "MetadataDate"] {
            assert_eq!(text(XMP, date), ["2021-12-13T00:00:00Z"]);
        }
        assert_eq!(text(XMP, "CreatorTool"), ["Tribune"]);
        assert_eq!(text(PDF, "Producer"), [PRODUCER]);
        assert_eq!(text(PDF, "Keywords"), ["Politik, Rede"]);
        assert_eq!(text(PDF, "Trapped"), ["False"]);
        assert_eq!(text(MM, "DocumentID"), ["uuid:0e9a2d5c-0000-5000-8000-000000000000"]);
        assert_eq!(text(MM, "InstanceID"), ["uuid:0e9a2d5c-0000-5000-8000-000000000000"]);
        assert_eq!(text(MM, "VersionID"), ["1"]);
        assert_eq!(text(MM, "RenditionClass"), ["default"]);
        assert_eq!(text(PDFXID, "GTS_PDFXVersion"), ["PDF/X-1a:2003"]);
        assert_eq!(text(PDFX, "GTS_PDFXVersion"), ["PDF/X-1a:2003"]);
        assert_eq!(text(PDFX, "GTS_PDFXConformance"), ["PDF/X-1a:2003"]);
        // The reading edition claims no PDF/X.
        let plain = xmp(&info, "x", None, false);
        assert!(!plain.contains("GTS_PDFX") && !plain.contains("Trapped"), "{plain}");
    }
}

#[cfg(test)]
mod pdf_tests {
    use super::*;
    use crate::pdf::font::{Case, Shaper};

    /// A one-page PDF with shaped text, read back by qpdf and pdftotext when installed.
    #[test]
    fn writes_a_readable_pdf_with_subset_fonts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("books")).unwrap();
        let project = crate::project::Project::at(dir.path().to_path_buf()).unwrap();
        let fonts = FontSet::load(&project, &crate::style::Fonts::default()).unwrap();
        let mut shaper = Shaper::new(&fonts);
        let mut texts = BTreeMap::new();
        let mut marks = Vec::new();
        let mut x = 72.0;
        for word in ["Grüße", "aus", "Қазақстан", "–", "offiziell"] {
            let s = shaper.shape(FaceId::REGULAR, "de", Case::Normal, word);
            for (g, t) in s.glyph_texts(fonts.face(FaceId::REGULAR)) {
                texts.entry((FaceId::REGULAR, g)).or_insert(t);
            }
            let scale = 12.0 / fonts.face(FaceId::REGULAR).units_per_em;
            let mut pen = 0.0;
            let glyphs = s
                .glyphs
                .iter()
                .map(|g| {
                    let gl = Glyph { id: g.id, x: pen, dy: 0.0 };
                    pen += g.advance * scale;
                    gl
                })
                .collect();
            marks.push(Mark::Glyphs {
                face: FaceId::REGULAR,
                size: 12.0,
                x: Pt::new(x),
                y: Pt::new(142.0),
                rise: Pt::ZERO,
                glyphs,
                hscale: 1.0,
                actual_text: None,
            });
            x += pen + 4.0;
        }
        let file = dir.path().join("t.pdf");
        let mut w = PdfWriter::create(&file).unwrap();
        w.page(&fonts, 0, &Page { width: Pt::new(595.0), height: Pt::new(842.0), marks, ..Page::default() }).unwrap();
        let info = DocInfo { title: "Test".into(), language: "de".into(), ..Default::default() };
        w.finish(&fonts, &texts, &info, Navigation::default()).unwrap();
        let bytes = std::fs::read(&file).unwrap();
        assert!(bytes.starts_with(b"%PDF-1.7"));
        assert!(bytes.len() < 60_000, "the font is subset: {} bytes", bytes.len());
        if let Ok(out) = std::process::Command::new("qpdf").arg("--check").arg(&file).output() {
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        }
        if let Ok(out) = std::process::Command::new("pdftotext").arg(&file).arg("-").output() {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("Grüße aus Қазақстан – offiziell"), "{text}");
        }
    }
}
