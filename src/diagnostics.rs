//! The one error type: what went wrong, where (file:line:column), and what to do about it.
//! Library code collects these in a `Report` so `check` can show every problem at once;
//! only `main.rs` decides how to print them and which exit code follows.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Warning,
    Error,
}

/// What kind of problem it is; lets tests and callers tell problems apart without parsing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A file or folder could not be read or written.
    Io,
    /// A file is not valid UTF-8.
    Encoding,
    /// Front matter or a TOML file is malformed or has wrong fields.
    Syntax,
    /// A value is present but not acceptable (a bad date, ISBN, language tag, length).
    Value,
    /// A file the project names does not exist or lies outside the project.
    Missing,
    /// The anthology's selection is wrong (missing ids, duplicates, empty book).
    Selection,
    /// Markdown content Tribune cannot take as it is (raw HTML, limits).
    Content,
    /// The command was called wrongly (unknown book, no project).
    Usage,
    /// Tribune broke one of its own rules (a page count that does not add up, a worker
    /// thread gone): a fault in the program, not in the input.
    Internal,
}

/// A place in a source file, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Location {
    pub(crate) file: PathBuf,
    pub(crate) line: Option<usize>,
    pub(crate) column: Option<usize>,
}

/// One problem: how grave, what kind, where, what is wrong and what to do about it.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    /// What kind of problem it is.
    pub kind: Kind,
    pub(crate) location: Option<Location>,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    /// The offending source line and how many characters of it to underline, for display.
    #[serde(skip)]
    pub(crate) snippet: Option<Snippet>,
}

#[derive(Debug, Clone)]
pub(crate) struct Snippet {
    pub(crate) text: String,
    pub(crate) width: usize,
}

impl Diagnostic {
    /// An error of `kind`: `message` says what is wrong.
    pub fn error(kind: Kind, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind,
            location: None,
            message: message.into(),
            hint: None,
            snippet: None,
        }
    }

    /// A warning of `kind`: `message` says what is amiss.
    pub fn warning(kind: Kind, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(kind, message) }
    }

    pub(crate) fn io(path: &Path, err: &std::io::Error, doing: &str) -> Self {
        let hint = match err.kind() {
            std::io::ErrorKind::NotFound => "check the path and the file name",
            std::io::ErrorKind::PermissionDenied => "check the file's permissions",
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                "the disk is full: free space on it, or build elsewhere with `--out DIR`; files written before stay as they were"
            }
            std::io::ErrorKind::ReadOnlyFilesystem => "the disk is read-only: build elsewhere with `--out DIR`",
            _ => "check that the path is an ordinary file you can read",
        };
        let msg = if err.raw_os_error() == Some(40) {
            format!("cannot {doing}: a symbolic link loop")
        } else {
            format!("cannot {doing}: {err}")
        };
        Diagnostic::error(Kind::Io, msg).at_file(path).with_hint(hint)
    }

    pub(crate) fn at_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.location = Some(Location { file: file.into(), line: None, column: None });
        self
    }

    /// Place the diagnostic at `line`/`column` (1-based) of `file`, whose text is `source`;
    /// the source line is kept for display.
    pub fn at(mut self, file: impl Into<PathBuf>, source: Option<&str>, line: usize, column: Option<usize>) -> Self {
        self.location = Some(Location { file: file.into(), line: Some(line), column });
        if let Some(text) = source.and_then(|s| s.lines().nth(line.saturating_sub(1))) {
            let text: String = text.chars().take(200).collect();
            self.snippet = Some(Snippet { text, width: 1 });
        }
        self
    }

    pub(crate) fn underline(mut self, width: usize) -> Self {
        if let Some(s) = &mut self.snippet {
            s.width = width.max(1);
        }
        self
    }

    /// Add what to do about it (shown as `help:`).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether it is an error (else a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Render in the compiler style (`error: …`, ` --> file:line:col`, the source line
    /// underlined, `= help: …`), through annotate-snippets as rustc and cargo do. `color`
    /// adds ANSI colours for terminals; `main` decides when.
    pub fn render(&self, color: bool) -> String {
        use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer};
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let file = self.location.as_ref().map(|l| l.file.display().to_string());
        let mut group = Group::with_title(level.primary_title(self.message.as_str()));
        if let (Some(loc), Some(file)) = (&self.location, &file) {
            group = match (loc.line, &self.snippet) {
                (Some(line), Some(snip)) => {
                    let span = char_span(&snip.text, loc.column.unwrap_or(1).max(1) - 1, snip.width);
                    group.element(
                        annotate_snippets::Snippet::source(snip.text.as_str())
                            .line_start(line)
                            .path(file.as_str())
                            .annotation(AnnotationKind::Primary.span(span)),
                    )
                }
                (Some(line), None) => {
                    let origin = Origin::path(file.as_str()).line(line);
                    group.element(match loc.column {
                        Some(c) => origin.char_column(c),
                        None => origin,
                    })
                }
                (None, _) => group.element(Origin::path(file.as_str())),
            };
        }
        if let Some(h) = &self.hint {
            group = group.element(Level::HELP.message(h.as_str()));
        }
        // Source lines are kept to 200 characters (`at`); they are shown whole, not cut to
        // a terminal's width.
        let renderer = if color { styled() } else { Renderer::plain() }.term_width(1 << 16);
        let mut out = renderer.render(&[group]);
        out.push('\n');
        out
    }
}

/// Today's colours (bold red, yellow, blue), as Tribune printed them before it used
/// annotate-snippets.
fn styled() -> annotate_snippets::Renderer {
    use annotate_snippets::renderer::{AnsiColor, Effects, Renderer};
    let bold = |c: AnsiColor| c.on_default().effects(Effects::BOLD);
    Renderer::styled()
        .error(bold(AnsiColor::Red))
        .warning(bold(AnsiColor::Yellow))
        .line_num(bold(AnsiColor::Blue))
        .help(Effects::BOLD.into())
}

/// The byte range of `width` characters of `text` from character `start` (clamped to the
/// text; the renderer marks an empty range at the end with one caret).
fn char_span(text: &str, start: usize, width: usize) -> std::ops::Range<usize> {
    let byte = |n: usize| text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    byte(start)..byte(start + width.max(1))
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostic {}

/// Everything a run found, in the order found.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    /// The problems, in the order found.
    pub items: Vec<Diagnostic>,
}

impl Report {
    /// Add a problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub(crate) fn extend(&mut self, other: Report) {
        self.items.extend(other.items);
    }

    /// How many of the problems are errors.
    pub fn errors(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// How many of the problems are warnings.
    pub fn warnings(&self) -> usize {
        self.items.len() - self.errors()
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.is_error())
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The known name nearest to a misspelt one, when it is near enough to be a likely typo.
pub(crate) fn nearest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_l = word.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(&word_l, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= 2.max(k.chars().count() / 3))
        .min_by_key(|(d, k)| (*d, *k))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let t = "äbc\nöx y\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, t.find('x').unwrap()), (2, 2));
        assert_eq!(line_col(t, t.find('y').unwrap()), (2, 4));
    }

    #[test]
    fn nearest_finds_typos_but_not_strangers() {
        let known = ["title", "speaker", "date", "language"];
        assert_eq!(nearest("speeker", known), Some("speaker"));
        assert_eq!(nearest("Titel", known), Some("title"));
        assert_eq!(nearest("colour", known), None);
    }

    #[test]
    fn render_shows_location_line_and_hint() {
        let src = "---\ntitle: x\nspeeker: Anna\n---\n";
        let d = Diagnostic::error(Kind::Syntax, "unknown field `speeker`")
            .at("books/speeches/a.md", Some(src), 3, Some(1))
            .underline(7)
            .with_hint("did you mean `speaker`?");
        let r = d.render(false);
        assert!(r.starts_with("error: unknown field `speeker`\n"), "{r}");
        assert!(r.contains("--> books/speeches/a.md:3:1"), "{r}");
        assert!(r.contains("3 | speeker: Anna"), "{r}");
        assert!(r.contains("  | ^^^^^^^\n"), "{r}");
        assert!(r.contains("= help: did you mean `speaker`?"), "{r}");
    }

    #[test]
    fn render_without_source_line_names_the_place() {
        let d = Diagnostic::error(Kind::Value, "bad ISBN").at("books/b.toml", None, 12, Some(3)).with_hint("check it");
        let r = d.render(false);
        assert!(r.starts_with("error: bad ISBN\n"), "{r}");
        assert!(r.contains("--> books/b.toml:12:3\n"), "{r}");
        assert!(r.contains("= help: check it"), "{r}");
        let r = Diagnostic::warning(Kind::Io, "no place").with_hint("do this").render(false);
        assert!(r.starts_with("warning: no place\n") && r.contains("= help: do this") && !r.contains("-->"), "{r}");
        let r = Diagnostic::error(Kind::Missing, "gone").at_file("books/x.toml").render(false);
        assert!(r.contains("--> books/x.toml\n"), "{r}");
    }

    #[test]
    fn render_colours_only_when_asked_and_keeps_long_lines_whole() {
        let line = format!("title: {}", "x".repeat(190));
        let d = Diagnostic::error(Kind::Syntax, "too long").at("a.md", Some(&line), 1, Some(8)).underline(190);
        let plain = d.render(false);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(plain.contains(&format!("1 | {line}\n")), "the source line was cut:\n{plain}");
        assert!(plain.contains(&format!("  | {}{}\n", " ".repeat(7), "^".repeat(190))), "{plain}");
        let styled = d.render(true);
        assert!(styled.contains("\x1b[1m\x1b[31merror"), "errors are bold red:\n{styled:?}");
        assert_eq!(strip_ansi(&styled), plain);
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                chars.by_ref().find(|c| c.is_ascii_alphabetic());
            } else {
                out.push(c);
            }
        }
        out
    }
}
