//! `dockerfile-ls debug-findings FILE...`: what every rule finds, enabled by default or not, with
//! no suppression or severity override applied, as JSON. The comparison tools
//! (`tools/peer-parity`, `tools/hadolint-compare`) select the rules they compare themselves.
//!
//! Must not know: LSP types; this is a test aid, not a user feature.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::analysis::features::diagnostics::{Ctx, DiagnosticsConfig, RULES};
use crate::analysis::Document;

/// `{"rules": [{name, aliases, severity, enabledByDefault}], "files": [{"path", "findings":
/// [{rule, aliases, severity, enabledByDefault, line, character, endLine, endCharacter,
/// instructionLine, relatedLines, message}]}]}`, lines 0-based, columns in UTF-8 bytes (the
/// tools compare lines only); `instructionLine` is the first line of the instruction the finding
/// is in (`null` outside instructions). A file that cannot be read gets `"error"` instead.
pub fn findings_json(paths: &[PathBuf]) -> String {
    let files: Vec<Value> = paths
        .iter()
        .map(|path| match std::fs::read(path) {
            Ok(bytes) => json!({
                "path": path.display().to_string(),
                "findings": findings(&String::from_utf8_lossy(&bytes)),
            }),
            Err(err) => json!({ "path": path.display().to_string(), "error": err.to_string() }),
        })
        .collect();
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "aliases": r.aliases,
                "severity": r.severity.as_str(),
                "enabledByDefault": r.enabled_by_default,
            })
        })
        .collect();
    json!({ "rules": rules, "files": files }).to_string()
}

fn findings(text: &str) -> Vec<Value> {
    let doc = Document::new(text, 0);
    let config = DiagnosticsConfig::default();
    let ctx = Ctx::new(&doc, &config);
    let mut out = Vec::new();
    for rule in RULES {
        let mut acc = Vec::new();
        (rule.check)(&ctx, &mut acc);
        for d in acc {
            let (line, character) = doc.line_col(d.span.start);
            let (end_line, end_character) = doc.line_col(d.span.end);
            let instruction_line = doc
                .syntax()
                .instruction_at(d.span.start)
                .map(|i| doc.syntax().instructions[i].start_line);
            out.push(json!({
                "rule": rule.name,
                "aliases": rule.aliases,
                "severity": d.severity.as_str(),
                "enabledByDefault": rule.enabled_by_default,
                "line": line,
                "character": character,
                "endLine": end_line,
                "endCharacter": end_character,
                "instructionLine": instruction_line,
                "relatedLines": d.related.iter().map(|(span, _)| doc.line_of(span.start)).collect::<Vec<_>>(),
                "message": d.message,
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_rules_that_are_off_by_default() {
        let v = super::findings("FROM ubuntu\nCOPY a b /c\n");
        let rules: Vec<&str> = v.iter().filter_map(|f| f["rule"].as_str()).collect();
        assert!(rules.contains(&"UntaggedImage"), "{rules:?}");
        assert!(
            rules.contains(&"CopyMultipleSourcesNeedsDirDest"),
            "{rules:?}"
        );
        let copy = v
            .iter()
            .find(|f| f["rule"] == "CopyMultipleSourcesNeedsDirDest")
            .expect("finding");
        assert_eq!(
            (copy["line"].as_u64(), copy["character"].as_u64()),
            (Some(1), Some(9))
        );
    }
}
