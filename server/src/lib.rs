//! dockerfile-ls: a Dockerfile language server.
pub mod analysis;
