#!/usr/bin/env python3
"""Extract the CommonMark and GFM spec examples (and pulldown-cmark's footnote examples)
from the test suite the published pulldown-cmark crate carries, into examples.json.

Usage: extract.py [PULLDOWN_CMARK_CRATE_DIR]
Without an argument, the newest pulldown-cmark-* in cargo's registry is used.

Each example becomes {"id": "spec-0001", "source": ..., "markdown": ...}, in the order of
the suite. The CommonMark spec (0.31.2) and the GFM spec are CC BY-SA 4.0 (LICENSE-CC-BY-SA-4.0
beside this file); the footnote examples are pulldown-cmark's own (MIT, LICENSE-pulldown-cmark).
"""
import glob
import json
import os
import re
import sys

# Suite file -> id prefix and where the examples come from.
SUITES = [
    ("spec.rs", "spec", "CommonMark spec 0.31.2 (CC BY-SA 4.0)"),
    ("gfm_table.rs", "gfm-table", "GitHub Flavored Markdown spec, tables (CC BY-SA 4.0)"),
    ("gfm_strikethrough.rs", "gfm-strike", "GitHub Flavored Markdown spec, strikethrough (CC BY-SA 4.0)"),
    ("gfm_tasklist.rs", "gfm-task", "GitHub Flavored Markdown spec, task lists (CC BY-SA 4.0)"),
    ("footnotes.rs", "footnotes", "pulldown-cmark footnote examples (MIT)"),
]

TEST = re.compile(r'fn \w+_test_(\d+)\(\) \{\n    let original = r##"(.*?)"##;', re.S)


def main():
    if len(sys.argv) > 1:
        crate = sys.argv[1]
    else:
        found = sorted(glob.glob(os.path.expanduser("~/.cargo/registry/src/*/pulldown-cmark-0.*")))
        if not found:
            sys.exit("no pulldown-cmark crate in cargo's registry; pass its folder")
        crate = found[-1]
    out = []
    for name, prefix, source in SUITES:
        text = open(os.path.join(crate, "tests", "suite", name), encoding="utf-8").read()
        for number, markdown in TEST.findall(text):
            out.append({"id": f"{prefix}-{int(number):04d}", "source": source, "markdown": markdown})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "examples.json"), "w", encoding="utf-8") as f:
        json.dump({"crate": os.path.basename(crate), "examples": out}, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"{len(out)} examples from {os.path.basename(crate)}")


if __name__ == "__main__":
    main()
