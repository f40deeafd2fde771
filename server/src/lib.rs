//! dockerfile-ls: a Dockerfile language server.
pub mod analysis;
pub mod cli;
pub mod lsp;
