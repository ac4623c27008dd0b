/* The approval queue: one checkbox that ticks (or clears) every row that may be approved.
   Without JavaScript the page works as it is: tick rows one by one, or "Approve all that match". */
(function () {
  "use strict";
  var form = document.getElementById("approve-form");
  var all = document.getElementById("select-all");
  if (!form || !all) {
    return;
  }
  var rows = Array.prototype.slice.call(
    form.querySelectorAll("input[type=checkbox][name=allowance_id]:not(:disabled)")
  );
  if (!rows.length) {
    return;
  }
  all.closest("label").hidden = false;
  var plain = form.querySelector(".select-all-off");
  if (plain) {
    plain.hidden = true;
  }

  function reflect() {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  }

  all.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = all.checked; });
    all.indeterminate = false;
  });
  form.addEventListener("change", function (event) {
    if (event.target !== all) {
      reflect();
    }
  });
  reflect();
})();
