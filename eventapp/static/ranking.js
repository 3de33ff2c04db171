// The wishes page on a phone: each fieldset[data-ranking] becomes a ranked list ("Mes
// choix") that people build by tapping "Add" on the cards and order with "Up" and
// "Down" buttons (or by dragging the handle, where a pointer allows), with the keyboard
// and a screen reader too (every change is announced in a live region). The choice-number
// fields of the plain form ([data-rank-input]) stay in the page, hidden, and always hold
// the current order: the form sent is the same with or without this script, and without
// it those fields are the form (progressive enhancement). Words come from the
// server (the JSON block #ranking-labels), in the page's language.

const labelBlock = document.getElementById("ranking-labels");
const labels = labelBlock ? JSON.parse(labelBlock.textContent) : null;

function format(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** A button whose visible word is followed, for screen readers, by what it acts on. */
function actionButton(word, name, attributes) {
  return element("button", {type: "button", class: "button", ...attributes},
    word, element("span", {class: "sr-only", text: ` : ${name}`}));
}

class Ranking {
  constructor(fieldset, announcer) {
    this.fieldset = fieldset;
    this.announcer = announcer;
    this.minimum = Number(fieldset.dataset.minimum || 0);
    this.items = [...fieldset.querySelectorAll("[data-rank-item]")].map((card, index) => ({
      card, index, name: card.dataset.name, input: card.querySelector("[data-rank-input]"),
    })).filter((item) => item.input);
    this.order = this._readOrder();
    this._build();
    this._render();
  }

  /** The order the fields hold (numbers sorted; gaps and ties tolerated; what is not a
   *  positive number counts as not chosen). */
  _readOrder() {
    const rank = (item) => Number(item.input.value.trim());
    return this.items.filter((item) => Number.isInteger(rank(item)) && rank(item) > 0)
      .sort((a, b) => rank(a) - rank(b) || a.index - b.index);
  }

  _build() {
    const id = `${this.fieldset.id}-chosen`;
    this.heading = element("h3", {id, tabindex: "-1", class: "ranking-title",
                                  text: this.fieldset.dataset.chosenTitle});
    this.list = element("ol", {class: "ranked-list", "aria-labelledby": id});
    this.empty = element("p", {class: "ranking-empty", text: labels.empty});
    this.count = element("p", {class: "ranking-count"});
    this.panel = element("section", {class: "my-ranking", "aria-labelledby": id},
      this.heading, element("p", {class: "hint", text: labels.help}), this.empty, this.list,
      this.count);
    const legend = this.fieldset.querySelector("legend");
    let anchor = legend;
    while (anchor.nextElementSibling && anchor.nextElementSibling.classList.contains("error")) {
      anchor = anchor.nextElementSibling;
    }
    anchor.after(this.panel);
    for (const item of this.items) {
      item.card.querySelector(".rank-field").hidden = true;
      item.state = element("p", {class: "rank-state"});
      item.toggle = actionButton(labels.add, item.name, {"data-action": "toggle"});
      item.toggle.addEventListener("click", () => this._toggle(item));
      item.card.append(item.state, item.toggle);
    }
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const item = this.order[Number(button.closest("li").dataset.position)];
      if (button.dataset.action === "up") this._move(item, -1, "up");
      else if (button.dataset.action === "down") this._move(item, 1, "down");
      else this._remove(item);
    });
    this.list.addEventListener("pointerdown", (event) => this._drag(event));
  }

  /** Drag by the handle (mouse, pen or finger): an extra for those who can; the buttons
   *  do the same for everyone. */
  _drag(event) {
    const handle = event.target.closest(".ranked-handle");
    if (!handle || event.button > 0) return;
    event.preventDefault();
    const row = handle.closest("li");
    const item = this.order[Number(row.dataset.position)];
    handle.setPointerCapture(event.pointerId);
    row.classList.add("is-dragging");
    const target = (y) => {
      const from = this.order.indexOf(item);
      const rows = [...this.list.children];
      let index = rows.findIndex((child) => {
        const box = child.getBoundingClientRect();
        return y < box.top + box.height / 2;
      });
      if (index === -1) index = rows.length;
      return index > from ? index - 1 : index;
    };
    const over = (moved) => {
      const to = target(moved.clientY);
      [...this.list.children].forEach((child, i) => child.classList.toggle("drop-here", i === to && child !== row));
    };
    const finish = (ended, drop) => {
      handle.removeEventListener("pointermove", over);
      row.classList.remove("is-dragging");
      [...this.list.children].forEach((child) => child.classList.remove("drop-here"));
      if (!drop) return;
      const from = this.order.indexOf(item);
      const to = target(ended.clientY);
      if (to === from) return;
      this.order.splice(from, 1);
      this.order.splice(to, 0, item);
      this._render();
      this._say(format(labels.moved, {name: item.name, rank: to + 1, count: this.order.length}));
    };
    handle.addEventListener("pointermove", over);
    handle.addEventListener("pointerup", (ended) => finish(ended, true), {once: true});
    handle.addEventListener("pointercancel", (ended) => finish(ended, false), {once: true});
  }

  _toggle(item) {
    if (this.order.includes(item)) {
      this._remove(item, item.toggle);
      return;
    }
    this.order.push(item);
    this._render();
    this._say(format(labels.added, {name: item.name, rank: this.order.length,
                                    count: this.order.length}));
    item.toggle.focus();
  }

  _move(item, step, action) {
    const from = this.order.indexOf(item);
    const to = from + step;
    if (to < 0 || to >= this.order.length) {
      this._say(format(step < 0 ? labels.first : labels.last, {name: item.name}));
      return;
    }
    this.order.splice(from, 1);
    this.order.splice(to, 0, item);
    this._render();
    this._say(format(labels.moved, {name: item.name, rank: to + 1, count: this.order.length}));
    // The same button of the item that moved keeps the focus: press again to go on.
    this.list.children[to].querySelector(`[data-action="${action}"]`).focus();
  }

  _remove(item, focusAfter = null) {
    const from = this.order.indexOf(item);
    this.order.splice(from, 1);
    this._render();
    this._say(format(labels.removed, {name: item.name, count: this.order.length}));
    if (focusAfter) {
      focusAfter.focus();
    } else if (this.order.length) {
      const next = this.list.children[Math.min(from, this.order.length - 1)];
      next.querySelector('[data-action="remove"]').focus();
    } else {
      this.heading.focus();
    }
  }

  /** Draw the list and the cards from ``order``, and write it into the fields. */
  _render() {
    const total = this.order.length;
    this.list.replaceChildren(...this.order.map((item, position) => {
      const edge = (end) => (end ? {"aria-disabled": "true"} : {});
      return element("li", {"data-position": String(position), class: "ranked-item"},
        element("div", {class: "ranked-row"},
          element("span", {class: "ranked-handle", "aria-hidden": "true", title: labels.drag, text: "⠿"}),
          element("span", {class: "ranked-name", text: item.name}),
          element("span", {class: "ranked-actions"},
            actionButton(`↑ ${labels.up}`, item.name, {"data-action": "up", ...edge(position === 0)}),
            actionButton(`↓ ${labels.down}`, item.name, {"data-action": "down", ...edge(position === total - 1)}),
            actionButton(labels.remove, item.name, {"data-action": "remove"}))));
    }));
    this.empty.hidden = total > 0;
    this.count.textContent = this.minimum && total < this.minimum
      ? format(labels.minimum, {count: total, minimum: this.minimum})
      : format(labels.count, {count: total});
    for (const item of this.items) {
      const rank = this.order.indexOf(item) + 1;
      item.input.value = rank ? String(rank) : "";
      item.card.classList.toggle("is-chosen", rank > 0);
      item.state.textContent = rank ? format(labels.chosen, {rank}) : "";
      item.state.hidden = !rank;
      item.toggle.firstChild.textContent = rank ? labels.remove : labels.add;
      item.toggle.classList.toggle("primary", !rank);
    }
  }

  _say(text) {
    // Emptied first, so the same words said twice are announced twice.
    this.announcer.textContent = "";
    window.setTimeout(() => { this.announcer.textContent = text; }, 50);
  }
}

if (labels) {
  const form = document.querySelector("form.ranking-form");
  const announcer = element("p", {class: "sr-only", role: "status", "aria-live": "polite"});
  form.append(announcer);
  const rankings = [...form.querySelectorAll("fieldset[data-ranking]")]
    .map((fieldset) => new Ranking(fieldset, announcer));
  document.querySelectorAll(".ranking-fallback-help").forEach((node) => { node.hidden = true; });
  // The fields already hold the order; written once more in case anything else touched them.
  form.addEventListener("submit", () => rankings.forEach((ranking) => ranking._render()));
}
