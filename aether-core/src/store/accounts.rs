//! Users and their client API keys, and standalone prepaid keys.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use rust_decimal::Decimal;

use super::StoreError;
use super::error::lock;
use crate::Timestamp;
use crate::catalogue::{ClientKeyId, Limits};
use crate::schedule::{Capabilities, Restrictions};

/// Identifies a [`User`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub u64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a user may administer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything: the catalogue, prices, settings, every user.
    Admin,
    /// Their own keys and usage.
    #[default]
    User,
}

impl Role {
    /// `admin` or `user`, for storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }

    /// The role named `name`.
    pub fn from_name(name: &str) -> Option<Role> {
        [Role::Admin, Role::User].into_iter().find(|role| role.as_str() == name)
    }
}

/// A person (or a team) holding client keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct User {
    /// Its id, assigned by the store on creation.
    pub id: UserId,
    /// A unique login name.
    pub name: String,
    /// A unique email, if any.
    pub email: Option<String>,
    /// The password's PHC string (argon2, hashed by the server); `None`: no password login.
    pub password_hash: Option<String>,
    /// What the user may administer.
    pub role: Role,
    /// What the user's keys may be routed to.
    pub restrictions: Restrictions,
    /// Rate and concurrency limits over all of the user's keys.
    pub limits: Limits,
    /// The most the user may spend, in USD (`None`: no quota).
    pub quota: Option<Decimal>,
    /// What the user has spent, in USD; changed only by [`Accounts::add_user_spent`].
    pub spent: Decimal,
    /// Whether the user may use the gateway.
    pub enabled: bool,
    /// When the user was created.
    pub created_at: Timestamp,
}

impl User {
    /// An enabled user with no email, password, restrictions or quota.
    pub fn new(name: impl Into<String>, role: Role) -> Self {
        User { name: name.into(), role, enabled: true, ..User::default() }
    }
}

/// The SHA-256 digest of a client API key: all the store ever keeps of the key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyHash(pub [u8; 32]);

impl KeyHash {
    /// The hash of `key`, as stored and as looked up.
    ///
    /// ```
    /// use aether_core::store::KeyHash;
    ///
    /// assert_eq!(KeyHash::of("sk-abc"), KeyHash::of("sk-abc"));
    /// assert_ne!(KeyHash::of("sk-abc"), KeyHash::of("sk-abd"));
    /// ```
    pub fn of(key: &str) -> KeyHash {
        use sha2::Digest;
        KeyHash(sha2::Sha256::digest(key.as_bytes()).into())
    }
}

/// The gateway's own credential, held by a user or standalone (a prepaid key, with its own balance).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientKey {
    /// Its id, assigned by the store on creation.
    pub id: ClientKeyId,
    /// The holder; `None` for a standalone prepaid key, whose `quota` is its balance.
    pub user: Option<UserId>,
    /// A display name.
    pub name: String,
    /// The SHA-256 of the key, for authentication (unique).
    pub hash: KeyHash,
    /// The first characters of the key, for display (`sk-ab12…`).
    pub prefix: String,
    /// What the key may be routed to (on top of its user's restrictions).
    pub restrictions: Restrictions,
    /// Rate and concurrency limits of this key (on top of its user's).
    pub limits: Limits,
    /// Capabilities the key's requests require per model (e.g. the 1M context for one model).
    pub model_capabilities: Vec<(String, Capabilities)>,
    /// The most the key may spend, in USD (`None`: no quota).
    pub quota: Option<Decimal>,
    /// What the key has spent, in USD; changed only by [`Accounts::add_key_spent`].
    pub spent: Decimal,
    /// When the key stops being valid.
    pub expires_at: Option<Timestamp>,
    /// Whether the key may be used.
    pub enabled: bool,
    /// When the key was created.
    pub created_at: Timestamp,
}

impl ClientKey {
    /// An enabled standalone key with no restrictions, quota or expiry.
    pub fn new(name: impl Into<String>, hash: KeyHash, prefix: impl Into<String>) -> Self {
        ClientKey { name: name.into(), hash, prefix: prefix.into(), enabled: true, ..ClientKey::default() }
    }

    /// What is left of the quota (a prepaid key's balance), if it has one.
    pub fn remaining(&self) -> Option<Decimal> {
        self.quota.map(|quota| quota - self.spent)
    }
}

/// Users and client keys.
///
/// `create_*` assign the id (the one passed in is ignored); `update_*` replace every field but the
/// id, `spent` and `created_at`; deleting a user deletes their keys. Names, emails and key hashes are
/// unique ([`StoreError::Conflict`]).
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Adds a user and returns its id.
    async fn create_user(&self, user: &User) -> Result<UserId, StoreError>;
    /// Replaces a user's fields.
    async fn update_user(&self, user: &User) -> Result<(), StoreError>;
    /// The user with this id.
    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;
    /// The user whose name or email is `login`.
    async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError>;
    /// Every user, by id.
    async fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Deletes a user and their keys.
    async fn delete_user(&self, id: UserId) -> Result<(), StoreError>;
    /// Adds `amount` (negative to refund) to a user's `spent`; returns the new total.
    async fn add_user_spent(&self, id: UserId, amount: Decimal) -> Result<Decimal, StoreError>;

    /// Adds a client key and returns its id; its user must exist.
    async fn create_key(&self, key: &ClientKey) -> Result<ClientKeyId, StoreError>;
    /// Replaces a key's fields.
    async fn update_key(&self, key: &ClientKey) -> Result<(), StoreError>;
    /// The key with this id.
    async fn key(&self, id: ClientKeyId) -> Result<Option<ClientKey>, StoreError>;
    /// The key with this hash: authentication.
    async fn key_by_hash(&self, hash: &KeyHash) -> Result<Option<ClientKey>, StoreError>;
    /// A user's keys (`None`: the standalone keys), by id.
    async fn keys_of(&self, user: Option<UserId>) -> Result<Vec<ClientKey>, StoreError>;
    /// Deletes a key.
    async fn delete_key(&self, id: ClientKeyId) -> Result<(), StoreError>;
    /// Adds `amount` (negative to refund) to a key's `spent`; returns the new total.
    async fn add_key_spent(&self, id: ClientKeyId, amount: Decimal) -> Result<Decimal, StoreError>;
}

/// [`Accounts`] in memory, for tests and embedding.
#[derive(Debug, Default)]
pub struct InMemoryAccounts {
    state: Mutex<AccountsState>,
}

#[derive(Debug, Default)]
struct AccountsState {
    users: BTreeMap<UserId, User>,
    keys: BTreeMap<ClientKeyId, ClientKey>,
    last_user: u64,
    last_key: u64,
}

impl AccountsState {
    fn check_user_unique(&self, user: &User) -> Result<(), StoreError> {
        for other in self.users.values().filter(|other| other.id != user.id) {
            if other.name == user.name {
                return Err(StoreError::Conflict(format!("user name `{}` is taken", user.name)));
            }
            if user.email.is_some() && other.email == user.email {
                return Err(StoreError::Conflict("email is taken".into()));
            }
        }
        Ok(())
    }

    fn check_key(&self, key: &ClientKey) -> Result<(), StoreError> {
        if let Some(user) = key.user
            && !self.users.contains_key(&user)
        {
            return Err(StoreError::Invalid(format!("user `{user}` does not exist")));
        }
        if self.keys.values().any(|other| other.id != key.id && other.hash == key.hash) {
            return Err(StoreError::Conflict("key hash is taken".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl Accounts for InMemoryAccounts {
    async fn create_user(&self, user: &User) -> Result<UserId, StoreError> {
        let mut state = lock(&self.state);
        let id = UserId(state.last_user + 1);
        let user = User { id, ..user.clone() };
        state.check_user_unique(&user)?;
        state.last_user = id.0;
        state.users.insert(id, user);
        Ok(id)
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        state.check_user_unique(user)?;
        let stored = state.users.get_mut(&user.id).ok_or_else(|| StoreError::not_found("user", user.id))?;
        *stored = User { spent: stored.spent, created_at: stored.created_at, ..user.clone() };
        Ok(())
    }

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.state).users.get(&id).cloned())
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError> {
        let state = lock(&self.state);
        let found = state.users.values().find(|u| u.name == login || u.email.as_deref() == Some(login));
        Ok(found.cloned())
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        Ok(lock(&self.state).users.values().cloned().collect())
    }

    async fn delete_user(&self, id: UserId) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        state.users.remove(&id).ok_or_else(|| StoreError::not_found("user", id))?;
        state.keys.retain(|_, key| key.user != Some(id));
        Ok(())
    }

    async fn add_user_spent(&self, id: UserId, amount: Decimal) -> Result<Decimal, StoreError> {
        let mut state = lock(&self.state);
        let user = state.users.get_mut(&id).ok_or_else(|| StoreError::not_found("user", id))?;
        user.spent += amount;
        Ok(user.spent)
    }

    async fn create_key(&self, key: &ClientKey) -> Result<ClientKeyId, StoreError> {
        let mut state = lock(&self.state);
        let id = ClientKeyId(state.last_key + 1);
        let key = ClientKey { id, ..key.clone() };
        state.check_key(&key)?;
        state.last_key = id.0;
        state.keys.insert(id, key);
        Ok(id)
    }

    async fn update_key(&self, key: &ClientKey) -> Result<(), StoreError> {
        let mut state = lock(&self.state);
        state.check_key(key)?;
        let stored =
            state.keys.get_mut(&key.id).ok_or_else(|| StoreError::not_found("client key", key.id))?;
        *stored = ClientKey { spent: stored.spent, created_at: stored.created_at, ..key.clone() };
        Ok(())
    }

    async fn key(&self, id: ClientKeyId) -> Result<Option<ClientKey>, StoreError> {
        Ok(lock(&self.state).keys.get(&id).cloned())
    }

    async fn key_by_hash(&self, hash: &KeyHash) -> Result<Option<ClientKey>, StoreError> {
        Ok(lock(&self.state).keys.values().find(|key| key.hash == *hash).cloned())
    }

    async fn keys_of(&self, user: Option<UserId>) -> Result<Vec<ClientKey>, StoreError> {
        Ok(lock(&self.state).keys.values().filter(|key| key.user == user).cloned().collect())
    }

    async fn delete_key(&self, id: ClientKeyId) -> Result<(), StoreError> {
        let removed = lock(&self.state).keys.remove(&id);
        removed.map(drop).ok_or_else(|| StoreError::not_found("client key", id))
    }

    async fn add_key_spent(&self, id: ClientKeyId, amount: Decimal) -> Result<Decimal, StoreError> {
        let mut state = lock(&self.state);
        let key = state.keys.get_mut(&id).ok_or_else(|| StoreError::not_found("client key", id))?;
        key.spent += amount;
        Ok(key.spent)
    }
}
