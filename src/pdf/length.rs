//! Lengths with their unit: [`Pt`], a PostScript point (1/72 inch), the unit of every
//! page length in layout and on its pages. A bare `f32` does not become a `Pt` by itself:
//! it is made with [`Pt::new`] and read with [`Pt::get`], so a type size, a factor or a
//! count cannot be added to a length by mistake. The arithmetic is the `f32` arithmetic
//! underneath, operation for operation (the same expression gives the same bits, so the
//! output does not change with the type).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

/// A length in points (1/72 inch).
#[derive(Clone, Copy, Default, PartialEq, PartialOrd)]
#[repr(transparent)]
pub struct Pt(f32);

impl Pt {
    /// No length.
    pub const ZERO: Pt = Pt(0.0);

    /// `v` points.
    #[inline]
    pub const fn new(v: f32) -> Pt {
        Pt(v)
    }

    /// The number of points.
    #[inline]
    pub const fn get(self) -> f32 {
        self.0
    }

    /// The shorter of the two.
    #[inline]
    #[must_use]
    pub fn min(self, other: Pt) -> Pt {
        Pt(self.0.min(other.0))
    }

    /// The longer of the two.
    #[inline]
    #[must_use]
    pub fn max(self, other: Pt) -> Pt {
        Pt(self.0.max(other.0))
    }

    /// The length without its sign.
    #[inline]
    #[must_use]
    pub fn abs(self) -> Pt {
        Pt(self.0.abs())
    }
}

impl fmt::Debug for Pt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}pt", self.0)
    }
}

impl Add for Pt {
    type Output = Pt;
    #[inline]
    fn add(self, o: Pt) -> Pt {
        Pt(self.0 + o.0)
    }
}

impl Sub for Pt {
    type Output = Pt;
    #[inline]
    fn sub(self, o: Pt) -> Pt {
        Pt(self.0 - o.0)
    }
}

impl Neg for Pt {
    type Output = Pt;
    #[inline]
    fn neg(self) -> Pt {
        Pt(-self.0)
    }
}

impl AddAssign for Pt {
    #[inline]
    fn add_assign(&mut self, o: Pt) {
        self.0 += o.0;
    }
}

impl SubAssign for Pt {
    #[inline]
    fn sub_assign(&mut self, o: Pt) {
        self.0 -= o.0;
    }
}

/// A length scaled by a factor.
impl Mul<f32> for Pt {
    type Output = Pt;
    #[inline]
    fn mul(self, k: f32) -> Pt {
        Pt(self.0 * k)
    }
}

/// A factor times a length.
impl Mul<Pt> for f32 {
    type Output = Pt;
    #[inline]
    fn mul(self, l: Pt) -> Pt {
        Pt(self * l.0)
    }
}

/// A length divided by a factor.
impl Div<f32> for Pt {
    type Output = Pt;
    #[inline]
    fn div(self, k: f32) -> Pt {
        Pt(self.0 / k)
    }
}

/// The ratio of two lengths.
impl Div for Pt {
    type Output = f32;
    #[inline]
    fn div(self, o: Pt) -> f32 {
        self.0 / o.0
    }
}

impl Sum for Pt {
    fn sum<I: Iterator<Item = Pt>>(iter: I) -> Pt {
        // Added from 0.0 in order, as `f32`'s own `sum` does.
        Pt(iter.map(|p| p.0).sum())
    }
}

impl<'a> Sum<&'a Pt> for Pt {
    fn sum<I: Iterator<Item = &'a Pt>>(iter: I) -> Pt {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::Pt;

    #[test]
    fn arithmetic_is_that_of_f32() {
        let (a, b) = (Pt::new(841.89), Pt::new(56.7));
        assert_eq!((a - b).get(), 841.89f32 - 56.7f32);
        assert_eq!((a + b * 0.85).get(), 841.89f32 + 56.7f32 * 0.85);
        assert_eq!((2.0 * b).get(), 2.0 * 56.7f32);
        assert_eq!((-b).get(), -56.7f32);
        assert_eq!(a / b, 841.89f32 / 56.7f32);
        assert_eq!((a / 2.0).get(), 841.89f32 / 2.0);
        assert_eq!(a.min(b), b);
        assert_eq!(a.max(b), a);
        assert_eq!((b - a).abs(), a - b);
        assert!(b < a);
        let s: Pt = [a, b, b].iter().sum();
        assert_eq!(s.get(), [841.89f32, 56.7, 56.7].iter().sum::<f32>());
        let mut c = a;
        c += b;
        c -= b;
        assert_eq!(c.get(), 841.89f32 + 56.7 - 56.7);
    }

    #[test]
    fn debug_shows_the_unit() {
        assert_eq!(format!("{:?}", Pt::new(12.5)), "12.5pt");
        assert_eq!(format!("{:?}", Pt::ZERO), "0.0pt");
    }
}
