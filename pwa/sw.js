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
// - Everything else (config.json, the API, other sites, POST): not touched.
"use strict";

const BUILD = null; // written by cargo xtask dist

const PREFIX = "gemini-studio-shell-";
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
          fetch(here(path), { cache: "no-cache" }).then(async (response) => {
            if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
            // A host that redirects index.html to the directory (Cloudflare
            // Pages does) gives a redirected response, which a page load may
            // not be answered with: keep its body and headers, not the redirect.
            const kept = response.redirected
              ? new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers: response.headers })
              : response;
            return cache.put(here(path), kept);
          }),
        ),
      ),
    ),
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
  // config.json is the site's, read fresh by the page each time (offline,
  // the page runs with its defaults).
  if (path === "config.json") return;
  // A page load of the app (the scope itself or index.html, with any query
  // or fragment) is this build's index.html; other pages are not the app's.
  let key = request.url;
  if (request.mode === "navigate") {
    if (path !== "" && path !== "index.html") return;
    key = here("index.html");
  }
  event.respondWith(
    caches
      .open(SHELL)
      .then((cache) => cache.match(key))
      .then((hit) => (hit && !hit.redirected ? hit : fetch(request)))
      // No cache to open (storage evicted, a private mode): the network, as
      // without a worker.
      .catch(() => fetch(request)),
  );
});
