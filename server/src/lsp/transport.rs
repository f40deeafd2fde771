//! A guard in front of tower-lsp-server's reader that keeps bad input from ending the session.
//!
//! tower-lsp-server 0.23 reads stdin through a `FramedRead`; after one decode error (garbage
//! bytes, a body that is not JSON, a JSON value that is not a JSON-RPC message) that stream ends
//! and the server stops. So stdin goes through [`guard`] first: it re-frames every well-formed
//! message unchanged, drops garbage between messages with a log line, and turns a malformed
//! message that still carries an `id` into a call of [`INVALID_MESSAGE_METHOD`], so the client
//! gets an `InvalidRequest` error for that id instead of waiting forever.
//!
//! Must not know: LSP methods or types; this is JSON-RPC framing only.

use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Id, Request, Response};

/// The request the guard substitutes for a malformed message with an `id`; the server answers it
/// with `InvalidRequest`.
pub const INVALID_MESSAGE_METHOD: &str = "dockerfile-ls/invalidMessage";

const HEADER: &[u8] = b"content-length:";

/// The room made in the input buffer before each read.
const READ_AT_LEAST: usize = 64 * 1024;

/// Copies JSON-RPC frames from `input` to `output` until `input` ends, then drops `output` (the
/// server sees end of input and stops).
pub async fn guard<R, W>(mut input: R, mut output: W)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    // Read straight into the buffer's spare room: no zeroed chunk to fill first (that was 64
    // KiB of `memset` and 16 page faults at start-up, before the first message was read).
    let mut buf: Vec<u8> = Vec::new();
    loop {
        while let Some(step) = next_frame(&buf) {
            let (consumed, forward) = match step {
                Step::Skip(n) => {
                    tracing::error!("skipping {n} bytes of input that are not a JSON-RPC frame");
                    (n, None)
                }
                Step::Frame { consumed, body } => (consumed, check_body(&buf[body])),
            };
            if let Some(message) = forward {
                let header = format!("Content-Length: {}\r\n\r\n", message.len());
                let written = async {
                    output.write_all(header.as_bytes()).await?;
                    output.write_all(&message).await?;
                    output.flush().await
                };
                if written.await.is_err() {
                    // The server has stopped reading (after `exit`).
                    return;
                }
            }
            buf.drain(..consumed);
        }
        buf.reserve(READ_AT_LEAST);
        match input.read_buf(&mut buf).await {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) => {
                tracing::error!("reading stdin failed: {err}");
                return;
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Drop this many bytes of garbage.
    Skip(usize),
    /// A complete frame: its length and where its body is.
    Frame {
        consumed: usize,
        body: std::ops::Range<usize>,
    },
}

/// The next thing to do with the buffered input, `None` when more input is needed.
fn next_frame(buf: &[u8]) -> Option<Step> {
    let Some(at) = find_ci(buf, HEADER) else {
        // Keep a tail that may be the start of a header split across reads.
        let keep = HEADER.len() - 1;
        return (buf.len() > keep).then(|| Step::Skip(buf.len() - keep));
    };
    if at > 0 {
        return Some(Step::Skip(at));
    }
    let header_end = find(buf, b"\r\n\r\n")?;
    let len = std::str::from_utf8(&buf[..header_end])
        .ok()
        .and_then(|headers| {
            headers.split("\r\n").find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
        });
    let Some(len) = len else {
        // A broken header: skip past it and look for the next one.
        return Some(Step::Skip(header_end + 4));
    };
    let start = header_end + 4;
    let end = start.checked_add(len)?;
    (buf.len() >= end).then_some(Step::Frame {
        consumed: end,
        body: start..end,
    })
}

/// tower-lsp-server's own message type (`jsonrpc::Message`, private to it), derived the same
/// way from the same public types: a body decodes as this exactly when tower-lsp-server's reader
/// decodes it. An untagged enum reads the whole body as a generic value first, so a field
/// neither type knows must still be valid for `serde_json` (`"x": 1e400` is not: its number is
/// out of range); reading a `Request` straight from the text skips such a field unchecked.
#[derive(Deserialize)]
#[serde(untagged)]
enum Message {
    // Only whether a body decodes matters, never the value.
    Response(#[allow(dead_code)] Response),
    Request(#[allow(dead_code)] Request),
}

/// The bytes to forward for a frame body: the body itself if tower-lsp-server can decode it, a
/// substitute request if it is broken but has an `id`, otherwise nothing.
fn check_body(body: &[u8]) -> Option<Vec<u8>> {
    // tower-lsp-server reads a body as UTF-8 text, then as its `Message`: the same check.
    let Ok(text) = std::str::from_utf8(body) else {
        tracing::error!("dropping a message that is not UTF-8");
        return None;
    };
    if serde_json::from_str::<Message>(text).is_ok() {
        return Some(body.to_vec());
    }
    // Its `id`, read leniently: the other fields are only checked to be JSON, so a message
    // that failed for a number out of range elsewhere is still answered.
    let id = match serde_json::from_str::<IdOf>(text) {
        Ok(IdOf { id }) => id,
        Err(err) if err.is_data() => {
            tracing::error!("dropping an invalid JSON-RPC message: {err}");
            return None;
        }
        Err(err) => {
            tracing::error!("dropping a message that is not valid JSON: {err}");
            return None;
        }
    };
    // Only an id tower-lsp-server can answer to (an integer in `i64`, or a string): the
    // substitute must decode too.
    match id.map(serde_json::from_value::<Id>) {
        Some(Ok(id @ (Id::Number(_) | Id::String(_)))) => {
            tracing::error!("invalid JSON-RPC message with id {id}: answering InvalidRequest");
            let substitute =
                serde_json::json!({"jsonrpc": "2.0", "id": id, "method": INVALID_MESSAGE_METHOD});
            Some(substitute.to_string().into_bytes())
        }
        Some(_) => {
            tracing::error!("dropping an invalid JSON-RPC message: its id cannot be answered");
            None
        }
        None => {
            tracing::error!("dropping an invalid JSON-RPC message");
            None
        }
    }
}

/// The `id` member of an object; other members are skipped without reading their values.
#[derive(Deserialize)]
struct IdOf {
    #[serde(default)]
    id: Option<Value>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(input: &[u8]) -> String {
        let (tx, mut rx) = tokio::io::duplex(1 << 16);
        let mut out = Vec::new();
        // `guard` drops `tx` when the input ends, which ends `read_to_end`.
        let (_, read) = tokio::join!(guard(input, tx), rx.read_to_end(&mut out));
        read.unwrap();
        String::from_utf8(out).unwrap()
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[tokio::test]
    async fn good_frames_pass_garbage_is_dropped() {
        let ok = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "garbage\r\n{}Content-Length: 5\r\n\r\n{{oops{}Content-Length: x\r\n\r\n{}",
            frame(ok),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            frame(ok)
        );
        let out = run(input.as_bytes()).await;
        let expected = format!(
            "{}{}{}",
            frame(ok),
            frame(&format!(
                r#"{{"id":7,"jsonrpc":"2.0","method":"{INVALID_MESSAGE_METHOD}"}}"#
            )),
            frame(ok)
        );
        assert_eq!(out, expected);
    }

    /// What tower-lsp-server's reader would choke on never reaches it: bytes that are not UTF-8
    /// (even in a field nobody reads) end its input stream.
    #[test]
    fn only_what_tower_lsp_server_decodes_is_forwarded() {
        let request = br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let response = br#"{"jsonrpc":"2.0","id":1,"result":null}"#;
        for body in [&request[..], &response[..]] {
            assert_eq!(check_body(body).as_deref(), Some(body));
        }
        let mut not_utf8 = br#"{"jsonrpc":"2.0","method":"initialized","junk":"?"}"#.to_vec();
        let at = not_utf8.iter().position(|&b| b == b'?').unwrap();
        not_utf8[at] = 0xff;
        assert_eq!(check_body(&not_utf8), None);
        assert_eq!(
            check_body(br#"{"jsonrpc":"1.0","method":"initialized"}"#),
            None
        );
        // A field no message type has, with a number serde_json will not read: tower-lsp-server
        // reads the whole body as a generic value first and stops there. Answered when it has an
        // id, dropped when it has none.
        let out_of_range = br#"{"jsonrpc":"2.0","method":"initialized","x":1e400}"#;
        assert_eq!(check_body(out_of_range), None);
        let with_id = br#"{"jsonrpc":"2.0","id":3,"method":"shutdown","x":[-1e999]}"#;
        assert_eq!(
            check_body(with_id).map(|b| String::from_utf8(b).unwrap()),
            Some(format!(
                r#"{{"id":3,"jsonrpc":"2.0","method":"{INVALID_MESSAGE_METHOD}"}}"#
            ))
        );
        // An id tower-lsp-server cannot hold (it takes `i64` numbers): nothing to answer to.
        for id in ["1.5", "9223372036854775808", "true", "{}"] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":5}}"#);
            assert_eq!(check_body(body.as_bytes()), None, "{body}");
        }
        // In range, such a field is fine.
        let fine = br#"{"jsonrpc":"2.0","method":"initialized","x":1e300}"#;
        assert_eq!(check_body(fine).as_deref(), Some(&fine[..]));
    }

    #[test]
    fn waits_for_a_complete_frame() {
        assert_eq!(next_frame(b"Content-Len"), None);
        assert_eq!(next_frame(b"Content-Length: 10\r\n\r\n{}"), None);
        assert_eq!(
            next_frame(b"Content-Length: 2\r\nContent-Type: x\r\n\r\n{}"),
            Some(Step::Frame {
                consumed: 40,
                body: 38..40
            })
        );
    }
}
