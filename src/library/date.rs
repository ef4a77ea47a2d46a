//! Dates as speeches give them: a year, a month or a day (`2021`, `2021-12`, `2021-12-13`),
//! compared and sorted by the earliest day they can mean, and written out per language.

use serde::{Serialize, Serializer};
use std::fmt;

/// A date as precise as its source gives it: a year, a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub(crate) year: u16,
    pub(crate) month: Option<u8>,
    pub(crate) day: Option<u8>,
}

impl PartialDate {
    /// Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; the error says what is wrong.
    pub(crate) fn parse(s: &str) -> Result<PartialDate, String> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize, what: &str| -> Result<u32, String> {
            if p.len() != len || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("`{s}` is not a date: the {what} must have {len} digits"));
            }
            p.parse::<u32>().map_err(|_| format!("`{s}` is not a date"))
        };
        if parts.is_empty() || parts.len() > 3 {
            return Err(format!("`{s}` is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"));
        }
        let year = num(parts[0], 4, "year")?;
        if year == 0 {
            return Err(format!("`{s}` is not a date: there is no year 0"));
        }
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
        Ok(PartialDate { year: year as u16, month, day })
    }

    /// The first day the date can mean, for ordering and `from` limits.
    pub(crate) fn earliest(&self) -> (u16, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The last day the date can mean, for `to` limits.
    pub(crate) fn latest(&self) -> (u16, u8, u8) {
        let m = self.month.unwrap_or(12);
        let d = self.day.unwrap_or(days_in_month(self.year as u32, m as u32) as u8);
        (self.year, m, d)
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        _ => 28,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
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
