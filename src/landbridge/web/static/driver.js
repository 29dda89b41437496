// The driver's screen: the job panel arrives over server-sent events (/driver/live) and replaces
// itself whenever the machine's job or status changes; the buttons are plain form posts.
(function () {
  if (!window.EventSource) return;
  var panel = document.querySelector("[data-driver-live]");
  if (!panel) return;
  var lang = document.documentElement.getAttribute("data-lang") || "en";
  var source = new EventSource("/driver/live?lang=" + lang);
  source.addEventListener("job", function (event) {
    panel.innerHTML = event.data;
    panel.setAttribute("data-updated", event.lastEventId);
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
