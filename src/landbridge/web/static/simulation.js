// Twin-run plots with the vendored ECharts: yard TEU over time and trains per week, run A beside run B.
(function () {
  var node = document.getElementById("plots-data");
  if (!node || !window.echarts) return;
  var runs = JSON.parse(node.textContent);
  var yard = echarts.init(document.getElementById("plot-yard"), null, { renderer: "svg" });
  yard.setOption({
    animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
    xAxis: { type: "value", name: "d" }, yAxis: { type: "value", name: "TEU" },
    series: runs.map(function (r) {
      return { name: r.name, type: "line", showSymbol: false,
               data: r.yard_teu.map(function (v, i) { return [r.yard_days[i], v]; }) };
    }),
  });
  var trains = echarts.init(document.getElementById("plot-trains"), null, { renderer: "svg" });
  var weeks = Math.max.apply(null, runs.map(function (r) { return r.trains_per_week.length; }).concat([0]));
  trains.setOption({
    animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
    xAxis: { type: "category", data: Array.from({ length: weeks }, function (_, i) { return i + 1; }) },
    yAxis: { type: "value" },
    series: runs.map(function (r) { return { name: r.name, type: "bar", data: r.trains_per_week }; }),
  });
  var sides = [];
  runs.forEach(function (r) {
    Object.keys(r.border).forEach(function (code) {
      Object.keys(r.border[code]).forEach(function (side) {
        var key = code + " " + side;
        if (sides.indexOf(key) < 0) sides.push(key);
      });
    });
  });
  sides.sort();
  var border = echarts.init(document.getElementById("plot-border"), null, { renderer: "svg" });
  border.setOption({
    animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
    xAxis: { type: "category", data: sides, axisLabel: { interval: 0, fontSize: 10 } },
    yAxis: { type: "value", name: "h" },
    series: runs.map(function (r) {
      return { name: r.name, type: "bar", data: sides.map(function (key) {
        var parts = key.split(" ");
        return (r.border[parts[0]] || {})[parts[1]] || 0;
      }) };
    }),
  });
  document.body.setAttribute("data-plots", "ready");
})();
