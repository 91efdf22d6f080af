// The suites every front end is held to, run through the playground's own worker (the
// compiled module in Chromium, as the page runs it): the parity table (tests/parity), the
// hostile inputs (tests/hostile/cases.json) and the secret-redaction fixtures
// (crates/cli/tests/data/secrets, share links included).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";
import { browserSuite, open, shot } from "./browser.mjs";

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

browserSuite();

/** Every file under `dir`, as `{name, text}` with its path relative to `dir`, sorted. */
function filesUnder(dir) {
  const out = [];
  const walk = (folder) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ name: relative(dir, path).replace(/\\/g, "/"), text: readFileSync(path, "utf8") });
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The worker's answer to one request (the page's own worker, not a copy). */
function ask(page, message) {
  return page.evaluate((m) => window.dflintPlayground.request(m), message);
}

test("the parity table: every case gives the table's findings through the worker", async (t) => {
  const page = await open(t);
  const expected = JSON.parse(readFileSync(join(repo, "tests/parity/expected.json"), "utf8"));
  const cases = readdirSync(join(repo, "tests/parity/cases")).filter((c) => !c.startsWith(".")).sort();
  assert.deepEqual(Object.keys(expected).sort(), cases, "the table and the case directories differ");
  // Findings the browser cannot give (a file only the CLI reads from disk), each with its
  // reason; the worker must not give them, and an entry no longer needed fails.
  const exceptions = JSON.parse(readFileSync(join(repo, "tests/parity/web-exceptions.json"), "utf8"));
  const unused = new Set(exceptions.map((e) => `${e.case}\0${e.file}\0${e.code}`));
  const failures = [];
  for (const name of cases) {
    const files = filesUnder(join(repo, "tests/parity/cases", name));
    const report = await ask(page, { kind: "lint", files, settings: {} });
    assert.ok(!report.error, `${name}: ${report.error}`);
    const found = report.diagnostics
      .map((d) => ({ code: d.code, file: d.file.replace(/^\.\//, ""), line: d.line }))
      .sort((a, b) => (a.file + "\0" + String(a.line).padStart(8) + a.code < b.file + "\0" + String(b.line).padStart(8) + b.code ? -1 : 1));
    const want = expected[name]
      .filter((f) => !unused.delete(`${name}\0${f.file}\0${f.code}`))
      .sort((a, b) => (a.file + "\0" + String(a.line).padStart(8) + a.code < b.file + "\0" + String(b.line).padStart(8) + b.code ? -1 : 1));
    if (JSON.stringify(found) !== JSON.stringify(want)) {
      failures.push(`${name}: the worker reports ${JSON.stringify(found)}, the table ${JSON.stringify(want)}`);
    }
  }
  assert.ok(cases.length > 150, `${cases.length} cases`);
  assert.deepEqual(failures, []);
  assert.deepEqual([...unused], [], "web exceptions no longer needed: remove them from tests/parity/web-exceptions.json");
});

/** The text of a hostile case: its parts expanded (see the `about` of cases.json). */
function hostileText(parts) {
  return parts.map((part) => {
    const from = part.from ?? 0;
    let out = "";
    for (let n = 0; n < (part.repeat ?? 1); n++) {
      const i = from + n;
      out += part.text
        .replaceAll("{i:064}", String(i).padStart(64, "0"))
        .replaceAll("{prev}", String(i - 1))
        .replaceAll("{i}", String(i));
    }
    return out;
  }).join("");
}

test("the hostile inputs: every case is answered by the worker, with the CLI's codes", async (t) => {
  const page = await open(t);
  const { cases } = JSON.parse(readFileSync(join(repo, "tests/hostile/cases.json"), "utf8"));
  const failures = [];
  for (const c of cases) {
    const text = hostileText(c.parts);
    const dialect = c.dialect || "dragonfly";
    const files = [{ name: c.file, text }];
    // What the page asks on every edit: the report, and for an ACL the matrix and isolation.
    // Only the codes come back to the test: the answers stay in the page.
    const views = await page.evaluate(async (message) => {
      try {
        const { report, matrix, isolation } = await window.dflintPlayground.request(message);
        if (report.error) return { failed: report.error };
        return { codes: [...new Set(report.diagnostics.map((d) => d.code))], matrix: !!(matrix.users || matrix.error), isolation: !!(isolation.overlaps || isolation.error) };
      } catch (error) {
        return { failed: String(error) };
      }
    }, { kind: "views", files, dialect, settings: { acl: { dialect } } });
    if (views.failed || !views.matrix || !views.isolation) {
      failures.push(`${c.name}: ${views.failed || "no matrix or isolation answer"}`);
      continue;
    }
    const codes = new Set(views.codes);
    const missing = (c.cli?.codes || []).filter((code) => !codes.has(code));
    if (missing.length) failures.push(`${c.name}: missing ${missing.join(", ")} (found ${[...codes].join(", ")})`);
    if (c.file.endsWith(".acl") || c.file === "acl.conf") {
      const [user, ...argv] = c.cli?.can || ["default", "GET", "k"];
      for (const [kind, extra] of [["explain", { user: c.cli?.explainUser || "default" }], ["can", { user, argv }]]) {
        const failed = await page.evaluate((message) => window.dflintPlayground.request(message)
          .then((answer) => (answer.error ? `no answer: ${answer.error}` : ""), (error) => String(error)), { kind, text, dialect, ...extra });
        if (failed) failures.push(`${c.name}: ${kind}: ${failed}`);
      }
    }
  }
  assert.ok(cases.length >= 10, `${cases.length} cases`);
  assert.deepEqual(failures, []);
  assert.equal(await page.textContent("#trap"), "", "the worker trapped");
});

/** The secrets of the redaction fixtures (markers.txt) and what counts as showing one. */
function secretNeedles() {
  const dir = join(repo, "crates/cli/tests/data/secrets");
  const needles = [];
  for (const line of readFileSync(join(dir, "markers.txt"), "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const [kind, value] = line.split("\t");
    if (kind === "pw") {
      needles.push({ value, text: value.toLowerCase(), ignoreCase: true });
      // Its base64 (a Secret's `data`), at each of the three alignments.
      for (let shift = 0; shift < 3; shift++) {
        const encoded = Buffer.from("xxx".slice(0, shift) + value).toString("base64");
        const inner = encoded.slice(Math.ceil((shift * 4) / 3) + 1, -4);
        if (inner.length >= 12) needles.push({ value, text: inner.slice(0, 12), ignoreCase: false });
      }
    } else if (kind === "name") {
      needles.push({ value, text: `>${value}`.toLowerCase(), ignoreCase: true }, { value, text: `<${value}`.toLowerCase(), ignoreCase: true });
    } else if (kind === "hash") {
      needles.push({ value, text: value.slice(0, 16).toLowerCase(), ignoreCase: true }, { value, text: value.slice(-16).toLowerCase(), ignoreCase: true });
    }
  }
  return needles;
}

function leaks(where, text, needles) {
  const lower = text.toLowerCase();
  return needles.filter((n) => (n.ignoreCase ? lower : text).includes(n.text)).map((n) => `${where}: ${n.value} (as ${n.text})`);
}

test("the redaction fixtures: no answer of the worker and no share link shows a secret", async (t) => {
  const page = await open(t);
  const needles = secretNeedles();
  const dir = join(repo, "crates/cli/tests/data/secrets");
  const fixtures = filesUnder(dir).filter((f) => !["markers.txt", "cases.jsonl"].includes(f.name));
  assert.ok(fixtures.length > 30, `${fixtures.length} fixtures`);
  const found = [];
  let links = 0;
  for (const fixture of fixtures) {
    const acl = fixture.name.endsWith(".acl");
    // The answers the page shows beside the editors: the report's messages, the matrix,
    // the isolation view, a drill-down and a dry run. The editors hold the text itself.
    const views = await ask(page, { kind: "views", files: [fixture], dialect: "dragonfly", settings: {} });
    for (const d of views.report.diagnostics) {
      found.push(...leaks(`${fixture.name} ${d.code}`, JSON.stringify([d.message, d.help, d.related, d.resource]), needles));
    }
    if (acl) {
      found.push(...leaks(`${fixture.name} matrix`, JSON.stringify(views.matrix), needles));
      found.push(...leaks(`${fixture.name} isolation`, JSON.stringify(views.isolation), needles));
      for (const user of ["default", "alice", "bob"]) {
        const explained = await ask(page, { kind: "explain", text: fixture.text, dialect: "dragonfly", user });
        found.push(...leaks(`${fixture.name} explain ${user}`, JSON.stringify(explained), needles));
        const can = await ask(page, { kind: "can", text: fixture.text, dialect: "redis", user, argv: ["GET", "alice:1"] });
        found.push(...leaks(`${fixture.name} can ${user}`, JSON.stringify(can), needles));
      }
    }
    // The share link, made by the page from the editors as a user makes it.
    const pane = acl ? "acl" : "cr";
    await page.evaluate(([pane, text]) => {
      for (const [key, view] of Object.entries(window.dflintPlayground.editors)) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: key === pane ? text : "" } });
      }
      document.querySelector("#share-link").value = "";
    }, [pane, fixture.text]);
    await page.click("#share");
    await page.waitForFunction(() => document.querySelector("#share-link").value !== "");
    const link = await page.inputValue("#share-link");
    const state = inflateRawSync(Buffer.from(link.split("#share=")[1], "base64url")).toString();
    found.push(...leaks(`${fixture.name} link`, link, needles), ...leaks(`${fixture.name} link state`, state, needles));
    links += 1;
  }
  assert.equal(links, fixtures.length);
  assert.deepEqual([...new Set(found)], []);
  await shot(page, "12-redaction-share");
});
