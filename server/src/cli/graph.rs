//! `dockerfile-ls graph FILE [--target NAME] [--format text|mermaid|dot|json|svg] [--ascii]`:
//! the stage graph on the command line.
//!
//! The renderers are pure functions in `analysis::graph`; this module reads the file, picks the
//! target and the character set, and prints. `json` is the object the LSP request
//! `dockerfile-ls/stageGraph` returns, with ranges counted in UTF-16 code units (LSP's default
//! encoding), so tools can share one parser for both.
//!
//! Text uses box-drawing characters when the locale is UTF-8 (the first non-empty of `LC_ALL`,
//! `LC_CTYPE`, `LANG` names UTF-8), plain ASCII otherwise or with `--ascii`.
//!
//! Exit codes: 0 when the graph is printed (cycles and an unknown target comment are reported on
//! stderr), 2 when the file cannot be read or `--target` names no stage.
//!
//! Must not know: LSP types (the JSON comes from `lsp::convert`, the one place that shapes it).

use std::path::Path;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{check, EXIT_USAGE};
use crate::analysis::graph::text::Charset;
use crate::analysis::graph::{self, StageGraph, TargetSource};
use crate::analysis::Document;
use crate::lsp::convert::{self, Encoding};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Mermaid,
    Dot,
    Json,
    Svg,
}

pub fn run(path: &Path, target: Option<&str>, format: Format, ascii: bool) -> ExitCode {
    let (name, text) = match check::read(path) {
        Ok(input) => input,
        Err(message) => {
            eprintln!("dockerfile-ls: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let doc = Document::new(&text, 0);
    let target = target.map(str::trim).filter(|t| !t.is_empty());
    let g = match target {
        Some(t) => StageGraph::build_for_target(&doc, t),
        None => StageGraph::build(&doc, None),
    };
    if let Some(unknown) = &g.unknown_target {
        let names: Vec<String> = doc
            .model()
            .stages
            .iter()
            .filter_map(|s| s.name.as_ref().map(|n| format!("`{}`", n.key)))
            .collect();
        let known = if names.is_empty() {
            "the file has no named stages".to_string()
        } else {
            format!("stages: {}", names.join(", "))
        };
        match (&g.source, target) {
            (_, Some(_)) => {
                eprintln!(
                    "dockerfile-ls: {name}: target stage `{unknown}` could not be found ({known})"
                );
                return ExitCode::from(EXIT_USAGE);
            }
            (TargetSource::Comment(c), None) => eprintln!(
                "dockerfile-ls: {name}:{}: warning: target stage `{unknown}` could not be found; showing the last stage ({known})",
                doc.line_of(c.span.start) + 1
            ),
            _ => {}
        }
    }
    for cycle in &g.cycles {
        let names: Vec<String> = cycle
            .iter()
            .map(|&s| format!("`{}`", g.nodes[s].label()))
            .collect();
        eprintln!(
            "dockerfile-ls: {name}: error: circular dependency between stages {}",
            names.join(", ")
        );
    }
    let out = match format {
        Format::Json => {
            let value = convert::stage_graph(&doc, &g, Encoding::Utf16);
            let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Text => {
            let charset = if ascii || !utf8_locale(&|k| std::env::var(k).ok()) {
                Charset::Ascii
            } else {
                Charset::Unicode
            };
            graph::render(&g, graph::Format::Text(charset))
        }
        Format::Mermaid => graph::render(&g, graph::Format::Mermaid),
        Format::Dot => graph::render(&g, graph::Format::Dot),
        Format::Svg => graph::render(&g, graph::Format::Svg),
    };
    super::emit(&out);
    ExitCode::SUCCESS
}

/// True when the locale's character set is UTF-8: the first non-empty of `LC_ALL`,
/// `LC_CTYPE`, `LANG` (POSIX precedence) mentions `UTF-8` or `utf8`.
fn utf8_locale(var: &dyn Fn(&str) -> Option<String>) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| var(k).filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn locale_decides_the_charset() {
        assert!(!utf8_locale(&env(&[])));
        assert!(utf8_locale(&env(&[("LANG", "en_US.UTF-8")])));
        assert!(utf8_locale(&env(&[("LANG", "C"), ("LC_ALL", "C.utf8")])));
        assert!(!utf8_locale(&env(&[
            ("LANG", "en_US.UTF-8"),
            ("LC_ALL", "C")
        ])));
        assert!(utf8_locale(&env(&[("LC_ALL", ""), ("LANG", "de_DE.utf8")])));
    }
}
