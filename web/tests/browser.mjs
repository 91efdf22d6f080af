// What the browser tests share: Debian's /usr/bin/chromium driven by playwright-core against
// web/dist, served on 127.0.0.1 by the test itself (`scripts/build-web` builds web/dist;
// `scripts/test` runs both). A screenshot of each state goes to web/test-artifacts/.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../serve.mjs";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(web, "dist");
const artifacts = join(web, "test-artifacts");
const CHROMIUM = process.env.DFLINT_CHROMIUM || "/usr/bin/chromium";

let server;
let browser;
export let base;

/** Starts the server and the browser before the file's tests, and stops them after. */
export function browserSuite() {
  before(start);
  after(stop);
}

async function start() {
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
}

async function stop() {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
}

/** A fresh page on the playground; its console errors and page errors are collected. */
export async function open(t, options = {}) {
  const { route, fragment, ...contextOptions } = options;
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  // Nothing may be fetched from anywhere but the page's own origin.
  const elsewhere = [];
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:")) elsewhere.push(r.url()); });
  if (options.route) await options.route(page);
  await page.goto(base + (options.fragment || ""));
  await page.waitForSelector("#diagnostics li");
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, [], "the console shows errors");
    assert.deepEqual(elsewhere, [], "the page fetched from elsewhere");
  });
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/** Replaces the text of an editor pane and waits for the linter's answer to it. */
export async function setText(page, pane, text) {
  const before = await page.evaluate(() => ({
    status: document.querySelector("#status").textContent,
    views: performance.getEntriesByName("acl-views-round-trip").length,
  }));
  await page.evaluate(([pane, text]) => {
    const view = window.dflintPlayground.editors[pane];
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, [pane, text]);
  // The findings, then the matrix and isolation views of the same text.
  await page.waitForFunction((previous) => {
    const status = document.querySelector("#status").textContent;
    return status.includes("linted in") && status !== previous.status
      && performance.getEntriesByName("acl-views-round-trip").length > previous.views;
  }, before);
}

export async function diagnostics(page) {
  return page.$$eval("#diagnostics li", (items) => items.map((li) => li.textContent));
}

