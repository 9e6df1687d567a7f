//! [`Timestamp`]: wall-clock time in milliseconds since the Unix epoch (UTC), with the calendar
//! arithmetic that prices and budgets need. aether-core has no clock: callers pass the time in, so
//! every decision is deterministic and the same on every replica.

use std::fmt;
use std::ops::Add;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const MS_PER_DAY: u64 = 86_400_000;

/// A point in time, in milliseconds since the Unix epoch (UTC).
///
/// It serialises as RFC 3339 (`2025-06-01T00:00:00Z`, with `.mmm` when there are milliseconds) and
/// deserialises from Unix seconds, a date (`2025-06-01`, midnight UTC) or RFC 3339 in UTC.
///
/// ```
/// use aether_core::Timestamp;
///
/// let t: Timestamp = "2025-06-01".parse()?;
/// assert_eq!(t, Timestamp::from_secs(1_748_736_000));
/// assert_eq!(t.to_string(), "2025-06-01T00:00:00Z");
/// assert_eq!(t.month(), 2025 * 12 + 5);
/// # Ok::<(), aether_core::time::ParseTimestampError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub u64);

/// A text that is not a timestamp this module reads.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a timestamp: write Unix seconds, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`")]
pub struct ParseTimestampError(pub String);

impl Timestamp {
    /// The timestamp `secs` seconds after the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Timestamp(secs.saturating_mul(1000))
    }

    /// The timestamp of a system time (the epoch for times before it).
    pub fn from_system_time(time: SystemTime) -> Self {
        let millis = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Timestamp(u64::try_from(millis).unwrap_or(u64::MAX))
    }

    /// Whole seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    /// How long after `earlier` this is (zero if it is not later).
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// Midnight UTC at the start of a calendar date, if the date exists and is not before the epoch.
    pub fn from_date(year: i64, month: u32, day: u32) -> Option<Self> {
        let days = days_from_civil(year, month, day);
        let days = u64::try_from(days).ok()?;
        (civil_from_days(days) == (year, month, day)).then_some(Timestamp(days * MS_PER_DAY))
    }

    /// The calendar date (year, month, day) in UTC.
    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days(self.0 / MS_PER_DAY)
    }

    /// Midnight UTC at the start of this timestamp's day.
    pub const fn start_of_day(self) -> Self {
        Timestamp(self.0 - self.0 % MS_PER_DAY)
    }

    /// The UTC calendar month as one number, `year * 12 + month - 1`: consecutive months differ by one.
    pub fn month(self) -> u32 {
        let (year, month, _) = self.date();
        u32::try_from(year * 12 + i64::from(month) - 1).unwrap_or(u32::MAX)
    }
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;

    fn add(self, duration: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, with milliseconds when there are any: `2026-11-27T21:33:52Z`,
    /// `2026-11-27T21:33:52.250Z`. Written digit by digit into a buffer (every usage record's cost
    /// carries one), save for years past 9999.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.date();
        let ms = self.0 % MS_PER_DAY;
        let secs = ms / 1000;
        let (h, m, s, millis) = (secs / 3600, secs / 60 % 60, secs % 60, ms % 1000);
        let year = match u64::try_from(year) {
            Ok(year) if year <= 9999 => year,
            _ => {
                write!(f, "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}")?;
                return if millis == 0 { f.write_str("Z") } else { write!(f, ".{millis:03}Z") };
            }
        };
        let mut text = *b"0000-00-00T00:00:00.000Z";
        for (at, width, value) in [
            (0, 4, year),
            (5, 2, month.into()),
            (8, 2, day.into()),
            (11, 2, h),
            (14, 2, m),
            (17, 2, s),
            (20, 3, millis),
        ] {
            let mut value = value;
            for digit in text[at..at + width].iter_mut().rev() {
                *digit = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        let text = std::str::from_utf8(&text).map_err(|_| fmt::Error)?;
        match millis {
            0 => f.write_str(&text[..19]).and_then(|()| f.write_str("Z")),
            _ => f.write_str(text),
        }
    }
}

impl FromStr for Timestamp {
    type Err = ParseTimestampError;

    /// Parses Unix seconds, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.mmm]Z`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || ParseTimestampError(s.to_owned());
        if let Ok(secs) = s.parse::<u64>() {
            return Ok(Timestamp::from_secs(secs));
        }
        let (date, time) = match s.split_once(['T', 't']) {
            Some((date, time)) => (date, Some(time.strip_suffix(['Z', 'z']).ok_or_else(invalid)?)),
            None => (s, None),
        };
        let [year, month, day] = fields(date, '-', [4, 2, 2]).ok_or_else(invalid)?;
        let midnight = Timestamp::from_date(year as i64, month as u32, day as u32).ok_or_else(invalid)?;
        let Some(time) = time else { return Ok(midnight) };
        let (time, millis) = match time.split_once('.') {
            Some((time, fraction)) if fraction.len() == 3 && fraction.bytes().all(|b| b.is_ascii_digit()) => {
                (time, fraction.parse::<u64>().map_err(|_| invalid())?)
            }
            Some(_) => return Err(invalid()),
            None => (time, 0),
        };
        let [h, m, sec] = fields(time, ':', [2, 2, 2]).ok_or_else(invalid)?;
        if h > 23 || m > 59 || sec > 59 {
            return Err(invalid());
        }
        Ok(Timestamp(midnight.0 + (h * 3600 + m * 60 + sec) * 1000 + millis))
    }
}

/// Splits `s` on `sep` into exactly three all-digit fields of the given widths.
fn fields(s: &str, sep: char, widths: [usize; 3]) -> Option<[u64; 3]> {
    let mut out = [0; 3];
    let mut parts = s.split(sep);
    for (slot, width) in out.iter_mut().zip(widths) {
        let part = parts.next()?;
        if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (i64, u32, u32) {
    let days = days as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Unix seconds, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                u64::try_from(v)
                    .map(Timestamp::from_secs)
                    .map_err(|_| E::custom(format!("timestamp {v} is before 1970")))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp::from_secs(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                v.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_any(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_parse_to_unix_milliseconds() {
        assert_eq!("1970-01-01".parse(), Ok(Timestamp(0)));
        assert_eq!("2024-02-29T12:30:05Z".parse(), Ok(Timestamp::from_secs(1_709_209_805)));
        assert_eq!("2024-02-29T12:30:05.250Z".parse(), Ok(Timestamp(1_709_209_805_250)));
        assert_eq!("1709209805".parse(), Ok(Timestamp::from_secs(1_709_209_805)));
    }

    #[test]
    fn impossible_dates_and_other_shapes_are_rejected() {
        for bad in [
            "2023-02-29",
            "2025-13-01",
            "2025-6-01",
            "2025-06-01T24:00:00Z",
            "2025-06-01T10:00:00",
            "2025-06-01T10:00:00.5Z",
            "1969-12-31",
            "",
        ] {
            assert_eq!(bad.parse::<Timestamp>(), Err(ParseTimestampError(bad.into())), "{bad}");
        }
    }

    #[test]
    fn display_writes_rfc3339_with_milliseconds_when_there_are_any() {
        let t = Timestamp::from_date(2026, 11, 27).expect("a date") + Duration::from_millis(77_632_050);
        assert_eq!(t.to_string(), "2026-11-27T21:33:52.050Z");
        assert_eq!(Timestamp::from_secs(1_748_736_007).to_string(), "2025-06-01T00:00:07Z");
        let far = Timestamp::from_date(12_026, 1, 2).expect("a date") + Duration::from_millis(3_723_004);
        assert_eq!(far.to_string(), "12026-01-02T01:02:03.004Z");
    }

    #[test]
    fn display_round_trips_through_parse() {
        for ms in [0, 951_782_400_000, 1_709_209_805_000, 1_709_209_805_007, 4_102_444_799_000] {
            let t = Timestamp(ms);
            assert_eq!(t.to_string().parse(), Ok(t), "{t}");
        }
    }

    #[test]
    fn months_are_consecutive_numbers() {
        let january = Timestamp::from_date(2026, 1, 31).expect("a date");
        let february = Timestamp::from_date(2026, 2, 1).expect("a date");
        assert_eq!(february.month(), january.month() + 1);
        let december = Timestamp::from_date(2025, 12, 31).expect("a date");
        assert_eq!(january.month(), december.month() + 1);
    }

    #[test]
    fn serde_accepts_numbers_and_strings_and_writes_rfc3339() {
        let t: Timestamp = serde_json::from_str("1748736000").expect("seconds");
        assert_eq!(t, serde_json::from_str(r#""2025-06-01""#).expect("date"));
        assert_eq!(serde_json::to_string(&t).expect("serialises"), r#""2025-06-01T00:00:00Z""#);
        assert!(serde_json::from_str::<Timestamp>("-1").is_err());
    }
}
