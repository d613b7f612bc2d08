// Citizen field reports: "use my location", the offline queue of drafted reports, and the service worker.
// No inline scripts (CSP script-src 'self'): everything is wired from data-* attributes.
(function () {
  "use strict";
  var me = document.getElementById("feedback-js");
  var DB = "tinhso-feedback", STORE = "drafts";

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no indexedDB")); return; }
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), store = t.objectStore(STORE), out = fn(store);
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function allDrafts() { return tx("readonly", function (s) { return s.getAll(); }); }
  function saveDraft(d) { return tx("readwrite", function (s) { return s.add(d); }); }
  function deleteDraft(id) { return tx("readwrite", function (s) { return s.delete(id); }); }

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function say(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; el.hidden = !text; }
  }

  // A field sent more than once (the ticked boxes of a multiple-choice question) is kept as a list.
  // The questions of the categories not chosen are in disabled fieldsets, so FormData leaves them out.
  function draftFromForm(form) {
    var fields = {}, photos = [];
    new FormData(form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") { return; }
      if (value instanceof Blob) { if (value.size) { photos.push({ blob: value, name: value.name || "anh.jpg" }); } }
      else if (Object.prototype.hasOwnProperty.call(fields, key)) { fields[key] = [].concat(fields[key], value); }
      else { fields[key] = value; }
    });
    return { fields: fields, photos: photos, savedAt: new Date().toISOString() };
  }

  function send(draft, url) {
    var body = new FormData();
    Object.keys(draft.fields).forEach(function (k) {
      [].concat(draft.fields[k]).forEach(function (v) { body.append(k, v); });  // drafts of older pages hold strings
    });
    draft.photos.forEach(function (p) { body.append("photos", p.blob, p.name); });
    var token = cookie("csrftoken") || (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Tinhso-Offline": "1", "Accept": "application/json" } });
  }

  function flush() {
    if (!me || !navigator.onLine) { return Promise.resolve(); }
    var url = me.dataset.create, form = document.getElementById("fb-report-form");
    var msgSent = form ? form.dataset.msgSent : "";
    return allDrafts().then(function (drafts) {
      var sent = [], chain = Promise.resolve();
      drafts.forEach(function (d) {
        chain = chain.then(function () {
          return send(d, url).then(function (resp) {
            if (resp.status === 201) {
              return resp.json().then(function (j) { sent.push(j.public_id); return deleteDraft(d.id); });
            }
            if (resp.status === 400) {  // the report itself is wrong: it will never be accepted as is
              return resp.json().then(function (j) {
                say("fb-queued", (j.errors || []).map(function (e) { return e.message; }).join(" "));
                return deleteDraft(d.id);
              });
            }
            return null;  // signed out or server down: keep it for later
          });
        });
      });
      return chain.then(function () {
        if (sent.length) {
          if (document.querySelector("[data-fb-mine]")) { window.location.reload(); return; }
          if (form) { say("fb-queued", (msgSent || "") + " " + sent.join(", ")); }
        }
      });
    }).catch(function () { /* no IndexedDB: nothing was queued */ });
  }

  // The chosen category's extra questions: shown and enabled; every other category's hidden and disabled
  // (so neither sent nor drafted). Without this script every category's questions are shown.
  function showQuestions(form) {
    var select = form.querySelector("select[name=category]"), chosen = select ? select.value : "";
    var hint = document.getElementById("fb-questions-hint");
    if (hint) { hint.hidden = true; }
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-category]"), function (fs) {
      var on = fs.getAttribute("data-category") === chosen;
      fs.hidden = !on;
      fs.disabled = !on;
    });
  }

  function showPending(form) {
    allDrafts().then(function (d) {
      if (d.length && form) { say("fb-queued", form.dataset.msgPending + " " + d.length); }
    }).catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("fb-report-form");
    if ("serviceWorker" in navigator && me && me.dataset.sw) {
      navigator.serviceWorker.register(me.dataset.sw, { scope: "/phan-anh/" }).catch(function () {});
    }
    if (form) {
      var offline = document.getElementById("fb-offline");
      var update = function () { if (offline) { offline.hidden = navigator.onLine; } };
      window.addEventListener("offline", update);
      window.addEventListener("online", update);
      update();
      showPending(form);
      var category = form.querySelector("select[name=category]");
      if (category) { category.addEventListener("change", function () { showQuestions(form); }); }
      form.addEventListener("reset", function () { window.setTimeout(function () { showQuestions(form); }, 0); });
      window.addEventListener("pageshow", function () { showQuestions(form); });  // a page restored by "back"
      showQuestions(form);
      var locate = document.getElementById("fb-locate");
      if (locate && navigator.geolocation) {
        locate.hidden = false;
        locate.addEventListener("click", function () {
          say("fb-locate-status", form.dataset.msgGeoWait);
          navigator.geolocation.getCurrentPosition(function (pos) {
            form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
            form.querySelector("[name=long]").value = pos.coords.longitude.toFixed(6);
            say("fb-locate-status", form.dataset.msgGeoOk);
          }, function () { say("fb-locate-status", form.dataset.msgGeoFail); },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
        });
      }
      form.addEventListener("submit", function (ev) {
        if (navigator.onLine) { return; }
        ev.preventDefault();
        saveDraft(draftFromForm(form)).then(function () {
          form.reset();
          say("fb-queued", form.dataset.msgSaved);
        }).catch(function () { form.submit(); });
      });
    }
    window.addEventListener("online", flush);
    flush();
  });
})();
