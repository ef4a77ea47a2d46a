//! Incremental rebuilds for `watch` and `serve`: what each speech produced in the last
//! builds, kept in memory so that a change to one speech parses and sets only that speech
//! again; the PDF is still written whole, so the outputs are the bytes a fresh build
//! writes.
//!
//! Two stages are kept:
//!
//! - **the document model of a speech** (its chapter, the links it waits to resolve, its
//!   diagnostics), by a hash of everything it is made from: the file's text, its name and
//!   folder, the anchor it gets, the book's language and typography switch, and the names
//!   of the files under `books/` (a link or an image is checked against them);
//! - **the layout operations a chapter is set into** (with its diagnostics, the text of
//!   the glyphs it shaped and the fallback fonts it used), by the chapter's place in the
//!   outline and a hash of the PDF's context (edition, page geometry, the fonts' bytes, the
//!   book's language, title and hyphenation exceptions, the images under `books/`); the
//!   chapter itself is compared whole, so a change to its model (a link resolved
//!   differently) sets it again;
//! - **the EPUB document of a chapter** (its XHTML, the sections it gives the navigation,
//!   the characters and faces it uses, and its zip entry deflated), by a hash of the
//!   book's language and the package's maps of images and anchors, and the chapter's
//!   place; the chapter, its outline level and the printed pages that begin in it (the
//!   page list's markers) are compared whole, so a chapter after one whose page count
//!   changed is written again with its new page numbers.
//!
//! - **encoded PDF pages** by their content's digest, and **a chapter's pages** (with the
//!   flow's state where it began and ended) and **the contents' pages** and page count,
//!   so that a chapter beginning as before is not paginated again (see
//!   `pdf::build::reuse`).
//!
//! Entries not used by a good build are dropped after it, so memory follows the book.

use crate::diagnostics::Report;
use crate::document::Chapter;
use crate::project::Project;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A chapter of the document model as built from its speech, before the book's links
/// are resolved.
pub(crate) type Parsed = (Option<(Chapter, Vec<crate::document::links::Pending>)>, Report);

/// A memo entry and the build that last used it.
struct Used<T> {
    generation: u64,
    value: T,
}

/// A chapter as set: the chapter compared on a hit, and what setting it gave.
struct SetEntry {
    chapter: Chapter,
    set: Arc<crate::pdf::SetUnit>,
}

/// A chapter's EPUB document: what it was made from, compared on a hit, and the document.
struct DocEntry {
    chapter: Chapter,
    level: u8,
    marks: Vec<crate::xhtml::pagelist::Marker>,
    doc: Arc<crate::epub::ChapterDoc>,
}

/// How much of the last build came from memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Speeches whose model was taken from memory.
    pub parsed_hits: usize,
    /// Speeches parsed again.
    pub parsed_misses: usize,
    /// Chapters whose layout was taken from memory (counted once per PDF edition).
    pub set_hits: usize,
    /// Chapters set again.
    pub set_misses: usize,
    /// Chapters whose EPUB document (and its deflated zip entry) was taken from memory.
    pub epub_hits: usize,
    /// Chapters whose EPUB document was written again.
    pub epub_misses: usize,
    /// PDF pages whose encoded content was taken from memory.
    pub page_hits: usize,
    /// PDF pages encoded again.
    pub page_misses: usize,
    /// Chapters whose pages were taken from memory, not paginated again (counted once
    /// per PDF edition).
    pub paged_hits: usize,
    /// Chapters paginated again.
    pub paged_misses: usize,
    /// PDF contents whose pages were taken from memory (once per PDF edition).
    pub contents_hits: usize,
    /// PDF contents set again.
    pub contents_misses: usize,
}

/// An encoded PDF page, kept by the PDF context and the page's digest.
type KeptPage = Arc<crate::pdf::write::Encoded>;

/// The contents' page count, with the stand-in entries it was counted from.
type Counted = Arc<(String, usize)>;

/// A chapter's pages as paginated, kept by the PDF context and the chapter's place.
type KeptPages = Arc<crate::pdf::KeptPages>;

/// A chapter's kept layout: the PDF context, its anchor, outline level and place.
type SetKey = (u64, String, u8, usize);

/// What `watch` and `serve` keep between builds (see the module's documentation).
#[derive(Default)]
pub struct Cache {
    generation: AtomicU64,
    /// A hash of the names of the files under `books/`, and of the size and time of its
    /// images, taken at the start of the build.
    tree: Mutex<(u64, u64)>,
    parsed: Mutex<HashMap<u64, Used<Arc<Parsed>>>>,
    set: Mutex<HashMap<SetKey, Used<SetEntry>>>,
    /// EPUB documents by the package's context hash and the chapter's place.
    docs: Mutex<HashMap<(u64, usize), Used<DocEntry>>>,
    /// Encoded PDF pages by the PDF's context hash and the page's digest.
    pages: Mutex<HashMap<(u64, u128), Used<KeptPage>>>,
    /// A chapter's pages by the PDF's context hash and the chapter's place among the units.
    paged: Mutex<HashMap<(u64, usize), Used<KeptPages>>>,
    /// The contents' pages by the PDF's context hash.
    contents: Mutex<HashMap<u64, Used<Arc<crate::pdf::KeptContents>>>>,
    /// The contents' page count by the PDF's context hash, with the stand-in entries
    /// counted (compared whole).
    counted: Mutex<HashMap<u64, Used<Counted>>>,
    stats: Mutex<Stats>,
    /// Under `serve`: where the PDF build leaves its pages for the preview.
    keeper: std::sync::OnceLock<Arc<crate::pdf::svg::Keeper>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Which counters of [`Stats`] a memo's lookups go to: its hits and its misses.
type Counters = fn(&mut Stats) -> (&mut usize, &mut usize);

impl Cache {
    /// Look `key` up in `memo`: an entry for which `fits` holds is marked as used by this
    /// build and what `take` gives of it returned; hit or miss is counted in `counters`.
    fn look_up<K: Hash + Eq, V, R>(
        &self,
        memo: &Mutex<HashMap<K, Used<V>>>,
        key: &K,
        fits: impl FnOnce(&V) -> bool,
        take: impl FnOnce(&V) -> R,
        counters: Counters,
    ) -> Option<R> {
        let g = self.generation.load(Ordering::Relaxed);
        let hit = lock(memo).get_mut(key).filter(|u| fits(&u.value)).map(|u| {
            u.generation = g;
            take(&u.value)
        });
        let mut stats = lock(&self.stats);
        let (hits, misses) = counters(&mut stats);
        *if hit.is_some() { hits } else { misses } += 1;
        hit
    }

    /// Keep `value` under `key` in `memo`, as used by this build.
    fn keep<K: Hash + Eq, V>(&self, memo: &Mutex<HashMap<K, Used<V>>>, key: K, value: V) {
        let g = self.generation.load(Ordering::Relaxed);
        lock(memo).insert(key, Used { generation: g, value });
    }
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Cache {
        Cache::default()
    }

    /// Have the PDF builds leave their pages in `keeper` (the preview's SVG pages).
    pub(crate) fn keep_pages(&self, keeper: Arc<crate::pdf::svg::Keeper>) {
        let _ = self.keeper.set(keeper);
    }

    /// Where the PDF build leaves its pages, under `serve`.
    pub(crate) fn keeper(&self) -> Option<&Arc<crate::pdf::svg::Keeper>> {
        self.keeper.get()
    }

    /// Start a build of `project`: look at the files under `books/` once.
    pub(crate) fn begin(&self, project: &Project) {
        self.generation.fetch_add(1, Ordering::Relaxed);
        *lock(&self.stats) = Stats::default();
        let mut names = DefaultHasher::new();
        let mut images = DefaultHasher::new();
        walk(&project.books, &project.books, &mut names, &mut images);
        *lock(&self.tree) = (names.finish(), images.finish());
    }

    /// After a build without errors: forget what it did not use.
    pub(crate) fn sweep(&self) {
        let g = self.generation.load(Ordering::Relaxed);
        lock(&self.parsed).retain(|_, u| u.generation == g);
        lock(&self.set).retain(|_, u| u.generation == g);
        lock(&self.docs).retain(|_, u| u.generation == g);
        lock(&self.pages).retain(|_, u| u.generation == g);
        lock(&self.paged).retain(|_, u| u.generation == g);
        lock(&self.contents).retain(|_, u| u.generation == g);
        lock(&self.counted).retain(|_, u| u.generation == g);
    }

    /// How much of the last build came from memory.
    pub fn stats(&self) -> Stats {
        *lock(&self.stats)
    }

    /// The hash of the names of the files under `books/`.
    pub(crate) fn tree(&self) -> u64 {
        lock(&self.tree).0
    }

    /// The hash of the images under `books/` (their names, sizes and times).
    pub(crate) fn images(&self) -> u64 {
        lock(&self.tree).1
    }

    /// A speech's model by its key, when kept.
    pub(crate) fn parsed(&self, key: u64) -> Option<Arc<Parsed>> {
        self.look_up(&self.parsed, &key, |_| true, Arc::clone, |s| (&mut s.parsed_hits, &mut s.parsed_misses))
    }

    pub(crate) fn keep_parsed(&self, key: u64, value: Arc<Parsed>) {
        self.keep(&self.parsed, key, value);
    }

    /// A chapter's layout in the PDF context `context` at outline level `depth` and place
    /// `index` among the book's documents (the page list's places name it), when the
    /// chapter kept is `chapter`.
    pub(crate) fn set(
        &self,
        context: u64,
        chapter: &Chapter,
        depth: u8,
        index: usize,
    ) -> Option<Arc<crate::pdf::SetUnit>> {
        let key = (context, chapter.anchor.clone(), depth, index);
        self.look_up(
            &self.set,
            &key,
            |e| e.chapter == *chapter,
            |e| e.set.clone(),
            |s| (&mut s.set_hits, &mut s.set_misses),
        )
    }

    pub(crate) fn keep_set(
        &self,
        context: u64,
        chapter: &Chapter,
        depth: u8,
        index: usize,
        set: Arc<crate::pdf::SetUnit>,
    ) {
        let key = (context, chapter.anchor.clone(), depth, index);
        self.keep(&self.set, key, SetEntry { chapter: chapter.clone(), set });
    }
}

impl Cache {
    /// A page encoded in the PDF context `context` whose content has the digest `digest`
    /// (`pdf::write::digest`), when kept.
    pub(crate) fn page(&self, context: u64, digest: u128) -> Option<KeptPage> {
        let counters: Counters = |s| (&mut s.page_hits, &mut s.page_misses);
        self.look_up(&self.pages, &(context, digest), |_| true, Arc::clone, counters)
    }

    pub(crate) fn keep_page(&self, context: u64, digest: u128, page: &KeptPage) {
        self.keep(&self.pages, (context, digest), page.clone());
    }

    /// The pages of the unit at place `unit`, paginated in the context `key`, when kept
    /// for the unit as set now (`set`). Not counted: whether they are used is told by
    /// [`Cache::count_kept_pages`].
    pub(crate) fn kept_pages(
        &self,
        key: u64,
        unit: usize,
        set: &Arc<crate::pdf::SetUnit>,
    ) -> Option<Arc<crate::pdf::KeptPages>> {
        let g = self.generation.load(Ordering::Relaxed);
        lock(&self.paged).get_mut(&(key, unit)).filter(|u| u.value.of(set)).map(|u| {
            u.generation = g;
            u.value.clone()
        })
    }

    pub(crate) fn keep_kept_pages(&self, key: u64, unit: usize, pages: Arc<crate::pdf::KeptPages>) {
        self.keep(&self.paged, (key, unit), pages);
    }

    /// The contents' pages set in the PDF context `key`, when kept (to be compared with
    /// what they would be made from now).
    pub(crate) fn kept_contents(&self, key: u64) -> Option<Arc<crate::pdf::KeptContents>> {
        lock(&self.contents).get(&key).map(|u| u.value.clone())
    }

    pub(crate) fn keep_kept_contents(&self, key: u64, contents: Arc<crate::pdf::KeptContents>) {
        self.keep(&self.contents, key, contents);
    }

    /// The contents' page count in the PDF context `key` and what it was counted from,
    /// when kept (marked as used).
    pub(crate) fn contents_count(&self, key: u64) -> Option<Arc<(String, usize)>> {
        let g = self.generation.load(Ordering::Relaxed);
        lock(&self.counted).get_mut(&key).map(|u| {
            u.generation = g;
            u.value.clone()
        })
    }

    pub(crate) fn keep_contents_count(&self, key: u64, counted: Arc<(String, usize)>) {
        self.keep(&self.counted, key, counted);
    }

    /// The contents' pages were taken from memory (`true`) or set again.
    pub(crate) fn count_kept_contents(&self, hit: bool) {
        let mut stats = lock(&self.stats);
        *if hit { &mut stats.contents_hits } else { &mut stats.contents_misses } += 1;
    }

    /// A chapter's pages were taken from memory (`true`) or it was paginated again.
    pub(crate) fn count_kept_pages(&self, hit: bool) {
        let mut stats = lock(&self.stats);
        *if hit { &mut stats.paged_hits } else { &mut stats.paged_misses } += 1;
    }

    /// The EPUB document of `chapter`, the `index`th of the book, at outline level
    /// `level` in the package context `context`, with the printed pages `marks` beginning
    /// in it, when kept.
    pub(crate) fn epub_doc(
        &self,
        context: u64,
        chapter: &Chapter,
        level: u8,
        index: usize,
        marks: &[crate::xhtml::pagelist::Marker],
    ) -> Option<Arc<crate::epub::ChapterDoc>> {
        self.look_up(
            &self.docs,
            &(context, index),
            |e| e.level == level && e.marks == marks && e.chapter == *chapter,
            |e| e.doc.clone(),
            |s| (&mut s.epub_hits, &mut s.epub_misses),
        )
    }

    pub(crate) fn keep_epub_doc(
        &self,
        context: u64,
        chapter: &Chapter,
        level: u8,
        index: usize,
        marks: &[crate::xhtml::pagelist::Marker],
        doc: Arc<crate::epub::ChapterDoc>,
    ) {
        let entry = DocEntry { chapter: chapter.clone(), level, marks: marks.to_vec(), doc };
        self.keep(&self.docs, (context, index), entry);
    }
}

/// Hash the names of the files under `dir` (relative to `root`, in a fixed order) into
/// `names`, and the names, sizes and modification times of its images into `images`.
fn walk(root: &Path, dir: &Path, names: &mut DefaultHasher, images: &mut DefaultHasher) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        rel.hash(names);
        // Through links, as the build reads them.
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.is_dir() {
            walk(root, &path, names, images);
            continue;
        }
        let ext = path.extension().map(|x| x.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp") {
            rel.hash(images);
            meta.len().hash(images);
            meta.modified().ok().hash(images);
        }
    }
}

/// A hash of `parts`, for keys.
pub(crate) fn hash_of(parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;
    use std::fs;
    use std::path::PathBuf;

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            let t = to.join(p.file_name().unwrap());
            if p.is_dir() {
                copy_dir(&p, &t);
            } else {
                fs::copy(&p, &t).unwrap();
            }
        }
    }

    /// The bundled example project in a temporary folder.
    fn example() -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for d in ["books", "fonts", "styles"] {
            if repo.join(d).is_dir() {
                copy_dir(&repo.join(d), &dir.path().join(d));
            }
        }
        let p = Project::at(dir.path().to_path_buf()).unwrap();
        (dir, p)
    }

    const FORMATS: [Format; 3] = [Format::Epub, Format::Pdf, Format::Print { marks: false }];

    fn build(p: &Project, out: &Path, cache: Option<&Arc<Cache>>) -> Vec<PathBuf> {
        let (built, report) = crate::build_with(p, &["example".into()], out, &FORMATS, cache, None).unwrap();
        assert!(!report.has_errors(), "{report:?}");
        built.iter().flat_map(|b| &b.written).map(|w| w.path.clone()).collect()
    }

    fn assert_same(a: &[PathBuf], b: &[PathBuf]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!(fs::read(x).unwrap() == fs::read(y).unwrap(), "{} differs from {}", x.display(), y.display());
        }
    }

    #[test]
    fn a_changed_speech_alone_is_parsed_and_set_again_and_the_outputs_are_a_fresh_builds() {
        let (dir, p) = example();
        let cache = Arc::new(Cache::new());
        let (warm, fresh) = (dir.path().join("out-warm"), dir.path().join("out-fresh"));
        build(&p, &warm, Some(&cache));
        let first = cache.stats();
        assert_eq!((first.parsed_hits, first.set_hits), (0, 0), "{first:?}");
        assert!(first.parsed_misses >= 6 && first.set_misses >= 12, "{first:?}");

        // Nothing changed: everything from memory, the same bytes.
        let written = build(&p, &warm, Some(&cache));
        let again = cache.stats();
        assert_eq!((again.parsed_misses, again.set_misses, again.epub_misses), (0, 0, 0), "{again:?}");
        assert_eq!((again.parsed_hits, again.set_hits), (first.parsed_misses, first.set_misses));
        assert_eq!(again.epub_hits, first.epub_misses, "every chapter's EPUB document from memory: {again:?}");
        assert_eq!(again.page_misses, 0, "every page's encoding from memory: {again:?}");
        // (Pages alike, blank ones, share an encoding even in the first build.)
        assert_eq!(again.page_hits, first.page_hits + first.page_misses);
        assert!(first.epub_misses >= 6, "{first:?}");
        assert_same(&written, &build(&p, &fresh, None));

        // One speech longer by a paragraph: the pages after it move.
        let speech = dir.path().join("books/speeches/2019-05-leipzig-pflege.md");
        let mut text = fs::read_to_string(&speech).unwrap();
        text.push_str("\nEin neuer Absatz, der die folgenden Seiten verschiebt: Pflegekräfte, Löhne, Zeit.\n");
        fs::write(&speech, text).unwrap();
        let written = build(&p, &warm, Some(&cache));
        let edit = cache.stats();
        assert_eq!(edit.parsed_misses, 1, "{edit:?}");
        assert_eq!(edit.set_misses, 2, "one chapter in each of the two PDF editions: {edit:?}");
        // The EPUB writes the changed chapter again, and those after it whose printed
        // pages moved (their page markers changed); the chapters before it come from memory.
        assert!(edit.epub_misses >= 1 && edit.epub_hits >= 1, "{edit:?}");
        // The pages before it (and, in the print edition, which has no structure keys that
        // would move, those after it whose text did not move) are encoded from memory.
        assert!(edit.page_misses >= 1 && edit.page_hits >= 1, "{edit:?}");
        assert_same(&written, &build(&p, &fresh, None));
    }

    /// The example's speeches, in name order.
    fn speeches(dir: &Path) -> Vec<PathBuf> {
        let mut names: Vec<_> = fs::read_dir(dir.join("books/speeches")).unwrap().map(|e| e.unwrap().path()).collect();
        names.retain(|n| n.extension().is_some_and(|e| e == "md"));
        names.sort();
        names
    }

    #[test]
    fn chapters_keep_their_pages_where_they_begin_as_before_and_the_outputs_are_a_fresh_builds() {
        let (dir, p) = example();
        let cache = Arc::new(Cache::new());
        let (warm, fresh) = (dir.path().join("out-warm"), dir.path().join("out-fresh"));
        build(&p, &warm, Some(&cache));
        let first = cache.stats();
        assert_eq!(first.paged_hits, 0, "{first:?}");
        assert!(first.paged_misses >= 12, "every chapter of both PDF editions paginated: {first:?}");

        // Nothing changed: every chapter passed over.
        let written = build(&p, &warm, Some(&cache));
        let again = cache.stats();
        assert_eq!((again.paged_hits, again.paged_misses), (first.paged_misses, 0), "{again:?}");
        assert_eq!((again.contents_hits, again.contents_misses), (2, 0), "the contents of both editions: {again:?}");
        assert_same(&written, &build(&p, &fresh, None));

        // A word changed in the last speech: it alone is paginated again (in each edition),
        // and the chapter after it, whose first page finishes the changed one's last.
        let last = speeches(dir.path()).pop().unwrap();
        let text = fs::read_to_string(&last).unwrap();
        let word = text.split_whitespace().rev().find(|w| w.len() > 5 && w.chars().all(char::is_alphabetic)).unwrap();
        fs::write(&last, text.replacen(word, "Wortwechsel", 1)).unwrap();
        let written = build(&p, &warm, Some(&cache));
        let word = cache.stats();
        assert!(word.paged_misses >= 2 && word.paged_misses <= 4, "{word:?}");
        assert!(word.paged_hits >= first.paged_misses - 4, "{word:?}");
        assert_eq!(word.contents_hits, 2, "the same folios: {word:?}");
        assert_same(&written, &build(&p, &fresh, None));

        // Paragraphs more in the first speech (in the book's order: the first part's first),
        // over two pages more (one page more may only fill the blank verso before the next
        // chapter): every chapter after it begins on another page (and, in the tagged
        // edition, with other structure keys), so it is paginated again.
        let first_speech = dir.path().join("books/speeches/2019-05-leipzig-pflege.md");
        let mut text = fs::read_to_string(&first_speech).unwrap();
        for i in 0..90 {
            text.push_str(&format!("\nAbsatz {i}: Pflegekräfte, Löhne, Zeit, und noch ein paar Wörter mehr.\n"));
        }
        fs::write(&first_speech, text).unwrap();
        let written = build(&p, &warm, Some(&cache));
        let longer = cache.stats();
        assert!(longer.paged_misses > word.paged_misses, "{longer:?}");
        assert_same(&written, &build(&p, &fresh, None));
        assert_eq!(longer.contents_misses, 2, "other folios: {longer:?}");
        // And the same again: all passed over.
        let written = build(&p, &warm, Some(&cache));
        assert_eq!(cache.stats().paged_misses, 0, "{:?}", cache.stats());
        assert_same(&written, &build(&p, &fresh, None));

        // A speech taken out of the book: the chapters after it move up.
        let book = dir.path().join("books/example.toml");
        let toml = fs::read_to_string(&book).unwrap();
        assert!(toml.contains("\"2023-03-hamburg-mieten\""));
        fs::write(&book, toml.replace(", \"2023-03-hamburg-mieten\"", "")).unwrap();
        let written = build(&p, &warm, Some(&cache));
        assert_same(&written, &build(&p, &fresh, None));

        // Another style: nothing is kept.
        fs::create_dir_all(dir.path().join("styles")).unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let style = fs::read_to_string(repo.join("styles/default.toml")).unwrap();
        assert!(style.contains("leading = \"12.6pt\""));
        fs::write(dir.path().join("styles/default.toml"), style.replace("leading = \"12.6pt\"", "leading = \"13pt\""))
            .unwrap();
        fs::copy(repo.join("styles/default.css"), dir.path().join("styles/default.css")).unwrap();
        let written = build(&p, &warm, Some(&cache));
        let styled = cache.stats();
        assert_eq!(styled.paged_hits, 0, "{styled:?}");
        assert_same(&written, &build(&p, &fresh, None));
    }

    /// Every page of the preview drawn, from a build with `cache` (which keeps the pages).
    fn drawn(p: &Project, out: &Path, cache: &Arc<Cache>) -> Vec<String> {
        build(p, out, Some(cache));
        let typeset = cache.keeper().unwrap().take().unwrap();
        (0..typeset.sizes().len()).map(|i| typeset.svg(i).unwrap_or_default()).collect()
    }

    #[test]
    fn under_serve_the_pages_kept_with_chapters_are_the_previews_pages_too() {
        let (dir, p) = example();
        let serving = || {
            let cache = Arc::new(Cache::new());
            cache.keep_pages(Arc::new(crate::pdf::svg::Keeper::default()));
            cache
        };
        let cache = serving();
        let (warm, fresh) = (dir.path().join("out-warm"), dir.path().join("out-fresh"));
        drawn(&p, &warm, &cache);
        // A word changed in the first speech: the chapters after it are passed over, and
        // their pages still reach the preview, as a fresh build draws them.
        let first = dir.path().join("books/speeches/2019-05-leipzig-pflege.md");
        let text = fs::read_to_string(&first).unwrap();
        let word = text.split_whitespace().find(|w| w.len() > 6 && w.chars().all(char::is_alphabetic)).unwrap();
        fs::write(&first, text.replacen(word, "Wortwechsel", 1)).unwrap();
        let pages = drawn(&p, &warm, &cache);
        let s = cache.stats();
        assert!(s.paged_hits >= 4 && s.paged_misses >= 1, "{s:?}");
        assert!(pages == drawn(&p, &fresh, &serving()), "the preview's pages differ from a fresh build's");
    }

    #[test]
    fn a_chapter_whose_printed_pages_move_is_written_again_in_the_epub() {
        let (dir, p) = example();
        let cache = Arc::new(Cache::new());
        let (warm, fresh) = (dir.path().join("out-warm"), dir.path().join("out-fresh"));
        build(&p, &warm, Some(&cache));
        let chapters = cache.stats().epub_misses;
        // The first speech longer by pages: every chapter after it begins on a later
        // page, so its page markers (and its EPUB document) change; the one before does not.
        let speeches = dir.path().join("books/speeches");
        let mut names: Vec<_> = fs::read_dir(&speeches).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        let first = names.iter().find(|n| n.extension().is_some_and(|e| e == "md")).unwrap();
        let mut text = fs::read_to_string(first).unwrap();
        for i in 0..60 {
            text.push_str(&format!("\nAbsatz {i}: Pflegekräfte, Löhne, Zeit, und noch ein paar Wörter mehr.\n"));
        }
        fs::write(first, text).unwrap();
        let written = build(&p, &warm, Some(&cache));
        let s = cache.stats();
        assert!(s.epub_misses >= 2 && s.epub_misses < chapters + 1, "{s:?} of {chapters}");
        assert_same(&written, &build(&p, &fresh, None));
        // The EPUB of the warm build is a fresh build's, entry for entry.
        let epub = written.iter().find(|w| w.extension().is_some_and(|e| e == "epub")).unwrap();
        assert!(fs::read(epub).unwrap() == fs::read(fresh.join("example.epub")).unwrap());
    }

    #[test]
    fn a_new_file_parses_every_speech_again_and_sets_none() {
        let (dir, p) = example();
        let cache = Arc::new(Cache::new());
        let (warm, fresh) = (dir.path().join("out-warm"), dir.path().join("out-fresh"));
        build(&p, &warm, Some(&cache));
        // A file more under books/: links and images are checked against the names again.
        let speeches = dir.path().join("books/speeches");
        fs::write(speeches.join("extra.md"), "---\ntitle: X\nspeaker: Y\ndate: 2020-01-01\n---\n\nText.\n").unwrap();
        let written = build(&p, &warm, Some(&cache));
        let s = cache.stats();
        assert_eq!(s.parsed_hits, 0, "a new file name reads every speech again: {s:?}");
        assert_eq!(s.set_misses, 0, "but the chapters are the same: {s:?}");
        assert_same(&written, &build(&p, &fresh, None));
    }
}
