// The scenario form: show only the fields of the chosen kind (without JavaScript every fieldset shows; the server
// reads the chosen kind's).
(function () {
  var kind = document.getElementById("sc-kind");
  if (!kind) { return; }
  function show() {
    document.querySelectorAll("fieldset.pl-kind").forEach(function (f) { f.hidden = f.dataset.kind !== kind.value; });
  }
  kind.addEventListener("change", show);
  show();
})();
