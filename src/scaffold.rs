//! `tribune new DIR`: a small working project to start from: one book, two short speeches
//! and the default style files, which `tribune build` builds at once.

use crate::assets;
use crate::diagnostics::{Diagnostic, Kind};
use std::path::{Path, PathBuf};

const BOOK: &str = r#"# A book: its metadata and which speeches it holds, in which order.
title = "Erste Reden"
subtitle = "Eine kleine Sammlung"
language = "de"
editors = ["Ihr Name"]
date = "2026"
# isbn = "978-3-…"        (checked: the check digit must be right)
# cover = "cover.jpg"     (a JPEG or PNG inside books/)
# introduction = "introduction.md"
rights = "Alle Rechte bei den Rednerinnen und Rednern."

[select]
# Speech ids are paths below books/speeches/ without .md; globs such as "2024/*" work too.
speeches = ["erste-rede", "second-speech"]
"#;

const SPEECH_DE: &str = r#"---
title: "Gemeinsam sind wir stärker"
speaker: Ihr Name
date: 2026-05-01
place: Marktplatz
occasion: Kundgebung zum 1. Mai
language: de
tags: [beispiel]
---

Liebe Kolleginnen und Kollegen!

Wir stehen heute hier, weil wir wissen, dass keiner von uns allein etwas ausrichten kann.
Die Mieten steigen - und die Löhne halten nicht Schritt. Das ist kein Naturgesetz, z. B.
haben die Beschäftigten der Verkehrsbetriebe im letzten Jahr 8 % mehr Lohn erkämpft.[^1]

> "Wer kämpft, kann verlieren. Wer nicht kämpft, hat schon verloren."

Darum: Organisiert euch!

[^1]: Nach Angaben der Gewerkschaft, Stand März 2026.
"#;

const SPEECH_EN: &str = r#"---
title: "What we owe each other"
speaker: Your Name
date: 2026-06-12
place: Town Hall
language: en
tags: [example]
---

Friends, neighbours,

We don't gather tonight to complain. We gather to decide what kind of town this
will be - a town where people look after each other, or one where everyone is on
their own.

1. Fair rents for every household.
2. A library that stays open in the evening.
3. Buses that run on Sundays.

None of this is too much to ask. Thank you.
"#;

/// Create the project in `dir` (which must not exist yet or be empty). Returns the files made.
pub fn create(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir).map(|mut rd| rd.next().is_none()).unwrap_or(false);
        if !empty {
            return Err(Diagnostic::error(Kind::Usage, format!("{} exists and is not empty", dir.display()))
                .with_hint("choose a new folder name; `tribune new` never overwrites files"));
        }
    }
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (dir.join("books/book.toml"), BOOK.into()),
        (dir.join("books/speeches/erste-rede.md"), SPEECH_DE.into()),
        (dir.join("books/speeches/second-speech.md"), SPEECH_EN.into()),
        (dir.join(".gitignore"), b"/out\n".to_vec()),
    ];
    for name in assets::bundled_in("styles") {
        if let Some(bytes) = assets::bundled(name) {
            files.push((dir.join(name), bytes.to_vec()));
        }
    }
    std::fs::create_dir_all(dir.join("fonts")).map_err(|e| Diagnostic::io(dir, &e, "create the project folder"))?;
    let mut made = Vec::new();
    for (path, bytes) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e, "create the folder"))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Diagnostic::io(&path, &e, "write the file"))?;
        made.push(path);
    }
    Ok(made)
}
