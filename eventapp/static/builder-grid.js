// Filling the speed-dating grid without reloading the page. The forms work without this
// module (each answers with the grid again); with it, the same POST is sent by fetch and
// the grid, its problems and the flash messages are taken from the page it answers.

const FORMS = "form.place-form, form.fill-round";

function show(doc, cellId) {
  const fresh = doc.getElementById("grid-live");
  const live = document.getElementById("grid-live");
  if (!fresh || !live) return false;
  live.replaceWith(document.importNode(fresh, true));
  const messages = doc.querySelector("main .flashes");
  document.querySelector("main > .flashes")?.remove();
  if (messages) {
    const main = document.querySelector("main");
    main.insertBefore(document.importNode(messages, true), main.firstChild);
  }
  const status = document.getElementById("grid-status");
  if (status) status.textContent = messages ? messages.textContent.trim() : "";
  // Keep the keyboard where it was: the cell's next free place, or the grid itself.
  const next = cellId && document.getElementById(cellId);
  const target = next ? next.querySelector("select")
    : document.querySelector("#grid-live .table-scroll");
  if (target) target.focus();
  return true;
}

async function send(form) {
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {method: "POST", body: new FormData(form),
                                               credentials: "same-origin"});
    if (!response.ok) throw new Error(String(response.status));
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    if (!show(doc, form.classList.contains("place-form") ? form.id : null)) form.submit();
  } catch {
    form.submit();
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches?.(FORMS) || !window.fetch) return;
  event.preventDefault();
  send(form);
});
