// Filling the speed-dating grid without reloading the page. The forms work without this
// script (each answers with the grid again); with it, the same POST is sent by fetch and
// the grid, its problems and the flash messages are taken from the page it answers.
(function () {
  "use strict";
  var FORMS = "form.place-form, form.fill-round";

  function show(doc, cellId) {
    var fresh = doc.getElementById("grid-live");
    var live = document.getElementById("grid-live");
    if (!fresh || !live) { return false; }
    live.replaceWith(document.importNode(fresh, true));
    var messages = doc.querySelector("main .flashes");
    var old = document.querySelector("main > .flashes");
    if (old) { old.remove(); }
    if (messages) {
      var main = document.querySelector("main");
      main.insertBefore(document.importNode(messages, true), main.firstChild);
    }
    var status = document.getElementById("grid-status");
    if (status) { status.textContent = messages ? messages.textContent.trim() : ""; }
    // Keep the keyboard where it was: the cell's next free place, or the grid itself.
    var next = cellId && document.getElementById(cellId);
    var target = next ? next.querySelector("select") :
      document.querySelector("#grid-live .table-scroll");
    if (target) { target.focus(); }
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches(FORMS) || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (!show(doc, form.classList.contains("place-form") ? form.id : null)) {
          form.submit();
        }
      })
      .catch(function () { form.submit(); });
  });
}());
