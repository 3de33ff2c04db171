"""The badge font: one TrueType family for the PDF (reportlab) and the PNG (Pillow).

Names at a French event carry accents (é, è, ç, œ, ÿ), apostrophes (’) and, often enough,
letters from other Latin alphabets (ł, ș, ř, ễ). Fira Sans, designed for small phone
screens, covers Latin Extended, Vietnamese, Greek and Cyrillic and is installed from PyPI
(``fontpkg-fira-sans``, a requirement), so that a fresh machine needs no system font.

If that package is missing, the renderer still works: it falls back to Debian's DejaVu Sans
(``fonts-dejavu-core``) and, last, to the Bitstream Vera that reportlab ships (Latin-1
only), logging why, because printing badges on the day matters more than the typeface.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class BadgeFonts:
    """The regular and bold TrueType files in use, and why these ones."""

    family: str
    regular: Path
    bold: Path
    reason: str


def _fira_sans() -> BadgeFonts | None:
    try:
        import fontpkg_fira_sans
    except ImportError:
        return None
    files = Path(fontpkg_fira_sans.ROOT) / "files"
    regular, bold = files / "FiraSans-Regular.ttf", files / "FiraSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return None
    return BadgeFonts("Fira Sans", regular, bold, "fontpkg-fira-sans (PyPI)")


def _dejavu_sans() -> BadgeFonts | None:
    regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return None
    return BadgeFonts("DejaVu Sans", regular, bold,
                      "fontpkg-fira-sans is not installed: system DejaVu Sans")


def _reportlab_vera() -> BadgeFonts:
    import reportlab

    fonts = Path(reportlab.__file__).resolve().parent / "fonts"
    return BadgeFonts("Bitstream Vera Sans", fonts / "Vera.ttf", fonts / "VeraBd.ttf",
                      "neither fontpkg-fira-sans nor DejaVu Sans is installed: reportlab's "
                      "Vera, which lacks letters outside Latin-1 (ł, ș, ř...)")


@lru_cache(maxsize=1)
def badge_fonts() -> BadgeFonts:
    """The best font available here; a fallback is logged once with its reason."""
    fonts = _fira_sans()
    if fonts is None:
        fonts = _dejavu_sans() or _reportlab_vera()
        log.warning("Badge font: %s (install the requirements to get Fira Sans).",
                    fonts.reason)
    return fonts
