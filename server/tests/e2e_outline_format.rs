//! End-to-end tests for the outline, folding and formatting over stdio with the real binary:
//! that capabilities, client capabilities (`hierarchicalDocumentSymbolSupport`,
//! `lineFoldingOnly`, `rangeLimit`), settings and UTF-16 positions reach the analysis intact.

mod support;

use serde_json::{json, Value};
use support::{uri, Server};

fn caps(extra: Value) -> Value {
    let mut caps = support::default_capabilities();
    for (k, v) in extra.as_object().unwrap() {
        caps["textDocument"][k] = v.clone();
    }
    caps
}

const TEXT: &str = "# syntax=docker/dockerfile:1\nARG V=1\nFROM alpine AS é\nRUN apk add \\\n    curl\nFROM é\nmaintainer me\n";

#[test]
fn document_symbols_hierarchical() {
    let mut s = Server::start_with(caps(
        json!({"documentSymbol": {"hierarchicalDocumentSymbolSupport": true}}),
    ));
    let u = uri("Dockerfile");
    s.open(&u, 1, TEXT);
    let r = s.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let names: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    // The global `ARG` appears as its variable, over the whole instruction.
    assert_eq!(names, ["syntax", "V", "é", "1"]);
    assert_eq!(r[1]["kind"], 13); // Variable
    assert_eq!(r[1]["detail"], "ARG = 1");
    assert_eq!(
        r[1]["range"],
        json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 7}})
    );
    assert_eq!(
        r[1]["selectionRange"],
        json!({"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 5}})
    );
    let stage = &r[2];
    assert_eq!(stage["kind"], 2); // Module
    assert_eq!(stage["detail"], "alpine");
    // `é` is one UTF-16 unit: the name after `FROM alpine AS ` is 15..16.
    assert_eq!(
        stage["selectionRange"],
        json!({"start": {"line": 2, "character": 15}, "end": {"line": 2, "character": 16}})
    );
    // The stage stands for its `FROM`.
    assert_eq!(stage["children"][0]["name"], "RUN");
    assert_eq!(stage["children"].as_array().unwrap().len(), 1);
    assert_eq!(r[3]["children"][0]["tags"], json!([1]));
}

#[test]
fn document_symbols_flat_and_workspace_symbols() {
    let mut s = Server::start();
    let u = uri("Dockerfile");
    s.open(&u, 1, TEXT);
    let r = s.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let rows: Vec<(String, i64, Option<String>)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap().to_string(),
                x["kind"].as_i64().unwrap(),
                x["containerName"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(rows[0], ("syntax".into(), 7, None));
    assert!(rows.contains(&("RUN".into(), 12, Some("é".into()))));
    assert!(rows.contains(&("V".into(), 13, None)));
    assert!(rows.contains(&("é".into(), 2, None)));
    assert!(!rows
        .iter()
        .any(|(name, ..)| name == "FROM" || name == "ARG"));
    let w = s.result("workspace/symbol", json!({"query": "É"}));
    assert_eq!(w[0]["name"], "é");
    assert_eq!(w[0]["location"]["uri"], u);
}

#[test]
fn folding_with_line_folding_only_and_limit() {
    let mut s = Server::start_with(caps(
        json!({"foldingRange": {"lineFoldingOnly": true, "rangeLimit": 2}}),
    ));
    let u = uri("Dockerfile");
    s.open(&u, 1, TEXT);
    let r = s.result(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(
        r,
        json!([
            {"startLine": 2, "endLine": 4, "kind": "region"},
            {"startLine": 3, "endLine": 4}
        ])
    );
}

#[test]
fn formatting_range_and_on_type_with_settings() {
    let mut s = Server::spawn(&[]);
    let init = s.request(
        "initialize",
        json!({
            "capabilities": support::default_capabilities(),
            "initializationOptions": {"formatting": {"keywordCase": "lower"}}
        }),
    );
    assert!(init["result"]["capabilities"]["documentFormattingProvider"]
        .as_bool()
        .unwrap());
    s.notify("initialized", json!({}));
    let u = uri("Dockerfile");
    s.open(&u, 1, "FROM alpine  \nCOPY a \\\n  b /x\n");
    let opts = json!({"tabSize": 2, "insertSpaces": true});
    let edits = s.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": u}, "options": opts}),
    );
    assert_eq!(
        edits,
        json!([
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 4}}, "newText": "from"},
            {"range": {"start": {"line": 0, "character": 11}, "end": {"line": 0, "character": 13}}, "newText": ""},
            {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 4}}, "newText": "copy"}
        ])
    );
    let edits = s.result(
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": u}, "options": {"tabSize": 4, "insertSpaces": true},
               "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 1}}}),
    );
    assert_eq!(
        edits,
        json!([{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 2}}, "newText": "    "}])
    );
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dockerfile-ls": {"formatting": {"keywordCase": "upper"}}}}),
    );
    s.change(&u, 2, [2, 5, 2, 5], "\n");
    let edits = s.result(
        "textDocument/onTypeFormatting",
        json!({"textDocument": {"uri": u}, "position": {"line": 3, "character": 0}, "ch": "\n",
               "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    // The finished line is formatted (its continuation indentation); `x` has no run before it.
    assert_eq!(
        edits,
        json!([{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 2}}, "newText": "    "}])
    );
    let edits = s.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": u}, "options": {"tabSize": 4, "insertSpaces": false}}),
    );
    // Upper case again (the keywords are already upper): trailing blanks and a tab indent.
    let texts: Vec<&str> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["newText"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["", "\t"]);
}
