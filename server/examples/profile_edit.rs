//! A fixed workload for instruction-count profiling (`valgrind --tool=callgrind`): opens a
//! generated multi-stage Dockerfile and types single characters in the middle, running the
//! per-keystroke path (edit, incremental reparse, model, diagnostics) after each one, as the LSP
//! server does.
//!
//! Usage: `cargo run --release --example profile_edit -- [LINES] [EDITS]` (defaults 10000, 20).
//! Must not know: LSP types (the conversion cost is measured by the LSP-level benchmark).

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;

use dockerfile_ls::analysis::{features, Document};

fn main() {
    let mut args = std::env::args().skip(1);
    let lines = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let edits: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let g = common::generate(lines);
    let mut doc = Document::new(&g.text, 1);
    black_box(features::diagnostics(&doc));
    let mut at = g.mid_instruction_end;
    for i in 0..edits {
        let mut next = doc.clone();
        // Alternate: type a character at the end of a complete instruction, then a newline
        // and a new instruction keyword letter, so instructions really change.
        let typed = if i % 8 == 7 { "\n" } else { "x" };
        next.edit(at, at, typed);
        at += typed.len();
        // As `didChange` does: the new version replaces the old one, then diagnostics parse it.
        next.set_version(2 + i as i32);
        doc = next;
        black_box(features::diagnostics(&doc));
    }
    black_box(doc.version());
}
