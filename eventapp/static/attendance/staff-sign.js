// "Faire signer" on the staff scanning page: after a scan, the person signs on the staff
// member's phone. The signature is written to IndexedDB first (its nonce made once), sent
// at once when online, and otherwise queued with the scans and uploaded when the network
// comes back, with the same nonce, so the server stores it once (docs/scanner.md).
//
// The scanning page (checkin/scan-page.js) tells us each result it shows with a
// "checkin:shown" event on its root; this module only adds the signing panel
// (templates/attendance/_staff_sign.html) and its own queue.

import {openDB} from "../vendor/idb/index.js";
import {SignaturePad, wireClear} from "./signpad.js";

export const DATABASE_NAME = "eventapp-signatures";
const SIGNABLE = new Set(["ok", "already", "wrong_place", "outside_window"]);
const SYNC_LOCK = "eventapp-signatures-sync";
const OWN_FILES = ["./staff-sign.js", "./signpad.js", "../attendance.css"]
  .map((path) => new URL(path, import.meta.url).href);

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

function format(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
}

/** What the server is sent for one signature (never local state). */
export function uploadItem(item) {
  const body = {checkpoint: Number(item.checkpoint), nonce: item.nonce, signed_at: item.signed_at,
    image: item.image};
  if (item.participant) body.participant = item.participant;
  else body.serial = item.serial;
  return body;
}

export class SignatureQueue extends EventTarget {
  constructor({signUrl, uploadUrl, databaseName = DATABASE_NAME, intervalMs = 15000, refreshCsrfToken = null}) {
    super();
    this.signUrl = signUrl;
    this.uploadUrl = uploadUrl;
    this.intervalMs = intervalMs;
    this.refreshCsrfToken = refreshCsrfToken;
    this.db = openDB(databaseName, 1, {
      upgrade(db) {
        db.createObjectStore("signatures", {keyPath: "nonce"}).createIndex("state", "state");
      },
    });
    this._running = null;
    this._timer = null;
    window.addEventListener("online", () => this.sync());
  }

  /** Store a new signature (pending); the nonce is made here, once. */
  async add({checkpoint, participant = null, serial = null, image, name}) {
    const item = {nonce: crypto.randomUUID(), checkpoint: String(checkpoint), participant, serial,
      image, name, signed_at: new Date().toISOString(), state: "pending", answer: null};
    await (await this.db).add("signatures", item);
    this._changed();
    return item;
  }

  async pendingCount() {
    return (await this.db).countFromIndex("signatures", "state", "pending");
  }

  async _answered(nonce, answer) {
    const db = await this.db;
    const item = await db.get("signatures", nonce);
    if (!item) return;
    item.state = "answered";
    item.answer = answer;
    item.image = null; // stored on the server now: do not keep it on the phone
    await db.put("signatures", item);
    this._changed();
  }

  /** Send one signature now (a short time limit); null when offline or slow. */
  async sendNow(item, timeoutMs = 4000) {
    if (navigator.onLine === false) return null;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch(this.signUrl, {
        method: "POST", credentials: "same-origin", signal: controller.signal,
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
        body: JSON.stringify(uploadItem(item)),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        await this._answered(item.nonce, body);
        return body;
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 403) {
        // refused for good (outside every sheet, a closed sheet, a bad image): say why
        const answer = {result: "refused", error: body.error || {message: `HTTP ${response.status}`}};
        await this._answered(item.nonce, answer);
        return answer;
      }
      return null;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Upload every pending signature; concurrent calls share one run. */
  sync() {
    if (!this._running) {
      const run = () => this._syncAll();
      const locked = navigator.locks ? navigator.locks.request(SYNC_LOCK, run) : run();
      this._running = locked.finally(() => {
        this._running = null;
        this._schedule();
      });
    }
    return this._running;
  }

  async _syncAll() {
    if (navigator.onLine === false) return;
    const db = await this.db;
    const pending = await db.getAllFromIndex("signatures", "state", "pending");
    for (let start = 0; start < pending.length; start += 10) {
      const batch = pending.slice(start, start + 10);
      let response;
      try {
        response = await fetch(this.uploadUrl, {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
          body: JSON.stringify({signatures: batch.map(uploadItem)}),
        });
      } catch {
        return;
      }
      if ((response.status === 400 || response.status === 403) && this.refreshCsrfToken) {
        await this.refreshCsrfToken();
      }
      if (!response.ok) return;
      const body = await response.json();
      for (const answer of body.results || []) {
        if (answer && answer.nonce) await this._answered(answer.nonce, answer);
      }
      this.dispatchEvent(new CustomEvent("synced", {detail: {results: body.results || []}}));
    }
  }

  start() {
    this._schedule(0);
    return this;
  }

  _schedule(ms) {
    clearTimeout(this._timer);
    this._timer = setTimeout(() => {
      this.pendingCount().then((count) => (count && navigator.onLine !== false ? this.sync() : this._schedule()));
    }, ms ?? this.intervalMs);
  }

  _changed() {
    this.pendingCount().then((pending) => this.dispatchEvent(new CustomEvent("change", {detail: {pending}})));
  }
}

export class StaffSigning {
  constructor(panel, page) {
    this.panel = panel;
    this.page = page;
    this.root = page;
    this.labels = JSON.parse(document.getElementById(panel.dataset.labels).textContent);
    this.hooks = {};
    for (const element of panel.querySelectorAll("[data-signing]")) this.hooks[element.dataset.signing] = element;
    this.queue = new SignatureQueue({
      signUrl: panel.dataset.signUrl, uploadUrl: panel.dataset.uploadUrl,
      refreshCsrfToken: () => (window.eventappCheckin ? window.eventappCheckin.refreshCsrfToken() : null),
    });
    this.pad = null;
    this.person = null;
  }

  start() {
    this.page.addEventListener("checkin:shown", (event) => this.offer(event.detail));
    this.hooks.start.addEventListener("click", () => this.open());
    this.hooks.cancel.addEventListener("click", () => this.close());
    this.hooks.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.queue.addEventListener("change", (event) => this._showPending(event.detail.pending));
    this.queue.addEventListener("synced", () => this._setText("status", this.labels.synced));
    this.queue.pendingCount().then((count) => this._showPending(count));
    this.queue.start();
    this._precache();
    this.panel.dataset.ready = "true";
    return this;
  }

  /** After each scan: offer "Faire signer" for a person who is let in (or already in). */
  offer(answer) {
    const person = answer && answer.participant;
    const serial = answer && (answer.serial || (person && person.serial));
    if (!person || !SIGNABLE.has(answer.result) || !(person.id || serial)) {
      this.person = null;
      this.hooks.offer.hidden = true;
      return;
    }
    this.person = {name: person.name, participant: person.id || null, serial: serial ? String(serial) : null};
    this.hooks.start.textContent = format(this.labels.start, {name: person.name});
    this.hooks.offer.hidden = false;
    this.hooks.pad.hidden = true;
  }

  open() {
    if (!this.person) return;
    this.hooks.pad.hidden = false;
    this.hooks.offer.hidden = true;
    this._setText("who", format(this.labels.who, {name: this.person.name}));
    this._setText("message", "");
    if (!this.pad) {
      this.pad = new SignaturePad(this.hooks.canvas);
      wireClear(this.hooks.form, this.pad);
    } else {
      this.pad.clear();
    }
    this.hooks.canvas.focus();
  }

  close() {
    this.hooks.pad.hidden = true;
    if (this.pad) this.pad.clear();
  }

  async submit() {
    if (!this.pad || this.pad.isEmpty()) {
      this._setText("message", this.labels.empty);
      return;
    }
    const item = await this.queue.add({checkpoint: this.page.dataset.checkpoint, ...this.person,
      image: this.pad.toDataURL()});
    this.hooks.pad.hidden = true;
    this.pad.clear();
    const answer = await this.queue.sendNow(item);
    let text;
    if (!answer) text = format(this.labels.queued, {name: this.person.name});
    else if (answer.result === "refused") text = format(this.labels.refused, {message: answer.error.message});
    else if (answer.result === "already") text = format(this.labels.already, {name: answer.name, sheet: answer.sheet.title});
    else text = format(this.labels.signed, {name: answer.name, sheet: answer.sheet.title});
    this._setText("status", text);
    this.panel.dataset.signatures = String(Number(this.panel.dataset.signatures || 0) + 1);
  }

  _showPending(count) {
    this.panel.dataset.pending = String(count);
    this._setText("pending", count ? format(this.labels.pending, {count}) : "");
  }

  _setText(hook, text) {
    if (this.hooks[hook]) this.hooks[hook].textContent = text || "";
  }

  /** Add this module's files to the scanning page's offline copy (its service worker). */
  async _precache() {
    if (!("serviceWorker" in navigator)) return;
    try {
      const registration = await navigator.serviceWorker.ready;
      if (!registration.active) return;
      const reply = await new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        registration.active.postMessage({type: "precache", urls: OWN_FILES}, [channel.port2]);
      });
      if (reply && reply.ok) this.panel.dataset.offlineReady = "true";
    } catch {
      // no offline copy of the signing panel: signing still works while the page is open
    }
  }
}

const panel = document.querySelector("[data-signing-panel]");
const page = document.querySelector("[data-checkin-page]");
if (panel && page) window.eventappSigning = new StaffSigning(panel, page).start();
