//! Tests of the Chat Completions codec: unit tests per feature, fixtures, round-trip properties.

mod fixtures;
mod properties;
mod request;
mod response;

use serde_json::Value;

use super::OpenAiChat;
use crate::ir;
use crate::protocol::{Codec, PathParams};

fn decode(body: &Value) -> ir::Request {
    OpenAiChat
        .decode_request(&serde_json::to_vec(body).expect("json"), &PathParams::default())
        .expect("decodes")
}

fn encode(request: ir::Request) -> Value {
    serde_json::from_slice(&OpenAiChat.encode_request(request).expect("encodes")).expect("json")
}

fn decode_response(body: &Value) -> ir::Response {
    OpenAiChat.decode_response(&serde_json::to_vec(body).expect("json")).expect("decodes")
}

fn encode_response(response: ir::Response) -> Value {
    serde_json::from_slice(&OpenAiChat.encode_response(response).expect("encodes")).expect("json")
}
