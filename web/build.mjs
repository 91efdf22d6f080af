// Bundles the playground into web/dist (scripts/build-web runs it after wasm-bindgen has
// written web/dist/pkg): the page script, the worker, the page and its styles, and the
// examples, read from the repository's own example files so they never drift from them.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(fileURLToPath(import.meta.url));
const repo = dirname(web);
const dist = join(web, "dist");
mkdirSync(dist, { recursive: true });

const read = (path) => readFileSync(join(repo, path), "utf8");

// The seed cluster's ACL users: the `acl.conf` block of its Secret.
const secrets = read("examples/seed-cluster/secrets.yaml");
const seedUsers = secrets
  .split("\n")
  .filter((line) => /^ {4}user /.test(line))
  .map((line) => line.trim())
  .join("\n");
if (!seedUsers.includes("user langfuse")) {
  throw new Error("examples/seed-cluster/secrets.yaml no longer holds the seed users");
}
const examples = {
  seed: {
    title: "Seed cluster users (shared password, tenant with every key)",
    acl: seedUsers + "\n",
    cr: "",
    netpol: "",
  },
  clean: {
    title: "Clean multi-tenant file",
    acl: read("web/site/examples/clean-tenants.acl"),
    cr: "",
    netpol: "",
  },
  cluster: {
    title: "Seed cluster bundle (CR, Secrets, network policy)",
    acl: seedUsers + "\n",
    cr: read("examples/seed-cluster/dragonfly.yaml"),
    netpol: read("examples/seed-cluster/networkpolicy.yaml"),
  },
};
writeFileSync(join(web, "site", "examples.gen.js"), `export const EXAMPLES = ${JSON.stringify(examples, null, 2)};\n`);

await build({
  entryPoints: [join(web, "site", "main.js"), join(web, "site", "worker.js")],
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: false,
  target: "chrome110",
  outdir: dist,
  logLevel: "warning",
});
for (const file of ["index.html", "style.css"]) {
  copyFileSync(join(web, "site", file), join(dist, file));
}
