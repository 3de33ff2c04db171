// Offline-first scan queue in IndexedDB: no scan is lost, none is counted twice.
//
// Every scan is written to IndexedDB *before* anything is sent, with its idempotency key
// (a nonce made once, at the scan) and the device's time. The server is told the same
// nonce however often the scan is retried, so a retry after a lost answer, a reload or a
// second tab never counts twice (the server keeps one row per nonce). States:
//
//   pending  -> stored, not yet sent
//   sent     -> in a request whose answer has not come back (sent again, same nonce)
//   answered -> the server's answer is stored in ``answer``
//
// The sync loop uploads pending and sent scans in batches, on ``online`` events, on a
// timer and on demand, one loop at a time (per page, and across tabs with Web Locks),
// with exponential backoff after failures.

import {openDB} from "../vendor/idb/index.js";

export const DATABASE_NAME = "eventapp-checkin";
const DATABASE_VERSION = 1;
const SYNC_LOCK = "eventapp-checkin-sync";

/** The check-in database: scans (the queue), admissions (this device's first admission
 * per checkpoint and badge, for offline "already") and bundles (per checkpoint). */
export function openCheckinDatabase(name = DATABASE_NAME) {
  return openDB(name, DATABASE_VERSION, {
    upgrade(db) {
      const scans = db.createObjectStore("scans", {keyPath: "nonce"});
      scans.createIndex("state", "state");
      db.createObjectStore("admissions", {keyPath: ["checkpoint", "serial"]});
      db.createObjectStore("bundles", {keyPath: "checkpoint"});
    },
  });
}

/** Now as ISO 8601 UTC with milliseconds ("2016-12-07T09:01:02.345Z"). */
export function utcNow() {
  return new Date().toISOString();
}

/** What the server is sent for one scan (only these fields, never local state). The
 * checkpoint id is an integer on the wire (the backend refuses a string); what this phone
 * showed (device_result) lets the server flag a double admission, and only that. */
export function uploadItem(scan) {
  const item = {checkpoint: Number(scan.checkpoint), nonce: scan.nonce, scanned_at: scan.scanned_at};
  // An entry recorded by name names the participant (their id), never a badge code.
  if (scan.participant) item.participant = scan.participant;
  else item.code = scan.code;
  if (scan.local && scan.local.result) item.device_result = scan.local.result;
  return item;
}

export class ScanQueue extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.uploadUrl where batches are POSTed ({"scans": [...]})
   * @param {string|(() => string)} [options.csrfToken] sent as X-CSRFToken
   * @param {() => Promise<void>} [options.refreshCsrfToken] called when an upload is
   *        refused with 400/403 (an expired token), before the next try
   * @param {number} [options.batchSize] scans per request
   * @param {number} [options.intervalMs] how often the timer tries while scans wait
   * @param {number} [options.requestTimeoutMs] a batch request's time limit
   * @param {number} [options.maxBackoffMs] longest wait after repeated failures
   * @param {string} [options.databaseName] IndexedDB name (tests use their own)
   */
  constructor({uploadUrl, csrfToken = "", refreshCsrfToken = null, batchSize = 50, intervalMs = 15000,
    requestTimeoutMs = 10000, maxBackoffMs = 60000, databaseName = DATABASE_NAME}) {
    super();
    this.uploadUrl = uploadUrl;
    this.csrfToken = typeof csrfToken === "function" ? csrfToken : () => csrfToken;
    this.refreshCsrfToken = refreshCsrfToken;
    this.batchSize = batchSize;
    this.intervalMs = intervalMs;
    this.requestTimeoutMs = requestTimeoutMs;
    this.maxBackoffMs = maxBackoffMs;
    this.failures = 0;
    this.lastError = null;
    this.db = openCheckinDatabase(databaseName);
    this._running = null;
    this._timer = null;
    this._started = false;
    this._onOnline = () => {
      this.failures = 0;
      this.sync();
    };
  }

  /** Store a new scan (pending) and return it; the nonce is made here, once. A scan
   * holds the badge ``code`` read, or for an entry recorded by name the ``participant``'s
   * id (and no code). */
  async add({checkpoint, code = null, participant = null, scannedAt = utcNow(), local = null}) {
    const scan = {
      nonce: crypto.randomUUID(), checkpoint: String(checkpoint), code, participant, scanned_at: scannedAt,
      state: "pending", attempts: 0, local, answer: null, answered_at: null,
    };
    await (await this.db).add("scans", scan);
    this._changed();
    return scan;
  }

  async get(nonce) {
    return (await this.db).get("scans", nonce);
  }

  async all() {
    return (await this.db).getAll("scans");
  }

  /** Keep the server's answer to one scan (from the online scan or an upload). */
  async markAnswered(nonce, answer) {
    const db = await this.db;
    const tx = db.transaction("scans", "readwrite");
    const scan = await tx.store.get(nonce);
    if (scan) {
      scan.state = "answered";
      scan.answer = answer;
      scan.answered_at = utcNow();
      await tx.store.put(scan);
    }
    await tx.done;
    this._changed();
  }

  /** Scans the server has not answered yet (pending or sent), oldest first. */
  async unanswered() {
    const db = await this.db;
    const [pending, sent] = await Promise.all([
      db.getAllFromIndex("scans", "state", "pending"),
      db.getAllFromIndex("scans", "state", "sent"),
    ]);
    return [...pending, ...sent].sort((a, b) => a.scanned_at.localeCompare(b.scanned_at));
  }

  /** How many scans wait to be sent, for "3 scans en attente d'envoi". */
  async pendingCount() {
    const db = await this.db;
    const [pending, sent] = await Promise.all([
      db.countFromIndex("scans", "state", "pending"),
      db.countFromIndex("scans", "state", "sent"),
    ]);
    return pending + sent;
  }

  /** Remember this device's first admission of a badge at a checkpoint (kept if one
   * already exists: the first time is what "already" shows). */
  async recordAdmission(checkpoint, serial, at) {
    const db = await this.db;
    const tx = db.transaction("admissions", "readwrite");
    const key = [String(checkpoint), String(serial)];
    const existing = await tx.store.get(key);
    if (!existing) await tx.store.put({checkpoint: key[0], serial: key[1], at});
    await tx.done;
  }

  async firstAdmission(checkpoint, serial) {
    const entry = await (await this.db).get("admissions", [String(checkpoint), String(serial)]);
    return entry ? entry.at : null;
  }

  /** Upload every unanswered scan now; concurrent calls share one run. */
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

  /** Start the background loop: on ``online`` events and on a timer. */
  start() {
    this._started = true;
    window.addEventListener("online", this._onOnline);
    this._schedule(0);
    return this;
  }

  stop() {
    this._started = false;
    window.removeEventListener("online", this._onOnline);
    clearTimeout(this._timer);
    this._timer = null;
  }

  async _syncAll() {
    for (;;) {
      const batch = (await this.unanswered()).slice(0, this.batchSize);
      if (batch.length === 0) return {ok: true};
      try {
        await this._upload(batch);
        this.failures = 0;
        this.lastError = null;
      } catch (error) {
        this.failures += 1;
        this.lastError = error;
        this.dispatchEvent(new CustomEvent("syncerror", {detail: {error}}));
        return {ok: false, error};
      }
    }
  }

  async _upload(batch) {
    await this._setState(batch, "sent");
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.requestTimeoutMs);
    let response;
    try {
      response = await fetch(this.uploadUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
          "X-CSRFToken": this.csrfToken()},
        body: JSON.stringify({scans: batch.map(uploadItem)}),
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
    }
    if ((response.status === 400 || response.status === 403) && this.refreshCsrfToken) {
      await this.refreshCsrfToken();
    }
    if (!response.ok) throw new Error(`upload refused: HTTP ${response.status}`);
    const body = await response.json();
    const answered = new Map();
    for (const answer of body.results || []) {
      if (!answer || !answer.nonce) continue;
      answered.set(answer.nonce, answer);
      await this.markAnswered(answer.nonce, answer);
    }
    // The page tells staff when the server's verdict differs from what the phone showed
    // (a badge revoked meanwhile, a double admission, a scan refused as malformed).
    const items = batch.filter((scan) => answered.has(scan.nonce))
      .map((scan) => ({scan, answer: answered.get(scan.nonce)}));
    if (items.length) this.dispatchEvent(new CustomEvent("answered", {detail: {items}}));
    // A scan the server did not answer stays "sent" and goes again (same nonce); if none
    // of the batch was answered, looping would resend at once: treat it as a failure.
    if (!batch.some((scan) => answered.has(scan.nonce))) {
      throw new Error("upload answered none of the scans");
    }
  }

  async _setState(batch, state) {
    const db = await this.db;
    const tx = db.transaction("scans", "readwrite");
    for (const item of batch) {
      const scan = await tx.store.get(item.nonce);
      if (scan && scan.state !== "answered") {
        scan.state = state;
        scan.attempts += 1;
        await tx.store.put(scan);
      }
    }
    await tx.done;
  }

  /** Next timer run: the interval, or a backoff (doubling, capped, with jitter) after
   * failures so that a crowd of phones does not hammer a recovering server. */
  _schedule(ms) {
    if (!this._started) return;
    clearTimeout(this._timer);
    const backoff = Math.min(this.maxBackoffMs, 1000 * 2 ** this.failures);
    const wait = ms ?? (this.failures ? backoff * (0.5 + Math.random() / 2) : this.intervalMs);
    this._timer = setTimeout(() => {
      this._timer = null;
      this.pendingCount().then((count) => (count && navigator.onLine !== false ? this.sync() : this._schedule()));
    }, wait);
  }

  _changed() {
    this.pendingCount().then((pending) => {
      this.dispatchEvent(new CustomEvent("change", {detail: {pending}}));
    });
  }
}
