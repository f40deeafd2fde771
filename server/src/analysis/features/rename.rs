//! Rename stages and variables.
//!
//! A stage rename rewrites its `AS` name and every `FROM`, `--from=` and `from=` that names it
//! (numeric `--from=N` and `FROM ${VAR}` stay as they are: they do not spell the name). A
//! variable rename rewrites the whole group from [`super::symbol::var_group`]. A heredoc rename
//! rewrites the delimiter after `<<` and the terminator line.
//!
//! Must not know: LSP types.

use std::fmt;

use super::symbol::{occurrences, symbol_at, Symbol};
use crate::analysis::{Document, Span};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    /// Nothing renamable at the position.
    NoSymbol,
    InvalidName(String),
    /// Another stage already has the name.
    Conflict(String),
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameError::NoSymbol => {
                write!(f, "no stage, variable or heredoc delimiter to rename here")
            }
            RenameError::InvalidName(why) => write!(f, "{why}"),
            RenameError::Conflict(name) => write!(f, "a stage named `{name}` already exists"),
        }
    }
}

/// The span to rename and its current text, if a renamable symbol is at `offset`.
pub fn prepare_rename(doc: &Document, offset: usize) -> Option<(Span, String)> {
    let (symbol, span) = symbol_at(doc, offset)?;
    let occ = occurrences(doc, symbol);
    // The cursor must be on a spelling of the name (not on `--from=0`).
    let here = occ.iter().find(|o| o.span == span)?;
    if !here.renamable {
        return None;
    }
    Some((span, doc.slice(span)))
}

/// The edits that rename the symbol at `offset` to `new_name`.
pub fn rename(
    doc: &Document,
    offset: usize,
    new_name: &str,
) -> Result<Vec<(Span, String)>, RenameError> {
    let (symbol, _) = prepare_rename(doc, offset)
        .and_then(|(span, _)| symbol_at(doc, span.start))
        .ok_or(RenameError::NoSymbol)?;
    match symbol {
        Symbol::Stage(s) => {
            validate_stage_name(new_name)?;
            let key = new_name.to_ascii_lowercase();
            let m = doc.model();
            if m.stages
                .iter()
                .any(|o| o.index != s && o.name.as_ref().is_some_and(|n| n.key == key))
            {
                return Err(RenameError::Conflict(key));
            }
        }
        Symbol::Var(_) => validate_var_name(new_name)?,
        Symbol::Heredoc { .. } => validate_heredoc_name(new_name)?,
    }
    Ok(occurrences(doc, symbol)
        .into_iter()
        .filter(|o| o.renamable)
        .map(|o| (o.span, new_name.to_string()))
        .collect())
}

/// BuildKit: `^[a-z][a-z0-9-_.]*$` after lower-casing.
fn validate_stage_name(name: &str) -> Result<(), RenameError> {
    let lower = name.to_ascii_lowercase();
    let mut chars = lower.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(RenameError::InvalidName(format!(
            "`{name}` is not a valid stage name: it must start with a letter and contain only letters, digits, `-`, `_` and `.`"
        )))
    }
}

/// A delimiter that means the same unquoted and quoted: no blanks, quotes, `<`, `$` or `\\`.
fn validate_heredoc_name(name: &str) -> Result<(), RenameError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '\'' | '"' | '<' | '$' | '\\' | '`'));
    if ok {
        Ok(())
    } else {
        Err(RenameError::InvalidName(format!(
            "`{name}` is not a valid heredoc delimiter: it must be one word without quotes, `<`, `$`, `\\` or backticks"
        )))
    }
}

fn validate_var_name(name: &str) -> Result<(), RenameError> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(RenameError::InvalidName(format!(
            "`{name}` is not a valid variable name: it must start with a letter or `_` and contain only letters, digits and `_`"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::doc_with_cursor;
    use expect_test::{expect, Expect};

    /// Applies the rename and shows the new text, or the error.
    fn check_rename(fixture: &str, new_name: &str, expect: Expect) {
        let (doc, offset) = doc_with_cursor(fixture);
        let actual = match rename(&doc, offset, new_name) {
            Ok(mut edits) => {
                let mut text = doc.text().to_string();
                edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
                for (span, new) in edits {
                    text.replace_range(span.start..span.end, &new);
                }
                text
            }
            Err(e) => format!("error: {e}\n"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn rename_heredoc_delimiter_in_marker_and_terminator() {
        check_rename(
            "FROM alpine\nRUN <<-'E<|>OF' cat > /a && <<X cat\n\thello\n\tEOF\nx\nX\nRUN echo EOF\n",
            "END",
            expect![[r#"
                FROM alpine
                RUN <<-'END' cat > /a && <<X cat
                	hello
                	END
                x
                X
                RUN echo EOF
            "#]],
        );
        check_rename(
            "FROM alpine\r\nCOPY <<EOF /a\r\nbody\r\nE<|>OF\r\n",
            "DONE",
            expect!["FROM alpine\r\nCOPY <<DONE /a\r\nbody\r\nDONE\r\n"],
        );
        check_rename(
            "FROM alpine\nRUN <<E<|>OF\nx\nEOF\n",
            "two words",
            expect![[r#"
                error: `two words` is not a valid heredoc delimiter: it must be one word without quotes, `<`, `$`, `\` or backticks
            "#]],
        );
    }

    #[test]
    fn rename_stage_everywhere() {
        check_rename(
            r#"
FROM golang AS bu<|>ild
FROM build AS test
FROM alpine
COPY --from=Build /a /a
COPY --from=0 /b /b
RUN --mount=type=cache,from=build,target=/x true
"#,
            "compile",
            expect![[r#"
                FROM golang AS compile
                FROM compile AS test
                FROM alpine
                COPY --from=compile /a /a
                COPY --from=0 /b /b
                RUN --mount=type=cache,from=compile,target=/x true
            "#]],
        );
    }

    #[test]
    fn rename_variable_group() {
        check_rename(
            r#"
ARG VERSION=1.22
FROM golang:${VERSION} AS build
ARG VERSION
RUN echo $VERSION
FROM alpine
ARG VERSION
RUN echo ${VERS<|>ION:-none}
"#,
            "GO_VERSION",
            expect![[r#"
                ARG GO_VERSION=1.22
                FROM golang:${GO_VERSION} AS build
                ARG GO_VERSION
                RUN echo $GO_VERSION
                FROM alpine
                ARG GO_VERSION
                RUN echo ${GO_VERSION:-none}
            "#]],
        );
    }

    #[test]
    fn invalid_names_are_refused() {
        check_rename(
            "FROM alpine AS b<|>ase\n",
            "1st",
            expect![[r#"
                error: `1st` is not a valid stage name: it must start with a letter and contain only letters, digits, `-`, `_` and `.`
            "#]],
        );
        check_rename(
            "FROM alpine AS b<|>ase\nFROM alpine AS other\n",
            "OTHER",
            expect![[r#"
                error: a stage named `other` already exists
            "#]],
        );
        check_rename(
            "FROM alpine\nENV A<|>=1\n",
            "A-B",
            expect![[r#"
                error: `A-B` is not a valid variable name: it must start with a letter or `_` and contain only letters, digits and `_`
            "#]],
        );
        check_rename(
            "FROM alp<|>ine\n",
            "x",
            expect![[r#"
                error: no stage, variable or heredoc delimiter to rename here
            "#]],
        );
    }

    #[test]
    fn numeric_from_is_not_renamable() {
        let (doc, offset) = doc_with_cursor("FROM alpine\nFROM alpine\nCOPY --from=<|>0 /a /b\n");
        assert_eq!(prepare_rename(&doc, offset), None);
    }
}
