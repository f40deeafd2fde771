//! End-to-end tests: the real `dockerfile-ls` binary driven over stdio by `support::Server`.
//!
//! Few and coarse on purpose: feature behaviour is tested in `src/analysis`; these check the
//! protocol layer (handshake, sync, position encodings, error responses, process lifecycle).

mod support;

use serde_json::{json, Value};
use support::{uri, Server};

const CURSOR: &str = "<|>";

/// Strips `<|>` markers; returns the text and each marker's LSP position, counting columns in
/// UTF-8 bytes or UTF-16 code units.
fn fixture(src: &str, utf8: bool) -> (String, Vec<(u32, u32)>) {
    let src = src.strip_prefix('\n').unwrap_or(src);
    let mut text = String::new();
    let mut marks = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    for (i, part) in src.split(CURSOR).enumerate() {
        if i > 0 {
            marks.push((line, col));
        }
        for c in part.chars() {
            if c == '\n' {
                line += 1;
                col = 0;
            } else {
                let width = if utf8 { c.len_utf8() } else { c.len_utf16() };
                col += u32::try_from(width).unwrap();
            }
        }
        text.push_str(part);
    }
    (text, marks)
}

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({
        "start": {"line": start.0, "character": start.1},
        "end": {"line": end.0, "character": end.1}
    })
}

fn utf8_capabilities() -> Value {
    let mut caps = support::default_capabilities();
    caps["general"] = json!({"positionEncodings": ["utf-16", "utf-8"]});
    caps
}

/// Applies LSP text edits to ASCII text (so columns are bytes), last edit first.
fn apply_ascii_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = usize::try_from(pos["line"].as_u64().unwrap()).unwrap();
        let col = usize::try_from(pos["character"].as_u64().unwrap()).unwrap();
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + col
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn initialize_advertises_capabilities_and_defaults_to_utf16() {
    let server = Server::start();
    let result = &server.initialize_result;
    assert_eq!(
        result["capabilities"],
        json!({
            "positionEncoding": "utf-16",
            "textDocumentSync": {"openClose": true, "change": 2},
            "definitionProvider": true,
            "referencesProvider": true,
            "documentHighlightProvider": true,
            "renameProvider": {"prepareProvider": true},
            "completionProvider": {"triggerCharacters": ["-", "=", ",", "$", "{", " "]},
            "hoverProvider": true,
            "semanticTokensProvider": {
                "legend": {
                    "tokenTypes": ["keyword", "parameter", "property", "enumMember", "class",
                        "namespace", "variable", "string", "comment", "operator", "macro",
                        "decorator"],
                    "tokenModifiers": ["declaration", "readonly", "defaultLibrary", "deprecated"]
                },
                "range": true,
                "full": {"delta": true}
            },
            "documentLinkProvider": {"resolveProvider": false},
            "inlayHintProvider": true,
            "signatureHelpProvider": {"triggerCharacters": [" "], "retriggerCharacters": [","]}
        })
    );
    assert_eq!(result["serverInfo"]["name"], "dockerfile-ls");
    assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn initialize_negotiates_utf8_when_offered() {
    let server = Server::start_with(utf8_capabilities());
    assert_eq!(
        server.initialize_result["capabilities"]["positionEncoding"],
        "utf-8"
    );
}

#[test]
fn diagnostics_are_published_with_the_document_version() {
    let mut s = Server::start();
    let u = uri("diag/Dockerfile");
    let (text, m) = fixture(
        r"
FROM golang AS <|>build<|>
FROM alpine AS <|>build<|>
",
        false,
    );
    s.open(&u, 1, &text);
    let diags = s.diagnostics(&u, 1);
    let dup = diags
        .iter()
        .find(|d| d["code"] == "DuplicateStageName")
        .unwrap_or_else(|| panic!("no DuplicateStageName in {diags:#?}"));
    assert_eq!(dup["source"], "dockerfile-ls");
    assert_eq!(dup["severity"], 1);
    assert_eq!(dup["range"], range(m[2], m[3]));

    // A change without a range replaces the whole text.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": u, "version": 2},
            "contentChanges": [{"text": "FROM golang AS build\nFROM alpine AS runtime\n"}]
        }),
    );
    let diags = s.diagnostics(&u, 2);
    assert!(
        diags.iter().all(|d| d["code"] != "DuplicateStageName"),
        "{diags:#?}"
    );
}

/// Opens a document with an emoji before a misspelled `--from=` name, fixes it with an
/// incremental edit, and goes to the definition; columns count in the negotiated encoding.
fn definition_after_incremental_edit(utf8: bool) {
    let caps = if utf8 {
        utf8_capabilities()
    } else {
        support::default_capabilities()
    };
    let mut s = Server::start_with(caps);
    let u = uri("def/Dockerfile");
    let (text, m) = fixture(
        r"
FROM golang:1.22 AS <|>build<|>
RUN echo 😀 > /out
COPY --chown=😀 --from=<|>bld<|> /out /out
",
        utf8,
    );
    s.open(&u, 1, &text);
    s.change(&u, 2, [m[2].0, m[2].1, m[3].0, m[3].1], "build");
    let result = s.result(
        "textDocument/definition",
        Server::at(&u, m[2].0, m[2].1 + 2),
    );
    assert_eq!(result, json!([{"uri": u, "range": range(m[0], m[1])}]));
    // The diagnostics of the edit come with its version.
    s.diagnostics(&u, 2);
}

#[test]
fn definition_after_incremental_edit_utf16() {
    definition_after_incremental_edit(false);
}

#[test]
fn definition_after_incremental_edit_utf8() {
    definition_after_incremental_edit(true);
}

#[test]
fn completion_after_from_flag_offers_stage_names() {
    let mut s = Server::start();
    let u = uri("completion/Dockerfile");
    let (text, m) = fixture(
        r"
FROM golang AS build
FROM alpine AS runtime
COPY --from=<|>
",
        false,
    );
    s.open(&u, 1, &text);
    let params = json!({
        "textDocument": {"uri": u},
        "position": {"line": m[0].0, "character": m[0].1},
        "context": {"triggerKind": 2, "triggerCharacter": "="}
    });
    let result = s.result("textDocument/completion", params);
    let items = match &result {
        Value::Array(items) => items.clone(),
        Value::Object(list) => list["items"].as_array().cloned().unwrap_or_default(),
        _ => Vec::new(),
    };
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"build"), "no `build` in {labels:?}");
    let build = items.iter().find(|i| i["label"] == "build").unwrap();
    assert_eq!(
        build["textEdit"]["range"]["start"],
        json!({"line": m[0].0, "character": m[0].1})
    );
}

#[test]
fn rename_stage_updates_every_use() {
    let mut s = Server::start();
    let u = uri("rename/Dockerfile");
    let (text, m) = fixture(
        r"
FROM golang AS <|>build<|>
FROM build AS test
FROM alpine
COPY --from=build /a /b
RUN --mount=type=cache,from=build,target=/x true
",
        false,
    );
    s.open(&u, 1, &text);

    let prepared = s.result(
        "textDocument/prepareRename",
        Server::at(&u, m[0].0, m[0].1 + 1),
    );
    assert_eq!(
        prepared,
        json!({"range": range(m[0], m[1]), "placeholder": "build"})
    );

    let mut params = Server::at(&u, m[0].0, m[0].1 + 1);
    params["newName"] = json!("builder");
    let edit = s.result("textDocument/rename", params);
    let edits = edit["changes"][u.as_str()]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        apply_ascii_edits(&text, &edits),
        "\
FROM golang AS builder
FROM builder AS test
FROM alpine
COPY --from=builder /a /b
RUN --mount=type=cache,from=builder,target=/x true
"
    );
}

#[test]
fn invalid_rename_is_an_error_response() {
    let mut s = Server::start();
    let u = uri("rename-invalid/Dockerfile");
    let (text, m) = fixture("FROM golang AS <|>build\nCOPY --from=build / /\n", false);
    s.open(&u, 1, &text);
    let mut params = Server::at(&u, m[0].0, m[0].1);
    params["newName"] = json!("1 bad name");
    let response = s.request("textDocument/rename", params);
    let err = &response["error"];
    assert_eq!(err["code"], -32602, "{response}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("not a valid stage name"),
        "{response}"
    );
}

#[test]
fn requests_for_unknown_documents_return_null() {
    let mut s = Server::start();
    let u = uri("never-opened/Dockerfile");
    for method in [
        "textDocument/definition",
        "textDocument/documentHighlight",
        "textDocument/prepareRename",
        "textDocument/completion",
    ] {
        assert_eq!(
            s.result(method, Server::at(&u, 0, 0)),
            Value::Null,
            "{method}"
        );
    }
    let mut params = Server::at(&u, 0, 0);
    params["context"] = json!({"includeDeclaration": true});
    assert_eq!(s.result("textDocument/references", params), Value::Null);
    let mut params = Server::at(&u, 0, 0);
    params["newName"] = json!("x");
    assert_eq!(s.result("textDocument/rename", params), Value::Null);
}

#[test]
fn positions_past_the_end_get_valid_responses() {
    let mut s = Server::start();
    let u = uri("past-end/Dockerfile");
    s.open(&u, 1, "FROM golang AS build\nCOPY --from=build / /😀");
    for (line, character) in [(0, 9999), (1, 9999), (99, 0), (u32::MAX, u32::MAX)] {
        for method in [
            "textDocument/definition",
            "textDocument/documentHighlight",
            "textDocument/prepareRename",
            "textDocument/completion",
        ] {
            // `result` fails the test on an error response.
            s.result(method, Server::at(&u, line, character));
        }
        let mut params = Server::at(&u, line, character);
        params["context"] = json!({"includeDeclaration": false});
        s.result("textDocument/references", params);
    }
    // An edit past the end appends.
    s.change(&u, 2, [50, 3, 60, 0], "\nRUN true");
    s.diagnostics(&u, 2);
}

#[test]
fn unknown_and_stale_changes_are_ignored() {
    let mut s = Server::start();
    let u = uri("stale/Dockerfile");
    let (text, m) = fixture(
        "FROM golang AS <|>build<|>\nCOPY --from=<|>build / /\n",
        false,
    );
    s.open(&u, 5, &text);
    s.diagnostics(&u, 5);

    s.change(&uri("other/Dockerfile"), 1, [0, 0, 0, 0], "garbage");
    s.change(&u, 5, [0, 0, 0, 0], "XXXXX ");
    s.change(&u, 3, [0, 0, 0, 0], "YYYYY ");

    let definition = json!([{"uri": u, "range": range(m[0], m[1])}]);
    let result = s.result("textDocument/definition", Server::at(&u, m[2].0, m[2].1));
    assert_eq!(result, definition);

    // A newer version still applies: a comment line above moves the definition down.
    s.change(&u, 6, [0, 0, 0, 0], "# hi\n");
    let result = s.result(
        "textDocument/definition",
        Server::at(&u, m[2].0 + 1, m[2].1),
    );
    let moved = range((m[0].0 + 1, m[0].1), (m[1].0 + 1, m[1].1));
    assert_eq!(result, json!([{"uri": u, "range": moved}]));
}

#[test]
fn exit_after_shutdown_with_stdin_open_exits_0() {
    let mut s = Server::start();
    let status = s.shutdown_and_exit();
    assert_eq!(status.code(), Some(0), "{}", s.stderr());
}

#[test]
fn exit_without_shutdown_exits_1() {
    let mut s = Server::start();
    s.notify("exit", Value::Null);
    let status = s.wait_exit();
    assert_eq!(status.code(), Some(1), "{}", s.stderr());
}

#[test]
fn closing_stdin_ends_the_process() {
    let mut s = Server::start();
    s.close_stdin();
    s.wait_exit();
}

#[test]
fn garbage_input_does_not_stop_the_server() {
    let mut s = Server::start();
    s.send_raw(b"this is not a header\r\n\r\n");
    s.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    s.send_raw(b"Content-Length: nope\r\n\r\n");
    let bad = br#"{"jsonrpc":"2.0","id":99,"method":7}"#;
    s.send_raw(format!("Content-Length: {}\r\n\r\n", bad.len()).as_bytes());
    s.send_raw(bad);
    let response = s.wait_for("error for id 99", |m| m["id"] == 99);
    assert_eq!(response["error"]["code"], -32600, "{response}");

    let u = uri("after-garbage/Dockerfile");
    s.open(&u, 1, "FROM alpine AS base\nFROM base\n");
    let result = s.result("textDocument/definition", Server::at(&u, 1, 6));
    assert_eq!(
        result,
        json!([{"uri": u, "range": range((0, 15), (0, 19))}])
    );
}

#[test]
fn rapid_incremental_edits_arrive_in_order() {
    let mut s = Server::start();
    let u = uri("typing/Dockerfile");
    s.open(&u, 1, "");
    // Type the file one character at a time without waiting: tower-lsp-server runs handlers
    // concurrently, so this fails if a change could overtake the one before it.
    let text = "FROM golang AS build\nCOPY --from=build / /\n";
    let (mut line, mut col, mut version) = (0u32, 0u32, 1);
    for c in text.chars() {
        version += 1;
        s.change(&u, version, [line, col, line, col], &c.to_string());
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    let result = s.result("textDocument/definition", Server::at(&u, 1, 13));
    assert_eq!(
        result,
        json!([{"uri": u, "range": range((0, 15), (0, 20))}])
    );
    s.diagnostics(&u, version);
}

#[test]
fn log_file_receives_the_log() {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("e2e-{}-server.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut s = Server::spawn(&["--stdio", "--log-file", path.to_str().unwrap()]);
    s.result("initialize", json!({"processId": null, "capabilities": {}}));
    s.notify("initialized", json!({}));
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
    let log = std::fs::read_to_string(&path).expect("log file");
    assert!(log.contains("client initialized"), "{log}");
    assert!(s.stderr().is_empty(), "{}", s.stderr());
}
