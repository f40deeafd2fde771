//! End-to-end tests for hover, semantic tokens (full, delta, range), document links, inlay
//! hints and signature help over stdio with the real binary, with UTF-16 columns after emoji.

mod support;

use serde_json::{json, Value};
use support::{uri, Server};

/// Semantic tokens as `(line, UTF-16 column, length, type name)`, decoded from the relative form.
fn decode(data: &Value, legend: &Value) -> Vec<(u64, u64, u64, String)> {
    let ints: Vec<u64> = data
        .as_array()
        .expect("data")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let types = legend["tokenTypes"].as_array().unwrap();
    let (mut line, mut col) = (0, 0);
    ints.chunks(5)
        .map(|t| {
            if t[0] > 0 {
                line += t[0];
                col = t[1];
            } else {
                col += t[1];
            }
            let ty = types[usize::try_from(t[3]).unwrap()].as_str().unwrap();
            (line, col, t[2], ty.to_string())
        })
        .collect()
}

fn tokens_capabilities() -> Value {
    let mut caps = support::default_capabilities();
    caps["textDocument"]["hover"] = json!({"contentFormat": ["markdown", "plaintext"]});
    caps["textDocument"]["semanticTokens"] = json!({
        "requests": {"full": {"delta": true}, "range": true},
        "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]
    });
    caps
}

const TEXT: &str = "ARG V=1.22\nFROM golang:$V AS build\nLABEL note=\"😀\" stage=build\nFROM alpine\nCOPY --from=build /out /app\n";

#[test]
fn semantic_tokens_full_delta_and_range_with_utf16_columns() {
    let mut s = Server::start_with(tokens_capabilities());
    let legend = s.initialize_result["capabilities"]["semanticTokensProvider"]["legend"].clone();
    let u = uri("tokens/Dockerfile");
    s.open(&u, 1, TEXT);
    let full = s.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": u}}),
    );
    let tokens = decode(&full["data"], &legend);
    // `stage` after `"😀" ` starts at UTF-16 column 16 (the emoji is two code units).
    assert!(
        tokens.contains(&(2, 16, 5, "property".to_string())),
        "{tokens:?}"
    );
    assert!(tokens.contains(&(1, 12, 2, "variable".to_string())));
    assert!(tokens.contains(&(1, 18, 5, "class".to_string())));
    assert!(tokens.contains(&(4, 12, 5, "class".to_string())));
    let id = full["resultId"].as_str().expect("resultId").to_string();

    // Rename the stage on line 1 (`build` -> `b`): the delta replaces the middle only.
    s.change(&u, 2, [1, 18, 1, 23], "b");
    let delta = s.result(
        "textDocument/semanticTokens/full/delta",
        json!({"textDocument": {"uri": u}, "previousResultId": id}),
    );
    let edits = delta["edits"].as_array().expect("a delta, not full tokens");
    assert_eq!(edits.len(), 1);
    let start = edits[0]["start"].as_u64().unwrap();
    assert!(start > 0 && start.is_multiple_of(5), "{delta}");
    // Applying the edit gives the same as a fresh full request.
    let mut old: Vec<Value> = full["data"].as_array().unwrap().clone();
    let del = usize::try_from(edits[0]["deleteCount"].as_u64().unwrap()).unwrap();
    let at = usize::try_from(start).unwrap();
    let ins = edits[0]["data"].as_array().cloned().unwrap_or_default();
    old.splice(at..at + del, ins);
    let fresh = s.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(Value::Array(old), fresh["data"]);

    // An unknown previous result gets full tokens.
    let again = s.result(
        "textDocument/semanticTokens/full/delta",
        json!({"textDocument": {"uri": u}, "previousResultId": "nope"}),
    );
    assert!(again["data"].is_array(), "{again}");

    // A range gives the tokens of those lines only.
    let ranged = s.result(
        "textDocument/semanticTokens/range",
        json!({"textDocument": {"uri": u},
               "range": {"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}}}),
    );
    let lines: Vec<u64> = decode(&ranged["data"], &legend)
        .iter()
        .map(|t| t.0)
        .collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|&l| l == 2),
        "{lines:?}"
    );

    // An unknown document: null, not an error.
    let none = s.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri("tokens/missing")}}),
    );
    assert!(none.is_null());
}

#[test]
fn hover_after_an_emoji_and_plain_text_without_markdown() {
    let mut s = Server::start_with(tokens_capabilities());
    let u = uri("hover/Dockerfile");
    let text = "FROM alpine AS base\nRUN echo \"😀\" $HOME\nFROM base\nCOPY --from=base / /\n";
    s.open(&u, 1, text);
    // `$HOME` starts at UTF-16 column 14 on line 1 (the emoji counts 2).
    let h = s.result("textDocument/hover", Server::at(&u, 1, 15));
    assert_eq!(h["contents"]["kind"], "markdown");
    assert!(h["contents"]["value"].as_str().unwrap().contains("`HOME`"));
    assert_eq!(
        h["range"],
        json!({"start": {"line": 1, "character": 14}, "end": {"line": 1, "character": 19}})
    );
    let h = s.result("textDocument/hover", Server::at(&u, 3, 13));
    let v = h["contents"]["value"].as_str().unwrap();
    assert!(v.contains("stage `base`") && v.contains("used by"), "{v}");
    // Past the end: clamped, no error.
    let h = s.result("textDocument/hover", Server::at(&u, 99, 99));
    assert!(h.is_null());

    let mut plain = Server::start();
    plain.open(&u, 1, text);
    let h = plain.result("textDocument/hover", Server::at(&u, 0, 1));
    assert_eq!(h["contents"]["kind"], "plaintext");
    assert!(!h["contents"]["value"].as_str().unwrap().contains("**"));
}

#[test]
fn links_inlay_hints_and_signature_help() {
    let mut s = Server::start();
    let u = uri("misc/Dockerfile");
    let text = "ARG GO=1.22\nFROM golang:${GO}\nFROM scratch\nCOPY --from=0 a \n";
    s.open(&u, 1, text);
    let links = s.result(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(
        links,
        json!([{
            "range": {"start": {"line": 1, "character": 5}, "end": {"line": 1, "character": 17}},
            "target": "https://hub.docker.com/_/golang",
            "tooltip": "open `docker.io/library/golang` on the registry's website"
        }])
    );
    let all = json!({"textDocument": {"uri": u},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}});
    let hints = s.result("textDocument/inlayHint", all.clone());
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["= 1.22", "stage 0", "stage 1"]);
    assert_eq!(hints[0]["position"], json!({"line": 1, "character": 17}));
    let help = s.result("textDocument/signatureHelp", Server::at(&u, 3, 16));
    let sig = &help["signatures"][0];
    let label = sig["label"].as_str().unwrap();
    let p = &sig["parameters"][help["activeParameter"].as_u64().unwrap() as usize]["label"];
    let (a, b) = (
        p[0].as_u64().unwrap() as usize,
        p[1].as_u64().unwrap() as usize,
    );
    assert_eq!(&label[a..b], "<dest>");

    // Settings turn each kind of hint off.
    let mut quiet = Server::spawn(&[]);
    quiet.result(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {},
               "initializationOptions": {"inlayHints": {"variableValues": false}}}),
    );
    quiet.notify("initialized", json!({}));
    quiet.open(&u, 1, text);
    let hints = quiet.result("textDocument/inlayHint", all);
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["stage 0", "stage 1"]);
}
