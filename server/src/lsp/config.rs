//! User settings, read from `initializationOptions`.
//!
//! One serde struct, `camelCase`, every field defaulted, so a client may send any subset (or
//! `null`) and unknown keys are ignored. Empty for now: later settings (per-rule levels, ...)
//! grow here and are mapped to plain analysis configs; the server advertises no configuration
//! features until one is read.

use serde::Deserialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    pub formatting: FormattingSettings,
}

/// `formatting.*`: see `docs/formatting.md`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FormattingSettings {
    pub keyword_case: KeywordCaseSetting,
    pub ignore_multiline_instructions: bool,
    pub blank_line_between_stages: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
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
}
