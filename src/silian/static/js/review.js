// The review queue: a candidate button fills its row's code field and marks itself picked.
document.querySelectorAll("button.cand").forEach(function (b) {
  b.addEventListener("click", function () {
    var field = document.getElementById(b.dataset.target);
    field.value = b.dataset.code;
    b.parentNode.querySelectorAll("button.cand").forEach(function (o) { o.classList.toggle("picked", o === b); });
  });
});
