//! Lengths as a style writes them: `20mm`, `1.5cm`, `10pt`, `0.5in`, `1pc`, or `1em`
//! (relative to the type size).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Length {
    pub(crate) value: f64,
    pub(crate) unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Pt,
    Mm,
    Cm,
    In,
    Pc,
    Em,
}

impl Length {
    pub(crate) const fn pt(v: f64) -> Length {
        Length { value: v, unit: Unit::Pt }
    }
    pub(crate) const fn mm(v: f64) -> Length {
        Length { value: v, unit: Unit::Mm }
    }
    pub(crate) const fn em(v: f64) -> Length {
        Length { value: v, unit: Unit::Em }
    }

    pub(crate) fn parse(s: &str) -> Result<Length, String> {
        let s = s.trim();
        let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
        let (num, unit) = s.split_at(split);
        let value: f64 = num.trim().parse().map_err(|_| format!("`{s}` is not a length such as 20mm, 10pt or 1em"))?;
        if !value.is_finite() || value < 0.0 {
            return Err(format!("`{s}` is not a length: it must be zero or more"));
        }
        let unit = match unit.trim() {
            "pt" => Unit::Pt,
            "mm" => Unit::Mm,
            "cm" => Unit::Cm,
            "in" => Unit::In,
            "pc" => Unit::Pc,
            "em" => Unit::Em,
            "" if value == 0.0 => Unit::Pt,
            u => return Err(format!("`{s}`: unknown unit `{u}`; use mm, cm, in, pt, pc or em")),
        };
        Ok(Length { value, unit })
    }

    /// In points, when the length does not depend on the type size.
    pub(crate) fn absolute_pt(&self) -> Option<f64> {
        Some(match self.unit {
            Unit::Pt => self.value,
            Unit::Mm => self.value * 72.0 / 25.4,
            Unit::Cm => self.value * 720.0 / 25.4,
            Unit::In => self.value * 72.0,
            Unit::Pc => self.value * 12.0,
            Unit::Em => return None,
        })
    }

    /// In points, with `em` relative to `size` (points).
    pub(crate) fn to_pt(self, size: f64) -> f64 {
        self.absolute_pt().unwrap_or(self.value * size)
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = match self.unit {
            Unit::Pt => "pt",
            Unit::Mm => "mm",
            Unit::Cm => "cm",
            Unit::In => "in",
            Unit::Pc => "pc",
            Unit::Em => "em",
        };
        write!(f, "{}{u}", self.value)
    }
}

impl Serialize for Length {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Length::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(Length::parse("20mm").unwrap(), Length::mm(20.0));
        assert_eq!(Length::parse("1.5 em").unwrap(), Length::em(1.5));
        assert!((Length::parse("1in").unwrap().to_pt(10.0) - 72.0).abs() < 1e-9);
        assert!((Length::parse("2.54cm").unwrap().to_pt(10.0) - 72.0).abs() < 1e-9);
        assert_eq!(Length::parse("1em").unwrap().to_pt(10.0), 10.0);
        assert_eq!(Length::parse("0").unwrap(), Length::pt(0.0));
        assert!(Length::parse("12").is_err());
        assert!(Length::parse("12px").unwrap_err().contains("unknown unit"));
        assert!(Length::parse("-1mm").is_err());
    }
}
