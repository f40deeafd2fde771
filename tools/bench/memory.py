#!/usr/bin/env python3
"""Memory of a language server over stdio: RSS with one large document open, and after opening
and closing many documents (it must not grow).

Reads VmRSS / VmHWM from /proc/PID/status (Linux). Documents come from lspbench's deterministic
generator (../shared/tools/lspbench), so the numbers compare with its `memory` scenario.

Usage: memory.py --lspbench DIR [--lines 10000] [--cycles 1000] [--json OUT] -- SERVER ARGS...
Stdlib only.
"""
import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


class Client:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.cond = threading.Condition()
        self.responses = {}
        self.diags = {}
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length))
            with self.cond:
                if "id" in msg and "method" in msg:  # server -> client request
                    n = len(msg.get("params", {}).get("items", [])) or 0
                    result = [None] * n if msg["method"] == "workspace/configuration" else None
                    self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
                elif "id" in msg:
                    self.responses[msg["id"]] = msg
                elif msg.get("method") == "textDocument/publishDiagnostics":
                    p = msg["params"]
                    self.diags.setdefault(p["uri"], []).append(p.get("version"))
                self.cond.notify_all()

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method, params, timeout=60):
        self.next_id += 1
        i = self.next_id
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        with self.cond:
            if not self.cond.wait_for(lambda: i in self.responses, timeout):
                raise TimeoutError(method)
            return self.responses.pop(i)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def initialize(self):
        """`initialize` (with versioned diagnostics) and `initialized`."""
        self.request("initialize", {"processId": None, "rootUri": None, "capabilities": {
            "textDocument": {"publishDiagnostics": {"versionSupport": True}}}})
        self.notify("initialized", {})

    def wait_diags(self, uri, count, timeout=60):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.diags.get(uri, [])) >= count, timeout):
                raise TimeoutError(f"diagnostics for {uri}")


def arguments(**sizes):
    """The command line shared by the bench scripts: `--lspbench DIR`, integer options with
    their defaults (`lines=10000` becomes `--lines`), `--json OUT`, then the server command."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--lspbench", required=True, help="folder holding lspbench.py")
    for name, default in sizes.items():
        ap.add_argument("--" + name.replace("_", "-"), type=int, default=default)
    ap.add_argument("--json")
    ap.add_argument("server", nargs="+")
    a = ap.parse_args()
    sys.path.insert(0, a.lspbench)
    return a


def report(result, path):
    """Prints `result` as JSON, and writes it to `path` when one is given."""
    text = json.dumps(result, indent=2)
    print(text)
    if path:
        Path(path).write_text(text + "\n")


def main():
    a = arguments(lines=10000, cycles=1000, cycle_lines=1000)
    from lspbench import generate_dockerfile  # noqa: E402

    c = Client(a.server)
    pid = c.proc.pid
    c.initialize()
    rss_idle = status_kib(pid, "VmRSS")

    big = generate_dockerfile(a.lines, 1).text
    uri = "file:///tmp/memory/big/Dockerfile"
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": 1, "text": big}})
    c.wait_diags(uri, 1)
    time.sleep(0.2)
    rss_big = status_kib(pid, "VmRSS")
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    c.wait_diags(uri, 2)

    small = generate_dockerfile(a.cycle_lines, 2).text
    samples = []
    for k in range(a.cycles):
        u = f"file:///tmp/memory/cycle{k}/Dockerfile"
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": u, "languageId": "dockerfile", "version": 1, "text": small}})
        c.wait_diags(u, 1)
        c.notify("textDocument/didClose", {"textDocument": {"uri": u}})
        c.wait_diags(u, 2)
        if (k + 1) % max(1, a.cycles // 10) == 0:
            samples.append((k + 1, status_kib(pid, "VmRSS")))
    peak = status_kib(pid, "VmHWM")
    c.request("shutdown", None)
    c.notify("exit", None)
    try:
        c.proc.wait(5)
    except subprocess.TimeoutExpired:
        c.proc.kill()

    mib = lambda kib: round(kib / 1024, 1)  # noqa: E731
    result = {
        "server": a.server,
        "rss_idle_mib": mib(rss_idle),
        f"rss_{a.lines}_lines_open_mib": mib(rss_big),
        "rss_after_cycles_mib": [(n, mib(v)) for n, v in samples],
        "growth_first_to_last_sample_mib": mib(samples[-1][1] - samples[0][1]) if samples else 0,
        "peak_mib": mib(peak),
        "cycles": a.cycles,
        "cycle_lines": a.cycle_lines,
    }
    report(result, a.json)


if __name__ == "__main__":
    main()
