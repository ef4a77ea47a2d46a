//! Compiles the bundled fonts and styles into the binary, so a project without its own
//! `fonts/` or `styles/` builds. Lists the files in a stable order for reproducible builds.
use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut out = String::from("pub(crate) static FILES: &[(&str, &[u8])] = &[\n");
    for (dir, exts) in [("fonts", &["ttf", "otf", "txt"][..]), ("styles", &["toml", "css"][..])] {
        println!("cargo:rerun-if-changed={dir}");
        let mut files: Vec<_> = std::fs::read_dir(Path::new(&root).join(dir))
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p: &std::path::PathBuf| {
            p.is_file() && p.extension().is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        });
        files.sort();
        for p in files {
            let name = p.file_name().expect("a file has a name").to_string_lossy();
            writeln!(out, "    ({:?}, include_bytes!({:?})),", format!("{dir}/{name}"), p.display().to_string())
                .expect("writing to a String");
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("assets.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
