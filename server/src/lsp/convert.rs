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
    Lens, LensAction, LensKind, ResolvedLens, CompletionItem, CompletionKind, Diagnostic, HighlightKind, RenameError, Severity, Tag,
};
use crate::analysis::graph::{kind_name, NodeKind, StageGraph};
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

/// The commands code lenses carry; listed in `executeCommandProvider` and executed by the server
/// (`workspace/executeCommand`), which returns data that thin clients turn into editor actions.
pub const CMD_STAGE_REFERENCES: &str = "dockerfile-ls.stageReferences";
pub const CMD_STAGE_GRAPH: &str = "dockerfile-ls.stageGraph";

/// An unresolved lens: its range and the `data` that `codeLens/resolve` gets back.
pub fn code_lens_unresolved(doc: &Document, uri: &Uri, lens: &Lens, enc: Encoding) -> lsp::CodeLens {
    lsp::CodeLens {
        range: range(doc, lens.span, enc),
        command: None,
        data: Some(serde_json::json!({
            "uri": uri.as_str(),
            "stage": lens.stage,
            "kind": lens_kind_name(lens.kind),
        })),
    }
}

/// A lens with its command.
pub fn code_lens_resolved(
    doc: &Document,
    uri: &Uri,
    span: Span,
    resolved: &ResolvedLens,
    enc: Encoding,
) -> lsp::CodeLens {
    lsp::CodeLens {
        range: range(doc, span, enc),
        command: Some(lens_command(uri, resolved)),
        data: None,
    }
}

pub fn lens_command(uri: &Uri, resolved: &ResolvedLens) -> lsp::Command {
    let (command, arguments) = match resolved.action {
        LensAction::StageReferences { stage } => (
            CMD_STAGE_REFERENCES,
            vec![serde_json::json!(uri.as_str()), serde_json::json!(stage)],
        ),
        LensAction::StageGraph => (CMD_STAGE_GRAPH, vec![serde_json::json!(uri.as_str())]),
    };
    lsp::Command {
        title: resolved.title.clone(),
        command: command.to_string(),
        arguments: Some(arguments),
    }
}

fn lens_kind_name(kind: LensKind) -> &'static str {
    match kind {
        LensKind::Summary => "summary",
        LensKind::Status => "status",
    }
}

/// The `data` of an unresolved lens: document, stage and lens kind.
pub fn code_lens_data(data: Option<&serde_json::Value>) -> Option<(Uri, usize, LensKind)> {
    let data = data?;
    let uri: Uri = data.get("uri")?.as_str()?.parse().ok()?;
    let stage = usize::try_from(data.get("stage")?.as_u64()?).ok()?;
    let kind = match data.get("kind")?.as_str()? {
        "summary" => LensKind::Summary,
        "status" => LensKind::Status,
        _ => return None,
    };
    Some((uri, stage, kind))
}

/// The stage graph as the JSON object of `dockerfile-ls/stageGraph` (see docs/stage-graph.md):
/// `{target, nodes, edges, reachable}`, ranges in the negotiated encoding.
pub fn stage_graph(doc: &Document, g: &StageGraph, enc: Encoding) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let nodes: Vec<Value> = g
        .nodes
        .iter()
        .map(|n| {
            let mut o = Map::new();
            o.insert("id".into(), json!(n.id()));
            match &n.kind {
                NodeKind::Stage {
                    index,
                    name,
                    base,
                    from,
                    line,
                } => {
                    o.insert("kind".into(), json!("stage"));
                    o.insert("index".into(), json!(index));
                    if let Some(name) = name {
                        o.insert("name".into(), json!(name));
                    }
                    if !base.is_empty() {
                        o.insert("base".into(), json!(base));
                    }
                    o.insert("line".into(), json!(line));
                    o.insert("range".into(), json!(range(doc, *from, enc)));
                }
                NodeKind::Image { reference } => {
                    o.insert("kind".into(), json!("image"));
                    o.insert("name".into(), json!(reference));
                }
            }
            o.insert("reachable".into(), json!(n.reachable));
            o.insert("isTarget".into(), json!(n.is_target));
            Value::Object(o)
        })
        .collect();
    let edges: Vec<Value> = g
        .edges
        .iter()
        .map(|e| {
            json!({
                "from": g.nodes[e.from].id(),
                "to": g.nodes[e.to].id(),
                "kind": kind_name(e.kind),
                "range": range(doc, e.span, enc),
            })
        })
        .collect();
    let reachable: Vec<String> = g
        .nodes
        .iter()
        .filter(|n| n.reachable)
        .map(|n| n.id())
        .collect();
    json!({
        "target": g.target.map(|t| g.nodes[t].id()),
        "nodes": nodes,
        "edges": edges,
        "reachable": reachable,
    })
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
}
