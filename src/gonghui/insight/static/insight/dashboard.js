/* Leadership dashboard: draws the ECharts from the page's JSON data block (no inline
   scripts: the CSP allows scripts from 'self' only). */
(function () {
  "use strict";

  function data() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return null; }
    // SVG: crisp on screen and in the printed report (a canvas prints blurred).
    var c = window.echarts.init(el, null, { renderer: "svg" });
    // Axis labels inside the grid: long skill or town names are never cut off.
    if (option.grid) { option.grid.containLabel = true; }
    if (document.body.classList.contains("report-page")) { option.animation = false; }
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-rendered", "1");
    return c;
  }

  var red = "#b5121b";
  function draw(d) {
    var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
    chart("chart-pipeline", {
      tooltip: { trigger: "axis" },
      grid: { left: 10, right: 50, top: 10, bottom: 10 },
      xAxis: { type: "value", splitNumber: 3 },
      yAxis: { type: "category", inverse: true, data: d.pipeline.map(function (s) { return s.label; }) },
      series: [{ type: "bar", data: d.pipeline.map(function (s) { return s.value; }),
                 itemStyle: { color: red }, label: { show: true, position: "right" } }]
    });
    var h = d.demand;
    chart("chart-heatmap", {
      tooltip: { position: "top" },
      grid: { left: 10, right: 80, top: 10, bottom: 10 },
      xAxis: { type: "category", data: h.skills, axisLabel: { rotate: 40, interval: 0 } },
      yAxis: { type: "category", data: h.towns, axisLabel: { interval: 0 } },
      visualMap: { min: 0, max: Math.max(h.max, 1), calculable: true, orient: "vertical",
                   right: 0, top: "middle", itemHeight: 120, inRange: { color: ["#fff5f5", red] } },
      series: [{ type: "heatmap", data: h.cells, label: { show: h.skills.length <= 8 } }]
    });
    chart("chart-skills", {
      tooltip: { trigger: "axis" },
      grid: { left: 110, right: 30, top: 10, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: h.by_skill.map(function (s) { return s.name; }) },
      series: [{ type: "bar", data: h.by_skill.map(function (s) { return s.value; }),
                 itemStyle: { color: "#1d4f91" } }]
    });
    chart("chart-satisfaction", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, left: "center", data: [labels.satisfaction, labels.lower_bound, labels.responses] },
      grid: { left: 10, right: 10, top: 60, bottom: 10 },
      xAxis: { type: "category", data: d.satisfaction.map(function (p) { return p.month; }) },
      yAxis: [{ type: "value", min: 0, max: 100, name: "%" }, { type: "value", name: labels.responses }],
      series: [
        { name: labels.satisfaction, type: "line", data: d.satisfaction.map(function (p) { return p.satisfaction; }), itemStyle: { color: red } },
        { name: labels.lower_bound, type: "line", lineStyle: { type: "dashed" }, data: d.satisfaction.map(function (p) { return p.lower_bound; }) },
        { name: labels.responses, type: "bar", yAxisIndex: 1, barMaxWidth: 18, itemStyle: { color: "#c9d3e0" },
          data: d.satisfaction.map(function (p) { return p.responses; }) }
      ]
    });
    function ranked(id, rows) {
      var shown = rows.filter(function (r) { return r.published; });
      chart(id, {
        tooltip: { trigger: "axis", formatter: function (ps) {
          var r = shown[ps[0].dataIndex];
          return r.name + "<br>" + labels.index + " " + r.index + "<br>" + labels.sample + " " + r.responses;
        } },
        grid: { left: 110, right: 40, top: 10, bottom: 20 },
        xAxis: { type: "value", min: 0, max: 100 },
        yAxis: { type: "category", inverse: true, data: shown.map(function (r) { return r.name + " (n=" + r.responses + ")"; }) },
        series: [{ type: "bar", data: shown.map(function (r) { return r.index; }), itemStyle: { color: red },
                   label: { show: true, position: "right" } }]
      });
    }
    ranked("chart-trainers", d.trainers);
    ranked("chart-venues", d.venues);
    // Workers vs enterprises, same plans, 1–5: one pair of bars per item. A withheld
    // figure (below its threshold) is a gap, never a zero; the table beside says why.
    var p = d.parties;
    if (p && p.enterprises) {
      var rows = p.dimensions.concat(p.trainers.map(function (t) {
        return { label: t.name, workers: t.workers, workers_n: t.workers_n,
                 enterprises: t.enterprises, enterprises_n: t.enterprises_n };
      }));
      chart("chart-parties", {
        tooltip: { trigger: "axis", formatter: function (ps) {
          var r = rows[ps[0].dataIndex];
          return r.label + "<br>" + labels.workers + " " + (r.workers === null ? "—" : r.workers) +
            " (n=" + r.workers_n + ")<br>" + labels.enterprises + " " +
            (r.enterprises === null ? "—" : r.enterprises) + " (" + r.enterprises_n + labels.firms + ")";
        } },
        legend: { top: 0, data: [labels.workers, labels.enterprises] },
        grid: { left: 10, right: 30, top: 30, bottom: 10 },
        xAxis: { type: "value", min: 1, max: 5 },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }) },
        series: [
          { name: labels.workers, type: "bar", itemStyle: { color: "#1d4f91" },
            data: rows.map(function (r) { return r.workers; }) },
          { name: labels.enterprises, type: "bar", itemStyle: { color: red },
            data: rows.map(function (r) { return r.enterprises; }) }
        ]
      });
    }
    chart("chart-rectifications", {
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "62%"], center: ["50%", "45%"],
                 data: d.rectifications.by_status.map(function (s) { return { name: s.label, value: s.value }; }) }]
    });
    chart("chart-overdue", {
      tooltip: { trigger: "axis" },
      grid: { left: 160, right: 30, top: 10, bottom: 20 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: d.overdue.by_step.map(function (s) { return s.label; }) },
      series: [{ type: "bar", data: d.overdue.by_step.map(function (s) { return s.value; }), itemStyle: { color: "#9a5b00" } }]
    });
    chart("chart-reform", {
      tooltip: { trigger: "axis" },
      grid: { left: 70, right: 40, top: 10, bottom: 20 },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: d.reform.map(function (r) { return r.label + " (" + r.items + ")"; }) },
      series: [{ type: "bar", data: d.reform.map(function (r) { return r.progress; }), itemStyle: { color: "#1f7a3f" },
                 label: { show: true, position: "right", formatter: "{c}%" } }]
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var d = data();
    if (d) { draw(d); }
  });
})();
