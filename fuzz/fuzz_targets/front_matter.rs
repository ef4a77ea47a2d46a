//! A speech file as it is read: sniffing, UTF-8, front matter (YAML or TOML) and its fields.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tribune::diagnostics::Report;
use tribune::library::Library;

fuzz_target!(|data: &[u8]| {
    let s = tribune_fuzz::scratch();
    std::fs::write(&s.speech, data).unwrap();
    let mut report = Report::default();
    let lib = Library::load(&s.project, &mut report);
    // A speech is either read or reported as an error; never silently dropped.
    assert_eq!(lib.speeches.contains_key("fuzz"), !report.has_errors(), "{report:?}");
});
