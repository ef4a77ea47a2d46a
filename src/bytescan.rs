//! Runs of ASCII bytes of one class, found eight bytes at a time: the test of a byte is a
//! few bit operations, the same for eight as for one. The document stage reads most of a
//! book's text this way (typography, word counts), and the paragraph builder finds its
//! spaces so.

const BYTES: u64 = u64::from_ne_bytes([1; 8]);
const HIGH: u64 = BYTES * 0x80;

/// Bytes at the start of `bytes` from `!` to DEL: ASCII that is neither white space nor a
/// control character, most of a word.
pub(crate) fn printable_ascii_len(bytes: &[u8]) -> usize {
    // Per byte, in its high bit: below `!` (subtracting 0x21 borrows) or not ASCII (set
    // already). A borrow only runs on from a byte that is flagged anyway, so the first
    // flagged byte is exact.
    run_len(bytes, |x| ((x.wrapping_sub(BYTES * 0x21) & !x) | x) & HIGH, |b| (0x21..0x80).contains(&b))
}

/// Bytes at the start of `bytes` that are ASCII (whatever else may follow).
pub(crate) fn ascii_len(bytes: &[u8]) -> usize {
    run_len(bytes, |x| x & HIGH, |b| b < 0x80)
}

/// Bytes at the start of `bytes` that are not C0 control characters (below 0x20).
pub(crate) fn no_control_len(bytes: &[u8]) -> usize {
    // Per byte, in its high bit: below 0x20 (subtracting 0x20 borrows, and the byte had its
    // high bit clear). A borrow only runs on from a flagged byte, so the first is exact.
    run_len(bytes, |x| x.wrapping_sub(BYTES * 0x20) & !x & HIGH, |b| b >= 0x20)
}

/// Bytes at the start of `bytes` that are ASCII letters.
pub(crate) fn ascii_letters_len(bytes: &[u8]) -> usize {
    let others = |x: u64| {
        // Per byte, in its high bit: upper case folded to lower (`| 0x20`) and the high bit
        // cleared so that the sums below carry into no neighbour, a letter is at least `a`
        // (plus 0x1f reaches 0x80) and less than `{` (plus 0x05 does not), and was ASCII.
        let y = (x | (BYTES * 0x20)) & !HIGH;
        let letters = y.wrapping_add(BYTES * 0x1f) & !y.wrapping_add(BYTES * 0x05) & !x & HIGH;
        !letters & HIGH
    };
    run_len(bytes, others, |b| b.is_ascii_alphabetic())
}

/// Bytes at the start of `bytes` that cannot begin a space where a paragraph's words part:
/// not a space, tab or line feed, nor 0xC2 (the first byte of U+00A0, and of other
/// characters, which the caller tells apart).
pub(crate) fn wordlike_len(bytes: &[u8]) -> usize {
    // Per byte, in its high bit: equal to one of the four (a byte of `x ^ c` is zero). The
    // first zero byte is flagged exactly; a borrow can only flag bytes after it.
    let zero = |v: u64| v.wrapping_sub(BYTES) & !v & HIGH;
    let others = |x: u64| {
        zero(x ^ (BYTES * 0x20)) | zero(x ^ (BYTES * 0x09)) | zero(x ^ (BYTES * 0x0A)) | zero(x ^ (BYTES * 0xC2))
    };
    run_len(bytes, others, |b| !matches!(b, b' ' | b'\t' | b'\n' | 0xC2))
}

/// The run at the start of `bytes` whose bytes `one` accepts; `others` flags, in the high
/// bit of each byte of eight read as a little-endian word, the first byte `one` refuses
/// exactly (bits after it may be set or not).
#[inline(always)]
fn run_len(bytes: &[u8], others: impl Fn(u64) -> u64, one: impl Fn(u8) -> bool) -> usize {
    let mut n = 0;
    while let Some(chunk) = bytes[n..].first_chunk::<8>() {
        let flagged = others(u64::from_le_bytes(*chunk));
        if flagged != 0 {
            return n + (flagged.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + bytes[n..].iter().take_while(|&&b| one(b)).count()
}

/// Whether `text` may hold a right-to-left character or a directional control: a quick
/// test on the bytes, so that left-to-right paragraphs skip the algorithm. It may say yes
/// where there is none (some symbols share the lead bytes), never no where there is one.
pub(crate) fn may_have_rtl(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        i += ascii_len(&b[i..]);
        let Some(&c) = b.get(i) else { break };
        match c {
            // U+0590–U+07FF: Hebrew, Arabic, Syriac, Thaana, NKo; U+0800–U+08FF:
            // Samaritan, Mandaic, Arabic Extended.
            0xD6..=0xDF => return true,
            0xE0 if matches!(b.get(i + 1), Some(0xA0..=0xA3)) => return true,
            // U+200E/F marks, U+202A–E embeddings, U+2066–9 isolates.
            0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x8E | 0x8F | 0xAA..=0xAE)) => {
                return true
            }
            0xE2 if b.get(i + 1) == Some(&0x81) && matches!(b.get(i + 2), Some(0xA6..=0xA9)) => return true,
            // U+FB1D–U+FDFF and U+FE70–U+FEFF: presentation forms.
            0xEF if matches!(b.get(i + 1), Some(0xAC..=0xB7 | 0xB9..=0xBB)) => return true,
            // Supplementary planes: Adlam, Hanifi Rohingya, …, Arabic mathematics.
            0xF0 if b.get(i + 1) == Some(&0x90) || b.get(i + 1) == Some(&0x9E) => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scanner and the test of one byte it stands for.
    type Scan = (fn(&[u8]) -> usize, fn(u8) -> bool);

    #[test]
    fn runs_match_bytewise() {
        let scans: [Scan; 5] = [
            (ascii_len, |b| b < 0x80),
            (no_control_len, |b| b >= 0x20),
            (printable_ascii_len, |b| (0x21..0x80).contains(&b)),
            (ascii_letters_len, |b| b.is_ascii_alphabetic()),
            (wordlike_len, |b| !matches!(b, b' ' | b'\t' | b'\n' | 0xC2)),
        ];
        let word = *b"AbcdefghijklmnopqrstuvwxyZ";
        for (scan, one) in scans {
            // Every byte value at every place of a word, and every length around the eight.
            for len in 0..=word.len() {
                for at in 0..len {
                    for v in 0..=255u8 {
                        let mut buf = word;
                        buf[at] = v;
                        let bytewise = buf[..len].iter().take_while(|&&b| one(b)).count();
                        assert_eq!(scan(&buf[..len]), bytewise, "{v:#x} at {at} of {len}");
                    }
                }
            }
        }
    }
}
