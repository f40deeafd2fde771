//! Property tests: random edits in LSP positions (UTF-16 or UTF-8) with emoji, combining
//! characters, CRLF and lone CR leave the server's text byte-equal to an independent model of the
//! client's buffer (`support::buffer`), and positions convert both ways without drift.
//!
//! These drive `lsp::convert` and `Document::edit` directly, as `didChange` does; the e2e
//! ordering stress test (`robustness.rs`) checks the same over stdio.

mod support;

use dockerfile_ls::analysis::Document;
use dockerfile_ls::lsp::convert::{self, Encoding};
use proptest::prelude::*;
use support::buffer::{Buffer, Pos, FRAGMENTS};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

const INITIAL: &str = "FROM a AS b\r\nRUN 😀 e\u{301}\rCOPY --from=b / /\n";

/// Selectors for one edit, mapped to valid positions of the buffer at the time of the edit (so
/// proptest can shrink them).
type EditSel = (usize, usize, usize, usize, Vec<usize>);

fn edit_sel() -> impl Strategy<Value = EditSel> {
    (
        any::<usize>(),
        0usize..3,
        any::<usize>(),
        any::<usize>(),
        prop::collection::vec(0..FRAGMENTS.len(), 0..4),
    )
}

fn lsp(p: Pos) -> Position {
    Position::new(p.line, p.character)
}

fn pick(buf: &Buffer, sel: &EditSel, utf8: bool) -> (Pos, Pos, String) {
    let (line, span, a, b, parts) = sel;
    let lines = buf.line_count() as usize;
    let l1 = line % lines;
    let l2 = (l1 + span).min(lines - 1);
    let p1 = buf.positions_on(u32::try_from(l1).unwrap(), utf8);
    let p2 = buf.positions_on(u32::try_from(l2).unwrap(), utf8);
    let (mut start, mut end) = (p1[a % p1.len()], p2[b % p2.len()]);
    if end < start {
        std::mem::swap(&mut start, &mut end);
    }
    (start, end, parts.iter().map(|&i| FRAGMENTS[i]).collect())
}

fn run_edits(edits: &[EditSel], utf8: bool) -> Result<(), TestCaseError> {
    let enc = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let mut buf = Buffer::new(INITIAL);
    let mut doc = Document::new(INITIAL, 0);
    for (i, sel) in edits.iter().enumerate() {
        let (start, end, text) = pick(&buf, sel, utf8);
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(lsp(start), lsp(end))),
            range_length: None,
            text: text.clone(),
        };
        convert::apply_change(&mut doc, &change, enc);
        buf.edit(start, end, &text, utf8);
        prop_assert_eq!(doc.text().to_string(), buf.text.clone(), "after edit {}", i);
        if i % 4 == 0 {
            doc.reparse(i32::try_from(i).unwrap());
        }
    }
    // Every valid position maps to the buffer's offset and back to itself.
    for line in 0..buf.line_count() {
        for p in buf.positions_on(line, utf8) {
            let offset = convert::offset(&doc, lsp(p), enc);
            prop_assert_eq!(offset, buf.offset(p, utf8), "offset of {:?}", p);
            prop_assert_eq!(convert::position(&doc, offset, enc), lsp(p));
        }
    }
    doc.reparse(i32::MAX);
    let fresh = Document::new(&buf.text, i32::MAX);
    prop_assert_eq!(doc.syntax(), fresh.syntax());
    prop_assert_eq!(doc.model(), fresh.model());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn utf16_edits_keep_the_text_equal_to_the_client(edits in prop::collection::vec(edit_sel(), 1..40)) {
        run_edits(&edits, false)?;
    }

    #[test]
    fn utf8_edits_keep_the_text_equal_to_the_client(edits in prop::collection::vec(edit_sel(), 1..40)) {
        run_edits(&edits, true)?;
    }

    /// Whatever a feature returns converts to positions that exist in the client's buffer.
    #[test]
    fn feature_positions_exist_in_the_client_buffer(
        parts in prop::collection::vec(0..FRAGMENTS.len(), 0..40),
        cursor in any::<usize>(),
    ) {
        let text: String = ["FROM a AS b\n"].into_iter().chain(parts.iter().map(|&i| FRAGMENTS[i])).collect();
        let doc = Document::new(&text, 0);
        let buf = Buffer::new(&text);
        let offset = cursor % (doc.len() + 2);
        let mut spans: Vec<_> = dockerfile_ls::analysis::features::references(&doc, offset, true);
        spans.extend(dockerfile_ls::analysis::features::definition(&doc, offset));
        spans.extend(dockerfile_ls::analysis::features::completion(&doc, offset, Default::default()).iter().map(|c| c.replace));
        spans.extend(dockerfile_ls::analysis::features::diagnostics(&doc).iter().map(|d| d.span));
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            let utf8 = enc == Encoding::Utf8;
            for span in &spans {
                let r = convert::range(&doc, *span, enc);
                for p in [r.start, r.end] {
                    let pos = Pos { line: p.line, character: p.character };
                    prop_assert!(p.line < buf.line_count(), "{:?} past the last line", p);
                    prop_assert!(buf.positions_on(p.line, utf8).contains(&pos), "{:?} is not a valid position", p);
                }
            }
        }
    }
}
