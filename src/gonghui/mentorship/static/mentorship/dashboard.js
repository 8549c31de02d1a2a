/* Mentorship programme charts, drawn from the page's JSON block (the CSP allows scripts from
   'self' only, so no inline script). */
(function () {
  "use strict";
  var red = "#b5121b", blue = "#1d4f91";

  function bar(id, rows, color, horizontal) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return; }
    var c = window.echarts.init(el, null, { renderer: "svg" });
    var names = rows.map(function (r) { return r.label || r.name; });
    var values = rows.map(function (r) { return r.value !== undefined ? r.value : r.points; });
    var cat = { type: "category", data: names, inverse: !!horizontal, axisLabel: { interval: 0 } };
    var val = { type: "value", minInterval: 1 };
    c.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: horizontal ? 110 : 40, right: horizontal ? 60 : 20, top: 10, bottom: 30 },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: [{ type: "bar", data: values, itemStyle: { color: color },
                 label: { show: true, position: horizontal ? "right" : "top" } }]
    });
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-rendered", "1");
  }

  function draw() {
    var el = document.getElementById("mentorship-figures");
    if (!el) { return; }
    var d = JSON.parse(el.textContent);
    bar("chart-states", d.states, red, false);
    bar("chart-load", d.load, blue, false);
    bar("chart-grades", d.grades, red, false);
    bar("chart-units", d.units, blue, true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
