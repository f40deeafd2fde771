//! Selection ranges ("expand selection"): from the word under the cursor outwards through the
//! argument or flag, the instruction and the stage, to the whole document.
//!
//! The steps, innermost first, each one strictly larger than the last: a variable's name, the
//! whole `${NAME...}` reference; a `--mount` option's key or value, the option; a flag's name or
//! value, the flag; an argument, a JSON string or a heredoc marker or body; a comment line; the
//! keyword; the instruction (an `ONBUILD` trigger first); the stage; the document.
//!
//! Must not know: LSP types (the LSP layer links the steps as `parent`s).

use crate::analysis::syntax::mount::parse_mount;
use crate::analysis::syntax::Instruction;
use crate::analysis::{Document, Span};

/// For each offset, the nested spans around it, innermost first (never empty: the document is
/// always the last step).
pub fn selection_ranges(doc: &Document, offsets: &[usize]) -> Vec<Vec<Span>> {
    offsets.iter().map(|&o| chain(doc, doc.clamp(o))).collect()
}

fn chain(doc: &Document, offset: usize) -> Vec<Span> {
    let syntax = doc.syntax();
    let model = doc.model();
    let mut cands = vec![Span::new(0, doc.len())];
    if let Some(s) = model.stage_at(offset) {
        cands.push(model.stages[s].span);
    }
    if let Some(i) = syntax.instruction_at(offset) {
        let ins = &syntax.instructions[i];
        instruction(ins, &mut cands);
        if let Some(sub) = &ins.onbuild {
            instruction(sub, &mut cands);
        }
        for h in &ins.heredocs {
            cands.push(h.marker);
            cands.push(h.body);
        }
        for u in model.var_uses.iter().filter(|u| u.instr == i) {
            cands.push(u.name_span);
            cands.push(u.span);
        }
        for v in model.vars.iter().filter(|v| v.instr == i) {
            cands.push(v.name_span);
            if let Some(val) = &v.value {
                cands.push(val.span);
                cands.push(v.name_span.cover(val.span));
            }
        }
    }
    cands.extend(syntax.comments.iter().copied());
    let mut inside: Vec<Span> = cands.into_iter().filter(|s| s.touches(offset)).collect();
    inside.sort_by_key(|s| (s.len(), s.start));
    let mut out: Vec<Span> = Vec::new();
    for s in inside {
        match out.last() {
            Some(last) if !(s.start <= last.start && last.end <= s.end && s != *last) => {}
            _ => out.push(s),
        }
    }
    out
}

fn instruction(ins: &Instruction, cands: &mut Vec<Span>) {
    cands.push(ins.span);
    cands.push(ins.keyword.span);
    for f in &ins.flags {
        cands.push(f.span);
        cands.push(f.name.span);
        if let Some(v) = &f.value {
            cands.push(v.span);
            if f.name.text == "mount" {
                for opt in parse_mount(v) {
                    cands.push(opt.span);
                    cands.push(opt.key.span);
                    if let Some(val) = &opt.value {
                        cands.push(val.span);
                    }
                }
            }
        }
    }
    cands.extend(ins.args().iter().map(|a| a.span));
    cands.extend(ins.json.iter().flatten().map(|a| a.span));
    if !ins.rest.text.is_empty() {
        cands.push(ins.rest.span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::doc_with_cursor;
    use expect_test::{expect, Expect};

    fn check(fixture: &str, expect: Expect) {
        let (doc, offset) = doc_with_cursor(fixture);
        let mut out = String::new();
        for (i, span) in selection_ranges(&doc, &[offset])[0].iter().enumerate() {
            out.push_str(&format!("{i}: {:?}\n", doc.slice(*span)));
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn variable_in_an_argument() {
        check(
            r#"
ARG V=1
FROM alpine AS a
RUN echo ${V<|>:-x} done
FROM a
"#,
            expect![[r#"
                0: "V"
                1: "${V:-x}"
                2: "echo ${V:-x} done"
                3: "RUN echo ${V:-x} done"
                4: "FROM alpine AS a\nRUN echo ${V:-x} done"
                5: "ARG V=1\nFROM alpine AS a\nRUN echo ${V:-x} done\nFROM a\n"
            "#]],
        );
    }

    #[test]
    fn mount_option_in_a_flag() {
        check(
            r#"
FROM alpine
RUN --mount=type=cache,tar<|>get=/root/.cache \
    go build
"#,
            expect![[r#"
                0: "target"
                1: "target=/root/.cache"
                2: "type=cache,target=/root/.cache"
                3: "--mount=type=cache,target=/root/.cache"
                4: "RUN --mount=type=cache,target=/root/.cache \\\n    go build"
                5: "FROM alpine\nRUN --mount=type=cache,target=/root/.cache \\\n    go build"
                6: "FROM alpine\nRUN --mount=type=cache,target=/root/.cache \\\n    go build\n"
            "#]],
        );
    }

    #[test]
    fn heredoc_body_comment_and_outside() {
        check(
            "FROM a\nRUN <<EOF\necho <|>hi\nEOF\n",
            expect![[r#"
            0: "echo hi\n"
            1: "RUN <<EOF\necho hi\nEOF"
            2: "FROM a\nRUN <<EOF\necho hi\nEOF"
            3: "FROM a\nRUN <<EOF\necho hi\nEOF\n"
        "#]],
        );
        check(
            "# hello <|>there\nFROM a\n",
            expect![[r##"
            0: "# hello there"
            1: "# hello there\nFROM a\n"
        "##]],
        );
        check(
            "FROM a\n\n<|>\n",
            expect![[r#"
            0: "FROM a\n\n\n"
        "#]],
        );
    }

    #[test]
    fn crlf_and_non_ascii() {
        check(
            "FROM a\r\nCOPY --from=a [\"/é<|>\", \"/x\"]\r\n",
            expect![[r#"
            0: "\"/é\""
            1: "[\"/é\","
            2: "[\"/é\", \"/x\"]"
            3: "COPY --from=a [\"/é\", \"/x\"]"
            4: "FROM a\r\nCOPY --from=a [\"/é\", \"/x\"]"
            5: "FROM a\r\nCOPY --from=a [\"/é\", \"/x\"]\r\n"
        "#]],
        );
    }
}
