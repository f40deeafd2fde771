//! User settings, read from `initializationOptions`.
//!
//! One serde struct, `camelCase`, every field defaulted, so a client may send any subset (or
//! `null`) and unknown keys are ignored. Settings are mapped to plain analysis configs (e.g.
//! `inlayHints` to `InlayHintsConfig`); analysis never sees this struct.

use serde::Deserialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// `inlayHints.variableValues` / `inlayHints.stageIndexes`.
    pub inlay_hints: InlayHintsSettings,
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
        match value {
            None | Some(serde_json::Value::Null) => Settings::default(),
            Some(v) => serde_json::from_value(v).unwrap_or_else(|err| {
                tracing::warn!("ignoring invalid initializationOptions: {err}");
                Settings::default()
            }),
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
