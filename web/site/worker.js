// Runs the linter (dflint-core compiled to wasm) off the page's thread: typing never waits
// for it. Each request carries an id; the page drops answers to text that has changed since.
// A trap (a panic in the wasm) is reported; the page then starts a fresh worker.
import init, {
  acl_can,
  acl_explain_user,
  acl_matrix,
  acl_overlaps,
  lint,
  share_redact,
} from "../dist/pkg/dflint_web.js";

const ready = init({ module_or_path: new URL("./pkg/dflint_web_bg.wasm", import.meta.url) });

/**
 * What the page shows for one state of the editors, in two answers: the report first (what
 * typing waits for), then the ACL views (matrix and key isolation), which take as long again.
 */
function views({ id, files, dialect, settings }, started) {
  // As text: copying one string to the page and parsing it there is quicker than copying
  // a thousand parsed findings.
  const report = lint(JSON.stringify(files), JSON.stringify(settings));
  self.postMessage({ id, kind: "views", part: "report", json: report, ms: performance.now() - started });
  const acl = files.find((f) => f.name.endsWith(".acl"));
  const text = acl ? acl.text : "";
  return {
    matrix: JSON.parse(acl_matrix(text, dialect)),
    isolation: JSON.parse(acl_overlaps(text, dialect)),
  };
}

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const started = performance.now();
    let result;
    if (data.kind === "views") {
      result = views(data, started);
    } else if (data.kind === "lint") {
      result = JSON.parse(lint(JSON.stringify(data.files), JSON.stringify(data.settings || {})));
    } else if (data.kind === "explain") {
      result = JSON.parse(acl_explain_user(data.text, data.dialect, data.user));
    } else if (data.kind === "share") {
      result = JSON.parse(share_redact(JSON.stringify(data.files), JSON.stringify(data.settings)));
    } else if (data.kind === "can") {
      result = JSON.parse(acl_can(data.text, data.dialect, data.user, JSON.stringify(data.argv)));
    } else {
      throw new Error(`unknown request ${data.kind}`);
    }
    self.postMessage({ id: data.id, kind: data.kind, part: data.kind === "views" ? "acl" : undefined, result, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ id: data.id, kind: data.kind, trap: String(error && error.stack ? error.stack : error) });
  }
};
