import * as assert from "node:assert/strict";
import { test } from "node:test";

import manifest from "../package.json";
import { CLIENT_ONLY, contributedKeys, needsRestart, serverKeys, serverSettings, withoutClientOnly } from "../src/settings";

test("every contributed setting is either a server key or client-only", () => {
  const keys = contributedKeys();
  for (const k of CLIENT_ONLY) assert.ok(keys.includes(k), `${k} is contributed`);
  assert.deepEqual([...serverKeys(), ...CLIENT_ONLY].sort(), [...keys].sort());
  assert.ok(!serverKeys().includes("server.path"));
});

test("server settings are nested like the server's Settings, with the manifest defaults", () => {
  const props = manifest.contributes.configuration.properties as Record<string, { default?: unknown }>;
  const defaults = (key: string) => props[`dockerfile-ls.${key}`]?.default;
  const settings = serverSettings(defaults);
  // every server key lands at its dotted path with its default
  for (const key of serverKeys()) {
    const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], settings);
    assert.deepEqual(value, defaults(key), key);
  }
  assert.ok(!("server" in settings) && !("trace" in settings));
});

test("serverSettings builds nested objects and leaves out undefined keys", () => {
  const values: Record<string, unknown> = {
    target: "release",
    "diagnostics.enable": false,
    "diagnostics.rules": { DL3006: "error" },
    "formatting.keywordCase": "lower",
  };
  const s = serverSettings((k) => values[k], ["target", "diagnostics.enable", "diagnostics.rules", "formatting.keywordCase", "codeLens.enable"]);
  assert.deepEqual(s, {
    target: "release",
    diagnostics: { enable: false, rules: { DL3006: "error" } },
    formatting: { keywordCase: "lower" },
  });
});

test("null (the target setting's default: the last stage) is sent as null", () => {
  assert.deepEqual(serverSettings(() => null, ["target"]), { target: null });
});

test("workspace/configuration answers lose the client-only keys", () => {
  const vscodeShaped = { server: { path: "/x" }, trace: { server: "verbose" }, codeLens: { enable: true } };
  assert.deepEqual(withoutClientOnly(vscodeShaped), { codeLens: { enable: true } });
  assert.deepEqual(vscodeShaped.server, { path: "/x" }, "the input is not modified");
  assert.equal(withoutClientOnly(null), null);
});

test("only a new server path restarts the server", () => {
  assert.equal(needsRestart((k) => k === "dockerfile-ls.server.path"), true);
  assert.equal(needsRestart((k) => k === "dockerfile-ls.diagnostics.enable"), false);
});
