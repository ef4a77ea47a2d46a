//! A speech's Markdown body to the document model (typography, notes, links, headings).
#![no_main]
use libfuzzer_sys::fuzz_target;
use tribune::diagnostics::Report;
use tribune::library::Library;

fuzz_target!(|data: &[u8]| {
    let s = tribune_fuzz::scratch();
    tribune_fuzz::set_body(data);
    let mut report = Report::default();
    let lib = Library::load(&s.project, &mut report);
    // A speech that cannot be read (not UTF-8, a control character) is the library's error;
    // `prepare` answers for what it finds itself.
    let before = report.errors();
    let prepared = tribune::prepare(&s.project, &lib, &s.book, &mut report);
    assert_eq!(prepared.is_some(), report.errors() == before, "{report:?}");
});
