//! The stable tie-break: weighted rendezvous hashing of (client key, provider key).
//!
//! Every replica computes the same order with no shared state; a client keeps its key while the set of
//! tied keys is unchanged, and adding or removing one key moves only the clients of that key.

use crate::catalogue::{ClientKeyId, KeyId};

/// The splitmix64 finaliser: a fixed, well-mixed 64-bit permutation (the same on every machine and run).
const fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The per-request half of the hash, computed once per request.
pub(crate) const fn client_seed(client: ClientKeyId) -> u64 {
    mix(client.0 ^ 0x5163_7a0e_4f0a_d1c3)
}

/// The unweighted score of `key` for the client of `seed`: lower goes first.
pub(crate) const fn score(seed: u64, key: KeyId) -> u64 {
    mix(seed ^ key.0.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The weighted score: `-ln(u) / weight` for `u` uniform in (0, 1] drawn from the hash, so a key is
/// first with probability proportional to its weight. Returned as the bits of a non-negative `f64`,
/// which order like the numbers; weight 0 sorts last.
pub(crate) fn weighted_score(seed: u64, key: KeyId, weight: u32) -> u64 {
    if weight == 0 {
        return u64::MAX;
    }
    let unit = ((score(seed, key) >> 11) + 1) as f64 / (1u64 << 53) as f64;
    (-unit.ln() / f64::from(weight)).to_bits()
}

/// The deterministic hash of `(client key, provider key)` the tie-break is built on, exposed so that
/// tests and tools can reproduce an order.
///
/// ```
/// use aether_core::catalogue::{ClientKeyId, KeyId};
/// use aether_core::schedule::tie_hash;
///
/// assert_eq!(tie_hash(ClientKeyId(7), KeyId(1)), tie_hash(ClientKeyId(7), KeyId(1)));
/// assert_ne!(tie_hash(ClientKeyId(7), KeyId(1)), tie_hash(ClientKeyId(7), KeyId(2)));
/// ```
pub fn tie_hash(client: ClientKeyId, key: KeyId) -> u64 {
    score(client_seed(client), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_of(client: u64, keys: &[(u64, u32)]) -> u64 {
        let seed = client_seed(ClientKeyId(client));
        keys.iter()
            .min_by_key(|(k, w)| (weighted_score(seed, KeyId(*k), *w), *k))
            .map(|(k, _)| *k)
            .unwrap_or(0)
    }

    #[test]
    fn weights_shape_the_spread() {
        let keys = [(1, 1), (2, 3)];
        let on_heavy = (0..10_000).filter(|&c| first_of(c, &keys) == 2).count();
        assert!((7_200..7_800).contains(&on_heavy), "weight 3 of 4 took {on_heavy} of 10000");
    }

    #[test]
    fn weight_zero_takes_no_first_choice() {
        let keys = [(1, 0), (2, 1)];
        assert!((0..1_000).all(|c| first_of(c, &keys) == 2));
    }

    #[test]
    fn removing_a_key_moves_only_its_clients() {
        let all = [(1, 1), (2, 1), (3, 1), (4, 1)];
        let without_4 = [(1, 1), (2, 1), (3, 1)];
        for client in 0..2_000 {
            let before = first_of(client, &all);
            if before != 4 {
                assert_eq!(first_of(client, &without_4), before);
            }
        }
    }
}
