//! Links of the text. A link's address is read where the Markdown is parsed
//! ([`classify`]): a web, mail or telephone address is checked by WHATWG's URL parser and
//! kept in its serialised (percent-encoded) form; a link to a speech of the library (by its
//! file, `../de/x.md#anchor`, or its id) or to a heading (`#anchor`) waits for the whole
//! book ([`resolve`]), which makes it a link inside the book (`#anchor`) when its target is
//! in it, and plain text with a warning when not. Anything else becomes plain text with a
//! warning at its line, so no address that leaves the book or the package gets in.

use super::model::*;
use crate::diagnostics::{Diagnostic, Kind, Report};
use crate::library::Library;
use crate::project::Project;
use std::collections::BTreeMap;
use std::path::Path;

/// The prefix of a link's `url` in the model while its target waits for the whole book:
/// a NUL, which no source text holds (`sniff::control`) and no URL can.
const PENDING: &str = "\0link:";

/// What the address of a link is.
pub(super) enum Target {
    /// A web, mail or telephone address, serialised.
    External(String),
    /// A speech of the library (candidate ids, in order; none: the speech the link is in)
    /// and a heading of it.
    Internal { ids: Vec<String>, fragment: Option<String> },
    /// Not an address a book may hold: why not.
    Refused(String),
}

/// A link waiting for the whole book: where it is and where it leads.
#[derive(Debug, Clone, Hash)]
pub(crate) struct Pending {
    /// The line of the file it is on.
    pub line: usize,
    /// The address as written.
    pub raw: String,
    /// Candidate speech ids; none: the speech the link is in.
    pub ids: Vec<String>,
    /// The heading, as written after `#`, percent-decoded.
    pub fragment: Option<String>,
}

/// The `url` that stands in the model for the `index`th pending link of a chapter.
pub(super) fn pending_url(index: usize) -> String {
    format!("{PENDING}{index}")
}

/// Read the address `raw` of a link in a file in `dir`.
pub(super) fn classify(raw: &str, project: &Project, dir: &Path) -> Target {
    let url = raw.trim();
    if url.is_empty() {
        return Target::Refused("the link has no address".into());
    }
    if let Some(fragment) = url.strip_prefix('#') {
        if fragment.is_empty() {
            return Target::Refused("the link `#` names no heading".into());
        }
        return Target::Internal { ids: Vec::new(), fragment: Some(decode(fragment)) };
    }
    if let Some(scheme) = scheme(url) {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel") {
            return Target::Refused(format!(
                "`{scheme}:` links cannot enter a book: only http, https, mailto and tel links can"
            ));
        }
        return match url::Url::parse(url) {
            Ok(u) if matches!(scheme.as_str(), "http" | "https") && u.host_str().is_none_or(str::is_empty) => {
                Target::Refused("the address has no host".into())
            }
            // `https://../` parses, with the host `..`; no name has an empty label.
            Ok(u) if u.domain().is_some_and(|d| d.trim_end_matches('.').split('.').any(str::is_empty)) => {
                Target::Refused("the address's host has an empty part".into())
            }
            Ok(u) if matches!(scheme.as_str(), "mailto" | "tel") && u.path().is_empty() => {
                Target::Refused("the address is empty".into())
            }
            Ok(u) => Target::External(as_written(url, &u).unwrap_or_else(|| strict(&u))),
            Err(e) => Target::Refused(format!("it is not a valid address ({e})")),
        };
    }
    if url.starts_with("//") || url.starts_with('/') || url.starts_with('\\') {
        return Target::Refused("an address on a server without `https:` is not a link a book can follow".into());
    }
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(decode(f)).filter(|f| !f.is_empty())),
        None => (url, None),
    };
    let path = decode(path);
    if path.contains('?') {
        return Target::Refused("it is neither a web address nor a speech of the library".into());
    }
    let speeches = project.speeches_dir();
    let here = dir.strip_prefix(&project.books).ok().and_then(|d| d.strip_prefix("speeches").ok()).map(|d| {
        let d = d.to_string_lossy().replace('\\', "/");
        if d.is_empty() {
            d
        } else {
            format!("{d}/")
        }
    });
    if path.ends_with(".md") {
        // A file: it must be a speech inside the library.
        return match project.resolve_inside_books(dir, &path) {
            Ok(file) => match file.strip_prefix(&speeches) {
                Ok(rel) => {
                    let id = rel.with_extension("").to_string_lossy().replace('\\', "/");
                    Target::Internal { ids: vec![id], fragment }
                }
                Err(_) => Target::Refused(format!("`{path}` is not a speech of the library (books/speeches/)")),
            },
            Err(e) => Target::Refused(format!("`{path}`: {}", e.explain().0)),
        };
    }
    // An id: as written, or relative to the speech's folder.
    let id = path.trim_start_matches("./").trim_end_matches('/').to_string();
    let mut ids = vec![id.clone()];
    if let Some(here) = here.filter(|h| !h.is_empty()) {
        ids.push(format!("{here}{id}"));
    }
    Target::Internal { ids, fragment }
}

/// The scheme of `url` (RFC 3986: a letter, then letters, digits, `+`, `-` or `.`, then
/// `:`), if it has one.
fn scheme(url: &str) -> Option<&str> {
    let (s, _) = url.split_once(':')?;
    let mut chars = s.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))).then_some(s)
}

/// The WHATWG serialisation of `u`, with the characters RFC 3986 does not allow outside the
/// host (`[`, `]`, `|`, `^`, a space …; WHATWG leaves some in paths) percent-encoded, as
/// the EPUB's validators read URLs by RFC 3986.
fn strict(u: &url::Url) -> String {
    let s = u.as_str();
    let after_host = match u.host() {
        Some(_) => u[..url::Position::BeforePath].len(),
        None => u.scheme().len() + 1,
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..after_host]);
    let rest = &s[after_host..];
    for (i, c) in rest.char_indices() {
        let escaped = c == '%' && rest[i + 1..].len() >= 2 && rest[i + 1..i + 3].bytes().all(|b| b.is_ascii_hexdigit());
        match c {
            '%' if escaped => out.push('%'),
            '[' | ']' | '|' | '^' | '`' | '{' | '}' | '\\' | '"' | '<' | '>' | ' ' | '%' => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `raw` with what RFC 3986 does not allow percent-encoded, when it is then the same URL
/// as `u` (the author's form kept: `https://x.org` stays without the `/` WHATWG adds).
fn as_written(raw: &str, u: &url::Url) -> Option<String> {
    let brackets = raw.matches('[').count() + raw.matches(']').count();
    let ipv6 = matches!(u.host(), Some(url::Host::Ipv6(_)));
    if !raw.is_ascii() || brackets > if ipv6 { 2 } else { 0 } {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    for (i, c) in raw.char_indices() {
        let escaped = c == '%' && raw[i + 1..].len() >= 2 && raw[i + 1..i + 3].bytes().all(|b| b.is_ascii_hexdigit());
        match c {
            '%' if escaped => out.push('%'),
            '|' | '^' | '`' | '{' | '}' | '\\' | '"' | '<' | '>' | ' ' | '%' => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    (url::Url::parse(&out).ok().as_ref() == Some(u)).then_some(out)
}

/// `%xx` sequences of `s` decoded (as UTF-8; invalid ones stay as they are).
fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// A heading's slug as GitHub and most Markdown tools make it: lower case, spaces as `-`,
/// punctuation but `-` and `_` dropped (letters of any script stay).
fn slug(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The headings of a chapter: (its slug, our anchor's part after the chapter's, anchor).
fn headings(c: &Chapter) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    fn walk(blocks: &[Block], chapter: &str, out: &mut Vec<(String, String, String)>) {
        for b in blocks {
            match &b.kind {
                BlockKind::Heading { anchor, content, .. } => {
                    let own = anchor.strip_prefix(chapter).unwrap_or(anchor).trim_start_matches('-').to_string();
                    out.push((slug(&plain_text(content)), own, anchor.clone()));
                }
                BlockKind::Quote { blocks } => walk(blocks, chapter, out),
                BlockKind::List { items, .. } => items.iter().for_each(|i| walk(i, chapter, out)),
                _ => {}
            }
        }
    }
    walk(&c.blocks, &c.anchor, &mut out);
    out
}

/// The anchor of the heading `fragment` names in `c`: by its slug, by our anchor, or by
/// the whole anchor.
fn find_heading(c: &Chapter, fragment: &str) -> Option<String> {
    let wanted = slug(fragment);
    let ours = anchor_of("", fragment);
    let hs = headings(c);
    hs.iter()
        .find(|(s, _, _)| *s == wanted)
        .or_else(|| hs.iter().find(|(_, own, a)| (!ours.is_empty() && *own == ours) || a == fragment))
        .map(|(_, _, a)| a.clone())
}

/// Make every pending link of `book` a link inside the book or plain text. `pending` holds
/// each chapter's pending links by the chapter's anchor.
pub(super) fn resolve(
    book: &mut Book,
    mut pending: BTreeMap<String, Vec<Pending>>,
    lib: &Library,
    report: &mut Report,
) {
    if pending.values().all(Vec::is_empty) {
        return;
    }
    let in_book: BTreeMap<String, usize> = book
        .chapters()
        .enumerate()
        .filter(|(_, c)| c.kind == ChapterKind::Speech)
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let chapters: Vec<&Chapter> = book.chapters().collect();
    // Decide every link first (reading the book), then rewrite (changing it).
    let mut decided: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for (i, c) in chapters.iter().enumerate() {
        let Some(links) = pending.remove(&c.anchor) else { continue };
        let mut out = Vec::with_capacity(links.len());
        for p in links {
            let target = match p.ids.as_slice() {
                [] => Ok(i),
                ids => match ids.iter().find_map(|id| in_book.get(id)) {
                    Some(&t) => Ok(t),
                    None => Err(match ids.iter().find(|id| lib.speeches.contains_key(id.as_str())) {
                        Some(id) => format!("the speech `{id}` it leads to is not in this book"),
                        None => "it is neither a web address nor a speech of the library".to_string(),
                    }),
                },
            };
            let url = match target {
                Err(why) => {
                    warn(
                        report,
                        c,
                        &p,
                        &why,
                        "its text stays as plain text; link to a speech of the book, or to a full https:// address",
                    );
                    None
                }
                Ok(t) => {
                    let to = chapters[t];
                    match &p.fragment {
                        None => Some(format!("#{}", to.anchor)),
                        Some(f) => match find_heading(to, f) {
                            Some(a) => Some(format!("#{a}")),
                            None if t == i => {
                                let why = format!("this speech has no heading `#{f}`");
                                warn(report, c, &p, &why, "its text stays as plain text; write the heading's text in lower case with `-` for spaces");
                                None
                            }
                            None => {
                                let why = format!(
                                    "the speech `{}` has no heading `#{f}`; it leads to the speech's start",
                                    to.id
                                );
                                warn(report, c, &p, &why, "write the heading's text in lower case with `-` for spaces");
                                Some(format!("#{}", to.anchor))
                            }
                        },
                    }
                }
            };
            out.push(url);
        }
        decided.insert(c.anchor.clone(), out);
    }
    let all = book
        .front
        .iter_mut()
        .chain(book.parts.iter_mut().flat_map(|p| p.chapters.iter_mut()))
        .chain(book.back.iter_mut());
    for c in all {
        let Some(urls) = decided.get(&c.anchor) else { continue };
        let mut f = |content: &mut Vec<Inline>| rewrite(content, urls);
        for b in c.blocks.iter_mut() {
            blocks_inlines(b, &mut f);
        }
        for n in c.footnotes.iter_mut() {
            for b in n.blocks.iter_mut() {
                blocks_inlines(b, &mut f);
            }
        }
    }
}

fn warn(report: &mut Report, c: &Chapter, p: &Pending, why: &str, hint: &str) {
    report.push(
        Diagnostic::warning(Kind::Content, format!("the link to `{}` is not kept: {why}", p.raw))
            .at(&c.source, None, p.line, None)
            .with_hint(hint),
    );
}

/// Call `f` on every run of inlines of `b` and the blocks inside it.
fn blocks_inlines(b: &mut Block, f: &mut impl FnMut(&mut Vec<Inline>)) {
    match &mut b.kind {
        BlockKind::Heading { content, .. } | BlockKind::Paragraph { content } => f(content),
        BlockKind::Quote { blocks } => blocks.iter_mut().for_each(|x| blocks_inlines(x, f)),
        BlockKind::List { items, .. } => items.iter_mut().flatten().for_each(|x| blocks_inlines(x, f)),
        BlockKind::Table { head, rows, .. } => head.iter_mut().chain(rows.iter_mut().flatten()).for_each(f),
        BlockKind::Rule | BlockKind::Image { .. } | BlockKind::Code { .. } => {}
    }
}

/// Give each pending link of `content` its decided `url`, or put its text in its place.
fn rewrite(content: &mut Vec<Inline>, urls: &[Option<String>]) {
    let old = std::mem::take(content);
    for mut i in old {
        match &mut i {
            Inline::Emphasis { content }
            | Inline::Strong { content }
            | Inline::Superscript { content }
            | Inline::Subscript { content }
            | Inline::Lang { content, .. } => rewrite(content, urls),
            Inline::Link { url, content: inner, .. } => {
                rewrite(inner, urls);
                if let Some(n) = url.strip_prefix(PENDING).and_then(|n| n.parse::<usize>().ok()) {
                    match urls.get(n).cloned().flatten() {
                        Some(u) => *url = u,
                        None => {
                            content.append(inner);
                            continue;
                        }
                    }
                }
            }
            _ => {}
        }
        content.push(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (tempfile::TempDir, Project) {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("books/speeches/de")).unwrap();
        std::fs::write(d.path().join("books/speeches/de/x.md"), "x").unwrap();
        std::fs::write(d.path().join("books/speeches/a.md"), "a").unwrap();
        std::fs::write(d.path().join("books/notes.md"), "n").unwrap();
        let p = Project::locate(Some(d.path())).unwrap();
        (d, p)
    }

    fn external(t: Target) -> String {
        match t {
            Target::External(u) => u,
            Target::Internal { ids, fragment } => panic!("internal {ids:?} {fragment:?}"),
            Target::Refused(why) => panic!("refused: {why}"),
        }
    }

    #[test]
    fn web_mail_and_phone_addresses_are_kept_serialised() {
        let (_d, p) = project();
        let dir = p.speeches_dir();
        assert_eq!(external(classify("https://example.org", &p, &dir)), "https://example.org");
        assert_eq!(external(classify("HTTP://Example.org/a b?c", &p, &dir)), "HTTP://Example.org/a%20b?c");
        assert_eq!(external(classify("https://bücher.de/ä", &p, &dir)), "https://xn--bcher-kva.de/%C3%A4");
        assert_eq!(external(classify("https://a.org/[x]|y", &p, &dir)), "https://a.org/%5Bx%5D%7Cy");
        assert_eq!(external(classify("https://a.org/100%", &p, &dir)), "https://a.org/100%25");
        assert_eq!(external(classify("https://a.org/%C3%A4", &p, &dir)), "https://a.org/%C3%A4");
        assert_eq!(external(classify("mailto:a@b.cd", &p, &dir)), "mailto:a@b.cd");
        assert_eq!(external(classify("tel:+49 30 1234", &p, &dir)), "tel:+49%2030%201234");
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "http://",
            "https://../",
            "https://[x",
            "ftp://a.org",
            "",
            "#",
        ] {
            assert!(matches!(classify(bad, &p, &dir), Target::Refused(_)), "{bad}");
        }
        for relative in ["/url", "//a.org/x", "../../outside.md", "../notes.md"] {
            assert!(matches!(classify(relative, &p, &dir), Target::Refused(_)), "{relative}");
        }
    }

    #[test]
    fn speeches_by_file_or_id_and_headings() {
        let (_d, p) = project();
        let de = p.speeches_dir().join("de");
        let internal = |raw: &str, dir: &Path| match classify(raw, &p, dir) {
            Target::Internal { ids, fragment } => (ids, fragment),
            _ => panic!("{raw} is not internal"),
        };
        assert_eq!(internal("../a.md#die-lage", &de), (vec!["a".into()], Some("die-lage".into())));
        assert_eq!(internal("x.md", &de), (vec!["de/x".into()], None));
        assert_eq!(internal("x", &de), (vec!["x".into(), "de/x".into()], None));
        assert_eq!(internal("#%C3%BCber-uns", &de), (vec![], Some("über-uns".into())));
        assert!(matches!(classify("missing.md", &p, &de), Target::Refused(_)));
    }

    #[test]
    fn slugs_as_markdown_tools_make_them() {
        assert_eq!(slug("Die Lage in Kasachstan!"), "die-lage-in-kasachstan");
        assert_eq!(slug("Über uns"), "über-uns");
        assert_eq!(slug("Что делать?"), "что-делать");
    }
}
