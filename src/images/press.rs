//! Images made ready for the press: RGB to CMYK, transparency laid onto white paper, and
//! the effective resolution at the size printed with its limits.

use crate::diagnostics::{Diagnostic, Kind};

/// RGB samples as CMYK for PDF/X-1a, by complete grey-component replacement (K takes
/// the darkness all three share; C, M and Y only the colour): neutral greys and black
/// print in black ink alone. Without a profile this is approximate, which the build says.
pub(crate) fn rgb_to_cmyk(rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgb.len() / 3 * 4);
    for p in rgb.chunks_exact(3) {
        let max = p[0].max(p[1]).max(p[2]);
        let k = 255 - max;
        if max == 0 {
            out.extend_from_slice(&[0, 0, 0, 255]);
            continue;
        }
        let m = max as u32;
        for &c in p {
            out.push((((m - c as u32) * 255 + m / 2) / m) as u8);
        }
        out.push(k);
    }
    out
}

/// Samples with an alpha channel laid onto white paper (PDF/X-1a allows no soft masks).
pub(crate) fn flatten_on_white(samples: &mut [u8], alpha: &[u8], components: usize) {
    for (px, a) in samples.chunks_exact_mut(components).zip(alpha) {
        for c in px.iter_mut() {
            *c = ((*c as u32 * *a as u32 + 255 * (255 - *a as u32) + 127) / 255) as u8;
        }
    }
}

/// The effective resolution of `px` pixels placed across `pt` points: pixels per inch at
/// the size printed (the lesser of the two directions).
pub(crate) fn effective_ppi(px: (u32, u32), pt: (f32, f32)) -> f32 {
    let per_inch = |p: u32, len: f32| if len > 0.0 { p as f32 / (len / 72.0) } else { f32::INFINITY };
    per_inch(px.0, pt.0).min(per_inch(px.1, pt.1))
}

/// Print wants 300 ppi; under it an image looks soft (a warning), under 150 ppi it
/// looks blurred or blocky (an error, unless the book allows it).
pub(crate) fn resolution_problem(what: &str, ppi: f32, allow_low: bool) -> Option<Diagnostic> {
    let ppi_r = ppi.round();
    if ppi >= 299.5 {
        return None;
    }
    let hint = "use a larger image file (300 ppi at the printed size), or place it smaller";
    if ppi < 150.0 && !allow_low {
        return Some(
            Diagnostic::error(Kind::Content, format!("{what} prints at {ppi_r} ppi, under the 150 ppi print needs"))
                .with_hint(format!("{hint}; `allow_low_resolution = true` under [print] in the book file accepts it")),
        );
    }
    Some(Diagnostic::warning(Kind::Content, format!("{what} prints at {ppi_r} ppi; print wants 300")).with_hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::write::print::MM;

    #[test]
    fn rgb_becomes_cmyk_with_greys_in_black_alone() {
        assert_eq!(rgb_to_cmyk(&[0, 0, 0, 255, 255, 255, 128, 128, 128]), vec![0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 127]);
        assert_eq!(rgb_to_cmyk(&[255, 0, 0, 0, 0, 255]), vec![0, 255, 255, 0, 255, 255, 0, 0]);
        let mut px = vec![0u8, 0, 0, 200, 200, 200];
        flatten_on_white(&mut px, &[0, 255], 3);
        assert_eq!(px, vec![255, 255, 255, 200, 200, 200]);
    }

    #[test]
    fn resolution_at_the_printed_size() {
        // 1819 px across 154 mm (A5 and 3 mm bleed on each side): 300 ppi.
        assert!((effective_ppi((1819, 2552), (154.0 * MM, 216.0 * MM)) - 300.0).abs() < 0.5);
        assert!(effective_ppi((1819, 2551), (154.0 * MM, 216.0 * MM)) < 300.0);
        assert!(resolution_problem("the cover", 300.0, false).is_none());
        assert!(!resolution_problem("x", 200.0, false).unwrap().is_error());
        assert!(resolution_problem("x", 120.0, false).unwrap().is_error());
        assert!(!resolution_problem("x", 120.0, true).unwrap().is_error());
    }
}
