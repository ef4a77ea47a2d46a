//! Words and date forms per language, shared by both renderers so the EPUB and the PDF
//! say the same: `13. Dezember 2021`, `December 13, 2021`, `13 décembre 2021`,
//! `13 декабря 2021 г.`. Unknown languages fall back to English.

use super::model::ChapterKind;
use crate::library::PartialDate;

pub struct Strings {
    pub introduction: &'static str,
    pub afterword: &'static str,
    pub contents: &'static str,
    pub notes: &'static str,
    pub source: &'static str,
    pub translated_by: &'static str,
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
    pub fn matter_title(&self, kind: ChapterKind) -> &'static str {
        match kind {
            ChapterKind::Afterword => self.afterword,
            _ => self.introduction,
        }
    }

    /// The date written out in this language; a year alone stays a year.
    pub fn date(&self, d: &PartialDate) -> String {
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
    source: "Quelle",
    translated_by: "Übersetzung",
    months_day: DE_MONTHS,
    months: DE_MONTHS,
    style: DateStyle::German,
};
static EN: Strings = Strings {
    introduction: "Introduction",
    afterword: "Afterword",
    contents: "Contents",
    notes: "Notes",
    source: "Source",
    translated_by: "Translated by",
    months_day: EN_MONTHS,
    months: EN_MONTHS,
    style: DateStyle::English,
};
static FR: Strings = Strings {
    introduction: "Introduction",
    afterword: "Postface",
    contents: "Table des matières",
    notes: "Notes",
    source: "Source",
    translated_by: "Traduction",
    months_day: FR_MONTHS,
    months: FR_MONTHS,
    style: DateStyle::French,
};
static RU: Strings = Strings {
    introduction: "Введение",
    afterword: "Послесловие",
    contents: "Содержание",
    notes: "Примечания",
    source: "Источник",
    translated_by: "Перевод",
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
    source: "Дереккөз",
    translated_by: "Аударған",
    months_day: KK_MONTHS,
    months: KK_MONTHS,
    style: DateStyle::Kazakh,
};

/// The strings of a language (by its primary subtag).
pub fn strings(lang: &str) -> &'static Strings {
    match lang.split('-').next().unwrap_or("") {
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

    fn d(s: &str) -> PartialDate {
        PartialDate::parse(s).unwrap()
    }

    #[test]
    fn dates_per_language() {
        assert_eq!(strings("de").date(&d("2021-12-13")), "13.\u{a0}Dezember 2021");
        assert_eq!(strings("en").date(&d("2021-12-13")), "December\u{a0}13, 2021");
        assert_eq!(strings("fr").date(&d("2021-12-13")), "13\u{a0}décembre 2021");
        assert_eq!(strings("fr").date(&d("2021-12-01")), "1er\u{a0}décembre 2021");
        assert_eq!(strings("ru").date(&d("2021-12-13")), "13\u{a0}декабря 2021\u{a0}г.");
        assert_eq!(strings("ru").date(&d("2021-12")), "декабрь 2021\u{a0}г.");
        assert_eq!(strings("kk").date(&d("2021-12-13")), "2021 жылғы 13\u{a0}желтоқсан");
        assert_eq!(strings("de-CH").date(&d("2021-05")), "Mai 2021");
        assert_eq!(strings("tr").date(&d("2021")), "2021");
    }
}
