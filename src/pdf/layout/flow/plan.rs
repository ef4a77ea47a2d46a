//! The page plan of a chapter. Chapters start on a new page, so the pages of one depend on
//! it alone (and on whether it starts on a verso or a recto): before its first line is set,
//! a dynamic programme over its blocks chooses, for every body paragraph, its best breaking
//! or one a line longer or shorter ([`Op::Lines`] `variants`) and, for every heading, the
//! space above it ([`Op::HeadingSpace`]), so that the demerits of the variants taken, plus
//! a cost per line a page ends short, plus a cost per line facing pages end apart, are
//! least. The pages are then set by the flow as ever (the same `admit`, `fitting`, `take`
//! and `keeps`), so widows, orphans, headings' two lines and footnotes on their call's page
//! stay as they were; the plan only foresees where they break the pages.
//!
//! A plan is the state at each block: the baseline of the last line on the page (on the
//! grid, so few values), the footnote lines the page holds, whether a note was split onto
//! the next page (and how many of its lines go over), whether the page is a verso and, on a
//! recto, how short the verso facing it ended. Plans that agree on all that are one; the
//! cheapest is kept. The paragraphs' variants are set lazily: a first plan uses the
//! headings alone, then the variants of the paragraphs on the pages it leaves short or
//! apart are set and the chapter planned again, up to [`ROUNDS`] times.

use super::{take, Flow, PageSink, State};
use crate::pdf::layout::{Op, Variants};
use crate::pdf::length::Pt;
use crate::pdf::text::paragraph::{Line, Typesetter};
use rustc_hash::FxHashMap;

/// How many times a chapter is planned, each time with the variants of the paragraphs on
/// the pages the last plan left short or apart.
const ROUNDS: usize = 3;
/// The most plans kept at a block, the cheapest (a chapter rarely has a tenth as many).
const BEAM: usize = 512;
/// What any change costs beyond its demerits, so that of two equal plans the one that
/// changes less is taken.
const CHANGE: f64 = 1.0;

/// The costs of a plan, in the breaker's demerits.
#[derive(Debug, Clone, Copy)]
struct Costs {
    /// Per line a page ends short; a page `n` lines short costs `n (n + 1) / 2` of them, so
    /// that two pages a line short are better than one two lines short.
    short: f64,
    /// Per line facing pages end apart.
    apart: f64,
    /// Moving a heading a line of the grid up or down.
    heading: f64,
}

/// Where the text stands in one plan, before a block.
#[derive(Debug, Clone, Copy)]
struct At {
    s: State,
    /// Lines of a note split on this page that go over to the next.
    carried: usize,
    /// The baseline and descent of the last line set on the page.
    last: Option<Pt>,
    descent: Pt,
    verso: bool,
    /// On a recto: how many lines short the verso facing it ended (its notes fill it).
    facing: Option<usize>,
    /// Pages begun since the plan's start.
    page: usize,
}

type Key = (i32, i32, u16, bool, u16, bool, u8);

/// One way to set a block: a paragraph's lines or a heading's space (`None`: as set), and
/// what it costs beyond the block's best.
type Choice<'o> = (Option<&'o [Line]>, Option<Pt>, f64);

impl At {
    fn key(&self) -> Key {
        (
            self.s.cursor.map_or(-1, |c| (c.get() * 100.0).round() as i32),
            self.last.map_or(-1, |c| (c.get() * 100.0).round() as i32),
            self.s.foot.min(u16::MAX as usize) as u16,
            self.s.split,
            self.carried.min(u16::MAX as usize) as u16,
            self.verso,
            self.facing.map_or(u8::MAX, |f| f.min(254) as u8),
        )
    }
}

/// A plan at a block: where it stands, what it cost so far, the plan it continues (in the
/// layer before) and the choice it made at the block (0: as set; `v + 1`: variant `v`).
#[derive(Debug, Clone, Copy)]
struct Node {
    at: At,
    cost: f64,
    back: u32,
    choice: u8,
}

impl<'a, S: PageSink> Flow<'a, S> {
    /// Plan the pages of the unit whose first lines `ops` begin with (see the module's
    /// documentation) and set its paragraphs and headings as planned. False when the unit
    /// holds what a plan cannot foresee (a figure, a page break asked for): its pages are
    /// then planned one at a time ([`Flow::plan`]).
    pub(super) fn plan_unit(&mut self, typesetter: &mut Typesetter, ops: &mut [Op]) -> bool {
        let tuning = &self.g.tuning;
        let costs = Costs {
            short: tuning.short_page_demerits as f64,
            apart: tuning.apart_demerits as f64,
            heading: tuning.heading_demerits as f64,
        };
        let mut end = ops.len();
        for (j, op) in ops.iter().enumerate() {
            match op {
                Op::Figure(_) | Op::NewPage { .. } | Op::Cover { .. } | Op::Reserve(_) => return false,
                Op::EndUnit => {
                    end = j;
                    break;
                }
                _ => {}
            }
        }
        let ops = &mut ops[..end];
        let mut picks = Vec::new();
        for round in 0..ROUNDS {
            let Some(p) = self.plan_once(ops, &costs) else { return false };
            picks = p;
            if round + 1 == ROUNDS {
                break;
            }
            // The pages this plan leaves short or apart: the paragraphs on them, and on the
            // page before, get their variants for the next plan (those two pages before as
            // well gave the same pages on the 100-speech book for a fifth more variants).
            let Some((spans, bad)) = self.plan_pages(ops, &picks, &costs) else { return false };
            if bad.is_empty() {
                break;
            }
            let mut more = false;
            for (op, (first, last)) in ops.iter_mut().zip(spans) {
                if let Op::Lines { variants: v @ Variants::Later(_), .. } = op {
                    if bad.iter().any(|&b| first <= b && last + 1 >= b) {
                        v.get(typesetter, &self.g.tuning);
                        more = true;
                    }
                }
            }
            if !more {
                break;
            }
        }
        for (op, &choice) in ops.iter_mut().zip(&picks) {
            if choice == 0 {
                continue;
            }
            let v = choice as usize - 1;
            match op {
                Op::HeadingSpace { variants, .. } => *op = Op::Skip(variants[v]),
                Op::Lines { lines, variants: Variants::Set(set), .. } => {
                    std::mem::swap(lines, &mut set[v].lines);
                    // The lines set aside are the variant of the ones taken.
                    let (delta, cost) = (set[v].delta, set[v].cost);
                    for (u, other) in set.iter_mut().enumerate() {
                        if u == v {
                            other.delta = -delta;
                            other.cost = -cost;
                        } else {
                            other.delta -= delta;
                            other.cost -= cost;
                        }
                    }
                }
                _ => {}
            }
        }
        true
    }

    /// Where the unit's first lines stand.
    fn plan_start(&self) -> At {
        At {
            s: State { balance: None, ..self.state() },
            carried: self.carried.len(),
            last: self.last_line.map(|l| l.0),
            descent: self.last_line.map_or(Pt::ZERO, |l| l.1),
            verso: self.number.is_multiple_of(2),
            facing: None,
            page: 0,
        }
    }

    /// The least costly plan of `ops`: the choice at each op. `None` when the pages cannot
    /// be foreseen.
    fn plan_once(&self, ops: &[Op], costs: &Costs) -> Option<Vec<u8>> {
        let mut layers: Vec<(usize, Vec<Node>)> =
            vec![(usize::MAX, vec![Node { at: self.plan_start(), cost: 0.0, back: 0, choice: 0 }])];
        let mut index: FxHashMap<Key, u32> = FxHashMap::default();
        for j in 0..ops.len() {
            let rest = &ops[j + 1..];
            let choices: Vec<Choice> = match &ops[j] {
                Op::Lines { lines, variants, .. } => {
                    let set = variants.set();
                    if set.is_empty() {
                        Vec::new()
                    } else {
                        std::iter::once((Some(&lines[..]), None, 0.0))
                            .chain(set.iter().map(|v| (Some(&v.lines[..]), None, v.cost as f64 + CHANGE)))
                            .collect()
                    }
                }
                Op::HeadingSpace { space, variants } => vec![
                    (None, Some(*space), 0.0),
                    (None, Some(variants[0]), costs.heading + CHANGE),
                    (None, Some(variants[1]), costs.heading + CHANGE),
                ],
                _ => Vec::new(),
            };
            if choices.is_empty() {
                // One way only: every plan goes on in place.
                let nodes = &mut layers.last_mut()?.1;
                for n in nodes.iter_mut() {
                    let (at, cost) = self.plan_step(n.at, &ops[j], None, None, rest, costs)?;
                    n.at = at;
                    n.cost += cost;
                }
                continue;
            }
            index.clear();
            let mut next: Vec<Node> = Vec::new();
            for (b, n) in layers.last()?.1.iter().enumerate() {
                for (c, &(lines, skip, extra)) in choices.iter().enumerate() {
                    let (at, cost) = self.plan_step(n.at, &ops[j], lines, skip, rest, costs)?;
                    let node = Node { at, cost: n.cost + cost + extra, back: b as u32, choice: c as u8 };
                    match index.get(&at.key()) {
                        Some(&k) if next[k as usize].cost <= node.cost => {}
                        Some(&k) => next[k as usize] = node,
                        None => {
                            index.insert(at.key(), next.len() as u32);
                            next.push(node);
                        }
                    }
                }
            }
            if next.len() > BEAM {
                next.sort_by(|a, b| a.cost.total_cmp(&b.cost));
                next.truncate(BEAM);
            }
            layers.push((j, next));
        }
        let (_, last) = layers.last()?;
        let mut k = (0..last.len()).min_by(|&a, &b| last[a].cost.total_cmp(&last[b].cost))?;
        let mut picks = vec![0u8; ops.len()];
        for l in (1..layers.len()).rev() {
            let (j, nodes) = &layers[l];
            picks[*j] = nodes[k].choice;
            k = nodes[k].back as usize;
        }
        Some(picks)
    }

    /// The pages of the plan `picks`: for each op the page it begins on and the page it
    /// ends on (counted from the unit's first), and the pages that cost (short or apart).
    #[allow(clippy::type_complexity)]
    fn plan_pages(&self, ops: &[Op], picks: &[u8], costs: &Costs) -> Option<(Vec<(usize, usize)>, Vec<usize>)> {
        let mut at = self.plan_start();
        let mut spans = Vec::with_capacity(ops.len());
        let mut bad = Vec::new();
        for (j, op) in ops.iter().enumerate() {
            let first = at.page;
            let (lines, skip) = match (op, picks[j]) {
                (_, 0) => (None, None),
                (Op::Lines { variants, .. }, c) => (Some(&variants.set()[c as usize - 1].lines[..]), None),
                (Op::HeadingSpace { variants, .. }, c) => (None, Some(variants[c as usize - 1])),
                _ => (None, None),
            };
            let (next, cost) = self.plan_step(at, op, lines, skip, &ops[j + 1..], costs)?;
            if cost > 0.0 {
                bad.extend(first..next.page);
            }
            at = next;
            spans.push((first, at.page));
        }
        Some((spans, bad))
    }

    /// Where op `op` leaves the plan at `at` (with `lines` for a paragraph's, `skip` for a
    /// heading's space, when chosen), and what the pages it ends cost.
    fn plan_step(
        &self,
        mut at: At,
        op: &Op,
        lines: Option<&[Line]>,
        skip: Option<Pt>,
        rest: &[Op],
        costs: &Costs,
    ) -> Option<(At, f64)> {
        match op {
            Op::Lines { lines: own, advance, keep, .. } => {
                self.plan_lines(at, lines.unwrap_or(own), *advance, *keep, rest, costs)
            }
            Op::Skip(x) => {
                at.s.cursor = at.s.cursor.map(|c| c + *x);
                Some((at, 0.0))
            }
            Op::HeadingSpace { space, .. } => {
                let x = skip.unwrap_or(*space);
                at.s.cursor = at.s.cursor.map(|c| c + x);
                Some((at, 0.0))
            }
            Op::SkipTo(y) => {
                at.s.cursor = Some(y.max(at.s.cursor.unwrap_or(Pt::ZERO)));
                Some((at, 0.0))
            }
            Op::Figure(_) | Op::NewPage { .. } | Op::Cover { .. } | Op::Reserve(_) => None,
            _ => Some((at, 0.0)),
        }
    }

    /// [`Flow::lines`] foreseen: where `lines` leave the plan at `at`, and what the pages
    /// they end cost.
    fn plan_lines(
        &self,
        mut at: At,
        lines: &[Line],
        advance: Pt,
        keep: bool,
        rest: &[Op],
        costs: &Costs,
    ) -> Option<(At, f64)> {
        let mut cost = 0.0;
        if keep && at.s.cursor.is_some() && !self.keeps_from(at.s, lines, advance, rest) {
            cost += self.plan_break(&mut at, costs);
        }
        let mut from = 0;
        // The states after each line that fits, found once (`fitting` and then `admit` line
        // by line, as the replay does, would find them twice).
        let mut states = self.plan_states.take();
        while from < lines.len() {
            let part = &lines[from..];
            states.clear();
            let mut s = at.s;
            for l in part {
                match self.admit(s, l, advance) {
                    Some(next) => {
                        s = next.0;
                        states.push(next);
                    }
                    None => break,
                }
            }
            let t = take(part, states.len(), at.s.cursor.is_none());
            if t > states.len() {
                // A fresh page takes a line that does not fit (the replay sets it anyway).
                self.plan_states.replace(states);
                return None;
            }
            for (l, &(s, split)) in part[..t].iter().zip(&states) {
                if let Some(m) = split {
                    let len = self.calls_of(l).last().and_then(|n| self.notes.get(n)).map_or(0, Vec::len);
                    at.carried += len.saturating_sub(m);
                }
                at.s = s;
                at.last = s.cursor;
                at.descent = Pt::new(l.descent);
            }
            from += t;
            if from < lines.len() {
                cost += self.plan_break(&mut at, costs);
            }
        }
        self.plan_states.replace(states);
        Some((at, cost))
    }

    /// The page of the plan at `at` ends and the next begins, as [`Flow::finish_page`]
    /// does it (a note continued heads the new page's notes); what the page costs.
    fn plan_break(&self, at: &mut At, costs: &Costs) -> f64 {
        let short = at.last.map_or(0, |d| self.short_by(d, at.descent, at.s.foot));
        // A page with notes reaches the foot of the text block with them.
        let level = if at.s.foot > 0 { 0 } else { short };
        let mut cost = costs.short * (short * (short + 1) / 2) as f64;
        if at.verso {
            at.facing = Some(level);
        } else if let Some(v) = at.facing.take() {
            cost += costs.apart * v.abs_diff(level) as f64;
        }
        let g = self.g;
        at.s = State { cursor: None, foot: 0, split: false, balance: None };
        if at.carried > 0 {
            let room = ((g.height - g.top - g.bottom) * 0.5 / g.note_advance()) as usize;
            let taken = at.carried.min(room.saturating_sub(1).max(1));
            at.carried -= taken;
            at.s.foot = 1 + taken;
            at.s.split = at.carried > 0;
        }
        at.last = None;
        at.descent = Pt::ZERO;
        at.verso = !at.verso;
        at.page += 1;
        cost
    }
}
