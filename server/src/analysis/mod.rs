//! The pure analysis core: documents, syntax, the semantic model and editor features.
//!
//! Speaks UTF-8 byte offsets only. Must not know: the LSP crate, tokio, serde_json, UTF-16.

pub mod document;
pub mod features;
pub mod graph;
pub mod model;
pub mod syntax;

#[cfg(test)]
pub mod test_support;

pub use document::Document;
pub use syntax::Span;
