// Copies the browser libraries from node_modules into server/static/vendor/ (run: npm install && npm run vendor).
import { copyFileSync, mkdirSync } from "node:fs";

const files = [
  ["leaflet/dist/leaflet.js", "leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet.css"],
  ["leaflet/LICENSE", "leaflet.LICENSE"],
  ["topojson-client/dist/topojson-client.min.js", "topojson-client.min.js"],
  ["topojson-client/LICENSE", "topojson-client.LICENSE"],
  ["world-atlas/countries-110m.json", "countries-110m.json"],
  ["world-atlas/LICENSE", "world-atlas.LICENSE"],
  // CodeMirror 5 runs as plain scripts (no bundler): the core, the SPARQL mode, the hint and bracket addons.
  ["codemirror/lib/codemirror.js", "codemirror/codemirror.js"],
  ["codemirror/lib/codemirror.css", "codemirror/codemirror.css"],
  ["codemirror/mode/sparql/sparql.js", "codemirror/sparql.js"],
  ["codemirror/addon/hint/show-hint.js", "codemirror/show-hint.js"],
  ["codemirror/addon/hint/show-hint.css", "codemirror/show-hint.css"],
  ["codemirror/addon/edit/matchbrackets.js", "codemirror/matchbrackets.js"],
  ["codemirror/LICENSE", "codemirror/LICENSE"],
];
for (const [from, to] of files) {
  mkdirSync(`server/static/vendor/${to}`.replace(/\/[^/]*$/, ""), { recursive: true });
  copyFileSync(`node_modules/${from}`, `server/static/vendor/${to}`);
}
