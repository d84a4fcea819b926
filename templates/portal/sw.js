/* The portal's service worker (served by portal.pwa at /sw.js, root scope).
   - the app shell (CSS, JS, icons) is kept on install and refreshed in the background;
   - pages: network first, the last copy from the cache when there is no network;
   - the pages a signed-in cadre needs offline (today's diary form with their villages, contact
     households and categories) are refreshed when a page asks (static/js/offline.js, online);
   - writes are never queued here: the diary outbox lives in the page (IndexedDB), so it is
     sent with the user's own session and CSRF token, and cleared on log-out. */
"use strict";

var VERSION = "{{ version }}";
var SHELL_CACHE = "portal-shell-" + VERSION;
var PAGES_CACHE = "portal-pages";
var SHELL = {{ shell }};
var NETWORK_WAIT_MS = 8000;
// The last pages opened, at most this many (a phone's storage is small; lists with filters add up).
var MAX_PAGES = 60;
// Bumped when the user's pages are forgotten (log-out): a page fetched before must not be kept.
var generation = 0;
// Pages that are never kept: log-in and log-out, the admin, the API, the worker itself.
var NEVER_KEPT = ["/accounts/", "/admin/", "/api/", "/sw.js", "/i18n/", "/healthz"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("portal-shell-") === 0 && name !== SHELL_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function kept(url) {
  return url.origin === self.location.origin && !NEVER_KEPT.some(function (prefix) {
    return url.pathname.indexOf(prefix) === 0;
  });
}

function storable(response) {
  var type = response.headers.get("Content-Type") || "";
  // A redirect (to the log-in page, an expired session) must not replace the user's page.
  return response.ok && !response.redirected && response.type === "basic" && type.indexOf("text/html") === 0;
}

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

function offlinePage() {
  var html = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>{{ offline_title|escapejs }}</title><link rel=\"stylesheet\" href=\"" + SHELL[0] + "\"></head>" +
    "<body><main class=\"container\"><h1>{{ offline_title|escapejs }}</h1>" +
    "<p>{{ offline_text|escapejs }}</p>" +
    "<p><a class=\"button\" href=\"/diaries/new/\">{{ offline_link|escapejs }}</a></p></main></body></html>";
  return new Response(html, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

function keepPage(url, response, fetchedIn) {
  if (fetchedIn !== generation) { return Promise.resolve(); }
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.put(url, response).then(function () {
      // forgotten while it was being stored: forget it too
      return fetchedIn === generation ? null : cache.delete(url);
    });
  });
}

function pageFromNetwork(request) {
  var fetchedIn = generation;
  return withTimeout(fetch(request), NETWORK_WAIT_MS).then(function (response) {
    if (storable(response)) {
      var copy = response.clone();
      caches.open(PAGES_CACHE).then(function (cache) {
        return cache.delete(request.url).then(function () { return keepPage(request.url, copy, fetchedIn); })
          .then(function () { return cache.keys(); })
          .then(function (keys) {  // oldest first: a page put again moved to the end
            return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (key) {
              return cache.delete(key);
            }));
          });
      });
    }
    return response;
  });
}

function pageFromCache(request) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.match(request.url).then(function (hit) {
      // /diaries/new/?date=… opens the kept form of /diaries/new/ (the day is chosen on the page).
      return hit || cache.match(request.url, {ignoreSearch: true});
    });
  }).then(function (hit) { return hit || offlinePage(); });
}

function shellFile(request) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (hit) {
        fresh.catch(function () { /* offline: the kept copy serves */ });
        return hit;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(shellFile(request));
  } else if (request.mode === "navigate" && kept(url)) {
    event.respondWith(pageFromNetwork(request).catch(function () { return pageFromCache(request); }));
  }
});

// The page asks for its user's offline pages to be refreshed (online), or for everything the user
// left to be forgotten (log-out, or another user signed in on a shared phone).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "refresh" && Array.isArray(data.urls)) {
    event.waitUntil(Promise.all(data.urls.map(function (path) {
      var url = new URL(path, self.location.origin);
      if (!kept(url)) { return null; }
      var fetchedIn = generation;
      return fetch(url.href, {credentials: "same-origin"}).then(function (response) {
        return storable(response) ? keepPage(url.href, response, fetchedIn) : null;
      }).catch(function () { return null; });
    })));
  } else if (data.type === "forget") {
    generation += 1;
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});
