//! End-to-end tests of the stage graph over stdio: code lenses (eager and lazily resolved),
//! `workspace/executeCommand`, the `dockerfile-ls/stageGraph` request, the `target` setting and
//! `workspace/codeLens/refresh`.

mod support;

use serde_json::{json, Value};
use support::{uri, Server};

const DOCKERFILE: &str = "FROM golang:1.22 AS build
RUN go build -o /app
FROM alpine AS docs
FROM scratch AS final
COPY --from=build /app /app
";

/// `(line, title, command)` of every lens.
fn lens_titles(lenses: &Value) -> Vec<(u64, String, String)> {
    lenses
        .as_array()
        .expect("lens array")
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["command"]["title"].as_str().unwrap_or("").to_string(),
                l["command"]["command"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn expected_lenses() -> Vec<(u64, String, String)> {
    let refs = "dockerfile-ls.stageReferences".to_string();
    let graph = "dockerfile-ls.stageGraph".to_string();
    vec![
        (
            0,
            "stage 0 · base: golang:1.22 · used by: final".into(),
            refs.clone(),
        ),
        (2, "stage 1 · base: alpine".into(), refs.clone()),
        (2, "not built for target 'final'".into(), graph.clone()),
        (
            3,
            "stage 2 · base: scratch · copies from: build".into(),
            refs,
        ),
        (3, "target".into(), graph),
    ]
}

#[test]
fn code_lenses_come_resolved_without_resolve_support() {
    let mut s = Server::start();
    let u = uri("lens/Dockerfile");
    s.open(&u, 1, DOCKERFILE);
    let lenses = s.result("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    assert_eq!(lens_titles(&lenses), expected_lenses());
    assert_eq!(lenses[0]["command"]["arguments"], json!([u, 0]));
    assert_eq!(lenses[2]["command"]["arguments"], json!([u]));
    assert_eq!(
        lenses[0]["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 4}})
    );
}

#[test]
fn code_lenses_resolve_lazily_when_the_client_supports_it() {
    let mut caps = support::default_capabilities();
    caps["textDocument"]["codeLens"] = json!({"resolveSupport": {"properties": ["command"]}});
    let mut s = Server::start_with(caps);
    let u = uri("lazy/Dockerfile");
    s.open(&u, 1, DOCKERFILE);
    let lenses = s.result("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    let list = lenses.as_array().unwrap().clone();
    assert_eq!(list.len(), 5);
    assert!(list
        .iter()
        .all(|l| l.get("command").is_none() && l.get("data").is_some()));
    let resolved: Vec<Value> = list
        .into_iter()
        .map(|l| s.result("codeLens/resolve", l))
        .collect();
    assert_eq!(lens_titles(&Value::Array(resolved)), expected_lenses());

    // A lens whose stage is gone after an edit: ContentModified, not a wrong title.
    let mut stale = lenses[4].clone();
    stale["data"]["stage"] = json!(7);
    let response = s.request("codeLens/resolve", stale);
    assert_eq!(response["error"]["code"], -32801, "{response}");
    // A lens that did not come from us.
    let response = s.request(
        "codeLens/resolve",
        json!({"range": lenses[0]["range"], "data": {"what": 1}}),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
}

#[test]
fn stage_graph_request_returns_the_graph_and_renderings() {
    let mut s = Server::start();
    let u = uri("graph/Dockerfile");
    s.open(&u, 1, DOCKERFILE);
    let g = s.result(
        "dockerfile-ls/stageGraph",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(g["target"], "stage:2");
    assert_eq!(
        g["reachable"],
        json!(["stage:0", "stage:2", "image:golang:1.22", "image:scratch"])
    );
    assert_eq!(
        g["nodes"][1],
        json!({
            "id": "stage:1", "kind": "stage", "index": 1, "name": "docs", "base": "alpine",
            "line": 2, "reachable": false, "isTarget": false,
            "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 19}}
        })
    );
    assert_eq!(
        g["edges"][3],
        json!({
            "from": "stage:0", "to": "stage:2", "kind": "copy",
            "range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 27}}
        })
    );
    assert!(g.get("rendered").is_none());

    let svg = s.result(
        "dockerfile-ls/stageGraph",
        json!({"textDocument": {"uri": u}, "format": "svg", "target": "docs"}),
    );
    assert_eq!(svg["target"], "stage:1");
    let rendered = svg["rendered"].as_str().unwrap();
    assert!(rendered.starts_with("<svg"), "{rendered}");
    assert!(
        rendered.contains("data-line=\"3\" data-stage=\"final\""),
        "{rendered}"
    );

    let text = s.result(
        "dockerfile-ls/stageGraph",
        json!({"textDocument": {"uri": u}, "format": "text"}),
    );
    assert!(
        text["rendered"]
            .as_str()
            .unwrap()
            .starts_with("final · stage 2"),
        "{text}"
    );

    let bad = s.request(
        "dockerfile-ls/stageGraph",
        json!({"textDocument": {"uri": u}, "target": "prod"}),
    );
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    assert!(
        bad["error"]["message"].as_str().unwrap().contains("`prod`"),
        "{bad}"
    );
    let bad = s.request(
        "dockerfile-ls/stageGraph",
        json!({"textDocument": {"uri": u}, "format": "png"}),
    );
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let unknown = s.result(
        "dockerfile-ls/stageGraph",
        json!({"textDocument": {"uri": uri("nope/Dockerfile")}}),
    );
    assert_eq!(unknown, Value::Null);
}

#[test]
fn execute_command_returns_references_and_the_graph() {
    let mut s = Server::start();
    let u = uri("cmd/Dockerfile");
    s.open(&u, 1, DOCKERFILE);
    let refs = s.result(
        "workspace/executeCommand",
        json!({"command": "dockerfile-ls.stageReferences", "arguments": [u, 0]}),
    );
    assert_eq!(
        refs,
        json!([
            {"uri": u, "range": {"start": {"line": 0, "character": 20}, "end": {"line": 0, "character": 25}}},
            {"uri": u, "range": {"start": {"line": 4, "character": 12}, "end": {"line": 4, "character": 17}}}
        ])
    );
    let g = s.result(
        "workspace/executeCommand",
        json!({"command": "dockerfile-ls.stageGraph", "arguments": [u, "mermaid"]}),
    );
    assert_eq!(g["target"], "stage:2");
    assert!(
        g["rendered"].as_str().unwrap().starts_with("flowchart TB"),
        "{g}"
    );
    let g = s.result(
        "workspace/executeCommand",
        json!({"command": "dockerfile-ls.stageGraph", "arguments": [u]}),
    );
    assert!(g.get("rendered").is_none() && g["nodes"].is_array(), "{g}");
    for (params, what) in [
        (
            json!({"command": "dockerfile-ls.nope", "arguments": []}),
            "unknown command",
        ),
        (
            json!({"command": "dockerfile-ls.stageReferences", "arguments": [u]}),
            "missing index",
        ),
        (
            json!({"command": "dockerfile-ls.stageGraph", "arguments": [u, "gif"]}),
            "bad format",
        ),
    ] {
        let r = s.request("workspace/executeCommand", params);
        assert_eq!(r["error"]["code"], -32602, "{what}: {r}");
    }
}

#[test]
fn target_setting_refresh_and_code_lens_enable() {
    let mut caps = support::default_capabilities();
    caps["workspace"]["codeLens"] = json!({"refreshSupport": true});
    let mut s = Server::start_with_options(caps, json!({"target": "docs"}));
    let u = uri("setting/Dockerfile");
    s.open(&u, 1, DOCKERFILE);
    let unreachable = |diags: &[Value]| -> Vec<String> {
        diags
            .iter()
            .filter(|d| d["code"] == "UnreachableStage")
            .map(|d| {
                assert_eq!(d["severity"], 4);
                assert_eq!(d["tags"], json!([1]));
                d["message"].as_str().unwrap().to_string()
            })
            .collect()
    };
    let diags = s.diagnostics(&u, 1);
    assert_eq!(
        unreachable(&diags),
        [
            "stage `build` is not built for target `docs`",
            "stage `final` is not built for target `docs`"
        ]
    );

    // An edit that changes the graph asks the client to refresh its lenses.
    s.change(&u, 2, [2, 15, 2, 19], "site");
    s.wait_for("codeLens refresh after a graph change", |m| {
        m["method"] == "workspace/codeLens/refresh"
    });
    s.diagnostics(&u, 2);

    // A pushed setting republishes diagnostics and refreshes lenses.
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dockerfile-ls": {"target": null, "codeLens": {"enable": false}}}}),
    );
    let diags = s.diagnostics(&u, 2);
    assert_eq!(
        unreachable(&diags),
        ["stage `site` is not built for target `final`"]
    );
    s.wait_for("codeLens refresh after a settings change", |m| {
        m["method"] == "workspace/codeLens/refresh"
    });
    let lenses = s.result("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    assert_eq!(lenses, json!([]));
}
