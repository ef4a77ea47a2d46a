#!/usr/bin/env python3
"""Soak test of `tribune watch` (not in CI): random edits to a copy of the bundled example
project for a long while, checking after every build that the last good outputs stay valid.

Usage: benches/soak.py [--minutes M] [--bin PATH] [--seed S] [--log FILE]

The edits, chosen at random: a speech's text changed; a speech deleted and made again; a
speech renamed (the book then misses it) and renamed back; a book file with a syntax
error, then repaired; a font removed from fonts/ and put back; 100 saves of one speech in
a second (which must give one build); a save by rename. After each build it checks that:

- watch is still running, and answers every change with one build;
- a build that should succeed did, and one that should fail did (with a diagnostic);
- after a failed build the outputs are byte for byte the last good ones;
- after a good build each output is whole (the EPUB a readable ZIP with its mimetype
  first, the PDF read by qpdf --check when qpdf is there, else ending in %%EOF), and the
  last edit's words are in the EPUB;
- every 10th good build, the outputs are the bytes of a fresh `tribune build`.

It prints a line per event and a summary (events, builds, failures seen as expected,
problems found, the watch process's memory at the start and the end).
"""
import argparse
import hashlib
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", NO_COLOR="1")
HANG = 300  # seconds: no build of this project takes that long, even on a busy machine


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.work = tempfile.mkdtemp(prefix="tribune-soak-")
        self.root = os.path.join(self.work, "project")
        for d in ("books", "fonts", "styles"):
            if os.path.isdir(os.path.join(REPO, d)):
                shutil.copytree(os.path.join(REPO, d), os.path.join(self.root, d))
        self.out = os.path.join(self.root, "out")
        self.log = open(a.log, "a") if a.log else None
        self.problems = []
        self.events = 0
        self.builds = 0
        self.failed_as_expected = 0
        self.good = {}  # output name -> sha256 of the last good build
        self.marker = None
        self.counter = 0
        self.longest = 0.0  # seconds, the longest build so far
        self.p = subprocess.Popen(
            [a.bin, "watch", "--project", self.root, "--message-format", "json"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV)
        self.q = queue.Queue()
        threading.Thread(target=self.read, daemon=True).start()
        signal.signal(signal.SIGTERM, self.stopped)

    def stopped(self, *_):
        self.p.terminate()
        shutil.rmtree(self.work, ignore_errors=True)
        sys.exit(1)

    def read(self):
        for line in self.p.stdout:
            try:
                self.q.put(json.loads(line))
            except ValueError:
                self.q.put({"reason": "garbage", "line": line})

    def say(self, msg):
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        if self.log:
            self.log.write(line + "\n")
            self.log.flush()

    def problem(self, msg):
        self.problems.append(msg)
        self.say("PROBLEM: " + msg)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def speeches(self):
        d = self.path("books/speeches")
        return sorted(os.path.relpath(os.path.join(r, f), self.root)
                      for r, _, fs in os.walk(d) for f in fs if f.endswith(".md"))

    def outputs(self):
        return {n: hashlib.sha256(open(os.path.join(self.out, n), "rb").read()).hexdigest()
                for n in sorted(os.listdir(self.out)) if not n.startswith(".")} if os.path.isdir(self.out) else {}

    def build(self, expect_ok, what):
        """Wait for the next build; check it and the outputs."""
        msgs = []
        while True:
            if self.p.poll() is not None:
                self.problem(f"watch ended (status {self.p.returncode}) during: {what}")
                raise SystemExit(1)
            try:
                m = self.q.get(timeout=HANG)
            except queue.Empty:
                self.problem(f"no build within {HANG} s after: {what}")
                return None
            if m.get("reason") == "garbage":
                self.problem(f"a line that is not JSON: {m['line']!r}")
                continue
            msgs.append(m)
            if m.get("reason") == "finished":
                break
        self.builds += 1
        self.longest = max(self.longest, msgs[-1].get("millis", 0) / 1000)
        ok = msgs[-1]["success"]
        if expect_ok is not None and ok != expect_ok:
            diags = [d.get("message") for d in msgs if d.get("reason") == "diagnostic"]
            self.problem(f"{what}: build {'succeeded' if ok else 'failed'}, expected otherwise; {diags[:3]}")
        if ok:
            self.check_good(what)
        else:
            if not any(d.get("reason") == "diagnostic" and d.get("severity") == "error" for d in msgs):
                self.problem(f"{what}: a failed build without an error diagnostic")
            if self.outputs() != self.good:
                self.problem(f"{what}: a failed build changed the outputs")
            else:
                self.failed_as_expected += 1
        return ok

    def check_good(self, what):
        outs = self.outputs()
        for name in outs:
            full = os.path.join(self.out, name)
            if name.endswith(".epub"):
                try:
                    with zipfile.ZipFile(full) as z:
                        if z.namelist()[0] != "mimetype" or z.testzip() is not None:
                            self.problem(f"{what}: {name} is not a whole EPUB")
                        if self.marker and name == "example.epub":
                            text = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xhtml"))
                            if self.marker.encode() not in text:
                                self.problem(f"{what}: the last edit ({self.marker}) is not in {name}")
                except zipfile.BadZipFile:
                    self.problem(f"{what}: {name} is not a ZIP")
            elif name.endswith(".pdf"):
                if shutil.which("qpdf"):
                    r = subprocess.run(["qpdf", "--check", full], capture_output=True)
                    if r.returncode not in (0, 3):
                        self.problem(f"{what}: qpdf --check {name}: {r.stdout[-300:]!r}")
                else:
                    with open(full, "rb") as f:
                        f.seek(-1024, 2)
                        if b"%%EOF" not in f.read():
                            self.problem(f"{what}: {name} does not end in %%EOF")
        self.good = outs
        if self.builds % 10 == 0 or self.a.compare_every_build:
            self.compare_fresh(what)

    def compare_fresh(self, what):
        fresh = os.path.join(self.work, "fresh")
        shutil.rmtree(fresh, ignore_errors=True)
        r = subprocess.run([self.a.bin, "build", "--project", self.root, "--out", fresh, "--quiet"],
                           env=ENV, capture_output=True, text=True)
        if r.returncode != 0:
            self.problem(f"{what}: a fresh build failed where watch's succeeded: {r.stderr[-500:]}")
            return
        for name in os.listdir(fresh):
            a = open(os.path.join(fresh, name), "rb").read()
            b = open(os.path.join(self.out, name), "rb").read()
            if a != b:
                self.problem(f"{what}: {name} of watch differs from a fresh build's")

    # The edits. Each leaves the project as good as it found it, or says what it broke.

    def selected(self):
        """The German speeches, all of which the example book selects."""
        return [p for p in self.speeches() if os.path.dirname(p) == "books/speeches"]

    def edit_text(self):
        s = self.rng.choice(self.selected())
        self.counter += 1
        self.marker = f"Soakmarke{self.counter}"
        with open(self.path(s), encoding="utf-8") as f:
            text = f.read()
        lines = text.split("\n")
        # After the front matter (between the first two `---` lines).
        fence = [i for i, l in enumerate(lines) if l.strip() == "---"][:2]
        start = fence[1] + 1 if len(fence) == 2 else 0
        body = [i for i, l in enumerate(lines) if i > start and l and not l.startswith(("#", "-", ">", "|", "[", "!", " ", "*", "<"))
                and (i + 1 >= len(lines) or lines[i + 1] == "")]
        i = self.rng.choice(body) if body else len(lines) - 1
        lines.insert(i + 1, f"\n{self.marker} steht hier als neuer Absatz.\n")
        with open(self.path(s), "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        self.build(True, f"edit {s}")

    def delete_and_remake(self):
        s = self.rng.choice(self.selected())
        data = open(self.path(s), "rb").read()
        os.remove(self.path(s))
        self.build(False, f"delete {s}")
        with open(self.path(s), "wb") as f:
            f.write(data)
        self.build(True, f"make {s} again")

    def rename(self):
        s = self.rng.choice(self.selected())
        moved = s[:-3] + "-renamed.md"
        os.rename(self.path(s), self.path(moved))
        self.build(False, f"rename {s}")
        os.rename(self.path(moved), self.path(s))
        self.build(True, f"rename {s} back")

    def book_syntax_error(self):
        b = self.path("books/example.toml")
        data = open(b, "rb").read()
        with open(b, "wb") as f:
            f.write(data.replace(b"[select]", b"[select", 1) if b"[select]" in data else data + b"\n[broken\n")
        self.build(False, "book file with a syntax error")
        with open(b, "wb") as f:
            f.write(data)
        self.build(True, "book file repaired")

    def font_removed(self):
        fonts = sorted(f for f in os.listdir(self.path("fonts")) if f.endswith((".ttf", ".otf")))
        f = self.rng.choice(fonts)
        os.rename(self.path(f"fonts/{f}"), os.path.join(self.work, f))
        # A font the styles name is also bundled with Tribune, so the build may succeed.
        self.build(None, f"font {f} removed")
        os.rename(os.path.join(self.work, f), self.path(f"fonts/{f}"))
        self.build(True, f"font {f} back")

    def burst(self):
        s = self.path("books/speeches/2023-03-hamburg-mieten.md")
        text = open(s, encoding="utf-8").read()
        start = time.monotonic()
        last, gap = start, 0.0
        for i in range(100):
            with open(s, "w", encoding="utf-8") as f:
                f.write(text + f"\nSalve {i}.\n")
            now = time.monotonic()
            gap, last = max(gap, now - last), now
            time.sleep(max(0.0, (i + 1) * 0.01 - (now - start)))
        took = time.monotonic() - start
        self.marker = None
        # A save truncates the file before writing it: a build that starts in a pause
        # may read it empty and fail, rightly, keeping the last good outputs.
        self.build(None, "100 saves in a second")
        # One build, unless the machine held this script up between two saves for longer
        # than watch waits for quiet (100 ms): then watch rightly built in between.
        extra = 0
        while True:
            # Longer than any build so far takes: a build still to come would have ended.
            try:
                m = self.q.get(timeout=max(self.a.quiet, 3 * self.longest))
            except queue.Empty:
                break
            while m.get("reason") != "finished":
                m = self.q.get(timeout=HANG)
            self.longest = max(self.longest, m.get("millis", 0) / 1000)
            extra += 1
            self.builds += 1
            if not m["success"]:
                self.problem("a build after the burst failed")
        if extra and gap < 0.1:
            self.problem(f"100 saves in {took:.2f} s (longest pause {gap * 1000:.0f} ms) gave {1 + extra} builds")
        elif extra:
            self.say(f"note: 100 saves in {took:.2f} s with a pause of {gap * 1000:.0f} ms gave {1 + extra} builds")
        self.marker = "Salve 99"
        self.check_good("after the burst")
        with open(s, "w", encoding="utf-8") as f:
            f.write(text)
        self.marker = None
        self.build(True, "burst undone")

    def save_by_rename(self):
        s = self.rng.choice(self.speeches())
        tmp = os.path.join(os.path.dirname(self.path(s)), "." + os.path.basename(s) + ".tmp")
        shutil.copyfile(self.path(s), tmp)
        with open(tmp, "a", encoding="utf-8") as f:
            f.write("\nGespeichert durch Umbenennen.\n")
        os.replace(tmp, self.path(s))
        self.build(True, f"save {s} by rename")

    def run(self):
        first = self.build(True, "first build")
        self.rss0 = rss_kb(self.p.pid)
        edits = [(self.edit_text, 6), (self.delete_and_remake, 1), (self.rename, 1), (self.book_syntax_error, 1),
                 (self.font_removed, 1), (self.burst, 1), (self.save_by_rename, 2)]
        fns = [f for f, w in edits for _ in range(w)]
        end = time.monotonic() + self.a.minutes * 60
        counts = {}
        while time.monotonic() < end and first is not None:
            f = self.rng.choice(fns)
            self.events += 1
            counts[f.__name__] = counts.get(f.__name__, 0) + 1
            f()
            time.sleep(self.rng.uniform(0.0, 1.0))
        self.compare_fresh("the end")
        rss1 = rss_kb(self.p.pid)
        self.p.terminate()
        self.p.wait(timeout=60)
        self.say(f"summary: {self.events} events {counts}, {self.builds} builds, "
                 f"{self.failed_as_expected} failed builds kept the last good outputs, "
                 f"{len(self.problems)} problems; watch's memory {self.rss0} kB at the start, {rss1} kB at the end")
        for p in self.problems:
            self.say("  " + p)
        shutil.rmtree(self.work, ignore_errors=True)
        return 1 if self.problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "debug", "tribune"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--log")
    ap.add_argument("--quiet", type=float, default=30,
                    help="seconds without a message after which no more builds are coming (longer than a build)")
    ap.add_argument("--compare-every-build", action="store_true",
                    help="compare with a fresh build after every good build, not every 10th")
    sys.exit(Soak(ap.parse_args()).run())


if __name__ == "__main__":
    main()
