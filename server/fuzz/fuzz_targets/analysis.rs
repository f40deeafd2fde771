//! Fuzz target: see `dockerfile_ls::fuzz::analysis`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dockerfile_ls::fuzz::analysis(data));
