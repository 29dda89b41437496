// Sizes and colours that depend on the data (the yard's bays per block, a stack's level) are carried in
// data- attributes and applied here through the CSSOM, so no page needs an inline style attribute and the
// Content-Security-Policy can forbid them (style-src 'self'). Also applied to content swapped in later
// (live refresh, htmx fragments).
(function () {
  function apply(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("[data-columns]").forEach(function (element) {
      element.style.gridTemplateColumns = "repeat(" + Number(element.getAttribute("data-columns")) + ", 1fr)";
    });
    root.querySelectorAll("[data-level]").forEach(function (element) {
      element.style.setProperty("--level", String(Number(element.getAttribute("data-level"))));
    });
  }
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) { if (node.nodeType === 1) apply(node.parentNode || node); });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
