//! Go to definition, find references and document highlight for stages and variables.
//!
//! Must not know: LSP types.

use super::symbol::{heredoc_spans, occurrences, symbol_at, OccurrenceKind, Symbol, VarMember};
use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightKind {
    /// A declaration (`AS name`, `ARG NAME`, `ENV NAME=`).
    Write,
    Read,
}

/// Where the symbol at `offset` is defined. A stage goes to its name (or, unnamed, to its
/// `FROM`); a variable use goes to the definition in scope; a stage's `ARG NAME` goes to the
/// global ARG it re-declares; a heredoc terminator goes to the `<<NAME` that opened it.
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
        Symbol::Heredoc { instr, heredoc } => {
            let h = &doc.syntax().instructions[instr].heredocs[heredoc];
            heredoc_spans(doc, h)[0].into_iter().collect()
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{doc_with_cursor, render};
    use expect_test::{expect, Expect};

    fn check_definition(fixture: &str, expect: Expect) {
        let (doc, offset) = doc_with_cursor(fixture);
        let spans: Vec<_> = definition(&doc, offset)
            .into_iter()
            .map(|s| (s, "def".to_string()))
            .collect();
        expect.assert_eq(&render(&doc.text().to_string(), &spans));
    }

    fn check_references(fixture: &str, include_declaration: bool, expect: Expect) {
        let (doc, offset) = doc_with_cursor(fixture);
        let spans: Vec<_> = references(&doc, offset, include_declaration)
            .into_iter()
            .map(|s| (s, "ref".to_string()))
            .collect();
        expect.assert_eq(&render(&doc.text().to_string(), &spans));
    }

    fn check_highlights(fixture: &str, expect: Expect) {
        let (doc, offset) = doc_with_cursor(fixture);
        let spans: Vec<_> = highlights(&doc, offset)
            .into_iter()
            .map(|(s, k)| (s, format!("{k:?}").to_lowercase()))
            .collect();
        expect.assert_eq(&render(&doc.text().to_string(), &spans));
    }

    #[test]
    fn heredoc_terminator_goes_to_its_marker() {
        check_definition(
            "FROM alpine\nCOPY <<-file /a\nabc\n\tfi<|>le\n",
            expect![[r#"
                FROM alpine
                COPY <<-file /a
                        ^^^^ def
                abc
                	file
            "#]],
        );
        // Inside the body there is no symbol, even on the delimiter's word.
        check_definition(
            "FROM alpine\nRUN <<EOF\nEO<|>F2\nEOF\n",
            expect![[r#"
            FROM alpine
            RUN <<EOF
            EOF2
            EOF
        "#]],
        );
    }

    #[test]
    fn a_variable_name_split_by_a_continuation() {
        check_definition(
            "FROM alpine\nARG port=8080\nEXPOSE ${po\\\nr<|>t}\n",
            expect![[r#"
                FROM alpine
                ARG port=8080
                    ^^^^ def
                EXPOSE ${po\
                rt}
            "#]],
        );
        check_highlights(
            "FROM alpine\nARG port=8080\nLABEL k=\"$p<|>o\\ \t\r\nrt\"\n",
            expect![[r#"
                FROM alpine
                ARG port=8080
                    ^^^^ write
                LABEL k="$po\ 	
                          ^^^^^ read
                rt"
            "#]],
        );
    }

    #[test]
    fn global_arg_declared_twice_and_undefined_from_uses() {
        check_highlights(
            "ARG image=alpine\nARG im<|>age=alpine\nFROM $image\n",
            expect![[r#"
                ARG image=alpine
                    ^^^^^ write
                ARG image=alpine
                    ^^^^^ write
                FROM $image
                      ^^^^^ read
            "#]],
        );
        // A FROM line reads global ARGs only: the stage's own ARG is another variable, and
        // undefined names in several FROM lines are one (global) variable.
        check_highlights(
            "FROM $im<|>age\nARG image\nFROM $image AS b\n",
            expect![[r#"
                FROM $image
                      ^^^^^ read
                ARG image
                FROM $image AS b
                      ^^^^^ read
            "#]],
        );
    }

    #[test]
    fn heredoc_delimiters_highlight_together() {
        check_highlights(
            "FROM alpine\nRUN <<\"E<|>OF\" cat && <<TWO cat\nx\nEOF\ny\nTWO\n",
            expect![[r#"
                FROM alpine
                RUN <<"EOF" cat && <<TWO cat
                       ^^^ write
                x
                EOF
                ^^^ read
                y
                TWO
            "#]],
        );
    }

    #[test]
    fn copy_from_goes_to_stage_name() {
        check_definition(
            r#"
FROM golang:1.22 AS build
RUN go build -o /out/app
FROM alpine
COPY --from=bu<|>ild /out/app /app
"#,
            expect![[r#"
                FROM golang:1.22 AS build
                                    ^^^^^ def
                RUN go build -o /out/app
                FROM alpine
                COPY --from=build /out/app /app
            "#]],
        );
    }

    #[test]
    fn mount_from_and_from_base_go_to_stage_name() {
        check_definition(
            r#"
FROM golang AS deps
FROM deps AS build
RUN --mount=type=bind,from=de<|>ps,target=/x true
"#,
            expect![[r#"
                FROM golang AS deps
                               ^^^^ def
                FROM deps AS build
                RUN --mount=type=bind,from=deps,target=/x true
            "#]],
        );
        check_definition(
            r#"
FROM golang AS deps
FROM de<|>ps AS build
"#,
            expect![[r#"
                FROM golang AS deps
                               ^^^^ def
                FROM deps AS build
            "#]],
        );
    }

    #[test]
    fn numeric_from_goes_to_unnamed_from() {
        check_definition(
            r#"
FROM golang
FROM alpine
COPY --from=<|>0 /go/bin /bin
"#,
            expect![[r#"
                FROM golang
                ^^^^ def
                FROM alpine
                COPY --from=0 /go/bin /bin
            "#]],
        );
    }

    #[test]
    fn stage_names_are_case_insensitive_in_copy_from() {
        check_definition(
            r#"
FROM golang AS Build
FROM alpine
COPY --from=BUILD<|> /x /x
"#,
            expect![[r#"
                FROM golang AS Build
                               ^^^^^ def
                FROM alpine
                COPY --from=BUILD /x /x
            "#]],
        );
    }

    #[test]
    fn from_names_only_earlier_stages() {
        // `FROM app` before `app` exists is an image, not a stage.
        check_definition(
            r#"
FROM ap<|>p AS base
FROM alpine AS app
"#,
            expect![[r#"
                FROM app AS base
                FROM alpine AS app
            "#]],
        );
    }

    #[test]
    fn variable_goes_to_definition_in_scope() {
        check_definition(
            r#"
ARG VERSION=1.22
FROM golang:${VERSION}
ARG VERSION
ENV GOFLAGS=-mod=vendor
RUN echo $VER<|>SION $GOFLAGS
"#,
            expect![[r#"
                ARG VERSION=1.22
                FROM golang:${VERSION}
                ARG VERSION
                    ^^^^^^^ def
                ENV GOFLAGS=-mod=vendor
                RUN echo $VERSION $GOFLAGS
            "#]],
        );
        check_definition(
            r#"
ARG VERSION=1.22
FROM golang:${VER<|>SION}
"#,
            expect![[r#"
                ARG VERSION=1.22
                    ^^^^^^^ def
                FROM golang:${VERSION}
            "#]],
        );
    }

    #[test]
    fn global_arg_is_not_visible_in_a_stage_without_redeclaration() {
        check_definition(
            r#"
ARG VERSION=1.22
FROM golang
RUN echo $VER<|>SION
"#,
            expect![[r#"
                ARG VERSION=1.22
                FROM golang
                RUN echo $VERSION
            "#]],
        );
    }

    #[test]
    fn env_is_inherited_through_from_stage() {
        check_definition(
            r#"
FROM alpine AS base
ENV APP_HOME=/srv/app
FROM base
WORKDIR $APP_HO<|>ME
"#,
            expect![[r#"
                FROM alpine AS base
                ENV APP_HOME=/srv/app
                    ^^^^^^^^ def
                FROM base
                WORKDIR $APP_HOME
            "#]],
        );
    }

    #[test]
    fn utf8_before_reference() {
        check_definition(
            "FROM alpine AS bü🦀ld\nLABEL x=\"🦀\"\nFROM alpine\nCOPY --from=bü🦀<|>ld /a /b\n",
            expect![[r#"
                FROM alpine AS bü🦀ld
                               ^^^^^ def
                LABEL x="🦀"
                FROM alpine
                COPY --from=bü🦀ld /a /b
            "#]],
        );
    }

    #[test]
    fn crlf_file() {
        check_definition(
            "FROM golang AS build\r\nRUN true\r\nFROM alpine\r\nCOPY --from=bu<|>ild /a /b\r\n",
            expect![[r#"
                FROM golang AS build
                               ^^^^^ def
                RUN true
                FROM alpine
                COPY --from=build /a /b
            "#]],
        );
    }

    #[test]
    fn backtick_escape_file() {
        check_definition(
            r#"
# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build
WORKDIR C:\src
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY `
  --from=bu<|>ild `
  C:\src C:\app
"#,
            expect![[r#"
                # escape=`
                FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build
                                                                      ^^^^^ def
                WORKDIR C:\src
                FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
                COPY `
                  --from=build `
                  C:\src C:\app
            "#]],
        );
    }

    #[test]
    fn heredoc_uses_in_run() {
        check_references(
            r#"
FROM alpine
ARG NA<|>ME=world
RUN <<EOF
echo "hello $NAME"
EOF
RUN echo ${NAME:-x}
"#,
            true,
            expect![[r#"
                FROM alpine
                ARG NAME=world
                    ^^^^ ref
                RUN <<EOF
                echo "hello $NAME"
                             ^^^^ ref
                EOF
                RUN echo ${NAME:-x}
                           ^^^^ ref
            "#]],
        );
    }

    #[test]
    fn stage_references_with_and_without_declaration() {
        let fixture = r#"
FROM golang AS bu<|>ild
FROM build AS test
FROM alpine
COPY --from=build /a /a
COPY --from=0 /b /b
RUN --mount=from=BUILD,target=/x true
RUN --mount=type=bind,FROM=build,target=/y --mount="From=build",target=/z true
RUN --mount=type=cache,target=/build true
"#;
        check_references(
            fixture,
            true,
            expect![[r#"
                FROM golang AS build
                               ^^^^^ ref
                FROM build AS test
                     ^^^^^ ref
                FROM alpine
                COPY --from=build /a /a
                            ^^^^^ ref
                COPY --from=0 /b /b
                            ^ ref
                RUN --mount=from=BUILD,target=/x true
                                 ^^^^^ ref
                RUN --mount=type=bind,FROM=build,target=/y --mount="From=build",target=/z true
                                           ^^^^^ ref
                                                                         ^^^^^ ref
                RUN --mount=type=cache,target=/build true
            "#]],
        );
        check_references(
            fixture,
            false,
            expect![[r#"
                FROM golang AS build
                FROM build AS test
                     ^^^^^ ref
                FROM alpine
                COPY --from=build /a /a
                            ^^^^^ ref
                COPY --from=0 /b /b
                            ^ ref
                RUN --mount=from=BUILD,target=/x true
                                 ^^^^^ ref
                RUN --mount=type=bind,FROM=build,target=/y --mount="From=build",target=/z true
                                           ^^^^^ ref
                                                                         ^^^^^ ref
                RUN --mount=type=cache,target=/build true
            "#]],
        );
    }

    #[test]
    fn highlight_read_and_write() {
        check_highlights(
            r#"
FROM alpine
ENV PATH=/opt/bin:$PATH
ENV P<|>ATH=/usr/local/bin:$PATH
RUN echo $PATH
"#,
            expect![[r#"
                FROM alpine
                ENV PATH=/opt/bin:$PATH
                    ^^^^ write
                                   ^^^^ read
                ENV PATH=/usr/local/bin:$PATH
                    ^^^^ write
                                         ^^^^ read
                RUN echo $PATH
                          ^^^^ read
            "#]],
        );
    }

    #[test]
    fn nothing_on_keywords_or_images() {
        check_definition(
            r#"
FR<|>OM alpine
"#,
            expect![[r#"
                FROM alpine
            "#]],
        );
        check_definition(
            r#"
FROM alp<|>ine
"#,
            expect![[r#"
                FROM alpine
            "#]],
        );
    }
}
