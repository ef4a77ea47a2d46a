//! EAN-13, the barcode of an ISBN on a book's back cover: the thirteen digits encoded as
//! 95 modules of bars and spaces, drawn as vector rectangles (sharp at any resolution).

/// The three codings of a digit (L, G and R), seven modules each, 1 for a bar.
const L: [&str; 10] =
    ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"];
const G: [&str; 10] =
    ["0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"];
const R: [&str; 10] =
    ["1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000", "1110100"];
/// Which of L and G codes each of the left six digits, chosen by the first digit.
const PARITY: [&str; 10] =
    ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"];

/// The barcode's digits for an ISBN (as `anthology::isbn::validate` gives it): an ISBN-13
/// as it is, an ISBN-10 as 978 + its first nine digits + a new check digit.
pub(crate) fn ean13_digits(isbn: &str) -> Option<String> {
    let twelve = match isbn.len() {
        13 => isbn[..12].to_string(),
        10 => format!("978{}", &isbn[..9]),
        _ => return None,
    };
    if !twelve.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let check = crate::anthology::isbn::check13(&twelve);
    Some(format!("{twelve}{check}"))
}

/// The 95 modules of an EAN-13 (true for a bar): start guard, six left digits, centre
/// guard, six right digits, end guard. `digits` are thirteen ASCII digits.
pub(crate) fn modules(digits: &str) -> Option<Vec<bool>> {
    let d: Vec<usize> = digits.bytes().map(|b| b.wrapping_sub(b'0') as usize).collect();
    if d.len() != 13 || d.iter().any(|v| *v > 9) {
        return None;
    }
    let mut s = String::with_capacity(95);
    s.push_str("101");
    for (i, digit) in d[1..7].iter().enumerate() {
        s.push_str(if PARITY[d[0]].as_bytes()[i] == b'L' { L[*digit] } else { G[*digit] });
    }
    s.push_str("01010");
    for digit in &d[7..13] {
        s.push_str(R[*digit]);
    }
    s.push_str("101");
    Some(s.bytes().map(|b| b == b'1').collect())
}

/// Bars as (first module, width in modules), and whether each is a guard bar (guards
/// run longer, down between the digits).
pub(crate) fn bars(modules: &[bool]) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < modules.len() {
        if modules[i] {
            let start = i;
            while i < modules.len() && modules[i] {
                i += 1;
            }
            let guard = start < 3 || (45..50).contains(&start) || start >= 92;
            out.push((start, i - start, guard));
        } else {
            i += 1;
        }
    }
    out
}

/// Read the digits back from modules (the inverse of [`modules`]): the test that the
/// drawn bars say what the ISBN says.
pub fn decode(m: &[bool]) -> Option<String> {
    if m.len() != 95 {
        return None;
    }
    let code =
        |range: std::ops::Range<usize>| -> String { m[range].iter().map(|b| if *b { '1' } else { '0' }).collect() };
    if code(0..3) != "101" || code(45..50) != "01010" || code(92..95) != "101" {
        return None;
    }
    let mut digits = String::new();
    let mut parity = String::new();
    for i in 0..6 {
        let c = code(3 + i * 7..10 + i * 7);
        if let Some(v) = L.iter().position(|x| *x == c) {
            parity.push('L');
            digits.push(char::from(b'0' + v as u8));
        } else {
            let v = G.iter().position(|x| *x == c)?;
            parity.push('G');
            digits.push(char::from(b'0' + v as u8));
        }
    }
    for i in 0..6 {
        let c = code(50 + i * 7..57 + i * 7);
        let v = R.iter().position(|x| *x == c)?;
        digits.push(char::from(b'0' + v as u8));
    }
    let first = PARITY.iter().position(|p| *p == parity)?;
    Some(format!("{first}{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_digits_and_check_digit() {
        assert_eq!(ean13_digits("9783949831072").as_deref(), Some("9783949831072"));
        // ISBN-10 0-306-40615-2 is ISBN-13 978-0-306-40615-7.
        assert_eq!(ean13_digits("0306406152").as_deref(), Some("9780306406157"));
        assert_eq!(ean13_digits("080442957X").as_deref(), Some("9780804429573"));
        assert_eq!(ean13_digits("12"), None);
    }

    #[test]
    fn known_code_and_round_trip() {
        // 4006381333931: the first digit 4 gives the parity LGLLGG, so the second digit
        // (0) is coded in L as 0001101, right after the start guard 101.
        let m = modules("4006381333931").unwrap();
        assert_eq!(m.len(), 95);
        let s: String = m.iter().map(|b| if *b { '1' } else { '0' }).collect();
        assert!(s.starts_with("1010001101"), "{s}");
        assert!(s.ends_with("101"));
        for code in ["4006381333931", "9783949831072", "9780306406157", "0000000000000"] {
            assert_eq!(decode(&modules(code).unwrap()).as_deref(), Some(code));
        }
        assert_eq!(modules("978394983107"), None);
        let b = bars(&m);
        assert_eq!(b.iter().filter(|(_, _, g)| *g).count(), 6);
        // Every bar and space is one to four modules wide.
        assert!(b.iter().all(|(_, w, _)| (1..=4).contains(w)));
    }
}
