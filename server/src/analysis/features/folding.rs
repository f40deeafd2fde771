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

use crate::analysis::syntax::Instruction;
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
    // For the ends of first lines whose numbers are known (in order within each pass).
    let mut ends = doc.line_cursor();
    // A fold from `start` to `end`; `known` are their lines when the parser gave them (then
    // no line is looked for, and a span on one line costs nothing).
    let mut push = |start: usize, end: usize, known: Option<(usize, usize)>, kind: FoldKind| {
        let (first, content_end, last) = match known {
            Some((first, last)) if last > first => (first, ends.line_end_from(start), last),
            Some(_) => return,
            None => {
                let first = lines.line_of(start).0;
                let content_end = lines.content_end();
                (first, content_end, lines.line_of(end).0)
            }
        };
        if last > first {
            out.push(Fold {
                span: Span::new(content_end, end),
                kind,
                lines: (first, last),
            });
        }
    };
    // Without a lone `\r` the parser's lines are the document's.
    let parser_lines = !doc.may_have_lone_cr();
    let lines_of = |ins: &Instruction| {
        #[cfg(any(test, fuzzing))]
        assert_eq!(
            (ins.start_line as usize, ins.end_line as usize),
            (doc.line_of(ins.span.start), doc.line_of(ins.span.end)),
            "parser lines"
        );
        (ins.start_line as usize, ins.end_line as usize)
    };
    let instructions = &syntax.instructions;
    for stage in &doc.model().stages {
        // The stage's lines: its `FROM`'s first, its last instruction's last.
        let last = instructions.partition_point(|i| i.span.start < stage.span.end);
        let known = match (instructions.get(stage.instr), last.checked_sub(1)) {
            (Some(from), Some(last))
                if parser_lines && instructions[last].span.end == stage.span.end =>
            {
                Some((lines_of(from).0, lines_of(&instructions[last]).1))
            }
            _ => None,
        };
        push(stage.span.start, stage.span.end, known, FoldKind::Stage);
    }
    for ins in instructions {
        let known = parser_lines.then(|| lines_of(ins));
        push(ins.span.start, ins.span.end, known, FoldKind::Instruction);
        // Each heredoc body folds under the line before it (the instruction line, or the
        // previous heredoc's terminator), down to its terminator.
        let mut before = ins.rest.span.end;
        for h in &ins.heredocs {
            let end = h.terminator.map_or(h.body.end, |t| t.end);
            let end = end.min(ins.span.end);
            push(before, end, None, FoldKind::Heredoc);
            before = end;
        }
    }
    let directives: Vec<Span> = syntax.directives.iter().map(|d| d.span).collect();
    // A run goes on while the next comment starts on the line after the last one ends (a lone
    // `\r` inside a comment is a line break for LSP, not for BuildKit). Comments come in
    // document order: their lines from a cursor of their own.
    let mut comment_lines = doc.line_cursor();
    let mut run: Option<(usize, usize, usize)> = None; // (first start, last end, last line)
    for c in syntax.comments.iter().filter(|c| !directives.contains(c)) {
        let line = comment_lines.line_of(c.start).0;
        let end_line = comment_lines.line_of(c.end).0;
        match &mut run {
            Some((_, end, last)) if line == *last + 1 => (*end, *last) = (c.end, end_line),
            _ => {
                if let Some((s, e, _)) = run.take() {
                    push(s, e, None, FoldKind::Comment);
                }
                run = Some((c.start, c.end, end_line));
            }
        }
    }
    if let Some((s, e, _)) = run {
        push(s, e, None, FoldKind::Comment);
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

    /// Over every file of the real-world corpus (`../shared/corpus/real`), the folds taken from
    /// the parser's lines equal the ones from looking every line up. Skipped, saying so, when
    /// the corpus is not beside the repository.
    #[test]
    fn corpus_folds_from_parser_lines_equal_looked_up_ones() {
        let Some(files) = crate::analysis::test_support::corpus_texts() else {
            return;
        };
        let mut folds = 0;
        for (path, text) in &files {
            let doc = Document::new(text, 0);
            // `folding_ranges` itself asserts in tests that the parser's lines are the
            // document's; each fold's lines are those of its span's ends.
            for f in folding_ranges(&doc, None) {
                assert_eq!(
                    f.lines,
                    (doc.line_of(f.span.start), doc.line_of(f.span.end)),
                    "{} {f:?}",
                    path.display()
                );
                folds += 1;
            }
        }
        eprintln!("corpus: {} files, {folds} folds", files.len());
    }

    /// The folds as the definition gives them, every line looked up in the rope: stages,
    /// multi-line instructions, heredoc bodies, runs of comments on consecutive lines.
    fn naive(doc: &Document) -> Vec<Fold> {
        let mut out = Vec::new();
        let mut push = |start: usize, end: usize, kind: FoldKind| {
            let (first, last) = (doc.line_of(start), doc.line_of(end));
            let content_end = doc.line_start(first) + doc.line_text(first).len();
            if last > first {
                out.push(Fold {
                    span: Span::new(content_end, end),
                    kind,
                    lines: (first, last),
                });
            }
        };
        let syntax = doc.syntax();
        for stage in &doc.model().stages {
            push(stage.span.start, stage.span.end, FoldKind::Stage);
        }
        for ins in &syntax.instructions {
            push(ins.span.start, ins.span.end, FoldKind::Instruction);
            let mut before = ins.rest.span.end;
            for h in &ins.heredocs {
                let end = h.terminator.map_or(h.body.end, |t| t.end).min(ins.span.end);
                push(before, end, FoldKind::Heredoc);
                before = end;
            }
        }
        let directives: Vec<Span> = syntax.directives.iter().map(|d| d.span).collect();
        // A run goes on while the next comment starts on the line after the last one ends (a
        // lone `\r` inside a comment is a line break for LSP, not for BuildKit).
        let mut run: Option<(usize, usize, usize)> = None;
        for c in syntax.comments.iter().filter(|c| !directives.contains(c)) {
            let (line, end_line) = (doc.line_of(c.start), doc.line_of(c.end));
            match &mut run {
                Some((_, end, last)) if line == *last + 1 => (*end, *last) = (c.end, end_line),
                _ => {
                    if let Some((s, e, _)) = run.take() {
                        push(s, e, FoldKind::Comment);
                    }
                    run = Some((c.start, c.end, end_line));
                }
            }
        }
        if let Some((s, e, _)) = run {
            push(s, e, FoldKind::Comment);
        }
        out.sort_by_key(|f| (f.span.start, std::cmp::Reverse(f.span.end)));
        out.dedup_by_key(|f| f.span);
        out
    }

    proptest::proptest! {
        /// Folds from the parser's lines and from line cursors equal the naive ones, with `\n`,
        /// `\r\n` and lone `\r` breaks, indented comments, continuations and heredocs.
        #[test]
        fn folds_equal_the_naive_ones(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "\n", "\r\n", "\r", "# c", "  # c", "\t#", "FROM a AS b", "RUN x \\",
                    "RUN <<E", "E", "COPY . .", " ", "ARG A=1", "# escape=`", "é",
                    // Longer than what is peeked at after a comment.
                    "                                                                      ",
                ]),
                0..80,
            ),
        ) {
            let text: String = parts.concat();
            let doc = Document::new(&text, 0);
            proptest::prop_assert_eq!(folding_ranges(&doc, None), naive(&doc));
        }
    }
}
