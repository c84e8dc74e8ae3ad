/* Comprobante: "Imprimir" opens the browser's print dialog (the print stylesheet hides
   the site's menus). Without this file the button stays hidden. Safe to load twice. */
(function () {
  "use strict";
  function show() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.hidden = false;
    });
  }
  show();
  if (window.enlineaPrintReady) return;
  window.enlineaPrintReady = true;
  document.addEventListener("htmx:afterSettle", show);
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
