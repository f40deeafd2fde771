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
    assert_eq!(out.stdout, "no problems in 1 file\n");
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
fn check_without_paths_searches_the_current_directory() {
    // An empty folder: nothing to check is a usage error.
    let dir = temp_tree("empty", &[("README", "no Dockerfile here\n")]);
    let out = support::run_in(Some(&dir), &["check"], b"");
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("no Dockerfiles found"),
        "{}",
        out.stderr
    );
}

/// A fresh folder under Cargo's per-test temporary directory with `files` in it.
fn temp_tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-tree-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    root
}

#[test]
fn check_finds_dockerfiles_under_directories_and_skips_vendored_ones() {
    let root = temp_tree(
        "find",
        &[
            ("a/Dockerfile", "FROM alpine\n"),
            ("a/node_modules/x/Dockerfile", "FROM alpine\n"),
            (".git/Dockerfile", "FROM alpine\n"),
            ("target/Dockerfile", "FROM alpine\n"),
            ("b/api.dockerfile", "FROM alpine\n"),
            ("b/web.Dockerfile", "FROM alpine\n"),
            ("b/Containerfile.arm64", "FROM alpine\n"),
            ("b/Dockerfile.dev", "FROM alpine\n"),
            ("b/README.md", "FROM alpine\n"),
        ],
    );
    let out = run(&["check", "--format", "json", root.to_str().unwrap()], b"");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = PathBuf::from(f["path"].as_str().unwrap());
            p.strip_prefix(&root).unwrap().display().to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "a/Dockerfile",
            "b/Containerfile.arm64",
            "b/Dockerfile.dev",
            "b/api.dockerfile",
            "b/web.Dockerfile"
        ]
    );
    let out = run(&["check", root.to_str().unwrap()], b"");
    assert_eq!(out.stdout, "no problems in 5 files\n");
}

#[test]
fn fail_level_rules_and_ignores_decide_the_exit_code() {
    let root = temp_tree("levels", &[("Dockerfile", "FROM alpine\nRUN ['a']\n")]);
    let path = root.join("Dockerfile");
    let path = path.to_str().unwrap();
    let code = |args: &[&str]| {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.push(path);
        run(&all, b"").code
    };
    assert_eq!(
        code(&[]),
        Some(0),
        "a warning is below the default fail level"
    );
    assert_eq!(code(&["--fail-level", "warning"]), Some(1));
    assert_eq!(
        code(&["--fail-level", "warning", "--ignore", "JSONInSingleQuotes"]),
        Some(0)
    );
    assert_eq!(code(&["--rule", "jsoninsinglequotes=error"]), Some(1));
    assert_eq!(code(&["--rule", "NoSuchRule=off"]), Some(2));
    assert_eq!(code(&["--fail-level", "loud"]), Some(2));
    let out = run(&["check", path], b"");
    assert!(
        out.stdout.ends_with("1 warning in 1 file\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn github_and_checkstyle_formats() {
    let out = run(
        &["check", "--format", "github", "-"],
        b"FROM alpine\nEXPOSE 80/http\n",
    );
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.stdout,
        "::error file=<stdin>,line=2,col=8,endLine=2,endColumn=15,title=InvalidExposePort::invalid port `80/http`: unknown protocol `http`, expected `tcp`, `udp` or `sctp`\n"
    );
    let out = run(&["check", "--format", "checkstyle", "-"], b"FROM alpine\n");
    assert_eq!(out.code, Some(0));
    assert_eq!(
        out.stdout,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n  <file name=\"&lt;stdin&gt;\">\n  </file>\n</checkstyle>\n"
    );
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

const GRAPH_FILE: &[u8] = b"FROM golang:1.22 AS build\nFROM alpine AS docs\nFROM scratch AS final\nCOPY --from=build /app /app\n";

#[test]
fn graph_prints_text_json_mermaid_dot_and_svg() {
    let path = temp_file("graph.Dockerfile", GRAPH_FILE);
    let file = path.to_str().unwrap();
    let text = run(&["graph", file, "--ascii"], b"");
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert_eq!(
        text.stdout,
        "final - stage 2 - FROM scratch - line 3 - target\n`-- copy: build - stage 0 - FROM golang:1.22 - line 1\n\nnot built for target 'final':\ndocs - stage 1 - FROM alpine - line 2\n"
    );
    let json = run(
        &["graph", file, "--format", "json", "--target", "docs"],
        b"",
    );
    assert_eq!(json.code, Some(0), "{}", json.stderr);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON on stdout");
    assert_eq!(v["target"], "stage:1");
    assert_eq!(
        v["reachable"],
        serde_json::json!(["stage:1", "image:alpine"])
    );
    let mermaid = run(&["graph", file, "--format", "mermaid"], b"");
    assert!(
        mermaid.stdout.starts_with("flowchart TB\n"),
        "{}",
        mermaid.stdout
    );
    let dot = run(&["graph", file, "--format", "dot"], b"");
    assert!(
        dot.stdout.starts_with("digraph stages {\n"),
        "{}",
        dot.stdout
    );
    let svg = run(&["graph", "-", "--format", "svg"], GRAPH_FILE);
    assert_eq!(svg.code, Some(0), "{}", svg.stderr);
    assert!(svg.stdout.starts_with("<svg"), "{}", svg.stdout);
}

#[test]
fn graph_with_an_unknown_target_exits_2_and_lists_the_stages() {
    let out = run(&["graph", "-", "--target", "prod"], GRAPH_FILE);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr
            .contains("target stage `prod` could not be found (stages: `build`, `docs`, `final`)"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
    let missing = run(&["graph", "/definitely/not/here/Dockerfile"], b"");
    assert_eq!(missing.code, Some(2));
}

#[test]
fn graph_reports_a_cycle_and_a_bad_target_comment_on_stderr() {
    let out = run(
        &["graph", "-", "--ascii"],
        b"# dockerfile-ls: target=nope\nFROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\nCOPY --from=a /x /x\n",
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("<stdin>:1: warning: target stage `nope` could not be found"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("circular dependency between stages `a`, `b`"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("(cycle)"), "{}", out.stdout);
}

/// The DOT output is valid input for Graphviz; skipped (saying so) when `dot` is not installed
/// (`.ci/run` installs it).
#[test]
fn graph_dot_is_accepted_by_graphviz() {
    let probe = std::process::Command::new("dot").arg("-V").output();
    if probe.is_err() {
        eprintln!("skipping: Graphviz `dot` is not installed");
        return;
    }
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/Dockerfile");
    let hostile = temp_file(
        "hostile.Dockerfile",
        b"FROM \"a\\\"b\" AS x\nFROM x AS y\nCOPY --from=q\"z /a /a\nCOPY --from=x /b /b\n",
    );
    for file in [example, hostile.to_str().unwrap()] {
        let out = run(&["graph", file, "--format", "dot"], b"");
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn dot");
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(out.stdout.as_bytes())
            .unwrap();
        let result = child.wait_with_output().expect("dot runs");
        assert!(
            result.status.success(),
            "dot rejected:\n{}\n{}",
            out.stdout,
            String::from_utf8_lossy(&result.stderr)
        );
    }
}

/// `dockerfile-ls check | head`: when the reader goes away, the rest of the report is dropped
/// quietly (no panic, no error message) and the exit code still tells the result.
#[cfg(unix)]
#[test]
fn check_into_a_closed_pipe_exits_quietly() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let text = "FROM scratch\n".to_string() + &"COPY --from=0 / /\n".repeat(20_000);
    let path = temp_file("pipe.Dockerfile", text.as_bytes());
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
        .args(["check", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 64];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("read");
    // stdout is closed here: the rest of the report (megabytes) has no reader.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(1), "stderr:\n{stderr}");
    assert_eq!(stderr, "");
}
