// The printed footer says when the page was printed: the page itself may have been cached for days.
(function () {
  "use strict";
  function stamp() {
    var today = new Date().toLocaleDateString(document.documentElement.lang === "es" ? "es-ES" : "en-GB", { day: "numeric", month: "long", year: "numeric" });
    document.querySelectorAll("[data-print-date]").forEach(function (el) { el.textContent = today; });
  }
  stamp();
  window.addEventListener("beforeprint", stamp);
})();
