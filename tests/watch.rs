//! `tribune watch` on a temporary project, through its JSON messages: a change is built,
//! a fault is reported and leaves the last good output, a fix builds again, a file deleted
//! and made again, a burst of saves builds once, and Ctrl-C ends it cleanly. The timeouts
//! are hang guards, not speed requirements.
#![cfg(unix)]

use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

/// Far longer than any build of this project takes, even on a busy machine.
const HANG: Duration = Duration::from_secs(60);

const BOOK: &str = "title = \"T\"\nlanguage = \"de\"\n\n[select]\nspeeches = [\"a\", \"b\"]\n";

fn speech(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nspeaker: Anna Petrowa\ndate: 2021-12-13\n---\n\n{body}\n")
}

struct Watching {
    dir: tempfile::TempDir,
    child: Child,
    messages: Receiver<Value>,
}

/// A project of two speeches, in `dir`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    w("books/book.toml", BOOK);
    w("books/speeches/a.md", &speech("Rede A", "Erste Worte der ersten Rede."));
    w("books/speeches/b.md", &speech("Rede B", "Worte der zweiten Rede."));
    dir
}

/// The same project with its own font: the style names `Eigen-Regular.ttf` (a copy of the
/// bundled Gentium under a name Tribune does not bundle) from the project's fonts/.
fn project_with_font() -> tempfile::TempDir {
    let dir = project();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::create_dir_all(dir.path().join("fonts")).unwrap();
    fs::create_dir_all(dir.path().join("styles")).unwrap();
    fs::copy(repo.join("fonts/GentiumBookPlus-Regular.ttf"), dir.path().join("fonts/Eigen-Regular.ttf")).unwrap();
    let style = fs::read_to_string(repo.join("styles/default.toml")).unwrap();
    assert!(style.contains("regular = \"GentiumBookPlus-Regular.ttf\""));
    let style = style.replace("regular = \"GentiumBookPlus-Regular.ttf\"", "regular = \"Eigen-Regular.ttf\"");
    fs::write(dir.path().join("styles/default.toml"), style).unwrap();
    fs::copy(repo.join("styles/default.css"), dir.path().join("styles/default.css")).unwrap();
    dir
}

impl Watching {
    fn start() -> Watching {
        Watching::spawn(project(), &["--format", "model"])
    }

    /// `tribune watch ARGS --message-format json` on the project in `dir`, after its first
    /// build (which must succeed).
    fn spawn(dir: tempfile::TempDir, args: &[&str]) -> Watching {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tribune"))
            .arg("watch")
            .args(args)
            .args(["--message-format", "json", "--color", "never", "--project"])
            .arg(dir.path())
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tribune watch");
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let line = line.expect("read a line");
                let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut w = Watching { dir, child, messages };
        let (first, _) = w.build();
        assert_eq!(first["success"], true, "the first build: {first}");
        w
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn output(&self) -> String {
        fs::read_to_string(self.path("out/book.model.json")).expect("the output")
    }

    /// The bytes of each output, by name.
    fn outputs(&self) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(self.path("out"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
            .collect();
        v.sort();
        v
    }

    /// What `tribune build ARGS` from scratch writes for the project as it is now.
    fn fresh(&self, args: &[&str]) -> Vec<(String, Vec<u8>)> {
        let out = self.path("fresh");
        let _ = fs::remove_dir_all(&out);
        let status = Command::new(env!("CARGO_BIN_EXE_tribune"))
            .arg("build")
            .args(args)
            .args(["--quiet", "--project"])
            .arg(self.dir.path())
            .arg("--out")
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .status()
            .expect("run tribune build");
        assert!(status.success());
        let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
            .collect();
        v.sort();
        v
    }

    /// The next build: its `finished` message and the messages before it.
    fn build(&mut self) -> (Value, Vec<Value>) {
        let mut before = Vec::new();
        loop {
            match self.messages.recv_timeout(HANG) {
                Ok(m) if m["reason"] == "finished" => return (m, before),
                Ok(m) => before.push(m),
                Err(e) => panic!("no build within {HANG:?} ({e:?}); messages so far: {before:?}"),
            }
        }
    }

    /// That no build follows within `quiet`.
    fn no_build(&self, quiet: Duration) {
        match self.messages.recv_timeout(quiet) {
            Err(RecvTimeoutError::Timeout) => {}
            other => panic!("an unexpected message: {other:?}"),
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn interrupt(child: &Child) {
    let ok = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("run kill").success();
    assert!(ok, "kill -INT failed");
}

#[test]
fn a_change_builds_a_fault_keeps_the_last_good_output_and_a_fix_builds_again() {
    let mut w = Watching::start();
    assert!(w.output().contains("Erste Worte"));

    fs::write(w.path("books/speeches/a.md"), speech("Rede A", "Ganz neue Worte der ersten Rede.")).unwrap();
    let (done, before) = w.build();
    assert_eq!(done["success"], true, "{before:?}");
    assert!(done["millis"].as_u64().is_some(), "{done}");
    assert!(before.iter().any(|m| m["reason"] == "output" && m["format"] == "model"), "{before:?}");
    assert!(w.output().contains("Ganz neue Worte"));

    let good = w.output();
    fs::write(w.path("books/speeches/a.md"), "---\ntitle: [kaputt\nspeaker: Anna\ndate: 2021-12-13\n---\n\nNeu.\n")
        .unwrap();
    let (done, before) = w.build();
    assert_eq!(done["success"], false);
    let d = before.iter().find(|m| m["reason"] == "diagnostic").expect("the fault's diagnostic");
    assert!(d["file"].as_str().unwrap().ends_with("a.md") && d["line"] == 2, "{d}");
    assert_eq!(w.output(), good, "a failed build changed the output");

    fs::write(w.path("books/speeches/a.md"), speech("Rede A", "Repariert und wieder da.")).unwrap();
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    assert!(w.output().contains("Repariert und wieder da"));
}

#[test]
fn a_file_deleted_and_made_again_and_a_burst_of_saves() {
    let mut w = Watching::start();
    let good = w.output();
    fs::remove_file(w.path("books/speeches/b.md")).unwrap();
    let (done, before) = w.build();
    assert_eq!(done["success"], false, "a book selecting a deleted speech: {before:?}");
    assert_eq!(w.output(), good);
    fs::write(w.path("books/speeches/b.md"), speech("Rede B", "Zurück mit neuen Worten.")).unwrap();
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    assert!(w.output().contains("Zurück mit neuen Worten"));

    // An editor's save: a new file renamed over the old one.
    let tmp = w.path("books/speeches/.b.md.swp");
    fs::write(&tmp, speech("Rede B", "Durch Umbenennen gespeichert.")).unwrap();
    fs::rename(&tmp, w.path("books/speeches/b.md")).unwrap();
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    assert!(w.output().contains("Durch Umbenennen gespeichert"));

    for i in 0..100 {
        fs::write(w.path("books/speeches/b.md"), speech("Rede B", &format!("Fassung {i} der Rede."))).unwrap();
    }
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    assert!(w.output().contains("Fassung 99 der Rede"));
    w.no_build(Duration::from_millis(1500));
}

#[test]
fn ctrl_c_ends_cleanly() {
    let mut w = Watching::start();
    interrupt(&w.child);
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = w.child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < HANG, "watch did not end after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let left: Vec<_> = fs::read_dir(w.path("out")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, [Path::new("book.model.json").as_os_str()], "stages were left behind");
}

/// A diagnostic of `messages` naming a file that ends in `file`.
fn diagnostic_for<'a>(messages: &'a [Value], file: &str) -> &'a Value {
    messages
        .iter()
        .find(|m| m["reason"] == "diagnostic" && m["file"].as_str().is_some_and(|f| f.ends_with(file)))
        .unwrap_or_else(|| panic!("no diagnostic for {file}: {messages:?}"))
}

#[test]
fn a_renamed_speech_and_a_book_file_with_a_syntax_error_keep_the_last_good_output() {
    let mut w = Watching::start();
    let good = w.output();
    fs::rename(w.path("books/speeches/a.md"), w.path("books/speeches/a-neu.md")).unwrap();
    let (done, before) = w.build();
    assert_eq!(done["success"], false, "the book selects `a`, which is gone: {before:?}");
    diagnostic_for(&before, "book.toml");
    assert_eq!(w.output(), good);
    fs::rename(w.path("books/speeches/a-neu.md"), w.path("books/speeches/a.md")).unwrap();
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    assert_eq!(w.output(), good);

    fs::write(w.path("books/book.toml"), BOOK.replace("[select]", "[select")).unwrap();
    let (done, before) = w.build();
    assert_eq!(done["success"], false);
    assert!(diagnostic_for(&before, "book.toml")["line"].as_u64().is_some(), "{before:?}");
    assert_eq!(w.output(), good);
    fs::write(w.path("books/book.toml"), BOOK).unwrap();
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    assert_eq!(w.output(), good);
}

#[test]
fn an_edited_speech_and_a_removed_font_give_the_bytes_of_a_fresh_build() {
    let args = ["--format", "epub", "--format", "pdf"];
    let mut w = Watching::spawn(project_with_font(), &args);
    assert_eq!(w.outputs(), w.fresh(&args));

    // The speech is parsed and set again, the other taken from memory: the same bytes.
    fs::write(w.path("books/speeches/a.md"), speech("Rede A", "Erste Worte, nun mit einem Nachsatz.")).unwrap();
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    assert_eq!(w.outputs(), w.fresh(&args), "watch's outputs after an edit differ from a fresh build's");

    // A paragraph more: the structure keys of every later page move, so pages and EPUB
    // documents kept from memory must not be the old ones.
    let longer = "Erste Worte, nun mit einem Nachsatz.\n\nUnd ein Absatz mehr, der die Seiten verschiebt.";
    fs::write(w.path("books/speeches/a.md"), speech("Rede A", longer)).unwrap();
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    let good = w.outputs();
    assert_eq!(good, w.fresh(&args), "watch's outputs after a paragraph more differ from a fresh build's");

    let font = w.path("fonts/Eigen-Regular.ttf");
    let kept = w.path("Eigen-Regular.ttf");
    fs::rename(&font, &kept).unwrap();
    let (done, before) = w.build();
    assert_eq!(done["success"], false, "{before:?}");
    assert!(
        before
            .iter()
            .any(|m| m["reason"] == "diagnostic"
                && m["message"].as_str().is_some_and(|t| t.contains("Eigen-Regular.ttf"))),
        "{before:?}"
    );
    assert_eq!(w.outputs(), good, "a failed build changed the outputs");
    fs::rename(&kept, &font).unwrap();
    let (done, _) = w.build();
    assert_eq!(done["success"], true);
    assert_eq!(w.outputs(), good);
}
