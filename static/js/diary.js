/* Diary drafts: villages have weak signal, so the form keeps what was typed in the browser
   (localStorage) until the server confirms the diary was saved. No inline JS (strict CSP). */
(function () {
  "use strict";
  var PREFIX = "diary-draft:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "file") { return; }
      if (el.type === "select-multiple") {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { data[el.name] = el.value; }
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.name === "csrfmiddlewaretoken") { return; }
      var value = data[el.name];
      if (el.type === "select-multiple" && Array.isArray(value)) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
      } else if (el.type === "checkbox" || el.type === "radio") {
        el.checked = el.value === value;
      } else if (el.tagName === "SELECT") {
        if (Array.prototype.some.call(el.options, function (o) { return o.value === value; })) { el.value = value; }
      } else {
        el.value = value;
      }
    });
  }

  function hasText(data) {
    return ["situation", "problems", "ideas", "place", "people_met"].some(function (k) {
      return data[k] && String(data[k]).trim() !== "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var store = storage();
    if (!store) { return; }

    // After a successful save the server marks the page: the draft is no longer needed.
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      store.removeItem(el.getAttribute("data-clear-draft"));
    });

    var form = document.querySelector("form[data-draft-key]");
    if (!form) { return; }
    var key = form.getAttribute("data-draft-key");
    if (key.indexOf(PREFIX) !== 0) { return; }
    var note = document.querySelector("[data-draft-note]");

    // A form the server sent back with errors already holds what was typed; a fresh form gets the draft.
    if (form.getAttribute("data-draft-restore") === "yes") {
      var saved = store.getItem(key);
      if (saved) {
        try {
          var data = JSON.parse(saved);
          if (hasText(data)) {
            restore(form, data);
            if (note) { note.hidden = false; }
          }
        } catch (e) { store.removeItem(key); }
      }
    }

    var timer = null;
    function save() {
      var data = collect(form);
      if (hasText(data)) {
        data.savedAt = new Date().toISOString();
        try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full: the form still works */ }
      }
    }
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 400);
    });
    form.addEventListener("change", save);
    // Saved once more on submit: if the network drops, the next visit restores it.
    form.addEventListener("submit", save);

    var discard = document.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        store.removeItem(key);
        form.reset();
        if (note) { note.hidden = true; }
      });
    }
  });
})();
