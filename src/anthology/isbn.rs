//! ISBN-10 and ISBN-13: form and check digit.

/// The ISBN's digits (ISBN-10 may end in X) when valid; otherwise what is wrong.
pub(crate) fn validate(isbn: &str) -> Result<String, String> {
    let digits: String = isbn.chars().filter(|c| !matches!(c, '-' | ' ' | '\u{2010}' | '\u{2011}')).collect();
    let digits = digits.strip_prefix("ISBN").unwrap_or(&digits).trim_start_matches(':').to_uppercase();
    match digits.len() {
        10 => {
            let (body, last) = digits.split_at(9);
            if !body.chars().all(|c| c.is_ascii_digit()) || !last.chars().all(|c| c.is_ascii_digit() || c == 'X') {
                return Err(format!(
                    "`{isbn}` is not an ISBN: an ISBN-10 has nine digits and a check digit (0-9 or X)"
                ));
            }
            let sum: u32 = body.bytes().enumerate().map(|(i, b)| (10 - i as u32) * (b - b'0') as u32).sum();
            let check = (11 - sum % 11) % 11;
            let want = if check == 10 { 'X' } else { char::from(b'0' + check as u8) };
            if last.starts_with(want) {
                Ok(digits)
            } else {
                Err(format!("the ISBN `{isbn}` has a wrong check digit: it should end in {want}"))
            }
        }
        13 => {
            if !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("`{isbn}` is not an ISBN: an ISBN-13 has thirteen digits"));
            }
            if !(digits.starts_with("978") || digits.starts_with("979")) {
                return Err(format!("`{isbn}` is not an ISBN: an ISBN-13 begins with 978 or 979"));
            }
            let want = check13(&digits[..12]);
            if digits.ends_with(want) {
                Ok(digits)
            } else {
                Err(format!("the ISBN `{isbn}` has a wrong check digit: it should end in {want}"))
            }
        }
        n => Err(format!("`{isbn}` is not an ISBN: it has {n} digits, an ISBN has 10 or 13")),
    }
}

/// An ISBN as written, for showing: without an `ISBN` prefix, hyphens kept, spaces made
/// hyphens (a valid ISBN, see [`validate`]).
pub(crate) fn shown(isbn: &str) -> String {
    let t = isbn.trim();
    let t = t.strip_prefix("ISBN").unwrap_or(t).trim_start_matches([':', ' ']);
    t.split_whitespace().collect::<Vec<_>>().join("-").replace(['\u{2010}', '\u{2011}'], "-")
}

/// The EAN-13 check digit of twelve digits.
pub(crate) fn check13(twelve: &str) -> char {
    let sum: u32 = twelve.bytes().enumerate().map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 }).sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_isbns() {
        assert_eq!(validate("978-3-16-148410-0").unwrap(), "9783161484100");
        assert_eq!(validate("ISBN 978-0-306-40615-7").unwrap(), "9780306406157");
        assert_eq!(validate("0-306-40615-2").unwrap(), "0306406152");
        assert_eq!(validate("0-8044-2957-X").unwrap(), "080442957X");
        assert_eq!(validate("080442957x").unwrap(), "080442957X");
    }

    #[test]
    fn isbns_are_shown_as_written() {
        assert_eq!(shown("ISBN 978-3-16-148410-0"), "978-3-16-148410-0");
        assert_eq!(shown("ISBN: 978 3 16 148410 0"), "978-3-16-148410-0");
        assert_eq!(shown("9783161484100"), "9783161484100");
    }

    #[test]
    fn invalid_isbns_say_why() {
        assert!(validate("978-3-16-148410-1").unwrap_err().contains("should end in 0"));
        assert!(validate("0-306-40615-3").unwrap_err().contains("should end in 2"));
        assert!(validate("12345").unwrap_err().contains("5 digits"));
        assert!(validate("977-3-16-148410-0").unwrap_err().contains("978 or 979"));
        assert!(validate("97831614841O0").unwrap_err().contains("thirteen digits"));
    }
}
