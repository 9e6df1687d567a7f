//! Capabilities of keys and what a request needs from a candidate.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign, Not};

use serde_json::{Map, Value};

use crate::WireFormat;
use crate::ir::{self, Part, Tool, ToolOutput};

/// A set of key capabilities, as bit flags.
///
/// An *exclusive* capability ([`Capabilities::CACHE_1H`]) reserves its keys for the requests that need
/// it; a *compatible* one ([`Capabilities::CONTEXT_1M`]) only adds to what a key can serve.
///
/// ```
/// use aether_core::schedule::Capabilities;
///
/// let key = Capabilities::CACHE_1H | Capabilities::CONTEXT_1M;
/// assert!(key.contains(Capabilities::CONTEXT_1M));
/// assert_eq!(key.to_string(), "cache_1h,context_1m");
/// assert_eq!(Capabilities::from_anthropic_beta("claude-code-20250219,context-1m-2025-08-07"), Capabilities::CONTEXT_1M);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Capabilities(u32);

impl Capabilities {
    /// No capability.
    pub const NONE: Capabilities = Capabilities(0);
    /// One-hour prompt-cache writes (exclusive: such keys serve only requests that need it).
    pub const CACHE_1H: Capabilities = Capabilities(1);
    /// The 1M-token context window (compatible).
    pub const CONTEXT_1M: Capabilities = Capabilities(1 << 1);
    /// The capabilities that reserve a key for the requests needing them.
    pub const EXCLUSIVE: Capabilities = Capabilities::CACHE_1H;

    const NAMES: [(Capabilities, &'static str); 2] =
        [(Capabilities::CACHE_1H, "cache_1h"), (Capabilities::CONTEXT_1M, "context_1m")];

    const ALL: u32 = 0b11;

    /// The set of the given bits, for storage (unknown bits are dropped).
    pub const fn from_bits(bits: u32) -> Capabilities {
        Capabilities(bits & Self::ALL)
    }

    /// The bits of the set, for storage.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every capability of `other` is in `self`.
    pub const fn contains(self, other: Capabilities) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The capability named `name` (`cache_1h`, `context_1m`), for config and storage.
    pub fn from_name(name: &str) -> Option<Capabilities> {
        Self::NAMES.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }

    /// What an `anthropic-beta` header asks for: `context-1m-…` requires [`Capabilities::CONTEXT_1M`].
    pub fn from_anthropic_beta(header: &str) -> Capabilities {
        let long = header.split(',').any(|beta| beta.trim().starts_with("context-1m-"));
        if long { Capabilities::CONTEXT_1M } else { Capabilities::NONE }
    }
}

impl BitOr for Capabilities {
    type Output = Capabilities;
    fn bitor(self, rhs: Capabilities) -> Capabilities {
        Capabilities(self.0 | rhs.0)
    }
}

impl BitOrAssign for Capabilities {
    fn bitor_assign(&mut self, rhs: Capabilities) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Capabilities {
    type Output = Capabilities;
    fn bitand(self, rhs: Capabilities) -> Capabilities {
        Capabilities(self.0 & rhs.0)
    }
}

impl Not for Capabilities {
    type Output = Capabilities;
    fn not(self) -> Capabilities {
        Capabilities(!self.0)
    }
}

impl fmt::Display for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = Self::NAMES.iter().filter(|(c, _)| self.contains(*c)).map(|(_, n)| *n);
        if let Some(first) = names.next() {
            f.write_str(first)?;
        }
        names.try_for_each(|n| write!(f, ",{n}"))
    }
}

/// What a request needs from the candidate that serves it.
///
/// ```
/// use aether_core::ir::{Message, Request, Role};
/// use aether_core::schedule::{Capabilities, Needs};
///
/// let request = Request { messages: vec![Message::text(Role::User, "Hi")], ..Request::default() };
/// let needs = Needs::of(&request).with(Capabilities::from_anthropic_beta("context-1m-2025-08-07"));
/// assert!(!needs.images && !needs.reasoning);
/// assert_eq!(needs.capabilities, Capabilities::CONTEXT_1M);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Key capabilities the request requires.
    pub capabilities: Capabilities,
    /// It carries images.
    pub images: bool,
    /// It asks for reasoning.
    pub reasoning: bool,
    /// Its conversation holds built-in tool items of this format, which no other format can replay.
    pub native_tools: Option<WireFormat>,
    /// Its estimated input size in tokens (the caller's estimator sets it; `None`: unchecked).
    pub input_tokens: Option<u64>,
}

impl Needs {
    /// Reads what a request needs: images, reasoning, built-in tools, and one-hour cache writes
    /// (`cache_control.ttl = "1h"` on any block or tool).
    pub fn of(request: &ir::Request) -> Needs {
        let parts = || request.messages.iter().flat_map(|m| m.content.iter());
        let images = parts().any(part_has_image);
        let reasoning = request
            .reasoning
            .as_ref()
            .is_some_and(|r| r.enabled != Some(false) && r.effort != Some(ir::Effort::None));
        // Built-in tools *offered* are dropped by other formats (a documented lossy rule: Codex offers
        // `web_search` on every request); a conversation that already *used* one cannot be replayed
        // elsewhere, so only its items tie the request to their format.
        let native_tools = parts().find_map(|part| match part {
            Part::Native(native) => Some(native.format),
            _ => None,
        });
        let cache_1h = parts().any(part_has_1h_cache)
            || request.tools.iter().any(|tool| match tool {
                Tool::Function(f) => has_1h_cache(&f.extra.fields),
                Tool::Native(n) => n.value.as_object().is_some_and(has_1h_cache),
            });
        let capabilities = if cache_1h { Capabilities::CACHE_1H } else { Capabilities::NONE };
        Needs { capabilities, images, reasoning, native_tools, input_tokens: None }
    }

    /// Adds required capabilities (from a header or the user's per-model setting).
    pub fn with(mut self, capabilities: Capabilities) -> Needs {
        self.capabilities |= capabilities;
        self
    }
}

fn part_has_image(part: &Part) -> bool {
    match part {
        Part::Image(_) => true,
        Part::ToolResult(result) => match &result.content {
            ToolOutput::Parts(parts) => parts.iter().any(part_has_image),
            ToolOutput::Json(_) => false,
        },
        _ => false,
    }
}

fn part_has_1h_cache(part: &Part) -> bool {
    match part {
        Part::Text(text) => has_1h_cache(&text.extra.fields),
        Part::Image(media) | Part::Document(media) => has_1h_cache(&media.extra.fields),
        Part::ToolResult(result) => has_1h_cache(&result.extra.fields),
        Part::ToolCall(call) => has_1h_cache(&call.extra.fields),
        Part::Native(native) => native.value.as_object().is_some_and(has_1h_cache),
        Part::Refusal(_) | Part::Reasoning(_) => false,
    }
}

fn has_1h_cache(fields: &Map<String, Value>) -> bool {
    fields.get("cache_control").and_then(|c| c.get("ttl")).and_then(Value::as_str) == Some("1h")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Extra, Message, Native, Reasoning, ReasoningConfig, Role, Text};
    use serde_json::json;

    #[test]
    fn one_hour_cache_control_requires_cache_1h() {
        let mut fields = Map::new();
        fields.insert("cache_control".into(), json!({"type": "ephemeral", "ttl": "1h"}));
        let text =
            Text { extra: Extra::new(WireFormat::Anthropic, fields), ..Text::new("long system prompt") };
        let request = ir::Request {
            messages: vec![Message {
                role: Role::System,
                content: vec![Part::Text(text)],
                ..Message::default()
            }],
            ..ir::Request::default()
        };
        assert_eq!(Needs::of(&request).capabilities, Capabilities::CACHE_1H);
    }

    #[test]
    fn native_tool_items_reasoning_and_images_are_detected() {
        let web_search = Native { format: WireFormat::OpenAiResponses, value: json!({"type": "web_search"}) };
        let offered = ir::Request {
            tools: vec![Tool::Native(web_search.clone())],
            reasoning: Some(ReasoningConfig { enabled: Some(true), ..ReasoningConfig::default() }),
            messages: vec![Message {
                role: Role::Assistant,
                content: vec![Part::Reasoning(Reasoning::default())],
                ..Message::default()
            }],
            ..ir::Request::default()
        };
        let needs = Needs::of(&offered);
        assert_eq!(needs.native_tools, None, "a built-in tool offered can be dropped");
        let mut used = offered.clone();
        used.messages[0]
            .content
            .push(Part::Native(Native { value: json!({"type": "web_search_call"}), ..web_search }));
        assert_eq!(Needs::of(&used).native_tools, Some(WireFormat::OpenAiResponses));
        assert!(needs.reasoning && !needs.images);
        let off = ir::Request {
            reasoning: Some(ReasoningConfig { enabled: Some(false), ..ReasoningConfig::default() }),
            ..ir::Request::default()
        };
        assert!(!Needs::of(&off).reasoning);
    }

    #[test]
    fn capability_names_round_trip() {
        for (capability, name) in Capabilities::NAMES {
            assert_eq!(Capabilities::from_name(name), Some(capability));
            assert_eq!(capability.to_string(), name);
        }
        assert_eq!(Capabilities::NONE.to_string(), "");
        assert_eq!(Capabilities::from_anthropic_beta("interleaved-thinking-2025-05-14"), Capabilities::NONE);
    }
}
