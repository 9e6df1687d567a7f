//! Cache affinity: send a client back to the key whose prompt cache it warmed.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;

use crate::Timestamp;
use crate::WireFormat;
use crate::catalogue::ClientKeyId;
use crate::fast_map::FastMap;
use crate::schedule::Target;

/// What affinity is remembered per: (client key, format, model), refined by a session id when the
/// client sends one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AffinityKey {
    /// The client key.
    pub client: ClientKeyId,
    /// The client's format.
    pub format: WireFormat,
    /// The canonical model.
    pub model: String,
    /// The client's session (see [`session_id`]).
    pub session: Option<String>,
}

/// Where clients' caches are warm, shared by every replica.
#[async_trait]
pub trait Affinity: Send + Sync {
    /// The remembered target, if it has not expired.
    async fn get(&self, key: &AffinityKey, now: Timestamp) -> Option<Target>;
    /// Remembers `target` for `ttl` from `now` (a success on it: each one slides the expiry).
    async fn remember(&self, key: AffinityKey, target: Target, ttl: Duration, now: Timestamp);
    /// Forgets `key` (its target failed).
    async fn forget(&self, key: &AffinityKey);
}

/// The session id a client sends, for finer affinity: Claude Code's `x-claude-code-session-id`, Codex's
/// `session-id`, else the body's `prompt_cache_key` (pass [`crate::ir::Request::cache_key`]).
///
/// ```
/// use aether_core::schedule::session_id;
///
/// let headers = [("x-claude-code-session-id", "4f1c")];
/// let header = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
/// assert_eq!(session_id(header, None), Some("4f1c"));
/// assert_eq!(session_id(|_| None, Some("pck-1")), Some("pck-1"));
/// ```
pub fn session_id<'a>(
    header: impl Fn(&str) -> Option<&'a str>,
    prompt_cache_key: Option<&'a str>,
) -> Option<&'a str> {
    header("x-claude-code-session-id").or_else(|| header("session-id")).or(prompt_cache_key)
}

/// Entries beyond this count trigger a sweep of expired ones.
const SWEEP_AT: usize = 100_000;

/// [`Affinity`] in process memory, for a single replica and for tests.
#[derive(Debug, Default)]
pub struct InMemoryAffinity {
    entries: Mutex<FastMap<AffinityKey, (Target, Timestamp)>>,
}

#[async_trait]
impl Affinity for InMemoryAffinity {
    async fn get(&self, key: &AffinityKey, now: Timestamp) -> Option<Target> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|(_, expires)| now < *expires).map(|(target, _)| *target)
    }

    async fn remember(&self, key: AffinityKey, target: Target, ttl: Duration, now: Timestamp) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= SWEEP_AT {
            entries.retain(|_, (_, expires)| now < *expires);
        }
        entries.insert(key, (target, now + ttl));
    }

    async fn forget(&self, key: &AffinityKey) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{EndpointId, KeyId, ProviderId};
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    fn ready<T>(future: impl Future<Output = T>) -> T {
        match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("in-memory affinity never waits"),
        }
    }

    #[test]
    fn remembered_for_the_ttl_sliding_and_forgotten_on_failure() {
        let store = InMemoryAffinity::default();
        let key = AffinityKey {
            client: ClientKeyId(1),
            format: WireFormat::Anthropic,
            model: "m".into(),
            session: None,
        };
        let target = Target { provider: ProviderId(1), endpoint: EndpointId(2), key: KeyId(3) };
        let ttl = Duration::from_secs(300);
        ready(store.remember(key.clone(), target, ttl, Timestamp(0)));
        assert_eq!(ready(store.get(&key, Timestamp(299_999))), Some(target));
        ready(store.remember(key.clone(), target, ttl, Timestamp(200_000)));
        assert_eq!(ready(store.get(&key, Timestamp(499_999))), Some(target), "a success slides the expiry");
        assert_eq!(ready(store.get(&key, Timestamp(500_000))), None);
        let other_session = AffinityKey { session: Some("s".into()), ..key.clone() };
        assert_eq!(ready(store.get(&other_session, Timestamp(0))), None, "sessions are separate");
        ready(store.forget(&key));
        assert_eq!(ready(store.get(&key, Timestamp(0))), None);
    }
}
