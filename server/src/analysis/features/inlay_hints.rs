//! Inlay hints: the values of variables where the line does not show them, and the index of
//! unnamed stages.
//!
//! - Variable values: after every variable in a `FROM` line (`FROM golang:${GO_VERSION}` shows
//!   `= 1.22`), and after any other use whose value comes from an ARG default (directly, or
//!   through `ARG NAME` bringing in a global ARG). Values that depend on `--build-arg` only, on
//!   BuildKit (platform ARGs) or on the base image show nothing.
//! - Stage indexes: `stage N` at the end of the `FROM` line of a stage without `AS name`, the
//!   number `COPY --from=N` takes.
//!
//! Must not know: LSP types, settings (the LSP layer maps them to [`InlayHintsConfig`]).

use super::var_value::var_value;
use crate::analysis::model::{Model, VarKind};
use crate::analysis::syntax::Keyword;
use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlayHintsConfig {
    pub variable_values: bool,
    pub stage_indexes: bool,
}

impl Default for InlayHintsConfig {
    fn default() -> Self {
        InlayHintsConfig {
            variable_values: true,
            stage_indexes: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlayHintKind {
    VariableValue,
    StageIndex,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint is shown (between two characters).
    pub offset: usize,
    pub label: String,
    pub kind: InlayHintKind,
    pub tooltip: String,
}

/// Longest value shown in full; longer ones are cut with `…`.
const MAX_LABEL: usize = 40;

/// The hints whose position lies in `range`, in document order.
pub fn inlay_hints(doc: &Document, range: Span, config: InlayHintsConfig) -> Vec<InlayHint> {
    let m = doc.model();
    let syntax = doc.syntax();
    let mut out = Vec::new();
    if config.variable_values {
        for u in &m.var_uses {
            if !range.touches(u.span.end) {
                continue;
            }
            let Some(d) = u.def else { continue };
            let in_from = syntax
                .instructions
                .get(u.instr)
                .is_some_and(|i| i.kind == Keyword::From);
            if !in_from && !from_default(m, d) {
                continue;
            }
            let Some(value) = var_value(doc, d) else {
                continue;
            };
            let def = &m.vars[d];
            let kind = match def.kind {
                VarKind::GlobalArg => "global ARG",
                VarKind::Arg => "ARG",
                VarKind::Env => "ENV",
            };
            out.push(InlayHint {
                offset: u.span.end,
                label: format!("= {}", shorten(&value)),
                kind: InlayHintKind::VariableValue,
                tooltip: format!(
                    "{} = \"{value}\" ({kind} on line {})",
                    u.name,
                    doc.line_of(def.name_span.start) + 1
                ),
            });
        }
    }
    if config.stage_indexes {
        for s in m.stages.iter().filter(|s| s.name.is_none()) {
            let Some(ins) = syntax.instructions.get(s.instr) else {
                continue;
            };
            let at = ins
                .args()
                .last()
                .map_or(ins.keyword.span.end, |a| a.span.end);
            if !range.touches(at) {
                continue;
            }
            out.push(InlayHint {
                offset: at,
                label: format!("stage {}", s.index),
                kind: InlayHintKind::StageIndex,
                tooltip: format!(
                    "unnamed stage {0}: `COPY --from={0}` copies from it; `AS name` gives it a name",
                    s.index
                ),
            });
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

/// The definition's value comes from an ARG default (not from an ENV the line shows nearby).
fn from_default(m: &Model, d: usize) -> bool {
    let def = &m.vars[d];
    match def.kind {
        VarKind::GlobalArg | VarKind::Arg => match def.redeclares {
            Some(g) => m.vars[g].value.is_some(),
            None => def.value.is_some(),
        },
        VarKind::Env => false,
    }
}

fn shorten(v: &str) -> String {
    if v.chars().count() <= MAX_LABEL {
        return v.to_string();
    }
    let mut s: String = v.chars().take(MAX_LABEL - 1).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{parse_fixture, render};
    use expect_test::{expect, Expect};

    fn check_with(fixture: &str, config: InlayHintsConfig, expect: Expect) {
        let (text, _) = parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        let hints = inlay_hints(&doc, Span::new(0, doc.len()), config);
        let spans: Vec<_> = hints
            .iter()
            .map(|h| {
                (
                    Span::empty(h.offset),
                    format!("{} ({})", h.label, h.tooltip),
                )
            })
            .collect();
        expect.assert_eq(&render(&text, &spans));
    }

    fn check(fixture: &str, expect: Expect) {
        check_with(fixture, InlayHintsConfig::default(), expect);
    }

    #[test]
    fn values_in_from_lines_and_defaults() {
        check(
            r#"
ARG GO_VERSION=1.22
ARG BASE=alpine:${ALPINE:-3.20}
ARG ONLY_BUILD_ARG
FROM golang:${GO_VERSION} AS build
ARG GO_VERSION
ENV GOFLAGS=-mod=vendor
RUN echo $GO_VERSION $GOFLAGS $HOME
FROM $BASE
FROM ${ONLY_BUILD_ARG} AS x
FROM --platform=$BUILDPLATFORM build
"#,
            expect![[r#"
                ARG GO_VERSION=1.22
                ARG BASE=alpine:${ALPINE:-3.20}
                ARG ONLY_BUILD_ARG
                FROM golang:${GO_VERSION} AS build
                                         ^ = 1.22 (GO_VERSION = "1.22" (global ARG on line 1))
                ARG GO_VERSION
                ENV GOFLAGS=-mod=vendor
                RUN echo $GO_VERSION $GOFLAGS $HOME
                                    ^ = 1.22 (GO_VERSION = "1.22" (ARG on line 5))
                FROM $BASE
                          ^ = alpine:3.20 (BASE = "alpine:3.20" (global ARG on line 2))
                          ^ stage 1 (unnamed stage 1: `COPY --from=1` copies from it; `AS name` gives it a name)
                FROM ${ONLY_BUILD_ARG} AS x
                FROM --platform=$BUILDPLATFORM build
                                                    ^ stage 3 (unnamed stage 3: `COPY --from=3` copies from it; `AS name` gives it a name)
            "#]],
        );
    }

    #[test]
    fn each_kind_can_be_turned_off() {
        let fixture = "ARG V=1\nFROM a:$V\n";
        check_with(
            fixture,
            InlayHintsConfig {
                variable_values: false,
                stage_indexes: true,
            },
            expect![[r#"
                ARG V=1
                FROM a:$V
                         ^ stage 0 (unnamed stage 0: `COPY --from=0` copies from it; `AS name` gives it a name)
            "#]],
        );
        check_with(
            fixture,
            InlayHintsConfig {
                variable_values: true,
                stage_indexes: false,
            },
            expect![[r#"
                ARG V=1
                FROM a:$V
                         ^ = 1 (V = "1" (global ARG on line 1))
            "#]],
        );
    }

    #[test]
    fn long_values_are_cut_and_crlf_positions_hold() {
        check(
            "ARG LONG=0123456789012345678901234567890123456789012345\r\nFROM x:$LONG AS y\r\n",
            expect![[r#"
                ARG LONG=0123456789012345678901234567890123456789012345
                FROM x:$LONG AS y
                            ^ = 012345678901234567890123456789012345678… (LONG = "0123456789012345678901234567890123456789012345" (global ARG on line 1))
            "#]],
        );
    }
}
