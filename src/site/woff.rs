//! WOFF 1.0 (W3C Recommendation, 2012): an OpenType font's tables each compressed with
//! zlib (or stored when that is not smaller) behind a header and a table directory. The
//! web edition's fonts go out in it: every browser reads it, it is a page of code over
//! the zlib the PDF writer already uses, and on our subsets WOFF 2 (Brotli, with the
//! `glyf` transform) would save a fifth more, for a new crate and a transform to write.

/// The sfnt `font` wrapped as WOFF 1.0, or why it cannot be.
pub(crate) fn encode(font: &[u8]) -> Result<Vec<u8>, String> {
    let be16 = |at: usize| font.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let be32 = |at: usize| font.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let bad = || "its table directory is damaged".to_string();
    let flavor = be32(0).ok_or_else(bad)?;
    let count = usize::from(be16(4).ok_or_else(bad)?);
    struct Table<'a> {
        tag: u32,
        checksum: u32,
        orig: &'a [u8],
        packed: Vec<u8>,
    }
    let mut compressor = libdeflater::Compressor::new(libdeflater::CompressionLvl::best());
    let mut tables = Vec::with_capacity(count);
    for i in 0..count {
        let at = 12 + 16 * i;
        let (tag, checksum) = (be32(at).ok_or_else(bad)?, be32(at + 4).ok_or_else(bad)?);
        let (offset, length) = (be32(at + 8).ok_or_else(bad)? as usize, be32(at + 12).ok_or_else(bad)? as usize);
        let orig = font.get(offset..offset.checked_add(length).ok_or_else(bad)?).ok_or_else(bad)?;
        let mut packed = vec![0; compressor.zlib_compress_bound(orig.len())];
        let n = compressor.zlib_compress(orig, &mut packed).map_err(|e| format!("zlib failed: {e}"))?;
        packed.truncate(n);
        if packed.len() >= orig.len() {
            packed = orig.to_vec();
        }
        tables.push(Table { tag, checksum, orig, packed });
    }
    // The directory is sorted by tag, as the sfnt's must be.
    tables.sort_by_key(|t| t.tag);
    let pad4 = |n: usize| (n + 3) & !3;
    let sfnt_size: usize = 12 + 16 * count + tables.iter().map(|t| pad4(t.orig.len())).sum::<usize>();
    let mut out = Vec::with_capacity(44 + 20 * count + tables.iter().map(|t| pad4(t.packed.len())).sum::<usize>());
    out.extend_from_slice(b"wOFF");
    out.extend_from_slice(&flavor.to_be_bytes());
    out.extend_from_slice(&[0; 4]); // total length, filled in below
    out.extend_from_slice(&(count as u16).to_be_bytes());
    out.extend_from_slice(&[0; 2]); // reserved
    out.extend_from_slice(&(sfnt_size as u32).to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0]); // font version 1.0
    out.extend_from_slice(&[0; 20]); // no metadata, no private data
    let mut offset = 44 + 20 * count;
    for t in &tables {
        out.extend_from_slice(&t.tag.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(t.packed.len() as u32).to_be_bytes());
        out.extend_from_slice(&(t.orig.len() as u32).to_be_bytes());
        out.extend_from_slice(&t.checksum.to_be_bytes());
        offset += pad4(t.packed.len());
    }
    for t in &tables {
        out.extend_from_slice(&t.packed);
        out.resize(pad4(out.len()), 0);
    }
    let total = (out.len() as u32).to_be_bytes();
    out[8..12].copy_from_slice(&total);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn every_table_comes_back_as_it_was() {
        let font = crate::assets::bundled("fonts/GentiumBookPlus-Regular.ttf").expect("bundled");
        let woff = encode(font).unwrap();
        let be32 = |b: &[u8], at: usize| u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        assert_eq!(&woff[0..4], b"wOFF");
        assert_eq!(be32(&woff, 8) as usize, woff.len());
        assert!(woff.len() < font.len() * 2 / 3, "{} of {}", woff.len(), font.len());
        let count = usize::from(u16::from_be_bytes([font[4], font[5]]));
        assert_eq!(usize::from(u16::from_be_bytes([woff[12], woff[13]])), count);
        let face = ttf_parser::RawFace::parse(font, 0).unwrap();
        let mut tags = Vec::new();
        for i in 0..count {
            let d = 44 + 20 * i;
            let (tag, offset, comp, orig) =
                (be32(&woff, d), be32(&woff, d + 4), be32(&woff, d + 8), be32(&woff, d + 12));
            assert_eq!(offset % 4, 0);
            let packed = &woff[offset as usize..(offset + comp) as usize];
            let data = if comp < orig {
                let mut v = Vec::new();
                flate2::read::ZlibDecoder::new(packed).read_to_end(&mut v).unwrap();
                v
            } else {
                packed.to_vec()
            };
            let want = face.table(ttf_parser::Tag(tag)).unwrap();
            assert_eq!(data, want, "table {:?}", ttf_parser::Tag(tag));
            tags.push(tag);
        }
        assert!(tags.windows(2).all(|w| w[0] < w[1]), "sorted by tag");
        assert!(encode(b"\0\x01\0\0\0\x05").is_err());
    }
}
