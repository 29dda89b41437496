// Live updates over SSE. The Overview swaps in the tiles the server renders; every other staff screen
// re-fetches itself when the event log grows and swaps its [data-refresh] sections (not the whole page,
// so an open stack panel or a typed search stays as it is).
(function () {
  if (!window.EventSource) return;
  var tiles = document.querySelector("[data-live]");
  var sections = document.querySelectorAll("[data-refresh][id]");
  if (!tiles && !sections.length) return;
  var lang = document.documentElement.getAttribute("data-lang") || "en";
  var source = new EventSource("/live?lang=" + lang + (tiles ? "" : "&tiles=0"));
  var seen = null;
  source.addEventListener("tiles", function (event) {
    tiles.innerHTML = event.data;
    tiles.setAttribute("data-updated", String(Date.now()));
  });
  source.addEventListener("changed", function (event) {
    var first = seen === null;
    seen = event.data;
    if (first || tiles) return;
    fetch(location.href, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html");
      sections.forEach(function (old) {
        var replacement = fresh.getElementById(old.id);
        if (replacement) old.innerHTML = replacement.innerHTML;
      });
      document.body.setAttribute("data-refreshed", seen);
      if (window.htmx) window.htmx.process(document.body);
    });
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
