#![no_main]

use aether_core::WireFormat;

libfuzzer_sys::fuzz_target!(|data: &[u8]| aether_fuzz::translate(WireFormat::OpenAiResponses, WireFormat::Gemini, data));
