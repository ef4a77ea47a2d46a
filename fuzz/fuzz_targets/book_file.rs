//! A book file (TOML): its fields, its files, selection and parts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tribune::diagnostics::Report;

fuzz_target!(|data: &[u8]| {
    let s = tribune_fuzz::scratch();
    std::fs::write(&s.book, data).unwrap();
    let mut report = Report::default();
    let book = tribune::anthology::load(&s.project, &s.book, &mut report);
    // A book that loads has no errors; one that does not says why.
    assert_eq!(book.is_some(), !report.has_errors(), "{report:?}");
});
