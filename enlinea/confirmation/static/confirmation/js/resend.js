/* "Reenviar" during the cool-down: the page shows it disabled with the seconds left
   (that is all a browser without JavaScript needs; the server refuses an early resend).
   This counts the seconds down and enables the button at zero, saying so once in the
   page's live region (never every second). */
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("anuncios");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function start(button) {
    if (button.dataset.resendStarted) return;
    button.dataset.resendStarted = "1";
    var deadline = Date.now() + parseInt(button.dataset.resendWait || "0", 10) * 1000;
    var note = document.getElementById(button.getAttribute("aria-describedby") || "");
    var clock = note && note.querySelector("[data-resend-clock]");
    var timer;
    function tick() {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      if (clock) clock.textContent = String(left);
      if (left === 0) {
        window.clearInterval(timer);
        button.disabled = false;
        button.removeAttribute("aria-describedby");
        if (note) note.hidden = true;
        announce("Ya puedes pedir otro código con «Reenviar».");
      }
    }
    timer = window.setInterval(tick, 1000);
    tick();
  }

  function init() {
    document.querySelectorAll("button[data-resend-wait]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
