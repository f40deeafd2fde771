//! Linked editing ranges: typing in a stage name's declaration (`AS build`) edits its uses
//! (`FROM build`, `COPY --from=build`, `RUN --mount=from=build`) at the same time.
//!
//! Only the places that spell the name are linked (`renamable` occurrences from
//! [`symbol::occurrences`]; `--from=0` is not), and only when they all spell it identically: LSP
//! requires linked ranges to have the same text, and BuildKit matches names case-insensitively,
//! so `AS Build` used as `--from=build` is left to rename.
//!
//! Must not know: LSP types.

use super::symbol::{occurrences, symbol_at, Symbol};
use crate::analysis::{Document, Span};

/// What a stage name may look like while it is typed (BuildKit: `^[a-z][a-z0-9-_.]*$` after
/// lower-casing), as an ECMAScript regular expression for the client.
pub const STAGE_NAME_PATTERN: &str = "[A-Za-z][A-Za-z0-9_.-]*";

/// The linked spans around `offset` (at least two), or `None`.
pub fn linked_editing_ranges(doc: &Document, offset: usize) -> Option<Vec<Span>> {
    let (symbol, at) = symbol_at(doc, offset)?;
    if !matches!(symbol, Symbol::Stage(_)) {
        return None;
    }
    let occ = occurrences(doc, symbol);
    let here = occ.iter().find(|o| o.span == at)?;
    if !here.renamable {
        return None;
    }
    let name = doc.slice(at);
    let spans: Vec<Span> = occ.iter().filter(|o| o.renamable).map(|o| o.span).collect();
    if spans.len() < 2 || spans.iter().any(|s| doc.slice(*s) != name) {
        return None;
    }
    Some(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{doc_with_cursor, render};
    use expect_test::{expect, Expect};

    fn check(fixture: &str, expect: Expect) {
        let (doc, offset) = doc_with_cursor(fixture);
        let spans: Vec<(Span, String)> = linked_editing_ranges(&doc, offset)
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s, "linked".to_string()))
            .collect();
        expect.assert_eq(&render(&doc.text().to_string(), &spans));
    }

    #[test]
    fn declaration_and_uses() {
        check(
            r#"
FROM golang AS bu<|>ild
FROM build AS test
FROM alpine
COPY --from=build /a /a
COPY --from=0 /b /b
RUN --mount=from=build,target=/x true
"#,
            expect![[r#"
                FROM golang AS build
                               ^^^^^ linked
                FROM build AS test
                     ^^^^^ linked
                FROM alpine
                COPY --from=build /a /a
                            ^^^^^ linked
                COPY --from=0 /b /b
                RUN --mount=from=build,target=/x true
                                 ^^^^^ linked
            "#]],
        );
    }

    #[test]
    fn from_a_use_and_not_for_variables_or_mixed_case() {
        check(
            "FROM a AS b\nCOPY --from=b<|> / /\n",
            expect![[r#"
            FROM a AS b
                      ^ linked
            COPY --from=b / /
                        ^ linked
        "#]],
        );
        check(
            "ARG V\nFROM a\nRUN echo $V<|>\n",
            expect![[r#"
            ARG V
            FROM a
            RUN echo $V
        "#]],
        );
        check(
            "FROM a AS Build\nCOPY --from=bui<|>ld / /\n",
            expect![[r#"
            FROM a AS Build
            COPY --from=build / /
        "#]],
        );
        check(
            "FROM a AS lonely<|>\n",
            expect![[r#"
            FROM a AS lonely
        "#]],
        );
    }

    #[test]
    fn utf16_and_crlf() {
        check(
            "FROM é AS s<|>\r\nCOPY --from=s / /\r\n",
            expect![[r#"
            FROM é AS s
                      ^ linked
            COPY --from=s / /
                        ^ linked
        "#]],
        );
    }
}
