//! Estimating the input tokens of an IR request.

use super::{Counter, TokenCount};
use crate::ir::{Media, Part, Request, ResponseFormat, Source, Tool, ToolOutput};

/// Framing per message, as OpenAI documents for its chat models (the cookbook's "How to count
/// tokens with tiktoken"): 3 tokens per message, 1 more when it has a name, 3 to prime the reply.
const PER_MESSAGE: u64 = 3;
const PER_NAME: u64 = 1;
const REPLY_PRIMING: u64 = 3;

/// An image, whose size is not decoded: OpenAI, a 1024×1024 image at `high` detail (85 + 4 tiles ×
/// 170), or 85 at `low` detail; Claude, the ~1,600 tokens above which Anthropic scales images down;
/// Gemini, 1,120 (Gemini 3's default `media_resolution` for images).
const IMAGE_OPENAI: u64 = 765;
const IMAGE_OPENAI_LOW: u64 = 85;
const IMAGE_CLAUDE: u64 = 1_600;
const IMAGE_GEMINI: u64 = 1_120;

/// A document that is not inline text (a PDF, a file id): one page at the top of Anthropic's
/// published 1,500–3,000 tokens per page.
const DOCUMENT: u64 = 3_000;

/// The system prompt Anthropic adds when a request has tools (its tool-use pricing table: 346 tokens).
const CLAUDE_TOOL_PROMPT: u64 = 346;

/// The input tokens of `request` for the model it names: message text and framing, tool
/// definitions, tool calls and results, reasoning sent back, images and documents at a flat cost.
/// Always an estimate, even for OpenAI models: the framing of tools and structured output is not
/// documented.
///
/// ```
/// use aether_core::estimate;
/// use aether_core::ir::{Message, Request, Role};
///
/// let request = Request {
///     model: "gpt-4o".into(),
///     messages: vec![Message::text(Role::User, "hello world")],
///     ..Request::default()
/// };
/// let count = estimate::request(&request);
/// assert!(count.estimated);
/// if estimate::Counter::O200k.is_exact() {
///     assert_eq!(count.tokens, 3 + 2 + 3); // message framing, "hello world", reply priming
/// }
/// ```
pub fn request(request: &Request) -> TokenCount {
    let counter = Counter::for_model(&request.model);
    let mut total = TokenCount::estimate(REPLY_PRIMING);
    for message in &request.messages {
        total += TokenCount::estimate(PER_MESSAGE);
        if let Some(name) = &message.name {
            total += TokenCount::estimate(PER_NAME) + counter.count(name);
        }
        total += parts(counter, &message.content);
    }
    for tool in &request.tools {
        total += match tool {
            Tool::Function(function) => {
                let mut tokens = counter.count(&function.name);
                if let Some(description) = &function.description {
                    tokens += counter.count(description);
                }
                if let Some(parameters) = &function.parameters {
                    tokens += counter.count(&parameters.to_string());
                }
                tokens
            }
            Tool::Native(native) => counter.count(&native.value.to_string()),
        };
    }
    if counter == Counter::Claude && !request.tools.is_empty() {
        total += TokenCount::estimate(CLAUDE_TOOL_PROMPT);
    }
    if let Some(ResponseFormat::JsonSchema { schema, .. }) = &request.response_format {
        total += counter.count(&schema.to_string());
    }
    total
}

fn parts(counter: Counter, parts: &[Part]) -> TokenCount {
    parts.iter().fold(TokenCount::default(), |total, part| total + self::part(counter, part))
}

fn part(counter: Counter, part: &Part) -> TokenCount {
    match part {
        Part::Text(text) => counter.count(&text.text),
        Part::Refusal(text) => counter.count(text),
        Part::Image(media) => TokenCount::estimate(image(counter, media)),
        Part::Document(Media { source: Source::Text(text), .. }) => counter.count(text),
        Part::Document(_) => TokenCount::estimate(DOCUMENT),
        Part::Reasoning(reasoning) => {
            let text = reasoning.text.iter().chain(&reasoning.summary);
            text.fold(TokenCount::default(), |total, text| total + counter.count(text))
        }
        Part::ToolCall(call) => counter.count(&call.name) + counter.count(&call.arguments),
        Part::ToolResult(result) => match &result.content {
            ToolOutput::Parts(content) => parts(counter, content),
            ToolOutput::Json(value) => counter.count(&value.to_string()),
        },
        Part::Native(native) => counter.count(&native.value.to_string()),
    }
}

fn image(counter: Counter, media: &Media) -> u64 {
    match counter {
        Counter::Claude => IMAGE_CLAUDE,
        Counter::Gemini => IMAGE_GEMINI,
        Counter::O200k | Counter::Cl100k | Counter::Unknown => {
            if media.detail.as_deref() == Some("low") {
                IMAGE_OPENAI_LOW
            } else {
                IMAGE_OPENAI
            }
        }
    }
}
