//! Tests of the Anthropic codec, named for the behaviour they pin down.

mod decode;
mod encode;
mod errors;
mod fixtures;
mod roundtrip;

use serde_json::Value;

use super::Anthropic;
use crate::ir;
use crate::protocol::{Codec, PathParams};

fn decode(body: Value) -> ir::Request {
    Anthropic.decode_request(body.to_string().as_bytes(), &PathParams::default()).expect("decodes")
}

fn encode(request: ir::Request) -> Value {
    serde_json::from_slice(&Anthropic.encode_request(request).expect("encodes")).expect("JSON")
}

fn decode_response(body: Value) -> ir::Response {
    Anthropic.decode_response(body.to_string().as_bytes()).expect("decodes")
}

fn encode_response(response: ir::Response) -> Value {
    serde_json::from_slice(&Anthropic.encode_response(response).expect("encodes")).expect("JSON")
}
