//! The book's languages as the PDF hyphenates them: one warning per book for those
//! without hyphenation patterns, naming each language and its speeches.

use crate::diagnostics::{Diagnostic, Kind};
use crate::document::Book;
use crate::lang::Lang;
use crate::pdf::text::hyphenate::Hyphenator;

/// Speeches named per language before the rest are counted.
const NAMED: usize = 5;

/// The one warning a book gets when a chapter's language has no hyphenation (its text is
/// then set unhyphenated); None when every language has it or the style turns it off.
/// Languages written right to left are left out: their scripts are not hyphenated.
pub(crate) fn hyphenation_warning(book: &Book, hyphenate: bool) -> Option<Diagnostic> {
    if !hyphenate {
        return None;
    }
    // Languages in the order the book first uses them, each with its chapters.
    let mut missing: Vec<(&Lang, Vec<&str>)> = Vec::new();
    for c in book.chapters() {
        let lang = &c.meta.language;
        match missing.iter_mut().find(|(l, _)| *l == lang) {
            Some((_, ids)) => ids.push(&c.id),
            // Right-to-left scripts (Arabic, Hebrew, …) are not hyphenated by convention.
            None if !lang.is_rtl() && Hyphenator::new(lang, &[]).is_none() => missing.push((lang, vec![&c.id])),
            None => {}
        }
    }
    if missing.is_empty() {
        return None;
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(lang, ids)| {
            let mut named: Vec<String> = ids.iter().take(NAMED).map(|id| format!("`{id}`")).collect();
            if ids.len() > NAMED {
                named.push(format!("{} more", ids.len() - NAMED));
            }
            let noun = if ids.len() == 1 { "speech" } else { "speeches" };
            format!("`{lang}` ({noun} {})", named.join(", "))
        })
        .collect();
    let list = match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.join(""),
    };
    Some(
        Diagnostic::warning(
            Kind::Content,
            format!("book `{}`: no hyphenation patterns for {list}: the PDF sets their text unhyphenated", book.name),
        )
        .with_hint(
            "lines there break only at spaces; check the speech's `language` tag, or set \
             `hyphenate = false` under `[text]` in the style to set the whole book unhyphenated",
        ),
    )
}
