//! User settings: read from `initializationOptions`, `workspace/configuration` (section
//! `dockerfile-ls`) and `workspace/didChangeConfiguration`, and mapped to plain analysis configs.
//!
//! One serde struct, `camelCase`, every field defaulted, so a client may send any subset (or
//! `null`) and unknown keys are ignored. Values are taken key by key ([`Settings::update`]): a key
//! whose value does not fit keeps its old value and yields one message, so one typo never resets
//! every other setting.
//!
//! The Node peer's `docker.languageserver.diagnostics.<key>` settings (`"ignore" | "warning" |
//! "error"`) are honoured as aliases ([`PeerSettings`]), so existing VS Code settings keep working.
//! Precedence, weakest first: `.hadolint.yaml`, the peer's keys, `dockerfile-ls.diagnostics.rules`.
//!
//! Must not know: LSP message shapes (the server sends the messages), rule logic.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::analysis::features::diagnostics::{find_rule, Level};
use crate::analysis::features::{DiagnosticsConfig, Severity};

/// The `workspace/configuration` section of our settings.
pub const SECTION: &str = "dockerfile-ls";
/// The Node peer's section (`docker.languageserver.diagnostics.*`).
pub const PEER_SECTION: &str = "docker.languageserver";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// `target`: the build target stage (`docker build --target`); `None` = the last stage. A
    /// `# dockerfile-ls: target=NAME` comment in a file wins over it.
    pub target: Option<String>,
    /// `codeLens.*`.
    pub code_lens: CodeLensSettings,
    pub diagnostics: DiagnosticsSettings,
    pub formatting: FormattingSettings,
    /// `inlayHints.variableValues` / `inlayHints.stageIndexes`.
    pub inlay_hints: InlayHintsSettings,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CodeLensSettings {
    /// `codeLens.enable`: stage lenses on `FROM` lines.
    pub enable: bool,
}

impl Default for CodeLensSettings {
    fn default() -> Self {
        CodeLensSettings { enable: true }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DiagnosticsSettings {
    /// `diagnostics.enable`: publish diagnostics at all.
    pub enable: bool,
    /// `diagnostics.rules`: rule name or alias (`UndefinedVar`, `DL3006`) → level.
    pub rules: BTreeMap<String, RuleLevel>,
}

impl Default for DiagnosticsSettings {
    fn default() -> Self {
        DiagnosticsSettings {
            enable: true,
            rules: BTreeMap::new(),
        }
    }
}

/// `formatting.*`: see `docs/formatting.md`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FormattingSettings {
    pub keyword_case: KeywordCaseSetting,
    pub ignore_multiline_instructions: bool,
    pub blank_line_between_stages: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeywordCaseSetting {
    #[default]
    Upper,
    Lower,
    Preserve,
}

impl FormattingSettings {
    /// The analysis config, with the indentation unit from the request's `FormattingOptions`.
    pub fn config(&self, indent: String) -> crate::analysis::features::FormatConfig {
        use crate::analysis::features::KeywordCase;
        crate::analysis::features::FormatConfig {
            keyword_case: match self.keyword_case {
                KeywordCaseSetting::Upper => KeywordCase::Upper,
                KeywordCaseSetting::Lower => KeywordCase::Lower,
                KeywordCaseSetting::Preserve => KeywordCase::Preserve,
            },
            ignore_multiline_instructions: self.ignore_multiline_instructions,
            blank_line_between_stages: self.blank_line_between_stages,
            indent,
        }
    }
}

/// Which inlay hints to show; both on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InlayHintsSettings {
    pub variable_values: bool,
    pub stage_indexes: bool,
}

impl Default for InlayHintsSettings {
    fn default() -> Self {
        InlayHintsSettings {
            variable_values: true,
            stage_indexes: true,
        }
    }
}

impl InlayHintsSettings {
    /// The analysis config these settings map to.
    pub fn config(self) -> crate::analysis::features::InlayHintsConfig {
        crate::analysis::features::InlayHintsConfig {
            variable_values: self.variable_values,
            stage_indexes: self.stage_indexes,
        }
    }
}

/// A level written as `"off" | "hint" | "info" | "warning" | "error"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleLevel(pub Level);

impl Serialize for RuleLevel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Level::parse(&s).map(RuleLevel).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not one of `off`, `hint`, `info`, `warning`, `error`"
            ))
        })
    }
}

impl Settings {
    /// Settings from `initializationOptions`; keys that do not fit keep their defaults and are
    /// logged.
    pub fn from_init_options(value: Option<Value>) -> Settings {
        let (settings, problems) = Settings::default().replaced(value.as_ref());
        for p in problems {
            tracing::warn!("initializationOptions: {p}");
        }
        settings
    }

    /// The settings after a client sent the complete section `value` (a pull, or a push of the
    /// whole section): unset keys take their defaults, and a key whose value does not fit keeps
    /// the value it had in `self`. Returns the problems, one message per rejected key.
    pub fn replaced(&self, value: Option<&Value>) -> (Settings, Vec<String>) {
        let mut problems = Vec::new();
        let value = match value {
            None | Some(Value::Null) => return (Settings::default(), problems),
            Some(Value::Object(map)) => map,
            Some(other) => {
                problems.push(format!(
                    "settings must be an object, not `{other}`; keeping the previous settings"
                ));
                return (self.clone(), problems);
            }
        };
        let old = serde_json::to_value(self).unwrap_or(Value::Null);
        let mut current = serde_json::to_value(Settings::default()).unwrap_or(Value::Null);
        let mut leaves = Vec::new();
        flatten(&mut Vec::new(), value, &mut leaves);
        for (path, leaf) in leaves {
            let mut candidate = current.clone();
            set_path(&mut candidate, &path, leaf.clone());
            match serde_json::from_value::<Settings>(candidate.clone()) {
                Ok(_) => current = candidate,
                Err(err) => {
                    problems.push(format!(
                        "invalid value for `{}`: {err}; keeping the previous value",
                        path.join(".")
                    ));
                    if let Some(prev) = get_path(&old, &path) {
                        set_path(&mut current, &path, prev.clone());
                    }
                }
            }
        }
        let settings = serde_json::from_value(current).unwrap_or_default();
        for key in Settings::unknown_rules(&settings) {
            problems.push(format!("`diagnostics.rules.{key}` names no rule"));
        }
        (settings, problems)
    }

    /// The build target to use: the setting, blank treated as unset.
    pub fn target(&self) -> Option<&str> {
        self.target
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// Rule keys that name no rule (the user probably misspelt them).
    fn unknown_rules(&self) -> Vec<&str> {
        self.diagnostics
            .rules
            .keys()
            .filter(|k| find_rule(k).is_none())
            .map(String::as_str)
            .collect()
    }

    /// The analysis config for a document: `.hadolint.yaml` levels first, then the peer's keys,
    /// then ours (later entries win).
    pub fn diagnostics_config(
        &self,
        peer: &PeerSettings,
        hadolint: &[(String, Level)],
    ) -> DiagnosticsConfig {
        let mut rules: Vec<(String, Level)> = hadolint.to_vec();
        rules.extend(peer.rule_levels());
        rules.extend(self.diagnostics.rules.iter().map(|(k, v)| (k.clone(), v.0)));
        DiagnosticsConfig {
            target: self.target().map(ToString::to_string),
            rules,
        }
    }
}

/// Every scalar or array in `value` with its key path; empty objects give nothing.
fn flatten<'a>(
    prefix: &mut Vec<String>,
    map: &'a Map<String, Value>,
    out: &mut Vec<(Vec<String>, &'a Value)>,
) {
    for (k, v) in map {
        prefix.push(k.clone());
        match v {
            Value::Object(inner) => flatten(prefix, inner, out),
            _ => out.push((prefix.clone(), v)),
        }
        prefix.pop();
    }
}

fn set_path(root: &mut Value, path: &[String], leaf: Value) {
    let mut node = root;
    for (i, key) in path.iter().enumerate() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else { return };
        if i + 1 == path.len() {
            map.insert(key.clone(), leaf);
            return;
        }
        node = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

fn get_path<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(root, |node, key| node.get(key))
}

/// The Node peer's diagnostics keys and the rules they govern. `directiveCasing` (it wants
/// `# escape=` in lower case) has no counterpart: BuildKit accepts any case there.
pub const PEER_KEYS: &[(&str, &str)] = &[
    ("deprecatedMaintainer", "MaintainerDeprecated"),
    ("emptyContinuationLine", "NoEmptyContinuation"),
    ("instructionCasing", "ConsistentInstructionCasing"),
    ("instructionCmdMultiple", "MultipleInstructionsDisallowed"),
    (
        "instructionEntrypointMultiple",
        "MultipleInstructionsDisallowed",
    ),
    (
        "instructionHealthcheckMultiple",
        "MultipleInstructionsDisallowed",
    ),
    ("instructionJSONInSingleQuotes", "JSONInSingleQuotes"),
    ("instructionWorkdirRelative", "WorkdirRelativePath"),
];

/// `docker.languageserver.diagnostics.*` as the Node peer reads them. Unlike the peer, a key the
/// user did not set keeps our default (the peer turns every missing key off).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerSettings {
    /// Peer key → level (`ignore` = off).
    pub diagnostics: BTreeMap<String, Level>,
}

impl PeerSettings {
    /// Reads the `docker.languageserver` section (`{"diagnostics": {...}, "formatter": {...}}`);
    /// a key with a bad value keeps its value from `self`.
    pub fn replaced(&self, value: Option<&Value>) -> (PeerSettings, Vec<String>) {
        let mut out = PeerSettings::default();
        let mut problems = Vec::new();
        let Some(diags) = value.and_then(|v| v.get("diagnostics")) else {
            return (out, problems);
        };
        let Some(map) = diags.as_object() else {
            problems.push(format!(
                "`{PEER_SECTION}.diagnostics` must be an object; keeping the previous values"
            ));
            return (self.clone(), problems);
        };
        for (key, v) in map {
            if !PEER_KEYS.iter().any(|(k, _)| k == key) {
                continue;
            }
            let level = match v.as_str() {
                Some("ignore") => Some(Level::Off),
                Some("warning") => Some(Level::On(Severity::Warning)),
                Some("error") => Some(Level::On(Severity::Error)),
                // The peer treats a missing value as "ignore"; `null` is what VS Code sends for
                // a key the user removed, so it means "our default" here.
                None if v.is_null() => None,
                _ => {
                    problems.push(format!(
                        "invalid value for `{PEER_SECTION}.diagnostics.{key}`: `{v}` is not one of `ignore`, `warning`, `error`; keeping the previous value"
                    ));
                    self.diagnostics.get(key).copied()
                }
            };
            if let Some(level) = level {
                out.diagnostics.insert(key.clone(), level);
            }
        }
        (out, problems)
    }

    /// Rule levels for the engine. Several peer keys govern `MultipleInstructionsDisallowed`; the
    /// strongest of them wins (off only when all that are set say `ignore`).
    pub fn rule_levels(&self) -> Vec<(String, Level)> {
        let mut by_rule: BTreeMap<&str, Level> = BTreeMap::new();
        for (key, level) in &self.diagnostics {
            let Some((_, rule)) = PEER_KEYS.iter().find(|(k, _)| k == key) else {
                continue;
            };
            let entry = by_rule.entry(rule).or_insert(*level);
            *entry = strongest(*entry, *level);
        }
        by_rule
            .into_iter()
            .map(|(r, l)| (r.to_string(), l))
            .collect()
    }
}

fn strongest(a: Level, b: Level) -> Level {
    match (a, b) {
        (Level::Off, x) | (x, Level::Off) => x,
        (Level::On(x), Level::On(y)) => Level::On(x.max(y)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn formatting_settings() {
        let s = Settings::from_init_options(Some(json!({"formatting": {
            "keywordCase": "lower", "ignoreMultilineInstructions": true, "blankLineBetweenStages": true
        }})));
        assert_eq!(s.formatting.keyword_case, KeywordCaseSetting::Lower);
        assert!(
            s.formatting.ignore_multiline_instructions && s.formatting.blank_line_between_stages
        );
        assert_eq!(
            Settings::from_init_options(Some(json!({"formatting": {"keywordCase": "title"}}))),
            Settings::default()
        );
    }

    #[test]
    fn missing_null_and_unknown_keys_give_defaults() {
        assert_eq!(Settings::from_init_options(None), Settings::default());
        assert_eq!(
            Settings::from_init_options(Some(json!(null))),
            Settings::default()
        );
        assert_eq!(
            Settings::from_init_options(Some(json!({"futureKey": 1}))),
            Settings::default()
        );
        assert_eq!(
            Settings::from_init_options(Some(json!("bad"))),
            Settings::default()
        );
    }

    #[test]
    fn target_and_code_lens_are_read() {
        let s = Settings::from_init_options(Some(json!({
            "target": "final", "codeLens": {"enable": false}
        })));
        assert_eq!(s.target(), Some("final"));
        assert!(!s.code_lens.enable);
        assert_eq!(
            s.diagnostics_config(&PeerSettings::default(), &[])
                .target
                .as_deref(),
            Some("final")
        );
        assert!(Settings::default().code_lens.enable);
        let blank = Settings::from_init_options(Some(json!({"target": "  "})));
        assert_eq!(blank.target(), None);
    }

    #[test]
    fn a_bad_target_keeps_the_old_value_and_null_clears_it() {
        let s = Settings::from_init_options(Some(json!({"target": "build"})));
        let (next, problems) = s.replaced(Some(&json!({"target": 3})));
        assert_eq!(next.target(), Some("build"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let (next, problems) = s.replaced(Some(
            &json!({"target": null, "codeLens": {"enable": false}}),
        ));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(next.target(), None);
        assert!(!next.code_lens.enable);
    }

    #[test]
    fn inlay_hint_switches() {
        let s = Settings::from_init_options(Some(json!({"inlayHints": {"stageIndexes": false}})));
        assert!(s.inlay_hints.variable_values);
        assert!(!s.inlay_hints.stage_indexes);
        assert_eq!(
            Settings::default().inlay_hints,
            InlayHintsSettings::default()
        );
        assert!(Settings::default().inlay_hints.config().variable_values);
    }

    #[test]
    fn rules_and_enable_are_read() {
        let s = Settings::from_init_options(Some(json!({
            "diagnostics": {"enable": false, "rules": {"DL3006": "off", "SyntaxError": "Warning"}}
        })));
        assert!(!s.diagnostics.enable);
        assert_eq!(s.diagnostics.rules["DL3006"], RuleLevel(Level::Off));
        assert_eq!(
            s.diagnostics.rules["SyntaxError"],
            RuleLevel(Level::On(Severity::Warning))
        );
    }

    #[test]
    fn a_bad_value_keeps_the_old_one_and_says_so() {
        let (old, _) = Settings::default().replaced(Some(&json!({
            "diagnostics": {"enable": false, "rules": {"SyntaxError": "hint"}}
        })));
        let (new, problems) = old.replaced(Some(&json!({
            "diagnostics": {"enable": "yes", "rules": {"SyntaxError": "loud", "UnknownStage": "off"}}
        })));
        assert!(!new.diagnostics.enable, "kept");
        assert_eq!(
            new.diagnostics.rules["SyntaxError"],
            RuleLevel(Level::On(Severity::Hint))
        );
        assert_eq!(new.diagnostics.rules["UnknownStage"], RuleLevel(Level::Off));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("`diagnostics.enable`"), "{problems:?}");
        assert!(problems[1].contains("`loud`"), "{problems:?}");
    }

    #[test]
    fn unknown_rule_names_are_reported() {
        let (_, problems) = Settings::default().replaced(Some(
            &json!({"diagnostics": {"rules": {"NoSuchRule": "off"}}}),
        ));
        assert_eq!(problems, ["`diagnostics.rules.NoSuchRule` names no rule"]);
    }

    #[test]
    fn peer_keys_map_to_rules_and_ours_win() {
        let (peer, problems) = PeerSettings::default().replaced(Some(&json!({
            "diagnostics": {
                "instructionCmdMultiple": "ignore",
                "instructionEntrypointMultiple": "error",
                "deprecatedMaintainer": "ignore",
                "instructionCasing": "loud",
                "formatterThing": "x"
            },
            "formatter": {"ignoreMultilineInstructions": true}
        })));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            peer.rule_levels(),
            [
                ("MaintainerDeprecated".to_string(), Level::Off),
                (
                    "MultipleInstructionsDisallowed".to_string(),
                    Level::On(Severity::Error)
                ),
            ]
        );
        let (ours, _) = Settings::default().replaced(Some(
            &json!({"diagnostics": {"rules": {"SyntaxError": "off"}}}),
        ));
        let hadolint = [("DL3006".to_string(), Level::Off)];
        let config = ours.diagnostics_config(&peer, &hadolint);
        let keys: Vec<&str> = config.rules.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "DL3006",
                "MaintainerDeprecated",
                "MultipleInstructionsDisallowed",
                "SyntaxError"
            ]
        );
    }
}
