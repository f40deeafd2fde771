//! PLACEHOLDER being written by the expand helper: `--mount` option lists.
use super::{Span, Word};

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MountOpt {
    /// Lower-cased key.
    pub key: Word,
    pub value: Option<Word>,
    pub span: Span,
}

pub fn parse_mount(value: &Word) -> Vec<MountOpt> {
    let _ = value;
    Vec::new()
}
