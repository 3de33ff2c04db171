// Presenter pickers of the project and session forms (templates/programme/manage/_builder.html,
// person_picker): search as one types, one page of people at a time from
// programme.people_json, and "Add" puts the person among the chosen as a ticked box, the
// same box the form without this script offers. The form sent is the same either way.
// Words come from the data-* attributes and the page (no inline script: CSP).

const DELAY_MS = 250;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

class PersonPicker {
  constructor(fieldset) {
    this.fieldset = fieldset;
    this.name = fieldset.dataset.name;
    this.url = fieldset.dataset.searchUrl;
    this.chosen = fieldset.querySelector("[data-chosen]");
    this.none = fieldset.querySelector("[data-none]");
    this.input = fieldset.querySelector("[data-query]");
    this.button = fieldset.querySelector("[data-search]");
    this.results = fieldset.querySelector("[data-results]");
    this.words = {
      add: fieldset.dataset.add || "Add",
      more: fieldset.dataset.more || "More",
      nobody: fieldset.dataset.nobody || "Nobody matches.",
      added: fieldset.dataset.added || "{name}: added.",
      failed: fieldset.dataset.failed || "The search failed: use the Search button.",
    };
    this.timer = null;
    this.asked = 0;
    this.input.addEventListener("input", () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.search(1), DELAY_MS);
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {  // search here, do not send the form
        event.preventDefault();
        this.search(1);
      }
    });
    this.button.addEventListener("click", (event) => {
      event.preventDefault();
      this.search(1);
    });
  }

  chosenIds() {
    return [...this.chosen.querySelectorAll("input[type=checkbox]")]
      .filter((box) => box.checked).map((box) => box.value);
  }

  async search(page) {
    const query = this.input.value.trim();
    const asked = ++this.asked;
    if (!query) {
      this.results.replaceChildren();
      return;
    }
    const params = new URLSearchParams({q: query, page: String(page),
                                        exclude: this.chosenIds().join(",")});
    let answer;
    try {
      const response = await fetch(`${this.url}?${params}`, {credentials: "same-origin",
                                                             headers: {Accept: "application/json"}});
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch (error) {
      this.results.replaceChildren(element("p", {class: "error", text: this.words.failed}));
      return;
    }
    if (asked !== this.asked) return;  // a newer search is on its way
    if (page === 1) this.results.replaceChildren();
    this.results.querySelector("[data-more]")?.remove();
    if (!answer.people.length && page === 1) {
      this.results.append(element("p", {text: this.words.nobody}));
      return;
    }
    let list = this.results.querySelector("ul");
    if (!list) {
      list = element("ul", {class: "picker-results"});
      this.results.append(list);
    }
    for (const person of answer.people) {
      const add = element("button", {type: "button", class: "button small"}, this.words.add,
                          element("span", {class: "sr-only", text: ` : ${person.label}`}));
      add.addEventListener("click", () => this.add(person, add));
      list.append(element("li", {}, element("span", {text: person.label}), " ", add));
    }
    if (answer.more) {
      const more = element("button", {type: "button", class: "button small", "data-more": "",
                                      text: this.words.more});
      more.addEventListener("click", () => this.search(page + 1));
      this.results.append(more);
    }
  }

  add(person, button) {
    const id = `${this.fieldset.id}-picked-${person.id}`;
    if (!this.fieldset.querySelector(`#${CSS.escape(id)}`)) {
      const box = element("input", {type: "checkbox", name: this.name, value: String(person.id),
                                    id, checked: ""});
      this.chosen.append(element("li", {}, box, " ", element("label", {for: id, text: person.label})));
    }
    this.none.hidden = true;
    const item = button.closest("li");
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    this.say(this.words.added.replace("{name}", person.label));
    (next ? next.querySelector("button") : this.input).focus();
  }

  say(text) {
    this.results.querySelector("[data-said]")?.remove();
    this.results.prepend(element("p", {class: "sr-only", "data-said": "", text}));
  }
}

for (const fieldset of document.querySelectorAll("[data-person-picker]")) {
  if (!fieldset.dataset.ready) {
    fieldset.dataset.ready = "true";
    new PersonPicker(fieldset);
  }
}
