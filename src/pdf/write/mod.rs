//! The PDF writer: pages go to the file as they are made (the book is never held whole in
//! memory), fonts are embedded at the end as subsets (CIDFontType2, Identity-H) with a
//! ToUnicode map, content streams are compressed, text is painted in DeviceGray.
//!
//! Why our own writer and not printpdf: printpdf 0.12 builds the whole document as
//! operations in memory (via lopdf) and serialises it at the end; at 8,000 pages that is
//! far beyond the memory budget, and it has no BleedBox or output intents for print. The
//! PDF syntax needed here is small and checked by qpdf in the tests; subsetting, the hard
//! part, is done by the `subsetter` crate.

mod content;
mod object;
pub mod print;

pub use content::{Deflater, Encoded, Encoder, Placed};
pub use object::{Obj, PdfString};

use crate::diagnostics::{Diagnostic, Kind};
use crate::images::{Colour, Data, PdfImage};
use crate::pdf::font::{FaceId, FontSet};
use crate::project::AtomicFile;
use object::name;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A glyph placed in a run: `x` is its pen position from the run's start, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub id: u16,
    pub x: f32,
    /// Vertical offset (marks placed by GPOS), points, upwards.
    pub dy: f32,
}

/// What a page shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// Glyphs of one face and size on a baseline at (`x`, `y`) (points from the bottom left).
    Glyphs {
        face: FaceId,
        size: f32,
        x: f32,
        y: f32,
        glyphs: Vec<Glyph>,
        /// Horizontal scale of the glyphs (font expansion), 1.0 for none.
        hscale: f32,
        /// Text that replaces the glyphs when the page is read out or copied: a soft
        /// hyphen for the hyphen of a line break, so copied words stay whole.
        actual_text: Option<String>,
    },
    /// A filled rectangle in black (rules).
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    /// The marks up to the matching `End` read out as `actual_text` when given (a table
    /// row: its cells in order, so that copying or extracting keeps rows together), and are
    /// in the language `lang` when given (a speech in another language than the book's).
    Begin {
        actual_text: Option<String>,
        lang: Option<String>,
    },
    End,
    /// An image filling the rectangle with its lower left corner at (`x`, `y`). `key`
    /// names the image (its file), so each is embedded once however often it is shown.
    Image {
        key: String,
        image: Arc<PdfImage>,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    /// The marks up to the matching `Restore` drawn through the matrix [a b c d e f]
    /// (the cover's spine, set turned a quarter).
    Transform([f32; 6]),
    /// The marks up to the matching `Restore` show only inside this rectangle.
    Clip {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    Restore,
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A web address (only `http`, `https` and `mailto` are made clickable).
    Uri(String),
    /// A page of the document (0-based index) and the height (points from the bottom)
    /// the view should open at.
    Page { index: usize, top: f32 },
}

/// A clickable area of a page: `rect` is [left, bottom, right, top] in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub rect: [f32; 4],
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub marks: Vec<Mark>,
    pub links: Vec<Link>,
}

/// An entry of the outline (bookmarks): its level, title, 0-based page index and the
/// height (points from the bottom) the reader's view should open at.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub level: u8,
    pub title: String,
    pub page: usize,
    pub top: f32,
}

/// Document metadata.
#[derive(Debug, Clone, Default)]
pub struct DocInfo {
    pub title: String,
    pub authors: Vec<String>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    pub language: String,
    /// Seconds since 1970 (UTC).
    pub modified: i64,
    /// Stable identifier of the book, seeds the document ID.
    pub identifier: String,
}

/// A face embedded in the file: its font object, and the glyph ids shown (by id).
struct FontUse {
    type0: u32,
    used: Vec<bool>,
}

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
    /// The compressor of the last level used (see [`Deflater`]) and a buffer for its output.
    deflate: Option<Deflater>,
    packed: Vec<u8>,
    /// Encodes the pages given to [`PdfWriter::page`] (others come encoded).
    encoder: Option<Encoder>,
}

impl PdfWriter {
    pub fn create(path: &Path) -> Result<PdfWriter, Diagnostic> {
        Self::create_version(path, "1.7")
    }

    /// A writer whose file claims PDF `version` (PDF/X-1a:2003 wants 1.4 at most).
    pub fn create_version(path: &Path, version: &str) -> Result<PdfWriter, Diagnostic> {
        let out = AtomicFile::create(path)?;
        let mut w = PdfWriter {
            out,
            path: path.to_path_buf(),
            pos: 0,
            offsets: vec![0],
            pages_root: 0,
            pages: Vec::new(),
            written: Vec::new(),
            fonts: BTreeMap::new(),
            images: BTreeMap::new(),
            digest: 0xcbf2_9ce4_8422_2325,
            print: None,
            forms: None,
            press: Default::default(),
            deflate: None,
            packed: Vec::new(),
            encoder: None,
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
    pub fn alloc(&mut self) -> u32 {
        self.offsets.push(0);
        (self.offsets.len() - 1) as u32
    }

    /// Write object `id` (allocated before) with the value `obj`.
    pub fn object(&mut self, id: u32, obj: &Obj) -> Result<(), Diagnostic> {
        self.offsets[id as usize] = self.pos;
        let mut s = Vec::with_capacity(128);
        writeln!(s, "{id} 0 obj").ok();
        obj.write(&mut s);
        s.extend_from_slice(b"\nendobj\n");
        self.raw(&s)
    }

    /// Write a stream object, compressed at `level` (0: not compressed). Page contents use a
    /// fast level (they are most of the work and compress well anyway), fonts a thorough one.
    pub fn stream(&mut self, id: u32, mut dict: Vec<(&str, Obj)>, data: &[u8], level: u32) -> Result<(), Diagnostic> {
        let mut packed = std::mem::take(&mut self.packed);
        let data = if level > 0 {
            self.compress(data, level, &mut packed)?;
            dict.push(("Filter", name("FlateDecode")));
            &packed[..]
        } else {
            data
        };
        for b in data.iter().step_by(61) {
            self.digest = (self.digest ^ *b as u64).wrapping_mul(0x100_0000_01b3);
        }
        dict.push(("Length", Obj::Int(data.len() as i64)));
        self.offsets[id as usize] = self.pos;
        let mut s = Vec::with_capacity(128);
        writeln!(s, "{id} 0 obj").ok();
        Obj::Dict(dict.into_iter().map(|(k, v)| (k.to_string(), v)).collect()).write(&mut s);
        s.extend_from_slice(b"\nstream\n");
        self.raw(&s)?;
        self.raw(data)?;
        self.packed = packed;
        self.raw(b"\nendstream\nendobj\n")
    }

    /// `data` as a zlib stream at `level` into `out` (cleared first).
    fn compress(&mut self, data: &[u8], level: u32, out: &mut Vec<u8>) -> Result<(), Diagnostic> {
        let d = match &mut self.deflate {
            Some(d) if d.level() == level as i32 => d,
            slot => slot.insert(Deflater::new(level as i32)),
        };
        d.pack(data, out)
    }

    /// Write a stream object whose `data` is zlib-compressed already.
    fn packed_stream(&mut self, id: u32, mut dict: Vec<(&str, Obj)>, data: &[u8]) -> Result<(), Diagnostic> {
        dict.push(("Filter", name("FlateDecode")));
        self.stream(id, dict, data, 0)
    }

    /// The object number of page `index` (0-based), reserved if the page is not written yet.
    pub fn page_ref(&mut self, index: usize) -> u32 {
        while self.pages.len() <= index {
            let id = self.alloc();
            self.pages.push(id);
            self.written.push(false);
        }
        self.pages[index]
    }

    /// An encoder for the pages of this file, for [`PdfWriter::put`]: one per thread.
    pub fn encoder(&self) -> Encoder {
        Encoder::new(self.print.clone(), self.forms.is_none())
    }

    /// Write page `index` now (see [`PdfWriter::put`]). Returns the page's object number.
    pub fn page(&mut self, fonts: &FontSet, index: usize, page: &Page) -> Result<u32, Diagnostic> {
        let mut encoder = self.encoder.take().unwrap_or_else(|| self.encoder());
        let encoded = encoder.encode(fonts, page);
        self.encoder = Some(encoder);
        self.put(index, encoded?)
    }

    /// Write page `index`, encoded by an [`Encoder`] of this writer: its content stream,
    /// images first shown on it, its link annotations and its page object. Returns the
    /// page's object number.
    pub fn put(&mut self, index: usize, page: Encoded) -> Result<u32, Diagnostic> {
        // A booklet's pages become forms (see `print.rs`), not pages of the file.
        let id = if self.forms.is_some() { 0 } else { self.page_ref(index) };
        if self.written.get(index).copied().unwrap_or(false) {
            return Err(Diagnostic::error(Kind::Io, format!("internal error: page {} was written twice", index + 1))
                .with_hint("please report this with the book that caused it"));
        }
        if let Some(w) = self.written.get_mut(index) {
            *w = true;
        }
        let mut font_res = Vec::new();
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
            font_res.push((format!("F{}", face.0), Obj::Ref(use_.type0)));
        }
        let mut xobjects: Vec<(String, Obj)> = Vec::new();
        let mut keys: Vec<&str> = Vec::new();
        for p in &page.images {
            self.note_placement(&p.key, &p.image, p.width, p.height);
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
            xobjects.push((format!("Im{}", keys.len()), Obj::Ref(id)));
            keys.push(&p.key);
        }
        let mut resources = vec![("Font".to_string(), Obj::Dict(font_res))];
        if !xobjects.is_empty() {
            resources.push(("XObject".to_string(), Obj::Dict(xobjects)));
        }
        let resources = Obj::Dict(resources);
        if self.forms.is_some() {
            return self.form(index, page.width, page.height, &page.content, resources);
        }
        let mut media = Obj::Array(vec![Obj::Int(0), Obj::Int(0), Obj::Real(page.width), Obj::Real(page.height)]);
        let mut boxes = Vec::new();
        if let Some(p) = &self.print {
            (media, boxes) = p.boxes(page.width, page.height);
        }
        let content_id = self.alloc();
        self.packed_stream(content_id, Vec::new(), &page.content)?;
        let mut dict = vec![
            ("Type".to_string(), name("Page")),
            ("Parent".to_string(), Obj::Ref(self.pages_root)),
            ("MediaBox".to_string(), media),
            ("Resources".to_string(), resources),
            ("Contents".to_string(), Obj::Ref(content_id)),
        ];
        dict.extend(boxes);
        let mut annots = Vec::new();
        // Links are not printed: the print edition has none.
        let links = if self.print.is_none() { &page.links[..] } else { &[] };
        for link in links {
            if let Some(a) = self.annotation(link) {
                let aid = self.alloc();
                self.object(aid, &a)?;
                annots.push(Obj::Ref(aid));
            }
        }
        if !annots.is_empty() {
            dict.push(("Annots".to_string(), Obj::Array(annots)));
        }
        self.object(id, &Obj::Dict(dict))?;
        Ok(id)
    }

    /// A link annotation without a border; `None` for addresses that are not web or mail
    /// links (a `javascript:` or `file:` link is not made clickable).
    fn annotation(&mut self, link: &Link) -> Option<Obj> {
        let action = match &link.target {
            Target::Uri(u) => {
                let lower = u.to_ascii_lowercase();
                if !["http://", "https://", "mailto:"].iter().any(|p| lower.starts_with(p)) {
                    return None;
                }
                Obj::Dict(vec![("S".into(), name("URI")), ("URI".into(), Obj::Str(PdfString::bytes(u.as_bytes())))])
            }
            Target::Page { index, top } => {
                let page = self.page_ref(*index);
                Obj::Dict(vec![
                    ("S".into(), name("GoTo")),
                    ("D".into(), Obj::Array(vec![Obj::Ref(page), name("XYZ"), Obj::Null, Obj::Real(*top), Obj::Null])),
                ])
            }
        };
        let [x0, y0, x1, y1] = link.rect;
        Some(Obj::Dict(vec![
            ("Type".into(), name("Annot")),
            ("Subtype".into(), name("Link")),
            ("Rect".into(), Obj::Array(vec![Obj::Real(x0), Obj::Real(y0), Obj::Real(x1), Obj::Real(y1)])),
            ("Border".into(), Obj::Array(vec![Obj::Int(0), Obj::Int(0), Obj::Int(0)])),
            ("F".into(), Obj::Int(4)),
            ("A".into(), action),
        ]))
    }

    /// Write an image XObject (and its soft mask); returns its object number.
    fn image(&mut self, image: &PdfImage) -> Result<u32, Diagnostic> {
        let id = self.alloc();
        let space = match image.colour {
            Colour::Gray => "DeviceGray",
            Colour::Rgb => "DeviceRGB",
            Colour::Cmyk { .. } => "DeviceCMYK",
        };
        let mut dict = vec![
            ("Type", name("XObject")),
            ("Subtype", name("Image")),
            ("Width", Obj::Int(image.width as i64)),
            ("Height", Obj::Int(image.height as i64)),
            ("ColorSpace", name(space)),
            ("BitsPerComponent", Obj::Int(8)),
        ];
        if image.colour == (Colour::Cmyk { inverted: true }) {
            dict.push(("Decode", Obj::Array([1, 0, 1, 0, 1, 0, 1, 0].iter().map(|v| Obj::Int(*v)).collect())));
        }
        match &image.data {
            Data::Jpeg(bytes) => {
                dict.push(("Filter", name("DCTDecode")));
                self.stream(id, dict, bytes, 0)
            }
            Data::Raw { samples, alpha } => {
                if let Some(a) = alpha {
                    let mask = self.alloc();
                    let mdict = vec![
                        ("Type", name("XObject")),
                        ("Subtype", name("Image")),
                        ("Width", Obj::Int(image.width as i64)),
                        ("Height", Obj::Int(image.height as i64)),
                        ("ColorSpace", name("DeviceGray")),
                        ("BitsPerComponent", Obj::Int(8)),
                    ];
                    self.stream(mask, mdict, a, 6)?;
                    dict.push(("SMask", Obj::Ref(mask)));
                }
                self.stream(id, dict, samples, 6)
            }
        }?;
        Ok(id)
    }

    /// Write the outline (bookmarks) of pages already written; returns the outline root.
    /// Levels nest: an entry is the child of the nearest entry before it with a lower level.
    /// Top-level entries show their children; deeper ones start closed.
    pub fn outline(&mut self, entries: &[OutlineEntry]) -> Result<Option<u32>, Diagnostic> {
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
        let top = kids[0].clone();
        for (i, e) in entries.iter().enumerate() {
            let siblings = &kids[parent[i].map_or(0, |p| p + 1)];
            let pos = pos[i];
            let mut d = vec![
                ("Title".to_string(), Obj::Str(PdfString::text(&e.title))),
                ("Parent".to_string(), Obj::Ref(parent[i].map_or(root, |p| ids[p]))),
                (
                    "Dest".to_string(),
                    Obj::Array(vec![Obj::Ref(self.pages[e.page]), name("XYZ"), Obj::Null, Obj::Real(e.top), Obj::Null]),
                ),
            ];
            if pos > 0 {
                d.push(("Prev".into(), Obj::Ref(ids[siblings[pos - 1]])));
            }
            if let Some(&n) = siblings.get(pos + 1) {
                d.push(("Next".into(), Obj::Ref(ids[n])));
            }
            let mine = &kids[i + 1];
            if let (Some(&f), Some(&l)) = (mine.first(), mine.last()) {
                d.push(("First".into(), Obj::Ref(ids[f])));
                d.push(("Last".into(), Obj::Ref(ids[l])));
                let n = mine.len() as i64;
                d.push(("Count".into(), Obj::Int(if parent[i].is_none() { n } else { -n })));
            }
            self.object(ids[i], &Obj::Dict(d))?;
        }
        let open = top.len() + top.iter().map(|&t| kids[t + 1].len()).sum::<usize>();
        self.object(
            root,
            &Obj::Dict(vec![
                ("Type".into(), name("Outlines")),
                ("First".into(), Obj::Ref(ids[top[0]])),
                ("Last".into(), Obj::Ref(ids[*top.last().unwrap_or(&top[0])])),
                ("Count".into(), Obj::Int(open as i64)),
            ]),
        )?;
        Ok(Some(root))
    }

    /// Embed the fonts, write the page tree, catalog, info and cross-reference table, and
    /// put the file in place. `texts` maps each (face, glyph) to the text it stands for.
    pub fn finish(
        mut self,
        fonts: &FontSet,
        texts: &BTreeMap<(FaceId, u16), String>,
        info: &DocInfo,
        catalog_extra: Vec<(&str, Obj)>,
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
            return Err(Diagnostic::error(Kind::Io, format!("internal error: page {} was never written", missing + 1))
                .with_hint("please report this with the book that caused it"));
        }
        let kids = self.pages.iter().map(|p| Obj::Ref(*p)).collect();
        let root = self.pages_root;
        self.object(
            root,
            &Obj::Dict(vec![
                ("Type".into(), name("Pages")),
                ("Kids".into(), Obj::Array(kids)),
                ("Count".into(), Obj::Int(self.pages.len() as i64)),
            ]),
        )?;
        // The document ID: derived from the book's identifier and contents, so the same
        // sources give the same bytes.
        let seed = format!("{}|{}|{}|{:x}", info.identifier, info.modified, self.pages.len(), self.digest);
        let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, seed.as_bytes());
        let metadata = self.alloc();
        let xmp = xmp(info, &id.to_string(), &self.print_xmp());
        self.stream(metadata, vec![("Type", name("Metadata")), ("Subtype", name("XML"))], xmp.as_bytes(), 0)?;
        let catalog = self.alloc();
        let mut cat = vec![
            ("Type".to_string(), name("Catalog")),
            ("Pages".to_string(), Obj::Ref(root)),
            ("Metadata".to_string(), Obj::Ref(metadata)),
            ("Lang".to_string(), Obj::Str(PdfString::text(&info.language))),
            ("ViewerPreferences".to_string(), Obj::Dict(vec![("DisplayDocTitle".into(), Obj::Bool(true))])),
        ];
        cat.extend(self.print_catalog()?);
        cat.extend(catalog_extra.into_iter().map(|(k, v)| (k.to_string(), v)));
        self.object(catalog, &Obj::Dict(cat))?;
        let info_id = self.alloc();
        let date = pdf_date(info.modified);
        let mut inf = vec![
            ("Title".to_string(), Obj::Str(PdfString::text(&info.title))),
            ("Creator".to_string(), Obj::Str(PdfString::text("Tribune"))),
            ("Producer".to_string(), Obj::Str(PdfString::text(concat!("Tribune ", env!("CARGO_PKG_VERSION"))))),
            ("CreationDate".to_string(), Obj::Str(PdfString::text(&date))),
            ("ModDate".to_string(), Obj::Str(PdfString::text(&date))),
        ];
        if !info.authors.is_empty() {
            inf.push(("Author".into(), Obj::Str(PdfString::text(&info.authors.join(", ")))));
        }
        if let Some(s) = &info.subject {
            inf.push(("Subject".into(), Obj::Str(PdfString::text(s))));
        }
        if !info.keywords.is_empty() {
            inf.push(("Keywords".into(), Obj::Str(PdfString::text(&info.keywords.join(", ")))));
        }
        inf.extend(self.print_info());
        self.object(info_id, &Obj::Dict(inf))?;
        let id_hex: String = id.as_bytes().iter().map(|b| format!("{b:02X}")).collect();
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
            return Err(Diagnostic::error(Kind::Io, "internal error: an object of the PDF was never written")
                .with_hint("please report this with the book that caused it"));
        }
        self.out.commit()
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
        let k = 1000.0 / f.units_per_em;
        let (file_id, desc_id, cid_id, tu_id) = (self.alloc(), self.alloc(), self.alloc(), self.alloc());
        self.packed_stream(file_id, vec![("Length1", Obj::Int(files.subset_len as i64))], &files.subset)?;
        let mut flags = 4; // symbolic: glyphs are addressed by id, not by a standard encoding
        if f.serif {
            flags |= 2;
        }
        if f.fixed_pitch {
            flags |= 1;
        }
        if f.italic_angle != 0.0 {
            flags |= 64;
        }
        self.object(
            desc_id,
            &Obj::Dict(vec![
                ("Type".into(), name("FontDescriptor")),
                ("FontName".into(), name(&base)),
                ("Flags".into(), Obj::Int(flags)),
                ("FontBBox".into(), Obj::Array(f.bbox.iter().map(|v| Obj::Int((v * k).round() as i64)).collect())),
                ("ItalicAngle".into(), Obj::Real(f.italic_angle)),
                ("Ascent".into(), Obj::Int((f.ascender * k).round() as i64)),
                ("Descent".into(), Obj::Int((f.descender * k).round() as i64)),
                ("CapHeight".into(), Obj::Int((f.cap_height * k).round() as i64)),
                ("XHeight".into(), Obj::Int((f.x_height * k).round() as i64)),
                ("StemV".into(), Obj::Int(if face == FaceId::BOLD || face == FaceId::BOLD_ITALIC { 140 } else { 80 })),
                ("FontFile2".into(), Obj::Ref(file_id)),
            ]),
        )?;
        // The content streams show glyphs by their ids in the font file (so pages can be
        // encoded before the subset is known): those ids are the CIDs, and CIDToGIDMap
        // leads each to its glyph in the subset. Widths in runs of consecutive ids.
        let mut widths: Vec<Obj> = Vec::new();
        let mut run: Vec<Obj> = Vec::new();
        for (i, g) in gids.iter().enumerate() {
            if i > 0 && gids[i - 1] + 1 != *g {
                widths.push(Obj::Array(std::mem::take(&mut run)));
            }
            if run.is_empty() {
                widths.push(Obj::Int(*g as i64));
            }
            run.push(Obj::Real(content::width_1000(f, *g)));
        }
        if !run.is_empty() {
            widths.push(Obj::Array(run));
        }
        let map_id = self.alloc();
        self.packed_stream(map_id, Vec::new(), &files.map)?;
        self.object(
            cid_id,
            &Obj::Dict(vec![
                ("Type".into(), name("Font")),
                ("Subtype".into(), name("CIDFontType2")),
                ("BaseFont".into(), name(&base)),
                (
                    "CIDSystemInfo".into(),
                    Obj::Dict(vec![
                        ("Registry".into(), Obj::Str(PdfString::text("Adobe"))),
                        ("Ordering".into(), Obj::Str(PdfString::text("Identity"))),
                        ("Supplement".into(), Obj::Int(0)),
                    ]),
                ),
                ("FontDescriptor".into(), Obj::Ref(desc_id)),
                ("DW".into(), Obj::Int(0)),
                ("W".into(), Obj::Array(widths)),
                ("CIDToGIDMap".into(), Obj::Ref(map_id)),
            ]),
        )?;
        self.packed_stream(tu_id, Vec::new(), &files.to_unicode)?;
        self.object(
            type0,
            &Obj::Dict(vec![
                ("Type".into(), name("Font")),
                ("Subtype".into(), name("Type0")),
                ("BaseFont".into(), name(&base)),
                ("Encoding".into(), name("Identity-H")),
                ("DescendantFonts".into(), Obj::Array(vec![Obj::Ref(cid_id)])),
                ("ToUnicode".into(), Obj::Ref(tu_id)),
            ]),
        )
    }
}

/// The XMP metadata packet: the same facts as the Info dictionary, in the form PDF/A and
/// PDF/X readers and asset managers look for.
fn xmp(info: &DocInfo, id: &str, extra: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let date = crate::document::iso8601(info.modified);
    let creators: String = info.authors.iter().map(|a| format!("<rdf:li>{}</rdf:li>", esc(a))).collect();
    let subject = info
        .subject
        .as_deref()
        .map(|s| {
            format!(
                "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>",
                esc(s)
            )
        })
        .unwrap_or_default();
    let keywords: String = info.keywords.iter().map(|k| format!("<rdf:li>{}</rdf:li>", esc(k))).collect();
    format!(
        concat!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
            "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" ",
            "xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\">\n",
            "<dc:format>application/pdf</dc:format>\n",
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n",
            "<dc:creator><rdf:Seq>{creators}</rdf:Seq></dc:creator>\n",
            "{subject}\n",
            "<dc:subject><rdf:Bag>{keywords}</rdf:Bag></dc:subject>\n",
            "<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n",
            "<dc:identifier>{identifier}</dc:identifier>\n",
            "<xmp:CreateDate>{date}</xmp:CreateDate><xmp:ModifyDate>{date}</xmp:ModifyDate>",
            "<xmp:MetadataDate>{date}</xmp:MetadataDate><xmp:CreatorTool>Tribune</xmp:CreatorTool>\n",
            "<pdf:Producer>Tribune {version}</pdf:Producer><pdf:Keywords>{kw}</pdf:Keywords>\n",
            "<xmpMM:DocumentID>uuid:{id}</xmpMM:DocumentID><xmpMM:InstanceID>uuid:{id}</xmpMM:InstanceID>\n",
            "</rdf:Description>\n{extra}</rdf:RDF></x:xmpmeta>\n<?xpacket end=\"r\"?>"
        ),
        extra = extra,
        title = esc(&info.title),
        creators = creators,
        subject = subject,
        keywords = keywords,
        lang = esc(&info.language),
        identifier = esc(&info.identifier),
        date = date,
        version = env!("CARGO_PKG_VERSION"),
        kw = esc(&info.keywords.join(", ")),
        id = id,
    )
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
    let cmap = to_unicode(face, gids, texts);
    let mut pack = |data: &[u8]| {
        let mut out = Vec::new();
        z.pack(data, &mut out).map(|()| out)
    };
    Ok(FontFiles {
        subset: pack(&subset)?,
        subset_len: subset.len(),
        map: pack(&map)?,
        to_unicode: pack(cmap.as_bytes())?,
    })
}

/// The ToUnicode CMap of a font: glyph id (the CID) to text.
fn to_unicode(face: FaceId, gids: &[u16], texts: &BTreeMap<(FaceId, u16), String>) -> String {
    let mut entries = Vec::new();
    for &cid in gids {
        let g = &cid;
        if let Some(t) = texts.get(&(face, *g)).filter(|t| !t.is_empty()) {
            let hex: String = t.encode_utf16().map(|u| format!("{u:04X}")).collect();
            entries.push(format!("<{cid:04X}> <{hex}>"));
        }
    }
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for e in chunk {
            s.push_str(e);
            s.push('\n');
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// A number as PDF writes it: at most three decimals, no exponent, no `-0`.
pub fn num(v: f32) -> String {
    let mut b = Vec::with_capacity(12);
    push_num(&mut b, v);
    String::from_utf8(b).unwrap_or_default()
}

/// [`num`] appended to `out` without the formatting machinery (content streams are
/// mostly numbers, written millions of times).
pub fn push_num(out: &mut Vec<u8>, v: f32) {
    let r = content::round_i(v as f64 * 1000.0).clamp(-9_000_000_000_000_000, 9_000_000_000_000_000);
    content::push_milli(out, r);
}

/// `D:20211213000000Z` for seconds since 1970.
pub fn pdf_date(secs: i64) -> String {
    let iso = crate::document::iso8601(secs);
    let digits: String = iso.chars().filter(|c| c.is_ascii_digit()).collect();
    format!("D:{digits}Z")
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
        assert_eq!(pdf_date(1_639_353_600), "D:20211213000000Z");
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
                x,
                y: 700.0,
                glyphs,
                hscale: 1.0,
                actual_text: None,
            });
            x += pen + 4.0;
        }
        let file = dir.path().join("t.pdf");
        let mut w = PdfWriter::create(&file).unwrap();
        w.page(&fonts, 0, &Page { width: 595.0, height: 842.0, marks, links: Vec::new() }).unwrap();
        let info = DocInfo { title: "Test".into(), language: "de".into(), ..Default::default() };
        w.finish(&fonts, &texts, &info, Vec::new()).unwrap();
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
