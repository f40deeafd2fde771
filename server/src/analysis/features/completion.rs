//! PLACEHOLDER being written by the completion helper.
use crate::analysis::{Document, Span};

/// What the client can take, from its capabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompletionConfig {
    /// `textDocument.completion.completionItem.snippetSupport`.
    pub snippets: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Keyword,
    Flag,
    Property,
    Value,
    Stage,
    Variable,
    Directive,
    Image,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// The text that replaces `replace`; a snippet (`$1`, `${1:x}`) when `snippet` is true.
    pub insert_text: String,
    pub snippet: bool,
    /// The range the item replaces (the partial word before and after the cursor).
    pub replace: Span,
    /// Sorts items; items with equal keys sort by label.
    pub sort_text: Option<String>,
    pub filter_text: Option<String>,
}

pub fn completion(doc: &Document, offset: usize, config: CompletionConfig) -> Vec<CompletionItem> {
    let _ = (doc, offset, config);
    Vec::new()
}
