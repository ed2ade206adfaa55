// The query page: examples from the server, results as a table, download links per format.
"use strict";

const ID_PREFIX = document.documentElement.dataset.base || "https://w3id.org/inviolable/";

const PREFIXES = { "https://w3id.org/inviolable/ontology#": "inv:", "https://w3id.org/inviolable/vocab/": "vocab:",
  "https://w3id.org/inviolable/id/": "", "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
  "http://semanticweb.cs.vu.nl/2009/11/sem/": "sem:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:" };

function shortName(iri) {
  for (const [namespace, prefix] of Object.entries(PREFIXES)) {
    if (iri.startsWith(namespace) && iri.length > namespace.length) return prefix + iri.slice(namespace.length);
  }
  return iri;
}

function localHref(iri) {
  for (const space of ["id/", "vocab/", "ontology"]) {
    if (iri.startsWith(ID_PREFIX + space)) return "/" + iri.slice(ID_PREFIX.length);
  }
  return iri;
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri" && /^https?:\/\//.test(term.value)) {
    const a = document.createElement("a");
    a.href = localHref(term.value);
    a.textContent = shortName(term.value);
    a.title = term.value;
    td.appendChild(a);
  } else {
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
      for (const name of data.head.vars) row.appendChild(cell(binding[name]));
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

// "error at 3:14: …" or "(line:3, col:14)" → show the line with a caret under the column, and put the cursor there.
function pointAt(query, message) {
  const where = /line:?\s*(\d+),?\s*col(?:umn)?:?\s*(\d+)/i.exec(message || "") || /(\d+):(\d+)/.exec(message || "");
  const box = document.getElementById("error-position");
  box.hidden = true;
  if (!where) return;
  const line = Number(where[1]);
  const column = Number(where[2]);
  const lines = query.split("\n");
  if (line < 1 || line > lines.length) return;
  box.textContent = "line " + line + ", column " + column + ":\n" + lines[line - 1] + "\n"
    + " ".repeat(Math.max(0, column - 1)) + "^";
  box.hidden = false;
  const offset = lines.slice(0, line - 1).reduce((n, text) => n + text.length + 1, 0) + column - 1;
  const area = document.getElementById("query");
  area.focus();
  area.setSelectionRange(offset, offset + 1);
}

// "# parameter: ?incident inv:Incident …" lines: the chosen incident is bound with a trailing VALUES clause.
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

async function run(event, config) {
  if (event) event.preventDefault();
  const query = bound(document.getElementById("query").value);
  const status = document.getElementById("status");
  status.textContent = "Running…";
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
    let message = response.statusText;
    try { message = (await response.json()).error; } catch (ignored) { /* not JSON */ }
    status.textContent = "Error " + response.status + ": " + message;
    status.className = "error";
    pointAt(query, message);
    return;
  }
  status.className = "";
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
  const config = await (await fetch("/examples.json")).json();
  const select = document.getElementById("examples");
  for (const example of config.examples) {
    const option = document.createElement("option");
    option.value = example.name;
    option.textContent = example.name + ": " + example.question;
    select.appendChild(option);
  }
  select.addEventListener("change", () => {
    const chosen = config.examples.find((e) => e.name === select.value);
    if (chosen) document.getElementById("query").value = chosen.query;
    document.getElementById("incident-chooser").hidden = !(chosen && parameters(chosen.query).length);
  });
  fillIncidents();
  document.getElementById("query-form").addEventListener("submit", (e) => run(e, config));
}

document.addEventListener("DOMContentLoaded", init);
