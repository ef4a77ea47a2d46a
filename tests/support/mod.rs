//! Helpers shared by the integration tests: running the binary, finding ../shared and the
//! external validators, and counting words the way `shared/tools/text_fidelity.py` does.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn tribune(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tribune")).args(args).output().expect("run tribune");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared`, which CI puts beside the repository. Without it the test says so and
/// passes only when validators are not required.
pub(crate) fn shared() -> Option<PathBuf> {
    let p = repo().join("../shared");
    if p.join("corpus").is_dir() {
        return Some(p);
    }
    assert!(std::env::var_os("TRIBUNE_REQUIRE_VALIDATORS").is_none(), "../shared/corpus is missing");
    eprintln!("skipped: ../shared/corpus is not beside the repository");
    None
}

/// Words as `shared/tools/text_fidelity.py` counts them: lower-case runs of letters, and
/// runs of digits, as a multiset.
pub(crate) fn words(text: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    let mut cur = String::new();
    let mut digits = false;
    let mut flush = |cur: &mut String| {
        if !cur.is_empty() {
            *m.entry(std::mem::take(cur)).or_insert(0) += 1;
        }
    };
    for c in text.chars() {
        let (is_letter, is_digit) = (c.is_alphabetic(), c.is_ascii_digit() || c.is_numeric());
        if is_letter || is_digit {
            if !cur.is_empty() && digits != is_digit {
                flush(&mut cur);
            }
            digits = is_digit;
            cur.extend(c.to_lowercase());
        } else {
            flush(&mut cur);
        }
    }
    flush(&mut cur);
    m
}

/// The words of a speech's Markdown body as a reader sees them (markup left out).
pub(crate) fn markdown_words(path: &Path) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(path).unwrap();
    let body = if let Some(rest) = text.strip_prefix("---\n") {
        &rest[rest.find("\n---").unwrap() + 4..]
    } else if let Some(rest) = text.strip_prefix("+++\n") {
        &rest[rest.find("\n+++").unwrap() + 4..]
    } else {
        &text[..]
    };
    let mut s = String::new();
    let mut rest = body;
    // Link targets and footnote labels are not words a reader sees.
    while let Some(i) = rest.find(['[', '(', '<']) {
        s.push_str(&rest[..i]);
        let r = &rest[i..];
        if r.starts_with("[^") {
            let end = r.find(']').map(|e| e + 1).unwrap_or(r.len());
            rest = &r[end..];
            rest = rest.strip_prefix(':').unwrap_or(rest);
        } else if r.starts_with('(') && s.ends_with(']') {
            let end = r.find(')').map(|e| e + 1).unwrap_or(r.len());
            rest = &r[end..];
        } else if r.starts_with('<') {
            let end = r.find('>').map(|e| e + 1).unwrap_or(r.len());
            s.push(' ');
            rest = &r[end..];
        } else {
            s.push_str(&r[..1]);
            rest = &r[1..];
        }
    }
    s.push_str(rest);
    words(&s)
}

pub(crate) fn missing(want: &BTreeMap<String, usize>, have: &BTreeMap<String, usize>) -> Vec<String> {
    want.iter()
        .filter(|(w, n)| have.get(*w).copied().unwrap_or(0) < **n)
        .map(|(w, n)| format!("{w} ({n}x, model has {})", have.get(w).copied().unwrap_or(0)))
        .collect()
}

pub(crate) fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(md_files(&p));
        } else if p.extension().is_some_and(|e| e == "md") {
            v.push(p);
        }
    }
    v.sort();
    v
}

/// An external validator on PATH. Without it a test prints that it was skipped and
/// returns `None`, unless `TRIBUNE_REQUIRE_VALIDATORS` is set, when the test fails.
pub(crate) fn validator(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()));
    if found.is_none() {
        assert!(
            std::env::var_os("TRIBUNE_REQUIRE_VALIDATORS").is_none(),
            "{name} is required (TRIBUNE_REQUIRE_VALIDATORS is set) but not on PATH: source ../shared/tools/setup-validators.sh"
        );
        eprintln!("skipped: {name} is not installed (source ../shared/tools/setup-validators.sh)");
    }
    found
}

/// Make `dir` a project of `n` generated speeches of about `words` words (book `bench`).
pub(crate) fn gen_corpus(shared: &Path, n: usize, dir: &Path, words: usize) {
    let status = Command::new("python3")
        .arg(shared.join("corpus/gen_corpus.py"))
        .args([&n.to_string(), dir.to_str().unwrap(), "--book", "--words", &words.to_string()])
        .status()
        .expect("python3 runs gen_corpus.py");
    assert!(status.success());
}

/// Copy the folder `from` with everything in it to `to`.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// A PDF's bytes as text with the optional space before a name, string or array dropped
/// (`/Filter /DCTDecode` reads `/Filter/DCTDecode`), so that checks of its dictionaries do
/// not depend on how the writer spaces them.
#[allow(dead_code)]
pub(crate) fn pdf_syntax(pdf: &[u8]) -> String {
    String::from_utf8_lossy(pdf).replace(" /", "/").replace(" (", "(").replace(" [", "[")
}

/// The Markdown files a bundled book is made of: the speeches its parts and its
/// `[select]` name by id (the bundled books list ids, no globs), then its introduction
/// and afterword. `book` is the name of `books/<book>.toml` in this repository.
pub(crate) fn book_sources(book: &str) -> Vec<PathBuf> {
    let books = repo().join("books");
    let text = std::fs::read_to_string(books.join(format!("{book}.toml"))).unwrap();
    let toml: toml::Table = text.parse().unwrap();
    let ids = |select: Option<&toml::Value>| -> Vec<String> {
        let list = select.and_then(|s| s.get("speeches")).and_then(|s| s.as_array());
        list.into_iter().flatten().map(|id| id.as_str().unwrap().to_string()).collect()
    };
    let mut v: Vec<PathBuf> = ids(toml.get("select"))
        .into_iter()
        .chain(toml.get("parts").and_then(|p| p.as_array()).into_iter().flatten().flat_map(|p| ids(p.get("select"))))
        .map(|id| {
            assert!(!id.contains('*'), "{book}.toml: a glob; list the ids");
            books.join("speeches").join(format!("{id}.md"))
        })
        .collect();
    for matter in ["introduction", "afterword"] {
        if let Some(file) = toml.get(matter).and_then(|f| f.as_str()) {
            v.push(books.join(file));
        }
    }
    assert!(v.iter().all(|p| p.is_file()), "{book}.toml names a file that is missing: {v:?}");
    v
}

/// A page's words with their boxes.
pub(crate) type PageWords = Vec<(String, [f64; 4])>;

/// Each page's width and its words with their boxes [x0, y0, x1, y1] (points from the top
/// left of the MediaBox), from `pdftotext -bbox`.
pub(crate) fn word_boxes(pdf: &Path) -> Option<Vec<(f64, PageWords)>> {
    let pdftotext = validator("pdftotext")?;
    let o = Command::new(&pdftotext).args(["-bbox", pdf.to_str().unwrap(), "-"]).output().expect("run pdftotext");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let attr = |s: &str, name: &str| -> f64 {
        let at = s.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        s[at..at + s[at..].find('"').unwrap()].parse().unwrap()
    };
    Some(
        out.split("<page ")
            .skip(1)
            .map(|page| {
                let words = page
                    .split("<word ")
                    .skip(1)
                    .map(|w| {
                        let text = &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()];
                        (text.to_string(), [attr(w, "xMin"), attr(w, "yMin"), attr(w, "xMax"), attr(w, "yMax")])
                    })
                    .collect();
                (attr(page, "width"), words)
            })
            .collect(),
    )
}

/// Run `tribune build` with `args` (`SOURCE_DATE_EPOCH` fixed, no colour); it must
/// succeed. Returns what it said on stderr.
pub(crate) fn build_ok(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .arg("build")
        .args(args)
        .args(["--color", "never"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run tribune");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "tribune build failed:\n{err}");
    err
}

/// One file of an EPUB, as text.
pub(crate) fn epub_entry(epub: &Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(epub).expect("open the EPUB")).expect("a zip file");
    let mut s = String::new();
    zip.by_name(name).unwrap_or_else(|_| panic!("{name} in {}", epub.display())).read_to_string(&mut s).unwrap();
    s
}

/// `text_fidelity.py` (from `shared`, run by `py`) finds every word of `sources` in `pdf`:
/// through `tests/tools/text_fidelity_rtl.py`, which compares Arabic and Hebrew words
/// without their optional vowel marks (see there why).
pub(crate) fn assert_every_word(py: &Path, shared: &Path, pdf: &Path, sources: &[PathBuf]) {
    let script = shared.join("tools/text_fidelity.py");
    assert!(script.is_file(), "no {}", script.display());
    let mut args = vec![repo().join("tests/tools/text_fidelity_rtl.py"), pdf.to_path_buf()];
    args.extend(sources.iter().cloned());
    let o = Command::new(py).args(&args).env("TEXT_FIDELITY", &script).output().expect("run text_fidelity_rtl.py");
    let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "text_fidelity.py:\n{out}");
}

/// Run EPUBCheck; it must report nothing (no error, no warning, not even usage notes).
pub(crate) fn epubcheck(tool: &Path, epub: &Path) {
    let start = std::time::Instant::now();
    let o = Command::new(tool).arg(epub).output().expect("run epubcheck");
    let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    eprintln!("epubcheck {} took {:.1?}", epub.display(), start.elapsed());
    assert!(o.status.success() && out.trim().is_empty(), "EPUBCheck on {}:\n{out}", epub.display());
}
