//! The flow between two units, for `watch` and `serve` (see DESIGN.md, "The editing
//! loop"): **a unit's pagination depends only on its operations and the flow's state
//! when it begins** (the page number, the page still open, the structure key, the
//! running heads, notes and figures waiting, …). Every unit after the cover begins with
//! a page break of its own (`Op::NewPage`), so a chapter's pages are its own and the
//! state it begins from is small: the build keeps each chapter's pages with the state it
//! began and ended in, and passes a chapter over when its operations are the ones kept
//! and the flow is in the state it began in then.
//!
//! What a unit adds to the flow's lists (outline, anchors, starts, reserved pages, page
//! places) is only appended, so it is kept as the entries past the lengths
//! ([`Reached`]) before the unit; the anchors a unit's links lead to are taken from the
//! flow after each unit (the flow only inserts into `linked`).
//!
//! [`Flow::between`] takes the flow apart without `..`: a field added to the flow does
//! not compile until it is said here whether it is part of the state (compared and
//! restored) or one of the lists.

use super::{Flow, FootLine, PageSink};
use crate::document::pages::Spot;
use crate::pdf::layout::{Figure, LinkTarget, NoteLine, Placed};
use crate::pdf::length::Pt;
use crate::pdf::write::{Area, Page, Role};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// The flow's state between two units, but the page still open (kept apart, as it is
/// large and compared by its digest).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct State {
    number: usize,
    folio_offset: usize,
    cursor: Option<Pt>,
    folio: bool,
    opening: bool,
    arabic_from: Option<usize>,
    heads: (String, String),
    pending: Vec<(u8, String, bool)>,
    pending_anchors: Vec<String>,
    targets: Vec<LinkTarget>,
    notes: BTreeMap<u32, Vec<NoteLine>>,
    foot: Vec<FootLine>,
    carried: Vec<FootLine>,
    calls: Vec<(u32, Area, u32)>,
    continued: String,
    lang: Option<String>,
    lang_open: bool,
    short_verso: Option<Pt>,
    planned: usize,
    whole: Unit<bool>,
    verso_short: usize,
    last_line: Option<(Pt, Pt)>,
    balance_to: Option<Pt>,
    floats: Vec<Figure>,
    rtl: bool,
    at: Option<Spot>,
    /// The page index of the last page place: `spot` adds none for a page that has one.
    last_spot: Option<usize>,
    tagged: bool,
    record: bool,
    next_key: u32,
    stack: Vec<(u32, Role)>,
    local: Unit<FxHashMap<u32, u32>>,
    part: Option<u32>,
    deferred: Vec<u32>,
    reserved_key: Option<u32>,
    tag_now: u32,
    span_langs: Unit<Vec<String>>,
}

/// What belongs to the unit replayed last and is cleared when the next one's replay
/// begins (`Flow::replay`): restored, as the flow's end (`Flow::finish`) may still use it,
/// but never different for the unit that follows, so not compared.
#[derive(Debug, Clone)]
struct Unit<T>(T);

impl<T> PartialEq for Unit<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The lengths of the flow's lists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reached {
    outline: usize,
    anchors: usize,
    starts: usize,
    reserved: usize,
    spots: usize,
}

/// What a unit added to the flow's lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct Added {
    outline: Vec<Placed>,
    anchors: Vec<(String, usize, Pt)>,
    starts: Vec<Placed>,
    reserved: Vec<usize>,
    spots: Vec<(usize, Spot)>,
}

impl<S: PageSink> Flow<'_, S> {
    /// The flow's state now, and the page still open.
    pub(crate) fn between(&self) -> (State, &Page) {
        let Flow {
            g: _,
            sink: _,
            // A cache of running heads set before, keyed by their text: it changes no output.
            head_lines: _,
            // The plan's scratch buffer, emptied before each use.
            plan_states: _,
            page,
            number,
            folio_offset,
            cursor,
            folio,
            opening,
            arabic_from,
            heads,
            pending,
            outline: _,
            pending_anchors,
            anchors: _,
            linked: _,
            starts: _,
            reserved: _,
            targets,
            notes,
            foot,
            carried,
            calls,
            continued,
            lang,
            lang_open,
            short_verso,
            planned,
            whole,
            verso_short,
            last_line,
            balance_to,
            floats,
            rtl,
            at,
            spots,
            tagged,
            record,
            next_key,
            stack,
            local,
            part,
            deferred,
            reserved_key,
            tag_now,
            span_langs,
        } = self;
        let state = State {
            number: *number,
            folio_offset: *folio_offset,
            cursor: *cursor,
            folio: *folio,
            opening: *opening,
            arabic_from: *arabic_from,
            heads: heads.clone(),
            pending: pending.clone(),
            pending_anchors: pending_anchors.clone(),
            targets: targets.clone(),
            notes: notes.clone(),
            foot: foot.clone(),
            carried: carried.clone(),
            calls: calls.clone(),
            continued: continued.clone(),
            lang: lang.clone(),
            lang_open: *lang_open,
            short_verso: *short_verso,
            planned: *planned,
            whole: Unit(*whole),
            verso_short: *verso_short,
            last_line: *last_line,
            balance_to: *balance_to,
            floats: floats.clone(),
            rtl: *rtl,
            at: *at,
            last_spot: spots.last().map(|s| s.0),
            tagged: *tagged,
            record: *record,
            next_key: *next_key,
            stack: stack.clone(),
            local: Unit(local.clone()),
            part: *part,
            deferred: deferred.clone(),
            reserved_key: *reserved_key,
            tag_now: *tag_now,
            span_langs: Unit(span_langs.clone()),
        };
        (state, page)
    }

    /// Append what a unit passed over added to the lists (see [`Flow::restore`]).
    pub(crate) fn append(&mut self, added: &Added) {
        let Added { outline, anchors, starts, reserved, spots } = added;
        self.outline.extend(outline.iter().cloned());
        self.anchors.extend(anchors.iter().cloned());
        self.starts.extend(starts.iter().cloned());
        self.reserved.extend(reserved.iter().copied());
        self.spots.extend(spots.iter().copied());
    }

    /// Put the flow into `state` with `page` open, as the last unit passed over left it
    /// (the caller compared the state each unit began in with the state before it, and
    /// appended what each added to the lists).
    pub(crate) fn restore(&mut self, state: &State, page: &Page) {
        let State {
            number,
            folio_offset,
            cursor,
            folio,
            opening,
            arabic_from,
            heads,
            pending,
            pending_anchors,
            targets,
            notes,
            foot,
            carried,
            calls,
            continued,
            lang,
            lang_open,
            short_verso,
            planned,
            whole,
            verso_short,
            last_line,
            balance_to,
            floats,
            rtl,
            at,
            last_spot: _,
            tagged,
            record,
            next_key,
            stack,
            local,
            part,
            deferred,
            reserved_key,
            tag_now,
            span_langs,
        } = state;
        self.page = page.clone();
        self.number = *number;
        self.folio_offset = *folio_offset;
        self.cursor = *cursor;
        self.folio = *folio;
        self.opening = *opening;
        self.arabic_from = *arabic_from;
        self.heads = heads.clone();
        self.pending = pending.clone();
        self.pending_anchors = pending_anchors.clone();
        self.targets = targets.clone();
        self.notes = notes.clone();
        self.foot = foot.clone();
        self.carried = carried.clone();
        self.calls = calls.clone();
        self.continued = continued.clone();
        self.lang = lang.clone();
        self.lang_open = *lang_open;
        self.short_verso = *short_verso;
        self.planned = *planned;
        self.whole = whole.0;
        self.verso_short = *verso_short;
        self.last_line = *last_line;
        self.balance_to = *balance_to;
        self.floats = floats.clone();
        self.rtl = *rtl;
        self.at = *at;
        self.tagged = *tagged;
        self.record = *record;
        self.next_key = *next_key;
        self.stack = stack.clone();
        self.local = local.0.clone();
        self.part = *part;
        self.deferred = deferred.clone();
        self.reserved_key = *reserved_key;
        self.tag_now = *tag_now;
        self.span_langs = span_langs.0.clone();
        debug_assert_eq!(self.spots.last().map(|s| s.0), state.last_spot);
    }

    /// The sink the pages go to.
    pub(crate) fn sink_ref(&self) -> &S {
        &self.sink
    }

    /// How long the flow's lists are now.
    pub(crate) fn reached(&self) -> Reached {
        Reached {
            outline: self.outline.len(),
            anchors: self.anchors.len(),
            starts: self.starts.len(),
            reserved: self.reserved.len(),
            spots: self.spots.len(),
        }
    }

    /// What the lists gained since they were as long as `from`.
    pub(crate) fn added_since(&self, from: Reached) -> Added {
        Added {
            outline: self.outline[from.outline..].to_vec(),
            anchors: self.anchors[from.anchors..].to_vec(),
            starts: self.starts[from.starts..].to_vec(),
            reserved: self.reserved[from.reserved..].to_vec(),
            spots: self.spots[from.spots..].to_vec(),
        }
    }
}
