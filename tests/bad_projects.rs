//! Bad projects, one fault each. Every test makes a small valid project in a temporary
//! folder, builds it once (so `out/book.model.json` exists), introduces exactly one fault
//! and runs the real binary again. A fault must give exit code 1 (never a panic), a message
//! that names the file (and the line, where the fault has one) and says what to do
//! (`help:`), and it must leave the earlier output byte for byte as it was.
#![cfg(unix)]

use std::fs::{self, File};
use std::io::{Read, Seek};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};
use tribune::document::MAX_DEPTH;
use tribune::project::MAX_SOURCE_BYTES;

/// Longer than any good run takes, even on a busy machine; a run past it counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The book file of the base project: the select list is on line 5.
const BOOK: &str = "title = \"T\"\nlanguage = \"de\"\n\n[select]\nspeeches = [\"a\", \"b\"]\n";

/// Valid front matter: `title` on line 2, `speaker` on 3, `date` on 4, `---` on 5.
const FRONT: &str = "title: Rede\nspeaker: Anna Petrowa\ndate: 2021-12-13\n";

/// A body with a footnote; it starts on line 7 of the speech.
const BODY: &str = "Liebe Freundinnen und Freunde, heute sprechen wir über Solidarität.[^1]\n\n\
                    Ein zweiter Absatz.\n\n[^1]: Eine Fußnote.\n";

/// A speech with YAML front matter (`front` without the `---` lines) and a body.
fn speech(front: &str, body: &str) -> String {
    format!("---\n{front}---\n\n{body}")
}

/// The base book file with `extra` (whole lines) inserted as line 2 onwards.
fn book_with(extra: &str) -> String {
    BOOK.replacen('\n', &format!("\n{extra}"), 1)
}

struct Project {
    dir: tempfile::TempDir,
    /// The last run's peak memory (resident set, KB) and wall time, from `wait4`.
    last: std::cell::Cell<(u64, Duration)>,
}

/// The output of the successful build, as it was before the fault.
struct Snapshot {
    bytes: Vec<u8>,
    mtime: SystemTime,
}

impl Project {
    /// The valid base project: `books/book.toml` selecting the speeches `a` and `b`.
    fn new() -> Project {
        let p = Project { dir: tempfile::tempdir().expect("a temporary folder"), last: Default::default() };
        p.write("books/book.toml", BOOK);
        p.write("books/speeches/a.md", speech("title: Rede A\nspeaker: Anna Petrowa\ndate: 2021-12-13\n", BODY));
        p.write("books/speeches/b.md", speech("title: Rede B\nspeaker: Ben Bauer\ndate: 2021-12-14\n", BODY));
        p
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().expect("a file has a folder")).expect("create the folder");
        fs::write(&path, contents).expect("write the file");
    }

    fn output(&self) -> PathBuf {
        self.path("out/book.model.json")
    }

    /// Run `tribune ARGS --project DIR`: (exit code, stdout, stderr). A run that does not
    /// end within `TIMEOUT` is killed and fails the test.
    // The child is reaped by `wait4`, which clippy does not see.
    #[allow(clippy::zombie_processes)]
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut out = tempfile::tempfile().expect("a temporary file");
        let mut err = tempfile::tempfile().expect("a temporary file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_tribune"))
            .args(args)
            .arg("--project")
            .arg(self.root())
            .args(["--color", "never"])
            .env_remove("SOURCE_DATE_EPOCH")
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("a file handle"))
            .stderr(err.try_clone().expect("a file handle"))
            .spawn()
            .expect("start tribune");
        let start = Instant::now();
        // Reaped with `wait4`, which also gives the child's peak memory.
        let pid = libc::pid_t::try_from(child.id()).expect("a process id");
        let (status, usage) = loop {
            let mut status = 0;
            // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            // SAFETY: `pid` is our child, not yet reaped; the pointers are to live locals.
            let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
            assert!(r >= 0, "wait4: {}", std::io::Error::last_os_error());
            if r == pid {
                break (status, usage);
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("`tribune {}` hangs: it did not finish within {TIMEOUT:?}", args.join(" "));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Linux gives ru_maxrss in kilobytes.
        self.last.set((u64::try_from(usage.ru_maxrss).unwrap_or(0), start.elapsed()));
        let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
        let text = |f: &mut File| {
            let mut bytes = Vec::new();
            f.rewind().and_then(|()| f.read_to_end(&mut bytes)).expect("read the captured output");
            String::from_utf8_lossy(&bytes).into_owned()
        };
        (code, text(&mut out), text(&mut err))
    }

    /// Build the (still valid) project once and remember its output. The file's time is
    /// set far into the past, so that any rewrite shows even on a coarse clock.
    fn build_ok(&self) -> Snapshot {
        let (code, _, err) = self.run(&["build", "--format", "model"]);
        assert_eq!(code, 0, "the valid project must build; stderr:\n{err}");
        let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        File::options().write(true).open(self.output()).and_then(|f| f.set_modified(mtime)).expect("set the time");
        Snapshot { bytes: fs::read(self.output()).expect("read the output"), mtime }
    }

    /// Build after the fault: it must fail as described at the top, and leave the output
    /// as it was. Returns stderr for further checks.
    fn build_fails(&self, before: &Snapshot, file: &str, line: Option<usize>, words: &[&str]) -> String {
        let (code, _, err) = self.run(&["build", "--format", "model"]);
        assert_failure(code, &err, file, line, words);
        let bytes = fs::read(self.output()).expect("the earlier output must still exist");
        assert!(bytes == before.bytes, "the earlier output was changed");
        let mtime = fs::metadata(self.output()).and_then(|m| m.modified()).expect("the output's time");
        assert_eq!(mtime, before.mtime, "the earlier output was rewritten");
        let temps: Vec<String> = fs::read_dir(self.path("out"))
            .expect("read out/")
            .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
            .collect();
        assert!(temps.is_empty(), "temporary files left in out/: {temps:?}");
        err
    }

    /// `check` after the fault: it must fail the same way (it writes nothing anyway).
    fn check_fails(&self, file: &str, line: Option<usize>, words: &[&str]) -> String {
        let (code, _, err) = self.run(&["check"]);
        assert_failure(code, &err, file, line, words);
        err
    }
}

/// Exit code 1 and no panic; stderr names `file` (at `line`, when given) after `-->`,
/// contains each of `words` and a `help:`.
fn assert_failure(code: i32, err: &str, file: &str, line: Option<usize>, words: &[&str]) {
    assert!(!err.contains("panicked"), "tribune panicked:\n{err}");
    assert_eq!(code, 1, "exit code (101 is a panic); stderr:\n{err}");
    match line {
        Some(l) => assert!(
            err.contains(&format!("--> {file}:{l}:")) || err.contains(&format!("--> {file}:{l}\n")),
            "stderr does not name {file}:{l}:\n{err}"
        ),
        None => assert!(err.contains(&format!("--> {file}")), "stderr does not name {file}:\n{err}"),
    }
    for w in words {
        assert!(err.contains(w), "stderr does not say {w:?}:\n{err}");
    }
    assert!(err.contains("help:"), "stderr does not say what to do (no `help:`):\n{err}");
}

// ---------------------------------------------------------------- good runs, usage, check

#[test]
fn check_passes_on_the_valid_project() {
    let p = Project::new();
    let (code, _, err) = p.run(&["check"]);
    assert_eq!(code, 0, "stderr:\n{err}");
    assert!(!err.contains("error:") && !err.contains("warning:"), "{err}");
    assert!(err.contains("check: no errors"), "{err}");
}

#[test]
fn unknown_book_name_is_a_usage_error_with_a_suggestion() {
    let p = Project::new();
    let before = p.build_ok();
    let (code, _, err) = p.run(&["build", "boook", "--format", "model"]);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(code, 2, "stderr:\n{err}");
    assert!(err.contains("`boook`") && err.contains("did you mean `book`?"), "{err}");
    assert_eq!(fs::read(p.output()).unwrap(), before.bytes);
}

#[test]
fn check_reports_every_problem_not_only_the_first() {
    let p = Project::new();
    p.write("books/speeches/a.md", speech("title: A\nspeeker: Anna\ndate: 2021-12-13\n", BODY));
    p.write("books/speeches/b.md", speech("title: B\nspeaker: Ben\ndate: 2021-02-30\n", BODY));
    let err = p.check_fails("books/speeches/a.md", Some(3), &["`speeker`", "2 errors"]);
    assert!(err.contains("--> books/speeches/b.md:4:"), "the second bad speech is not named:\n{err}");
}

// ---------------------------------------------------------------- reading the speech files

#[test]
fn invalid_utf8_names_the_line() {
    let p = Project::new();
    let before = p.build_ok();
    // Line 5 is written in Latin-1: `ö` as the single byte 0xF6.
    p.write("books/speeches/a.md", b"---\ntitle: A\nspeaker: Anna\ndate: 2021-12-13\nplace: K\xf6ln\n---\n\nText.\n");
    p.build_fails(&before, "books/speeches/a.md", Some(5), &["UTF-8"]);
    p.check_fails("books/speeches/a.md", Some(5), &["UTF-8"]);
}

#[test]
fn nul_byte_in_a_speech_names_line_column_and_what_it_is() {
    let p = Project::new();
    let before = p.build_ok();
    // Line 7, after `Text `: a NUL, as binary junk leaves it.
    p.write("books/speeches/a.md", speech(FRONT, "Text \0 mehr.\n"));
    let err = p.build_fails(&before, "books/speeches/a.md", Some(7), &["NUL", "U+0000"]);
    assert!(err.contains("--> books/speeches/a.md:7:6"), "the column is not named:\n{err}");
    p.check_fails("books/speeches/a.md", Some(7), &["NUL"]);
}

#[test]
fn control_characters_in_front_matter_and_the_book_file() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/b.md", speech("title: Rede \x1b[1mB\nspeaker: Ben\ndate: 2021-12-14\n", BODY));
    p.build_fails(&before, "books/speeches/b.md", Some(2), &["colour codes", "U+001B"]);
    p.write("books/speeches/b.md", speech("title: Rede B\nspeaker: Ben\ndate: 2021-12-14\n", BODY));
    p.write("books/book.toml", book_with("subtitle = \"a\x07b\"\n"));
    p.build_fails(&before, "books/book.toml", Some(2), &["control character", "U+0007"]);
}

#[test]
fn speech_saved_as_utf16_or_by_a_word_processor() {
    let p = Project::new();
    let before = p.build_ok();
    let text = speech(FRONT, BODY);
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    p.write("books/speeches/a.md", &le);
    p.build_fails(&before, "books/speeches/a.md", Some(1), &["UTF-16", "little-endian, without a byte order mark"]);
    let mut bom = vec![0xFE, 0xFF];
    bom.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    p.write("books/speeches/a.md", &bom);
    p.build_fails(&before, "books/speeches/a.md", Some(1), &["UTF-16", "big-endian, with a byte order mark"]);
    p.write("books/speeches/a.md", b"PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml word/document.xml\0\0");
    p.build_fails(&before, "books/speeches/a.md", Some(1), &["Word document"]);
    p.write("books/speeches/a.md", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n");
    p.build_fails(&before, "books/speeches/a.md", Some(1), &["a PDF"]);
    p.write("books/speeches/a.md", b"---\ntitle: A\nspeaker: Anna\ndate: 2021-12-13\nplace: K\xf6ln\n---\n\nText.\n");
    p.build_fails(&before, "books/speeches/a.md", Some(5), &["Latin-1", "`\u{f6}`"]);
}

#[test]
fn unreadable_speech() {
    let p = Project::new();
    let before = p.build_ok();
    let a = p.path("books/speeches/a.md");
    fs::set_permissions(&a, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&a).is_ok() {
        eprintln!("skipped unreadable_speech: chmod 000 does not stop this user (root?) from reading");
        return;
    }
    p.build_fails(&before, "books/speeches/a.md", None, &["permission"]);
}

#[test]
fn speech_file_that_is_a_folder() {
    let p = Project::new();
    let before = p.build_ok();
    fs::create_dir(p.path("books/speeches/c.md")).unwrap();
    p.build_fails(&before, "books/speeches/c.md", None, &["folder"]);
}

#[test]
fn folder_symlink_loop() {
    let p = Project::new();
    let before = p.build_ok();
    symlink(".", p.path("books/speeches/loop")).unwrap();
    p.build_fails(&before, "books/speeches/loop", None, &["loop"]);
}

#[test]
fn file_symlink_to_itself() {
    let p = Project::new();
    let before = p.build_ok();
    symlink("x.md", p.path("books/speeches/x.md")).unwrap();
    p.build_fails(&before, "books/speeches/x.md", None, &["loop"]);
}

#[test]
fn speech_symlink_to_a_file_outside_the_project() {
    let p = Project::new();
    let before = p.build_ok();
    let outside = tempfile::NamedTempFile::new().unwrap();
    fs::write(outside.path(), speech(FRONT, "Secret.\n")).unwrap();
    symlink(outside.path(), p.path("books/speeches/c.md")).unwrap();
    p.build_fails(&before, "books/speeches/c.md", None, &["outside books/"]);
}

#[test]
fn speech_that_is_a_named_pipe() {
    let p = Project::new();
    let before = p.build_ok();
    let status = Command::new("mkfifo").arg(p.path("books/speeches/c.md")).status().expect("run mkfifo");
    assert!(status.success());
    p.build_fails(&before, "books/speeches/c.md", None, &[]);
}

#[test]
fn empty_speech() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", "");
    p.build_fails(&before, "books/speeches/a.md", Some(1), &["empty"]);
}

#[test]
fn speech_larger_than_a_source_file_may_be() {
    let p = Project::new();
    let before = p.build_ok();
    let words = "Wort ".repeat(5 * 1024 * 1024 / 5);
    let text = speech(FRONT, &format!("{words}\n"));
    assert!(text.len() as u64 > MAX_SOURCE_BYTES);
    p.write("books/speeches/a.md", text);
    p.build_fails(&before, "books/speeches/a.md", None, &["MB"]);
}

// ---------------------------------------------------------------- front matter

#[test]
fn speech_without_front_matter() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", "Liebe Freundinnen und Freunde,\n");
    p.build_fails(&before, "books/speeches/a.md", Some(1), &["no front matter"]);
}

#[test]
fn malformed_yaml_front_matter() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech("title: A\nspeaker: [unclosed\ndate: 2021-12-13\n", BODY));
    // A YAML flow list may go on over lines: the parser notices on line 3 or on line 4.
    let err = p.build_fails(&before, "books/speeches/a.md", None, &[]);
    assert!(
        err.contains("--> books/speeches/a.md:3:") || err.contains("--> books/speeches/a.md:4:"),
        "no line near the fault:\n{err}"
    );
}

#[test]
fn malformed_toml_front_matter() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", "+++\ntitle = \nspeaker = \"Anna\"\ndate = 2021-12-13\n+++\n\nText.\n");
    p.build_fails(&before, "books/speeches/a.md", Some(2), &[]);
}

#[test]
fn front_matter_not_closed() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", format!("---\n{FRONT}\n{BODY}"));
    p.build_fails(&before, "books/speeches/a.md", Some(1), &["not closed", "`---`"]);
}

#[test]
fn misspelt_field_suggests_the_right_one() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech("title: A\nspeeker: Anna\ndate: 2021-12-13\n", BODY));
    let words = ["`speeker`", "did you mean `speaker`?"];
    p.build_fails(&before, "books/speeches/a.md", Some(3), &words);
    p.check_fails("books/speeches/a.md", Some(3), &words);
}

#[test]
fn missing_required_field() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech("title: A\ndate: 2021-12-13\n", BODY));
    p.build_fails(&before, "books/speeches/a.md", None, &["`speaker`", "missing"]);
}

#[test]
fn speaker_of_the_wrong_type() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech("title: A\nspeaker: {x: 1}\ndate: 2021-12-13\n", BODY));
    p.build_fails(&before, "books/speeches/a.md", Some(3), &["speaker", "invalid type"]);
}

#[test]
fn tags_of_the_wrong_type() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech(&format!("{FRONT}tags: {{a: 1}}\n"), BODY));
    p.build_fails(&before, "books/speeches/a.md", Some(5), &["tags", "invalid type"]);
}

#[test]
fn impossible_date() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech("title: A\nspeaker: Anna\ndate: 2021-02-30\n", BODY));
    p.build_fails(&before, "books/speeches/a.md", Some(4), &["2021-02-30", "28 days"]);
}

#[test]
fn date_in_german_order() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech("title: A\nspeaker: Anna\ndate: 13.12.2021\n", BODY));
    p.build_fails(&before, "books/speeches/a.md", Some(4), &["13.12.2021", "YYYY-MM-DD"]);
}

#[test]
fn language_that_is_not_a_tag() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech(&format!("{FRONT}language: Deutsch\n"), BODY));
    p.build_fails(&before, "books/speeches/a.md", Some(5), &["`Deutsch`", "language tag"]);
}

#[test]
fn deeply_nested_yaml_front_matter() {
    let p = Project::new();
    let before = p.build_ok();
    let n = 1_000;
    let tags = format!("tags: {}{}\n", "[".repeat(n), "]".repeat(n));
    p.write("books/speeches/a.md", speech(&format!("{FRONT}{tags}"), BODY));
    p.build_fails(&before, "books/speeches/a.md", Some(5), &[]);
}

#[test]
fn deeply_nested_toml_front_matter() {
    let p = Project::new();
    let before = p.build_ok();
    let n = 1_000;
    let tags = format!("tags = {}{}\n", "[".repeat(n), "]".repeat(n));
    p.write(
        "books/speeches/a.md",
        format!("+++\ntitle = \"A\"\nspeaker = \"A\"\ndate = 2021-12-13\n{tags}+++\n\nText.\n"),
    );
    p.build_fails(&before, "books/speeches/a.md", Some(5), &[]);
}

// ---------------------------------------------------------------- Markdown content

#[test]
fn lists_nested_a_thousand_deep() {
    let p = Project::new();
    let before = p.build_ok();
    let list: String = (0..1000).map(|i| format!("{}- a\n", "  ".repeat(i))).collect();
    p.write("books/speeches/a.md", speech(FRONT, &list));
    // The list of level k starts on line 7 + k; the first one too deep is reported.
    p.build_fails(&before, "books/speeches/a.md", Some(7 + MAX_DEPTH), &["nested"]);
}

#[test]
fn block_quotes_nested_a_thousand_deep() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech(FRONT, &format!("{} text\n", ">".repeat(1000))));
    p.build_fails(&before, "books/speeches/a.md", Some(7), &["nested"]);
}

#[test]
fn image_path_that_climbs_out_of_the_project() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech(FRONT, "![x](../../../etc/passwd)\n"));
    p.build_fails(&before, "books/speeches/a.md", Some(7), &["../../../etc/passwd", "outside"]);
}

#[test]
fn image_with_an_absolute_path() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech(FRONT, "Text.\n\n![x](/etc/passwd)\n"));
    p.build_fails(&before, "books/speeches/a.md", Some(9), &["/etc/passwd", "absolute"]);
}

#[test]
fn image_symlink_that_points_out_of_the_project() {
    let p = Project::new();
    let before = p.build_ok();
    let outside = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    fs::create_dir(p.path("books/images")).unwrap();
    symlink(outside.path(), p.path("books/images/x.png")).unwrap();
    p.write("books/speeches/a.md", speech(FRONT, "![x](../images/x.png)\n"));
    p.build_fails(&before, "books/speeches/a.md", Some(7), &["../images/x.png", "outside"]);
}

#[test]
fn missing_image() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech(FRONT, "![Karte](karte.png)\n"));
    p.build_fails(&before, "books/speeches/a.md", Some(7), &["karte.png"]);
}

#[test]
fn footnote_called_but_never_defined() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/speeches/a.md", speech(FRONT, "Ein Satz mit Fußnote.[^9]\n"));
    p.build_fails(&before, "books/speeches/a.md", Some(7), &["[^9]"]);
}

// ---------------------------------------------------------------- the book file

#[test]
fn book_file_that_is_not_toml() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", BOOK.replace("title = \"T\"", "title = \"T"));
    p.build_fails(&before, "books/book.toml", Some(1), &[]);
}

#[test]
fn book_file_that_is_not_utf8() {
    let p = Project::new();
    let before = p.build_ok();
    let mut bytes = book_with("subtitle = \"Kxln\"\n").into_bytes();
    let at = bytes.iter().position(|&b| b == b'x').unwrap();
    bytes[at] = 0xf6;
    p.write("books/book.toml", bytes);
    p.build_fails(&before, "books/book.toml", Some(2), &["UTF-8"]);
}

#[test]
fn unknown_key_in_the_book_file() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", book_with("titel = \"x\"\n"));
    p.build_fails(&before, "books/book.toml", Some(2), &["`titel`", "did you mean `title`?"]);
}

#[test]
fn top_level_key_below_the_select_table() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", format!("{BOOK}isbn = \"978-3-16-148410-0\"\n"));
    let err = p.build_fails(&before, "books/book.toml", Some(6), &["`isbn`"]);
    assert!(!err.contains("did you mean `isbn`"), "the hint suggests the very key it rejects:\n{err}");
    assert!(err.contains("[select]"), "the hint should say the key belongs above [select]:\n{err}");
}

#[test]
fn missing_language_in_the_book_file() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", BOOK.replace("language = \"de\"\n", ""));
    p.build_fails(&before, "books/book.toml", None, &["`language`", "missing"]);
}

#[test]
fn wrong_isbn_check_digit() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", book_with("isbn = \"978-3-16-148410-1\"\n"));
    let words = ["978-3-16-148410-1", "should end in 0"];
    p.build_fails(&before, "books/book.toml", Some(2), &words);
    p.check_fails("books/book.toml", Some(2), &words);
}

#[test]
fn missing_cover() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", book_with("cover = \"missing.jpg\"\n"));
    p.build_fails(&before, "books/book.toml", Some(2), &["missing.jpg"]);
}

#[test]
fn missing_introduction() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", book_with("introduction = \"intro.md\"\n"));
    p.build_fails(&before, "books/book.toml", Some(2), &["intro.md"]);
}

#[test]
fn introduction_that_is_not_utf8() {
    let p = Project::new();
    p.write("books/book.toml", book_with("introduction = \"intro.md\"\n"));
    p.write("books/intro.md", "# Einleitung\n\nGut.\n");
    let before = p.build_ok();
    p.write("books/intro.md", b"# Einleitung\n\nK\xf6ln.\n");
    p.build_fails(&before, "books/intro.md", Some(3), &["UTF-8"]);
}

#[test]
fn selection_names_a_missing_speech() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", BOOK.replace("\"b\"]", "\"bb\"]"));
    let words = ["`bb`", "did you mean `b`?"];
    p.build_fails(&before, "books/book.toml", Some(5), &words);
    p.check_fails("books/book.toml", Some(5), &words);
}

#[test]
fn missing_speech_column_after_an_umlaut() {
    let p = Project::new();
    fs::copy(p.path("books/speeches/a.md"), p.path("books/speeches/ö.md")).unwrap();
    p.write("books/book.toml", BOOK.replace("[\"a\", \"b\"]", "[\"ö\", \"bb\"]"));
    // `speeches = ["ö", "bb"]`: `bb` begins at character 19.
    p.check_fails("books/book.toml", Some(5), &["books/book.toml:5:19"]);
}

#[test]
fn speech_selected_twice() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", BOOK.replace("\"b\"]", "\"b\", \"a\"]"));
    p.build_fails(&before, "books/book.toml", None, &["`a`", "selected twice"]);
}

#[test]
fn speech_selected_twice_names_the_select_line() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", BOOK.replace("\"b\"]", "\"b\", \"a\"]"));
    p.build_fails(&before, "books/book.toml", Some(5), &["selected twice"]);
}

#[test]
fn empty_book() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", BOOK.replace("speeches = [\"a\", \"b\"]", "tags = [\"nobody\"]"));
    p.build_fails(&before, "books/book.toml", Some(4), &["selects no speech"]);
}

#[test]
fn from_after_to() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", BOOK.replace("speeches = [\"a\", \"b\"]", "from = \"2022\"\nto = \"2021\""));
    p.build_fails(&before, "books/book.toml", Some(5), &["`from`", "after"]);
}

#[test]
fn deeply_nested_array_in_the_book_file() {
    let p = Project::new();
    let before = p.build_ok();
    let n = 100_000;
    p.write("books/book.toml", format!("{BOOK}\n[hyphenation]\nexceptions = {}{}\n", "[".repeat(n), "]".repeat(n)));
    p.build_fails(&before, "books/book.toml", Some(8), &[]);
}

// ---------------------------------------------------------------- styles

#[test]
fn unknown_style_name() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", book_with("style = \"fancy\"\n"));
    p.build_fails(&before, "books/book.toml", None, &["`fancy`"]);
}

#[test]
fn unknown_style_name_names_its_line() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("books/book.toml", book_with("style = \"fancy\"\n"));
    p.build_fails(&before, "books/book.toml", Some(2), &["`fancy`"]);
}

#[test]
fn unknown_key_in_a_style_file() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("styles/default.toml", "[page]\nsise = \"A5\"\n");
    p.build_fails(&before, "styles/default.toml", Some(2), &["`sise`", "did you mean `size`?"]);
}

#[test]
fn bad_length_in_a_style_file() {
    let p = Project::new();
    let before = p.build_ok();
    p.write("styles/default.toml", "[text]\nsize = \"10px\"\n");
    p.build_fails(&before, "styles/default.toml", Some(2), &["10px", "px"]);
}

// ---------------------------------------------------------------- faults found by a renderer

/// Every format, so that a fault found late (by the PDF stage) meets outputs made earlier
/// in the same build (the model, the EPUB) and the cover's page count.
const ALL_FORMATS: &[&str] =
    &["build", "-f", "model", "-f", "epub", "-f", "pdf", "-f", "print", "-f", "booklet", "-f", "cover"];

const ALL_OUTPUTS: &[&str] = &[
    "out/book.model.json",
    "out/book.epub",
    "out/book.pdf",
    "out/book-print.pdf",
    "out/book-booklet.pdf",
    "out/book-cover.pdf",
];

#[test]
fn character_no_font_has_leaves_every_earlier_output_untouched() {
    let p = Project::new();
    let (code, _, err) = p.run(ALL_FORMATS);
    assert_eq!(code, 0, "the valid project must build in every format; stderr:\n{err}");
    let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let before: Vec<Vec<u8>> = ALL_OUTPUTS
        .iter()
        .map(|f| {
            File::options().write(true).open(p.path(f)).and_then(|h| h.set_modified(mtime)).expect("set the time");
            fs::read(p.path(f)).expect("read the output")
        })
        .collect();
    // Tibetan letters: the EPUB takes them (with a warning: readers' apps have fonts of their
    // own), but no bundled font has them, which the PDF stage finds before it sets the book.
    p.write("books/speeches/b.md", speech(FRONT, "Ein Gruß: བཀྲ་ཤིས.\n"));
    let (code, _, err) = p.run(ALL_FORMATS);
    let words = ["no font of the book has", "U+0F56 TIBETAN LETTER BA", "Noto Serif Tibetan"];
    assert_failure(code, &err, "books/speeches/b.md", Some(7), &words);
    assert!(!err.contains("wrote "), "a failed build says it wrote a file:\n{err}");
    for (f, bytes) in ALL_OUTPUTS.iter().zip(&before) {
        assert!(fs::read(p.path(f)).expect("the earlier output must still exist") == *bytes, "{f} was changed");
        let t = fs::metadata(p.path(f)).and_then(|m| m.modified()).expect("the output's time");
        assert_eq!(t, mtime, "{f} was rewritten");
    }
    let mut left: Vec<String> = fs::read_dir(p.path("out"))
        .expect("read out/")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut expected: Vec<&str> = ALL_OUTPUTS.iter().map(|f| &f["out/".len()..]).collect();
    expected.sort();
    assert_eq!(left, expected, "out/ holds other files than the earlier outputs (temporary files left?)");
}

#[test]
fn build_that_succeeds_writes_every_output_and_says_so() {
    let p = Project::new();
    let (code, _, err) = p.run(ALL_FORMATS);
    assert_eq!(code, 0, "stderr:\n{err}");
    for f in ALL_OUTPUTS {
        assert!(err.contains(&format!("{} (", p.path(f).display())), "no `wrote` line for {f}:\n{err}");
    }
    let names = fs::read_dir(p.path("out")).expect("read out/").count();
    assert_eq!(names, ALL_OUTPUTS.len(), "out/ holds more than the outputs");
}

// ---------------------------------------------------------------- resource bombs
// Each a quick error or a quick build: `run` fails a run that takes longer than `TIMEOUT`
// (a hang detector, not a timing), and each asserts a generous bound on the child's peak
// memory (from `wait4`); both are printed (`--nocapture`) and recorded in DESIGN.md.

/// Far above what any of these runs needs (the most is about 300 MB, for 4 million
/// brackets) and far below the gigabytes an unbounded decoder or alias expansion takes.
const BOMB_MEMORY_KB: u64 = 1024 * 1024;

impl Project {
    /// The last run's peak memory must stay under `limit_kb`; prints it with its time.
    fn assert_peak(&self, what: &str, limit_kb: u64) {
        let (kb, took) = self.last.get();
        eprintln!("{what}: peak {} MB, {:.2} s", kb / 1024, took.as_secs_f64());
        assert!(kb > 0, "{what}: no peak memory measured");
        assert!(kb < limit_kb, "{what}: peak memory {} MB, more than {} MB", kb / 1024, limit_kb / 1024);
    }
}

/// CRC-32 as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

#[test]
fn image_whose_header_declares_ten_billion_pixels() {
    let p = Project::new();
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(image::GrayImage::new(1, 1))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode a PNG");
    png[16..24].copy_from_slice(&[&100_000u32.to_be_bytes()[..], &100_000u32.to_be_bytes()[..]].concat());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    p.write("books/speeches/bomb.png", png);
    p.write("books/speeches/a.md", speech(FRONT, "![Eine Bombe](bomb.png)\n"));
    // The EPUB refuses it; the PDF sets its description in its place, as for any image it
    // cannot place, and says why.
    let (code, _, err) = p.run(&["build", "--format", "epub"]);
    assert_failure(code, &err, "books/speeches/a.md", Some(7), &["bomb.png", "too large (100000 × 100000 pixels)"]);
    // Decoded, 10^10 grey pixels would be 10 GB.
    p.assert_peak("100,000 × 100,000 PNG, EPUB", 256 * 1024);
    let (code, _, err) = p.run(&["build", "--format", "pdf"]);
    assert_eq!(code, 0, "{err}");
    p.assert_peak("100,000 × 100,000 PNG, PDF", 256 * 1024);
    assert!(err.contains("too large (100000 × 100000 pixels)") && err.contains("--> books/speeches/a.md:7"), "{err}");
}

#[test]
fn yaml_billion_laughs_in_front_matter() {
    let p = Project::new();
    let before = p.build_ok();
    // Nine levels of nine aliases each: 387,420,489 strings if expanded. The typed fields
    // refuse the first nested list before any alias is expanded (and serde_yaml_ng stops
    // an expansion at its repetition limit).
    let mut front = String::from("title: A\nspeaker: Anna\ndate: 2021-12-13\ntags: [&a0 [l, l, l, l, l, l, l, l, l]");
    for i in 1..9 {
        front.push_str(&format!(", &a{i} [{}]", vec![format!("*a{}", i - 1); 9].join(", ")));
    }
    front.push_str("]\n");
    p.write("books/speeches/a.md", speech(&front, BODY));
    p.build_fails(&before, "books/speeches/a.md", Some(5), &["tags"]);
    // Expanded, 387 million strings would take gigabytes.
    p.assert_peak("billion laughs (9 × 9 aliases) in YAML", 256 * 1024);
}

#[test]
fn four_megabyte_lines_of_backticks_and_brackets() {
    let p = Project::new();
    let n = MAX_SOURCE_BYTES as usize - 200;
    for c in ["`", "[", "]", "*", "<"] {
        p.write("books/speeches/a.md", speech(FRONT, &format!("{}\n", c.repeat(n))));
        let (code, _, err) = p.run(&["build", "--format", "model"]);
        assert!(!err.contains("panicked"), "{err}");
        // A line of one character is a paragraph far over the limit, or nothing to set.
        assert!(code == 0 || err.contains("characters, more than"), "`{c}` × {n}: exit {code}\n{err}");
        p.assert_peak(&format!("a 4 MB line of '{c}'"), BOMB_MEMORY_KB);
    }
}
