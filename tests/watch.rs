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

impl Watching {
    fn start() -> Watching {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let w = |rel: &str, text: &str| {
            let p = dir.path().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        };
        w("books/book.toml", BOOK);
        w("books/speeches/a.md", &speech("Rede A", "Erste Worte der ersten Rede."));
        w("books/speeches/b.md", &speech("Rede B", "Worte der zweiten Rede."));
        let mut child = Command::new(env!("CARGO_BIN_EXE_tribune"))
            .args(["watch", "--format", "model", "--message-format", "json", "--color", "never", "--project"])
            .arg(dir.path())
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
