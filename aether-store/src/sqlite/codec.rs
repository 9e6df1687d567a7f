//! Conversions between the domain types and their columns.

use aether_core::WireFormat;
use aether_core::catalogue::{Limits, ProviderId};
use aether_core::pricing::Decimal;
use aether_core::schedule::{Capabilities, Restrictions};
use aether_core::store::StoreError;
use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// A backend error: unique and foreign key violations say what they are, the rest is the backend's.
pub(crate) fn db(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error {
        match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => return StoreError::Conflict(db.message().to_owned()),
            sqlx::error::ErrorKind::ForeignKeyViolation => {
                return StoreError::Invalid(format!("a referenced row does not exist ({})", db.message()));
            }
            _ => {}
        }
    }
    StoreError::Backend(Box::new(error))
}

/// Splits `rows` into runs of at most `max` rows (a power of two), each a power of two long, so that a
/// multi-row `INSERT` takes one of a few shapes: each is prepared once and cached, not parsed per batch.
///
/// 300 rows with `max` 256 go as runs of 256, 32, 8 and 4.
pub(crate) fn runs<T>(rows: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        let len = max.min(rest.len().checked_ilog2().map(|log| 1 << log)?);
        let (run, after) = rest.split_at(len);
        rest = after;
        Some(run)
    })
}

/// The text of a multi-row `INSERT INTO {table} ({columns})` of `rows` rows, then `tail`. Values are
/// bound in order, row by row: no query builder formats a placeholder per value.
pub(crate) fn insert_sql(table: &str, columns: &str, rows: usize, tail: &str) -> String {
    let row = format!("({})", vec!["?"; columns.split(',').count()].join(", "));
    let mut sql = format!("INSERT INTO {table} ({columns}) VALUES {row}");
    for _ in 1..rows {
        sql.push_str(", ");
        sql.push_str(&row);
    }
    sql.push_str(tail);
    sql
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// A `u64` as a signed column; above `i64::MAX` it cannot be stored.
pub(crate) fn int(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Invalid(format!("{value} is too large to store")))
}

/// An optional `u64` column.
pub(crate) fn opt_int(value: Option<u64>) -> Result<Option<i64>, StoreError> {
    value.map(int).transpose()
}

/// A signed column back to `u64`.
pub(crate) fn uint(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(format!("negative count {value}")))
}

/// An optional signed column back to `u64`.
pub(crate) fn opt_uint(value: Option<i64>) -> Result<Option<u64>, StoreError> {
    value.map(uint).transpose()
}

/// A signed column back to a narrower unsigned integer.
pub(crate) fn opt_narrow<T: TryFrom<i64>>(value: Option<i64>) -> Result<Option<T>, StoreError> {
    value.map(|v| T::try_from(v).map_err(|_| corrupt(format!("{v} is out of range")))).transpose()
}

pub(crate) fn parse_format(name: &str) -> Result<WireFormat, StoreError> {
    WireFormat::ALL
        .into_iter()
        .find(|format| format.as_str() == name)
        .ok_or_else(|| corrupt(format!("unknown wire format `{name}`")))
}

pub(crate) fn parse_decimal(text: &str) -> Result<Decimal, StoreError> {
    Decimal::from_str_exact(text).map_err(|e| corrupt(format!("decimal `{text}`: {e}")))
}

pub(crate) fn json_text(value: &Value) -> String {
    value.to_string()
}

pub(crate) fn parse_json(text: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("JSON column: {e}")))
}

/// The three allow-list columns of [`Restrictions`] (NULL: no restriction of that kind).
pub(crate) struct RestrictionColumns {
    pub(crate) providers: Option<String>,
    pub(crate) models: Option<String>,
    pub(crate) formats: Option<String>,
}

impl RestrictionColumns {
    pub(crate) fn from_restrictions(r: &Restrictions) -> Self {
        let list = |values: Option<Vec<Value>>| values.map(|v| json_text(&Value::Array(v)));
        RestrictionColumns {
            providers: list(r.providers.as_ref().map(|p| p.iter().map(|id| id.0.into()).collect())),
            models: list(r.models.as_ref().map(|m| m.iter().map(|name| name.as_str().into()).collect())),
            formats: list(r.formats.as_ref().map(|f| f.iter().map(|f| f.as_str().into()).collect())),
        }
    }

    pub(crate) fn into_restrictions(self) -> Result<Restrictions, StoreError> {
        fn list<T>(
            text: Option<String>,
            item: impl Fn(&Value) -> Result<T, StoreError>,
        ) -> Result<Option<Vec<T>>, StoreError> {
            let Some(text) = text else { return Ok(None) };
            let Value::Array(values) = parse_json(&text)? else {
                return Err(corrupt("an allow-list is not an array"));
            };
            values.iter().map(item).collect::<Result<_, _>>().map(Some)
        }
        let str_of = |v: &Value| v.as_str().map(str::to_owned).ok_or_else(|| corrupt("not a string"));
        Ok(Restrictions {
            providers: list(self.providers, |v| {
                v.as_u64().map(ProviderId).ok_or_else(|| corrupt("not a provider id"))
            })?,
            models: list(self.models, str_of)?,
            formats: list(self.formats, |v| parse_format(&str_of(v)?))?,
        })
    }
}

/// Per-model capabilities as `[["model", bits], …]`.
pub(crate) fn capabilities_json(list: &[(String, Capabilities)]) -> String {
    let pairs =
        list.iter().map(|(model, caps)| Value::from(vec![Value::from(model.as_str()), caps.bits().into()]));
    json_text(&Value::Array(pairs.collect()))
}

pub(crate) fn parse_capabilities(text: &str) -> Result<Vec<(String, Capabilities)>, StoreError> {
    let Value::Array(pairs) = parse_json(text)? else { return Err(corrupt("capabilities are not an array")) };
    pairs
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(model), bits]) => {
                let bits =
                    bits.as_u64().and_then(|b| u32::try_from(b).ok()).ok_or_else(|| corrupt("bits"))?;
                Ok((model.clone(), Capabilities::from_bits(bits)))
            }
            _ => Err(corrupt("a capability pair is malformed")),
        })
        .collect()
}

/// A capability set column back to the set.
pub(crate) fn capabilities(bits: i64) -> Result<Capabilities, StoreError> {
    u32::try_from(bits).map(Capabilities::from_bits).map_err(|_| corrupt(format!("capability bits {bits}")))
}

/// The `rpm`, `tpm` and `max_concurrency` columns of a row.
pub(crate) fn limits(row: &SqliteRow) -> Result<Limits, StoreError> {
    Ok(Limits {
        rpm: opt_narrow(row.try_get("rpm").map_err(db)?)?,
        tpm: opt_uint(row.try_get("tpm").map_err(db)?)?,
        max_concurrency: opt_narrow(row.try_get("max_concurrency").map_err(db)?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::{insert_sql, runs};

    #[test]
    fn an_insert_has_a_placeholder_per_column_and_row() {
        assert_eq!(
            insert_sql("t", "a, b", 3, " ON CONFLICT DO NOTHING"),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?) ON CONFLICT DO NOTHING"
        );
    }

    #[test]
    fn runs_are_powers_of_two_that_cover_every_row_in_order() {
        for len in 0..700 {
            let rows: Vec<usize> = (0..len).collect();
            let split: Vec<&[usize]> = runs(&rows, 256).collect();
            assert!(split.iter().all(|run| run.len().is_power_of_two() && run.len() <= 256), "{len}");
            assert_eq!(split.concat(), rows);
        }
        let lengths: Vec<usize> = runs(&[0; 300], 256).map(<[_]>::len).collect();
        assert_eq!(lengths, [256, 32, 8, 4]);
    }
}
