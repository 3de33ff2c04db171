/* Optional enhancement of the wishes form: flags a choice number used twice as soon as
   it happens. The form works without it; the server checks everything again. */
(function () {
  "use strict";
  function check(fieldset) {
    var selects = fieldset.querySelectorAll("select");
    var counts = {};
    selects.forEach(function (s) { if (s.value) { counts[s.value] = (counts[s.value] || 0) + 1; } });
    selects.forEach(function (s) {
      var item = s.closest(".rank-item");
      var dup = s.value && counts[s.value] > 1;
      if (item) { item.classList.toggle("rank-duplicate", !!dup); }
      s.setAttribute("aria-invalid", dup ? "true" : "false");
    });
    var warning = fieldset.querySelector(".rank-warning");
    var any = Object.keys(counts).some(function (k) { return counts[k] > 1; });
    if (!warning) {
      warning = document.createElement("p");
      warning.className = "rank-warning";
      warning.setAttribute("role", "status");
      fieldset.insertBefore(warning, fieldset.children[1] || null);
    }
    warning.textContent = any ? (document.documentElement.lang === "en"
      ? "The same choice number is used twice."
      : "Le même numéro de choix est utilisé deux fois.") : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset.ranking").forEach(function (fieldset) {
      fieldset.addEventListener("change", function () { check(fieldset); });
    });
  });
})();
