// The progress of a document batch (templates/reports/batch_detail.html), without a meta
// refresh that reloads the whole page under a screen reader: every 3 seconds the page is
// fetched again and only the live region (aria-live="polite") is replaced, until the batch
// is finished. Without script, the page's link shows the latest state.
(function () {
  "use strict";
  const region = document.getElementById("batch-live");
  if (!region || region.dataset.waiting !== "yes") return;
  const poll = () => {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("batch-live");
        if (!fresh) return;
        region.innerHTML = fresh.innerHTML;
        region.dataset.waiting = fresh.dataset.waiting;
        if (fresh.dataset.waiting === "yes") window.setTimeout(poll, 3000);
      })
      .catch(() => window.setTimeout(poll, 10000));
  };
  window.setTimeout(poll, 3000);
})();
