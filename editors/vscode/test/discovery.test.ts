import * as assert from "node:assert/strict";
import { test } from "node:test";

import { bundledDir, discoverServer, DiscoveryInput } from "../src/discovery";

const base: DiscoveryInput = {
  configuredPath: null,
  extensionPath: "/ext",
  platform: "linux",
  arch: "x64",
  pathEnv: "/usr/bin:/opt/bin",
  isExecutable: () => false,
  homeDir: "/home/me",
};

test("the setting wins over the bundled binary and PATH", () => {
  const r = discoverServer({ ...base, configuredPath: "/my/dockerfile-ls", isExecutable: () => true });
  assert.deepEqual(r, { ok: true, command: "/my/dockerfile-ls", source: "setting" });
});

test("a setting pointing nowhere is an error naming the setting, not a silent fallback", () => {
  const r = discoverServer({ ...base, configuredPath: "/nope", isExecutable: (p) => p === "/usr/bin/dockerfile-ls" });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /dockerfile-ls\.server\.path/);
    assert.match(r.message, /\/nope/);
    assert.match(r.fix, /absolute path/);
  }
});

test("~ in the setting is the home directory", () => {
  const r = discoverServer({ ...base, configuredPath: "~/bin/dockerfile-ls", isExecutable: (p) => p === "/home/me/bin/dockerfile-ls" });
  assert.deepEqual(r, { ok: true, command: "/home/me/bin/dockerfile-ls", source: "setting" });
});

test("a blank setting means unset: the bundled binary for this platform and arch", () => {
  const r = discoverServer({
    ...base,
    configuredPath: "  ",
    isExecutable: (p) => p === "/ext/server/linux-x64/dockerfile-ls" || p === "/usr/bin/dockerfile-ls",
  });
  assert.deepEqual(r, { ok: true, command: "/ext/server/linux-x64/dockerfile-ls", source: "bundled" });
  assert.equal(bundledDir("darwin", "arm64"), "server/darwin-arm64");
});

test("another platform's bundled binary is not used", () => {
  const r = discoverServer({ ...base, arch: "arm64", isExecutable: (p) => p === "/ext/server/linux-x64/dockerfile-ls" });
  assert.equal(r.ok, false);
});

test("then the first match on PATH", () => {
  const r = discoverServer({ ...base, isExecutable: (p) => p === "/opt/bin/dockerfile-ls" });
  assert.deepEqual(r, { ok: true, command: "/opt/bin/dockerfile-ls", source: "PATH" });
});

test("windows: .exe and ; as the PATH separator", () => {
  const r = discoverServer({
    ...base,
    platform: "win32",
    pathEnv: "C:\\a;C:\\b",
    isExecutable: (p) => p.endsWith("dockerfile-ls.exe") && p.includes("b"),
  });
  assert.equal(r.ok && r.source, "PATH");
});

test("nothing found: the message says where it looked and how to fix it", () => {
  const r = discoverServer({ ...base, pathEnv: undefined });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /linux-x64/);
    assert.match(r.message, /PATH/);
    assert.match(r.fix, /dockerfile-ls\.server\.path/);
    assert.match(r.fix, /cargo install/);
  }
});
