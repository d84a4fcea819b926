/* People and places pages: progressive enhancement only (strict CSP, no inline JS). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // A township picker submits as soon as a township is chosen; the button stays for no-JS use.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // The hand-out sheet's print button.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
