//! The protocol layer: tower-lsp-server glue around the pure analysis core.
//!
//! `server` holds the handlers, `convert` every position and shape conversion, `capabilities`
//! what is advertised, `config` the user settings, `transport` the stdin guard.
//!
//! Invariant: only this module (and only `convert` for positions) names LSP types.

pub mod capabilities;
pub mod config;
pub mod convert;
mod server;
pub mod transport;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tower_lsp_server::{LspService, Server};

pub use server::Backend;

/// Serves LSP on stdin/stdout until `exit` or the end of stdin. Returns whether the client sent
/// `shutdown` first; LSP: "The server should exit with success code 0 if the shutdown request
/// has been received before; otherwise with error code 1."
pub async fn serve_stdio() -> bool {
    let shutdown = Arc::new(AtomicBool::new(false));
    // Set when the client can no longer answer requests (stdin ended, or `shutdown`), so that a
    // handler waiting for an answer (`workspace/configuration`) gives up and the server can stop.
    let stopping = Arc::new(tokio::sync::watch::Sender::new(false));
    let (service, socket) = LspService::build(|client| {
        Backend::new(client, Arc::clone(&shutdown), Arc::clone(&stopping))
    })
    .custom_method(transport::INVALID_MESSAGE_METHOD, Backend::invalid_message)
    .finish();
    let (guarded_in, server_in) = tokio::io::duplex(64 * 1024);
    let stdin_ended = Arc::clone(&stopping);
    let guard = tokio::spawn(async move {
        transport::guard(tokio::io::stdin(), guarded_in).await;
        stdin_ended.send_replace(true);
    });
    Server::new(server_in, tokio::io::stdout(), socket)
        .serve(service)
        .await;
    guard.abort();
    shutdown.load(Ordering::SeqCst)
}
