//! Small value types the config is written in: secrets, money, wire formats, capabilities, endpoint
//! references. Each parses with an error that names what was expected.

use std::fmt;
use std::str::FromStr;

use aether_core::WireFormat;
use aether_core::schedule::Capabilities;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// A secret value (a password, an API key, a signing key); `Debug` prints `***`.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The value itself, where it must be used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An amount in USD, written as a decimal string (`"12.50"`) so that it is exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Usd(pub Decimal);

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let value = Decimal::from_str(text.trim())
            .map_err(|_| de::Error::custom(format!("`{text}` is not a decimal amount like \"12.50\"")))?;
        if value.is_sign_negative() {
            return Err(de::Error::custom(format!("`{text}` is negative")));
        }
        Ok(Usd(value))
    }
}

/// A wire format by its config name: `openai_chat`, `openai_responses`, `anthropic` or `gemini`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Format(pub WireFormat);

impl FromStr for Format {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        WireFormat::ALL.into_iter().find(|f| f.as_str() == name).map(Format).ok_or_else(|| {
            let known: Vec<&str> = WireFormat::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown format \"{name}\" (expected one of {})", known.join(", "))
        })
    }
}

impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(de::Error::custom)
    }
}

/// A key capability by name: `cache_1h` or `context_1m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capability(pub Capabilities);

impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Capabilities::from_name(&name).map(Capability).ok_or_else(|| {
            de::Error::custom(format!("unknown capability \"{name}\" (expected cache_1h or context_1m)"))
        })
    }
}

/// The union of a list of capabilities.
pub fn capabilities(list: &[Capability]) -> Capabilities {
    list.iter().fold(Capabilities::NONE, |all, c| all | c.0)
}

/// Which endpoint of its provider a key is pinned to: its index in `endpoints`, or its format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointRef {
    /// The endpoint at this index of the provider's `endpoints`.
    Index(usize),
    /// The provider's (only) endpoint of this format.
    Format(WireFormat),
}

impl<'de> Deserialize<'de> for EndpointRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RefVisitor;

        impl Visitor<'_> for RefVisitor {
            type Value = EndpointRef;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an endpoint index or a format name")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<EndpointRef, E> {
                usize::try_from(v).map(EndpointRef::Index).map_err(|_| E::custom("a negative endpoint index"))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<EndpointRef, E> {
                usize::try_from(v)
                    .map(EndpointRef::Index)
                    .map_err(|_| E::custom("endpoint index out of range"))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<EndpointRef, E> {
                v.parse::<Format>().map(|f| EndpointRef::Format(f.0)).map_err(E::custom)
            }
        }

        deserializer.deserialize_any(RefVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug() {
        let secret = SecretString::new("sk-live-123");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(secret.expose(), "sk-live-123");
    }

    #[test]
    fn formats_parse_by_config_name() {
        assert_eq!("gemini".parse::<Format>(), Ok(Format(WireFormat::Gemini)));
        let error = "openai".parse::<Format>().expect_err("not a format");
        assert!(error.starts_with("unknown format \"openai\""), "{error}");
    }
}
