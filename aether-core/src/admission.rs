//! Admission: a client key's and its user's rate limits, concurrency and budget, checked and
//! reserved before a request goes upstream and settled when it ends.
//!
//! A budget is reserved, not just checked: concurrent requests each hold their reservation until
//! they settle with their actual cost, so together they overshoot a quota by at most one request's
//! actual cost beyond its reservation.
//!
//! ```
//! use aether_core::admission::{Admission, Admit, Gate, InMemoryAdmission, Refusal, Scope, Settlement};
//! use aether_core::catalogue::{ClientKeyId, Limits};
//! use aether_core::pricing::Decimal;
//! use aether_core::Timestamp;
//!
//! # futures_executor::block_on(async {
//! let admission = InMemoryAdmission::default();
//! let one_at_a_time = Gate {
//!     scope: Scope::Key(ClientKeyId(1)),
//!     limits: Limits { max_concurrency: Some(1), ..Limits::default() },
//!     budget: None,
//! };
//! let admit = Admit { gates: vec![one_at_a_time], tokens: 0, reserve: Decimal::ZERO };
//! let pass = admission.admit(&admit, Timestamp(0)).await.expect("a free slot");
//! assert!(matches!(admission.admit(&admit, Timestamp(0)).await, Err(Refusal::Limit { .. })));
//! pass.settle(Settlement::default()); // or drop it: the slot is free again
//! assert!(admission.admit(&admit, Timestamp(0)).await.is_ok());
//! # });
//! ```

use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rust_decimal::Decimal;

use crate::Timestamp;
use crate::catalogue::{ClientKeyId, Limits};
use crate::fast_map::FastMap;
use crate::schedule::{Counter, LimitExceeded};
use crate::store::UserId;
use crate::store::error::lock;

/// Whose limits and budget a gate checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A client key.
    Key(ClientKeyId),
    /// A user, over all of their keys.
    User(UserId),
}

impl Scope {
    /// `key` or `user`, for messages.
    pub const fn noun(self) -> &'static str {
        match self {
            Scope::Key(_) => "key",
            Scope::User(_) => "user",
        }
    }
}

/// The budget of a scope as the store last said it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The most the scope may spend.
    pub quota: Decimal,
    /// What it had spent when it was loaded; from then on the admission counts its own settlements.
    pub spent: Decimal,
}

/// One scope's limits and budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gate {
    /// Whose.
    pub scope: Scope,
    /// Rate and concurrency limits.
    pub limits: Limits,
    /// The budget, if the scope has a quota.
    pub budget: Option<Budget>,
}

/// What one request asks to be admitted for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admit {
    /// Every scope that must let it through (a key, then its user).
    pub gates: Vec<Gate>,
    /// The tokens it is expected to use, for tokens-per-minute limits.
    pub tokens: u64,
    /// The cost to hold against budgets until it settles.
    pub reserve: Decimal,
}

/// Why a request was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A rate or concurrency limit.
    #[error("the {}'s {which}", scope.noun())]
    Limit {
        /// Whose.
        scope: Scope,
        /// Which.
        which: LimitExceeded,
    },
    /// The budget is spent (or reserved by requests in flight).
    #[error("the {}'s quota is exhausted", scope.noun())]
    Budget {
        /// Whose.
        scope: Scope,
    },
}

/// Admits requests against shared counters: in memory for one replica, Redis for several.
#[async_trait]
pub trait Admission: Send + Sync {
    /// Checks every gate and, if all pass, takes a request slot and the reservation in each.
    async fn admit(&self, admit: &Admit, now: Timestamp) -> Result<Pass, Refusal>;
}

/// What an admitted request turned out to use, to settle its [`Pass`] with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settlement {
    /// Its list cost.
    pub cost: Decimal,
    /// Its tokens, input and output, for tokens-per-minute limits.
    pub tokens: u64,
    /// When it ended.
    pub at: Timestamp,
}

/// An admitted request's slot and reservation: [`Pass::settle`] it with what it used, or drop it
/// (a request that never reached an upstream costs nothing and used no tokens).
pub struct Pass {
    settle: Option<Box<dyn FnOnce(Option<Settlement>) + Send + Sync>>,
}

impl Pass {
    /// A pass that `settle` releases with what the request used (`None`: nothing).
    pub fn new(settle: impl FnOnce(Option<Settlement>) + Send + Sync + 'static) -> Self {
        Pass { settle: Some(Box::new(settle)) }
    }

    /// Frees the slot and replaces the reservations with what the request used.
    pub fn settle(mut self, used: Settlement) {
        if let Some(settle) = self.settle.take() {
            settle(Some(used));
        }
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        if let Some(settle) = self.settle.take() {
            settle(None);
        }
    }
}

impl fmt::Debug for Pass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pass").field("settled", &self.settle.is_none()).finish()
    }
}

#[derive(Debug, Default)]
struct ScopeState {
    counter: Counter,
    /// What the scope has spent: the store's figure when first seen, plus every settlement since.
    spent: Option<Decimal>,
    /// Held by requests in flight.
    reserved: Decimal,
}

/// [`Admission`] in process memory, for one replica and for tests.
#[derive(Clone, Debug, Default)]
pub struct InMemoryAdmission {
    scopes: Arc<Mutex<FastMap<Scope, ScopeState>>>,
}

#[async_trait]
impl Admission for InMemoryAdmission {
    async fn admit(&self, admit: &Admit, now: Timestamp) -> Result<Pass, Refusal> {
        let mut scopes = lock(&self.scopes);
        for gate in &admit.gates {
            let state = scopes.entry(gate.scope).or_default();
            state
                .counter
                .check(&gate.limits, admit.tokens, now)
                .map_err(|which| Refusal::Limit { scope: gate.scope, which })?;
            if let Some(budget) = gate.budget {
                let spent = *state.spent.get_or_insert(budget.spent);
                if spent + state.reserved >= budget.quota {
                    return Err(Refusal::Budget { scope: gate.scope });
                }
            }
        }
        for gate in &admit.gates {
            let state = scopes.entry(gate.scope).or_default();
            state.counter.take(admit.tokens);
            state.reserved += admit.reserve;
        }
        let (shared, gates, reserve, tokens) =
            (Arc::clone(&self.scopes), admit.gates.clone(), admit.reserve, admit.tokens);
        Ok(Pass::new(move |used| {
            let mut scopes = lock(&shared);
            for gate in &gates {
                if let Some(state) = scopes.get_mut(&gate.scope) {
                    state.counter.in_flight = state.counter.in_flight.saturating_sub(1);
                    state.reserved -= reserve;
                    if let Some(used) = used {
                        state.counter.adjust(tokens, used.tokens, used.at);
                        if let Some(spent) = &mut state.spent {
                            *spent += used.cost;
                        }
                    }
                }
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_executor::block_on;

    fn key_gate(quota: &str, spent: &str) -> Gate {
        Gate {
            scope: Scope::Key(ClientKeyId(7)),
            limits: Limits::default(),
            budget: Some(Budget {
                quota: quota.parse().expect("decimal"),
                spent: spent.parse().expect("decimal"),
            }),
        }
    }

    #[test]
    fn reservations_in_flight_count_against_the_budget() {
        let admission = InMemoryAdmission::default();
        let admit =
            Admit { gates: vec![key_gate("1", "0.5")], tokens: 0, reserve: "0.3".parse().expect("decimal") };
        let first = block_on(admission.admit(&admit, Timestamp(0))).expect("0.5 + 0 < 1");
        let second = block_on(admission.admit(&admit, Timestamp(0))).expect("0.5 + 0.3 < 1");
        let third = block_on(admission.admit(&admit, Timestamp(0)));
        assert_eq!(third.err(), Some(Refusal::Budget { scope: Scope::Key(ClientKeyId(7)) }), "0.5 + 0.6 ≥ 1");
        first.settle(Settlement { cost: "0.1".parse().expect("decimal"), ..Settlement::default() });
        drop(second);
        assert!(block_on(admission.admit(&admit, Timestamp(0))).is_ok(), "0.6 spent, nothing reserved");
    }

    #[test]
    fn settled_costs_accumulate_past_the_stores_figure() {
        let admission = InMemoryAdmission::default();
        let admit = Admit { gates: vec![key_gate("1", "0")], tokens: 0, reserve: Decimal::ZERO };
        let used = Settlement { cost: Decimal::ONE, ..Settlement::default() };
        block_on(admission.admit(&admit, Timestamp(0))).expect("admitted").settle(used);
        let refused = block_on(admission.admit(&admit, Timestamp(0)));
        assert!(matches!(refused, Err(Refusal::Budget { .. })), "the stale `spent: 0` is not trusted again");
    }

    #[test]
    fn settled_tokens_count_against_tokens_per_minute() {
        let admission = InMemoryAdmission::default();
        let key = Gate {
            scope: Scope::Key(ClientKeyId(3)),
            limits: Limits { tpm: Some(1_000), ..Limits::default() },
            budget: None,
        };
        let admit = Admit { gates: vec![key], tokens: 0, reserve: Decimal::ZERO };
        let pass = block_on(admission.admit(&admit, Timestamp(1_000))).expect("nothing used yet");
        pass.settle(Settlement { tokens: 1_200, at: Timestamp(2_000), ..Settlement::default() });
        let refused = block_on(admission.admit(&admit, Timestamp(3_000)));
        let which = LimitExceeded::Tpm;
        assert_eq!(refused.err(), Some(Refusal::Limit { scope: Scope::Key(ClientKeyId(3)), which }));
    }

    #[test]
    fn a_users_limit_applies_across_its_keys() {
        let admission = InMemoryAdmission::default();
        let user = Gate {
            scope: Scope::User(UserId(1)),
            limits: Limits { rpm: Some(2), ..Limits::default() },
            budget: None,
        };
        for id in 1..=3 {
            let key = Gate { scope: Scope::Key(ClientKeyId(id)), limits: Limits::default(), budget: None };
            let admit = Admit { gates: vec![key, user.clone()], tokens: 0, reserve: Decimal::ZERO };
            let result = block_on(admission.admit(&admit, Timestamp(1_000)));
            assert_eq!(result.is_ok(), id < 3, "key {id}");
        }
    }
}
