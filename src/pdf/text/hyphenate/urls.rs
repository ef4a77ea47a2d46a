//! URLs and e-mail addresses: recognised, never hyphenated, broken only after their
//! separators with no hyphen added.

use super::*;

fn show(word: &str) -> String {
    let mut out = Vec::new();
    url_breaks(word, &mut out);
    let mut s = String::new();
    let mut at = 0;
    for b in &out {
        assert!(b.explicit, "{word}: {b:?}");
        s.push_str(&word[at..b.offset]);
        s.push('|');
        at = b.offset;
    }
    s + &word[at..]
}

#[test]
fn urls_and_addresses_are_recognised() {
    for w in [
        "https://example.org",
        "http://de.wikisource.org/wiki/Rede",
        "HTTPS://EXAMPLE.ORG",
        "ftp://x.y",
        "www.marxists.org/archive",
        "WWW.Example.org",
        "presse@verdi.de",
        "a.b-c_d@mail.example.co.uk",
    ] {
        assert!(is_url(w), "{w}");
    }
    for w in [
        "Gewerkschaftsversammlung",
        "Arbeiter@innen",
        "Kolleg*innen",
        "z.B",
        "ver.di",
        "@verdi",
        "a@.de",
        "a@b@c.de",
        "www",
        "1914–1918",
    ] {
        assert!(!is_url(w), "{w}");
    }
}

#[test]
fn urls_break_after_their_separators_only() {
    assert_eq!(
        show("https://de.wikisource.org/wiki/Rede_über_die_Arbeiterfrage?id=3&lang=de#Anfang"),
        "https://|de.|wikisource.|org/|wiki/|Rede_|über_|die_|Arbeiterfrage?|id=|3&|lang=|de#|Anfang"
    );
    // A run of separators breaks after its last; never two letters from the start or
    // fewer than three before the end.
    assert_eq!(show("http://a.org//x/y"), "http://|a.|org//|x/y");
    assert_eq!(show("presse@verdi.de"), "presse@|verdi.de");
    assert_eq!(show("www.marxists.org/archive/luxemburg"), "www.|marxists.|org/|archive/|luxemburg");
    assert_eq!(show("a/b"), "a/b");
    let mut out = vec![Break { offset: 1, explicit: false }];
    url_breaks("", &mut out);
    assert!(out.is_empty());
}
