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
];
mkdirSync("server/static/vendor", { recursive: true });
for (const [from, to] of files) copyFileSync(`node_modules/${from}`, `server/static/vendor/${to}`);
