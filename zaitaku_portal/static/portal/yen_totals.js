// Live totals of typed yen amounts (the decision form, issue 20): every input.yen with
// data-recipient adds to its recipient's [data-recipient-total] and to [data-decided-total].
// Commas, 全角数字 and 円 read as the server reads them (zaitaku_portal.bounds.read_yen); an
// amount that does not read shows 「—」 until it does. The figure saved is the server's.
(function () {
  "use strict";
  const inputs = Array.from(document.querySelectorAll("input.yen[data-recipient]"));
  if (!inputs.length) return;
  const yen = (text) => {
    const t = (text || "").normalize("NFKC").replace(/[\s,円]/g, "").replace(/^¥/, "");
    if (t === "") return 0;
    return /^\d+$/.test(t) ? parseInt(t, 10) : null;
  };
  const shown = (value) => (value === null ? "—" : value.toLocaleString("ja-JP") + "円");
  const update = () => {
    const per = new Map();
    let all = 0;
    inputs.forEach((input) => {
      const value = yen(input.value);
      const name = input.dataset.recipient;
      const before = per.has(name) ? per.get(name) : 0;
      per.set(name, before === null || value === null ? null : before + value);
      all = all === null || value === null ? null : all + value;
    });
    document.querySelectorAll("[data-recipient-total]").forEach((cell) => {
      if (per.has(cell.dataset.recipientTotal)) cell.textContent = shown(per.get(cell.dataset.recipientTotal));
    });
    const total = document.querySelector("[data-decided-total]");
    if (total) total.textContent = shown(all);
  };
  inputs.forEach((input) => input.addEventListener("input", update));
})();
