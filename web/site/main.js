// The playground page: three editors (ACL, Dragonfly CR, network policies) linted as one
// bundle on every edit by the worker, and the views of the ACL engine's answers.
import { EditorView, basicSetup } from "codemirror";
import { EditorState, StateEffect, StateField } from "@codemirror/state";
import { Decoration } from "@codemirror/view";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { yaml } from "@codemirror/lang-yaml";
import { EXAMPLES } from "./examples.gen.js";

const FILES = { acl: "users.acl", cr: "dragonfly.yaml", netpol: "networkpolicy.yaml" };
const $ = (id) => document.getElementById(id);

// ---- ACL highlighting: users, passwords, categories, commands, patterns, selectors.
const KEYWORDS = new Set(["user", "on", "off", "nopass", "resetpass", "reset", "resetkeys",
  "resetchannels", "allkeys", "allchannels", "allcommands", "nocommands", "clearselectors"]);
const aclLanguage = StreamLanguage.define({
  name: "acl",
  startState: () => ({ word: 0 }),
  token(stream, state) {
    if (stream.sol()) state.word = 0;
    if (stream.eatSpace()) return null;
    if (state.word === 0 && stream.peek() === "#") { stream.skipToEnd(); return "comment"; }
    if (stream.match(/^[()]/)) return "bracket";
    const word = stream.match(/^[^\s()]+/)[0];
    state.word += 1;
    if (state.word === 2) return "def";
    if (KEYWORDS.has(word.toLowerCase())) return "keyword";
    if (/^[<>]/.test(word)) return "string";
    if (/^[#!]/.test(word)) return "string-2";
    if (/^[+-]@/.test(word)) return "atom";
    if (/^[+-]/.test(word)) return "builtin";
    if (/^(%R?W?~|~)/.test(word)) return "variable-2";
    if (/^&/.test(word)) return "variable-3";
    if (/^\$/.test(word)) return "number";
    return null;
  },
});

// Colours from the page's theme (style.css), readable on both backgrounds.
const aclHighlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--hl-keyword)" },
  { tag: tags.definition(tags.variableName), color: "var(--hl-user)", fontWeight: "600" },
  { tag: tags.string, color: "var(--hl-password)" },
  { tag: tags.special(tags.string), color: "var(--hl-password)" },
  { tag: tags.atom, color: "var(--hl-category)" },
  { tag: tags.standard(tags.variableName), color: "var(--hl-command)" },
  { tag: tags.special(tags.variableName), color: "var(--hl-pattern)" },
  { tag: tags.local(tags.variableName), color: "var(--hl-pattern)" },
  { tag: tags.number, color: "var(--hl-command)" },
  { tag: tags.comment, color: "var(--muted)", fontStyle: "italic" },
  { tag: tags.bracket, color: "var(--hl-keyword)", fontWeight: "700" },
]);

// YAML (the CR and policy panes) in the same theme colours: keys, quoted strings, anchors
// and aliases, tags, comments and document markers.
const yamlHighlight = HighlightStyle.define([
  { tag: tags.definition(tags.propertyName), color: "var(--hl-keyword)" },
  { tag: tags.string, color: "var(--hl-password)" },
  { tag: tags.special(tags.string), color: "var(--hl-category)" },
  { tag: tags.labelName, color: "var(--hl-category)" },
  { tag: tags.typeName, color: "var(--hl-command)" },
  { tag: tags.keyword, color: "var(--hl-keyword)" },
  { tag: tags.lineComment, color: "var(--muted)", fontStyle: "italic" },
  { tag: tags.meta, color: "var(--muted)" },
]);

// ---- The deciding token of a dry run, marked in the ACL editor.
const markDeciding = StateEffect.define();
const decidingField = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(markDeciding)) {
        marks = effect.value
          ? Decoration.set([Decoration.mark({ class: "cm-deciding" }).range(effect.value.from, effect.value.to)])
          : Decoration.none;
      }
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

const editorTheme = EditorView.theme({
  "&": { backgroundColor: "var(--bg)", color: "var(--fg)" },
  ".cm-gutters": { backgroundColor: "var(--panel)", color: "var(--muted)", borderRight: "1px solid var(--line)" },
  ".cm-activeLine": { backgroundColor: "transparent" },
  ".cm-activeLineGutter": { backgroundColor: "var(--line)", color: "var(--fg)" },
  ".cm-content": { caretColor: "var(--fg)" },
});

const editors = {};
for (const [key, name] of Object.entries(FILES)) {
  editors[key] = new EditorView({
    parent: $(`pane-${key}`),
    state: EditorState.create({
      doc: "",
      extensions: [
        basicSetup,
        // Long ACL lines wrap: the whole rule stays in view, and the editor never scrolls
        // sideways (a region the keyboard could not reach).
        EditorView.lineWrapping,
        lintGutter(),
        editorTheme,
        // Tabbable as it already is, said explicitly so checkers see the scroller is reachable.
        EditorView.contentAttributes.of({ "aria-label": `${name} editor`, tabindex: "0" }),
        EditorView.updateListener.of((update) => { if (update.docChanged) schedule(); }),
        ...(key === "acl"
          ? [aclLanguage, syntaxHighlighting(aclHighlight), decidingField]
          : [yaml(), syntaxHighlighting(yamlHighlight)]),
      ],
    }),
  });
}

// The editors by pane, and the worker's answers to any request (a promise; it does not
// change what the page shows), for the browser tests and the console.
window.dflintPlayground = { editors, request };

// ---- Tabs (arrow keys move between them, as the ARIA tab pattern has it).
const tabs = Object.keys(FILES).map((key) => $(`tab-${key}`));
function showTab(key) {
  for (const k of Object.keys(FILES)) {
    const selected = k === key;
    $(`tab-${k}`).setAttribute("aria-selected", String(selected));
    $(`tab-${k}`).tabIndex = selected ? 0 : -1;
    $(`pane-${k}`).hidden = !selected;
  }
}
tabs.forEach((tab, index) => {
  const key = Object.keys(FILES)[index];
  tab.addEventListener("click", () => showTab(key));
  tab.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const next = tabs[(index + step + tabs.length) % tabs.length];
    next.focus();
    next.click();
  });
});

// ---- The worker: one request in flight per kind; answers to stale text are dropped.
let worker;
let nextId = 1;
const latest = { views: 0, can: 0, explain: 0, share: 0 };
const pending = {};
function startWorker() {
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = ({ data }) => {
    if (data.json !== undefined) data.result = JSON.parse(data.json);
    const asked = callers.get(data.id);
    if (asked) {
      // `request` answers views once both parts are in, as one object.
      if (data.part === "report" && !data.trap) {
        asked.report = data.result;
        return;
      }
      callers.delete(data.id);
      if (data.trap) asked.reject(new Error(data.trap));
      else asked.resolve(data.part === "acl" ? { report: asked.report, ...data.result } : data.result);
    }
    if (data.trap) {
      $("trap").textContent = `The linter stopped on this input (${data.trap.split("\n")[0]}); it was restarted.`;
      restart(data.kind);
      return;
    }
    if (asked || data.id !== latest[data.kind]) return; // asked by `request`, or for text that has changed since
    if (data.part === "report") {
      showReport(data.result, data.ms);
      // Timed by the benchmark (web/bench.mjs): from the edit's request to its findings on screen.
      performance.measure("views-round-trip", `sent-${data.id}`);
      if (!performance.getEntriesByName("first-diagnostics").length) performance.mark("first-diagnostics");
      return;
    }
    if (data.kind === "views") showAclViews(data.result);
    else if (data.kind === "explain") showDrill(data.result);
    else if (data.kind === "share") showShare(data.result);
    else showAnswer(data.result);
    performance.measure(`${data.kind === "views" ? "acl-views" : data.kind}-round-trip`, `sent-${data.id}`);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    $("trap").textContent = `The linter failed (${event.message || "worker error"}); it was restarted.`;
    restart("views");
  };
}
function restart(kind) {
  worker.terminate();
  // Requests in flight die with the worker.
  for (const [, asked] of callers) asked.reject(new Error("the worker was restarted"));
  callers.clear();
  startWorker();
  // Ask again only for what is still current; a trapping text is not retried forever.
  if (kind !== "views" && pending.views) worker.postMessage(pending.views);
}
function send(request) {
  request.id = nextId++;
  latest[request.kind] = request.id;
  pending[request.kind] = request;
  // Timed by the benchmark (web/bench.mjs): request to answer on screen, worker included.
  performance.mark(`sent-${request.id}`);
  worker.postMessage(request);
}
/** Sends `request` (`{kind, …}`) to the worker; resolves with its answer. */
const callers = new Map();
function request(message) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    callers.set(id, { resolve, reject });
    worker.postMessage({ ...message, id });
  });
}
startWorker();

function files() {
  return Object.entries(FILES)
    .map(([key, name]) => ({ name, text: editors[key].state.doc.toString() }))
    .filter((file) => file.text.trim() !== "");
}

let timer;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(relint, 30);
}
function relint() {
  $("status").textContent = "Linting…";
  send({ kind: "views", files: files(), dialect: $("dialect").value, settings: { acl: { dialect: $("dialect").value } } });
}

// ---- Diagnostics: squiggles in the editors, and the list.
function showReport(report, ms) {
  if (report.error) {
    $("status").textContent = `Cannot lint: ${report.error}`;
    return;
  }
  for (const [key, name] of Object.entries(FILES)) {
    const view = editors[key];
    const length = view.state.doc.length;
    const found = report.diagnostics
      .filter((d) => d.file === name && d.utf16)
      .map((d) => ({
        from: Math.min(d.utf16.start, length),
        to: Math.min(Math.max(d.utf16.end, d.utf16.start), length),
        severity: d.severity === "info" ? "info" : d.severity,
        source: d.code,
        message: `${d.code} ${d.message}`,
        renderMessage: () => message(d),
      }));
    view.dispatch(setDiagnostics(view.state, found));
  }
  showList(report.diagnostics);
  const s = report.summary;
  // An empty page checks nothing, and says so rather than showing a clean result.
  const nothing = s.files === 0 ? "Nothing to lint: the editors are empty · " : "";
  $("status").textContent = `${nothing}${s.errors} errors, ${s.warnings} warnings, ${s.infos} infos · linted in ${ms.toFixed(1)} ms`;
}

function showAclViews({ matrix, isolation }) {
  showMatrix(matrix);
  showIsolation(isolation);
}

// The list is filled a hundred findings at a time: the first are on screen at once, and a
// file with a thousand findings does not hold up typing while the rest are added.
const LIST_CHUNK = 100;
let listGeneration = 0;
function showList(found) {
  const list = $("diagnostics");
  const generation = ++listGeneration;
  const item = (d) => {
    const li = document.createElement("li");
    const place = document.createElement("button");
    place.className = "place";
    place.type = "button";
    place.textContent = `${d.file}:${d.line}:${d.column}`;
    place.addEventListener("click", () => jump(d));
    li.append(place, " ", message(d));
    return li;
  };
  list.replaceChildren(...found.slice(0, LIST_CHUNK).map(item));
  list.setAttribute("aria-busy", String(found.length > LIST_CHUNK));
  const more = (from) => {
    if (generation !== listGeneration) return; // a newer answer replaced the list
    list.append(...found.slice(from, from + LIST_CHUNK).map(item));
    if (from + LIST_CHUNK < found.length) setTimeout(() => more(from + LIST_CHUNK), 0);
    else list.setAttribute("aria-busy", "false");
  };
  if (found.length > LIST_CHUNK) setTimeout(() => more(LIST_CHUNK), 0);
}

function message(d) {
  const span = document.createElement("span");
  const severity = document.createElement("strong");
  severity.className = `sev-${d.severity}`;
  severity.textContent = d.severity;
  const code = document.createElement("a");
  code.href = d.doc_url;
  code.target = "_blank";
  code.rel = "noopener";
  code.textContent = d.code;
  span.append(severity, " ", code, ` ${d.message}`);
  if (d.help) span.append(` — ${d.help}`);
  return span;
}

function jump(d) {
  const key = Object.keys(FILES).find((k) => FILES[k] === d.file);
  if (!key || !d.utf16) return;
  showTab(key);
  select(editors[key], d.utf16.start, d.utf16.end);
}

function select(view, from, to) {
  const length = view.state.doc.length;
  view.dispatch({ selection: { anchor: Math.min(from, length), head: Math.min(to, length) }, scrollIntoView: true });
  view.focus();
}

// ---- Permission matrix.
function showMatrix(matrix) {
  const root = $("matrix");
  if (matrix.error || !matrix.users.length) {
    root.textContent = matrix.error ? `No matrix: ${matrix.error}` : "No users.";
    return;
  }
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  head.append(Object.assign(document.createElement("th"), { textContent: "user", scope: "col" }));
  for (const category of matrix.categories) {
    const th = Object.assign(document.createElement("th"), { textContent: category.name, scope: "col" });
    if (category.risky) th.className = "risky";
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of matrix.users) {
    const tr = body.insertRow();
    tr.append(Object.assign(document.createElement("th"), { textContent: row.user + (row.enabled ? "" : " (off)"), scope: "row" }));
    row.cells.forEach((cell, index) => {
      const category = matrix.categories[index];
      const td = tr.insertCell();
      td.className = `cell-${cell.state}`;
      td.dataset.user = row.user;
      td.dataset.category = category.name;
      td.dataset.state = cell.state;
      const button = document.createElement("button");
      button.type = "button";
      button.className = `cell-${cell.state}`;
      // The state in words as well as in colour; the accessible name starts with what is shown.
      button.textContent = cell.state === "partly" ? `${cell.allowed}/${cell.total}` : cell.state === "allowed" ? "all" : "none";
      button.setAttribute("aria-label", `${button.textContent}: ${row.user}, ${category.name} ${cell.state} (${cell.allowed} of ${cell.total} commands)`);
      button.title = [
        cell.granted_by.length ? `allowed by ${cell.granted_by.join(", ")}` : "",
        cell.denied_by.length ? `denied by ${cell.denied_by.join(", ")}` : "",
      ].filter(Boolean).join("; ");
      button.addEventListener("click", () => drill(row.user, category));
      td.append(button);
    });
  }
  const more = matrix.more_users
    ? [Object.assign(document.createElement("p"), { className: "note", textContent: `${matrix.more_users} more users are not shown; the dry run answers for any of them.` })]
    : [];
  root.replaceChildren(table, ...more);
}

/** Opens a cell: the user's permissions are asked for, then its commands listed. */
let drilled = null;
function drill(name, category) {
  drilled = { name, category };
  send({ kind: "explain", text: editors.acl.state.doc.toString(), dialect: $("dialect").value, user: name });
}

function showDrill(explained) {
  const root = $("drilldown");
  root.replaceChildren();
  const user = explained.users && explained.users[0];
  if (!drilled || !user) return;
  const { name, category } = drilled;
  const heading = Object.assign(document.createElement("h3"), { textContent: `${name} · ${category.name}` });
  const list = document.createElement("ul");
  const allowed = new Map(user.commands.map((c) => [c.command, c]));
  const denied = new Map(user.denied_commands.map((c) => [c.command, c]));
  for (const command of category.commands) {
    const item = document.createElement("li");
    const yes = allowed.get(command);
    const token = yes ? yes.granted_by : denied.get(command)?.decided_by;
    item.append(`${yes ? "allowed" : "denied"}: ${command.toUpperCase()} `);
    if (token) {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "place", textContent: token });
      button.addEventListener("click", () => jumpToToken(name, token));
      item.append(button);
    } else if (yes && yes.always_allowed) {
      item.append(`(${yes.always_allowed})`);
    }
    list.append(item);
  }
  root.append(heading, list);
}

/** Selects `token` on the line that defines `user` (the last such line that holds it). */
function jumpToToken(user, token) {
  const view = editors.acl;
  const text = view.state.doc.toString();
  let at = -1;
  let offset = 0;
  for (const line of text.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (words[0] === "user" && words[1] === user) {
      const found = line.split(/(\s+)/).reduce((acc, part) => {
        if (acc.found < 0 && part.toLowerCase() === token.toLowerCase()) acc.found = acc.pos;
        acc.pos += part.length;
        return acc;
      }, { pos: 0, found: -1 }).found;
      if (found >= 0) at = offset + found;
    }
    offset += line.length + 1;
  }
  if (at >= 0) {
    showTab("acl");
    select(view, at, at + token.length);
  }
}

// ---- Key isolation.
function showIsolation(isolation) {
  const root = $("isolation");
  if (isolation.error) {
    root.textContent = isolation.error;
    return;
  }
  const parts = [];
  if (isolation.all_keys.length) parts.push(Object.assign(document.createElement("p"), { textContent: `Every key: ${isolation.all_keys.join(", ")}` }));
  const list = document.createElement("ul");
  list.id = "overlaps";
  for (const o of isolation.overlaps) {
    list.append(Object.assign(document.createElement("li"), {
      textContent: `${o.first_user} (${o.first_pattern}) and ${o.second_user} (${o.second_pattern}) both match the ${o.on === "keys" ? "key" : "channel"} ${o.example}`,
    }));
  }
  if (!isolation.overlaps.length) parts.push(Object.assign(document.createElement("p"), { textContent: "No two users' key or channel patterns overlap." }));
  else parts.push(list);
  if (isolation.truncated) parts.push(Object.assign(document.createElement("p"), { textContent: "More pairs overlap than are listed." }));
  root.replaceChildren(...parts);
}

// ---- Dry run.
let asked = { user: "", line: "" };
$("dryrun").addEventListener("submit", (event) => {
  event.preventDefault();
  const words = $("dry-command").value.match(/"[^"]*"|'[^']*'|\S+/g) || [];
  asked = { user: $("dry-user").value.trim(), line: words.join(" ") };
  send({
    kind: "can",
    text: editors.acl.state.doc.toString(),
    dialect: $("dialect").value,
    user: asked.user,
    argv: words.map((w) => w.replace(/^(["'])(.*)\1$/, "$2")),
  });
});

function showAnswer({ answer, token, error }) {
  const out = $("dry-answer");
  const view = editors.acl;
  view.dispatch({ effects: markDeciding.of(null) });
  if (error || answer.error) {
    out.className = "answer";
    out.textContent = `No answer: ${error || answer.error}`;
    return;
  }
  out.className = `answer ${answer.allowed ? "allowed" : "denied"}`;
  const why = answer.always_allowed || (answer.token ? `decided by ${answer.token}` : answer.allowed ? "granted by the default" : "never granted");
  out.textContent = answer.allowed
    ? `allowed: ${asked.user} may run ${asked.line} (${why})`
    : `denied: ${asked.user} may not run ${asked.line}: no permission for the ${answer.denied_on} ${answer.item} (${why})`;
  if (token) {
    const length = view.state.doc.length;
    const range = { from: Math.min(token.start, length), to: Math.min(token.end, length) };
    view.dispatch({ effects: [markDeciding.of(range), EditorView.scrollIntoView(range.from)] });
  }
}

// ---- Examples, dialect, theme.
for (const [key, example] of Object.entries(EXAMPLES)) {
  $("example").append(Object.assign(document.createElement("option"), { value: key, textContent: example.title }));
}
function load(example) {
  for (const key of Object.keys(FILES)) {
    const view = editors[key];
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: example[key] || "" } });
  }
  relint();
}
$("example").addEventListener("change", () => load(EXAMPLES[$("example").value]));
$("dialect").addEventListener("change", relint);

const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
function setTheme(isDark) {
  document.documentElement.classList.toggle("dark", isDark);
  $("theme").setAttribute("aria-pressed", String(isDark));
  $("theme").textContent = isDark ? "Light theme" : "Dark theme";
}
setTheme(dark);
$("theme").addEventListener("click", () => setTheme(!document.documentElement.classList.contains("dark")));

// ---- Share links: the state, secrets replaced, deflated into the URL fragment.
$("share").addEventListener("click", () => {
  const files = Object.entries(FILES).map(([key, name]) => ({ name, text: editors[key].state.doc.toString() }));
  send({ kind: "share", files, settings: { acl: { dialect: $("dialect").value } } });
});

async function showShare(answer) {
  $("share-box").hidden = false;
  if (answer.error) {
    $("share-note").textContent = `No link: ${answer.error}`;
    return;
  }
  const state = { v: 1, dialect: $("dialect").value };
  for (const [key, name] of Object.entries(FILES)) {
    state[key] = answer.files.find((f) => f.name === name)?.text || "";
  }
  const link = `${location.origin}${location.pathname}#share=${await pack(state)}`;
  history.replaceState(null, "", link);
  $("share-link").value = link;
  $("share-note").textContent = `Link made (${link.length} characters). ${answer.replaced} secret${answer.replaced === 1 ? " was" : "s were"} replaced by placeholders; equal ones share a placeholder.`;
  $("share-link").select();
}

async function pack(state) {
  const stream = new Blob([JSON.stringify(state)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function unpack(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const state = JSON.parse(await new Response(stream).text());
  if (state.v !== 1) throw new Error(`unknown link version ${state.v}`);
  return state;
}

/** Opens the state of a share link in the address, or the seed example. */
async function start() {
  const shared = location.hash.startsWith("#share=") ? location.hash.slice("#share=".length) : "";
  if (shared) {
    try {
      const state = await unpack(shared);
      if (state.dialect === "redis" || state.dialect === "dragonfly") $("dialect").value = state.dialect;
      load({ acl: String(state.acl || ""), cr: String(state.cr || ""), netpol: String(state.netpol || "") });
      return;
    } catch (error) {
      $("trap").textContent = `This share link could not be read (${error.message}); the seed example is shown instead.`;
    }
  }
  load(EXAMPLES.seed);
}
start();
