"""A fake camera for Chromium: a badge's QR code on a white card, as a Y4M video.

Chromium's ``--use-file-for-fake-video-capture=FILE.y4m`` plays a YUV4MPEG2 file as the
camera, in a loop. The frames here are made like a phone would see a badge: a white card
with the QR code and a name, a little rotated, on a grey table, with sensor noise and a
small hand shake from frame to frame. Written with Pillow and numpy (no ffmpeg).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import qrcode
from PIL import Image, ImageDraw


def badge_card_png(text: str, path: Path, *, module_px: int = 6, caption: str = "") -> Path:
    """Draw ``text`` as a QR code (error correction M, as badges print it) on a white
    card with an optional caption, and save it as PNG."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    modules = np.array(qr.get_matrix(), dtype=bool)
    pixels = np.where(modules, 0, 255).astype(np.uint8)
    code = Image.fromarray(pixels, "L").resize(
        (modules.shape[1] * module_px, modules.shape[0] * module_px), Image.Resampling.NEAREST)
    card = Image.new("RGB", (code.width + 40, code.height + 70), "white")
    card.paste(code.convert("RGB"), (20, 20))
    if caption:
        ImageDraw.Draw(card).text((24, code.height + 30), caption, fill=(20, 20, 20))
    card.save(path)
    return path


def _frame(card: Image.Image, size: tuple[int, int], angle: float, offset: tuple[int, int],
           rng: np.random.Generator, noise: float) -> np.ndarray:
    background = Image.new("RGB", size, (118, 112, 105))
    rotated = card.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True,
                          fillcolor=(118, 112, 105))
    x = (size[0] - rotated.width) // 2 + offset[0]
    y = (size[1] - rotated.height) // 2 + offset[1]
    background.paste(rotated, (x, y))
    rgb = np.asarray(background, dtype=np.float32)
    rgb += rng.normal(0.0, noise, rgb.shape).astype(np.float32)
    return np.clip(rgb, 0, 255)


def _to_i420(rgb: np.ndarray) -> bytes:
    """Full-range BT.601 RGB -> planar Y, U, V with 2x2 chroma subsampling (4:2:0)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    v = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b

    def subsample(plane: np.ndarray) -> np.ndarray:
        h, w = plane.shape
        return plane.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

    planes = [y, subsample(u), subsample(v)]
    return b"".join(np.clip(np.rint(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def write_y4m_from_png(png: Path, y4m: Path, *, seconds: float = 3.0, fps: int = 10,
                       size: tuple[int, int] = (640, 480), scale: float = 1.0,
                       angle: float = 4.0, noise: float = 10.0, seed: int = 7) -> Path:
    """Write a YUV4MPEG2 (4:2:0) video of the PNG held in front of the camera."""
    return write_y4m_sequence([(png, seconds)], y4m, fps=fps, size=size, scale=scale,
                              angle=angle, noise=noise, seed=seed)


def write_y4m_sequence(shots: list[tuple[Path | None, float]], y4m: Path, *, fps: int = 10,
                       size: tuple[int, int] = (640, 480), scale: float = 1.0,
                       angle: float = 4.0, noise: float = 10.0, seed: int = 7) -> Path:
    """Write a video of several cards in turn: ``(png, seconds)`` each, ``None`` for the
    empty table between two badges (the way a queue passes a scanner)."""
    if size[0] % 2 or size[1] % 2:
        raise ValueError("4:2:0 needs an even width and height")
    rng = np.random.default_rng(seed)
    header = f"YUV4MPEG2 W{size[0]} H{size[1]} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii")
    with y4m.open("wb") as out:
        out.write(header)
        for png, seconds in shots:
            card = _card(png, scale)
            for _ in range(max(1, round(seconds * fps))):
                shake = (int(rng.integers(-3, 4)), int(rng.integers(-3, 4)))
                tilt = angle + float(rng.uniform(-0.5, 0.5))
                out.write(b"FRAME\n")
                out.write(_to_i420(_frame(card, size, tilt, shake, rng, noise)))
    return y4m


def _card(png: Path | None, scale: float) -> Image.Image:
    if png is None:  # nothing in front of the camera: a blank, table-coloured card
        return Image.new("RGB", (8, 8), (118, 112, 105))
    card = Image.open(png).convert("RGB")
    if scale != 1.0:
        card = card.resize((round(card.width * scale), round(card.height * scale)),
                           Image.Resampling.BILINEAR)
    return card
