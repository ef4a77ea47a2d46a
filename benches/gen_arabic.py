#!/usr/bin/env python3
"""An Arabic corpus for the right-to-left benchmark: the structure of
../shared/corpus/gen_corpus.py (headings, emphasis, quotes, lists, footnotes, links) with
Arabic sentences written for Tribune, a Latin name and numbers in some of them.

Usage: benches/gen_arabic.py N OUTDIR [--seed S] [--words W]

Makes OUTDIR a Tribune project with N speeches of about W words (default 1000) and
books/arabic.toml selecting them all. The same arguments give the same bytes.
"""
import argparse
import os
import random

NOUNS = """العمال العاملات النقابة الإضراب الأجور الأسعار المصانع الموانئ المستشفيات المدارس
الجامعات الطلاب المستأجرين الإيجارات السكن الكرامة الحرية العدالة المساواة التضامن
الحكومة الشركات المصارف الديون الفقر البطالة الخبز الكهرباء الماء الصحة التعليم
الفلاحين الأرض الحصاد المدينة القرية الحي الشارع الساحة اللجان المجالس""".split()
ADJ = """الكبيرة الصغيرة العادلة الشجاعة المنظمة الموحدة الجديدة القديمة الواسعة الحرة
الشعبية العمالية المستقلة الديمقراطية""".split()
VERBS = """نطالب ندعم ندافع ننظم نرفض نحيي نبني نواصل""".split()
PLACES = """القاهرة تونس عمان الدار_البيضاء بيروت الإسكندرية صفاقس إربد طنجة حلب""".split()
SPEAKERS = """ليلى حداد|سمير العلي|فاطمة بنعلي|يوسف منصور|نادية الخطيب|كريم عبد الله|سلمى الرفاعي|عمر النجار""".split("|")
TEMPLATES = [
    "إن {n} {a} لن تقبل بعد اليوم أن تدفع ثمن أزمة لم تصنعها.",
    "نحن {v} {n} في {p} وفي كل مكان يناضل فيه الناس من أجل حقوقهم.",
    "لولا {n} لتوقفت {n2} منذ زمن طويل، ويعرف المسؤولون ذلك جيداً.",
    "المسألة ليست {n} وحدها: المسألة هي من يقرر مصير {n2}.",
    "منذ عام {y} ونحن نرى كيف تُبنى {n} على حساب {n2}.",
    "«لن يفرقونا»، هكذا هتف العاملون في {p} حين أُعلن قرار {n}.",
    "لذلك {v} {n}، لا شفقةً بل لأن مصلحتنا واحدة.",
    "قال لنا صديقنا Thomas Berger من Hamburg إن {n} هناك تواجه المصير نفسه.",
    "أكثر من {k} شخص خرجوا إلى {n} في {p} خلال أسبوع واحد.",
    "جوابنا على {n} هو {n2} {a}، منظمةً من القاعدة.",
]


def sentence(r):
    t = r.choice(TEMPLATES)
    n, n2 = r.sample(NOUNS, 2)
    s = t.format(a=r.choice(ADJ), n=n, n2=n2, v=r.choice(VERBS), p=r.choice(PLACES).replace("_", " "),
                 y=1990 + r.randrange(35), k=1000 * (1 + r.randrange(90)))
    if r.random() < 0.08:
        w = r.choice(NOUNS)
        s = s.replace(w, f"*{w}*", 1) if w in s else s
    return s


def paragraph(r, k):
    return " ".join(sentence(r) for _ in range(k))


def speech(r, i, words):
    title = f"{r.choice(NOUNS)} {r.choice(ADJ)} في {r.choice(PLACES).replace('_', ' ')}"
    y, m, d = 1990 + r.randrange(35), 1 + r.randrange(12), 1 + r.randrange(28)
    out = ["---", f'title: "{title}"', f"speaker: {r.choice(SPEAKERS)}",
           f"date: {y:04d}-{m:02d}-{d:02d}", f"place: {r.choice(PLACES).replace('_', ' ')}",
           "language: ar", "---", "", "أيها الرفاق والرفيقات، أيها الزملاء والزميلات!", ""]
    count, notes, headings = 0, 0, 1 + r.randrange(3)
    while count < words:
        if headings and count > words * (0.25 * (4 - headings)) / 3:
            out += [f"## {r.choice(NOUNS)} {r.choice(ADJ)}", ""]
            headings -= 1
        roll = r.random()
        if roll < 0.05:
            items = [f"- {sentence(r)}" for _ in range(3 + r.randrange(3))]
            out += items + [""]
            count += 12 * len(items)
        elif roll < 0.09:
            out += ["> " + paragraph(r, 2), ""]
            count += 30
        else:
            p = paragraph(r, 3 + r.randrange(5))
            if notes < 3 and r.random() < 0.12:
                notes += 1
                p += f"[^{notes}]"
            if r.random() < 0.04:
                p += f" للمزيد انظروا [موقعنا](https://example.org/{i}/{count})."
            out += [p, ""]
            count += len(p.split())
    for k in range(1, notes + 1):
        out += [f"[^{k}]: {sentence(r)}", ""]
    out += ["عاش التضامن الأممي!", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", type=int, default=1000)
    a = ap.parse_args()
    r = random.Random(a.seed)
    sp = os.path.join(a.outdir, "books", "speeches")
    os.makedirs(sp, exist_ok=True)
    ids = []
    for i in range(1, a.n + 1):
        sid = f"khitab-{i:04d}"
        ids.append(sid)
        with open(os.path.join(sp, sid + ".md"), "w", encoding="utf-8") as f:
            f.write(speech(r, i, a.words))
    with open(os.path.join(a.outdir, "books", "arabic.toml"), "w", encoding="utf-8") as f:
        f.write(f'title = "خطب التضامن ({a.n})"\nlanguage = "ar"\neditors = ["Benchmark"]\n\n'
                f'[select]\nspeeches = {ids!r}\n'.replace("'", '"'))


if __name__ == "__main__":
    main()
