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
        // The household picker's chips and its select share one name: their values add up.
        data[el.name] = (Array.isArray(data[el.name]) ? data[el.name] : []).concat(
          Array.prototype.filter.call(el.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; }));
      } else if (el.type === "checkbox" && el.name === "households") {
        data[el.name] = Array.isArray(data[el.name]) ? data[el.name] : [];
        if (el.checked) { data[el.name].push(el.value); }
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
      } else if (el.type === "checkbox" && Array.isArray(value)) {
        el.checked = value.indexOf(el.value) !== -1;
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

  /* The household picker: contact households are chips (in the page); the other households of
     the chosen village are found by typing (GET the picker's search URL, JSON) and added as chips.
     Without this script the multi-select below the chips does the same job. */
  function setupHouseholdPicker(picker) {
    var form = picker.closest("form");
    var select = picker.querySelector("[data-picker-select]");
    var search = picker.querySelector("[data-picker-search]");
    var input = picker.querySelector("[data-picker-input]");
    var results = picker.querySelector("[data-picker-results]");
    var empty = picker.querySelector("[data-picker-empty]");
    var picked = picker.querySelector("[data-picked]");
    var url = picker.getAttribute("data-search-url");
    var village = form && form.elements.village;
    if (!select || !search || !input || !url || !village) { return; }

    function has(id) {
      return Array.prototype.some.call(picker.querySelectorAll("input[type=checkbox]"), function (box) {
        return box.value === String(id);
      });
    }
    function addChip(id, label) {
      if (has(id)) { return; }
      var li = document.createElement("li");
      var chip = document.createElement("label");
      chip.className = "chip";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = select.name;
      box.value = String(id);
      box.checked = true;
      chip.appendChild(box);
      chip.appendChild(document.createTextNode(" " + label));
      li.appendChild(chip);
      picked.appendChild(li);
    }

    // What the select held (an edited diary, a restored draft, a form sent back) becomes chips.
    Array.prototype.forEach.call(select.options, function (o) {
      if (o.selected) { addChip(o.value, o.textContent); o.selected = false; }
    });
    select.hidden = true;
    select.disabled = true;  // the chips carry the values now
    search.hidden = false;
    var label = form.querySelector("label[for='" + select.id + "']");
    if (label) { label.setAttribute("for", input.id); }

    var timer = null;
    var asked = 0;
    function show(rows) {
      results.textContent = "";
      rows.forEach(function (row) {
        if (has(row.id)) { return; }
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = row.label + (row.group ? "（" + row.group + "）" : "");
        button.addEventListener("click", function () {
          addChip(row.id, row.label);
          li.remove();
          input.focus();
        });
        li.appendChild(button);
        results.appendChild(li);
      });
      empty.hidden = results.children.length > 0;
    }
    function ask() {
      var text = input.value.trim();
      if (!text || !village.value) { results.textContent = ""; empty.hidden = true; return; }
      var mine = ++asked;
      var query = "?village=" + encodeURIComponent(village.value) + "&q=" + encodeURIComponent(text);
      fetch(url + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (body) { if (mine === asked) { show(body.results || []); } })
        .catch(function () { /* offline: the chips already chosen still submit */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 250);
    });
    // Enter in the search box must not submit the diary.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); ask(); }
    });
    village.addEventListener("change", function () { results.textContent = ""; if (input.value) { ask(); } });
  }

  // Registered after the draft's listener, so a restored draft is in the select when this runs.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-household-picker]").forEach(setupHouseholdPicker);
  });
})();
