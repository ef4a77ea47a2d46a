//! The files compiled into Tribune (fonts, styles) and the lookup that lets a project's own
//! file of the same name override a bundled one.

use crate::diagnostics::Diagnostic;
use crate::project::{read_source, Project};
use std::borrow::Cow;
use std::path::PathBuf;

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// A bundled file by its path in the repository (`fonts/GentiumBookPlus-Regular.ttf`).
pub(crate) fn bundled(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// The names of the bundled files below `dir` (`fonts`, `styles`).
pub(crate) fn bundled_in(dir: &str) -> impl Iterator<Item = &'static str> + '_ {
    FILES.iter().map(|(n, _)| *n).filter(move |n| n.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
}

/// A plain file name: no folders, nothing that could climb out of `fonts/` or `styles/`.
fn plain(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.')
}

fn in_project(project: &Project, rel: &str) -> Option<PathBuf> {
    let (dir, name) = rel.split_once('/')?;
    if !plain(name) {
        return None;
    }
    let p = project.root.join(dir).join(name);
    p.is_file().then_some(p)
}

/// A font file by name: the project's `fonts/<name>`, else the bundled one.
pub(crate) fn font(project: &Project, name: &str) -> Option<Cow<'static, [u8]>> {
    if !plain(name) {
        return None;
    }
    let rel = format!("fonts/{name}");
    match in_project(project, &rel) {
        Some(p) => std::fs::read(p).ok().map(Cow::Owned),
        None => bundled(&rel).map(Cow::Borrowed),
    }
}

/// A text file (`styles/default.toml`): the project's, else the bundled one, with the path
/// to name in messages.
pub(crate) fn text(project: &Project, rel: &str) -> Option<(Result<String, Diagnostic>, PathBuf)> {
    if let Some(p) = in_project(project, rel) {
        let shown = PathBuf::from(rel);
        return Some((read_source(&p, &shown), shown));
    }
    let bytes = bundled(rel)?;
    let shown = PathBuf::from(format!("<bundled>/{rel}"));
    Some((Ok(String::from_utf8_lossy(bytes).into_owned()), shown))
}
