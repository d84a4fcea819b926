/* Progressive enhancements only: every page works without this file (strict CSP, no inline JS). */
(function () {
  "use strict";

  function setupNavToggle() {
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = document.getElementById("main-nav");
    if (!toggle || !nav) { return; }
    function setOpen(open) {
      nav.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      setOpen(!nav.classList.contains("open"));
    });
    // Escape closes the open menu and gives focus back to its button (keyboard users).
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // Marks the navigation link of the section being shown, for sight and for screen readers.
  function markCurrentSection() {
    var path = window.location.pathname;
    var best = null;
    document.querySelectorAll("#main-nav a[href]").forEach(function (link) {
      var href = link.getAttribute("href");
      var exact = link.hasAttribute("data-nav-exact");
      var matches = exact ? path === href : path.indexOf(href) === 0;
      if (matches && (!best || href.length > best.getAttribute("href").length)) { best = link; }
    });
    if (best) { best.setAttribute("aria-current", "page"); }
  }

  // A table wider than a phone scrolls inside its wrapper; keyboard users must be able to reach
  // and scroll that region too.
  function makeWideTablesScrollable() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
      }
    });
  }

  // List tables (table.stack) become stacked cards on a phone (static/css/portal.css): each cell
  // is labelled with its column's header, read from the table itself.
  function labelStackedCells() {
    document.querySelectorAll("table.stack").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (cell.tagName === "TD" && heads[index] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", heads[index]);
          }
        });
      });
    });
  }

  // Confirm destructive or irreversible actions.
  function setupConfirm() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupNavToggle();
    markCurrentSection();
    labelStackedCells();
    makeWideTablesScrollable();
    setupConfirm();
  });
  // The language switcher is submitted by its own button: changing the page as soon as a
  // language is picked (by arrow keys, too) would be a change of context on input (WCAG 3.2.2).
})();
