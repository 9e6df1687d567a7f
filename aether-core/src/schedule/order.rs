//! Lazy ordering of one tier of tied routes by their per-client scores.
//!
//! A request usually needs only its first candidate or two, so a large tier is not sorted up front:
//! the first few come out by linear minimum scans, and only a caller that keeps going pays for a sort
//! of the rest.

/// Tiers up to this size are sorted at once.
const SMALL: usize = 16;
/// After this many scans the rest of a large tier is sorted.
const SCANS: usize = 4;

/// `(score, route index)` pairs, handed out in ascending order.
#[derive(Debug, Default)]
pub(crate) struct LazyOrder {
    items: Vec<(u64, u32)>,
    next: usize,
    sorted: usize,
}

impl LazyOrder {
    /// Starts over with new items.
    pub(crate) fn reset(&mut self, items: impl Iterator<Item = (u64, u32)>) {
        self.items.clear();
        self.next = 0;
        // Find the first item's place while filling, so that the usual single pop costs nothing more.
        let (mut min, mut best) = (0, None);
        for item in items {
            if best.is_none_or(|best| item < best) {
                (min, best) = (self.items.len(), Some(item));
            }
            self.items.push(item);
        }
        if !self.items.is_empty() {
            self.items.swap(0, min);
        }
        self.sorted = usize::from(!self.items.is_empty());
    }

    /// The route index of the next-lowest score (ties by index).
    pub(crate) fn pop(&mut self) -> Option<u32> {
        if self.next >= self.items.len() {
            return None;
        }
        if self.next >= self.sorted {
            let rest = &mut self.items[self.sorted..];
            if rest.len() <= SMALL || self.sorted >= SCANS {
                rest.sort_unstable();
                self.sorted = self.items.len();
            } else {
                let min = rest.iter().enumerate().min_by_key(|(_, item)| **item).map_or(0, |(i, _)| i);
                rest.swap(0, min);
                self.sorted += 1;
            }
        }
        let index = self.items[self.next].1;
        self.next += 1;
        Some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pops_in_sorted_order(scores in proptest::collection::vec(0u64..50, 0..80)) {
            let mut order = LazyOrder::default();
            order.reset(scores.iter().enumerate().map(|(i, s)| (*s, i as u32)));
            let popped: Vec<u32> = std::iter::from_fn(|| order.pop()).collect();
            let mut expected: Vec<(u64, u32)> = scores.iter().enumerate().map(|(i, s)| (*s, i as u32)).collect();
            expected.sort_unstable();
            prop_assert_eq!(popped, expected.into_iter().map(|(_, i)| i).collect::<Vec<_>>());
        }
    }
}
