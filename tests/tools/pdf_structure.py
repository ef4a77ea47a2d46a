#!/usr/bin/env python3
"""What a reader's PDF viewer sees of a PDF's structure, as JSON, for the tests to check.

Usage: pdf_structure.py FILE.pdf
Prints one JSON object:
  pages:   per page its label, its text (words in reading order, by poppler-like
           extraction through pdfplumber), the words set larger than 10.5 pt (titles),
           the bottom of its lowest body line, and its links: {"rect": [x0, y0, x1, y1],
           "page": index, "top": y} for a link into the document, {"uri": ...} for a web link
  outline: [{"title", "level", "page"}] in order, levels from 0
  lang:    the catalog's /Lang, and per page the /Lang of every marked-content span and, in a
           tagged PDF, of the structure elements whose content is on it (inherited from
           their ancestors) where it is not the catalog's
"""
import json
import re
import sys

import pdfplumber
import pikepdf

path = sys.argv[1]
pdf = pikepdf.open(path)
index = {p.objgen: i for i, p in enumerate(pdf.pages)}
doc_lang = str(pdf.Root.get("/Lang", ""))

# Tagged PDF: the languages of the structure elements with content on each page.
tree_langs = {}
root = pdf.Root.get("/StructTreeRoot")
if root is not None:
    todo = [(k, doc_lang, None) for k in (root.K if isinstance(root.K, pikepdf.Array) else [root.K])]
    while todo:
        el, lang, pg = todo.pop()
        if not isinstance(el, pikepdf.Dictionary):
            continue
        lang = str(el.get("/Lang", lang))
        pg = el.Pg.objgen if "/Pg" in el else pg
        kids = el.get("/K")
        for k in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(k, int) and pg is not None and lang != doc_lang:
                tree_langs.setdefault(index.get(pg), set()).add(lang)
            elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR":
                if lang != doc_lang:
                    tree_langs.setdefault(index.get(k.Pg.objgen), set()).add(lang)
            elif isinstance(k, pikepdf.Dictionary) and "/S" in k:
                todo.append((k, lang, pg))


def dest_of(d):
    if isinstance(d, pikepdf.Array) and len(d) >= 4:
        return {"page": index.get(d[0].objgen), "top": float(d[3]) if d[3] is not None else None}
    return None


pages = []
with pdfplumber.open(path) as plumb:
    for i, page in enumerate(pdf.pages):
        p = plumb.pages[i]
        words = p.extract_words(extra_attrs=["size"])
        links = []
        for a in page.obj.get("/Annots", []):
            if a.get("/Subtype") != "/Link":
                continue
            rect = [float(v) for v in a.Rect]
            act = a.get("/A")
            if act is not None and act.get("/S") == "/URI":
                links.append({"rect": rect, "uri": str(act.URI)})
            elif act is not None and act.get("/S") == "/GoTo":
                links.append({"rect": rect, **(dest_of(act.D) or {})})
            elif a.get("/Dest") is not None:
                links.append({"rect": rect, **(dest_of(a.Dest) or {})})
        pikepdf.Page(page).contents_coalesce()
        content = page.obj.Contents.read_bytes()
        langs = set(m.decode("latin-1") for m in re.findall(rb"/Lang\s*\(([^)]*)\)", content))
        langs = sorted(langs | tree_langs.get(i, set()))
        pages.append({
            "label": pikepdf.Page(page).label,
            "text": " ".join(w["text"] for w in words),
            "titles": " ".join(w["text"] for w in words if w["size"] > 10.5),
            "links": links,
            "langs": langs,
            "height": float(p.height),
        })

outline = []
with pdf.open_outline() as o:
    def walk(items, level):
        for it in items:
            page = None
            d = it.destination
            if d is None and it.action is not None:
                d = it.action.get("/D")
            if d is not None:
                page = (dest_of(d) or {}).get("page")
            outline.append({"title": it.title, "level": level, "page": page})
            walk(it.children, level + 1)
    walk(o.root, 0)

print(json.dumps({"pages": pages, "outline": outline, "lang": str(pdf.Root.get("/Lang", ""))}, ensure_ascii=False))
