// Live progress of a solve job: polls the job's JSON and updates the panel; reloads the
// page when the job ends so the review appears. Progressive enhancement only: without
// JavaScript the page refreshes itself (noscript meta refresh) and has a refresh link.
(function () {
  "use strict";
  var panel = document.querySelector("[data-progress-url]");
  if (!panel) { return; }
  var url = panel.getAttribute("data-progress-url");
  var fields = {};
  panel.querySelectorAll("[data-field]").forEach(function (el) {
    fields[el.getAttribute("data-field")] = el;
  });
  var number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  function show(name, value, suffix) {
    if (!fields[name]) { return; }
    fields[name].textContent = value === null || value === undefined
      ? "—" : number.format(value) + (suffix || "");
  }
  function tick() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        show("best", data.best);
        show("bound", data.bound);
        show("elapsed_s", data.elapsed_s, " s");
        if (fields.status_label) { fields.status_label.textContent = data.status_label; }
        if (!data.active) { window.location.reload(); return; }
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 1000);
}());
