import * as assert from "node:assert/strict";
import { test } from "node:test";

import { intercept, referencesView, renderedSvg, stageGraphParams } from "../src/commands";

const uri = "file:///w/Dockerfile";
const loc = (line: number, character: number, u = uri) => ({
  uri: u,
  range: { start: { line, character }, end: { line, character: character + 5 } },
});

test("stageReferences runs on the server and is shown as references", () => {
  assert.deepEqual(intercept("dockerfile-ls.stageReferences", [uri, 0]), { kind: "references", uri });
});

test("stageGraph opens the view instead of running on the server", () => {
  assert.deepEqual(intercept("dockerfile-ls.stageGraph", [uri]), { kind: "graph", uri });
  assert.deepEqual(intercept("dockerfile-ls.stageGraph", [uri, "svg"]), { kind: "graph", uri });
});

test("other or malformed commands pass through", () => {
  assert.deepEqual(intercept("dockerfile-ls.other", [uri]), { kind: "passthrough" });
  assert.deepEqual(intercept("dockerfile-ls.stageGraph", []), { kind: "passthrough" });
  assert.deepEqual(intercept("dockerfile-ls.stageReferences", [42]), { kind: "passthrough" });
});

test("the references peek opens at the declaration (first location in the document)", () => {
  const v = referencesView(uri, [loc(0, 20, "file:///other"), loc(1, 20), loc(9, 12)]);
  assert.deepEqual(v?.position, { line: 1, character: 20 });
  assert.equal(v?.locations.length, 3);
});

test("empty or malformed results give no view", () => {
  assert.equal(referencesView(uri, []), undefined);
  assert.equal(referencesView(uri, null), undefined);
  assert.equal(referencesView(uri, [{ uri }]), undefined);
});

test("stage graph request params and result", () => {
  assert.deepEqual(stageGraphParams(uri), { textDocument: { uri }, format: "svg" });
  assert.deepEqual(stageGraphParams(uri, "dev"), { textDocument: { uri }, format: "svg", target: "dev" });
  assert.deepEqual(renderedSvg({ rendered: "<svg></svg>" }), { svg: "<svg></svg>" });
  assert.ok("error" in renderedSvg({ nodes: [] }));
  assert.ok("error" in renderedSvg(null));
});
