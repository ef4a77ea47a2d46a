//! Choosing and ordering a book's speeches from the library. Every id the book names must
//! exist; no speech may be chosen twice; an empty book or part is an error.

use super::{Anthology, Criteria, Order};
use crate::diagnostics::{nearest, Kind, Report};
use crate::lang::Lang;
use crate::library::{Library, Speech};
use std::collections::BTreeMap;

/// One part of the book and the speeches it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SelectedPart {
    /// `None` for a book without `[[parts]]`.
    pub(crate) title: Option<String>,
    pub(crate) speeches: Vec<String>,
}

/// The speeches a book takes, part by part, in reading order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub(crate) parts: Vec<SelectedPart>,
}

impl Selection {
    /// The ids of the selected speeches, in reading order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().flat_map(|p| p.speeches.iter().map(String::as_str))
    }
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Apply the book's selection to the library. Problems go to `report`.
pub fn select(book: &Anthology, lib: &Library, report: &mut Report) -> Selection {
    let mut sel = Selection::default();
    let mut chosen: BTreeMap<String, Option<String>> = BTreeMap::new();
    let specs: Vec<(Option<String>, Criteria)> = if book.parts.is_empty() {
        vec![(None, book.criteria.clone())]
    } else {
        book.parts.iter().map(|p| (Some(p.title.clone()), p.criteria.clone())).collect()
    };
    for (title, c) in specs {
        let ids = select_one(book, lib, &c, &book.criteria, report);
        let mut kept = Vec::new();
        for id in ids {
            if let Some(prev) = chosen.get(&id) {
                let place =
                    |t: &Option<String>| t.as_ref().map(|t| format!("part “{t}”")).unwrap_or("the selection".into());
                let msg = if prev == &title {
                    format!("the speech `{id}` is selected twice in {}", place(&title))
                } else {
                    format!("the speech `{id}` is selected twice: in {} and in {}", place(prev), place(&title))
                };
                report.push(book.error_at_last(Kind::Selection, &id, msg).with_hint(
                    "a speech can appear only once in a book: remove one of them (check globs and tags that overlap)",
                ));
                continue;
            }
            chosen.insert(id.clone(), title.clone());
            kept.push(id);
        }
        if kept.is_empty() && title.is_some() {
            let t = title.clone().unwrap_or_default();
            report.push(
                book.error_at(Kind::Selection, &t, format!("the part “{t}” selects no speech"))
                    .with_hint("check its [parts.select] criteria, or remove the part"),
            );
        }
        sel.parts.push(SelectedPart { title, speeches: kept });
    }
    if chosen.is_empty() && !report.has_errors() {
        report.push(
            book.error_at(Kind::Selection, "[select]", "the book selects no speech: it would be empty").with_hint(
                if lib.speeches.is_empty() {
                    "add speeches to books/speeches/ as Markdown files"
                } else {
                    "check the [select] criteria (tags, speakers, languages, dates) against the speeches' front matter"
                },
            ),
        );
    }
    sel
}

fn select_one(book: &Anthology, lib: &Library, c: &Criteria, outer: &Criteria, report: &mut Report) -> Vec<String> {
    let book_lang = &book.meta.language;
    let mut candidates: Vec<&Speech> = Vec::new();
    match &c.speeches {
        Some(list) => {
            for entry in list {
                if is_glob(entry) {
                    let pat = match glob::Pattern::new(entry) {
                        Ok(p) => p,
                        Err(e) => {
                            report.push(
                                book.error_at(
                                    Kind::Value,
                                    entry,
                                    format!("`{entry}` is not a valid pattern: {}", e.msg),
                                )
                                .with_hint("use * for any part of a name, ** for any folders, ? for one character"),
                            );
                            continue;
                        }
                    };
                    let opts = glob::MatchOptions {
                        case_sensitive: true,
                        require_literal_separator: true,
                        require_literal_leading_dot: false,
                    };
                    let found: Vec<&Speech> = lib.speeches.values().filter(|s| pat.matches_with(&s.id, opts)).collect();
                    let broken = lib.broken.iter().any(|b| pat.matches_with(b, opts));
                    if found.is_empty() && !broken {
                        report.push(
                            book.error_at(Kind::Selection, entry, format!("the pattern `{entry}` matches no speech"))
                                .with_hint("ids are paths below books/speeches/ without .md, e.g. `2021/berlin`"),
                        );
                    }
                    candidates.extend(found);
                } else {
                    let id = entry.trim_end_matches(".md").trim_start_matches("speeches/");
                    match lib.speeches.get(id) {
                        Some(s) => candidates.push(s),
                        None if lib.broken.contains(id) => {}
                        None => {
                            let hint = match nearest(id, lib.ids()) {
                                Some(n) => format!("did you mean `{n}`?"),
                                None => {
                                    "ids are paths below books/speeches/ without .md; `tribune list` shows them".into()
                                }
                            };
                            report.push(
                                book.error_at(Kind::Selection, entry, format!("there is no speech `{id}`"))
                                    .with_hint(hint),
                            );
                        }
                    }
                }
            }
        }
        None => candidates.extend(lib.speeches.values()),
    }
    fn lang_of<'a>(s: &'a Speech, book_lang: &'a Lang) -> &'a Lang {
        s.meta.language.as_ref().unwrap_or(book_lang)
    }
    let keep = |s: &&Speech, c: &Criteria| {
        let any = |want: &[String], have: &[String]| {
            want.is_empty() || want.iter().any(|w| have.iter().any(|h| h.eq_ignore_ascii_case(w)))
        };
        let lang = lang_of(s, book_lang);
        any(&c.tags, &s.meta.tags)
            && any(&c.speakers, &s.meta.speakers)
            // `languages = ["de"]` takes `de`, `de-AT` and a speech written `deu` (read as `de`).
            && (c.languages.is_empty() || c.languages.iter().any(|l| lang.within(l)))
            && c.from.is_none_or(|f| s.meta.date.earliest() >= f.earliest())
            && c.to.is_none_or(|t| s.meta.date.earliest() <= t.latest())
    };
    let mut chosen: Vec<&Speech> = candidates.into_iter().filter(|s| keep(s, c) && keep(s, outer)).collect();
    let order = c.order.unwrap_or(if c.speeches.is_some() { Order::Listed } else { Order::Date });
    match order {
        Order::Listed => {}
        Order::Date => chosen.sort_by(|a, b| (a.meta.date.earliest(), &a.id).cmp(&(b.meta.date.earliest(), &b.id))),
        Order::Title => chosen.sort_by_cached_key(|s| (s.meta.title.to_lowercase(), s.id.clone())),
        Order::Speaker => chosen
            .sort_by_cached_key(|s| (s.meta.speakers.join(", ").to_lowercase(), s.meta.date.earliest(), s.id.clone())),
    }
    chosen.into_iter().map(|s| s.id.clone()).collect()
}
