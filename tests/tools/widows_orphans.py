#!/usr/bin/env python3
"""Widows, orphans and headings at the foot of a page, read back from a PDF.

Usage: widows_orphans.py FILE.pdf SHARED_TOOLS_DIR
An orphan: a page's last body line opens a paragraph (indented) and the paragraph goes on.
A widow: a page's first body line is the short last line of a paragraph that began on the
page before. A heading at the foot: a page's last line above the folio is set larger than
the text. Prints each problem and, last, 'N problems'; exit 0 when there are none.
"""
import sys
from collections import Counter
import pdfplumber
sys.path.insert(0, sys.argv[2])
import typo_metrics as tm
problems = []
prev = None  # (page, last body line info)
with pdfplumber.open(sys.argv[1]) as pdf:
    for n, page in enumerate(pdf.pages, 1):
        every = [l for l in tm.page_lines(page) if l["bottom"] > page.height * 0.1]
        ls = [l for l in every if l["size"] == 10.0]
        # Nor may a page end with a heading: the last line above the folio set larger than
        # the text, with text above it on the page (a part's title page stands alone).
        body = [l for l in every if l["size"] >= 10.0 and l["bottom"] < page.height * 0.93]
        if len(body) > 1 and body[-1]["size"] > 10.5 and any(l["size"] == 10.0 for l in body[:-1]):
            problems.append(f"heading at the foot of page {n}")
        # A page that opens with a title (larger type) starts something new: no widow.
        opens = bool(every) and every[0]["size"] > 10.5
        if len(ls) < 3:
            prev = None
            continue
        left = Counter(round(l["x0"]) for l in ls).most_common(1)[0][0]
        right = Counter(round(l["x1"]) for l in ls).most_common(1)[0][0]
        full = lambda l: l["x1"] >= right - 1.0
        def starts(i):
            l = ls[i]
            if l["x0"] > left + 5:
                return True
            return i > 0 and l["bottom"] - ls[i - 1]["bottom"] > 1.3 * 12.6
        first, last = ls[0], ls[-1]
        if full(last) and starts(len(ls) - 1) and last["x0"] > left + 5:
            problems.append(f"orphan on page {n}")
        if prev and not opens and not full(first) and abs(first["x0"] - left) <= 1 and starts(1):
            problems.append(f"widow on page {n}")
        prev = full(last) and last["bottom"] > page.height * 0.7
print("\n".join(problems))
print(f"{len(problems)} problems")
sys.exit(1 if problems else 0)
