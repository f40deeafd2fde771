//! The value of an ARG or ENV definition as BuildKit computes it from the defaults written in
//! the file: the value expanded with the definitions in scope at that instruction (recorded in
//! the model as the uses inside the value), `ARG NAME` taking the default of the global ARG it
//! brings in. `None` when any part depends on `--build-arg`, BuildKit or the base image.
//!
//! Must not know: LSP types.

use crate::analysis::model::Model;
use crate::analysis::syntax::expand;
use crate::analysis::Document;

/// Deeper chains (`A=$B`, `B=$C`, ...) give up rather than recurse without bound.
const MAX_DEPTH: usize = 32;

/// The value of definition `def` (an index into `Model::vars`), if the file fixes it.
pub fn var_value(doc: &Document, def: usize) -> Option<String> {
    resolve(doc, doc.model(), def, 0)
}

fn resolve(doc: &Document, m: &Model, d: usize, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let def = m.vars.get(d)?;
    match &def.value {
        Some(v) => expand::expand(v, doc.syntax().escape, &|name: &str| {
            // `var_uses` is in instruction order: jump to this instruction's uses.
            let first = m.var_uses.partition_point(|u| u.instr < def.instr);
            let u = m.var_uses[first..]
                .iter()
                .take_while(|u| u.instr == def.instr)
                .find(|u| u.name == name && v.span.touches(u.span.start))?;
            resolve(doc, m, u.def?, depth + 1)
        }),
        None => resolve(doc, m, def.redeclares?, depth + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(text: &str, name: &str) -> Option<String> {
        let doc = Document::new(text, 0);
        let d = doc.model().vars.iter().rposition(|d| d.name == name)?;
        var_value(&doc, d)
    }

    #[test]
    fn chains_defaults_redeclarations_and_inheritance() {
        let text = "ARG V=1.2\nARG IMG=golang:${V}-alpine\nFROM $IMG AS base\nARG V\nENV GOPATH=/go/$V\nFROM base\nENV P=${GOPATH}/bin:$PATH\nARG NONE\nENV Q=${NONE:-fallback}\n";
        assert_eq!(value_of(text, "IMG").as_deref(), Some("golang:1.2-alpine"));
        assert_eq!(value_of(text, "V").as_deref(), Some("1.2"));
        assert_eq!(value_of(text, "GOPATH").as_deref(), Some("/go/1.2"));
        // `$PATH` comes from the base image: unknown.
        assert_eq!(value_of(text, "P"), None);
        assert_eq!(value_of(text, "NONE"), None);
        assert_eq!(value_of(text, "Q").as_deref(), Some("fallback"));
    }

    #[test]
    fn uses_are_in_instruction_order() {
        // `var_value` relies on it to find the uses inside a value quickly.
        let doc = Document::new("ARG A=1 B=$A\nFROM x:$A$B\nENV C=$A D=$C\nRUN $C $D\n", 0);
        let instrs: Vec<usize> = doc.model().var_uses.iter().map(|u| u.instr).collect();
        assert!(instrs.windows(2).all(|w| w[0] <= w[1]), "{instrs:?}");
    }

    #[test]
    fn self_reference_does_not_loop() {
        assert_eq!(value_of("FROM a\nENV A=$A\nENV A=x$A\n", "A"), None);
    }
}
