//! A short Markdown body through the model to the reading PDF: line breaking, pages, fonts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tribune::Format;

fuzz_target!(|data: &[u8]| {
    // Small inputs: a page or two, so that a run sets many books.
    if data.len() > 2048 {
        return;
    }
    let s = tribune_fuzz::scratch();
    tribune_fuzz::set_body(data);
    let (built, report) = tribune::build(&s.project, &[], &s.out, &[Format::Pdf]).unwrap();
    let written = built.iter().map(|b| b.written.len()).sum::<usize>();
    assert_eq!(written == 1, !report.has_errors(), "{report:?}");
});
