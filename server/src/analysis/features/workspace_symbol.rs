//! `workspace/symbol` over one document: its build stages, matched against the user's query.
//!
//! Matching is case-insensitive: a query matches a stage label that contains it (best), or that
//! contains its characters in order (fuzzy, as editors' "go to symbol" pickers do). An empty
//! query matches every stage. The LSP layer runs this over every open document and merges.
//!
//! Must not know: LSP types.

use crate::analysis::{Document, Span};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageSymbol {
    /// The stage name, or its index for an unnamed stage.
    pub name: String,
    /// The base as written.
    pub base: String,
    /// From `FROM` to the stage's last instruction.
    pub span: Span,
    /// Lower is better: 0 for a prefix match, 1 for a substring, 2 for a fuzzy match.
    pub score: u8,
}

pub fn workspace_symbols(doc: &Document, query: &str) -> Vec<StageSymbol> {
    let query = query.trim().to_lowercase();
    doc.model()
        .stages
        .iter()
        .filter_map(|stage| {
            let name = stage.label();
            let score = score(&name.to_lowercase(), &query)?;
            Some(StageSymbol {
                name,
                base: stage.base.text.to_string(),
                span: stage.span,
                score,
            })
        })
        .collect()
}

/// How well `query` (lower-cased) matches `label` (lower-cased), or `None`.
pub fn score(label: &str, query: &str) -> Option<u8> {
    if label.starts_with(query) {
        return Some(0);
    }
    if label.contains(query) {
        return Some(1);
    }
    let mut rest = label.chars();
    query
        .chars()
        .all(|q| rest.by_ref().any(|c| c == q))
        .then_some(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check(text: &str, query: &str, expect: Expect) {
        let doc = Document::new(text, 0);
        let got: Vec<String> = workspace_symbols(&doc, query)
            .iter()
            .map(|s| format!("{} ({}) {:?} score={}", s.name, s.base, s.span, s.score))
            .collect();
        expect.assert_eq(&got.join("\n"));
    }

    const TEXT: &str =
        "FROM golang AS Build-Env\nRUN x\nFROM alpine AS runtime\nFROM scratch\nCOPY --from=runtime / /\n";

    #[test]
    fn substring_prefix_and_fuzzy_matches() {
        check(
            TEXT,
            "",
            expect![[r#"
            build-env (golang) 0..30 score=0
            runtime (alpine) 31..53 score=0
            2 (scratch) 54..90 score=0"#]],
        );
        check(TEXT, "ENV", expect!["build-env (golang) 0..30 score=1"]);
        check(TEXT, "bdv", expect!["build-env (golang) 0..30 score=2"]);
        check(TEXT, "rt", expect!["runtime (alpine) 31..53 score=2"]);
        check(TEXT, "2", expect!["2 (scratch) 54..90 score=0"]);
        check(TEXT, "zzz", expect![""]);
    }
}
