//! Messages for tools (`--message-format json`): one JSON object a line on standard
//! output, as cargo writes its own, each with a `reason` saying what it reports:
//!
//! - `diagnostic`: `severity` (`error`, `warning`), `kind`, `file`, `line`, `column`,
//!   `message`, `help`, and `source`, the source line it points at (each `null` when the
//!   problem has none);
//! - `output`: a file written, with its `book`, `path`, `format`, `pages` (the pages the
//!   book was set on; `null` for the EPUB, the model and the cover), `words` and `chapters`;
//! - `preflight-check` and `preflight`: a rule checked by `tribune preflight`, and its
//!   summary (written by `pdf::preflight::json_lines`);
//! - `finished`: the end of a command or of one build in `watch`: `success`, `errors`,
//!   `warnings`, and for builds `millis`, the time it took.

use crate::diagnostics::{Diagnostic, Report};
use crate::{Built, Written};
use serde_json::{json, Value};

/// The message for one diagnostic.
pub fn diagnostic(d: &Diagnostic) -> String {
    let loc = d.location.as_ref();
    line(json!({
        "reason": "diagnostic",
        "severity": d.severity,
        "kind": d.kind,
        "file": loc.map(|l| l.file.display().to_string()),
        "line": loc.and_then(|l| l.line),
        "column": loc.and_then(|l| l.column),
        "message": d.message,
        "help": d.hint,
        "source": d.snippet.as_ref().map(|s| s.text.as_str()),
    }))
}

/// The message for one file written.
pub fn output(book: &Built, file: &Written) -> String {
    line(json!({
        "reason": "output",
        "book": book.name,
        "path": file.path.display().to_string(),
        "format": file.format.name(),
        "pages": file.pages,
        "words": book.words,
        "chapters": book.chapters,
    }))
}

/// The message that ends a command (`millis: None`) or one build of `watch`.
pub fn finished(report: &Report, millis: Option<u128>) -> String {
    let mut v = json!({
        "reason": "finished",
        "success": !report.has_errors(),
        "errors": report.errors(),
        "warnings": report.warnings(),
    });
    if let Some(ms) = millis {
        v["millis"] = json!(ms);
    }
    line(v)
}

fn line(v: Value) -> String {
    // A `Value` always serialises; its `Display` writes one line (strings escape `\n`).
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Kind;

    #[test]
    fn a_diagnostic_is_one_line_with_every_field() {
        let src = "---\ntitle: x\nspeeker: Anna\n---\n";
        let d = Diagnostic::error(Kind::Syntax, "unknown field `speeker`\nsecond line")
            .at("books/speeches/a.md", Some(src), 3, Some(1))
            .with_hint("did you mean `speaker`?");
        let m = diagnostic(&d);
        assert!(!m.contains('\n'), "{m}");
        let v: Value = serde_json::from_str(&m).unwrap();
        assert_eq!(v["reason"], "diagnostic");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["kind"], "syntax");
        assert_eq!(v["file"], "books/speeches/a.md");
        assert_eq!((v["line"].as_u64(), v["column"].as_u64()), (Some(3), Some(1)));
        assert_eq!(v["message"], "unknown field `speeker`\nsecond line");
        assert_eq!(v["help"], "did you mean `speaker`?");
        assert_eq!(v["source"], "speeker: Anna");
        let w: Value = serde_json::from_str(&diagnostic(&Diagnostic::warning(Kind::Io, "no place"))).unwrap();
        assert_eq!(w["severity"], "warning");
        assert!(w["file"].is_null() && w["line"].is_null() && w["help"].is_null() && w["source"].is_null(), "{w}");
    }
}
