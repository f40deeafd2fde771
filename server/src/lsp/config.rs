//! User settings, read from `initializationOptions`.
//!
//! One serde struct, `camelCase`, every field defaulted, so a client may send any subset (or
//! `null`) and unknown keys are ignored. Empty for now: later settings (per-rule levels, ...)
//! grow here and are mapped to plain analysis configs; the server advertises no configuration
//! features until one is read.

use serde::{Deserialize, Serialize};

/// `Serialize` gives the key paths and defaults the editor clients must mirror (the test
/// `settings_in_step` compares them with editors/vscode/package.json).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {}

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
}
