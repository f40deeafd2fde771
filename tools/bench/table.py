#!/usr/bin/env python3
"""Renders an lspbench JSON (`--out`) as the Markdown table of docs/performance.md: per scenario
and size, each server's median (and p95), our ratio to the peer, and the check column.

Usage: table.py RESULTS.json [--peer node] [--ours ours]. Stdlib only.
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--peer", default="node")
    ap.add_argument("--ours", default="ours")
    a = ap.parse_args()
    data = json.load(open(a.results))
    rows = {}
    for r in data["summary"]:
        rows[(r["scenario"], str(r.get("size") or "-"), r["server"])] = r
    keys = []
    for r in data["summary"]:
        k = (r["scenario"], str(r.get("size") or "-"))
        if k not in keys:
            keys.append(k)

    def cell(r):
        if r is None:
            return "–"
        if r.get("median") is None:
            return r.get("status") or "n/a"
        unit = r.get("unit", "ms")
        return f"{r['median']:.2f} {unit} (p95 {r['p95']:.1f})"

    print(f"| scenario | size | {a.peer} median | {a.ours} median | {a.peer} ÷ {a.ours} | check |")
    print("| --- | --- | --- | --- | --- | --- |")
    for scenario, size in keys:
        p = rows.get((scenario, size, a.peer))
        o = rows.get((scenario, size, a.ours))
        ratio = "–"
        if p and o and p.get("median") and o.get("median"):
            ratio = f"{p['median'] / o['median']:.0f}×"
        c = (o or {}).get("check")
        check = f"{c['ok']}/{c['total']}" if isinstance(c, dict) else ""
        print(f"| {scenario} | {size} | {cell(p)} | {cell(o)} | {ratio} | {check} |")


if __name__ == "__main__":
    main()
