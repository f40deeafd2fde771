//! Folding ranges: build stages, instructions that span several lines, heredoc bodies and runs
//! of two or more comment lines.
//!
//! A fold is a span from the end of its first line's content to the end of its last line's
//! content, so a client that folds characters keeps the first line visible. Parser directives
//! are not comments here (they fold with nothing). Ranges come sorted by start, the enclosing
//! range first when two start on the same line (clients that allow one range per start line
//! keep the first), and `limit` keeps the first ones (LSP `rangeLimit`).
//!
//! Must not know: LSP types, `lineFoldingOnly` (the LSP layer drops the characters).

use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Stage,
    Instruction,
    Heredoc,
    Comment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub span: Span,
    pub kind: FoldKind,
    /// The 0-based lines of the span's start and end (what a `lineFoldingOnly` client gets).
    pub lines: (usize, usize),
}

pub fn folding_ranges(doc: &Document, limit: Option<usize>) -> Vec<Fold> {
    let syntax = doc.syntax();
    let mut out = Vec::new();
    // Stages, instructions and comments each come in document order.
    let mut lines = doc.line_cursor();
    let mut push = |start: usize, end: usize, kind: FoldKind| {
        let first = lines.line_of(start).0;
        let content_end = lines.content_end();
        let last = lines.line_of(end).0;
        if last > first {
            out.push(Fold {
                span: Span::new(content_end, end),
                kind,
                lines: (first, last),
            });
        }
    };
    for stage in &doc.model().stages {
        push(stage.span.start, stage.span.end, FoldKind::Stage);
    }
    for ins in &syntax.instructions {
        push(ins.span.start, ins.span.end, FoldKind::Instruction);
        // Each heredoc body folds under the line before it (the instruction line, or the
        // previous heredoc's terminator), down to its terminator.
        let mut before = ins.rest.span.end;
        for h in &ins.heredocs {
            let end = h.terminator.map_or(h.body.end, |t| t.end);
            let end = end.min(ins.span.end);
            push(before, end, FoldKind::Heredoc);
            before = end;
        }
    }
    let directives: Vec<Span> = syntax.directives.iter().map(|d| d.span).collect();
    let mut run: Option<(usize, usize, usize)> = None; // (first start, last end, last line)
    for c in syntax.comments.iter().filter(|c| !directives.contains(c)) {
        let line = doc.line_of(c.start);
        match &mut run {
            Some((_, end, last)) if line == *last + 1 => {
                *end = c.end;
                *last = line;
            }
            _ => {
                if let Some((s, e, _)) = run.take() {
                    push(s, e, FoldKind::Comment);
                }
                run = Some((c.start, c.end, line));
            }
        }
    }
    if let Some((s, e, _)) = run {
        push(s, e, FoldKind::Comment);
    }
    // Enclosing first on the same start; identical ranges once (a one-heredoc RUN folds like
    // its instruction).
    out.sort_by_key(|f| (f.span.start, std::cmp::Reverse(f.span.end)));
    out.dedup_by_key(|f| f.span);
    if let Some(limit) = limit {
        out.truncate(limit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::render;
    use expect_test::{expect, Expect};

    /// Renders each fold as `^ kind start-end` (0-based LSP lines) on its first line.
    fn check(text: &str, limit: Option<usize>, expect: Expect) {
        let doc = Document::new(text, 0);
        let spans: Vec<(Span, String)> = folding_ranges(&doc, limit)
            .iter()
            .map(|f| {
                let (l0, _) = doc.line_col(f.span.start);
                let (l1, _) = doc.line_col(f.span.end);
                assert_eq!(f.lines, (l0, l1), "{f:?}");
                (f.span, format!("{:?} {l0}-{l1}", f.kind))
            })
            .collect();
        expect.assert_eq(&render(text, &spans));
    }

    #[test]
    fn stages_instructions_heredocs_comments() {
        check(
            "# syntax=docker/dockerfile:1\n# about\n# this file\nFROM alpine AS a\nRUN apk add \\\n    curl\nCOPY <<A <<B /x\na\nA\nb\nB\n\nFROM a\n# one comment\nRUN x\n",
            None,
            expect![[r#"
                # syntax=docker/dockerfile:1
                # about
                       ^ Comment 1-2
                # this file
                FROM alpine AS a
                                ^ Stage 3-10
                RUN apk add \
                             ^ Instruction 4-5
                    curl
                COPY <<A <<B /x
                               ^ Heredoc 6-8
                               ^ Instruction 6-10
                a
                A
                 ^ Heredoc 8-10
                b
                B

                FROM a
                      ^ Stage 12-14
                # one comment
                RUN x
            "#]],
        );
    }

    #[test]
    fn limit_keeps_the_first() {
        check(
            "# a\n# b\nFROM x\nRUN a \\\n b\n",
            Some(2),
            expect![[r#"
                # a
                   ^ Comment 0-1
                # b
                FROM x
                      ^ Stage 2-4
                RUN a \
                 b
            "#]],
        );
    }

    #[test]
    fn crlf_and_backtick_escape() {
        check(
            "# escape=`\r\nFROM mcr.microsoft.com/windows `\r\n  AS win\r\nRUN dir `\r\n  c:\\\r\n",
            None,
            expect![[r#"
                # escape=`
                FROM mcr.microsoft.com/windows `
                                                ^ Instruction 1-2
                                                ^ Stage 1-4
                  AS win
                RUN dir `
                         ^ Instruction 3-4
                  c:\
            "#]],
        );
    }
}
