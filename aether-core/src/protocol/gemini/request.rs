//! `GenerateContentRequest` ↔ [`ir::Request`].

use serde_json::Value;

use super::config::{self, Generation};
use super::parts::{At, Decoder, Encoder, extra, own, sign_first_call};
use super::types::{Content, Part, Request};
use crate::TranslateError;
use crate::ir::{self, Message, Role};
use crate::protocol::{PathParams, to_json};

/// Reads a request body; the model and streaming mode come from the URL.
pub(crate) fn decode(body: &[u8], path: &PathParams) -> Result<ir::Request, TranslateError> {
    let model = path.model.clone().ok_or_else(|| {
        TranslateError::invalid("model", "the URL names no model (`models/{model}:generateContent`)")
    })?;
    let wire: Request = serde_json::from_slice(body)?;
    let mut keep = wire.extra;
    let mut decoder = Decoder::default();
    let mut messages = Vec::with_capacity(wire.contents.len() + 1);
    if let Some(system) = wire.system_instruction {
        messages.push(instruction(system, &mut decoder)?);
    }
    for (index, content) in wire.contents.into_iter().enumerate() {
        messages.push(message(content, index, &mut decoder)?);
    }
    let tool_choice = wire.tool_config.and_then(|tc| config::decode_tool_config(tc, &mut keep));
    let generation =
        wire.generation_config.map(|gc| config::decode_generation(gc, &mut keep)).unwrap_or_default();
    Ok(ir::Request {
        model,
        stream: path.stream,
        messages,
        tools: config::decode_tools(wire.tools),
        tool_choice,
        max_output_tokens: generation.max_output_tokens,
        sampling: generation.sampling,
        stop: generation.stop,
        reasoning: generation.reasoning,
        response_format: generation.response_format,
        extra: extra(keep),
        ..ir::Request::default()
    })
}

/// `systemInstruction` → one leading system message; its `role` (if any) is kept as an extra member.
fn instruction(content: Content, decoder: &mut Decoder) -> Result<Message, TranslateError> {
    let Content { role, parts, extra: mut rest } = content;
    if let Some(role) = role {
        rest.insert("role".into(), Value::String(role));
    }
    let at = |part| At { list: "systemInstruction", index: None, inner: "", part };
    let content =
        parts.into_iter().enumerate().map(|(j, p)| decoder.part(p, at(j))).collect::<Result<_, _>>()?;
    Ok(Message { role: Role::System, content, extra: extra(rest), ..Message::default() })
}

fn message(content: Content, index: usize, decoder: &mut Decoder) -> Result<Message, TranslateError> {
    let role = match content.role.as_deref() {
        None | Some("user") => Role::User,
        Some("model") => Role::Assistant,
        Some(other) => {
            return Err(TranslateError::invalid(
                format!("contents[{index}].role"),
                format!("expected `user` or `model`, got `{other}`"),
            ));
        }
    };
    let at = |part| At { list: "contents", index: Some(index), inner: "", part };
    let parts = content
        .parts
        .into_iter()
        .enumerate()
        .map(|(j, p)| decoder.part(p, at(j)))
        .collect::<Result<_, _>>()?;
    Ok(Message { role, content: parts, extra: extra(content.extra), ..Message::default() })
}

fn only_responses(parts: &[Part]) -> bool {
    parts.iter().all(|p| p.function_response.is_some())
}

/// Writes a request body. The model and streaming mode are left to the URL the caller builds.
pub(crate) fn encode(request: ir::Request) -> Result<Vec<u8>, TranslateError> {
    let mut keep = own(request.extra);
    let mut encoder = Encoder::default();
    let mut system: Option<Content> = None;
    let mut contents: Vec<Content> = Vec::with_capacity(request.messages.len());
    for (index, message) in request.messages.into_iter().enumerate() {
        let instruction = message.role.is_instruction();
        let role = if message.role == Role::Assistant { "model" } else { "user" };
        let mut parts = Vec::with_capacity(message.content.len());
        for (j, part) in message.content.into_iter().enumerate() {
            let at = At { list: "messages", index: Some(index), inner: "", part: j };
            parts.extend(encoder.part(part, at)?);
        }
        if instruction {
            // Every instruction, leading or mid-conversation, joins `systemInstruction` in order.
            let target =
                system.get_or_insert_with(|| Content { extra: own(message.extra), ..Content::default() });
            target.parts.append(&mut parts);
            continue;
        }
        if message.role == Role::Assistant {
            sign_first_call(&mut parts);
        }
        if parts.is_empty() {
            continue;
        }
        match contents.last_mut() {
            // Results of one batch of calls sent as separate messages (OpenAI `tool` messages) share one
            // content, as Gemini expects as many responses in the turn as there were calls.
            Some(last) if only_responses(&last.parts) && only_responses(&parts) => {
                last.parts.append(&mut parts)
            }
            _ => contents.push(Content { role: Some(role.to_owned()), parts, extra: own(message.extra) }),
        }
    }
    let tool_config = config::encode_tool_config(request.tool_choice, &mut keep)?;
    let generation = Generation {
        sampling: request.sampling,
        max_output_tokens: request.max_output_tokens,
        stop: request.stop,
        reasoning: request.reasoning,
        response_format: request.response_format,
    };
    let generation_config = config::encode_generation(generation, &mut keep);
    to_json(&Request {
        contents,
        system_instruction: system,
        tools: config::encode_tools(request.tools),
        tool_config,
        generation_config,
        extra: keep,
    })
}
