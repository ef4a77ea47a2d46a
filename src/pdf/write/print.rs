//! The print shop's side of the writer: pages with trim and bleed boxes (and crop marks
//! outside the bleed), colour in DeviceCMYK, the PDF/X output intent and identification;
//! and, for booklets, pages kept as Form XObjects that sheets place two by two.
//!
//! A page is laid out in trim coordinates as for the reading edition; here its content is
//! shifted by the bleed (and the marks' margin) inside a larger MediaBox, so layout does
//! not know about print at all.

use super::{chunk, internal, num, r, rect, stream_chunk, PageResources, PdfWriter};
use crate::diagnostics::{Diagnostic, Kind};
use crate::images::{Colour, Data, PdfImage};
use pdf_writer::types::{OutputIntentSubtype, TrappingStatus};
use pdf_writer::writers::{DocumentInfo, OutputIntent};
use pdf_writer::{Filter, Finish, Name, Rect, Ref, TextStr};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;
use xmp_writer::{CustomNamespace, Namespace, RenditionClass, XmpWriter};

/// Points per millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;

/// Which PDF/X the print edition claims.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Standard {
    /// PDF/X-1a:2003: CMYK and gray only, no transparency, the condition named only.
    X1a,
    /// PDF/X-1a:2001, as IngramSpark asks: the same rules on PDF 1.3.
    X1a2001,
    /// PDF/X-4: the output profile embedded (`components`: its colour space's channels).
    X4 { profile: Vec<u8>, components: u8, description: String },
}

/// How print pages are framed and what the file claims.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PrintSetup {
    /// Bleed around the trim, in points.
    pub(crate) bleed: f32,
    /// Crop marks outside the bleed.
    pub(crate) marks: bool,
    /// The bleed only on the top, bottom and outside edges (KDP), not at the spine; the
    /// value says whether the book reads right to left (its rectos' outside is the left).
    pub(crate) outside_only: Option<bool>,
    pub(crate) standard: Standard,
    /// The output intent: condition identifier, registry and description.
    pub(crate) condition: String,
    pub(crate) registry: String,
    pub(crate) condition_info: String,
}

/// Keys of the Info dictionary that identify a PDF/X file, which pdf-writer has no typed
/// setters for.
const GTS_PDFX_VERSION: Name<'static> = Name(b"GTS_PDFXVersion");
const GTS_PDFX_CONFORMANCE: Name<'static> = Name(b"GTS_PDFXConformance");

/// The boxes of a print page: the sheet as printed, the page as trimmed, and the trim
/// with its bleed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Boxes {
    pub(crate) media: Rect,
    pub(crate) trim: Rect,
    pub(crate) bleed: Rect,
}

/// A crop mark's gap from the bleed edge and its length.
const MARK_GAP: f32 = 1.0 * MM;
const MARK_LEN: f32 = 5.0 * MM;

impl PrintSetup {
    /// From the trim's edge to the MediaBox's edge.
    pub(crate) fn offset(&self) -> f32 {
        if self.marks {
            self.bleed + MARK_GAP + MARK_LEN + 1.0 * MM
        } else {
            self.bleed
        }
    }

    /// The PDF header version: PDF/X-1a:2001 is based on PDF 1.3, PDF/X-1a:2003 on 1.4,
    /// PDF/X-4 on 1.6.
    pub(crate) fn version(&self) -> &'static str {
        match self.standard {
            Standard::X1a2001 => "1.3",
            Standard::X1a => "1.4",
            Standard::X4 { .. } => "1.6",
        }
    }

    /// The MediaBox, TrimBox and BleedBox of page `index` (0 is the first recto), trimmed
    /// `w` × `h`. With the bleed on the outside edges only, the content stays where it is
    /// (framed as for bleed all round) and the MediaBox leaves out the spine's side: a
    /// recto's box starts at its trim's left edge, a verso's ends at its right one.
    pub(crate) fn boxes(&self, w: f32, h: f32, index: usize) -> Boxes {
        let o = self.offset();
        let b = self.bleed;
        let (mut x0, mut x1) = (0.0, w + 2.0 * o);
        if let Some(rtl) = self.outside_only {
            // In a book read left to right, rectos are bound on their left.
            if index.is_multiple_of(2) != rtl {
                x0 = o;
            } else {
                x1 = o + w;
            }
        }
        let media = rect(x0, 0.0, x1, h + 2.0 * o);
        Boxes { media, trim: rect(o, o, o + w, o + h), bleed: rect(x0.max(o - b), o - b, x1.min(o + w + b), o + h + b) }
    }

    /// Is this PDF/X-1a (either year)?
    pub(crate) fn is_x1a(&self) -> bool {
        matches!(self.standard, Standard::X1a | Standard::X1a2001)
    }

    /// A page's content framed for print: shifted onto the trim, painted in CMYK black,
    /// crop marks after it.
    pub(crate) fn frame(&self, w: f32, h: f32, content: &[u8]) -> Vec<u8> {
        let o = self.offset();
        let mut s = Vec::with_capacity(content.len() + 600);
        s.extend_from_slice(format!("q 1 0 0 1 {} {} cm\n", num(o), num(o)).as_bytes());
        s.extend_from_slice(content);
        s.extend_from_slice(b"Q\n");
        if self.marks {
            s.extend_from_slice(crop_marks(o, o, w, h, self.bleed).as_bytes());
        }
        s
    }

    /// The output intent (the profile, for PDF/X-4, written as `profile`).
    pub(crate) fn output_intent(&self, mut intent: OutputIntent<'_>, profile: Option<Ref>) {
        intent
            .subtype(OutputIntentSubtype::PDFX)
            .output_condition_identifier(TextStr(&self.condition))
            .registry_name(TextStr(&self.registry))
            .info(TextStr(&self.condition_info))
            .output_condition(TextStr(&self.condition_info));
        if let Some(p) = profile {
            intent.dest_output_profile(p);
        }
    }

    /// The Info dictionary's PDF/X entries.
    pub(crate) fn info(&self, d: &mut DocumentInfo<'_>) {
        d.trapped(TrappingStatus::NotTrapped);
        d.pair(GTS_PDFX_VERSION, TextStr(self.pdfx_version()));
        if let Some(c) = self.conformance() {
            d.pair(GTS_PDFX_CONFORMANCE, TextStr(c));
        }
    }

    /// `GTS_PDFXVersion` as the Info dictionary and XMP name it.
    pub(crate) fn pdfx_version(&self) -> &'static str {
        match self.standard {
            Standard::X1a => "PDF/X-1a:2003",
            // ISO 15930-1: the version key says PDF/X-1:2001, the conformance key the `a`.
            Standard::X1a2001 => "PDF/X-1:2001",
            Standard::X4 { .. } => "PDF/X-4",
        }
    }

    /// `GTS_PDFXConformance`, which PDF/X-1a names.
    pub(crate) fn conformance(&self) -> Option<&'static str> {
        match self.standard {
            Standard::X1a => Some("PDF/X-1a:2003"),
            Standard::X1a2001 => Some("PDF/X-1a:2001"),
            Standard::X4 { .. } => None,
        }
    }

    /// The XMP properties that identify the file as PDF/X: the version in the PDF/X
    /// identification schema and, as PDF/X-1a:2003 readers look for it, in Adobe's older
    /// `pdfx` schema (with the conformance level).
    pub(crate) fn xmp(&self, x: &mut XmpWriter<'_>) {
        // PDF/X-4 asks for the version and rendition besides the document ID.
        x.version_id("1").rendition_class(RenditionClass::Default);
        x.pdfx_version(self.pdfx_version()).trapped(false);
        let pdfx =
            || Namespace::Custom(Box::new(CustomNamespace::new("PDF/X", "pdfx", "http://ns.adobe.com/pdfx/1.3/")));
        x.element("GTS_PDFXVersion", pdfx()).value(self.pdfx_version());
        if let Some(c) = self.conformance() {
            x.element("GTS_PDFXConformance", pdfx()).value(c);
        }
    }
}

/// Crop marks at the four corners of the trim (`x`, `y`, `w`, `h`), starting outside the
/// bleed so that none shows on the trimmed page, in registration colour (all four inks).
pub(crate) fn crop_marks(x: f32, y: f32, w: f32, h: f32, bleed: f32) -> String {
    let mut s = String::from("q 0.25 w 1 1 1 1 K\n");
    let near = bleed + MARK_GAP;
    let far = near + MARK_LEN;
    for (cx, sx) in [(x, -1.0f32), (x + w, 1.0)] {
        for (cy, sy) in [(y, -1.0f32), (y + h, 1.0)] {
            // A horizontal mark on the line of the horizontal trim edge, and a vertical one.
            let _ = writeln!(s, "{} {} m {} {} l S", num(cx + sx * near), num(cy), num(cx + sx * far), num(cy));
            let _ = writeln!(s, "{} {} m {} {} l S", num(cx), num(cy + sy * near), num(cx), num(cy + sy * far));
        }
    }
    s.push_str("Q\n");
    s
}

/// What an ICC profile's header says: its colour space's channels and a description.
/// Errors say what is wrong with the file.
pub(crate) fn icc_profile(bytes: &[u8]) -> Result<(u8, String, bool), String> {
    if bytes.len() < 132 || &bytes[36..40] != b"acsp" {
        return Err("it is not an ICC profile (no `acsp` signature in its header)".into());
    }
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    if size > bytes.len() {
        return Err(format!("it is cut short: its header says {size} bytes, the file has {}", bytes.len()));
    }
    let components = match &bytes[16..20] {
        b"CMYK" => 4,
        b"RGB " => 3,
        b"GRAY" => 1,
        other => {
            return Err(format!(
                "its colour space is `{}`; an output profile is CMYK, RGB or gray",
                String::from_utf8_lossy(other).trim()
            ))
        }
    };
    let class = &bytes[12..16];
    let printer = class == b"prtr";
    if !matches!(class, b"prtr" | b"mntr" | b"scnr") {
        return Err(format!(
            "it is a `{}` profile, not a device profile for a printing condition",
            String::from_utf8_lossy(class).trim()
        ));
    }
    Ok((components, icc_description(bytes).unwrap_or_default(), printer))
}

/// The profile's `desc` tag (ICC v2 `desc` or v4 `mluc`), when it has one.
fn icc_description(b: &[u8]) -> Option<String> {
    let count = u32::from_be_bytes(b.get(128..132)?.try_into().ok()?) as usize;
    for i in 0..count.min(200) {
        let e = b.get(132 + i * 12..144 + i * 12)?;
        if &e[0..4] != b"desc" {
            continue;
        }
        let off = u32::from_be_bytes(e[4..8].try_into().ok()?) as usize;
        let tag = b.get(off..off + 12)?;
        if &tag[0..4] == b"desc" {
            let n = u32::from_be_bytes(tag[8..12].try_into().ok()?) as usize;
            let s = b.get(off + 12..off + 12 + n)?;
            return Some(String::from_utf8_lossy(s).trim_end_matches('\0').to_string());
        }
        if &tag[0..4] == b"mluc" {
            let rec = b.get(off + 16..off + 28)?;
            let len = u32::from_be_bytes(rec[4..8].try_into().ok()?) as usize;
            let at = off + u32::from_be_bytes(rec[8..12].try_into().ok()?) as usize;
            let units: Vec<u16> = b.get(at..at + len)?.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            return Some(String::from_utf16_lossy(&units));
        }
    }
    None
}

/// The images of a print edition: the lowest effective resolution each is placed at
/// (by key), and those converted from RGB to CMYK.
#[derive(Debug, Clone, Default)]
pub(crate) struct PressLog {
    pub(crate) lowest_ppi: BTreeMap<String, f32>,
    /// The page (index) where each image is placed at its lowest resolution.
    pub(crate) lowest_page: BTreeMap<String, usize>,
    pub(crate) converted: BTreeSet<String>,
    /// The smallest type size set, the first page (index) it is on, and whether it is
    /// raised or lowered (a note call, a superscript).
    pub(crate) smallest_type: Option<(f32, usize, bool)>,
}

/// A Form XObject placed on a sheet: at (`x`, `y`), clipped to (`clip_x`, `clip_w`) across
/// the sheet's full height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placement {
    pub(crate) form: u32,
    pub(crate) x: f32,
    pub(crate) clip_x: f32,
    pub(crate) clip_w: f32,
}

impl PdfWriter {
    /// From now on, pages are framed for print and the file is PDF/X.
    pub(crate) fn set_print(&mut self, setup: PrintSetup) {
        self.print = Some(setup);
        self.encoder = None;
    }

    /// From now on, pages are kept as Form XObjects (see [`PdfWriter::forms`]) for sheets
    /// to place, instead of becoming pages.
    pub fn keep_as_forms(&mut self) {
        self.forms = Some(BTreeMap::new());
        self.encoder = None;
    }

    /// Pages written or reserved so far (or kept as forms).
    pub(crate) fn page_count(&self) -> usize {
        self.pages.len() + self.forms.as_ref().map_or(0, |f| f.len())
    }

    /// The Form XObjects of the pages written so far, in page order; an error if a page
    /// in between was never written.
    pub fn forms(&self) -> Result<Vec<u32>, Diagnostic> {
        let Some(forms) = &self.forms else { return Ok(Vec::new()) };
        if let Some((i, _)) = forms.keys().enumerate().find(|(i, k)| i != *k) {
            return Err(Diagnostic::error(Kind::Internal, format!("internal error: page {} was never written", i + 1))
                .with_hint("please report this with the book that caused it"));
        }
        Ok(forms.values().copied().collect())
    }

    /// A page's content stream (compressed) and resources as a Form XObject; returns its
    /// object number.
    pub(super) fn form(
        &mut self,
        index: usize,
        w: f32,
        h: f32,
        content: &[u8],
        resources: &PageResources,
    ) -> Result<u32, Diagnostic> {
        let id = self.alloc();
        let mut c = stream_chunk(content.len())?;
        let mut form = c.form_xobject(r(id), content);
        form.bbox(rect(0.0, 0.0, w, h));
        resources.write(form.resources());
        form.filter(Filter::FlateDecode);
        form.finish();
        self.emit_stream(&c, content)?;
        if let Some(f) = self.forms.as_mut() {
            if f.insert(index, id).is_some() {
                return Err(internal(format!("page {} was written twice", index + 1)));
            }
        }
        Ok(id)
    }

    /// A sheet `w` × `h` that places Form XObjects side by side (a booklet's sheet side).
    pub(crate) fn sheet(&mut self, w: f32, h: f32, placed: &[Placement]) -> Result<u32, Diagnostic> {
        let mut content = String::new();
        for (i, p) in placed.iter().enumerate() {
            let _ = writeln!(
                content,
                "q {} 0 {} {} re W n 1 0 0 1 {} 0 cm /P{i} Do Q",
                num(p.clip_x),
                num(p.clip_w),
                num(h),
                num(p.x)
            );
        }
        let content_id = self.alloc();
        let packed = self.compress(content.as_bytes(), 2)?;
        self.packed_stream(content_id, &packed)?;
        self.packed = packed;
        let id = self.alloc();
        let media = rect(0.0, 0.0, w, h);
        let mut c = chunk();
        let mut page = c.page(r(id));
        page.parent(r(self.pages_root)).media_box(media).trim_box(media).contents(r(content_id));
        let mut res = page.resources();
        let mut forms = res.x_objects();
        for (i, p) in placed.iter().enumerate() {
            forms.pair(Name(format!("P{i}").as_bytes()), r(p.form));
        }
        forms.finish();
        res.finish();
        page.finish();
        self.emit(&c)?;
        self.pages.push(id);
        self.written.push(true);
        Ok(id)
    }

    /// Note where an image is placed, for the resolution check of print editions.
    pub(super) fn note_placement(&mut self, key: &str, image: &PdfImage, w: f32, h: f32, index: usize) {
        if self.print.is_none() {
            return;
        }
        let ppi = crate::images::press::effective_ppi((image.width, image.height), (w, h));
        let e = self.press.lowest_ppi.entry(key.to_string()).or_insert(f32::INFINITY);
        if ppi < *e {
            *e = ppi;
            self.press.lowest_page.insert(key.to_string(), index);
        }
    }

    /// The smallest type on a page of `marks` (its first run of that size) and whether it
    /// is raised or lowered; `None` when the file is not for print (which alone checks it).
    pub(crate) fn smallest_type(&self, marks: &[super::Mark]) -> Option<(f32, bool)> {
        self.print.as_ref()?;
        let mut smallest: Option<(f32, bool)> = None;
        for m in marks {
            if let super::Mark::Glyphs { size, glyphs, rise, .. } = m {
                if !glyphs.is_empty() && smallest.is_none_or(|(s, _)| *size < s) {
                    smallest = Some((*size, rise.get() != 0.0));
                }
            }
        }
        smallest
    }

    /// Page `index` has `smallest` as its smallest type ([`PdfWriter::smallest_type`]).
    pub(crate) fn note_smallest_type(&mut self, smallest: Option<(f32, bool)>, index: usize) {
        if let Some((size, raised)) = smallest {
            if self.press.smallest_type.is_none_or(|(s, _, _)| size < s) {
                self.press.smallest_type = Some((size, index, raised));
            }
        }
    }

    /// The image as PDF/X-1a takes it: RGB converted to CMYK, transparency laid onto
    /// white; `None` when it can go as it is (gray, CMYK, or any image for PDF/X-4).
    pub(super) fn for_press(&mut self, key: &str, image: &Arc<PdfImage>) -> Result<Option<PdfImage>, Diagnostic> {
        if self.print.as_ref().is_none_or(|p| !p.is_x1a()) {
            return Ok(None);
        }
        let (samples, alpha) = match &image.data {
            Data::Raw { samples, alpha } => (samples.clone(), alpha.clone()),
            Data::Jpeg(bytes) if image.colour == Colour::Rgb => {
                let decoded = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg).map_err(|e| {
                    Diagnostic::error(Kind::Value, format!("the image {key} cannot be converted to CMYK: {e}"))
                        .with_hint("save it again as a JPEG or PNG file")
                })?;
                (decoded.to_rgb8().into_raw(), None)
            }
            Data::Jpeg(_) => return Ok(None),
        };
        let mut samples = samples;
        let components = image.colour.components();
        if let Some(a) = &alpha {
            crate::images::press::flatten_on_white(&mut samples, a, components);
        }
        let (samples, colour) = if image.colour == Colour::Rgb {
            self.press.converted.insert(key.to_string());
            (crate::images::press::rgb_to_cmyk(&samples), Colour::Cmyk { inverted: false })
        } else {
            (samples, image.colour)
        };
        Ok(Some(PdfImage {
            width: image.width,
            height: image.height,
            colour,
            data: Data::Raw { samples, alpha: None },
        }))
    }

    /// What the print edition's images need said: their lowest effective resolution, and
    /// which were converted from RGB.
    pub(crate) fn press_log(&self) -> &PressLog {
        &self.press
    }

    /// For PDF/X-4, write the output profile the output intent names; returns its object
    /// number.
    pub(super) fn print_profile(&mut self) -> Result<Option<u32>, Diagnostic> {
        let Some(Standard::X4 { profile, components, .. }) = self.print.as_ref().map(|p| p.standard.clone()) else {
            return Ok(None);
        };
        if !matches!(components, 1 | 3 | 4) {
            return Err(internal(format!("an output profile with {components} colour channels")));
        }
        let id = self.alloc();
        let packed = self.compress(&profile, 6)?;
        let mut c = stream_chunk(packed.len())?;
        c.icc_profile(r(id), &packed).n(components as i32).filter(Filter::FlateDecode);
        self.emit_stream(&c, &packed)?;
        self.packed = packed;
        Ok(Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(marks: bool) -> PrintSetup {
        PrintSetup {
            bleed: 3.0 * MM,
            marks,
            outside_only: None,
            standard: Standard::X1a,
            condition: "FOGRA39".into(),
            registry: "http://www.color.org".into(),
            condition_info: "Coated FOGRA39".into(),
        }
    }

    #[test]
    fn boxes_nest_around_the_trim() {
        let s = setup(false);
        let boxes = s.boxes(100.0, 200.0, 0);
        let b = 3.0 * MM;
        assert_eq!(boxes.media, rect(0.0, 0.0, 100.0 + 2.0 * b, 200.0 + 2.0 * b));
        assert_eq!(boxes.trim, rect(b, b, 100.0 + b, 200.0 + b));
        assert_eq!(boxes.bleed, boxes.media);
        let m = setup(true);
        assert!(m.offset() > m.bleed + MARK_LEN);
        let marks = crop_marks(m.offset(), m.offset(), 100.0, 200.0, m.bleed);
        assert_eq!(marks.matches(" l S").count(), 8);
    }

    #[test]
    fn bleed_on_the_outside_edges_leaves_out_the_spine() {
        let b = 9.0;
        let s = PrintSetup { bleed: b, outside_only: Some(false), ..setup(false) };
        let (recto, verso) = (s.boxes(100.0, 200.0, 0), s.boxes(100.0, 200.0, 1));
        // Both pages are the trim plus one bleed wide and two high (KDP's +0.125/+0.25 in).
        for bx in [recto, verso] {
            assert_eq!(bx.trim, rect(b, b, 100.0 + b, 200.0 + b));
            assert!((bx.media.x2 - bx.media.x1 - (100.0 + b)).abs() < 1e-4);
            assert!((bx.media.y2 - bx.media.y1 - (200.0 + 2.0 * b)).abs() < 1e-4);
            assert_eq!(bx.bleed, bx.media);
        }
        // A recto's bleed is on its right, a verso's on its left; mirrored right to left.
        assert_eq!((recto.media.x1, verso.media.x2), (b, 100.0 + b));
        let rtl = PrintSetup { outside_only: Some(true), ..s };
        assert_eq!(rtl.boxes(100.0, 200.0, 0).media, verso.media);
    }

    #[test]
    fn icc_headers_are_read() {
        let mut p = vec![0u8; 132];
        p[0..4].copy_from_slice(&132u32.to_be_bytes());
        p[12..16].copy_from_slice(b"prtr");
        p[16..20].copy_from_slice(b"CMYK");
        p[36..40].copy_from_slice(b"acsp");
        assert_eq!(icc_profile(&p).unwrap(), (4, String::new(), true));
        p[16..20].copy_from_slice(b"Lab ");
        assert!(icc_profile(&p).unwrap_err().contains("`Lab`"));
        assert!(icc_profile(b"GIF89a").is_err());
        if let Ok(srgb) = std::fs::read("/usr/share/color/icc/sRGB.icc") {
            let (n, desc, printer) = icc_profile(&srgb).unwrap();
            assert_eq!((n, printer), (3, false));
            assert!(desc.contains("sRGB"), "{desc}");
        }
    }
}
