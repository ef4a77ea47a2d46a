#!/usr/bin/env python3
"""text_fidelity.py (../shared/tools) taught right-to-left text: the same count of every
word of the sources in the output, after removing the vowel and cantillation marks of
Arabic and Hebrew (harakat, tanwin, shadda, niqqud) on both sides.

Why: those marks are optional in Arabic and Hebrew writing, and text extractors place a
mark drawn above or below its letter by its position, not by the text's order (poppler's
pdftotext puts a mark that sits over its letter before the letter in right-to-left text,
or on a line of its own when it is raised), so the same word comes back with its marks
moved. The letters, and their order, are compared unchanged.

Usage: as text_fidelity.py: text_fidelity_rtl.py OUTPUT.(pdf|epub) SPEECH.md [SPEECH.md ...]
(TEXT_FIDELITY names the shared script when it is not at ../../../shared/tools.)
"""
import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("TEXT_FIDELITY") or os.path.join(HERE, "..", "..", "..", "shared", "tools", "text_fidelity.py")
spec = importlib.util.spec_from_file_location("text_fidelity", os.path.normpath(SHARED))
tf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tf)

# Arabic harakat, tanwin, shadda, sukun, superscript alef, Quranic marks; Hebrew points
# and cantillation; the tatweel that only stretches a word.
MARKS = re.compile("[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def strip(text):
    return MARKS.sub("", text)


_markdown_words = tf.markdown_words
_pdf_text = tf.pdf_text


def markdown_words(path):
    # The shared reader opens the file itself: give it the text without marks.
    import tempfile
    with open(path, encoding="utf-8") as f:
        text = strip(f.read())
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as t:
        t.write(text)
    try:
        return _markdown_words(t.name)
    finally:
        os.unlink(t.name)


tf.markdown_words = markdown_words
tf.pdf_text = lambda path: strip(_pdf_text(path))
if hasattr(tf, "epub_text"):
    _epub_text = tf.epub_text
    tf.epub_text = lambda path: strip(_epub_text(path))

if __name__ == "__main__":
    sys.exit(tf.main())
