/* Duties pages (pledges, disclosures, inspections): progressive enhancements only. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // Inspection form: show only the subject field that matches the chosen subject type.
    var type = document.getElementById("id_subject_type");
    if (type) {
      var sync = function () {
        ["cadre", "unit", "village"].forEach(function (kind) {
          var field = document.getElementById("id_subject_" + kind);
          if (field && field.closest(".field")) {
            field.closest(".field").hidden = type.value !== kind;
          }
        });
      };
      type.addEventListener("change", sync);
      sync();
    }
    // Disclosure form: domain and category are only needed when no requirement is chosen.
    var requirement = document.getElementById("id_requirement");
    if (requirement) {
      var syncReq = function () {
        ["id_domain", "id_category"].forEach(function (id) {
          var field = document.getElementById(id);
          if (field && field.closest(".field")) {
            field.closest(".field").hidden = requirement.value !== "";
          }
        });
      };
      requirement.addEventListener("change", syncReq);
      syncReq();
    }
  });
})();
