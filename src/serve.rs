//! `tribune serve`: the watch loop plus a preview in the browser, over a small HTTP/1.1
//! server on `std::net` (one thread per connection; GET and HEAD only).
//!
//! What it serves, and nothing else (every other path is 404, there is no listing):
//!
//! - `/`: the book's contents (from the EPUB's navigation document), the reading text of
//!   the chosen document (`/?doc=NAME`) in a frame and the typeset pages beside it (SVG,
//!   opening at the document's first page), and the diagnostics of a failed build over them;
//! - `/pages?doc=NAME`: the pages' sizes and the document's first page, as JSON;
//! - `/page/N.svg`: page N (from 1) of the last good PDF as SVG, drawn when asked
//!   (`pdf/svg.rs`), each line naming its source file and line;
//! - `/image/N/K`: the K-th image (from 0) of page N, as JPEG or PNG;
//! - `/source?file=F&line=L`: line L of source file F of the last good build (F only as
//!   the build names its sources), as JSON;
//! - `/epub/NAME`: a file of the last good EPUB, looked up by its exact name in the
//!   archive (XHTML, CSS, fonts and the images the book uses; never a file of `books/`);
//! - `/pdf`: the last good PDF, for the browser's own viewer;
//! - `/status`: the last build as JSON (`generation`, `ok`, `diagnostics`);
//! - `/events`: server-sent events, one `build` event after each build.

use crate::diagnostics::Report;
use crate::incremental::Cache;
use crate::messages;
use crate::pdf::svg::{Keeper, Typeset};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// What the server knows of the builds; shared with the watch loop.
#[derive(Default)]
struct State {
    /// Counts the builds; the events tell the browser which one it sees.
    generation: u64,
    /// Whether the last build succeeded.
    ok: bool,
    /// The last build's diagnostics as JSON messages (see [`crate::messages`]).
    diagnostics: Vec<Value>,
    /// The files of the last good EPUB, by their names in the archive.
    epub: BTreeMap<String, Vec<u8>>,
    /// The navigation document's name in the archive and its entries (href, title, depth),
    /// hrefs relative to the archive's root.
    contents: Vec<(String, String, usize)>,
    /// The last good PDF.
    pdf: Option<PathBuf>,
    /// The book's title, from the last good EPUB's navigation document.
    title: Option<String>,
    /// The last good PDF's pages, for the SVG pages.
    pages: Option<Arc<Typeset>>,
}

/// The preview: its state and the condition the event streams wait on.
#[derive(Clone)]
pub struct Preview {
    shared: Arc<(Mutex<State>, Condvar)>,
    title: Arc<str>,
    /// Where the builds leave their pages (see [`Preview::attach`]).
    keeper: Arc<Keeper>,
}

impl Preview {
    /// A preview of the book named `title` (the page's title until a build gives the
    /// book's own), before any build.
    pub fn new(title: &str) -> Preview {
        Preview {
            shared: Arc::new((Mutex::new(State::default()), Condvar::new())),
            title: title.into(),
            keeper: Arc::default(),
        }
    }

    /// Have the builds that use `cache` keep their PDF's pages for this preview's SVG pages.
    pub fn attach(&self, cache: &Cache) {
        cache.keep_pages(self.keeper.clone());
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Record a build: its report, and when it succeeded its EPUB and PDF (read now, so
    /// that the preview shows this build's files whatever happens to them later).
    pub fn update(&self, report: &Report, epub: Option<&Path>, pdf: Option<&Path>) {
        let ok = !report.has_errors();
        let diagnostics =
            report.items.iter().filter_map(|d| serde_json::from_str(&messages::diagnostic(d)).ok()).collect();
        let files = if ok { epub.and_then(|e| read_epub(e).ok()) } else { None };
        // A failed build may have written its PDF's pages before another format failed:
        // they are dropped with the rest of it.
        let pages = self.keeper.take().filter(|_| ok);
        let mut s = self.state();
        s.generation += 1;
        s.ok = ok;
        s.diagnostics = diagnostics;
        if let Some(files) = files {
            (s.title, s.contents) = contents(&files);
            s.epub = files;
        }
        if ok {
            s.pdf = pdf.map(Path::to_path_buf);
            if pages.is_some() {
                s.pages = pages;
            }
        }
        drop(s);
        self.shared.1.notify_all();
    }

    /// The last build as the `/status` JSON.
    fn status(&self) -> Value {
        let s = self.state();
        json!({ "generation": s.generation, "ok": s.ok, "diagnostics": s.diagnostics })
    }

    /// Listen on `addr` and serve on a thread of its own; returns the address bound
    /// (port 0 takes a free one).
    pub fn listen(&self, addr: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr)?;
        let bound = listener.local_addr()?;
        let me = self.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let me = me.clone();
                std::thread::spawn(move || {
                    let _ = me.handle(stream);
                });
            }
        });
        Ok(bound)
    }

    fn handle(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut request_line = String::new();
        (&mut reader).take(8192).read_line(&mut request_line)?;
        // The headers are read and dropped (nothing here depends on them), to 64 KB.
        let mut header = String::new();
        let mut seen = 0;
        loop {
            header.clear();
            let n = (&mut reader).take(8192).read_line(&mut header)?;
            seen += n;
            if n == 0 || header == "\r\n" || header == "\n" || seen > 65536 {
                break;
            }
        }
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let mut out = stream;
        if method != "GET" && method != "HEAD" {
            return respond(&mut out, 405, "text/plain; charset=utf-8", b"only GET and HEAD\n", method == "HEAD");
        }
        let head = method == "HEAD";
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let Some(path) = percent_decode(path) else {
            return not_found(&mut out, head);
        };
        match path.as_str() {
            "/" => {
                let doc = query_param(query, "doc");
                let page = self.page(doc.as_deref());
                respond(&mut out, 200, "text/html; charset=utf-8", page.as_bytes(), head)
            }
            "/pages" => {
                let doc = query_param(query, "doc");
                respond(&mut out, 200, "application/json", self.pages(doc.as_deref()).to_string().as_bytes(), head)
            }
            "/source" => {
                let (file, line) = (query_param(query, "file"), query_param(query, "line"));
                match self.source(file.as_deref(), line.and_then(|l| l.parse().ok())) {
                    Some(v) => respond(&mut out, 200, "application/json", v.to_string().as_bytes(), head),
                    None => not_found(&mut out, head),
                }
            }
            "/status" => respond(&mut out, 200, "application/json", self.status().to_string().as_bytes(), head),
            "/events" => self.events(&mut out),
            "/pdf" => {
                let pdf = self.state().pdf.clone();
                match pdf.and_then(|p| std::fs::read(p).ok()) {
                    Some(bytes) => respond(&mut out, 200, "application/pdf", &bytes, head),
                    None => not_found(&mut out, head),
                }
            }
            p if p.starts_with("/page/") || p.starts_with("/image/") => {
                let pages = self.state().pages.clone();
                let found = pages.and_then(|t| match p.strip_prefix("/page/").and_then(|n| n.strip_suffix(".svg")) {
                    Some(n) => {
                        let n = page_number(n)?;
                        t.svg(n - 1).map(|svg| ("image/svg+xml", svg.into_bytes()))
                    }
                    None => {
                        let (n, k) = p.strip_prefix("/image/")?.split_once('/')?;
                        t.image(page_number(n)? - 1, k.parse().ok().filter(|_| k.bytes().all(|b| b.is_ascii_digit()))?)
                    }
                });
                match found {
                    Some((media, body)) => respond(&mut out, 200, media, &body, head),
                    None => not_found(&mut out, head),
                }
            }
            p => match p.strip_prefix("/epub/") {
                // The archive's own names only: no file system path is ever formed.
                Some(name) if safe_name(name) => {
                    let body = self.state().epub.get(name).cloned();
                    match body {
                        Some(b) => respond(&mut out, 200, media_type(name), &b, head),
                        None => not_found(&mut out, head),
                    }
                }
                _ => not_found(&mut out, head),
            },
        }
    }

    /// The event stream: a `build` event whenever the generation changes, a comment every
    /// 15 s to keep the connection open; ends when the browser goes.
    fn events(&self, out: &mut TcpStream) -> std::io::Result<()> {
        out.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
              Connection: keep-alive\r\n\r\n",
        )?;
        let mut seen = self.state().generation;
        write!(out, "retry: 500\nevent: hello\ndata: {seen}\n\n")?;
        out.flush()?;
        loop {
            let (lock, cv) = &*self.shared;
            let guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            let (guard, _) = cv
                .wait_timeout_while(guard, Duration::from_secs(15), |s| s.generation == seen)
                .unwrap_or_else(|p| p.into_inner());
            let (generation, ok) = (guard.generation, guard.ok);
            drop(guard);
            if generation == seen {
                out.write_all(b": keep-alive\n\n")?;
            } else {
                seen = generation;
                let data = json!({ "generation": generation, "ok": ok });
                write!(out, "event: build\ndata: {data}\n\n")?;
            }
            out.flush()?;
        }
    }

    /// The pages' sizes (points) and the first page (from 1) of the EPUB document `doc`,
    /// as JSON for the page's script.
    fn pages(&self, doc: Option<&str>) -> Value {
        let s = self.state();
        let Some(t) = &s.pages else {
            return json!({ "generation": s.generation, "sizes": [], "first": null });
        };
        let first = doc.and_then(|d| t.first_page_of(d)).map(|i| i + 1);
        let sizes: Vec<[f64; 2]> = t
            .sizes()
            .iter()
            .map(|&(w, h)| [(w as f64 * 100.0).round() / 100.0, (h as f64 * 100.0).round() / 100.0])
            .collect();
        json!({ "generation": s.generation, "sizes": sizes, "first": first })
    }

    /// Line `line` of the source `file` of the last good build, as JSON; `None` for a file
    /// the build did not read or a line it does not have.
    fn source(&self, file: Option<&str>, line: Option<usize>) -> Option<Value> {
        let (file, line) = (file?, line?);
        let path = self.state().pages.as_ref()?.source_path(file)?;
        let text = std::fs::read_to_string(path).ok()?;
        let shown = text.lines().nth(line.checked_sub(1)?)?;
        Some(json!({ "file": file, "line": line, "text": shown }))
    }

    /// The preview page: contents, the chosen document's reading text and the PDF, and the
    /// overlay of a failed build's diagnostics.
    fn page(&self, doc: Option<&str>) -> String {
        let s = self.state();
        let doc = doc
            .filter(|d| s.epub.contains_key(*d))
            .map(str::to_string)
            .or_else(|| s.contents.first().map(|(href, _, _)| href.split('#').next().unwrap_or("").to_string()));
        let mut toc = String::new();
        for (href, title, depth) in &s.contents {
            let file = href.split('#').next().unwrap_or("");
            let current = if Some(file) == doc.as_deref() { " class=\"current\"" } else { "" };
            toc.push_str(&format!(
                "<li style=\"margin-left:{}em\"><a{current} href=\"/?doc={}\">{}</a></li>\n",
                depth.saturating_sub(1),
                esc(&query_encode(file)),
                esc(title)
            ));
        }
        let overlay = if s.ok || s.generation == 0 { String::new() } else { overlay_html(&s.diagnostics) };
        let text = match &doc {
            Some(d) => format!("<iframe id=\"text\" title=\"reading text\" src=\"/epub/{}\"></iframe>", esc(d)),
            None => "<p class=\"empty\">No good build yet: fix the errors shown.</p>".to_string(),
        };
        let pdf = format!(
            "<section id=\"pages\" aria-label=\"typeset pages\" data-doc=\"{}\">{}</section>",
            esc(doc.as_deref().unwrap_or("")),
            if s.pages.is_some() { "" } else { "<p class=\"empty\">No typeset pages yet.</p>" }
        );
        PAGE.replace("{title}", &esc(s.title.as_deref().unwrap_or(&self.title)))
            .replace("{generation}", &s.generation.to_string())
            .replace("{contents}", &toc)
            .replace("{text}", &text)
            .replace("{pdf}", &pdf)
            .replace("{overlay}", &overlay)
    }
}

/// The diagnostics of a failed build as HTML: file, line and column, message, the source
/// line and the help; the page's script makes the same from `/status`.
fn overlay_html(diagnostics: &[Value]) -> String {
    let mut h = String::from("<div id=\"overlay\"><h2>The build failed; the preview shows the last good build</h2>");
    for d in diagnostics {
        let s = |k: &str| d[k].as_str().map(esc);
        let place = match (s("file"), d["line"].as_u64(), d["column"].as_u64()) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            (Some(f), Some(l), None) => format!("{f}:{l}"),
            (Some(f), None, _) => f,
            _ => String::new(),
        };
        h.push_str(&format!(
            "<div class=\"diag {}\"><p class=\"msg\"><b>{}</b>: {}</p><p class=\"place\">{place}</p>",
            s("severity").unwrap_or_default(),
            s("severity").unwrap_or_default(),
            s("message").unwrap_or_default()
        ));
        if let (Some(src), Some(l)) = (s("source"), d["line"].as_u64()) {
            h.push_str(&format!("<pre class=\"source\">{l} | {src}</pre>"));
        }
        if let Some(help) = s("help") {
            h.push_str(&format!("<p class=\"help\">help: {help}</p>"));
        }
        h.push_str("</div>");
    }
    h.push_str("</div>");
    h
}

/// The files of an EPUB archive by name.
fn read_epub(path: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| e.to_string())?;
        if f.is_dir() {
            continue;
        }
        let mut bytes = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        files.insert(f.name().to_string(), bytes);
    }
    Ok(files)
}

/// The book's title and the entries of the EPUB's navigation document (the document with
/// the `toc` nav), hrefs made relative to the archive's root.
#[allow(clippy::type_complexity)]
fn contents(files: &BTreeMap<String, Vec<u8>>) -> (Option<String>, Vec<(String, String, usize)>) {
    let Some((nav, text)) = files
        .iter()
        .filter(|(n, _)| n.ends_with(".xhtml"))
        .find(|(_, b)| std::str::from_utf8(b).is_ok_and(|t| t.contains("epub:type=\"toc\"")))
    else {
        return (None, Vec::new());
    };
    let Ok(text) = std::str::from_utf8(text) else { return (None, Vec::new()) };
    let Ok(doc) = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
    ) else {
        return (None, Vec::new());
    };
    let dir = nav.rsplit_once('/').map_or("", |(d, _)| d);
    let title = book_title(files);
    let Some(toc) = doc
        .descendants()
        .find(|n| n.has_tag_name("nav") && n.attributes().any(|a| a.name() == "type" && a.value() == "toc"))
    else {
        return (title, Vec::new());
    };
    let entries = toc
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|a| {
            let href = a.attribute("href")?;
            let depth = a.ancestors().filter(|n| n.has_tag_name("ol")).count();
            let title: String = a.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
            let full = if dir.is_empty() { href.to_string() } else { format!("{dir}/{href}") };
            Some((full, title.split_whitespace().collect::<Vec<_>>().join(" "), depth))
        })
        .collect();
    (title, entries)
}

/// The book's title: the package document's first `dc:title`.
fn book_title(files: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    let (_, opf) = files.iter().find(|(n, _)| n.ends_with(".opf"))?;
    let text = std::str::from_utf8(opf).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    let title = doc.descendants().find(|n| n.has_tag_name(("http://purl.org/dc/elements/1.1/", "title")))?;
    title.text().map(str::to_string)
}

/// Whether `name` can only be an archive name: no empty, `.` or `..` segment, no
/// backslash or NUL, not absolute.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains(['\\', '\0'])
        && name.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// `%XX` decoded; `None` for a bad escape or text that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| percent_decode(&v.replace('+', " ")))
}

/// A page number as a path gives it: digits only, from 1.
fn page_number(n: &str) -> Option<usize> {
    n.bytes().all(|b| b.is_ascii_digit()).then(|| n.parse().ok()).flatten().filter(|n| *n > 0)
}

fn query_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn media_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).as_deref() {
        Some("xhtml") => "application/xhtml+xml",
        Some("css") => "text/css",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("ttf") => "font/ttf",
        Some("otf") => "font/otf",
        Some("woff2") => "font/woff2",
        Some("opf" | "xml" | "ncx") => "application/xml",
        _ => "application/octet-stream",
    }
}

fn not_found(out: &mut TcpStream, head: bool) -> std::io::Result<()> {
    respond(out, 404, "text/plain; charset=utf-8", b"not found\n", head)
}

fn respond(out: &mut TcpStream, code: u16, media: &str, body: &[u8], head: bool) -> std::io::Result<()> {
    let reason = match code {
        200 => "OK",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    // A served EPUB document may hold no script (the EPUB is made without any); the policy
    // says so to the browser too. The preview page's own script is the one allowed. The
    // PDF gets none: the browser's viewer is its own.
    let csp = if media.starts_with("text/html") {
        "Content-Security-Policy: default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline' 'self'\r\n"
    } else if media == "application/pdf" {
        ""
    } else {
        "Content-Security-Policy: default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'\r\n"
    };
    write!(
        out,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {media}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\n{csp}Connection: close\r\n\r\n",
        body.len()
    )?;
    if !head {
        out.write_all(body)?;
    }
    out.flush()
}

/// The preview page. The script lays out the typeset pages (from `/pages`) and draws
/// each as it nears the view (from `/page/N.svg`); a click on a line asks `/source` for its
/// line and shows it. It listens for builds: after a good one it reloads the reading text
/// and the pages drawn, keeping both scroll positions; after a failed one it shows the
/// diagnostics from `/status` over the page.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Tribune preview</title>
<style>
body{margin:0;font:15px/1.4 system-ui,sans-serif;display:grid;grid-template-columns:16em 1fr 1fr;height:100vh;overflow:hidden}
nav{overflow:auto;padding:.5em 1em;background:#f4f2ee;border-right:1px solid #ccc}
nav h1{font-size:1.1em} nav ol{list-style:none;padding:0} nav li{margin:.2em 0}
nav a{color:#222;text-decoration:none} nav a.current{font-weight:bold} nav a:hover{text-decoration:underline}
iframe{border:0;width:100%;height:100vh} #text{border-right:1px solid #ccc}
#pages{overflow-y:auto;overflow-x:hidden;height:100vh;background:#8a8d91;padding:1.6em 0 6em;box-sizing:border-box}
.sheet{width:calc(100% - 3em);max-width:52em;margin:0 auto 1.8em;background:#fff;box-shadow:0 1px 4px #0006;position:relative}
.sheet::before{content:'page ' attr(data-n);position:absolute;right:0;top:-1.45em;color:#f4f4f4;font-size:.75em}
.sheet svg{display:block;width:100%;height:100%}
.sheet svg text{cursor:text} .sheet svg text::selection{fill:#0000;background:#4a90e255}
.sheet svg rect.picked{fill:#f5c400;opacity:.3}
#source{position:fixed;right:1em;bottom:1em;width:calc(50vw - 11em);max-width:40em;background:#fffdf4;border:1px solid #b9a76a;box-shadow:0 2px 8px #0004;padding:.4em .8em;font-size:.9em;max-height:30vh;overflow:auto}
#source .where{font-family:monospace;color:#036} #source pre{margin:.3em 0 0;white-space:pre-wrap;background:#f1eee3;padding:.3em .5em}
#source button{float:right;border:0;background:none;font-size:1.1em;cursor:pointer}
.empty{padding:2em;color:#666} #pages .empty{color:#fff}
#overlay{position:fixed;inset:2em;overflow:auto;background:rgba(255,250,250,.97);border:2px solid #b00;padding:1em 2em;box-shadow:0 0 2em #0005}
#overlay h2{color:#b00;font-size:1.2em} .diag{margin:1em 0} .diag.warning b{color:#a60} .diag.error b{color:#b00}
.place{font-family:monospace;color:#036;margin:.2em 0} .source{background:#eee;padding:.3em .6em} .help{color:#333}
</style></head>
<body data-generation="{generation}">
<nav><h1>{title}</h1><p><a href="/pdf" target="_blank">The PDF</a></p><ol id="contents">
{contents}</ol></nav>
{text}
{pdf}
<aside id="source" hidden><button type="button" aria-label="close">×</button><div class="where"></div><pre></pre></aside>
{overlay}
<script>
(function () {
  const text = () => document.getElementById('text');
  const pane = document.getElementById('pages');
  const panel = document.getElementById('source');
  let sizes = [];
  let generation = document.body.dataset.generation;
  const seen = new IntersectionObserver(es => es.forEach(e => { if (e.isIntersecting) draw(e.target, false); }),
    { root: pane, rootMargin: '1200px 0px' });
  function draw(sheet, again) {
    if (!again && sheet.dataset.state) return Promise.resolve();
    sheet.dataset.state = 'loading';
    return fetch('/page/' + sheet.dataset.n + '.svg?g=' + generation)
      .then(r => r.ok ? r.text() : Promise.reject(r.status))
      .then(svg => { sheet.innerHTML = svg; sheet.dataset.state = 'drawn'; })
      .catch(() => { sheet.dataset.state = ''; });
  }
  // Lay the pages out as sheets of their size; `keep`: after a rebuild, where the pane
  // was scrolled stays, and pages already drawn are drawn again.
  function layout(keep) {
    return fetch('/pages?doc=' + encodeURIComponent(pane.dataset.doc)).then(r => r.json()).then(info => {
      const same = info.sizes.length === sizes.length && info.sizes.every((s, i) => s[0] === sizes[i][0] && s[1] === sizes[i][1]);
      if (keep && same) {
        pane.querySelectorAll('.sheet').forEach(s => { if (s.dataset.state === 'drawn') draw(s, true); });
        return;
      }
      const top = pane.scrollTop;
      seen.disconnect();
      pane.querySelectorAll('.sheet').forEach(s => s.remove());
      sizes = info.sizes;
      if (sizes.length) pane.querySelectorAll('.empty').forEach(e => e.remove());
      sizes.forEach((s, i) => {
        const d = document.createElement('div');
        d.className = 'sheet';
        d.dataset.n = i + 1;
        d.style.aspectRatio = s[0] + ' / ' + s[1];
        pane.appendChild(d);
      });
      if (keep) pane.scrollTop = top;
      else if (info.first) {
        // The speech's first page at the top, its number above it in view.
        pane.querySelector('.sheet[data-n="' + info.first + '"]').scrollIntoView({ block: 'start' });
        pane.scrollTop -= 22;
      }
      pane.querySelectorAll('.sheet').forEach(s => seen.observe(s));
    });
  }
  if (pane) {
    layout(false);
    pane.addEventListener('click', e => {
      const line = e.target.closest && e.target.closest('text[data-file]');
      if (!line || String(window.getSelection()).length) return;
      const svg = line.ownerSVGElement;
      svg.querySelectorAll('rect.picked').forEach(r => r.remove());
      const b = line.getBBox();
      const mark = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      for (const [k, v] of [['x', b.x - 2], ['y', b.y], ['width', b.width + 4], ['height', b.height]]) mark.setAttribute(k, v);
      mark.setAttribute('class', 'picked');
      svg.insertBefore(mark, svg.querySelector('.ink'));
      const file = line.dataset.file, at = line.dataset.line;
      panel.querySelector('.where').textContent = file + (at ? ':' + at : '');
      panel.querySelector('pre').textContent = '';
      panel.hidden = false;
      if (at) fetch('/source?file=' + encodeURIComponent(file) + '&line=' + at)
        .then(r => r.ok ? r.json() : null)
        .then(s => { if (s) panel.querySelector('pre').textContent = at + ' | ' + s.text; });
    });
    panel.querySelector('button').addEventListener('click', () => { panel.hidden = true; });
  }
  function reloadFrames() {
    const t = text();
    if (t && t.contentWindow) {
      const y = t.contentWindow.scrollY;
      t.addEventListener('load', () => t.contentWindow.scrollTo(0, y), { once: true });
      t.contentWindow.location.reload();
    }
    if (pane) layout(true);
  }
  function esc(s) { return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c])); }
  function showOverlay(diags) {
    let o = document.getElementById('overlay');
    if (!o) { o = document.createElement('div'); o.id = 'overlay'; document.body.appendChild(o); }
    let h = '<h2>The build failed; the preview shows the last good build</h2>';
    for (const d of diags) {
      const place = d.file ? esc(d.file) + (d.line ? ':' + d.line : '') + (d.column ? ':' + d.column : '') : '';
      h += '<div class="diag ' + esc(d.severity) + '"><p class="msg"><b>' + esc(d.severity) + '</b>: ' + esc(d.message) + '</p><p class="place">' + place + '</p>';
      if (d.source != null && d.line) h += '<pre class="source">' + d.line + ' | ' + esc(d.source) + '</pre>';
      if (d.help) h += '<p class="help">help: ' + esc(d.help) + '</p>';
      h += '</div>';
    }
    o.innerHTML = h;
  }
  const events = new EventSource('/events');
  events.addEventListener('build', e => {
    const b = JSON.parse(e.data);
    document.body.dataset.generation = b.generation;
    generation = b.generation;
    if (b.ok) {
      const o = document.getElementById('overlay');
      if (o) o.remove();
      if (!text() || document.getElementById('contents').children.length === 0) { location.reload(); return; }
      reloadFrames();
    } else {
      fetch('/status').then(r => r.json()).then(s => showOverlay(s.diagnostics));
    }
  });
})();
</script>
</body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_never_a_name() {
        for bad in ["", "/etc/passwd", "../books/a.md", "OEBPS/../../x", "a//b", "./a", "a\\..\\b", "a\0b"] {
            assert!(!safe_name(bad), "{bad:?}");
        }
        assert!(safe_name("OEBPS/chapter_1.xhtml"));
        assert_eq!(percent_decode("/epub/%2e%2e%2fx").as_deref(), Some("/epub/../x"));
        assert_eq!(percent_decode("/a%2"), None);
        assert_eq!(percent_decode("/a%zz"), None);
    }
}
