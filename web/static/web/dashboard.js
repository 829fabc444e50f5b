// The staff dashboard's charts: each [data-chart] element is drawn with ECharts from the JSON
// that the page embeds beside it (Django's json_script, id in data-source). No inline script
// and no extra request: the same figures fill the table under each chart. After an htmx swap
// of the dashboard (the filter form) the charts are drawn again; they follow the window size.
(function () {
  "use strict";
  var drawn = [];

  function axisLabel() {
    return { hideOverlap: true, fontSize: 11 };
  }

  function heatmap(spec) {
    return {
      tooltip: { position: "top" },
      grid: { top: 8, left: 56, right: 12, bottom: 64 },
      xAxis: { type: "category", data: spec.x, splitArea: { show: true }, axisLabel: axisLabel() },
      yAxis: { type: "category", data: spec.y, splitArea: { show: true }, axisLabel: axisLabel() },
      visualMap: {
        min: 0,
        max: Math.max(spec.max, 1),
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 120,
      },
      series: [{ name: spec.name, type: "heatmap", data: spec.data, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }],
    };
  }

  function categories(spec, type) {
    var horizontal = type === "bar" && spec.categories.length > 6;
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: axisLabel() };
    var valueAxis = { type: "value", name: spec.unit || "" };
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { top: 36, left: 8, right: 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? Object.assign({ inverse: true }, categoryAxis) : valueAxis,
      series: spec.series.map(function (s) {
        var series = { name: s.name, type: s.type || type, data: s.data };
        if (s.mark !== undefined && s.mark !== null) {
          var line = {};
          line[horizontal ? "xAxis" : "yAxis"] = s.mark;
          series.markLine = { symbol: "none", label: { formatter: s.markName || "{c}" }, data: [line] };
        }
        return series;
      }),
    };
  }

  var BUILD = {
    heatmap: heatmap,
    bar: function (spec) { return categories(spec, "bar"); },
    line: function (spec) { return categories(spec, "line"); },
  };

  function draw(root) {
    if (!window.echarts) return;
    drawn.forEach(function (chart) { chart.dispose(); });
    drawn = [];
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var build = BUILD[spec.type];
      if (!build) return;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(spec));
      drawn.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
})();
