//! PLACEHOLDER being written by the expand helper: variable references in words.
use super::{Span, Word};

/// How the text around a reference is quoted, which decides whether BuildKit expands it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VarRef {
    /// The variable name as written.
    pub name: String,
    pub name_span: Span,
    /// The whole reference: `$NAME`, `${NAME}`, `${NAME:-word}`.
    pub span: Span,
    pub braced: bool,
    /// The modifier operator (`:-`, `-`, `:+`, `+`, `:?`, `?`, `#`, `##`, `%`, `%%`, `/`, `//`), if any.
    pub operator: Option<String>,
    /// The modifier's word (its own references are returned separately).
    pub operand: Option<Span>,
}

/// Every variable reference in `word`, including those nested in modifiers, in source order.
pub fn var_refs(word: &Word, escape: char) -> Vec<VarRef> {
    let _ = (word, escape);
    Vec::new()
}
