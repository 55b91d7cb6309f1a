/* Heat-map overlay controls. Delegated listeners, because htmx swaps the
 * result panel in after the page has loaded. */
(function () {
  "use strict";
  function layer() { return document.getElementById("heatmap-layer"); }
  function apply() {
    var heat = layer();
    if (!heat) { return; }
    var toggle = document.getElementById("heatmap-toggle");
    var range = document.getElementById("heatmap-opacity");
    var on = !toggle || toggle.checked;
    heat.style.opacity = on ? String((range ? range.value : 70) / 100) : "0";
    if (range) { range.disabled = !on; }
  }
  document.addEventListener("input", function (e) {
    if (e.target && (e.target.id === "heatmap-opacity" || e.target.id === "heatmap-toggle")) { apply(); }
  });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "heatmap-toggle") { apply(); }
  });
  document.addEventListener("htmx:afterSettle", apply);
  document.addEventListener("DOMContentLoaded", apply);
})();
