//! Fixture helpers for analysis tests: `<|>` cursor markers and `^^^ label` rendering.
//!
//! A fixture is an unindented raw string; its first newline (after `r#"`) is dropped. One `<|>`
//! marks a position, two mark a range. Rendered output repeats each source line and puts
//! `^^^ label` under each labelled span on that line (`^` for an empty span), so snapshots show
//! what a range covers instead of numbers. Also the real-world corpus for the tests that read
//! it. Test code only (declared under `#[cfg(test)]`, and marked so here for `tests/tidy.rs`).
#![cfg(test)]

use super::{Document, Span};

pub const CURSOR: &str = "<|>";

/// Strips markers: the text and the marker offsets (in the stripped text).
pub fn parse_fixture(fixture: &str) -> (String, Vec<usize>) {
    let fixture = fixture.strip_prefix('\n').unwrap_or(fixture);
    let mut text = String::with_capacity(fixture.len());
    let mut marks = Vec::new();
    let mut rest = fixture;
    while let Some(i) = rest.find(CURSOR) {
        text.push_str(&rest[..i]);
        marks.push(text.len());
        rest = &rest[i + CURSOR.len()..];
    }
    text.push_str(rest);
    (text, marks)
}

/// A document and the single cursor offset of a fixture (0 when the fixture has none).
pub fn doc_with_cursor(fixture: &str) -> (Document, usize) {
    let (text, marks) = parse_fixture(fixture);
    (Document::new(&text, 0), marks.first().copied().unwrap_or(0))
}

/// Renders `text` with `^^^ label` lines under each span; a span over several lines is shown on
/// its first line, up to the end of that line.
pub fn render(text: &str, spans: &[(Span, String)]) -> String {
    let mut out = String::new();
    let mut line_start = 0;
    let mut spans: Vec<&(Span, String)> = spans.iter().collect();
    spans.sort_by_key(|(s, _)| (s.start, s.end));
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let line_end = line_start + content.len();
        out.push_str(content);
        out.push('\n');
        for (span, label) in &spans {
            let on_line = span.start >= line_start && span.start <= line_end;
            // A span at the very end of the text belongs to the last line.
            if !on_line {
                continue;
            }
            let col = content[..span.start - line_start].chars().count();
            let end = span.end.min(line_end).max(span.start);
            let width = content[span.start - line_start..end - line_start]
                .chars()
                .count()
                .max(1);
            out.push_str(&" ".repeat(col));
            out.push_str(&"^".repeat(width));
            if !label.is_empty() {
                out.push(' ');
                out.push_str(label);
            }
            out.push('\n');
        }
        line_start += line.len();
    }
    if text.is_empty() || text.ends_with('\n') {
        // Spans at the very end (after the last newline).
        for (span, label) in &spans {
            if span.start == text.len() && !text.is_empty() {
                out.push_str(&format!("^ {label}\n"));
            }
        }
    }
    out
}

/// `shared/corpus/real` beside the repository (in `..` of the checkout, or of any ancestor, so
/// a worktree under `/work/wt/...` finds `/work/shared`); `None` when absent.
pub fn corpus_dir() -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .map(|a| a.join("shared/corpus/real"))
        .find(|p| p.is_dir())
}

/// The texts of every file of the real-world corpus ([`corpus_dir`]), with their paths (read
/// leniently: bytes that are not UTF-8 are replaced); `None`, after saying so on stderr, when
/// the corpus is not beside the repository.
pub fn corpus_texts() -> Option<Vec<(std::path::PathBuf, String)>> {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipping: ../shared/corpus/real not found beside the repository");
        return None;
    };
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read corpus dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_none_or(|n| n != "MANIFEST.tsv") {
                let bytes = std::fs::read(&path).expect("read corpus file");
                out.push((path, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    assert!(!out.is_empty(), "empty corpus");
    Some(out)
}
