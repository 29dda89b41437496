// Live Overview tiles: the server sends rendered tiles over SSE whenever the event log changes.
(function () {
  var box = document.querySelector("[data-live]");
  if (!box || !window.EventSource) return;
  var source = new EventSource(box.getAttribute("data-live"));
  source.addEventListener("tiles", function (event) {
    box.innerHTML = event.data;
    box.setAttribute("data-updated", String(Date.now()));
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
