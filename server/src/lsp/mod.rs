//! The protocol layer: tower-lsp-server glue around the pure analysis core.
//!
//! `server` holds the handlers, `convert` every position and shape conversion, `capabilities`
//! what is advertised, `config` the user settings, `transport` the stdin guard, `panic_guard`
//! the service wrapper that turns a panicking handler into an error response, `parent` the
//! watch on the client process, `workspace` the rule for which files the server may read.
//!
//! Invariant: only this module (and only `convert` for positions) names LSP types.

pub mod capabilities;
pub mod config;
pub mod convert;
pub mod panic_guard;
pub mod parent;
mod server;
pub mod transport;
pub mod workspace;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tower_lsp_server::{ClientSocket, LspService, Server};

pub use server::Backend;

/// The language server as a tower service, exactly as `serve_stdio` runs it (the fuzz target
/// drives this in-process).
pub struct Service {
    pub service: panic_guard::CatchPanic<LspService<Backend>>,
    pub socket: ClientSocket,
    /// Set once the client sent `shutdown`.
    pub shutdown: Arc<AtomicBool>,
    /// The client's `processId` from `initialize`, once known.
    pub parent: Arc<OnceLock<u32>>,
}

pub fn service() -> Service {
    let shutdown = Arc::new(AtomicBool::new(false));
    let parent = Arc::new(OnceLock::new());
    let builder = LspService::build(|client| {
        Backend::new(client, Arc::clone(&shutdown), Arc::clone(&parent))
    })
    .custom_method(transport::INVALID_MESSAGE_METHOD, Backend::invalid_message);
    #[cfg(all(debug_assertions, not(fuzzing)))]
    let builder = builder
        .custom_method(server::DEBUG_PANIC_METHOD, Backend::debug_panic)
        .custom_method(server::DEBUG_TEXT_HASH_METHOD, Backend::debug_text_hash);
    let (service, socket) = builder.finish();
    Service {
        service: panic_guard::CatchPanic::new(service),
        socket,
        shutdown,
        parent,
    }
}

/// Serves LSP on stdin/stdout until `exit`, the end of stdin, or the death of the client
/// process (`processId` from `initialize`, or `client_process_id` from the command line).
/// Returns whether the client sent `shutdown` first; LSP: "The server should exit with success
/// code 0 if the shutdown request has been received before; otherwise with error code 1."
pub async fn serve_stdio(client_process_id: Option<u32>) -> bool {
    let Service {
        service,
        socket,
        shutdown,
        parent,
    } = service();
    if let Some(pid) = client_process_id {
        let _ = parent.set(pid);
    }
    let (guarded_in, server_in) = tokio::io::duplex(64 * 1024);
    let guard = tokio::spawn(transport::guard(tokio::io::stdin(), guarded_in));
    let watch = tokio::spawn(parent::watch(parent, Arc::clone(&shutdown)));
    Server::new(server_in, tokio::io::stdout(), socket)
        .serve(service)
        .await;
    guard.abort();
    watch.abort();
    shutdown.load(Ordering::SeqCst)
}
