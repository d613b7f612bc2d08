// Service worker of the report pages (scope /phan-anh/): pages are network-first with a cached copy for
// when the network is gone, so the report form opens offline; the form's script then queues the report
// in IndexedDB and sends it when the network returns. Nothing but GET requests is ever cached.
"use strict";
var CACHE = "tinhso-feedback-v1";
var ASSETS = ["/static/tinhso/css/site.css", "/static/tinhso/js/site.js", "/static/tinhso/js/feedback.js",
  "/static/tinhso/feedback/icon-192.png"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("tinhso-feedback-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  var isPage = req.mode === "navigate" && url.pathname.indexOf("/phan-anh/") === 0;
  var isAsset = url.pathname.indexOf("/static/") === 0;
  if (!isPage && !isAsset) { return; }
  event.respondWith(fetch(req).then(function (resp) {
    if (resp.ok && resp.type === "basic" && !resp.redirected) {
      var copy = resp.clone();
      caches.open(CACHE).then(function (c) { c.put(req, copy); });
    }
    return resp;
  }).catch(function () {
    return caches.match(req).then(function (hit) {
      return hit || caches.match("/phan-anh/gui/") || Response.error();
    });
  }));
});
