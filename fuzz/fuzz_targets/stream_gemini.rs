#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aether_fuzz::stream(aether_core::WireFormat::Gemini, data));
