//! `tribune watch` and the loop under `tribune serve`: wait for a change to the project's
//! sources (`books/`, `fonts/`, `styles/`), let a burst of saves settle, build again.
//!
//! Folders are watched, not files, so an editor that saves by writing another file and
//! renaming it over the first, or a file deleted and made again, is seen like any write.
//! The project root is watched too (not below it), so that `fonts/` or `styles/` made after
//! the start, or `books/` removed and made again, are watched from then on.

use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::incremental::Cache;
use crate::project::Project;
use crate::{Built, Format};
use notify::event::EventKind;
use notify::{RecursiveMode, Watcher as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the sources must be quiet after a change before the build starts: editors
/// write a file in several steps, and a script may save many.
pub const SETTLE: Duration = Duration::from_millis(100);

/// The longest a build waits for the sources to settle, so that a file written without
/// pause still gets built.
const SETTLE_AT_MOST: Duration = Duration::from_secs(3);

/// The folders of a project whose files a book is made from.
const SOURCES: [&str; 3] = ["books", "fonts", "styles"];

/// What wakes the loop.
enum Wake {
    /// A file system event (or the watcher's error).
    Fs(notify::Result<notify::Event>),
    /// Stop: Ctrl-C, or the caller is done.
    Stop,
}

/// Watches a project's sources.
pub struct Watch {
    watcher: notify::RecommendedWatcher,
    rx: Receiver<Wake>,
    tx: Sender<Wake>,
    /// The project root, canonical (events name canonical paths).
    root: PathBuf,
    /// The output folder, canonical when it exists: changes there are the build's own.
    out: PathBuf,
    /// The source folders watched now.
    watched: Vec<PathBuf>,
}

/// A handle that stops a [`Watch`] from another thread (a signal handler, a test).
#[derive(Clone)]
pub struct Stopper(Sender<Wake>);

impl Stopper {
    /// Make the watch's [`Watch::wait`] return `None`.
    pub fn stop(&self) {
        let _ = self.0.send(Wake::Stop);
    }
}

impl Watch {
    /// Start watching `project`; `out` is the output folder, whose changes are ignored.
    pub fn new(project: &Project, out: &Path) -> Result<Watch, Diagnostic> {
        let (tx, rx) = channel();
        let fs_tx = tx.clone();
        let watcher = notify::recommended_watcher(move |e| {
            let _ = fs_tx.send(Wake::Fs(e));
        })
        .map_err(|e| watch_error(&project.root, &e))?;
        let root = std::fs::canonicalize(&project.root).unwrap_or_else(|_| project.root.clone());
        let out = std::fs::canonicalize(out).unwrap_or_else(|_| std::path::absolute(out).unwrap_or(out.to_path_buf()));
        let mut w = Watch { watcher, rx, tx, root, out, watched: Vec::new() };
        w.watcher.watch(&w.root, RecursiveMode::NonRecursive).map_err(|e| watch_error(&w.root, &e))?;
        w.rewatch();
        Ok(w)
    }

    /// A handle to stop the watch from elsewhere.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.tx.clone())
    }

    /// Watch the source folders that exist now and are not watched yet (a folder removed
    /// took its watch with it).
    fn rewatch(&mut self) {
        for name in SOURCES {
            let dir = self.root.join(name);
            let exists = dir.is_dir();
            let known = self.watched.contains(&dir);
            if exists && !known {
                if self.watcher.watch(&dir, RecursiveMode::Recursive).is_ok() {
                    self.watched.push(dir);
                }
            } else if !exists && known {
                let _ = self.watcher.unwatch(&dir);
                self.watched.retain(|d| d != &dir);
            }
        }
    }

    /// The source files an event names (`None` when it changes nothing a book is made of).
    fn relevant(&self, event: &notify::Event) -> Vec<PathBuf> {
        // Reading a file is no change (a file closed after writing was reported by its
        // modification already); editors' and Tribune's own temporary files are not sources.
        if matches!(event.kind, EventKind::Access(_)) {
            return Vec::new();
        }
        event
            .paths
            .iter()
            .filter(|p| {
                let Ok(rel) = p.strip_prefix(&self.root) else { return false };
                let Some(first) = rel.components().next() else { return false };
                let name = p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                SOURCES.iter().any(|s| first.as_os_str() == *s)
                    && !p.starts_with(&self.out)
                    && !name.starts_with('.')
                    && !name.ends_with('~')
            })
            .map(|p| p.strip_prefix(&self.root).map(Path::to_path_buf).unwrap_or_else(|_| p.clone()))
            .collect()
    }

    /// Wait for a change to the sources and for them to settle ([`SETTLE`]); returns the
    /// files changed (relative to the project root), or `None` once stopped.
    pub fn wait(&mut self) -> Option<Vec<PathBuf>> {
        let mut changed: Vec<PathBuf> = Vec::new();
        let mut first: Option<Instant> = None;
        loop {
            let wake = match first {
                None => self.rx.recv().ok()?,
                Some(t) => {
                    let left = SETTLE_AT_MOST.saturating_sub(t.elapsed());
                    match self.rx.recv_timeout(SETTLE.min(left)) {
                        Ok(w) => w,
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return None,
                    }
                }
            };
            match wake {
                Wake::Stop => return None,
                // A watcher error (an event queue overflowed): build anyway, to be safe.
                Wake::Fs(Err(_)) => {
                    first.get_or_insert_with(Instant::now);
                }
                Wake::Fs(Ok(e)) => {
                    let paths = self.relevant(&e);
                    if !paths.is_empty() {
                        first.get_or_insert_with(Instant::now);
                        for p in paths {
                            if !changed.contains(&p) {
                                changed.push(p);
                            }
                        }
                    }
                }
            }
            if first.is_some_and(|t| t.elapsed() >= SETTLE_AT_MOST) {
                break;
            }
        }
        self.rewatch();
        changed.sort();
        Some(changed)
    }
}

fn watch_error(path: &Path, e: &notify::Error) -> Diagnostic {
    Diagnostic::error(Kind::Io, format!("cannot watch the project for changes: {e}"))
        .at_file(path)
        .with_hint("check that the folder exists and is readable; on Linux, raise fs.inotify.max_user_watches")
}

/// One build of the loop: what [`crate::build`] gave and how long it took.
pub struct Rebuild {
    /// The books built and the problems found, or the error that stopped the build
    /// before any book (no book file left, a book named that is gone).
    pub result: Result<(Vec<Built>, Report), Diagnostic>,
    /// From the start of the build to its outputs written.
    pub elapsed: Duration,
}

impl Rebuild {
    /// Whether the build had no error.
    pub fn ok(&self) -> bool {
        matches!(&self.result, Ok((_, r)) if !r.has_errors())
    }

    /// The build's problems as a report (a stopping error as its one item).
    pub fn report(&self) -> Report {
        match &self.result {
            Ok((_, r)) => r.clone(),
            Err(d) => Report { items: vec![d.clone()] },
        }
    }
}

/// Build `names` (all books when empty) of `project` into `out` in `formats`, timed;
/// `cache` keeps what each speech produced from one build to the next, so that a change
/// to one speech parses and sets only that speech again (see [`crate::incremental`]).
/// `progress` is told each stage of the build.
pub fn build(
    project: &Project,
    names: &[String],
    out: &Path,
    formats: &[Format],
    cache: &Arc<Cache>,
    progress: Option<Arc<dyn crate::Progress>>,
) -> Rebuild {
    let start = Instant::now();
    let result = crate::build_with(project, names, out, formats, Some(cache), progress);
    Rebuild { result, elapsed: start.elapsed() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn project() -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("books/speeches")).unwrap();
        fs::create_dir_all(dir.path().join("out")).unwrap();
        let p = Project::at(dir.path().to_path_buf()).unwrap();
        (dir, p)
    }

    /// Wait on another thread, stopped after `limit` as a hang guard.
    fn wait_for_change(w: &mut Watch, limit: Duration) -> Option<Vec<PathBuf>> {
        let stop = w.stopper();
        let guard = std::thread::spawn(move || {
            std::thread::sleep(limit);
            stop.stop();
        });
        let got = w.wait();
        drop(guard);
        got
    }

    #[test]
    fn a_burst_of_saves_is_one_change_and_outputs_are_no_change() {
        let (dir, p) = project();
        let mut w = Watch::new(&p, &dir.path().join("out")).unwrap();
        for i in 0..100 {
            fs::write(dir.path().join("books/speeches/a.md"), format!("save {i}")).unwrap();
        }
        fs::write(dir.path().join("out/book.pdf"), "an output").unwrap();
        fs::write(dir.path().join("books/speeches/.a.md.swp"), "an editor's file").unwrap();
        let got = wait_for_change(&mut w, Duration::from_secs(30)).expect("a change");
        assert_eq!(got, [PathBuf::from("books/speeches/a.md")]);
        // Nothing else is pending: an output written is not a change.
        fs::write(dir.path().join("out/book.epub"), "an output").unwrap();
        let stop = w.stopper();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(800));
            stop.stop();
        });
        assert_eq!(w.wait(), None, "the burst was reported twice, or an output counted");
    }

    #[test]
    fn save_by_rename_and_a_folder_made_later_are_seen() {
        let (dir, p) = project();
        let mut w = Watch::new(&p, &dir.path().join("out")).unwrap();
        let tmp = dir.path().join("books/speeches/.a.md.tmp1234");
        fs::write(&tmp, "new text").unwrap();
        fs::rename(&tmp, dir.path().join("books/speeches/a.md")).unwrap();
        let got = wait_for_change(&mut w, Duration::from_secs(30)).expect("a change");
        assert!(got.contains(&PathBuf::from("books/speeches/a.md")), "{got:?}");
        fs::create_dir_all(dir.path().join("styles")).unwrap();
        let got = wait_for_change(&mut w, Duration::from_secs(30)).expect("a change");
        assert_eq!(got, [PathBuf::from("styles")]);
        fs::write(dir.path().join("styles/default.toml"), "x").unwrap();
        let got = wait_for_change(&mut w, Duration::from_secs(30)).expect("a change in the new folder");
        assert_eq!(got, [PathBuf::from("styles/default.toml")]);
    }
}
