// Twin-run plots with the vendored ECharts, run A beside run B: the yard against its limit, refused TEU,
// border queues, yard TEU, trains per week and mean border waits.
(function () {
  var node = document.getElementById("plots-data");
  if (!node || !window.echarts) return;
  var runs = JSON.parse(node.textContent);
  var words = JSON.parse((document.getElementById("plots-words") || { textContent: "{}" }).textContent);
  function word(key) { return words[key] || key; }
  function chart(id, option) {
    var element = document.getElementById(id);
    if (!element) return;
    var plot = echarts.init(element, null, { renderer: "svg" });
    plot.setOption(Object.assign({ animation: false, tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" } }, option));
  }
  function line(r, values, name) {
    return { name: name, type: "line", showSymbol: false,
             data: values.map(function (v, i) { return [r.yard_days[i], v]; }) };
  }
  var share = [];
  runs.forEach(function (r) {
    if (r.yard_share.length) share.push(line(r, r.yard_share, r.name + " · " + word("in use")));
    if (r.yard_limit !== null && r.yard_limit !== undefined && r.yard_days.length) {
      share.push({ name: r.name + " · " + word("working limit"), type: "line", showSymbol: false,
                   lineStyle: { type: "dashed" },
                   data: [[r.yard_days[0], r.yard_limit], [r.yard_days[r.yard_days.length - 1], r.yard_limit]] });
    }
  });
  chart("plot-yard-share", { xAxis: { type: "value", name: "d" }, yAxis: { type: "value", max: 1 }, series: share });
  chart("plot-refused", {
    xAxis: { type: "value", name: "d" }, yAxis: { type: "value", name: "TEU" },
    series: runs.map(function (r) {
      return { name: r.name, type: "bar", data: r.refused_per_day.map(function (v, i) { return [i, v]; }) };
    }),
  });
  var queues = [];
  runs.forEach(function (r) {
    Object.keys(r.border_queues).sort().forEach(function (key) {
      var parts = key.split(" ");
      queues.push(line(r, r.border_queues[key], r.name + " · " + word(parts[0]) + " " + word(parts[1])));
    });
  });
  chart("plot-border-queues", { xAxis: { type: "value", name: "d" }, yAxis: { type: "value" }, series: queues });
  chart("plot-yard", {
    xAxis: { type: "value", name: "d" }, yAxis: { type: "value", name: "TEU" },
    series: runs.map(function (r) { return line(r, r.yard_teu, r.name); }),
  });
  var weeks = Math.max.apply(null, runs.map(function (r) { return r.trains_per_week.length; }).concat([0]));
  chart("plot-trains", {
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
  chart("plot-border", {
    xAxis: { type: "category", data: sides.map(function (key) { var p = key.split(" "); return word(p[0]) + " " + word(p[1]); }),
             axisLabel: { interval: 0, fontSize: 10 } },
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
