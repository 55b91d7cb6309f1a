// Register the service worker (offline page only; see templates/pwa/sw.js).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  var url = script.getAttribute("data-sw-url");
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      // No offline page then; the site works the same.
    });
  });
})();
