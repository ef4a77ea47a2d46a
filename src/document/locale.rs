//! Words and date forms per language, shared by both renderers so the EPUB and the PDF
//! say the same: `13. Dezember 2021`, `December 13, 2021`, `13 décembre 2021`,
//! `13 декабря 2021 г.`. Unknown languages fall back to English.

use super::model::ChapterKind;
use crate::lang::Lang;
use crate::library::PartialDate;

pub(crate) struct Strings {
    pub introduction: &'static str,
    pub afterword: &'static str,
    pub contents: &'static str,
    // No renderer heads its notes with this word yet.
    #[allow(dead_code)]
    pub notes: &'static str,
    /// Heads the part of a footnote carried over to the next page; `{}` is its number.
    pub note_continued: &'static str,
    pub source: &'static str,
    pub translated_by: &'static str,
    /// The book's cover (a page and the start of its image's alt text).
    pub cover: &'static str,
    pub title_page: &'static str,
    /// The copyright page, with rights, ISBN, fonts and imprint.
    pub copyright: &'static str,
    /// The heading of the EPUB's list of landmarks (cover, contents, start of the text).
    pub landmarks: &'static str,
    /// Where the main text begins (the EPUB `bodymatter` landmark).
    pub start: &'static str,
    /// Before the editors' names on the title page.
    pub edited_by: &'static str,
    /// Joins the last two names of a list.
    pub and: &'static str,
    /// Before an identifier that is not an ISBN.
    pub identifier: &'static str,
    pub fonts: &'static str,
    pub font_licences: &'static str,
    /// `{}` is the program's name and version.
    pub made_with: &'static str,
    /// The accessible name of a footnote's link back to where it is called.
    pub back_to_text: &'static str,
    /// Sentences of the EPUB's accessibility summary.
    pub a11y_summary: &'static str,
    pub a11y_images_described: &'static str,
    pub a11y_images_undescribed: &'static str,
    pub a11y_footnotes: &'static str,
    pub a11y_conforms: &'static str,
    /// Month names as they stand after a day number (genitive where the language has one).
    months_day: [&'static str; 12],
    /// Month names as they stand alone with a year.
    months: [&'static str; 12],
    style: DateStyle,
}

#[derive(Clone, Copy)]
enum DateStyle {
    /// 13. Dezember 2021
    German,
    /// December 13, 2021
    English,
    /// 13 décembre 2021
    French,
    /// 13 декабря 2021 г.
    Russian,
    /// 2021 жылғы 13 желтоқсан
    Kazakh,
}

impl Strings {
    pub(crate) fn matter_title(&self, kind: ChapterKind) -> &'static str {
        match kind {
            ChapterKind::Afterword => self.afterword,
            _ => self.introduction,
        }
    }

    /// Names joined as a reader says them: `A`, `A und B`, `A, B und C`.
    pub(crate) fn list(&self, names: &[String]) -> String {
        match names {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} {} {last}", rest.join(", "), self.and),
        }
    }

    /// The date written out in this language; a year alone stays a year.
    pub(crate) fn date(&self, d: &PartialDate) -> String {
        let y = d.year;
        let Some(m) = d.month else { return y.to_string() };
        let mi = (m as usize).clamp(1, 12) - 1;
        match (d.day, self.style) {
            (None, DateStyle::Russian) => format!("{} {y}\u{a0}г.", self.months[mi]),
            (None, DateStyle::Kazakh) => format!("{y} жылғы {}", self.months[mi]),
            (None, _) => format!("{} {y}", self.months[mi]),
            (Some(day), DateStyle::German) => format!("{day}.\u{a0}{} {y}", self.months_day[mi]),
            (Some(day), DateStyle::English) => format!("{}\u{a0}{day}, {y}", self.months_day[mi]),
            (Some(day), DateStyle::French) => {
                let day = if day == 1 { "1er".to_string() } else { day.to_string() };
                format!("{day}\u{a0}{} {y}", self.months_day[mi])
            }
            (Some(day), DateStyle::Russian) => format!("{day}\u{a0}{} {y}\u{a0}г.", self.months_day[mi]),
            (Some(day), DateStyle::Kazakh) => format!("{y} жылғы {day}\u{a0}{}", self.months_day[mi]),
        }
    }
}

const DE_MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const KK_MONTHS: [&str; 12] = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
];

static DE: Strings = Strings {
    introduction: "Einleitung",
    afterword: "Nachwort",
    contents: "Inhalt",
    notes: "Anmerkungen",
    note_continued: "Fortsetzung der Anmerkung {}",
    source: "Quelle",
    translated_by: "Übersetzung",
    cover: "Umschlag",
    title_page: "Titelseite",
    copyright: "Impressum",
    landmarks: "Orientierungspunkte",
    start: "Textbeginn",
    edited_by: "Herausgegeben von",
    and: "und",
    identifier: "Kennung",
    fonts: "Schriften",
    font_licences: "Lizenzen der Schriften",
    made_with: "Erstellt mit {}",
    back_to_text: "Zurück zum Text",
    a11y_summary: "Dieses E-Book hat ein Inhaltsverzeichnis, Überschriften und Orientierungspunkte zur Navigation und eine logische Lesereihenfolge; die Sprache jedes Textes ist ausgezeichnet. Schrift, Schriftgröße und Farben lassen sich im Lesesystem einstellen.",
    a11y_images_described: "Alle Abbildungen haben einen Alternativtext.",
    a11y_images_undescribed: "Nicht alle Abbildungen haben einen Alternativtext.",
    a11y_footnotes: "Fußnoten sind in beide Richtungen mit dem Text verlinkt.",
    a11y_conforms: "Es erfüllt EPUB Accessibility 1.1 nach WCAG 2.1 Stufe AA.",
    months_day: DE_MONTHS,
    months: DE_MONTHS,
    style: DateStyle::German,
};
static EN: Strings = Strings {
    introduction: "Introduction",
    afterword: "Afterword",
    contents: "Contents",
    notes: "Notes",
    note_continued: "Note {}, continued",
    source: "Source",
    translated_by: "Translated by",
    cover: "Cover",
    title_page: "Title page",
    copyright: "Copyright",
    landmarks: "Landmarks",
    start: "Start of text",
    edited_by: "Edited by",
    and: "and",
    identifier: "Identifier",
    fonts: "Fonts",
    font_licences: "Font licences",
    made_with: "Made with {}",
    back_to_text: "Back to the text",
    a11y_summary: "This e-book has a table of contents, headings and landmarks for navigation and a logical reading order; the language of every text is marked. Font, text size and colours can be changed in the reading system.",
    a11y_images_described: "All images have alternative text.",
    a11y_images_undescribed: "Not all images have alternative text.",
    a11y_footnotes: "Footnotes are linked to and from the text.",
    a11y_conforms: "It meets EPUB Accessibility 1.1 at WCAG 2.1 Level AA.",
    months_day: EN_MONTHS,
    months: EN_MONTHS,
    style: DateStyle::English,
};
static FR: Strings = Strings {
    introduction: "Introduction",
    afterword: "Postface",
    contents: "Table des matières",
    notes: "Notes",
    note_continued: "Suite de la note {}",
    source: "Source",
    translated_by: "Traduction",
    cover: "Couverture",
    title_page: "Page de titre",
    copyright: "Mentions légales",
    landmarks: "Repères",
    start: "Début du texte",
    edited_by: "Sous la direction de",
    and: "et",
    identifier: "Identifiant",
    fonts: "Polices",
    font_licences: "Licences des polices",
    made_with: "Réalisé avec {}",
    back_to_text: "Retour au texte",
    a11y_summary: "Ce livre numérique comporte une table des matières, des titres et des repères pour la navigation ainsi qu’un ordre de lecture logique ; la langue de chaque texte est indiquée. La police, la taille du texte et les couleurs peuvent être modifiées dans le système de lecture.",
    a11y_images_described: "Toutes les images ont un texte alternatif.",
    a11y_images_undescribed: "Certaines images n’ont pas de texte alternatif.",
    a11y_footnotes: "Les notes sont liées au texte dans les deux sens.",
    a11y_conforms: "Il est conforme à EPUB Accessibility 1.1, niveau AA des WCAG 2.1.",
    months_day: FR_MONTHS,
    months: FR_MONTHS,
    style: DateStyle::French,
};
static RU: Strings = Strings {
    introduction: "Введение",
    afterword: "Послесловие",
    contents: "Содержание",
    notes: "Примечания",
    note_continued: "Продолжение примечания {}",
    source: "Источник",
    translated_by: "Перевод",
    cover: "Обложка",
    title_page: "Титульный лист",
    copyright: "Выходные данные",
    landmarks: "Ориентиры",
    start: "Начало текста",
    edited_by: "Под редакцией",
    and: "и",
    identifier: "Идентификатор",
    fonts: "Шрифты",
    font_licences: "Лицензии шрифтов",
    made_with: "Сделано с помощью {}",
    back_to_text: "Назад к тексту",
    a11y_summary: "В этой электронной книге есть оглавление, заголовки и ориентиры для навигации и логичный порядок чтения; язык каждого текста размечен. Шрифт, размер текста и цвета можно изменить в программе для чтения.",
    a11y_images_described: "У всех изображений есть текстовое описание.",
    a11y_images_undescribed: "Не у всех изображений есть текстовое описание.",
    a11y_footnotes: "Сноски связаны с текстом в обе стороны.",
    a11y_conforms: "Она соответствует EPUB Accessibility 1.1 на уровне AA WCAG 2.1.",
    months_day: [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    months: [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ],
    style: DateStyle::Russian,
};
static KK: Strings = Strings {
    introduction: "Кіріспе",
    afterword: "Соңғы сөз",
    contents: "Мазмұны",
    notes: "Ескертпелер",
    note_continued: "{}-ескертпенің жалғасы",
    source: "Дереккөз",
    translated_by: "Аударған",
    cover: "Мұқаба",
    title_page: "Титул беті",
    copyright: "Шығу деректері",
    landmarks: "Бағдарлар",
    start: "Мәтіннің басы",
    edited_by: "Құрастырған",
    and: "және",
    identifier: "Идентификатор",
    fonts: "Қаріптер",
    font_licences: "Қаріп лицензиялары",
    made_with: "{} арқылы жасалған",
    back_to_text: "Мәтінге оралу",
    a11y_summary: "Бұл электрондық кітапта мазмұн, навигацияға арналған тақырыптар мен бағдарлар және логикалық оқу реті бар; әр мәтіннің тілі белгіленген. Қаріпті, мәтін өлшемін және түстерді оқу бағдарламасында өзгертуге болады.",
    a11y_images_described: "Барлық суреттердің мәтіндік сипаттамасы бар.",
    a11y_images_undescribed: "Кейбір суреттердің мәтіндік сипаттамасы жоқ.",
    a11y_footnotes: "Ескертпелер мәтінмен екі жақты байланысқан.",
    a11y_conforms: "Ол WCAG 2.1 AA деңгейіндегі EPUB Accessibility 1.1 талаптарына сәйкес келеді.",
    months_day: KK_MONTHS,
    months: KK_MONTHS,
    style: DateStyle::Kazakh,
};

/// The strings of a language (by its primary subtag).
pub(crate) fn strings(lang: &Lang) -> &'static Strings {
    match lang.language() {
        "de" => &DE,
        "fr" => &FR,
        "ru" => &RU,
        "kk" => &KK,
        _ => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(tag: &str) -> &'static Strings {
        strings(&Lang::parse(tag).unwrap().0)
    }

    fn d(s: &str) -> PartialDate {
        PartialDate::parse(s).unwrap()
    }

    #[test]
    fn dates_per_language() {
        assert_eq!(of("de").date(&d("2021-12-13")), "13.\u{a0}Dezember 2021");
        assert_eq!(of("en").date(&d("2021-12-13")), "December\u{a0}13, 2021");
        assert_eq!(of("fr").date(&d("2021-12-13")), "13\u{a0}décembre 2021");
        assert_eq!(of("fr").date(&d("2021-12-01")), "1er\u{a0}décembre 2021");
        assert_eq!(of("ru").date(&d("2021-12-13")), "13\u{a0}декабря 2021\u{a0}г.");
        assert_eq!(of("ru").date(&d("2021-12")), "декабрь 2021\u{a0}г.");
        assert_eq!(of("kk").date(&d("2021-12-13")), "2021 жылғы 13\u{a0}желтоқсан");
        assert_eq!(of("de-CH").date(&d("2021-05")), "Mai 2021");
        assert_eq!(of("tr").date(&d("2021")), "2021");
        // Three-letter codes and any case are read as the language they name.
        assert_eq!(of("deu").date(&d("2021-12-13")), "13.\u{a0}Dezember 2021");
        assert_eq!(of("RUS-ru").date(&d("2021-12")), "декабрь 2021\u{a0}г.");
    }

    #[test]
    fn names_are_listed_with_and() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(of("de").list(&names(&["A"])), "A");
        assert_eq!(of("de").list(&names(&["A", "B"])), "A und B");
        assert_eq!(of("en").list(&names(&["A", "B", "C"])), "A, B and C");
        assert_eq!(of("ru").list(&[]), "");
    }
}
