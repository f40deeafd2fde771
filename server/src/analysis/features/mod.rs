//! Editor features, one file each, every one a pure function over a [`Document`](super::Document)
//! and UTF-8 byte offsets.
//!
//! Must not know: LSP types; every result here is converted by `lsp::convert`.

pub mod completion;
pub mod diagnostics;
#[doc(hidden)]
pub mod exercise;
pub mod navigation;
pub mod rename;
pub mod symbol;

// Hover, semantic tokens, links, inlay hints, signature help (issue 5A).
pub mod document_link;
pub mod hover;
pub mod inlay_hints;
pub mod semantic_tokens;
pub mod signature_help;
pub mod var_value;

pub use completion::{completion, CompletionConfig, CompletionItem, CompletionKind};
pub use diagnostics::{
    diagnostics, diagnostics_with, Diagnostic, DiagnosticsConfig, Fix, Severity, Tag,
};
pub use navigation::{definition, highlights, references, HighlightKind};
pub use rename::{prepare_rename, rename, RenameError};

pub use document_link::{document_links, DocumentLink};
pub use hover::{hover, Hover, HoverConfig};
pub use inlay_hints::{inlay_hints, InlayHint, InlayHintKind, InlayHintsConfig};
pub use semantic_tokens::{semantic_tokens, SemanticToken, TokenType};
pub use signature_help::{signature_help, Signature, SignatureHelp};
