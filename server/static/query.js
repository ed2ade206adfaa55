// The query page: a SPARQL editor (CodeMirror when its scripts have loaded, else the plain textarea, which the
// form posts either way), the examples and the incident chooser, results as a table, download links per format,
// and syntax errors marked at their line and column.
"use strict";

const ID_PREFIX = document.documentElement.dataset.base || "https://w3id.org/inviolable/";

// What the editor completes, from /examples.json: the server's prefixes and the inv: terms.
const known = { prefixes: {}, terms: [] };

// Namespace → how results show it. Entity IRIs show as their path (incident/…), which reads better than id:….
function shortNames() {
  const names = { [ID_PREFIX + "id/"]: "" };
  for (const [name, iri] of Object.entries(known.prefixes)) if (!(iri in names)) names[iri] = name + ":";
  return names;
}

function shortName(iri, names) {
  let best = "";
  for (const namespace of Object.keys(names)) {
    if (iri.startsWith(namespace) && iri.length > namespace.length && namespace.length > best.length) best = namespace;
  }
  return best ? names[best] + iri.slice(best.length) : iri;
}

function localHref(iri) {
  for (const space of ["id/", "vocab/", "ontology"]) {
    if (iri.startsWith(ID_PREFIX + space)) return "/" + iri.slice(ID_PREFIX.length);
  }
  return iri;
}

function cell(term, names) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri" && /^https?:\/\//.test(term.value)) {
    const a = document.createElement("a");
    a.href = localHref(term.value);
    a.textContent = shortName(term.value, names);
    a.title = term.value;
    td.appendChild(a);
  } else {
    // The language goes to the lang attribute and the datatype to the tooltip, not into the text.
    td.textContent = term.value;
    if (term["xml:lang"]) td.lang = term["xml:lang"];
    if (term.datatype) td.title = term.datatype;
  }
  return td;
}

function showTable(data) {
  const results = document.getElementById("results");
  results.textContent = "";
  const table = document.createElement("table");
  table.id = "results-table";
  const names = shortNames();
  if (data.boolean !== undefined) {
    table.innerHTML = "<tbody><tr><td></td></tr></tbody>";
    table.querySelector("td").textContent = String(data.boolean);
  } else {
    const head = table.createTHead().insertRow();
    for (const name of data.head.vars) {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const name of data.head.vars) row.appendChild(cell(binding[name], names));
    }
  }
  const scroller = document.createElement("div");
  scroller.className = "scroll";
  scroller.appendChild(table);
  results.appendChild(scroller);
  return data.boolean !== undefined ? 1 : data.results.bindings.length;
}

function showDownloads(query, formats) {
  const p = document.getElementById("downloads");
  p.textContent = "Download: ";
  for (const f of formats) {
    const a = document.createElement("a");
    a.href = "/sparql?" + new URLSearchParams({ query: query, format: f.ext });
    a.textContent = f.name;
    a.className = "download";
    a.download = "results." + f.ext;
    p.append(a, " ");
  }
  p.hidden = false;
}

// ---- where a syntax error is -------------------------------------------------------------------------------

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The first use of "name:" in the query outside comments, 1-based.
function firstUse(query, name) {
  const use = new RegExp("(^|[^\\w.:<-])" + escapeRegExp(name) + ":");
  const lines = query.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].replace(/#.*$/, "");
    const found = use.exec(text);
    if (found) return { line: i + 1, column: found.index + found[1].length + 1 };
  }
  return null;
}

// The error's line and column (1-based): the body's own fields when the server gives them, else read from the
// parsers' messages ("(line:3, col:14)", "error at 3:14"), else, for an undeclared prefix, its first use.
function errorPosition(body, query) {
  if (Number.isInteger(body.line)) return { line: body.line, column: Number.isInteger(body.column) ? body.column : 1 };
  const message = body.error || "";
  if (!/syntax error/i.test(message)) return null;
  const where = /line:?\s*(\d+),?\s*col(?:umn)?:?\s*(\d+)/i.exec(message) || /\bat (\d+):(\d+)/.exec(message);
  if (where) return { line: Number(where[1]), column: Number(where[2]) };
  const prefix = /unknown namespace prefix\s*:?\s*([A-Za-z][\w.-]*)?/i.exec(message);
  if (prefix) return firstUse(query, prefix[1] || "");
  return null;
}

function showPosition(query, where) {
  const box = document.getElementById("error-position");
  box.hidden = true;
  if (!where) return;
  const lines = query.split("\n");
  if (where.line < 1 || where.line > lines.length) return;
  box.textContent = "line " + where.line + ", column " + where.column + ":\n" + lines[where.line - 1] + "\n"
    + " ".repeat(Math.max(0, where.column - 1)) + "^";
  box.hidden = false;
}

// ---- the editor --------------------------------------------------------------------------------------------

// The textarea itself, when CodeMirror is not there.
function plainEditor(area) {
  return {
    getValue: () => area.value,
    setValue: (text) => { area.value = text; },
    clearError: () => {},
    markError: (where) => {
      const lines = area.value.split("\n");
      const offset = lines.slice(0, where.line - 1).reduce((n, text) => n + text.length + 1, 0) + where.column - 1;
      area.focus();
      area.setSelectionRange(offset, offset + 1);
    },
  };
}

function isDeclared(text, name) {
  return new RegExp("^\\s*PREFIX\\s+" + escapeRegExp(name) + ":", "im").test(text);
}

// Adds "PREFIX name: <…>" when the query lacks it: below the leading comments and declarations, so an example's
// question stays its first line.
function declare(cm, name) {
  const iri = known.prefixes[name];
  if (!iri || isDeclared(cm.getValue(), name)) return;
  let at = 0;
  for (let i = 0; i < cm.lineCount(); i++) {
    const line = cm.getLine(i).trim();
    if (line.startsWith("#") || /^(PREFIX|BASE)\b/i.test(line)) at = i + 1;
    else if (line !== "") break;
  }
  cm.replaceRange("PREFIX " + name + ": <" + iri + ">\n", { line: at, ch: 0 });
}

// Where the cursor stands is no place for a prefixed name: a comment, a string, inside an IRI, or the name of
// a declaration being written.
function outsideNames(cm, before) {
  const type = cm.getTokenAt(cm.getCursor()).type || "";
  return /comment|string/.test(type) || /<[^>\s]*$/.test(before) || /^\s*PREFIX\s+[\w.-]*:?$/i.test(before);
}

// Completions at the cursor: inv: terms after "inv:", else the known prefixes starting with the word typed.
function hints(cm) {
  const cursor = cm.getCursor();
  const before = cm.getLine(cursor.line).slice(0, cursor.ch);
  if (outsideNames(cm, before)) return null;
  const prefixed = /(?:^|[^\w.:-])([A-Za-z][\w.-]*)?:([\w-]*)$/.exec(before);
  let typed = "";
  let from = cursor.ch;
  if (prefixed && prefixed[1] === "inv") {
    const local = prefixed[2].toLowerCase();
    const list = known.terms.filter((t) => t.name.toLowerCase().startsWith(local)).map((t) => ({
      text: t.name, prefix: "inv", className: "hint-" + t.kind,
      displayText: "inv:" + t.name + (t.label ? " · " + t.label : ""),
    }));
    return picked(cm, { list: list, from: CodeMirror.Pos(cursor.line, cursor.ch - prefixed[2].length), to: cursor });
  }
  if (prefixed) {
    const name = prefixed[1] || "";
    if (name in known.prefixes || isDeclared(cm.getValue(), name)) return null;
    typed = name;
    from = cursor.ch - name.length - 1 - prefixed[2].length;
  } else {
    const word = /[A-Za-z][\w.-]*$/.exec(before);
    if (word) { typed = word[0]; from = cursor.ch - typed.length; }
  }
  const list = Object.entries(known.prefixes).filter(([name]) => name.startsWith(typed.toLowerCase()))
    .map(([name, iri]) => ({ text: name + ":", prefix: name, className: "hint-prefix",
                             displayText: name + ": <" + iri + ">" }));
  return picked(cm, { list: list, from: CodeMirror.Pos(cursor.line, from), to: cursor });
}

function picked(cm, completions) {
  CodeMirror.on(completions, "pick", (item) => declare(cm, item.prefix));
  return completions;
}

function showHints(cm) {
  cm.showHint({ hint: hints, completeSingle: false });
}

// A ":" just typed after a known prefix declares it (and, after "inv", offers its terms); after anything else,
// it offers the known prefixes that start with what precedes it.
function afterColon(cm, change) {
  if (change.origin !== "+input" || change.text.join("\n") !== ":") return;
  const cursor = cm.getCursor();
  const before = cm.getLine(cursor.line).slice(0, cursor.ch);
  if (outsideNames(cm, before)) return;
  const name = (/(?:^|[^\w.:-])([A-Za-z][\w.-]*)?:$/.exec(before) || [])[1] || "";
  if (name in known.prefixes) {
    declare(cm, name);
    if (name === "inv") showHints(cm);
  } else if (!isDeclared(cm.getValue(), name)) {
    showHints(cm);
  }
}

function codeEditor(area) {
  const submit = () => document.getElementById("query-form").requestSubmit();
  const cm = CodeMirror.fromTextArea(area, {
    mode: "sparql", lineNumbers: true, matchBrackets: true, indentUnit: 2, viewportMargin: Infinity,
    gutters: ["CodeMirror-linenumbers", "query-error-gutter"],
    extraKeys: { "Ctrl-Space": showHints, "Ctrl-Enter": submit, "Cmd-Enter": submit },
  });
  cm.on("inputRead", afterColon);
  let marks = [];
  const clearError = () => {
    for (const undo of marks) undo();
    marks = [];
  };
  cm.on("change", (editor, change) => { if (change.origin !== "setValue") clearError(); });
  return {
    getValue: () => cm.getValue(),
    setValue: (text) => { clearError(); cm.setValue(text); },
    clearError: clearError,
    markError: (where, message) => {
      clearError();
      const line = Math.min(where.line, cm.lineCount()) - 1;
      const ch = Math.max(0, Math.min(where.column - 1, cm.getLine(line).length));
      const handle = cm.addLineClass(line, "wrap", "query-error-line");
      const at = cm.markText(CodeMirror.Pos(line, ch), CodeMirror.Pos(line, ch + 1), { className: "query-error-at" });
      const marker = document.createElement("span");
      marker.className = "query-error-marker";
      marker.textContent = "!";
      marker.title = message;
      cm.setGutterMarker(line, "query-error-gutter", marker);
      marks = [() => cm.removeLineClass(handle, "wrap", "query-error-line"), () => at.clear(),
               () => cm.clearGutter("query-error-gutter")];
      cm.focus();
      cm.setCursor(CodeMirror.Pos(line, ch));
      cm.scrollIntoView(null, 40);
    },
  };
}

// ---- the incident parameter --------------------------------------------------------------------------------

// "# parameter: ?incident inv:Incident …" lines: the chosen incident is bound with a trailing VALUES clause,
// which leaves the line numbers of the query as written.
function parameters(text) {
  return [...text.matchAll(/^#\s*parameter:\s*\?(\w+)\s+inv:Incident/gm)].map((m) => m[1]);
}

function bound(query) {
  const chooser = document.getElementById("incident");
  const names = parameters(query);
  if (!names.length || !chooser.value) return query;
  return query + "\nVALUES ?" + names[0] + " { <" + chooser.value + "> }\n";
}

async function fillIncidents() {
  const query = "PREFIX inv: <https://w3id.org/inviolable/ontology#>\n"
    + "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    + "SELECT ?i (SAMPLE(?l) AS ?label) WHERE { ?i a inv:Incident OPTIONAL { ?i rdfs:label ?l "
    + "FILTER(langMatches(lang(?l), \"en\")) } } GROUP BY ?i ORDER BY ?label";
  const response = await fetch("/sparql?" + new URLSearchParams({ query: query }),
                               { headers: { Accept: "application/sparql-results+json" } });
  if (!response.ok) return;
  const chooser = document.getElementById("incident");
  for (const row of (await response.json()).results.bindings) {
    const option = document.createElement("option");
    option.value = row.i.value;
    option.textContent = row.label ? row.label.value : row.i.value;
    chooser.appendChild(option);
  }
}

// ---- running -----------------------------------------------------------------------------------------------

async function run(event, editor, config) {
  if (event) event.preventDefault();
  const written = editor.getValue();
  const query = bound(written);
  const status = document.getElementById("status");
  editor.clearError();
  showPosition(written, null);
  status.textContent = "Running…";
  status.className = "";
  const started = performance.now();
  const response = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded",
               Accept: "application/sparql-results+json, text/turtle;q=0.9" },
    body: new URLSearchParams({ query: query }),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    let body = { error: response.statusText };
    try { body = await response.json(); } catch (ignored) { /* not JSON */ }
    status.textContent = "Error " + response.status + ": " + body.error;
    status.className = "error";
    const where = response.status === 400 ? errorPosition(body, written) : null;
    showPosition(written, where);
    if (where && where.line <= written.split("\n").length) editor.markError(where, body.error);
    return;
  }
  if (type.startsWith("application/sparql-results+json")) {
    const count = showTable(await response.json());
    status.textContent = count + " result(s) in " + seconds + " s";
    showDownloads(query, config.results);
  } else {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    const results = document.getElementById("results");
    results.textContent = "";
    results.appendChild(pre);
    status.textContent = "Graph in " + seconds + " s";
    showDownloads(query, config.graphs);
  }
}

async function init() {
  const area = document.getElementById("query");
  const rich = typeof CodeMirror === "function" && "sparql" in CodeMirror.modes;
  const editor = rich ? codeEditor(area) : plainEditor(area);
  document.getElementById("editor-help").hidden = !rich;
  const config = await (await fetch("/examples.json")).json();
  known.prefixes = config.prefixes || {};
  known.terms = config.terms || [];
  const select = document.getElementById("examples");
  for (const example of config.examples) {
    const option = document.createElement("option");
    option.value = example.name;
    option.textContent = example.name + ": " + example.question;
    select.appendChild(option);
  }
  select.addEventListener("change", () => {
    const chosen = config.examples.find((e) => e.name === select.value);
    if (chosen) editor.setValue(chosen.query);
    document.getElementById("incident-chooser").hidden = !(chosen && parameters(chosen.query).length);
  });
  fillIncidents();
  document.getElementById("query-form").addEventListener("submit", (e) => run(e, editor, config));
  document.getElementById("query-form").dataset.ready = "";
}

document.addEventListener("DOMContentLoaded", init);
