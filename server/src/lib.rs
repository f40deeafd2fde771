//! dockerfile-ls: a Dockerfile language server.
pub mod analysis;
pub mod cli;
pub mod hadolint_config;
pub mod lsp;
