//! `--message-format json`: every line of standard output is one JSON object, with the
//! fields the README lists, for a project with faults and for a good build.

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

const BOOK: &str = "title = \"T\"\nlanguage = \"de\"\n\n[select]\nspeeches = [\"a\", \"b\"]\n";

fn speech(title: &str, speaker: &str) -> String {
    format!(
        "---\ntitle: {title}\nspeaker: {speaker}\ndate: 2021-12-13\n---\n\n\
         Liebe Freundinnen und Freunde, heute sprechen wir über Solidarität.\n\nEin zweiter Absatz.\n"
    )
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::create_dir_all(dir.path().join("books/speeches")).unwrap();
    fs::write(dir.path().join("books/book.toml"), BOOK).unwrap();
    fs::write(dir.path().join("books/speeches/a.md"), speech("Rede A", "Anna Petrowa")).unwrap();
    fs::write(dir.path().join("books/speeches/b.md"), speech("Rede B", "Ben Bauer")).unwrap();
    dir
}

/// Run tribune in `dir` with JSON messages: (exit code, the messages, stderr).
fn run_json(dir: &Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(args)
        .args(["--message-format", "json", "--color", "never", "--project"])
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run tribune");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let messages = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    (out.status.code().unwrap_or(-1), messages, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn reason<'a>(messages: &'a [Value], r: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["reason"] == r).collect()
}

#[test]
fn a_good_build_reports_each_output_with_pages_and_words() {
    let dir = project();
    let (code, messages, err) = run_json(dir.path(), &["build", "--format", "epub", "--format", "pdf"]);
    assert_eq!(code, 0, "{err}");
    let outputs = reason(&messages, "output");
    assert_eq!(outputs.len(), 2, "{messages:?}");
    for o in &outputs {
        assert_eq!(o["book"], "book");
        let path = o["path"].as_str().expect("a path");
        assert!(Path::new(path).is_file(), "{path} was not written");
        assert!(o["words"].as_u64().unwrap() >= 20, "{o}");
        assert_eq!(o["chapters"], 2);
    }
    let epub = outputs.iter().find(|o| o["format"] == "epub").expect("the EPUB's message");
    assert!(epub["path"].as_str().unwrap().ends_with("book.epub") && epub["pages"].is_null(), "{epub}");
    let pdf = outputs.iter().find(|o| o["format"] == "pdf").expect("the PDF's message");
    assert!(pdf["pages"].as_u64().unwrap() >= 4, "{pdf}");
    assert_eq!(messages.last().unwrap()["reason"], "finished");
    assert_eq!(messages.last().unwrap()["success"], true);
    assert!(reason(&messages, "diagnostic").is_empty(), "{messages:?}");
    assert!(!err.contains("wrote"), "the wrote lines are JSON now: {err}");
}

#[test]
fn faults_are_diagnostics_with_file_line_and_help() {
    let dir = project();
    fs::write(
        dir.path().join("books/speeches/b.md"),
        "---\ntitle: Rede B\nspeeker: Ben\ndate: 2021-12-13\n---\n\nText.\n",
    )
    .unwrap();
    for cmd in ["check", "build"] {
        let (code, messages, err) = run_json(dir.path(), &[cmd]);
        assert_eq!(code, 1, "{cmd}: {err}");
        let diags = reason(&messages, "diagnostic");
        let d = diags.iter().find(|d| d["message"].as_str().unwrap().contains("speeker")).expect("the fault");
        assert_eq!(d["severity"], "error");
        assert_eq!(d["kind"], "syntax");
        assert!(d["file"].as_str().unwrap().ends_with("b.md"), "{d}");
        assert_eq!(d["line"], 3);
        assert!(d["column"].as_u64().is_some(), "{d}");
        assert!(d["help"].as_str().unwrap().contains("speaker"), "{d}");
        assert_eq!(d["source"], "speeker: Ben");
        assert!(reason(&messages, "output").is_empty(), "{messages:?}");
        let last = messages.last().unwrap();
        assert_eq!((last["reason"].as_str(), last["success"].as_bool()), (Some("finished"), Some(false)));
        assert!(last["errors"].as_u64().unwrap() >= 1);
        assert!(!err.contains("speeker"), "a diagnostic is shown once, as JSON: {err}");
    }
}

#[test]
fn a_usage_error_is_a_message_too() {
    let dir = project();
    let (code, messages, _) = run_json(dir.path(), &["build", "nosuchbook"]);
    assert_eq!(code, 2);
    let d = reason(&messages, "diagnostic");
    assert_eq!(d.len(), 1, "{messages:?}");
    assert_eq!(d[0]["kind"], "usage");
}

#[test]
fn one_chapter_is_singular() {
    let dir = project();
    fs::write(dir.path().join("books/book.toml"), BOOK.replace(", \"b\"", "")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["build", "--format", "model", "--project"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("(1 chapter, "), "{err}");
}
