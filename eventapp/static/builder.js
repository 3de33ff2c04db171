// Progressive enhancement for the builder's forms; every form works without it.
// An ES module: it runs once the page is parsed.

function slugify(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 70);
}

// After a refused submission, move focus to the list of errors (screen readers too).
const summary = document.querySelector(".error-summary[tabindex]");
if (summary) summary.focus();

// Keep the colour picker and the typed #rrggbb code in step.
const picker = document.getElementById("colour");
const code = document.getElementById("colour_hex");
if (picker && code) {
  picker.addEventListener("input", () => { code.value = picker.value; });
  code.addEventListener("input", () => {
    if (/^#[0-9a-fA-F]{6}$/.test(code.value)) picker.value = code.value.toLowerCase();
  });
}

// A palette colour fills in the colour and its name (unless the name was typed).
const colourName = document.getElementById("colour_name");
let filled = colourName ? colourName.value : "";
for (const swatch of document.querySelectorAll("input[name=swatch]")) {
  swatch.addEventListener("change", () => {
    if (picker) picker.value = swatch.value;
    if (code) code.value = swatch.value;
    if (colourName && (!colourName.value || colourName.value === filled)) {
      colourName.value = filled = swatch.dataset.colourName;
    }
  });
}

// Suggest the event's web address from its name while the slug is untouched.
const name = document.getElementById("name");
const slug = document.getElementById("slug");
if (name && slug && !slug.value) {
  let touched = false;
  slug.addEventListener("input", () => { touched = true; });
  name.addEventListener("input", () => {
    if (!touched) slug.value = slugify(name.value);
  });
}
