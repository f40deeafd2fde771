#!/usr/bin/env python3
"""A burst of edits: open a generated document, send N one-character `didChange`s without
waiting, and measure how long after the last one the diagnostics of the last version arrive
(issue 7: within 50 ms for 1,000 edits to a 1,000-line file), and how many versions were
published at all (stale versions should be skipped).

Usage: burst.py --lspbench DIR [--lines 1000] [--edits 1000] [--trials 10] [--json OUT] -- SERVER...
Stdlib only; the client is memory.py's.
"""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memory import Client, arguments, report  # noqa: E402


def main():
    a = arguments(lines=1000, edits=1000, trials=10)
    from lspbench import generate_dockerfile  # noqa: E402

    c = Client(a.server)
    c.initialize()
    text = generate_dockerfile(a.lines, 1).text
    mid_line = a.lines // 2
    latencies, published = [], []
    for t in range(a.trials):
        uri = f"file:///tmp/burst/{t}/Dockerfile"
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
        c.wait_diags(uri, 1)
        for k in range(a.edits):
            # Type a character at the start of the middle line, then delete it: the text
            # alternates between two versions, as typing and fixing a typo does.
            if k % 2 == 0:
                change = {"range": {"start": {"line": mid_line, "character": 0},
                                    "end": {"line": mid_line, "character": 0}}, "text": "x"}
            else:
                change = {"range": {"start": {"line": mid_line, "character": 0},
                                    "end": {"line": mid_line, "character": 1}}, "text": ""}
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": k + 2}, "contentChanges": [change]})
        sent = time.perf_counter()
        last = a.edits + 1
        with c.cond:
            if not c.cond.wait_for(lambda: last in c.diags.get(uri, []), 60):
                raise TimeoutError("diagnostics of the last version")
        latencies.append((time.perf_counter() - sent) * 1000)
        published.append(len(c.diags[uri]) - 1)
        c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    c.request("shutdown", None)
    c.notify("exit", None)
    result = {
        "lines": a.lines,
        "edits": a.edits,
        "trials": a.trials,
        "last_version_diagnostics_after_last_edit_ms": {
            "median": round(statistics.median(latencies), 2),
            "max": round(max(latencies), 2),
            "all": [round(x, 2) for x in latencies],
        },
        "versions_published_per_burst": {"median": statistics.median(published),
                                         "max": max(published)},
    }
    report(result, a.json)


if __name__ == "__main__":
    main()
