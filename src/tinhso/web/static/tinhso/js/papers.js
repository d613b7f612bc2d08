// Papers go up as soon as they are chosen (portal/submit.html; a supplement's answer on portal/my_dossier.html):
// each file is sent to the uploads API, checked by content there, and becomes a ticked box naming it (the input's
// data-kept-name), so that a refused form loses none of them and a slow connection sends each paper once. Without
// this script the files go with the form, as before.
document.addEventListener("DOMContentLoaded", function () {
  var inputs = document.querySelectorAll("input[type=file][data-upload-url]");
  if (!inputs.length || !window.fetch || !window.FormData) { return; }
  var en = (document.documentElement.lang || "vi").indexOf("en") === 0;
  var words = en
    ? { uploading: "Uploading: ", done: "Uploaded: ", failed: "Not uploaded: ", wait: "Uploading papers…", network: "no connection, choose the file again." }
    : { uploading: "Đang tải lên: ", done: "Đã tải lên: ", failed: "Chưa tải lên được: ", wait: "Đang tải giấy tờ lên…", network: "mất kết nối, hãy chọn lại tệp." };
  var seq = 0;

  // A form's send button waits while any of its papers is still going up.
  function busy(form, delta) {
    var submit = form.querySelector("button[type=submit]");
    form.dataset.pending = String((parseInt(form.dataset.pending || "0", 10)) + delta);
    if (!submit) { return; }
    if (!submit.dataset.text) { submit.dataset.text = submit.textContent; }
    var waiting = form.dataset.pending !== "0";
    submit.disabled = waiting;
    submit.textContent = waiting ? words.wait : submit.dataset.text;
  }

  function size(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
  }

  function upload(input, file) {
    var list = document.getElementById(input.dataset.keptList);
    var item = document.createElement("li");
    item.textContent = words.uploading + file.name;
    list.appendChild(item);
    var form = input.form;
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    busy(form, 1);
    var body = new FormData();
    body.append("file", file, file.name);
    fetch(input.dataset.uploadUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.status === 201, data: data }; });
    }).then(function (r) {
      item.textContent = "";
      if (r.ok) {
        var id = "id_" + input.dataset.keptName + "_js" + (++seq);
        var box = document.createElement("input");
        box.type = "checkbox"; box.name = input.dataset.keptName; box.value = r.data.token; box.id = id; box.checked = true;
        var label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = words.done + r.data.name + " (" + size(r.data.size) + ")";
        item.appendChild(box); item.appendChild(label);
      } else {
        var message = (r.data.errors && r.data.errors.length ? r.data.errors[0].message : r.data.detail) || "";
        item.className = "field-error";
        item.textContent = words.failed + file.name + ": " + message;
      }
    }).catch(function () {
      item.className = "field-error";
      item.textContent = words.failed + file.name + ": " + words.network;
    }).then(function () { busy(form, -1); });
  }

  inputs.forEach(function (input) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      files.forEach(function (file) { upload(input, file); });
      input.value = "";  // each chosen file is now on its way: not sent again with the form
    });
  });
});
