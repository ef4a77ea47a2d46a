//! `tribune serve` over a real TCP socket: traversal requests get 404, a change sends a
//! `build` event and the new words are served, a broken front matter shows its
//! diagnostics (JSON and the page's overlay) until a fix; and, in headless Chromium, the
//! page shows the contents and a speech, and the new words after a change. Timeouts are
//! hang guards, not speed requirements.
#![cfg(unix)]

mod support;

use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const HANG: Duration = Duration::from_secs(60);

const BOOK: &str = "title = \"Reden zur Zeit\"\nlanguage = \"de\"\n\n[select]\nspeeches = [\"a\", \"b\"]\n";

fn speech(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nspeaker: Anna Petrowa\ndate: 2021-12-13\n---\n\n{body}\n")
}

struct Serving {
    dir: tempfile::TempDir,
    child: Child,
    addr: String,
    _stderr: Receiver<String>,
    /// What serve printed up to its first build.
    said: Vec<String>,
}

impl Serving {
    fn start() -> Serving {
        Serving::start_with(&[])
    }

    fn start_with(extra: &[&str]) -> Serving {
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::create_dir_all(dir.path().join("books/speeches")).unwrap();
        fs::write(dir.path().join("books/book.toml"), BOOK).unwrap();
        fs::write(dir.path().join("books/speeches/a.md"), speech("Erste Rede", "Worte der ersten Rede.")).unwrap();
        fs::write(dir.path().join("books/speeches/b.md"), speech("Zweite Rede", "Worte der zweiten Rede.")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tribune"))
            .args(["serve", "--port", "0", "--color", "never"])
            .args(extra)
            .arg("--project")
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tribune serve");
        let (tx, rx) = channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut addr = None;
        let mut built = false;
        let mut said = Vec::new();
        let start = Instant::now();
        while addr.is_none() || !built {
            let line = rx.recv_timeout(HANG.saturating_sub(start.elapsed())).expect("serve starts and builds");
            said.push(line.clone());
            if let Some(rest) = line.split("http://").nth(1) {
                addr = Some(rest.split('/').next().unwrap().to_string());
            }
            built |= line.starts_with("built in");
        }
        Serving { dir, child, addr: addr.unwrap(), _stderr: rx, said }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(HANG)).unwrap();
        s
    }

    /// GET `target` as written (no normalising): (status, body).
    fn get(&self, target: &str) -> (u16, String) {
        let mut s = self.connect();
        write!(s, "GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
        let code = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (code, body.to_string())
    }

    /// Open the event stream; the returned reader has read its first event.
    fn events(&self) -> BufReader<TcpStream> {
        let mut s = self.connect();
        write!(s, "GET /events HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr).unwrap();
        let mut r = BufReader::new(s);
        next_event(&mut r, "hello");
        r
    }

    fn status(&self) -> Value {
        serde_json::from_str(&self.get("/status").1).unwrap()
    }

    /// The name of the first speech's document in the EPUB, from the page's contents.
    fn first_doc(&self) -> String {
        let page = self.get("/").1;
        let at = page.find("/?doc=").expect("a contents entry") + 6;
        page[at..].split('"').next().unwrap().to_string()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Read events until one named `name`; its data.
fn next_event(r: &mut BufReader<TcpStream>, name: &str) -> String {
    let mut event = String::new();
    loop {
        let mut line = String::new();
        assert!(r.read_line(&mut line).expect("an event within the hang guard") > 0, "the stream ended");
        let line = line.trim_end();
        if let Some(e) = line.strip_prefix("event: ") {
            event = e.to_string();
        } else if let Some(d) = line.strip_prefix("data: ") {
            if event == name {
                return d.to_string();
            }
        }
    }
}

#[test]
fn traversal_and_raw_sources_are_404() {
    let s = Serving::start();
    let doc = s.first_doc();
    assert_eq!(s.get(&format!("/epub/{doc}")).0, 200);
    assert_eq!(s.get("/pdf").0, 200);
    let (code, svg) = s.get("/page/1.svg");
    assert!(code == 200 && svg.starts_with("<svg"), "{code} {svg}");
    let (code, line) = s.get("/source?file=books/speeches/a.md&line=2");
    assert!(code == 200 && line.contains("title: Erste Rede"), "{code} {line}");
    for bad in [
        "/epub/../books/book.toml",
        "/epub/OEBPS/../../books/speeches/a.md",
        "/epub/%2e%2e%2fbooks%2fbook.toml",
        "/epub/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2fetc/passwd",
        "/etc/passwd",
        "//etc/passwd",
        "/books/speeches/a.md",
        "/books/",
        "/epub/",
        "/epub",
        "/epub/OEBPS/",
        "/epub/%00",
        "/epub/OEBPS%5c..%5c..%5cbooks",
        "/out/book.pdf",
        "/page/0.svg",
        "/page/99.svg",
        "/page/../1.svg",
        "/page/%2e%2e%2f1.svg",
        "/page/1",
        "/page/+1.svg",
        "/image/1/x",
        "/image/../../books/book.toml",
        "/source?file=/etc/passwd&line=1",
        "/source?file=books/speeches/../book.toml&line=1",
        "/source?file=books%2Fspeeches%2Fa.md&line=0",
        "/source?file=books/speeches/a.md&line=999",
        "/source?file=books/speeches/c.md&line=1",
    ] {
        assert_eq!(s.get(bad).0, 404, "{bad}");
    }
    let (code, body) = s.get("/epub/OEBPS/");
    assert!(code == 404 && !body.contains(".xhtml"), "no listing: {body}");
}

#[test]
fn loopback_by_default_and_a_warning_for_any_other_host() {
    let s = Serving::start();
    assert!(s.addr.starts_with("127.0.0.1:"), "{}", s.addr);
    assert!(!s.said.iter().any(|l| l.starts_with("warning")), "{:?}", s.said);
    let s = Serving::start_with(&["--host", "0.0.0.0"]);
    let warning = s.said.iter().find(|l| l.starts_with("warning")).expect("a warning");
    assert!(warning.contains("not on loopback"), "{warning}");
}

#[test]
fn a_change_sends_an_event_and_serves_the_new_words() {
    let s = Serving::start();
    let doc = s.first_doc();
    let page = s.get("/").1;
    assert!(page.contains("Erste Rede") && page.contains("Zweite Rede"), "the contents: {page}");
    assert!(s.get(&format!("/epub/{doc}")).1.contains("Worte der ersten Rede"));
    let mut events = s.events();
    fs::write(s.path("books/speeches/a.md"), speech("Erste Rede", "Ganz andere Worte jetzt.")).unwrap();
    let data: Value = serde_json::from_str(&next_event(&mut events, "build")).unwrap();
    assert_eq!(data["ok"], true, "{data}");
    assert!(s.get(&format!("/epub/{doc}")).1.contains("Ganz andere Worte jetzt"));
}

#[test]
fn a_failed_build_shows_its_diagnostics_until_the_fix() {
    let s = Serving::start();
    let doc = s.first_doc();
    let mut events = s.events();
    fs::write(s.path("books/speeches/a.md"), "---\ntitle: [kaputt\nspeaker: Anna\ndate: 2021-12-13\n---\n\nNeu.\n")
        .unwrap();
    let data: Value = serde_json::from_str(&next_event(&mut events, "build")).unwrap();
    assert_eq!(data["ok"], false);
    let status = s.status();
    assert_eq!(status["ok"], false);
    let d = &status["diagnostics"][0];
    assert!(d["file"].as_str().unwrap().ends_with("a.md") && d["line"] == 2, "{d}");
    assert_eq!(d["source"], "title: [kaputt");
    let page = s.get("/").1;
    assert!(page.contains("id=\"overlay\""), "{page}");
    assert!(page.contains("a.md:2:") && page.contains("2 | title: [kaputt"), "{page}");
    // The last good build is still served.
    assert!(s.get(&format!("/epub/{doc}")).1.contains("Worte der ersten Rede"));

    fs::write(s.path("books/speeches/a.md"), speech("Erste Rede", "Wieder heil.")).unwrap();
    let data: Value = serde_json::from_str(&next_event(&mut events, "build")).unwrap();
    assert_eq!(data["ok"], true);
    assert_eq!(s.status()["diagnostics"], serde_json::json!([]));
    assert!(!s.get("/").1.contains("id=\"overlay\""));
}

/// Debian's `chromium`, or `None` with a message when it is missing and not required.
fn chromium() -> Option<PathBuf> {
    support::validator("chromium")
}

/// The DOM of `url` once loaded, from headless Chromium (without a virtual time budget,
/// which the page's open event stream would keep from ever running out). Killed, and the
/// test failed, past the hang guard.
fn dump_dom(chromium: &PathBuf, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut dom = tempfile::tempfile().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(dom.try_clone().unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("run chromium");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for chromium") {
            break s;
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "chromium failed: {status:?}");
    let mut text = String::new();
    use std::io::Seek;
    dom.rewind().unwrap();
    dom.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn chromium_shows_the_contents_a_speech_and_a_change() {
    let Some(chromium) = chromium() else { return };
    let s = Serving::start();
    let base = format!("http://{}", s.addr);
    let page = dump_dom(&chromium, &format!("{base}/"));
    assert!(page.contains("Erste Rede") && page.contains("Zweite Rede"), "the contents: {page}");
    assert!(page.contains("id=\"text\"") && page.contains("id=\"pages\""), "{page}");
    let doc = s.first_doc();
    let text = dump_dom(&chromium, &format!("{base}/epub/{doc}"));
    assert!(text.contains("Worte der ersten Rede"), "{text}");
    // The page's own reload is driven by the event (tested above over the socket); here
    // the browser loads again after the event and sees the new words.
    let mut events = s.events();
    fs::write(s.path("books/speeches/a.md"), speech("Erste Rede", "Neue Worte im Browser.")).unwrap();
    next_event(&mut events, "build");
    let text = dump_dom(&chromium, &format!("{base}/epub/{doc}"));
    assert!(text.contains("Neue Worte im Browser"), "{text}");
}

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// JSON messages ended by NUL on file descriptors 3 and 4), so that one page stays open
/// across a rebuild, as an editor's does. Messages are read on a thread; every wait is
/// bounded by the hang guard.
struct Browser {
    child: Child,
    to: fs::File,
    from: Receiver<Value>,
    next: u64,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn open(chromium: &PathBuf, url: &str) -> Browser {
        use std::os::fd::FromRawFd;
        use std::os::unix::process::CommandExt;
        let pipe = || {
            let mut fds = [0; 2];
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "a pipe");
            (fds[0], fds[1])
        };
        let ((to_read, to_write), (from_read, from_write)) = (pipe(), pipe());
        let profile = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--remote-debugging-pipe",
            "--window-size=1440,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // In the child: its end of each pipe on descriptors 3 and 4 (duplicated first, so
        // that neither lands on the other).
        unsafe {
            cmd.pre_exec(move || {
                let (a, b) = (libc::dup(to_read), libc::dup(from_write));
                if a < 0 || b < 0 || libc::dup2(a, 3) < 0 || libc::dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("run chromium");
        let (to, from) = unsafe {
            libc::close(to_read);
            libc::close(from_write);
            (fs::File::from_raw_fd(to_write), fs::File::from_raw_fd(from_read))
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(from);
            loop {
                let mut msg = Vec::new();
                if r.read_until(0, &mut msg).unwrap_or(0) == 0 {
                    return;
                }
                msg.pop();
                if let Ok(v) = serde_json::from_slice::<Value>(&msg) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let mut b = Browser { child, to, from: rx, next: 0, session: String::new(), _profile: profile };
        let target = b.call("Target.createTarget", serde_json::json!({ "url": url }));
        let id = target["targetId"].as_str().expect("a target").to_string();
        let attached = b.call("Target.attachToTarget", serde_json::json!({ "targetId": id, "flatten": true }));
        b.session = attached["sessionId"].as_str().expect("a session").to_string();
        b
    }

    /// Call `method` (on the page once attached) and wait for its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = serde_json::json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            msg["sessionId"] = Value::String(self.session.clone());
        }
        let mut bytes = msg.to_string().into_bytes();
        bytes.push(0);
        self.to.write_all(&bytes).expect("write to chromium");
        let start = Instant::now();
        loop {
            let m = self.from.recv_timeout(HANG.saturating_sub(start.elapsed())).expect("chromium answers");
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
        }
    }

    /// The value of the script `expr` in the page (promises awaited).
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
        );
        r["result"]["value"].clone()
    }

    /// Wait until `expr` is true in the page; how long it took.
    fn wait_for(&mut self, expr: &str) -> Duration {
        let start = Instant::now();
        while self.eval(expr) != Value::Bool(true) {
            assert!(start.elapsed() < HANG, "never true: {expr}");
            std::thread::sleep(Duration::from_millis(20));
        }
        start.elapsed()
    }

    /// A left click at (x, y) of the viewport, as a mouse gives it.
    fn click(&mut self, x: f64, y: f64) {
        for kind in ["mousePressed", "mouseReleased"] {
            let e = serde_json::json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 });
            self.call("Input.dispatchMouseEvent", e);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The script that is true when a drawn page's text holds `words`.
fn page_shows(words: &str) -> String {
    format!("[...document.querySelectorAll('#pages svg')].some(s => s.textContent.includes({words:?}))")
}

#[test]
fn chromium_shows_the_typeset_pages_follows_a_save_and_names_a_line_s_source() {
    let Some(chromium) = chromium() else { return };
    let s = Serving::start();
    let doc = s.first_doc();
    let mut b = Browser::open(&chromium, &format!("http://{}/?doc={doc}", s.addr));
    // The speech's first page is drawn as SVG: glyph outlines and the line's text.
    b.wait_for(&page_shows("Worte der ersten Rede"));
    assert_eq!(b.eval("document.querySelectorAll('#pages svg use').length > 20"), Value::Bool(true));
    assert_eq!(b.eval("document.querySelectorAll('#pages svg defs path').length > 10"), Value::Bool(true));
    // It opens at the speech's first page: that page's top is at the pane's top.
    let first = b.eval(
        "(() => { const p = document.getElementById('pages'); \
         const s = [...p.querySelectorAll('.sheet')].find(s => s.textContent.includes('Worte der ersten Rede')); \
         return Math.abs(s.getBoundingClientRect().top - p.getBoundingClientRect().top) < 40; })()",
    );
    assert_eq!(first, Value::Bool(true), "the pane opens at the speech's first page");
    let top = b.eval("document.getElementById('pages').scrollTop");
    assert!(top.as_f64().unwrap() > 0.0, "the speech is not on the first page: {top}");

    // A save: the page shows the new words by itself, the pane's scroll position kept.
    let mut events = s.events();
    fs::write(
        s.path("books/speeches/a.md"),
        speech("Erste Rede", "Ein erster Absatz.\n\nDer zweite Absatz mit neuen Worten."),
    )
    .unwrap();
    let saved = Instant::now();
    next_event(&mut events, "build");
    b.wait_for(&page_shows("Der zweite Absatz mit neuen Worten"));
    // Reported, not asserted: timings depend on the machine (see README, "serve").
    eprintln!("the new words were on the SVG page {:?} after the save", saved.elapsed());
    assert_eq!(b.eval("document.getElementById('pages').scrollTop"), top, "the scroll position is kept");
    assert_eq!(b.eval(&page_shows("Worte der ersten Rede")), Value::Bool(false));

    // A click on the line shows its source file and line, and the line's text.
    let centre = b.eval(
        "(() => { const t = [...document.querySelectorAll('#pages svg text')] \
         .find(t => t.textContent.includes('zweite Absatz')); t.scrollIntoView({ block: 'center' }); \
         const r = t.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()",
    );
    let (x, y) = (centre[0].as_f64().unwrap(), centre[1].as_f64().unwrap());
    b.click(x, y);
    b.wait_for("document.querySelector('#source pre').textContent !== ''");
    assert_eq!(b.eval("document.querySelector('#source .where').textContent"), "books/speeches/a.md:9");
    assert_eq!(b.eval("document.querySelector('#source pre').textContent"), "9 | Der zweite Absatz mit neuen Worten.");
    assert_eq!(b.eval("document.getElementById('source').hidden"), Value::Bool(false));
}
