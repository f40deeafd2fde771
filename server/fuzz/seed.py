#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into server/fuzz/corpus/<target>/.

Seeds come from the fixture files in the repository (examples/, the saved crash inputs in
server/fuzz/regressions/) and, when it exists, ../shared/corpus/real beside the repository
(copied at run time, never committed). Deterministic: the same files give the same seeds.
"""
import json
import os
import random
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent.parent
# Override with `seed.py CORPUS_DIR` (for a worktree that does not sit beside ../shared).
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "real"
MARKER = b"\xff\xff"
SEP = b"\x1e"
# Sessions with huge documents make the LSP target slow per run; cut the text.
LSP_TEXT_LIMIT = 16 * 1024

INLINE = [
    b"",
    b"FROM golang:1.22 AS build\nRUN --mount=type=cache,target=/root/.cache,from=build \\\n  go build\n"
    b"FROM build AS test\nCOPY --from=test /a /b\nARG A=${B:-\xc3\xa9\xf0\x9f\x98\x80}\nRUN <<EOF\n$A\nEOF\n",
    b"# escape=`\r\nFROM a AS x\rCOPY --from=x `\r\n y z\r\n",
    b"# syntax=docker/dockerfile:1\nARG BASE=alpine\nFROM ${BASE:+${BASE%%:*}} AS s\nONBUILD RUN x\n"
    b"HEALTHCHECK --interval=5s CMD [\"true\"]\nCOPY <<-EOT /f\n\tdata\n\tEOT\n",
    b"FROM a\nRUN <<EOF\nheredoc that never ends\n",
    b"FROM a\n# comment \\\nRUN echo \\\n# inside\n  done\n",
]


def sources():
    """(name, bytes) of every seed file."""
    yield from ((f"inline{i}", b) for i, b in enumerate(INLINE))
    for path in sorted((ROOT / "examples").rglob("*")):
        if path.is_file():
            yield path.name, path.read_bytes()
    for path in sorted((FUZZ / "regressions").rglob("*")):
        if path.is_file() and path.parent.name in ("analysis", "edits"):
            yield "regression-" + path.name, path.read_bytes()
    if SHARED.is_dir():
        for path in sorted(SHARED.rglob("*")):
            if path.is_file() and path.name != "MANIFEST.tsv":
                yield path.parent.name + "__" + path.name, path.read_bytes()
    else:
        print(f"seed.py: {SHARED} not found; seeding from the repository's fixtures only",
              file=sys.stderr)


def edit_script(rng, text):
    """An edit script for the `edits` target (see dockerfile_ls::fuzz::incremental)."""
    fragments = [b"\n", b"\r\n", b"\r", b" ", b"FROM ", b" AS ", b"--from=", b"COPY ", b"RUN ",
                 b"<<EOF\n", b"EOF\n", b"\\\n", b"`\n", b"$A", b"${B:-x}", b"\xf0\x9f\xa6\x80",
                 b"\xc3\xa9", b"#", b"\"", b"\x00"]
    words = text.split()[:200]
    out = bytearray()
    for _ in range(rng.randint(1, 24)):
        piece = b"".join(rng.choice(fragments + words) for _ in range(rng.randint(0, 3)))[:255]
        flags = (rng.randint(0, 63) << 2 if rng.random() < 0.4 else 0) | rng.randint(0, 3)
        pos = rng.randint(0, 65535)
        out += bytes([flags, pos >> 8, pos & 0xFF, len(piece)]) + piece
    return bytes(out)


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def lsp_session(rng, text):
    """A JSON-RPC session over `text` for the `lsp` target, bodies joined by 0x1e."""
    doc = text[:LSP_TEXT_LIMIT].decode("utf-8", "replace")
    lines = doc.splitlines() or [""]
    uri = "file:///work/Dockerfile"
    caps = {"textDocument": {"completion": {"completionItem": {"snippetSupport": True}}}}
    if rng.random() < 0.5:
        caps["general"] = {"positionEncodings": ["utf-8", "utf-16"]}
    msgs = [
        {"jsonrpc": "2.0", "id": 0, "method": "initialize",
         "params": {"processId": None, "rootUri": None, "capabilities": caps}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1,
                                     "text": doc}}},
    ]

    def pos():
        line = rng.randrange(len(lines) + 1)
        width = utf16_len(lines[line]) if line < len(lines) else 0
        return {"line": line, "character": rng.randint(0, width + 1)}

    version = 1
    for i in range(rng.randint(3, 12)):
        at = {"textDocument": {"uri": uri}, "position": pos()}
        kind = rng.choice(["definition", "references", "documentHighlight", "prepareRename",
                           "rename", "completion", "change", "change"])
        if kind == "change":
            version += 1
            start, end = pos(), pos()
            if (end["line"], end["character"]) < (start["line"], start["character"]):
                start, end = end, start
            msgs.append({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": start, "end": end},
                                    "text": rng.choice(["x", "\n", " AS b", "--from=", "é😀", ""])}]}})
            continue
        if kind == "references":
            at["context"] = {"includeDeclaration": True}
        if kind == "rename":
            at["newName"] = rng.choice(["renamed", "1 bad"])
        msgs.append({"jsonrpc": "2.0", "id": i + 1, "method": "textDocument/" + kind, "params": at})
    msgs += [
        {"jsonrpc": "2.0", "method": "textDocument/didClose",
         "params": {"textDocument": {"uri": uri}}},
        {"jsonrpc": "2.0", "id": 99, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    return SEP.join(json.dumps(m, ensure_ascii=False).encode() for m in msgs)


def main():
    out = FUZZ / "corpus"
    dirs = {t: out / t for t in ("analysis", "edits", "lsp")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, data in sources():
        rng = random.Random(name)
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:120]
        (dirs["analysis"] / safe).write_bytes(data)
        (dirs["edits"] / safe).write_bytes(data[:LSP_TEXT_LIMIT])
        (dirs["edits"] / (safe + ".script")).write_bytes(
            data[:LSP_TEXT_LIMIT] + MARKER + edit_script(rng, data))
        (dirs["lsp"] / safe).write_bytes(lsp_session(rng, data))
        count += 1
    for path in sorted((FUZZ / "regressions" / "lsp").glob("*")):
        (dirs["lsp"] / ("regression-" + path.name)).write_bytes(path.read_bytes())
    print(f"seed.py: {count} sources seeded into {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
