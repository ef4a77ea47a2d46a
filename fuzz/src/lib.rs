//! What the fuzz targets share: a scratch project (one per process, in
//! `$TRIBUNE_FUZZ_SCRATCH`, else `/dev/shm` when there is one) with a book `fuzz` that
//! selects the one speech `fuzz`, so that each input
//! goes through the same public entry points the binary uses (`Library::load`,
//! `anthology::load`, `prepare`, `build`), sniffing and size limits included.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tribune::project::Project;

/// The book file every target but `book_file` uses.
pub const BOOK: &str = "title = \"Fuzz\"\nlanguage = \"en\"\n\n[select]\nspeeches = [\"fuzz\"]\n";

/// The front matter put before a Markdown body.
pub const FRONT: &str = "---\ntitle: Fuzz\nspeaker: A. Speaker\ndate: 2024-05-01\n---\n\n";

/// The scratch project: its root, the project, and the paths of the book and the speech.
pub struct Scratch {
    /// The project's root folder.
    pub root: PathBuf,
    /// The project itself.
    pub project: Project,
    /// `books/fuzz.toml`.
    pub book: PathBuf,
    /// `books/speeches/fuzz.md`.
    pub speech: PathBuf,
    /// The output folder.
    pub out: PathBuf,
}

/// The process's scratch project, made on first use with [`BOOK`] and a valid speech.
pub fn scratch() -> &'static Scratch {
    static S: OnceLock<Scratch> = OnceLock::new();
    S.get_or_init(|| {
        let base = match std::env::var_os("TRIBUNE_FUZZ_SCRATCH") {
            Some(dir) => PathBuf::from(dir),
            None if Path::new("/dev/shm").is_dir() => PathBuf::from("/dev/shm"),
            None => std::env::temp_dir(),
        };
        let root = base.join(format!("tribune-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("books/speeches")).unwrap();
        let book = root.join("books/fuzz.toml");
        let speech = root.join("books/speeches/fuzz.md");
        std::fs::write(&book, BOOK).unwrap();
        std::fs::write(&speech, format!("{FRONT}Text.\n")).unwrap();
        let project = Project::at(root.clone()).unwrap();
        let out = root.join("out");
        Scratch { root, project, book, speech, out }
    })
}

/// Write the speech's Markdown body `body` after [`FRONT`].
pub fn set_body(body: &[u8]) {
    let mut text = FRONT.as_bytes().to_vec();
    text.extend_from_slice(body);
    std::fs::write(&scratch().speech, text).unwrap();
}
