// The upload page: the template link and the column list follow the chosen table (without JavaScript: ?table=…).
(function () {
  var table = document.getElementById("table");
  if (!table) { return; }
  table.addEventListener("change", function (e) {
    document.getElementById("template-link").href = "/data/template/" + e.target.value + ".xlsx";
    var columns = document.getElementById("columns");
    if (columns) { columns.style.opacity = 0.4; }
    var url = new URL(window.location.href);
    url.searchParams.set("table", e.target.value);
    window.history.replaceState(null, "", url);
    fetch(url).then(function (r) { return r.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("columns");
      if (columns && fresh) { columns.replaceWith(fresh); }
    });
  });
})();
