//! Fuzz target: see `dockerfile_ls::fuzz::lsp_frames`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dockerfile_ls::fuzz::lsp_frames(data));
