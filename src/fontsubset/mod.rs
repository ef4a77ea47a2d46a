//! Font subsets for the EPUB: a TrueType font cut down to the glyphs of the characters a
//! book uses, for a reading system to render that book and nothing else.
//!
//! `subsetter` (the PDF's) cannot serve here: it removes `cmap`, `OS/2` and the OpenType
//! layout tables, which a PDF does without and a reading system needs. So this keeps the
//! glyph numbering (as `hb-subset --retain-gids` does) and every table that refers to
//! glyphs (`GSUB`, `GPOS`, `GDEF`, `hmtx`, `kern`), and empties the outlines of the glyphs
//! no character of the book reaches:
//!
//! - **kept glyphs**: `.notdef`, those the book's characters map to, every glyph a `GSUB`
//!   substitution can make of kept glyphs through the features a reading system applies
//!   by default ([`DEFAULT_FEATURES`]: ligatures, localised, contextual and positional
//!   forms) and those the style sheet asks for (small capitals for the byline), with the
//!   lookups their contexts call, until nothing is added; and the components of kept
//!   composite glyphs. Alternates no feature in use reaches (Gentium's character
//!   variants and stylistic sets) are left out;
//! - **`glyf` and `loca`** hold only the kept glyphs' outlines (others are empty, as a
//!   space is); `loca` is written in its long form;
//! - **`cmap`** maps only the book's characters (format 4, and format 12 when a character
//!   lies beyond the BMP), so a character added to the book later falls back to the
//!   reading system's fonts rather than to an empty glyph;
//! - **hinting** goes: the glyphs' TrueType instructions, `fpgm`, `prep`, `cvt ` and the
//!   device metrics made with them (`hdmx`, `LTSH`, `VDMX`). Reading systems on phones,
//!   tablets and e-ink screens of 200 dpi and more render outlines unhinted or autohinted
//!   (Apple's and Android's text engines ignore TrueType instructions; Google Fonts serves
//!   unhinted files to all but Windows); in the example book hinting was a quarter of
//!   what the subsets weighed compressed;
//! - **`hmtx`** keeps the metrics of the kept glyphs only, the others zero;
//! - **`GSUB`** keeps its layout and numbering; the lookups no feature in use calls are
//!   emptied and the bytes only they used zeroed (`gsub::trim`), and so are the feature
//!   parameters, whose UI names (`name` 256 and above) are dropped;
//! - **`post`** becomes version 3 (no glyph names); the Graphite source table `Silt` and
//!   the digital signature `DSIG` (invalid once the file changes) are dropped; every other
//!   table is copied as it is. Checksums and `head.checkSumAdjustment` are recomputed.
//!
//! Fonts with CFF outlines are not subset (an error the caller turns into the whole font).

mod gsub;

use std::collections::BTreeSet;

/// Where the flags and coordinates of `points` points that start at `at` end.
fn outline_end(data: &[u8], mut at: usize, points: usize) -> Option<usize> {
    let mut flags = Vec::with_capacity(points);
    while flags.len() < points {
        let f = *data.get(at)?;
        at += 1;
        let repeat = if f & 0x08 != 0 {
            at += 1;
            *data.get(at - 1)? as usize
        } else {
            0
        };
        flags.extend(std::iter::repeat_n(f, repeat + 1));
    }
    flags.truncate(points);
    let size = |f: u8, short: u8, same: u8| {
        if f & short != 0 {
            1
        } else if f & same != 0 {
            0
        } else {
            2
        }
    };
    at += flags.iter().map(|&f| size(f, 0x02, 0x10)).sum::<usize>();
    at += flags.iter().map(|&f| size(f, 0x04, 0x20)).sum::<usize>();
    (at <= data.len()).then_some(at)
}

/// Tables left out of a subset: SIL's Graphite source table, the signature, and the
/// TrueType hinting programs and the device metrics made with them.
const DROPPED: [&[u8; 4]; 8] = [b"Silt", b"DSIG", b"fpgm", b"prep", b"cvt ", b"hdmx", b"LTSH", b"VDMX"];

/// A glyph's outline without its hinting instructions, and without the padding after it.
fn unhinted(data: &[u8]) -> Vec<u8> {
    if data.len() < 10 {
        return data.to_vec();
    }
    let contours = i16::from_be_bytes([data[0], data[1]]);
    if contours >= 0 {
        // Header, end points, the instructions' length and the instructions, then the
        // flags and coordinates of the points.
        let at = 10 + 2 * contours as usize;
        let Some(n) = u16_at(data, at) else { return data.to_vec() };
        let points = if contours == 0 { 0 } else { u16_at(data, at - 2).map_or(0, |last| last as usize + 1) };
        let start = at + 2 + n as usize;
        let Some(end) = outline_end(data, start, points) else { return data.to_vec() };
        let mut out = data[..at].to_vec();
        out.extend([0, 0]);
        out.extend_from_slice(&data[start..end]);
        return out;
    }
    // A composite: clear WE_HAVE_INSTRUCTIONS and leave out what follows the components.
    let mut out = data.to_vec();
    let mut at = 10;
    while let Some(flags) = u16_at(&out, at) {
        let cleared = flags & !WE_HAVE_INSTRUCTIONS;
        out[at..at + 2].copy_from_slice(&cleared.to_be_bytes());
        at += component_len(flags);
        if flags & MORE_COMPONENTS == 0 {
            out.truncate(at.min(out.len()));
            break;
        }
    }
    out
}

/// Composite glyph flags (OpenType `glyf`).
const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
const WE_HAVE_A_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;
const WE_HAVE_INSTRUCTIONS: u16 = 0x0100;

/// The length of one component record of a composite glyph with these flags: flags and
/// glyph index, the two arguments, then the transform.
fn component_len(flags: u16) -> usize {
    let args = if flags & ARG_1_AND_2_ARE_WORDS != 0 { 4 } else { 2 };
    let transform = if flags & WE_HAVE_A_SCALE != 0 {
        2
    } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
        4
    } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
        8
    } else {
        0
    };
    4 + args + transform
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// The font's tables by tag, in the order of its directory.
fn tables(data: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    let n = u16_at(data, 4)? as usize;
    (0..n)
        .map(|i| {
            let rec = 12 + 16 * i;
            let tag: [u8; 4] = data.get(rec..rec + 4)?.try_into().ok()?;
            let off = u32_at(data, rec + 8)? as usize;
            let len = u32_at(data, rec + 12)? as usize;
            Some((tag, data.get(off..off.checked_add(len)?)?))
        })
        .collect()
}

/// The `GSUB` features a reading system applies without being asked (HarfBuzz's and
/// the browsers' defaults for every script: composition, localised forms, required and
/// standard ligatures, contextual alternates, the positional forms of joining scripts,
/// the Indic, Khmer, Myanmar and Hangul shaping features) and those the book's style sheet
/// asks for, given to [`subset`] by the caller.
pub(crate) const DEFAULT_FEATURES: [&[u8; 4]; 43] = [
    b"rvrn", b"ccmp", b"locl", b"rlig", b"liga", b"clig", b"calt", b"rclt", b"ltra", b"ltrm", b"rtla", b"rtlm",
    b"isol", b"init", b"medi", b"fina", b"med2", b"fin2", b"fin3", b"mset", b"stch", b"nukt", b"akhn", b"rphf",
    b"rkrf", b"pref", b"blwf", b"abvf", b"half", b"pstf", b"vatu", b"cjct", b"pres", b"abvs", b"blws", b"psts",
    b"haln", b"ljmo", b"vjmo", b"tjmo", b"frac", b"numr", b"dnom",
];

/// The `GSUB` features a style sheet asks for, with [`DEFAULT_FEATURES`]: the tags in its
/// `font-feature-settings` and those its `font-variant` keywords stand for.
pub(crate) fn css_features(css: &str) -> BTreeSet<[u8; 4]> {
    let mut out: BTreeSet<[u8; 4]> = DEFAULT_FEATURES.iter().map(|t| **t).collect();
    for (at, _) in css.match_indices("font-feature-settings") {
        let value = &css[at..];
        let value = &value[..value.find([';', '}']).unwrap_or(value.len())];
        for quoted in value.split(['"', '\'']).skip(1).step_by(2) {
            if let Ok(tag) = <[u8; 4]>::try_from(quoted.as_bytes()) {
                out.insert(tag);
            }
        }
    }
    const VARIANTS: [(&str, &[&[u8; 4]]); 17] = [
        ("small-caps", &[b"smcp"]),
        ("all-small-caps", &[b"smcp", b"c2sc"]),
        ("petite-caps", &[b"pcap"]),
        ("all-petite-caps", &[b"pcap", b"c2pc"]),
        ("unicase", &[b"unic"]),
        ("titling-caps", &[b"titl"]),
        ("oldstyle-nums", &[b"onum"]),
        ("lining-nums", &[b"lnum"]),
        ("tabular-nums", &[b"tnum"]),
        ("proportional-nums", &[b"pnum"]),
        ("stacked-fractions", &[b"afrc"]),
        ("ordinal", &[b"ordn"]),
        ("slashed-zero", &[b"zero"]),
        ("discretionary-ligatures", &[b"dlig"]),
        ("historical-ligatures", &[b"hlig"]),
        ("historical-forms", &[b"hist"]),
        ("font-variant-position", &[b"sups", b"subs"]),
    ];
    for (word, tags) in VARIANTS {
        if css.contains(word) {
            out.extend(tags.iter().map(|t| **t));
        }
    }
    out
}

/// The `GSUB` lookups the features call, with those their contextual lookups call.
fn lookups(gsub: &ttf_parser::opentype_layout::LayoutTable<'_>, features: &BTreeSet<[u8; 4]>) -> BTreeSet<u16> {
    use ttf_parser::gsub::SubstitutionSubtable as S;
    use ttf_parser::opentype_layout::{ChainedContextLookup as CC, ContextLookup as C};
    let mut todo: Vec<u16> = Vec::new();
    let mut required = BTreeSet::new();
    for script in gsub.scripts {
        for lang in script.default_language.into_iter().chain(script.languages) {
            required.extend(lang.required_feature);
        }
    }
    for (i, f) in gsub.features.into_iter().enumerate() {
        if features.contains(&f.tag.to_bytes()) || required.contains(&(i as u16)) {
            todo.extend(f.lookup_indices);
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(l) = todo.pop() {
        if !seen.insert(l) {
            continue;
        }
        let Some(lookup) = gsub.lookups.get(l) else { continue };
        for sub in lookup.subtables.into_iter::<S<'_>>() {
            let mut push = |records: ttf_parser::LazyArray16<'_, ttf_parser::opentype_layout::SequenceLookupRecord>| {
                todo.extend(records.into_iter().map(|r| r.lookup_list_index))
            };
            match sub {
                S::Context(C::Format1 { sets, .. }) | S::Context(C::Format2 { sets, .. }) => {
                    sets.into_iter().flatten().for_each(|rule| push(rule.lookups))
                }
                S::Context(C::Format3 { lookups, .. }) => push(lookups),
                S::ChainContext(CC::Format1 { sets, .. }) | S::ChainContext(CC::Format2 { sets, .. }) => {
                    sets.into_iter().flatten().for_each(|rule| push(rule.lookups))
                }
                S::ChainContext(CC::Format3 { lookups, .. }) => push(lookups),
                _ => {}
            }
        }
    }
    seen
}

/// The glyphs of the characters, closed under the substitutions of the `GSUB` lookups the
/// features call and under composite references.
fn closure(
    face: &ttf_parser::Face<'_>,
    chars: &BTreeSet<char>,
    features: &BTreeSet<[u8; 4]>,
    glyf: &[u8],
    loca: &[u32],
) -> (BTreeSet<u16>, BTreeSet<u16>) {
    use ttf_parser::gsub::SubstitutionSubtable as S;
    use ttf_parser::GlyphId;
    let mut keep: BTreeSet<u16> = BTreeSet::from([0]);
    keep.extend(chars.iter().filter_map(|&c| face.glyph_index(c)).map(|g| g.0));
    let gsub = face.tables().gsub;
    let called = gsub.map(|g| lookups(&g, features)).unwrap_or_default();
    loop {
        let before = keep.len();
        if let Some(gsub) = gsub {
            for &l in &called {
                let Some(lookup) = gsub.lookups.get(l) else { continue };
                for sub in lookup.subtables.into_iter::<S<'_>>() {
                    let mut add = Vec::new();
                    let coverage = sub.coverage();
                    for &g in &keep {
                        let Some(i) = coverage.get(GlyphId(g)) else { continue };
                        match &sub {
                            S::Single(ttf_parser::gsub::SingleSubstitution::Format1 { delta, .. }) => {
                                add.push((g as i32 + *delta as i32) as u16)
                            }
                            S::Single(ttf_parser::gsub::SingleSubstitution::Format2 { substitutes, .. }) => {
                                add.extend(substitutes.get(i).map(|g| g.0))
                            }
                            S::Multiple(m) => {
                                add.extend(m.sequences.get(i).into_iter().flat_map(|s| s.substitutes).map(|g| g.0))
                            }
                            S::Alternate(a) => {
                                add.extend(a.alternate_sets.get(i).into_iter().flat_map(|s| s.alternates).map(|g| g.0))
                            }
                            S::Ligature(l) => {
                                for lig in l.ligature_sets.get(i).into_iter().flatten() {
                                    if lig.components.into_iter().all(|c| keep.contains(&c.0)) {
                                        add.push(lig.glyph.0);
                                    }
                                }
                            }
                            S::ReverseChainSingle(r) => add.extend(r.substitutes.get(i).map(|g| g.0)),
                            // Contexts call other lookups, which are among those visited.
                            S::Context(_) | S::ChainContext(_) => {}
                        }
                    }
                    keep.extend(add);
                }
            }
        }
        // Components of composite glyphs.
        let mut add = Vec::new();
        for &g in &keep {
            add.extend(components(glyph(glyf, loca, g)));
        }
        keep.extend(add);
        if keep.len() == before {
            break;
        }
    }
    keep.retain(|&g| (g as usize) + 1 < loca.len());
    (keep, called)
}

fn glyph<'a>(glyf: &'a [u8], loca: &[u32], g: u16) -> &'a [u8] {
    let (Some(&a), Some(&b)) = (loca.get(g as usize), loca.get(g as usize + 1)) else { return &[] };
    glyf.get(a as usize..b as usize).unwrap_or(&[])
}

/// The glyphs a composite glyph is made of (none for a simple one).
fn components(data: &[u8]) -> Vec<u16> {
    let mut out = Vec::new();
    if data.len() < 10 || i16::from_be_bytes([data[0], data[1]]) >= 0 {
        return out;
    }
    let mut at = 10;
    while let (Some(flags), Some(index)) = (u16_at(data, at), u16_at(data, at + 2)) {
        out.push(index);
        at += component_len(flags);
        if flags & MORE_COMPONENTS == 0 {
            break;
        }
    }
    out
}

/// The name table without the names numbered 256 and above (the UI names of stylistic
/// sets and character variants, whose feature parameters `gsub::trim` removes), or `None`
/// when it is not of format 0.
fn names(name: &[u8]) -> Option<Vec<u8>> {
    if u16_at(name, 0)? != 0 {
        return None;
    }
    let (count, storage) = (u16_at(name, 2)? as usize, u16_at(name, 4)? as usize);
    let mut records = Vec::new();
    let mut strings: Vec<u8> = Vec::new();
    for i in 0..count {
        let rec = name.get(6 + 12 * i..18 + 12 * i)?;
        if u16_at(rec, 6)? >= 256 {
            continue;
        }
        let (len, off) = (u16_at(rec, 8)? as usize, u16_at(rec, 10)? as usize);
        let text = name.get(storage + off..storage + off + len)?;
        let mut r = rec.to_vec();
        r[10..12].copy_from_slice(&(strings.len() as u16).to_be_bytes());
        strings.extend_from_slice(text);
        records.push(r);
    }
    let mut out = Vec::new();
    out.extend(0u16.to_be_bytes());
    out.extend((records.len() as u16).to_be_bytes());
    out.extend(((6 + 12 * records.len()) as u16).to_be_bytes());
    records.iter().for_each(|r| out.extend_from_slice(r));
    out.extend(strings);
    Some(out)
}

/// The horizontal metrics with those of glyphs not kept set to zero (no text reaches
/// them, and zeros pack into nothing).
fn metrics(hmtx: &[u8], hhea: Option<&[u8]>, keep: &BTreeSet<u16>) -> Vec<u8> {
    let Some(long) = hhea.and_then(|h| u16_at(h, 34)) else { return hmtx.to_vec() };
    let mut out = vec![0; hmtx.len()];
    for &g in keep {
        let (at, len) = if g < long { (4 * g as usize, 4) } else { (4 * long as usize + 2 * (g - long) as usize, 2) };
        if let (Some(to), Some(from)) = (out.get_mut(at..at + len), hmtx.get(at..at + len)) {
            to.copy_from_slice(from);
        }
    }
    out
}

/// A `cmap` table mapping `pairs` (sorted by character).
fn cmap(pairs: &[(u32, u16)]) -> Vec<u8> {
    // Format 4: runs of consecutive characters with consecutive glyphs share a segment.
    let mut segments: Vec<(u16, u16, u16)> = Vec::new(); // start, end, delta
    for &(c, g) in pairs.iter().filter(|(c, _)| *c < 0xFFFF) {
        let delta = g.wrapping_sub(c as u16);
        match segments.last_mut() {
            Some(s) if s.1 as u32 + 1 == c && s.2 == delta => s.1 = c as u16,
            _ => segments.push((c as u16, c as u16, delta)),
        }
    }
    segments.push((0xFFFF, 0xFFFF, 1));
    let n = segments.len() as u16;
    let power = largest_power_of_two(n);
    let mut f4 = Vec::new();
    let length = 16 + 8 * n as usize;
    for v in [4, length as u16, 0, n * 2, power * 2, power.trailing_zeros() as u16, n * 2 - power * 2] {
        f4.extend(v.to_be_bytes());
    }
    segments.iter().for_each(|s| f4.extend(s.1.to_be_bytes()));
    f4.extend(0u16.to_be_bytes());
    segments.iter().for_each(|s| f4.extend(s.0.to_be_bytes()));
    segments.iter().for_each(|s| f4.extend(s.2.to_be_bytes()));
    segments.iter().for_each(|_| f4.extend(0u16.to_be_bytes()));
    // Format 12, for characters beyond the BMP.
    let f12 = pairs.iter().any(|(c, _)| *c > 0xFFFF).then(|| {
        let mut groups: Vec<(u32, u32, u32)> = Vec::new();
        for &(c, g) in pairs {
            match groups.last_mut() {
                Some(x) if x.1 + 1 == c && x.2 + (c - x.0) == g as u32 => x.1 = c,
                _ => groups.push((c, c, g as u32)),
            }
        }
        let mut t = Vec::new();
        t.extend(12u16.to_be_bytes());
        t.extend(0u16.to_be_bytes());
        t.extend((16 + 12 * groups.len() as u32).to_be_bytes());
        t.extend(0u32.to_be_bytes());
        t.extend((groups.len() as u32).to_be_bytes());
        for (a, b, g) in groups {
            [a, b, g].iter().for_each(|v| t.extend(v.to_be_bytes()));
        }
        t
    });
    let records = if f12.is_some() { 2u16 } else { 1 };
    let mut out = Vec::new();
    out.extend(0u16.to_be_bytes());
    out.extend(records.to_be_bytes());
    let first = 4 + 8 * records as u32;
    out.extend([3u16, 1].iter().flat_map(|v| v.to_be_bytes()));
    out.extend(first.to_be_bytes());
    if f12.is_some() {
        out.extend([3u16, 10].iter().flat_map(|v| v.to_be_bytes()));
        out.extend((first + f4.len() as u32).to_be_bytes());
    }
    out.extend(f4);
    out.extend(f12.unwrap_or_default());
    out
}

/// The largest power of two not above `n` (1 for 0), for binary-search headers.
fn largest_power_of_two(n: u16) -> u16 {
    (0..16).rev().map(|e| 1u16 << e).find(|p| *p <= n).unwrap_or(1)
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

/// The font `data` cut down to what `chars` need with the `GSUB` features `features` (with
/// [`DEFAULT_FEATURES`], those the style sheet asks for); an error says why it cannot be.
pub(crate) fn subset(data: &[u8], chars: &BTreeSet<char>, features: &BTreeSet<[u8; 4]>) -> Result<Vec<u8>, String> {
    let face = ttf_parser::Face::parse(data, 0).map_err(|e| format!("it cannot be read ({e})"))?;
    let tables = tables(data).ok_or("its table directory is damaged")?;
    let find = |tag: &[u8; 4]| tables.iter().find(|(t, _)| t == tag).map(|(_, d)| *d);
    let (Some(glyf), Some(loca), Some(head)) = (find(b"glyf"), find(b"loca"), find(b"head")) else {
        return Err("it has no TrueType outlines (glyf); CFF fonts are embedded whole".into());
    };
    let long = u16_at(head, 50).ok_or("its head table is damaged")? == 1;
    let offsets: Vec<u32> = if long {
        loca.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect()
    } else {
        loca.chunks_exact(2).map(|c| 2 * u16::from_be_bytes([c[0], c[1]]) as u32).collect()
    };
    if offsets.len() < 2
        || offsets.windows(2).any(|w| w[0] > w[1])
        || *offsets.last().unwrap_or(&0) as usize > glyf.len()
    {
        return Err("its loca table is damaged".into());
    }
    let (keep, called) = closure(&face, chars, features, glyf, &offsets);

    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity(offsets.len() * 4);
    for g in 0..offsets.len() - 1 {
        new_loca.extend((new_glyf.len() as u32).to_be_bytes());
        if keep.contains(&(g as u16)) {
            new_glyf.extend(unhinted(glyph(glyf, &offsets, g as u16)));
            new_glyf.resize(new_glyf.len().next_multiple_of(4), 0);
        }
    }
    new_loca.extend((new_glyf.len() as u32).to_be_bytes());

    let mut pairs: Vec<(u32, u16)> =
        chars.iter().filter_map(|&c| face.glyph_index(c).filter(|g| g.0 != 0).map(|g| (c as u32, g.0))).collect();
    pairs.sort_unstable();

    let mut new_head = head.to_vec();
    new_head[8..12].copy_from_slice(&[0; 4]);
    new_head[50..52].copy_from_slice(&1u16.to_be_bytes());
    let post = find(b"post").map(|p| {
        let mut p = p.get(..32).unwrap_or(p).to_vec();
        p.resize(32, 0);
        p[0..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
        p
    });

    let mut out_tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    for (tag, d) in &tables {
        if DROPPED.contains(&tag) {
            continue;
        }
        let d = match tag {
            b"glyf" => std::mem::take(&mut new_glyf),
            b"loca" => std::mem::take(&mut new_loca),
            b"head" => new_head.clone(),
            b"cmap" => cmap(&pairs),
            b"hmtx" => metrics(d, find(b"hhea"), &keep),
            b"post" => post.clone().unwrap_or_default(),
            b"GSUB" => gsub::trim(d, &called).unwrap_or_else(|| d.to_vec()),
            b"name" if find(b"fvar").is_none() && find(b"STAT").is_none() => names(d).unwrap_or_else(|| d.to_vec()),
            _ => d.to_vec(),
        };
        out_tables.push((*tag, d));
    }
    out_tables.sort_by_key(|t| t.0);

    let n = out_tables.len() as u16;
    let power = largest_power_of_two(n);
    let mut out = Vec::new();
    out.extend_from_slice(&data[0..4]);
    for v in [n, power * 16, power.trailing_zeros() as u16, n * 16 - power * 16] {
        out.extend(v.to_be_bytes());
    }
    let mut offset = 12 + 16 * out_tables.len();
    let mut head_at = None;
    for (tag, d) in &out_tables {
        out.extend_from_slice(tag);
        out.extend(checksum(d).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((d.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += d.len().next_multiple_of(4);
    }
    for (_, d) in &out_tables {
        out.extend_from_slice(d);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjust.to_be_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_read_from_the_style_sheet() {
        let f = css_features(".byline { font-variant: small-caps; font-feature-settings: \"ss01\", 'cv13' 1; }");
        for tag in [b"smcp", b"ss01", b"cv13", b"liga", b"init"] {
            assert!(f.contains(tag), "{}", String::from_utf8_lossy(tag));
        }
        assert!(!f.contains(b"c2sc") && !f.contains(b"aalt"));
    }

    fn features(extra: &[&[u8; 4]]) -> BTreeSet<[u8; 4]> {
        DEFAULT_FEATURES.iter().chain(extra).map(|t| **t).collect()
    }

    fn gentium() -> &'static [u8] {
        crate::assets::bundled("fonts/GentiumBookPlus-Regular.ttf").expect("bundled")
    }

    fn outline(face: &ttf_parser::Face<'_>, g: ttf_parser::GlyphId) -> Option<ttf_parser::Rect> {
        face.glyph_bounding_box(g)
    }

    #[test]
    fn a_subset_keeps_the_characters_outlines_and_drops_the_rest() {
        let chars: BTreeSet<char> = "Solidarität fi ffi ʼ€".chars().collect();
        let full = gentium();
        let small = subset(full, &chars, &features(&[])).unwrap();
        assert!(small.len() * 3 < full.len(), "{} of {}", small.len(), full.len());
        let (a, b) = (ttf_parser::Face::parse(full, 0).unwrap(), ttf_parser::Face::parse(&small, 0).unwrap());
        assert_eq!(a.number_of_glyphs(), b.number_of_glyphs());
        for c in chars.iter().filter(|c| !c.is_whitespace()) {
            let g = a.glyph_index(*c).unwrap();
            assert_eq!(b.glyph_index(*c), Some(g), "{c}");
            assert_eq!(outline(&a, g), outline(&b, g), "{c}");
            assert!(outline(&b, g).is_some(), "{c}");
        }
        // Characters the book does not use are gone from the cmap and their outlines empty.
        let z = a.glyph_index('Z').unwrap();
        assert_eq!(b.glyph_index('Z'), None);
        assert!(outline(&b, z).is_none());
        assert_eq!(b.glyph_hor_advance(z), Some(0));
        let e = a.glyph_index('a').unwrap();
        assert_eq!(b.glyph_hor_advance(e), a.glyph_hor_advance(e));
        assert!(b.glyph_hor_advance(e).unwrap() > 0);
        // Without hinting.
        assert!(b.raw_face().table(ttf_parser::Tag::from_bytes(b"fpgm")).is_none());
        // The same input gives the same bytes; the file's checksum adds up.
        assert_eq!(subset(full, &chars, &features(&[])).unwrap(), small);
        assert_eq!(checksum(&small), 0xB1B0_AFBA);
    }

    #[test]
    fn small_capitals_are_kept_when_the_style_asks_for_them() {
        use ttf_parser::gsub::{SingleSubstitution, SubstitutionSubtable as S};
        let chars: BTreeSet<char> = "Rede".chars().collect();
        let full = gentium();
        let small = subset(full, &chars, &features(&[b"smcp"])).unwrap();
        let without = subset(full, &chars, &features(&[])).unwrap();
        let (a, b) = (ttf_parser::Face::parse(full, 0).unwrap(), ttf_parser::Face::parse(&small, 0).unwrap());
        let c = ttf_parser::Face::parse(&without, 0).unwrap();
        let gsub = a.tables().gsub.unwrap();
        let smcp = gsub.features.into_iter().find(|f| &f.tag.to_bytes() == b"smcp").expect("Gentium has smcp");
        let mut checked = 0;
        for l in smcp.lookup_indices {
            let lookup = gsub.lookups.get(l).unwrap();
            for sub in lookup.subtables.into_iter::<S<'_>>() {
                for ch in ['e', 'd'] {
                    let g = a.glyph_index(ch).unwrap();
                    let Some(i) = sub.coverage().get(g) else { continue };
                    let to = match sub {
                        S::Single(SingleSubstitution::Format1 { delta, .. }) => (g.0 as i32 + delta as i32) as u16,
                        S::Single(SingleSubstitution::Format2 { substitutes, .. }) => substitutes.get(i).unwrap().0,
                        _ => continue,
                    };
                    let to = ttf_parser::GlyphId(to);
                    assert!(outline(&b, to).is_some() && outline(&b, to) == outline(&a, to), "small capital of {ch}");
                    assert!(outline(&c, to).is_none(), "no small capitals without smcp");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 2, "{checked}");
    }

    /// Glyphs and positions of `text` shaped with `features` on.
    fn shape(data: Vec<u8>, text: &str, features: &[&[u8; 4]]) -> Vec<(u32, i32, i32, i32)> {
        let font = harfrust::Font::new(data, 0).expect("harfrust reads the font");
        let shaper = harfrust::ShaperFont::new(&font);
        let mut buffer = harfrust::Buffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let features: Vec<harfrust::Feature> =
            features.iter().map(|t| harfrust::Feature::new(harfrust::Tag::new(t), 1, ..)).collect();
        harfrust::shape(&shaper, &mut buffer, harfrust::ShapeOptions::new().features(&features)).unwrap();
        buffer
            .glyph_infos()
            .iter()
            .zip(buffer.glyph_positions())
            .map(|(i, p)| (i.glyph_id, p.x_advance, p.x_offset, p.y_offset))
            .collect()
    }

    #[test]
    fn text_shapes_the_same_with_the_subset_as_with_the_whole_font() {
        // Ligatures, kerning, marks placed on letters, small capitals; Arabic joining and
        // lam-alef.
        let latin = "Office affine «Wir» — Tȁg, ḗ ǖ Ǆ, Solidarität, fjord, 1. 2. 3.";
        let arabic = "لا سلام عليكم، التضامن ٢٠٢٤";
        for (file, text, extra) in [
            ("GentiumBookPlus-Regular.ttf", latin, &[][..]),
            ("GentiumBookPlus-Italic.ttf", latin, &[b"smcp"][..]),
            ("GentiumBookPlus-Bold.ttf", latin, &[b"smcp", b"c2sc"][..]),
            ("NotoNaskhArabic-Regular.ttf", arabic, &[][..]),
        ] {
            let full = crate::assets::bundled(&format!("fonts/{file}")).unwrap();
            let small = subset(full, &text.chars().collect(), &features(extra)).unwrap();
            // The GSUB table was walked to its end and trimmed, not kept whole.
            let gsub = tables(full).unwrap().into_iter().find(|(t, _)| t == b"GSUB").unwrap().1;
            let trimmed = gsub::trim(gsub, &BTreeSet::new()).expect(file);
            assert!(trimmed.iter().filter(|b| **b == 0).count() > gsub.iter().filter(|b| **b == 0).count());
            let (a, b) = (shape(full.to_vec(), text, extra), shape(small, text, extra));
            assert_eq!(a, b, "{file}");
            assert!(a.iter().all(|g| g.0 != 0), "{file}: every character has a glyph");
        }
    }

    #[test]
    fn ligatures_of_kept_letters_are_kept() {
        // `fi` is a standard ligature (liga) in Gentium: with f and i, its glyph is kept.
        let full = gentium();
        let a = ttf_parser::Face::parse(full, 0).unwrap();
        let small = subset(full, &"fi".chars().collect(), &features(&[])).unwrap();
        let b = ttf_parser::Face::parse(&small, 0).unwrap();
        let kept = (0..a.number_of_glyphs()).map(ttf_parser::GlyphId).filter(|g| outline(&b, *g).is_some()).count();
        assert!(kept > 2, "f, i and their ligature: {kept}");
    }

    #[test]
    fn composite_glyphs_keep_their_components() {
        let full = gentium();
        let a = ttf_parser::Face::parse(full, 0).unwrap();
        let tables = tables(full).unwrap();
        let find = |t: &[u8; 4]| tables.iter().find(|(x, _)| x == t).unwrap().1;
        let long = u16_at(find(b"head"), 50).unwrap() == 1;
        let loca: Vec<u32> = if long {
            find(b"loca").chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect()
        } else {
            find(b"loca").chunks_exact(2).map(|c| 2 * u16::from_be_bytes([c[0], c[1]]) as u32).collect()
        };
        // `ő` is drawn from `o` and the double acute in Gentium: its parts survive.
        let c = 'ő';
        let g = a.glyph_index(c).unwrap();
        assert!(!components(glyph(find(b"glyf"), &loca, g.0)).is_empty());
        let small = subset(full, &BTreeSet::from([c]), &features(&[])).unwrap();
        let b = ttf_parser::Face::parse(&small, 0).unwrap();
        assert_eq!(outline(&a, g), outline(&b, g));
        for part in components(glyph(find(b"glyf"), &loca, g.0)) {
            assert!(outline(&b, ttf_parser::GlyphId(part)).is_some());
        }
    }

    #[test]
    fn cmap_segments_and_groups() {
        let pairs = [(0x41, 5), (0x42, 6), (0x44, 9), (0x1F600, 20)];
        let t = cmap(&pairs);
        let data = {
            // A table wrapped into a minimal font is more than ttf-parser needs: read the
            // subtables directly.
            ttf_parser::cmap::Table::parse(&t).unwrap()
        };
        let mut seen = Vec::new();
        for sub in data.subtables {
            for &(c, g) in &pairs {
                if let Some(x) = sub.glyph_index(c) {
                    assert_eq!(x.0, g);
                    seen.push(c);
                }
            }
            assert_eq!(sub.glyph_index(0x43), None);
        }
        assert!(seen.contains(&0x1F600) && seen.contains(&0x44));
    }
}
