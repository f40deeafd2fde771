//! `.hadolint.yaml`: the parts dockerfile-ls honours (`ignored`, `override`), as per-rule levels
//! keyed by hadolint code. Shared by the language server (which reads the file only inside the
//! workspace folders the client named) and `dockerfile-ls check` (the current directory).
//!
//! hadolint's levels map to ours as `error` → error, `warning` → warning, `info` → info,
//! `style` → hint; `ignored` turns a rule off and wins over `override`, as in hadolint. Keys we do
//! not use (`trustedRegistries`, `label-schema`, `failure-threshold`, ...) are ignored.
//!
//! Must not know: LSP types, rule logic.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::features::diagnostics::Level;
use crate::analysis::features::Severity;

/// The file names hadolint looks for in a directory, in its order.
pub const FILE_NAMES: &[&str] = &[".hadolint.yaml", ".hadolint.yml"];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Raw {
    ignored: Vec<String>,
    #[serde(rename = "override")]
    overrides: Overrides,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Overrides {
    error: Vec<String>,
    warning: Vec<String>,
    info: Vec<String>,
    style: Vec<String>,
}

/// The rule levels a `.hadolint.yaml` text asks for, in the order they apply (later wins), or
/// why the text is not a hadolint configuration.
pub fn parse(text: &str) -> Result<Levels, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let raw: Raw = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let o = raw.overrides;
    for (codes, sev) in [
        (o.style, Severity::Hint),
        (o.info, Severity::Info),
        (o.warning, Severity::Warning),
        (o.error, Severity::Error),
    ] {
        out.extend(codes.into_iter().map(|c| (c, Level::On(sev))));
    }
    out.extend(raw.ignored.into_iter().map(|c| (c, Level::Off)));
    Ok(out)
}

/// The hadolint config file in `dir`, if there is one.
pub fn find_in(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Rule levels keyed by hadolint code (or rule name), in the order they apply.
pub type Levels = Vec<(String, Level)>;

/// Reads and parses the config file in `dir`: `Ok(None)` when there is none; an error message
/// naming the file when it cannot be read or parsed.
pub fn load(dir: &Path) -> Result<Option<(PathBuf, Levels)>, String> {
    let Some(path) = find_in(dir) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let levels = parse(&text).map_err(|e| format!("invalid `{}`: {e}", path.display()))?;
    Ok(Some((path, levels)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_and_override_map_to_levels() {
        let levels = parse(
            "failure-threshold: warning\nignored:\n  - DL3008\noverride:\n  error: [DL3006]\n  style:\n    - DL3007\ntrustedRegistries: [docker.io]\n",
        )
        .unwrap();
        assert_eq!(
            levels,
            [
                ("DL3007".to_string(), Level::On(Severity::Hint)),
                ("DL3006".to_string(), Level::On(Severity::Error)),
                ("DL3008".to_string(), Level::Off),
            ]
        );
        assert_eq!(parse("").unwrap(), []);
        assert_eq!(parse("# nothing\n").unwrap(), []);
        assert!(parse("ignored: 3\n").is_err());
        assert!(parse("ignored: [\n").is_err());
    }
}
