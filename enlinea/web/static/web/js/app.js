/* En Línea: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("anuncios");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function startCountdown(el) {
    if (el.dataset.countdownStarted) return;
    el.dataset.countdownStarted = "1";
    var deadline = Date.now() + parseInt(el.dataset.seconds || "0", 10) * 1000;
    var clock = el.querySelector("[data-countdown-clock]");
    var form = el.closest("form");
    var expired = form && form.querySelector("[data-countdown-expired]");
    var submit = form && form.querySelector("[data-countdown-submit]");
    var warned = false;
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      clock.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      if (left <= 60 && left > 0 && !warned) {
        warned = true;
        announce("Queda un minuto para que expire el código.");
      }
      if (left === 0) {
        window.clearInterval(timer);
        el.hidden = true;
        if (expired) expired.hidden = false;
        if (submit) submit.disabled = true;
        announce("El código expiró. Solicita uno nuevo.");
      }
    }
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  function enhance(root) {
    root.querySelectorAll("[data-countdown]").forEach(startCountdown);
    root.querySelectorAll("dialog[data-modal][open]").forEach(function (dialog) {
      if (typeof dialog.showModal !== "function") return;
      dialog.close();
      dialog.showModal();
      var input = dialog.querySelector("input:not([type=hidden])");
      if (input) input.focus();
    });
    var summary = root.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (!opener) return;
    var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
    if (dialog && typeof dialog.showModal === "function") {
      if (dialog.open) dialog.close();
      dialog.showModal();
      var input = dialog.querySelector("input:not([type=hidden])");
      if (input) input.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });

  // After an HTMX swap: busy state, focus on the new heading, announce the result.
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (e.detail.target) e.detail.target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.target;
    if (target) target.removeAttribute("aria-busy");
    enhance(target || document);
    var heading = (target || document).querySelector("h1");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus();
      announce(heading.textContent.trim());
    }
  });
})();
