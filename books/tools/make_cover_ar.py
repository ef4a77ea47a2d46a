#!/usr/bin/env python3
"""Draw books/cover-tadamun.jpg, the front cover of the Arabic example book "أصوات التضامن".

Usage: python3 books/tools/make_cover_ar.py [--preview /tmp/cover-tadamun-preview.png]
Needs Pillow built with libraqm (`python3 -c "from PIL import features;
print(features.check('raqm'))"` says True): Arabic letters must be joined and the lines
laid out right to left, which Pillow's basic layout does not do. The type is the bundled
Noto Naskh Arabic (fonts/).

Format as books/tools/make_cover.py: A5 (148 x 210 mm) plus 3 mm bleed on every side
= 154 x 216 mm at 300 dpi = 1819 x 2552 px, sRGB JPEG, quality 88, no EXIF, no ICC
profile. All type stays inside the safe area (3 mm bleed + at least 5 mm, 35 + 60 px;
the layout uses 35 + 110 px), checked for every line. Only flat shapes, no randomness:
the same Pillow and libraqm give the same bytes (cover-tadamun.jpg as committed was made
with Pillow 13.0.0).

Design: a night-blue field over a sand-coloured ground. Four arches, one for each city
of the book, stand on the ground and rise into the night at different heights, like
doors left open; each holds an open, lit door. The title stands above them, right-aligned as
Arabic is read; subtitle and editors are on the sand below, on the same right edge;
the publisher sits at the foot on the left, where an Arabic line ends.
"""
import argparse
import pathlib

from PIL import Image, ImageDraw, ImageFont

BOOKS = pathlib.Path(__file__).resolve().parents[1]
FONTS = BOOKS.parent / "fonts"
OUT = BOOKS / "cover-tadamun.jpg"

DPI = 300
W, H = 1819, 2552                # 154 x 216 mm, at least 300 ppi
BLEED = 35                       # 3 mm
SAFE = BLEED + 110               # type never closer to the edge than this (>= 35 + 60)
MIN_EDGE = BLEED + 60            # the hard limit checked for every piece of type
S = 2                            # supersampling for smooth edges

NIGHT = (22, 38, 66)
SAND = (236, 226, 204)
INK = (30, 30, 34)
ARCHES = [(196, 92, 58), (174, 116, 32), (112, 138, 84), (160, 62, 78)]   # right to left
WINDOW = (246, 214, 140)

TITLE = ["أصوات", "التضامن"]
SUBTITLE = "كلمات من أربع مدن عربية"
CITIES = "القاهرة، تونس، بيروت، الدار البيضاء"   # Naskh has no middle dot
EDITORS = "تحرير سلمى الخطيب ويوسف المنصوري"
PUBLISHER = "دار القنديل للنشر"

RTL = dict(direction="rtl", language="ar")


def font(face, px):
    return ImageFont.truetype(str(FONTS / f"NotoNaskhArabic-{face}.ttf"), int(px * S),
                              layout_engine=ImageFont.Layout.RAQM)


def check_safe(draw, xy, s, fnt, anchor):
    """Fail if the inked box of this text comes closer to an edge than MIN_EDGE."""
    x0, y0, x1, y1 = (v / S for v in draw.textbbox(xy, s, font=fnt, anchor=anchor, **RTL))
    assert x0 >= MIN_EDGE and y0 >= MIN_EDGE and x1 <= W - MIN_EDGE and y1 <= H - MIN_EDGE, \
        (s, (x0, y0, x1, y1))
    return x0, y0, x1, y1


def text(draw, xy, s, fnt, fill, anchor="rs"):
    """Draw one Arabic line, right-aligned at xy by default; return its inked box."""
    box = check_safe(draw, xy, s, fnt, anchor)
    draw.text(xy, s, font=fnt, fill=fill, anchor=anchor, **RTL)
    return box


def arch(draw, x0, x1, top, bottom, fill):
    """A round-headed arch from top to bottom between x0 and x1 (cover pixels)."""
    r = (x1 - x0) / 2
    draw.pieslice([x0 * S, top * S, x1 * S, (top + 2 * r) * S], 180, 360, fill=fill)
    draw.rectangle([x0 * S, (top + r) * S, x1 * S, bottom * S], fill=fill)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preview", help="also write a small PNG preview here")
    args = ap.parse_args()

    img = Image.new("RGB", (W * S, H * S), NIGHT)
    d = ImageDraw.Draw(img)

    # 1. the ground: sand from the horizon down, into the bleed on three sides
    horizon = 1900
    d.rectangle([0, horizon * S, W * S, H * S], fill=SAND)

    # 2. four arches on the horizon, right to left, of different heights; the outer ones
    # run into the bleed so that the row reads as part of a street, not a frame
    gap = 70
    n = len(ARCHES)
    aw = (W + 2 * 60 - (n - 1) * gap) / n          # 60 px beyond each trim edge
    tops = [1230, 1330, 1190, 1290]
    for i, (colour, top) in enumerate(zip(ARCHES, tops)):
        x1 = W + 60 - i * (aw + gap)
        x0 = x1 - aw
        arch(d, x0, x1, top, horizon, colour)
        # the open door: a smaller arch, centred, lit from inside, down to the ground
        inset = aw * 0.26
        arch(d, x0 + inset, x1 - inset, top + aw * 0.30, horizon, WINDOW)

    right = W - SAFE
    width = W - 2 * SAFE

    # 3. the kicker and the title, right-aligned, as large as the safe width allows
    kicker = font("Regular", 56)
    text(d, (right * S, (SAFE + 70) * S), CITIES, kicker, WINDOW)
    size = 330
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    while max(probe.textlength(t, font=font("Bold", size), **RTL) for t in TITLE) > width * S:
        size -= 4
    tf = font("Bold", size)
    leading = size                                  # inked: 0.2 below, 0.68 above
    baseline = SAFE + 155 + int(size * 0.89)        # the hamza of أ reaches 0.89 up
    boxes = [text(d, (right * S, (baseline + i * leading) * S), line, tf, SAND)
             for i, line in enumerate(TITLE)]
    title_bottom = max(b[3] for b in boxes)
    # a short rule in the window's colour under the title, on the right edge
    rule_y = int(title_bottom + 55)
    d.rectangle([(right - 220) * S, rule_y * S, right * S, (rule_y + 14) * S], fill=WINDOW)

    # 4. subtitle and editors on the sand, on the title's right edge
    sub = font("Bold", 104)
    text(d, (right * S, (horizon + 230) * S), SUBTITLE, sub, INK)
    ed = font("Regular", 64)
    text(d, (right * S, (horizon + 355) * S), EDITORS, ed, INK)

    # 5. publisher at the foot, on the left (where an Arabic line ends)
    pub = font("Bold", 50)
    text(d, (SAFE * S, (H - SAFE) * S), PUBLISHER, pub, INK, anchor="ls")

    assert rule_y + 80 < min(tops), (rule_y, tops)

    out = img.resize((W, H), Image.LANCZOS)
    out.save(OUT, "JPEG", quality=88, optimize=True, subsampling=0, dpi=(DPI, DPI))
    print(OUT, out.size, f"title {size}px", f"{OUT.stat().st_size} bytes")
    if args.preview:
        out.resize((W // 3, H // 3), Image.LANCZOS).save(args.preview)


if __name__ == "__main__":
    main()
