//! User settings, read from `initializationOptions`, from `workspace/configuration` (section
//! [`SECTION`]) and on `workspace/didChangeConfiguration`.
//!
//! One serde struct, `camelCase`, every field defaulted, so a client may send any subset (or
//! `null`) and unknown keys are ignored. Settings are mapped to plain analysis configs (e.g.
//! `inlayHints` to `InlayHintsConfig`); analysis never sees this struct.
//!
//! Must not know: LSP message shapes (the server sends and receives them), rule logic.

use serde::Deserialize;

use crate::analysis::features::DiagnosticsConfig;

/// The `workspace/configuration` section (VS Code: `dockerfile-ls.<key>`).
pub const SECTION: &str = "dockerfile-ls";

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// `target`: the build target stage (`docker build --target`); `None` = the last stage. A
    /// `# dockerfile-ls: target=NAME` comment in a file wins over it.
    pub target: Option<String>,
    /// `codeLens.*`.
    pub code_lens: CodeLensSettings,
    /// `inlayHints.variableValues` / `inlayHints.stageIndexes`.
    pub inlay_hints: InlayHintsSettings,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
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

/// Which inlay hints to show; both on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
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

impl Settings {
    /// Settings from `initializationOptions`; a value that does not fit keeps the defaults and
    /// says why in the log.
    pub fn from_init_options(value: Option<serde_json::Value>) -> Settings {
        Settings::default().updated(value).unwrap_or_else(|err| {
            tracing::warn!("ignoring invalid initializationOptions: {err}");
            Settings::default()
        })
    }

    /// The settings after the client sent its whole section `value`: `None`/`null` (nothing
    /// configured) keeps `self`; a value that does not fit is an error, and the caller keeps the
    /// old settings.
    pub fn updated(&self, value: Option<serde_json::Value>) -> Result<Settings, String> {
        match value {
            None | Some(serde_json::Value::Null) => Ok(self.clone()),
            Some(v) => serde_json::from_value(v).map_err(|err| err.to_string()),
        }
    }

    /// The build target to use: the setting, blank treated as unset.
    pub fn target(&self) -> Option<&str> {
        self.target
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// What diagnostics checks need from the settings.
    pub fn diagnostics_config(&self) -> DiagnosticsConfig {
        DiagnosticsConfig {
            target: self.target().map(ToString::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
        assert_eq!(s.diagnostics_config().target.as_deref(), Some("final"));
        assert!(Settings::default().code_lens.enable);
        let blank = Settings::from_init_options(Some(json!({"target": "  "})));
        assert_eq!(blank.target(), None);
    }

    #[test]
    fn a_bad_update_is_an_error_and_null_keeps_the_old_value() {
        let s = Settings::from_init_options(Some(json!({"target": "build"})));
        assert!(s.updated(Some(json!({"target": 3}))).is_err());
        assert_eq!(s.updated(Some(json!(null))).unwrap(), s);
        let next = s.updated(Some(json!({"target": null}))).unwrap();
        assert_eq!(next.target(), None);
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
}
