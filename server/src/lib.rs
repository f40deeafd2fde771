//! dockerfile-ls: a Dockerfile language server.
pub mod analysis;
pub mod cli;
#[doc(hidden)]
pub mod fuzz;
pub mod hadolint_config;
pub mod lsp;
