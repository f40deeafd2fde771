//! tree-sitter glue: parse a rope with tree-sitter-containerfile, incrementally.
//!
//! The tree is fed from rope chunks (no whole-text copy per keystroke) and edited with
//! `Tree::edit` before an incremental reparse. It gives editor features the fine structure of an
//! instruction (image specs, expansions, heredoc bodies); instruction boundaries come from
//! [`super::parser`], which follows BuildKit, because the grammar has holes.
//!
//! Must not know: LSP types, the semantic model.

use std::cell::RefCell;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Point, Tree};

thread_local! {
    // A parser is cheap to keep and not `Sync`; one per thread serves every document.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses `text`, reusing `old` (already `edit`ed to match `text`) when given.
///
/// Returns `None` only if tree-sitter gives up, which it does solely on cancellation or a
/// language ABI mismatch; callers then keep no tree rather than fail.
pub fn parse(text: &Rope, old: Option<&Tree>) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_containerfile::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;
        let len = text.len_bytes();
        let mut read = |byte: usize, _: Point| -> &[u8] {
            if byte >= len {
                return &[];
            }
            let (chunk, chunk_start, _, _) = text.chunk_at_byte(byte);
            &chunk.as_bytes()[byte - chunk_start..]
        };
        parser.parse_with_options(&mut read, old, None)
    })
}

/// tree-sitter's point for a byte offset: rows count `\n` only, columns are bytes since the
/// last `\n`. tree-sitter's lexer derives columns from these points (external scanners ask for
/// them), so they must be exact or an incremental reparse can differ from a fresh one.
///
/// ropey (with `cr_lines`) also breaks lines at a lone CR, as LSP does; where the text has no
/// lone CR (`lone_cr == false`) its line index is tree-sitter's row and this is O(log n).
/// Otherwise the `\n`s are counted (O(n), only for the rare files with lone CRs).
pub fn point_at(text: &Rope, byte: usize, lone_cr: bool) -> Point {
    let byte = byte.min(text.len_bytes());
    if !lone_cr {
        let line = text.byte_to_line(byte);
        return Point {
            row: line,
            column: byte - text.line_to_byte(line),
        };
    }
    let mut row = 0;
    let mut line_start = 0;
    let mut pos = 0;
    for chunk in text.byte_slice(..byte).chunks() {
        for (i, b) in chunk.bytes().enumerate() {
            if b == b'\n' {
                row += 1;
                line_start = pos + i + 1;
            }
        }
        pos += chunk.len();
    }
    Point {
        row,
        column: byte - line_start,
    }
}

/// True when `text` has a CR not followed by LF (a line break for LSP and ropey, not for
/// tree-sitter).
pub fn has_lone_cr(text: &Rope) -> bool {
    let mut prev_cr = false;
    for chunk in text.chunks() {
        for b in chunk.bytes() {
            if prev_cr && b != b'\n' {
                return true;
            }
            prev_cr = b == b'\r';
        }
    }
    prev_cr
}

/// The edit of replacing `start..old_end` in `before` with text ending at `new_end` in `after`.
pub fn input_edit(
    before: &Rope,
    after: &Rope,
    range: (usize, usize, usize),
    lone_cr: bool,
) -> InputEdit {
    let (start, old_end, new_end) = range;
    InputEdit {
        start_byte: start,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point_at(before, start, lone_cr),
        old_end_position: point_at(before, old_end, lone_cr),
        new_end_position: point_at(after, new_end, lone_cr),
    }
}

/// True when `kind` holds shell text, where grammar errors must never become diagnostics
/// (BuildKit does not parse shell, and the grammar is wrong about `[` there).
pub fn is_shell_kind(kind: &str) -> bool {
    matches!(
        kind,
        "shell_command"
            | "heredoc_block"
            | "heredoc_content"
            | "json_string_array"
            | "run_instruction"
            | "cmd_instruction"
            | "entrypoint_instruction"
            | "healthcheck_instruction"
            | "shell_instruction"
            | "onbuild_instruction"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_from_chunks() {
        let text = Rope::from_str("FROM alpine AS build\nRUN echo hi\n");
        let tree = parse(&text, None).expect("tree");
        assert_eq!(tree.root_node().kind(), "source_file");
        assert!(!tree.root_node().has_error());
    }

    #[test]
    fn points_are_line_and_byte_column() {
        let text = Rope::from_str("a\r\nbé\nd");
        for exact in [false, true] {
            assert_eq!(point_at(&text, 0, exact), Point { row: 0, column: 0 });
            assert_eq!(point_at(&text, 3, exact), Point { row: 1, column: 0 });
            assert_eq!(point_at(&text, 7, exact), Point { row: 2, column: 0 });
            assert_eq!(point_at(&text, 99, exact), Point { row: 2, column: 1 });
        }
    }

    #[test]
    fn lone_cr_is_not_a_row_for_tree_sitter() {
        let text = Rope::from_str("a\rb\nc");
        assert!(has_lone_cr(&text));
        assert!(!has_lone_cr(&Rope::from_str("a\r\nb\n")));
        assert_eq!(point_at(&text, 2, true), Point { row: 0, column: 2 });
        assert_eq!(point_at(&text, 4, true), Point { row: 1, column: 0 });
    }

    #[test]
    fn incremental_matches_fresh() {
        let before = Rope::from_str("FROM alpine\nRUN echo hi\n");
        let mut tree = parse(&before, None).expect("tree");
        let mut after = before.clone();
        after.insert(11, " AS base");
        tree.edit(&input_edit(&before, &after, (11, 11, 19), false));
        let inc = parse(&after, Some(&tree)).expect("tree");
        let fresh = parse(&after, None).expect("tree");
        assert_eq!(inc.root_node().to_sexp(), fresh.root_node().to_sexp());
    }
}
