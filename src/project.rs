//! The project on disk: where its root is, where books, fonts, styles and outputs live,
//! reading its files safely (UTF-8, size, staying inside the project) and writing outputs
//! atomically, so a failed build never leaves a half-written file in place of a good one.

use crate::diagnostics::{Diagnostic, Kind};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// No speech, book or style file may be larger than this: a bigger one is not a speech.
pub const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

/// A Tribune project: the folder that holds `books/`.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project root, as given or found (absolute).
    pub(crate) root: PathBuf,
    /// `root/books`, canonicalised: everything that enters a book must lie below it.
    pub books: PathBuf,
}

impl Project {
    /// `dir` when given (it must contain `books/`), else the nearest folder upwards from the
    /// current one that has `books/`.
    pub fn locate(dir: Option<&Path>) -> Result<Project, Diagnostic> {
        let start = match dir {
            Some(d) => d.to_path_buf(),
            None => {
                std::env::current_dir().map_err(|e| Diagnostic::io(Path::new("."), &e, "read the current folder"))?
            }
        };
        let start = std::path::absolute(&start).unwrap_or(start);
        if dir.is_some() {
            if start.join("books").is_dir() {
                return Project::at(start);
            }
            return Err(Diagnostic::error(
                Kind::Usage,
                format!("{} is not a Tribune project: it has no books/ folder", start.display()),
            )
            .with_hint("pass the folder that holds books/, or create a project with `tribune new DIR`"));
        }
        let mut cur: Option<&Path> = Some(&start);
        while let Some(d) = cur {
            if d.join("books").is_dir() {
                return Project::at(d.to_path_buf());
            }
            cur = d.parent();
        }
        Err(Diagnostic::error(
            Kind::Usage,
            format!("no Tribune project here: neither {} nor any folder above it has a books/ folder", start.display()),
        )
        .with_hint("run inside a project, pass --project DIR, or create one with `tribune new DIR`"))
    }

    /// The project whose root is `root`, which must hold `books/`.
    pub fn at(root: PathBuf) -> Result<Project, Diagnostic> {
        let books = root.join("books");
        let books = fs::canonicalize(&books).map_err(|e| Diagnostic::io(&books, &e, "open the books folder"))?;
        Ok(Project { root, books })
    }

    /// The project root (the folder holding `books/`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn speeches_dir(&self) -> PathBuf {
        self.books.join("speeches")
    }

    /// Where the outputs go when no `--out` is given: `out/` in the root.
    pub fn default_out(&self) -> PathBuf {
        self.root.join("out")
    }

    /// A path for messages: relative to the project root when it lies inside it.
    pub(crate) fn display_path(&self, p: &Path) -> PathBuf {
        if let Ok(r) = p.strip_prefix(&self.books) {
            return Path::new("books").join(r);
        }
        p.strip_prefix(&self.root).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf())
    }

    /// Resolve `rel` (as written in a book or speech) against `base` and make sure the file
    /// it names exists and lies inside `books/`, following symbolic links. Absolute paths,
    /// `..` that climbs out and links that point out are refused: untrusted Markdown must
    /// not pull files from elsewhere on the machine into a book.
    pub(crate) fn resolve_inside_books(&self, base: &Path, rel: &str) -> Result<PathBuf, ResolveError> {
        if rel.is_empty() {
            return Err(ResolveError::Empty);
        }
        let p = Path::new(rel);
        if p.is_absolute() || p.components().any(|c| matches!(c, Component::Prefix(_) | Component::RootDir)) {
            return Err(ResolveError::Absolute);
        }
        if rel.contains("://") || rel.starts_with("data:") || rel.starts_with("//") {
            return Err(ResolveError::Remote);
        }
        let joined = base.join(p);
        let canon = fs::canonicalize(&joined).map_err(|e| {
            if lexically_outside(&self.books, &joined) {
                ResolveError::Outside
            } else {
                ResolveError::NotFound(e.to_string())
            }
        })?;
        if !canon.starts_with(&self.books) {
            return Err(ResolveError::Outside);
        }
        if !canon.is_file() {
            return Err(ResolveError::NotAFile);
        }
        Ok(canon)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ResolveError {
    Empty,
    Absolute,
    Remote,
    Outside,
    NotFound(String),
    NotAFile,
}

impl ResolveError {
    pub(crate) fn explain(&self) -> (String, &'static str) {
        match self {
            ResolveError::Empty => ("the path is empty".into(), "give the file's path relative to the Markdown file"),
            ResolveError::Absolute => (
                "an absolute path is not allowed".into(),
                "copy the file into books/ and give its path relative to the Markdown file",
            ),
            ResolveError::Remote => (
                "remote files are not allowed in a book".into(),
                "download the file into books/ and refer to it by its relative path",
            ),
            ResolveError::Outside => (
                "the path leads outside the project's books/ folder".into(),
                "only files inside books/ can enter a book: copy the file there",
            ),
            ResolveError::NotFound(e) => {
                (format!("the file cannot be found ({e})"), "check the path and the file name")
            }
            ResolveError::NotAFile => {
                ("the path names a folder or a special file, not an ordinary file".into(), "name the file itself")
            }
        }
    }
}

fn lexically_outside(books: &Path, p: &Path) -> bool {
    let mut depth: i64 = 0;
    let rel = match p.strip_prefix(books) {
        Ok(r) => r,
        Err(_) => return false,
    };
    for c in rel.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// Read a source file as UTF-8 text, with a clear error for every way that can fail.
pub(crate) fn read_source(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let meta = fs::metadata(path).map_err(|e| Diagnostic::io(shown, &e, "read the file"))?;
    if meta.is_dir() {
        return Err(Diagnostic::error(Kind::Io, "this is a folder, not a file")
            .at_file(shown)
            .with_hint("rename the folder so its name does not end in .md/.toml, or remove it"));
    }
    if !meta.is_file() {
        return Err(Diagnostic::error(Kind::Io, "this is not an ordinary file (a pipe, socket or device)")
            .at_file(shown)
            .with_hint("replace it with an ordinary text file"));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(Diagnostic::error(
            Kind::Content,
            format!(
                "the file is {:.1} MB, more than the {} MB a source file may have",
                meta.len() as f64 / 1_048_576.0,
                MAX_SOURCE_BYTES / 1_048_576
            ),
        )
        .at_file(shown)
        .with_hint("split it into several files"));
    }
    let bytes = fs::read(path).map_err(|e| Diagnostic::io(shown, &e, "read the file"))?;
    if let Some(n) = crate::sniff::foreign(&bytes) {
        return Err(Diagnostic::error(Kind::Encoding, n.what).at(shown, None, 1, Some(1)).with_hint(n.hint));
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if let Some(n) = crate::sniff::control(&s) {
                let (line, col) = crate::diagnostics::line_col(&s, n.at);
                return Err(Diagnostic::error(Kind::Encoding, n.what)
                    .at(shown, None, line, Some(col))
                    .with_hint(n.hint));
            }
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            if s.contains('\r') {
                s = s.replace("\r\n", "\n").replace('\r', "\n");
            }
            Ok(s)
        }
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let good = String::from_utf8_lossy(&bytes[..at]);
            let (line, col) = crate::diagnostics::line_col(&good, good.len());
            Err(Diagnostic::error(Kind::Encoding, crate::sniff::not_utf8(bytes, at))
                .at(shown, None, line, Some(col))
                .with_hint("save the file as UTF-8 in your editor"))
        }
    }
}

/// An output file written through a temporary file in the same folder and renamed into
/// place by `commit`, so the previous file stays whole until the new one is complete.
/// Dropped without `commit` (an error on the way), it removes the temporary file.
///
/// Every [`WRITEBACK_STEP`] bytes, the system is asked to start writing what came so far
/// to the disk (Linux: `sync_file_range`), so the sync at `commit` waits for the last
/// stretch only, not for the whole file (a 2.6 MB PDF: 2.5–5 ms → under 1 ms, measured
/// while the disk was busy).
pub(crate) struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<fs::File>>,
    /// Bytes written so far, and how many of them the disk was asked to take.
    written: u64,
    handed: u64,
}

/// How much of an output is written before the disk is asked to start taking it.
const WRITEBACK_STEP: u64 = 1 << 19;

/// Ask the system to start writing `len` bytes of `file` from `from` to the disk, without
/// waiting for them: a hint, so a failure is of no matter (`commit` syncs the file).
#[cfg(target_os = "linux")]
fn start_writeback(file: &fs::File, from: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(from), Ok(len)) = (i64::try_from(from), i64::try_from(len)) else { return };
    // SAFETY: the descriptor is open for as long as `file` is borrowed; the call reads no
    // memory of ours.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), from, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &fs::File, _from: u64, _len: u64) {}

impl AtomicFile {
    pub(crate) fn create(path: &Path) -> Result<AtomicFile, Diagnostic> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(|e| Diagnostic::io(dir, &e, "create the output folder"))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = fs::File::create(&tmp).map_err(|e| Diagnostic::io(&tmp, &e, "create the output"))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
            written: 0,
            handed: 0,
        })
    }

    /// Flush, sync and rename into place.
    pub(crate) fn commit(mut self) -> Result<(), Diagnostic> {
        let result = (|| {
            if let Some(f) = self.file.take() {
                let f = f.into_inner().map_err(|e| e.into_error())?;
                f.sync_all()?;
            }
            fs::rename(&self.tmp, &self.path)
        })();
        result.map_err(|e| Diagnostic::io(&self.path, &e, "write the output"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => {
                let n = f.write(buf)?;
                self.written += n as u64;
                if self.written - self.handed >= WRITEBACK_STEP {
                    f.flush()?;
                    start_writeback(f.get_ref(), self.handed, self.written - self.handed);
                    self.handed = self.written;
                }
                Ok(n)
            }
            None => Err(std::io::Error::other("the output is already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() || self.tmp.exists() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// The outputs of one book, which appear together or not at all. Each renderer writes
/// its file in full to a stage beside it (through its own [`AtomicFile`], as ever); only
/// when every output is ready does `commit` rename the stages into place. Dropped without
/// `commit` (an error anywhere in the book), it removes the stages and the previous
/// outputs stay as they were.
#[derive(Default)]
pub(crate) struct Outputs {
    /// Each output's place and its stage, in the order staged.
    files: Vec<(PathBuf, PathBuf)>,
}

impl Outputs {
    /// The stage to write the output `path` to. It begins with a dot and ends in `.tmp`,
    /// as [`AtomicFile`]'s temporary files do, and is named for this process.
    /// Stages and temporary files that a build killed on its way (SIGKILL, a power cut) left
    /// beside this output are removed first; see [`remove_stale`].
    pub(crate) fn stage(&mut self, path: &Path) -> PathBuf {
        remove_stale(path);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let stage = path.with_file_name(format!(".{name}.{}.staged.tmp", std::process::id()));
        self.files.push((path.to_path_buf(), stage.clone()));
        stage
    }

    /// The output a stage stands for (to name it in messages), if `p` is a stage.
    pub(crate) fn output_of(&self, p: &Path) -> Option<&Path> {
        self.files.iter().find(|(_, stage)| stage == p).map(|(path, _)| path.as_path())
    }

    /// Rename every stage into place. Returns the outputs written; a rename that fails
    /// (rare: stage and output share a folder) stops the commit with its error, and the
    /// stages not yet renamed are removed.
    ///
    /// The outputs replaced are let go of on a thread of their own: a file's blocks are
    /// freed when its last name and descriptor go, and replacing a 2.6 MB PDF took the
    /// renaming thread 0.5–8 ms on ext4 (online discard) that the build waited for. Held
    /// open across the rename, the old file is freed when that thread closes it, while the
    /// build goes on (reports, the next book); a process that ends sooner waits for it
    /// as it exits.
    pub(crate) fn commit(mut self) -> (Vec<PathBuf>, Result<(), Diagnostic>) {
        let mut written = Vec::new();
        let mut replaced = Vec::new();
        let result = self.rename_all(&mut written, &mut replaced);
        release(replaced);
        (written, result)
    }

    fn rename_all(&mut self, written: &mut Vec<PathBuf>, replaced: &mut Vec<fs::File>) -> Result<(), Diagnostic> {
        for (path, stage) in std::mem::take(&mut self.files) {
            if cfg!(unix) {
                replaced.extend(fs::File::open(&path).ok());
            }
            if let Err(e) = fs::rename(&stage, &path) {
                let _ = fs::remove_file(&stage);
                return Err(Diagnostic::io(&path, &e, "write the output"));
            }
            written.push(path);
        }
        Ok(())
    }
}

/// Close the `files` (outputs just replaced) on a thread that nobody waits for; where no
/// thread can be started, here.
fn release(files: Vec<fs::File>) {
    if !files.is_empty() {
        // Should the thread not start, the closure and the files in it are dropped here.
        let _ = std::thread::Builder::new().name("release".into()).spawn(move || drop(files));
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        for (_, stage) in &self.files {
            let _ = fs::remove_file(stage);
        }
    }
}

/// Remove what builds that died left beside the output `path`: its stages
/// (`.<name>.<pid>.staged.tmp`), the temporary files of an [`AtomicFile`] on it or on a
/// stage (`.<name>.<pid>.tmp`, `..<name>.<pid>.staged.tmp.<pid>.tmp`), when the process
/// `<pid>` no longer runs. Another build's files into the same folder stay while it runs.
/// Only on Unix, where a process's life can be asked (`kill(pid, 0)`); elsewhere such
/// files stay until removed by hand. Best effort: a file that cannot be removed is left.
fn remove_stale(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else { return };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file.to_str().and_then(|f| stale_owner(f, name)) else { continue };
        if pid != std::process::id() && !process_runs(pid) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// The process that made `file`, when `file` is a stage or temporary file of the output
/// `name` (see [`remove_stale`]).
fn stale_owner(file: &str, name: &str) -> Option<u32> {
    let rest = file.strip_prefix('.')?;
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    let rest = rest.strip_prefix(name)?.strip_prefix('.')?;
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let pid = rest[..digits].parse().ok()?;
    let tail = &rest[digits..];
    let atomic_of_stage = tail
        .strip_prefix(".staged.tmp.")
        .and_then(|t| t.strip_suffix(".tmp"))
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    // `..name.pid.tmp` is no file of ours: only a stage's temporary file has two dots.
    let plain = (tail == ".tmp" || tail == ".staged.tmp") && !file.starts_with("..");
    (plain || (atomic_of_stage && file.starts_with(".."))).then_some(pid)
}

/// Whether the process `pid` runs (or may: when it cannot be asked, it is taken to run).
#[cfg(unix)]
fn process_runs(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 sends nothing; it only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_runs(_pid: u32) -> bool {
    true
}

/// Write `bytes` to `path` atomically (see [`AtomicFile`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes).map_err(|e| Diagnostic::io(path, &e, "write the output"))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_refuses_paths_that_leave_books() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("books/images")).unwrap();
        fs::create_dir_all(dir.path().join("books/speeches")).unwrap();
        fs::write(dir.path().join("books/images/a.png"), b"x").unwrap();
        fs::write(dir.path().join("secret.txt"), b"x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), dir.path().join("books/link.png")).unwrap();
        let p = Project::at(dir.path().to_path_buf()).unwrap();
        let base = p.books.join("speeches");
        assert!(p.resolve_inside_books(&base, "../images/a.png").is_ok());
        assert_eq!(p.resolve_inside_books(&base, "../../secret.txt"), Err(ResolveError::Outside));
        assert_eq!(p.resolve_inside_books(&base, "../../../../etc/passwd"), Err(ResolveError::Outside));
        assert_eq!(p.resolve_inside_books(&base, "/etc/passwd"), Err(ResolveError::Absolute));
        assert_eq!(p.resolve_inside_books(&base, "../link.png"), Err(ResolveError::Outside));
        assert_eq!(p.resolve_inside_books(&base, "https://x.org/a.png"), Err(ResolveError::Remote));
        assert!(matches!(p.resolve_inside_books(&base, "../images/none.png"), Err(ResolveError::NotFound(_))));
        assert_eq!(p.resolve_inside_books(&base, "../images"), Err(ResolveError::NotAFile));
    }

    #[test]
    fn write_atomic_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("out/x.json");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(fs::read(&f).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path().join("out")).unwrap().count(), 1);
    }

    #[test]
    fn a_file_longer_than_the_writeback_step_is_written_whole() {
        // Pieces of odd sizes, so the disk is asked to take the file in uneven stretches
        // between the writer's own buffering.
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.pdf");
        write_atomic(&f, b"the previous file").unwrap();
        let bytes: Vec<u8> = (0..(3 * WRITEBACK_STEP + 12_345)).map(|i| (i * 7 % 251) as u8).collect();
        let mut a = AtomicFile::create(&f).unwrap();
        for piece in bytes.chunks(99_991) {
            a.write_all(piece).unwrap();
        }
        a.commit().unwrap();
        assert!(fs::read(&f).unwrap() == bytes, "the file differs from what was written");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_file_dropped_without_commit_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.pdf");
        write_atomic(&f, b"old").unwrap();
        {
            let mut a = AtomicFile::create(&f).unwrap();
            a.write_all(b"half a new fi").unwrap();
        }
        assert_eq!(fs::read(&f).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn outputs_appear_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("book.epub"), dir.path().join("book.pdf"));
        write_atomic(&a, b"old epub").unwrap();
        write_atomic(&b, b"old pdf").unwrap();
        let names = || {
            let mut n: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            n.sort();
            n
        };
        // Dropped: the first output was staged in full, the second failed; nothing changes.
        {
            let mut outputs = Outputs::default();
            write_atomic(&outputs.stage(&a), b"new epub").unwrap();
            let stage_b = outputs.stage(&b);
            assert_eq!(outputs.output_of(&stage_b), Some(b.as_path()));
            assert_eq!(outputs.output_of(&b), None);
        }
        assert_eq!((fs::read(&a).unwrap(), fs::read(&b).unwrap()), (b"old epub".to_vec(), b"old pdf".to_vec()));
        assert_eq!(names(), ["book.epub", "book.pdf"]);
        // Committed: both are replaced, and no stage is left.
        let mut outputs = Outputs::default();
        write_atomic(&outputs.stage(&a), b"new epub").unwrap();
        write_atomic(&outputs.stage(&b), b"new pdf").unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"old epub", "an output changed before the commit");
        let (written, result) = outputs.commit();
        assert!(result.is_ok());
        assert_eq!(written, [a.clone(), b.clone()]);
        assert_eq!((fs::read(&a).unwrap(), fs::read(&b).unwrap()), (b"new epub".to_vec(), b"new pdf".to_vec()));
        assert_eq!(names(), ["book.epub", "book.pdf"]);
    }

    #[test]
    fn stale_files_are_recognised_by_their_names() {
        assert_eq!(stale_owner(".book.epub.123.staged.tmp", "book.epub"), Some(123));
        assert_eq!(stale_owner(".book.epub.123.tmp", "book.epub"), Some(123));
        assert_eq!(stale_owner("..book.epub.123.staged.tmp.123.tmp", "book.epub"), Some(123));
        assert_eq!(stale_owner("book.epub", "book.epub"), None);
        assert_eq!(stale_owner(".book.epub.tmp", "book.epub"), None);
        assert_eq!(stale_owner(".book.epub.12x.tmp", "book.epub"), None);
        assert_eq!(stale_owner("..book.epub.123.tmp", "book.epub"), None);
        assert_eq!(stale_owner(".book.pdf.123.tmp", "book.epub"), None);
        assert_eq!(stale_owner(".book.epub.123.staged.tmp.x.tmp", "book.epub"), None);
    }

    #[test]
    fn staging_removes_what_dead_builds_left_and_keeps_live_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book.epub");
        write_atomic(&out, b"old").unwrap();
        // A process that has ended: a child run to its end and reaped.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let live = std::process::id();
        let dead_files = [
            format!(".book.epub.{dead}.staged.tmp"),
            format!(".book.epub.{dead}.tmp"),
            format!("..book.epub.{dead}.staged.tmp.{dead}.tmp"),
        ];
        // The parent of this process runs: its stage is another build's, still under way.
        let parent = std::os::unix::process::parent_id();
        let kept = [format!(".book.epub.{parent}.staged.tmp"), ".other.1.tmp".to_string(), "notes.txt".to_string()];
        for f in dead_files.iter().chain(&kept) {
            fs::write(dir.path().join(f), b"x").unwrap();
        }
        let mut outputs = Outputs::default();
        let stage = outputs.stage(&out);
        assert_eq!(stage.file_name().unwrap().to_str().unwrap(), format!(".book.epub.{live}.staged.tmp"));
        for f in &dead_files {
            assert!(!dir.path().join(f).exists(), "{f} was left");
        }
        for f in &kept {
            assert!(dir.path().join(f).exists(), "{f} was removed");
        }
        assert_eq!(fs::read(&out).unwrap(), b"old");
    }

    #[test]
    fn read_source_reports_bad_utf8_with_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.md");
        fs::write(&f, b"ok\nbad \xff here\n").unwrap();
        let e = read_source(&f, Path::new("a.md")).unwrap_err();
        assert_eq!(e.kind, Kind::Encoding);
        assert_eq!(e.location.unwrap().line, Some(2));
    }
}
