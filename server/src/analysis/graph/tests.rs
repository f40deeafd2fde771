//! Snapshot tests of the stage graph: code lenses, text (box drawing and ASCII), Mermaid and DOT
//! for the cases the graph must get right, plus structural checks of the SVG. The JSON form is
//! snapshotted from the same [`CASES`] in `lsp::convert`.

use expect_test::{expect, Expect};

use super::text::Charset;
use super::{render, Format, StageGraph};
use crate::analysis::features::code_lens::{code_lenses, resolve, LensAction};
use crate::analysis::test_support::{parse_fixture, render as render_spans};
use crate::analysis::{Document, Span};

pub(crate) const LINEAR: &str = r#"
FROM golang:1.22 AS deps
FROM deps AS build
FROM build AS final
"#;

pub(crate) const DIAMOND: &str = r#"
FROM alpine:3.20 AS base
FROM base AS left
FROM base AS right
FROM base AS final
COPY --from=left /l /l
COPY --from=right /r /r
"#;

pub(crate) const CYCLE: &str = r#"
FROM alpine AS a
COPY --from=b /b /b
FROM alpine AS b
RUN --mount=from=a,target=/a true
FROM scratch AS final
COPY --from=a /a /a
"#;

pub(crate) const NUMERIC_FROM: &str = r#"
FROM golang:1.22
RUN go build -o /app
FROM alpine
COPY --from=0 /app /app
COPY --from=7 /x /x
"#;

pub(crate) const IMAGE_FROM: &str = r#"
FROM alpine AS final
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
RUN --mount=from=busybox,target=/bb true
"#;

pub(crate) const UNREACHABLE: &str = r#"
FROM node:20 AS assets
FROM alpine AS docs
COPY --from=assets /dist /site
FROM alpine AS test
FROM scratch AS final
COPY --from=assets /dist /public
"#;

pub(crate) const CHOSEN_TARGET: &str = r#"
# dockerfile-ls: target=test
FROM golang:1.22 AS build
FROM build AS test
FROM scratch AS final
COPY --from=build /app /app
"#;

/// Forty stages: a chain with a new base every fifth stage, copies and mounts back.
pub(crate) fn forty_stages() -> String {
    let mut s = String::from("\nFROM golang:1.22 AS s0\n");
    for i in 1..40 {
        if i % 5 == 0 {
            s.push_str(&format!("FROM alpine:3.20 AS s{i}\n"));
        } else {
            s.push_str(&format!("FROM s{} AS s{i}\n", i - 1));
        }
        if i % 3 == 0 {
            s.push_str(&format!("COPY --from=s{} /out /in{i}\n", i - 3));
        }
        if i % 7 == 0 {
            s.push_str(&format!("RUN --mount=from=s{},target=/m true\n", i / 2));
        }
    }
    s
}

/// Every case: name, fixture, target setting.
pub(crate) fn cases() -> Vec<(&'static str, String, Option<&'static str>)> {
    vec![
        ("linear", LINEAR.to_string(), None),
        ("diamond", DIAMOND.to_string(), None),
        ("cycle", CYCLE.to_string(), None),
        ("numeric_from", NUMERIC_FROM.to_string(), None),
        ("image_from", IMAGE_FROM.to_string(), None),
        ("unreachable", UNREACHABLE.to_string(), None),
        ("chosen_target", CHOSEN_TARGET.to_string(), None),
        ("setting_target", UNREACHABLE.to_string(), Some("docs")),
        ("forty", forty_stages(), None),
    ]
}

pub(crate) fn doc_of(fixture: &str) -> Document {
    let (text, _) = parse_fixture(fixture);
    Document::new(&text, 0)
}

/// Lenses, text (Unicode), Mermaid and DOT of one fixture.
fn check(fixture: &str, target: Option<&str>, expect: Expect) {
    let doc = doc_of(fixture);
    let g = StageGraph::build(&doc, target);
    let text = doc.text().to_string();
    let lenses: Vec<(Span, String)> = code_lenses(&doc, &g)
        .into_iter()
        .map(|l| {
            let r = resolve(&g, l.stage, l.kind).expect("listed lenses resolve");
            let action = match r.action {
                LensAction::StageReferences { stage } => format!("references {stage}"),
                LensAction::StageGraph => "graph".to_string(),
            };
            (l.span, format!("{} [{action}]", r.title))
        })
        .collect();
    let out = format!(
        "--- lenses\n{}--- text\n{}--- mermaid\n{}--- dot\n{}",
        render_spans(&text, &lenses),
        render(&g, Format::Text(Charset::Unicode)),
        render(&g, Format::Mermaid),
        render(&g, Format::Dot),
    );
    expect.assert_eq(&out);
}

#[test]
fn linear_chain() {
    check(
        LINEAR,
        None,
        expect![[r##"
        --- lenses
        FROM golang:1.22 AS deps
        ^^^^ stage 0 · base: golang:1.22 · used by: build [references 0]
        FROM deps AS build
        ^^^^ stage 1 · base: deps · used by: final [references 1]
        FROM build AS final
        ^^^^ stage 2 · base: build [references 2]
        ^^^^ target [graph]
        --- text
        final · stage 2 · FROM build · line 3 · target
        └── base: build · stage 1 · FROM deps · line 2
            └── base: deps · stage 0 · FROM golang:1.22 · line 1
        --- mermaid
        flowchart TB
          %% target: final
          s0["<b>deps</b><br/>stage 0 · FROM golang:1.22<br/>line 1"]
          s1["<b>build</b><br/>stage 1 · FROM deps<br/>line 2"]
          s2["<b>final</b><br/>stage 2 · FROM build<br/>line 3<br/>target"]
          i0(["golang:1.22"])
          i0 -->|base| s0
          s0 -->|base| s1
          s1 -->|base| s2
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s2 target
          class i0 image
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: final";
          labelloc=t;
          n0 [label="deps\nstage 0 · FROM golang:1.22\nline 1"];
          n1 [label="build\nstage 1 · FROM deps\nline 2"];
          n2 [label="final\nstage 2 · FROM build\nline 3\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n3 [label="golang:1.22", shape=ellipse, style=filled];
          n3 -> n0 [label="base", style=solid];
          n0 -> n1 [label="base", style=solid];
          n1 -> n2 [label="base", style=solid];
        }
    "##]],
    );
}

#[test]
fn diamond() {
    check(
        DIAMOND,
        None,
        expect![[r##"
        --- lenses
        FROM alpine:3.20 AS base
        ^^^^ stage 0 · base: alpine:3.20 · used by: left, right, final [references 0]
        FROM base AS left
        ^^^^ stage 1 · base: base · used by: final [references 1]
        FROM base AS right
        ^^^^ stage 2 · base: base · used by: final [references 2]
        FROM base AS final
        ^^^^ stage 3 · base: base · copies from: left, right [references 3]
        ^^^^ target [graph]
        COPY --from=left /l /l
        COPY --from=right /r /r
        --- text
        final · stage 3 · FROM base · line 4 · target
        ├── base: base · stage 0 · FROM alpine:3.20 · line 1
        ├── copy: left · stage 1 · FROM base · line 2
        │   └── base: base (see above)
        └── copy: right · stage 2 · FROM base · line 3
            └── base: base (see above)
        --- mermaid
        flowchart TB
          %% target: final
          s0["<b>base</b><br/>stage 0 · FROM alpine:3.20<br/>line 1"]
          s1["<b>left</b><br/>stage 1 · FROM base<br/>line 2"]
          s2["<b>right</b><br/>stage 2 · FROM base<br/>line 3"]
          s3["<b>final</b><br/>stage 3 · FROM base<br/>line 4<br/>target"]
          i0(["alpine:3.20"])
          i0 -->|base| s0
          s0 -->|base| s1
          s0 -->|base| s2
          s0 -->|base| s3
          s1 -.->|copy| s3
          s2 -.->|copy| s3
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s3 target
          class i0 image
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: final";
          labelloc=t;
          n0 [label="base\nstage 0 · FROM alpine:3.20\nline 1"];
          n1 [label="left\nstage 1 · FROM base\nline 2"];
          n2 [label="right\nstage 2 · FROM base\nline 3"];
          n3 [label="final\nstage 3 · FROM base\nline 4\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n4 [label="alpine:3.20", shape=ellipse, style=filled];
          n4 -> n0 [label="base", style=solid];
          n0 -> n1 [label="base", style=solid];
          n0 -> n2 [label="base", style=solid];
          n0 -> n3 [label="base", style=solid];
          n1 -> n3 [label="copy", style=dashed];
          n2 -> n3 [label="copy", style=dashed];
        }
    "##]],
    );
}

#[test]
fn cycle_is_reported_not_followed() {
    check(
        CYCLE,
        None,
        expect![[r##"
        --- lenses
        FROM alpine AS a
        ^^^^ stage 0 · base: alpine · copies from: b · used by: b, final · cycle with: b [references 0]
        COPY --from=b /b /b
        FROM alpine AS b
        ^^^^ stage 1 · base: alpine · mounts from: a · used by: a · cycle with: a [references 1]
        RUN --mount=from=a,target=/a true
        FROM scratch AS final
        ^^^^ stage 2 · base: scratch · copies from: a [references 2]
        ^^^^ target [graph]
        COPY --from=a /a /a
        --- text
        final · stage 2 · FROM scratch · line 5 · target
        └── copy: a · stage 0 · FROM alpine · line 1
            └── copy: b · stage 1 · FROM alpine · line 3
                └── mount: a (cycle)

        error: circular dependency between stages a, b
        --- mermaid
        flowchart TB
          %% target: final
          s0["<b>a</b><br/>stage 0 · FROM alpine<br/>line 1"]
          s1["<b>b</b><br/>stage 1 · FROM alpine<br/>line 3"]
          s2["<b>final</b><br/>stage 2 · FROM scratch<br/>line 5<br/>target"]
          i0(["alpine"])
          i1(["scratch"])
          i0 -->|base| s0
          s1 -.->|copy| s0
          i0 -->|base| s1
          s0 ==>|mount| s1
          i1 -->|base| s2
          s0 -.->|copy| s2
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s2 target
          class i0,i1 image
          linkStyle 1,3 stroke:#d1242f,stroke-width:2px
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: final";
          labelloc=t;
          n0 [label="a\nstage 0 · FROM alpine\nline 1"];
          n1 [label="b\nstage 1 · FROM alpine\nline 3"];
          n2 [label="final\nstage 2 · FROM scratch\nline 5\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n3 [label="alpine", shape=ellipse, style=filled];
          n4 [label="scratch", shape=ellipse, style=filled];
          n3 -> n0 [label="base", style=solid];
          n1 -> n0 [label="copy", style=dashed, color="#d1242f", fontcolor="#d1242f"];
          n3 -> n1 [label="base", style=solid];
          n0 -> n1 [label="mount", style=bold, color="#d1242f", fontcolor="#d1242f"];
          n4 -> n2 [label="base", style=solid];
          n0 -> n2 [label="copy", style=dashed];
        }
    "##]],
    );
}

#[test]
fn numeric_from() {
    check(
        NUMERIC_FROM,
        None,
        expect![[r##"
        --- lenses
        FROM golang:1.22
        ^^^^ stage 0 · base: golang:1.22 · used by: stage 1 [references 0]
        RUN go build -o /app
        FROM alpine
        ^^^^ stage 1 · base: alpine · copies from: stage 0 [references 1]
        ^^^^ target [graph]
        COPY --from=0 /app /app
        COPY --from=7 /x /x
        --- text
        stage 1 · FROM alpine · line 3 · target
        └── copy: stage 0 · FROM golang:1.22 · line 1
        --- mermaid
        flowchart TB
          %% target: stage 1
          s0["<b>stage 0</b><br/>stage 0 · FROM golang:1.22<br/>line 1"]
          s1["<b>stage 1</b><br/>stage 1 · FROM alpine<br/>line 3<br/>target"]
          i0(["golang:1.22"])
          i1(["alpine"])
          i0 -->|base| s0
          i1 -->|base| s1
          s0 -.->|copy| s1
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s1 target
          class i0,i1 image
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: stage 1";
          labelloc=t;
          n0 [label="stage 0\nstage 0 · FROM golang:1.22\nline 1"];
          n1 [label="stage 1\nstage 1 · FROM alpine\nline 3\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n2 [label="golang:1.22", shape=ellipse, style=filled];
          n3 [label="alpine", shape=ellipse, style=filled];
          n2 -> n0 [label="base", style=solid];
          n3 -> n1 [label="base", style=solid];
          n0 -> n1 [label="copy", style=dashed];
        }
    "##]],
    );
}

#[test]
fn from_an_external_image() {
    check(
        IMAGE_FROM,
        None,
        expect![[r##"
        --- lenses
        FROM alpine AS final
        ^^^^ stage 0 · base: alpine · copies from: nginx:1.27 · mounts from: busybox [references 0]
        ^^^^ target [graph]
        COPY --from=nginx:1.27 /etc/nginx /etc/nginx
        RUN --mount=from=busybox,target=/bb true
        --- text
        final · stage 0 · FROM alpine · line 1 · target
        ├── copy: nginx:1.27 (image)
        └── mount: busybox (image)
        --- mermaid
        flowchart TB
          %% target: final
          s0["<b>final</b><br/>stage 0 · FROM alpine<br/>line 1<br/>target"]
          i0(["alpine"])
          i1(["nginx:1.27"])
          i2(["busybox"])
          i0 -->|base| s0
          i1 -.->|copy| s0
          i2 ==>|mount| s0
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s0 target
          class i0,i1,i2 image
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: final";
          labelloc=t;
          n0 [label="final\nstage 0 · FROM alpine\nline 1\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n1 [label="alpine", shape=ellipse, style=filled];
          n2 [label="nginx:1.27", shape=ellipse, style=filled];
          n3 [label="busybox", shape=ellipse, style=filled];
          n1 -> n0 [label="base", style=solid];
          n2 -> n0 [label="copy", style=dashed];
          n3 -> n0 [label="mount", style=bold];
        }
    "##]],
    );
}

#[test]
fn unreachable_stage() {
    check(
        UNREACHABLE,
        None,
        expect![[r##"
        --- lenses
        FROM node:20 AS assets
        ^^^^ stage 0 · base: node:20 · used by: docs, final [references 0]
        FROM alpine AS docs
        ^^^^ stage 1 · base: alpine · copies from: assets [references 1]
        ^^^^ not built for target 'final' [graph]
        COPY --from=assets /dist /site
        FROM alpine AS test
        ^^^^ stage 2 · base: alpine [references 2]
        ^^^^ not built for target 'final' [graph]
        FROM scratch AS final
        ^^^^ stage 3 · base: scratch · copies from: assets [references 3]
        ^^^^ target [graph]
        COPY --from=assets /dist /public
        --- text
        final · stage 3 · FROM scratch · line 5 · target
        └── copy: assets · stage 0 · FROM node:20 · line 1

        not built for target 'final':
        docs · stage 1 · FROM alpine · line 2
        └── copy: assets (see above)
        test · stage 2 · FROM alpine · line 4
        --- mermaid
        flowchart TB
          %% target: final
          s0["<b>assets</b><br/>stage 0 · FROM node:20<br/>line 1"]
          s1["<b>docs</b><br/>stage 1 · FROM alpine<br/>line 2"]
          s2["<b>test</b><br/>stage 2 · FROM alpine<br/>line 4"]
          s3["<b>final</b><br/>stage 3 · FROM scratch<br/>line 5<br/>target"]
          i0(["node:20"])
          i1(["alpine"])
          i2(["scratch"])
          i0 -->|base| s0
          i1 -->|base| s1
          s0 -.->|copy| s1
          i1 -->|base| s2
          i2 -->|base| s3
          s0 -.->|copy| s3
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s3 target
          class s1,s2 unreachable
          class i0,i2 image
          class i1 unreachable
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: final";
          labelloc=t;
          n0 [label="assets\nstage 0 · FROM node:20\nline 1"];
          n1 [label="docs\nstage 1 · FROM alpine\nline 2", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n2 [label="test\nstage 2 · FROM alpine\nline 4", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n3 [label="final\nstage 3 · FROM scratch\nline 5\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n4 [label="node:20", shape=ellipse, style=filled];
          n5 [label="alpine", shape=ellipse, style="filled,dashed", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2"];
          n6 [label="scratch", shape=ellipse, style=filled];
          n4 -> n0 [label="base", style=solid];
          n5 -> n1 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n0 -> n1 [label="copy", style=dashed, color="#b0b0b0", fontcolor="#8a8a8a"];
          n5 -> n2 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n6 -> n3 [label="base", style=solid];
          n0 -> n3 [label="copy", style=dashed];
        }
    "##]],
    );
}

#[test]
fn target_chosen_by_comment() {
    check(
        CHOSEN_TARGET,
        None,
        expect![[r##"
        --- lenses
        # dockerfile-ls: target=test
        FROM golang:1.22 AS build
        ^^^^ stage 0 · base: golang:1.22 · used by: test, final [references 0]
        FROM build AS test
        ^^^^ stage 1 · base: build [references 1]
        ^^^^ target [graph]
        FROM scratch AS final
        ^^^^ stage 2 · base: scratch · copies from: build [references 2]
        ^^^^ not built for target 'test' [graph]
        COPY --from=build /app /app
        --- text
        test · stage 1 · FROM build · line 3 · target
        └── base: build · stage 0 · FROM golang:1.22 · line 2

        not built for target 'test':
        final · stage 2 · FROM scratch · line 4
        └── copy: build (see above)
        --- mermaid
        flowchart TB
          %% target: test
          s0["<b>build</b><br/>stage 0 · FROM golang:1.22<br/>line 2"]
          s1["<b>test</b><br/>stage 1 · FROM build<br/>line 3<br/>target"]
          s2["<b>final</b><br/>stage 2 · FROM scratch<br/>line 4"]
          i0(["golang:1.22"])
          i1(["scratch"])
          i0 -->|base| s0
          s0 -->|base| s1
          i1 -->|base| s2
          s0 -.->|copy| s2
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s1 target
          class s2 unreachable
          class i0 image
          class i1 unreachable
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: test";
          labelloc=t;
          n0 [label="build\nstage 0 · FROM golang:1.22\nline 2"];
          n1 [label="test\nstage 1 · FROM build\nline 3\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n2 [label="final\nstage 2 · FROM scratch\nline 4", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n3 [label="golang:1.22", shape=ellipse, style=filled];
          n4 [label="scratch", shape=ellipse, style="filled,dashed", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2"];
          n3 -> n0 [label="base", style=solid];
          n0 -> n1 [label="base", style=solid];
          n4 -> n2 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n0 -> n2 [label="copy", style=dashed, color="#b0b0b0", fontcolor="#8a8a8a"];
        }
    "##]],
    );
}

#[test]
fn target_chosen_by_setting() {
    check(
        UNREACHABLE,
        Some("DOCS"),
        expect![[r##"
        --- lenses
        FROM node:20 AS assets
        ^^^^ stage 0 · base: node:20 · used by: docs, final [references 0]
        FROM alpine AS docs
        ^^^^ stage 1 · base: alpine · copies from: assets [references 1]
        ^^^^ target [graph]
        COPY --from=assets /dist /site
        FROM alpine AS test
        ^^^^ stage 2 · base: alpine [references 2]
        ^^^^ not built for target 'docs' [graph]
        FROM scratch AS final
        ^^^^ stage 3 · base: scratch · copies from: assets [references 3]
        ^^^^ not built for target 'docs' [graph]
        COPY --from=assets /dist /public
        --- text
        docs · stage 1 · FROM alpine · line 2 · target
        └── copy: assets · stage 0 · FROM node:20 · line 1

        not built for target 'docs':
        test · stage 2 · FROM alpine · line 4
        final · stage 3 · FROM scratch · line 5
        └── copy: assets (see above)
        --- mermaid
        flowchart TB
          %% target: docs
          s0["<b>assets</b><br/>stage 0 · FROM node:20<br/>line 1"]
          s1["<b>docs</b><br/>stage 1 · FROM alpine<br/>line 2<br/>target"]
          s2["<b>test</b><br/>stage 2 · FROM alpine<br/>line 4"]
          s3["<b>final</b><br/>stage 3 · FROM scratch<br/>line 5"]
          i0(["node:20"])
          i1(["alpine"])
          i2(["scratch"])
          i0 -->|base| s0
          i1 -->|base| s1
          s0 -.->|copy| s1
          i1 -->|base| s2
          i2 -->|base| s3
          s0 -.->|copy| s3
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s1 target
          class s2,s3 unreachable
          class i0,i1 image
          class i2 unreachable
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: docs";
          labelloc=t;
          n0 [label="assets\nstage 0 · FROM node:20\nline 1"];
          n1 [label="docs\nstage 1 · FROM alpine\nline 2\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n2 [label="test\nstage 2 · FROM alpine\nline 4", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n3 [label="final\nstage 3 · FROM scratch\nline 5", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n4 [label="node:20", shape=ellipse, style=filled];
          n5 [label="alpine", shape=ellipse, style=filled];
          n6 [label="scratch", shape=ellipse, style="filled,dashed", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2"];
          n4 -> n0 [label="base", style=solid];
          n5 -> n1 [label="base", style=solid];
          n0 -> n1 [label="copy", style=dashed];
          n5 -> n2 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n6 -> n3 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n0 -> n3 [label="copy", style=dashed, color="#b0b0b0", fontcolor="#8a8a8a"];
        }
    "##]],
    );
}

#[test]
fn unknown_target_falls_back_to_the_last_stage() {
    check(
        UNREACHABLE,
        Some("prod"),
        expect![[r##"
        --- lenses
        FROM node:20 AS assets
        ^^^^ stage 0 · base: node:20 · used by: docs, final [references 0]
        FROM alpine AS docs
        ^^^^ stage 1 · base: alpine · copies from: assets [references 1]
        ^^^^ not built for target 'final' [graph]
        COPY --from=assets /dist /site
        FROM alpine AS test
        ^^^^ stage 2 · base: alpine [references 2]
        ^^^^ not built for target 'final' [graph]
        FROM scratch AS final
        ^^^^ stage 3 · base: scratch · copies from: assets [references 3]
        ^^^^ target (no stage named 'prod', using the last stage) [graph]
        COPY --from=assets /dist /public
        --- text
        warning: target stage `prod` could not be found; showing the last stage
        final · stage 3 · FROM scratch · line 5 · target
        └── copy: assets · stage 0 · FROM node:20 · line 1

        not built for target 'final':
        docs · stage 1 · FROM alpine · line 2
        └── copy: assets (see above)
        test · stage 2 · FROM alpine · line 4
        --- mermaid
        flowchart TB
          %% target: final
          s0["<b>assets</b><br/>stage 0 · FROM node:20<br/>line 1"]
          s1["<b>docs</b><br/>stage 1 · FROM alpine<br/>line 2"]
          s2["<b>test</b><br/>stage 2 · FROM alpine<br/>line 4"]
          s3["<b>final</b><br/>stage 3 · FROM scratch<br/>line 5<br/>target"]
          i0(["node:20"])
          i1(["alpine"])
          i2(["scratch"])
          i0 -->|base| s0
          i1 -->|base| s1
          s0 -.->|copy| s1
          i1 -->|base| s2
          i2 -->|base| s3
          s0 -.->|copy| s3
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s3 target
          class s1,s2 unreachable
          class i0,i2 image
          class i1 unreachable
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: final";
          labelloc=t;
          n0 [label="assets\nstage 0 · FROM node:20\nline 1"];
          n1 [label="docs\nstage 1 · FROM alpine\nline 2", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n2 [label="test\nstage 2 · FROM alpine\nline 4", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n3 [label="final\nstage 3 · FROM scratch\nline 5\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n4 [label="node:20", shape=ellipse, style=filled];
          n5 [label="alpine", shape=ellipse, style="filled,dashed", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2"];
          n6 [label="scratch", shape=ellipse, style=filled];
          n4 -> n0 [label="base", style=solid];
          n5 -> n1 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n0 -> n1 [label="copy", style=dashed, color="#b0b0b0", fontcolor="#8a8a8a"];
          n5 -> n2 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n6 -> n3 [label="base", style=solid];
          n0 -> n3 [label="copy", style=dashed];
        }
    "##]],
    );
}

#[test]
fn forty_stages_text() {
    check(
        &forty_stages(),
        None,
        expect![[r##"
        --- lenses
        FROM golang:1.22 AS s0
        ^^^^ stage 0 · base: golang:1.22 · used by: s1, s3 [references 0]
        FROM s0 AS s1
        ^^^^ stage 1 · base: s0 · used by: s2 [references 1]
        FROM s1 AS s2
        ^^^^ stage 2 · base: s1 · used by: s3 [references 2]
        FROM s2 AS s3
        ^^^^ stage 3 · base: s2 · copies from: s0 · used by: s4, s6, s7 [references 3]
        COPY --from=s0 /out /in3
        FROM s3 AS s4
        ^^^^ stage 4 · base: s3 [references 4]
        ^^^^ not built for target 's39' [graph]
        FROM alpine:3.20 AS s5
        ^^^^ stage 5 · base: alpine:3.20 · used by: s6 [references 5]
        FROM s5 AS s6
        ^^^^ stage 6 · base: s5 · copies from: s3 · used by: s7, s9 [references 6]
        COPY --from=s3 /out /in6
        FROM s6 AS s7
        ^^^^ stage 7 · base: s6 · mounts from: s3 · used by: s8, s14 [references 7]
        RUN --mount=from=s3,target=/m true
        FROM s7 AS s8
        ^^^^ stage 8 · base: s7 · used by: s9 [references 8]
        FROM s8 AS s9
        ^^^^ stage 9 · base: s8 · copies from: s6 · used by: s12 [references 9]
        COPY --from=s6 /out /in9
        FROM alpine:3.20 AS s10
        ^^^^ stage 10 · base: alpine:3.20 · used by: s11, s21 [references 10]
        FROM s10 AS s11
        ^^^^ stage 11 · base: s10 · used by: s12 [references 11]
        FROM s11 AS s12
        ^^^^ stage 12 · base: s11 · copies from: s9 · used by: s13, s15 [references 12]
        COPY --from=s9 /out /in12
        FROM s12 AS s13
        ^^^^ stage 13 · base: s12 · used by: s14 [references 13]
        ^^^^ not built for target 's39' [graph]
        FROM s13 AS s14
        ^^^^ stage 14 · base: s13 · mounts from: s7 · used by: s28 [references 14]
        ^^^^ not built for target 's39' [graph]
        RUN --mount=from=s7,target=/m true
        FROM alpine:3.20 AS s15
        ^^^^ stage 15 · base: alpine:3.20 · copies from: s12 · used by: s16, s18 [references 15]
        COPY --from=s12 /out /in15
        FROM s15 AS s16
        ^^^^ stage 16 · base: s15 · used by: s17 [references 16]
        FROM s16 AS s17
        ^^^^ stage 17 · base: s16 · used by: s18, s35 [references 17]
        FROM s17 AS s18
        ^^^^ stage 18 · base: s17 · copies from: s15 · used by: s19, s21 [references 18]
        COPY --from=s15 /out /in18
        FROM s18 AS s19
        ^^^^ stage 19 · base: s18 [references 19]
        ^^^^ not built for target 's39' [graph]
        FROM alpine:3.20 AS s20
        ^^^^ stage 20 · base: alpine:3.20 · used by: s21 [references 20]
        FROM s20 AS s21
        ^^^^ stage 21 · base: s20 · copies from: s18 · mounts from: s10 · used by: s22, s24 [references 21]
        COPY --from=s18 /out /in21
        RUN --mount=from=s10,target=/m true
        FROM s21 AS s22
        ^^^^ stage 22 · base: s21 · used by: s23 [references 22]
        FROM s22 AS s23
        ^^^^ stage 23 · base: s22 · used by: s24 [references 23]
        FROM s23 AS s24
        ^^^^ stage 24 · base: s23 · copies from: s21 · used by: s27 [references 24]
        COPY --from=s21 /out /in24
        FROM alpine:3.20 AS s25
        ^^^^ stage 25 · base: alpine:3.20 · used by: s26 [references 25]
        FROM s25 AS s26
        ^^^^ stage 26 · base: s25 · used by: s27 [references 26]
        FROM s26 AS s27
        ^^^^ stage 27 · base: s26 · copies from: s24 · used by: s28, s30 [references 27]
        COPY --from=s24 /out /in27
        FROM s27 AS s28
        ^^^^ stage 28 · base: s27 · mounts from: s14 · used by: s29 [references 28]
        ^^^^ not built for target 's39' [graph]
        RUN --mount=from=s14,target=/m true
        FROM s28 AS s29
        ^^^^ stage 29 · base: s28 [references 29]
        ^^^^ not built for target 's39' [graph]
        FROM alpine:3.20 AS s30
        ^^^^ stage 30 · base: alpine:3.20 · copies from: s27 · used by: s31, s33 [references 30]
        COPY --from=s27 /out /in30
        FROM s30 AS s31
        ^^^^ stage 31 · base: s30 · used by: s32 [references 31]
        FROM s31 AS s32
        ^^^^ stage 32 · base: s31 · used by: s33 [references 32]
        FROM s32 AS s33
        ^^^^ stage 33 · base: s32 · copies from: s30 · used by: s34, s36 [references 33]
        COPY --from=s30 /out /in33
        FROM s33 AS s34
        ^^^^ stage 34 · base: s33 [references 34]
        ^^^^ not built for target 's39' [graph]
        FROM alpine:3.20 AS s35
        ^^^^ stage 35 · base: alpine:3.20 · mounts from: s17 · used by: s36 [references 35]
        RUN --mount=from=s17,target=/m true
        FROM s35 AS s36
        ^^^^ stage 36 · base: s35 · copies from: s33 · used by: s37, s39 [references 36]
        COPY --from=s33 /out /in36
        FROM s36 AS s37
        ^^^^ stage 37 · base: s36 · used by: s38 [references 37]
        FROM s37 AS s38
        ^^^^ stage 38 · base: s37 · used by: s39 [references 38]
        FROM s38 AS s39
        ^^^^ stage 39 · base: s38 · copies from: s36 [references 39]
        ^^^^ target [graph]
        COPY --from=s36 /out /in39
        --- text
        s39 · stage 39 · FROM s38 · line 57 · target
        ├── base: s38 · stage 38 · FROM s37 · line 56
        │   └── base: s37 · stage 37 · FROM s36 · line 55
        │       └── base: s36 · stage 36 · FROM s35 · line 53
        │           ├── base: s35 · stage 35 · FROM alpine:3.20 · line 51
        │           │   └── mount: s17 · stage 17 · FROM s16 · line 25
        │           │       └── base: s16 · stage 16 · FROM s15 · line 24
        │           │           └── base: s15 · stage 15 · FROM alpine:3.20 · line 22
        │           │               └── copy: s12 · stage 12 · FROM s11 · line 17
        │           │                   ├── base: s11 · stage 11 · FROM s10 · line 16
        │           │                   │   └── base: s10 · stage 10 · FROM alpine:3.20 · line 15
        │           │                   └── copy: s9 · stage 9 · FROM s8 · line 13
        │           │                       ├── base: s8 · stage 8 · FROM s7 · line 12
        │           │                       │   └── base: s7 · stage 7 · FROM s6 · line 10
        │           │                       │       ├── base: s6 · stage 6 · FROM s5 · line 8
        │           │                       │       │   ├── base: s5 · stage 5 · FROM alpine:3.20 · line 7
        │           │                       │       │   └── copy: s3 · stage 3 · FROM s2 · line 4
        │           │                       │       │       ├── base: s2 · stage 2 · FROM s1 · line 3
        │           │                       │       │       │   └── base: s1 · stage 1 · FROM s0 · line 2
        │           │                       │       │       │       └── base: s0 · stage 0 · FROM golang:1.22 · line 1
        │           │                       │       │       └── copy: s0 (see above)
        │           │                       │       └── mount: s3 (see above)
        │           │                       └── copy: s6 (see above)
        │           └── copy: s33 · stage 33 · FROM s32 · line 48
        │               ├── base: s32 · stage 32 · FROM s31 · line 47
        │               │   └── base: s31 · stage 31 · FROM s30 · line 46
        │               │       └── base: s30 · stage 30 · FROM alpine:3.20 · line 44
        │               │           └── copy: s27 · stage 27 · FROM s26 · line 39
        │               │               ├── base: s26 · stage 26 · FROM s25 · line 38
        │               │               │   └── base: s25 · stage 25 · FROM alpine:3.20 · line 37
        │               │               └── copy: s24 · stage 24 · FROM s23 · line 35
        │               │                   ├── base: s23 · stage 23 · FROM s22 · line 34
        │               │                   │   └── base: s22 · stage 22 · FROM s21 · line 33
        │               │                   │       └── base: s21 · stage 21 · FROM s20 · line 30
        │               │                   │           ├── base: s20 · stage 20 · FROM alpine:3.20 · line 29
        │               │                   │           ├── copy: s18 · stage 18 · FROM s17 · line 26
        │               │                   │           │   ├── base: s17 (see above)
        │               │                   │           │   └── copy: s15 (see above)
        │               │                   │           └── mount: s10 (see above)
        │               │                   └── copy: s21 (see above)
        │               └── copy: s30 (see above)
        └── copy: s36 (see above)

        not built for target 's39':
        s4 · stage 4 · FROM s3 · line 6
        └── base: s3 (see above)
        s19 · stage 19 · FROM s18 · line 28
        └── base: s18 (see above)
        s29 · stage 29 · FROM s28 · line 43
        └── base: s28 · stage 28 · FROM s27 · line 41
            ├── base: s27 (see above)
            └── mount: s14 · stage 14 · FROM s13 · line 20
                ├── base: s13 · stage 13 · FROM s12 · line 19
                │   └── base: s12 (see above)
                └── mount: s7 (see above)
        s34 · stage 34 · FROM s33 · line 50
        └── base: s33 (see above)
        --- mermaid
        flowchart TB
          %% target: s39
          s0["<b>s0</b><br/>stage 0 · FROM golang:1.22<br/>line 1"]
          s1["<b>s1</b><br/>stage 1 · FROM s0<br/>line 2"]
          s2["<b>s2</b><br/>stage 2 · FROM s1<br/>line 3"]
          s3["<b>s3</b><br/>stage 3 · FROM s2<br/>line 4"]
          s4["<b>s4</b><br/>stage 4 · FROM s3<br/>line 6"]
          s5["<b>s5</b><br/>stage 5 · FROM alpine:3.20<br/>line 7"]
          s6["<b>s6</b><br/>stage 6 · FROM s5<br/>line 8"]
          s7["<b>s7</b><br/>stage 7 · FROM s6<br/>line 10"]
          s8["<b>s8</b><br/>stage 8 · FROM s7<br/>line 12"]
          s9["<b>s9</b><br/>stage 9 · FROM s8<br/>line 13"]
          s10["<b>s10</b><br/>stage 10 · FROM alpine:3.20<br/>line 15"]
          s11["<b>s11</b><br/>stage 11 · FROM s10<br/>line 16"]
          s12["<b>s12</b><br/>stage 12 · FROM s11<br/>line 17"]
          s13["<b>s13</b><br/>stage 13 · FROM s12<br/>line 19"]
          s14["<b>s14</b><br/>stage 14 · FROM s13<br/>line 20"]
          s15["<b>s15</b><br/>stage 15 · FROM alpine:3.20<br/>line 22"]
          s16["<b>s16</b><br/>stage 16 · FROM s15<br/>line 24"]
          s17["<b>s17</b><br/>stage 17 · FROM s16<br/>line 25"]
          s18["<b>s18</b><br/>stage 18 · FROM s17<br/>line 26"]
          s19["<b>s19</b><br/>stage 19 · FROM s18<br/>line 28"]
          s20["<b>s20</b><br/>stage 20 · FROM alpine:3.20<br/>line 29"]
          s21["<b>s21</b><br/>stage 21 · FROM s20<br/>line 30"]
          s22["<b>s22</b><br/>stage 22 · FROM s21<br/>line 33"]
          s23["<b>s23</b><br/>stage 23 · FROM s22<br/>line 34"]
          s24["<b>s24</b><br/>stage 24 · FROM s23<br/>line 35"]
          s25["<b>s25</b><br/>stage 25 · FROM alpine:3.20<br/>line 37"]
          s26["<b>s26</b><br/>stage 26 · FROM s25<br/>line 38"]
          s27["<b>s27</b><br/>stage 27 · FROM s26<br/>line 39"]
          s28["<b>s28</b><br/>stage 28 · FROM s27<br/>line 41"]
          s29["<b>s29</b><br/>stage 29 · FROM s28<br/>line 43"]
          s30["<b>s30</b><br/>stage 30 · FROM alpine:3.20<br/>line 44"]
          s31["<b>s31</b><br/>stage 31 · FROM s30<br/>line 46"]
          s32["<b>s32</b><br/>stage 32 · FROM s31<br/>line 47"]
          s33["<b>s33</b><br/>stage 33 · FROM s32<br/>line 48"]
          s34["<b>s34</b><br/>stage 34 · FROM s33<br/>line 50"]
          s35["<b>s35</b><br/>stage 35 · FROM alpine:3.20<br/>line 51"]
          s36["<b>s36</b><br/>stage 36 · FROM s35<br/>line 53"]
          s37["<b>s37</b><br/>stage 37 · FROM s36<br/>line 55"]
          s38["<b>s38</b><br/>stage 38 · FROM s37<br/>line 56"]
          s39["<b>s39</b><br/>stage 39 · FROM s38<br/>line 57<br/>target"]
          i0(["golang:1.22"])
          i1(["alpine:3.20"])
          i0 -->|base| s0
          s0 -->|base| s1
          s1 -->|base| s2
          s2 -->|base| s3
          s0 -.->|copy| s3
          s3 -->|base| s4
          i1 -->|base| s5
          s5 -->|base| s6
          s3 -.->|copy| s6
          s6 -->|base| s7
          s3 ==>|mount| s7
          s7 -->|base| s8
          s8 -->|base| s9
          s6 -.->|copy| s9
          i1 -->|base| s10
          s10 -->|base| s11
          s11 -->|base| s12
          s9 -.->|copy| s12
          s12 -->|base| s13
          s13 -->|base| s14
          s7 ==>|mount| s14
          i1 -->|base| s15
          s12 -.->|copy| s15
          s15 -->|base| s16
          s16 -->|base| s17
          s17 -->|base| s18
          s15 -.->|copy| s18
          s18 -->|base| s19
          i1 -->|base| s20
          s20 -->|base| s21
          s18 -.->|copy| s21
          s10 ==>|mount| s21
          s21 -->|base| s22
          s22 -->|base| s23
          s23 -->|base| s24
          s21 -.->|copy| s24
          i1 -->|base| s25
          s25 -->|base| s26
          s26 -->|base| s27
          s24 -.->|copy| s27
          s27 -->|base| s28
          s14 ==>|mount| s28
          s28 -->|base| s29
          i1 -->|base| s30
          s27 -.->|copy| s30
          s30 -->|base| s31
          s31 -->|base| s32
          s32 -->|base| s33
          s30 -.->|copy| s33
          s33 -->|base| s34
          i1 -->|base| s35
          s17 ==>|mount| s35
          s35 -->|base| s36
          s33 -.->|copy| s36
          s36 -->|base| s37
          s37 -->|base| s38
          s38 -->|base| s39
          s36 -.->|copy| s39
          classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33
          classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3
          classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333
          class s39 target
          class s4,s13,s14,s19,s28,s29,s34 unreachable
          class i0,i1 image
        --- dot
        digraph stages {
          rankdir=TB;
          node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#57606a", fontname="Helvetica"];
          edge [fontname="Helvetica", fontsize=10, color="#57606a"];
          label="target: s39";
          labelloc=t;
          n0 [label="s0\nstage 0 · FROM golang:1.22\nline 1"];
          n1 [label="s1\nstage 1 · FROM s0\nline 2"];
          n2 [label="s2\nstage 2 · FROM s1\nline 3"];
          n3 [label="s3\nstage 3 · FROM s2\nline 4"];
          n4 [label="s4\nstage 4 · FROM s3\nline 6", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n5 [label="s5\nstage 5 · FROM alpine:3.20\nline 7"];
          n6 [label="s6\nstage 6 · FROM s5\nline 8"];
          n7 [label="s7\nstage 7 · FROM s6\nline 10"];
          n8 [label="s8\nstage 8 · FROM s7\nline 12"];
          n9 [label="s9\nstage 9 · FROM s8\nline 13"];
          n10 [label="s10\nstage 10 · FROM alpine:3.20\nline 15"];
          n11 [label="s11\nstage 11 · FROM s10\nline 16"];
          n12 [label="s12\nstage 12 · FROM s11\nline 17"];
          n13 [label="s13\nstage 13 · FROM s12\nline 19", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n14 [label="s14\nstage 14 · FROM s13\nline 20", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n15 [label="s15\nstage 15 · FROM alpine:3.20\nline 22"];
          n16 [label="s16\nstage 16 · FROM s15\nline 24"];
          n17 [label="s17\nstage 17 · FROM s16\nline 25"];
          n18 [label="s18\nstage 18 · FROM s17\nline 26"];
          n19 [label="s19\nstage 19 · FROM s18\nline 28", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n20 [label="s20\nstage 20 · FROM alpine:3.20\nline 29"];
          n21 [label="s21\nstage 21 · FROM s20\nline 30"];
          n22 [label="s22\nstage 22 · FROM s21\nline 33"];
          n23 [label="s23\nstage 23 · FROM s22\nline 34"];
          n24 [label="s24\nstage 24 · FROM s23\nline 35"];
          n25 [label="s25\nstage 25 · FROM alpine:3.20\nline 37"];
          n26 [label="s26\nstage 26 · FROM s25\nline 38"];
          n27 [label="s27\nstage 27 · FROM s26\nline 39"];
          n28 [label="s28\nstage 28 · FROM s27\nline 41", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n29 [label="s29\nstage 29 · FROM s28\nline 43", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n30 [label="s30\nstage 30 · FROM alpine:3.20\nline 44"];
          n31 [label="s31\nstage 31 · FROM s30\nline 46"];
          n32 [label="s32\nstage 32 · FROM s31\nline 47"];
          n33 [label="s33\nstage 33 · FROM s32\nline 48"];
          n34 [label="s34\nstage 34 · FROM s33\nline 50", color="#b0b0b0", fontcolor="#8a8a8a", fillcolor="#f2f2f2", style="rounded,filled,dashed"];
          n35 [label="s35\nstage 35 · FROM alpine:3.20\nline 51"];
          n36 [label="s36\nstage 36 · FROM s35\nline 53"];
          n37 [label="s37\nstage 37 · FROM s36\nline 55"];
          n38 [label="s38\nstage 38 · FROM s37\nline 56"];
          n39 [label="s39\nstage 39 · FROM s38\nline 57\ntarget", color="#1f6feb", penwidth=3, fillcolor="#ddf4ff"];
          n40 [label="golang:1.22", shape=ellipse, style=filled];
          n41 [label="alpine:3.20", shape=ellipse, style=filled];
          n40 -> n0 [label="base", style=solid];
          n0 -> n1 [label="base", style=solid];
          n1 -> n2 [label="base", style=solid];
          n2 -> n3 [label="base", style=solid];
          n0 -> n3 [label="copy", style=dashed];
          n3 -> n4 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n41 -> n5 [label="base", style=solid];
          n5 -> n6 [label="base", style=solid];
          n3 -> n6 [label="copy", style=dashed];
          n6 -> n7 [label="base", style=solid];
          n3 -> n7 [label="mount", style=bold];
          n7 -> n8 [label="base", style=solid];
          n8 -> n9 [label="base", style=solid];
          n6 -> n9 [label="copy", style=dashed];
          n41 -> n10 [label="base", style=solid];
          n10 -> n11 [label="base", style=solid];
          n11 -> n12 [label="base", style=solid];
          n9 -> n12 [label="copy", style=dashed];
          n12 -> n13 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n13 -> n14 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n7 -> n14 [label="mount", style=bold, color="#b0b0b0", fontcolor="#8a8a8a"];
          n41 -> n15 [label="base", style=solid];
          n12 -> n15 [label="copy", style=dashed];
          n15 -> n16 [label="base", style=solid];
          n16 -> n17 [label="base", style=solid];
          n17 -> n18 [label="base", style=solid];
          n15 -> n18 [label="copy", style=dashed];
          n18 -> n19 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n41 -> n20 [label="base", style=solid];
          n20 -> n21 [label="base", style=solid];
          n18 -> n21 [label="copy", style=dashed];
          n10 -> n21 [label="mount", style=bold];
          n21 -> n22 [label="base", style=solid];
          n22 -> n23 [label="base", style=solid];
          n23 -> n24 [label="base", style=solid];
          n21 -> n24 [label="copy", style=dashed];
          n41 -> n25 [label="base", style=solid];
          n25 -> n26 [label="base", style=solid];
          n26 -> n27 [label="base", style=solid];
          n24 -> n27 [label="copy", style=dashed];
          n27 -> n28 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n14 -> n28 [label="mount", style=bold, color="#b0b0b0", fontcolor="#8a8a8a"];
          n28 -> n29 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n41 -> n30 [label="base", style=solid];
          n27 -> n30 [label="copy", style=dashed];
          n30 -> n31 [label="base", style=solid];
          n31 -> n32 [label="base", style=solid];
          n32 -> n33 [label="base", style=solid];
          n30 -> n33 [label="copy", style=dashed];
          n33 -> n34 [label="base", style=solid, color="#b0b0b0", fontcolor="#8a8a8a"];
          n41 -> n35 [label="base", style=solid];
          n17 -> n35 [label="mount", style=bold];
          n35 -> n36 [label="base", style=solid];
          n33 -> n36 [label="copy", style=dashed];
          n36 -> n37 [label="base", style=solid];
          n37 -> n38 [label="base", style=solid];
          n38 -> n39 [label="base", style=solid];
          n36 -> n39 [label="copy", style=dashed];
        }
    "##]],
    );
}

#[test]
fn ascii_text() {
    let doc = doc_of(DIAMOND);
    let g = StageGraph::build(&doc, None);
    expect![[r#"
        final - stage 3 - FROM base - line 4 - target
        |-- base: base - stage 0 - FROM alpine:3.20 - line 1
        |-- copy: left - stage 1 - FROM base - line 2
        |   `-- base: base (see above)
        `-- copy: right - stage 2 - FROM base - line 3
            `-- base: base (see above)
    "#]]
    .assert_eq(&render(&g, Format::Text(Charset::Ascii)));
}

#[test]
fn explicit_target_wins_over_the_comment() {
    let doc = doc_of(CHOSEN_TARGET);
    let g = StageGraph::build_for_target(&doc, "final");
    assert_eq!(g.target_label().as_deref(), Some("final"));
    let g = StageGraph::build(&doc, Some("final"));
    assert_eq!(
        g.target_label().as_deref(),
        Some("test"),
        "the comment wins over the setting"
    );
    let g = StageGraph::build_for_target(&doc, "nope");
    assert_eq!(g.unknown_target.as_deref(), Some("nope"));
}

#[test]
fn empty_and_stageless_files() {
    for text in ["", "# just a comment\n", "ARG X=1\n"] {
        let doc = Document::new(text, 0);
        let g = StageGraph::build(&doc, Some("x"));
        assert_eq!(g.target, None);
        assert!(code_lenses(&doc, &g).is_empty());
        for f in [
            Format::Text(Charset::Unicode),
            Format::Mermaid,
            Format::Dot,
            Format::Svg,
        ] {
            assert!(!render(&g, f).is_empty());
        }
        assert_well_formed(&render(&g, Format::Svg));
    }
}

/// A long chain must not overflow the stack (handlers run on small worker stacks) and must stay
/// fast: the layout and every renderer are near-linear.
#[test]
fn five_thousand_stages() {
    let mut text = String::from("FROM alpine AS s0\n");
    for i in 1..5000 {
        text.push_str(&format!("FROM s{} AS s{i}\nCOPY --from=s0 /a /a\n", i - 1));
    }
    let doc = Document::new(&text, 0);
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let start = std::time::Instant::now();
            let g = StageGraph::build(&doc, None);
            for f in [
                Format::Text(Charset::Unicode),
                Format::Mermaid,
                Format::Dot,
                Format::Svg,
            ] {
                assert!(!render(&g, f).is_empty());
            }
            let lenses = code_lenses(&doc, &g);
            assert_eq!(lenses.len(), 5000 + 1);
            start.elapsed()
        })
        .unwrap();
    let elapsed = handle.join().expect("no stack overflow");
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

/// The SVG of every case is well-formed XML and has one `<g class="stage ...">` per stage with
/// its 0-based FROM line and name (or index).
#[test]
fn svg_is_well_formed_and_has_every_stage() {
    for (name, fixture, target) in cases() {
        let doc = doc_of(&fixture);
        let g = StageGraph::build(&doc, target);
        let svg = render(&g, Format::Svg);
        assert_well_formed(&svg);
        let tree = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: {e}"));
        let stage_groups: Vec<(String, String)> = tree
            .descendants()
            .filter(|n| {
                n.has_tag_name("g")
                    && n.attribute("class")
                        .is_some_and(|c| c.split(' ').any(|c| c == "stage"))
            })
            .map(|n| {
                (
                    n.attribute("data-stage").unwrap_or_default().to_string(),
                    n.attribute("data-line").unwrap_or_default().to_string(),
                )
            })
            .collect();
        let m = doc.model();
        assert_eq!(stage_groups.len(), m.stages.len(), "{name}");
        for s in &m.stages {
            let key = s
                .name
                .as_ref()
                .map_or_else(|| s.index.to_string(), |n| n.text.clone());
            let line = doc.line_of(s.span.start).to_string();
            assert!(
                stage_groups.contains(&(key.clone(), line.clone())),
                "{name}: stage {key} at line {line} missing from {stage_groups:?}"
            );
        }
        let target_groups = tree
            .descendants()
            .filter(|n| n.attribute("class") == Some("stage target"))
            .count();
        assert_eq!(target_groups, 1, "{name}");
    }
}

/// Names that need escaping in XML, Mermaid and DOT stay well-formed.
#[test]
fn hostile_names_are_escaped() {
    let doc = Document::new(
        "FROM \"a<b>&'c\" AS x\nFROM x AS y\nCOPY --from=\"q\\\"z\" /a /a\nCOPY --from=end /b /b\n",
        0,
    );
    let g = StageGraph::build(&doc, None);
    assert_well_formed(&render(&g, Format::Svg));
    let dot = render(&g, Format::Dot);
    assert!(dot.contains("\\\""), "{dot}");
    let mermaid = render(&g, Format::Mermaid);
    assert!(!mermaid.contains("\"a<b"), "{mermaid}");
}

fn assert_well_formed(svg: &str) {
    if let Err(e) = roxmltree::Document::parse(svg) {
        panic!("SVG is not well-formed XML: {e}\n{svg}");
    }
}

#[test]
fn target_comments_are_found_wherever_rope_chunks_split_them() {
    // Padding moves the comment across rope chunk boundaries (about 1 KB each).
    for pad in (0..2200).step_by(7) {
        let text = format!(
            "# {}\nFROM a AS one\n#   dockerfile-ls: target=one\nFROM b AS two\n",
            "x".repeat(pad)
        );
        let doc = crate::analysis::Document::new(&text, 0);
        let found = super::target_comment(&doc).map(|c| c.name);
        assert_eq!(found.as_deref(), Some("one"), "pad {pad}");
    }
}

#[test]
fn built_stages_agree_with_the_graph() {
    let mut texts: Vec<String> = [
        "FROM a AS one\nFROM b AS two\nCOPY --from=one / /\nFROM c AS three\n",
        "FROM a AS one\nFROM one AS two\nFROM b AS three\nRUN --mount=from=two true\nFROM c\n",
        "# dockerfile-ls: target=two\nFROM a AS one\nFROM b AS two\nCOPY --from=0 / /\nFROM c\n",
        "FROM a AS one\nCOPY --from=two / /\nFROM b AS two\nCOPY --from=one / /\nFROM c\n",
        "# dockerfile-ls: target=nope\nFROM a\nFROM b\nCOPY --from=5 / /\n",
        "ARG X\nFROM $X AS one\nFROM one\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Every real Dockerfile too, when the corpus is beside the checkout.
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/real");
    if let Ok(manifest) = std::fs::read_to_string(format!("{corpus}/MANIFEST.tsv")) {
        for line in manifest.lines().skip(1) {
            let Some(path) = line.split('\t').next() else {
                continue;
            };
            if let Ok(bytes) = std::fs::read(format!("{corpus}/{path}")) {
                texts.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    for text in &texts {
        let doc = crate::analysis::Document::new(text, 0);
        for setting in [None, Some("one"), Some("two")] {
            let g = super::StageGraph::build(&doc, setting);
            let from_graph = g.target.map(|t| {
                let built: Vec<bool> = g
                    .nodes
                    .iter()
                    .take_while(|n| n.is_stage())
                    .map(|n| n.reachable)
                    .collect();
                (t, built)
            });
            assert_eq!(
                super::built_stages(&doc, setting),
                from_graph,
                "{setting:?}\n{text}"
            );
        }
    }
}

/// The code-lens refresh signature ignores positions and shell text, and changes with what the
/// lenses show: a stage name, a base, an edge, the target.
#[test]
fn signature_changes_with_what_the_lenses_show() {
    let sig = |text: &str, target: Option<&str>| {
        StageGraph::build(&Document::new(text, 0), target).signature()
    };
    let base = sig(DIAMOND, None);
    let moved = DIAMOND.replace(
        "FROM base AS left",
        "\n\n# note\nFROM base AS left\nRUN make",
    );
    assert_eq!(sig(&moved, None), base);
    for changed in [
        DIAMOND.replace("AS left", "AS lefty"),
        DIAMOND.replace("alpine:3.20", "alpine:3.21"),
        DIAMOND.replace("COPY --from=right /r /r", "COPY --from=base /r /r"),
        format!("{DIAMOND}COPY --from=alpine /x /x\n"),
    ] {
        assert_ne!(sig(&changed, None), base, "{changed}");
    }
    assert_ne!(sig(DIAMOND, Some("left")), base);
    assert_eq!(sig(DIAMOND, Some("final")), base);
}
