//! The command line of the real binary: `--version`, `check` output and exit codes.

mod support;

use std::path::PathBuf;

use support::run;

/// A file under Cargo's per-test temporary directory.
fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

#[test]
fn version_prints_the_package_version() {
    let out = run(&["--version"], b"");
    assert_eq!(out.code, Some(0));
    assert_eq!(
        out.stdout.trim(),
        format!("dockerfile-ls {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn check_reports_a_duplicate_stage_and_exits_1() {
    let path = temp_file(
        "dup.Dockerfile",
        b"FROM golang AS build\nFROM alpine AS build\n",
    );
    let out = run(&["check", path.to_str().unwrap()], b"");
    assert_eq!(
        out.code,
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    let header = format!("{}:2:16: error[DuplicateStageName]:", path.display());
    assert!(out.stdout.contains(&header), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("FROM alpine AS build\n                   ^^^^^"),
        "{}",
        out.stdout
    );
}

#[test]
fn check_reads_stdin_and_exits_0_when_clean() {
    let out = run(&["check", "-"], b"FROM alpine AS base\nFROM base\n");
    assert_eq!(
        out.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn check_on_a_missing_file_exits_2() {
    let out = run(&["check", "/definitely/not/here/Dockerfile"], b"");
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains("cannot read `/definitely/not/here/Dockerfile`"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn check_on_invalid_utf8_exits_2_and_names_the_offset() {
    let path = temp_file("latin1.Dockerfile", b"FROM alpine\nLABEL x=\xe9\n");
    let out = run(&["check", path.to_str().unwrap()], b"");
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains("is not valid UTF-8 (invalid byte at offset 20)"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_without_files_is_a_usage_error() {
    let out = run(&["check"], b"");
    assert_eq!(out.code, Some(2));
}

#[test]
fn hidden_debug_instructions_prints_json() {
    let path = temp_file("debug.Dockerfile", b"FROM alpine\nRUN true\n");
    let out = run(&["debug-instructions", path.to_str().unwrap()], b"");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["files"][0]["instructions"][1]["keyword"], "RUN", "{v}");
    let help = run(&["--help"], b"");
    assert!(
        !help.stdout.contains("debug-instructions"),
        "{}",
        help.stdout
    );
}
