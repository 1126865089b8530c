// Live totals and the over-cap flag on the plan form; the double-click guard on saving.
(function () {
  function yen(text) {
    var t = (text || "").replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); }).replace(/[,，円\s]/g, "");
    return /^\d+$/.test(t) ? parseInt(t, 10) : 0;
  }
  function update(box) {
    var total = 0;
    box.querySelectorAll("input.yen[data-expense]").forEach(function (i) { total += yen(i.value); });
    var out = box.querySelector("[data-total]");
    if (out) out.textContent = total.toLocaleString("ja-JP") + "円";
    var cap = box.dataset.cap;
    var flag = box.querySelector("[data-flag]");
    var over = cap !== "" && total > parseInt(cap, 10);
    box.classList.toggle("over-cap", over);
    if (flag) flag.textContent = over ? "上限額超過（提出は可能です）" : "";
  }
  document.querySelectorAll("fieldset.line").forEach(function (box) {
    box.addEventListener("input", function () { update(box); });
    update(box);
  });
  var form = document.getElementById("plan-form");
  form.addEventListener("submit", function () {
    setTimeout(function () { form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; }); }, 0);
  });
})();
