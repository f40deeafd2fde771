//! Go to definition, find references and document highlight for stages and variables.
//!
//! Must not know: LSP types.

use super::symbol::{occurrences, symbol_at, OccurrenceKind, Symbol, VarMember};
use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightKind {
    /// A declaration (`AS name`, `ARG NAME`, `ENV NAME=`).
    Write,
    Read,
}

/// Where the symbol at `offset` is defined. A stage goes to its name (or, unnamed, to its
/// `FROM`); a variable use goes to the definition in scope; a stage's `ARG NAME` goes to the
/// global ARG it re-declares.
pub fn definition(doc: &Document, offset: usize) -> Vec<Span> {
    let m = doc.model();
    let Some((symbol, _)) = symbol_at(doc, offset) else {
        return Vec::new();
    };
    match symbol {
        Symbol::Stage(s) => {
            let stage = &m.stages[s];
            let span = match &stage.name {
                Some(n) => n.span,
                None => doc.syntax().instructions[stage.instr].keyword.span,
            };
            vec![span]
        }
        Symbol::Var(VarMember::Use(u)) => m.var_uses[u]
            .def
            .map(|d| m.vars[d].name_span)
            .into_iter()
            .collect(),
        Symbol::Var(VarMember::Def(d)) => {
            let def = &m.vars[d];
            match def.redeclares {
                Some(g) => vec![m.vars[g].name_span],
                None => vec![def.name_span],
            }
        }
    }
}

/// Every occurrence of the symbol at `offset`; declarations only when asked for.
pub fn references(doc: &Document, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some((symbol, _)) = symbol_at(doc, offset) else {
        return Vec::new();
    };
    occurrences(doc, symbol)
        .into_iter()
        .filter(|o| include_declaration || o.kind != OccurrenceKind::Declaration)
        .map(|o| o.span)
        .collect()
}

pub fn highlights(doc: &Document, offset: usize) -> Vec<(Span, HighlightKind)> {
    let Some((symbol, _)) = symbol_at(doc, offset) else {
        return Vec::new();
    };
    occurrences(doc, symbol)
        .into_iter()
        .map(|o| {
            let kind = match o.kind {
                OccurrenceKind::Declaration => HighlightKind::Write,
                OccurrenceKind::Read => HighlightKind::Read,
            };
            (o.span, kind)
        })
        .collect()
}
