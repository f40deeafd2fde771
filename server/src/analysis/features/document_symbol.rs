//! The outline: parser directives and global ARGs at the top, then one entry per build stage
//! (named by its stage name or index, with its base as detail, and its platform if it sets one:
//! the stage stands for its `FROM`) holding
//! the stage's other instructions. Each declaration appears once: an `ARG` or `ENV` appears as
//! the variables it declares (an instruction that declares none, as itself).
//!
//! The LSP layer sends the tree as `DocumentSymbol[]` when the client supports hierarchical
//! symbols and flattens it (with container names) otherwise.
//!
//! Must not know: LSP types or symbol-kind numbers.

use std::borrow::Cow;

use crate::analysis::model::{Stage, VarDef, VarKind};
use crate::analysis::syntax::{Instruction, Keyword};
use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// `# syntax=`, `# escape=`, `# check=`.
    Directive,
    Stage,
    Instruction,
    /// An ARG or ENV name.
    Variable,
}

/// One entry of the outline. Names and details borrow from the document's syntax, model and
/// text where they can: an outline has a few symbols per instruction and is asked for often.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocSymbol<'a> {
    pub name: Cow<'a, str>,
    pub detail: Option<Cow<'a, str>>,
    pub kind: SymbolKind,
    /// Everything the symbol covers (a stage: from `FROM` to its last instruction).
    pub span: Span,
    /// What to reveal and select: a name or a keyword, always inside `span`.
    pub selection: Span,
    /// `MAINTAINER` (deprecated by the Dockerfile reference).
    pub deprecated: bool,
    /// How many of the symbols right after this one in [`document_symbols`]'s list are inside
    /// it (its children, their children, ...), see [`siblings`]; 0 as [`outline`] reports it.
    pub descendants: usize,
}

/// Details longer than this are cut (with `…`): an outline shows one line per symbol.
const MAX_DETAIL: usize = 60;

/// Where [`outline`] reports the outline: each symbol as it is reached in document order,
/// its children (entered and left in turn) between its `enter` and its `leave`.
pub trait OutlineSink<'a> {
    /// `symbol` starts; its `descendants` are not counted (0).
    fn enter(&mut self, symbol: DocSymbol<'a>);
    /// The symbol entered last and not left yet ends.
    fn leave(&mut self);
}

/// Walks the outline once, in document order, into `sink`: the LSP layer writes the answer
/// from it as it goes, with no list of symbols in between; [`document_symbols`] collects it.
pub fn outline<'a>(doc: &'a Document, sink: &mut impl OutlineSink<'a>) {
    let syntax = doc.syntax();
    let model = doc.model();
    for d in &syntax.directives {
        sink.enter(DocSymbol {
            name: doc.text_of(d.name_span),
            detail: Some(shorten(&d.value.text)),
            kind: SymbolKind::Directive,
            span: d.span,
            selection: d.name_span,
            deprecated: false,
            descendants: 0,
        });
        sink.leave();
    }
    // Vars are in instruction order: walk them alongside the instructions.
    let mut vars = model.vars.as_slice();
    // The stage entered and not left yet, if any.
    let mut open: Option<usize> = None;
    let details = doc.first_lines_of(
        syntax
            .instructions
            .iter()
            .map(|ins| Span::new(ins.keyword.span.end, ins.span.end)),
    );
    for ((i, ins), first_line) in syntax.instructions.iter().enumerate().zip(details) {
        // A stage's instructions follow one another, from its `FROM` on (the model gives every
        // instruction after the first `FROM` a stage, in order); an instruction of no stage
        // closes the open one rather than landing in it.
        let stage = model.instr_stage.get(i).copied().flatten();
        if open != stage {
            debug_assert!(stage >= open, "stages out of order at instruction {i}");
            if open.take().is_some() {
                sink.leave();
            }
            if let Some((s, stage)) = stage.and_then(|s| Some((s, model.stages.get(s)?))) {
                open = Some(s);
                sink.enter(stage_symbol(doc, stage));
            }
        }
        // The stage's symbol stands for its `FROM` (which declares no variables).
        if stage.is_some_and(|s| model.stages.get(s).is_some_and(|st| st.instr == i)) {
            debug_assert!(vars.first().is_none_or(|v| v.instr != i), "a FROM declares");
            continue;
        }
        // A line of only a line continuation, at the end of the file: no keyword to name a
        // symbol by (clients refuse a symbol with an empty name).
        if ins.keyword.text.is_empty() {
            continue;
        }
        // The variables `ins` declares, if any, stand for it.
        let before = vars.iter().take_while(|v| v.instr < i).count();
        vars = &vars[before..];
        let declared = vars.iter().take_while(|v| v.instr == i).count();
        let (own, rest) = vars.split_at(declared);
        vars = rest;
        if own.is_empty() || !matches!(ins.kind, Keyword::Arg | Keyword::Env) {
            // (The model gives variables to `ARG` and `ENV` only; any other instruction would
            // hold them.)
            sink.enter(instruction(doc, ins, first_line));
            for v in own {
                sink.enter(variable(ins, v, false, false));
                sink.leave();
            }
            sink.leave();
            continue;
        }
        for (k, v) in own.iter().enumerate() {
            sink.enter(variable(ins, v, k == 0, k + 1 == own.len()));
            sink.leave();
        }
    }
    if open.is_some() {
        sink.leave();
    }
}

/// The outline as one list in pre-order, each symbol followed by its descendants, which is
/// also document order: one allocation for the whole tree, not one per symbol with children.
/// [`siblings`] walks it as a tree.
pub fn document_symbols(doc: &Document) -> Vec<DocSymbol<'_>> {
    struct List<'a> {
        symbols: Vec<DocSymbol<'a>>,
        /// Where each symbol entered and not left yet is in `symbols`.
        open: Vec<usize>,
    }
    impl<'a> OutlineSink<'a> for List<'a> {
        fn enter(&mut self, symbol: DocSymbol<'a>) {
            self.open.push(self.symbols.len());
            self.symbols.push(symbol);
        }
        fn leave(&mut self) {
            if let Some(at) = self.open.pop() {
                self.symbols[at].descendants = self.symbols.len() - at - 1;
            }
        }
    }
    let mut list = List {
        symbols: Vec::with_capacity(outline_len(doc)),
        open: Vec::new(),
    };
    outline(doc, &mut list);
    list.symbols
}

/// How many symbols [`outline`] reports, at most: one per directive, instruction, variable
/// and stage (for sizing what holds or writes them).
pub fn outline_len(doc: &Document) -> usize {
    let (syntax, model) = (doc.syntax(), doc.model());
    syntax.directives.len() + syntax.instructions.len() + model.vars.len() + model.stages.len()
}

/// The symbols at the top of `list` (an outline, or the descendants of one of its symbols),
/// each with its descendants: `for (symbol, children) in siblings(list)` walks one level of
/// the tree, `siblings(children)` the next.
pub fn siblings<'s, 'a>(
    list: &'s [DocSymbol<'a>],
) -> impl Iterator<Item = (&'s DocSymbol<'a>, &'s [DocSymbol<'a>])> {
    let mut rest = list;
    std::iter::from_fn(move || {
        let (first, after) = rest.split_first()?;
        let (inside, next) = after.split_at(first.descendants.min(after.len()));
        rest = next;
        Some((first, inside))
    })
}

fn stage_symbol<'a>(doc: &'a Document, stage: &'a Stage) -> DocSymbol<'a> {
    let from = &doc.syntax().instructions[stage.instr];
    DocSymbol {
        name: match &stage.name {
            Some(name) => Cow::Borrowed(name.key.as_str()),
            None => Cow::Owned(stage.label()),
        },
        // Its `FROM`'s platform (unquoted) and base: the stage stands for its `FROM`.
        detail: match &stage.platform {
            Some(platform) => {
                let mut detail = format!("--platform={}", first_line(&platform.text));
                if !stage.base.text.is_empty() {
                    detail.push(' ');
                    detail.push_str(first_line(&stage.base.text));
                }
                Some(Cow::Owned(shorten_owned(detail)))
            }
            None => (!stage.base.text.is_empty()).then(|| shorten(&stage.base.text)),
        },
        kind: SymbolKind::Stage,
        span: stage.span,
        selection: stage.name.as_ref().map_or(from.keyword.span, |n| n.span),
        deprecated: false,
        descendants: 0,
    }
}

/// The symbol of `ins` (its descendants not counted yet); `first_line` is the text of its first
/// line after the keyword, as [`Document::first_line_of`] gives it.
fn instruction<'a>(
    doc: &'a Document,
    ins: &'a Instruction,
    first_line: Cow<'a, str>,
) -> DocSymbol<'a> {
    // The first source line after the keyword, without a trailing line continuation.
    let escape = doc.syntax().escape;
    let detail = |text: &str| -> (usize, usize) {
        // Where the detail lies in `text` (one line, up to its `\n`), before it is cut.
        let first = strip_ascii_suffix(text, b'\n').unwrap_or(text);
        let first = strip_ascii_suffix(first, b'\r').unwrap_or(first);
        let trimmed = first.trim_start();
        let start = first.len() - trimmed.len();
        let body = trimmed.trim_end();
        let continued = match u8::try_from(escape) {
            Ok(byte) if byte.is_ascii() => strip_ascii_suffix(body, byte),
            _ => body.strip_suffix(escape),
        };
        let body = continued.unwrap_or(body).trim_end();
        (start, start + body.len())
    };
    let detail = match first_line {
        Cow::Borrowed(text) => {
            let (a, b) = detail(text);
            shorten_line(&text[a..b])
        }
        Cow::Owned(text) => {
            let (a, b) = detail(&text);
            Cow::Owned(shorten_line(&text[a..b]).into_owned())
        }
    };
    DocSymbol {
        // As BuildKit reads it: `HEALTH\<newline>CHECK` is `HEALTHCHECK`.
        name: Cow::Borrowed(&ins.keyword.text),
        detail: (!detail.is_empty()).then_some(detail),
        kind: SymbolKind::Instruction,
        span: ins.span,
        selection: ins.keyword.span,
        deprecated: ins.kind == Keyword::Maintainer,
        descendants: 0,
    }
}

/// The symbol of `v`, declared by `ins`: the first of the instruction's variables takes in its
/// keyword and the last the rest of the instruction (one variable, the whole instruction), so
/// the instruction's lines belong to its variables; the detail tells `ARG` from `ENV`.
fn variable<'a>(ins: &Instruction, v: &'a VarDef, first: bool, last: bool) -> DocSymbol<'a> {
    let mut span = match &v.value {
        Some(val) => v.name_span.cover(val.span),
        None => v.name_span,
    };
    if first {
        span.start = ins.span.start;
    }
    if last {
        span.end = span.end.max(ins.span.end);
    }
    let (keyword, empty) = match v.kind {
        VarKind::Env => ("ENV", "ENV = \"\""),
        VarKind::Arg | VarKind::GlobalArg => ("ARG", "ARG = \"\""),
    };
    DocSymbol {
        name: Cow::Borrowed(&v.name),
        // Cut as a whole, as other details are; an empty value shown as one.
        detail: Some(match &v.value {
            Some(val) if val.text.is_empty() => Cow::Borrowed(empty),
            Some(val) => Cow::Owned(shorten_owned(format!(
                "{keyword} = {}",
                first_line(&val.text)
            ))),
            None => Cow::Borrowed(keyword),
        }),
        kind: SymbolKind::Variable,
        span,
        selection: v.name_span,
        deprecated: false,
        descendants: 0,
    }
}

/// `text` without its last byte if that is `byte` (ASCII): `str::strip_suffix` with a char
/// compares through a call to `memcmp`, and the outline strips three per instruction.
fn strip_ascii_suffix(text: &str, byte: u8) -> Option<&str> {
    debug_assert!(byte.is_ascii());
    match text.as_bytes().split_last() {
        // An ASCII byte is a whole char: what is before it ends on a char boundary.
        Some((&last, _)) if last == byte => Some(&text[..text.len() - 1]),
        _ => None,
    }
}

/// The first line of `text`, as `str::lines` gives it.
fn first_line(text: &str) -> &str {
    match memchr::memchr(b'\n', text.as_bytes()) {
        Some(at) => {
            let line = &text[..at];
            strip_ascii_suffix(line, b'\r').unwrap_or(line)
        }
        None => text,
    }
}

/// The first line of `text`, cut to [`MAX_DETAIL`] characters.
fn shorten(text: &str) -> Cow<'_, str> {
    shorten_line(first_line(text))
}

/// `line` (no line break in it) cut to [`MAX_DETAIL`] characters.
fn shorten_line(line: &str) -> Cow<'_, str> {
    // No more bytes than that: no more characters either.
    if line.len() <= MAX_DETAIL {
        return Cow::Borrowed(line);
    }
    match line.char_indices().nth(MAX_DETAIL) {
        Some((cut, _)) => Cow::Owned(format!("{}…", &line[..cut])),
        None => Cow::Borrowed(line),
    }
}

/// A detail put together for its symbol, cut as [`shorten_line`] cuts, in place.
fn shorten_owned(mut line: String) -> String {
    if line.len() > MAX_DETAIL {
        if let Some((cut, _)) = line.char_indices().nth(MAX_DETAIL) {
            line.truncate(cut);
            line.push('…');
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{parse_fixture, render};
    use expect_test::{expect, Expect};

    fn check(fixture: &str, expect: Expect) {
        let (text, _) = parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        let mut tree = String::new();
        let mut spans = Vec::new();
        fn walk(
            syms: &[DocSymbol],
            depth: usize,
            tree: &mut String,
            spans: &mut Vec<(Span, String)>,
        ) {
            for (s, children) in siblings(syms) {
                tree.push_str(&format!(
                    "{}{:?} {:?}{}{}\n",
                    "  ".repeat(depth),
                    s.kind,
                    s.name,
                    s.detail
                        .as_ref()
                        .map(|d| format!(" detail={d:?}"))
                        .unwrap_or_default(),
                    if s.deprecated { " deprecated" } else { "" },
                ));
                assert!(
                    s.span.start <= s.selection.start && s.selection.end <= s.span.end,
                    "{s:?}"
                );
                // Children lie inside their parent.
                for c in children {
                    assert!(
                        s.span.start <= c.span.start && c.span.end <= s.span.end,
                        "{c:?} in {s:?}"
                    );
                }
                spans.push((s.selection, s.name.to_string()));
                walk(children, depth + 1, tree, spans);
            }
        }
        let symbols = document_symbols(&doc);
        // Pre-order is document order.
        assert!(
            symbols
                .windows(2)
                .all(|w| w[0].span.start <= w[1].span.start),
            "{symbols:?}"
        );
        walk(&symbols, 0, &mut tree, &mut spans);
        expect.assert_eq(&format!("{tree}---\n{}", render(&text, &spans)));
    }

    #[test]
    fn stages_hold_their_instructions_and_variables() {
        check(
            r#"
# syntax=docker/dockerfile:1
ARG GO=1.22
FROM golang:${GO} AS build
ENV CGO_ENABLED=0 GOOS=linux
RUN go build \
    -o /app
FROM --platform=$BUILDPLATFORM scratch
COPY --from=build /app /app
maintainer me
"#,
            expect![[r#"
                Directive "syntax" detail="docker/dockerfile:1"
                Variable "GO" detail="ARG = 1.22"
                Stage "build" detail="golang:${GO}"
                  Variable "CGO_ENABLED" detail="ENV = 0"
                  Variable "GOOS" detail="ENV = linux"
                  Instruction "RUN" detail="go build"
                Stage "1" detail="--platform=$BUILDPLATFORM scratch"
                  Instruction "COPY" detail="--from=build /app /app"
                  Instruction "maintainer" detail="me" deprecated
                ---
                # syntax=docker/dockerfile:1
                  ^^^^^^ syntax
                ARG GO=1.22
                    ^^ GO
                FROM golang:${GO} AS build
                                     ^^^^^ build
                ENV CGO_ENABLED=0 GOOS=linux
                    ^^^^^^^^^^^ CGO_ENABLED
                                  ^^^^ GOOS
                RUN go build \
                ^^^ RUN
                    -o /app
                FROM --platform=$BUILDPLATFORM scratch
                ^^^^ 1
                COPY --from=build /app /app
                ^^^^ COPY
                maintainer me
                ^^^^^^^^^^ maintainer
            "#]],
        );
    }

    #[test]
    fn empty_missing_base_heredoc_and_crlf() {
        check(
            "",
            expect![[r#"
            ---
        "#]],
        );
        check(
            "FROM\r\nRUN <<EOF\r\necho ü\r\nEOF\r\n",
            expect![[r#"
                Stage "0"
                  Instruction "RUN" detail="<<EOF"
                ---
                FROM
                ^^^^ 0
                RUN <<EOF
                ^^^ RUN
                echo ü
                EOF
            "#]],
        );
    }

    #[test]
    fn keyword_split_by_a_continuation_and_backtick_escape() {
        check(
            "# escape=`\nFROM a\nHEALTH`\nCHECK NONE\n",
            expect![[r#"
                Directive "escape" detail="`"
                Stage "0" detail="a"
                  Instruction "HEALTHCHECK" detail="NONE"
                ---
                # escape=`
                  ^^^^^^ escape
                FROM a
                ^^^^ 0
                HEALTH`
                ^^^^^^^ HEALTHCHECK
                CHECK NONE
            "#]],
        );
    }

    /// An `ARG` or `ENV` appears as its variables: the first takes in the keyword, the last the
    /// rest of the instruction (one variable, the whole instruction); one that declares nothing,
    /// and `ONBUILD ENV`, appear as themselves.
    #[test]
    fn variables_stand_for_their_instruction() {
        let text = "ARG A\nFROM x AS s\nENV B=1 \\\n  # c\n  C=2 \\\n  D=3\nONBUILD ENV X=3\nARG\nenv E F\n";
        let doc = Document::new(text, 0);
        let symbols = document_symbols(&doc);
        let got: Vec<(&str, Option<&str>, String)> = symbols
            .iter()
            .map(|s| (&*s.name, s.detail.as_deref(), doc.slice(s.span)))
            .collect();
        assert_eq!(
            got,
            [
                ("A", Some("ARG"), "ARG A".to_string()),
                ("s", Some("x"), text[6..text.len() - 1].to_string()),
                ("B", Some("ENV = 1"), "ENV B=1".to_string()),
                ("C", Some("ENV = 2"), "C=2".to_string()),
                ("D", Some("ENV = 3"), "D=3".to_string()),
                ("ONBUILD", Some("ENV X=3"), "ONBUILD ENV X=3".to_string()),
                ("ARG", None, "ARG".to_string()),
                ("E", Some("ENV = F"), "env E F".to_string()),
            ],
            "{symbols:#?}"
        );
        assert_eq!(symbols[1].descendants, 6);

        // Details are cut as a whole; an empty value shows as one; a legacy `ENV K` has none;
        // a last line of only a continuation has no symbol (no name to give it).
        let long = "v".repeat(100);
        let text = format!("FROM x\nENV A= B={long}\nENV K\nRUN y\n\\");
        let doc = Document::new(&text, 0);
        let symbols = document_symbols(&doc);
        let got: Vec<(&str, Option<&str>)> = symbols
            .iter()
            .map(|s| (&*s.name, s.detail.as_deref()))
            .collect();
        let cut = format!("ENV = {}…", "v".repeat(MAX_DETAIL - 6));
        assert_eq!(
            got,
            [
                ("0", Some("x")),
                ("A", Some("ENV = \"\"")),
                ("B", Some(cut.as_str())),
                ("K", Some("ENV")),
                ("RUN", Some("y")),
            ],
        );
    }

    /// A stage's detail has its `FROM`'s platform, without a base when it has none, and is
    /// cut as a whole.
    #[test]
    fn a_stage_detail_names_its_platform() {
        let long = "b".repeat(100);
        let text = format!("FROM --platform=linux/amd64\nFROM --platform=\"p\" {long}\n");
        let doc = Document::new(&text, 0);
        let details: Vec<Option<String>> = document_symbols(&doc)
            .iter()
            .map(|s| s.detail.as_deref().map(str::to_string))
            .collect();
        let cut = format!("--platform=p {}…", "b".repeat(MAX_DETAIL - 13));
        assert_eq!(
            details,
            [Some("--platform=linux/amd64".to_string()), Some(cut)]
        );
    }

    #[test]
    fn long_details_are_cut() {
        check(
            &format!("FROM alpine\nRUN {}\n", "x".repeat(100)),
            expect![[r#"
                Stage "0" detail="alpine"
                  Instruction "RUN" detail="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"
                ---
                FROM alpine
                ^^^^ 0
                RUN xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
                ^^^ RUN
            "#]],
        );
    }

    /// The detail read from the instruction's first line in place is the one read from a copy
    /// of the whole instruction (the code before), also where the first line is long (across
    /// rope chunks), ends in a continuation or a lone carriage return, or has multi-byte
    /// characters, and is cut at 60 of them.
    #[test]
    fn the_detail_read_in_place_is_the_one_read_from_a_copy() {
        fn from_a_copy(doc: &Document, ins: &Instruction) -> Option<String> {
            let after = doc.slice(Span::new(ins.keyword.span.end, ins.span.end));
            let first = after.lines().next().unwrap_or("").trim();
            let escape = doc.syntax().escape;
            let line = first.strip_suffix(escape).unwrap_or(first).trim_end();
            let line = line.lines().next().unwrap_or("");
            let detail = match line.char_indices().nth(MAX_DETAIL) {
                Some((cut, _)) => format!("{}…", &line[..cut]),
                None => line.to_string(),
            };
            (!detail.is_empty()).then_some(detail)
        }
        let mut cases = Vec::new();
        for pad in [
            0, 1, 59, 60, 61, 450, 505, 508, 511, 512, 513, 600, 1100, 2000,
        ] {
            for tail in [
                "x",
                "echo hi \\\n  more",
                "é\\\nmore",
                "ab \\",
                "\\\r\n  y",
                "a\rb \\\n c",
                "a\r",
            ] {
                cases.push(format!("FROM a\nRUN{}{tail}\nRUN z\n", " ".repeat(pad)));
                cases.push(format!("FROM a\nRUN {}{tail}\n", "é".repeat(pad / 2)));
                cases.push(format!("FROM a\nRUN {}{tail}", "y".repeat(pad)));
            }
        }
        for text in cases {
            let doc = Document::new(&text, 0);
            let symbols = document_symbols(&doc);
            let got: Vec<Option<&str>> = symbols
                .iter()
                .filter(|s| s.kind == SymbolKind::Instruction)
                .map(|s| s.detail.as_deref())
                .collect();
            // Every instruction but the `FROM`s, which their stages stand for.
            let want: Vec<Option<String>> = (doc.syntax().instructions.iter())
                .filter(|ins| ins.kind != Keyword::From)
                .map(|ins| from_a_copy(&doc, ins))
                .collect();
            let want: Vec<Option<&str>> = want.iter().map(Option::as_deref).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
