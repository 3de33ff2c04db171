// Progressive enhancement for the builder's forms; every form works without it.
(function () {
  "use strict";
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 70);
  }
  document.addEventListener("DOMContentLoaded", function () {
    // After a refused submission, move focus to the list of errors (screen readers too).
    var summary = document.querySelector(".error-summary[tabindex]");
    if (summary) { summary.focus(); }
    // Keep the colour picker and the typed #rrggbb code in step.
    var picker = document.getElementById("colour");
    var code = document.getElementById("colour_hex");
    if (picker && code) {
      picker.addEventListener("input", function () { code.value = picker.value; });
      code.addEventListener("input", function () {
        if (/^#[0-9a-fA-F]{6}$/.test(code.value)) { picker.value = code.value.toLowerCase(); }
      });
    }
    // A palette colour fills in the colour and its name (unless the name was typed).
    var colourName = document.getElementById("colour_name");
    var filled = colourName ? colourName.value : "";
    document.querySelectorAll("input[name=swatch]").forEach(function (swatch) {
      swatch.addEventListener("change", function () {
        if (picker) { picker.value = swatch.value; }
        if (code) { code.value = swatch.value; }
        if (colourName && (!colourName.value || colourName.value === filled)) {
          colourName.value = filled = swatch.getAttribute("data-colour-name");
        }
      });
    });
    // Suggest the event's web address from its name while the slug is untouched.
    var name = document.getElementById("name");
    var slug = document.getElementById("slug");
    if (name && slug && !slug.value) {
      var touched = false;
      slug.addEventListener("input", function () { touched = true; });
      name.addEventListener("input", function () {
        if (!touched) { slug.value = slugify(name.value); }
      });
    }
  });
})();
