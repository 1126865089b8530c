// The plan form's totals per recipient and overall (issue 20): the expenses typed in every
// line of a recipient (fieldset[data-group]) add up in its [data-group-expense], and all of
// them in [data-all-expense]. 全角数字, commas and 円 read as the server reads them; a figure
// that does not read shows 「—」. The 交付見込額 beside them is the server's, as saved.
(function () {
  "use strict";
  const form = document.getElementById("plan-form");
  if (!form) return;
  const yen = (text) => {
    const t = (text || "").normalize("NFKC").replace(/[\s,円]/g, "").replace(/^¥/, "");
    if (t === "") return 0;
    return /^\d+$/.test(t) ? parseInt(t, 10) : null;
  };
  const add = (a, b) => (a === null || b === null ? null : a + b);
  const shown = (value) => (value === null ? "—" : value.toLocaleString("ja-JP") + "円");
  const update = () => {
    const groups = new Map();
    let all = 0;
    form.querySelectorAll("fieldset[data-group]").forEach((line) => {
      let sum = 0;
      line.querySelectorAll("input.yen[data-expense]").forEach((input) => {
        sum = add(sum, yen(input.value));
      });
      const key = line.dataset.group;
      groups.set(key, add(groups.has(key) ? groups.get(key) : 0, sum));
      all = add(all, sum);
    });
    groups.forEach((sum, key) => {
      const cell = form.querySelector(`[data-group-expense="${CSS.escape(key)}"]`);
      if (cell) cell.textContent = shown(sum);
    });
    const total = form.querySelector("[data-all-expense]");
    if (total) total.textContent = shown(all);
  };
  form.addEventListener("input", update);
})();
