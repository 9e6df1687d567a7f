//! Authentication: the client's credential becomes an [`Identity`], looked up once and then cached.
//!
//! ```
//! use std::sync::Arc;
//! use aether_core::WireFormat;
//! use aether_core::store::{Accounts, ClientKey, InMemoryAccounts, KeyHash};
//! use aether_tower::auth::{AuthLayer, Identity};
//! use aether_tower::{Body, Inbound};
//! use http::{Request, Response};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let accounts = Arc::new(InMemoryAccounts::default());
//! accounts.create_key(&ClientKey::new("ci", KeyHash::of("sk-ci-1"), "sk-ci")).await?;
//! let echo = service_fn(|request: Request<()>| async move {
//!     let name = request.extensions().get::<Identity>().map(|id| id.key.name.clone()).unwrap_or_default();
//!     Ok::<_, std::convert::Infallible>(Response::new(aether_tower::full_body(name)))
//! });
//! let service = AuthLayer::new(accounts).layer(echo);
//!
//! let mut request = Request::post("/v1/messages").header("x-api-key", "sk-ci-1").body(())?;
//! request.extensions_mut().insert(Inbound::new(WireFormat::Anthropic));
//! assert_eq!(service.clone().oneshot(request).await?.status(), 200);
//!
//! let mut request = Request::post("/v1/messages").header("x-api-key", "sk-wrong").body(())?;
//! request.extensions_mut().insert(Inbound::new(WireFormat::Anthropic));
//! assert_eq!(service.oneshot(request).await?.status(), 401);
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use aether_core::Timestamp;
use aether_core::schedule::Principal;
use aether_core::store::{Accounts, ClientKey, KeyHash, User};
use http::{Request, Response};
use tower::{Layer, Service};

use crate::{Body, GatewayError, Inbound, credential};

/// Who a request comes from, in its extensions once authenticated.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The client key.
    pub key: Arc<ClientKey>,
    /// Its user, unless it is a standalone key.
    pub user: Option<Arc<User>>,
    /// What the scheduler needs of them.
    pub principal: Arc<Principal>,
}

impl Identity {
    /// The identity of `key`, held by `user`.
    pub fn new(key: ClientKey, user: Option<User>) -> Self {
        let principal = Principal {
            client_key: key.id,
            user: user.as_ref().map(|u| u.restrictions.clone()).unwrap_or_default(),
            key: key.restrictions.clone(),
            model_capabilities: key.model_capabilities.clone(),
        };
        Identity { key: Arc::new(key), user: user.map(Arc::new), principal: Arc::new(principal) }
    }

    /// Why the key cannot be used now, if it cannot.
    fn unusable(&self, now: Timestamp) -> Option<&'static str> {
        if !self.key.enabled {
            Some("is disabled")
        } else if self.key.expires_at.is_some_and(|at| at <= now) {
            Some("has expired")
        } else if self.user.as_ref().is_some_and(|user| !user.enabled) {
            Some("belongs to a disabled user")
        } else {
            None
        }
    }
}

/// Applies [`Auth`]: credentials are looked up in `accounts` and the answer (found or not) is
/// cached for `ttl` (default 10 s), so a changed or revoked key takes effect within that time.
#[derive(Clone)]
pub struct AuthLayer {
    accounts: Arc<dyn Accounts>,
    cache: moka::sync::Cache<KeyHash, Option<Identity>>,
}

impl AuthLayer {
    /// Authentication against `accounts`, with answers cached for 10 s.
    pub fn new(accounts: Arc<dyn Accounts>) -> Self {
        AuthLayer::with_ttl(accounts, Duration::from_secs(10))
    }

    /// Authentication with answers cached for `ttl`.
    pub fn with_ttl(accounts: Arc<dyn Accounts>, ttl: Duration) -> Self {
        let cache = moka::sync::Cache::builder().max_capacity(100_000).time_to_live(ttl).build();
        AuthLayer { accounts, cache }
    }

    /// Forgets every cached answer (after an admin change, say).
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all();
    }
}

impl fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthLayer").field("cached", &self.cache.entry_count()).finish_non_exhaustive()
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth { inner, layer: self.clone() }
    }
}

/// Authenticates each request and puts its [`Identity`] and [`Principal`] in its extensions; answers
/// 401 or 403 in the client's format otherwise.
#[derive(Clone, Debug)]
pub struct Auth<S> {
    inner: S,
    layer: AuthLayer,
}

impl<S, B> Service<Request<B>> for Auth<S>
where
    S: Service<Request<B>, Response = Response<Body>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let mut inner = crate::take_ready(&mut self.inner);
        let layer = self.layer.clone();
        let format = request.extensions().get::<Inbound>().map(|i| i.format);
        let hash = credential(request.headers(), request.uri().query()).map(KeyHash::of);
        Box::pin(async move {
            let Some(format) = format else {
                return Ok(crate::route::missing("Inbound"));
            };
            match layer.identify(hash).await {
                Ok(identity) => {
                    request.extensions_mut().insert(Principal::clone(&identity.principal));
                    request.extensions_mut().insert(identity);
                    inner.call(request).await
                }
                Err(error) => Ok(error.to_response(format)),
            }
        })
    }
}

impl AuthLayer {
    /// Authenticates a request by its headers and query alone, for routes outside the stack (model
    /// lists, say).
    pub async fn authenticate(
        &self,
        headers: &http::HeaderMap,
        query: Option<&str>,
    ) -> Result<Identity, GatewayError> {
        self.identify(credential(headers, query).map(KeyHash::of)).await
    }

    async fn identify(&self, hash: Option<KeyHash>) -> Result<Identity, GatewayError> {
        let hash = hash.ok_or(GatewayError::MissingCredential)?;
        let identity = match self.cache.get(&hash) {
            Some(cached) => cached,
            None => {
                let found = self.lookup(&hash).await?;
                self.cache.insert(hash, found.clone());
                found
            }
        };
        let identity = identity.ok_or(GatewayError::InvalidCredential)?;
        match identity.unusable(Timestamp::from_system_time(SystemTime::now())) {
            Some(reason) => Err(GatewayError::KeyUnusable(reason)),
            None => Ok(identity),
        }
    }

    async fn lookup(&self, hash: &KeyHash) -> Result<Option<Identity>, GatewayError> {
        let Some(key) = self.accounts.key_by_hash(hash).await? else { return Ok(None) };
        let user = match key.user {
            Some(id) => self.accounts.user(id).await?,
            None => None,
        };
        Ok(Some(Identity::new(key, user)))
    }
}
