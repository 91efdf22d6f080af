// The playground in real Chromium (Debian's /usr/bin/chromium driven by playwright-core),
// against web/dist served on 127.0.0.1 by this test. `scripts/build-web` builds web/dist;
// `scripts/test` runs both. A screenshot of each state goes to web/test-artifacts/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { serve } from "../serve.mjs";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(web, "dist");
const artifacts = join(web, "test-artifacts");
const CHROMIUM = process.env.DFLINT_CHROMIUM || "/usr/bin/chromium";

let server;
let browser;
let base;

before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), "web/dist is missing: run scripts/build-web first");
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  mkdirSync(artifacts, { recursive: true });
  server = await serve(dist, 0);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
});

/** A fresh page on the playground; its console errors and page errors are collected. */
async function open(t, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  // Nothing may be fetched from anywhere but the page's own origin.
  const elsewhere = [];
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:")) elsewhere.push(r.url()); });
  await page.goto(base);
  await page.waitForSelector("#diagnostics li");
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, [], "the console shows errors");
    assert.deepEqual(elsewhere, [], "the page fetched from elsewhere");
  });
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Replaces the text of an editor pane and waits for the linter's answer to it. */
async function setText(page, pane, text) {
  const before = await page.textContent("#status");
  await page.evaluate(([pane, text]) => {
    const view = window.dflintPlayground.editors[pane];
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, [pane, text]);
  await page.waitForFunction((previous) => {
    const status = document.querySelector("#status").textContent;
    return status.includes("linted in") && status !== previous;
  }, before);
}

async function diagnostics(page) {
  return page.$$eval("#diagnostics li", (items) => items.map((li) => li.textContent));
}

test("the page opens on the seed example and shows its findings", async (t) => {
  const page = await open(t);
  const found = await diagnostics(page);
  assert.ok(found.some((d) => d.includes("DF205")), "the shared password (DF205)");
  assert.ok(found.some((d) => d.startsWith("users.acl:5") && d.includes("DF210")), "langfuse's +CONFIG (DF210)");
  // Squiggles in the editor and markers in its gutter.
  assert.ok((await page.$$("#pane-acl .cm-lintRange")).length > 0);
  assert.ok((await page.$$("#pane-acl .cm-lint-marker")).length > 0);
  await shot(page, "01-seed-example");
});

test("typing a user that re-grants a dangerous command squiggles exactly that token", async (t) => {
  const page = await open(t);
  const line = "user t on >x ~t:* +@all -@dangerous +config";
  const text = await page.evaluate(() => window.dflintPlayground.editors.acl.state.doc.toString());
  await setText(page, "acl", `${text.trimEnd()}\n${line}\n`);
  const found = await diagnostics(page);
  assert.ok(found.some((d) => d.startsWith("users.acl:6:37") && d.includes("DF210") && d.includes("+config")), found.join("\n"));
  const ranges = await page.$$eval("#pane-acl .cm-lintRange", (els) => els.map((e) => e.textContent));
  assert.ok(ranges.includes("+config"), `squiggles: ${ranges}`);
  await shot(page, "02-regranted-dangerous");

  // The matrix: CONFIG allowed and FLUSHALL denied for `t`, in the @dangerous cell.
  const cell = page.locator('#matrix td[data-user="t"][data-category="@dangerous"] button');
  assert.equal(await page.getAttribute('#matrix td[data-user="t"][data-category="@dangerous"]', "data-state"), "partly");
  assert.equal(await cell.getAttribute("title"), "allowed by +config; denied by -@dangerous");
  await cell.click();
  await page.waitForSelector("#drilldown li");
  const commands = await page.$$eval("#drilldown li", (items) => items.map((li) => li.textContent));
  assert.ok(commands.some((c) => c.startsWith("allowed: CONFIG") && c.includes("+config")), commands.join("\n"));
  assert.ok(commands.some((c) => c.startsWith("denied: FLUSHALL") && c.includes("-@dangerous")), commands.join("\n"));
  await shot(page, "03-matrix-drilldown");

  // The dry run: `t CONFIG SET x y` is allowed by `+config`, highlighted in the editor.
  await page.fill("#dry-user", "t");
  await page.fill("#dry-command", "CONFIG SET x y");
  await page.click("#dryrun button");
  await page.waitForFunction(() => document.querySelector("#dry-answer").textContent !== "");
  const answer = await page.textContent("#dry-answer");
  assert.match(answer, /^allowed: t may run CONFIG SET x y \(decided by \+config\)$/);
  assert.equal(await page.textContent("#pane-acl .cm-deciding"), "+config");
  await shot(page, "04-dry-run");
});

test("every matrix cell agrees with the dry-run engine of the compiled module, cell by cell", async (t) => {
  const page = await open(t);
  const mismatches = await page.evaluate(async () => {
    const wasm = await import("./pkg/dflint_web.js");
    await wasm.default({ module_or_path: new URL("./pkg/dflint_web_bg.wasm", location.href) });
    const acl = window.dflintPlayground.editors.acl.state.doc.toString();
    const out = [];
    let cells = 0;
    for (const dialect of ["dragonfly", "redis"]) {
      const matrix = JSON.parse(wasm.acl_matrix(acl, dialect));
      for (const row of matrix.users) {
        const effective = new Set(JSON.parse(wasm.acl_explain_user(acl, dialect, row.user)).users[0].commands.map((c) => c.command));
        row.cells.forEach((cell, index) => {
          cells += 1;
          let allowed = 0;
          for (const name of matrix.categories[index].commands) {
            // Dummy arguments until the command line has the command's arity.
            const words = name.toUpperCase().split(/[ |]/);
            let answer;
            for (let extra = 0; extra <= 8; extra++) {
              answer = JSON.parse(wasm.acl_can(acl, dialect, row.user, JSON.stringify(words.concat(Array(extra).fill("k"))))).answer;
              if (!answer.error || !/argument/.test(answer.error)) break;
            }
            if (answer.error && dialect !== "redis") {
              out.push(`${dialect} ${row.user} ${name}: ${answer.error}`);
              continue;
            }
            if (answer.error) {
              // A Redis container (`config`) runs only as a subcommand: no command line
              // reaches its own check, so the effective permissions decide it.
              allowed += effective.has(name) ? 1 : 0;
              continue;
            }
            if (answer.allowed || answer.denied_on !== "command") allowed += 1;
          }
          if (allowed !== cell.allowed) out.push(`${dialect} ${row.user} ${matrix.categories[index].name}: matrix ${cell.allowed}, dry run ${allowed}`);
        });
      }
    }
    return { out, cells };
  });
  assert.ok(mismatches.cells > 200, `${mismatches.cells} cells`);
  assert.deepEqual(mismatches.out, []);
});

test("the key-isolation view lists overlapping users with a key both match", async (t) => {
  const page = await open(t);
  await setText(page, "acl", "user a on >pa ~app:* +get\nuser b on >pb ~app:1* +get\nuser c on >pc ~other:* +get\n");
  const overlaps = await page.$$eval("#overlaps li", (items) => items.map((li) => li.textContent));
  assert.equal(overlaps.length, 1, overlaps.join("\n"));
  assert.match(overlaps[0], /^a \(app:\*\) and b \(app:1\*\) both match the key app:1/);
  await shot(page, "05-key-isolation");
});

test("the dialect switch changes the verdict on a first-argument grant", async (t) => {
  const page = await open(t);
  await setText(page, "acl", "user t on >x ~* -@all +config|get\n");
  const verdict = async () => {
    await page.fill("#dry-user", "t");
    await page.fill("#dry-command", "CONFIG GET maxmemory");
    await page.evaluate(() => { document.querySelector("#dry-answer").textContent = ""; });
    await page.click("#dryrun button");
    await page.waitForFunction(() => document.querySelector("#dry-answer").textContent !== "");
    return page.textContent("#dry-answer");
  };
  const dragonfly = await verdict();
  await page.selectOption("#dialect", "redis");
  await page.waitForFunction(() => document.querySelector("#status").textContent.includes("linted in"));
  const redis = await verdict();
  assert.match(redis, /^allowed/, redis);
  assert.notEqual(dragonfly, redis);
  await shot(page, "06-dialect-redis");
});

test("the cluster example lints the CR and the policy with the ACL as one bundle", async (t) => {
  const page = await open(t);
  const before = await page.textContent("#status");
  await page.selectOption("#example", "cluster");
  await page.waitForFunction((previous) => document.querySelector("#status").textContent !== previous
    && document.querySelector("#status").textContent.includes("linted in"), before);
  const found = await diagnostics(page);
  assert.ok(found.some((d) => d.startsWith("dragonfly.yaml:")), "a finding in the CR pane");
  assert.ok(found.some((d) => d.startsWith("networkpolicy.yaml:")), "a finding in the policy pane");
  // An error in the CR itself, and what only the CR and the policy together show: the
  // policy opens the CR's admin port to a whole namespace.
  assert.ok(found.some((d) => d.startsWith("dragonfly.yaml:") && d.includes("error DF010")), found.join("\n"));
  assert.ok(found.some((d) => d.startsWith("networkpolicy.yaml:") && d.includes("DF301") && d.includes("cache/dragonfly")), found.join("\n"));
  await page.click("#tab-cr");
  assert.ok((await page.$$("#pane-cr .cm-lintRange")).length > 0);
  await shot(page, "07-cluster-bundle");
});

test("garbage, 1 MB of text and an alias bomb get findings and the page keeps working", async (t) => {
  const page = await open(t);
  await setText(page, "cr", "{{{ not: [yaml\n\t- : :\n");
  assert.ok((await diagnostics(page)).some((d) => d.startsWith("dragonfly.yaml:") && d.includes("DF001")));
  const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    .concat(Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`))
    .join("\n");
  await setText(page, "cr", `${bomb}\n`);
  assert.ok((await diagnostics(page)).some((d) => d.includes("DF00")), "the alias bomb is reported");
  await setText(page, "acl", `user big on >p ~big:* +get\n${"user x on nopass ~x:* +get\n".repeat(40_000)}`);
  assert.ok((await diagnostics(page)).length > 0);
  // Still answering.
  await setText(page, "acl", "user default on nopass ~* +@all\n");
  assert.ok((await diagnostics(page)).some((d) => d.includes("DF203")));
  assert.equal(await page.textContent("#trap"), "");
  await shot(page, "08-hostile-inputs");
});

test("an accessibility check finds no serious or critical violation", async (t) => {
  // axe is injected as an inline script, which the page's own policy forbids.
  const page = await open(t, { bypassCSP: true });
  const require = createRequire(import.meta.url);
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  for (const theme of ["light", "dark"]) {
    const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad.map((v) => `${theme}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`), []);
    await shot(page, `09-axe-${theme}`);
    await page.click("#theme");
  }
});
