//! The bodies of the fuzz targets in `server/fuzz` (cargo fuzz), kept in the library so that
//! `cargo test` runs the same code over the saved crash inputs and the seeds
//! (`tests/fuzz_regressions.rs`) without cargo fuzz installed.
//!
//! Each function panics on a bug (libFuzzer reports the panic as a crash) and returns normally
//! otherwise:
//! - [`analysis`]: arbitrary bytes (lossy UTF-8) as a document; every feature at many offsets
//!   must not panic and must return spans inside the document.
//! - [`incremental`]: a text and an edit script; the edited document must hold exactly the text a
//!   reference `String` holds, and its syntax, model and tree must equal a fresh parse.
//! - [`lsp_frames`]: bytes fed to the language server's stdin path in-process (the frame guard,
//!   tower-lsp-server, the handlers); it must neither panic nor hang.
//!
//! Must not know: libFuzzer (the targets are one-line wrappers).

use std::time::Duration;

use crate::analysis::features::{self, exercise};
use crate::analysis::Document;

/// How many cursor offsets [`analysis`] tries per document.
const OFFSETS: usize = 48;

/// Separates the text from the edit script in an [`incremental`] input (never valid UTF-8, so
/// a plain Dockerfile has none and is typed in instead).
pub const EDIT_MARKER: &[u8] = b"\xff\xff";

/// Separates message bodies in an [`lsp_frames`] input that does not start with a header
/// (ASCII record separator: JSON never contains it raw).
pub const BODY_SEPARATOR: u8 = 0x1e;

pub fn analysis(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let doc = Document::new(&text, 0);
    let _ = doc.tree();
    exercise::document_features(&doc).unwrap_or_else(|e| panic!("{e}"));
    for offset in exercise::interesting_offsets(&doc, OFFSETS) {
        exercise::features_at(&doc, offset).unwrap_or_else(|e| panic!("offset {offset}: {e}"));
    }
}

/// One edit of an [`incremental`] script.
#[derive(Debug)]
struct Edit {
    /// Where, scaled: `pos * (len + 1) / 65536`.
    pos: u16,
    delete: usize,
    insert: String,
    reparse: bool,
    parse_tree: bool,
}

/// The edit script: records of `[flags, pos_hi, pos_lo, n, n bytes of text]`; flags bit 0
/// reparses after the edit, bit 1 asks for the tree, bits 2-7 are the bytes to delete.
fn decode_script(script: &[u8]) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut rest = script;
    while let [flags, hi, lo, n, tail @ ..] = rest {
        let n = usize::from(*n).min(tail.len());
        edits.push(Edit {
            pos: u16::from_be_bytes([*hi, *lo]),
            delete: usize::from(flags >> 2),
            insert: String::from_utf8_lossy(&tail[..n]).into_owned(),
            reparse: flags & 1 != 0,
            parse_tree: flags & 2 != 0,
        });
        rest = &tail[n..];
    }
    edits
}

/// A plain text is typed into an empty document a few characters at a time, at the end.
fn typing(text: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut chunk = String::new();
    for (i, c) in text.chars().enumerate() {
        chunk.push(c);
        if (c as usize + i).is_multiple_of(5) || c == '\n' {
            edits.push(Edit {
                pos: u16::MAX,
                delete: 0,
                insert: std::mem::take(&mut chunk),
                reparse: i.is_multiple_of(3),
                parse_tree: i.is_multiple_of(7),
            });
        }
    }
    edits.push(Edit {
        pos: u16::MAX,
        delete: 0,
        insert: chunk,
        reparse: false,
        parse_tree: false,
    });
    edits
}

/// The reference for [`Document::edit`]'s clamping: offsets past the end clamp to the end, a
/// range that cuts a character covers all of it.
fn reference_edit(text: &mut String, start: usize, end: usize, insert: &str) {
    let mut end = end.min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut start = start.min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    text.replace_range(start..end, insert);
}

pub fn incremental(data: &[u8]) {
    let (text, edits) = match find(data, EDIT_MARKER) {
        Some(at) => (
            String::from_utf8_lossy(&data[..at]).into_owned(),
            decode_script(&data[at + EDIT_MARKER.len()..]),
        ),
        None => (String::new(), typing(&String::from_utf8_lossy(data))),
    };
    let mut doc = Document::new(&text, 0);
    let mut reference = text;
    for (i, e) in edits.iter().enumerate() {
        let start = usize::from(e.pos) * (doc.len() + 1) / 65536;
        doc.edit(start, start + e.delete, &e.insert);
        reference_edit(&mut reference, start, start + e.delete, &e.insert);
        if e.reparse {
            doc.reparse(i32::try_from(i).unwrap_or(i32::MAX));
            // Diagnostics too, so the next version starts from this one's per-instruction
            // findings (see `features::diagnostics`).
            let _ = features::diagnostics(&doc);
        }
        if e.parse_tree {
            let _ = doc.tree();
        }
    }
    doc.reparse(i32::MAX);
    let edited = doc.text().to_string();
    assert!(
        edited == reference,
        "edited text differs from the reference"
    );
    let fresh = Document::new(&reference, i32::MAX);
    assert!(
        doc.syntax() == fresh.syntax(),
        "syntax differs from a fresh parse"
    );
    assert!(
        doc.model() == fresh.model(),
        "model differs from a fresh parse"
    );
    assert!(
        crate::analysis::features::diagnostics(&doc)
            == crate::analysis::features::diagnostics(&fresh),
        "diagnostics differ from a fresh parse's"
    );
    let sexp = |d: &Document| d.tree().map(|t| t.root_node().to_sexp());
    // tree-sitter's error recovery may group ERROR nodes differently after an incremental edit
    // than in a fresh parse (first seen around lone CRs, then by this target around a broken
    // heredoc with NULs); tree-sitter promises the same tree only for text without errors.
    // Instruction boundaries, diagnostics and features never come from the tree.
    let fresh_has_error = fresh.tree().is_some_and(|t| t.root_node().has_error());
    if !fresh_has_error {
        assert!(
            sexp(&doc) == sexp(&fresh),
            "tree differs from a fresh parse"
        );
    }
}

/// How long [`lsp_frames`] lets the server take over one input before calling it a hang.
const LSP_TIMEOUT: Duration = Duration::from_secs(120);

pub fn lsp_frames(data: &[u8]) {
    let input = if data.len() >= 15 && data[..15].eq_ignore_ascii_case(b"content-length:") {
        data.to_vec()
    } else {
        let mut framed = Vec::with_capacity(data.len() + 64);
        for body in data.split(|&b| b == BODY_SEPARATOR) {
            framed.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            framed.extend_from_slice(body);
        }
        framed
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        // As `serve_stdio` runs it: diagnostics and direct answers through the output queue.
        let (output, writer) = crate::lsp::output::start(tokio::io::sink());
        let crate::lsp::Service {
            service, socket, ..
        } = crate::lsp::service_with(Some(output));
        let (guarded_in, server_in) = tokio::io::duplex(64 * 1024);
        let guard = crate::lsp::transport::guard(&input[..], guarded_in);
        let serve = tower_lsp_server::Server::new(server_in, writer, socket).serve(service);
        let both = async { tokio::join!(guard, serve) };
        assert!(
            tokio::time::timeout(LSP_TIMEOUT, both).await.is_ok(),
            "the server did not finish within {LSP_TIMEOUT:?} after its input ended"
        );
    });
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_decode_and_reference_clamps() {
        let edits = decode_script(b"\x07\x80\x00\x02ab\x00\xff\xff\x09xyz");
        assert_eq!(edits.len(), 2);
        assert_eq!((edits[0].pos, edits[0].delete), (0x8000, 1));
        assert!(edits[0].reparse && edits[0].parse_tree);
        assert_eq!(edits[0].insert, "ab");
        // A length past the end takes what is there.
        assert_eq!(edits[1].insert, "xyz");
        let mut s = "aé".to_string();
        reference_edit(&mut s, 2, 2, "x");
        assert_eq!(s, "ax");
        reference_edit(&mut s, 99, 100, "!");
        assert_eq!(s, "ax!");
    }

    #[test]
    fn typing_rebuilds_the_text() {
        let text = "FROM a AS é\r\nRUN x\r";
        let typed: String = typing(text).iter().map(|e| e.insert.as_str()).collect();
        assert_eq!(typed, text);
        incremental(text.as_bytes());
    }

    #[test]
    fn an_lsp_session_runs_to_its_end() {
        let bodies = [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a","languageId":"dockerfile","version":1,"text":"FROM a AS b\nCOPY --from=b / /\n"}}}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"textDocument/definition","params":{"textDocument":{"uri":"file:///a"},"position":{"line":1,"character":13}}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","method":"exit"}"#,
        ];
        lsp_frames(bodies.join("\u{1e}").as_bytes());
        lsp_frames(b"Content-Length: 3\r\n\r\n{}}garbage");
    }
}
