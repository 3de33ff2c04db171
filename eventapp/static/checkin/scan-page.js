// The staff scanning page: camera, keyboard wedge, online scan with an offline fallback,
// the queue's sync and the big result panel.
//
// Configuration comes from the page root's data attributes (no inline script: the CSP
// is script-src 'self'):
//
//   <main data-checkin-page data-checkpoint="7" data-bundle-url="..." data-scan-url="..."
//         data-upload-url="..." data-labels="checkin-labels"
//         data-sw-url="..." data-sw-scope="...">
//   <script type="application/json" id="checkin-labels">{"result_ok": "OK", ...}</script>
//
// and the CSRF token from <meta name="csrf-token">. The markup hooks are data-checkin="…"
// elements (docs/scanner.md has the whole template). Each scan is queued first (queue.js),
// checked locally against the cached bundle (verify.js), then sent to the scan URL with a
// short time limit; the server's answer wins when it comes in time, otherwise the local
// answer is shown and the queue uploads the scan later with the same nonce.

import {CameraScanner} from "./camera.js";
import {ScanQueue, uploadItem, utcNow} from "./queue.js";
import {NameSearch} from "./search.js";
import {indexBundle, verifyOffline, verifyPersonOffline} from "./verify.js";
import {WedgeInput} from "./wedge.js";

/** English fallbacks; the server sends the page language's labels (data-labels). */
export const DEFAULT_LABELS = {
  result_ok: "OK",
  result_already: "ALREADY",
  result_wrong_place: "WRONG PLACE",
  result_unknown: "UNKNOWN",
  result_revoked: "REVOKED",
  result_cancelled: "CANCELLED",
  result_outside_window: "OUTSIDE TIME WINDOW",
  result_saved: "SAVED, NOT CHECKED",
  detail_already: "First scan at {time}",
  detail_wrong_place: "Expected at {place}",
  detail_unknown: "This code is not a valid badge of this event.",
  detail_revoked: "This badge was replaced or withdrawn.",
  detail_cancelled: "This registration was cancelled.",
  detail_outside_window: "Outside this checkpoint's time window ({window}).",
  detail_saved: "No checkpoint list on this phone yet: the scan is kept and will be checked when the network is back.",
  checked_offline: "Checked on this phone (offline)",
  network_online: "Online",
  network_offline: "Offline",
  pending_none: "All scans sent",
  pending_one: "1 scan waiting to be sent",
  pending_many: "{count} scans waiting to be sent",
  bundle_ready: "Checkpoint list of {time}",
  bundle_missing: "Checkpoint list not downloaded yet",
  offline_ready: "Page available offline",
  camera_start: "Start camera",
  camera_stop: "Stop camera",
  torch_on: "Torch on",
  torch_off: "Torch off",
  camera_denied: "Camera access was refused. Allow the camera for this site in the browser settings, or use the code field below.",
  camera_no_camera: "No camera found on this device. Use the code field below.",
  camera_busy: "The camera is used by another application. Close it and try again.",
  camera_insecure: "The camera needs a secure (https) connection. Use the code field below.",
  camera_failed: "The camera could not start. Use the code field below.",
  search_too_short: "Type at least two letters of the name.",
  search_none: "Nobody registered by that name.",
  search_admit: "Record the entry of {name}",
  search_admit_elided: "Record the entry of {name}",
  search_admitted: "admitted at {time}",
  search_expected_here: "expected here",
  search_expected_at: "expected at {place}",
  search_offline: "Offline: an entry recorded here is kept on this phone and sent when the network is back.",
  search_failed: "The search failed. Try again, or scan the badge.",
  notice_invalid: "Scan of {time} refused by the server: {message}",
  notice_changed: "{name}, scanned at {time} (offline): the server says {result}",
  notice_conflict: "{name}, scanned at {time} (offline): another phone had already admitted this badge here. The organisers see it as a conflict.",
};

const BUNDLE_REFRESH_MS = 5 * 60 * 1000;
const REFUSALS = new Set(["unknown", "revoked", "cancelled", "outside_window"]);

/** The same static files the page imports, for the service worker's offline copy. */
const OFFLINE_ASSETS = [
  "./scan-page.js", "./camera.js", "./qr-worker.js", "./wedge.js", "./queue.js", "./verify.js",
  "./search.js",
  "../vendor/jsqr/jsQR.js", "../vendor/noble-ed25519/index.js", "../vendor/idb/index.js",
  "../checkin.css",
].map((path) => new URL(path, import.meta.url).href);

function format(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
}

function readLabels(root) {
  const id = root.dataset.labels;
  const block = id ? document.getElementById(id) : null;
  let labels = {};
  if (block) {
    try {
      labels = JSON.parse(block.textContent);
    } catch {
      labels = {}; // a broken block must not break scanning: English fallbacks
    }
  }
  return {...DEFAULT_LABELS, ...labels};
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

/** fetch with a time limit; rejects on timeout, network failure or a non-2xx status. */
async function fetchJson(url, options = {}, timeoutMs = 5000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {credentials: "same-origin", ...options, signal: controller.signal});
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

export class ScanPage {
  constructor(root, {databaseName, onlineTimeoutMs = 800, uncheckedTimeoutMs = 3000} = {}) {
    this.root = root;
    this.checkpoint = root.dataset.checkpoint;
    this.bundleUrl = root.dataset.bundleUrl;
    this.scanUrl = root.dataset.scanUrl;
    this.labels = readLabels(root);
    this.locale = document.documentElement.lang || undefined;
    this.onlineTimeoutMs = onlineTimeoutMs;
    this.uncheckedTimeoutMs = uncheckedTimeoutMs;
    this.index = null;
    this.bundleFetchedAt = null;
    this.hooks = {};
    for (const element of root.querySelectorAll("[data-checkin]")) {
      this.hooks[element.dataset.checkin] = element;
    }
    this.queue = new ScanQueue({
      uploadUrl: root.dataset.uploadUrl, csrfToken,
      refreshCsrfToken: () => this.refreshCsrfToken(),
      ...(databaseName ? {databaseName} : {}),
    });
    this.lastScan = Promise.resolve();
    this.scansShown = 0;
  }

  /** Wire everything; resolves once the cached bundle (if any) is loaded. */
  async start() {
    this._wireWedge();
    this._wireCamera();
    this._wireSearch();
    this.queue.addEventListener("change", (event) => this._showPending(event.detail.pending));
    this.queue.addEventListener("answered", (event) => this._showSyncNotices(event.detail.items));
    window.addEventListener("online", () => {
      this._showNetwork();
      this.refreshBundle();
    });
    window.addEventListener("offline", () => this._showNetwork());
    // Revocations and late registrations reach a page left open all day.
    this.bundleTimer = setInterval(() => this.refreshBundle(), BUNDLE_REFRESH_MS);
    // A camera left running in a hidden tab drains the battery and holds the device.
    document.addEventListener("visibilitychange", () => {
      if (document.hidden && this.camera && this.camera.running) this.camera.stop();
    });
    this._showNetwork();
    await this._loadCachedBundle();
    this._showPending(await this.queue.pendingCount());
    this.queue.start();
    this._registerServiceWorker();
    await this.refreshBundle();
    this.root.dataset.ready = "true";
    return this;
  }

  // --- scanning ------------------------------------------------------------------------

  /** One scan, from the camera or the wedge; scans are handled one after the other so
   * that two quick reads of the same badge see each other's admission. */
  scan(code) {
    this.lastScan = this.lastScan.then(() => this._scan(code)).catch((error) => {
      console.error("scan failed", error);
    });
    return this.lastScan;
  }

  async _scan(code) {
    const scannedAt = utcNow();
    const local = this.index
      ? await verifyOffline(code, this.index, {scannedAt, firstLocalAdmission: this._firstLocal()})
      : null;
    return this._record({checkpoint: this.checkpoint, code, scannedAt, local});
  }

  /** An entry recorded by name (forgotten badge): the participant's id, never a code;
   * checked against the cached list when there is one, queued like any scan (so it is
   * recorded offline too), one after the other with the scans. */
  admit(participantId) {
    this.lastScan = this.lastScan.then(() => this._admit(participantId)).catch((error) => {
      console.error("entry by name failed", error);
    });
    return this.lastScan;
  }

  async _admit(participantId) {
    const scannedAt = utcNow();
    const person = this.index ? this.index.byId.get(String(participantId)) : null;
    const local = person
      ? await verifyPersonOffline(person, this.index, {scannedAt, firstLocalAdmission: this._firstLocal()})
      : null;
    return this._record({checkpoint: this.checkpoint, participant: String(participantId), scannedAt, local});
  }

  _firstLocal() {
    return (serial) => this.queue.firstAdmission(this.checkpoint, serial);
  }

  /** Queue a scan, ask the server (within the time limit), show the answer. */
  async _record({scannedAt, local, ...what}) {
    const stored = await this.queue.add({...what, scannedAt, local});
    const answer = (await this._scanOnline(stored, Boolean(local))) || local || {result: "saved", offline: true};
    const serial = answer.serial || (local && local.serial) || (answer.participant && answer.participant.serial);
    await this._rememberAdmission(answer, serial, scannedAt);
    this.show(answer);
    this._feedback(answer.result);
    this.scansShown += 1;
    this.root.dataset.scans = String(this.scansShown);
    return answer;
  }

  /** The server's answer within the time limit, or null (the scan stays queued). The
   * answer must come in under a second: with a local answer ready the server gets 0.8 s,
   * without one (no checkpoint list yet) it is worth waiting a little longer. */
  async _scanOnline(scan, checkedLocally) {
    if (!this.scanUrl || navigator.onLine === false) return null;
    try {
      const answer = await fetchJson(this.scanUrl, {
        method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
          "X-CSRFToken": csrfToken()},
        body: JSON.stringify(uploadItem({...scan, local: null})),
      }, checkedLocally ? this.onlineTimeoutMs : this.uncheckedTimeoutMs);
      await this.queue.markAnswered(scan.nonce, answer);
      return answer;
    } catch {
      return null; // slow or no network: the local answer is shown, the queue retries
    }
  }

  /** Keep this device's own record of admissions, for "already" when offline later. */
  async _rememberAdmission(answer, serial, scannedAt) {
    if (!serial) return;
    if (answer.result === "ok") await this.queue.recordAdmission(this.checkpoint, serial, scannedAt);
    if (answer.result === "already" && answer.first_scan_at) {
      await this.queue.recordAdmission(this.checkpoint, serial, answer.first_scan_at);
    }
  }

  /** A page left open offline for hours holds an expired CSRF token: read a fresh one
   * from the page itself (the network copy, not the service worker's). */
  async refreshCsrfToken() {
    try {
      const response = await fetch(location.href, {credentials: "same-origin", cache: "no-store",
        headers: {"X-Checkin-Refresh": "1"}});
      const html = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = html.querySelector('meta[name="csrf-token"]');
      const meta = document.querySelector('meta[name="csrf-token"]');
      if (fresh && meta) meta.setAttribute("content", fresh.getAttribute("content"));
    } catch {
      // still offline: the next sync tries again
    }
  }

  // --- bundle --------------------------------------------------------------------------

  async _loadCachedBundle() {
    const cached = await (await this.queue.db).get("bundles", String(this.checkpoint));
    if (cached) this._useBundle(cached.bundle, cached.fetched_at);
  }

  /** Download the checkpoint's bundle and keep it for offline use; false if offline. */
  async refreshBundle() {
    if (!this.bundleUrl || navigator.onLine === false) return false;
    try {
      const bundle = await fetchJson(this.bundleUrl, {headers: {"Accept": "application/json"}, cache: "no-store"});
      const fetchedAt = utcNow();
      await (await this.queue.db).put("bundles", {checkpoint: String(this.checkpoint), bundle, fetched_at: fetchedAt});
      this._useBundle(bundle, fetchedAt);
      return true;
    } catch {
      return false;
    }
  }

  _useBundle(bundle, fetchedAt) {
    this.index = indexBundle(bundle);
    this.bundleFetchedAt = fetchedAt;
    this.timeZone = (bundle.event && bundle.event.timezone) || this.root.dataset.timezone || undefined;
    this._setText("bundle", format(this.labels.bundle_ready, {time: this.formatTime(fetchedAt)}));
  }

  // --- display -------------------------------------------------------------------------

  /** Time of day in the event's timezone ("09:42"). */
  formatTime(iso) {
    if (!iso) return "";
    const options = {hour: "2-digit", minute: "2-digit", hour12: false}; // staff read 24 h
    try {
      return new Intl.DateTimeFormat(this.locale, {...options, timeZone: this.timeZone}).format(new Date(iso));
    } catch {
      return new Intl.DateTimeFormat(this.locale, options).format(new Date(iso));
    }
  }

  /** Show an answer big, in colour AND in words; the panel is an aria-live region. */
  show(answer) {
    const result = this.labels[`result_${answer.result}`] ? answer.result : "unknown";
    const panel = this.hooks.result;
    if (!panel) return;
    panel.className = `checkin-result checkin-result--${result}`;
    panel.dataset.result = result;
    const person = answer.participant;
    this._setText("result-title", this.labels[`result_${result}`]);
    this._setText("result-name", person ? person.name : "");
    this._setText("result-info", person ? [person.organisation, person.category_label || person.category].filter(Boolean).join(" · ") : "");
    this._setText("result-detail", this._detail(result, answer));
    this._setText("result-source", answer.offline ? this.labels.checked_offline : "");
    const swatch = this.hooks["result-colour"];
    if (swatch) {
      const colour = result === "wrong_place" && answer.expected ? answer.expected.colour : "";
      swatch.hidden = !colour;
      swatch.style.backgroundColor = colour || "";
    }
    // Other modules act on the result shown (attendance/staff-sign.js: "Faire signer").
    this.root.dispatchEvent(new CustomEvent("checkin:shown", {detail: answer}));
  }

  _detail(result, answer) {
    const labels = this.labels;
    if (result === "already") return format(labels.detail_already, {time: this.formatTime(answer.first_scan_at)});
    if (result === "wrong_place") {
      const where = answer.expected;
      const place = where ? where.label || [where.room, where.colour_name].filter(Boolean).join(" — ") : "?";
      return format(labels.detail_wrong_place, {place});
    }
    if (result === "outside_window") {
      const checkpoint = (this.index && this.index.bundle.checkpoint) || {};
      const span = answer.window || checkpoint.window || {};
      const window = span.label || [span.opens_at, span.closes_at].map((t) => this.formatTime(t)).join("–");
      return format(labels.detail_outside_window, {window});
    }
    return labels[`detail_${result}`] || "";
  }

  _setText(hook, text) {
    if (this.hooks[hook]) this.hooks[hook].textContent = text || "";
  }

  _showNetwork() {
    const online = navigator.onLine !== false;
    this._setText("network", online ? this.labels.network_online : this.labels.network_offline);
    if (this.hooks.network) this.hooks.network.dataset.state = online ? "online" : "offline";
  }

  _showPending(count) {
    const label = count === 0 ? this.labels.pending_none
      : count === 1 ? this.labels.pending_one : this.labels.pending_many;
    this._setText("pending", format(label, {count}));
    this.root.dataset.pending = String(count);
  }

  /** A short vibration and beep: one for admitted, three for a refusal (optional: the
   * words on screen are what counts; [data-checkin=feedback] unchecked turns it off). */
  _feedback(result) {
    const toggle = this.hooks.feedback;
    if (toggle && !toggle.checked) return;
    const refused = REFUSALS.has(result) || result === "wrong_place" || result === "already";
    if (navigator.vibrate) navigator.vibrate(refused ? [120, 80, 120, 80, 120] : 80);
    try {
      this.audio = this.audio || new AudioContext();
      const oscillator = this.audio.createOscillator();
      const gain = this.audio.createGain();
      oscillator.frequency.value = refused ? 220 : 880;
      gain.gain.value = 0.1;
      oscillator.connect(gain).connect(this.audio.destination);
      oscillator.start();
      oscillator.stop(this.audio.currentTime + (refused ? 0.35 : 0.12));
    } catch {
      // no audio on this device: vibration and words remain
    }
  }

  /** After an upload: what the server decided differently from this phone, so that
   * staff can go after a person let in on a revoked badge, or see a double admission. */
  _showSyncNotices(items) {
    const list = this.hooks["notice-list"];
    if (!list) return;
    for (const {scan, answer} of items) {
      const text = this._notice(scan, answer);
      if (!text) continue;
      const entry = document.createElement("li");
      entry.textContent = text;
      entry.dataset.result = answer.result || "invalid";
      list.prepend(entry);
    }
    if (this.hooks.notices && list.children.length) this.hooks.notices.hidden = false;
  }

  _notice(scan, answer) {
    const time = this.formatTime(scan.scanned_at);
    if (answer.error) return format(this.labels.notice_invalid, {time, message: answer.error.message});
    const name = (answer.participant && answer.participant.name) || "?";
    if (answer.conflict) return format(this.labels.notice_conflict, {name, time});
    const shown = scan.local && scan.local.result;
    if (answer.replayed || !answer.result || answer.result === shown) return "";
    if (shown && shown !== "ok") return ""; // the phone already refused: nobody got in by mistake
    if (!shown && answer.result === "ok") return ""; // saved unchecked, and it was fine
    const result = this.labels[`result_${answer.result}`] || answer.result;
    return format(this.labels.notice_changed, {name, time, result});
  }

  // --- inputs ----------------------------------------------------------------------------

  _wireSearch() {
    const form = this.hooks["search-form"];
    if (!form) return;
    this.search = new NameSearch({
      form, input: this.hooks["search-input"], results: this.hooks["search-results"],
      message: this.hooks["search-message"], url: this.root.dataset.searchUrl, labels: this.labels,
      onChoose: (person) => this.admit(person.id),
      bundle: () => (this.index ? this.index.bundle : null),
      formatTime: (iso) => this.formatTime(iso),
    });
  }

  _wireWedge() {
    const form = this.hooks["wedge-form"];
    const input = this.hooks["wedge-input"];
    if (!form || !input) return;
    this.wedge = new WedgeInput({form, input, onCode: (code) => this.scan(code)});
  }

  _wireCamera() {
    const video = this.hooks.video;
    const toggle = this.hooks["camera-toggle"];
    if (!video || !toggle) return;
    const torch = this.hooks.torch;
    this.camera = new CameraScanner({
      video,
      onCode: (code) => this.scan(code),
      onError: (reason) => {
        this._setText("camera-message", this.labels[`camera_${reason}`] || this.labels.camera_failed);
        this.root.dataset.camera = reason;
      },
      onState: (running) => {
        toggle.textContent = running ? this.labels.camera_stop : this.labels.camera_start;
        toggle.setAttribute("aria-pressed", String(running));
        video.hidden = !running;
        this.root.dataset.camera = running ? "running" : "stopped";
        if (running) this._setText("camera-message", "");
        if (torch) {
          torch.hidden = !(running && this.camera.torchSupported);
          torch.textContent = this.labels.torch_on;
          torch.setAttribute("aria-pressed", "false");
        }
      },
    });
    toggle.textContent = this.labels.camera_start;
    toggle.setAttribute("aria-pressed", "false");
    toggle.addEventListener("click", () => (this.camera.running ? this.camera.stop() : this.camera.start()));
    if (torch) {
      torch.hidden = true;
      torch.addEventListener("click", async () => {
        const on = torch.getAttribute("aria-pressed") !== "true";
        if (await this.camera.setTorch(on)) {
          torch.setAttribute("aria-pressed", String(on));
          torch.textContent = on ? this.labels.torch_off : this.labels.torch_on;
        }
      });
    }
  }

  // --- offline page shell ----------------------------------------------------------------

  /** Register the service worker and ask it to keep this page and its files offline. */
  async _registerServiceWorker() {
    const url = this.root.dataset.swUrl;
    if (!url || !("serviceWorker" in navigator)) return;
    try {
      const scope = this.root.dataset.swScope;
      await navigator.serviceWorker.register(url, scope ? {scope} : {});
      const registration = await navigator.serviceWorker.ready;
      const styles = [...document.querySelectorAll('link[rel="stylesheet"][href]')].map((link) => link.href);
      const urls = [location.href.split("#")[0], ...new Set([...styles, ...OFFLINE_ASSETS])];
      const reply = await new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        registration.active.postMessage({type: "precache", urls}, [channel.port2]);
      });
      if (reply && reply.ok) {
        this.root.dataset.offlineReady = "true";
        this._setText("offline", this.labels.offline_ready);
      }
    } catch (error) {
      console.warn("offline copy unavailable", error);
    }
  }
}

/** Start the page whose root is [data-checkin-page]; the instance is kept on
 * ``window.eventappCheckin`` for the browser console and the tests. */
export async function startScanPage(root = document.querySelector("[data-checkin-page]"), options = {}) {
  if (!root) return null;
  const page = new ScanPage(root, options);
  window.eventappCheckin = page;
  return page.start();
}

if (document.querySelector("[data-checkin-page]:not([data-manual-start])")) startScanPage();
