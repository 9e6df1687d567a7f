//! Translates a request body between any two wire formats with `aether-core` alone.
//!
//! Run with: `cargo run -p aether-example-translate -- anthropic gemini < request.json`
//! (formats: `openai_chat`, `openai_responses`, `anthropic`, `gemini`; a Gemini source body is read as a
//! request for the model named by `AETHER_MODEL`, `gemini-3.8-flash` by default).

use std::io::Read;
use std::process::ExitCode;

use aether_core::protocol::PathParams;
use aether_core::{WireFormat, translate};

fn format(name: &str) -> Option<WireFormat> {
    WireFormat::ALL.into_iter().find(|format| format.as_str() == name)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [Some(from), Some(to)] = [args.first(), args.get(1)].map(|name| name.and_then(|n| format(n))) else {
        eprintln!("usage: aether-example-translate FROM TO < body.json");
        return ExitCode::FAILURE;
    };
    let mut body = Vec::new();
    if let Err(err) = std::io::stdin().read_to_end(&mut body) {
        eprintln!("cannot read stdin: {err}");
        return ExitCode::FAILURE;
    }
    let model = std::env::var("AETHER_MODEL").unwrap_or_else(|_| "gemini-3.8-flash".into());
    let path = PathParams { model: Some(model), stream: false };
    match translate::request(from, to, &body, &path) {
        Ok(out) => {
            println!("{}", String::from_utf8_lossy(&out.body));
            ExitCode::SUCCESS
        }
        Err(err) => {
            // The error a gateway would answer with, in the client's (source) format.
            let (status, body) = aether_core::protocol::codec(from).render_error(&err.to_api_error());
            eprintln!("{status} {}", String::from_utf8_lossy(&body));
            ExitCode::FAILURE
        }
    }
}
