//! The maps that every request reads: std's `HashMap` with foldhash's hasher, seeded per process,
//! which hashes the small keys kept here (ids, scopes, model names) several times faster than the
//! default SipHash.

/// A `HashMap` hashed with foldhash.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
