//! Conversions between the analysis core (UTF-8 byte offsets, plain structs) and LSP shapes.
//!
//! Invariant: this is the only module that knows LSP positions count UTF-16 (or, when negotiated,
//! UTF-8) code units, and the only one that builds LSP result types from analysis results.
//! Positions from the client are never trusted: a line past the end maps to the end of the
//! document, a column past the end of its line maps to the line end (LSP: "If the character value
//! is greater than the line length it defaults back to the line length"), and a column inside a
//! surrogate pair or a multibyte character snaps to the start of that character.

use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, CompletionItemKind, DiagnosticRelatedInformation, DiagnosticSeverity,
    DiagnosticTag, DocumentHighlightKind, Documentation, InsertTextFormat, Location, MarkupContent,
    MarkupKind, NumberOrString, Position, PositionEncodingKind, Range,
    TextDocumentContentChangeEvent, Uri,
};

use tower_lsp_server::jsonrpc::{Error, ErrorCode};

use crate::analysis::features::{
    self, semantic_tokens as tokens, CompletionItem, CompletionKind, Diagnostic, HighlightKind,
    RenameError, Severity, Tag, TokenType,
};
use crate::analysis::{Document, Span};

/// The value of `diagnostic.source`.
pub const SOURCE: &str = "dockerfile-ls";

/// What LSP `Position.character` counts, as negotiated in `initialize`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// The LSP default, which every server must support.
    #[default]
    Utf16,
}

impl Encoding {
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// Byte offset of the end of `line`'s content (before its line break).
fn line_content_end(text: &Rope, line: usize) -> usize {
    let start = text.line_to_byte(line);
    let slice = text.line(line);
    let mut len = slice.len_bytes();
    // With `cr_lines`, a line ends in `\n`, `\r\n` or a lone `\r`.
    if len > 0 && slice.byte(len - 1) == b'\n' {
        len -= 1;
    }
    if len > 0 && slice.byte(len - 1) == b'\r' {
        len -= 1;
    }
    start + len
}

/// The byte offset of an LSP position, clamped into the document.
pub fn offset(doc: &Document, pos: Position, enc: Encoding) -> usize {
    let text = doc.text();
    let line = pos.line as usize;
    if line >= text.len_lines() {
        return text.len_bytes();
    }
    let start = text.line_to_byte(line);
    let end = line_content_end(text, line);
    let col = pos.character as usize;
    match enc {
        // `Document::clamp` moves a byte inside a multibyte char back to the char's start.
        Encoding::Utf8 => doc.clamp(start.saturating_add(col).min(end)),
        Encoding::Utf16 => {
            let start_cu = text.char_to_utf16_cu(text.byte_to_char(start));
            let end_cu = text.char_to_utf16_cu(text.byte_to_char(end));
            let target = start_cu.saturating_add(col).min(end_cu);
            // Inside a surrogate pair, ropey returns the char the pair belongs to.
            text.char_to_byte(text.utf16_cu_to_char(target))
        }
    }
}

/// The LSP position of a byte offset (clamped into the document, snapped to a char start).
pub fn position(doc: &Document, offset: usize, enc: Encoding) -> Position {
    let text = doc.text();
    let offset = doc.clamp(offset);
    let line = text.byte_to_line(offset);
    let start = text.line_to_byte(line);
    let col = match enc {
        Encoding::Utf8 => offset - start,
        Encoding::Utf16 => {
            text.char_to_utf16_cu(text.byte_to_char(offset))
                - text.char_to_utf16_cu(text.byte_to_char(start))
        }
    };
    Position::new(to_u32(line), to_u32(col))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn range(doc: &Document, span: Span, enc: Encoding) -> Range {
    Range::new(position(doc, span.start, enc), position(doc, span.end, enc))
}

/// The byte span of an LSP range; a reversed range is treated as empty at its start.
pub fn span(doc: &Document, range: Range, enc: Encoding) -> Span {
    let start = offset(doc, range.start, enc);
    let end = offset(doc, range.end, enc).max(start);
    Span::new(start, end)
}

/// Applies one `contentChanges` entry: with a range it replaces that range, without one it
/// replaces the whole text (LSP: "the whole content of the document").
pub fn apply_change(doc: &mut Document, change: &TextDocumentContentChangeEvent, enc: Encoding) {
    let span = match change.range {
        Some(r) => span(doc, r, enc),
        None => Span::new(0, doc.len()),
    };
    doc.edit(span.start, span.end, &change.text);
}

pub fn location(doc: &Document, uri: &Uri, span: Span, enc: Encoding) -> Location {
    Location::new(uri.clone(), range(doc, span, enc))
}

pub fn diagnostic(doc: &Document, uri: &Uri, d: &Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    let severity = match d.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    };
    let tags: Vec<DiagnosticTag> = d
        .tags
        .iter()
        .map(|t| match t {
            Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => DiagnosticTag::DEPRECATED,
        })
        .collect();
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|(span, message)| DiagnosticRelatedInformation {
            location: location(doc, uri, *span, enc),
            message: message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: range(doc, d.span, enc),
        severity: Some(severity),
        code: Some(NumberOrString::String(d.rule.to_string())),
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        ..lsp::Diagnostic::default()
    }
}

pub fn highlight(
    doc: &Document,
    span: Span,
    kind: HighlightKind,
    enc: Encoding,
) -> lsp::DocumentHighlight {
    lsp::DocumentHighlight {
        range: range(doc, span, enc),
        kind: Some(match kind {
            HighlightKind::Write => DocumentHighlightKind::WRITE,
            HighlightKind::Read => DocumentHighlightKind::READ,
        }),
    }
}

pub fn completion_item(
    doc: &Document,
    item: &CompletionItem,
    enc: Encoding,
) -> lsp::CompletionItem {
    let kind = match item.kind {
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Flag => CompletionItemKind::PROPERTY,
        CompletionKind::Property => CompletionItemKind::FIELD,
        CompletionKind::Value => CompletionItemKind::VALUE,
        CompletionKind::Stage => CompletionItemKind::REFERENCE,
        CompletionKind::Variable => CompletionItemKind::VARIABLE,
        CompletionKind::Directive => CompletionItemKind::KEYWORD,
        CompletionKind::Image => CompletionItemKind::MODULE,
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: item.detail.clone(),
        documentation: item.documentation.as_ref().map(|md| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: md.clone(),
            })
        }),
        sort_text: item.sort_text.clone(),
        filter_text: item.filter_text.clone(),
        insert_text_format: Some(if item.snippet {
            InsertTextFormat::SNIPPET
        } else {
            InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
            range(doc, item.replace, enc),
            item.insert_text.clone(),
        ))),
        ..lsp::CompletionItem::default()
    }
}

// ---- hover, semantic tokens, links, inlay hints, signature help (issue 5A) ----

pub fn hover(doc: &Document, h: &features::Hover, markdown: bool, enc: Encoding) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(MarkupContent {
            kind: if markdown {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value: h.text.clone(),
        }),
        range: Some(range(doc, h.span, enc)),
    }
}

/// The legend: every [`TokenType`] and modifier the analysis can emit, in wire order.
pub fn semantic_legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TokenType::ALL
            .iter()
            .map(|t| lsp::SemanticTokenType::new(t.name()))
            .collect(),
        token_modifiers: tokens::MODIFIERS
            .iter()
            .map(|m| lsp::SemanticTokenModifier::new(m))
            .collect(),
    }
}

/// Code units of the char starting with byte `b` (0 for a continuation byte).
fn units(b: u8, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => 1,
        Encoding::Utf16 => match b {
            0x80..=0xBF => 0,
            0xF0..=0xFF => 2,
            _ => 1,
        },
    }
}

/// Encodes sorted, disjoint tokens relative to each other (LSP's 5-integer form) in one sweep
/// over the text from the first token's line: O(text + tokens), no per-token rope lookup. A token
/// that crosses a line break becomes one token per line unless the client declared
/// `multilineTokenSupport` (then its length counts the line breaks too).
pub fn semantic_tokens(
    doc: &Document,
    tokens: &[features::SemanticToken],
    enc: Encoding,
    multiline: bool,
) -> Vec<lsp::SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    let Some(first) = tokens.first() else {
        return out;
    };
    let text = doc.text();
    let start_line = text.byte_to_line(doc.clamp(first.span.start));
    let mut pos = text.line_to_byte(start_line);
    let mut bytes = ByteCursor::new(text, pos);
    let (mut line, mut col) = (to_u32(start_line), 0u32);
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    let mut emit = |l: u32, c: u32, len: u32, t: &features::SemanticToken| {
        if len == 0 {
            return;
        }
        let delta_line = l - prev_line;
        let delta_start = if delta_line == 0 { c - prev_start } else { c };
        out.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: len,
            token_type: t.ty.index(),
            token_modifiers_bitset: t.modifiers,
        });
        prev_line = l;
        prev_start = c;
    };
    // One byte forward; true when it ended a line (`\n`, `\r\n`'s `\n`, or a lone `\r`).
    let step = |bytes: &mut ByteCursor<'_>, col: &mut u32| match bytes.next() {
        None => false,
        Some(b'\n') => true,
        Some(b'\r') => bytes.peek() != Some(b'\n'),
        Some(b) => {
            *col += units(b, enc);
            false
        }
    };
    let len = text.len_bytes();
    for t in tokens {
        let (start, end) = (t.span.start.min(len), t.span.end.min(len));
        if start < pos {
            continue;
        }
        while pos < start {
            pos += 1;
            if step(&mut bytes, &mut col) {
                line += 1;
                col = 0;
            }
        }
        let (first_line, first_col) = (line, col);
        let (mut seg_line, mut seg_col) = (line, col);
        while pos < end {
            pos += 1;
            if step(&mut bytes, &mut col) {
                if !multiline {
                    emit(seg_line, seg_col, col - seg_col, t);
                }
                line += 1;
                col = 0;
                (seg_line, seg_col) = (line, 0);
            }
        }
        if multiline {
            emit(
                first_line,
                first_col,
                units_between(doc, start, end, enc),
                t,
            );
        } else {
            emit(seg_line, seg_col, col - seg_col, t);
        }
    }
    out
}

/// Bytes of a rope from an offset on, chunk by chunk (ropey's byte iterator costs several times
/// more per byte, which shows on 10,000-line files).
struct ByteCursor<'a> {
    chunks: ropey::iter::Chunks<'a>,
    chunk: &'a [u8],
    i: usize,
}

impl<'a> ByteCursor<'a> {
    fn new(text: &'a Rope, at: usize) -> ByteCursor<'a> {
        let (chunks, chunk_start, _, _) = text.chunks_at_byte(at);
        let mut c = ByteCursor {
            chunks,
            chunk: &[],
            i: 0,
        };
        // `chunks_at_byte` starts at the chunk containing `at`.
        if let Some(first) = c.chunks.next() {
            c.chunk = first.as_bytes();
            c.i = at - chunk_start;
        }
        c
    }

    fn fill(&mut self) -> bool {
        while self.i >= self.chunk.len() {
            match self.chunks.next() {
                Some(next) => {
                    self.chunk = next.as_bytes();
                    self.i = 0;
                }
                None => return false,
            }
        }
        true
    }

    fn next(&mut self) -> Option<u8> {
        if !self.fill() {
            return None;
        }
        let b = self.chunk[self.i];
        self.i += 1;
        Some(b)
    }

    fn peek(&mut self) -> Option<u8> {
        self.fill().then(|| self.chunk[self.i])
    }
}

/// Code units from `start` to `end`, line breaks included.
fn units_between(doc: &Document, start: usize, end: usize, enc: Encoding) -> u32 {
    let text = doc.text();
    match enc {
        Encoding::Utf8 => to_u32(end - start),
        Encoding::Utf16 => to_u32(
            text.char_to_utf16_cu(text.byte_to_char(end))
                - text.char_to_utf16_cu(text.byte_to_char(start)),
        ),
    }
}

/// The edits that turn `old` into `new`: one replacement of the differing middle (token
/// aligned, in units of integers as LSP counts them), nothing when they are equal.
pub fn semantic_edits(
    old: &[lsp::SemanticToken],
    new: &[lsp::SemanticToken],
) -> Vec<lsp::SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    if prefix == old.len() && prefix == new.len() {
        return Vec::new();
    }
    let inserted = &new[prefix..new.len() - suffix];
    vec![lsp::SemanticTokensEdit {
        start: to_u32(prefix * 5),
        delete_count: to_u32((old.len() - prefix - suffix) * 5),
        data: (!inserted.is_empty()).then(|| inserted.to_vec()),
    }]
}

pub fn document_link(
    doc: &Document,
    l: &features::DocumentLink,
    enc: Encoding,
) -> lsp::DocumentLink {
    lsp::DocumentLink {
        range: range(doc, l.span, enc),
        target: l.target.parse::<Uri>().ok(),
        tooltip: Some(l.tooltip.clone()),
        data: None,
    }
}

pub fn inlay_hint(doc: &Document, h: &features::InlayHint, enc: Encoding) -> lsp::InlayHint {
    lsp::InlayHint {
        position: position(doc, h.offset, enc),
        label: lsp::InlayHintLabel::String(h.label.clone()),
        // Neither a type nor a parameter name: no kind, so clients style it neutrally.
        kind: None,
        text_edits: None,
        tooltip: Some(lsp::InlayHintTooltip::String(h.tooltip.clone())),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

/// `[start, end)` of a parameter inside a signature label, in UTF-16 code units (LSP: "offsets
/// are based on a UTF-16 string representation").
fn label_offsets(label: &str, (start, end): (usize, usize)) -> [u32; 2] {
    let cu = |i: usize| to_u32(label.get(..i).map_or(0, |s| s.encode_utf16().count()));
    [cu(start), cu(end)]
}

pub fn signature_help(h: &features::SignatureHelp) -> lsp::SignatureHelp {
    lsp::SignatureHelp {
        signatures: h
            .signatures
            .iter()
            .map(|s| lsp::SignatureInformation {
                label: s.label.clone(),
                documentation: Some(Documentation::String(s.doc.clone())),
                parameters: Some(
                    s.parameters
                        .iter()
                        .map(|&p| lsp::ParameterInformation {
                            label: lsp::ParameterLabel::LabelOffsets(label_offsets(&s.label, p)),
                            documentation: None,
                        })
                        .collect(),
                ),
                active_parameter: None,
            })
            .collect(),
        active_signature: Some(to_u32(h.active_signature)),
        active_parameter: h.active_parameter.map(to_u32),
    }
}

/// LSP `RequestFailed`: "a request failed but it was syntactically correct".
const REQUEST_FAILED: i64 = -32803;

/// A rename the analysis refused: a bad name is the client's params being invalid; nothing to
/// rename or a name clash is a well-formed request that failed. Either way the message is shown
/// to the user.
pub fn rename_error(err: &RenameError) -> Error {
    let code = match err {
        RenameError::InvalidName(_) => ErrorCode::InvalidParams,
        RenameError::NoSymbol | RenameError::Conflict(_) => ErrorCode::ServerError(REQUEST_FAILED),
    };
    Error {
        code,
        message: err.to_string().into(),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::new(text, 0)
    }

    fn off16(d: &Document, line: u32, col: u32) -> usize {
        offset(d, Position::new(line, col), Encoding::Utf16)
    }

    #[test]
    fn utf16_columns_count_code_units() {
        // 😀 is 4 bytes and 2 UTF-16 code units; é is 2 bytes and 1 code unit.
        let d = doc("a😀é b\n");
        assert_eq!(off16(&d, 0, 0), 0);
        assert_eq!(off16(&d, 0, 1), 1);
        assert_eq!(off16(&d, 0, 3), 5);
        assert_eq!(off16(&d, 0, 4), 7);
        assert_eq!(off16(&d, 0, 5), 8);
        assert_eq!(position(&d, 7, Encoding::Utf16), Position::new(0, 4));
        assert_eq!(position(&d, 7, Encoding::Utf8), Position::new(0, 7));
    }

    #[test]
    fn column_inside_a_surrogate_pair_snaps_to_the_char_start() {
        let d = doc("a😀b");
        assert_eq!(off16(&d, 0, 2), 1);
        // UTF-8 column in the middle of the emoji.
        assert_eq!(offset(&d, Position::new(0, 3), Encoding::Utf8), 1);
    }

    #[test]
    fn past_the_end_positions_clamp() {
        let d = doc("FROM a\r\nRUN b\rX");
        // Column past the line end stops before the line break.
        assert_eq!(off16(&d, 0, 100), 6);
        assert_eq!(offset(&d, Position::new(0, 100), Encoding::Utf8), 6);
        // Lone `\r` is a line break.
        assert_eq!(off16(&d, 1, 100), 13);
        assert_eq!(off16(&d, 2, 0), 14);
        // Line past the end is the end of the document.
        assert_eq!(off16(&d, 9, 0), d.len());
        assert_eq!(off16(&d, u32::MAX, u32::MAX), d.len());
    }

    #[test]
    fn positions_round_trip_on_crlf_text() {
        let d = doc("FROM a AS b\r\nCOPY --from=b / /\r\n");
        for off in 0..=d.len() {
            // Between `\r` and `\n` is no LSP position; it maps to the line end.
            if d.text().to_string().as_bytes().get(off.wrapping_sub(1)) == Some(&b'\r') {
                continue;
            }
            let p = position(&d, off, Encoding::Utf16);
            assert_eq!(offset(&d, p, Encoding::Utf16), d.clamp(off), "offset {off}");
        }
        assert_eq!(position(&d, d.len(), Encoding::Utf16), Position::new(2, 0));
    }

    #[test]
    fn changes_apply_in_order_and_full_text_replaces() {
        let mut d = doc("FROM a\n");
        let edit = |range: Option<Range>, text: &str| TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_string(),
        };
        apply_change(
            &mut d,
            &edit(
                Some(Range::new(Position::new(0, 6), Position::new(0, 6))),
                " AS 😀",
            ),
            Encoding::Utf16,
        );
        // After the emoji (2 code units) at column 10.
        apply_change(
            &mut d,
            &edit(
                Some(Range::new(Position::new(0, 12), Position::new(0, 12))),
                "x",
            ),
            Encoding::Utf16,
        );
        assert_eq!(d.text().to_string(), "FROM a AS 😀x\n");
        apply_change(&mut d, &edit(None, "FROM b\n"), Encoding::Utf16);
        assert_eq!(d.text().to_string(), "FROM b\n");
    }

    fn encoded(text: &str, enc: Encoding, multiline: bool) -> Vec<[u32; 5]> {
        let d = doc(text);
        let tokens = features::semantic_tokens(&d, None);
        semantic_tokens(&d, &tokens, enc, multiline)
            .iter()
            .map(|t| {
                [
                    t.delta_line,
                    t.delta_start,
                    t.length,
                    t.token_type,
                    t.token_modifiers_bitset,
                ]
            })
            .collect()
    }

    #[test]
    fn semantic_tokens_count_utf16_after_an_emoji() {
        // `😀` is 2 UTF-16 code units and 4 bytes: `y` starts at 13 (UTF-16) or 15 (UTF-8), 6
        // or 8 after the `=` at 7.
        let text = "FROM a AS b\nLABEL x=\"😀\" y=1\n";
        let keyword = TokenType::Keyword.index();
        let property = TokenType::Property.index();
        let utf16 = encoded(text, Encoding::Utf16, false);
        assert_eq!(utf16[4], [1, 0, 5, keyword, 0]);
        assert_eq!(utf16[5], [0, 6, 1, property, 0]);
        assert_eq!(utf16[7], [0, 6, 1, property, 0]);
        let utf8 = encoded(text, Encoding::Utf8, false);
        assert_eq!(utf8[7], [0, 8, 1, property, 0]);
    }

    #[test]
    fn multi_line_tokens_split_unless_the_client_takes_them() {
        // `--fr\` + CRLF + `om` is one flag name across a continuation.
        let text = "FROM a AS b\r\nCOPY --fr\\\r\nom=b / /\r\n";
        let parameter = TokenType::Parameter.index();
        let split = encoded(text, Encoding::Utf16, false);
        let params: Vec<_> = split.iter().filter(|t| t[3] == parameter).collect();
        // Relative to `COPY` on the same line, then to the first half.
        assert_eq!(params, [&[0, 5, 5, parameter, 0], &[1, 0, 2, parameter, 0]]);
        let whole = encoded(text, Encoding::Utf16, true);
        let params: Vec<_> = whole.iter().filter(|t| t[3] == parameter).collect();
        // 5 units, the CRLF (2), then `om`.
        assert_eq!(params, [&[0, 5, 9, parameter, 0]]);
    }

    #[test]
    fn semantic_delta_replaces_only_the_changed_middle() {
        let tok = |l: u32| lsp::SemanticToken {
            delta_line: l,
            delta_start: 0,
            length: 3,
            token_type: 0,
            token_modifiers_bitset: 0,
        };
        let old = vec![tok(0), tok(1), tok(1), tok(1)];
        let mut new = old.clone();
        new[2] = tok(2);
        new.push(tok(5));
        assert!(semantic_edits(&old, &old).is_empty());
        let edits = semantic_edits(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].start, edits[0].delete_count), (10, 10));
        assert_eq!(
            edits[0].data.as_deref(),
            Some(&[tok(2), tok(1), tok(5)][..])
        );
        // Deleting everything.
        let edits = semantic_edits(&old, &[]);
        assert_eq!((edits[0].start, edits[0].delete_count), (0, 20));
        assert_eq!(edits[0].data, None);
    }

    #[test]
    fn every_emitted_type_and_modifier_is_in_the_legend() {
        let legend = semantic_legend();
        let text = "# syntax=docker/dockerfile:1\nARG V=1\nFROM --platform=$BUILDPLATFORM a:${V:-2} AS b\nARG TARGETOS\nRUN --mount=type=cache,target=/x --network=none <<EOF\necho $TARGETOS\nEOF\nFROM scratch\nCOPY --from=b / /\nLABEL k=v\nMAINTAINER me\nCMD [\"x\"]\n# c\n";
        let data = encoded(text, Encoding::Utf16, false);
        let mut types = std::collections::BTreeSet::new();
        for t in &data {
            assert!((t[3] as usize) < legend.token_types.len());
            assert_eq!(t[4] >> legend.token_modifiers.len(), 0);
            types.insert(t[3]);
        }
        // The fixture exercises every type in the legend.
        assert_eq!(types.len(), legend.token_types.len());
    }

    /// The lspbench shape: stages of 8 lines (FROM, ARG, ENV, WORKDIR, a 3-line RUN, COPY --from).
    fn big_dockerfile(lines: usize) -> String {
        let mut out = String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\n");
        for i in 0..lines / 8 {
            out.push_str(&format!(
                "FROM ${{BASE}} AS s{i}\nARG V{i}=1.{i}\nENV HOME_{i}=/app/$V{i}\nWORKDIR $HOME_{i}\n\
                 RUN --mount=type=cache,target=/root/.cache \\\n    echo \"$V{i}\" > /v \\\n    && true\n\
                 COPY --from=s{} /v /v{i}\n",
                i.saturating_sub(1)
            ));
        }
        out
    }

    /// Semantic tokens for 10,000 lines stay linear: a few ms in release builds; the bound here
    /// is loose enough for an unoptimised build on a busy machine and still catches a quadratic
    /// pass (which takes seconds at this size).
    #[test]
    fn semantic_tokens_for_ten_thousand_lines_are_fast() {
        let text = big_dockerfile(10_000);
        let d = doc(&text);
        // The best of a few runs: the machine is shared.
        let mut best = (std::time::Duration::MAX, std::time::Duration::MAX);
        let mut data = Vec::new();
        for _ in 0..5 {
            let start = std::time::Instant::now();
            let tokens = features::semantic_tokens(&d, None);
            let analysed = start.elapsed();
            data = semantic_tokens(&d, &tokens, Encoding::Utf16, false);
            let total = start.elapsed();
            best = (best.0.min(analysed), best.1.min(total));
        }
        let (analysed, total) = best;
        eprintln!(
            "10k lines: {} tokens, analysis {analysed:?}, analysis + encoding {total:?}",
            data.len()
        );
        assert!(data.len() > 30_000);
        assert!(total < std::time::Duration::from_secs(2), "{total:?}");

        // The other features of this file on the same document: hover on the last variable,
        // inlay hints and links for the whole file, signature help at the end.
        let last_use = d.model().var_uses.last().map_or(0, |u| u.span.start + 1);
        let start = std::time::Instant::now();
        let h = features::hover(&d, last_use, features::HoverConfig { markdown: true });
        let hover_time = start.elapsed();
        let hints = features::inlay_hints(&d, Span::new(0, d.len()), Default::default());
        let hints_time = start.elapsed() - hover_time;
        let links = features::document_links(&d);
        let links_time = start.elapsed() - hover_time - hints_time;
        eprintln!(
            "10k lines: hover {hover_time:?}, {} inlay hints {hints_time:?}, {} links {links_time:?}",
            hints.len(),
            links.len()
        );
        assert!(h.is_some());
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    mod props {
        use proptest::prelude::*;

        use super::super::*;

        const FRAGMENTS: &[&str] = &[
            "\n",
            "\r\n",
            "\r",
            " ",
            "FROM ",
            " AS ",
            "b",
            "--from=",
            "COPY ",
            "RUN ",
            "ARG ",
            "LABEL ",
            "<<EOF\n",
            "EOF\n",
            "\\\n",
            "`\n",
            "# escape=`\n",
            "$A",
            "${B:-x}",
            "A=1 ",
            "\"",
            "[\"sh\"]",
            "😀",
            "é",
            "# c\n",
            "--mount=type=cache,target=/x ",
            "alpine:3",
        ];

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

            /// Encoded tokens, decoded back, are strictly increasing, never empty, and every
            /// analysis token starts where `position` puts its first byte.
            #[test]
            fn encoded_tokens_decode_to_the_analysis_positions(
                parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40),
                utf8 in any::<bool>(),
            ) {
                let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
                let d = Document::new(&parts.concat(), 0);
                let tokens = features::semantic_tokens(&d, None);
                let data = semantic_tokens(&d, &tokens, enc, false);
                let (mut line, mut col) = (0u32, 0u32);
                let mut decoded = Vec::new();
                for t in &data {
                    prop_assert!(t.length > 0);
                    if t.delta_line > 0 {
                        line += t.delta_line;
                        col = t.delta_start;
                    } else {
                        prop_assert!(decoded.is_empty() || t.delta_start > 0);
                        col += t.delta_start;
                    }
                    decoded.push((line, col));
                }
                for t in &tokens {
                    let p = position(&d, t.span.start, enc);
                    prop_assert!(decoded.contains(&(p.line, p.character)), "{:?} at {:?}", t, p);
                }
            }
        }
    }
}
