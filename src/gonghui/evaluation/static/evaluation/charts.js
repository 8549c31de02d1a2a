/* Dimension scores chart: raw mean, shrunk score and the federation prior per dimension;
   workers' and enterprises' scores side by side (1–5; a withheld figure is a gap).
   Data comes from a json_script element (no inline scripts: the CSP forbids them). */
(function () {
  function draw(el) {
    var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    if (!window.echarts || !data.labels.length) return;
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [el.dataset.raw, el.dataset.shrunk, el.dataset.prior] },
      grid: { left: 40, right: 16, bottom: 70, top: 40 },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", min: 1, max: 5 },
      series: [
        { name: el.dataset.raw, type: "bar", data: data.raw },
        { name: el.dataset.shrunk, type: "bar", data: data.shrunk },
        { name: el.dataset.prior, type: "line", data: data.prior, symbol: "diamond" }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawParties(el) {
    var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    if (!window.echarts || !data.labels.length) return;
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [el.dataset.workers, el.dataset.enterprises] },
      grid: { left: 10, right: 16, bottom: 10, top: 30, containLabel: true },
      xAxis: { type: "value", min: 1, max: 5 },
      yAxis: { type: "category", inverse: true, data: data.labels },
      series: [
        { name: el.dataset.workers, type: "bar", data: data.workers, itemStyle: { color: "#1d4f91" } },
        { name: el.dataset.enterprises, type: "bar", data: data.enterprises, itemStyle: { color: "#b5121b" } }
      ]
    });
    el.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-eval-chart]").forEach(draw);
    document.querySelectorAll("[data-party-chart]").forEach(drawParties);
  });
})();
