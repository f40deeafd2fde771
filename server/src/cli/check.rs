//! `dockerfile-ls check FILE...`: diagnostics on the command line.
//!
//! One block per diagnostic, sorted by position:
//!
//! ```text
//! Dockerfile:2:16: error[DuplicateStageName]: stage `build` is already defined on line 1
//!     FROM alpine AS build
//!                    ^^^^^
//! ```
//!
//! Lines and columns are 1-based, columns count characters. Exit code: 2 if a file could not be
//! read (or is not UTF-8), else 1 if any diagnostic is an error, else 0.
//!
//! Must not know: LSP types.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::EXIT_USAGE;
use crate::analysis::features::{diagnostics, Diagnostic, Severity};
use crate::analysis::{Document, Span};

/// The source line under a diagnostic is indented by this much.
const INDENT: &str = "    ";

pub fn run(files: &[PathBuf]) -> ExitCode {
    let mut io_error = false;
    let mut any_error = false;
    for path in files {
        let (name, text) = match read(path) {
            Ok(input) => input,
            Err(message) => {
                eprintln!("dockerfile-ls: {message}");
                io_error = true;
                continue;
            }
        };
        let doc = Document::new(&text, 0);
        let mut diags = diagnostics(&doc);
        diags.sort_by_key(|d| (d.span.start, d.span.end));
        any_error |= diags.iter().any(|d| d.severity == Severity::Error);
        emit(&render(&name, &doc, &diags));
    }
    if io_error {
        ExitCode::from(EXIT_USAGE)
    } else if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The report is this command's output, so it goes to stdout (the workspace denies printing to
/// stdout because in server mode stdout carries the protocol; `check` never serves).
#[allow(clippy::print_stdout)]
fn emit(report: &str) {
    print!("{report}");
}

/// The display name and text of `path` (`-` is stdin), or a one-line error message.
pub(super) fn read(path: &Path) -> Result<(String, String), String> {
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|err| format!("cannot read stdin: {err}"))?;
        ("<stdin>".to_string(), bytes)
    } else {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|err| format!("cannot read `{name}`: {err}"))?;
        (name, bytes)
    };
    decode(&name, bytes).map(|text| (name, text))
}

fn decode(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|err| {
        format!(
            "`{name}` is not valid UTF-8 (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        )
    })
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
        Severity::Hint => "hint",
    }
}

/// 1-based line and character column of `offset`.
fn human_position(doc: &Document, offset: usize) -> (usize, usize) {
    let (line, byte_col) = doc.line_col(offset);
    let line_start = doc.line_start(line);
    let chars = doc
        .slice(Span::new(line_start, line_start + byte_col))
        .chars()
        .count();
    (line + 1, chars + 1)
}

/// The report for one file: a header line, the source line and a caret line per diagnostic.
pub fn render(name: &str, doc: &Document, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let (line, col) = human_position(doc, d.span.start);
        out.push_str(&format!(
            "{name}:{line}:{col}: {}[{}]: {}\n",
            severity_name(d.severity),
            d.rule,
            d.message
        ));
        let source = doc.line_text(line - 1);
        out.push_str(&format!("{INDENT}{source}\n"));
        out.push_str(&format!(
            "{INDENT}{}\n",
            carets(&source, col - 1, doc, d.span)
        ));
        for (span, message) in &d.related {
            let (line, col) = human_position(doc, span.start);
            out.push_str(&format!("{name}:{line}:{col}: note: {message}\n"));
        }
    }
    out
}

/// Spaces up to character column `col` of `source` (tabs kept, so the carets line up), then one
/// `^` per character of `span` on that line (at least one).
fn carets(source: &str, col: usize, doc: &Document, span: Span) -> String {
    let pad: String = source
        .chars()
        .take(col)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let on_line = doc.slice(span);
    let on_line = on_line.split(['\n', '\r']).next().unwrap_or("");
    let width = on_line.chars().count().max(1);
    format!("{pad}{}", "^".repeat(width)).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::features::Tag;

    fn diag(span: Span, severity: Severity, message: &str) -> Diagnostic {
        Diagnostic {
            span,
            severity,
            rule: "DuplicateStageName",
            message: message.to_string(),
            tags: Vec::<Tag>::new(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    #[test]
    fn renders_location_source_and_carets() {
        let text = "FROM golang AS build\nFROM alpine AS build\n";
        let doc = Document::new(text, 0);
        let start = text.rfind("build").unwrap();
        let mut d = diag(
            Span::new(start, start + 5),
            Severity::Error,
            "stage `build` is already defined on line 1",
        );
        d.related
            .push((Span::new(15, 20), "first defined here".to_string()));
        let expected = "\
Dockerfile:2:16: error[DuplicateStageName]: stage `build` is already defined on line 1
    FROM alpine AS build
                   ^^^^^
Dockerfile:1:16: note: first defined here
";
        assert_eq!(render("Dockerfile", &doc, &[d]), expected);
    }

    #[test]
    fn columns_count_characters_and_keep_tabs() {
        let text = "FROM a\n\tRUN é x\r\n";
        let doc = Document::new(text, 0);
        let start = text.find('x').unwrap();
        let d = diag(Span::new(start, start), Severity::Warning, "m");
        let expected = "f:2:8: warning[DuplicateStageName]: m\n    \tRUN é x\n    \t      ^\n";
        assert_eq!(render("f", &doc, &[d]), expected);
    }

    #[test]
    fn multi_line_spans_underline_to_the_end_of_the_first_line() {
        let text = "RUN a \\\n  b\n";
        let doc = Document::new(text, 0);
        let d = diag(Span::new(4, 11), Severity::Hint, "m");
        assert_eq!(
            render("f", &doc, &[d]),
            "f:1:5: hint[DuplicateStageName]: m\n    RUN a \\\n        ^^^\n"
        );
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let err = decode("Dockerfile", b"FROM a\xff".to_vec()).unwrap_err();
        assert_eq!(
            err,
            "`Dockerfile` is not valid UTF-8 (invalid byte at offset 6)"
        );
    }
}
