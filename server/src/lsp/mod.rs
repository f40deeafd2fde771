//! The protocol layer: tower-lsp-server glue around the pure analysis core.
//!
//! `server` holds the handlers, `convert` every position and shape conversion, `capabilities`
//! what is advertised, `config` the user settings, `transport` the stdin guard, `output` the
//! stdout writer, `panic_guard`
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

use tower_lsp_server::jsonrpc::Request;
use tower_lsp_server::{ClientSocket, LspService, Server};

pub use server::Backend;

/// The custom request for the stage graph (see docs/stage-graph.md).
pub const STAGE_GRAPH_METHOD: &str = "dockerfile-ls/stageGraph";

/// Passes every message on to the server, and
/// - keeps a copy of the raw `capabilities` of `initialize`: `ls_types` drops fields it does not
///   model (LSP 3.18's `textDocument.codeLens.resolveSupport`), and the server needs them;
/// - sets the stop signal on `exit`, which tower-lsp-server handles without telling the server:
///   a handler still waiting for the client must give up, or the process waits for it.
pub struct Intercept<S> {
    inner: S,
    slot: Arc<OnceLock<serde_json::Value>>,
    stop: Arc<tokio::sync::watch::Sender<bool>>,
}

impl<S: tower_service::Service<Request>> tower_service::Service<Request> for Intercept<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if req.method() == "exit" {
            self.stop.send_replace(true);
        }
        if req.method() == "initialize" {
            if let Some(caps) = req.params().and_then(|p| p.get("capabilities")) {
                // A second `initialize` is refused by the server; keep the first copy.
                let _ = self.slot.set(caps.clone());
            }
        }
        self.inner.call(req)
    }
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
    let (output, writer) = output::start(tokio::io::stdout());
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
        transport::guard(tokio::io::stdin(), guarded_in).await;
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
