// Every page: htmx requests carry the session's CSRF token; a <select data-autosubmit> submits its form when changed.
// (No inline script anywhere: the Content-Security-Policy allows scripts from /static only.)
document.addEventListener("htmx:configRequest", function (e) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { e.detail.headers["X-CSRF-Token"] = meta.content; }
});
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
});
