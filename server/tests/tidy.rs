//! Tidy tests: architectural invariants checked over the source tree (as rust-analyzer does).

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The analysis core is pure: no LSP types, no async runtime, no JSON.
#[test]
fn analysis_does_not_know_the_protocol() {
    let mut files = Vec::new();
    rust_files(&src("src/analysis"), &mut files);
    assert!(!files.is_empty());
    for f in files {
        let text = fs::read_to_string(&f).expect("read");
        for banned in [
            "tower_lsp",
            "ls_types::",
            "lsp_types::",
            "tokio::",
            "serde_json::",
        ] {
            assert!(
                !text.contains(banned),
                "{} mentions `{banned}`",
                f.display()
            );
        }
    }
}

/// Only `lsp/convert.rs` deals in UTF-16.
#[test]
fn only_convert_knows_utf16() {
    let mut files = Vec::new();
    rust_files(&src("src"), &mut files);
    for f in files {
        if f.ends_with("lsp/convert.rs") {
            continue;
        }
        let text = fs::read_to_string(&f).expect("read");
        for banned in ["encode_utf16", "len_utf16", "utf16_cu"] {
            assert!(!text.contains(banned), "{} uses `{banned}`", f.display());
        }
    }
}

/// Every source file opens with a `//!` comment saying what it owns.
#[test]
fn every_file_has_a_module_comment() {
    let mut files = Vec::new();
    rust_files(&src("src"), &mut files);
    rust_files(&src("tests"), &mut files);
    for f in files {
        let text = fs::read_to_string(&f).expect("read");
        assert!(
            text.trim_start().starts_with("//!"),
            "{} has no `//!` module comment",
            f.display()
        );
    }
}

/// The part of a source file before its test module (tests may spawn processes and touch files);
/// nothing for a test module in its own file (`tests.rs`, or a file marked `#![cfg(test)]`).
fn non_test_code<'a>(path: &Path, text: &'a str) -> &'a str {
    if path.ends_with("tests.rs") || text.lines().any(|l| l.trim() == "#![cfg(test)]") {
        return "";
    }
    let end = ["#[cfg(test)]", "#[cfg(all(test"]
        .iter()
        .filter_map(|m| text.find(m))
        .min()
        .unwrap_or(text.len());
    &text[..end]
}

/// The server never runs commands and never opens network connections (docs/security.md).
#[test]
fn no_process_or_network_apis_outside_tests() {
    let mut files = Vec::new();
    rust_files(&src("src"), &mut files);
    for f in files {
        let text = fs::read_to_string(&f).expect("read");
        let code = non_test_code(&f, &text);
        // `lsp::stdio` adopts the stdin and stdout the server was given, which an editor may make
        // a socket pair: it may name the socket type, and must not open or accept anything.
        let stdio = f.ends_with("lsp/stdio.rs");
        if stdio {
            for banned in ["connect", "bind", "Listener", "accept", "std::net"] {
                assert!(
                    !code.contains(banned),
                    "{} uses `{banned}`: it only adopts stdin and stdout",
                    f.display()
                );
            }
        }
        for banned in [
            "Command::new",
            "process::Command",
            "tokio::process",
            "std::net",
            "tokio::net",
            "TcpStream",
            "TcpListener",
            "UdpSocket",
            "UnixStream",
            "reqwest",
            "hyper::",
            "ureq::",
        ] {
            if stdio && matches!(banned, "tokio::net" | "UnixStream") {
                continue;
            }
            assert!(
                !code.contains(banned),
                "{} uses `{banned}` outside tests",
                f.display()
            );
        }
    }
}

/// The server reads files only through `lsp::workspace` (docs/security.md): nothing else under
/// `src/lsp` or `src/analysis` touches the filesystem.
#[test]
fn lsp_reads_files_only_through_the_workspace_boundary() {
    let mut files = Vec::new();
    rust_files(&src("src/lsp"), &mut files);
    rust_files(&src("src/analysis"), &mut files);
    for f in files {
        if f.ends_with("lsp/workspace.rs") {
            continue;
        }
        let text = fs::read_to_string(&f).expect("read");
        let code = non_test_code(&f, &text);
        for banned in [
            "std::fs",
            "fs::read",
            "File::open",
            "OpenOptions",
            "read_dir",
            "canonicalize",
            ".is_file()",
            "hadolint_config::load",
            "hadolint_config::find_in",
        ] {
            assert!(
                !code.contains(banned),
                "{} uses `{banned}`: read workspace files through `lsp::workspace::Workspace::read`",
                f.display()
            );
        }
    }
}
