// The mock exam's timer: counts down to the deadline and hands the paper in at zero.
(function () {
  "use strict";
  var timer = document.getElementById("timer"), form = document.getElementById("exam-form");
  if (!timer || !form) return;
  var deadline = Number(timer.dataset.deadline) * 1000, sent = false;
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    timer.textContent = String(Math.floor(left / 60)).padStart(2, "0") + ":" +
      String(left % 60).padStart(2, "0");
    if (left === 0 && !sent) { sent = true; form.submit(); }
  }
  tick();
  setInterval(tick, 1000);
})();
