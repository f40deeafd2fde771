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

pub use completion::{completion, CompletionConfig, CompletionItem, CompletionKind};
pub use diagnostics::{
    diagnostics, diagnostics_with, Diagnostic, DiagnosticsConfig, Fix, Severity, Tag,
};
pub use navigation::{definition, highlights, references, HighlightKind};
pub use rename::{prepare_rename, rename, RenameError};
