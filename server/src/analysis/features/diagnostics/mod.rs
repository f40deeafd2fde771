//! PLACEHOLDER: diagnostics, written next by the lead.
use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    Unnecessary,
    Deprecated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Span,
    pub severity: Severity,
    /// The rule's stable PascalCase name.
    pub rule: &'static str,
    pub message: String,
    pub tags: Vec<Tag>,
    /// Other places that matter, with a message each.
    pub related: Vec<(Span, String)>,
}

pub fn diagnostics(doc: &Document) -> Vec<Diagnostic> {
    let _ = doc;
    Vec::new()
}
