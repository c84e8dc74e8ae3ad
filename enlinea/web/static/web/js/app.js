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

  // Idle timeout (HMRC / MoJ pattern). The server ends the session after
  // data-idle-timeout seconds without a request; data-idle-warning seconds before
  // that, a dialog offers "Continuar sesión" (a POST that counts as activity) or
  // "Cerrar sesión". The countdown is announced when the dialog opens and then
  // only every so often, never every second.
  function startIdleTimer(body) {
    var timeout = parseInt(body.dataset.idleTimeout || "0", 10);
    var warning = parseInt(body.dataset.idleWarning || "0", 10);
    var dialog = document.querySelector("[data-idle-dialog]");
    if (!timeout || !dialog || typeof dialog.showModal !== "function") return;
    warning = Math.min(warning, timeout);
    var clock = dialog.querySelector("[data-idle-clock]");
    var live = dialog.querySelector("[data-idle-live]");
    var deadline, warnTimer, tickTimer, lastSpoken;

    function say(text) {
      live.textContent = "";
      window.setTimeout(function () { live.textContent = text; }, 50);
    }
    function phrase(left) {
      if (left >= 60 && left % 60 === 0) {
        var m = left / 60;
        return m + (m === 1 ? " minuto" : " minutos");
      }
      return left + (left === 1 ? " segundo" : " segundos");
    }
    function expire() {
      window.clearInterval(tickTimer);
      window.location.assign(body.dataset.idleExpired);
    }
    function tick() {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      clock.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      // Spoken at the opening, then at each half minute and at 10 seconds.
      var spoken = left > 30 ? 60 : left > 10 ? 30 : 10;
      if (spoken !== lastSpoken && left <= spoken && left > 0) {
        lastSpoken = spoken;
        say("Tu sesión se cerrará en " + phrase(left) + ".");
      }
      if (left === 0) expire();
    }
    function warn() {
      if (!dialog.open) dialog.showModal();
      lastSpoken = null;
      tick();
      var button = dialog.querySelector("[data-idle-continue]");
      if (button) button.focus();
      tickTimer = window.setInterval(tick, 1000);
    }
    function reset() {
      window.clearTimeout(warnTimer);
      window.clearInterval(tickTimer);
      // One extra second so the server, which counted from its own response, agrees.
      deadline = Date.now() + (timeout + 1) * 1000;
      warnTimer = window.setTimeout(warn, Math.max(0, timeout - warning) * 1000);
    }
    function csrfToken() {
      try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
      catch (e) { return ""; }
    }

    var keepAlive = dialog.querySelector("[data-idle-continue]");
    // Escape means the member is here: the same as "Continuar sesión".
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      keepAlive.click();
    });
    keepAlive.addEventListener("click", function () {
      fetch(body.dataset.idleKeepalive, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) throw new Error("expired");
        dialog.close();
        reset();
        announce("Tu sesión continúa.");
      }).catch(expire);
    });
    // Any HTMX request is activity on the server too.
    document.addEventListener("htmx:afterRequest", function () { if (!dialog.open) reset(); });
    reset();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.dataset.idleTimeout) startIdleTimer(document.body);
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
