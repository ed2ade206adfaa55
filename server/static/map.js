// The map of incidents (/map) and an incident's small map (#incident-map): Leaflet over offline country shapes.
"use strict";

const ALIASES = { "United States": "United States of America", "Czech Republic": "Czechia" };

function countries(atlas) {
  const world = topojson.feature(atlas, atlas.objects.countries);
  const byName = new Map(world.features.map((f) => [f.properties.name, f]));
  return { world, byName };
}

function baseMap(element, atlas) {
  const map = L.map(element, { attributionControl: true, worldCopyJump: false, minZoom: 1, maxZoom: 8 });
  map.setView([20, 0], 1);  // layers need a view to be drawn into
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth (world-atlas)");
  const { world, byName } = countries(atlas);
  L.geoJSON(world, { style: { color: "#7a8aa6", weight: 0.6, fillColor: "#e9edf3", fillOpacity: 1 } }).addTo(map);
  return { map, byName };
}

function place(map, byName, incident) {
  let latlng = null;
  let ringed = false;
  if (incident.lat !== null && incident.lon !== null) {
    latlng = [incident.lat, incident.lon];
  } else if (incident.country) {
    const feature = byName.get(ALIASES[incident.country] || incident.country);
    if (feature) { latlng = L.geoJSON(feature).getBounds().getCenter(); ringed = true; }
  }
  if (!latlng) return null;
  const marker = L.circleMarker(latlng, { radius: ringed ? 9 : 6, color: "#a0121f", weight: 2,
    fillColor: ringed ? "#ffffff" : "#d7263d", fillOpacity: ringed ? 0.2 : 0.9 }).addTo(map);
  const link = document.createElement("a");
  link.href = incident.page;
  link.textContent = incident.label + (incident.when ? " (" + incident.when + ")" : "");
  marker.bindPopup(link);
  return latlng;
}

async function loadJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(url + ": " + response.status);
  return response.json();
}

async function worldMap(element) {
  const [atlas, data] = await Promise.all([loadJson(element.dataset.atlas), loadJson(element.dataset.incidents)]);
  const { map, byName } = baseMap(element, atlas);
  const points = data.incidents.map((i) => place(map, byName, i)).filter((p) => p !== null);
  if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.6), { maxZoom: 4 });
  else map.setView([20, 0], 1);
  element.dataset.ready = String(points.length);
}

async function incidentMap(element) {
  const atlas = await loadJson(element.dataset.atlas);
  const { map } = baseMap(element, atlas);
  const latlng = [Number(element.dataset.lat), Number(element.dataset.lon)];
  L.circleMarker(latlng, { radius: 6, color: "#a0121f", fillColor: "#d7263d", fillOpacity: 0.9 }).addTo(map);
  map.setView(latlng, 5);
  element.dataset.ready = "1";
}

document.addEventListener("DOMContentLoaded", () => {
  const world = document.getElementById("map");
  const failed = (element) => (error) => {
    element.textContent = "The map could not be drawn: " + error.message;
    console.error("map:", error);
  };
  if (world) worldMap(world).catch(failed(world));
  const small = document.getElementById("incident-map");
  if (small) incidentMap(small).catch(failed(small));
});
