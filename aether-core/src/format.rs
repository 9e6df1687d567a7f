//! The wire formats Aether speaks, and the provider families they belong to.

use std::fmt;

/// One of the four request/response schemas Aether accepts from clients and sends to upstreams.
///
/// A CLI (Claude Code, Codex, Gemini CLI) is not a format: it speaks one of these.
///
/// ```
/// use aether_core::{Family, WireFormat};
///
/// assert_eq!(WireFormat::OpenAiResponses.family(), Family::OpenAi);
/// assert_eq!(WireFormat::Anthropic.to_string(), "anthropic");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WireFormat {
    /// OpenAI Chat Completions (`POST /v1/chat/completions`).
    OpenAiChat,
    /// OpenAI Responses (`POST /v1/responses`).
    OpenAiResponses,
    /// Anthropic Messages (`POST /v1/messages`).
    Anthropic,
    /// Gemini `generateContent` / `streamGenerateContent`.
    Gemini,
}

impl WireFormat {
    /// Every format, in a fixed order.
    pub const ALL: [WireFormat; 4] =
        [WireFormat::OpenAiChat, WireFormat::OpenAiResponses, WireFormat::Anthropic, WireFormat::Gemini];

    /// The provider family whose opaque artefacts (signatures, encrypted reasoning) this format carries.
    pub const fn family(self) -> Family {
        match self {
            WireFormat::OpenAiChat | WireFormat::OpenAiResponses => Family::OpenAi,
            WireFormat::Anthropic => Family::Anthropic,
            WireFormat::Gemini => Family::Google,
        }
    }

    /// A short, stable, lower-case name (for logs, metrics and config).
    pub const fn as_str(self) -> &'static str {
        match self {
            WireFormat::OpenAiChat => "openai_chat",
            WireFormat::OpenAiResponses => "openai_responses",
            WireFormat::Anthropic => "anthropic",
            WireFormat::Gemini => "gemini",
        }
    }
}

impl fmt::Display for WireFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A model vendor. Opaque reasoning artefacts are only valid within the family that minted them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// OpenAI (Chat Completions and Responses).
    OpenAi,
    /// Anthropic (Messages).
    Anthropic,
    /// Google (Gemini).
    Google,
}
