// The search app's service worker: on install it caches everything the app needs
// (page, scripts, the wann bundle and both .wasm, the digits), then answers from the
// cache first and refreshes the cache from the network when it can, so the app works
// offline after its first load. Bump VERSION when the list changes.
const VERSION = 'wann-app-1';
const FILES = [
  './', './index.html', './style.css', './app.js', './worker.js', './digit.js',
  './data/mnist-base.u8.gz', './data/mnist-query.u8.gz',
  '../../dist/wann.browser.js', '../../build/wann-simd.wasm', '../../build/wann-scalar.wasm',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== VERSION) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(VERSION);
    const cached = await cache.match(request, { ignoreSearch: true });
    const fresh = fetch(request).then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    });
    if (cached) {
      event.waitUntil(fresh.catch(() => undefined)); // refresh for next time; offline is fine
      return cached;
    }
    return fresh;
  })());
});
