//! The progress bar: drawn on a terminal for a build that lasts, never with `--quiet` or
//! with JSON messages. A terminal is given by util-linux's `script`; without it the tests
//! say so and pass.
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Run tribune with `args` on a pseudo-terminal (stdout and stderr both on it); returns
/// what the terminal got and how long it took, or `None` without `script`.
fn on_a_terminal(project: &Path, args: &str) -> Option<(String, Duration)> {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux's `script` is not installed");
        return None;
    }
    let cmd = format!("{} {args} --project {}", env!("CARGO_BIN_EXE_tribune"), project.display());
    let start = Instant::now();
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("COLUMNS", "100")
        .env_remove("NO_COLOR")
        .output()
        .expect("run script");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    Some((String::from_utf8_lossy(&out.stdout).into_owned(), start.elapsed()))
}

fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for d in ["books", "fonts", "styles"] {
        support::copy_dir(&support::repo().join(d), &dir.path().join(d));
    }
    dir
}

/// The line-clearing code the bar redraws with.
const CLEAR_LINE: &str = "\x1b[2K";

#[test]
fn a_build_that_lasts_shows_the_bar_and_clears_it_before_its_messages() {
    let dir = example();
    let Some((out, took)) = on_a_terminal(dir.path(), "build example") else { return };
    assert!(out.contains("wrote "), "{out}");
    // Shown only once the build has run half a second; a build this long surely has.
    if took > Duration::from_secs(3) {
        assert!(out.contains(CLEAR_LINE) && out.contains("example: writing example.pdf"), "no bar: {out:?}");
    }
    // Cleared: the messages stand on lines of their own, after the last redraw.
    let last = out.rfind(CLEAR_LINE).map_or(0, |i| i + CLEAR_LINE.len());
    assert!(out[last..].contains("wrote "), "{out:?}");
}

#[test]
fn never_with_quiet_or_json_messages() {
    let dir = example();
    let Some((out, _)) = on_a_terminal(dir.path(), "--quiet build example") else { return };
    assert!(!out.contains(CLEAR_LINE) && !out.contains("writing"), "{out:?}");
    let Some((out, _)) = on_a_terminal(dir.path(), "build example --message-format json") else { return };
    assert!(!out.contains(CLEAR_LINE), "{out:?}");
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let v: Result<serde_json::Value, _> = serde_json::from_str(line.trim_end_matches('\r'));
        assert!(v.is_ok(), "not a JSON message: {line:?}");
    }
}
