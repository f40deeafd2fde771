//! Criterion benchmarks of the pure analysis: full parse, a one-character edit with reparse and
//! model rebuild (from a shared old version, so the old syntax is cloned), the whole keystroke
//! path as the server runs it (edit, in-place incremental reparse, model, diagnostics),
//! diagnostics, completion at `--from=`, definition, hover, the outline (as the JSON of
//! `documentSymbol`), semantic tokens, formatting and
//! on-type formatting, on generated multi-stage
//! files of 100, 1,000 and 10,000 lines and on the largest real files of `../shared/corpus/real`
//! (when present).

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use dockerfile_ls::analysis::features::{self, CompletionConfig};
use dockerfile_ls::analysis::Document;
use dockerfile_ls::lsp::convert;

fn inputs() -> Vec<(String, String, usize, usize)> {
    let mut out: Vec<(String, String, usize, usize)> = [100, 1_000, 10_000]
        .into_iter()
        .map(|n| {
            let g = common::generate(n);
            (
                format!("{n} lines"),
                g.text,
                g.copy_from,
                g.mid_instruction_end,
            )
        })
        .collect();
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/real");
    if let Ok(manifest) = std::fs::read_to_string(format!("{corpus}/MANIFEST.tsv")) {
        let mut files: Vec<(usize, String)> = manifest
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .filter_map(|f| {
                std::fs::read_to_string(format!("{corpus}/{f}"))
                    .ok()
                    .map(|t| (t.len(), t))
            })
            .collect();
        files.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
        if let Some((len, text)) = files.into_iter().next() {
            let at = text.find("--from=").map_or(len / 2, |i| i + 7);
            let mid = text[..len / 2].rfind('\n').unwrap_or(0);
            out.push(("largest real file".to_string(), text, at, mid));
        }
    } else {
        eprintln!("skipping the real-file benchmark: {corpus} not found");
    }
    out
}

fn bench(c: &mut Criterion) {
    for (name, text, from_at, mid) in inputs() {
        let doc = Document::new(&text, 1);
        let mut g = c.benchmark_group(name.clone());
        g.bench_function(BenchmarkId::new("parse", &name), |b| {
            b.iter(|| Document::new(black_box(&text), 1))
        });
        g.bench_function(BenchmarkId::new("edit+reparse", &name), |b| {
            let mut version = 1;
            b.iter(|| {
                let mut next = doc.clone();
                version += 1;
                next.edit(mid, mid, "x");
                next.reparse(version);
                next
            })
        });
        // The LSP path: the new version replaces the old one, then the diagnostics pass asks
        // for syntax and model (an incremental reparse that updates the old syntax in place)
        // and runs the checks. Typing alternates with deleting, so the text stays the same size.
        g.bench_function(BenchmarkId::new("keystroke → diagnostics", &name), |b| {
            let mut cur = doc.clone();
            let mut version = 1;
            b.iter(|| {
                let mut next = cur.clone();
                version += 1;
                if version % 2 == 0 {
                    next.edit(mid, mid, "x");
                } else {
                    next.edit(mid, mid + 1, "");
                }
                next.set_version(version);
                cur = next;
                features::diagnostics(black_box(&cur))
            })
        });
        g.bench_function(BenchmarkId::new("diagnostics", &name), |b| {
            b.iter(|| features::diagnostics(black_box(&doc)))
        });
        g.bench_function(BenchmarkId::new("completion --from=", &name), |b| {
            b.iter(|| {
                features::completion(
                    black_box(&doc),
                    from_at,
                    CompletionConfig { snippets: true },
                )
            })
        });
        g.bench_function(BenchmarkId::new("definition", &name), |b| {
            b.iter(|| features::definition(black_box(&doc), from_at + 2))
        });
        g.bench_function(BenchmarkId::new("hover", &name), |b| {
            b.iter(|| {
                features::hover(
                    black_box(&doc),
                    from_at + 2,
                    features::HoverConfig { markdown: true },
                )
            })
        });
        // The outline as `textDocument/documentSymbol` answers it: the symbols, their LSP
        // ranges and the JSON of `DocumentSymbol[]`, into a buffer reused as the server does.
        let mut json = Vec::new();
        g.bench_function(BenchmarkId::new("outline (JSON)", &name), |b| {
            b.iter(|| {
                json.clear();
                convert::write_outline(black_box(&doc), convert::Encoding::Utf16, &mut json)
                    .unwrap();
                json.len()
            })
        });
        g.bench_function(BenchmarkId::new("semantic tokens", &name), |b| {
            b.iter(|| features::semantic_tokens::semantic_tokens(black_box(&doc), None))
        });
        // Lower-case keywords: every instruction gets an edit, and the result is verified.
        let format_config = features::formatting::FormatConfig {
            keyword_case: features::formatting::KeywordCase::Lower,
            ..Default::default()
        };
        g.bench_function(BenchmarkId::new("formatting", &name), |b| {
            b.iter(|| features::formatting::format(black_box(&doc), &format_config, None))
        });
        // A line break typed after a complete instruction (with trailing blanks to remove), as
        // the editor sends it.
        let mut typed = doc.clone();
        typed.edit(mid, mid, "  \n");
        typed.set_version(2);
        g.bench_function(BenchmarkId::new("on-type formatting", &name), |b| {
            b.iter(|| {
                features::formatting::format_on_type(black_box(&typed), &format_config, mid + 3)
            })
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
