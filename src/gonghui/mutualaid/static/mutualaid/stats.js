/* Mutual-aid statistics: draws two ECharts from the page's JSON block (no inline scripts). */
(function () {
  "use strict";
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return; }
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-rendered", "1");
  }
  function draw() {
    var node = document.getElementById("aid-stats");
    if (!node) { return; }
    var d = JSON.parse(node.textContent);
    var axis = { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 4 ? 30 : 0 } };
    chart("chart-paid", {
      tooltip: { trigger: "axis" }, grid: { left: 70, right: 20, top: 20, bottom: 70 },
      xAxis: axis, yAxis: { type: "value" },
      series: [{ type: "bar", data: d.paid, itemStyle: { color: "#b5121b" } }]
    });
    chart("chart-ratio", {
      tooltip: { trigger: "axis" }, legend: { data: d.names },
      grid: { left: 50, right: 20, top: 30, bottom: 70 },
      xAxis: axis, yAxis: { type: "value", max: 100 },
      series: [
        { name: d.names[0], type: "bar", data: d.before, itemStyle: { color: "#8a939c" } },
        { name: d.names[1], type: "bar", data: d.after, itemStyle: { color: "#b5121b" } }
      ]
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
}());
