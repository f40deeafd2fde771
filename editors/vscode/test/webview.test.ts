import * as assert from "node:assert/strict";
import { test } from "node:test";

import { contentSecurityPolicy, graphHtml, makeNonce, messageHtml, revealLine, sanitizeSvg } from "../src/webview";

const svg = '<svg xmlns="http://www.w3.org/2000/svg"><g class="stage" data-line="3" data-stage="build"><rect/><text>build</text></g></svg>';

test("the page embeds the server's SVG with its clickable stages", () => {
  const html = graphHtml({ svg, title: "Stages: Dockerfile", cspSource: "vscode-resource:", nonce: "N0NCE" });
  assert.ok(html.includes('<g class="stage" data-line="3" data-stage="build">'));
  assert.ok(html.includes("<title>Stages: Dockerfile</title>"));
  assert.match(html, /closest\("g\.stage\[data-line\]"\)/);
  assert.match(html, /postMessage\(\{ type: "reveal", line: Number/);
});

test("the CSP allows no network and only the page's own script", () => {
  const csp = contentSecurityPolicy("vscode-resource:", "N0NCE");
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-N0NCE'/);
  assert.doesNotMatch(csp, /https?:/);
  const html = graphHtml({ svg, title: "t", cspSource: "vscode-resource:", nonce: "N0NCE" });
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  assert.deepEqual(scripts, ['<script nonce="N0NCE">']);
  assert.ok(html.includes(`content="default-src 'none'; img-src vscode-resource: data:; style-src vscode-resource: 'unsafe-inline'; script-src 'nonce-N0NCE'"`.replace(/'/g, "&#39;")));
});

test("scripts and event handlers inside the SVG are removed", () => {
  const evil = '<svg><script>alert(1)</script><g class="stage" data-line="0" onclick="alert(2)"><text>x</text></g><foreignObject><div>y</div></foreignObject></svg>';
  const clean = sanitizeSvg(evil);
  assert.doesNotMatch(clean, /script|onclick|foreignObject/i);
  assert.ok(clean.includes('<g class="stage" data-line="0">'));
});

test("the title is escaped", () => {
  const html = graphHtml({ svg, title: "<b>&", cspSource: "x", nonce: "n" });
  assert.ok(html.includes("<title>&lt;b&gt;&amp;</title>"));
  assert.ok(messageHtml("<x>").includes("&lt;x&gt;"));
});

test("only well-formed reveal messages move the cursor", () => {
  assert.equal(revealLine({ type: "reveal", line: 7 }), 7);
  assert.equal(revealLine({ type: "reveal", line: -1 }), undefined);
  assert.equal(revealLine({ type: "reveal", line: 1.5 }), undefined);
  assert.equal(revealLine({ type: "reveal", line: "3" }), undefined);
  assert.equal(revealLine({ type: "other", line: 3 }), undefined);
  assert.equal(revealLine(null), undefined);
});

test("nonces are 32 characters from the alphabet and follow the random bytes", () => {
  const a = makeNonce((n) => new Uint8Array(n).fill(1));
  assert.equal(a, "B".repeat(32));
  const b = makeNonce((n) => Uint8Array.from({ length: n }, (_, i) => i));
  assert.match(b, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(a, b);
});
