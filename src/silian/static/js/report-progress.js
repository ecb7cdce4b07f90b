/* The 报告 progress page: poll the job's status (GET data-status-url, JSON) until it is done or failed, and
   show its steps, the progress bar, the downloads or the error. Labels come from the server in the page's
   language; nothing here is user-facing text. */
(function () {
  "use strict";
  var box = document.getElementById("report-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var delay = 1000;

  function show(id, visible) {
    var el = document.getElementById(id);
    if (el) { el.hidden = !visible; }
  }

  function render(status) {
    box.setAttribute("data-state", status.state);
    document.getElementById("report-state").textContent = status.state_label;
    var bar = document.getElementById("report-bar");
    bar.value = status.progress;
    bar.textContent = Math.round(status.progress * 100) + "%";
    status.steps.forEach(function (step) {
      var item = box.querySelector('li[data-step="' + step.key + '"]');
      if (item) {
        item.setAttribute("data-state", step.state);
        item.textContent = step.label;
      }
    });
    var finished = status.state === "done" || status.state === "failed";
    show("report-reload", !finished);
    show("report-files", status.state === "done");
    show("report-generated", status.state === "done" && status.uses_generated_data);
    show("report-failed", status.state === "failed");
    if (status.state === "failed") {
      document.getElementById("report-error").textContent = status.error || "";
    }
    return finished;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        if (!render(status)) {
          delay = Math.min(delay + 250, 3000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  var state = box.getAttribute("data-state");
  if (state !== "done" && state !== "failed") { window.setTimeout(poll, 300); }
}());
