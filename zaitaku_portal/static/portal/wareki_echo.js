// Every date field echoes its date in 和暦 beside it (issue 20): 2027-05-01 →
// 「令和9年5月1日」, as officials read dates. The eras are zaitaku_portal/wareki.py's (令和 from
// 2019-05-01, 平成 from 1989-01-08, 昭和 from 1926-12-25, 元年 for the first year); the
// server stores the date the input holds, the echo only reads it.
(function () {
  "use strict";
  const ERAS = [
    ["令和", "2019-05-01"],
    ["平成", "1989-01-08"],
    ["昭和", "1926-12-25"],
  ];
  const wareki = (iso) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) return "";
    const era = ERAS.find(([, start]) => iso >= start);
    if (!era) return "";
    const year = Number(m[1]) - Number(era[1].slice(0, 4)) + 1;
    return `${era[0]}${year === 1 ? "元" : year}年${Number(m[2])}月${Number(m[3])}日`;
  };
  document.querySelectorAll('input[type="date"]').forEach((input) => {
    const echo = document.createElement("span");
    echo.className = "wareki-echo";
    echo.setAttribute("aria-live", "polite");
    if (input.id) echo.id = `${input.id}_wareki`;
    input.insertAdjacentElement("afterend", echo);
    const update = () => {
      const text = wareki(input.value);
      echo.textContent = text ? `（${text}）` : "";
    };
    input.addEventListener("input", update);
    input.addEventListener("change", update);
    update();
  });
})();
