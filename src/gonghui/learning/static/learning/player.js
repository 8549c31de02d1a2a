// Plays a lesson's HLS video (hls.js where the browser has no native HLS) from where the
// learner stopped, and reports progress: a heartbeat every 15 s and on pause, end and
// leaving the page, batched (beats kept while a report fails are sent with the next one).
(function () {
  "use strict";
  var video = document.getElementById("player");
  if (!video) return;
  var src = video.dataset.src, lesson = Number(video.dataset.lesson);
  var start = Number(video.dataset.start) || 0, url = video.dataset.beatUrl;
  var pending = [], playedFrom = null;
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  if (window.Hls && window.Hls.isSupported()) {
    // No worker: the site's policy allows scripts from our origin only, not blob: workers.
    var hls = new window.Hls({startPosition: start > 0 ? start : -1, enableWorker: false});
    hls.loadSource(src);
    hls.attachMedia(video);
  } else {
    video.src = src;  // Safari and other browsers with HLS of their own
  }
  video.addEventListener("loadedmetadata", function () {
    if (start > 0 && start < video.duration - 1) video.currentTime = start;
  });
  video.addEventListener("playing", function () { playedFrom = video.currentTime; });
  video.addEventListener("seeking", function () { cut(); });
  function cut() {
    if (playedFrom === null) return;
    var end = video.currentTime;
    if (end > playedFrom) {
      pending.push({lesson: lesson, position: end, start: playedFrom, end: end, at: Date.now()});
    }
    playedFrom = video.paused ? null : end;
  }
  function send(final) {
    cut();
    if (!pending.length) return;
    var beats = pending.splice(0, 100);
    fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: !!final,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify({beats: beats})
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (results) {
      var last = results[results.length - 1], note = document.getElementById("progress-note");
      if (last && note) note.textContent = "已观看 " + Math.round(last.watched_ratio * 100) + "%" +
        (last.completed ? " · 本课时已完成" : "");
      document.body.dataset.beats = String(Number(document.body.dataset.beats || 0) + results.length);
    }).catch(function () { pending = beats.concat(pending); });
  }
  setInterval(function () { if (!video.paused) send(false); }, 15000);
  video.addEventListener("pause", function () { send(false); });
  video.addEventListener("ended", function () { send(false); });
  window.addEventListener("pagehide", function () { send(true); });
})();
