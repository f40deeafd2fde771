//! Snapshot tests of the stage graph and its renderers.
