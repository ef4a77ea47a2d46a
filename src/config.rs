//! Shared pieces of reading configuration with serde (front matter, book files, styles):
//! lenient scalar types, and turning parser errors into diagnostics that name the line and
//! suggest the nearest known key when a key is misspelt.

use crate::diagnostics::{line_col, nearest, Diagnostic, Kind};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// A text field that also takes a number or a boolean as written (`title: 1984`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(transparent)]
pub(crate) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            // TOML dates arrive as a one-entry map; take them as the text they were written as.
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Text, A::Error> {
                let mut out = None;
                while let Some((k, v)) = m.next_entry::<String, String>()? {
                    if k.contains("datetime") {
                        out = Some(v);
                    }
                }
                out.map(Text).ok_or_else(|| de::Error::custom("expected a text, found a table"))
            }
        }
        d.deserialize_any(V)
    }
}

/// One text or a list of texts (`speaker: Anna` or `speaker: [Anna, Ben]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(transparent)]
pub(crate) struct TextList(pub Vec<String>);

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TextList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text or a list of texts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TextList, E> {
                Ok(TextList(vec![v.to_string()]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TextList, E> {
                Ok(TextList(vec![v.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TextList, E> {
                Ok(TextList(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<TextList, A::Error> {
                let mut out = Vec::new();
                while let Some(Text(t)) = s.next_element::<Text>()? {
                    out.push(t);
                }
                Ok(TextList(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Stands for the table an error is in, until the caller knows its name.
const TABLE: &str = "this table";

/// The name inside the first pair of backticks of a serde message, and the rest.
fn backticked(msg: &str, after: &str) -> Option<String> {
    let rest = &msg[msg.find(after)? + after.len()..];
    let start = rest.find('`')? + 1;
    let end = rest[start..].find('`')? + start;
    Some(rest[start..end].to_string())
}

/// Turn a serde message into our wording: a message and a hint. `known` lists the keys of
/// the table the error is in; `what` names the file kind for the hint.
pub(crate) fn explain(msg: &str, known: &[&str], what: &str) -> (String, String) {
    let first = msg.lines().next().unwrap_or(msg).trim();
    if let Some(field) = backticked(first, "unknown field") {
        let hint = match nearest(&field, known.iter().copied()) {
            // The key exists, but in another table: usually a top-level key written after
            // a `[table]` header, which TOML then reads as part of that table.
            Some(n) if n == field => format!(
                "`{field}` is a field of {what}, but not of {TABLE}: top-level fields go before the first `[table]` line"
            ),
            Some(n) => format!("did you mean `{n}`? The fields of {what} are: {}", known.join(", ")),
            None => format!("remove it; the fields of {what} are: {}", known.join(", ")),
        };
        return (format!("unknown field `{field}`"), hint);
    }
    if let Some(field) = backticked(first, "unknown variant") {
        let expected = first.split("expected").nth(1).unwrap_or("").trim();
        return (format!("unknown value `{field}`"), format!("use one of {}", expected.trim_start_matches("one of ")));
    }
    if let Some(field) = backticked(first, "missing field") {
        return (format!("the required field `{field}` is missing"), format!("add `{field}` to {what}"));
    }
    if first.starts_with("duplicate") {
        return (first.to_string(), "keep only one of them".into());
    }
    // Messages such as "invalid type: integer `5`, expected a string" are clear as they are.
    let cleaned = first.split(" at line ").next().unwrap_or(first).to_string();
    (cleaned, format!("see the fields of {what} in README.md"))
}

/// Parse TOML `text` (which starts at line `line0` of `shown`, 1-based) into `T`.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    shown: &Path,
    full_source: &str,
    line0: usize,
    known: &[&str],
    what: &str,
) -> Result<T, Diagnostic> {
    toml::from_str(text).map_err(|e| {
        let (msg, mut hint) = explain(e.message(), known, what);
        if let Some(span) = e.span() {
            // Name the table the misplaced key fell into: the last `[header]` above it.
            let header = text[..span.start.min(text.len())]
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| l.starts_with('['))
                .map(|h| format!("`{h}`"));
            if let Some(h) = header {
                hint = hint.replace(TABLE, &h);
            }
        }
        let d = Diagnostic::error(Kind::Syntax, msg).with_hint(hint);
        match e.span() {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                let width = text[span.clone()].lines().next().map(|l| l.chars().count()).unwrap_or(1);
                d.at(shown, Some(full_source), line + line0 - 1, Some(col)).underline(width)
            }
            None => d.at(shown, Some(full_source), line0, None),
        }
    })
}

/// Parse YAML `text` (which starts at line `line0` of `shown`) into `T`.
pub(crate) fn from_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    shown: &Path,
    full_source: &str,
    line0: usize,
    known: &[&str],
    what: &str,
) -> Result<T, Diagnostic> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        let raw = e.to_string();
        let (msg, hint) = explain(&raw, known, what);
        let d = Diagnostic::error(Kind::Syntax, msg).with_hint(hint);
        match e.location() {
            Some(loc) => {
                let line_text = text.lines().nth(loc.line().saturating_sub(1)).unwrap_or("");
                let key_width = line_text.split(':').next().map(|k| k.trim().chars().count()).unwrap_or(1);
                d.at(shown, Some(full_source), loc.line() + line0 - 1, Some(loc.column())).underline(key_width)
            }
            None => d.at(shown, Some(full_source), line0, None),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_unknown_field_names_nearest() {
        let (m, h) = explain(
            "unknown field `speeker`, expected one of `title`, `speaker`",
            &["title", "speaker"],
            "a speech's front matter",
        );
        assert_eq!(m, "unknown field `speeker`");
        assert!(h.starts_with("did you mean `speaker`?"), "{h}");
    }
}

/// The print-on-demand platform or print shop a print edition is made for (`[print]
/// profile` in a style or a book file); what each asks is in `pdf/profile.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Amazon KDP, paperback.
    Kdp,
    /// IngramSpark (Lightning Source), paperback.
    Ingramspark,
    /// Lulu, paperback (perfect bound).
    Lulu,
    /// BoD – Books on Demand (Norderstedt), paperback.
    Bod,
    /// A saddle-stitched booklet from a copy shop's digital press.
    Copyshop,
    /// An offset print shop: the print edition as it always was (the default).
    #[default]
    Offset,
}

impl Platform {
    /// The name as `[print] profile` and `--profile` take it.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Kdp => "kdp",
            Platform::Ingramspark => "ingramspark",
            Platform::Lulu => "lulu",
            Platform::Bod => "bod",
            Platform::Copyshop => "copyshop",
            Platform::Offset => "offset",
        }
    }
}

/// The paper of the interior, for the spine's width (`[print] paper` in the book file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// White paper (the platforms' default for black-and-white interiors).
    #[default]
    White,
    /// Cream paper.
    Cream,
}
