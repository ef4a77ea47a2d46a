//! Raster images as the PDF holds them: a JPEG's bytes passed through untouched (the
//! PDF's DCTDecode filter reads them as they are, so nothing is lost to re-encoding), a
//! PNG decoded to its samples with its alpha channel kept as a soft mask; and (`press`)
//! what print needs of them. The EPUB's packaging of image files is `epub/images.rs`.

pub(crate) mod press;

use std::path::Path;

/// The colour space of an image's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Colour {
    Gray,
    Rgb,
    /// Four-component JPEGs (CMYK); `inverted` for Adobe's files, which store the
    /// components inverted.
    Cmyk {
        inverted: bool,
    },
}

impl Colour {
    pub(crate) fn components(self) -> usize {
        match self {
            Colour::Gray => 1,
            Colour::Rgb => 3,
            Colour::Cmyk { .. } => 4,
        }
    }
}

/// How the samples are stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Data {
    /// A JPEG file's bytes.
    Jpeg(Vec<u8>),
    /// 8-bit samples, row by row, and an 8-bit alpha channel when the image has one that
    /// is not fully opaque.
    Raw { samples: Vec<u8>, alpha: Option<Vec<u8>> },
}

/// An image ready for the writer.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfImage {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) colour: Colour,
    pub(crate) data: Data,
}

/// The most pixels an image may have on a side: a 300 ppi poster of 1.3 m; larger is a
/// decompression bomb (a small file whose header declares billions of pixels).
const MAX_SIDE: u32 = 16_384;
/// The most memory one decoded image may take: 8,000 × 8,000 pixels in RGBA.
const MAX_DECODED: u64 = 256 * 1024 * 1024;

/// Decode `bytes` (a JPEG or PNG) within limits: an image declaring more than
/// [`MAX_SIDE`] pixels on a side, or needing more than [`MAX_DECODED`] bytes, is refused
/// from its header, before any memory is taken for it.
pub(crate) fn decode(bytes: &[u8], format: image::ImageFormat) -> Result<image::DynamicImage, String> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED);
    let reader = |bytes| image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut r = reader(bytes);
    r.limits(limits);
    r.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => {
            let size = reader(bytes).into_dimensions().map(|(w, h)| format!(" ({w} × {h} pixels)")).unwrap_or_default();
            format!(
                "it is too large{size}: an image may have at most {MAX_SIDE} pixels on a side and take {} MB decoded",
                MAX_DECODED >> 20
            )
        }
        e => format!("it cannot be decoded: {e}"),
    })
}

impl PdfImage {
    /// Read and check the image at `path`: JPEG and PNG are placed; other formats are
    /// refused with the reason (the EPUB may still show them).
    pub(crate) fn load(path: &Path) -> Result<PdfImage, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("it cannot be read: {e}"))?;
        PdfImage::from_bytes(bytes)
    }

    pub(crate) fn from_bytes(bytes: Vec<u8>) -> Result<PdfImage, String> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            let (width, height, colour) = jpeg_header(&bytes)?;
            // Decode once to be sure the data is sound: a broken JPEG passed through would
            // show as a grey box or stop a RIP.
            decode(&bytes, image::ImageFormat::Jpeg)?;
            return Ok(PdfImage { width, height, colour, data: Data::Jpeg(bytes) });
        }
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("only JPEG and PNG images can be placed in the PDF".into());
        }
        let img = decode(&bytes, image::ImageFormat::Png)?;
        let (width, height) = (img.width(), img.height());
        let colour_type = img.color();
        // An image whose pixels are all grey is stored as grey whatever its file says: a
        // third of the size, and no colour for a print shop to convert.
        let grey = !colour_type.has_color() || img.to_rgb8().pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]);
        let alpha = if colour_type.has_alpha() {
            let a: Vec<u8> = img.to_luma_alpha8().pixels().map(|p| p.0[1]).collect();
            a.iter().any(|&v| v != 255).then_some(a)
        } else {
            None
        };
        let (samples, colour) =
            if grey { (img.to_luma8().into_raw(), Colour::Gray) } else { (img.to_rgb8().into_raw(), Colour::Rgb) };
        Ok(PdfImage { width, height, colour, data: Data::Raw { samples, alpha } })
    }
}

/// Size and colour space from a JPEG's start-of-frame marker.
fn jpeg_header(b: &[u8]) -> Result<(u32, u32, Colour), String> {
    let mut i = 2;
    let mut adobe = false;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return Err("its JPEG markers are damaged".into());
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        let seg = b.get(i + 4..i + 2 + len).ok_or("it ends inside a JPEG marker")?;
        if marker == 0xEE && seg.starts_with(b"Adobe") {
            adobe = true;
        }
        // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            if seg.len() < 6 {
                return Err("its JPEG frame header is too short".into());
            }
            if seg[0] != 8 {
                return Err(format!("it has {} bits per sample; PDF readers expect 8", seg[0]));
            }
            let height = u16::from_be_bytes([seg[1], seg[2]]) as u32;
            let width = u16::from_be_bytes([seg[3], seg[4]]) as u32;
            let colour = match seg[5] {
                1 => Colour::Gray,
                3 => Colour::Rgb,
                4 => Colour::Cmyk { inverted: adobe },
                n => return Err(format!("it has {n} colour components")),
            };
            if width == 0 || height == 0 {
                return Err("its size is zero".into());
            }
            return Ok((width, height, colour));
        }
        i += 2 + len;
    }
    Err("it has no JPEG frame header".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn jpegs_pass_through_with_their_size_and_colour() {
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(30, 20, image::Rgb([200, 10, 10])));
        let bytes = encode(img, image::ImageFormat::Jpeg);
        let p = PdfImage::from_bytes(bytes.clone()).unwrap();
        assert_eq!((p.width, p.height, p.colour), (30, 20, Colour::Rgb));
        assert_eq!(p.data, Data::Jpeg(bytes));
        let grey = encode(image::DynamicImage::ImageLuma8(image::GrayImage::new(5, 7)), image::ImageFormat::Jpeg);
        assert_eq!(PdfImage::from_bytes(grey).unwrap().colour, Colour::Gray);
    }

    #[test]
    fn pngs_keep_their_transparency_as_a_mask() {
        let mut rgba = image::RgbaImage::from_pixel(4, 3, image::Rgba([0, 0, 255, 255]));
        rgba.put_pixel(1, 1, image::Rgba([0, 0, 0, 0]));
        let p = PdfImage::from_bytes(encode(image::DynamicImage::ImageRgba8(rgba), image::ImageFormat::Png)).unwrap();
        let Data::Raw { samples, alpha } = &p.data else { panic!("a PNG is decoded") };
        assert_eq!(samples.len(), 4 * 3 * 3);
        let alpha = alpha.as_ref().expect("the transparent pixel keeps a mask");
        assert_eq!(alpha[4 + 1], 0);
        assert_eq!(alpha[0], 255);
        // An alpha channel that is opaque everywhere is dropped.
        let opaque = image::RgbaImage::from_pixel(2, 2, image::Rgba([9, 9, 9, 255]));
        let p = PdfImage::from_bytes(encode(image::DynamicImage::ImageRgba8(opaque), image::ImageFormat::Png)).unwrap();
        assert!(matches!(p.data, Data::Raw { alpha: None, .. }));
        assert_eq!(p.colour, Colour::Gray);
    }

    /// CRC-32 as PNG chunks carry it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }

    #[test]
    fn images_declaring_billions_of_pixels_are_refused_from_their_header() {
        // A 1 × 1 PNG whose header is made to say 100,000 × 100,000 (40 GB as RGBA).
        let mut png = encode(image::DynamicImage::ImageLuma8(image::GrayImage::new(1, 1)), image::ImageFormat::Png);
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = PdfImage::from_bytes(png.clone()).unwrap_err();
        assert!(e.contains("too large (100000 × 100000 pixels)"), "{e}");
        // A JPEG whose frame says 65,535 × 65,535.
        let mut jpeg = encode(image::DynamicImage::ImageLuma8(image::GrayImage::new(8, 8)), image::ImageFormat::Jpeg);
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame");
        jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF; 4]);
        let e = PdfImage::from_bytes(jpeg).unwrap_err();
        assert!(e.contains("too large"), "{e}");
        // Within the limits, decoding goes on as before.
        assert!(decode(
            &encode(image::DynamicImage::ImageLuma8(image::GrayImage::new(64, 64)), image::ImageFormat::Png),
            image::ImageFormat::Png
        )
        .is_ok());
    }

    #[test]
    fn other_and_broken_files_are_refused_with_a_reason() {
        assert!(PdfImage::from_bytes(b"GIF89a....".to_vec()).unwrap_err().contains("JPEG and PNG"));
        assert!(PdfImage::from_bytes(vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4]).is_err());
        let mut png = encode(image::DynamicImage::ImageLuma8(image::GrayImage::new(3, 3)), image::ImageFormat::Png);
        png.truncate(30);
        assert!(PdfImage::from_bytes(png).unwrap_err().contains("decoded"));
    }
}
