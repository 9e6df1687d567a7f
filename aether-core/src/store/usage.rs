//! Usage records: one per request, appended in batches, queried by user, key and time.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use async_trait::async_trait;

use super::error::lock;
use super::{StoreError, UserId};
use crate::catalogue::ClientKeyId;
use crate::estimate::EstimatedUsage;
use crate::pricing::Charge;
use crate::schedule::Target;
use crate::{Timestamp, WireFormat};

/// A request's id: a UUID (v7, so ids sort by time), as its 128 bits.
///
/// ```
/// use aether_core::store::RequestId;
///
/// let id: RequestId = "0199b3c4-7e2a-7d3e-8f00-0123456789ab".parse()?;
/// assert_eq!(id.to_string(), "0199b3c4-7e2a-7d3e-8f00-0123456789ab");
/// # Ok::<(), aether_core::store::StoreError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u128);

/// Where the hyphens of the `8-4-4-4-12` form are.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

impl RequestId {
    /// The hyphenated form in lowercase hex, on the stack.
    ///
    /// ```
    /// use aether_core::store::RequestId;
    ///
    /// let id = RequestId(0x0199b3c4_7e2a_7d3e_8f00_0123456789ab);
    /// assert_eq!(id.hyphenated().as_str(), "0199b3c4-7e2a-7d3e-8f00-0123456789ab");
    /// ```
    pub fn hyphenated(self) -> Hyphenated {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [b'-'; 36];
        let mut at = 0;
        for value in self.0.to_be_bytes() {
            at += usize::from(HYPHENS.contains(&at));
            text[at] = HEX[usize::from(value >> 4)];
            text[at + 1] = HEX[usize::from(value & 0xF)];
            at += 2;
        }
        Hyphenated(text)
    }
}

/// A [`RequestId`] written out, from [`RequestId::hyphenated`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hyphenated([u8; 36]);

impl Hyphenated {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits and hyphens are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hyphenated().as_str())
    }
}

impl FromStr for RequestId {
    type Err = StoreError;

    /// Reads the hyphenated form (`8-4-4-4-12` hex digits).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || StoreError::Invalid(format!("`{s}` is not a UUID"));
        let text = s.as_bytes();
        if text.len() != 36 || HYPHENS.iter().any(|&at| text[at] != b'-') {
            return Err(invalid());
        }
        let mut digits = text.iter().enumerate().filter(|(at, _)| !HYPHENS.contains(at));
        let id = digits
            .try_fold(0u128, |id, (_, &digit)| Some(id << 4 | u128::from(char::from(digit).to_digit(16)?)));
        id.map(RequestId).ok_or_else(invalid)
    }
}

/// What one request used and cost.
#[derive(Clone, Debug, PartialEq)]
pub struct UsageRecord {
    /// The request's id (unique: appending it again changes nothing).
    pub request_id: RequestId,
    /// When the request arrived.
    pub at: Timestamp,
    /// The user of the client key, if it has one.
    pub user: Option<UserId>,
    /// The client key, if the request authenticated.
    pub client_key: Option<ClientKeyId>,
    /// The candidate that answered last (`None`: no upstream was reached).
    pub target: Option<Target>,
    /// The client's format.
    pub client_format: WireFormat,
    /// The upstream's format, if one was reached.
    pub upstream_format: Option<WireFormat>,
    /// The model as requested.
    pub model: String,
    /// The model's name upstream, if one was reached.
    pub upstream_model: Option<String>,
    /// Tokens, and whether they are estimated.
    pub usage: EstimatedUsage,
    /// List and actual cost, or unpriced.
    pub charge: Charge,
    /// The status the client got (499: it went away).
    pub status: u16,
    /// The error's kind, for failures.
    pub error_kind: Option<String>,
    /// From arrival to the last byte, in milliseconds.
    pub latency_ms: u64,
    /// From arrival to the first body byte, in milliseconds.
    pub first_byte_ms: Option<u64>,
    /// Whether the response was streamed.
    pub stream: bool,
}

/// Where a page of usage records ends: pass it back to read the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsageCursor {
    /// The last record's time.
    pub at: Timestamp,
    /// The last record's id.
    pub request_id: RequestId,
}

impl UsageCursor {
    /// The cursor just past `record`.
    pub fn after(record: &UsageRecord) -> Self {
        UsageCursor { at: record.at, request_id: record.request_id }
    }
}

/// Which usage records to read: newest first, every filter optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageQuery {
    /// Only this user's.
    pub user: Option<UserId>,
    /// Only this key's.
    pub client_key: Option<ClientKeyId>,
    /// At or after this time.
    pub from: Option<Timestamp>,
    /// Before this time.
    pub until: Option<Timestamp>,
    /// Continue after this record (from the previous page).
    pub after: Option<UsageCursor>,
    /// The most records to return.
    pub limit: u32,
}

impl Default for UsageQuery {
    fn default() -> Self {
        UsageQuery { user: None, client_key: None, from: None, until: None, after: None, limit: 100 }
    }
}

impl UsageQuery {
    /// Whether `record` passes the filters and comes after the cursor (newest first).
    pub fn matches(&self, record: &UsageRecord) -> bool {
        self.user.is_none_or(|user| record.user == Some(user))
            && self.client_key.is_none_or(|key| record.client_key == Some(key))
            && self.from.is_none_or(|from| record.at >= from)
            && self.until.is_none_or(|until| record.at < until)
            && self.after.is_none_or(|after| UsageCursor::after(record) < after)
    }
}

/// One page of usage records, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UsagePage {
    /// The records.
    pub records: Vec<UsageRecord>,
    /// Where the next page starts, if there is one.
    pub next: Option<UsageCursor>,
}

impl UsagePage {
    /// A page from up to `limit + 1` records read newest first: the extra one only says there is more.
    pub fn from_overfetch(mut records: Vec<UsageRecord>, limit: u32) -> Self {
        let limit = limit as usize;
        let more = records.len() > limit;
        records.truncate(limit);
        let next = more.then(|| records.last().map(UsageCursor::after)).flatten();
        UsagePage { records, next }
    }
}

/// Where usage records go, and how the admin and user APIs read them.
///
/// Appends come from a batch writer, off the request path.
#[async_trait]
pub trait UsageSink: Send + Sync {
    /// Appends records at once (one transaction where the backend has them); a request id already
    /// stored is skipped, so a batch may be retried. A durable backend that also implements
    /// [`Accounts`](super::Accounts) adds each new record's list cost to its key's and its user's
    /// `spent` in the same transaction, so spend survives restarts and is never charged twice.
    async fn append(&self, records: &[UsageRecord]) -> Result<(), StoreError>;
    /// A page of the records `query` selects, newest first.
    async fn query(&self, query: &UsageQuery) -> Result<UsagePage, StoreError>;
}

/// [`UsageSink`] in memory, for tests and embedding.
#[derive(Debug, Default)]
pub struct InMemoryUsage {
    state: Mutex<UsageState>,
}

#[derive(Debug, Default)]
struct UsageState {
    records: BTreeMap<UsageCursor, UsageRecord>,
    ids: HashSet<RequestId>,
}

#[async_trait]
impl UsageSink for InMemoryUsage {
    async fn append(&self, records: &[UsageRecord]) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        for record in records {
            if state.ids.insert(record.request_id) {
                state.records.insert(UsageCursor::after(record), record.clone());
            }
        }
        Ok(())
    }

    async fn query(&self, query: &UsageQuery) -> Result<UsagePage, StoreError> {
        let state = lock(&self.state);
        let records = state.records.values().rev().filter(|record| query.matches(record));
        let records = records.take(query.limit as usize + 1).cloned().collect();
        Ok(UsagePage::from_overfetch(records, query.limit))
    }
}

#[cfg(test)]
mod tests {
    use super::RequestId;

    #[test]
    fn a_request_id_reads_back_what_it_writes() {
        for id in [0, 1, u128::MAX, 0x0199b3c4_7e2a_7d3e_8f00_0123456789ab] {
            let text = RequestId(id).to_string();
            assert_eq!(text.parse::<RequestId>().ok(), Some(RequestId(id)), "{text}");
        }
        assert_eq!(RequestId(1).to_string(), "00000000-0000-0000-0000-000000000001");
    }

    #[test]
    fn a_request_id_must_be_a_hyphenated_uuid() {
        for text in [
            "",
            "0199b3c47e2a7d3e8f000123456789ab",
            "0199b3c4-7e2a-7d3e-8f00-0123456789a",
            "0199b3c4-7e2a-7d3e-8f000-123456789ab",
            "0199b3c4-7e2a-7d3e-8f00-0123456789ag",
            "+199b3c4-7e2a-7d3e-8f00-0123456789ab",
            "0199b3c4-7e2a-7d3e-8f00-0123456789é",
        ] {
            assert!(text.parse::<RequestId>().is_err(), "{text}");
        }
    }
}
