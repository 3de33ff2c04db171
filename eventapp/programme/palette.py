"""French names for signage colours.

The exchange format gives a theme's colour as ``#rrggbb`` only, but the app always shows
a colour with its name (colour is never the only cue), so an imported theme gets the name
of the nearest colour of a small palette that everyone on site can say aloud.
"""

from __future__ import annotations

import colorsys

# Reference shades, several per name where one hex value would cover the name badly.
PALETTE: tuple[tuple[str, str], ...] = (
    ("rouge", "#d0312d"), ("rouge", "#e74c3c"), ("rouge", "#ff0000"), ("rouge", "#8b0000"),
    ("orange", "#f39c12"), ("orange", "#e67e22"), ("orange", "#ff8c00"),
    ("jaune", "#f1c40f"), ("jaune", "#ffff00"), ("jaune", "#f2c500"),
    ("vert", "#2e8b57"), ("vert", "#27ae60"), ("vert", "#00ff00"), ("vert", "#006400"),
    ("turquoise", "#1abc9c"), ("turquoise", "#40e0d0"), ("turquoise", "#008080"),
    ("bleu", "#1f6fb2"), ("bleu", "#3498db"), ("bleu", "#0000ff"), ("bleu", "#000080"),
    ("violet", "#8e44ad"), ("violet", "#800080"), ("violet", "#9b59b6"),
    ("rose", "#ff69b4"), ("rose", "#e91e63"), ("rose", "#ffc0cb"),
    ("marron", "#8b4513"), ("marron", "#a0522d"), ("marron", "#5d4037"),
    ("gris", "#808080"), ("gris", "#95a5a6"), ("gris", "#c0c0c0"), ("gris", "#505050"),
    ("noir", "#000000"), ("noir", "#1c1c1c"),
    ("blanc", "#ffffff"), ("blanc", "#f5f5f5"),
)

# One shade per name, offered to organisers when they choose a theme's colour.
SIGNAGE_COLOURS: tuple[tuple[str, str], ...] = (
    ("rouge", "#d0312d"), ("orange", "#e67e22"), ("jaune", "#f1c40f"), ("vert", "#2e8b57"),
    ("turquoise", "#1abc9c"), ("bleu", "#1f6fb2"), ("violet", "#8e44ad"), ("rose", "#e91e63"),
    ("marron", "#8b4513"), ("gris", "#808080"), ("noir", "#000000"),
)


def _hls(hex_colour: str) -> tuple[float, float, float]:
    red, green, blue = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(red, green, blue)


def _distance(first: str, second: str) -> float:
    """Perceptual-enough distance: hue matters only for saturated, mid-light colours."""
    h1, l1, s1 = _hls(first)
    h2, l2, s2 = _hls(second)
    hue = min(abs(h1 - h2), 1 - abs(h1 - h2)) * 2  # 0..1 around the colour wheel
    chroma = min(s1, s2) * (1 - abs(2 * min(l1, l2) - 1))
    return (hue * chroma * 3) ** 2 + (l1 - l2) ** 2 + (s1 - s2) ** 2 * 0.5


def colour_name(hex_colour: str) -> str:
    """The palette name nearest to an ``#rrggbb`` colour."""
    return min(PALETTE, key=lambda entry: _distance(hex_colour.lower(), entry[1]))[0]
