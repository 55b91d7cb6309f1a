/* Clinician case page: zoom the photo (heat map follows, it is stacked on top). */
(function () {
  "use strict";
  function apply() {
    var range = document.getElementById("zoom-range");
    var figure = document.getElementById("zoom-figure");
    if (!range || !figure) { return; }
    figure.style.inlineSize = range.value + "%";
    var out = document.getElementById("zoom-value");
    if (out) { out.textContent = range.value + "%"; }
  }
  document.addEventListener("input", function (e) {
    if (e.target && e.target.id === "zoom-range") { apply(); }
  });
  document.addEventListener("DOMContentLoaded", apply);
})();
