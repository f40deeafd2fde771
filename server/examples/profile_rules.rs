//! Which rules are slow: reads FILE, builds its syntax and model once, then runs every rule on
//! its own (median of repeated runs) and prints the costliest first, with how many findings
//! each rule has. A rule that is quadratic in the file size shows up at once on a big file
//! (`InvalidDefinitionDescription` took 79 ms on a 10,000-line file before it was fixed).
//!
//! Usage: `cargo run --release --example profile_rules -- FILE [RUNS]`.
//! Must not know: LSP types.

use std::time::{Duration, Instant};

use dockerfile_ls::analysis::features::diagnostics::{Ctx, DiagnosticsConfig, RULES};
use dockerfile_ls::analysis::{features, Document};

#[allow(clippy::print_stdout)]
fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: profile_rules FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or(21)
        .max(1);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let doc = Document::new(&text, 1);
    // Syntax and model are built once, as a diagnostics pass shares them among the rules.
    let _ = features::diagnostics(&doc);
    let config = DiagnosticsConfig::default();
    let ctx = Ctx::new(&doc, &config);
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let mut rows = Vec::new();
    for rule in RULES {
        let mut found = Vec::new();
        let times = (0..runs)
            .map(|_| {
                found.clear();
                let t = Instant::now();
                (rule.check)(&ctx, &mut found);
                t.elapsed()
            })
            .collect();
        let on = if rule.enabled_by_default {
            ""
        } else {
            " (off by default)"
        };
        rows.push((
            median(times),
            format!("{}{on}: {} findings", rule.name, found.len()),
        ));
    }
    let times = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(features::diagnostics(&doc));
            t.elapsed()
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (time, what) in &rows {
        println!("{:>10.1} µs  {what}", time.as_secs_f64() * 1e6);
    }
    println!(
        "{:>10.1} µs  the whole pass (default rules, suppressions, sorting)",
        median(times).as_secs_f64() * 1e6
    );
}
