//! `dockerfile-ls debug-instructions FILE...`: our instruction list in the shape BuildKit's
//! parser reports it, for `tools/buildkit-parity/parity.py`.
//!
//! Must not know: anything beyond the syntax layer; this is a test aid, not a user feature.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::analysis::syntax::{parser, Instruction, Syntax};

/// One JSON document `{"files": [{"path", "instructions": [...], "errors": [...]}]}`. A file that cannot be
/// read gets `"error"` instead of `"instructions"`, so one bad path does not hide the rest.
/// Bytes that are not UTF-8 are replaced (lines stay where they are).
pub fn instructions_json(paths: &[PathBuf]) -> String {
    let files: Vec<Value> = paths
        .iter()
        .map(|path| match std::fs::read(path) {
            Ok(bytes) => {
                let syntax = parser::parse_str(&String::from_utf8_lossy(&bytes));
                json!({
                    "path": path.display().to_string(),
                    "instructions": instructions_of(&syntax),
                    "errors": syntax.errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(),
                })
            }
            Err(err) => json!({ "path": path.display().to_string(), "error": err.to_string() }),
        })
        .collect();
    json!({ "files": files }).to_string()
}

/// `{"files": [{"path", "formatted"}]}`: each file formatted with the default settings (or the
/// `stress` ones: lower case, blank lines between stages, tabs), or
/// `"error"` when it cannot be read, for `tools/format-parity`.
pub fn format_json(paths: &[PathBuf], stress: bool) -> String {
    use crate::analysis::features::{format, formatting::apply, FormatConfig, KeywordCase};
    let config = if stress {
        FormatConfig {
            keyword_case: KeywordCase::Lower,
            blank_line_between_stages: true,
            indent: "\t".to_string(),
            ..FormatConfig::default()
        }
    } else {
        FormatConfig::default()
    };
    let files: Vec<Value> = paths
        .iter()
        .map(|path| match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let doc = crate::analysis::Document::new(&text, 0);
                let edits = format(&doc, &config, None);
                json!({ "path": path.display().to_string(), "formatted": apply(&text, &edits) })
            }
            Err(err) => json!({ "path": path.display().to_string(), "error": err.to_string() }),
        })
        .collect();
    json!({ "files": files }).to_string()
}

/// The instruction list of `text`: `{keyword, sub_cmd, start_line, end_line, flags, json,
/// heredocs}`, lines 1-based like BuildKit's `StartLine`/`EndLine`.
pub fn instructions_value(text: &str) -> Value {
    instructions_of(&parser::parse_str(text))
}

fn instructions_of(syntax: &Syntax) -> Value {
    Value::Array(syntax.instructions.iter().map(instruction).collect())
}

fn instruction(ins: &Instruction) -> Value {
    let flags: Vec<String> = ins
        .flags
        .iter()
        .map(|f| match &f.value {
            Some(v) => latin1(&format!("--{}={}", f.name.text, v.text)),
            None => latin1(&format!("--{}", f.name.text)),
        })
        .collect();
    // BuildKit keeps ONBUILD's trigger as the node's child; its exec form is the trigger's.
    let json = match &ins.onbuild {
        Some(sub) => sub.json.is_some(),
        None => ins.json.is_some(),
    };
    json!({
        "keyword": ins.keyword.text,
        "sub_cmd": ins.onbuild.as_ref().map(|sub| sub.keyword.text.clone()),
        "start_line": ins.start_line + 1,
        "end_line": ins.end_line + 1,
        "flags": flags,
        "json": json,
        "heredocs": ins.heredocs.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(),
    })
}

/// BuildKit's `extractBuilderFlags` writes each byte as a rune (`WriteRune(rune(line[pos]))`),
/// so a non-ASCII flag comes out as Latin-1 mojibake; report it the same way.
fn latin1(s: &str) -> String {
    s.bytes().map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_like_buildkit() {
        let v = instructions_value("FROM a\nONBUILD --x=1 RUN --mount=\"type=x\" [\"a\"]\n");
        assert_eq!(
            v.to_string(),
            r#"[{"end_line":1,"flags":[],"heredocs":[],"json":false,"keyword":"FROM","start_line":1,"sub_cmd":null},{"end_line":2,"flags":["--x=1"],"heredocs":[],"json":true,"keyword":"ONBUILD","start_line":2,"sub_cmd":"RUN"}]"#
        );
    }
}
