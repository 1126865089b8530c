// Pages that fit the window (issue 20). Without this script everything still shows: the
// menu stays open and wide tables scroll with the page's own scrollbar.
// 1. On a phone the header folds into a 「メニュー」 button (aria-expanded tells its state).
// 2. Every table of the page scrolls inside its own container (a keyboard-focusable region
//    named after the table's caption or heading), with its first column kept in view.
(function () {
  "use strict";
  const header = document.querySelector("header.site");
  const toggle = header && header.querySelector(".menu-toggle");
  if (toggle) {
    header.classList.add("foldable");
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      header.classList.toggle("open", open);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
      if (!header.contains(document.activeElement)) return;
      if (document.activeElement.closest("details.menu[open]")) return; // nav.js closes that first
      toggle.setAttribute("aria-expanded", "false");
      header.classList.remove("open");
      toggle.focus();
    });
  }
  const nameOf = (table, index) => {
    const caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    let node = table.closest(".table-scroll, section, div, main");
    let previous = table.previousElementSibling;
    while (previous && !/^H[1-6]$/.test(previous.tagName)) previous = previous.previousElementSibling;
    if (previous) return previous.textContent.trim() + "の表";
    if (node && node.getAttribute("aria-label")) return node.getAttribute("aria-label");
    return "表" + (index + 1);
  };
  document.querySelectorAll("main table").forEach((table, index) => {
    const parent = table.parentElement;
    if (parent.classList.contains("table-scroll")) {
      parent.classList.add("sticky-first");
      return;
    }
    const box = document.createElement("div");
    box.className = "table-scroll sticky-first";
    box.setAttribute("role", "region");
    box.setAttribute("tabindex", "0");
    box.setAttribute("aria-label", nameOf(table, index));
    parent.insertBefore(box, table);
    box.appendChild(table);
  });
})();
