"""Badge codes: what a badge's QR code holds, signed so a scanner can check it offline.

The model is pretix's signed ticket secrets: the code carries a small payload and an
Ed25519 signature over it, so a phone holding only the event's *public* key tells a real
badge from a forged one without the network; codes that were valid once but no longer
are (reissued badge, cancelled or erased participant) go on a revocation list that the
scanners download with the public key.

Layout (version 1), 71 bytes, written in RFC 4648 base32 without padding, which is
114 characters of ``A-Z2-7``: all within the QR code's *alphanumeric* mode (5.5 bits per
character instead of 8 in byte mode), so the code fits a version 5 QR code at error
correction M (37 x 37 modules), where base64url would need version 6::

    version (1 byte, = 1) | serial (6 bytes, big-endian) | signature (64 bytes)

The signature covers ``b"eventapp-badge" | event id (4 bytes, big-endian) | version |
serial``. Each event has its own key pair, derived (HKDF-SHA256) from the configured
master seed ``BADGE_SIGNING_KEY``: a code of one event never verifies with another
event's public key. The serial is random (48 bits, unique per event), never a row id:
nothing in the code can be guessed or counted, and it is separate from the participant's
portal link and calendar feed token (revoking one leaves the others working).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

VERSION = 1
SERIAL_BYTES = 6
SIGNATURE_BYTES = 64
PAYLOAD_BYTES = 1 + SERIAL_BYTES
CODE_BYTES = PAYLOAD_BYTES + SIGNATURE_BYTES
CODE_LENGTH = 114  # base32 characters of CODE_BYTES, without padding
DOMAIN = b"eventapp-badge"
MAX_SERIAL = 2 ** (8 * SERIAL_BYTES) - 1


class SigningKeyError(RuntimeError):
    """BADGE_SIGNING_KEY is not a 32-byte seed: say so at the first badge, not later."""


def _master_seed() -> bytes:
    text = current_app.config.get("BADGE_SIGNING_KEY") or ""
    return _parse_seed(text)


@lru_cache(maxsize=8)
def _parse_seed(text: str) -> bytes:
    """A 32-byte seed from base64url (43 characters, as generated) or hex (64)."""
    text = text.strip()
    try:
        if len(text) == 64:
            seed = bytes.fromhex(text)
        else:
            seed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error) as error:
        raise SigningKeyError("BADGE_SIGNING_KEY must be 32 bytes in base64url or hex.") \
            from error
    if len(seed) != 32:
        raise SigningKeyError("BADGE_SIGNING_KEY must be 32 bytes in base64url or hex "
                              f"(got {len(seed)} bytes).")
    return seed


@lru_cache(maxsize=256)
def _event_key(seed: bytes, event_id: int) -> Ed25519PrivateKey:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=DOMAIN,
                   info=b"event:" + event_id.to_bytes(4, "big")).derive(seed)
    return Ed25519PrivateKey.from_private_bytes(derived)


def private_key(event_id: int) -> Ed25519PrivateKey:
    return _event_key(_master_seed(), event_id)


def public_key(event_id: int) -> Ed25519PublicKey:
    return private_key(event_id).public_key()


def public_key_raw(event_id: int) -> str:
    """The event's public key as 32 raw bytes in base64url (what WebCrypto imports as
    "raw" Ed25519, and what the scanners' bundle carries)."""
    raw = public_key(event_id).public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
    return _b64url(raw)


def message_prefix(event_id: int) -> bytes:
    """What precedes the payload in the signed message (the scanners need it too)."""
    return DOMAIN + event_id.to_bytes(4, "big")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_serial() -> int:
    """A random serial; 0 is never used, so a zeroed payload is never valid."""
    return secrets.randbelow(MAX_SERIAL) + 1


def _payload(serial: int) -> bytes:
    return bytes([VERSION]) + serial.to_bytes(SERIAL_BYTES, "big")


def encode(event_id: int, serial: int) -> str:
    """The badge code of ``serial`` in event ``event_id`` (deterministic: Ed25519
    signatures are, so the same badge always prints the same QR code)."""
    if not 0 < serial <= MAX_SERIAL:
        raise ValueError(f"serial out of range: {serial}")
    payload = _payload(serial)
    signature = private_key(event_id).sign(message_prefix(event_id) + payload)
    return _b32(payload + signature)


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def normalise(text: str) -> str:
    """What a scanner read, as a code: spaces and padding dropped, upper case (some
    keyboard-wedge scanners send lower case)."""
    return "".join(text.split()).rstrip("=").upper()


def decode(event_id: int, text: str) -> int | None:
    """The serial of a genuine code of this event, or None for anything else (wrong
    length, not base32, unknown version, forged, truncated or another event's code)."""
    code = normalise(text or "")
    if len(code) != CODE_LENGTH:
        return None
    try:
        raw = base64.b32decode(code + "=" * (-len(code) % 8))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != CODE_BYTES or raw[0] != VERSION or _b32(raw) != code:
        return None  # _b32: only the canonical spelling (the last character's unused
        # 2 bits zero); the decoder ignores them, which gave every badge 3 more spellings
    payload, signature = raw[:PAYLOAD_BYTES], raw[PAYLOAD_BYTES:]
    try:
        public_key(event_id).verify(signature, message_prefix(event_id) + payload)
    except InvalidSignature:
        return None
    serial = int.from_bytes(payload[1:], "big")
    return serial or None


def scheme(event_id: int) -> dict:
    """How a scanner checks codes offline: the public key and the signed layout."""
    return {
        "algorithm": "Ed25519",
        "public_key": public_key_raw(event_id),
        "message_prefix": _b64url(message_prefix(event_id)),
        "encoding": "base32 (RFC 4648, no padding)",
        "length": CODE_LENGTH,
        "version": VERSION,
        "layout": "version (1 byte) | serial (6 bytes, big-endian) | signature (64 bytes); "
                  "signed message = message_prefix | version | serial",
    }
