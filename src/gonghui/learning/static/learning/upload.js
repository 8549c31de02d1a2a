// Resumable video upload: POST /api/learning/videos declares the file, then POST pieces of
// 4 MB with an Upload-Offset header; after a failed piece it asks the server how much it
// has (GET /api/learning/videos/{id}) and goes on from there.
(function () {
  "use strict";
  var form = document.getElementById("video-upload");
  if (!form) return;
  var PIECE = 4 * 1024 * 1024;
  var bar = document.getElementById("vu-progress"), status = document.getElementById("vu-status");
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function api(method, url, body, headers) {
    return fetch(url, {method: method, credentials: "same-origin", body: body,
      headers: Object.assign({"X-CSRFToken": csrf()}, headers || {})})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = document.getElementById("vu-file").files[0];
    if (!file) return;
    var base = form.dataset.api;
    api("POST", base, JSON.stringify({org_unit_id: Number(form.unit.value),
      title: form.title.value, size: file.size}), {"Content-Type": "application/json"})
      .then(function (res) {
        if (!res.ok) { status.textContent = res.body.error.message; return; }
        var id = res.body.id, tries = 0;
        function next(offset) {
          bar.value = Math.floor(100 * offset / file.size);
          if (offset >= file.size) {
            status.textContent = "上传完成，正在转码";
            // On a course page: the new video is offered to the lesson form at once.
            var pick = document.getElementById("lesson-video");
            if (pick) {
              var option = new Option(form.title.value, String(id), true, true);
              pick.add(option);
            }
            return;
          }
          var piece = file.slice(offset, Math.min(file.size, offset + PIECE));
          api("POST", base + "/" + id + "/content", piece,
              {"Upload-Offset": String(offset), "Content-Type": "application/octet-stream"})
            .then(function (r) {
              if (r.ok) { tries = 0; next(r.body.received); return; }
              throw new Error(r.body.error.message);
            })
            .catch(function () {
              if (++tries > 5) { status.textContent = "上传中断，请稍后重试"; return; }
              setTimeout(function () {
                api("GET", base + "/" + id).then(function (r) { next(r.body.received); });
              }, 1000 * tries);
            });
        }
        next(0);
      });
  });
})();
