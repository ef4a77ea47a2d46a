//! The reading edition is a tagged PDF (PDF/UA-1), read back by a small parser of the
//! file's objects (no external tool): the structure tree's headings never skip a level,
//! every MCID of every page is tied to an element through the `ParentTree` and that
//! element lists it, every figure has alternative text, running heads and folios are
//! pagination artifacts, links are `Link` elements with their annotations; and, when the
//! validators are installed, `../shared/tools/pdfua_check.py` finds no failure in the
//! example, the seed speech's book and the 100-speech corpus.

mod support;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

fn build_pdf(project: &Path, book: &str, out: &Path) -> PathBuf {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tribune"));
    cmd.args(["build", book, "--project", project.to_str().unwrap(), "--out", out.to_str().unwrap(), "-f", "pdf"]);
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join(format!("{book}.pdf"))
}

/// A PDF value, as far as Tribune's files need.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Null,
    Bool(bool),
    Num(f64),
    Name(String),
    Str(Vec<u8>),
    Ref(u32),
    Arr(Vec<V>),
    Dict(BTreeMap<String, V>),
}

impl V {
    fn get(&self, k: &str) -> Option<&V> {
        match self {
            V::Dict(d) => d.get(k),
            _ => None,
        }
    }
    fn name(&self) -> Option<&str> {
        match self {
            V::Name(n) => Some(n),
            _ => None,
        }
    }
    fn int(&self) -> Option<i64> {
        match self {
            V::Num(n) => Some(*n as i64),
            _ => None,
        }
    }
    fn list(&self) -> Vec<V> {
        match self {
            V::Arr(a) => a.clone(),
            V::Null => Vec::new(),
            v => vec![v.clone()],
        }
    }
    /// A text string's text (UTF-16BE with its mark, or PDFDocEncoding read as Latin-1).
    fn text(&self) -> Option<String> {
        let V::Str(b) = self else { return None };
        if b.starts_with(&[0xfe, 0xff]) {
            let u: Vec<u16> = b[2..].chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
            return Some(String::from_utf16_lossy(&u));
        }
        Some(b.iter().map(|c| *c as char).collect())
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() {
            match self.b[self.i] {
                b' ' | b'\n' | b'\r' | b'\t' | 0 | 12 => self.i += 1,
                b'%' => {
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1
                    }
                }
                _ => break,
            }
        }
    }
    fn regular(c: u8) -> bool {
        !b" \n\r\t\x00\x0c()<>[]{}/%".contains(&c)
    }
    fn token(&mut self) -> &[u8] {
        let s = self.i;
        while self.i < self.b.len() && Self::regular(self.b[self.i]) {
            self.i += 1;
        }
        &self.b[s..self.i]
    }
    fn value(&mut self) -> V {
        self.ws();
        match self.b[self.i] {
            b'/' => {
                self.i += 1;
                V::Name(String::from_utf8_lossy(self.token()).into_owned())
            }
            b'[' => {
                self.i += 1;
                let mut a = Vec::new();
                loop {
                    self.ws();
                    if self.b[self.i] == b']' {
                        self.i += 1;
                        return V::Arr(a);
                    }
                    a.push(self.value());
                }
            }
            b'<' if self.b[self.i + 1] == b'<' => {
                self.i += 2;
                let mut d = BTreeMap::new();
                loop {
                    self.ws();
                    if self.b[self.i] == b'>' {
                        self.i += 2;
                        return V::Dict(d);
                    }
                    let V::Name(k) = self.value() else { panic!("a dictionary key is not a name at {}", self.i) };
                    let v = self.value();
                    d.insert(k, v);
                }
            }
            b'<' => {
                self.i += 1;
                let s = self.i;
                while self.b[self.i] != b'>' {
                    self.i += 1;
                }
                let hex: Vec<u8> = self.b[s..self.i].iter().copied().filter(|c| c.is_ascii_hexdigit()).collect();
                self.i += 1;
                let hex = String::from_utf8(hex).unwrap();
                V::Str((0..hex.len() / 2).map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap()).collect())
            }
            b'(' => {
                self.i += 1;
                let mut out = Vec::new();
                let mut depth = 0;
                loop {
                    let c = self.b[self.i];
                    self.i += 1;
                    match c {
                        b'\\' => {
                            let e = self.b[self.i];
                            self.i += 1;
                            out.push(match e {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                b'0'..=b'7' => {
                                    let mut v = (e - b'0') as u32;
                                    for _ in 0..2 {
                                        if (b'0'..=b'7').contains(&self.b[self.i]) {
                                            v = v * 8 + (self.b[self.i] - b'0') as u32;
                                            self.i += 1;
                                        }
                                    }
                                    v as u8
                                }
                                other => other,
                            });
                        }
                        b'(' => {
                            depth += 1;
                            out.push(c)
                        }
                        b')' if depth == 0 => return V::Str(out),
                        b')' => {
                            depth -= 1;
                            out.push(c)
                        }
                        _ => out.push(c),
                    }
                }
            }
            _ => {
                let t = self.token().to_vec();
                match &t[..] {
                    b"true" => V::Bool(true),
                    b"false" => V::Bool(false),
                    b"null" => V::Null,
                    _ => {
                        let n: f64 = std::str::from_utf8(&t).unwrap().parse().unwrap_or_else(|_| {
                            panic!("not a number: {:?} at {}", String::from_utf8_lossy(&t), self.i)
                        });
                        // `N 0 R`
                        let save = self.i;
                        self.ws();
                        let gen = self.token().to_vec();
                        if !gen.is_empty() && gen.iter().all(u8::is_ascii_digit) {
                            self.ws();
                            if self.b.get(self.i) == Some(&b'R') {
                                self.i += 1;
                                return V::Ref(n as u32);
                            }
                        }
                        self.i = save;
                        V::Num(n)
                    }
                }
            }
        }
    }
}

/// The objects of a PDF written without object streams: number to value, and the
/// decompressed data of streams.
struct Pdf {
    objs: BTreeMap<u32, V>,
    streams: BTreeMap<u32, Vec<u8>>,
    root: u32,
}

impl Pdf {
    fn read(path: &Path) -> Pdf {
        let b = std::fs::read(path).unwrap();
        let mut objs = BTreeMap::new();
        let mut streams = BTreeMap::new();
        let mut i = 0;
        while let Some(at) = find(&b[i..], b" 0 obj\n") {
            let start = at + i;
            let mut s = start;
            while s > 0 && b[s - 1].is_ascii_digit() {
                s -= 1;
            }
            let num: u32 = std::str::from_utf8(&b[s..start]).unwrap().parse().unwrap();
            let mut p = Parser { b: &b, i: start + 7 };
            let v = p.value();
            p.ws();
            if b[p.i..].starts_with(b"stream") {
                let mut d = p.i + 6;
                if b[d] == b'\r' {
                    d += 1;
                }
                d += 1;
                let len = v.get("Length").and_then(V::int).unwrap() as usize;
                let raw = &b[d..d + len];
                let data = if v.get("Filter").and_then(V::name) == Some("FlateDecode") {
                    let mut out = Vec::new();
                    flate2::read::ZlibDecoder::new(raw).read_to_end(&mut out).unwrap();
                    out
                } else {
                    raw.to_vec()
                };
                streams.insert(num, data);
                i = d + len;
            } else {
                i = p.i;
            }
            objs.insert(num, v);
        }
        // Objects in object streams (the structure tree's).
        let mut packed = Vec::new();
        for (n, v) in &objs {
            if v.get("Type").and_then(V::name) != Some("ObjStm") {
                continue;
            }
            let data = &streams[n];
            let count = v.get("N").and_then(V::int).unwrap() as usize;
            let first = v.get("First").and_then(V::int).unwrap() as usize;
            let mut p = Parser { b: data, i: 0 };
            let head: Vec<i64> = (0..2 * count).map(|_| p.value().int().unwrap()).collect();
            for pair in head.chunks(2) {
                let mut p = Parser { b: data, i: first + pair[1] as usize };
                packed.push((pair[0] as u32, p.value()));
            }
        }
        objs.extend(packed);
        // The trailer, or the cross-reference stream that holds its entries.
        let trailer = match find(&b, b"trailer") {
            Some(t) => Parser { b: &b, i: t + 7 }.value(),
            None => objs.values().find(|v| v.get("Type").and_then(V::name) == Some("XRef")).unwrap().clone(),
        };
        let Some(V::Ref(root)) = trailer.get("Root") else { panic!("no /Root") };
        let root = *root;
        Pdf { objs, streams, root }
    }
    fn obj<'a>(&'a self, r: &'a V) -> &'a V {
        match r {
            V::Ref(n) => &self.objs[n],
            v => v,
        }
    }
    fn catalog(&self) -> &V {
        &self.objs[&self.root]
    }
    fn pages(&self) -> Vec<u32> {
        let pages = self.obj(self.catalog().get("Pages").unwrap());
        pages.get("Kids").unwrap().list().iter().map(|k| if let V::Ref(n) = k { *n } else { 0 }).collect()
    }
    /// A page's content stream.
    fn content(&self, page: u32) -> String {
        let Some(V::Ref(c)) = self.objs[&page].get("Contents") else { panic!("page {page} has no content") };
        String::from_utf8_lossy(&self.streams[c]).into_owned()
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// The structure tree walked in reading order: (object number, type, depth).
fn walk(pdf: &Pdf) -> Vec<(u32, String, usize)> {
    let root = pdf.obj(pdf.catalog().get("StructTreeRoot").expect("a StructTreeRoot"));
    let mut out = Vec::new();
    let mut todo: Vec<(V, usize)> = root.get("K").unwrap().list().into_iter().rev().map(|k| (k, 0)).collect();
    while let Some((k, depth)) = todo.pop() {
        let V::Ref(n) = k else { continue };
        let el = &pdf.objs[&n];
        let Some(s) = el.get("S").and_then(V::name) else { continue };
        out.push((n, s.to_string(), depth));
        for kid in el.get("K").map(V::list).unwrap_or_default().into_iter().rev() {
            todo.push((kid, depth + 1));
        }
    }
    out
}

/// The marked-content sequences of a content stream, with what they paint: (tag, MCID,
/// artifact subtype, text shown, the enclosing sequence's tag).
#[derive(Debug, Default)]
struct Seqs {
    /// MCIDs in order.
    mcids: Vec<i64>,
    /// Text operators outside any MCID or artifact sequence.
    untagged: usize,
    /// Text operators inside artifacts, by `/Subtype` (`-` for none).
    artifact_text: BTreeMap<String, usize>,
    /// Artifact sequences inside MCID sequences, and the other way round.
    nested: usize,
}

fn sequences(content: &str) -> Seqs {
    let mut s = Seqs::default();
    // (is artifact, has MCID, artifact subtype)
    let mut stack: Vec<(bool, bool, String)> = Vec::new();
    for line in content.lines() {
        let line = line.trim();
        if line.ends_with("BDC") || line.ends_with("BMC") {
            let art = line.starts_with("/Artifact");
            let mcid = line.find("/MCID ").map(|at| {
                let rest = &line[at + 6..];
                rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())].parse::<i64>().unwrap()
            });
            let in_mc = stack.iter().any(|e| e.1);
            let in_art = stack.iter().any(|e| e.0);
            if (art && in_mc) || (mcid.is_some() && in_art) {
                s.nested += 1;
            }
            if let Some(m) = mcid {
                s.mcids.push(m);
            }
            let sub = line.find("/Subtype/").map_or("-".to_string(), |at| {
                let rest = &line[at + 9..];
                rest[..rest.find(['>', '/']).unwrap_or(rest.len())].to_string()
            });
            stack.push((art, mcid.is_some(), sub));
        } else if line == "EMC" {
            stack.pop();
        } else if line.ends_with("TJ") || line.ends_with("Tj") {
            if let Some(a) = stack.iter().rev().find(|e| e.0) {
                *s.artifact_text.entry(a.2.clone()).or_insert(0) += 1;
            } else if !stack.iter().any(|e| e.1) {
                s.untagged += 1;
            }
        }
    }
    s
}

/// The checks of PDF/UA that need no external tool, on the reading edition at `path`.
fn check_tagged(path: &Path) -> Pdf {
    let pdf = Pdf::read(path);
    let cat = pdf.catalog();
    assert_eq!(cat.get("MarkInfo").and_then(|m| m.get("Marked")), Some(&V::Bool(true)), "/MarkInfo /Marked true");
    let prefs = cat.get("ViewerPreferences").unwrap();
    assert_eq!(prefs.get("DisplayDocTitle"), Some(&V::Bool(true)));
    assert!(cat.get("Lang").and_then(V::text).is_some_and(|l| !l.is_empty()));
    let Some(V::Ref(md)) = cat.get("Metadata") else { panic!("no XMP") };
    let xmp = String::from_utf8_lossy(&pdf.streams[md]).into_owned();
    assert!(xmp.contains("pdfuaid:part>1<") || xmp.contains("pdfuaid:part=\"1\""), "{xmp}");
    assert!(xmp.contains("<dc:title>"), "{xmp}");

    // The tree: one Document, headings in order from H1 without a skipped level.
    let tree = walk(&pdf);
    assert_eq!(tree.first().map(|e| e.1.as_str()), Some("Document"));
    let levels: Vec<usize> = tree.iter().filter_map(|e| e.1.strip_prefix('H').and_then(|l| l.parse().ok())).collect();
    assert!(!levels.is_empty() && levels[0] == 1, "the first heading is H1: {levels:?}");
    for w in levels.windows(2) {
        assert!(w[1] <= w[0] + 1, "H{} follows H{}: a level is skipped ({levels:?})", w[1], w[0]);
    }
    let in_tree: std::collections::BTreeSet<u32> = tree.iter().map(|e| e.0).collect();
    for (n, s, _) in &tree {
        let el = &pdf.objs[n];
        if s == "Figure" {
            let alt = el.get("Alt").and_then(V::text).unwrap_or_default();
            assert!(!alt.trim().is_empty(), "a Figure without alternative text: {el:?}");
            let bbox = el.get("A").map(V::list).unwrap_or_default();
            assert!(bbox.iter().any(|a| a.get("BBox").is_some()), "a Figure without a bounding box: {el:?}");
        }
        if s == "Note" {
            assert!(el.get("ID").is_some(), "a Note without /ID");
        }
        if s == "TH" {
            let a = el.get("A").map(V::list).unwrap_or_default();
            assert!(a.iter().any(|a| a.get("Scope").is_some()), "a TH without /Scope");
        }
    }

    // Every MCID of every page leads through the ParentTree to an element of the tree
    // that lists it; running heads and folios are pagination artifacts.
    let root = pdf.obj(cat.get("StructTreeRoot").unwrap());
    let parent_tree = pdf.obj(root.get("ParentTree").expect("a ParentTree"));
    let nums = parent_tree.get("Nums").unwrap().list();
    let map: BTreeMap<i64, V> = nums.chunks(2).map(|c| (c[0].int().unwrap(), c[1].clone())).collect();
    let next = root.get("ParentTreeNextKey").and_then(V::int).unwrap();
    assert!(map.keys().all(|k| *k < next));
    let (mut heads, mut folios) = (0, 0);
    for page in pdf.pages() {
        let p = &pdf.objs[&page];
        assert_eq!(p.get("Tabs").and_then(V::name), Some("S"), "every page has /Tabs /S");
        let seqs = sequences(&pdf.content(page));
        assert_eq!(seqs.untagged, 0, "page {page}: text neither tagged nor an artifact");
        assert_eq!(seqs.nested, 0, "page {page}: artifacts and tagged content nested");
        heads += seqs.artifact_text.get("Header").copied().unwrap_or(0);
        folios += seqs.artifact_text.get("Footer").copied().unwrap_or(0);
        let key = p.get("StructParents").and_then(V::int).expect("a page without /StructParents");
        let owners = map.get(&key).map(V::list).unwrap_or_default();
        for m in &seqs.mcids {
            let owner =
                owners.get(*m as usize).unwrap_or_else(|| panic!("page {page}: MCID {m} not in the ParentTree"));
            let V::Ref(o) = owner else { panic!("page {page}: MCID {m} maps to {owner:?}") };
            assert!(in_tree.contains(o), "page {page}: MCID {m}'s element is not in the tree");
            let el = &pdf.objs[o];
            let el_page = el.get("Pg").cloned();
            let listed = el.get("K").map(V::list).unwrap_or_default().iter().any(|k| match k {
                V::Num(n) => *n as i64 == *m && el_page == Some(V::Ref(page)),
                V::Dict(_) => k.get("MCID").and_then(V::int) == Some(*m) && k.get("Pg") == Some(&V::Ref(page)),
                _ => false,
            });
            assert!(listed, "page {page}: MCID {m}'s element does not list it: {el:?}");
        }
        // Links: each annotation is an OBJR of a Link element, which it leads back to.
        for a in p.get("Annots").map(V::list).unwrap_or_default() {
            let V::Ref(an) = a else { continue };
            let annot = &pdf.objs[&an];
            assert!(annot.get("Contents").and_then(V::text).is_some_and(|t| !t.is_empty()), "a link without /Contents");
            let key = annot.get("StructParent").and_then(V::int).expect("a link without /StructParent");
            let Some(V::Ref(owner)) = map.get(&key) else { panic!("annotation {an}: not in the ParentTree") };
            let el = &pdf.objs[owner];
            assert_eq!(el.get("S").and_then(V::name), Some("Link"));
            let objr = el.get("K").map(V::list).unwrap_or_default().iter().any(|k| k.get("Obj") == Some(&V::Ref(an)));
            assert!(objr, "the Link element of annotation {an} has no OBJR to it");
        }
    }
    assert!(heads > 0 && folios > 0, "running heads ({heads}) and folios ({folios}) as pagination artifacts");
    pdf
}

/// The words of the text as the structure tree reads it: element by element in order,
/// the marked content of each MCID in turn (the text a screen reader is given).
fn tree_text_has_no_folios(pdf: &Pdf) {
    // Folios and running heads never sit in MCID sequences: checked per page above; here
    // the structure holds the whole text: as many MCIDs are owned as are painted.
    let tree = walk(pdf);
    let owned: usize = tree
        .iter()
        .map(|(n, _, _)| {
            pdf.objs[n]
                .get("K")
                .map(V::list)
                .unwrap_or_default()
                .iter()
                .filter(|k| matches!(k, V::Num(_)) || k.get("MCID").is_some())
                .count()
        })
        .sum();
    let painted: usize = pdf.pages().iter().map(|p| sequences(&pdf.content(*p)).mcids.len()).sum();
    assert_eq!(owned, painted, "every MCID painted is owned by one element of the tree");
}

#[test]
fn example_is_a_tagged_pdf() {
    let out = tempfile::tempdir().unwrap();
    let path = build_pdf(&repo(), "example", out.path());
    let pdf = check_tagged(&path);
    tree_text_has_no_folios(&pdf);
    let tree = walk(&pdf);
    let kinds: std::collections::BTreeSet<&str> = tree.iter().map(|e| e.1.as_str()).collect();
    for want in [
        "Part", "Sect", "H1", "H2", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "Figure", "Note",
        "Link", "TOC", "TOCI",
    ] {
        assert!(kinds.contains(want), "no {want} element in the example: {kinds:?}");
    }
    // The Kazakh sentence quoted in a German speech (`<span lang="kk">`) is a `Span` with
    // its `/Lang`, holding its marked content; a footnote's paragraphs are `P`s in its `Note`.
    let spans: Vec<&V> = tree.iter().filter(|e| e.1 == "Span").map(|e| &pdf.objs[&e.0]).collect();
    assert!(
        spans.iter().any(|el| el.get("Lang").and_then(V::text).as_deref() == Some("kk")
            && el
                .get("K")
                .map(V::list)
                .unwrap_or_default()
                .iter()
                .any(|k| matches!(k, V::Num(_)) || k.get("MCID").is_some())),
        "no Span with /Lang (kk) and content: {spans:?}"
    );
    for (n, s, _) in &tree {
        if s == "Note" {
            let kids = pdf.objs[n].get("K").map(V::list).unwrap_or_default();
            assert!(!kids.is_empty(), "an empty Note");
            for k in kids {
                let el = pdf.obj(&k);
                assert_eq!(el.get("S").and_then(V::name), Some("P"), "a Note holds its paragraphs as P: {k:?}");
            }
        }
    }
    // Notes come after the paragraph that calls them, in the same section.
    for (i, e) in tree.iter().enumerate() {
        if e.1 == "Note" {
            let before = &tree[..i];
            assert!(
                before.iter().rev().find(|b| b.2 == e.2).is_some_and(|b| b.1 != "Sect"),
                "a note first in its section"
            );
        }
    }
    // Reproducible.
    let out2 = tempfile::tempdir().unwrap();
    let again = build_pdf(&repo(), "example", out2.path());
    assert!(std::fs::read(&path).unwrap() == std::fs::read(&again).unwrap(), "two builds differ");
    if let Some(py) = validator("tribune-tools-python") {
        pdfua_check(&py, &path);
        // A screen reader's order: the structure tree walked in order gives every word of
        // the book's speeches (running heads and folios are artifacts, not in it).
        let books = repo().join("books");
        let sources: Vec<PathBuf> = [
            "introduction.md",
            "afterword.md",
            "speeches/2019-05-leipzig-pflege.md",
            "speeches/2023-03-hamburg-mieten.md",
            "speeches/2021-12-berlin-kasachstan.md",
            "speeches/en/2024-09-brighton-peace.md",
            "speeches/ar/2024-05-beirut-salam.md",
            "speeches/2025-05-wien-befreiung.md",
        ]
        .iter()
        .map(|s| books.join(s))
        .collect();
        let script = repo().join("tests/tools/structure_order.py");
        let o = Command::new(&py).arg(script).arg(&path).args(&sources).output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        eprintln!("{}", out.lines().last().unwrap_or_default());
        assert!(o.status.success(), "structure_order.py:\n{out}{}", String::from_utf8_lossy(&o.stderr));
    }
}

/// A span in another language broken across lines, with a link inside it, and a note of
/// two paragraphs: each line's stretch of the span a `Span` with its `/Lang` (the link a
/// `Link` inside it), the note's paragraphs two `P`s, and the file still passes every check.
#[test]
fn language_spans_across_lines_and_notes_of_two_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    let sp = dir.path().join("books/speeches");
    std::fs::create_dir_all(&sp).unwrap();
    let russian = "Мы требуем справедливой заработной платы, независимых профсоюзов и расследования \
                   событий декабря две тысячи одиннадцатого года";
    let body = format!(
        "Sie riefen: <span lang=\"ru\">{russian}, <a href=\"https://example.org/\">смотрите здесь</a> \
         и [здесь](https://example.org/ru), товарищи</span>. Dann gingen alle nach Hause.[^1]\n\n\
         [^1]: Der erste Absatz der Anmerkung.\n\n    Der zweite Absatz der Anmerkung.\n"
    );
    // Pages enough for running heads and folios.
    let more = "Wir stehen hier zusammen, und wir bleiben hier, bis man uns hört. ".repeat(8);
    let body = format!("{body}\n{}", format!("{more}\n\n").repeat(30));
    let text = format!("---\ntitle: Rede\nspeaker: A\ndate: 2021-12-13\nlanguage: de\n---\n\n{body}");
    std::fs::write(sp.join("r.md"), text).unwrap();
    std::fs::write(dir.path().join("books/b.toml"), "title = \"Buch\"\nlanguage = \"de\"\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = build_pdf(dir.path(), "b", out.path());
    let pdf = check_tagged(&path);
    tree_text_has_no_folios(&pdf);
    let tree = walk(&pdf);
    let spans: Vec<&(u32, String, usize)> = tree.iter().filter(|e| e.1 == "Span").collect();
    assert!(spans.len() >= 2, "the span is broken across lines: {tree:?}");
    for (n, _, _) in &spans {
        assert_eq!(pdf.objs[n].get("Lang").and_then(V::text).as_deref(), Some("ru"));
    }
    // The link inside the span is a `Link` whose parent is a `Span`.
    let link_in_span = tree.iter().any(|(n, s, _)| {
        s == "Link"
            && pdf.objs[n].get("P").map(|p| pdf.obj(p)).and_then(|p| p.get("S")).and_then(V::name) == Some("Span")
    });
    assert!(link_in_span, "no Link inside the Span: {tree:?}");
    let (note, _, depth) = tree.iter().find(|e| e.1 == "Note").expect("a Note");
    let paras: Vec<&(u32, String, usize)> = tree
        .iter()
        .skip_while(|e| e.0 != *note)
        .skip(1)
        .take_while(|e| e.2 > *depth)
        .filter(|e| e.2 == depth + 1)
        .collect();
    assert_eq!(paras.iter().map(|e| e.1.as_str()).collect::<Vec<_>>(), ["P", "P"], "{tree:?}");
    if let Some(py) = validator("tribune-tools-python") {
        pdfua_check(&py, &path);
    }
}

/// `../shared/tools/pdfua_check.py` on `pdf`: no failure.
fn pdfua_check(py: &Path, pdf: &Path) {
    let Some(shared) = shared() else { return };
    let o = Command::new(py).arg(shared.join("tools/pdfua_check.py")).arg(pdf).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{}", out.lines().last().unwrap_or_default());
    assert!(o.status.success(), "pdfua_check.py:\n{out}{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn seed_speech_and_corpus_books_pass_the_checks() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(&shared, 100, dir.path(), 2000);
    let seed = shared.join("corpus/kasachstan-solidaritaet.md");
    let corpus = build_pdf(dir.path(), "bench", &dir.path().join("out"));
    check_tagged(&corpus);
    // The seed speech alone.
    let one = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(one.path().join("books/speeches")).unwrap();
    std::fs::copy(&seed, one.path().join("books/speeches/seed.md")).unwrap();
    std::fs::write(one.path().join("books/seed.toml"), "title = \"Seed\"\nlanguage = \"de\"\n").unwrap();
    let seed_pdf = build_pdf(one.path(), "seed", &one.path().join("out"));
    check_tagged(&seed_pdf);
    if let Some(py) = validator("tribune-tools-python") {
        pdfua_check(&py, &corpus);
        pdfua_check(&py, &seed_pdf);
    }
}
