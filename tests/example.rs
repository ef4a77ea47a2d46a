//! The bundled example, the owner's seed speech and a generated corpus, built through the
//! real binary and read back: every word of every speech must reach the model, and two
//! builds must give the same bytes.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

/// Every text value in the model JSON, concatenated.
fn model_text(json: &serde_json::Value, out: &mut String) {
    match json {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| model_text(v, out)),
        serde_json::Value::Object(o) => {
            // An ordered list's numbers are part of its text, as the renderers show them.
            if let (Some(start), Some(items)) = (o.get("start").and_then(|s| s.as_u64()), o.get("items")) {
                let n = items.as_array().map_or(0, |a| a.len() as u64);
                (start..start + n).for_each(|i| out.push_str(&format!("{i}. ")));
            }
            for (k, v) in o {
                if !matches!(k.as_str(), "anchor" | "url" | "source" | "shown" | "id" | "identifier" | "type") {
                    model_text(v, out);
                }
            }
        }
        _ => {}
    }
}

fn assert_every_word(model: &Path, speeches: &[PathBuf]) {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(model).unwrap()).unwrap();
    let mut text = String::new();
    model_text(&json, &mut text);
    let have = words(&text);
    let mut want = BTreeMap::new();
    for s in speeches {
        for (w, n) in markdown_words(s) {
            *want.entry(w).or_insert(0) += n;
        }
    }
    let lost = missing(&want, &have);
    assert!(lost.is_empty(), "words missing from the model: {lost:?}");
}

/// `tribune build` of every book in `project` as the model, into `out`.
fn build_model(project: &Path, out: &Path) -> (i32, String, String) {
    tribune(&["build", "--project", project.to_str().unwrap(), "--out", out.to_str().unwrap(), "-f", "model"])
}

#[test]
fn example_builds_reproducibly_and_keeps_every_word() {
    let out1 = tempfile::tempdir().unwrap();
    let out2 = tempfile::tempdir().unwrap();
    let project = repo();
    for out in [&out1, &out2] {
        let (code, _, err) = build_model(&project, out.path());
        assert_eq!(code, 0, "{err}");
        assert!(!err.contains("warning"), "the example must build without warnings: {err}");
    }
    // Every bundled book: the German example and the Arabic one.
    let mut used = Vec::new();
    for book in ["example", "tadamun"] {
        let a = std::fs::read(out1.path().join(format!("{book}.model.json"))).unwrap();
        let b = std::fs::read(out2.path().join(format!("{book}.model.json"))).unwrap();
        assert!(a == b, "two builds of {book} differ");
        let sources = book_sources(book);
        assert_every_word(&out1.path().join(format!("{book}.model.json")), &sources);
        used.extend(sources);
    }
    assert_eq!(book_sources("example").len(), 6 + 2, "six speeches, introduction and afterword");
    assert_eq!(book_sources("tadamun").len(), 4 + 1, "four speeches and an introduction");
    // No speech of the library is left out of every book, so none goes unchecked.
    let unused: Vec<_> = md_files(&project.join("books/speeches")).into_iter().filter(|s| !used.contains(s)).collect();
    assert!(unused.is_empty(), "speeches in no bundled book: {unused:?}");
}

#[test]
fn example_has_what_the_brief_asks_for() {
    let out = tempfile::tempdir().unwrap();
    let project = repo();
    let (code, _, err) = build_model(&project, out.path());
    assert_eq!(code, 0, "{err}");
    let json = std::fs::read_to_string(out.path().join("example.model.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let langs: Vec<&str> = v["languages"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(langs.contains(&"de") && langs.contains(&"en") && langs.contains(&"ar"), "{langs:?}");
    for kind in ["\"footnote_ref\"", "\"quote\"", "\"list\"", "\"table\"", "\"image\"", "\"heading\""] {
        assert!(json.contains(kind), "the example has no {kind}");
    }
    assert!(["Ә", "Қ", "Ұ", "Ү", "І"].iter().all(|c| json.contains(c)), "Kazakh letters missing");
    // Typography reached the model: German quotes and dashes, no straight quotes in text.
    assert!(json.contains('„') && json.contains('–'));
    assert!(v["meta"]["cover"]["shown"].as_str().unwrap().ends_with("cover.jpg"));

    // The Arabic book: all its speeches in Arabic, with what the right-to-left setting
    // has to handle (notes, a block quote, lists, headings, Latin names in the text).
    let json = std::fs::read_to_string(out.path().join("tadamun.model.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let langs: Vec<&str> = v["languages"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(langs, ["ar"]);
    for kind in ["\"footnote_ref\"", "\"quote\"", "\"list\"", "\"heading\""] {
        assert!(json.contains(kind), "the Arabic book has no {kind}");
    }
    assert!(json.contains("التضامن") && json.contains("Sabine Krell") && json.contains('«'));
    assert!(v["meta"]["cover"]["shown"].as_str().unwrap().ends_with("cover-tadamun.jpg"));
}

#[test]
fn seed_speech_checks_clean_and_keeps_every_word() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let speeches = dir.path().join("books/speeches");
    std::fs::create_dir_all(&speeches).unwrap();
    let seed = shared.join("corpus/kasachstan-solidaritaet.md");
    std::fs::copy(&seed, speeches.join("kasachstan-solidaritaet.md")).unwrap();
    std::fs::write(dir.path().join("books/seed.toml"), "title = \"Seed\"\nlanguage = \"de\"\n").unwrap();
    let p = dir.path().to_str().unwrap();
    let (code, _, err) = tribune(&["check", "--project", p]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.lines().any(|l| l.starts_with("error") || l.starts_with("warning")), "{err}");
    let (code, _, err) = tribune(&["build", "--project", p, "-f", "model"]);
    assert_eq!(code, 0, "{err}");
    assert_every_word(&dir.path().join("out/seed.model.json"), &[seed]);
}

#[test]
fn generated_corpus_builds_and_keeps_every_word() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    gen_corpus(&shared, 30, dir.path(), 600);
    let (code, _, err) = tribune(&["build", "bench", "--project", dir.path().to_str().unwrap(), "-f", "model"]);
    assert_eq!(code, 0, "{err}");
    assert_every_word(&dir.path().join("out/bench.model.json"), &md_files(&dir.path().join("books/speeches")));
}

#[test]
fn new_project_builds_at_once_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fresh");
    let (code, _, err) = tribune(&["new", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(p.join("styles/default.toml").is_file() && p.join("styles/default.css").is_file());
    let (code, _, err) = tribune(&["build", "--project", p.to_str().unwrap(), "-f", "model"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert!(p.join("out/book.model.json").is_file());
    let (code, out, _) = tribune(&["list", "--project", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("erste-rede") && out.contains("second-speech"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("book") && l.contains(" 2 ")), "{out}");
    // A second `new` into the same folder refuses to overwrite.
    let (code, _, err) = tribune(&["new", p.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn project_is_found_upwards_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = tribune(&["check", "--project", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("books/"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_tribune"))
        .args(["check"])
        .current_dir(repo().join("books/speeches"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, _, _) = tribune(&["build", "--no-such-flag"]);
    assert_eq!(code, 2);
    let (code, _, err) =
        tribune(&["build", "exampel", "--project", repo().to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `example`?"), "{err}");
}
