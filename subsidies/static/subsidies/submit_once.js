// A double-clicked action is sent once: the buttons are disabled after the first submit.
(function () { var f = document.getElementById("action-form"); f.addEventListener("submit", function () { setTimeout(function () { f.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); }, 0); }); })();
