//! The preflight: a built print interior and cover checked against the book's print
//! profile, rule by rule, each with its source, pass or fail and, on fail, the page and
//! what to change; shown in the terminal, saved as HTML, or as JSON lines.
//!
//! The checks read what the build did (the page geometry it set, the pages it added, the
//! smallest type and the images' resolutions it placed, the cover's spine and barcode)
//! and compare it with the profile's figures, so what a build sets by itself passes and
//! what it cannot change (an image, a trim size, too few pages) fails before upload.

use crate::config::Platform;
use crate::pdf::cover::CoverFacts;
use crate::pdf::profile::{fmt_num, Barcode, Bleed, Pdfx, Profile, Source, Spine, IN};
use crate::pdf::write::print::{PrintSetup, Standard, MM};
use crate::pdf::PrintSet;
use crate::Prepared;
use serde::Serialize;
use std::fmt::Write as _;

/// One rule checked.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// A short name (`gutter`, `spine-text`).
    pub rule: &'static str,
    /// What the rule asks, for people.
    pub title: String,
    /// Where the rule comes from.
    pub source: &'static str,
    /// `false`: the figure could not be checked on the platform's own guide.
    pub confirmed: bool,
    /// The book does what the rule asks.
    pub passed: bool,
    /// The page of the PDF it concerns (1 is the first), or 0 for the cover.
    pub page: Option<usize>,
    /// What was found.
    pub detail: String,
    /// On fail: what to change in the book or the style.
    pub fix: Option<String>,
}

/// The preflight of one book.
#[derive(Debug, Clone, Serialize)]
pub struct Preflight {
    /// The book's name.
    pub book: String,
    /// The profile's name (`kdp`) and its title for people.
    pub profile: &'static str,
    /// The platform, for people.
    pub title: &'static str,
    /// The interior's and the cover's files, as shown.
    pub interior: String,
    /// The cover's file, as shown.
    pub cover: String,
    /// Every rule, in the order checked.
    pub checks: Vec<Check>,
}

impl Preflight {
    /// How many rules failed.
    pub fn failures(&self) -> usize {
        self.checks.iter().filter(|c| !c.passed).count()
    }
}

fn inch(pt: f32) -> String {
    format!("{} in", fmt_num(pt / IN))
}

fn both(pt: f32) -> String {
    format!("{} in ({} mm)", fmt_num(pt / IN), fmt_num(pt / MM))
}

fn size(w: f32, h: f32, platform: Platform) -> String {
    match platform {
        Platform::Kdp | Platform::Ingramspark | Platform::Lulu => {
            format!("{} × {} in", fmt_num(w / IN), fmt_num(h / IN))
        }
        _ => format!("{} × {} mm", fmt_num(w / MM), fmt_num(h / MM)),
    }
}

struct Checks {
    list: Vec<Check>,
}

impl Checks {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule: &'static str,
        title: impl Into<String>,
        source: Source,
        passed: bool,
        page: Option<usize>,
        detail: impl Into<String>,
        fix: impl FnOnce() -> String,
    ) {
        let fix = if passed { None } else { Some(fix()) };
        self.list.push(Check {
            rule,
            title: title.into(),
            source: source.url,
            confirmed: source.confirmed,
            passed,
            page,
            detail: detail.into(),
            fix,
        });
    }
}

/// Check the interior (`print`, set with `setup`) and the cover against the book's profile.
pub(crate) fn evaluate(
    prep: &Prepared,
    setup: &PrintSetup,
    print: &PrintSet,
    cover: &CoverFacts,
    shown: impl Fn(&str) -> String,
) -> Vec<Check> {
    let platform = crate::pdf::profile::platform(prep);
    let p = Profile::of(platform);
    let g = &print.geometry;
    let (w, h) = (g.width.get(), g.height.get());
    let pages = print.outcome.pages;
    let mut c = Checks { list: Vec::new() };
    let name = p.title;

    // Trim size.
    c.push(
        "trim",
        "trim size the platform prints",
        p.trims_source,
        p.accepts_trim(w, h),
        None,
        format!("the pages are {}", size(w, h, platform)),
        || format!("set `size` under [page] in the style to one of {name}'s sizes: {}", p.trim_list()),
    );

    // Bleed and page size.
    let (bleed_ok, bleed_detail) = match p.bleed {
        None => (true, format!("{} all round, as the style sets it", both(setup.bleed))),
        Some(Bleed::All(b)) => (
            (setup.bleed - b).abs() < 0.01 && setup.outside_only.is_none(),
            format!(
                "{} on all sides: file pages {} (trim + 2 × bleed)",
                both(setup.bleed),
                size(w + 2.0 * setup.bleed, h + 2.0 * setup.bleed, platform)
            ),
        ),
        Some(Bleed::Outside(b)) => (
            (setup.bleed - b).abs() < 0.01 && setup.outside_only.is_some(),
            format!(
                "{} on the top, bottom and outside edge, none at the spine: file pages {} (trim + {} wide, + {} high)",
                both(setup.bleed),
                size(w + setup.bleed, h + 2.0 * setup.bleed, platform),
                inch(b),
                inch(2.0 * b)
            ),
        ),
    };
    c.push("bleed", "bleed and page size", p.bleed_source, bleed_ok, None, bleed_detail, || {
        "build the print edition with this profile (`--profile`); the bleed is set by it".into()
    });

    // Marks.
    c.push(
        "marks",
        if p.marks { "crop marks allowed" } else { "no crop or printer marks" },
        p.marks_source,
        p.marks || !setup.marks,
        None,
        if setup.marks { "crop marks outside the bleed" } else { "no marks" },
        || "build without --marks".into(),
    );

    // PDF/X.
    let (pdfx_ok, pdfx_title) = match p.pdfx {
        Pdfx::X1a2001 => (setup.standard == Standard::X1a2001, "PDF/X-1a:2001"),
        Pdfx::Any => (true, "PDF/X (X-1a:2003, or X-4 with an output profile)"),
    };
    c.push(
        "pdfx",
        pdfx_title,
        p.pdfx_source,
        pdfx_ok,
        None,
        format!(
            "the file is {}{}",
            setup.conformance().unwrap_or(setup.pdfx_version()),
            if setup.is_x1a() { ", text in 100 % K, images in CMYK" } else { "" }
        ),
        || format!("remove `output_profile` under [print] in the book file: {name} takes PDF/X-1a:2001"),
    );

    // Reading direction.
    if p.ltr_only {
        let rtl = prep.book.meta.language.is_rtl();
        c.push(
            "direction",
            "books that read left to right",
            p.type_source,
            !rtl,
            None,
            if rtl { "the book reads right to left" } else { "the book reads left to right" },
            || format!("{name} prints books that read left to right only: print this one with `profile = \"ingramspark\"` or `\"lulu\"`"),
        );
    }

    // Single pages.
    c.push(
        "single-pages",
        "single pages, no spreads",
        p.marks_source,
        true,
        None,
        "one page of the book to each page of the file",
        String::new,
    );

    // Margins and gutter.
    let least = p.min_margin;
    let outer = g.outer.get().min(g.top.get()).min(g.bottom.get());
    let own = least == 0.0 && p.gutter.is_empty();
    c.push(
        "margins",
        if own {
            "margins as the style sets them".to_string()
        } else {
            format!("outside, top and bottom margins at least {}", inch(least))
        },
        p.margin_source,
        outer + 0.01 >= least,
        None,
        format!("outside {}, top {}, bottom {}", both(g.outer.get()), both(g.top.get()), both(g.bottom.get())),
        || format!("set `outer`, `top` and `bottom` under [page] in the style to at least {}", inch(least)),
    );
    let gutter = p.gutter_for(pages);
    let bracket = match p.gutter.iter().position(|(max, _)| pages <= *max) {
        Some(i) if p.gutter.len() > 1 => {
            let from = if i == 0 { 1 } else { p.gutter[i - 1].0 + 1 };
            format!(" ({}–{} pages)", from, p.gutter[i].0)
        }
        _ => String::new(),
    };
    c.push(
        "gutter",
        if own {
            "gutter (inside margin) as the style sets it".to_string()
        } else {
            format!("gutter (inside margin) by page count: at least {}{bracket}", inch(gutter))
        },
        p.margin_source,
        g.inner.get() + 0.01 >= gutter,
        None,
        format!(
            "{} pages set with a gutter of {}, settled in {} pass{}",
            pages,
            both(g.inner.get()),
            print.passes,
            if print.passes == 1 { "" } else { "es" }
        ),
        || format!("set `inner = \"{}in\"` under [page] in the style", fmt_num(gutter / IN)),
    );

    // Page count.
    let (least_pages, most_pages) = p.pages;
    let too_few = pages < least_pages;
    c.push(
        "page-count",
        if most_pages == usize::MAX {
            format!("at least {least_pages} pages")
        } else {
            format!("{least_pages} to {most_pages} pages")
        },
        p.pages_source,
        !too_few && pages <= most_pages,
        None,
        format!("{pages} pages"),
        || {
            if too_few {
                format!(
                    "{name} prints from {least_pages} pages: add {} pages of text (speeches, an introduction), or print it as a booklet (`profile = \"copyshop\"`)",
                    least_pages - pages
                )
            } else {
                format!("{name} prints at most {most_pages} pages: split the book into volumes (two book files), or choose a larger page size")
            }
        },
    );
    c.push(
        "page-multiple",
        if p.multiple == 4 {
            "a multiple of 4 pages (saddle stitching)".to_string()
        } else {
            format!("a multiple of {} pages (whole leaves)", p.multiple)
        },
        p.pages_source,
        pages.is_multiple_of(p.multiple),
        None,
        format!("{pages} pages, {} blank added at the end", print.outcome.padded),
        || format!("add blank pages to make a multiple of {}", p.multiple),
    );
    if p.last_blank {
        c.push(
            "last-page-blank",
            "the last page blank",
            p.margin_source,
            print.outcome.padded > 0,
            Some(pages),
            if print.outcome.padded > 0 { "the last page is blank" } else { "the last page has text" },
            || "build the print edition with this profile; it adds the blank page".into(),
        );
    }

    // Type size.
    if let Some(min) = p.min_type {
        let (smallest, page, raised) = print.outcome.press.smallest_type.unwrap_or((f32::INFINITY, 0, false));
        let text_size = g.size.get();
        c.push(
            "type-size",
            format!("type at least {} pt", fmt_num(min)),
            p.type_source,
            smallest + 0.01 >= min,
            (smallest.is_finite()).then_some(page + 1),
            if !smallest.is_finite() {
                "no text".into()
            } else if raised {
                format!("the smallest type is {} pt, a note call or superscript", fmt_num(smallest))
            } else {
                format!("the smallest type is {} pt", fmt_num(smallest))
            },
            || {
                // Sizes scale with the text size: the factor that makes the smallest `min`.
                let need = text_size * min / smallest;
                if raised {
                    format!(
                        "note calls and superscripts are set at about 0.7 of the type they stand in: raise `size` under [text] in the style to {} pt, or the factor under [sizes] of the element they stand in",
                        fmt_num((need * 10.0).ceil() / 10.0)
                    )
                } else {
                    format!(
                        "raise `size` under [text] in the style to {} pt, or the factor under [sizes] of what is set at {} pt (notes, tables, captions, folios)",
                        fmt_num((need * 10.0).ceil() / 10.0),
                        fmt_num(smallest)
                    )
                }
            },
        );
    }

    // Images.
    let min_ppi = p.min_ppi;
    let mut images: Vec<(&String, &f32)> = print.outcome.press.lowest_ppi.iter().collect();
    images.sort_by_key(|(k, _)| print.outcome.press.lowest_page.get(*k).copied());
    if images.is_empty() {
        c.push(
            "images",
            format!("images at least {} ppi", fmt_num(min_ppi)),
            p.ppi_source,
            true,
            None,
            "the interior has no images",
            String::new,
        );
    }
    for (key, ppi) in images {
        let page = print.outcome.press.lowest_page.get(key).map(|i| i + 1);
        let file = shown(key);
        c.push(
            "images",
            format!("images at least {} ppi", fmt_num(min_ppi)),
            p.ppi_source,
            *ppi + 0.5 >= min_ppi,
            page,
            format!("{file} prints at {} ppi", ppi.round()),
            || {
                format!(
                    "replace {file} with one {} times as many pixels wide and high, or place it smaller",
                    fmt_num(((min_ppi / ppi) * 100.0).ceil() / 100.0)
                )
            },
        );
    }

    // Fonts.
    c.push(
        "fonts",
        "every font embedded",
        p.marks_source,
        true,
        None,
        "the fonts' subsets are embedded, with their ToUnicode maps",
        String::new,
    );

    cover_checks(&mut c, prep, &p, platform, print, cover, &shown);
    c.list
}

fn cover_checks(
    c: &mut Checks,
    prep: &Prepared,
    p: &Profile,
    platform: Platform,
    print: &PrintSet,
    cover: &CoverFacts,
    shown: &impl Fn(&str) -> String,
) {
    let opts = &prep.anthology.print;
    let pages = cover.pages;
    let name = p.title;
    let (formula, expected) = match p.spine {
        Spine::PerPage { white, cream } if !(opts.paper_thickness_given && platform != Platform::Kdp) => {
            let (paper, f) =
                if opts.paper == crate::config::Paper::Cream { ("cream", cream) } else { ("white", white) };
            (format!("{pages} pages × {f} in ({paper} paper)"), pages as f32 * f * IN)
        }
        Spine::Lulu { per_inch, plus } => {
            (format!("{pages} pages / {per_inch} + {plus} in"), (pages as f32 / per_inch + plus) * IN)
        }
        Spine::None => ("saddle stitching has no spine".to_string(), 0.0),
        _ => (
            format!("{} leaves × {} mm (`paper_thickness_mm`)", pages.div_ceil(2), opts.paper_thickness_mm),
            (pages.div_ceil(2) as f64 * opts.paper_thickness_mm) as f32 * MM,
        ),
    };
    c.push(
        "spine-width",
        "spine width from the page count and paper",
        p.spine_source,
        (cover.spine - expected).abs() < 0.01 && cover.pages == print.outcome.pages,
        Some(0),
        format!("{formula} = {}", both(cover.spine)),
        || "build the cover in the same run as the interior".into(),
    );
    let (iw, ih) = (print.geometry.width.get(), print.geometry.height.get());
    let want = (2.0 * iw + expected + 2.0 * cover.bleed, ih + 2.0 * cover.bleed);
    let got = (cover.size.0 + 2.0 * cover.bleed, cover.size.1 + 2.0 * cover.bleed);
    let bleed_ok = p.cover_bleed.is_none_or(|b| (b - cover.bleed).abs() < 0.01);
    c.push(
        "cover-size",
        "full cover: bleed + back + spine + front + bleed",
        p.cover_source,
        bleed_ok && (got.0 - want.0).abs() < 0.02 && (got.1 - want.1).abs() < 0.02,
        Some(0),
        format!(
            "{} + {} + {} + {} + {} wide, {} + {} + {} high: {}",
            inch(cover.bleed),
            inch(iw),
            inch(cover.spine),
            inch(iw),
            inch(cover.bleed),
            inch(cover.bleed),
            inch(ih),
            inch(cover.bleed),
            size(got.0, got.1, platform)
        ),
        || "build the cover with this profile and the interior's page size".into(),
    );
    let allowed = p.spine_text_from.is_none_or(|least| pages >= least);
    let asked = opts.spine_text == Some(true);
    let title = match p.spine_text_from {
        Some(least) => format!("spine text only from {least} pages, {} clear on each side", inch(p.spine_clearance)),
        None => "spine text only where the spine holds it".to_string(),
    };
    let detail = if cover.spine_text {
        format!("the spine, {} wide, carries the title", both(cover.spine))
    } else if asked {
        format!("spine text asked for (`spine_text = true`) on {pages} pages; the spine is {}", both(cover.spine))
    } else {
        format!("no spine text: {pages} pages, a spine of {}", both(cover.spine))
    };
    c.push(
        "spine-text",
        title,
        p.spine_text_source,
        allowed || !(asked || cover.spine_text),
        Some(0),
        detail,
        || {
            format!(
                "remove `spine_text = true` under [print] in the book file: {name} allows spine text from {} pages, the book has {pages}",
                p.spine_text_from.unwrap_or(0)
            )
        },
    );
    if asked && allowed && !cover.spine_text {
        c.push(
            "spine-text-fits",
            "spine text asked for fits the spine",
            p.spine_text_source,
            false,
            Some(0),
            format!("the spine ({}) is too narrow for the title at 6 pt", both(cover.spine)),
            || "remove `spine_text = true`, or shorten the title".into(),
        );
    }
    match p.barcode {
        Barcode::KeepClear { width, height, .. } => c.push(
            "barcode",
            format!("the barcode area ({} × {}, back cover, foot, spine side) kept clear", inch(width), inch(height)),
            p.barcode_source,
            cover.in_barcode_box == 0 && !cover.barcode_drawn,
            Some(0),
            if cover.in_barcode_box == 0 {
                format!("clear: {name} prints its own barcode there")
            } else {
                format!("{} lines or shapes of the back cover reach into it", cover.in_barcode_box)
            },
            || "shorten the `description` or the `publisher` in the book file so the back cover's text ends above the barcode area".into(),
        ),
        Barcode::Draw { required } => c.push(
            "barcode",
            if required { "the ISBN's barcode on the back cover" } else { "the ISBN's barcode where there is an ISBN" },
            p.barcode_source,
            cover.barcode_drawn || !required,
            Some(0),
            if cover.barcode_drawn { "EAN-13 drawn as vector bars" } else { "no ISBN, no barcode" },
            || "add `isbn` to the book file: the cover then carries its EAN-13 barcode".into(),
        ),
    }
    if let Some((key, ppi)) = &cover.lowest_ppi {
        let file = shown(key);
        c.push(
            "cover-image",
            format!("cover image at least {} ppi", fmt_num(p.min_ppi)),
            p.ppi_source,
            *ppi + 0.5 >= p.min_ppi,
            Some(0),
            format!("{file} prints at {} ppi", ppi.round()),
            || {
                format!(
                    "replace {file} with one {} times as many pixels wide and high",
                    fmt_num(((p.min_ppi / ppi) * 100.0).ceil() / 100.0)
                )
            },
        );
    }
}

fn page_label(page: Option<usize>) -> String {
    match page {
        Some(0) => "cover".into(),
        Some(n) => format!("page {n}"),
        None => "all pages".into(),
    }
}

/// The report for the terminal.
pub fn text(pf: &Preflight) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "preflight of {} for {} ({})", pf.book, pf.title, pf.profile);
    for c in &pf.checks {
        let mark = if c.passed { "pass" } else { "FAIL" };
        let _ = writeln!(s, "  {mark}  {}: {}", c.title, c.detail);
        if !c.passed {
            let _ = writeln!(s, "        where: {}", page_label(c.page));
            if let Some(f) = &c.fix {
                let _ = writeln!(s, "        fix: {f}");
            }
        }
        let note = if c.confirmed { "" } else { " (not confirmed on the platform's own guide)" };
        let _ = writeln!(s, "        source: {}{note}", c.source);
    }
    let n = pf.failures();
    let _ = writeln!(s, "preflight: {} rules, {} failure{}", pf.checks.len(), n, if n == 1 { "" } else { "s" });
    s
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Escaped, with `names` in backticks set as code.
fn esc_code(t: &str) -> String {
    let mut out = String::new();
    for (i, part) in esc(t).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A source's link text: its host and the last part of its path, short.
fn short(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split('/').next().unwrap_or(rest);
    let last = rest.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if last == host || last.is_empty() {
        return host.to_string();
    }
    let last: String = last.chars().take(28).collect();
    format!("{host} › {last}")
}

/// The report as an HTML page of its own (no script, no outside resources).
pub fn html(pf: &Preflight) -> String {
    let n = pf.failures();
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Preflight: {book} for {title}</title>\n<style>\n\
body{{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}}\n\
h1{{font-size:1.5em;margin-bottom:.2em}} p.files{{color:#555;margin-top:0}}\n\
.summary{{font-size:1.15em;padding:.6em 1em;border-radius:6px;margin:1em 0}}\n\
.summary.ok{{background:#e3f4e1;border:1px solid #8cc084}} .summary.bad{{background:#fbe4e2;border:1px solid #d9837b}}\n\
table{{border-collapse:collapse;width:100%}} th,td{{text-align:left;vertical-align:top;padding:.45em .6em;border-bottom:1px solid #ddd}}\n\
th{{background:#f4f4f4}} td.r{{font-weight:bold;white-space:nowrap}} tr.fail td.r{{color:#b3261e}} tr.pass td.r{{color:#2e7d32}}\n\
tr.fail{{background:#fff6f5}} .fix{{margin-top:.3em}} .fix b{{color:#b3261e}} td.src{{font-size:.85em;max-width:18em}} code{{font-size:.92em;background:#f2f2f2;padding:0 .2em}}\n\
.unconf{{color:#8a6d00}}\n</style>\n</head>\n<body>\n<h1>Preflight: {book}</h1>\n<p class=\"files\">{title} (<code>profile = \"{profile}\"</code>) · {interior} · {cover}</p>\n",
        book = esc(&pf.book),
        title = esc(pf.title),
        profile = pf.profile,
        interior = esc(&pf.interior),
        cover = esc(&pf.cover),
    );
    let failed: Vec<String> = pf.checks.iter().filter(|c| !c.passed).map(|c| esc(&c.title)).collect();
    let _ = writeln!(
        s,
        "<p class=\"summary {}\">{} rules checked: {}</p>",
        if n == 0 { "ok" } else { "bad" },
        pf.checks.len(),
        if n == 0 {
            "all pass, ready to upload".to_string()
        } else {
            format!("<b>{n} fail{}</b>: {}", if n == 1 { "s" } else { "" }, failed.join("; "))
        }
    );
    s.push_str("<table>\n<tr><th>Result</th><th>Rule</th><th>Where</th><th>Found, and what to change</th><th>Source</th></tr>\n");
    for c in &pf.checks {
        let class = if c.passed { "pass" } else { "fail" };
        let fix = c
            .fix
            .as_deref()
            .map(|f| format!("<div class=\"fix\"><b>Fix:</b> {}</div>", esc_code(f)))
            .unwrap_or_default();
        let unconf =
            if c.confirmed { "" } else { "<div class=\"unconf\">not confirmed on the platform's own guide</div>" };
        let _ = writeln!(
            s,
            "<tr class=\"{class}\"><td class=\"r\">{}</td><td>{}</td><td>{}</td><td>{}{fix}</td><td class=\"src\"><a href=\"{}\">{}</a>{unconf}</td></tr>",
            if c.passed { "pass" } else { "FAIL" },
            esc(&c.title),
            page_label(c.page),
            esc_code(&c.detail),
            esc(c.source),
            esc(&short(c.source)),
        );
    }
    s.push_str("</table>\n</body>\n</html>\n");
    s
}

/// The report as JSON lines: one `preflight-check` message a rule, then `preflight`.
pub fn json_lines(pf: &Preflight, report_path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in &pf.checks {
        let mut v = serde_json::to_value(c).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("reason".into(), "preflight-check".into());
            o.insert("book".into(), pf.book.clone().into());
            o.insert("profile".into(), pf.profile.into());
        }
        out.push(v.to_string());
    }
    out.push(
        serde_json::json!({
            "reason": "preflight",
            "book": pf.book,
            "profile": pf.profile,
            "rules": pf.checks.len(),
            "failures": pf.failures(),
            "report": report_path,
        })
        .to_string(),
    );
    out
}
