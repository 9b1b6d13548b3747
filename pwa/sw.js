// Gemini Studio's service worker: the app opens with no network.
//
// `cargo xtask dist` writes BUILD below: this build's version and every file
// of the app shell (index.html, the JS loader, the wasm, the styles, icons),
// relative to this file. A new build is a new sw.js, which the browser
// fetches in the background; it installs the new files beside the old ones
// and waits: the page offers "A new version is ready — Reload" and only
// then is the new version used (never a silent swap).
//
// - App shell: from this build's cache (what index.html names always matches
//   what is cached with it); a page load with no network works.
// - config.json: from the network, the last copy when offline.
// - Everything else (the API, other sites, POST): not touched.
"use strict";

const BUILD = null; // written by cargo xtask dist

const PREFIX = "gemini-studio-shell-";
const RUNTIME = "gemini-studio-runtime";
const SHELL = BUILD ? PREFIX + BUILD.version : null;
const here = (path) => new URL(path, self.registration.scope).href;

self.addEventListener("install", (event) => {
  if (!BUILD) return;
  event.waitUntil(
    caches.open(SHELL).then((cache) =>
      // Straight from the network: an HTTP cache of an older build must not
      // end up in this build's cache.
      Promise.all(
        BUILD.files.map((path) =>
          fetch(here(path), { cache: "no-cache" }).then((response) => {
            if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
            return cache.put(here(path), response);
          }),
        ),
      ),
    ),
  );
  // config.json, best effort (the site may have none): offline, the last copy.
  event.waitUntil(
    fetch(here("config.json"), { cache: "no-cache" })
      .then((r) => (r.ok ? caches.open(RUNTIME).then((c) => c.put(here("config.json"), r)) : undefined))
      .catch(() => undefined),
  );
  // No skipWaiting here: the page asks for it when the person chooses Reload.
});

self.addEventListener("message", (event) => {
  if (event.data === "skipWaiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!BUILD || request.method !== "GET") return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const path = url.pathname.slice(scope.pathname.length);
  if (path.startsWith("v1beta/")) return;
  if (path === "config.json") {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(RUNTIME).then((c) => c.put(here("config.json"), copy));
          }
          return response;
        })
        // Offline: the last copy; none kept means the site has none (the
        // page then runs with its defaults rather than report a failure).
        .catch(() =>
          caches
            .match(here("config.json"), { cacheName: RUNTIME })
            .then((r) => r ?? new Response("", { status: 404, statusText: "Offline" })),
        ),
    );
    return;
  }
  // A page load (any path under the scope, with or without a query or a
  // fragment) is the app's index.html.
  // (The shell's files are listed by their paths relative to this file.)
  const key = request.mode === "navigate" ? here("index.html") : request.url;
  event.respondWith(
    caches
      .open(SHELL)
      .then((cache) => cache.match(key))
      .then((hit) => hit ?? fetch(request)),
  );
});
