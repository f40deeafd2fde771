//! The protocol layer: tower-lsp-server glue around the pure analysis core.
//!
//! `server` holds the handlers, `convert` every position and shape conversion, `capabilities`
//! what is advertised, `config` the user settings, `transport` the stdin guard, `output` the
//! stdout writer, `stdio` stdin and stdout themselves, `panic_guard`
//! the service wrapper that turns a panicking handler into an error response, `parent` the
//! watch on the client process, `workspace` the rule for which files the server may read.
//!
//! Invariant: only this module (and only `convert` for positions) names LSP types.

pub mod capabilities;
pub mod config;
pub mod convert;
pub mod output;
pub mod panic_guard;
pub mod parent;
mod server;
pub mod stdio;
pub mod transport;
pub mod workspace;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, LspService, Server};

pub use server::Backend;

/// The custom request for the stage graph (see docs/stage-graph.md).
pub const STAGE_GRAPH_METHOD: &str = "dockerfile-ls/stageGraph";

/// Passes every message on to the server, and
/// - keeps a copy of the raw `capabilities` of `initialize`: `ls_types` drops fields it does not
///   model (LSP 3.18's `textDocument.codeLens.resolveSupport`), and the server needs them;
/// - sets the stop signal on `exit`, which tower-lsp-server handles without telling the server:
///   a handler still waiting for the client must give up, or the process waits for it;
/// - with an output (`serve_stdio`), turns a request the backend can answer directly
///   ([`server::answers_directly`]) into the notification [`server::ANSWER_METHOD`] carrying its
///   id, once `initialize` has succeeded and until `shutdown`: the backend runs the same handler
///   and serialises the answer straight to stdout. tower-lsp-server builds a `serde_json::Value`
///   of every answer first, which costs more than computing most of them. The notification runs
///   where the request would have (in order, after the changes before it). Two things differ:
///   `$/cancelRequest` no longer reaches it (these answers take a fraction of a millisecond), and
///   a request that reuses the id of one still running is answered rather than refused.
pub struct Intercept<S> {
    inner: S,
    slot: Arc<OnceLock<serde_json::Value>>,
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    /// Set while requests are answered directly; `None` without an output.
    direct: Option<Arc<AtomicBool>>,
}

type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

impl<S> tower_service::Service<Request> for Intercept<S>
where
    S: tower_service::Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match req.method() {
            "exit" => {
                self.stop.send_replace(true);
            }
            "shutdown" => {
                if let Some(direct) = &self.direct {
                    direct.store(false, Ordering::SeqCst);
                }
            }
            "initialize" => {
                if let Some(caps) = req.params().and_then(|p| p.get("capabilities")) {
                    // A second `initialize` is refused by the server; keep the first copy.
                    let _ = self.slot.set(caps.clone());
                }
                if let Some(direct) = self.direct.clone() {
                    let fut = self.inner.call(req);
                    return Box::pin(async move {
                        let response = fut.await;
                        if matches!(&response, Ok(Some(r)) if r.is_ok()) {
                            direct.store(true, Ordering::SeqCst);
                        }
                        response
                    });
                }
            }
            method => {
                let direct = self
                    .direct
                    .as_ref()
                    .is_some_and(|d| d.load(Ordering::SeqCst));
                if direct && req.id().is_some() && server::answers_directly(method) {
                    return Box::pin(self.inner.call(answer_request(req)));
                }
            }
        }
        Box::pin(self.inner.call(req))
    }
}

/// The [`server::ANSWER_METHOD`] notification for the request `req`.
fn answer_request(req: Request) -> Request {
    let (method, id, params) = req.into_parts();
    let mut answer = serde_json::Map::new();
    answer.insert("id".into(), serde_json::to_value(id).unwrap_or_default());
    answer.insert(
        "method".into(),
        serde_json::Value::String(method.into_owned()),
    );
    if let Some(params) = params {
        answer.insert("params".into(), params);
    }
    Request::build(server::ANSWER_METHOD)
        .params(serde_json::Value::Object(answer))
        .finish()
}

/// The language server as a tower service, exactly as `serve_stdio` runs it (the fuzz target
/// drives this in-process).
pub struct Service {
    pub service: panic_guard::CatchPanic<Intercept<LspService<Backend>>>,
    pub socket: ClientSocket,
    /// Set once the client sent `shutdown`.
    pub shutdown: Arc<AtomicBool>,
    /// The client's `processId` from `initialize`, once known.
    pub parent: Arc<OnceLock<u32>>,
    /// Set when the client can no longer answer requests (stdin ended, `shutdown` or `exit`), so
    /// that a handler waiting for an answer (`workspace/configuration`) gives up and the server
    /// can stop.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

/// The service with diagnostics published through the client socket (in-process harnesses).
pub fn service() -> Service {
    service_with(None)
}

/// The service; with `output`, diagnostics are serialised straight into that queue (as
/// `serve_stdio` does) rather than sent through the client socket.
pub fn service_with(output: Option<output::Output>) -> Service {
    let shutdown = Arc::new(AtomicBool::new(false));
    let parent = Arc::new(OnceLock::new());
    let raw_capabilities = Arc::new(OnceLock::new());
    let direct = output.is_some();
    let stopping = Arc::new(tokio::sync::watch::Sender::new(false));
    let builder = LspService::build(|client| {
        let backend = Backend::new(
            client,
            Arc::clone(&shutdown),
            Arc::clone(&stopping),
            Arc::clone(&parent),
        )
        .with_raw_capabilities(Arc::clone(&raw_capabilities));
        match output.clone() {
            Some(output) => backend.with_output(output),
            None => backend,
        }
    })
    .custom_method(transport::INVALID_MESSAGE_METHOD, Backend::invalid_message)
    .custom_method(server::ANSWER_METHOD, Backend::answer)
    .custom_method(STAGE_GRAPH_METHOD, Backend::stage_graph_request);
    #[cfg(all(debug_assertions, not(fuzzing)))]
    let builder = builder
        .custom_method(server::DEBUG_PANIC_METHOD, Backend::debug_panic)
        .custom_method(server::DEBUG_TEXT_HASH_METHOD, Backend::debug_text_hash);
    let (service, socket) = builder.finish();
    let service = Intercept {
        inner: service,
        slot: raw_capabilities,
        stop: Arc::clone(&stopping),
        direct: direct.then(|| Arc::new(AtomicBool::new(false))),
    };
    Service {
        service: panic_guard::CatchPanic::new(service),
        socket,
        shutdown,
        parent,
        stopping,
    }
}

/// Serves LSP on stdin/stdout until `exit`, the end of stdin, or the death of the client
/// process (`processId` from `initialize`, or `client_process_id` from the command line).
/// Returns whether the client sent `shutdown` first; LSP: "The server should exit with success
/// code 0 if the shutdown request has been received before; otherwise with error code 1."
pub async fn serve_stdio(client_process_id: Option<u32>) -> bool {
    let (output, writer) = output::start(stdio::stdout());
    let Service {
        service,
        socket,
        shutdown,
        parent,
        stopping,
    } = service_with(Some(output.clone()));
    if let Some(pid) = client_process_id {
        let _ = parent.set(pid);
    }
    let (guarded_in, server_in) = tokio::io::duplex(64 * 1024);
    let guard = tokio::spawn(async move {
        transport::guard(stdio::stdin(), guarded_in).await;
        stopping.send_replace(true);
    });
    let watch = tokio::spawn(parent::watch(parent, Arc::clone(&shutdown)));
    Server::new(server_in, writer, socket).serve(service).await;
    // Everything queued goes out before the process exits (the answer to `shutdown`, ...).
    output.drained(std::time::Duration::from_secs(2)).await;
    guard.abort();
    watch.abort();
    shutdown.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::{json, Value};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const URI: &str = "file:///w/Dockerfile";
    const TEXT: &str = "FROM alpine:3.19 AS base\nARG VERSION=1\nENV PATH=/opt/bin:$PATH\nRUN echo \"$VERSION\" && \\\n    apk add curl\n\nFROM base AS build\nCOPY --from=base /etc/os-release /tmp/\nrun make\n\nFROM scratch\nCOPY --from=build /out /out\nCOPY --from= /x /y\nMAINTAINER me\n";

    fn pos(line: u32, character: u32) -> Value {
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
    }

    fn doc() -> Value {
        json!({"textDocument": {"uri": URI}})
    }

    fn whole() -> Value {
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 13, "character": 0}})
    }

    /// Every request the backend answers directly, with params that reach its analysis, plus
    /// bad params, a document that is not open and a string id.
    fn requests() -> Vec<(Value, &'static str, Value)> {
        vec![
            (json!(10), "textDocument/completion", pos(12, 12)),
            (json!(11), "textDocument/hover", pos(2, 1)),
            (json!(12), "textDocument/signatureHelp", pos(7, 6)),
            (json!(13), "textDocument/definition", pos(11, 13)),
            (json!(14), "textDocument/references", {
                let mut p = pos(0, 21);
                p["context"] = json!({"includeDeclaration": true});
                p
            }),
            (json!(15), "textDocument/documentHighlight", pos(0, 21)),
            (json!(16), "textDocument/documentSymbol", doc()),
            (json!(17), "textDocument/foldingRange", doc()),
            (json!(18), "textDocument/selectionRange", {
                let mut p = doc();
                p["positions"] = json!([{"line": 4, "character": 6}]);
                p
            }),
            (json!(19), "textDocument/linkedEditingRange", pos(0, 21)),
            (json!(20), "textDocument/semanticTokens/full", doc()),
            (json!(21), "textDocument/semanticTokens/full/delta", {
                let mut p = doc();
                p["previousResultId"] = json!("0");
                p
            }),
            (json!(22), "textDocument/semanticTokens/range", {
                let mut p = doc();
                p["range"] = whole();
                p
            }),
            (json!(23), "textDocument/codeLens", doc()),
            (
                json!(24),
                "codeLens/resolve",
                json!({"range": whole(), "data": {"uri": URI, "stage": 1, "kind": "summary"}}),
            ),
            (json!(25), "textDocument/codeAction", {
                let mut p = doc();
                p["range"] = whole();
                p["context"] = json!({"diagnostics": []});
                p
            }),
            (json!(26), "textDocument/formatting", {
                let mut p = doc();
                p["options"] = json!({"tabSize": 4, "insertSpaces": true});
                p
            }),
            (json!(27), "textDocument/rangeFormatting", {
                let mut p = doc();
                p["range"] = whole();
                p["options"] = json!({"tabSize": 4, "insertSpaces": true});
                p
            }),
            (json!(28), "textDocument/onTypeFormatting", {
                let mut p = pos(8, 3);
                p["ch"] = json!("\n");
                p["options"] = json!({"tabSize": 4, "insertSpaces": true});
                p
            }),
            (json!(29), "textDocument/documentLink", doc()),
            (json!(30), "textDocument/inlayHint", {
                let mut p = doc();
                p["range"] = whole();
                p
            }),
            (json!(31), "textDocument/prepareRename", pos(0, 21)),
            (json!(32), "textDocument/rename", {
                let mut p = pos(0, 21);
                p["newName"] = json!("root");
                p
            }),
            (json!(33), "workspace/symbol", json!({"query": "bu"})),
            // Bad params, a document that is not open, a string id.
            (json!(40), "textDocument/hover", json!({"bogus": 1})),
            (json!(41), "textDocument/documentSymbol", Value::Null),
            (
                json!(42),
                "textDocument/hover",
                json!({"textDocument": {"uri": "file:///w/Other"}, "position": {"line": 0, "character": 0}}),
            ),
            (json!("s-1"), "textDocument/definition", pos(11, 13)),
            // `"params": null` (the others without params leave the field out).
            (json!(43), "textDocument/hover", json!("null")),
        ]
    }

    /// The messages the server writes for a session in which a client sends `first`, waits for
    /// the answer to `initialize` (id 2), and sends `rest`; through `serve_stdio`'s writer, with
    /// or without an output for the backend.
    async fn session(direct: bool, first: &[Value], rest: &[Value]) -> Vec<(Value, String)> {
        let (mut client_in, server_in) = tokio::io::duplex(1 << 16);
        let (client_out, server_out) = tokio::io::duplex(1 << 16);
        let (out, writer) = output::start(server_out);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Value, String)>();
        tokio::spawn(async move {
            let mut client_out = client_out;
            let mut all = Vec::new();
            let mut chunk = vec![0u8; 1 << 16];
            loop {
                while let Some(at) = all.windows(4).position(|w: &[u8]| w == b"\r\n\r\n") {
                    let header = std::str::from_utf8(&all[..at]).unwrap();
                    let len: usize = header["Content-Length: ".len()..].parse().unwrap();
                    if all.len() < at + 4 + len {
                        break;
                    }
                    let body: Vec<u8> = all.drain(..at + 4 + len).skip(at + 4).collect();
                    let raw = String::from_utf8(body).unwrap();
                    tx.send((serde_json::from_str(&raw).unwrap(), raw)).unwrap();
                }
                match client_out.read(&mut chunk).await.unwrap() {
                    0 => return,
                    n => all.extend_from_slice(&chunk[..n]),
                }
            }
        });
        let Service {
            service, socket, ..
        } = service_with(direct.then(|| out.clone()));
        let server = tokio::spawn(Server::new(server_in, writer, socket).serve(service));
        let send = |messages: &[Value]| {
            let mut bytes = Vec::new();
            for m in messages {
                bytes.extend(output::frame(m.to_string().as_bytes()));
            }
            bytes
        };
        client_in.write_all(&send(first)).await.unwrap();
        let mut got = Vec::new();
        while let Some(m) = rx.recv().await {
            let initialized = m.0["id"] == json!(2);
            got.push(m);
            if initialized {
                break;
            }
        }
        client_in.write_all(&send(rest)).await.unwrap();
        drop(client_in);
        server.await.unwrap();
        out.drained(Duration::from_secs(5)).await;
        drop(out);
        while let Some(m) = rx.recv().await {
            got.push(m);
        }
        got
    }

    fn script(
        requests: &[(Value, &'static str, Value)],
        capabilities: &Value,
    ) -> (Vec<Value>, Vec<Value>) {
        let call = |id: &Value, method: &str, params: &Value| {
            let mut m = json!({"jsonrpc": "2.0", "id": id, "method": method});
            if params == &json!("null") {
                m["params"] = Value::Null;
            } else if !params.is_null() {
                m["params"] = params.clone();
            }
            m
        };
        let first = vec![
            // Before `initialize`: tower-lsp-server's "not initialized" error on both paths.
            call(&json!(1), "textDocument/hover", &pos(0, 0)),
            call(
                &json!(2),
                "initialize",
                &json!({ "capabilities": capabilities }),
            ),
        ];
        let mut out = vec![
            json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": URI, "languageId": "dockerfile", "version": 1, "text": TEXT}}}),
        ];
        out.extend(requests.iter().map(|(id, m, p)| call(id, m, p)));
        out.push(call(&json!(90), "shutdown", &Value::Null));
        // After `shutdown`: "invalid request" on both paths.
        out.push(call(&json!(91), "textDocument/hover", &pos(0, 0)));
        (first, out)
    }

    /// The responses by id, and the text of the answer to `definition`.
    fn responses(messages: Vec<(Value, String)>) -> (Vec<(String, Value)>, String) {
        let definition = messages
            .iter()
            .find(|(m, _)| m["id"] == json!(13))
            .map(|(_, raw)| raw.clone())
            .unwrap_or_default();
        let mut out: Vec<(String, Value)> = messages
            .into_iter()
            .filter(|(m, _)| m.get("method").is_none())
            .map(|(m, _)| (m["id"].to_string(), m))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        (out, definition)
    }

    /// A request answered straight from its handler's result gets exactly the answer
    /// tower-lsp-server gives it, for every method of `answers_directly`, for bad params and a
    /// document that is not open, and before `initialize` and after `shutdown`; for a client
    /// with the defaults (a flat outline, UTF-16) and one with a hierarchical outline and UTF-8.
    #[tokio::test]
    async fn direct_answers_equal_tower_lsp_servers() {
        let requests = requests();
        for (_, method, _) in &requests {
            assert!(server::answers_directly(method), "{method}");
        }
        let hierarchical = json!({
            "general": {"positionEncodings": ["utf-8"]},
            "textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": true}},
        });
        for capabilities in [json!({}), hierarchical] {
            let (first, rest) = script(&requests, &capabilities);
            let (direct, direct_text) = responses(session(true, &first, &rest).await);
            let (tower, tower_text) = responses(session(false, &first, &rest).await);
            // The direct answer was serialised from the handler's `Location` (`uri` first), not
            // through a `serde_json::Value` (keys sorted).
            assert!(direct_text.contains(r#"[{"uri":"#), "{direct_text}");
            assert!(tower_text.contains(r#"[{"range":"#), "{tower_text}");
            // The requests, and `initialize`, `shutdown` and the two outside the session.
            assert_eq!(direct.len(), requests.len() + 4, "{direct:#?}");
            for ((id, d), (_, t)) in direct.iter().zip(&tower) {
                assert_eq!(d, t, "request {id} with {capabilities}");
            }
            assert_eq!(direct.len(), tower.len());
            // The answers are real ones, not errors: the bad params, the not-open document and
            // the two requests outside the session aside.
            let errors: Vec<&str> = direct
                .iter()
                .filter(|(_, m)| m.get("error").is_some())
                .map(|(id, _)| id.as_str())
                .collect();
            assert_eq!(errors, ["1", "40", "41", "43", "91"]);
            let symbols = &direct.iter().find(|(id, _)| id == "16").unwrap().1["result"];
            let names = |symbols: &Value| -> Vec<String> {
                symbols
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|s| Some(s["name"].as_str()?.to_string()))
                    .collect()
            };
            let top = names(symbols);
            if capabilities == json!({}) {
                assert!(top.contains(&"build".into()) && top.len() > 10, "{top:?}");
            } else {
                // Stages holding their instructions, the `MAINTAINER` tagged deprecated.
                assert_eq!(top, ["base", "build", "2"]);
                assert_eq!(names(&symbols[2]["children"])[2], "MAINTAINER");
                assert_eq!(symbols[2]["children"][2]["tags"], json!([1]));
            }
        }
    }

    /// A request is turned into the answer notification only between a successful `initialize`
    /// and `shutdown`, and only with an output.
    #[test]
    fn requests_are_answered_directly_only_while_initialized() {
        let req = Request::build("textDocument/hover")
            .id(7)
            .params(pos(0, 0))
            .finish();
        let answer = answer_request(req);
        assert_eq!(answer.method(), server::ANSWER_METHOD);
        assert_eq!(answer.id(), None);
        assert_eq!(
            answer.params().unwrap(),
            &json!({"id": 7, "method": "textDocument/hover", "params": pos(0, 0)})
        );
        assert!(!server::answers_directly("initialize"));
        assert!(!server::answers_directly("workspace/executeCommand"));
    }
}
