//! Runs every editor feature over a document and checks that what comes back fits the document:
//! the one list of features that the fuzz targets (`server/fuzz`) and the property tests drive,
//! so a feature added here is fuzzed and property-tested from then on.
//!
//! A check failure is a bug in a feature (a span past the end, inside a UTF-8 character, a
//! completion edit that does not cover the cursor); the caller panics with the message.
//!
//! Must not know: LSP types (the conversion of spans to LSP ranges has its own tests).

use super::{
    completion, definition, diagnostics, document_links, highlights, hover, inlay_hints,
    prepare_rename, references, rename, semantic_tokens, signature_help,
    symbol::{occurrences, symbol_at},
    CompletionConfig, HoverConfig, InlayHintsConfig,
};
use crate::analysis::{Document, Span};

/// Names the rename tries: a valid stage and variable name, an invalid one, and an empty one.
const NEW_NAMES: &[&str] = &["renamed", "1 bad", ""];

/// Runs the document-wide features (diagnostics and their fixes) and checks their spans.
pub fn document_features(doc: &Document) -> Result<(), String> {
    for d in diagnostics(doc) {
        span_ok(doc, d.span, d.rule)?;
        for (span, _) in &d.related {
            span_ok(doc, *span, "diagnostic related information")?;
        }
        for fix in &d.fixes {
            for (span, _) in &fix.edits {
                span_ok(doc, *span, "diagnostic fix")?;
            }
        }
    }
    for token in semantic_tokens(doc, None) {
        span_ok(doc, token.span, "semantic token")?;
    }
    for link in document_links(doc) {
        span_ok(doc, link.span, "document link")?;
    }
    let whole = Span::new(0, doc.len());
    for hint in inlay_hints(
        doc,
        whole,
        InlayHintsConfig {
            variable_values: true,
            stage_indexes: true,
        },
    ) {
        span_ok(doc, Span::empty(hint.offset), "inlay hint")?;
    }
    Ok(())
}

/// Runs every feature that takes a cursor at `offset` (any value: past the end, inside a
/// character) and checks the spans they return.
pub fn features_at(doc: &Document, offset: usize) -> Result<(), String> {
    for span in definition(doc, offset) {
        span_ok(doc, span, "definition")?;
    }
    for include_declaration in [false, true] {
        for span in references(doc, offset, include_declaration) {
            span_ok(doc, span, "references")?;
        }
    }
    for (span, _) in highlights(doc, offset) {
        span_ok(doc, span, "highlights")?;
    }
    if let Some((span, name)) = prepare_rename(doc, offset) {
        span_ok(doc, span, "prepareRename")?;
        if doc.slice(span) != name {
            return Err(format!(
                "prepareRename placeholder {name:?} is not the text at {span:?}"
            ));
        }
    }
    for new_name in NEW_NAMES {
        if let Ok(edits) = rename(doc, offset, new_name) {
            for (span, _) in edits {
                span_ok(doc, span, "rename")?;
            }
        }
    }
    if let Some((symbol, span)) = symbol_at(doc, offset) {
        span_ok(doc, span, "symbol")?;
        for occ in occurrences(doc, symbol) {
            span_ok(doc, occ.span, "occurrence")?;
        }
    }
    for markdown in [false, true] {
        if let Some(h) = hover(doc, offset, HoverConfig { markdown }) {
            span_ok(doc, h.span, "hover")?;
        }
    }
    let _ = signature_help(doc, offset);
    let around = Span::new(
        doc.clamp(offset.saturating_sub(64)),
        doc.clamp(offset.saturating_add(64)),
    );
    for token in semantic_tokens(doc, Some(around)) {
        span_ok(doc, token.span, "semantic token in range")?;
    }
    for snippets in [false, true] {
        for item in completion(doc, offset, CompletionConfig { snippets }) {
            span_ok(doc, item.replace, "completion")?;
            completion_edit_ok(doc, offset, item.replace, &item.label)?;
        }
    }
    Ok(())
}

/// Offsets worth trying in `doc`: the ends, every line start and end, and a spread of others
/// (at most about `budget` of them), plus a few past the end and inside characters.
pub fn interesting_offsets(doc: &Document, budget: usize) -> Vec<usize> {
    let len = doc.len();
    let mut out = vec![0, len, len + 1, usize::MAX];
    let lines = doc.text().len_lines();
    let line_step = lines.div_ceil(budget.max(1)).max(1);
    for line in (0..lines).step_by(line_step) {
        let start = doc.line_start(line);
        out.push(start);
        out.push(start + doc.line_text(line).len());
    }
    let step = len.div_ceil(budget.max(1)).max(1);
    // Not a char boundary when the text holds multibyte characters: features must clamp.
    out.extend((0..len).step_by(step).map(|o| o + step / 2));
    out.sort_unstable();
    out.dedup();
    out
}

/// LSP: a completion edit "must be a single line range and it must contain the position at which
/// completion has been requested".
fn completion_edit_ok(
    doc: &Document,
    offset: usize,
    replace: Span,
    label: &str,
) -> Result<(), String> {
    let cursor = doc.clamp(offset);
    let text = doc.text();
    if cursor > 0
        && cursor < doc.len()
        && text.byte(cursor - 1) == b'\r'
        && text.byte(cursor) == b'\n'
    {
        // Between CR and LF is no LSP position (`lsp::convert` never produces this offset).
        return Ok(());
    }
    if !replace.touches(cursor) {
        return Err(format!(
            "completion {label:?} replaces {replace:?}, which does not contain the cursor {cursor}"
        ));
    }
    if doc.line_of(replace.start) != doc.line_of(replace.end) {
        return Err(format!(
            "completion {label:?} replaces {replace:?}, which spans lines"
        ));
    }
    Ok(())
}

/// A span is well-formed: ordered, inside the text, on character boundaries.
fn span_ok(doc: &Document, span: Span, what: &str) -> Result<(), String> {
    let len = doc.len();
    if span.start > span.end || span.end > len {
        return Err(format!(
            "{what}: span {span:?} is not inside the document (length {len})"
        ));
    }
    if doc.clamp(span.start) != span.start || doc.clamp(span.end) != span.end {
        return Err(format!("{what}: span {span:?} cuts a UTF-8 character"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) {
        let doc = Document::new(text, 0);
        document_features(&doc).unwrap();
        for offset in interesting_offsets(&doc, 64) {
            features_at(&doc, offset).unwrap_or_else(|e| panic!("offset {offset}: {e}"));
        }
    }

    #[test]
    fn offsets_cover_ends_lines_and_past_the_end() {
        let doc = Document::new("FROM a\r\nRUN é\rX", 0);
        let offsets = interesting_offsets(&doc, 64);
        for o in [0, 6, 8, 14, 15, 16, 17, usize::MAX] {
            assert!(offsets.contains(&o), "{o} missing from {offsets:?}");
        }
        // 13 is inside `é`.
        assert!(offsets.contains(&13), "{offsets:?}");
    }

    #[test]
    fn a_span_past_the_end_or_inside_a_char_fails() {
        let doc = Document::new("é", 0);
        assert!(span_ok(&doc, Span::new(0, 2), "x").is_ok());
        assert!(span_ok(&doc, Span::new(0, 3), "x").is_err());
        assert!(span_ok(&doc, Span::new(1, 2), "x").is_err());
        assert!(span_ok(&doc, Span::new(2, 0), "x").is_err());
    }

    #[test]
    fn every_feature_fits_on_real_shapes() {
        check("");
        check("FROM golang:1.22 AS build\nRUN --mount=from=build,target=/x \\\n  go build\nFROM build AS test\nCOPY --from=test /a /b\nARG A=${B:-é😀}\nRUN <<EOF\n$A\nEOF\n");
        check("# escape=`\r\nFROM a AS é\rCOPY --from=é `\r\n x y\r\n");
        check("\u{0}FROM \u{0}\nRUN <<EOF\nnever ends");
    }
}
