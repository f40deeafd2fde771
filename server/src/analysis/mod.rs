//! Pure analysis.
pub mod syntax;
