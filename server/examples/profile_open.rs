//! A fixed workload for profiling one big document (`perf record`): reads FILE, builds the
//! document and runs diagnostics, outline and folding, printing how long each step took.
//!
//! Usage: `cargo run --release --example profile_open -- FILE`.
//! Must not know: LSP types.

use std::hint::black_box;
use std::time::Instant;

use dockerfile_ls::analysis::{features, Document};

#[allow(clippy::print_stdout)]
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: profile_open FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let doc = Document::new(&text, 1);
    println!("document: {:?}", t.elapsed());
    let t = Instant::now();
    black_box(doc.syntax());
    println!("syntax: {:?}", t.elapsed());
    let t = Instant::now();
    black_box(doc.model());
    println!("model: {:?}", t.elapsed());
    let t = Instant::now();
    black_box(doc.tree());
    println!("tree: {:?}", t.elapsed());
    let t = Instant::now();
    let d = features::diagnostics(&doc);
    println!("diagnostics ({}): {:?}", d.len(), t.elapsed());
    let t = Instant::now();
    let s = features::document_symbols(&doc);
    println!("document symbols ({}): {:?}", s.len(), t.elapsed());
    let t = Instant::now();
    let f = features::folding_ranges(&doc, None);
    println!("folding ({}): {:?}", f.len(), t.elapsed());
}
