// A double-clicked form is sent once: its buttons are disabled after the first submit (the
// action form, and every form marked data-submit-once). The server refuses a second POST
// of the same page anyway; this spares the person the message.
(function () {
  document.querySelectorAll("#action-form, form[data-submit-once]").forEach(function (f) {
    f.addEventListener("submit", function () {
      setTimeout(function () { f.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); }, 0);
    });
  });
})();
