#!/usr/bin/env python3
"""Smoke test of a distributable dockerfile-ls binary (stdlib only).

Checks that BIN is what tools/dist/build.sh promises on this host (a static executable, without a
program interpreter, on Linux with glibc), and that it works: `--version`, `check` of
examples/Dockerfile, and an LSP session over stdio (initialize, didOpen, the diagnostics for
that version, documentSymbol, shutdown, exit with code 0).

Usage: tools/dist/smoke.py BIN
"""

import json
import os
import platform
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "Dockerfile")
TIMEOUT = 30


def fail(msg: str) -> None:
    print(f"FAIL dist smoke: {msg}", file=sys.stderr)
    sys.exit(1)


def has_interpreter(path: str) -> bool:
    """Whether the ELF file at `path` has a PT_INTERP program header (is dynamically linked)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            fail(f"{path} is not a 64-bit little-endian ELF file")
        phoff = int.from_bytes(head[32:40], "little")
        phentsize = int.from_bytes(head[54:56], "little")
        phnum = int.from_bytes(head[56:58], "little")
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return any(
        int.from_bytes(table[i * phentsize : i * phentsize + 4], "little") == 3  # PT_INTERP
        for i in range(phnum)
    )


def frame(msg: dict) -> bytes:
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream) -> dict:
    length = None
    while True:
        line = stream.readline()
        if not line:
            fail("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None:
        fail("a message without Content-Length")
    return json.loads(stream.read(length))


def lsp_session(binary: str) -> None:
    proc = subprocess.Popen(
        [binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    try:

        def send(msg: dict) -> None:
            proc.stdin.write(frame(msg))
            proc.stdin.flush()

        def wait_for(pred) -> dict:
            while True:
                msg = read_message(proc.stdout)
                if "method" in msg and "id" in msg:  # a request from the server
                    send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                    continue
                if pred(msg):
                    return msg

        uri = "file://" + EXAMPLE
        with open(EXAMPLE, encoding="utf-8") as f:
            text = f.read()
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": None, "capabilities": {
                  "textDocument": {"documentSymbol": {"hierarchicalDocumentSymbolSupport": True}}}}})
        init = wait_for(lambda m: m.get("id") == 1)
        if "documentSymbolProvider" not in init.get("result", {}).get("capabilities", {}):
            fail(f"unexpected initialize answer: {init}")
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "dockerfile", "version": 7, "text": text}}})
        wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                 and m["params"].get("version") == 7)
        send({"jsonrpc": "2.0", "id": 2, "method": "textDocument/documentSymbol",
              "params": {"textDocument": {"uri": uri}}})
        symbols = wait_for(lambda m: m.get("id") == 2).get("result")
        if not symbols:
            fail(f"no outline for {EXAMPLE}: {symbols}")
        send({"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
        wait_for(lambda m: m.get("id") == 3)
        send({"jsonrpc": "2.0", "method": "exit"})
        code = proc.wait()
        if code != 0:
            fail(f"exit code {code} after shutdown and exit")
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()


def main() -> None:
    if len(sys.argv) != 2:
        fail("usage: tools/dist/smoke.py BIN")
    binary = sys.argv[1]
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        if has_interpreter(binary):
            fail(f"{binary} is dynamically linked; tools/dist/build.sh builds a static one here")
        kind = "static"
    else:
        kind = "plain"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=TIMEOUT)
    if version.returncode != 0 or "dockerfile-ls" not in version.stdout:
        fail(f"--version: {version.returncode} {version.stdout!r} {version.stderr!r}")
    check = subprocess.run([binary, "check", EXAMPLE], capture_output=True, text=True,
                           timeout=TIMEOUT)
    if check.returncode != 0:
        fail(f"check {EXAMPLE}: exit {check.returncode}\n{check.stdout}{check.stderr}")
    lsp_session(binary)
    print(f"dist smoke: {kind} binary {binary}: --version, check and an LSP session passed")


if __name__ == "__main__":
    main()
