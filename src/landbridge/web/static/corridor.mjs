// Corridor map: MapLibre GL on the bundled Natural Earth countries; no tiles, glyphs or sprites,
// so nothing is fetched from outside the app.
import * as maplibregl from "/static/vendor/maplibre-gl/maplibre-gl.mjs";

const data = JSON.parse(document.getElementById("corridor-data").textContent);
const el = document.getElementById("map");
const lines = {
  type: "FeatureCollection",
  features: data.routes.map((r) => ({
    type: "Feature", properties: { code: r.code, destination: r.destination },
    geometry: { type: "LineString", coordinates: r.path },
  })),
};
const map = new maplibregl.Map({
  container: el,
  style: {
    version: 8,
    sources: {
      countries: { type: "geojson", data: el.dataset.countries },
      routes: { type: "geojson", data: lines },
    },
    layers: [
      { id: "sea", type: "background", paint: { "background-color": "#dfe9f2" } },
      { id: "land", type: "fill", source: "countries", paint: { "fill-color": "#f6f4ee", "fill-outline-color": "#b9b4a6" } },
      { id: "routes", type: "line", source: "routes", paint: { "line-color": "#b3541e", "line-width": 2.5 } },
    ],
  },
  bounds: [[4, 30], [122, 57]],
  fitBoundsOptions: { padding: 20 },
  attributionControl: false,
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }));

function marker(cls, lat, lon, label, text) {
  const node = document.createElement("div");
  node.className = "marker " + cls;
  node.title = label;
  node.textContent = text;
  node.dataset.label = label;
  // Trains sit just above their point so a train at a crossing does not hide the queue badge.
  const offset = cls === "train" ? [0, -18] : [0, 0];
  new maplibregl.Marker({ element: node, offset: offset }).setLngLat([lon, lat]).addTo(map);
  return node;
}
marker("origin", data.origin.lat, data.origin.lon, data.origin.name, "⚓");
for (const c of data.crossings) marker("crossing", c.lat, c.lon, c.name + ": " + c.queue, String(c.queue));
for (const r of data.routes) {
  const end = r.path[r.path.length - 1];
  marker("destination", end[1], end[0], r.destination, "");
}
for (const t of data.trains) marker("train", t.lat, t.lon, t.reference + " → " + t.destination, t.reference);
map.on("load", () => el.setAttribute("data-loaded", "true"));
map.on("error", (e) => { el.setAttribute("data-error", String(e && e.error && e.error.message)); });
