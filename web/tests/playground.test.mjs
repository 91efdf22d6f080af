// The playground in real Chromium (Debian's /usr/bin/chromium driven by playwright-core),
// against web/dist served on 127.0.0.1 by this test. `scripts/build-web` builds web/dist;
// `scripts/test` runs both. A screenshot of each state goes to web/test-artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { inflateRawSync } from "node:zlib";
import { browserSuite, diagnostics, open, setText, shot } from "./browser.mjs";

browserSuite();

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
  // With the share box open, so it is checked too.
  await page.click("#share");
  await page.waitForFunction(() => document.querySelector("#share-link").value !== "");
  // The ACL pane, then the cluster's CR pane (YAML highlighting), in both themes.
  for (const pane of ["acl", "cr"]) {
    if (pane === "cr") {
      const before = await page.textContent("#status");
      await page.selectOption("#example", "cluster");
      await page.waitForFunction((previous) => document.querySelector("#status").textContent !== previous
        && document.querySelector("#status").textContent.includes("linted in"), before);
      await page.click("#tab-cr");
    }
    for (const theme of ["light", "dark"]) {
      const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(bad.map((v) => `${pane} ${theme}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`), []);
      await shot(page, `09-axe-${pane}-${theme}`);
      await page.click("#theme");
    }
  }
});

test("a share link round-trips, holds no password and keeps the findings", async (t) => {
  const page = await open(t);
  const acl = await page.evaluate(() => window.dflintPlayground.editors.acl.state.doc.toString());
  const passwords = [...acl.matchAll(/(?:^|\s)[<>](\S+)/g)].map((m) => m[1]);
  assert.ok(passwords.length >= 3, `passwords of the seed: ${passwords.length}`);
  const before = (await diagnostics(page)).map((d) => d.replace(/^(\S+?:\d+):\d+/, "$1").replace(/\s.*?(DF\d{3}).*/, " $1"));
  assert.match(await page.textContent("header"), /every password, hash and Secret value is replaced by a placeholder/);
  await page.click("#share");
  await page.waitForFunction(() => document.querySelector("#share-link").value !== "");
  const link = await page.inputValue("#share-link");
  assert.ok(link.length <= 1500, `the seed example's link has ${link.length} characters`);
  assert.equal(await page.evaluate(() => location.href), link, "the address is the link");
  const payload = link.split("#share=")[1];
  const state = JSON.parse(inflateRawSync(Buffer.from(payload, "base64url")).toString());
  for (const password of passwords) {
    assert.ok(!link.includes(password), `the link holds ${password}`);
    assert.ok(!JSON.stringify(state).includes(password), "the link's state holds a password");
  }
  assert.match(await page.textContent("#share-note"), /^Link made \(\d+ characters\)\. \d+ secrets? (was|were) replaced by placeholders/);
  await shot(page, "10-share-link");

  // Opened in a fresh page, the link restores the editors and gives the same findings.
  const opened = await open(t, { fragment: `#share=${payload}` });
  assert.equal(await opened.evaluate(() => window.dflintPlayground.editors.acl.state.doc.toString()), state.acl);
  const after = (await diagnostics(opened)).map((d) => d.replace(/^(\S+?:\d+):\d+/, "$1").replace(/\s.*?(DF\d{3}).*/, " $1"));
  assert.deepEqual(after, before);
  assert.ok(after.some((d) => d.endsWith("DF205")), "the shared password is still shared");
  await shot(page, "11-share-link-opened");
});

test("a link that cannot be read says so and opens the seed example", async (t) => {
  const page = await open(t, { fragment: "#share=not-a-deflated-state" });
  assert.match(await page.textContent("#trap"), /This share link could not be read/);
  assert.ok((await diagnostics(page)).some((d) => d.includes("DF205")));
});

// A real wasm trap (`unreachable`) raised inside the worker's call of the module's `lint`
// when the text holds FORCE-TRAP: the module's exports are wrapped as it is instantiated.
const TRAP_HOOK = `
const trapModule = new Uint8Array([0,97,115,109,1,0,0,0,1,4,1,96,0,0,3,2,1,0,7,8,1,4,116,114,97,112,0,0,10,5,1,3,0,0,11]);
const trapNow = new WebAssembly.Instance(new WebAssembly.Module(trapModule)).exports.trap;
for (const name of ["instantiate", "instantiateStreaming"]) {
  const original = WebAssembly[name];
  WebAssembly[name] = async (...args) => {
    const result = await original(...args);
    const instance = result.instance || result;
    const exports = { ...instance.exports };
    const lint = exports.lint;
    exports.lint = (...words) => {
      const text = new TextDecoder().decode(new Uint8Array(exports.memory.buffer, words[0], words[1]));
      if (text.includes("FORCE-TRAP")) trapNow();
      return lint(...words);
    };
    return result.instance ? { module: result.module, instance: { exports } } : { exports };
  };
}
`;

test("a trap in the module is reported, the worker restarted and linting goes on", async (t) => {
  const page = await open(t, {
    route: (page) => page.route("**/worker.js", async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: TRAP_HOOK + (await response.text()) });
    }),
  });
  await page.evaluate(() => {
    const view = window.dflintPlayground.editors.acl;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: "user FORCE-TRAP on nopass\n" } });
  });
  await page.waitForFunction(() => document.querySelector("#trap").textContent.includes("restarted"));
  assert.match(await page.textContent("#trap"), /The linter stopped on this input \(RuntimeError: unreachable/);
  await shot(page, "13-trap-reported");
  await setText(page, "acl", "user default on nopass ~* +@all\n");
  assert.ok((await diagnostics(page)).some((d) => d.includes("DF203")), "the restarted worker lints");
});
