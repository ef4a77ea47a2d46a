#!/usr/bin/env python3
"""Verify the coverage facts recorded in fonts/README.md.

Usage: python3 books/tools/check_fonts.py [FONT ...]
Needs fontTools (pip install fonttools). Without arguments it checks every
.ttf/.otf in fonts/ next to this repository's books/ folder.
"""
import pathlib
import sys

from fontTools.ttLib import TTFont

LATIN = "äöüßÄÖÜẞéèêëàâçœæîïôûùÿÉÈÊËÀÂÇŒÆÎÏÔÛÙŸğĞışŞİ"
CYRILLIC_RU = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
PUNCT = "„“”‚‘’«»‹›–—…\u00a0\u202f\u2009\u2011€§№‰′″•·×−"
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, ZWSP, ZWNJ, ZWJ, WJ, BOM
SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SYMBOLS = "←→↑↓↔⇒⇐⇔➔➜✓✔✗✘★☆☭✊♀♂⚠☮✌❤♥☐☑☒✉☎⚖⚑⚐⚒"
BOOK_FACE = "GentiumBookPlus"  # file-name prefix of the book face; the other files are
                               # fallback candidates, checked for what the book face lacks
FEATURES = ["kern", "liga", "smcp", "c2sc", "onum", "lnum", "pnum", "tnum", "case", "frac"]


def names(font):
    t = font["name"]
    fam = t.getDebugName(16) or t.getDebugName(1)
    sub = t.getDebugName(17) or t.getDebugName(2)
    return fam, sub, t.getDebugName(5)


def gpos_gsub(font, tag):
    feats = set()
    if tag in font and font[tag].table.FeatureList:
        for rec in font[tag].table.FeatureList.FeatureRecord:
            feats.add(rec.FeatureTag)
    return feats


def check(path):
    f = TTFont(path, lazy=True)
    cmap = f.getBestCmap()
    fam, sub, ver = names(f)
    print(f"== {path.name}: {fam} / {sub} / {ver} / {len(cmap)} code points")
    for label, chars in [("Latin de/fr/tr", LATIN), ("Cyrillic ru", CYRILLIC_RU),
                         ("Kazakh", KAZAKH), ("Punctuation", PUNCT),
                         ("Invisible", INVISIBLE), ("Superscripts", SUPERSCRIPT),
                         ("Symbols", SYMBOLS)]:
        missing = [c for c in chars if ord(c) not in cmap]
        status = "all present" if not missing else "missing " + " ".join(
            f"{c}(U+{ord(c):04X})" for c in missing)
        print(f"  {label:15} {len(chars) - len(missing)}/{len(chars)} {status}")
    gpos, gsub = gpos_gsub(f, "GPOS"), gpos_gsub(f, "GSUB")
    print("  GPOS:", " ".join(sorted(gpos)) or "-")
    print("  GSUB:", " ".join(sorted(gsub)) or "-")
    print("  legacy 'kern' table:", "yes" if "kern" in f else "no")
    print("  wanted:", " ".join(f"{t}={'yes' if t in gpos | gsub else 'no'}" for t in FEATURES))
    if "smcp" in gsub:
        sm = single_subst(f, "smcp")
        test = LATIN.lower() + CYRILLIC_RU[33:] + KAZAKH[1::2]
        test = "".join(c for c in dict.fromkeys(test) if c.islower())
        miss = [c for c in test if cmap.get(ord(c)) not in sm]
        print(f"  smcp maps {len(test) - len(miss)}/{len(test)} tested lowercase letters"
              + (" (missing " + "".join(miss) + ")" if miss else " (Latin, Russian, Kazakh)"))
    if "liga" in gsub:
        print("  liga:", " ".join(ligatures(f, "liga")))
    return {c for c in SYMBOLS if ord(c) in cmap}


def lookups(font, tag):
    table = font["GSUB"].table
    idx = set()
    for rec in table.FeatureList.FeatureRecord:
        if rec.FeatureTag == tag:
            idx.update(rec.Feature.LookupListIndex)
    for i in sorted(idx):
        lookup = table.LookupList.Lookup[i]
        for st in lookup.SubTable:
            yield st.ExtSubTable if lookup.LookupType == 7 else st


def single_subst(font, tag):
    mapping = {}
    for st in lookups(font, tag):
        mapping.update(getattr(st, "mapping", {}) or {})
    return mapping


def ligatures(font, tag):
    out = []
    for st in lookups(font, tag):
        for first, ligs in (getattr(st, "ligatures", {}) or {}).items():
            out += [l.LigGlyph for l in ligs]
    return sorted(set(out))


def main():
    args = [pathlib.Path(a) for a in sys.argv[1:]]
    if not args:
        root = pathlib.Path(__file__).resolve().parents[2] / "fonts"
        args = sorted(p for p in root.iterdir() if p.suffix.lower() in (".ttf", ".otf"))
    has = {p: check(p) for p in args}
    body = [p for p in args if p.name.startswith(BOOK_FACE)]
    others = [p for p in args if p not in body]
    if body:
        lacking = [c for c in SYMBOLS if not all(c in has[p] for p in body)]
        print("\n== Symbols lacking in the book face:", " ".join(lacking))
        for p in others:
            got = [c for c in lacking if c in has[p]]
            left = [c for c in lacking if c not in has[p]]
            print(f"  {p.name}: covers {len(got)}/{len(lacking)}: {' '.join(got)}"
                  f" | still missing: {' '.join(left) or '-'}")


if __name__ == "__main__":
    main()
