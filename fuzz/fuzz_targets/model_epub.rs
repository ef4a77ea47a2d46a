//! A speech's Markdown body through the model to the EPUB (written to the scratch folder).
#![no_main]
use libfuzzer_sys::fuzz_target;
use tribune::Format;

fuzz_target!(|data: &[u8]| {
    if data.len() > 16 * 1024 {
        return;
    }
    let s = tribune_fuzz::scratch();
    tribune_fuzz::set_body(data);
    let (built, report) = tribune::build(&s.project, &[], &s.out, &[Format::Epub]).unwrap();
    // An EPUB is written exactly when the book has no error.
    let written = built.iter().map(|b| b.written.len()).sum::<usize>();
    assert_eq!(written == 1, !report.has_errors(), "{report:?}");
});
