// The Reports screen's chart (vendored ECharts): the report's charted figure per period, one series per
// mode and direction, flow, route, kind, berth or machine — the same rows as the table below it.
(function () {
  var node = document.getElementById("report-rows");
  var element = document.getElementById("report-chart");
  if (!node || !element || !window.echarts) return;
  var rows = JSON.parse(node.textContent);
  var figure = element.getAttribute("data-charted");
  var periods = [];
  var series = {};
  rows.forEach(function (row) {
    if (periods.indexOf(row.period) < 0) periods.push(row.period);
    var key = ["mode", "direction", "flow", "route", "kind", "berth", "machine"]
      .filter(function (k) { return row[k] !== undefined; })
      .map(function (k) { return row[k]; }).join(" ") || element.getAttribute("data-label");
    (series[key] = series[key] || {})[row.period] = row[figure];
  });
  var plot = echarts.init(element, null, { renderer: "svg" });
  plot.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    xAxis: { type: "category", data: periods },
    yAxis: { type: "value", name: element.getAttribute("data-label") },
    series: Object.keys(series).sort().map(function (key) {
      return { name: key, type: periods.length > 12 ? "line" : "bar",
               data: periods.map(function (p) { return series[key][p] === undefined ? null : series[key][p]; }) };
    }),
  });
})();
