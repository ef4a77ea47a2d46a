//! The EPUB container, made reproducible. epub-builder packs with its `ZipLibrary`, which
//! dates every entry with the clock and deflates everything; its `Zip` trait is private,
//! so Tribune cannot hand it another packer. Instead the archive it makes is packed once
//! more: `mimetype` first and stored, the other entries in epub-builder's order, every
//! one dated with the book's modification time, images stored and the rest deflated (as
//! epub-builder deflated them, or at a fixed level when Tribune changed them), and the
//! files epub-builder generates finished by Tribune on the way (see `super` for why).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// Turns the bytes epub-builder generated for one file into the bytes that are packed.
pub(super) type Finish = Box<dyn FnOnce(Vec<u8>) -> Result<Vec<u8>, String>>;

const MIMETYPE: &[u8] = b"application/epub+zip";

/// The DOS date of a zip entry for `secs` since 1970, kept inside the range zip can hold.
pub(super) fn dos_date(secs: i64) -> DateTime {
    // 1980-01-01T00:00:00Z to 2107-12-31T23:59:58Z.
    let iso = crate::document::model::iso8601(secs.clamp(315_532_800, 4_354_819_198));
    let n = |r: std::ops::Range<usize>| iso[r].parse::<u16>().unwrap_or(0);
    DateTime::from_date_and_time(
        n(0..4),
        n(5..7) as u8,
        n(8..10) as u8,
        n(11..13) as u8,
        n(14..16) as u8,
        n(17..19) as u8,
    )
    .unwrap_or_default()
}

/// Already compressed formats are stored: deflating them again only costs time.
fn method_for(name: &str) -> CompressionMethod {
    let lower = name.to_ascii_lowercase();
    if [".jpg", ".jpeg", ".png", ".gif", ".webp", ".woff", ".woff2"].iter().any(|e| lower.ends_with(e)) {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    }
}

fn options(method: CompressionMethod, date: DateTime) -> SimpleFileOptions {
    let level = (method == CompressionMethod::Deflated).then_some(6);
    SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(level)
        .last_modified_time(date)
        .unix_permissions(0o644)
}

/// `bytes` deflated as the archive's entry `name`, in an archive of its own: what
/// [`repack`] copies in place of epub-builder's entry of that name. A chapter's document
/// is deflated once, here, and kept with it between builds (`incremental`), so a rebuild
/// deflates only the documents that changed.
pub(super) fn pack_entry(name: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let fail = |e: zip::result::ZipError| format!("cannot pack `{name}`: {e}");
    let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() / 3 + 256)));
    out.start_file(name, options(method_for(name), DateTime::default())).map_err(fail)?;
    out.write_all(bytes).map_err(|e| format!("cannot pack `{name}`: {e}"))?;
    Ok(out.finish().map_err(fail)?.into_inner())
}

/// Pack the archive `built` again as described above, dated `modified` (seconds since
/// 1970). `finish` names the entries to finish; each must be there. `packed` holds
/// entries packed beforehand ([`pack_entry`]), copied as they are in place of
/// epub-builder's (which may then be given empty); each must be there too.
pub(super) fn repack(
    built: &[u8],
    modified: i64,
    mut finish: BTreeMap<String, Finish>,
    packed: &BTreeMap<String, &[u8]>,
) -> Result<Vec<u8>, String> {
    let mut archive =
        ZipArchive::new(Cursor::new(built)).map_err(|e| format!("cannot read epub-builder's archive: {e}"))?;
    let date = dos_date(modified);
    let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(built.len())));
    let fail = |e: zip::result::ZipError| format!("cannot pack the EPUB: {e}");
    out.start_file("mimetype", options(CompressionMethod::Stored, date)).map_err(fail)?;
    out.write_all(MIMETYPE).map_err(|e| format!("cannot pack the EPUB: {e}"))?;
    let mut copied = 0;
    for i in 0..archive.len() {
        let name = archive.name_for_index(i).unwrap_or_default().to_string();
        if let Some(one) = packed.get(&name) {
            let mut one = ZipArchive::new(Cursor::new(*one)).map_err(fail)?;
            let entry = one.by_index_raw(0).map_err(fail)?;
            if entry.name() != name {
                return Err(format!("the entry packed for `{name}` is named `{}`", entry.name()));
            }
            out.raw_copy_file_touch(entry, date, Some(0o644)).map_err(fail)?;
            copied += 1;
            continue;
        }
        // What epub-builder deflated and Tribune neither finishes nor stores is copied as
        // it is, only dated anew: deflating it again took half the time of an EPUB build.
        let raw = archive.by_index_raw(i).map_err(fail)?;
        let name = raw.name().to_string();
        if !raw.is_dir()
            && name != "mimetype"
            && !finish.contains_key(&name)
            && raw.compression() == CompressionMethod::Deflated
            && method_for(&name) == CompressionMethod::Deflated
        {
            out.raw_copy_file_touch(raw, date, Some(0o644)).map_err(fail)?;
            continue;
        }
        drop(raw);
        let mut entry = archive.by_index(i).map_err(fail)?;
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes).map_err(|e| format!("cannot read `{name}` from epub-builder's archive: {e}"))?;
        if name == "mimetype" {
            if bytes != MIMETYPE {
                return Err("epub-builder wrote an unexpected mimetype".into());
            }
            continue;
        }
        if entry.is_dir() {
            continue;
        }
        if let Some(f) = finish.remove(&name) {
            bytes = f(bytes)?;
        }
        out.start_file(name.as_str(), options(method_for(&name), date)).map_err(fail)?;
        out.write_all(&bytes).map_err(|e| format!("cannot pack `{name}`: {e}"))?;
    }
    if copied != packed.len() {
        return Err("epub-builder did not write every document Tribune packed itself".into());
    }
    if let Some(name) = finish.keys().next() {
        return Err(format!("epub-builder did not write `{name}`, which Tribune finishes itself"));
    }
    Ok(out.finish().map_err(fail)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut z = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            z.start_file(*name, SimpleFileOptions::default()).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn repacked(secs: i64) -> Vec<u8> {
        let built = archive(&[
            ("OEBPS/b.txt", b"text text text text"),
            ("mimetype", MIMETYPE),
            ("OEBPS/a.png", b"png"),
            ("OEBPS/c.xhtml", b"<p>copied as it was deflated</p>"),
        ]);
        let mut finish: BTreeMap<String, Finish> = BTreeMap::new();
        finish.insert("OEBPS/b.txt".into(), Box::new(|b| Ok([b.as_slice(), b"!"].concat())));
        repack(&built, secs, finish, &BTreeMap::new()).unwrap()
    }

    #[test]
    fn mimetype_first_stored_and_the_same_bytes_every_time() {
        let a = repacked(1_639_353_600);
        assert_eq!(a, repacked(1_639_353_600));
        assert_ne!(a, repacked(1_639_353_600 + 86_400), "the date is in the entries");
        // The local header of the first entry: stored (method 0), named `mimetype`, no extra field.
        assert_eq!(&a[0..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([a[8], a[9]]), 0);
        assert_eq!(u16::from_le_bytes([a[28], a[29]]), 0);
        assert_eq!(&a[30..38], b"mimetype");
        assert_eq!(&a[38..58], MIMETYPE);
        let mut zip = ZipArchive::new(Cursor::new(a)).unwrap();
        assert_eq!(zip.file_names().count(), 4);
        assert_eq!(zip.by_index(1).unwrap().name(), "OEBPS/b.txt", "epub-builder's order is kept");
        let mut s = String::new();
        zip.by_name("OEBPS/b.txt").unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "text text text text!");
        assert_eq!(zip.by_name("OEBPS/a.png").unwrap().compression(), CompressionMethod::Stored);
        let d = zip.by_name("OEBPS/b.txt").unwrap().last_modified().unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2021, 12, 13));
        // An entry copied without inflating it: its bytes, deflated, dated like the rest.
        let mut copied = zip.by_name("OEBPS/c.xhtml").unwrap();
        assert_eq!(copied.compression(), CompressionMethod::Deflated);
        let d = copied.last_modified().unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2021, 12, 13));
        s.clear();
        copied.read_to_string(&mut s).unwrap();
        assert_eq!(s, "<p>copied as it was deflated</p>");
    }

    #[test]
    fn an_entry_packed_beforehand_takes_the_place_of_epub_builders() {
        let built = archive(&[("mimetype", MIMETYPE), ("OEBPS/a.xhtml", b""), ("OEBPS/b.xhtml", b"<p>b</p>")]);
        let one = pack_entry("OEBPS/a.xhtml", b"<p>packed before</p>").unwrap();
        let packed: BTreeMap<String, &[u8]> = [("OEBPS/a.xhtml".to_string(), &one[..])].into_iter().collect();
        let a = repack(&built, 1_639_353_600, BTreeMap::new(), &packed).unwrap();
        assert_eq!(a, repack(&built, 1_639_353_600, BTreeMap::new(), &packed).unwrap());
        let mut zip = ZipArchive::new(Cursor::new(a)).unwrap();
        let names: Vec<_> = zip.file_names().map(str::to_string).collect();
        assert_eq!(names, ["mimetype", "OEBPS/a.xhtml", "OEBPS/b.xhtml"], "in epub-builder's order");
        let mut entry = zip.by_name("OEBPS/a.xhtml").unwrap();
        assert_eq!(entry.compression(), CompressionMethod::Deflated);
        let d = entry.last_modified().unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2021, 12, 13), "dated like the rest");
        let mut s = String::new();
        entry.read_to_string(&mut s).unwrap();
        assert_eq!(s, "<p>packed before</p>");
        // One that epub-builder did not write, or packed under another name, is an error.
        let other = pack_entry("OEBPS/c.xhtml", b"c").unwrap();
        let missing: BTreeMap<String, &[u8]> = [("OEBPS/c.xhtml".to_string(), &other[..])].into_iter().collect();
        assert!(repack(&built, 0, BTreeMap::new(), &missing).is_err());
        let renamed: BTreeMap<String, &[u8]> = [("OEBPS/b.xhtml".to_string(), &other[..])].into_iter().collect();
        assert!(repack(&built, 0, BTreeMap::new(), &renamed).unwrap_err().contains("c.xhtml"));
    }

    #[test]
    fn a_finishing_hook_without_its_file_is_an_error() {
        let mut finish: BTreeMap<String, Finish> = BTreeMap::new();
        finish.insert("OEBPS/nav.xhtml".into(), Box::new(Ok));
        assert!(repack(&archive(&[("mimetype", MIMETYPE)]), 0, finish, &BTreeMap::new())
            .unwrap_err()
            .contains("nav.xhtml"));
    }

    #[test]
    fn dates_outside_the_dos_range_are_clamped() {
        assert_eq!(dos_date(0).year(), 1980);
        let last = dos_date(i64::MAX / 2);
        assert_eq!((last.year(), last.month(), last.day()), (2107, 12, 31));
    }
}
