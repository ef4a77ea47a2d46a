//! PDF objects and their serialisation: just the syntax Tribune writes.

use std::io::Write;

#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real(f32),
    Name(String),
    Str(PdfString),
    Array(Vec<Obj>),
    Dict(Vec<(String, Obj)>),
    Ref(u32),
}

pub fn name(n: &str) -> Obj {
    Obj::Name(n.to_string())
}

/// A PDF string, written as a literal with escapes, or as UTF-16BE hex when it holds
/// characters outside ASCII (text strings in PDF are PDFDocEncoding or UTF-16BE).
#[derive(Debug, Clone, PartialEq)]
pub struct PdfString(Vec<u8>);

impl PdfString {
    /// A text string (metadata, outline titles, language tags).
    pub fn text(s: &str) -> PdfString {
        if s.chars().all(|c| (' '..='~').contains(&c)) {
            PdfString(s.as_bytes().to_vec())
        } else {
            let mut b = vec![0xFE, 0xFF];
            for u in s.encode_utf16() {
                b.extend_from_slice(&u.to_be_bytes());
            }
            PdfString(b)
        }
    }

    /// Raw bytes (document IDs).
    pub fn bytes(b: &[u8]) -> PdfString {
        PdfString(b.to_vec())
    }

    pub fn render(&self) -> String {
        if self.0.iter().all(|b| (0x20..0x7f).contains(b)) {
            let mut s = String::with_capacity(self.0.len() + 2);
            s.push('(');
            for &b in &self.0 {
                if matches!(b, b'(' | b')' | b'\\') {
                    s.push('\\');
                }
                s.push(b as char);
            }
            s.push(')');
            s
        } else {
            let mut s = String::with_capacity(self.0.len() * 2 + 2);
            s.push('<');
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            for &b in &self.0 {
                s.push(HEX[(b >> 4) as usize] as char);
                s.push(HEX[(b & 15) as usize] as char);
            }
            s.push('>');
            s
        }
    }
}

impl Obj {
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Obj::Null => out.extend_from_slice(b"null"),
            Obj::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Obj::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Obj::Real(r) => out.extend_from_slice(super::num(*r).as_bytes()),
            Obj::Name(n) => {
                out.push(b'/');
                for b in n.bytes() {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+') {
                        out.push(b);
                    } else {
                        let _ = write!(out, "#{b:02X}");
                    }
                }
            }
            Obj::Str(s) => out.extend_from_slice(s.render().as_bytes()),
            Obj::Array(a) => {
                out.push(b'[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    x.write(out);
                }
                out.push(b']');
            }
            Obj::Dict(d) => {
                out.extend_from_slice(b"<<");
                for (k, v) in d {
                    out.push(b'/');
                    out.extend_from_slice(k.as_bytes());
                    out.push(b' ');
                    v.write(out);
                    out.push(b' ');
                }
                out.extend_from_slice(b">>");
            }
            Obj::Ref(id) => {
                let _ = write!(out, "{id} 0 R");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(o: &Obj) -> String {
        let mut v = Vec::new();
        o.write(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn serialises() {
        assert_eq!(w(&PdfString::text("a(b)\\").into_obj()), "(a\\(b\\)\\\\)");
        assert_eq!(w(&Obj::Str(PdfString::text("Ä"))), "<FEFF00C4>");
        assert_eq!(w(&name("A B")), "/A#20B");
        assert_eq!(
            w(&Obj::Dict(vec![("K".into(), Obj::Array(vec![Obj::Int(1), Obj::Ref(3), Obj::Real(0.5)]))])),
            "<</K [1 3 0 R 0.5] >>"
        );
    }

    impl PdfString {
        fn into_obj(self) -> Obj {
            Obj::Str(self)
        }
    }
}
