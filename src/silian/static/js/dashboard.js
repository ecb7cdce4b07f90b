// Dashboard pages: draw every .chart[data-option] with ECharts (its option is a JSON block named by data-option),
// redraw on resize; on the gaps tab, a click on the heat map loads that cell's drill-down.
(function () {
  var locale = document.documentElement.lang === "en" ? "EN" : "ZH";
  var charts = window.silianCharts = {};
  document.querySelectorAll(".chart[data-option]").forEach(function (el) {
    var chart = echarts.init(el, null, {renderer: "svg", locale: locale});
    chart.setOption(JSON.parse(document.getElementById(el.dataset.option).textContent));
    el.setAttribute("data-rendered", "1");
    charts[el.id] = chart;
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
  var heat = charts["chart-gap-heatmap"];
  var cellsBlock = document.getElementById("gap-cells");
  if (heat && cellsBlock) {
    var cells = JSON.parse(cellsBlock.textContent);
    var year = new URLSearchParams(window.location.search).get("year");
    heat.on("click", function (params) {
      if (!params.data) { return; }
      var query = new URLSearchParams({class_code: cells.rows[params.data[1]], chain: cells.cols[params.data[0]]});
      if (year) { query.set("year", year); }
      htmx.ajax("GET", "/dashboard/gaps/cell?" + query.toString(), {target: "#gap-drill", swap: "innerHTML"}).then(function () {
        document.getElementById("gap-drill").scrollIntoView({behavior: "smooth", block: "nearest"});
      });
    });
  }
})();
