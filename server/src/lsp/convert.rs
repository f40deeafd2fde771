//! Conversions between the analysis core (UTF-8 byte offsets, plain structs) and LSP shapes.
//!
//! Invariant: this is the only module that knows LSP positions count UTF-16 (or, when negotiated,
//! UTF-8) code units, and the only one that builds LSP result types from analysis results.
//! Positions from the client are never trusted: a line past the end maps to the end of the
//! document, a column past the end of its line maps to the line end (LSP: "If the character value
//! is greater than the line length it defaults back to the line length"), and a column inside a
//! surrogate pair or a multibyte character snaps to the start of that character.

use foldhash::HashMap;
use std::sync::OnceLock;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, CompletionItemKind, DiagnosticRelatedInformation, DiagnosticSeverity,
    DiagnosticTag, DocumentHighlightKind, Documentation, InsertTextFormat, Location, MarkupContent,
    MarkupKind, NumberOrString, Position, PositionEncodingKind, Range,
    TextDocumentContentChangeEvent, Uri,
};

use tower_lsp_server::jsonrpc::{Error, ErrorCode};

use crate::analysis::document::{LineCursor, LineIndex};
use crate::analysis::features::diagnostics::rule_doc_url;
use crate::analysis::features::{
    self, semantic_tokens as tokens, siblings, Action, CompletionItem, CompletionKind, Diagnostic,
    HighlightKind, Lens, LensAction, LensKind, RenameError, ResolvedLens, Severity, Tag, TokenType,
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
    Position::new(to_u32(line), to_u32(column(doc, offset, start, enc)))
}

/// The column of `offset` (a char start) on the line that starts at `start`.
fn column(doc: &Document, offset: usize, start: usize, enc: Encoding) -> usize {
    if enc == Encoding::Utf8 || doc.is_ascii() {
        return offset - start;
    }
    let text = doc.text();
    // Usually the line start is in the same rope chunk: count there (one descent) instead of
    // four char-index conversions.
    let (chunk, chunk_start, _, _) = text.chunk_at_byte(offset);
    match chunk.get(start.wrapping_sub(chunk_start)..offset - chunk_start) {
        Some(head) if start >= chunk_start => head.chars().map(char::len_utf16).sum(),
        _ => {
            text.char_to_utf16_cu(text.byte_to_char(offset))
                - text.char_to_utf16_cu(text.byte_to_char(start))
        }
    }
}

/// The LSP positions of many offsets, for a caller that goes through the document mostly from
/// its start to its end (an outline, folds, diagnostics): the same answers as [`position`],
/// with the line of the last offset kept ([`LineCursor`]), or with every line start found up
/// front ([`Positions::indexed`]).
pub struct Positions<'a> {
    doc: &'a Document,
    enc: Encoding,
    lines: Lines<'a>,
    /// The document's length when it is all ASCII: then clamping is a `min` and a column is
    /// the distance from the line start, in either encoding.
    ascii_len: Option<usize>,
}

enum Lines<'a> {
    Cursor(LineCursor<'a>),
    /// The index and the line of the last offset.
    Index(&'a LineIndex, usize),
}

impl<'a> Positions<'a> {
    pub fn new(doc: &'a Document, enc: Encoding) -> Positions<'a> {
        Positions {
            doc,
            enc,
            lines: Lines::Cursor(doc.line_cursor()),
            ascii_len: doc.is_ascii().then(|| doc.len()),
        }
    }

    /// For offsets all over the document (an outline's four per symbol): the document's line
    /// starts ([`Document::line_index`], read once per version), then each line is found in a
    /// comparison or two where a line cursor reads the text between offsets again.
    pub fn indexed(doc: &'a Document, enc: Encoding) -> Positions<'a> {
        Positions {
            doc,
            enc,
            lines: Lines::Index(doc.line_index(), 0),
            ascii_len: doc.is_ascii().then(|| doc.len()),
        }
    }

    pub fn at(&mut self, offset: usize) -> Position {
        // A char never spans a line break: the line of `offset` is that of the char holding it.
        let (line, start) = match &mut self.lines {
            Lines::Cursor(cursor) => cursor.line_of(offset),
            Lines::Index(index, near) => {
                let found = index.line_of(offset, *near);
                *near = found.0;
                found
            }
        };
        if let Some(len) = self.ascii_len {
            return Position::new(to_u32(line), to_u32(offset.min(len) - start));
        }
        let ascii_line = match &mut self.lines {
            Lines::Cursor(cursor) => cursor.line_is_ascii(),
            Lines::Index(index, _) => index.is_ascii(line),
        };
        if ascii_line {
            let offset = offset.min(self.doc.len());
            return Position::new(to_u32(line), to_u32(offset - start));
        }
        let offset = self.doc.clamp(offset);
        Position::new(
            to_u32(line),
            to_u32(column(self.doc, offset, start, self.enc)),
        )
    }

    pub fn range(&mut self, span: Span) -> Range {
        let start = self.at(span.start);
        Range::new(start, self.at(span.end))
    }
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

/// The note at the top of a document whose diagnostics were capped at `max`.
pub fn omitted_note(omitted: usize, max: usize) -> lsp::Diagnostic {
    lsp::Diagnostic {
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some(SOURCE.to_string()),
        message: format!(
            "{omitted} more problems are not shown (at most {max} per file, the most severe \
             first); `dockerfile-ls check` lists them all"
        ),
        ..Default::default()
    }
}

pub fn diagnostic(doc: &Document, uri: &Uri, d: &Diagnostic, enc: Encoding) -> lsp::Diagnostic {
    diagnostic_at(&mut Positions::new(doc, enc), uri, d)
}

/// Each of `diagnostics` as [`diagnostic`] converts it, with one [`Positions`] for all.
pub fn diagnostics(
    doc: &Document,
    uri: &Uri,
    diagnostics: &[Diagnostic],
    enc: Encoding,
) -> Vec<lsp::Diagnostic> {
    let mut at = Positions::new(doc, enc);
    diagnostics
        .iter()
        .map(|d| diagnostic_at(&mut at, uri, d))
        .collect()
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

fn tags(d: &Diagnostic) -> Vec<DiagnosticTag> {
    d.tags
        .iter()
        .map(|t| match t {
            Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => DiagnosticTag::DEPRECATED,
        })
        .collect()
}

fn related(at: &mut Positions<'_>, uri: &Uri, d: &Diagnostic) -> Vec<DiagnosticRelatedInformation> {
    d.related
        .iter()
        .map(|(span, message)| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), at.range(*span)),
            message: message.clone(),
        })
        .collect()
}

fn diagnostic_at(at: &mut Positions<'_>, uri: &Uri, d: &Diagnostic) -> lsp::Diagnostic {
    let tags = tags(d);
    let related = related(at, uri, d);
    let href = with_rule_doc_uri(d.rule, |uri| uri.cloned());
    lsp::Diagnostic {
        range: at.range(d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        // `codeAction` recomputes the diagnostics that touch its range: nothing needs to travel
        // with each one (a 10,000-line file can have hundreds).
        data: None,
    }
}

/// `f` of the documentation link of `rule` as a `Uri`: parsed once for every rule of
/// [`RULES`](crate::analysis::features::diagnostics::RULES) into a table read without a lock or
/// a copy (diagnostics are published on every keystroke); parsed on the spot for another name.
fn with_rule_doc_uri<R>(rule: &str, f: impl FnOnce(Option<&Uri>) -> R) -> R {
    static PARSED: OnceLock<HashMap<&'static str, Option<Uri>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        (crate::analysis::features::diagnostics::RULES.iter())
            .map(|r| (r.name, rule_doc_url(r.name).parse::<Uri>().ok()))
            .collect()
    });
    match parsed.get(rule) {
        Some(uri) => f(uri.as_ref()),
        None => f(rule_doc_url(rule).parse::<Uri>().ok().as_ref()),
    }
}

/// A quick fix for `diags` (the client's diagnostics it fixes).
pub fn code_action(
    doc: &Document,
    uri: &Uri,
    action: &Action,
    diags: Vec<lsp::Diagnostic>,
    enc: Encoding,
) -> lsp::CodeAction {
    let edits = action
        .edits
        .iter()
        .map(|(span, text)| lsp::TextEdit::new(range(doc, *span, enc), text.clone()))
        .collect();
    lsp::CodeAction {
        title: action.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(diags),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(std::iter::once((uri.clone(), edits)).collect()),
            ..lsp::WorkspaceEdit::default()
        }),
        is_preferred: action.preferred.then_some(true),
        ..lsp::CodeAction::default()
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

/// `markdown`: the client takes Markdown documentation (`capabilities::completion_markdown`);
/// otherwise the same text goes as a plain string.
pub fn completion_item(
    doc: &Document,
    item: &CompletionItem,
    enc: Encoding,
    markdown: bool,
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
            if markdown {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: md.clone(),
                })
            } else {
                Documentation::String(md.clone())
            }
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

/// The commands code lenses carry; listed in `executeCommandProvider` and executed by the server
/// (`workspace/executeCommand`), which returns data that thin clients turn into editor actions.
pub const CMD_STAGE_REFERENCES: &str = "dockerfile-ls.stageReferences";
pub const CMD_STAGE_GRAPH: &str = "dockerfile-ls.stageGraph";

/// An unresolved lens: its range and the `data` that `codeLens/resolve` gets back.
pub fn code_lens_unresolved(
    doc: &Document,
    uri: &Uri,
    lens: &Lens,
    enc: Encoding,
) -> lsp::CodeLens {
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

// ---- Issue 5B: outline, folding, selection, linked editing, formatting ----

fn symbol_kind(kind: crate::analysis::features::SymbolKind) -> lsp::SymbolKind {
    use crate::analysis::features::SymbolKind as K;
    match kind {
        // The peer's kinds for directives and instructions, so outlines look familiar.
        K::Directive => lsp::SymbolKind::PROPERTY,
        K::Instruction => lsp::SymbolKind::FUNCTION,
        K::Stage => lsp::SymbolKind::MODULE,
        K::Variable => lsp::SymbolKind::VARIABLE,
    }
}

fn symbol_tags(deprecated: bool) -> Option<Vec<lsp::SymbolTag>> {
    deprecated.then(|| vec![lsp::SymbolTag::DEPRECATED])
}

/// The outline as `DocumentSymbol`s (clients with `hierarchicalDocumentSymbolSupport`).
#[allow(deprecated)] // `DocumentSymbol::deprecated` is deprecated in favour of `tags`, sent too.
pub fn document_symbols(
    doc: &Document,
    symbols: &[crate::analysis::features::DocSymbol],
    enc: Encoding,
) -> Vec<lsp::DocumentSymbol> {
    // In document order: a symbol's start and name, its children, then its end.
    fn walk(
        at: &mut Positions<'_>,
        symbols: &[crate::analysis::features::DocSymbol],
    ) -> Vec<lsp::DocumentSymbol> {
        siblings(symbols)
            .map(|(s, children)| {
                let start = at.at(s.span.start);
                let selection_range = at.range(s.selection);
                let children = (!children.is_empty()).then(|| walk(at, children));
                let end = at.at(s.span.end);
                lsp::DocumentSymbol {
                    name: s.name.to_string(),
                    detail: s.detail.as_deref().map(str::to_string),
                    kind: symbol_kind(s.kind),
                    tags: symbol_tags(s.deprecated),
                    deprecated: s.deprecated.then_some(true),
                    range: Range::new(start, end),
                    selection_range,
                    children,
                }
            })
            .collect()
    }
    walk(&mut Positions::indexed(doc, enc), symbols)
}

/// Appends the JSON of the outline as `DocumentSymbol[]` (the JSON of [`document_symbols`]'s
/// tree), written as [`features::outline`] walks it: no `lsp::DocumentSymbol` tree (two strings
/// and a list per symbol, 457 symbols at 1,000 lines) and no list of the analysis's symbols is
/// built, and the 107 KB of keys, brackets and numbers are written as they are rather than
/// through serde, which checks every key for characters to escape.
pub fn write_outline(doc: &Document, enc: Encoding, out: &mut Vec<u8>) -> serde_json::Result<()> {
    /// The JSON of one symbol is written when it is entered, but for its children (the last
    /// field, `lsp::DocumentSymbol`'s order) and closing brace.
    struct Writer<'o, 'd> {
        out: &'o mut Vec<u8>,
        at: Positions<'d>,
        /// Per symbol entered and not left: whether a child of it has been written.
        open: Vec<bool>,
        /// Whether a symbol has been written at the top level.
        top: bool,
        /// The first error of a string written through serde_json (writing a `&str` into a
        /// `Vec` does not fail; the walk goes on and the answer is dropped if it did).
        failed: Option<serde_json::Error>,
    }
    impl<'a> features::OutlineSink<'a> for Writer<'_, '_> {
        fn enter(&mut self, sym: features::DocSymbol<'a>) {
            let out = &mut *self.out;
            match self.open.last_mut() {
                Some(true) => out.push(b','),
                Some(parent) => {
                    out.extend_from_slice(b",\"children\":[");
                    *parent = true;
                }
                None if self.top => out.push(b','),
                None => self.top = true,
            }
            // The whole range comes before the children in the JSON, so after a stage's end
            // the next lookup (its first child) goes back: `LineIndex::line_of` searches outwards
            // from the last line either way.
            let start = self.at.at(sym.span.start);
            let selection = self.at.range(sym.selection);
            let range = Range::new(start, self.at.at(sym.span.end));
            out.extend_from_slice(b"{\"name\":");
            let mut written = write_str(out, &sym.name);
            if let Some(detail) = &sym.detail {
                out.extend_from_slice(b",\"detail\":");
                written = written.and_then(|()| write_str(out, detail));
            }
            out.extend_from_slice(b",\"kind\":");
            out.extend_from_slice(symbol_kind_json(sym.kind));
            if sym.deprecated {
                out.extend_from_slice(b",\"tags\":[1],\"deprecated\":true");
            }
            out.extend_from_slice(b",\"range\":");
            write_range(out, range);
            out.extend_from_slice(b",\"selectionRange\":");
            write_range(out, selection);
            self.open.push(false);
            if let Err(err) = written {
                self.failed.get_or_insert(err);
            }
        }
        fn leave(&mut self) {
            if self.open.pop() == Some(true) {
                self.out.push(b']');
            }
            self.out.push(b'}');
        }
    }
    // About 230 bytes a symbol: room for all of them at once.
    out.reserve(features::outline_len(doc) * 256 + 2);
    out.push(b'[');
    let mut writer = Writer {
        out,
        at: Positions::indexed(doc, enc),
        open: Vec::with_capacity(4),
        top: false,
        failed: None,
    };
    features::outline(doc, &mut writer);
    if let Some(err) = writer.failed {
        return Err(err);
    }
    out.push(b']');
    Ok(())
}

/// The JSON of [`symbol_kind`]'s number.
fn symbol_kind_json(kind: crate::analysis::features::SymbolKind) -> &'static [u8] {
    use crate::analysis::features::SymbolKind as K;
    match kind {
        K::Directive => b"7",
        K::Instruction => b"12",
        K::Stage => b"2",
        K::Variable => b"13",
    }
}

/// Appends the JSON string of `s`: as it is when nothing in it needs escaping (the usual
/// case), through serde_json otherwise.
fn write_str(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    let plain = s.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    if !plain {
        return serde_json::to_writer(out, s);
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
    Ok(())
}

/// Appends the JSON of an `lsp::Range`, put together on the stack and copied out once.
fn write_range(out: &mut Vec<u8>, r: Range) {
    // 17 + 13 + 16 + 13 + 2 bytes of keys and brackets, four numbers of at most 10 digits.
    let mut f = Fragment::<104>::new();
    f.lit(b"{\"start\":{\"line\":");
    f.num(r.start.line);
    f.lit(b",\"character\":");
    f.num(r.start.character);
    f.lit(b"},\"end\":{\"line\":");
    f.num(r.end.line);
    f.lit(b",\"character\":");
    f.num(r.end.character);
    f.lit(b"}}");
    out.extend_from_slice(f.bytes());
}

/// A piece of JSON of at most `N` bytes put together on the stack, its literals of a length
/// known when compiling and its numbers digit by digit: neither costs a call to `memcpy`. An
/// outline's ranges are about nine pieces each, 11,000 pieces at 1,000 lines: appended one by
/// one (each a `memcpy` of a few bytes, with itoa's own copy for the numbers) they took a fifth
/// of the answer's time.
struct Fragment<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Fragment<N> {
    fn new() -> Self {
        Fragment {
            buf: [0; N],
            len: 0,
        }
    }

    /// Appends `bytes`; panics past `N` (the caller sizes `N` for the most it writes).
    #[inline(always)]
    fn lit<const L: usize>(&mut self, bytes: &[u8; L]) {
        self.buf[self.len..self.len + L].copy_from_slice(bytes);
        self.len += L;
    }

    /// Appends `n` in decimal, as serde_json writes a `u32`: two digits at a time.
    #[inline(always)]
    fn num(&mut self, mut n: u32) {
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let end = self.len + n.checked_ilog10().map_or(1, |d| d as usize + 1);
        let mut at = end;
        while n >= 100 {
            let pair = (n % 100) as usize * 2;
            n /= 100;
            at -= 2;
            self.buf[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            let pair = n as usize * 2;
            self.buf[at - 2..at].copy_from_slice(&PAIRS[pair..pair + 2]);
        } else {
            self.buf[at - 1] = b'0' + n as u8;
        }
        self.len = end;
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The outline flattened to `SymbolInformation`s, each with its container's name. The location
/// is the selection (keyword or name), as older clients reveal exactly that range.
#[allow(deprecated)]
pub fn symbol_information(
    doc: &Document,
    uri: &Uri,
    symbols: &[crate::analysis::features::DocSymbol],
    enc: Encoding,
) -> Vec<lsp::SymbolInformation> {
    fn walk(
        at: &mut Positions<'_>,
        uri: &Uri,
        symbols: &[crate::analysis::features::DocSymbol],
        container: Option<&str>,
        out: &mut Vec<lsp::SymbolInformation>,
    ) {
        for (s, children) in siblings(symbols) {
            out.push(lsp::SymbolInformation {
                name: s.name.to_string(),
                kind: symbol_kind(s.kind),
                tags: symbol_tags(s.deprecated),
                deprecated: s.deprecated.then_some(true),
                location: Location::new(uri.clone(), at.range(s.selection)),
                container_name: container.map(str::to_string),
            });
            walk(at, uri, children, Some(&s.name), out);
        }
    }
    let mut out = Vec::new();
    walk(
        &mut Positions::indexed(doc, enc),
        uri,
        symbols,
        None,
        &mut out,
    );
    out
}

#[allow(deprecated)]
pub fn workspace_symbol(
    doc: &Document,
    uri: &Uri,
    s: &crate::analysis::features::StageSymbol,
    enc: Encoding,
) -> lsp::SymbolInformation {
    lsp::SymbolInformation {
        name: s.name.clone(),
        kind: lsp::SymbolKind::MODULE,
        tags: None,
        deprecated: None,
        location: location(doc, uri, s.span, enc),
        container_name: (!s.base.is_empty()).then(|| s.base.clone()),
    }
}

/// A fold; with `line_folding_only` (client capability) the characters are left out.
pub fn folding_ranges(
    doc: &Document,
    folds: &[crate::analysis::features::Fold],
    line_folding_only: bool,
    enc: Encoding,
) -> Vec<lsp::FoldingRange> {
    let mut at = Positions::new(doc, enc);
    folds
        .iter()
        .map(|f| folding_range(&mut at, f, line_folding_only))
        .collect()
}

/// Appends the JSON of `params` as serde_json writes `PublishDiagnosticsParams` (fields in its
/// order, absent ones skipped): the ranges, strings and keys written as they are, the rare
/// parts (related information, tags, data) through serde. Serde's machinery per field was most
/// of the cost of publishing, on every keystroke.
pub fn write_publish_diagnostics(
    out: &mut Vec<u8>,
    params: &lsp::PublishDiagnosticsParams,
) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"uri\":");
    serde_json::to_writer(&mut *out, &params.uri)?;
    out.extend_from_slice(b",\"diagnostics\":[");
    for (i, d) in params.diagnostics.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_diagnostic(out, d)?;
    }
    out.push(b']');
    if let Some(version) = params.version {
        out.extend_from_slice(b",\"version\":");
        out.extend_from_slice(itoa::Buffer::new().format(version).as_bytes());
    }
    out.push(b'}');
    Ok(())
}

/// Appends the JSON of `d` as serde_json writes it.
fn write_diagnostic(out: &mut Vec<u8>, d: &lsp::Diagnostic) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"range\":");
    write_range(out, d.range);
    if let Some(severity) = d.severity {
        out.extend_from_slice(b",\"severity\":");
        serde_json::to_writer(&mut *out, &severity)?;
    }
    match &d.code {
        Some(lsp::NumberOrString::String(code)) => {
            out.extend_from_slice(b",\"code\":");
            write_str(out, code)?;
        }
        Some(code) => {
            out.extend_from_slice(b",\"code\":");
            serde_json::to_writer(&mut *out, code)?;
        }
        None => {}
    }
    if let Some(description) = &d.code_description {
        out.extend_from_slice(b",\"codeDescription\":{\"href\":");
        write_str(out, description.href.as_str())?;
        out.push(b'}');
    }
    if let Some(source) = &d.source {
        out.extend_from_slice(b",\"source\":");
        write_str(out, source)?;
    }
    out.extend_from_slice(b",\"message\":");
    write_str(out, &d.message)?;
    if let Some(related) = &d.related_information {
        out.extend_from_slice(b",\"relatedInformation\":");
        serde_json::to_writer(&mut *out, related)?;
    }
    if let Some(tags) = &d.tags {
        out.extend_from_slice(b",\"tags\":");
        serde_json::to_writer(&mut *out, tags)?;
    }
    if let Some(data) = &d.data {
        out.extend_from_slice(b",\"data\":");
        serde_json::to_writer(&mut *out, data)?;
    }
    out.push(b'}');
    Ok(())
}

/// Appends the params of `publishDiagnostics` for a diagnostics pass: `shown`, the diagnostics
/// [`capped`](crate::analysis::features::capped) kept, after the [`omitted_note`] when it left
/// `omitted` out. The same bytes as [`write_publish_diagnostics`] of what [`diagnostics`]
/// converts (a test holds them to it), written from the analysis's diagnostics: no
/// `lsp::Diagnostic` with its four strings is built and dropped for each, on every keystroke.
pub fn write_pass_diagnostics(
    out: &mut Vec<u8>,
    doc: &Document,
    uri: &Uri,
    version: Option<i32>,
    shown: &[Diagnostic],
    (omitted, max): (usize, usize),
    enc: Encoding,
) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"uri\":");
    serde_json::to_writer(&mut *out, uri)?;
    out.extend_from_slice(b",\"diagnostics\":[");
    if omitted > 0 {
        write_diagnostic(out, &omitted_note(omitted, max))?;
    }
    let mut at = Positions::new(doc, enc);
    for (i, d) in shown.iter().enumerate() {
        if i > 0 || omitted > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"range\":");
        write_range(out, at.range(d.span));
        out.extend_from_slice(b",\"severity\":");
        serde_json::to_writer(&mut *out, &severity(d.severity))?;
        out.extend_from_slice(b",\"code\":");
        write_str(out, d.rule)?;
        with_rule_doc_uri(d.rule, |href| match href {
            Some(href) => {
                out.extend_from_slice(b",\"codeDescription\":{\"href\":");
                write_str(out, href.as_str())?;
                out.push(b'}');
                Ok(())
            }
            None => Ok(()),
        })?;
        out.extend_from_slice(b",\"source\":");
        write_str(out, SOURCE)?;
        out.extend_from_slice(b",\"message\":");
        write_str(out, &d.message)?;
        if !d.related.is_empty() {
            out.extend_from_slice(b",\"relatedInformation\":");
            serde_json::to_writer(&mut *out, &related(&mut at, uri, d))?;
        }
        if !d.tags.is_empty() {
            out.extend_from_slice(b",\"tags\":");
            serde_json::to_writer(&mut *out, &tags(d))?;
        }
        out.push(b'}');
    }
    out.push(b']');
    if let Some(version) = version {
        out.extend_from_slice(b",\"version\":");
        out.extend_from_slice(itoa::Buffer::new().format(version).as_bytes());
    }
    out.push(b'}');
    Ok(())
}

/// Appends the JSON of `folds` as serde_json writes the `Vec<lsp::FoldingRange>` (fields in
/// its order, absent ones skipped), without serde's machinery per field: most of a folding
/// answer's cost was that.
pub fn write_folding_ranges(
    out: &mut Vec<u8>,
    folds: &[lsp::FoldingRange],
) -> serde_json::Result<()> {
    let mut n = itoa::Buffer::new();
    out.reserve(folds.len() * 64 + 2);
    out.push(b'[');
    for (i, f) in folds.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"startLine\":");
        out.extend_from_slice(n.format(f.start_line).as_bytes());
        if let Some(c) = f.start_character {
            out.extend_from_slice(b",\"startCharacter\":");
            out.extend_from_slice(n.format(c).as_bytes());
        }
        out.extend_from_slice(b",\"endLine\":");
        out.extend_from_slice(n.format(f.end_line).as_bytes());
        if let Some(c) = f.end_character {
            out.extend_from_slice(b",\"endCharacter\":");
            out.extend_from_slice(n.format(c).as_bytes());
        }
        if let Some(kind) = &f.kind {
            out.extend_from_slice(b",\"kind\":");
            serde_json::to_writer(&mut *out, kind)?;
        }
        if let Some(text) = &f.collapsed_text {
            out.extend_from_slice(b",\"collapsedText\":");
            write_str(out, text)?;
        }
        out.push(b'}');
    }
    out.push(b']');
    Ok(())
}

fn folding_range(
    at: &mut Positions<'_>,
    fold: &crate::analysis::features::Fold,
    line_folding_only: bool,
) -> lsp::FoldingRange {
    use crate::analysis::features::FoldKind;
    let kind = match fold.kind {
        FoldKind::Comment => Some(lsp::FoldingRangeKind::Comment),
        FoldKind::Stage => Some(lsp::FoldingRangeKind::Region),
        FoldKind::Instruction | FoldKind::Heredoc => None,
    };
    // Most clients fold whole lines: their lines are known, no columns to count.
    let (start_character, end_character) = if line_folding_only {
        (None, None)
    } else {
        let r = at.range(fold.span);
        (Some(r.start.character), Some(r.end.character))
    };
    lsp::FoldingRange {
        start_line: to_u32(fold.lines.0),
        start_character,
        end_line: to_u32(fold.lines.1),
        end_character,
        kind,
        collapsed_text: None,
    }
}

/// Nested spans (innermost first) as a `SelectionRange` chain.
pub fn selection_range(doc: &Document, spans: &[Span], enc: Encoding) -> lsp::SelectionRange {
    let mut parent: Option<Box<lsp::SelectionRange>> = None;
    for span in spans.iter().rev() {
        parent = Some(Box::new(lsp::SelectionRange {
            range: range(doc, *span, enc),
            parent,
        }));
    }
    parent.map_or_else(
        || lsp::SelectionRange {
            range: range(doc, Span::new(0, doc.len()), enc),
            parent: None,
        },
        |b| *b,
    )
}

pub fn text_edits(
    doc: &Document,
    edits: &[crate::analysis::features::Edit],
    enc: Encoding,
) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|e| lsp::TextEdit::new(range(doc, e.span, enc), e.text.clone()))
        .collect()
}

/// One indentation level from the client's `FormattingOptions`.
pub fn indent_unit(options: &lsp::FormattingOptions) -> String {
    if options.insert_spaces {
        " ".repeat(options.tab_size.clamp(1, 16) as usize)
    } else {
        "\t".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::new(text, 0)
    }

    /// A range is written as serde_json writes `lsp::Range`: numbers of every length, on
    /// either side of each power of ten, up to the largest.
    #[test]
    fn ranges_are_written_as_serde_writes_them() {
        let mut numbers = vec![0, u32::MAX - 1, u32::MAX];
        for p in 0..10 {
            let ten = 10u32.pow(p);
            numbers.extend([ten - 1, ten, ten + 1, ten.saturating_mul(7)]);
        }
        let ranges = numbers.iter().enumerate().map(|(i, &a)| {
            let b = numbers[(i + 1) % numbers.len()];
            let c = numbers[(i + 5) % numbers.len()];
            (a, b, c, numbers[(i * 7) % numbers.len()])
        });
        for (a, b, c, d) in ranges {
            let r = Range::new(Position::new(a, b), Position::new(c, d));
            let mut out = b"x".to_vec();
            write_range(&mut out, r);
            assert_eq!(out[1..], serde_json::to_vec(&r).unwrap());
        }
    }

    /// Published diagnostics are written as serde_json writes them: every optional field
    /// present or absent, both kinds of code, text to escape, a document's real diagnostics.
    #[test]
    fn publish_diagnostics_are_written_as_serde_writes_them() {
        let uri: Uri = "file:///w/a%20b/Dockerfile".parse().unwrap();
        let range = Range::new(Position::new(1, 2), Position::new(3, u32::MAX));
        let rich = lsp::Diagnostic {
            range,
            severity: Some(lsp::DiagnosticSeverity::HINT),
            code: Some(lsp::NumberOrString::Number(-7)),
            code_description: Some(lsp::CodeDescription {
                href: "https://example.com/r%22?q=1#x".parse().unwrap(),
            }),
            source: Some("s\\rc".into()),
            message: "a \"quoted\"\tmessage\u{1}é".into(),
            related_information: Some(vec![lsp::DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), range),
                message: "there".into(),
            }]),
            tags: Some(vec![
                lsp::DiagnosticTag::UNNECESSARY,
                lsp::DiagnosticTag::DEPRECATED,
            ]),
            data: Some(serde_json::json!({"k": [1, "v", null]})),
        };
        let plain = lsp::Diagnostic {
            range,
            message: String::new(),
            ..Default::default()
        };
        let d = doc("FROM a AS A\nRUN $X\nMAINTAINER me\nCOPY --from=nope / /\nfrom b\n");
        let real: Vec<lsp::Diagnostic> = features::diagnostics(&d)
            .iter()
            .map(|x| diagnostic(&d, &uri, x, Encoding::Utf16))
            .collect();
        assert!(real.len() >= 4, "{real:?}");
        for (diagnostics, version) in [
            (vec![rich.clone(), plain.clone()], Some(3)),
            (vec![plain, rich], None),
            (real, Some(i32::MIN)),
            (Vec::new(), None),
        ] {
            let params = lsp::PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics,
                version,
            };
            let mut out = Vec::new();
            write_publish_diagnostics(&mut out, &params).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&params).unwrap()
            );
        }
    }

    /// A pass's diagnostics written straight from the analysis are, byte for byte, what
    /// converting them and writing the `lsp` params gives (held to serde's above): related
    /// information, tags, multi-byte text in both encodings, CRLF, the note of a capped pass,
    /// and every file of the real corpus when it is there.
    #[test]
    fn pass_diagnostics_are_written_as_their_conversion() {
        let uri: Uri = "file:///w/a%20b/Dockerfile".parse().unwrap();
        let mut texts = vec![
            "FROM a AS b\r\nFROM c AS B\r\nRUN echo é😀 $X\r\nMAINTAINER me\r\nFROM b AS z\r\nCOPY --from=nope / /\r\nfrom b\r\n".to_string(),
            String::new(),
            "ARG PASSWORD=1\nFROM scratch\nENV API_KEY=2 \\\n  X=中\nRUN <<EOF\necho $Y\nEOF\n".to_string(),
        ];
        texts.extend(
            crate::analysis::test_support::corpus_texts()
                .into_iter()
                .flatten()
                .map(|(_, text)| text),
        );
        let (mut related, mut tagged, mut capped) = (0, 0, 0);
        for (i, text) in texts.iter().enumerate() {
            let d = doc(text);
            let all = features::diagnostics(&d);
            related += all.iter().filter(|x| !x.related.is_empty()).count();
            tagged += all.iter().filter(|x| !x.tags.is_empty()).count();
            for (enc, max) in [(Encoding::Utf16, all.len()), (Encoding::Utf8, 1)] {
                let (shown, omitted) = features::capped(all.clone(), max);
                capped += usize::from(omitted > 0);
                let mut diagnostics = diagnostics(&d, &uri, &shown, enc);
                if omitted > 0 {
                    diagnostics.insert(0, omitted_note(omitted, max));
                }
                let version = Some(i32::try_from(i).unwrap());
                let params = lsp::PublishDiagnosticsParams {
                    uri: uri.clone(),
                    diagnostics,
                    version,
                };
                let mut want = Vec::new();
                write_publish_diagnostics(&mut want, &params).unwrap();
                let mut got = Vec::new();
                write_pass_diagnostics(&mut got, &d, &uri, version, &shown, (omitted, max), enc)
                    .unwrap();
                assert_eq!(
                    String::from_utf8(got).unwrap(),
                    String::from_utf8(want).unwrap(),
                    "{text:?}"
                );
            }
        }
        assert!(
            related > 0 && tagged > 0 && capped > 0,
            "{related} {tagged} {capped}"
        );
    }

    /// Folding ranges are written as serde_json writes them: every optional field present or
    /// absent, each kind, text to escape.
    #[test]
    fn folding_ranges_are_written_as_serde_writes_them() {
        let folds = [
            lsp::FoldingRange {
                start_line: 0,
                start_character: Some(7),
                end_line: u32::MAX,
                end_character: Some(12),
                kind: Some(lsp::FoldingRangeKind::Region),
                collapsed_text: Some("a \"b\"\n".into()),
            },
            lsp::FoldingRange {
                start_line: 3,
                end_line: 9,
                kind: Some(lsp::FoldingRangeKind::Comment),
                ..Default::default()
            },
            lsp::FoldingRange {
                start_line: 10,
                end_line: 11,
                kind: Some(lsp::FoldingRangeKind::Imports),
                collapsed_text: Some("x".into()),
                ..Default::default()
            },
            lsp::FoldingRange::default(),
        ];
        for n in 0..=folds.len() {
            let mut out = Vec::new();
            write_folding_ranges(&mut out, &folds[..n]).unwrap();
            assert_eq!(out, serde_json::to_vec(&folds[..n]).unwrap());
        }
    }

    /// The outline written straight from the analysis is, byte for byte, the JSON of the
    /// `lsp::DocumentSymbol` tree: nested stages, variables, a deprecated `MAINTAINER`, empty
    /// details, multi-byte text, in both encodings, and an empty document.
    #[test]
    fn nested_symbols_serialise_as_the_document_symbol_tree() {
        let long = format!(
            "# syntax=docker/dockerfile:1\n# escape=\\\nARG A=1 B\nFROM alpine AS base\nENV \\\n  X=é😀 Y=2\nMAINTAINER me\nFROM base\nRUN \\\n echo {}\nFROM\n",
            "中".repeat(3000)
        );
        // Quotes, backslashes and a tab in names and details: escaped.
        let escaped = "FROM a AS \"q\"\nRUN echo \"hi\" \\\\ \t x\nENV K=\"v\\\\w\" \"A\\tB\"=1\n";
        // Line breaks of every kind and none at the end, instructions before the first `FROM`
        // (ARG and not), a BOM, a backtick escape, stages of one line.
        let breaks =
            "\u{feff}ARG A\r\nRUN x\rENV B=1 \\\r\n C=2\nFROM a\r\n\r\n# c\nRUN é \\\nRUN y\\";
        let backtick = "# escape=`\nFROM a AS b\nRUN x `\n y\nFROM b\nFROM c\nENV K=v `\r\n";
        for text in [
            "",
            "FROM a\n",
            "ARG X\n",
            escaped,
            breaks,
            backtick,
            long.as_str(),
        ] {
            let d = doc(text);
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                let symbols = features::document_symbols(&d);
                let tree = serde_json::to_string(&document_symbols(&d, &symbols, enc)).unwrap();
                // Appended after what the buffer holds, and the same when asked again on the
                // version (its line index kept).
                let mut direct = b"{".to_vec();
                write_outline(&d, enc, &mut direct).unwrap();
                assert_eq!(
                    String::from_utf8(direct[1..].to_vec()).unwrap(),
                    tree,
                    "{text:?}"
                );
                let mut again = Vec::new();
                write_outline(&d, enc, &mut again).unwrap();
                assert_eq!(again, direct[1..], "{text:?}");
            }
        }
        let d = doc(&long);
        let mut tree = Vec::new();
        write_outline(&d, Encoding::Utf16, &mut tree).unwrap();
        let tree = String::from_utf8(tree).unwrap();
        assert!(tree.contains(r#""tags":[1],"deprecated":true"#), "{tree}");
        assert!(
            tree.contains(r#""children":[{"name":"X","detail":"ENV = é😀""#),
            "{tree}"
        );
    }

    /// Over every file of the real-world corpus (`../shared/corpus/real`), the outline written
    /// as it is walked is the JSON of the `lsp::DocumentSymbol` tree, in both encodings.
    /// Skipped, saying so, when the corpus is not beside the repository.
    #[test]
    fn corpus_outlines_serialise_as_the_document_symbol_tree() {
        let Some(files) = crate::analysis::test_support::corpus_texts() else {
            return;
        };
        for (path, text) in &files {
            let d = doc(text);
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                let symbols = features::document_symbols(&d);
                let tree = serde_json::to_vec(&document_symbols(&d, &symbols, enc)).unwrap();
                let mut direct = Vec::new();
                write_outline(&d, enc, &mut direct).unwrap();
                assert!(direct == tree, "{}", path.display());
            }
        }
    }

    #[test]
    fn positions_match_a_naive_count_across_rope_chunks() {
        // Long lines (several rope chunks each) of multi-byte and astral chars, CRLF and lone CR.
        let text = format!(
            "FROM a\n{}\r\nRUN {}\rx\n{}",
            "é😀z".repeat(900),
            "中".repeat(1500),
            "ab".repeat(700)
        );
        let d = doc(&text);
        let naive = |offset: usize, utf16: bool| {
            let before = &text[..offset];
            let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let line = before.matches('\n').count() + before.matches('\r').count()
                - before.matches("\r\n").count();
            let head = &text[line_start..offset];
            let col = if utf16 {
                head.chars().map(char::len_utf16).sum()
            } else {
                head.len()
            };
            Position::new(line as u32, col as u32)
        };
        // Every char boundary but the middle of a CRLF (no LSP position names it).
        let inside_crlf = |o: usize| text[..o].ends_with('\r') && text[o..].starts_with('\n');
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o) && !inside_crlf(o)) {
            assert_eq!(
                position(&d, offset, Encoding::Utf16),
                naive(offset, true),
                "{offset}"
            );
            assert_eq!(
                position(&d, offset, Encoding::Utf8),
                naive(offset, false),
                "{offset}"
            );
        }
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

    /// The graph JSON of every case in `analysis::graph::tests`, one node or edge per line
    /// (ranges as `line:col-line:col`, UTF-16).
    #[test]
    fn stage_graph_json() {
        use crate::analysis::graph::tests::{cases, doc_of};
        use crate::analysis::graph::StageGraph;
        let mut out = String::new();
        for (name, fixture, target) in cases() {
            let doc = doc_of(&fixture);
            let g = StageGraph::build(&doc, target);
            let mut v = stage_graph(&doc, &g, Encoding::Utf16);
            out.push_str(&format!("--- {name}\ntarget: {}\n", v["target"]));
            for key in ["nodes", "edges"] {
                for item in v[key].as_array_mut().unwrap() {
                    if let Some(r) = item.get("range").cloned() {
                        item["range"] = serde_json::json!(format!(
                            "{}:{}-{}:{}",
                            r["start"]["line"],
                            r["start"]["character"],
                            r["end"]["line"],
                            r["end"]["character"]
                        ));
                    }
                    out.push_str(&format!("{key}: {item}\n"));
                }
            }
            out.push_str(&format!("reachable: {}\n", v["reachable"]));
        }
        expect_test::expect![[r#"
            --- linear
            target: "stage:2"
            nodes: {"base":"golang:1.22","id":"stage:0","index":0,"isTarget":false,"kind":"stage","line":0,"name":"deps","range":"0:0-0:24","reachable":true}
            nodes: {"base":"deps","id":"stage:1","index":1,"isTarget":false,"kind":"stage","line":1,"name":"build","range":"1:0-1:18","reachable":true}
            nodes: {"base":"build","id":"stage:2","index":2,"isTarget":true,"kind":"stage","line":2,"name":"final","range":"2:0-2:19","reachable":true}
            nodes: {"id":"image:golang:1.22","isTarget":false,"kind":"image","name":"golang:1.22","reachable":true}
            edges: {"from":"image:golang:1.22","kind":"base","range":"0:0-0:24","to":"stage:0"}
            edges: {"from":"stage:0","kind":"base","range":"1:0-1:18","to":"stage:1"}
            edges: {"from":"stage:1","kind":"base","range":"2:0-2:19","to":"stage:2"}
            reachable: ["stage:0","stage:1","stage:2","image:golang:1.22"]
            --- diamond
            target: "stage:3"
            nodes: {"base":"alpine:3.20","id":"stage:0","index":0,"isTarget":false,"kind":"stage","line":0,"name":"base","range":"0:0-0:24","reachable":true}
            nodes: {"base":"base","id":"stage:1","index":1,"isTarget":false,"kind":"stage","line":1,"name":"left","range":"1:0-1:17","reachable":true}
            nodes: {"base":"base","id":"stage:2","index":2,"isTarget":false,"kind":"stage","line":2,"name":"right","range":"2:0-2:18","reachable":true}
            nodes: {"base":"base","id":"stage:3","index":3,"isTarget":true,"kind":"stage","line":3,"name":"final","range":"3:0-3:18","reachable":true}
            nodes: {"id":"image:alpine:3.20","isTarget":false,"kind":"image","name":"alpine:3.20","reachable":true}
            edges: {"from":"image:alpine:3.20","kind":"base","range":"0:0-0:24","to":"stage:0"}
            edges: {"from":"stage:0","kind":"base","range":"1:0-1:17","to":"stage:1"}
            edges: {"from":"stage:0","kind":"base","range":"2:0-2:18","to":"stage:2"}
            edges: {"from":"stage:0","kind":"base","range":"3:0-3:18","to":"stage:3"}
            edges: {"from":"stage:1","kind":"copy","range":"4:0-4:22","to":"stage:3"}
            edges: {"from":"stage:2","kind":"copy","range":"5:0-5:23","to":"stage:3"}
            reachable: ["stage:0","stage:1","stage:2","stage:3","image:alpine:3.20"]
            --- cycle
            target: "stage:2"
            nodes: {"base":"alpine","id":"stage:0","index":0,"isTarget":false,"kind":"stage","line":0,"name":"a","range":"0:0-0:16","reachable":true}
            nodes: {"base":"alpine","id":"stage:1","index":1,"isTarget":false,"kind":"stage","line":2,"name":"b","range":"2:0-2:16","reachable":true}
            nodes: {"base":"scratch","id":"stage:2","index":2,"isTarget":true,"kind":"stage","line":4,"name":"final","range":"4:0-4:21","reachable":true}
            nodes: {"id":"image:alpine","isTarget":false,"kind":"image","name":"alpine","reachable":true}
            nodes: {"id":"image:scratch","isTarget":false,"kind":"image","name":"scratch","reachable":true}
            edges: {"from":"image:alpine","kind":"base","range":"0:0-0:16","to":"stage:0"}
            edges: {"from":"stage:1","kind":"copy","range":"1:0-1:19","to":"stage:0"}
            edges: {"from":"image:alpine","kind":"base","range":"2:0-2:16","to":"stage:1"}
            edges: {"from":"stage:0","kind":"mount","range":"3:0-3:33","to":"stage:1"}
            edges: {"from":"image:scratch","kind":"base","range":"4:0-4:21","to":"stage:2"}
            edges: {"from":"stage:0","kind":"copy","range":"5:0-5:19","to":"stage:2"}
            reachable: ["stage:0","stage:1","stage:2","image:alpine","image:scratch"]
            --- numeric_from
            target: "stage:1"
            nodes: {"base":"golang:1.22","id":"stage:0","index":0,"isTarget":false,"kind":"stage","line":0,"range":"0:0-0:16","reachable":true}
            nodes: {"base":"alpine","id":"stage:1","index":1,"isTarget":true,"kind":"stage","line":2,"range":"2:0-2:11","reachable":true}
            nodes: {"id":"image:golang:1.22","isTarget":false,"kind":"image","name":"golang:1.22","reachable":true}
            nodes: {"id":"image:alpine","isTarget":false,"kind":"image","name":"alpine","reachable":true}
            edges: {"from":"image:golang:1.22","kind":"base","range":"0:0-0:16","to":"stage:0"}
            edges: {"from":"image:alpine","kind":"base","range":"2:0-2:11","to":"stage:1"}
            edges: {"from":"stage:0","kind":"copy","range":"3:0-3:23","to":"stage:1"}
            reachable: ["stage:0","stage:1","image:golang:1.22","image:alpine"]
            --- image_from
            target: "stage:0"
            nodes: {"base":"alpine","id":"stage:0","index":0,"isTarget":true,"kind":"stage","line":0,"name":"final","range":"0:0-0:20","reachable":true}
            nodes: {"id":"image:alpine","isTarget":false,"kind":"image","name":"alpine","reachable":true}
            nodes: {"id":"image:nginx:1.27","isTarget":false,"kind":"image","name":"nginx:1.27","reachable":true}
            nodes: {"id":"image:busybox","isTarget":false,"kind":"image","name":"busybox","reachable":true}
            edges: {"from":"image:alpine","kind":"base","range":"0:0-0:20","to":"stage:0"}
            edges: {"from":"image:nginx:1.27","kind":"copy","range":"1:0-1:44","to":"stage:0"}
            edges: {"from":"image:busybox","kind":"mount","range":"2:0-2:40","to":"stage:0"}
            reachable: ["stage:0","image:alpine","image:nginx:1.27","image:busybox"]
            --- unreachable
            target: "stage:3"
            nodes: {"base":"node:20","id":"stage:0","index":0,"isTarget":false,"kind":"stage","line":0,"name":"assets","range":"0:0-0:22","reachable":true}
            nodes: {"base":"alpine","id":"stage:1","index":1,"isTarget":false,"kind":"stage","line":1,"name":"docs","range":"1:0-1:19","reachable":false}
            nodes: {"base":"alpine","id":"stage:2","index":2,"isTarget":false,"kind":"stage","line":3,"name":"test","range":"3:0-3:19","reachable":false}
            nodes: {"base":"scratch","id":"stage:3","index":3,"isTarget":true,"kind":"stage","line":4,"name":"final","range":"4:0-4:21","reachable":true}
            nodes: {"id":"image:node:20","isTarget":false,"kind":"image","name":"node:20","reachable":true}
            nodes: {"id":"image:alpine","isTarget":false,"kind":"image","name":"alpine","reachable":false}
            nodes: {"id":"image:scratch","isTarget":false,"kind":"image","name":"scratch","reachable":true}
            edges: {"from":"image:node:20","kind":"base","range":"0:0-0:22","to":"stage:0"}
            edges: {"from":"image:alpine","kind":"base","range":"1:0-1:19","to":"stage:1"}
            edges: {"from":"stage:0","kind":"copy","range":"2:0-2:30","to":"stage:1"}
            edges: {"from":"image:alpine","kind":"base","range":"3:0-3:19","to":"stage:2"}
            edges: {"from":"image:scratch","kind":"base","range":"4:0-4:21","to":"stage:3"}
            edges: {"from":"stage:0","kind":"copy","range":"5:0-5:32","to":"stage:3"}
            reachable: ["stage:0","stage:3","image:node:20","image:scratch"]
            --- chosen_target
            target: "stage:1"
            nodes: {"base":"golang:1.22","id":"stage:0","index":0,"isTarget":false,"kind":"stage","line":1,"name":"build","range":"1:0-1:25","reachable":true}
            nodes: {"base":"build","id":"stage:1","index":1,"isTarget":true,"kind":"stage","line":2,"name":"test","range":"2:0-2:18","reachable":true}
            nodes: {"base":"scratch","id":"stage:2","index":2,"isTarget":false,"kind":"stage","line":3,"name":"final","range":"3:0-3:21","reachable":false}
            nodes: {"id":"image:golang:1.22","isTarget":false,"kind":"image","name":"golang:1.22","reachable":true}
            nodes: {"id":"image:scratch","isTarget":false,"kind":"image","name":"scratch","reachable":false}
            edges: {"from":"image:golang:1.22","kind":"base","range":"1:0-1:25","to":"stage:0"}
            edges: {"from":"stage:0","kind":"base","range":"2:0-2:18","to":"stage:1"}
            edges: {"from":"image:scratch","kind":"base","range":"3:0-3:21","to":"stage:2"}
            edges: {"from":"stage:0","kind":"copy","range":"4:0-4:27","to":"stage:2"}
            reachable: ["stage:0","stage:1","image:golang:1.22"]
            --- setting_target
            target: "stage:1"
            nodes: {"base":"node:20","id":"stage:0","index":0,"isTarget":false,"kind":"stage","line":0,"name":"assets","range":"0:0-0:22","reachable":true}
            nodes: {"base":"alpine","id":"stage:1","index":1,"isTarget":true,"kind":"stage","line":1,"name":"docs","range":"1:0-1:19","reachable":true}
            nodes: {"base":"alpine","id":"stage:2","index":2,"isTarget":false,"kind":"stage","line":3,"name":"test","range":"3:0-3:19","reachable":false}
            nodes: {"base":"scratch","id":"stage:3","index":3,"isTarget":false,"kind":"stage","line":4,"name":"final","range":"4:0-4:21","reachable":false}
            nodes: {"id":"image:node:20","isTarget":false,"kind":"image","name":"node:20","reachable":true}
            nodes: {"id":"image:alpine","isTarget":false,"kind":"image","name":"alpine","reachable":true}
            nodes: {"id":"image:scratch","isTarget":false,"kind":"image","name":"scratch","reachable":false}
            edges: {"from":"image:node:20","kind":"base","range":"0:0-0:22","to":"stage:0"}
            edges: {"from":"image:alpine","kind":"base","range":"1:0-1:19","to":"stage:1"}
            edges: {"from":"stage:0","kind":"copy","range":"2:0-2:30","to":"stage:1"}
            edges: {"from":"image:alpine","kind":"base","range":"3:0-3:19","to":"stage:2"}
            edges: {"from":"image:scratch","kind":"base","range":"4:0-4:21","to":"stage:3"}
            edges: {"from":"stage:0","kind":"copy","range":"5:0-5:32","to":"stage:3"}
            reachable: ["stage:0","stage:1","image:node:20","image:alpine"]
            --- forty
            target: "stage:39"
            nodes: {"base":"golang:1.22","id":"stage:0","index":0,"isTarget":false,"kind":"stage","line":0,"name":"s0","range":"0:0-0:22","reachable":true}
            nodes: {"base":"s0","id":"stage:1","index":1,"isTarget":false,"kind":"stage","line":1,"name":"s1","range":"1:0-1:13","reachable":true}
            nodes: {"base":"s1","id":"stage:2","index":2,"isTarget":false,"kind":"stage","line":2,"name":"s2","range":"2:0-2:13","reachable":true}
            nodes: {"base":"s2","id":"stage:3","index":3,"isTarget":false,"kind":"stage","line":3,"name":"s3","range":"3:0-3:13","reachable":true}
            nodes: {"base":"s3","id":"stage:4","index":4,"isTarget":false,"kind":"stage","line":5,"name":"s4","range":"5:0-5:13","reachable":false}
            nodes: {"base":"alpine:3.20","id":"stage:5","index":5,"isTarget":false,"kind":"stage","line":6,"name":"s5","range":"6:0-6:22","reachable":true}
            nodes: {"base":"s5","id":"stage:6","index":6,"isTarget":false,"kind":"stage","line":7,"name":"s6","range":"7:0-7:13","reachable":true}
            nodes: {"base":"s6","id":"stage:7","index":7,"isTarget":false,"kind":"stage","line":9,"name":"s7","range":"9:0-9:13","reachable":true}
            nodes: {"base":"s7","id":"stage:8","index":8,"isTarget":false,"kind":"stage","line":11,"name":"s8","range":"11:0-11:13","reachable":true}
            nodes: {"base":"s8","id":"stage:9","index":9,"isTarget":false,"kind":"stage","line":12,"name":"s9","range":"12:0-12:13","reachable":true}
            nodes: {"base":"alpine:3.20","id":"stage:10","index":10,"isTarget":false,"kind":"stage","line":14,"name":"s10","range":"14:0-14:23","reachable":true}
            nodes: {"base":"s10","id":"stage:11","index":11,"isTarget":false,"kind":"stage","line":15,"name":"s11","range":"15:0-15:15","reachable":true}
            nodes: {"base":"s11","id":"stage:12","index":12,"isTarget":false,"kind":"stage","line":16,"name":"s12","range":"16:0-16:15","reachable":true}
            nodes: {"base":"s12","id":"stage:13","index":13,"isTarget":false,"kind":"stage","line":18,"name":"s13","range":"18:0-18:15","reachable":false}
            nodes: {"base":"s13","id":"stage:14","index":14,"isTarget":false,"kind":"stage","line":19,"name":"s14","range":"19:0-19:15","reachable":false}
            nodes: {"base":"alpine:3.20","id":"stage:15","index":15,"isTarget":false,"kind":"stage","line":21,"name":"s15","range":"21:0-21:23","reachable":true}
            nodes: {"base":"s15","id":"stage:16","index":16,"isTarget":false,"kind":"stage","line":23,"name":"s16","range":"23:0-23:15","reachable":true}
            nodes: {"base":"s16","id":"stage:17","index":17,"isTarget":false,"kind":"stage","line":24,"name":"s17","range":"24:0-24:15","reachable":true}
            nodes: {"base":"s17","id":"stage:18","index":18,"isTarget":false,"kind":"stage","line":25,"name":"s18","range":"25:0-25:15","reachable":true}
            nodes: {"base":"s18","id":"stage:19","index":19,"isTarget":false,"kind":"stage","line":27,"name":"s19","range":"27:0-27:15","reachable":false}
            nodes: {"base":"alpine:3.20","id":"stage:20","index":20,"isTarget":false,"kind":"stage","line":28,"name":"s20","range":"28:0-28:23","reachable":true}
            nodes: {"base":"s20","id":"stage:21","index":21,"isTarget":false,"kind":"stage","line":29,"name":"s21","range":"29:0-29:15","reachable":true}
            nodes: {"base":"s21","id":"stage:22","index":22,"isTarget":false,"kind":"stage","line":32,"name":"s22","range":"32:0-32:15","reachable":true}
            nodes: {"base":"s22","id":"stage:23","index":23,"isTarget":false,"kind":"stage","line":33,"name":"s23","range":"33:0-33:15","reachable":true}
            nodes: {"base":"s23","id":"stage:24","index":24,"isTarget":false,"kind":"stage","line":34,"name":"s24","range":"34:0-34:15","reachable":true}
            nodes: {"base":"alpine:3.20","id":"stage:25","index":25,"isTarget":false,"kind":"stage","line":36,"name":"s25","range":"36:0-36:23","reachable":true}
            nodes: {"base":"s25","id":"stage:26","index":26,"isTarget":false,"kind":"stage","line":37,"name":"s26","range":"37:0-37:15","reachable":true}
            nodes: {"base":"s26","id":"stage:27","index":27,"isTarget":false,"kind":"stage","line":38,"name":"s27","range":"38:0-38:15","reachable":true}
            nodes: {"base":"s27","id":"stage:28","index":28,"isTarget":false,"kind":"stage","line":40,"name":"s28","range":"40:0-40:15","reachable":false}
            nodes: {"base":"s28","id":"stage:29","index":29,"isTarget":false,"kind":"stage","line":42,"name":"s29","range":"42:0-42:15","reachable":false}
            nodes: {"base":"alpine:3.20","id":"stage:30","index":30,"isTarget":false,"kind":"stage","line":43,"name":"s30","range":"43:0-43:23","reachable":true}
            nodes: {"base":"s30","id":"stage:31","index":31,"isTarget":false,"kind":"stage","line":45,"name":"s31","range":"45:0-45:15","reachable":true}
            nodes: {"base":"s31","id":"stage:32","index":32,"isTarget":false,"kind":"stage","line":46,"name":"s32","range":"46:0-46:15","reachable":true}
            nodes: {"base":"s32","id":"stage:33","index":33,"isTarget":false,"kind":"stage","line":47,"name":"s33","range":"47:0-47:15","reachable":true}
            nodes: {"base":"s33","id":"stage:34","index":34,"isTarget":false,"kind":"stage","line":49,"name":"s34","range":"49:0-49:15","reachable":false}
            nodes: {"base":"alpine:3.20","id":"stage:35","index":35,"isTarget":false,"kind":"stage","line":50,"name":"s35","range":"50:0-50:23","reachable":true}
            nodes: {"base":"s35","id":"stage:36","index":36,"isTarget":false,"kind":"stage","line":52,"name":"s36","range":"52:0-52:15","reachable":true}
            nodes: {"base":"s36","id":"stage:37","index":37,"isTarget":false,"kind":"stage","line":54,"name":"s37","range":"54:0-54:15","reachable":true}
            nodes: {"base":"s37","id":"stage:38","index":38,"isTarget":false,"kind":"stage","line":55,"name":"s38","range":"55:0-55:15","reachable":true}
            nodes: {"base":"s38","id":"stage:39","index":39,"isTarget":true,"kind":"stage","line":56,"name":"s39","range":"56:0-56:15","reachable":true}
            nodes: {"id":"image:golang:1.22","isTarget":false,"kind":"image","name":"golang:1.22","reachable":true}
            nodes: {"id":"image:alpine:3.20","isTarget":false,"kind":"image","name":"alpine:3.20","reachable":true}
            edges: {"from":"image:golang:1.22","kind":"base","range":"0:0-0:22","to":"stage:0"}
            edges: {"from":"stage:0","kind":"base","range":"1:0-1:13","to":"stage:1"}
            edges: {"from":"stage:1","kind":"base","range":"2:0-2:13","to":"stage:2"}
            edges: {"from":"stage:2","kind":"base","range":"3:0-3:13","to":"stage:3"}
            edges: {"from":"stage:0","kind":"copy","range":"4:0-4:24","to":"stage:3"}
            edges: {"from":"stage:3","kind":"base","range":"5:0-5:13","to":"stage:4"}
            edges: {"from":"image:alpine:3.20","kind":"base","range":"6:0-6:22","to":"stage:5"}
            edges: {"from":"stage:5","kind":"base","range":"7:0-7:13","to":"stage:6"}
            edges: {"from":"stage:3","kind":"copy","range":"8:0-8:24","to":"stage:6"}
            edges: {"from":"stage:6","kind":"base","range":"9:0-9:13","to":"stage:7"}
            edges: {"from":"stage:3","kind":"mount","range":"10:0-10:34","to":"stage:7"}
            edges: {"from":"stage:7","kind":"base","range":"11:0-11:13","to":"stage:8"}
            edges: {"from":"stage:8","kind":"base","range":"12:0-12:13","to":"stage:9"}
            edges: {"from":"stage:6","kind":"copy","range":"13:0-13:24","to":"stage:9"}
            edges: {"from":"image:alpine:3.20","kind":"base","range":"14:0-14:23","to":"stage:10"}
            edges: {"from":"stage:10","kind":"base","range":"15:0-15:15","to":"stage:11"}
            edges: {"from":"stage:11","kind":"base","range":"16:0-16:15","to":"stage:12"}
            edges: {"from":"stage:9","kind":"copy","range":"17:0-17:25","to":"stage:12"}
            edges: {"from":"stage:12","kind":"base","range":"18:0-18:15","to":"stage:13"}
            edges: {"from":"stage:13","kind":"base","range":"19:0-19:15","to":"stage:14"}
            edges: {"from":"stage:7","kind":"mount","range":"20:0-20:34","to":"stage:14"}
            edges: {"from":"image:alpine:3.20","kind":"base","range":"21:0-21:23","to":"stage:15"}
            edges: {"from":"stage:12","kind":"copy","range":"22:0-22:26","to":"stage:15"}
            edges: {"from":"stage:15","kind":"base","range":"23:0-23:15","to":"stage:16"}
            edges: {"from":"stage:16","kind":"base","range":"24:0-24:15","to":"stage:17"}
            edges: {"from":"stage:17","kind":"base","range":"25:0-25:15","to":"stage:18"}
            edges: {"from":"stage:15","kind":"copy","range":"26:0-26:26","to":"stage:18"}
            edges: {"from":"stage:18","kind":"base","range":"27:0-27:15","to":"stage:19"}
            edges: {"from":"image:alpine:3.20","kind":"base","range":"28:0-28:23","to":"stage:20"}
            edges: {"from":"stage:20","kind":"base","range":"29:0-29:15","to":"stage:21"}
            edges: {"from":"stage:18","kind":"copy","range":"30:0-30:26","to":"stage:21"}
            edges: {"from":"stage:10","kind":"mount","range":"31:0-31:35","to":"stage:21"}
            edges: {"from":"stage:21","kind":"base","range":"32:0-32:15","to":"stage:22"}
            edges: {"from":"stage:22","kind":"base","range":"33:0-33:15","to":"stage:23"}
            edges: {"from":"stage:23","kind":"base","range":"34:0-34:15","to":"stage:24"}
            edges: {"from":"stage:21","kind":"copy","range":"35:0-35:26","to":"stage:24"}
            edges: {"from":"image:alpine:3.20","kind":"base","range":"36:0-36:23","to":"stage:25"}
            edges: {"from":"stage:25","kind":"base","range":"37:0-37:15","to":"stage:26"}
            edges: {"from":"stage:26","kind":"base","range":"38:0-38:15","to":"stage:27"}
            edges: {"from":"stage:24","kind":"copy","range":"39:0-39:26","to":"stage:27"}
            edges: {"from":"stage:27","kind":"base","range":"40:0-40:15","to":"stage:28"}
            edges: {"from":"stage:14","kind":"mount","range":"41:0-41:35","to":"stage:28"}
            edges: {"from":"stage:28","kind":"base","range":"42:0-42:15","to":"stage:29"}
            edges: {"from":"image:alpine:3.20","kind":"base","range":"43:0-43:23","to":"stage:30"}
            edges: {"from":"stage:27","kind":"copy","range":"44:0-44:26","to":"stage:30"}
            edges: {"from":"stage:30","kind":"base","range":"45:0-45:15","to":"stage:31"}
            edges: {"from":"stage:31","kind":"base","range":"46:0-46:15","to":"stage:32"}
            edges: {"from":"stage:32","kind":"base","range":"47:0-47:15","to":"stage:33"}
            edges: {"from":"stage:30","kind":"copy","range":"48:0-48:26","to":"stage:33"}
            edges: {"from":"stage:33","kind":"base","range":"49:0-49:15","to":"stage:34"}
            edges: {"from":"image:alpine:3.20","kind":"base","range":"50:0-50:23","to":"stage:35"}
            edges: {"from":"stage:17","kind":"mount","range":"51:0-51:35","to":"stage:35"}
            edges: {"from":"stage:35","kind":"base","range":"52:0-52:15","to":"stage:36"}
            edges: {"from":"stage:33","kind":"copy","range":"53:0-53:26","to":"stage:36"}
            edges: {"from":"stage:36","kind":"base","range":"54:0-54:15","to":"stage:37"}
            edges: {"from":"stage:37","kind":"base","range":"55:0-55:15","to":"stage:38"}
            edges: {"from":"stage:38","kind":"base","range":"56:0-56:15","to":"stage:39"}
            edges: {"from":"stage:36","kind":"copy","range":"57:0-57:26","to":"stage:39"}
            reachable: ["stage:0","stage:1","stage:2","stage:3","stage:5","stage:6","stage:7","stage:8","stage:9","stage:10","stage:11","stage:12","stage:15","stage:16","stage:17","stage:18","stage:20","stage:21","stage:22","stage:23","stage:24","stage:25","stage:26","stage:27","stage:30","stage:31","stage:32","stage:33","stage:35","stage:36","stage:37","stage:38","stage:39","image:golang:1.22","image:alpine:3.20"]
        "#]].assert_eq(&out);
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

            /// `Positions` answers as `position` does, with a line cursor or an index, for
            /// offsets in any order (mostly increasing), inside multibyte chars and past the end,
            /// in ASCII text and not.
            #[test]
            fn positions_equal_position(
                parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..400),
                offsets in prop::collection::vec((any::<bool>(), 0usize..30), 0..60),
                utf8 in any::<bool>(),
            ) {
                let enc = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
                let text = parts.concat();
                let d = Document::new(&text, 0);
                let mut at = Positions::new(&d, enc);
                let mut indexed = Positions::indexed(&d, enc);
                let mut offset = 0usize;
                for (back, step) in offsets {
                    offset = if back { offset.saturating_sub(step * 3) } else { offset + step };
                    let o = offset.min(text.len() + 3);
                    prop_assert_eq!(at.at(o), position(&d, o, enc), "at {}", o);
                    prop_assert_eq!(indexed.at(o), position(&d, o, enc), "indexed, at {}", o);
                }
            }
        }
    }
}
