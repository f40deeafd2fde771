//! Semantic token fixtures: every token rendered under the text as `^^^ type.modifier`.

use expect_test::{expect, Expect};

use super::*;
use crate::analysis::test_support::{parse_fixture, render};

fn label(t: &SemanticToken) -> String {
    let mut s = t.ty.name().to_string();
    for (i, m) in MODIFIERS.iter().enumerate() {
        if t.modifiers & (1 << i) != 0 {
            s.push('.');
            s.push_str(m);
        }
    }
    s
}

fn check(fixture: &str, expect: Expect) {
    let (text, _) = parse_fixture(fixture);
    let doc = Document::new(&text, 0);
    let tokens = semantic_tokens(&doc, None);
    assert_sorted_disjoint(&doc, &tokens);
    let spans: Vec<_> = tokens.iter().map(|t| (t.span, label(t))).collect();
    expect.assert_eq(&render(&text, &spans));
}

/// The invariants clients rely on: sorted, non-empty, disjoint, inside the text, on char
/// boundaries, and every type and modifier in the legend.
pub(crate) fn assert_sorted_disjoint(doc: &Document, tokens: &[SemanticToken]) {
    let text = doc.text().to_string();
    let mut end = 0;
    for t in tokens {
        assert!(t.span.start >= end, "overlap at {:?}", t.span);
        assert!(t.span.start < t.span.end, "empty token at {:?}", t.span);
        assert!(t.span.end <= text.len(), "token past the end: {:?}", t.span);
        assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
        assert!((t.ty.index() as usize) < TokenType::ALL.len());
        assert_eq!(TokenType::ALL[t.ty.index() as usize], t.ty);
        assert_eq!(
            t.modifiers >> MODIFIERS.len(),
            0,
            "modifier outside the legend"
        );
        end = t.span.end;
    }
}

#[test]
fn keywords_flags_stages_images_and_variables() {
    check(
        r#"
# syntax=docker/dockerfile:1
ARG GO=1.22
FROM --platform=$BUILDPLATFORM golang:${GO:-1.21} AS build
ARG TARGETARCH
RUN --mount=type=cache,target=/root/.cache,sharing=locked \
    GOARCH=$TARGETARCH go build -o /out/app # not a comment
FROM scratch
COPY --from=build --chmod=755 /out/app /app
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
LABEL org.opencontainers.image.title="app"
maintainer me
CMD ["/app", "--serve"]
HEALTHCHECK --interval=5s CMD ["/app", "health"]
"#,
        expect![[r##"
            # syntax=docker/dockerfile:1
            ^^ comment
              ^^^^^^ macro
                    ^ operator
                     ^^^^^^^^^^^^^^^^^^^ string
            ARG GO=1.22
            ^^^ keyword
                ^^ variable.declaration
                  ^ operator
            FROM --platform=$BUILDPLATFORM golang:${GO:-1.21} AS build
            ^^^^ keyword
                 ^^^^^^^^^^ parameter
                           ^ operator
                            ^^^^^^^^^^^^^^ variable.readonly.defaultLibrary
                                                  ^^^^ variable
                                                      ^^ operator
                                                              ^^ keyword
                                                                 ^^^^^ class.declaration
            ARG TARGETARCH
            ^^^ keyword
                ^^^^^^^^^^ variable.declaration.readonly.defaultLibrary
            RUN --mount=type=cache,target=/root/.cache,sharing=locked \
            ^^^ keyword
                ^^^^^^^ parameter
                       ^ operator
                        ^^^^ property
                            ^ operator
                             ^^^^^ enumMember
                                   ^^^^^^ property
                                         ^ operator
                                                       ^^^^^^^ property
                                                              ^ operator
                                                               ^^^^^^ enumMember
                GOARCH=$TARGETARCH go build -o /out/app # not a comment
                       ^^^^^^^^^^^ variable.readonly.defaultLibrary
            FROM scratch
            ^^^^ keyword
                 ^^^^^^^ namespace.defaultLibrary
            COPY --from=build --chmod=755 /out/app /app
            ^^^^ keyword
                 ^^^^^^ parameter
                       ^ operator
                        ^^^^^ class
                              ^^^^^^^ parameter
                                     ^ operator
            COPY --from=nginx:1.27 /etc/nginx /etc/nginx
            ^^^^ keyword
                 ^^^^^^ parameter
                       ^ operator
                        ^^^^^ namespace
                             ^^^^^ string
            LABEL org.opencontainers.image.title="app"
            ^^^^^ keyword
                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ property
                                                ^ operator
            maintainer me
            ^^^^^^^^^^ keyword.deprecated
            CMD ["/app", "--serve"]
            ^^^ keyword
                 ^^^^^^ string
                         ^^^^^^^^^ string
            HEALTHCHECK --interval=5s CMD ["/app", "health"]
            ^^^^^^^^^^^ keyword
                        ^^^^^^^^^^ parameter
                                  ^ operator
                                      ^^^ keyword
                                           ^^^^^^ string
                                                   ^^^^^^^^ string
        "##]],
    );
}

#[test]
fn heredocs_onbuild_and_comments() {
    check(
        r#"
FROM alpine AS base
# build the thing
RUN <<-EOF bash
	echo "$HOME ${USER}"
	EOF
COPY <<"CONF" /etc/app.conf
value=$NOT_EXPANDED
CONF
ONBUILD COPY --from=base /a /b
"#,
        expect![[r#"
            FROM alpine AS base
            ^^^^ keyword
                 ^^^^^^ namespace
                        ^^ keyword
                           ^^^^ class.declaration
            # build the thing
            ^^^^^^^^^^^^^^^^^ comment
            RUN <<-EOF bash
            ^^^ keyword
                ^^^^^^ decorator
            	echo "$HOME ${USER}"
                   ^^^^^ variable
                         ^^^^^^^ variable
            	EOF
             ^^^ decorator
            COPY <<"CONF" /etc/app.conf
            ^^^^ keyword
                 ^^^^^^^^ decorator
            value=$NOT_EXPANDED
            CONF
            ^^^^ decorator
            ONBUILD COPY --from=base /a /b
            ^^^^^^^ keyword
                    ^^^^ keyword
                         ^^^^^^ parameter
                               ^ operator
        "#]],
    );
}

#[test]
fn crlf_backtick_escape_and_continued_words() {
    check(
        "# escape=`\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\r\nRUN --network=none `\r\n    echo hi\r\nCOPY --fr`\r\nom=win C:\\a C:\\b\r\n",
        expect![[r#"
            # escape=`
            ^^ comment
              ^^^^^^ macro
                    ^ operator
                     ^ string
            FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win
            ^^^^ keyword
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ namespace
                                                     ^^^^^^^^^ string
                                                               ^^ keyword
                                                                  ^^^ class.declaration
            RUN --network=none `
            ^^^ keyword
                ^^^^^^^^^ parameter
                         ^ operator
                          ^^^^ enumMember
                echo hi
            COPY --fr`
            ^^^^ keyword
                 ^^^^^ parameter
            om=win C:\a C:\b
              ^ operator
               ^^^ class
        "#]],
    );
}

#[test]
fn range_filter_keeps_overlapping_tokens() {
    let doc = Document::new("FROM a AS b\nRUN echo $X\nCOPY --from=b / /\n", 0);
    let all = semantic_tokens(&doc, None);
    let ranged = semantic_tokens(&doc, Some(Span::new(12, 23)));
    assert!(ranged.len() < all.len());
    assert!(ranged.iter().all(|t| t.span.end > 12 && t.span.start < 23));
    assert_eq!(ranged.first().map(|t| t.ty), Some(TokenType::Keyword));
}

#[test]
fn broken_input_gives_valid_tokens() {
    for text in [
        "",
        "FROM",
        "FROM --platform= AS",
        "RUN --mount=type=cache,\"target=/x\" <<EOF\n",
        "ARG =x\nENV ${A:-${B:-}}\nCOPY --from= /a\n",
        "\u{feff}FROM a\r",
        "ONBUILD ONBUILD RUN x",
        "HEALTHCHECK CMD\nLABEL =\n",
    ] {
        let doc = Document::new(text, 0);
        assert_sorted_disjoint(&doc, &semantic_tokens(&doc, None));
    }
}

/// Every file of the real-world corpus (`../shared/corpus/real`) gives sorted, disjoint tokens
/// inside the document. Skipped, saying so, when the corpus is not beside the repository.
#[test]
fn corpus_tokens_stay_sorted_disjoint_and_inside() {
    let Some(files) = crate::analysis::test_support::corpus_texts() else {
        return;
    };
    let mut tokens = 0;
    for (_, text) in &files {
        let doc = Document::new(text, 0);
        let t = semantic_tokens(&doc, None);
        assert_sorted_disjoint(&doc, &t);
        tokens += t.len();
    }
    eprintln!("corpus: {} files, {tokens} tokens", files.len());
}

mod props {
    use proptest::prelude::*;

    use super::assert_sorted_disjoint;
    use crate::analysis::features::{
        hover, inlay_hints, semantic_tokens, signature_help, HoverConfig, InlayHintsConfig,
    };
    use crate::analysis::{Document, Span};

    const FRAGMENTS: &[&str] = &[
        "\n",
        "\r\n",
        "\r",
        " ",
        "\t",
        "FROM ",
        " AS ",
        "stage",
        "--from=",
        "build",
        "COPY ",
        "RUN ",
        "ARG ",
        "ENV ",
        "LABEL ",
        "HEALTHCHECK ",
        "CMD ",
        "ONBUILD ",
        "<<EOF\n",
        "EOF\n",
        "<<-\"X\"\n\tX\n",
        "\\\n",
        "`\n",
        "# escape=`\n",
        "# syntax=docker/dockerfile:1\n",
        "$A",
        "${B:-x}",
        "${C",
        "A=1 ",
        "=",
        "\"",
        "'",
        "[\"sh\", \"-c\"]",
        "🦀",
        "é",
        "#",
        "# c\n",
        "--mount=type=cache,target=/x,from=build ",
        "--platform=$BUILDPLATFORM ",
        "alpine:3.20",
        "ghcr.io/o/i@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "scratch",
        "\u{0}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Random Dockerfile-ish text: tokens stay sorted, disjoint and inside the text, and
        /// hover, signature help and inlay hints never panic at any offset.
        #[test]
        fn features_hold_on_random_text(
            parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40),
            probes in prop::collection::vec(any::<usize>(), 1..8),
        ) {
            let text = parts.concat();
            let doc = Document::new(&text, 0);
            assert_sorted_disjoint(&doc, &semantic_tokens(&doc, None));
            // `var_value` finds the uses of one instruction by binary search.
            let uses = &doc.model().var_uses;
            prop_assert!(uses.windows(2).all(|w| w[0].instr <= w[1].instr));
            let all = Span::new(0, doc.len());
            let _ = inlay_hints(&doc, all, InlayHintsConfig::default());
            for p in probes {
                let offset = p % (doc.len() + 2);
                let _ = hover(&doc, offset, HoverConfig { markdown: p % 2 == 0 });
                let _ = signature_help(&doc, offset);
                let ranged = semantic_tokens(&doc, Some(Span::new(offset.min(doc.len()), doc.len())));
                assert_sorted_disjoint(&doc, &ranged);
            }
        }
    }
}
