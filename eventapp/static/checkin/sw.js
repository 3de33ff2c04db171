// Service worker of the staff scanning page: the page and its files reload without
// network (the checkpoint bundle and the scans live in IndexedDB, not here).
//
// It must be served from a URL whose scope covers the staff pages: either from a route
// inside that path (e.g. /checkin/sw.js for pages under /checkin/) or with the response
// header "Service-Worker-Allowed: <scope>" (docs/scanner.md). Served from
// /static/checkin/sw.js as is, its scope would be /static/checkin/ and control nothing.
//
// The page sends {type: "precache", urls} once registered (the page's own URL and the
// files it imports) and gets {ok} back on the MessageChannel port. Then:
//   - navigations in scope: network first (a fresh page and CSRF token when online),
//     the cached copy when the network fails or takes longer than NAVIGATION_TIMEOUT_MS;
//   - the cached files: served from the cache at once and refreshed in the background;
//   - anything else (JSON, POST): not touched, the page handles its own offline path.

// Bump when the page's modules change in a way older copies cannot follow (v2: entries
// by name are sent by participant id, the search gives no codes): activation drops the
// old cache, so phones do not keep running the previous scripts.
const CACHE = "eventapp-checkin-v2";
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("eventapp-checkin-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "precache" || !Array.isArray(data.urls)) return;
  const port = event.ports[0];
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const urls = data.urls.filter((url) => new URL(url).origin === self.location.origin);
    try {
      await cache.addAll(urls.map((url) => new Request(url, {credentials: "same-origin", cache: "reload"})));
      if (port) port.postMessage({ok: true, count: urls.length});
    } catch (error) {
      if (port) port.postMessage({ok: false, error: String(error)});
    }
  })());
});

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error("timeout")), ms);
  })]);
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    if (response.ok && response.type === "basic" && !response.redirected) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request, {ignoreVary: true});
    if (cached) return cached;
    throw error;
  }
}

async function cachedFile(request, cached) {
  const cache = await caches.open(CACHE);
  const refresh = fetch(request).then((response) => {
    if (response.ok) return cache.put(request, response.clone());
    return undefined;
  }).catch(() => undefined);
  return {response: cached, refresh};
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
    return;
  }
  event.respondWith((async () => {
    const cached = await caches.match(request, {ignoreVary: true, cacheName: CACHE});
    if (!cached) return fetch(request);
    const {response, refresh} = await cachedFile(request, cached);
    event.waitUntil(refresh);
    return response;
  })());
});
