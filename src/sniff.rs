//! What a source file that is not UTF-8 text is: another program's file by its first bytes
//! (a Word document, a PDF, an image), UTF-16 text (with or without its byte order mark),
//! Latin-1, or text with control characters in it (binary junk, terminal colours). The
//! reader of source files (`project::read_source`) asks here before it takes a file as
//! text, so such a file is an error that says what it looks like and where, not a book.

/// A file that cannot be a source: what it looks like, the byte offset of the first fault
/// (0 for a file recognised as a whole) and what to do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct NotText {
    /// What the bytes look like, a sentence without its end.
    pub(crate) what: String,
    /// The byte offset where the fault is.
    pub(crate) at: usize,
    /// What to do about it.
    pub(crate) hint: &'static str,
}

const SAVE_AS_TEXT: &str = "open it in the program that made it and save (or export) it as plain text, \
                            UTF-8, with the extension .md (or .toml)";

/// Another program's file by its magic bytes, or UTF-16/UTF-32 text; `None` when the bytes
/// may be text.
pub(crate) fn foreign(bytes: &[u8]) -> Option<NotText> {
    let whole = |what: &str| Some(NotText { what: what.to_string(), at: 0, hint: SAVE_AS_TEXT });
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(64 * 1024)];
        let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
        return whole(if has(b"word/") {
            "the file is a Word document (.docx, a ZIP archive), not text"
        } else if has(b"application/vnd.oasis.opendocument") {
            "the file is an OpenDocument file (.odt, a ZIP archive), not text"
        } else if has(b"application/epub+zip") {
            "the file is an EPUB (a ZIP archive), not text"
        } else if has(b"xl/") || has(b"ppt/") {
            "the file is an Excel or PowerPoint file (a ZIP archive), not text"
        } else {
            "the file is a ZIP archive, not text"
        });
    }
    let magic: [(&[u8], &str); 9] = [
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "the file is an old Word or Office document (.doc), not text"),
        (b"%PDF-", "the file is a PDF, not text"),
        (b"{\\rtf", "the file is an RTF document, not Markdown"),
        (b"\x89PNG\r\n\x1a\n", "the file is a PNG image, not text"),
        (b"\xFF\xD8\xFF", "the file is a JPEG image, not text"),
        (b"GIF8", "the file is a GIF image, not text"),
        (b"\x1F\x8B", "the file is compressed with gzip, not text"),
        (b"\x7FELF", "the file is a program (ELF), not text"),
        (b"\x00\x00\xFE\xFF", "the file is UTF-32 text (big-endian, with a byte order mark), not UTF-8"),
    ];
    for (m, what) in magic {
        if starts(m) {
            return whole(what);
        }
    }
    let utf16 = |what: &str| {
        Some(NotText {
            what: what.to_string(),
            at: 0,
            hint: "save the file as UTF-8 in your editor (\"Save as\", encoding UTF-8)",
        })
    };
    if starts(b"\xFF\xFE\x00\x00") {
        return utf16("the file is UTF-32 text (little-endian, with a byte order mark), not UTF-8");
    }
    if starts(b"\xFF\xFE") {
        return utf16("the file is UTF-16 text (little-endian, with a byte order mark), not UTF-8");
    }
    if starts(b"\xFE\xFF") {
        return utf16("the file is UTF-16 text (big-endian, with a byte order mark), not UTF-8");
    }
    // UTF-16 without a mark: in text of mostly Latin letters every other byte is zero.
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() >= 4 {
        let zeros = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
        let (even, odd, pairs) = (zeros(0), zeros(1), head.len() / 2);
        if odd * 2 > pairs && even * 10 < pairs {
            return utf16("the file looks like UTF-16 text (little-endian, without a byte order mark), not UTF-8");
        }
        if even * 2 > pairs && odd * 10 < pairs {
            return utf16("the file looks like UTF-16 text (big-endian, without a byte order mark), not UTF-8");
        }
    }
    None
}

/// What the bytes of a file that is not valid UTF-8 look like, from the first invalid one at
/// `at`: Latin-1 (or Windows-1252) when every byte outside ASCII would be a letter or a sign
/// there, else nothing more than "not UTF-8".
pub(crate) fn not_utf8(bytes: &[u8], at: usize) -> String {
    let b = bytes[at];
    let rest = &bytes[at..bytes.len().min(at + 64 * 1024)];
    let latin1 = rest.iter().all(|&c| !(0x80..0xA0).contains(&c) || matches!(c, 0x80 | 0x84 | 0x85 | 0x91..=0x97));
    if b >= 0xA0 && latin1 {
        let c = char::from(b);
        format!(
            "the file is not valid UTF-8: it looks like Latin-1 or Windows-1252 (the byte 0x{b:02X} there is `{c}`)"
        )
    } else {
        format!("the file is not valid UTF-8 (byte 0x{b:02X} at offset {at})")
    }
}

/// The first control character of `text` that a source may not hold (C0 controls other than
/// tab, line feed, carriage return and form feed), with what it is.
pub(crate) fn control(text: &str) -> Option<NotText> {
    let bytes = text.as_bytes();
    let mut i = 0;
    loop {
        i += crate::bytescan::no_control_len(&bytes[i..]);
        let &b = bytes.get(i)?;
        if matches!(b, b'\t' | b'\n' | b'\r' | 0x0C) {
            i += 1;
            continue;
        }
        let count = bytes[i..].iter().filter(|&&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0C)).count();
        let more = match count {
            1 => String::new(),
            n => format!(" (and {} more after it)", n - 1),
        };
        let (name, hint) = match b {
            0x00 => (
                "a NUL byte (0x00)",
                "the file holds binary data or was saved in a wrong encoding: open it in a text editor, \
                 remove what is not text and save it as UTF-8",
            ),
            0x1B => (
                "an escape character (0x1B), as terminal colour codes start",
                "the text was copied from a terminal with its colour codes: remove them (`ESC[…m`)",
            ),
            0x0B => (
                "a vertical tab (0x0B), which word processors write for a line break",
                "replace it with a line break (two spaces and a new line keep a break inside a paragraph)",
            ),
            _ => ("a control character", "remove it: it is no text and no reader shows it"),
        };
        let what = format!("the file holds {name}, U+{b:04X}{more}");
        return Some(NotText { what, at: i, hint });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_files_by_their_first_bytes() {
        let w = foreign(b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml....word/document.xml").unwrap();
        assert!(w.what.contains("Word document (.docx"), "{}", w.what);
        assert!(foreign(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest").unwrap().what.contains(".doc)"));
        assert!(foreign(b"%PDF-1.7\n").unwrap().what.contains("PDF"));
        assert!(foreign(b"PK\x03\x04mimetypeapplication/epub+zip").unwrap().what.contains("EPUB"));
        assert!(foreign(b"\xFF\xFE#\x00 \x00").unwrap().what.contains("UTF-16 text (little-endian, with"));
        assert!(foreign(b"\xFE\xFF\x00#").unwrap().what.contains("big-endian, with"));
        let le: Vec<u8> = "---\ntitle: A\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(foreign(&le).unwrap().what.contains("little-endian, without"));
        let be: Vec<u8> = "---\ntitle: A\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert!(foreign(&be).unwrap().what.contains("big-endian, without"));
        assert_eq!(foreign("---\ntitle: Köln\n---\n\nText.\n".as_bytes()), None);
        assert_eq!(foreign(b""), None);
        assert_eq!(foreign(b"a"), None);
    }

    #[test]
    fn names_latin1() {
        let b = b"place: K\xf6ln\n";
        assert!(not_utf8(b, 8).contains("Latin-1"), "{}", not_utf8(b, 8));
        let b = b"x \x80\x01\x02";
        assert!(!not_utf8(b, 2).contains("Latin-1"));
    }

    #[test]
    fn finds_the_first_forbidden_control_and_counts_the_rest() {
        assert_eq!(control("tab\tform\x0cfeed\r\nline\n"), None);
        let long = format!("{}\x00b\x00", "a".repeat(100));
        let c = control(&long).unwrap();
        assert_eq!(c.at, 100);
        assert!(c.what.contains("NUL") && c.what.contains("1 more"), "{}", c.what);
        assert!(control("red \x1b[31mtext").unwrap().what.contains("colour codes"));
        assert_eq!(control("ä\x07").unwrap().at, 2);
    }
}
