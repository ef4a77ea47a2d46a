#!/usr/bin/env python3
"""Draw books/cover.jpg, the front cover of the example book "Stimmen der Solidarität".

Usage: python3 books/tools/make_cover.py [--preview /tmp/cover-preview.png]
Needs Pillow; the type is the bundled Gentium Book Plus (fonts/).

Format: A5 (148 x 210 mm) plus 3 mm bleed on every side = 154 x 216 mm at 300 dpi
= 1819 x 2552 px (rounded up, so that print gets at least 300 ppi both ways), sRGB JPEG, quality 88, no EXIF, no ICC profile.
All type stays inside the safe area: 3 mm bleed + at least 5 mm margin (35 + 60 px);
the layout uses 35 + 100 px. Only flat shapes, no randomness: the same Pillow gives
the same bytes (cover.jpg as committed was made with Pillow 13.0.0).

Design: a near-black field carries the title; across its lower edge runs a band of
red bars like the level meter of a microphone - many voices of different strength,
one line; subtitle and editor stand on the off-white below, aligned with the title.
"""
import argparse
import math
import pathlib

from PIL import Image, ImageDraw, ImageFont

BOOKS = pathlib.Path(__file__).resolve().parents[1]
FONTS = BOOKS.parent / "fonts"
OUT = BOOKS / "cover.jpg"

DPI = 300
W, H = 1819, 2552                # 154 x 216 mm, at least 300 ppi
BLEED = 35                       # 3 mm
SAFE = BLEED + 100               # type never closer to the edge than this (>= 35 + 60)
S = 2                            # supersampling for smooth edges

RED = (200, 30, 36)
BLACK = (26, 24, 23)
PAPER = (241, 236, 226)

TITLE = ["Stimmen", "der", "Solidarität"]
SUBTITLE = "Reden aus vier Ländern"
EDITOR = "Herausgegeben von Lena Marquardt"
PUBLISHER = "Edition Laternenhof"


def font(face, px):
    return ImageFont.truetype(str(FONTS / f"GentiumBookPlus-{face}.ttf"), int(px * S))


MIN_EDGE = BLEED + 60             # the hard limit checked for every piece of type


def check_safe(draw, xy, text, fnt, anchor):
    """Fail if the inked box of this text comes closer to an edge than MIN_EDGE."""
    x0, y0, x1, y1 = (v / S for v in draw.textbbox(xy, text, font=fnt, anchor=anchor))
    assert x0 >= MIN_EDGE and y0 >= MIN_EDGE and x1 <= W - MIN_EDGE and y1 <= H - MIN_EDGE, \
        (text, (x0, y0, x1, y1))


def text(draw, xy, s, fnt, fill, anchor="ls"):
    check_safe(draw, xy, s, fnt, anchor)
    draw.text(xy, s, font=fnt, fill=fill, anchor=anchor)


def tracked(draw, xy, s, fnt, fill, tracking):
    """Draw a line letter by letter with extra space (in px) between the letters."""
    x, y = xy
    for ch in s:
        text(draw, (x, y), ch, fnt, fill)
        x += draw.textlength(ch, font=fnt) + tracking * S
    return x


def tracked_width(draw, s, fnt, tracking):
    return sum(draw.textlength(ch, font=fnt) for ch in s) + tracking * S * (len(s) - 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preview", help="also write a small PNG preview here")
    args = ap.parse_args()

    img = Image.new("RGB", (W * S, H * S), PAPER)
    d = ImageDraw.Draw(img)

    # 1. the black field: upper part of the cover, into the bleed on three sides
    split = 1640
    d.rectangle([0, 0, W * S, split * S], fill=BLACK)

    # 2. the voice band: vertical bars centred on the field's edge, from bleed to bleed.
    # Heights come from a fixed sum of sines: no randomness, the same on every run.
    bar, gap = 26, 17
    n = (W + gap) // (bar + gap) + 1
    x0 = (W - (n * bar + (n - 1) * gap)) // 2
    for i in range(n):
        t = i / (n - 1)
        env = 0.35 + 0.65 * math.sin(math.pi * (0.15 + 0.7 * t)) ** 2
        wave = 0.5 + 0.3 * math.sin(i * 1.31 + 0.4) + 0.2 * math.sin(i * 2.97 + 1.1)
        half = int(22 + 190 * env * wave)
        x = x0 + i * (bar + gap)
        d.rounded_rectangle([x * S, (split - half) * S, (x + bar) * S, (split + half) * S],
                            radius=bar // 2 * S, fill=RED)

    # 3. title, left-aligned, as large as the safe width allows
    left = SAFE
    width = W - 2 * SAFE
    size = 400
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    while max(probe.textlength(t, font=font("Bold", size)) for t in TITLE) > width * S:
        size -= 4
    tf = font("Bold", size)
    ascent, descent = tf.getmetrics()
    leading = int(size * 1.02)
    baseline = SAFE + 130 + int(ascent / S)          # leaves room for the kicker line
    small = font("Regular", 46)
    tracked(d, (left * S, (SAFE + 40) * S), "EINE ANTHOLOGIE", small, PAPER, 9)
    for i, line in enumerate(TITLE):
        text(d, (left * S, (baseline + i * leading) * S), line, tf, PAPER)
    title_bottom = baseline + (len(TITLE) - 1) * leading

    # 4. subtitle and editor on the off-white, aligned with the title
    sub = font("Italic", 112)
    text(d, (left * S, (split + 430) * S), SUBTITLE, sub, BLACK)
    ed = font("Regular", 60)
    text(d, (left * S, (split + 540) * S), EDITOR, ed, BLACK)
    d.rectangle([left * S, (split + 300) * S, (left + 160) * S, (split + 316) * S], fill=RED)

    # 5. publisher, spaced capitals, bottom right inside the safe area
    pub = font("Bold", 44)
    caps = PUBLISHER.upper()
    wpub = tracked_width(d, caps, pub, 8)
    tracked(d, ((W - SAFE) * S - wpub, (H - SAFE) * S), caps, pub, BLACK, 8)

    assert title_bottom + 60 < split - 212, (title_bottom, split)

    out = img.resize((W, H), Image.LANCZOS)
    out.save(OUT, "JPEG", quality=88, optimize=True, subsampling=0, dpi=(DPI, DPI))
    print(OUT, out.size, f"title {size}px", f"{OUT.stat().st_size} bytes")
    if args.preview:
        out.resize((W // 4, H // 4), Image.LANCZOS).save(args.preview)


if __name__ == "__main__":
    main()
