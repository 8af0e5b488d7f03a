/* Charts of the oversight dashboard. Data comes from <script type="application/json" id="dashboard-charts">
   (json_script); a click on a bar, a point or a slice opens the list behind the number (its "url"). */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) { return; }
  var specs = JSON.parse(source.textContent);
  var palette = ["#206bc4", "#2fb344", "#f76707", "#d63939", "#ae3ec9", "#17a2b8", "#f59f00"];

  function percentLabel(value) { return value + "%"; }

  function barOption(spec) {
    var valueAxis = { type: "value", axisLabel: spec.percent ? { formatter: "{value}%" } : {} };
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.rotate ? 30 : 0 } };
    var series = spec.series.map(function (s, i) {
      var item = { name: s.name, type: "bar", data: s.data, itemStyle: { color: palette[i % palette.length] },
                   label: { show: spec.series.length === 1, position: spec.horizontal ? "right" : "top",
                            formatter: spec.percent ? function (p) { return percentLabel(p.value); } : "{c}" } };
      if (i === 0 && spec.marks) {
        // A vertical target line's label would run across the bars: horizontal charts name their targets in the
        // note under the chart and show them in the tooltip of the line.
        item.markLine = { symbol: "none", label: { show: !spec.horizontal, formatter: "{b}", position: "end" },
          tooltip: { show: true, formatter: "{b}" },
          lineStyle: { type: "dashed" },
          data: spec.marks.map(function (m) { return spec.horizontal ? { name: m.name, xAxis: m.value } : { name: m.name, yAxis: m.value }; }) };
      }
      return item;
    });
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { show: spec.series.length > 1, top: 0 },
      // room above the tallest bar for its value label
      grid: { left: 8, right: 40, top: spec.series.length > 1 ? 30 : 24, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: series
    };
  }

  function lineOption(spec) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 20, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s, i) {
        return { name: s.name, type: "line", data: s.data, itemStyle: { color: palette[i % palette.length] } };
      })
    };
  }

  function pieOption(spec) {
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0 },
      color: palette,
      series: [{ type: "pie", radius: ["35%", "65%"], data: spec.data, label: { formatter: "{b}\n{c}" } }]
    };
  }

  var builders = { bar: barOption, line: lineOption, pie: pieOption };
  document.querySelectorAll("[data-chart]").forEach(function (node) {
    var spec = specs[node.getAttribute("data-chart")];
    if (!spec || !builders[spec.type]) { return; }
    if (spec.type === "pie" && spec.data.length === 0) {
      node.textContent = "暂无数据";
      node.classList.add("text-secondary");
      return;
    }
    var chart = window.echarts.init(node);
    chart.setOption(builders[spec.type](spec));
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) { window.location.href = url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
