//! Exact (de)serialisation of money: decimals are written as strings and read from strings or
//! integers. A JSON or TOML float is refused, because it would have passed through binary floating
//! point before reaching the decimal.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// Writes a decimal as a string without trailing zeros (`"0.3"`), as [`text`] does.
pub(crate) fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&text(value))
}

/// A decimal as exact text without trailing zeros or an exponent: `0.3`, `12`, `-0.000015`; `0` for
/// zero. What `value.normalize().to_string()` gives, at a fraction of the cost and without allocating:
/// the digits of the mantissa are written once, and the scale places the point among them.
///
/// ```
/// use aether_core::pricing::{Decimal, money_text};
///
/// assert_eq!(money_text(&Decimal::new(300, 3)).as_str(), "0.3");
/// assert_eq!(money_text(&Decimal::new(-15, 6)).as_str(), "-0.000015");
/// assert_eq!(money_text(&Decimal::new(1200, 2)).to_string(), "12");
/// ```
pub fn text(value: &Decimal) -> MoneyText {
    let mut out = MoneyText { bytes: [0; MoneyText::CAPACITY], len: 0 };
    if value.is_zero() {
        out.push(b"0"); // most components of most costs
        return out;
    }
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(value.mantissa().unsigned_abs()).as_bytes();
    let scale = value.scale() as usize;
    // The digits before the point (none when the scale covers them all), and those after it, which
    // start with zeros when the scale exceeds the digits.
    let (whole, fraction) = digits.split_at(digits.len().saturating_sub(scale));
    let leading_zeros = scale.saturating_sub(digits.len());
    let fraction = &fraction[..fraction.iter().rposition(|&digit| digit != b'0').map_or(0, |last| last + 1)];
    if value.is_sign_negative() {
        out.push(b"-");
    }
    out.push(if whole.is_empty() { b"0" } else { whole });
    if !fraction.is_empty() {
        out.push(b".");
        for _ in 0..leading_zeros {
            out.push(b"0");
        }
        out.push(fraction);
    }
    out
}

/// A decimal written by [`text`] (`money_text`), held on the stack.
#[derive(Clone, Copy)]
pub struct MoneyText {
    bytes: [u8; MoneyText::CAPACITY],
    len: usize,
}

impl MoneyText {
    /// The longest text: a sign, then 29 digits, or a point and 28 decimals after a zero.
    const CAPACITY: usize = 32;

    /// The text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default() // ASCII only
    }

    fn push(&mut self, ascii: &[u8]) {
        self.bytes[self.len..self.len + ascii.len()].copy_from_slice(ascii);
        self.len += ascii.len();
    }
}

impl std::ops::Deref for MoneyText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for MoneyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for MoneyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// Reads a decimal from a string or an integer; refuses floats.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(DecimalVisitor)
}

/// The same, for an optional decimal (`None` when absent or `null`).
pub(crate) mod option {
    use super::*;

    /// Writes `Some` as a string, `None` as null.
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads a string, an integer or null.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        deserializer.deserialize_option(OptionVisitor)
    }

    struct OptionVisitor;

    impl<'de> Visitor<'de> for OptionVisitor {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal as a string (\"0.30\") or an integer, or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            super::deserialize(deserializer).map(Some)
        }
    }
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal as a string (\"0.30\") or an integer")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str_exact(v.trim()).map_err(|e| E::custom(format!("invalid decimal `{v}`: {e}")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Err(E::custom(format!("money must be exact: write {v} as a string (\"{v}\"), not as a float")))
    }
}

/// A decimal literal, for tests.
#[cfg(test)]
pub(crate) fn dec(s: &str) -> Decimal {
    s.parse().expect("a valid decimal literal")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::text;

    proptest! {
        #[test]
        fn text_is_the_normalised_decimal_as_rust_decimal_writes_it(
            lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), negative: bool, scale in 0u32..=28,
            zeros in 0usize..3,
        ) {
            // Small mantissas and trailing zeros too, not only 96-bit ones.
            let [lo, mid, hi] = [[lo, mid, hi], [lo, 0, 0], [lo % 1000 * 1000, 0, 0]][zeros];
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(text(&value).to_string(), value.normalize().to_string());
        }
    }
}
