// Search by name, the fallback when a badge is forgotten, torn or unreadable.
//
// Online, the server looks the name up (GET data-search-url?q=…) and answers each match
// with their participant id, never a badge code (a search must not hand out every badge
// of the event). Choosing a person records the entry by that id through the page's
// ordinary scan route ({"participant": id} instead of {"code": …}): one more audited
// scan, marked manual, with its own nonce (queued, checked, never counted twice).
// Offline, the cached checkpoint list tells staff who the person is and where they are
// expected, and the entry is queued by id like any offline scan.

/** Lower case without accents or extra spaces, as the server's search folds names. */
export function fold(text) {
  return String(text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .split(/\s+/).filter(Boolean).join(" ");
}

/** People of the cached bundle matching every word of the query (offline look-up). */
export function searchBundle(bundle, query, limit = 12) {
  const words = fold(query).split(" ").filter(Boolean);
  if (!bundle || words.length === 0) return [];
  return (bundle.participants || []).filter((person) => {
    const haystack = fold(`${person.name} ${person.organisation || ""}`);
    return words.every((word) => haystack.includes(word));
  }).slice(0, limit);
}

// French elides "de" before a vowel: "le passage d'Anaïs" (see eventapp/i18n.py).
const ELIDING_START = /^[aeiouàâäéèêëîïôöùûüœæ]/i;

/** The "record the entry of" label for this name (the elided one before a vowel). */
export function admitLabel(labels, name) {
  return ELIDING_START.test(String(name).trim()) && labels.search_admit_elided
    ? labels.search_admit_elided : labels.search_admit;
}

export class NameSearch {
  /**
   * @param {object} options
   * @param {HTMLFormElement} options.form  the search form ([data-checkin=search-form])
   * @param {HTMLInputElement} options.input
   * @param {HTMLElement} options.results   a list the matches are written into
   * @param {HTMLElement} options.message   a status line
   * @param {string} options.url            the server's search URL
   * @param {object} options.labels         the page's labels (search_*)
   * @param {(person: {id: string}) => Promise} options.onChoose  records the entry by id
   * @param {() => object|null} options.bundle  the cached bundle, for offline look-ups
   * @param {(iso: string) => string} options.formatTime
   */
  constructor({form, input, results, message, url, labels, onChoose, bundle, formatTime}) {
    Object.assign(this, {form, input, results, message, url, labels, onChoose, bundle, formatTime});
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.search(input.value);
    });
  }

  async search(query) {
    this.results.replaceChildren();
    if (fold(query).replace(/ /g, "").length < 2) {
      this._say(this.labels.search_too_short);
      return [];
    }
    if (navigator.onLine === false || !this.url) return this._offline(query);
    try {
      const response = await fetch(`${this.url}?q=${encodeURIComponent(query)}`, {
        credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store",
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      this._show(body.results);
      return body.results;
    } catch {
      // The network went while typing: the cached list still answers "who is it?".
      const found = this._offline(query);
      if (found.length === 0) this._say(this.labels.search_failed);
      return found;
    }
  }

  _offline(query) {
    const found = searchBundle(this.bundle(), query);
    this._show(found);
    if (found.length) this._say(this.labels.search_offline);
    return found;
  }

  _say(text) {
    this.message.textContent = text || "";
  }

  _show(people) {
    this._say(people.length ? "" : this.labels.search_none);
    this.results.replaceChildren(...people.map((person) => this._item(person)));
  }

  _item(person) {
    const item = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = person.name;
    const info = document.createElement("span");
    info.className = "checkin-search__info";
    info.textContent = [person.organisation, person.category_label, this._status(person)]
      .filter(Boolean).join(" · ");
    item.append(name, " ", info);
    if (person.id) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "primary";
      button.textContent = admitLabel(this.labels, person.name).replace("{name}", person.name);
      button.addEventListener("click", async () => {
        button.disabled = true;
        await this.onChoose(person);
        this.results.replaceChildren();
        this.input.value = "";
        this._say("");
      });
      item.append(button);
    }
    return item;
  }

  _status(person) {
    if (person.admitted_at) return this.labels.search_admitted.replace("{time}", this.formatTime(person.admitted_at));
    if (person.expected) return this.labels.search_expected_here;
    if (person.expected_place) {
      return this.labels.search_expected_at.replace("{place}", person.expected_place.label || person.expected_place.room);
    }
    return "";
  }
}
