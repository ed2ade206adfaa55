// The query page: examples from the server, results as a table, download links per format.
"use strict";

const ID_PREFIX = document.documentElement.dataset.base || "https://w3id.org/inviolable/";

function localHref(iri) {
  for (const space of ["id/", "vocab/"]) {
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
    a.textContent = term.value;
    td.appendChild(a);
  } else {
    td.textContent = term.value + (term["xml:lang"] ? " @" + term["xml:lang"] : "");
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
  results.appendChild(table);
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

async function run(event, config) {
  if (event) event.preventDefault();
  const query = document.getElementById("query").value;
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
  });
  document.getElementById("query-form").addEventListener("submit", (e) => run(e, config));
}

document.addEventListener("DOMContentLoaded", init);
