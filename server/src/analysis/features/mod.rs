//! Editor features, one file each, every one a pure function over a [`Document`](super::Document)
//! and UTF-8 byte offsets.
//!
//! Must not know: LSP types; every result here is converted by `lsp::convert`.

pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod diagnostics;
#[doc(hidden)]
pub mod exercise;
pub mod navigation;
pub mod rename;
pub mod symbol;

pub use code_lens::{code_lenses, stage_references, Lens, LensAction, LensKind, ResolvedLens};
// Hover, semantic tokens, links, inlay hints, signature help (issue 5A).
pub mod document_link;
pub mod hover;
pub mod inlay_hints;
pub mod semantic_tokens;
pub mod signature_help;
pub mod var_value;

pub use code_action::{actions_for, Action};
pub use completion::{completion, CompletionConfig, CompletionItem, CompletionKind};
pub use diagnostics::{
    capped, diagnostics, diagnostics_with, Diagnostic, DiagnosticsConfig, Fix, Level, Severity, Tag,
};
pub use navigation::{definition, highlights, references, HighlightKind};
pub use rename::{prepare_rename, rename, RenameError};

// Issue 5B: outline, folding, selection, linked editing, formatting.
pub mod document_symbol;
pub mod folding;
pub mod formatting;
pub mod linked_editing;
pub mod selection_range;
pub mod workspace_symbol;

pub use document_link::{document_links, DocumentLink};
pub use document_symbol::{
    document_symbols, outline, outline_len, siblings, DocSymbol, OutlineSink, SymbolKind,
};
pub use folding::{folding_ranges, Fold, FoldKind};
pub use formatting::{format, format_on_type, Edit, FormatConfig, KeywordCase};
pub use hover::{hover, Hover, HoverConfig};
pub use inlay_hints::{inlay_hints, InlayHint, InlayHintKind, InlayHintsConfig};
pub use linked_editing::{linked_editing_ranges, STAGE_NAME_PATTERN};
pub use selection_range::selection_ranges;
pub use semantic_tokens::{semantic_tokens, SemanticToken, TokenType};
pub use signature_help::{signature_help, Signature, SignatureHelp};
pub use workspace_symbol::{workspace_symbols, StageSymbol};
