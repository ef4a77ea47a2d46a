//! Dates as speeches give them: a year, a month or a day (`2021`, `2021-12`, `2021-12-13`),
//! ISO 8601 years before year 1 (`-0430` is 431 BC: ISO counts a year 0, which is 1 BC),
//! or a text for what no calendar date fits (`um 430 v. Chr.`) with a calendar date to
//! sort it by. Compared and sorted by the earliest day they can mean.

use serde::{Serialize, Serializer};
use std::fmt;

/// A year, a month of a year, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// The ISO 8601 (astronomical) year: 0 is 1 BC, -430 is 431 BC.
    pub year: i32,
    /// 1 to 12, when given.
    pub month: Option<u8>,
    /// 1 to 31 (checked against the month), when given.
    pub day: Option<u8>,
}

impl PartialDate {
    /// Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, the year optionally with a sign (`-0430`,
    /// and `-430` as YAML hands over `date: -0430`); the error says what is wrong.
    pub fn parse(s: &str) -> Result<PartialDate, String> {
        let s = s.trim();
        let (sign, unsigned) = match s.as_bytes().first() {
            Some(b'-') => (-1, &s[1..]),
            Some(b'+') => (1, &s[1..]),
            _ => (0, s),
        };
        let parts: Vec<&str> = unsigned.split('-').collect();
        let num = |p: &str, len: usize, what: &str| -> Result<u32, String> {
            if p.len() != len || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("`{s}` is not a date: the {what} must have {len} digits"));
            }
            p.parse::<u32>().map_err(|_| format!("`{s}` is not a date"))
        };
        if unsigned.is_empty() || parts.len() > 3 {
            return Err(format!("`{s}` is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"));
        }
        let year = if sign == 0 {
            num(parts[0], 4, "year")? as i32
        } else {
            // A signed year is unambiguous with fewer digits: YAML reads `-0430` as -430.
            let digits = parts[0];
            if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("`{s}` is not a date: the year after the sign must have one to four digits"));
            }
            sign * digits.parse::<i32>().map_err(|_| format!("`{s}` is not a date"))?
        };
        let month = match parts.get(1) {
            Some(p) => {
                let m = num(p, 2, "month")?;
                if !(1..=12).contains(&m) {
                    return Err(format!("`{s}` is not a date: there is no month {m}"));
                }
                Some(m as u8)
            }
            None => None,
        };
        let day = match (parts.get(2), month) {
            (Some(p), Some(m)) => {
                let d = num(p, 2, "day")?;
                let max = days_in_month(year, m as u32);
                if d == 0 || d > max {
                    return Err(format!("`{s}` is not a date: month {m} of {year} has {max} days"));
                }
                Some(d as u8)
            }
            _ => None,
        };
        Ok(PartialDate { year, month, day })
    }

    /// The first day the date can mean, for ordering and `from` limits.
    pub fn earliest(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The last day the date can mean, for `to` limits.
    pub fn latest(&self) -> (i32, u8, u8) {
        let m = self.month.unwrap_or(12);
        let d = self.day.unwrap_or(days_in_month(self.year, m as u32) as u8);
        (self.year, m, d)
    }

    /// Whether HTML takes the date as a `datetime` (a valid date string needs a year after 0).
    pub fn is_html_date(&self) -> bool {
        self.year >= 1
    }
}

/// A speech's `date`: a calendar date, or a text (`um 430 v. Chr.`, `Frühjahr 1919`) shown
/// as written and placed in the order by its `sort_date`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpeechDate {
    /// A year, month or day of the calendar.
    Calendar(PartialDate),
    /// What no calendar date fits, shown as written, sorted by `sort`.
    Text {
        /// As the front matter writes it.
        text: String,
        /// The speech's `sort_date`.
        sort: PartialDate,
    },
}

impl SpeechDate {
    /// The calendar date the speech is sorted and selected by.
    pub fn sort_date(&self) -> &PartialDate {
        match self {
            SpeechDate::Calendar(d) | SpeechDate::Text { sort: d, .. } => d,
        }
    }

    /// The first day the date can mean (year, month, day).
    pub fn earliest(&self) -> (i32, u8, u8) {
        self.sort_date().earliest()
    }

    /// The last day the date can mean (year, month, day).
    pub fn latest(&self) -> (i32, u8, u8) {
        self.sort_date().latest()
    }
}

impl fmt::Display for SpeechDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpeechDate::Calendar(d) => d.fmt(f),
            SpeechDate::Text { text, .. } => f.write_str(text),
        }
    }
}

impl Serialize for SpeechDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // The proleptic Gregorian calendar, as ISO 8601 counts: year 0 and -4 are leap years.
        _ if (year.rem_euclid(4) == 0 && year.rem_euclid(100) != 0) || year.rem_euclid(400) == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.year < 0 {
            write!(f, "-{:04}", self.year.unsigned_abs())?;
        } else {
            write!(f, "{:04}", self.year)?;
        }
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        assert_eq!(PartialDate::parse("2021").unwrap().to_string(), "2021");
        assert_eq!(PartialDate::parse("2021-12").unwrap().to_string(), "2021-12");
        assert_eq!(PartialDate::parse("2021-12-13").unwrap().to_string(), "2021-12-13");
        assert_eq!(PartialDate::parse("2024-02-29").unwrap().day, Some(29));
    }

    #[test]
    fn years_before_one_are_iso_8601_extended() {
        let d = PartialDate::parse("-0430").unwrap();
        assert_eq!((d.year, d.to_string()), (-430, "-0430".to_string()));
        // YAML reads `date: -0430` as the number -430.
        assert_eq!(PartialDate::parse("-430").unwrap(), d);
        assert_eq!(PartialDate::parse("-0043-03-15").unwrap().earliest(), (-43, 3, 15));
        assert_eq!(PartialDate::parse("+1848").unwrap().to_string(), "1848");
        // Year 0 is 1 BC, a leap year in the proleptic Gregorian calendar, as is -4 (5 BC).
        assert_eq!(PartialDate::parse("0000-02-29").unwrap().year, 0);
        assert_eq!(PartialDate::parse("-0004-02").unwrap().latest(), (-4, 2, 29));
        assert!(PartialDate::parse("-0001-02-29").unwrap_err().contains("28 days"));
        assert!(PartialDate::parse("-0430") < PartialDate::parse("-0044"));
        assert!(PartialDate::parse("-12345").unwrap_err().contains("one to four digits"));
        assert!(PartialDate::parse("-").is_err());
        assert!(!d.is_html_date());
        assert!(PartialDate::parse("0001").unwrap().is_html_date());
    }

    #[test]
    fn text_dates_sort_by_their_sort_date() {
        let sort = PartialDate::parse("-0430").unwrap();
        let t = SpeechDate::Text { text: "um 430 v. Chr.".into(), sort };
        let c = SpeechDate::Calendar(PartialDate::parse("-0044-03-15").unwrap());
        assert_eq!(t.to_string(), "um 430 v. Chr.");
        assert_eq!(t.earliest(), (-430, 1, 1));
        assert_eq!(t.latest(), (-430, 12, 31));
        assert!(t.earliest() < c.earliest());
        assert_eq!(c.to_string(), "-0044-03-15");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"um 430 v. Chr.\"");
    }

    #[test]
    fn rejects_impossible_dates_with_reason() {
        assert!(PartialDate::parse("2023-02-29").unwrap_err().contains("28 days"));
        assert!(PartialDate::parse("2021-13").unwrap_err().contains("no month 13"));
        assert!(PartialDate::parse("13.12.2021").unwrap_err().contains("digits"));
        assert!(PartialDate::parse("21-12-13").unwrap_err().contains("year"));
        assert!(PartialDate::parse("2021-1-5").is_err());
        assert!(PartialDate::parse("").is_err());
        assert!(PartialDate::parse("2021-12-13-1").is_err());
    }

    #[test]
    fn ranges_of_partial_dates() {
        let y = PartialDate::parse("2020").unwrap();
        assert_eq!(y.earliest(), (2020, 1, 1));
        assert_eq!(y.latest(), (2020, 12, 31));
        assert_eq!(PartialDate::parse("2020-02").unwrap().latest(), (2020, 2, 29));
    }
}
