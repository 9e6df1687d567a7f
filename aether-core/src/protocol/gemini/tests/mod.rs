//! Tests of the Gemini codec: decoding and encoding each feature, fixtures, round-trip properties and
//! error bodies.

mod errors;
mod fixtures;
mod properties;
mod requests;
mod responses;

use serde_json::Value;

use super::Gemini;
use crate::ir;
use crate::protocol::{Codec, PathParams};

fn path() -> PathParams {
    PathParams { model: Some("gemini-3.8-flash".into()), stream: true }
}

fn decode(body: &Value) -> ir::Request {
    Gemini.decode_request(body.to_string().as_bytes(), &path()).expect("decodes")
}

fn encode(request: ir::Request) -> Value {
    serde_json::from_slice(&Gemini.encode_request(request).expect("encodes")).expect("JSON")
}

fn decode_response(body: &Value) -> ir::Response {
    Gemini.decode_response(body.to_string().as_bytes()).expect("decodes")
}

fn encode_response(response: ir::Response) -> Value {
    serde_json::from_slice(&Gemini.encode_response(response).expect("encodes")).expect("JSON")
}
