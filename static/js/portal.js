/* Progressive enhancements only: every page works without this file (strict CSP, no inline JS). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("main-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // Submit the language switcher as soon as a language is picked.
    var lang = document.getElementById("language-select");
    if (lang) {
      lang.addEventListener("change", function () { lang.form.submit(); });
    }
    // Confirm destructive or irreversible actions.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
