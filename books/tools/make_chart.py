#!/usr/bin/env python3
"""Draw books/images/mieten-loehne.png, the chart in speeches/2023-03-hamburg-mieten.md.

Usage: python3 books/tools/make_chart.py   (needs Pillow; uses the bundled Gentium Book Plus)

Rents for new lettings vs. net wages in the (fictional) Reiherstieg survey, as an index
2013 = 100. The values for 2013, 2016, 2019 and 2022 are the ones in the speech's table.
The picture is grayscale only (solid black vs. dashed gray, round vs. square markers), so
it reads the same in print and on an e-ink reader. Deterministic: same input, same bytes
(the committed PNG was made with Pillow 13.0.0).
"""
import math
import pathlib

from PIL import Image, ImageDraw, ImageFont

BOOKS = pathlib.Path(__file__).resolve().parents[1]
FONTS = BOOKS.parent / "fonts"
OUT = BOOKS / "images" / "mieten-loehne.png"

YEARS = list(range(2013, 2023))
RENT_EUR = [8.10, 8.45, 8.90, 9.40, 9.95, 10.55, 11.20, 11.75, 12.35, 13.10]
RENT = [round(100 * r / RENT_EUR[0], 1) for r in RENT_EUR]
WAGES = [100, 102, 104, 106, 108.5, 110.5, 113, 114, 116, 119]

W, H, S = 1200, 720, 2          # drawing size and supersampling factor
# Output size: the chart spans the A5 text measure (112 mm), and print wants 300 ppi at
# the printed size, 1323 px; 1400 × 840 px gives 317 ppi.
OUT_W, OUT_H = 1400, 840
INK, GRAY, LIGHT, PAPER = 20, 110, 215, 255


def font(face, size):
    return ImageFont.truetype(str(FONTS / f"GentiumBookPlus-{face}.ttf"), size * S)


def main():
    img = Image.new("L", (W * S, H * S), PAPER)
    d = ImageDraw.Draw(img)
    title, label, small = font("Bold", 34), font("Regular", 24), font("Regular", 20)

    d.text((60 * S, 38 * S), "Mieten und Löhne im Reiherstiegviertel", font=title, fill=INK)
    d.text((60 * S, 84 * S), "Index, 2013 = 100 · Angebotsmieten bei Neuvermietung und Nettolöhne",
           font=small, fill=GRAY)

    left, right, top, bottom = 120, 1010, 150, 610
    ymin, ymax = 90, 170

    def x(year):
        return (left + (year - YEARS[0]) * (right - left) / (YEARS[-1] - YEARS[0])) * S

    def y(v):
        return (bottom - (v - ymin) * (bottom - top) / (ymax - ymin)) * S

    for v in range(100, ymax + 1, 10):
        d.line([(left * S, y(v)), (right * S, y(v))], fill=LIGHT if v != 100 else 160,
               width=S * (1 if v != 100 else 2))
        d.text(((left - 14) * S, y(v)), str(v), font=small, fill=GRAY, anchor="rm")
    for yr in YEARS:
        d.text((x(yr), (bottom + 16) * S), str(yr), font=small, fill=GRAY, anchor="mt")
    d.line([(left * S, bottom * S), (right * S, bottom * S)], fill=INK, width=2 * S)

    # wages: dashed gray line with square markers
    pts = [(x(a), y(b)) for a, b in zip(YEARS, WAGES)]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        dash, gap, t = 18 * S, 10 * S, 0.0
        while t < length:
            t1 = min(t + dash, length)
            d.line([(x0 + (x1 - x0) * t / length, y0 + (y1 - y0) * t / length),
                    (x0 + (x1 - x0) * t1 / length, y0 + (y1 - y0) * t1 / length)],
                   fill=GRAY, width=5 * S)
            t = t1 + gap
    for px, py in pts:
        r = 7 * S
        d.rectangle([px - r, py - r, px + r, py + r], fill=PAPER, outline=GRAY, width=3 * S)

    # rents: solid black line with round markers
    pts = [(x(a), y(b)) for a, b in zip(YEARS, RENT)]
    d.line(pts, fill=INK, width=7 * S, joint="curve")
    for px, py in pts:
        r = 8 * S
        d.ellipse([px - r, py - r, px + r, py + r], fill=PAPER, outline=INK, width=4 * S)

    # direct labels at the line ends instead of a legend
    d.text(((right + 22) * S, y(RENT[-1]) - 16 * S), "Mieten", font=label, fill=INK, anchor="lm")
    d.text(((right + 22) * S, y(RENT[-1]) + 16 * S), "+62\u202f%", font=title, fill=INK, anchor="lm")
    d.text(((right + 22) * S, y(WAGES[-1]) - 16 * S), "Löhne", font=label, fill=GRAY, anchor="lm")
    d.text(((right + 22) * S, y(WAGES[-1]) + 16 * S), "+19\u202f%", font=title, fill=GRAY, anchor="lm")

    d.text((60 * S, (H - 34) * S), "Quelle: Mietenbefragung der Mieterinitiative Reiherstieg 2022",
           font=small, fill=GRAY, anchor="lm")

    out = img.resize((OUT_W, OUT_H), Image.LANCZOS)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out.save(OUT, optimize=True)
    print(OUT, out.size)


if __name__ == "__main__":
    main()
