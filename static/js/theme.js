// Theme toggle: light / dark / auto (system). Stored in localStorage for everyone
// and in the profile for signed-in users. The initial theme is applied by an inline
// script in <head> (base.html) so there is no flash of the wrong theme.
(function () {
  "use strict";
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function apply(pref) {
    var dark = pref === "dark" || (pref === "auto" && media && media.matches);
    root.setAttribute("data-bs-theme", dark ? "dark" : "light");
    root.setAttribute("data-theme-pref", pref);
    document.querySelectorAll("[data-theme-value]").forEach(function (el) {
      var active = el.getAttribute("data-theme-value") === pref;
      el.classList.toggle("active", active);
      el.setAttribute("aria-pressed", active ? "true" : "false");
    });
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function save(pref) {
    try { localStorage.setItem("jildi-theme", pref); } catch (e) {}
    var menu = document.querySelector("[data-theme-url]");
    if (!menu || !root.getAttribute("data-user-theme")) { return; }
    root.setAttribute("data-user-theme", pref);
    var body = new URLSearchParams({ theme: pref });
    fetch(menu.getAttribute("data-theme-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-theme-value]");
    if (!button) { return; }
    var pref = button.getAttribute("data-theme-value");
    apply(pref);
    save(pref);
  });

  if (media && media.addEventListener) {
    media.addEventListener("change", function () {
      if ((root.getAttribute("data-theme-pref") || "auto") === "auto") { apply("auto"); }
    });
  }
  apply(root.getAttribute("data-theme-pref") || "auto");
})();
