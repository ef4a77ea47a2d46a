#!/usr/bin/env python3
"""A screen reader's order: the text of a tagged PDF as its structure tree gives it.

Usage: structure_order.py BOOK.pdf SPEECH.md [SPEECH.md ...]

Walks the structure tree from StructTreeRoot in order (depth first, kids in order) and
collects the marked content each element owns (MCIDs on their pages), reading the text
of each marked-content sequence from the page (pdfplumber's characters carry their MCID).
Artifacts (running heads, folios, rules) own no MCID and so are not read. Prints the
recall of the source words in that text, as text_fidelity.py counts them, and exits 0
when every word is there; with --text, prints the text read.
"""
import collections
import importlib.util
import os
import re
import sys

import pdfplumber
import pikepdf

# The word counting of ../shared/tools/text_fidelity.py (TEXT_FIDELITY names it elsewhere).
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("TEXT_FIDELITY") or os.path.join(HERE, "..", "..", "..", "shared", "tools", "text_fidelity.py")
spec = importlib.util.spec_from_file_location("text_fidelity", os.path.normpath(SHARED))
tf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tf)
plain_words, WORD, COMPOUND = tf.markdown_words, tf.WORD, tf.COMPOUND

MARKS = re.compile("[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def markdown_words(path):
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".md", encoding="utf-8", delete=False) as t:
        t.write(MARKS.sub("", open(path, encoding="utf-8").read()))
    try:
        return plain_words(t.name)
    finally:
        os.unlink(t.name)


def nest_marked_content():
    """pdfplumber forgets the MCID at the end of any marked-content sequence, also one
    nested inside the sequence that has it (a span with an ActualText): keep a stack, so
    that what follows a nested sequence keeps the MCID of the one around it."""
    import pdfplumber.page as pg

    A = pg.PDFPageAggregatorWithMarkedContent

    def begin_tag(self, tag, props=None):
        stack = self.__dict__.setdefault("_stack", [])
        stack.append((self.cur_tag, self.cur_mcid))
        self.cur_tag = pg.decode_text(tag.name)
        if isinstance(props, dict) and "MCID" in props:
            self.cur_mcid = props["MCID"]

    def end_tag(self):
        stack = self.__dict__.setdefault("_stack", [])
        self.cur_tag, self.cur_mcid = stack.pop() if stack else (None, None)

    A.begin_tag, A.end_tag = begin_tag, end_tag


def walk(pdf):
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    order = []

    def visit(e, page):
        if isinstance(e, pikepdf.Array):
            for k in e:
                visit(k, page)
            return
        if isinstance(e, int):
            order.append((page, int(e)))
            return
        if not isinstance(e, pikepdf.Dictionary):
            return
        t = e.get("/Type")
        if t == "/MCR":
            pg = e.get("/Pg")
            order.append((pages.get(pg.objgen, page) if pg is not None else page, int(e.MCID)))
            return
        if t == "/OBJR":
            return
        pg = e.get("/Pg")
        if pg is not None:
            page = pages.get(pg.objgen, page)
        if "/K" in e:
            visit(e.K, page)

    visit(pdf.Root.StructTreeRoot.K, None)
    return order


def main():
    args = [a for a in sys.argv[1:] if a != "--text"]
    path, sources = args[0], args[1:]
    with pikepdf.open(path) as pdf:
        order = walk(pdf)
    texts = collections.defaultdict(list)
    nest_marked_content()
    with pdfplumber.open(path) as pl:
        for i, p in enumerate(pl.pages):
            last = None
            for c in p.chars:
                m = c.get("mcid")
                if m is None:
                    continue
                key = (i, m)
                # A line ends where the baseline moves (a mark raised over its letter
                # keeps its letter's baseline).
                base = c["matrix"][5] if "matrix" in c else c["bottom"]
                if last is not None and last[0] == key and abs(base - last[1]) > 1:
                    texts[key].append("\n")
                texts[key].append(c["text"])
                last = (key, base)
    out = "\n".join("".join(texts.get(k, [])) for k in order)
    # Right-to-left lines come as drawn, in visual order: read them back (the letters of
    # each line reversed, runs of Latin letters and digits turned back), and drop the
    # optional vowel marks, as text_fidelity_rtl.py does on both sides.
    rtl = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
    ltr = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+")
    out = "\n".join(ltr.sub(lambda m: m.group(0)[::-1], l[::-1]) if rtl.search(l) else l for l in out.split("\n"))
    out = MARKS.sub("", out)
    out = out.replace("\u00ad\n", "").replace("\u00ad", "")
    # A break hyphen read apart from its line (its glyph sits in a span of its own) joins
    # the line it ends again.
    out = re.sub(r"\n[-\u2010]\n", "-\n", out)
    out = re.sub(r"(\w)[-\u2010]\s*\n\s*(\w)", r"\1\2", out)
    if "--text" in sys.argv:
        print(out)
    have = collections.Counter(WORD.findall(out.lower()))
    want = collections.Counter()
    for s in sources:
        want.update(markdown_words(s))
    missing = want - have
    for s in sources:
        for a, b in COMPOUND.findall(open(s, encoding="utf-8").read().lower()):
            if missing[a] and missing[b] and have[a + b]:
                have[a + b] -= 1
                missing[a] -= 1
                missing[b] -= 1
    missing = +missing
    total, lost = sum(want.values()), sum(missing.values())
    for w, n in missing.most_common(20):
        print(f"missing {n}x {w}")
    print(f"structure order: {len(order)} marked-content sequences; recall {100.0 * (total - lost) / max(1, total):.4f}% (missing {lost} of {total})")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
