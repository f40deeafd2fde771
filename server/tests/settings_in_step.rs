//! The VS Code extension's settings (editors/vscode/package.json) mirror the server's
//! `Settings` exactly: the same `dockerfile-ls.*` key paths with the same defaults, plus the
//! client-only keys. The server's side comes from serializing `Settings::default()`, so a new
//! setting (or a renamed one) fails here until package.json follows.
//!
//! Must not know: any particular setting; the keys come from serde.

use std::collections::BTreeMap;
use std::path::Path;

use dockerfile_ls::lsp::config::Settings;
use serde_json::Value;

/// Settings only the extension reads (never sent to the server).
const CLIENT_ONLY: &[&str] = &["server.path", "trace.server"];

/// Leaf key paths of a serialized settings object: nested objects with keys are groups
/// (`diagnostics` → `diagnostics.enable`); anything else, including an empty map such as
/// `diagnostics.rules`, is one setting.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, out);
            }
        }
        _ => {
            out.insert(prefix.to_string(), value.clone());
        }
    }
}

fn server_settings() -> BTreeMap<String, Value> {
    let value = serde_json::to_value(Settings::default()).expect("Settings serializes");
    assert!(value.is_object(), "Settings must serialize to an object");
    let mut out = BTreeMap::new();
    flatten("", &value, &mut out);
    out.remove("");
    out
}

/// `dockerfile-ls.*` properties of the extension, without the prefix: key → declared default.
fn extension_settings() -> BTreeMap<String, Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/vscode/package.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let manifest: Value = serde_json::from_str(&text).expect("package.json is JSON");
    let props = manifest["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("contributes.configuration.properties");
    props
        .iter()
        .filter_map(|(key, prop)| {
            let key = key.strip_prefix("dockerfile-ls.")?;
            Some((
                key.to_string(),
                prop.get("default").cloned().unwrap_or(Value::Null),
            ))
        })
        .collect()
}

/// The JSON-schema `type` for a default value (`null` defaults: a nullable string).
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => r#"["string", "null"]"#,
        Value::Bool(_) => r#""boolean""#,
        Value::Number(_) => r#""number""#,
        Value::String(_) => r#""string""#,
        Value::Array(_) => r#""array""#,
        Value::Object(_) => r#""object""#,
    }
}

#[test]
fn vscode_settings_are_the_servers_plus_client_only_keys() {
    let server = server_settings();
    let ext = extension_settings();
    for key in CLIENT_ONLY {
        assert!(
            ext.contains_key(*key),
            "package.json lacks client-only `dockerfile-ls.{key}`"
        );
        assert!(
            !server.contains_key(*key),
            "`{key}` is client-only but the server has it too"
        );
    }
    let ext_keys: Vec<&String> = ext
        .keys()
        .filter(|k| !CLIENT_ONLY.contains(&k.as_str()))
        .collect();
    let server_keys: Vec<&String> = server.keys().collect();
    let missing: Vec<_> = server_keys
        .iter()
        .filter(|k| !ext_keys.contains(k))
        .collect();
    let extra: Vec<_> = ext_keys
        .iter()
        .filter(|k| !server_keys.contains(k))
        .collect();
    let stubs: Vec<String> = missing
        .iter()
        .map(|k| {
            let default = &server[k.as_str()];
            format!(
                "    \"dockerfile-ls.{k}\": {{ \"type\": {}, \"default\": {default}, \"description\": \"...\" }}",
                json_type(default)
            )
        })
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "editors/vscode/package.json is out of step with `Settings`:\n  \
         server settings missing from package.json: {missing:?}\n  \
         package.json settings the server does not have: {extra:?}\n\
         (add or remove `dockerfile-ls.<key>` under contributes.configuration.properties; \
         starting points for the missing ones:\n{})",
        stubs.join(",\n")
    );
}

#[test]
fn vscode_defaults_are_the_servers_defaults() {
    let server = server_settings();
    let ext = extension_settings();
    for (key, default) in &server {
        if let Some(declared) = ext.get(key) {
            assert_eq!(
                declared, default,
                "default of `dockerfile-ls.{key}` in package.json differs from `Settings::default()`"
            );
        }
    }
}

#[test]
fn flatten_treats_empty_maps_and_nulls_as_settings() {
    let mut out = BTreeMap::new();
    let v = serde_json::json!({"target": null, "diagnostics": {"enable": true, "rules": {}}});
    flatten("", &v, &mut out);
    let keys: Vec<&str> = out.keys().map(String::as_str).collect();
    assert_eq!(keys, ["diagnostics.enable", "diagnostics.rules", "target"]);
}
