//! A deterministic generator of realistic multi-stage Dockerfiles of an exact line count, for
//! benchmarks (the same shape as `../shared/tools/lspbench`'s generator: a base stage, many
//! `FROM base AS stageN` stages with ARG/ENV, RUN chains with continuations and cache mounts,
//! `COPY --from` edges, heredocs, and a final stage).

#![allow(dead_code)]

/// A tiny deterministic PRNG (xorshift64*), so the files never change between runs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const COMPONENTS: &[&str] = &[
    "api",
    "worker",
    "web",
    "cli",
    "proto",
    "docs",
    "assets",
    "migrations",
];

/// A Dockerfile of exactly `lines` lines (at least 40), and the byte offsets of interesting
/// probes: `(text, copy_from_value_offset, mid_instruction_end_offset)`.
pub fn generate(lines: usize) -> Generated {
    let lines = lines.max(40);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ lines as u64);
    let mut out: Vec<String> = vec![
        "# syntax=docker/dockerfile:1.7".into(),
        "ARG BASE_IMAGE=debian:bookworm-slim".into(),
        "ARG APP_VERSION=1.4.2".into(),
        String::new(),
        "FROM ${BASE_IMAGE} AS base".into(),
        "ARG DEBIAN_FRONTEND=noninteractive".into(),
        "ENV LANG=C.UTF-8 \\".into(),
        "    LC_ALL=C.UTF-8 \\".into(),
        "    PATH=/opt/app/bin:$PATH".into(),
        "RUN apt-get update \\".into(),
        "    && apt-get install -y --no-install-recommends ca-certificates curl \\".into(),
        "    && rm -rf /var/lib/apt/lists/*".into(),
    ];
    let final_len = 12;
    let mut k = 0;
    loop {
        k += 1;
        let name = format!("stage{k}");
        let comp = COMPONENTS[rng.below(COMPONENTS.len() as u64) as usize];
        let parent = if k > 2 && rng.below(5) == 0 {
            format!("stage{}", 1 + rng.below(k - 1))
        } else {
            "base".into()
        };
        let mut stage = vec![
            String::new(),
            format!("# ---- {name}: {comp} ----"),
            format!("FROM {parent} AS {name}"),
            format!(
                "ARG {}_{k}_VERSION={}.{}.0",
                comp.to_uppercase(),
                1 + rng.below(9),
                rng.below(20)
            ),
            format!("WORKDIR /src/{name}"),
        ];
        for _ in 0..3 + rng.below(6) {
            match rng.below(6) {
                0 => stage.extend([
                    format!("RUN --mount=type=cache,target=/root/.cache/{comp} \\"),
                    "    set -eux; \\".to_string(),
                    format!(
                        "    ./build.sh --component {comp} --version \"${{{}_{k}_VERSION}}\"",
                        comp.to_uppercase()
                    ),
                ]),
                1 if k > 1 => {
                    let j = 1 + rng.below(k - 1);
                    stage.push(format!(
                        "COPY --from=stage{j} /out/stage{j}/ /deps/stage{j}/"
                    ));
                }
                2 => stage.extend([
                    format!("ENV {}_HOME=/opt/{comp} \\", comp.to_uppercase()),
                    format!("    {}_MODE=release", comp.to_uppercase()),
                ]),
                3 => stage.extend([
                    "RUN <<EOF".to_string(),
                    format!("echo building {name}"),
                    format!("test -d /src/{name} || mkdir -p /src/{name}"),
                    "EOF".to_string(),
                ]),
                4 => stage.push(format!(
                    "LABEL org.example.component=\"{comp}\" org.example.stage=\"{name}\""
                )),
                _ => stage.push(format!("COPY {comp}/ ./")),
            }
        }
        stage.push(format!(
            "RUN mkdir -p /out/{name} && cp -r /src/{name}/. /out/{name}/"
        ));
        if out.len() + stage.len() + final_len > lines {
            break;
        }
        out.extend(stage);
    }
    let stages = k - 1;
    let mut tail = vec![
        String::new(),
        "# ---- final runtime image ----".into(),
        "FROM base AS final".into(),
        "ARG APP_USER=app".into(),
        "WORKDIR /opt/app".into(),
        format!("COPY --from=stage{} /out/ /opt/app/", (stages / 2).max(1)),
        "ENV APP_ENV=production".into(),
        "USER ${APP_USER}".into(),
        "EXPOSE 8080".into(),
        "HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:8080/healthz || exit 1".into(),
        "ENTRYPOINT [\"/opt/app/bin/server\"]".into(),
        "CMD [\"--port\", \"8080\"]".into(),
    ];
    while out.len() + tail.len() < lines {
        out.push("# padding".into());
    }
    out.append(&mut tail);
    let text = out.join("\n") + "\n";
    let copy_line = text.find("COPY --from=stage").unwrap_or(0);
    let mid_run = text[..text.len() / 2]
        .rfind("\nRUN mkdir")
        .map_or(text.len() / 2, |i| i + 1);
    let mid_end = mid_run + text[mid_run..].find('\n').unwrap_or(0);
    Generated {
        copy_from: copy_line + "COPY --from=".len(),
        mid_instruction_end: mid_end,
        text,
    }
}

pub struct Generated {
    pub text: String,
    /// Just after `COPY --from=` of the first `COPY --from` line.
    pub copy_from: usize,
    /// The end of a complete instruction near the middle of the file.
    pub mid_instruction_end: usize,
}
