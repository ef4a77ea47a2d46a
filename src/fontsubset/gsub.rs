//! The `GSUB` table of a subset with the lookups no feature in use calls emptied, and
//! every byte that only they (and the feature parameters, whose UI names go with them)
//! used set to zero: the offsets and the glyph numbering stay, so the table stays valid
//! and what remains means what it meant; the zeros pack into almost nothing.
//!
//! The bytes still used are found by walking the table from its header through every
//! structure a kept lookup reaches (scripts, language systems, features, lookups, their
//! subtables of all eight types with their coverages, class definitions and rules). A
//! table this walk cannot read to the end (a damaged one, or one with feature variations,
//! which are not walked) is kept as it is.

use std::collections::BTreeSet;

struct Walk<'a> {
    data: &'a [u8],
    live: Vec<bool>,
}

impl Walk<'_> {
    fn u16(&self, at: usize) -> Option<usize> {
        Some(u16::from_be_bytes(self.data.get(at..at + 2)?.try_into().ok()?) as usize)
    }

    fn u32(&self, at: usize) -> Option<usize> {
        Some(u32::from_be_bytes(self.data.get(at..at + 4)?.try_into().ok()?) as usize)
    }

    /// Mark `len` bytes at `at` as used.
    fn mark(&mut self, at: usize, len: usize) -> Option<()> {
        self.live.get_mut(at..at.checked_add(len)?)?.iter_mut().for_each(|b| *b = true);
        Some(())
    }

    /// The structure an offset at `field` (relative to `base`) points to, if not null.
    fn target(&self, base: usize, field: usize) -> Option<Option<usize>> {
        let off = self.u16(field)?;
        Some((off != 0).then_some(base + off))
    }

    fn coverage(&mut self, at: usize) -> Option<()> {
        let n = self.u16(at + 2)?;
        match self.u16(at)? {
            1 => self.mark(at, 4 + 2 * n),
            2 => self.mark(at, 4 + 6 * n),
            _ => None,
        }
    }

    fn class_def(&mut self, at: usize) -> Option<()> {
        match self.u16(at)? {
            1 => {
                let n = self.u16(at + 4)?;
                self.mark(at, 6 + 2 * n)
            }
            2 => {
                let n = self.u16(at + 2)?;
                self.mark(at, 4 + 6 * n)
            }
            _ => None,
        }
    }

    /// The structure at an offset, walked by `f` when the offset is not null.
    fn follow(&mut self, base: usize, field: usize, f: fn(&mut Self, usize) -> Option<()>) -> Option<()> {
        match self.target(base, field)? {
            Some(at) => f(self, at),
            None => Some(()),
        }
    }

    /// The `count` structures whose offsets (from `base`) stand at `at`, walked by `f`.
    fn array_of_offsets(
        &mut self,
        base: usize,
        at: usize,
        count: usize,
        f: fn(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        for i in 0..count {
            self.follow(base, at + 2 * i, f)?;
        }
        Some(())
    }

    /// A count of u16 values and the values.
    fn counted(&mut self, at: usize) -> Option<()> {
        let n = self.u16(at)?;
        self.mark(at, 2 + 2 * n)
    }

    fn ligature(&mut self, at: usize) -> Option<()> {
        let n = self.u16(at + 2)?;
        self.mark(at, 4 + 2 * n.saturating_sub(1))
    }

    fn ligature_set(&mut self, at: usize) -> Option<()> {
        let n = self.u16(at)?;
        self.mark(at, 2 + 2 * n)?;
        self.array_of_offsets(at, at + 2, n, Self::ligature)
    }

    fn rule(&mut self, at: usize) -> Option<()> {
        let (glyphs, records) = (self.u16(at)?, self.u16(at + 2)?);
        self.mark(at, 4 + 2 * glyphs.saturating_sub(1) + 4 * records)
    }

    fn rule_set(&mut self, at: usize) -> Option<()> {
        let n = self.u16(at)?;
        self.mark(at, 2 + 2 * n)?;
        self.array_of_offsets(at, at + 2, n, Self::rule)
    }

    fn chain_rule(&mut self, at: usize) -> Option<()> {
        let back = self.u16(at)?;
        let input_at = at + 2 + 2 * back;
        let input = self.u16(input_at)?;
        let ahead_at = input_at + 2 + 2 * input.saturating_sub(1);
        let ahead = self.u16(ahead_at)?;
        let records_at = ahead_at + 2 + 2 * ahead;
        let records = self.u16(records_at)?;
        self.mark(at, records_at + 2 + 4 * records - at)
    }

    fn chain_rule_set(&mut self, at: usize) -> Option<()> {
        let n = self.u16(at)?;
        self.mark(at, 2 + 2 * n)?;
        self.array_of_offsets(at, at + 2, n, Self::chain_rule)
    }

    /// A subtable of lookup type `kind`.
    fn subtable(&mut self, kind: usize, at: usize) -> Option<()> {
        let format = self.u16(at)?;
        match (kind, format) {
            (1, 1) => {
                self.mark(at, 6)?;
                self.follow(at, at + 2, Self::coverage)
            }
            (1, 2) => {
                let n = self.u16(at + 4)?;
                self.mark(at, 6 + 2 * n)?;
                self.follow(at, at + 2, Self::coverage)
            }
            (2 | 3, 1) => {
                let n = self.u16(at + 4)?;
                self.mark(at, 6 + 2 * n)?;
                self.follow(at, at + 2, Self::coverage)?;
                self.array_of_offsets(at, at + 6, n, Self::counted)
            }
            (4, 1) => {
                let n = self.u16(at + 4)?;
                self.mark(at, 6 + 2 * n)?;
                self.follow(at, at + 2, Self::coverage)?;
                self.array_of_offsets(at, at + 6, n, Self::ligature_set)
            }
            (5, 1) => {
                let n = self.u16(at + 4)?;
                self.mark(at, 6 + 2 * n)?;
                self.follow(at, at + 2, Self::coverage)?;
                self.array_of_offsets(at, at + 6, n, Self::rule_set)
            }
            (5, 2) => {
                let n = self.u16(at + 6)?;
                self.mark(at, 8 + 2 * n)?;
                self.follow(at, at + 2, Self::coverage)?;
                self.follow(at, at + 4, Self::class_def)?;
                self.array_of_offsets(at, at + 8, n, Self::rule_set)
            }
            (5, 3) => {
                let (glyphs, records) = (self.u16(at + 2)?, self.u16(at + 4)?);
                self.mark(at, 6 + 2 * glyphs + 4 * records)?;
                self.array_of_offsets(at, at + 6, glyphs, Self::coverage)
            }
            (6, 1) => {
                let n = self.u16(at + 4)?;
                self.mark(at, 6 + 2 * n)?;
                self.follow(at, at + 2, Self::coverage)?;
                self.array_of_offsets(at, at + 6, n, Self::chain_rule_set)
            }
            (6, 2) => {
                let n = self.u16(at + 10)?;
                self.mark(at, 12 + 2 * n)?;
                self.follow(at, at + 2, Self::coverage)?;
                for field in [4, 6, 8] {
                    self.follow(at, at + field, Self::class_def)?;
                }
                self.array_of_offsets(at, at + 12, n, Self::chain_rule_set)
            }
            (6, 3) => {
                let back = self.u16(at + 2)?;
                let input_at = at + 4 + 2 * back;
                let input = self.u16(input_at)?;
                let ahead_at = input_at + 2 + 2 * input;
                let ahead = self.u16(ahead_at)?;
                let records_at = ahead_at + 2 + 2 * ahead;
                let records = self.u16(records_at)?;
                self.mark(at, records_at + 2 + 4 * records - at)?;
                self.array_of_offsets(at, at + 4, back, Self::coverage)?;
                self.array_of_offsets(at, input_at + 2, input, Self::coverage)?;
                self.array_of_offsets(at, ahead_at + 2, ahead, Self::coverage)
            }
            (7, 1) => {
                self.mark(at, 8)?;
                let inner = self.u16(at + 2)?;
                let off = self.u32(at + 4)?;
                if inner == 7 || off == 0 {
                    return None;
                }
                self.subtable(inner, at + off)
            }
            (8, 1) => {
                let back = self.u16(at + 4)?;
                let ahead_at = at + 6 + 2 * back;
                let ahead = self.u16(ahead_at)?;
                let glyphs_at = ahead_at + 2 + 2 * ahead;
                let glyphs = self.u16(glyphs_at)?;
                self.mark(at, glyphs_at + 2 + 2 * glyphs - at)?;
                self.follow(at, at + 2, Self::coverage)?;
                self.array_of_offsets(at, at + 6, back, Self::coverage)?;
                self.array_of_offsets(at, ahead_at + 2, ahead, Self::coverage)
            }
            _ => None,
        }
    }

    fn lang_sys(&mut self, at: usize) -> Option<()> {
        let n = self.u16(at + 4)?;
        self.mark(at, 6 + 2 * n)
    }

    fn script(&mut self, at: usize) -> Option<()> {
        let n = self.u16(at + 2)?;
        self.mark(at, 4 + 6 * n)?;
        self.follow(at, at, Self::lang_sys)?;
        for i in 0..n {
            self.follow(at, at + 4 + 6 * i + 4, Self::lang_sys)?;
        }
        Some(())
    }
}

/// `gsub` with the lookups not in `called` emptied and the bytes nothing uses any more set
/// to zero, or `None` when the table cannot be walked to the end.
pub(super) fn trim(gsub: &[u8], called: &BTreeSet<u16>) -> Option<Vec<u8>> {
    let mut out = gsub.to_vec();
    let read = |d: &[u8], at: usize| -> Option<usize> {
        Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?) as usize)
    };
    // Version 1.0 only: 1.1 adds feature variations, which are not walked.
    if read(gsub, 0)? != 1 || read(gsub, 2)? != 0 {
        return None;
    }
    let (scripts, features, lookups) = (read(gsub, 4)?, read(gsub, 6)?, read(gsub, 8)?);
    // Lookups no feature in use calls: no subtables (a mark filtering set moves up).
    let count = read(gsub, lookups)?;
    for l in 0..count {
        if called.contains(&(l as u16)) {
            continue;
        }
        let at = lookups + read(gsub, lookups + 2 + 2 * l)?;
        let (flag, n) = (read(gsub, at + 2)?, read(gsub, at + 4)?);
        out.get_mut(at + 4..at + 6)?.copy_from_slice(&0u16.to_be_bytes());
        if flag & 0x0010 != 0 {
            let set = read(gsub, at + 6 + 2 * n)?;
            out.get_mut(at + 6..at + 8)?.copy_from_slice(&(set as u16).to_be_bytes());
        }
    }
    // Features keep their lookups but lose their parameters (UI names of stylistic sets
    // and character variants, which are not in the subset's name table).
    let nf = read(gsub, features)?;
    for i in 0..nf {
        let at = features + read(gsub, features + 2 + 6 * i + 4)?;
        out.get_mut(at..at + 2)?.copy_from_slice(&0u16.to_be_bytes());
    }

    let mut w = Walk { data: &out, live: vec![false; out.len()] };
    w.mark(0, 10)?;
    w.mark(scripts, 2)?;
    let ns = w.u16(scripts)?;
    w.mark(scripts, 2 + 6 * ns)?;
    for i in 0..ns {
        w.follow(scripts, scripts + 2 + 6 * i + 4, Walk::script)?;
    }
    w.mark(features, 2 + 6 * nf)?;
    for i in 0..nf {
        let at = features + w.u16(features + 2 + 6 * i + 4)?;
        let n = w.u16(at + 2)?;
        w.mark(at, 4 + 2 * n)?;
    }
    w.mark(lookups, 2 + 2 * count)?;
    for l in 0..count {
        let at = lookups + w.u16(lookups + 2 + 2 * l)?;
        let (kind, flag, n) = (w.u16(at)?, w.u16(at + 2)?, w.u16(at + 4)?);
        w.mark(at, 6 + 2 * n + if flag & 0x0010 != 0 { 2 } else { 0 })?;
        for i in 0..n {
            let sub = at + w.u16(at + 6 + 2 * i)?;
            w.subtable(kind, sub)?;
        }
    }
    let live = w.live;
    for (b, keep) in out.iter_mut().zip(live) {
        if !keep {
            *b = 0;
        }
    }
    Some(out)
}
