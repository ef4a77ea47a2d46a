//! Hyphenation checked against word lists: for each language with patterns, 20 words
//! written with every syllable break its rules allow (Duden for German, the Academia's
//! Ortografía for Spanish, and each language's standard orthography), ordinary words,
//! compounds and the language's tricky cases. A break the patterns find must be one of
//! these (a wrong break is a bug); a break they miss is written `=` and documented here
//! (fewer breaks only cost a looser line). Where a language lets a cluster of consonants
//! divide either way (Czech, Slovak, Polish, Russian, Ukrainian: `ne-zá-vis-lost` and
//! `ne-zá-vi-slost` are both right), the list holds the breaks the patterns choose. Breaks within two letters of a word's start or
//! three of its end are never made (`LEFT_MIN`, `RIGHT_MIN`), whatever the list says.

use super::*;

/// Language tag, then its words: `-` a break the patterns find, `=` one they miss.
const WORDS: &[(&str, [&str; 20])] = &[
    (
        "de",
        [
            "Ge-werk-schaft",
            "Ar-beit-neh-mer",
            "So-li-da-ri-tät",
            "Zu-cker",
            "Fens-ter",
            "Ver-samm-lung",
            "Frei-heit",
            "Bun-des-tag",
            "Ab-ge-ord-ne-te",
            "Streik-recht",
            "Ge-rech-tig-keit",
            "Kin-der-gar-ten",
            "Schiff-fahrt",
            "Bä-cke-rei",
            "Wahl-recht",
            "Ur-ab-stim-mung",
            "Haupt-bahn-hof",
            "Be-völ-ke-rung",
            "Er-in-ne-rung",
            "Ver-ant-wor-tung",
        ],
    ),
    (
        "en",
        [
            "gov-ern-ment",
            "de=moc-ra=cy",
            "in-de-pen-dence",
            "rev-o-lu-tion",
            "con-sti-tu-tion",
            "lib-er-ty",
            "par-lia-ment",
            "na-tion-al",
            "pol-i-tics",
            "free-dom",
            "rep-re-sen-ta-tive",
            "ed-u-ca-tion",
            "in-dus-try",
            "com-mu-ni-ty",
            "cit-i-zens",
            "ma-jor-i-ty",
            "pres-i-dent",
            "hap-pi-ness",
            "sov-er-eign-ty",
            "gen-er-a-tion",
        ],
    ),
    (
        "fr",
        [
            "gou-ver-ne-ment",
            "ré-pu-bli=que",
            "so-li-da-ri-té",
            "ma-ni-fes-ta-tion",
            "tra-vail=leurs",
            "li-ber-té",
            "fra-ter-ni-té",
            "as-sem-blée",
            "ré-vo-lu-tion",
            "dé-mo-cra-tie",
            "ca-pi-ta-lis-me",
            "com-pa-gnie",
            "phi-lo-so-phie",
            "in-dé-pen-dance",
            "ou-vriers",
            "syn-di-cat",
            "en-sei-gne-ment",
            "pa-trie",
            "chô-mage",
            "é-lec-tions",
        ],
    ),
    (
        "es",
        [
            "go-bier-no",
            "re-pú-bli-ca",
            "de-mo-cra-cia",
            "tra-ba-ja-do-res",
            "li-ber-tad",
            "so-li-da-ri-dad",
            "re-vo-lu-ción",
            "ciu-da-da-nos",
            "com-pa-ñe-ros",
            "ca-rre-te-ra",
            "ca-lle-jue-la",
            "es-cue-la",
            "in-de-pen-den-cia",
            "cons-ti-tu-ción",
            "trans-por-te",
            "obs-tá=cu-lo",
            "ins-ti-tu-to",
            "ex-tra-or-di-na-rio",
            "mo-vi-mien-to",
            "ac-ción",
        ],
    ),
    (
        "it",
        [
            "go-ver-no",
            "re-pub-bli-ca",
            "la-vo-ra-to-ri",
            "li-ber-tà",
            "so-li-da-rie-tà",
            "ri-vo-lu-zio-ne",
            "cit-ta-di-ni",
            "com-pa-gni",
            "de-mo-cra-zia",
            "co-sti-tu-zio-ne",
            "ma-ni-fe-sta-zio-ne",
            "sin-da-ca-to",
            "scuo-la",
            "fra-tel-lan-za",
            "in-di-pen-den-za",
            "par-la-men-to",
            "mo-vi-men-to",
            "ac-qua",
            "Ita-lia",
            "scio-pe-ro",
        ],
    ),
    (
        "pt",
        [
            "go-ver-no",
            "re-pú-bli-ca",
            "tra-ba-lha-do-res",
            "li-ber-da-de",
            "so-li-da-ri-e-da-de",
            "re-vo-lu-ção",
            "ci-da-dãos",
            "com-pa-nhei-ros",
            "car-ro",
            "pas-sa-do",
            "pro-gres-so",
            "cons-ti-tu-i-ção",
            "es-co-la",
            "ca-pi-ta-lis-mo",
            "ex-ce-ção",
            "Por-tu-gal",
            "ma-ni-fes-ta-ção",
            "sin-di-ca-to",
            "trans-por-te",
            "de-sem-pre-go",
        ],
    ),
    (
        "ca",
        [
            "go-ver-na-ment",
            "re-pú-bli-ca",
            "tre-ba-lla-dors",
            "lli-ber-tat",
            "so-li-da-ri-tat",
            "re-vo-lu-ció",
            "ciu-ta-dans",
            "com-pa=nys",
            "de-mo-crà-cia",
            "Ca-ta-lu-nya",
            "ge-ne-ra-li-tat",
            "in-de-pen-dèn-cia",
            "par-la-ment",
            "as-sem-blea",
            "car-rer",
            "pas-sat",
            "ma-ni-fes-ta-ció",
            "sin-di-cat",
            "Bar-ce-lo-na",
            "mo-vi-ment",
        ],
    ),
    (
        "nl",
        [
            "re-ge-ring",
            "ar-bei-ders",
            "vrij-heid",
            "so-li-da-ri-teit",
            "re-vo-lu-tie",
            "bur-gers",
            "ka-mer-le-den",
            "de-mo-cra-tie",
            "ver-kie-zin-gen",
            "sa-men-le-ving",
            "be-we-ging",
            "on-af-han-ke-lijk",
            "ge-meen-schap",
            "ver-ant-woor-de-lijk-heid",
            "Ne-der-land",
            "mi-nis-ter",
            "ko-nin-gin",
            "par-le-ment",
            "we-ten-schap",
            "vak-bon-den",
        ],
    ),
    (
        "sv",
        [
            "re-ge-ring",
            "ar-be-ta-re",
            "fri-het",
            "so-li-da-ri-tet",
            "re-vo-lu-tion",
            "med-bor-ga-re",
            "riks-da-gen",
            "de-mo-kra-ti",
            "sam-häl-le",
            "rö-rel-se",
            "ge-men-skap",
            "an-svar",
            "Sve-ri-ge",
            "mi-nis-ter",
            "ut-bild-ning",
            "ar-bets-lös-het",
            "kvin-nor-na",
            "fack-lig",
            "väl-färd",
            "stats-mi-nis-ter",
        ],
    ),
    (
        "da",
        [
            "re-ge-ring",
            "ar-bej-de-re",
            "fri-hed",
            "so-li-da-ri-tet",
            "re-vo-lu-tion",
            "bor-ge-re",
            "fol-ke-tin-get",
            "de-mo-kra-ti",
            "sam-fun-det",
            "be-væ-gel-se",
            "fæl-les-skab",
            "an-svar",
            "Dan-mark",
            "mi-ni-ster",
            "ud-dan-nel-se",
            "ar-bejds-løs-hed",
            "kvin-der-ne",
            "fag-lig",
            "vel-færd",
            "stats-mi-ni-ster",
        ],
    ),
    (
        "nb",
        [
            "re-gje-ring",
            "ar-bei-de-re",
            "fri-het",
            "so-li-da-ri-tet",
            "re-vo-lu-sjon",
            "bor-ge-re",
            "stor-tin-get",
            "de-mo-kra-ti",
            "sam-fun-net",
            "be-ve-gel-se",
            "fel-les-skap",
            "an-svar",
            "mi-nis-ter",
            "ut-dan-ning",
            "ar-beids-le-dig-het",
            "kvin-ne-ne",
            "fag-lig",
            "vel-ferd",
            "stats-mi-nis-ter",
            "sol-da-ter",
        ],
    ),
    (
        "fi",
        [
            "hal-li-tus",
            "työ-vä-en-lii-ke",
            "so-li-daa-ri-suus",
            "val-lan-ku-mo-us",
            "kan-sa-lai-set",
            "edus-kun-ta",
            "vaa-lit",
            "yh-teis-kun-ta",
            "it-se-näi-syys",
            "vas-tuu",
            "mi-nis-te-ri",
            "am-mat-ti-liit-to",
            "kou-lu-tus",
            "työt-tö-myys",
            "ih-mi-nen",
            "kan-sa-kou-lu",
            "puo-lue",
            "ter-vey-den-hoi-to",
            "kes-kus-te-lu",
            "hy-vin-voin-ti-val-tio",
        ],
    ),
    (
        "pl",
        [
            "ro-bot-ni-cy",
            "wol-ność",
            "so-li-dar-ność",
            "re-wo-lu-cja",
            "oby-wa-te-le",
            "de-mo-kra-cja",
            "wy-bo-ry",
            "spo-łe-czeń-stwo",
            "nie-pod-le-głość",
            "wspól-no-ta",
            "od-po-wie-dzial-ność",
            "Pol-ska",
            "mi-ni-ster",
            "związ-ki",
            "za-wo-do-we",
            "straj-ki",
            "rów-ność",
            "pra-wo-daw-stwo",
            "szko-ła",
            "wy-kształ-ce-nie",
        ],
    ),
    (
        "cs",
        [
            "vlá-da",
            "děl-ní-ci",
            "svo-bo-da",
            "so-li-da-ri-ta",
            "re-vo-lu-ce",
            "ob-ča-né",
            "de-mo-kra-cie",
            "spo-leč-nost",
            "ne-zá-vi-s-lost",
            "od-po-věd-nost",
            "par-la-ment",
            "ro-di-na",
            "od-bo-ry",
            "stáv-ka",
            "Če-sko",
            "rov-nost",
            "prá-vo",
            "ško-la",
            "vzdě-lá-ní",
            "za-měst-nan-ci",
        ],
    ),
    (
        "sk",
        [
            "vlá-da",
            "ro-bot-ní-ci",
            "slo-bo-da",
            "so-li-da-ri-ta",
            "re-vo-lú-cia",
            "ob-ča-nia",
            "de-mok-ra-cia",
            "spo-loč-nosť",
            "ne-zá-vis-losť",
            "zod-po-ved-nosť",
            "par-la-ment",
            "mi-nis-ter",
            "od-bo-ry",
            "štraj-ky",
            "Slo-ven-sko",
            "rov-nosť",
            "prá-vo",
            "ško-la",
            "vzde-la-nie",
            "za-mest-nan-ci",
        ],
    ),
    (
        "hu",
        [
            "kor-mány",
            "mun-ká-sok",
            "sza-bad-ság",
            "szo-li-da-ri-tás",
            "for-ra-da-lom",
            "ál-lam-pol-gá-rok",
            "de-mok-rá-cia",
            "vá-lasz-tá-sok",
            "tár-sa-da-lom",
            "füg-get-len-ség",
            "fe-le-lős-ség",
            "or-szág-gyű-lés",
            "mi-nisz-ter",
            "szak-szer-ve-zet",
            "Ma-gyar-or-szág",
            "egyen-lő-ség",
            "is-ko-la",
            "ok-ta-tás",
            "mun-ka-nél-kü-li-ség",
            "köz-tár-sa-ság",
        ],
    ),
    (
        "tr",
        [
            "hü-kü-met",
            "iş-çi-ler",
            "öz-gür-lük",
            "da-ya-nış-ma",
            "dev-rim",
            "va-tan-daş-lar",
            "de-mok-ra-si",
            "se-çim-ler",
            "top-lum",
            "ba-ğım-sız-lık",
            "so-rum-lu-luk",
            "mec-lis",
            "ba-kan-lık",
            "sen-di-ka",
            "Tür-ki-ye",
            "eşit-lik",
            "okul-lar",
            "eği-tim",
            "cum-hu-ri-yet",
            "ar-ka-daş-lar",
        ],
    ),
    (
        "el",
        [
            "κυ-βέρ-νη-ση",
            "ερ-γά-τες",
            "ε-λευ-θε-ρί-α",
            "αλ-λη-λεγ-γύ-η",
            "ε-πα-νά-στα-ση",
            "πο-λί-τες",
            "δη-μο-κρα-τί-α",
            "ε-κλο-γές",
            "κοι-νω-νί-α",
            "α-νε-ξαρ-τη-σί-α",
            "ευ-θύ-νη",
            "υ-πουρ-γός",
            "συν-δι-κά-το",
            "α-περ-γί-α",
            "Ελ-λά-δα",
            "ι-σό-τη-τα",
            "σχο-λεί-ο",
            "εκ-παί-δευ-ση",
            "άν-θρω-πος",
            "Κοι-νο-βού-λι-ο",
        ],
    ),
    (
        "ru",
        [
            "пра-ви-тель-ство",
            "ра-бо-чие",
            "сво-бо-да",
            "со-ли-дар-ность",
            "ре-во-лю-ция",
            "граж-да-не",
            "де-мо-кра-тия",
            "вы-бо-ры",
            "об-ще-ство",
            "не=за-ви-си-мость",
            "от-вет-ствен-ность",
            "пар-ла-мент",
            "ми-нистр",
            "проф-со-ю-зы",
            "за-ба-стов-ка",
            "Рос-сия",
            "ра-вен-ство",
            "шко-ла",
            "об-ра-зо-ва-ние",
            "тру-дя-щи-е-ся",
        ],
    ),
    (
        "uk",
        [
            "уря-ду",
            "ро-бі-тни-ки",
            "сво-бо-да",
            "со-лі-дар-ність",
            "ре-во-лю-ці-я",
            "гро-ма-дя-ни",
            "де-мо-кра-ті-я",
            "ви-бо-ри",
            "су-спіль-ство",
            "не-за-ле-жність",
            "від-по-ві-даль-ність",
            "пар-ла-мент",
            "мі-ністр",
            "проф-спіл-ки",
            "страй-ки",
            "Укра-ї-на",
            "рів-ність",
            "шко-ла",
            "ос=ві-та",
            "пра-цю-ю-чі",
        ],
    ),
];

/// The breaks of a written word: the word without marks, then (offset, found) pairs.
fn parse(written: &str) -> (String, Vec<(usize, bool)>) {
    let mut word = String::new();
    let mut marks = Vec::new();
    for c in written.chars() {
        match c {
            '-' => marks.push((word.len(), true)),
            '=' => marks.push((word.len(), false)),
            _ => word.push(c),
        }
    }
    (word, marks)
}

/// Every break the patterns make is a correct one, and the ones they miss are documented.
#[test]
fn native_word_lists() {
    let mut report = String::new();
    for (tag, words) in WORDS {
        let h = Hyphenator::new(&Lang::of(tag), &[]).unwrap_or_else(|| panic!("{tag} has patterns"));
        for written in words {
            if let Some(wrong) = check(&h, written) {
                report.push_str(&format!("{tag}: {wrong}\n"));
            }
        }
    }
    assert!(report.is_empty(), "\n{report}");
}

/// The word with `-` at the breaks found.
fn show(word: &str, out: &[Break]) -> String {
    let mut s = String::new();
    let mut at = 0;
    for b in out {
        s.push_str(&word[at..b.offset]);
        s.push('-');
        at = b.offset;
    }
    s + &word[at..]
}

/// Every language `hypher` has patterns for is reached from its tags: the two-letter
/// code, the three-letter codes `Lang` reads as it, and the individual languages'.
#[test]
fn every_hypher_language_is_mapped() {
    let codes = [
        "af", "sq", "as", "be", "bn", "bg", "ca", "hr", "cs", "da", "nl", "en", "et", "fi", "fr", "gl", "ka", "de",
        "el", "gu", "hi", "hu", "is", "it", "kn", "ku", "la", "lt", "ml", "mr", "mn", "no", "nb", "nn", "or", "pa",
        "pl", "pt", "ru", "sa", "sr", "sk", "sl", "es", "sv", "ta", "te", "tr", "tk", "uk",
    ];
    for code in codes {
        let iso: [u8; 2] = code.as_bytes().try_into().unwrap();
        let lang = hypher::Lang::from_iso(iso).unwrap_or_else(|| panic!("hypher has {code}"));
        assert_eq!(hypher_lang(&Lang::of(code)), Some(lang), "{code}");
    }
    let aliases = [
        ("afr", "af"),
        ("asm", "as"),
        ("guj", "gu"),
        ("kan", "kn"),
        ("mal", "ml"),
        ("mar", "mr"),
        ("mon", "mn"),
        ("ori", "or"),
        ("pan", "pa"),
        ("san", "sa"),
        ("tam", "ta"),
        ("tel", "te"),
        ("tuk", "tk"),
        ("kmr", "ku"),
        ("ory", "or"),
        ("khk", "mn"),
        ("ekk", "et"),
        ("als", "sq"),
        ("sr-Latn", "hr"),
        ("sr-Latn-RS", "hr"),
        ("bs", "hr"),
        ("bos", "hr"),
        ("sh", "hr"),
        ("hbs", "hr"),
        ("gsw", "de"),
        ("sr-Cyrl", "sr"),
        ("nob", "no"),
    ];
    for (tag, code) in aliases {
        let lang = hypher::Lang::from_iso(code.as_bytes().try_into().unwrap()).unwrap();
        assert_eq!(hypher_lang(&Lang::of(tag)), Some(lang), "{tag}");
    }
    // Serbian in Latin letters is hyphenated (the Serbian patterns alone are Cyrillic).
    let mut out = Vec::new();
    Hyphenator::new(&Lang::of("sr-Latn"), &[]).unwrap().breaks("demokratija", &mut out);
    assert!(!out.is_empty());
    Hyphenator::new(&Lang::of("sr"), &[]).unwrap().breaks("демократија", &mut out);
    assert!(!out.is_empty());
}

/// Polytonic Greek: the opening of Pericles' funeral oration (Thucydides 2.35), by the
/// bundled hyph-utf8 patterns. Compounds divide after their prefix (`προσ-θέν-τα`), as
/// the patterns' author documents for Ancient Greek.
const PERICLES: [&str; 20] = [
    "ἐν-θά-δε",
    "εἰ-ρη-κό-των",
    "ἐ-παι-νοῦ-σι",
    "προσ-θέν-τα",
    "πο-λέ-μων",
    "θα-πτο-μέ-νοις",
    "ἀ-γο-ρεύ-ε-σθαι",
    "ἀρ-κοῦν",
    "ἐ-δό-κει",
    "ἀν-δρῶν",
    "ἀ-γα-θῶν",
    "γε-νο-μέ-νων",
    "δη-λοῦ-σθαι",
    "δη-μο-σί-ᾳ",
    "πα-ρα-σκευ-α-σθέν-τα",
    "ἀ-ρε-τὰς",
    "κιν-δυ-νεύ-ε-σθαι",
    "πι-στευ-θῆ-ναι",
    "πολ-λοὶ",
    "εἰ-πόν-τι",
];

/// The breaks of `written` that the limits allow, against what `h` finds.
fn check(h: &Hyphenator, written: &str) -> Option<String> {
    let (word, marks) = parse(written);
    let mut out = Vec::new();
    h.breaks(&word, &mut out);
    let letters = |a: usize, b: usize| word[a..b].chars().count();
    let allowed: Vec<usize> = marks
        .iter()
        .filter(|&&(o, found)| found && letters(0, o) >= LEFT_MIN && letters(o, word.len()) >= RIGHT_MIN)
        .map(|&(o, _)| o)
        .collect();
    let got: Vec<usize> = out.iter().map(|b| b.offset).collect();
    (got != allowed).then(|| format!("{written} gives {}", show(&word, &out)))
}

#[test]
fn polytonic_greek() {
    let grc = Hyphenator::new(&Lang::of("grc"), &[]).expect("grc has patterns");
    let wrong: Vec<String> = PERICLES.iter().filter_map(|w| check(&grc, w)).collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    let capitals = PERICLES[4].to_uppercase();
    assert!(check(&grc, &capitals).is_none(), "{capitals}");
    // Text tagged `el` with polytonic letters takes the polytonic Modern Greek patterns,
    // which keep `ντ` together (it begins Modern Greek words) and know no ancient prefixes.
    let el = Hyphenator::new(&Lang::of("el"), &[]).expect("el has patterns");
    for w in PERICLES {
        let modern = match w {
            "προσ-θέν-τα" => "προ-σθέ-ντα",
            "πα-ρα-σκευ-α-σθέν-τα" => "πα-ρα-σκευ=α-σθέ-ντα",
            w => w,
        };
        assert_eq!(check(&el, modern), None);
    }
    // Monotonic text tagged `el` keeps hypher's patterns.
    assert!(check(&el, "δη-μο-κρα-τί-α").is_none());
}
