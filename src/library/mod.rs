//! The speech library: every `books/speeches/**/*.md`, its front matter read and checked.
//! A speech that cannot be read is reported and left out, so one bad file does not hide
//! the problems of the others.

pub(crate) mod date;
mod frontmatter;

pub use date::{PartialDate, SpeechDate};
pub use frontmatter::SpeechMeta;

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::project::{read_source, Project};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A speech of the library: its id, checked front matter and Markdown source.
#[derive(Debug, Clone)]
pub struct Speech {
    /// The path below `books/speeches/` without `.md`, with `/` as separator.
    pub id: String,
    /// The file as shown in messages (`books/speeches/...`).
    pub(crate) shown: PathBuf,
    /// The folder the file lies in, for resolving relative image paths.
    pub(crate) dir: PathBuf,
    /// Its front matter, checked.
    pub meta: SpeechMeta,
    /// The whole file, for messages that quote a line.
    pub(crate) source: String,
    /// Byte offset of the Markdown body in `source`.
    pub(crate) body_start: usize,
    /// Line of `source` (1-based) on which the body starts.
    pub(crate) body_line: usize,
}

impl Speech {
    pub(crate) fn body(&self) -> &str {
        &self.source[self.body_start..]
    }

    /// Words of the body as [`count_words`] counts them, Markdown syntax included (a book
    /// counts its chapters' words from the parsed text).
    pub fn words(&self) -> usize {
        count_words(self.body())
    }
}

/// Every speech of the project, read and checked.
#[derive(Debug, Default)]
pub struct Library {
    /// The speeches that could be read, by id.
    pub speeches: BTreeMap<String, Speech>,
    /// Speeches that exist but could not be read: selecting them gives no second error.
    pub(crate) broken: BTreeSet<String>,
}

impl Library {
    /// Read every speech below `books/speeches/`; each problem goes to `report`, and a speech
    /// that cannot be read is left out.
    pub fn load(project: &Project, report: &mut Report) -> Library {
        let mut lib = Library::default();
        let dir = project.speeches_dir();
        if !dir.is_dir() {
            report.push(
                Diagnostic::error(Kind::Missing, "the project has no books/speeches/ folder")
                    .at_file(project.display_path(&project.books))
                    .with_hint("create books/speeches/ and put the speeches there as Markdown files"),
            );
            return lib;
        }
        let mut files = Vec::new();
        let mut seen_dirs = BTreeSet::new();
        walk(project, &dir, &mut seen_dirs, &mut files, report);
        // Read and counted on all cores: with hundreds of speeches this is most of the
        // build's serial start.
        let loaded = crate::parallel::parallel_map(&files, |(id, path)| {
            load_speech(project, id, path, &project.display_path(path))
        });
        for ((id, _), speech) in files.into_iter().zip(loaded) {
            match speech {
                Ok((s, warnings)) => {
                    warnings.into_iter().for_each(|w| report.push(w));
                    lib.speeches.insert(id, s);
                }
                Err(d) => {
                    report.push(d);
                    lib.broken.insert(id);
                }
            }
        }
        lib
    }

    /// The ids of the speeches, in order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.speeches.keys().map(String::as_str)
    }
}

/// Collect `(id, path)` of every `.md` file below `dir`, in a stable order, refusing
/// symbolic link loops and links that point outside `books/`.
fn walk(
    project: &Project,
    dir: &Path,
    seen: &mut BTreeSet<PathBuf>,
    out: &mut Vec<(String, PathBuf)>,
    report: &mut Report,
) {
    let shown = project.display_path(dir);
    let canon = match fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            report.push(Diagnostic::io(&shown, &e, "open the folder"));
            return;
        }
    };
    if !canon.starts_with(&project.books) {
        report.push(
            Diagnostic::error(Kind::Missing, "this folder is a link to a place outside books/")
                .at_file(&shown)
                .with_hint("only files inside books/ can enter a book: move the folder there"),
        );
        return;
    }
    if !seen.insert(canon) {
        report.push(
            Diagnostic::error(Kind::Io, "a symbolic link loop: this folder contains itself")
                .at_file(&shown)
                .with_hint("remove the link that points back to a folder above it"),
        );
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(rd) => {
            let mut v: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
            v.sort();
            v
        }
        Err(e) => {
            report.push(Diagnostic::io(&shown, &e, "read the folder"));
            return;
        }
    };
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let is_md = name.ends_with(".md");
        match fs::metadata(&path) {
            Err(e) => report.push(Diagnostic::io(&project.display_path(&path), &e, "read the file")),
            Ok(m) if m.is_dir() && !is_md => walk(project, &path, seen, out, report),
            Ok(_) if is_md => {
                let rel = path.strip_prefix(project.speeches_dir()).unwrap_or(&path);
                let id = rel.with_extension("").to_string_lossy().replace('\\', "/");
                out.push((id, path));
            }
            Ok(_) => {}
        }
    }
}

/// The speech, with the warnings its front matter gave.
fn load_speech(
    project: &Project,
    id: &str,
    path: &Path,
    shown: &Path,
) -> Result<(Speech, Vec<Diagnostic>), Diagnostic> {
    let canon = fs::canonicalize(path).map_err(|e| Diagnostic::io(shown, &e, "read the speech"))?;
    if !canon.starts_with(&project.books) {
        return Err(Diagnostic::error(Kind::Missing, "this speech is a link to a file outside books/")
            .at_file(shown)
            .with_hint("only files inside books/ can enter a book: copy the file there"));
    }
    let source = read_source(path, shown)?;
    let fm = frontmatter::parse(&source, shown)?;
    let speech = Speech {
        id: id.to_string(),
        shown: shown.to_path_buf(),
        dir: canon.parent().map(Path::to_path_buf).unwrap_or_default(),
        meta: fm.meta,
        body_start: fm.body_start,
        body_line: fm.body_line,
        source,
    };
    Ok((speech, fm.warnings))
}

/// Words as a reader counts them: runs between white space with at least one letter or
/// digit. One pass over the text (it is counted for every speech and every run of text).
pub(crate) fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut count, mut i) = (0, 0);
    // Between words only a letter or digit matters (it starts the next word); inside one,
    // only white space (it ends the word). ASCII is judged by its byte, without decoding.
    'between: while let Some(&b) = bytes.get(i) {
        let starts = if b < 0x80 {
            i += 1;
            b.is_ascii_alphanumeric()
        } else {
            let Some(c) = char_at(text, i) else { break };
            i += c.len_utf8();
            c.is_alphanumeric()
        };
        if !starts {
            continue;
        }
        count += 1;
        loop {
            i += crate::bytescan::printable_ascii_len(&bytes[i..]);
            let Some(&b) = bytes.get(i) else { break 'between };
            let ends = if b < 0x80 {
                i += 1;
                // `char::is_whitespace` of ASCII, which unlike `u8::is_ascii_whitespace` includes \x0b.
                matches!(b, b'\t'..=b'\r' | b' ')
            } else {
                let Some(c) = char_at(text, i) else { break 'between };
                i += c.len_utf8();
                c.is_whitespace()
            };
            if ends {
                continue 'between;
            }
        }
    }
    count
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

#[cfg(test)]
mod count_tests {
    use super::count_words;

    #[test]
    fn words_are_runs_with_a_letter_or_digit() {
        let samples = [
            "",
            "  ",
            "Liebe Kolleginnen und Kollegen, – liebe Freunde!",
            "Öl- und Gaskonzerne \u{a0}— 40 % … „Nie wieder“",
            "Жаңаөзен\u{2003}2011\tтуралы\n- * --",
            "a-b c.d e",
            "x\u{b}y\u{c}z\r\nw\u{1f}q\u{85}r\u{2028}s",
            "a\u{a0}b\u{202f}c\u{85}d\u{2028}e\u{2029}f\u{3000}g\u{1680}h\u{205f}i\u{200b}j\u{2060}k",
            "\u{0}\u{1}a\u{7f}b \u{1c}\u{1d}\u{1e} \u{b}\u{c} \u{85}",
            "Қазақстан Республикасы — «Жаңа» ү ә ғ ң ө ұ і һ, Москва 2011 г.",
            "Ölförderung-Москва ΑΘΗΝΑ中文٣ ² ½ ⅷ \u{301}\u{301} x\u{301} \u{301}y",
            "„“ ‚‘ «» ‹› … – — - -- ... !? ¿¡ § ° € %",
            " \t\n\r ",
            "ends with a letter",
            "Endet mit Leerzeichen\u{a0}",
        ];
        for s in samples {
            let old = s.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
            assert_eq!(count_words(s), old, "{s:?}");
        }
        assert_eq!(count_words("Liebe Kolleginnen und Kollegen, – liebe Freunde!"), 6);
    }
}
