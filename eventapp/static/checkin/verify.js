// Offline verification of a badge code against a checkpoint's cached bundle.
//
// A staff phone that lost the network must still tell, at once, a real badge from a
// forged one and a person expected here from one expected elsewhere. It holds the
// checkpoint bundle (see docs/scanner.md for its JSON shape): the event's Ed25519 public
// key, the revocation list, the participants with where each is expected, and the
// admissions known when the bundle was fetched. Admissions made on this device while
// offline come from the queue's local record (queue.js), so a second scan says "already".
//
// Everything that depends on how the backend writes a code is in parseBadgeCode: adapt
// that one function if the format changes.

import * as ed from "../vendor/noble-ed25519/index.js";

export const RESULTS = Object.freeze([
  "ok", "already", "wrong_place", "unknown", "revoked", "cancelled", "outside_window",
]);

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const CODE_VERSION = 1;
const SERIAL_BYTES = 6;
const SIGNATURE_BYTES = 64;

/** Decode RFC 4648 base32 (no padding); null on any character outside the alphabet. */
function base32Decode(text) {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const char of text) {
    const digit = BASE32_ALPHABET.indexOf(char);
    if (digit < 0) return null;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  // Leftover bits must be zero padding, otherwise the text was not written by an encoder.
  if (bits >= 5 || (value & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** Decode base64url (no padding), as the bundle writes keys; null when malformed. */
export function base64UrlDecode(text) {
  try {
    const binary = atob(String(text).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Split a scanned badge code into what the signature covers, the signature and the serial.
 *
 * Format version 1 (eventapp/checkin/codes.py, docs/checkin.md): RFC 4648 base32 without
 * padding (114 characters of A-Z2-7, the QR code's compact alphanumeric mode) of 71 bytes:
 *
 *     version (1 byte, = 1) | serial (6 bytes, big-endian) | Ed25519 signature (64 bytes)
 *
 * The signature covers the bundle's signing.message_prefix ("eventapp-badge" | event id,
 * 4 bytes) followed by bytes 0-6, so a code of another event fails the check. Scanners
 * may send lower case or spaces (keyboard wedges): they are normalised here.
 *
 * @param {string} text what the camera or the keyboard wedge read
 * @param {Uint8Array} messagePrefix the bundle's decoded signing.message_prefix
 * @returns {{payload: Uint8Array, signature: Uint8Array, serial: string} | null}
 *          payload = the exact signed bytes; serial as a decimal string (the bundle's
 *          key); null when the text is not a code of this format at all.
 */
export function parseBadgeCode(text, messagePrefix) {
  const code = String(text || "").replace(/\s+/g, "").replace(/=+$/, "").toUpperCase();
  const raw = code.length === 114 ? base32Decode(code) : null;
  if (!raw || raw.length !== 1 + SERIAL_BYTES + SIGNATURE_BYTES || raw[0] !== CODE_VERSION) {
    return null;
  }
  const signedPart = raw.slice(0, 1 + SERIAL_BYTES);
  let serial = 0n;
  for (const byte of signedPart.slice(1)) serial = (serial << 8n) | BigInt(byte);
  return {
    payload: concat(messagePrefix || new Uint8Array(0), signedPart),
    signature: raw.slice(1 + SERIAL_BYTES),
    serial: serial.toString(),
  };
}

/** Whether ``signature`` over ``payload`` verifies with the raw 32-byte public key.
 * @noble/ed25519 (pure JS) so that it works on browsers whose WebCrypto has no
 * Ed25519; its SHA-512 comes from WebCrypto's digest, present in every secure context. */
export async function verifySignature(payload, signature, publicKey) {
  try {
    return await ed.verifyAsync(signature, payload, publicKey);
  } catch {
    return false; // malformed key or signature: not a genuine code
  }
}

/** Index a bundle once for fast lookups (phones scan a badge a second). */
export function indexBundle(bundle) {
  const participants = new Map();
  const byId = new Map();
  for (const person of bundle.participants || []) {
    participants.set(String(person.serial), person);
    byId.set(String(person.id), person);
  }
  const admitted = new Map();
  for (const person of bundle.participants || []) {
    if (person.admitted_at) admitted.set(String(person.serial), person.admitted_at);
  }
  const signing = bundle.signing || {};
  return {
    bundle,
    publicKey: signing.public_key ? base64UrlDecode(signing.public_key) : null,
    messagePrefix: signing.message_prefix ? base64UrlDecode(signing.message_prefix) : null,
    revoked: new Set((bundle.revoked || []).map(String)),
    participants,
    byId,
    admitted,
  };
}

function outsideWindow(checkpoint, scannedAt) {
  const time = Date.parse(scannedAt);
  const window = (checkpoint && checkpoint.window) || {};
  if (window.enforced === false) return false; // rehearsal: every checkpoint is open
  const opens = window.opens_at ? Date.parse(window.opens_at) : null;
  const closes = window.closes_at ? Date.parse(window.closes_at) : null;
  return (opens !== null && time < opens) || (closes !== null && time > closes);
}

function participantView(person) {
  return {name: person.name, organisation: person.organisation || "",
          category: person.category_label || person.category || ""};
}

/**
 * The local answer for one code, in the same shape as the server's scan answer
 * (docs/checkin.md: result, participant, first_scan_at, expected).
 *
 * Same order as the server's record_scan: format and signature (unknown), revocation
 * list (revoked), known participant (unknown: the bundle lists registered people only,
 * the server tells a cancellation apart), first admission (already, with the first
 * scan's time), expected here (wrong_place, with where they are expected), time window
 * and finally ok.
 *
 * @param {string} code the scanned text
 * @param {ReturnType<typeof indexBundle>} index the indexed bundle of this checkpoint
 * @param {{scannedAt: string, firstLocalAdmission: (serial: string) => Promise<string|null>}}
 *        options scan time (ISO 8601) and the device's own admissions at this checkpoint
 */
export async function verifyOffline(code, index, {scannedAt, firstLocalAdmission}) {
  const parsed = parseBadgeCode(code, index.messagePrefix);
  const answer = (result, extra = {}) => ({
    result, offline: true, serial: parsed ? parsed.serial : null, participant: null,
    first_scan_at: null, expected: null, ...extra,
  });
  if (!parsed || !index.publicKey || !index.messagePrefix) return answer("unknown");
  if (!(await verifySignature(parsed.payload, parsed.signature, index.publicKey))) {
    return answer("unknown");
  }
  if (index.revoked.has(parsed.serial)) return answer("revoked");
  const person = index.participants.get(parsed.serial);
  if (!person) return answer("unknown");
  return verifyPersonOffline(person, index, {scannedAt, firstLocalAdmission});
}

/**
 * The local answer for an entry recorded by name (no badge code): the bundle's entry
 * of the person, then the same checks as after a genuine code (cancelled, already,
 * wrong_place, outside_window, ok). ``serial`` is the person's badge serial, so that a
 * later scan of their badge on this phone says "already".
 *
 * @param {object} person an entry of bundle.participants (index.byId)
 * @param {ReturnType<typeof indexBundle>} index
 * @param {{scannedAt: string, firstLocalAdmission: (serial: string) => Promise<string|null>}} options
 */
export async function verifyPersonOffline(person, index, {scannedAt, firstLocalAdmission}) {
  const serial = String(person.serial);
  const participant = participantView(person);
  const answer = (result, extra = {}) => ({
    result, offline: true, serial, participant, first_scan_at: null, expected: null, ...extra,
  });
  if (person.status && person.status !== "registered") return answer("cancelled");
  const first = index.admitted.get(serial) || (await firstLocalAdmission(serial));
  if (first) return answer("already", {first_scan_at: first});
  if (person.expected === false) return answer("wrong_place", {expected: person.expected_place || null});
  if (outsideWindow(index.bundle.checkpoint, scannedAt)) return answer("outside_window");
  return answer("ok");
}
