// The dashboard's charts (ECharts options from JSON blocks, drawn as SVG), the region and year choosers (submit on
// change) and the heatmap's drill-down. Loaded with `defer`; no inline script (Content-Security-Policy).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var locale = document.documentElement.lang === "en" ? "EN" : "ZH";
  var charts = window.silianCharts = window.silianCharts || {};
  document.querySelectorAll(".chart[data-option]").forEach(function (el) {
    if (typeof echarts === "undefined") { return; }
    var chart = echarts.init(el, null, {renderer: "svg", locale: locale});
    chart.setOption(JSON.parse(document.getElementById(el.dataset.option).textContent));
    el.setAttribute("data-rendered", "1");
    charts[el.id] = chart;
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
  // the region and year choosers (select[data-autosubmit]) submit on change: static/js/silian.js, on every page
  // the gap heatmap: a click on a cell loads its majors and schools below it (region and year kept)
  var heat = charts["chart-gap-heatmap"];
  var cellsBlock = document.getElementById("gap-cells");
  if (heat && cellsBlock) {
    var cells = JSON.parse(cellsBlock.textContent);
    var page = new URLSearchParams(window.location.search);
    heat.on("click", function (params) {
      if (!params.data) { return; }
      var query = new URLSearchParams({class_code: cells.rows[params.data[1]], chain: cells.cols[params.data[0]]});
      ["region", "year"].forEach(function (key) { if (page.get(key)) { query.set(key, page.get(key)); } });
      htmx.ajax("GET", "/dashboard/gaps/cell?" + query.toString(), {target: "#gap-drill", swap: "innerHTML"}).then(function () {
        document.getElementById("gap-drill").scrollIntoView({behavior: "smooth", block: "nearest"});
      });
    });
  }
})();
