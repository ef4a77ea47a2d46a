use super::*;

fn of(tag: &str) -> &'static Strings {
    strings(&Lang::parse(tag).unwrap().0)
}

fn d(s: &str) -> PartialDate {
    PartialDate::parse(s).unwrap()
}

/// The 25 languages of the book strings, with the long date of 13 December 2021 and of
/// December 2021 as CLDR 49 writes them (written out here by hand from CLDR's
/// `dateFormatLength type="long"` and `yMMMM` patterns, month names and digits, not taken
/// from ICU4X), no-break spaces (`~` U+00A0, `^` U+202F, CLDR's own) where the date holds
/// together, and the book's word for "Contents".
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    ("de", "13.~Dezember 2021", "Dezember 2021", "Inhalt"),
    ("en", "December~13, 2021", "December 2021", "Contents"),
    ("fr", "13~décembre 2021", "décembre 2021", "Table des matières"),
    ("es", "13~de diciembre de 2021", "diciembre de 2021", "Índice"),
    ("it", "13~dicembre 2021", "dicembre 2021", "Indice"),
    ("pt", "13~de dezembro de 2021", "dezembro de 2021", "Índice"),
    ("ca", "13~de desembre del 2021", "desembre del 2021", "Índex"),
    ("nl", "13~december 2021", "december 2021", "Inhoud"),
    ("sv", "13~december 2021", "december 2021", "Innehåll"),
    ("da", "13.~december 2021", "december 2021", "Indhold"),
    ("no", "13.~desember 2021", "desember 2021", "Innhold"),
    ("fi", "13.~joulukuuta 2021", "joulukuu 2021", "Sisällys"),
    ("pl", "13~grudnia 2021", "grudzień 2021", "Spis treści"),
    ("cs", "13.~prosince 2021", "prosinec 2021", "Obsah"),
    ("sk", "13.~decembra 2021", "december 2021", "Obsah"),
    ("hu", "2021. december~13.", "2021. december", "Tartalom"),
    ("ro", "13~decembrie 2021", "decembrie 2021", "Cuprins"),
    ("el", "13~Δεκεμβρίου 2021", "Δεκέμβριος 2021", "Περιεχόμενα"),
    ("tr", "13~Aralık 2021", "Aralık 2021", "İçindekiler"),
    ("ru", "13~декабря 2021^г.", "декабрь 2021^г.", "Содержание"),
    ("uk", "13~грудня 2021^р.", "грудень 2021^р.", "Зміст"),
    ("kk", "2021^ж.~13~желтоқсан", "2021^ж. желтоқсан", "Мазмұны"),
    // CLDR's default numbering system: Latin digits for `ar` (as CLDR has had since 42),
    // Extended Arabic-Indic for `fa`; Latin for `he`.
    ("ar", "13~ديسمبر 2021", "ديسمبر 2021", "المحتويات"),
    ("fa", "۱۳~دسامبر ۲۰۲۱", "دسامبر ۲۰۲۱", "فهرست مطالب"),
    ("he", "13~בדצמבר 2021", "דצמבר 2021", "תוכן העניינים"),
];

fn spaces(s: &str) -> String {
    s.replace('~', "\u{a0}").replace('^', "\u{202f}")
}

#[test]
fn every_language_has_its_dates_from_cldr_and_its_labels() {
    assert_eq!(EXPECTED.len(), 25);
    for &(code, day, month, contents) in EXPECTED {
        let lang = Lang::parse(code).unwrap().0;
        assert!(has_strings(&lang), "{code} has strings");
        let s = strings(&lang);
        assert_eq!(s.code, code);
        assert_eq!(s.date(&d("2021-12-13")), spaces(day), "{code}: day");
        assert_eq!(s.date(&d("2021-12")), spaces(month), "{code}: month");
        assert_eq!(s.contents, contents, "{code}: contents");
        if code != "en" {
            // A label in the language, not the English fallback.
            assert_ne!(s.translated_by, labels::EN.translated_by, "{code}");
            assert_ne!(s.made_with, labels::EN.made_with, "{code}");
        }
        assert!(fallback_warning("b", &[lang]).is_none(), "{code}: no fallback warning");
    }
    let listed: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    let table: Vec<&str> = labels::ALL.iter().map(|s| s.code).collect();
    assert_eq!(listed, table, "the test covers the table");
}

#[test]
fn a_year_alone_is_the_year_in_the_languages_digits() {
    for s in labels::ALL {
        let y = s.date(&d("2021"));
        let want = match s.code {
            "hu" => "2021.",
            "fa" => "۲۰۲۱",
            _ => "2021",
        };
        assert_eq!(y, want, "{}", s.code);
    }
}

#[test]
fn years_before_one_carry_cldrs_era() {
    // `-0430` is 431 BC (ISO 8601 counts a year 0).
    let bc = d("-0430");
    assert_eq!(of("de").date(&bc), "431\u{a0}v.\u{a0}Chr.");
    assert_eq!(of("en").date(&bc), "431\u{a0}BC");
    assert_eq!(of("ru").date(&bc), "431\u{202f}г.\u{a0}до\u{a0}н.\u{a0}э.");
    assert_eq!(of("fr").date(&bc), "431\u{a0}av.\u{a0}J.-C.");
    assert_eq!(of("pl").date(&bc), "431\u{a0}p.n.e.");
    assert_eq!(of("el").date(&bc), "431\u{a0}π.Χ.");
    assert_eq!(of("tr").date(&bc), "MÖ\u{a0}431");
    assert_eq!(of("he").date(&bc), "431\u{a0}לפנה״ס");
    assert_eq!(of("de").date(&d("-0043-03-15")), "15.\u{a0}März 44\u{a0}v.\u{a0}Chr.");
    assert_eq!(of("en").date(&d("-0043-03-15")), "March\u{a0}15, 44\u{a0}BC");
    assert_eq!(of("de").date(&d("0000")), "1\u{a0}v.\u{a0}Chr.");
    // A year under 1000 is named with its era too, so `77` is not read as a short year.
    assert_eq!(of("de").date(&d("0077")), "77\u{a0}n.\u{a0}Chr.");
    assert_eq!(of("en").date(&d("1848-03")), "March 1848");
    for s in labels::ALL {
        assert!(s.date(&bc).contains(if s.code == "fa" { "۴۳۱" } else { "431" }), "{}", s.code);
        assert_ne!(s.date(&bc), s.date(&d("0431")), "{}: BC and AD differ", s.code);
    }
}

#[test]
fn text_dates_are_shown_as_written() {
    let t = SpeechDate::Text { text: "um 430 v. Chr.".into(), sort: d("-0430") };
    assert_eq!(of("de").date(&t), "um 430 v. Chr.");
    assert_eq!(of("en").date(&t), "um 430 v. Chr.");
    assert_eq!(of("de").date(&SpeechDate::Calendar(d("2021-12-13"))), "13.\u{a0}Dezember 2021");
}

#[test]
fn dates_as_before_cldr_where_cldr_agrees() {
    assert_eq!(of("fr").date(&d("2021-12-01")), "1er\u{a0}décembre 2021");
    assert_eq!(of("fr").date(&d("2021-12-11")), "11\u{a0}décembre 2021");
    assert_eq!(of("de-CH").date(&d("2021-05")), "Mai 2021");
    // Three-letter codes and any case are read as the language they name.
    assert_eq!(of("deu").date(&d("2021-12-13")), "13.\u{a0}Dezember 2021");
    assert_eq!(of("RUS-ru").date(&d("2021-12")), "декабрь 2021\u{202f}г.");
    assert_eq!(of("nb").code, "no");
    assert_eq!(of("pt-BR").date(&d("1927-10-20")), "20\u{a0}de outubro de 1927");
}

#[test]
fn every_language_has_every_label_with_its_placeholders() {
    // The table is Rust, so a missing field does not compile; here: none is empty or
    // padded, each keeps the `{}` the English has, and no other field has one.
    let fields = |s: &'static Strings| -> Vec<(&'static str, &'static str)> {
        vec![
            ("introduction", s.introduction),
            ("afterword", s.afterword),
            ("contents", s.contents),
            ("note_continued", s.note_continued),
            ("source", s.source),
            ("translated_by", s.translated_by),
            ("cover", s.cover),
            ("title_page", s.title_page),
            ("copyright", s.copyright),
            ("landmarks", s.landmarks),
            ("start", s.start),
            ("edited_by", s.edited_by),
            ("list_last", s.list_last),
            ("identifier", s.identifier),
            ("fonts", s.fonts),
            ("font_licences", s.font_licences),
            ("made_with", s.made_with),
            ("back_to_text", s.back_to_text),
            ("a11y_summary", s.a11y_summary),
            ("a11y_images_described", s.a11y_images_described),
            ("a11y_images_undescribed", s.a11y_images_undescribed),
            ("a11y_footnotes", s.a11y_footnotes),
            ("a11y_conforms", s.a11y_conforms),
        ]
    };
    let english = fields(&labels::EN);
    let mut codes = Vec::new();
    for s in labels::ALL {
        assert!(Lang::parse(s.code).is_ok_and(|(l, long)| l.as_str() == s.code && long.is_none()), "{}", s.code);
        assert!(Locale::try_from_str(s.code).is_ok(), "{}", s.code);
        assert!(!codes.contains(&s.code), "{} twice", s.code);
        codes.push(s.code);
        assert!(s.list_separator.ends_with(' ') && s.list_separator.trim().chars().count() == 1, "{}", s.code);
        for ((key, text), (_, en)) in fields(s).into_iter().zip(&english) {
            assert!(!text.trim().is_empty(), "{}: {key} is empty", s.code);
            assert_eq!(text, text.trim(), "{}: {key} has spaces around it", s.code);
            assert_eq!(text.matches("{}").count(), en.matches("{}").count(), "{}: {key} keeps its `{{}}`", s.code);
        }
    }
    assert_eq!(labels::ALL.len(), 25);
}

#[test]
fn names_are_listed_with_and() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(of("de").list(&names(&["A"])), "A");
    assert_eq!(of("de").list(&names(&["A", "B"])), "A und B");
    assert_eq!(of("en").list(&names(&["A", "B", "C"])), "A, B and C");
    assert_eq!(of("he").list(&names(&["א", "ב", "ג"])), "א, ב וג");
    assert_eq!(of("ar").list(&names(&["أ", "ب", "ج"])), "أ، ب وج");
    assert_eq!(of("ru").list(&[]), "");
}

#[test]
fn a_language_without_strings_gets_english_and_one_warning() {
    let tlh = Lang::parse("tlh").unwrap().0;
    let grc = Lang::parse("grc").unwrap().0;
    assert!(!has_strings(&tlh));
    assert_eq!(strings(&tlh).contents, "Contents");
    assert_eq!(strings(&tlh).date(&d("2021-12-13")), "December\u{a0}13, 2021");
    let w = fallback_warning("reden", &[Lang::parse("de").unwrap().0, tlh.clone(), grc.clone()]).expect("a warning");
    assert!(!w.is_error());
    let text = w.to_string();
    assert!(text.contains("`tlh`, `grc`") && text.contains("reden") && text.contains("language, `de`"), "{text}");
    assert!(fallback_warning("reden", &[Lang::parse("de").unwrap().0]).is_none());
    // A speech's labels in a language without strings are the book's; a book without
    // strings of its own gets English.
    let de = Lang::parse("de").unwrap().0;
    assert_eq!(strings_in(&tlh, &de).contents, "Inhalt");
    assert_eq!(strings_in(&tlh, &de).list(&["A".into(), "B".into()]), "A und B");
    assert_eq!(strings_in(&tlh, &grc).contents, "Contents");
    assert_eq!(strings_lang(&tlh, &de), Some(&de));
    assert_eq!(strings_lang(&tlh, &grc), None);
    let w = fallback_warning("reden", &[grc.clone(), tlh.clone()]).expect("a warning").to_string();
    assert!(w.contains("`grc`, `tlh`") && w.contains("English"), "{w}");
}

#[test]
fn every_language_of_the_labels_has_the_web_words_with_their_placeholders() {
    let fields = |w: &'static Web| -> Vec<(&'static str, &'static str)> {
        vec![
            ("skip", w.skip),
            ("books", w.books),
            ("speakers", w.speakers),
            ("tags", w.tags),
            ("site_nav", w.site_nav),
            ("download", w.download),
            ("previous", w.previous),
            ("next", w.next),
            ("pager", w.pager),
            ("in_book", w.in_book),
            ("feed", w.feed),
            ("catalogue", w.catalogue),
            ("licence", w.licence),
            ("kb", w.kb),
            ("mb", w.mb),
        ]
    };
    let english = fields(&web::EN);
    // The same languages in the same order as the labels, so a language has both or neither.
    let codes: Vec<&str> = web::ALL.iter().map(|w| w.code).collect();
    assert_eq!(codes, labels::ALL.iter().map(|s| s.code).collect::<Vec<_>>());
    for w in web::ALL {
        assert_eq!(web(&Lang::parse(w.code).unwrap().0).0.code, w.code);
        for ((key, text), (_, en)) in fields(w).into_iter().zip(&english) {
            assert!(!text.trim().is_empty(), "{}: {key} is empty", w.code);
            assert_eq!(text, text.trim(), "{}: {key} has spaces around it", w.code);
            assert_eq!(text.matches("{}").count(), en.matches("{}").count(), "{}: {key} keeps its `{{}}`", w.code);
        }
        assert!(w.kb.contains("{}\u{a0}") && w.mb.contains("{}\u{a0}"), "{}: no break before the unit", w.code);
        // Every count from 1 to 200 has a form; one with `{}` shows the number.
        for n in 1..=200 {
            let s = w.speeches(n);
            assert!(!s.contains("{}") && !s.is_empty(), "{}: {n}: {s}", w.code);
        }
        assert!(!w.size(1_500_000).contains("{}"), "{}", w.code);
    }
    let (nb, own) = web(&Lang::of("nb"));
    assert!(own && nb.code == "no");
    let (ur, own) = web(&Lang::of("ur"));
    assert!(!own && ur.code == "en");
    // CLDR's plural categories pick the form.
    let cs = web(&Lang::of("cs")).0;
    assert_eq!([cs.speeches(1), cs.speeches(3), cs.speeches(5)], ["1 projev", "3 projevy", "5 projevů"]);
    let he = web(&Lang::of("he")).0;
    assert_eq!([he.speeches(1), he.speeches(2), he.speeches(7)], ["נאום אחד", "שני נאומים", "7 נאומים"]);
    assert_eq!(web(&Lang::of("fr")).0.size(1_234_567), "1,2\u{a0}Mo");
    assert_eq!(web(&Lang::of("en")).0.size(999), "1\u{a0}kB");
}
