#!/usr/bin/env python3
"""The editing loop's speed on a generated corpus: a full build, then one speech saved
again and again under `tribune watch` and under `tribune serve`.

Usage: benches/incremental.py [N] [--saves K] [--bin PATH] [--keep DIR]

N speeches (default 1000, made by ../shared/corpus/gen_corpus.py --book); the binary is
target/release/tribune unless --bin names another (build it first: cargo build --release).
It reports, as medians over K saves (default 10):

- full build: `tribune build` (EPUB and PDF) from nothing, wall time;
- watch: from the save of one changed speech (the file written and closed) to the new PDF
  in place (its bytes changed on disk), and the build's own time as watch reports it
  (`millis`, without the 100 ms the loop waits for the saves to settle);
- serve: from the save to the preview's `build` event and the new PDF read from
  `/pdf`, which is what the page does when the event comes (the browser's drawing of the
  PDF is not counted: headless Chromium shows no PDF viewer).

Every build here must succeed, and after the last save each output must be the bytes a
fresh `tribune build` writes.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import queue

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(REPO, "..", "shared", "corpus", "gen_corpus.py")
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", NO_COLOR="1")


def median_ms(xs):
    return f"{statistics.median(xs) * 1000:.0f} ms (min {min(xs) * 1000:.0f}, max {max(xs) * 1000:.0f})"


def rss_mb(pid):
    """The resident memory of process `pid`, MB (Linux)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def save(path, k):
    """Change one speech: a sentence at its end that differs each time."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\n\nNachtrag \d+\.\n$", "\n", text)
    text = text.rstrip("\n") + f"\n\nNachtrag {k}.\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return time.monotonic()


def stat_of(path):
    try:
        st = os.stat(path)
        return (st.st_ino, st.st_size, st.st_mtime_ns)
    except FileNotFoundError:
        return None


def wait_changed(path, before, limit=120):
    """Poll until the file at `path` holds other bytes than `before`. Its status is polled
    and the file read only when that changed: reading a PDF of 8,000 pages every 2 ms
    would take a core from the build it waits for."""
    start = time.monotonic()
    seen = stat_of(path)
    while time.monotonic() - start < limit:
        now = stat_of(path)
        if now is not None and now != seen:
            seen = now
            try:
                with open(path, "rb") as f:
                    data = f.read()
                if data != before:
                    return time.monotonic(), data
            except FileNotFoundError:
                pass
        time.sleep(0.002)
    sys.exit(f"{path} did not change within {limit} s")


def lines_of(stream, q):
    for line in stream:
        q.put(line)


def bench_watch(binary, project, speech, saves):
    pdf = os.path.join(project, "out", "bench.pdf")
    p = subprocess.Popen([binary, "watch", "--project", project, "--message-format", "json"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV)
    q = queue.Queue()
    threading.Thread(target=lines_of, args=(p.stdout, q), daemon=True).start()

    def finished():
        while True:
            m = json.loads(q.get(timeout=600))
            if m.get("reason") == "finished":
                if not m["success"]:
                    sys.exit(f"a watch build failed: {m}")
                return m

    first = finished()
    rss = None
    total, own = [], []
    try:
        for k in range(saves):
            with open(pdf, "rb") as f:
                before = f.read()
            t0 = save(speech, k)
            t1, _ = wait_changed(pdf, before)
            m = finished()
            total.append(t1 - t0)
            own.append(m["millis"] / 1000)
        rss = rss_mb(p.pid)
    finally:
        p.terminate()
        p.wait()
    return first["millis"] / 1000, total, own, rss


def bench_serve(binary, project, speech, saves):
    p = subprocess.Popen([binary, "serve", "bench", "--project", project, "--port", "0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    port = None
    for line in p.stderr:
        m = re.search(r"http://[^ ]*:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        sys.exit("serve printed no address")
    threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()

    def get(path):
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(1 << 20):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return head, body

    def status():
        return json.loads(get("/status")[1])

    start = time.monotonic()
    while status()["generation"] == 0:
        if time.monotonic() - start > 600:
            sys.exit("serve made no first build")
        time.sleep(0.05)
    events = socket.create_connection(("127.0.0.1", port))
    events.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
    buf = b""

    def next_build():
        nonlocal buf
        while True:
            m = re.search(rb"event: build\ndata: ([^\n]*)\n\n", buf)
            if m:
                buf = buf[m.end():]
                return json.loads(m.group(1)) if m.group(1).startswith(b"{") else m.group(1)
            chunk = events.recv(65536)
            if not chunk:
                sys.exit("the event stream ended")
            buf += chunk

    time.sleep(0.5)
    buf = b""
    total = []
    try:
        for k in range(saves):
            t0 = save(speech, 100 + k)
            next_build()
            if not status()["ok"]:
                sys.exit(f"a serve build failed: {status()}")
            _, body = get("/pdf")
            t1 = time.monotonic()
            if not body.startswith(b"%PDF"):
                sys.exit("/pdf is not a PDF")
            total.append(t1 - t0)
    finally:
        events.close()
        p.terminate()
        p.wait()
    return total


def full_build(binary, project, out):
    t0 = time.monotonic()
    r = subprocess.run([binary, "build", "--project", project, "--out", out, "--quiet"], env=ENV)
    if r.returncode != 0:
        sys.exit("the full build failed")
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=1000)
    ap.add_argument("--saves", type=int, default=10)
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "tribune"))
    ap.add_argument("--keep", help="make the corpus here and leave it")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="tribune-incr-")
    project = os.path.join(work, "project")
    if not os.path.isdir(project):
        subprocess.run([sys.executable, GEN, str(a.n), project, "--book"], check=True)
    speech = os.path.join(project, "books", "speeches", f"speech-{a.n // 2:04d}.md")
    try:
        fresh = os.path.join(work, "fresh")
        full = [full_build(a.bin, project, fresh) for _ in range(3)]
        pages = None
        try:
            info = subprocess.run(["pdfinfo", os.path.join(fresh, "bench.pdf")], capture_output=True, text=True)
            pages = re.search(r"Pages:\s+(\d+)", info.stdout).group(1)
        except (OSError, AttributeError):
            pass
        print(f"{a.n} speeches{f', {pages} pages' if pages else ''}; {os.cpu_count()} cores")
        print(f"full build (EPUB + PDF):            {median_ms(full)}")
        first, total, own, rss = bench_watch(a.bin, project, speech, a.saves)
        print(f"watch, first build (nothing kept):  {first * 1000:.0f} ms")
        print(f"watch, save to new PDF on disk:     {median_ms(total)}")
        print(f"watch, the build alone (millis):    {median_ms(own)}")
        if rss:
            print(f"watch, resident memory at the end:  {rss:.0f} MB")
        serve = bench_serve(a.bin, project, speech, a.saves)
        print(f"serve, save to new PDF served:      {median_ms(serve)}")
        # The last outputs must be what a build from scratch writes.
        full_build(a.bin, project, fresh)
        for name in ("bench.pdf", "bench.epub"):
            with open(os.path.join(project, "out", name), "rb") as x, open(os.path.join(fresh, name), "rb") as y:
                if x.read() != y.read():
                    sys.exit(f"{name} of the incremental builds differs from a fresh build's")
        print("the outputs of the last incremental build are byte-identical to a fresh build's")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
