/* Service network charts from the page's JSON blocks (the CSP allows scripts from 'self'
   only): the coverage scatter (no map tiles: longitude/latitude axes, so the page works
   offline) and the monthly utilisation trend. */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function scatter() {
    var el = document.getElementById("coverage-map");
    var d = data("coverage-data");
    if (!el || !d || !window.echarts) { return; }
    var c = window.echarts.init(el, null, { renderer: "svg" });
    // Axis bounds from the points themselves (a little margin), so a small area fills the
    // chart instead of sitting in a nice round range of degrees.
    var all = d.positions.concat(d.covered, d.uncovered);
    function bounds(i) {
      var v = all.map(function (r) { return r[i]; });
      var lo = Math.min.apply(null, v), hi = Math.max.apply(null, v);
      var pad = Math.max((hi - lo) * 0.08, 0.002);
      return { min: +(lo - pad).toFixed(4), max: +(hi + pad).toFixed(4) };
    }
    var bx = all.length ? bounds(0) : {}, by = all.length ? bounds(1) : {};
    function series(name, rows, color, size, shape) {
      return { name: name, type: "scatter", data: rows, symbol: shape || "circle",
               symbolSize: size, itemStyle: { color: color } };
    }
    c.setOption({
      tooltip: { formatter: function (p) { return p.value[2] + (p.value[3] !== undefined ? "：" + p.value[3] : ""); } },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 30, bottom: 40 },
      xAxis: { type: "value", name: "经度", min: bx.min, max: bx.max,
               axisLabel: { formatter: function (v) { return v.toFixed(3); } } },
      yAxis: { type: "value", name: "纬度", min: by.min, max: by.max,
               axisLabel: { formatter: function (v) { return v.toFixed(3); } } },
      series: [
        series("已覆盖", d.covered, "#1d4f91", function (v) { return Math.max(5, Math.sqrt(v[3])); }),
        series("未覆盖", d.uncovered, "#999999", function (v) { return Math.max(5, Math.sqrt(v[3])); }),
        series("阵地", d.positions, "#b5121b", 12, "pin"),
        series("建议新建", d.gaps, "#e67e00", 16, "diamond")
      ]
    });
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-rendered", "1");
  }

  function trend() {
    var el = document.getElementById("use-trend");
    var d = data("use-data");
    if (!el || !d || !window.echarts) { return; }
    var c = window.echarts.init(el, null, { renderer: "svg" });
    c.setOption({
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 40, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "预约", type: "line", data: d.bookings, itemStyle: { color: "#1d4f91" } },
               { name: "到访", type: "line", data: d.visits, itemStyle: { color: "#b5121b" } }]
    });
    el.setAttribute("data-rendered", "1");
  }

  function draw() { scatter(); trend(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
