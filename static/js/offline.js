/* The portal as an installable app that works without signal (docs/design.md, "Offline").

   - registers the service worker (/sw.js) and, online, asks it to refresh the pages the signed-in
     cadre needs offline (body[data-offline-pages]: today's diary form);
   - the diary form, offline, saves into an outbox in IndexedDB instead of posting;
   - the outbox is sent when the connection returns and on each page load, one diary at a time,
     each with its client_id: a retry after a lost answer gets the stored diary back (200), never a
     second one; a day already written comes back as a conflict the cadre resolves here (merge
     both texts into the stored diary, or discard the phone's copy);
   - an expired session keeps the outbox (sent after the next log-in); log-out asks before
     discarding unsent diaries and forgets the user's pages and outbox (a shared phone).

   No inline JS (strict CSP); every text comes from the page ([data-offline-strings]), translated. */
(function () {
  "use strict";
  var DB_NAME = "portal-offline";
  var STORE = "outbox";
  var API = "/api/v1/diaries/";
  var PAGES_CACHE = "portal-pages";
  var LAST_USER = "portal-offline-user";
  var RETRY_MS = 60000;
  var REFRESHED = "portal-offline-refreshed";
  var REFRESH_MS = 10 * 60 * 1000;

  var user = "";
  var strings = {};
  var syncing = false;
  var retryTimer = null;

  // --- small helpers --------------------------------------------------------------------------

  function text(name, n) {
    var value = strings[name] || "";
    return n === undefined ? value : value.replace("{n}", String(n));
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function localDay() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- the outbox (IndexedDB) -------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore(STORE, {keyPath: "client_id"});
        store.createIndex("user", "user");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function entriesOf(who) {
    if (!who) { return Promise.resolve([]); }
    return withStore("readonly", function (store) { return store.index("user").getAll(who); })
      .then(function (entries) {
        return (entries || []).sort(function (a, b) { return a.saved_at < b.saved_at ? -1 : 1; });
      }, function () { return []; });
  }

  function putEntry(entry) { return withStore("readwrite", function (store) { return store.put(entry); }); }

  function removeEntry(id) { return withStore("readwrite", function (store) { return store.delete(id); }); }

  function removeEntriesOf(who) {
    return entriesOf(who).then(function (entries) {
      if (!entries.length) { return undefined; }
      return withStore("readwrite", function (store) {
        entries.forEach(function (entry) { store.delete(entry.client_id); });
        return null;
      });
    });
  }

  // --- what the page shows -------------------------------------------------------------------------

  function note(message, kind) {
    var el = document.querySelector("[data-outbox-note]");
    if (!el) { return; }
    el.textContent = message;
    el.className = "message " + (kind || "info");
    el.hidden = !message;
  }

  function button(label, onClick, primary) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (primary) { b.className = "primary"; }
    b.addEventListener("click", onClick);
    return b;
  }

  function paragraph(label, value) {
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = label;
    p.appendChild(strong);
    p.appendChild(document.createTextNode(value || ""));
    p.className = "outbox-text";
    return p;
  }

  function render() {
    return entriesOf(user).then(function (entries) {
      var badge = document.querySelector("[data-outbox-badge]");
      if (badge) {
        badge.hidden = entries.length === 0;
        var count = badge.querySelector("[data-outbox-count]");
        if (count) { count.textContent = String(entries.length); }
        badge.setAttribute("aria-label", text("badge", entries.length));
      }
      var panel = document.querySelector("[data-outbox-panel]");
      var list = panel && panel.querySelector("[data-outbox-list]");
      if (!panel || !list) { return; }
      panel.hidden = entries.length === 0;
      list.textContent = "";
      entries.forEach(function (entry) { list.appendChild(entryItem(entry)); });
    });
  }

  function entryItem(entry) {
    var li = document.createElement("li");
    li.className = "outbox-entry " + entry.status;
    li.setAttribute("data-outbox-entry", entry.status);
    var head = document.createElement("p");
    var day = entry.payload.date || entry.day || "";
    head.textContent = day + " · " + (entry.payload.situation || "").slice(0, 40);
    li.appendChild(head);
    var state = document.createElement("p");
    state.className = entry.status === "waiting" ? "muted" : "error";
    if (entry.status === "waiting") {
      state.textContent = text("waiting");
    } else if (entry.status === "conflict") {
      state.textContent = entry.error || text("conflict");
    } else {
      state.textContent = entry.error || text("refused");
    }
    li.appendChild(state);
    if (entry.status === "conflict" && entry.stored) {
      li.appendChild(paragraph(text("stored"), entry.stored.situation));
      li.appendChild(paragraph(text("mine"), entry.payload.situation));
      li.appendChild(button(text("merge"), function () { merge(entry); }, true));
    }
    if (entry.status !== "waiting") {
      li.appendChild(button(text("discard"), function () { discard(entry); }));
    }
    return li;
  }

  // --- saving offline --------------------------------------------------------------------------------

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") { return; }
      if (el.type === "select-multiple") {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return Number(o.value); });
      } else if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { data[el.name] = el.value; }
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function setupForm() {
    var form = document.querySelector("form[data-offline-diary]");
    if (!form || !user) { return; }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }  // online: the ordinary post, with the page's own checks
      event.preventDefault();
      var data = collect(form);
      var today = localDay();
      var entry = {
        client_id: newId(), user: user, saved_at: new Date().toISOString(), written_on: today,
        status: "waiting", stored: null, error: "",
        kind: form.getAttribute("data-diary-id") ? "update" : "create",
        diary_id: form.getAttribute("data-diary-id") || null,
        day: form.getAttribute("data-day") || "",
        draft_key: form.getAttribute("data-draft-key") || "",
        payload: {
          village: Number(data.village), households: data.households || [], category: data.category,
          place: data.place || "", people_met: data.people_met || "", situation: data.situation || "",
          problems: data.problems || "", ideas: data.ideas || ""
        }
      };
      if (entry.kind === "create") {
        // A form kept from an earlier day offers that day as "today": the diary is today's.
        var day = data.date || today;
        entry.payload.date = day === form.getAttribute("data-today") ? today : day;
      }
      putEntry(entry).then(function () {
        var store = storage();
        if (store && entry.draft_key) { store.removeItem(entry.draft_key); }
        form.reset();
        note(text("saved"), "success");
        window.scrollTo(0, 0);
        return render();
      }, function () { note(text("failed"), "error"); });
    });
  }

  // --- sending ------------------------------------------------------------------------------------------

  function send(entry) {
    var update = entry.kind === "update";
    var body = update ? entry.payload
      : Object.assign({client_id: entry.client_id, written_on: entry.written_on}, entry.payload);
    return fetch(update ? API + entry.diary_id + "/" : API, {
      method: update ? "PATCH" : "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return removeEntry(entry.client_id).then(function () { return "sent"; });
      }
      if (response.status === 401 || response.status === 403) { return "signed-out"; }
      if (response.status === 400 || response.status === 404 || response.status === 409) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          entry.status = response.status === 409 ? "conflict" : "refused";
          entry.stored = data.diary || null;
          entry.error = data.detail || "";
          return putEntry(entry).then(function () { return "kept"; });
        });
      }
      return "later";  // the server is busy or failing: the next attempt sends it
    }, function () { return "later"; });
  }

  function sync() {
    if (syncing || !user || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    var sent = 0;
    var stopped = "";
    return entriesOf(user).then(function (entries) {
      var waiting = entries.filter(function (e) { return e.status === "waiting"; });
      return waiting.reduce(function (chain, entry) {
        return chain.then(function () {
          if (stopped) { return undefined; }
          return send(entry).then(function (outcome) {
            if (outcome === "sent") { sent += 1; }
            if (outcome === "signed-out" || outcome === "later") { stopped = outcome; }
          });
        });
      }, Promise.resolve());
    }).then(function () {
      syncing = false;
      if (sent) { note(text("sent", sent), "success"); }
      if (stopped === "signed-out") { note(text("login"), "warning"); }
      if (stopped === "later") { scheduleRetry(); }
      return render();
    }, function () { syncing = false; });
  }

  function scheduleRetry() {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(sync, RETRY_MS);
  }

  // --- resolving a conflict ----------------------------------------------------------------------------

  function joined(a, b) {
    a = (a || "").trim();
    b = (b || "").trim();
    if (!b || a.indexOf(b) !== -1) { return a; }
    return a ? a + "\n\n" + b : b;
  }

  function merge(entry) {
    var stored = entry.stored;
    var mine = entry.payload;
    var households = stored.households.slice();
    if (mine.village === stored.village) {
      mine.households.forEach(function (id) { if (households.indexOf(id) === -1) { households.push(id); } });
    }
    var body = {
      situation: joined(stored.situation, mine.situation), problems: joined(stored.problems, mine.problems),
      ideas: joined(stored.ideas, mine.ideas), place: stored.place || mine.place,
      people_met: stored.people_met || mine.people_met, households: households
    };
    return fetch(API + stored.id + "/", {
      method: "PATCH", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.ok) {
        return removeEntry(entry.client_id).then(function () { note(text("merged"), "success"); });
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        entry.error = data.detail || text("failed");
        return putEntry(entry);
      });
    }, function () { note(text("offline"), "warning"); }).then(render);
  }

  function discard(entry) {
    if (!window.confirm(text("discardConfirm"))) { return Promise.resolve(); }
    return removeEntry(entry.client_id).then(render);
  }

  // --- log-out and shared phones -----------------------------------------------------------------------

  function forgetPages() {
    // The worker first (it drops pages still being fetched), then the cache itself.
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({type: "forget"});
    }
    return window.caches ? window.caches.delete(PAGES_CACHE).catch(function () { return false; })
      : Promise.resolve(false);
  }

  function forgetUser(who) {
    var store = storage();
    if (store) {
      var prefix = "diary-draft:" + who + ":";
      for (var i = store.length - 1; i >= 0; i -= 1) {
        var key = store.key(i);
        if (key && key.indexOf(prefix) === 0) { store.removeItem(key); }
      }
      store.removeItem(LAST_USER);
      store.removeItem(REFRESHED);
    }
    return Promise.all([removeEntriesOf(who).catch(function () { return null; }), forgetPages()]);
  }

  function setupLogout() {
    var form = document.querySelector("form[data-logout]");
    if (!form || !user) { return; }
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-forgotten")) { return; }
      event.preventDefault();
      entriesOf(user).then(function (entries) {
        if (entries.length && !window.confirm(text("logoutConfirm", entries.length))) { return; }
        return forgetUser(user).then(function () {
          form.setAttribute("data-forgotten", "yes");
          form.submit();
        });
      });
    });
  }

  // Another user signed in on this phone: the previous user's pages must not open offline.
  function checkUser() {
    var store = storage();
    if (!store || !user) { return Promise.resolve(); }
    var last = store.getItem(LAST_USER);
    store.setItem(LAST_USER, user);
    return last && last !== user ? forgetPages() : Promise.resolve();
  }

  // --- the service worker ---------------------------------------------------------------------------

  // The kept form costs the server a page: refreshed on the diary pages (where it changes), on a
  // new day, and otherwise at most every REFRESH_MS.
  function refreshDue() {
    var store = storage();
    if (!store) { return true; }
    var stamp = user + "|" + localDay();
    var last = (store.getItem(REFRESHED) || "").split("#");
    var due = window.location.pathname.indexOf("/diaries/") === 0 || last[0] !== stamp ||
      Date.now() - Number(last[1] || 0) > REFRESH_MS;
    if (due) { store.setItem(REFRESHED, stamp + "#" + Date.now()); }
    return due;
  }

  function setupWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () { /* the pages work without it */ });
    var pages = (document.body.getAttribute("data-offline-pages") || "").split(" ").filter(Boolean);
    if (!user || !pages.length || !navigator.onLine || !refreshDue()) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) { registration.active.postMessage({type: "refresh", urls: pages}); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    user = document.body.getAttribute("data-user") || "";
    var source = document.querySelector("[data-offline-strings]");
    if (source) {
      Array.prototype.forEach.call(source.attributes, function (attr) {
        if (attr.name.indexOf("data-") === 0) {
          var name = attr.name.slice(5).replace(/-([a-z])/g, function (_m, c) { return c.toUpperCase(); });
          strings[name] = attr.value;
        }
      });
    }
    checkUser().then(function () { setupWorker(); });
    setupForm();
    setupLogout();
    render().then(sync);
    window.addEventListener("online", function () { sync(); });
  });
})();
