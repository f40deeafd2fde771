#!/usr/bin/env python3
"""Replay the Node peer's recorded navigation rows against dockerfile-ls over stdio LSP.

Reads ../shared/conformance/peer/navigation.jsonl (definition, highlight, prepareRename,
rename, folding and symbol rows; see that folder's README), drives the release binary the way
an editor would (initialize with the row's folding capabilities, didOpen, one request), and
reports per method how many rows agree exactly with the peer, and how many agree once our
deliberate differences are allowed for (listed in docs/features.md):

* symbols: a stage stands for its FROM and an ARG or ENV appears as the variables it declares
  (compared: the peer's other Function and Property symbols, and one stage per FROM);
  an unknown directive name (`# eskape=`) is a comment to BuildKit, not a directive;
* folding: we add stage and heredoc ranges (compared: the peer's ranges must be among ours);
* stage names: BuildKit's semantics (the last stage with a name, `FROM` sees earlier stages only).

Stdlib only. Exits 1 if the server crashes or stops answering; disagreements are reported, not
fatal (use --list to print them).
"""

from __future__ import annotations

import argparse
import collections
import json
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROWS = ROOT.parent / "shared" / "conformance" / "peer" / "navigation.jsonl"
URI = "file:///peer/Dockerfile"
MAX_LIMIT = 2**31 - 1


class Server:
    def __init__(self, binary: str, folding: dict | None):
        self.proc = subprocess.Popen(
            [binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0
        self.version = 0
        caps: dict = {"textDocument": {"rename": {"prepareSupport": True}}}
        if folding is not None:
            fr = {"lineFoldingOnly": bool(folding.get("lineFoldingOnly"))}
            limit = folding.get("rangeLimit")
            if limit is not None and limit < MAX_LIMIT:
                fr["rangeLimit"] = int(limit)
            caps["textDocument"]["foldingRange"] = fr
        self.request("initialize", {"processId": None, "rootUri": None, "capabilities": caps})
        self.notify("initialized", {})

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.inbox.put(json.loads(out.read(length)))

    def _send(self, msg: dict):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict):
        self.next_id += 1
        rid = self.next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            try:
                msg = self.inbox.get(timeout=10)
            except queue.Empty:
                raise RuntimeError(f"no answer to {method}")
            if msg is None:
                raise RuntimeError(f"server exited during {method}")
            if "method" in msg and "id" in msg:
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif msg.get("id") == rid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result")

    def open(self, text: str):
        if self.version:
            self.notify("textDocument/didClose", {"textDocument": {"uri": URI}})
        self.version += 1
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": URI, "languageId": "dockerfile", "version": self.version, "text": text}},
        )

    def close(self):
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
        return self.proc.returncode


def rng(r):
    return (r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"])


def run_row(server: Server, row: dict) -> tuple[bool, bool, str]:
    """(exact agreement, agreement allowing deliberate additions, detail)."""
    method, args, want = row["method"], row["args"], row["output"]
    doc = {"textDocument": {"uri": URI}}
    if method == "computeDefinition":
        server.open(args[1])
        got = server.request("textDocument/definition", {**doc, "position": args[2]})
        a = rng(want["range"]) if want else None
        b = rng(got[0]["range"]) if got else None
        return a == b, a == b, f"peer {a} ours {b}"
    if method == "computeHighlightRanges":
        server.open(args[0])
        got = server.request("textDocument/documentHighlight", {**doc, "position": args[1]}) or []
        a = sorted((rng(h["range"]), h.get("kind")) for h in want)
        b = sorted((rng(h["range"]), h.get("kind")) for h in got)
        return a == b, a == b, f"peer {a} ours {b}"
    if method == "prepareRename":
        server.open(args[0])
        got = server.request("textDocument/prepareRename", {**doc, "position": args[1]})
        a = rng(want) if want else None
        b = rng(got.get("range", got)) if got else None
        return a == b, a == b, f"peer {a} ours {b}"
    if method == "computeRename":
        server.open(args[1])
        try:
            got = server.request(
                "textDocument/rename", {**doc, "position": args[2], "newName": args[3]}
            )
        except RuntimeError as err:
            if "server exited" in str(err) or "no answer" in str(err):
                raise
            got = {"error": str(err)}
        edits = ((got or {}).get("changes") or {}).get(URI, [])
        a = sorted((rng(e["range"]), e["newText"]) for e in want)
        b = sorted((rng(e["range"]), e["newText"]) for e in edits)
        return a == b, a == b, f"peer {a} ours {b}"
    if method == "computeFoldingRanges":
        server.open(args[0])
        got = server.request("textDocument/foldingRange", doc) or []

        def key(f):
            return (f["startLine"], f.get("startCharacter"), f["endLine"], f.get("endCharacter"),
                    f.get("kind") == "comment")

        a, b = [key(f) for f in want], [key(f) for f in got]
        return sorted(a) == sorted(b), set(a) <= set(b), f"peer {a} ours {b}"
    if method == "computeSymbols":
        server.open(args[1])
        got = server.request("textDocument/documentSymbol", doc) or []

        def key(s):
            return (s["name"], s["kind"], rng(s["location"]["range"]), bool(s.get("deprecated")))

        a = [key(s) for s in want]
        b = [key(s) for s in got]
        mine = [k for k in b if k[1] in (7, 12)]
        # A stage stands for its FROM, and an ARG or ENV that declares variables appears as
        # them: the peer's symbols for those are not compared, but there must be as many stages.
        shown = [k for k in a if k[0].upper() != "FROM" and (k[0].upper() not in ("ARG", "ENV") or k in mine)]
        froms = sum(k[0].upper() == "FROM" for k in a)
        stages = sum(k[1] == 2 for k in b)
        # Each ARG or ENV left out has a variable of ours between it and the peer's next symbol.
        lines = sorted(k[2][0] for k in a)
        variables = [k[2][0] for k in b if k[1] == 13]
        declared = all(
            any(k[2][0] <= v < min((l for l in lines if l > k[2][0]), default=2**31) for v in variables)
            for k in a
            if k[0].upper() in ("ARG", "ENV") and k not in mine
        )
        return a == b, shown == mine and froms == stages and declared, f"peer {a} ours {b}"
    raise ValueError(method)


KEYWORD = re.compile(r"^\s*([A-Za-z]+)", re.M)


def category(row: dict) -> str:
    """Why a row disagrees, by what its input contains (see docs/features.md)."""
    title = row["test"]
    content = next(a for a in row["args"] if isinstance(a, str))
    keywords = [k.upper() for k in KEYWORD.findall(content)]
    before = keywords[: keywords.index("FROM")] if "FROM" in keywords else keywords
    if any(k not in ("ARG",) for k in before):
        return "instructions before the first FROM: BuildKit rejects all but ARG; not modelled"
    if "Heredoc" in title:
        return "heredoc delimiters"
    if "multiline reference" in title:
        return "variable name split by a line continuation"
    if "source mismatch" in title or "identical COPYs" in title:
        return "an undefined `--from` name is an image reference, not a stage symbol"
    if "'$" in content:
        return "`'$var'` in shell text: single quotes, so not a variable reference"
    if "repeated" in title or "redeclared" in title or "reuse" in title:
        return "repeated declarations: the definition in effect (the nearest), not the first"
    if row["method"] == "computeSymbols":
        return "directives as BuildKit reads them (`# eskape=`, `#escape=` and a lone CR)"
    return "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", nargs="?", default=str(DEFAULT_ROWS))
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "dockerfile-ls"))
    ap.add_argument("--list", action="store_true", help="print every disagreement")
    args = ap.parse_args()
    path = Path(args.rows)
    if not path.is_file():
        print(f"peer-navigation: skipped, no file {path}")
        return 0
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    groups: dict[str, list] = collections.defaultdict(list)
    for row in rows:
        groups[json.dumps((row.get("capabilities") or {}).get("foldingRange"), sort_keys=True)].append(row)
    why: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    exact = collections.Counter()
    allowed = collections.Counter()
    total = collections.Counter()
    for folding, group in groups.items():
        server = Server(args.bin, json.loads(folding))
        try:
            for row in group:
                ok, ok_allowed, detail = run_row(server, row)
                total[row["method"]] += 1
                exact[row["method"]] += ok
                allowed[row["method"]] += ok_allowed
                if not ok_allowed:
                    why[row["method"]][category(row)] += 1
                if args.list and not ok_allowed:
                    print(f"{row['method']} [{category(row)}]: {row['test']}: {json.dumps(row['args'])[:200]}: {detail}")
        except RuntimeError as err:
            print(f"peer-navigation: FAILED: {err}")
            server.proc.kill()
            return 1
        if server.close() != 0:
            print("peer-navigation: FAILED: server did not exit cleanly")
            return 1
    for method in sorted(total):
        n = total[method]
        print(
            f"{method:24} {exact[method]:5}/{n} exact ({100 * exact[method] / n:5.1f}%)"
            f"  {allowed[method]:5}/{n} allowing deliberate differences ({100 * allowed[method] / n:5.1f}%)"
        )
    for method in sorted(why):
        for reason, count in why[method].most_common():
            print(f"  {method}: {count} x {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
