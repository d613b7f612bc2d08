/* The IOC's live refresh: every N seconds, read the overview from the JSON API and put the new numbers
   in place (no reload, no inline script: the CSP allows only this file). The wall screen also reloads
   itself every data-ioc-reload seconds to redraw its charts. */
(function () {
  "use strict";
  function stamp(root, text) {
    var t = root.querySelector("[data-ioc-stamp]") || document.querySelector("[data-ioc-stamp]");
    if (t) { t.textContent = text; }
  }
  function status(root, text) {
    var s = root.querySelector("[data-ioc-status]") || document.querySelector("[data-ioc-status]");
    if (s) { s.textContent = text; }
  }
  function apply(root, data) {
    (data.cards || []).forEach(function (card) {
      var li = root.querySelector('[data-figure="' + card.key + '"]');
      if (!li) { return; }
      var value = li.querySelector(".ioc-value");
      if (value && value.textContent !== card.text) { value.textContent = card.text; }
      var sub = li.querySelector(".ioc-sub");
      if (sub && card.sub && sub.textContent !== card.sub) { sub.textContent = card.sub; }
      li.classList.toggle("ioc-tone-bad", card.tone === "bad");
    });
    if (data.at_text) { stamp(root, data.at_text); }
    status(root, "");
  }
  function start(root) {
    var url = root.getAttribute("data-ioc-refresh");
    var seconds = parseInt(root.getAttribute("data-ioc-seconds") || "30", 10);
    if (!url || !window.fetch || !(seconds > 0)) { return; }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) { apply(root, data); })
        .catch(function () { status(root, " · " + (document.documentElement.lang === "en" ? "update failed, retrying" : "chưa cập nhật được, sẽ thử lại")); });
    }
    window.setInterval(tick, seconds * 1000);
    var reload = parseInt(root.getAttribute("data-ioc-reload") || "0", 10);
    if (reload > 0) { window.setTimeout(function () { window.location.reload(); }, reload * 1000); }
  }
  function init() {
    document.querySelectorAll("[data-ioc-refresh]").forEach(start);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
