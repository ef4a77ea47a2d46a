//! The images that enter the package: each file once, whatever number of times the speeches
//! show it, checked by decoding it (a broken file is an error that names it, not a blank in
//! a reader's app), named by what it really is, and the cover brought down to 4 megapixels.

use crate::anthology::{Anthology, Asset};
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::document::model::{anchor_of, Block, BlockKind, Book, Chapter, ImageRef, Inline};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::PathBuf;

/// A cover larger than this many pixels is scaled down: more is only weight for readers'
/// devices (4 MP is more than any e-reader screen shows, and the limit some stores set
/// for the cover inside the book).
pub const MAX_COVER_PIXELS: u64 = 4_000_000;
/// The largest cover the stores recommend, width by height: Amazon KDP's ideal
/// 1,600 × 2,560 (Google Play Books the same; Apple, Kobo and PublishDrive's embedded
/// cover 1,600 × 2,400). A cover wider or taller is scaled down to fit, keeping its shape.
pub const MAX_COVER_SIZE: (u64, u64) = (1600, 2560);
/// The JPEG quality of a scaled cover: high, since it is encoded once more; 85 is where
/// artefacts are not seen on a cover's flat colours and type.
const COVER_JPEG_QUALITY: u8 = 85;

/// A file for the package.
#[derive(Debug, Clone)]
pub(crate) struct Packed {
    /// Its path inside the package, relative to the content documents (`images/chart.png`).
    pub(crate) href: String,
    pub(crate) media_type: &'static str,
    pub(crate) bytes: Vec<u8>,
}

#[derive(Debug, Default)]
pub(crate) struct Images {
    /// The cover and the text of its `alt`.
    pub(crate) cover: Option<(Packed, String)>,
    /// The images of the text, each once, in the order of their first use.
    pub(crate) files: Vec<Packed>,
    /// Where each image of the text went, by its path on disk.
    pub(crate) href: BTreeMap<PathBuf, String>,
    /// Uses of images in the text, and how many of them have no alt text.
    pub(crate) uses: usize,
    pub(crate) undescribed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
    Svg,
}

impl Format {
    /// What the bytes are, whatever the file's name says: the manifest must state the
    /// real media type.
    fn sniff(b: &[u8]) -> Option<Format> {
        if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else {
            let head = String::from_utf8_lossy(&b[..b.len().min(4096)]);
            head.contains("<svg").then_some(Format::Svg)
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
            Format::Svg => "image/svg+xml",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Svg => "svg",
        }
    }
}

/// Check that `bytes` are a whole, usable image: JPEG and PNG are decoded; GIF and WebP
/// (which Tribune cannot decode) are checked by their headers; SVG is parsed and refused
/// when it could run a script or pull in another file, which a reading system would
/// either run or fail on.
fn check(bytes: &[u8]) -> Result<Format, String> {
    let format = Format::sniff(bytes).ok_or("it is not a PNG, JPEG, GIF, WebP or SVG image")?;
    match format {
        Format::Png | Format::Jpeg => {
            let f = if format == Format::Png { image::ImageFormat::Png } else { image::ImageFormat::Jpeg };
            crate::images::decode(bytes, f)?;
        }
        Format::Gif if bytes.len() < 14 => return Err("the GIF file is cut short".into()),
        Format::Webp if bytes.len() < 30 => return Err("the WebP file is cut short".into()),
        Format::Gif | Format::Webp => {}
        Format::Svg => check_svg(bytes)?,
    }
    Ok(format)
}

fn check_svg(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the SVG file is not UTF-8")?;
    let opts = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, opts)
        .map_err(|e| format!("the SVG file is not well-formed XML: {e}"))?;
    if doc.root_element().tag_name().name() != "svg" {
        return Err("the file is not an SVG image".into());
    }
    for n in doc.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name();
        if name == "script" || name == "foreignObject" {
            return Err(format!("the SVG image contains a <{name}> element; an image may hold no script or HTML"));
        }
        if name == "style" && n.text().is_some_and(|t| t.contains("url(") || t.contains("@import")) {
            return Err("the SVG image's style refers to other files".into());
        }
        for a in n.attributes() {
            let (an, v) = (a.name(), a.value().trim());
            if an.starts_with("on") {
                return Err(format!("the SVG image has an event handler (`{an}`); an image may hold no script"));
            }
            if an == "href" && !v.starts_with('#') {
                return Err(format!("the SVG image refers to `{v}`; an image may only refer to its own parts"));
            }
            if v.contains("url(") && !v.contains("url(#") {
                return Err(format!("the SVG image refers to another file in `{an}`"));
            }
        }
    }
    Ok(())
}

/// A file name for the package: plain ASCII (EPUBCheck warns about anything else), unique.
fn package_name(stem: &str, ext: &str, taken: &mut BTreeSet<String>) -> String {
    let base = anchor_of("", stem);
    let base = if base.is_empty() { "image".to_string() } else { base };
    let mut name = format!("{base}.{ext}");
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}.{ext}");
        n += 1;
    }
    format!("images/{name}")
}

fn images_in_inlines<'a>(inlines: &'a [Inline], line: usize, out: &mut Vec<(&'a ImageRef, usize)>) {
    for i in inlines {
        match i {
            Inline::Image { image } => out.push((image, line)),
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Superscript { content }
            | Inline::Subscript { content }
            | Inline::Link { content, .. }
            | Inline::Lang { content, .. } => images_in_inlines(content, line, out),
            _ => {}
        }
    }
}

fn images_in_blocks<'a>(blocks: &'a [Block], out: &mut Vec<(&'a ImageRef, usize)>) {
    for b in blocks {
        match &b.kind {
            BlockKind::Image { image } => out.push((image, b.line)),
            BlockKind::Heading { content, .. } | BlockKind::Paragraph { content } => {
                images_in_inlines(content, b.line, out)
            }
            BlockKind::Quote { blocks } => images_in_blocks(blocks, out),
            BlockKind::List { items, .. } => items.iter().for_each(|i| images_in_blocks(i, out)),
            BlockKind::Table { head, rows, .. } => {
                head.iter().chain(rows.iter().flatten()).for_each(|c| images_in_inlines(c, b.line, out))
            }
            BlockKind::Rule | BlockKind::Code { .. } => {}
        }
    }
}

/// Every image of a chapter, with the line it is used on, in reading order.
pub(crate) fn chapter_images(c: &Chapter) -> Vec<(&ImageRef, usize)> {
    let mut out = Vec::new();
    images_in_blocks(&c.blocks, &mut out);
    for n in &c.footnotes {
        images_in_blocks(&n.blocks, &mut out);
    }
    out
}

fn read(asset: &Asset) -> Result<Vec<u8>, String> {
    std::fs::read(&asset.path).map_err(|e| format!("it cannot be read: {e}"))
}

/// Collect, check and name every image of the book. Problems go to `report`, each at the
/// place that uses the image.
pub(crate) fn collect(book: &Book, anthology: &Anthology, report: &mut Report) -> Images {
    let mut images = Images::default();
    let mut taken = BTreeSet::new();
    if let Some(cover) = &book.meta.cover {
        taken.insert("cover.jpg".to_string());
        taken.insert("cover.png".to_string());
        match read(cover).and_then(prepare_cover).map_err(|why| {
            anthology
                .error_at(Kind::Value, "cover", format!("the cover `{}` cannot be used: {why}", cover.shown.display()))
                .with_hint("save the cover as a JPEG or PNG file, e.g. by exporting it again")
        }) {
            Ok(packed) => {
                let strings = crate::document::locale::strings(&book.meta.language);
                let mut alt = format!("{}: {}", strings.cover, book.meta.title);
                if let Some(s) = &book.meta.subtitle {
                    alt.push_str(&format!(". {s}"));
                }
                images.cover = Some((packed, alt));
            }
            Err(d) => report.push(d),
        }
    }
    let mut failed = BTreeSet::new();
    for chapter in book.chapters() {
        for (image, line) in chapter_images(chapter) {
            images.uses += 1;
            if image.alt.trim().is_empty() {
                images.undescribed += 1;
            }
            let path = &image.asset.path;
            if images.href.contains_key(path) || failed.contains(path) {
                continue;
            }
            let checked = read(&image.asset).and_then(|bytes| check(&bytes).map(|format| (bytes, format)));
            match checked {
                Ok((bytes, format)) => {
                    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                    let href = package_name(&stem, format.extension(), &mut taken);
                    images.href.insert(path.clone(), href.clone());
                    images.files.push(Packed { href, media_type: format.media_type(), bytes });
                }
                Err(why) => {
                    failed.insert(path.clone());
                    report.push(
                        Diagnostic::error(
                            Kind::Value,
                            format!("the image `{}` cannot be used: {why}", image.asset.shown.display()),
                        )
                        .at(&chapter.source, None, line, None)
                        .with_hint("open the image in an image editor and save it again as PNG or JPEG"),
                    );
                }
            }
        }
    }
    images
}

/// The cover as it goes into the package: checked, and scaled down when it is larger than
/// [`MAX_COVER_SIZE`] or has more than [`MAX_COVER_PIXELS`] pixels, re-encoded in its own format with fixed settings so the
/// result is the same every time.
fn prepare_cover(bytes: Vec<u8>) -> Result<Packed, String> {
    let format = match Format::sniff(&bytes) {
        Some(f @ (Format::Jpeg | Format::Png)) => f,
        _ => return Err("it is not a JPEG or PNG image".into()),
    };
    let image_format = if format == Format::Png { image::ImageFormat::Png } else { image::ImageFormat::Jpeg };
    let img = crate::images::decode(&bytes, image_format)?;
    let (w, h) = (u64::from(img.width()), u64::from(img.height()));
    let href = format!("images/cover.{}", format.extension());
    if w * h <= MAX_COVER_PIXELS && w <= MAX_COVER_SIZE.0 && h <= MAX_COVER_SIZE.1 {
        return Ok(Packed { href, media_type: format.media_type(), bytes });
    }
    let (nw, nh) = scaled_size(w, h);
    let small = img.resize_exact(nw, nh, image::imageops::FilterType::Lanczos3);
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), COVER_JPEG_QUALITY);
            // JPEG has no alpha channel; a cover that somehow has one is flattened.
            small.to_rgb8().write_with_encoder(enc)
        }
        _ => {
            let enc = image::codecs::png::PngEncoder::new_with_quality(
                Cursor::new(&mut out),
                image::codecs::png::CompressionType::Best,
                image::codecs::png::FilterType::Adaptive,
            );
            small.write_with_encoder(enc)
        }
    }
    .map_err(|e| format!("it cannot be scaled down: {e}"))?;
    Ok(Packed { href, media_type: format.media_type(), bytes: out })
}

/// A cover's size, and a smaller copy of it.
pub(crate) struct Thumbnail {
    /// The cover's width and height in pixels.
    pub(crate) size: (u32, u32),
    /// The copy as JPEG.
    pub(crate) bytes: Vec<u8>,
    /// The copy's width and height.
    pub(crate) thumb_size: (u32, u32),
}

/// A cover's size in pixels, and a copy `width` pixels wide (JPEG, the shape kept) for
/// lists of books: the web edition's home page and its OPDS catalogue's thumbnail.
pub(crate) fn thumbnail(cover: &Packed, width: u32) -> Result<Thumbnail, String> {
    let format = if cover.media_type == "image/png" { image::ImageFormat::Png } else { image::ImageFormat::Jpeg };
    let img = crate::images::decode(&cover.bytes, format)?;
    let (w, h) = (img.width(), img.height());
    let tw = width.min(w).max(1);
    let th = ((u64::from(h) * u64::from(tw) + u64::from(w) / 2) / u64::from(w)).max(1) as u32;
    let small = img.resize_exact(tw, th, image::imageops::FilterType::Lanczos3);
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), 80);
    small.to_rgb8().write_with_encoder(enc).map_err(|e| format!("it cannot be scaled down: {e}"))?;
    Ok(Thumbnail { size: (w, h), bytes: out, thumb_size: (tw, th) })
}

/// The largest size with the same proportions within [`MAX_COVER_SIZE`] and at most
/// [`MAX_COVER_PIXELS`] pixels.
fn scaled_size(w: u64, h: u64) -> (u32, u32) {
    let (mw, mh) = MAX_COVER_SIZE;
    let scale = (MAX_COVER_PIXELS as f64 / (w * h) as f64).sqrt().min(mw as f64 / w as f64).min(mh as f64 / h as f64);
    let mut nw = ((w as f64 * scale).round() as u64).clamp(1, mw);
    let mut nh = ((h as f64 * scale).round() as u64).clamp(1, mh);
    while nw * nh > MAX_COVER_PIXELS {
        if nw * h > nh * w {
            nw -= 1;
        } else {
            nh -= 1;
        }
    }
    (nw as u32, nh as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_are_scaled_to_the_stores_size_and_four_megapixels_keeping_their_shape() {
        // Wider than 1,600: the width decides.
        assert_eq!(scaled_size(1819, 2551), (1600, 2244));
        // Taller than 2,560: the height decides.
        assert_eq!(scaled_size(1000, 3000), (853, 2560));
        assert_eq!(scaled_size(5000, 5000), (1600, 1600));
        // Within both sides but above 4 MP: the pixels decide.
        let (w, h) = scaled_size(1600, 2560);
        assert!(u64::from(w) * u64::from(h) <= MAX_COVER_PIXELS);
        assert!(((w as f64 / h as f64) - 1600.0 / 2560.0).abs() < 0.001);
    }

    #[test]
    fn formats_are_known_by_their_bytes() {
        assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(Format::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"<?xml version=\"1.0\"?><svg/>"), Some(Format::Svg));
        assert_eq!(Format::sniff(b"hello"), None);
        assert!(check(b"\x89PNG\r\n\x1a\ncut short").unwrap_err().contains("cannot be decoded"));
    }

    #[test]
    fn svg_images_may_hold_no_script_and_refer_to_nothing_else() {
        let ok = br##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><g id="a"/></defs><use xlink:href="#a"/></svg>"##;
        assert_eq!(check(ok), Ok(Format::Svg));
        for bad in [
            &br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#[..],
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.org/x.png"/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(http://x/y)"/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect"#,
        ] {
            assert!(check(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn package_names_are_plain_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(package_name("Mieten Löhne", "png", &mut taken), "images/mieten-l-hne.png");
        assert_eq!(package_name("mieten-l-hne", "png", &mut taken), "images/mieten-l-hne-2.png");
        assert_eq!(package_name("", "jpg", &mut taken), "images/image.jpg");
    }
}
