//! End-to-end tests of diagnostics settings, rule metadata and quick fixes over stdio: settings
//! from `initializationOptions`, `workspace/configuration` and `didChangeConfiguration`, the Node
//! peer's keys, `.hadolint.yaml` in a workspace folder, and code actions applied to the text.

mod support;

use serde_json::{json, Value};
use support::{apply_ascii_edits, default_capabilities, uri, Server};

/// Waits for a publish for `uri` whose diagnostics satisfy `pred`.
fn diags_where(server: &mut Server, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let msg = server.wait_for(&format!("matching diagnostics for {uri}"), |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| pred(d))
    });
    msg["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().filter_map(|d| d["code"].as_str()).collect()
}

const SINGLE_QUOTES: &str = "FROM alpine\nRUN ['nginx', '-g']\n";

#[test]
fn diagnostics_carry_code_link_and_data() {
    let mut server = Server::start();
    let u = uri("meta/Dockerfile");
    server.open(&u, 1, SINGLE_QUOTES);
    let diags = diags_where(&mut server, &u, |d| !d.is_empty());
    let d = &diags[0];
    assert_eq!(d["code"], "JSONInSingleQuotes");
    assert_eq!(d["source"], "dockerfile-ls");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules.md#jsoninsinglequotes"),
        "{d}"
    );
    assert_eq!(d["code"], "JSONInSingleQuotes");
    assert!(d.get("data").is_none(), "{d}");
    assert_eq!(
        server.initialize_result["capabilities"]["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
}

#[test]
fn quick_fixes_apply_and_the_diagnostic_goes_away() {
    let mut server = Server::start();
    let u = uri("fix/Dockerfile");
    server.open(&u, 1, SINGLE_QUOTES);
    diags_where(&mut server, &u, |d| codes(d) == ["JSONInSingleQuotes"]);
    let at = json!({"start": {"line": 1, "character": 5}, "end": {"line": 1, "character": 5}});
    let actions = server.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": at, "context": {"diagnostics": []}}),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Use double quotes",
            "Ignore `JSONInSingleQuotes` for this instruction",
            "Ignore `JSONInSingleQuotes` in this file"
        ]
    );
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[0]["diagnostics"][0]["code"], "JSONInSingleQuotes");
    assert!(actions[1].get("isPreferred").is_none());
    let mut version = 1;
    for (i, expected) in [
        "FROM alpine\nRUN [\"nginx\", \"-g\"]\n",
        "FROM alpine\n# check=skip=JSONInSingleQuotes\nRUN ['nginx', '-g']\n",
        "# check=skip=JSONInSingleQuotes\nFROM alpine\nRUN ['nginx', '-g']\n",
    ]
    .iter()
    .enumerate()
    {
        let edits = actions[i]["edit"]["changes"][&u].as_array().unwrap();
        let fixed = apply_ascii_edits(SINGLE_QUOTES, edits);
        assert_eq!(&fixed, expected);
        // Back to the original, then the fixed text: the diagnostic must go.
        version += 1;
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"text": fixed}]}),
        );
        assert_eq!(
            server.diagnostics(&u, version),
            Vec::<Value>::new(),
            "{expected}"
        );
        version += 1;
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"text": SINGLE_QUOTES}]}),
        );
        assert_eq!(
            codes(&server.diagnostics(&u, version)),
            ["JSONInSingleQuotes"]
        );
    }
    // Only quick fixes exist: asking for refactors gives nothing.
    let none = server.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": at, "context": {"diagnostics": [], "only": ["refactor"]}}),
    );
    assert_eq!(none, Value::Null);
}

#[test]
fn initialization_options_turn_a_rule_off() {
    let mut server = Server::start_full(
        default_capabilities(),
        json!({"diagnostics": {"rules": {"JSONInSingleQuotes": "off"}}}),
        Value::Null,
        json!({}),
    );
    let u = uri("init/Dockerfile");
    server.open(&u, 1, &format!("{SINGLE_QUOTES}EXPOSE 80/http\n"));
    let diags = server.diagnostics(&u, 1);
    assert_eq!(codes(&diags), ["InvalidExposePort"]);
}

#[test]
fn pulled_settings_apply_and_a_bad_value_keeps_the_old_one() {
    let mut server = Server::start_full(
        default_capabilities(),
        Value::Null,
        Value::Null,
        json!({"dockerfile-ls": {"diagnostics": {"rules": {"JSONInSingleQuotes": "error"}}}}),
    );
    let u = uri("pull/Dockerfile");
    server.open(&u, 1, SINGLE_QUOTES);
    let diags = server.diagnostics(&u, 1);
    assert_eq!(diags[0]["severity"], 1, "{diags:?}");
    *server.configuration.lock().unwrap() =
        json!({"dockerfile-ls": {"diagnostics": {"rules": {"JSONInSingleQuotes": "loud"}}}});
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    let shown = server.wait_for("a warning about the bad value", |m| {
        m["method"] == "window/showMessage"
    });
    assert_eq!(shown["params"]["type"], 2, "{shown}");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("`loud`"),
        "{shown}"
    );
    let diags = server.diagnostics(&u, 1);
    assert_eq!(diags[0]["severity"], 1, "kept the old level: {diags:?}");
    // The peer's key turns the rule off; then ours (when valid) wins again.
    *server.configuration.lock().unwrap() = json!({
        "dockerfile-ls": {"diagnostics": {"rules": {}}},
        "docker.languageserver": {"diagnostics": {"instructionJSONInSingleQuotes": "ignore"}}
    });
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    diags_where(&mut server, &u, <[Value]>::is_empty);
}

#[test]
fn pushed_settings_without_configuration_support() {
    let mut caps = default_capabilities();
    caps["workspace"] = json!({});
    let mut server = Server::start_with(caps);
    let u = uri("push/Dockerfile");
    server.open(&u, 1, SINGLE_QUOTES);
    assert_eq!(codes(&server.diagnostics(&u, 1)), ["JSONInSingleQuotes"]);
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dockerfile-ls": {"diagnostics": {"enable": false}}}}),
    );
    diags_where(&mut server, &u, <[Value]>::is_empty);
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dockerfile-ls": {"diagnostics": {"enable": true}},
                            "docker": {"languageserver": {"diagnostics": {"instructionJSONInSingleQuotes": "error"}}}}}),
    );
    let diags = diags_where(&mut server, &u, |d| !d.is_empty());
    assert_eq!(diags[0]["severity"], 1);
}

#[test]
fn hadolint_yaml_in_the_workspace_folder_applies_to_its_files_only() {
    let dir = std::env::temp_dir().join(format!("dfls-hadolint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".hadolint.yaml"), "ignored:\n  - DL3061\n").unwrap();
    let root = format!("file://{}", dir.display());
    let mut server =
        Server::start_full(default_capabilities(), Value::Null, json!(root), json!({}));
    let text = "ENV A=1\nFROM alpine\n";
    let inside = format!("{root}/Dockerfile");
    let outside = uri("elsewhere/Dockerfile");
    server.open(&inside, 1, text);
    server.open(&outside, 1, text);
    assert_eq!(codes(&server.diagnostics(&inside, 1)), Vec::<&str>::new());
    assert_eq!(
        codes(&server.diagnostics(&outside, 1)),
        ["InstructionBeforeFrom"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// docs/security.md: a `.hadolint.yaml` that is a link to a file outside the workspace folders
/// is not read; the user is told why, and its settings do not apply.
#[cfg(unix)]
#[test]
fn a_hadolint_yaml_linked_from_outside_the_workspace_is_not_read() {
    let base = std::env::temp_dir().join(format!("dfls-hadolint-link-{}", std::process::id()));
    let (dir, outside) = (base.join("ws"), base.join("outside"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.yaml"), "ignored:\n  - DL3061\n").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.yaml"), dir.join(".hadolint.yaml")).unwrap();
    let root = format!("file://{}", dir.display());
    let mut server =
        Server::start_full(default_capabilities(), Value::Null, json!(root), json!({}));
    let msg = server.wait_for("a message about the refused file", |m| {
        m["method"] == "window/showMessage"
    });
    let text = msg["params"]["message"].as_str().unwrap_or_default();
    assert!(text.contains("outside the workspace folders"), "{text}");
    let u = format!("{root}/Dockerfile");
    server.open(&u, 1, "ENV A=1\nFROM alpine\n");
    assert_eq!(
        codes(&server.diagnostics(&u, 1)),
        ["InstructionBeforeFrom"],
        "the linked file's `ignored` must not apply"
    );
    std::fs::remove_dir_all(&base).unwrap();
}

/// `initialized` asks for the configuration without waiting for the client to answer its
/// registration for configuration changes: a document opened right after `initialized` gets its
/// diagnostics one round trip to the client later, not two.
#[test]
fn the_configuration_is_asked_for_before_the_registration_is_answered() {
    let mut server = Server::spawn(&[]);
    server
        .held
        .lock()
        .unwrap()
        .push("client/registerCapability");
    let mut capabilities = default_capabilities();
    capabilities["workspace"]["didChangeConfiguration"] = json!({"dynamicRegistration": true});
    server.result(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
    );
    server.notify("initialized", json!({}));
    let u = uri("held");
    server.open(&u, 1, SINGLE_QUOTES);
    let registration = server.wait_for("the registration", |m| {
        m["method"] == "client/registerCapability"
    });
    // Answered by the reader while the registration is still unanswered.
    server.wait_for("the configuration request", |m| {
        m["method"] == "workspace/configuration"
    });
    let diags = diags_where(&mut server, &u, |d| !d.is_empty());
    assert!(codes(&diags).contains(&"JSONInSingleQuotes"), "{diags:?}");
    server.send(&json!({"jsonrpc": "2.0", "id": registration["id"], "result": null}));
    server.shutdown_and_exit();
}
