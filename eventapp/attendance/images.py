"""Checking and re-encoding the images people send: signatures and funders' logos.

Nothing uploaded is stored as sent. A signature must be a real PNG of bounded size and
dimensions (a canvas export: ``data:image/png;base64,...``); a logo a PNG or JPEG of
bounded size. Both are decoded with Pillow (already a dependency for the badges) and
re-encoded as a fresh PNG, which drops metadata and anything hidden after the image
data; a decompression bomb is refused before decoding (pixel count from the header).
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from typing import cast

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from ..errors import Refused

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
SIGNATURE_MAX_BYTES = 300 * 1024
# A phone canvas at up to 3 device pixels per CSS pixel: 1200 x 600 is plenty.
SIGNATURE_MAX_SIZE = (1600, 800)
SIGNATURE_MIN_SIZE = (60, 30)
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000
LOGO_STORED_MAX = 800  # longest side of the stored copy, in pixels
DATA_URL_PREFIX = "data:image/png;base64,"


class ImageProblem(Refused):
    """Why an image was refused, in words for the person who sent it."""

    status = 400

    def __init__(self, message: object) -> None:
        super().__init__(str(message))


@dataclass(frozen=True)
class CheckedImage:
    png: bytes
    width: int
    height: int


def _open(data: bytes, magics: tuple[bytes, ...], what) -> Image.Image:
    if not data.startswith(magics):
        raise ImageProblem(what)
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > LOGO_MAX_PIXELS:
            raise ImageProblem(_l("The image is too large (%(w)d × %(h)d pixels).",
                                  w=image.width, h=image.height))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as error:
        raise ImageProblem(what) from error
    return image


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def signature_from_data_url(value: object) -> CheckedImage:
    """A canvas export as a checked, re-encoded PNG, or :class:`ImageProblem`."""
    if not isinstance(value, str) or not value.startswith(DATA_URL_PREFIX):
        raise ImageProblem(_l("The signature must be a PNG image drawn on the page "
                              "(data:image/png;base64,…)."))
    encoded = value[len(DATA_URL_PREFIX):]
    if len(encoded) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
        raise ImageProblem(_l("The signature image is too large (at most %(kb)d KB): "
                              "sign again on a smaller area.", kb=SIGNATURE_MAX_BYTES // 1024))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImageProblem(_l("The signature is not valid base64 data.")) from error
    return signature_from_png(data)


def signature_from_png(data: bytes) -> CheckedImage:
    """Raw PNG bytes of a signature, checked and re-encoded."""
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ImageProblem(_l("The signature image is too large (at most %(kb)d KB): "
                              "sign again on a smaller area.", kb=SIGNATURE_MAX_BYTES // 1024))
    image = _open(data, (PNG_MAGIC,), _l("The signature is not a valid PNG image."))
    (max_w, max_h), (min_w, min_h) = SIGNATURE_MAX_SIZE, SIGNATURE_MIN_SIZE
    if not (min_w <= image.width <= max_w and min_h <= image.height <= max_h):
        raise ImageProblem(_l("The signature must measure between %(min)s and %(max)s "
                              "pixels (this one: %(w)d × %(h)d).",
                              min=f"{min_w} × {min_h}", max=f"{max_w} × {max_h}",
                              w=image.width, h=image.height))
    image = image.convert("LA")
    # Two bands (L and A), so one (min, max) pair per band.
    extrema = cast("tuple[tuple[int, int], tuple[int, int]]", image.getextrema())
    (l_min, l_max), (a_min, a_max) = extrema
    if a_max == 0 or (l_min == l_max and a_min == a_max):
        raise ImageProblem(_l("The signature is empty: sign in the box first."))
    return CheckedImage(_png(image), image.width, image.height)


def logo_from_upload(data: bytes) -> CheckedImage:
    """A funder's logo (PNG or JPEG), checked and re-encoded as a bounded PNG."""
    if len(data) > LOGO_MAX_BYTES:
        raise ImageProblem(_l("The logo file is too large (at most %(mb)d MB).",
                              mb=LOGO_MAX_BYTES // (1024 * 1024)))
    image = _open(data, (PNG_MAGIC, JPEG_MAGIC),
                  _l("The logo must be a PNG or JPEG image."))
    image = image.convert("RGBA")
    image.thumbnail((LOGO_STORED_MAX, LOGO_STORED_MAX))
    return CheckedImage(_png(image), image.width, image.height)
