//! The one writer of stdout: whole JSON-RPC frames, in the order they are queued.
//!
//! tower-lsp-server turns every outgoing message into a `serde_json::Value` before writing it.
//! For `publishDiagnostics` of a big file (490 diagnostics, 190 KB at 10,000 lines) building,
//! writing and dropping that tree cost three times as much as serialising the diagnostics
//! directly. So the server's frames and the frames the backend serialises itself
//! ([`notification`], [`Output::send`]) go through one bounded queue to one task that writes them to stdout:
//! - tower-lsp-server writes through [`Writer`], which takes a write whole or not at all (its
//!   framed writer only ever writes whole frames, so frames never interleave);
//! - a full queue (a client that does not read) holds both writers back, as a blocked stdout
//!   did;
//! - a failed write (the client closed its end) closes the queue, so both writers see an error.
//!
//! Must not know: LSP methods or types; this is JSON-RPC framing only.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::PollSender;
use tower_lsp_server::jsonrpc::{self, Id};

/// Frames (or parts of the server's write buffer) waiting for the writer task.
const QUEUE: usize = 64;

enum Item {
    Bytes(Frame),
    /// Answered once everything queued before it is written.
    Drained(oneshot::Sender<()>),
}

/// A handle for queueing frames; cheap to clone.
#[derive(Clone)]
pub struct Output {
    tx: mpsc::Sender<Item>,
}

/// The `AsyncWrite` handed to tower-lsp-server's `Server`.
pub struct Writer {
    tx: PollSender<Item>,
}

/// Starts the task that writes queued frames to `sink`; it ends when every [`Output`] and the
/// [`Writer`] are dropped, or when a write fails.
pub fn start<W>(mut sink: W) -> (Output, Writer)
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<Item>(QUEUE);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let written = async {
                // Everything already queued goes out before one flush.
                let mut next = Some(first);
                while let Some(item) = next {
                    match item {
                        Item::Bytes(frame) => {
                            sink.write_all(frame.as_bytes()).await?;
                            SPARE.keep(frame.bytes);
                        }
                        Item::Drained(done) => {
                            sink.flush().await?;
                            let _ = done.send(());
                        }
                    }
                    next = rx.try_recv().ok();
                }
                sink.flush().await
            };
            if let Err(err) = written.await {
                tracing::debug!("writing to the client failed: {err}");
                return;
            }
        }
    });
    let writer = Writer {
        tx: PollSender::new(tx.clone()),
    };
    (Output { tx }, writer)
}

impl Output {
    /// Queues `frame` (see [`notification`]). False when the client's end is closed.
    pub async fn send(&self, frame: Frame) -> bool {
        self.tx.send(Item::Bytes(frame)).await.is_ok()
    }

    /// Waits until everything queued so far is written, at most `limit` (a client that stopped
    /// reading must not keep the process alive).
    pub async fn drained(&self, limit: Duration) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Item::Drained(done)).await.is_ok() {
            let _ = tokio::time::timeout(limit, wait).await;
        }
    }
}

/// A whole frame, header and body, as queued for the writer task: `bytes[start..]`. Serialised
/// frames are written after room left for the header, which is filled in last, so the body is
/// never copied.
pub struct Frame {
    bytes: Vec<u8>,
    start: usize,
}

impl Frame {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

/// Room for the longest header: `Content-Length: `, 20 digits and the blank line.
const HEADER_ROOM: usize = 40;

/// What a body is serialised into first, without a spare buffer; grown as needed.
const BODY_CAPACITY: usize = 4096;

/// Buffers of frames already written, kept for the next frames. glibc gives a freed block of
/// 128 KB or more back to the kernel, so a 140 KB answer (the outline of a 1,000-line file, as
/// it was) in a fresh buffer faulted its 35 pages in again on every request, and grew by
/// doubling on the way. At most [`Spare::BUFFERS`] buffers of at most [`Spare::CAPACITY`] each are kept.
struct Spare(std::sync::Mutex<Vec<Vec<u8>>>);

impl Spare {
    const BUFFERS: usize = 2;
    const CAPACITY: usize = 2 << 20;

    const fn new() -> Spare {
        Spare(std::sync::Mutex::new(Vec::new()))
    }

    /// An empty buffer: the biggest kept one if there is one.
    fn take(&self) -> Vec<u8> {
        let kept = self.0.lock().ok().and_then(|mut spare| {
            let biggest = (0..spare.len()).max_by_key(|&i| spare[i].capacity())?;
            Some(spare.swap_remove(biggest))
        });
        kept.unwrap_or_else(|| Vec::with_capacity(HEADER_ROOM + BODY_CAPACITY))
    }

    /// Keeps `bytes` for a later frame unless it is too big, or smaller than every kept one
    /// when [`Spare::BUFFERS`] are kept already.
    fn keep(&self, mut bytes: Vec<u8>) {
        if bytes.capacity() > Spare::CAPACITY {
            return;
        }
        let Ok(mut spare) = self.0.lock() else {
            return;
        };
        bytes.clear();
        if spare.len() < Spare::BUFFERS {
            spare.push(bytes);
        } else if let Some(smallest) = spare
            .iter_mut()
            .min_by_key(|kept| kept.capacity())
            .filter(|kept| kept.capacity() < bytes.capacity())
        {
            *smallest = bytes;
        }
    }
}

static SPARE: Spare = Spare::new();

/// The frame of the body `write` serialises; on an error the partial body is dropped and the
/// error returned.
fn serialised(
    write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
) -> serde_json::Result<Frame> {
    let mut bytes = SPARE.take();
    bytes.resize(HEADER_ROOM, 0);
    write(&mut bytes)?;
    let header = format!("Content-Length: {}\r\n\r\n", bytes.len() - HEADER_ROOM);
    let start = HEADER_ROOM - header.len();
    bytes[start..HEADER_ROOM].copy_from_slice(header.as_bytes());
    Ok(Frame { bytes, start })
}

/// The frame of the notification `method(params)`, serialised straight from `params`; `None`
/// (logged) if `params` cannot be serialised.
pub fn notification<P: Serialize>(method: &str, params: &P) -> Option<Frame> {
    notification_with(method, |out| serde_json::to_writer(out, params))
}

/// The frame of the notification `method(params)` whose params `write` appends as JSON (the
/// message as [`notification`] serialises it); `None` (logged) on an error of `write`.
pub fn notification_with(
    method: &str,
    write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
) -> Option<Frame> {
    let written = serialised(|out| {
        out.extend_from_slice(br#"{"jsonrpc":"2.0","method":"#);
        serde_json::to_writer(&mut *out, method)?;
        out.extend_from_slice(br#","params":"#);
        write(out)?;
        out.push(b'}');
        Ok(())
    });
    match written {
        Ok(frame) => Some(frame),
        Err(err) => {
            tracing::error!("cannot serialise `{method}`: {err}");
            None
        }
    }
}

/// The frame of the response to request `id`: `result` serialised straight into it, or the
/// error. A result that cannot be serialised becomes an internal error, as tower-lsp-server
/// answers it.
pub fn response<R: Serialize>(id: &Id, result: Result<R, jsonrpc::Error>) -> Frame {
    match result {
        Ok(result) => response_with(id, |out| serde_json::to_writer(out, &result)),
        Err(error) => failure(id, &error),
    }
}

/// The frame of the successful response to request `id` whose result `write` appends as JSON
/// (the message as [`response`] serialises it); an error of `write` becomes an internal error.
pub fn response_with(id: &Id, write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>) -> Frame {
    serialised(|out| {
        out.extend_from_slice(br#"{"jsonrpc":"2.0","result":"#);
        write(out)?;
        out.extend_from_slice(br#","id":"#);
        serde_json::to_writer(&mut *out, id)?;
        out.push(b'}');
        Ok(())
    })
    .unwrap_or_else(|err| {
        failure(
            id,
            &jsonrpc::Error {
                code: jsonrpc::ErrorCode::InternalError,
                message: err.to_string().into(),
                data: None,
            },
        )
    })
}

fn failure(id: &Id, error: &jsonrpc::Error) -> Frame {
    #[derive(Serialize)]
    struct Failure<'a> {
        jsonrpc: &'static str,
        error: &'a jsonrpc::Error,
        id: &'a Id,
    }
    serialised(|out| {
        serde_json::to_writer(
            out,
            &Failure {
                jsonrpc: "2.0",
                error,
                id,
            },
        )
    })
    // An error of plain strings and numbers always serialises.
    .unwrap_or_else(|_| Frame {
        bytes: frame(b"{}"),
        start: 0,
    })
}

/// `body` with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    let mut out = Vec::with_capacity(header.len() + body.len());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(body);
    out
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the client's end is closed")
}

impl AsyncWrite for Writer {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        // All of `buf` or nothing: the caller's buffer holds whole frames.
        match self.tx.poll_reserve(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(_)) => Poll::Ready(Err(closed())),
            Poll::Ready(Ok(())) => match self.tx.send_item(Item::Bytes(Frame {
                bytes: {
                    let mut bytes = SPARE.take();
                    bytes.extend_from_slice(buf);
                    bytes
                },
                start: 0,
            })) {
                Ok(()) => Poll::Ready(Ok(buf.len())),
                Err(_) => Poll::Ready(Err(closed())),
            },
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The writer task flushes after every batch; `Output::drained` waits for it.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.tx.close();
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// Frames from the server's writer and from `Output` arrive whole and in queue order.
    #[tokio::test]
    async fn frames_keep_their_order_and_never_interleave() {
        let (client, server) = tokio::io::duplex(64);
        let (output, mut writer) = start(server);
        let reader = tokio::spawn(async move {
            let mut client = client;
            let mut all = Vec::new();
            client.read_to_end(&mut all).await.unwrap();
            all
        });
        for i in 0..50 {
            if i % 2 == 0 {
                let body = format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(300));
                writer.write_all(&frame(body.as_bytes())).await.unwrap();
            } else {
                assert!(output.send(notification("n", &i).unwrap()).await);
            }
        }
        output.drained(Duration::from_secs(5)).await;
        drop(output);
        writer.shutdown().await.unwrap();
        drop(writer);
        let all = String::from_utf8(reader.await.unwrap()).unwrap();
        let mut rest = all.as_str();
        let mut seen = Vec::new();
        while !rest.is_empty() {
            let (header, after) = rest.split_once("\r\n\r\n").unwrap();
            let len: usize = header
                .strip_prefix("Content-Length: ")
                .unwrap()
                .parse()
                .unwrap();
            let v: serde_json::Value = serde_json::from_str(&after[..len]).unwrap();
            seen.push(v["n"].as_u64().or(v["params"].as_u64()).unwrap());
            rest = &after[len..];
        }
        assert_eq!(seen, (0..50).collect::<Vec<u64>>());
    }

    /// A notification is one JSON-RPC message, with the length of its body in the header.
    #[test]
    fn a_notification_is_framed_json_rpc() {
        let frame = notification("m/n", &serde_json::json!({"é": [1, 2]})).unwrap();
        let text = std::str::from_utf8(frame.as_bytes()).unwrap();
        let (header, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(header, format!("Content-Length: {}", body.len()));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"jsonrpc": "2.0", "method": "m/n", "params": {"é": [1, 2]}})
        );
    }

    /// A response is one JSON-RPC message with its result or its error, and the request's id.
    #[test]
    fn a_response_is_framed_json_rpc() {
        let body = |frame: Frame| {
            let text = std::str::from_utf8(frame.as_bytes()).unwrap().to_string();
            let (header, body) = text.split_once("\r\n\r\n").unwrap();
            assert_eq!(header, format!("Content-Length: {}", body.len()));
            serde_json::from_str::<serde_json::Value>(body).unwrap()
        };
        assert_eq!(
            body(response(&Id::Number(3), Ok(Some(vec![1, 2])))),
            serde_json::json!({"jsonrpc": "2.0", "id": 3, "result": [1, 2]})
        );
        assert_eq!(
            body(response::<Option<u8>>(&Id::String("a".into()), Ok(None))),
            serde_json::json!({"jsonrpc": "2.0", "id": "a", "result": null})
        );
        assert_eq!(
            body(response::<()>(
                &Id::Number(4),
                Err(jsonrpc::Error::invalid_params("bad"))
            )),
            serde_json::json!({"jsonrpc": "2.0", "id": 4,
                "error": {"code": -32602, "message": "bad"}})
        );
        // A result that cannot be serialised: an internal error, as tower-lsp-server answers.
        let map: std::collections::HashMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        let v = body(response(&Id::Number(5), Ok(map)));
        assert_eq!(v["error"]["code"], -32603);
    }

    /// A written frame's buffer is kept for the next one, emptied, the biggest first; too big a
    /// buffer is not kept, and when enough are kept a smaller one replaces none of them.
    #[test]
    fn spare_buffers_are_kept_within_limits() {
        let spare = Spare::new();
        let mut big = Vec::with_capacity(200_000);
        big.extend_from_slice(b"old frame");
        spare.keep(big);
        spare.keep(Vec::with_capacity(1000));
        let again = spare.take();
        assert!(again.capacity() >= 200_000 && again.is_empty());
        spare.keep(again);
        spare.keep(Vec::with_capacity(Spare::CAPACITY + 1));
        spare.keep(Vec::with_capacity(10));
        let mut kept: Vec<usize> = spare.0.lock().unwrap().iter().map(Vec::capacity).collect();
        kept.sort_unstable();
        assert_eq!(kept.len(), Spare::BUFFERS);
        assert!(
            kept[0] >= 1000 && kept[1] >= 200_000 && kept[1] <= Spare::CAPACITY,
            "{kept:?}"
        );
        spare.keep(Vec::with_capacity(5000));
        assert!(spare.0.lock().unwrap().iter().all(|b| b.capacity() >= 5000));
    }

    /// A closed client end is an error for both writers, not a hang.
    #[tokio::test]
    async fn a_closed_client_end_is_an_error() {
        let (client, server) = tokio::io::duplex(64);
        drop(client);
        let (output, mut writer) = start(server);
        let mut failed = false;
        for _ in 0..(QUEUE * 4) {
            if writer.write_all(&frame(b"{}")).await.is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "the server's writer never saw the closed end");
        assert!(!output.send(notification("n", &1).unwrap()).await);
    }
}
