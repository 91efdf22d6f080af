// The TypeScript types of the facade's answers (web/site/dflint.d.ts) against real answers of
// the compiled module: each answer is written into a TypeScript file as a literal of its type
// and `tsc --strict` checks them. A literal with a field the type lacks, or without one it
// requires, does not compile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(web);

test("real answers of every function have the published types", async () => {
  const wasm = await import(join(web, "dist", "pkg", "dflint_web.js"));
  await wasm.default({ module_or_path: readFileSync(join(web, "dist", "pkg", "dflint_web_bg.wasm")) });
  const read = (path) => readFileSync(join(repo, path), "utf8");
  const acl = "user default on nopass ~* +@all\nuser a on >pa ~app:* &news:* +@read +config|get (~x:* +set)\nuser b on >pa ~app:1* +get\n";
  const cluster = [
    { name: "dragonfly.yaml", text: read("examples/seed-cluster/dragonfly.yaml") },
    { name: "networkpolicy.yaml", text: read("examples/seed-cluster/networkpolicy.yaml") },
    { name: "secrets.yaml", text: read("examples/seed-cluster/secrets.yaml") },
    { name: "users.acl", text: acl },
  ];
  const answers = [
    ["LintReport", wasm.lint(JSON.stringify(cluster), "")],
    ["FacadeError", wasm.lint("not json", "")],
    ["Explained", wasm.acl_explain(acl, "redis")],
    ["Explained", wasm.acl_explain_user(acl, "dragonfly", "a")],
    ["Matrix", wasm.acl_matrix(acl, "dragonfly")],
    ["CanAnswer", wasm.acl_can(acl, "redis", "a", JSON.stringify(["CONFIG", "GET", "x"]))],
    ["CanAnswer", wasm.acl_can(acl, "dragonfly", "nobody", JSON.stringify(["GET", "x"]))],
    ["FacadeError", wasm.acl_can(acl, "valkey", "a", JSON.stringify(["GET", "x"]))],
    ["Isolation", wasm.acl_overlaps(acl, "dragonfly")],
    ["ReachReport", wasm.netpol_reach(JSON.stringify(cluster))],
    ["Shared", wasm.share_redact(JSON.stringify(cluster), "")],
    ["FacadeError", wasm.share_redact(JSON.stringify(cluster), "{\"no-such-setting\": 1}")],
  ];
  // Each kind of answer must really be there (not an error standing in for it).
  const report = JSON.parse(answers[0][1]);
  assert.ok(report.diagnostics.some((d) => d.related && d.utf16), "a finding with related places");
  assert.ok(report.diagnostics.some((d) => d.resource), "a finding in a resource");
  assert.ok(JSON.parse(answers[9][1]).instances.length > 0, "an instance in the reach table");
  assert.ok(JSON.parse(answers[10][1]).replaced > 0, "secrets replaced in a share");
  assert.ok(JSON.parse(answers[11][1]).error, "bad settings refused");
  const dir = mkdtempSync(join(tmpdir(), "dflint-types-"));
  const lines = [`import type * as T from ${JSON.stringify(join(web, "site", "dflint"))};`];
  answers.forEach(([type, json], i) => lines.push(`export const answer${i}: T.${type} = ${json};`));
  writeFileSync(join(dir, "answers.ts"), lines.join("\n") + "\n");
  try {
    execFileSync(join(web, "node_modules", ".bin", "tsc"),
      ["--strict", "--noEmit", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
        "--exactOptionalPropertyTypes", join(dir, "answers.ts")], { encoding: "utf8" });
  } catch (error) {
    assert.fail(`tsc refused real answers:\n${error.stdout}`);
  }
});
