import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import manifest from "../package.json";

const root = path.join(__dirname, "..", "..");
const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
const installed = (name: string) => lock.packages[`node_modules/${name}`];

function minor(range: string): [number, number] {
  const m = /(\d+)\.(\d+)/.exec(range);
  assert.ok(m, range);
  return [Number(m[1]), Number(m[2])];
}
const atMost = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);

test("@types/vscode is no newer than engines.vscode", () => {
  assert.ok(atMost(minor(installed("@types/vscode").version), minor(manifest.engines.vscode)));
});

test("engines.vscode satisfies what vscode-languageclient requires", () => {
  const needs = installed("vscode-languageclient").engines.vscode;
  assert.ok(atMost(minor(needs), minor(manifest.engines.vscode)), `${needs} vs ${manifest.engines.vscode}`);
});

test("@vscode/vsce is a 3.x that runs on Node 20", () => {
  const vsce = installed("@vscode/vsce");
  assert.equal(minor(vsce.version)[0], 3);
  assert.match(vsce.engines.node, />= ?20/);
});

test("the dockerfile language covers Dockerfile, Containerfile and their variants", () => {
  const [lang] = manifest.contributes.languages;
  assert.equal(lang.id, "dockerfile");
  assert.deepEqual([...lang.filenames].sort(), ["Containerfile", "Dockerfile"]);
  assert.deepEqual([...lang.filenamePatterns].sort(), ["*.Dockerfile", "Containerfile.*", "Dockerfile.*"]);
  assert.deepEqual(lang.extensions, [".dockerfile"]);
  assert.ok(manifest.activationEvents.includes("onLanguage:dockerfile"));
});

test("the contributed commands are the ones the extension registers", () => {
  const src = fs.readFileSync(path.join(root, "src", "commands.ts"), "utf8");
  for (const { command } of manifest.contributes.commands) {
    assert.ok(src.includes(`"${command}"`), `${command} is defined in src/commands.ts`);
  }
  assert.deepEqual(
    manifest.contributes.commands.map((c) => c.command).sort(),
    ["dockerfile-ls.restartServer", "dockerfile-ls.showOutput", "dockerfile-ls.showStageGraph"],
  );
});

test("the package script bundles and packages with vsce, and main is the bundle", () => {
  assert.equal(manifest.main, "./dist/extension.js");
  assert.match(manifest.scripts.package, /bundle/);
  assert.match(manifest.scripts.package, /vsce package/);
});

test("every contributed setting has a type, a default and a description", () => {
  const props = manifest.contributes.configuration.properties as Record<string, Record<string, unknown>>;
  for (const [key, prop] of Object.entries(props)) {
    assert.ok(key.startsWith("dockerfile-ls."), key);
    assert.ok("type" in prop, `${key} has a type`);
    assert.ok("default" in prop, `${key} has a default`);
    const text = (prop.description ?? prop.markdownDescription) as string | undefined;
    assert.ok(text && text.length > 20, `${key} has a description`);
    if (Array.isArray(prop.enum)) {
      assert.ok((prop.enum as unknown[]).includes(prop.default), `${key}: the default is one of the enum values`);
    }
  }
  const kc = props["dockerfile-ls.formatting.keywordCase"];
  assert.deepEqual(kc.enum, ["upper", "lower", "preserve"]);
  const rules = props["dockerfile-ls.diagnostics.rules"].additionalProperties as { enum: string[] };
  assert.deepEqual(rules.enum, ["off", "hint", "info", "warning", "error"]);
});
