//! Formatting rules as fixtures, idempotence and parse preservation as properties, and the
//! real-world corpus (`../shared/corpus/real`, skipped when absent).

use std::path::{Path, PathBuf};

use expect_test::{expect, Expect};
use proptest::prelude::*;

use super::*;

fn fmt_with(text: &str, config: &FormatConfig) -> String {
    let doc = Document::new(text, 0);
    apply(text, &format(&doc, config, None))
}

/// Trailing blanks shown as `·`, CR as `␍`, so snapshots show what changed.
fn show(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let trimmed = body.trim_end_matches([' ', '\t']);
        out.push_str(&trimmed.replace('\r', "␍"));
        out.push_str(&"·".repeat(body.len() - trimmed.len()));
        out.push('\n');
    }
    out
}

fn check(text: &str, expect: Expect) {
    check_with(text, &FormatConfig::default(), expect);
}

fn check_with(text: &str, config: &FormatConfig, expect: Expect) {
    let out = fmt_with(text, config);
    // Every fixture is also a round-trip and idempotence check.
    let syntax = parser::parse_str(text);
    assert_eq!(
        signature(text, &syntax),
        signature(&out, &parser::parse_str(&out))
    );
    assert_eq!(fmt_with(&out, config), out, "not idempotent");
    expect.assert_eq(&show(&out));
}

#[test]
fn keywords_leading_and_trailing_blanks() {
    check(
        "  from alpine AS base  \n\trun echo hi\t\ncopy . /src\nonbuild run make\nbogus thing\n",
        expect![[r#"
            FROM alpine AS base
            RUN echo hi
            COPY . /src
            ONBUILD RUN make
            bogus thing
        "#]],
    );
    let lower = FormatConfig {
        keyword_case: KeywordCase::Lower,
        ..FormatConfig::default()
    };
    check_with(
        "FROM a\nRun b\n",
        &lower,
        expect![[r#"
        from a
        run b
    "#]],
    );
    let keep = FormatConfig {
        keyword_case: KeywordCase::Preserve,
        ..FormatConfig::default()
    };
    check_with(
        "FROM a\nRun b\n",
        &keep,
        expect![[r#"
        FROM a
        Run b
    "#]],
    );
}

#[test]
fn continuation_indentation_where_tokens_are_values() {
    check(
        "FROM alpine\nCOPY --chown=1:1 \\\n  a \\\n        b \\\n/dst/\nENV A=1 \\\n B=\"x \\\n y\"\nEXPOSE 80\\\n 443\nCMD [\"a\", \\\n\"b\"]\n",
        expect![[r#"
            FROM alpine
            COPY --chown=1:1 \
                a \
                b \
                /dst/
            ENV A=1 \
                B="x \
             y"
            EXPOSE 80\
                443
            CMD ["a", \
                "b"]
        "#]],
    );
}

#[test]
fn shell_text_keeps_its_spacing_but_flags_are_reindented() {
    check(
        "FROM alpine\nRUN --mount=type=cache,target=/c \\\n  --network=none \\\n  apt-get update && \\\n      apt-get install -y \\\n  curl   \nRUN echo \"a \\\n   b\"\nENV LEGACY hello \\\n   world\n",
        expect![[r#"
            FROM alpine
            RUN --mount=type=cache,target=/c \
                --network=none \
                apt-get update && \
                  apt-get install -y \
              curl
            RUN echo "a \
               b"
            ENV LEGACY hello \
               world
        "#]],
    );
}

#[test]
fn no_separator_is_ever_added_or_removed() {
    // `COPY a\` + `b` joins to one word `ab`: indenting would split it.
    check(
        "FROM alpine\nCOPY a\\\nb /x\nCOPY a \\\nb /x\n",
        expect![[r#"
            FROM alpine
            COPY a\
            b /x
            COPY a \
                b /x
        "#]],
    );
}

#[test]
fn ignore_multiline_instructions_keeps_hand_alignment() {
    let config = FormatConfig {
        ignore_multiline_instructions: true,
        ..FormatConfig::default()
    };
    check_with(
        "from alpine\ncopy a \\\n  b \\\n      /x/  \n",
        &config,
        expect![[r#"
            FROM alpine
            COPY a \
              b \
                  /x/
        "#]],
    );
}

#[test]
fn heredocs_comments_and_empty_continuation_lines() {
    check(
        "FROM alpine\nrun <<EOF   \n  echo hi   \n\tEOF  \nEOF\nRUN <<-X\n\tx  \n\tX\n  # trailing comment   \nCOPY a \\\n    # inner   \n   \n  b /x\n",
        expect![[r#"
            FROM alpine
            RUN <<EOF
              echo hi···
            	EOF··
            EOF
            RUN <<-X
            	x··
            	X
            # trailing comment
            COPY a \
                # inner

                b /x
        "#]],
    );
}

#[test]
fn directives_are_untouched() {
    check(
        "# escape=`  \n# syntax=x   \n\nfrom windows  \nrun dir `\n c:\\  \n",
        expect![[r#"
            # escape=`··
            # syntax=x···

            FROM windows
            RUN dir `
             c:\
        "#]],
    );
}

#[test]
fn backtick_escape_continuations() {
    check(
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore `\n  AS base\nCOPY a `\n b C:\\x\\\n",
        expect![[r#"
            # escape=`
            FROM mcr.microsoft.com/windows/servercore `
                AS base
            COPY a `
                b C:\x\
        "#]],
    );
}

#[test]
fn crlf_and_lone_cr() {
    check(
        "from a  \r\ncopy x \\  \r\n  y /z\r\n\r\n  \r\nrun a\rb  \r\n",
        expect![[r#"
            FROM a␍
            COPY x \␍
                y /z␍
            ␍
            ␍
            RUN a␍b  ␍
        "#]],
    );
}

#[test]
fn blank_line_between_stages() {
    let config = FormatConfig {
        blank_line_between_stages: true,
        ..FormatConfig::default()
    };
    check_with(
        "FROM a AS one\nRUN x\n# the second stage\nFROM b\n\n\n\nRUN y\n\n\n# third\n\n# stage\nFROM c\r\nFROM d\n",
        &config,
        expect![[r#"
            FROM a AS one
            RUN x

            # the second stage
            FROM b



            RUN y


            # third

            # stage
            FROM c␍
            ␍
            FROM d
        "#]],
    );
}

#[test]
fn range_formatting_touches_only_the_lines_in_range() {
    let text = "from a\nrun x   \nrun y   \n";
    let doc = Document::new(text, 0);
    let edits = format(&doc, &FormatConfig::default(), Some(Span::new(8, 9)));
    expect![[r#"
        from a
        RUN x
        run y···
    "#]]
    .assert_eq(&show(&apply(text, &edits)));
}

#[test]
fn on_type_indents_a_new_continuation_line() {
    let on_type = |fixture: &str| {
        let (text, marks) = crate::analysis::test_support::parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        show(&apply(
            &text,
            &format_on_type(&doc, &FormatConfig::default(), marks[0]),
        ))
    };
    expect![[r#"
        FROM a
        RUN apt-get update && \
        ····
    "#]]
    .assert_eq(&on_type("FROM a\nrun apt-get update && \\\n<|>"));
    expect![[r#"
        RUN a && \
              b && \
        ······
    "#]]
    .assert_eq(&on_type("RUN a && \\\n      b && \\\n<|>\n"));
    expect![[r#"
        RUN <<EOF
        x \

        EOF
    "#]]
    .assert_eq(&on_type("RUN <<EOF\nx \\\n<|>\nEOF\n"));
    expect![[r#"
        FROM a
        RUN b
    "#]]
    .assert_eq(&on_type("from a  \n<|>RUN b\n"));
}

#[test]
fn edits_are_minimal() {
    let text = "FROM a\nRUN b  \nCOPY c \\\n d /e\n";
    let doc = Document::new(text, 0);
    let edits = format(&doc, &FormatConfig::default(), None);
    let shown: Vec<String> = edits
        .iter()
        .map(|e| {
            format!(
                "{:?} {:?} -> {:?}",
                e.span,
                &text[e.span.start..e.span.end],
                e.text
            )
        })
        .collect();
    expect![[r#"
        12..14 "  " -> ""
        24..25 " " -> "    ""#]]
    .assert_eq(&shown.join("\n"));
}

fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "FROM a",
        "from b AS c",
        "RUN ",
        "run ",
        "COPY ",
        "copy --from=c ",
        "ENV A=1 ",
        "ENV A ",
        "LABEL a=\"x ",
        "ARG V ",
        "CMD [\"a\", ",
        "\"b\"]",
        "EXPOSE 80 ",
        "ONBUILD run ",
        "HEALTHCHECK --interval=5s CMD ",
        "echo ",
        "\"q ",
        "'s ",
        "x",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "\\\n",
        " \\\n",
        " \\  \n",
        "`\n",
        "# c\n",
        "  # c  \n",
        "\n\n",
        "<<EOF\n",
        "EOF\n",
        "<<-E\n\tE\n",
        "# escape=`\n",
        "é",
        "日本",
        "--mount=type=cache,target=/x ",
        "  \n",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Formatting keeps the parse (even before the safety net) and is idempotent, for every
    /// setting combination.
    #[test]
    fn keeps_the_parse_and_is_idempotent(
        parts in prop::collection::vec(fragment(), 0..40),
        case in 0..3u8,
        ignore in any::<bool>(),
        blank in any::<bool>(),
    ) {
        let text: String = parts.concat();
        let config = FormatConfig {
            keyword_case: [KeywordCase::Upper, KeywordCase::Lower, KeywordCase::Preserve][case as usize],
            ignore_multiline_instructions: ignore,
            blank_line_between_stages: blank,
            ..FormatConfig::default()
        };
        let syntax = parser::parse_str(&text);
        let raw = apply(&text, &edits(&text, &syntax, &config, true));
        prop_assert_eq!(signature(&text, &syntax), signature(&raw, &parser::parse_str(&raw)));
        let once = fmt_with(&text, &config);
        prop_assert_eq!(&once, &raw);
        prop_assert_eq!(fmt_with(&once, &config), once.clone());
    }
}

/// Every file of the real-world corpus: the unverified edits keep the parse, and formatting is
/// idempotent. Prints the round-trip figure.
#[test]
fn corpus_round_trip() {
    // `../shared` beside the repository; DOCKERFILE_LS_CORPUS points elsewhere (worktrees).
    let dir = std::env::var_os("DOCKERFILE_LS_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real"),
        PathBuf::from,
    );
    // MANIFEST.tsv lists the files (first column, after a header line).
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
        eprintln!("skipping corpus_round_trip: {} not found", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|f| !f.is_empty())
        .map(|f| dir.join(f))
        .collect();
    files.sort();
    // The defaults, and a configuration that touches far more lines.
    let configs = [
        FormatConfig::default(),
        FormatConfig {
            keyword_case: KeywordCase::Lower,
            blank_line_between_stages: true,
            indent: "\t".to_string(),
            ..FormatConfig::default()
        },
    ];
    for config in &configs {
        let (mut same, mut changed, mut failures) = (0, 0, Vec::new());
        for path in &files {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let syntax = parser::parse_str(&text);
            let raw = apply(&text, &edits(&text, &syntax, config, true));
            let once = fmt_with(&text, config);
            if signature(&text, &syntax) != signature(&raw, &parser::parse_str(&raw)) {
                failures.push(format!("{}: parse changed", path.display()));
            } else if once != raw {
                failures.push(format!("{}: safety net fired", path.display()));
            } else if fmt_with(&once, config) != once {
                failures.push(format!("{}: not idempotent", path.display()));
            } else {
                same += 1;
            }
            if once != text {
                changed += 1;
            }
        }
        eprintln!(
        "corpus_round_trip ({config:?}): {same}/{} files keep their parse and are idempotent; {changed} changed by formatting",
        files.len()
    );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
