/* Resumable video upload with tus-js-client: progress, resume after a dropped connection
   (the fingerprint of the same file finds the earlier upload), the server's Chinese
   message on refusal. No inline script: the CSP forbids it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (!form || !window.tus) { return; }
    var bar = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = form.querySelector("input[type=file]").files[0];
      if (!file) { return; }
      if (file.size > Number(form.dataset.max)) {
        status.textContent = "文件过大，请压缩后再上传";
        return;
      }
      var claimed = form.querySelector("input[name=claimed]");
      var upload = new window.tus.Upload(file, {
        endpoint: form.dataset.endpoint,
        chunkSize: 8 * 1024 * 1024,
        retryDelays: [0, 1000, 3000, 5000, 10000],
        headers: { "X-CSRFToken": form.dataset.csrf },
        metadata: {
          entry: form.dataset.entry,
          filename: file.name,
          filetype: file.type,
          claimed: claimed && claimed.value ? claimed.value : ""
        },
        onError: function (err) {
          var res = err.originalResponse;
          status.textContent = "上传失败：" + (res && res.getBody() ? res.getBody() : err.message);
        },
        onProgress: function (sent, total) {
          bar.hidden = false;
          bar.value = Math.floor((sent / total) * 100);
          status.textContent = "已上传 " + bar.value + "%";
        },
        onSuccess: function () {
          status.textContent = "上传完成，正在刷新…";
          window.location.reload();
        }
      });
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); }
        upload.start();
      });
    });
  });
})();
