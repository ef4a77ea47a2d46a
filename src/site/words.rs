//! The web edition's own words (navigation, downloads, feeds) in the languages of the
//! bundled examples. Another language gets the English words, marked as English, so a
//! screen reader speaks them right; the book's text and labels keep their language.

use crate::lang::Lang;

pub(crate) struct Words {
    pub skip: &'static str,
    pub books: &'static str,
    pub speakers: &'static str,
    pub tags: &'static str,
    pub site_nav: &'static str,
    /// `{}` is the format (`EPUB`).
    pub download: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    /// The label of the previous/next navigation of a book's speeches.
    pub pager: &'static str,
    pub in_book: &'static str,
    pub feed: &'static str,
    pub catalogue: &'static str,
    /// "3 speeches", by the language's plural rules.
    pub speeches: fn(usize) -> String,
    /// Decimal separator in file sizes.
    pub decimal: char,
}

const EN: Words = Words {
    skip: "Skip to the text",
    books: "Books",
    speakers: "Speakers",
    tags: "Topics",
    site_nav: "Site",
    download: "Download {}",
    previous: "Previous",
    next: "Next",
    pager: "Previous and next speech",
    in_book: "From the book",
    feed: "Speeches by date (Atom feed)",
    catalogue: "Catalogue for reading apps (OPDS)",
    speeches: |n| if n == 1 { "1 speech".into() } else { format!("{n} speeches") },
    decimal: '.',
};

const DE: Words = Words {
    skip: "Zum Text springen",
    books: "Bücher",
    speakers: "Rednerinnen und Redner",
    tags: "Themen",
    site_nav: "Website",
    download: "{} herunterladen",
    previous: "Vorherige",
    next: "Nächste",
    pager: "Vorherige und nächste Rede",
    in_book: "Aus dem Buch",
    feed: "Reden nach Datum (Atom-Feed)",
    catalogue: "Katalog für Lese-Apps (OPDS)",
    speeches: |n| if n == 1 { "1 Rede".into() } else { format!("{n} Reden") },
    decimal: ',',
};

const AR: Words = Words {
    skip: "انتقل إلى النص",
    books: "الكتب",
    speakers: "المتحدثون",
    tags: "المواضيع",
    site_nav: "الموقع",
    download: "تنزيل {}",
    previous: "السابق",
    next: "التالي",
    pager: "الخطبة السابقة والتالية",
    in_book: "من كتاب",
    feed: "الخطب حسب التاريخ (Atom)",
    catalogue: "فهرس لتطبيقات القراءة (OPDS)",
    // CLDR's Arabic plural categories: one, two, few (3–10), many (11–99), other.
    speeches: |n| match (n, n % 100) {
        (1, _) => "خطبة واحدة".into(),
        (2, _) => "خطبتان".into(),
        (_, 3..=10) => format!("{n} خطب"),
        // many and other: the singular after the number.
        _ => format!("{n} خطبة"),
    },
    decimal: '.',
};

/// The words for pages in `lang`, and `Some(English)` when they are English standing in
/// for a language that has none here (the elements holding them say so).
pub(crate) fn words(lang: &Lang) -> (&'static Words, Option<Lang>) {
    match lang.language() {
        "de" => (&DE, None),
        "ar" => (&AR, None),
        "en" => (&EN, None),
        _ => (&EN, Some(Lang::english())),
    }
}

/// A file size as readers see it: `580 kB`, `1,2 MB`.
pub(crate) fn size(bytes: u64, w: &Words) -> String {
    if bytes < 1_000_000 {
        format!("{} kB", bytes.div_ceil(1000))
    } else {
        let tenths = (bytes + 50_000) / 100_000;
        format!("{}{}{} MB", tenths / 10, w.decimal, tenths % 10)
    }
}
