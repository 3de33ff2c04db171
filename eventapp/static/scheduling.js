// Live progress of a solve job: polls the job's JSON and updates the panel; reloads the
// page when the job ends so the review appears. Progressive enhancement only: without
// JavaScript the page refreshes itself (noscript meta refresh) and has a refresh link.
// The words come from the page: the panel's data-empty (an unknown value) and each
// field's data-suffix (its unit, in the page's language).

const panel = document.querySelector("[data-progress-url]");

function start(panel) {
  const url = panel.dataset.progressUrl;
  const empty = panel.dataset.empty ?? "";
  const fields = {};
  for (const element of panel.querySelectorAll("[data-field]")) {
    fields[element.dataset.field] = element;
  }
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function show(name, value) {
    const field = fields[name];
    if (!field) return;
    field.textContent = value === null || value === undefined
      ? empty : number.format(value) + (field.dataset.suffix ?? "");
  }

  async function tick() {
    let data;
    try {
      const response = await fetch(url, {headers: {Accept: "application/json"},
                                         credentials: "same-origin"});
      data = response.ok ? await response.json() : null;
    } catch {
      window.setTimeout(tick, 3000);
      return;
    }
    if (!data) return;
    show("best", data.best);
    show("bound", data.bound);
    show("elapsed_s", data.elapsed_s);
    if (fields.status_label) fields.status_label.textContent = data.status_label;
    if (!data.active) {
      window.location.reload();
      return;
    }
    window.setTimeout(tick, 1000);
  }

  window.setTimeout(tick, 1000);
}

if (panel) start(panel);
