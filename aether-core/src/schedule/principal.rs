//! Who is asking, and what they may be routed to.

use crate::WireFormat;
use crate::catalogue::{ClientKeyId, ProviderId};
use crate::schedule::Capabilities;

/// Allow-lists of a user or a client key (`None`: no restriction of that kind).
///
/// ```
/// use aether_core::catalogue::ProviderId;
/// use aether_core::schedule::Restrictions;
/// use aether_core::WireFormat;
///
/// let only_anthropic = Restrictions { providers: Some(vec![ProviderId(1)]), ..Restrictions::default() };
/// assert!(only_anthropic.allows_provider(ProviderId(1)));
/// assert!(!only_anthropic.allows_provider(ProviderId(2)));
/// assert!(only_anthropic.allows_format(WireFormat::Gemini));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Restrictions {
    /// The providers requests may go to.
    pub providers: Option<Vec<ProviderId>>,
    /// The models that may be asked for (canonical names or aliases).
    pub models: Option<Vec<String>>,
    /// The wire formats of the endpoints requests may go to.
    pub formats: Option<Vec<WireFormat>>,
}

impl Restrictions {
    /// Whether `provider` is allowed.
    pub fn allows_provider(&self, provider: ProviderId) -> bool {
        self.providers.as_ref().is_none_or(|allowed| allowed.contains(&provider))
    }

    /// Whether the model is allowed: `names` says whether an allowed name (canonical or alias) is it.
    pub fn allows_model(&self, names: impl Fn(&str) -> bool) -> bool {
        self.models.as_ref().is_none_or(|allowed| allowed.iter().any(|m| names(m)))
    }

    /// Whether an endpoint of `format` is allowed.
    pub fn allows_format(&self, format: WireFormat) -> bool {
        self.formats.as_ref().is_none_or(|allowed| allowed.contains(&format))
    }
}

/// The authenticated caller, as the scheduler sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Principal {
    /// The client key the request came with: the affinity and spread identity.
    pub client_key: ClientKeyId,
    /// The user's restrictions.
    pub user: Restrictions,
    /// The client key's own restrictions (both apply).
    pub key: Restrictions,
    /// Capabilities the user requires per model (e.g. the 1M context for one model).
    pub model_capabilities: Vec<(String, Capabilities)>,
}

impl Principal {
    /// A principal with no restrictions.
    pub fn new(client_key: u64) -> Self {
        Principal { client_key: ClientKeyId(client_key), ..Principal::default() }
    }

    /// Whether both the user and the key allow `provider`.
    pub fn allows_provider(&self, provider: ProviderId) -> bool {
        self.user.allows_provider(provider) && self.key.allows_provider(provider)
    }

    /// Whether both the user and the key allow the model `names` recognises.
    pub fn allows_model(&self, names: impl Fn(&str) -> bool) -> bool {
        self.user.allows_model(&names) && self.key.allows_model(&names)
    }

    /// Whether both the user and the key allow an endpoint of `format`.
    pub fn allows_format(&self, format: WireFormat) -> bool {
        self.user.allows_format(format) && self.key.allows_format(format)
    }

    /// The capabilities the user requires for `model` (its canonical name).
    pub fn capabilities_for(&self, model: &str) -> Capabilities {
        self.model_capabilities
            .iter()
            .filter(|(m, _)| m == model)
            .fold(Capabilities::NONE, |all, (_, c)| all | *c)
    }
}
