// Checks a built .vsix: the manifest, the bundled JavaScript (self-contained but for `vscode`,
// exporting activate/deactivate) and that no development files ship (sources, tests, compiled
// tests, source maps, node_modules, lock file, tsconfig).
// Usage: node scripts/check-vsix.mjs FILE [--target PLATFORM-ARCH]  (a platform package must
// name its target and bundle server/PLATFORM-ARCH/dockerfile-ls)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import zlib from "node:zlib";

const file = process.argv[2];
const targetFlag = process.argv.indexOf("--target");
const target = targetFlag > 0 ? process.argv[targetFlag + 1] : undefined;
if (!file || (targetFlag > 0 && !target)) {
  console.error("usage: check-vsix.mjs FILE.vsix [--target PLATFORM-ARCH]");
  process.exit(2);
}
const zip = fs.readFileSync(file);

// --- a minimal zip reader: end of central directory -> central directory -> entries
function entries(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error("not a zip file");
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error("bad central directory");
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const external = buf.readUInt32LE(at + 38);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nameLen);
    out.set(name, { method, compressed, local, mode: external >>> 16 });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
function read(buf, e) {
  const nameLen = buf.readUInt16LE(e.local + 26);
  const extraLen = buf.readUInt16LE(e.local + 28);
  const start = e.local + 30 + nameLen + extraLen;
  const data = buf.subarray(start, start + e.compressed);
  return e.method === 0 ? data : zlib.inflateRawSync(data);
}

const failures = [];
const checked = [];
const ok = (cond, what) => (cond ? checked.push(what) : failures.push(what));

const files = entries(zip);
const names = [...files.keys()];
const text = (name) => read(zip, files.get(name)).toString("utf8");

// manifest
for (const required of ["extension.vsixmanifest", "[Content_Types].xml", "extension/package.json", "extension/dist/extension.js"]) {
  ok(files.has(required), `contains ${required}`);
}
ok(names.some((n) => n.toLowerCase() === "extension/readme.md"), "contains the README");
const src = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
if (files.has("extension/package.json")) {
  const pkg = JSON.parse(text("extension/package.json"));
  ok(pkg.name === src.name && pkg.version === src.version, `package.json is ${src.name}@${src.version}`);
  ok(JSON.stringify(pkg.contributes) === JSON.stringify(src.contributes), "package.json contributes as in the source");
  ok(pkg.main === "./dist/extension.js", "main is the bundle");
}
if (files.has("extension.vsixmanifest")) {
  const m = text("extension.vsixmanifest");
  ok(m.includes(`Id="${src.name}"`) && m.includes(`Version="${src.version}"`), "vsixmanifest identity");
  ok(m.includes(`<Property Id="Microsoft.VisualStudio.Code.Engine" Value="${src.engines.vscode}"`), `vsixmanifest engine ${src.engines.vscode}`);
  if (target) {
    ok(m.includes(`TargetPlatform="${target}"`), `vsixmanifest targets ${target}`);
  } else {
    ok(!m.includes("TargetPlatform="), "universal package (no target platform)");
  }
}
if (target) {
  const exe = target.startsWith("win32") ? "dockerfile-ls.exe" : "dockerfile-ls";
  ok(files.has(`extension/server/${target}/${exe}`), `bundles server/${target}/${exe}`);
  const others = names.filter((n) => n.startsWith("extension/server/") && !n.startsWith(`extension/server/${target}/`));
  ok(others.length === 0, `bundles no other platform's binary${others.length ? `: ${others.join(", ")}` : ""}`);
}

// no development files
const forbidden = [
  [/^extension\/src\//, "src/"],
  [/^extension\/test\//, "test/"],
  [/^extension\/out\//, "out/"],
  [/^extension\/scripts\//, "scripts/"],
  [/^extension\/node_modules\//, "node_modules/ (everything is bundled)"],
  [/\.map$/, "source maps"],
  [/\.ts$/, "TypeScript sources"],
  [/tsconfig\.json$/, "tsconfig.json"],
  [/package-lock\.json$/, "package-lock.json"],
  [/\.vsix$/, "nested .vsix"],
];
for (const [re, what] of forbidden) {
  const hits = names.filter((n) => re.test(n));
  ok(hits.length === 0, `no ${what}${hits.length ? `: ${hits.slice(0, 3).join(", ")}` : ""}`);
}
const allowed = /^(extension\.vsixmanifest|\[Content_Types\]\.xml|extension\/(package\.json|readme\.md|changelog\.md|license(\.txt|\.md)?|dist\/extension\.js|dist\/extension\.js\.LEGAL\.txt|server\/[a-z0-9]+-[a-z0-9]+\/dockerfile-ls(\.exe)?))$/;
const unexpected = names.filter((n) => !allowed.test(n.replace(/^extension\/[^/]+$/, (m) => m.toLowerCase())) && !n.endsWith("/"));
ok(unexpected.length === 0, `only the expected files${unexpected.length ? `; unexpected: ${unexpected.join(", ")}` : ""}`);

// bundled server binaries keep their exec bit
for (const n of names.filter((n) => /^extension\/server\//.test(n) && !n.endsWith("/"))) {
  ok((files.get(n).mode & 0o111) !== 0, `${n} is executable`);
}

// the bundle loads with only `vscode` provided, and exports the entry points
if (files.has("extension/dist/extension.js")) {
  const js = read(zip, files.get("extension/dist/extension.js"));
  ok(js.length < 1024 * 1024, `bundle is ${Math.round(js.length / 1024)} KB (< 1 MB)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vsix-"));
  const bundle = path.join(dir, "extension.js");
  fs.writeFileSync(bundle, js);
  const require = createRequire(bundle);
  const Module = require("node:module");
  const orig = Module._load;
  const missing = [];
  // a stand-in for the `vscode` API: any property is a function that can also be extended
  const stub = () => new Proxy(function () {}, { get: (target, key) => (key === "prototype" ? target.prototype : stub()) });
  const fakeVscode = stub();
  Module._load = function (request, parent, ...rest) {
    if (request === "vscode") return fakeVscode;
    if (request !== bundle && parent && parent.filename === bundle && !request.startsWith("node:") && !Module.builtinModules.includes(request)) {
      missing.push(request);
    }
    return orig.call(this, request, parent, ...rest);
  };
  try {
    const ext = require(bundle);
    ok(typeof ext.activate === "function" && typeof ext.deactivate === "function", "bundle exports activate and deactivate");
  } catch (err) {
    ok(false, `bundle loads: ${err.message}`);
  } finally {
    Module._load = orig;
  }
  ok(missing.length === 0, `bundle needs no module but vscode${missing.length ? `; needs ${missing.join(", ")}` : ""}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

for (const c of checked) console.log(`  vsix: ok: ${c}`);
for (const f of failures) console.log(`  vsix: FAIL: ${f}`);
console.log(`${path.basename(file)}: ${names.length} files, ${Math.round(zip.length / 1024)} KB; ${checked.length} checks passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
