// After a refused form, move focus to the list of errors so that a screen reader reads
// it first and the keyboard starts there; each entry links to its field. The page works
// without it (the summary is at the top of the form anyway).
const summary = document.querySelector(".error-summary[tabindex]");
if (summary) {
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    // A fieldset or a group: focus its first control rather than scrolling only.
    const controls = target.matches("input, select, textarea, button") ? [target]
      : target.querySelectorAll("input:not([type=hidden]), select, textarea, button, summary");
    const control = [...controls].find((node) => !node.closest("[hidden]"));
    if (control) {
      event.preventDefault();
      control.focus();
      target.scrollIntoView({block: "center"});
    }
  });
}
