"""Seal imprint images (PNG, transparent background): a red circle, a five-pointed star in the
middle, the unit's or enterprise's name along the upper arc and an optional line below the star
(e.g. 电子证照专用章 or the seal's purpose). Drawn with Pillow and Noto CJK (fonts-noto-cjk)."""

from __future__ import annotations

import io
import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
RED = (210, 20, 30, 255)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size, index=2)  # index 2: Simplified Chinese face
        except OSError:
            continue
    return ImageFont.load_default(size)


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


@lru_cache(maxsize=64)
def seal_png(name: str, bottom: str = "", *, size: int = 400, code: str = "") -> bytes:
    """The imprint as PNG bytes (cached: the same name gives the same picture)."""
    scale = 2  # draw at double size, then downsample for smooth edges
    s = size * scale
    image = Image.new("RGBA", (s, s), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    ring = s * 0.035
    draw.ellipse((ring / 2, ring / 2, s - ring / 2, s - ring / 2), outline=RED, width=int(ring))
    c = s / 2
    draw.polygon(_star(c, c, s * 0.16), fill=RED)
    # name along the upper arc, clockwise from lower left to lower right
    chars = list(name)[:24]
    font_size = int(s * (0.13 if len(chars) <= 10 else 0.10 if len(chars) <= 16 else 0.08))
    font = _font(font_size)
    radius = s / 2 - ring - font_size * 0.75
    span = min(math.radians(250), math.radians(24) * max(len(chars) - 1, 1))
    for i, ch in enumerate(chars):
        angle = -math.pi / 2 - span / 2 + (span * i / (len(chars) - 1) if len(chars) > 1 else 0)
        x = c + radius * math.cos(angle)
        y = c + radius * math.sin(angle)
        glyph = Image.new("RGBA", (font_size * 2, font_size * 2), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((font_size, font_size), ch, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle + math.pi / 2), resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (int(x - font_size), int(y - font_size)))
    if bottom:
        small = _font(int(s * 0.075))
        draw.text((c, c + s * 0.25), bottom, font=small, fill=RED, anchor="mm")
    if code:
        tiny = _font(int(s * 0.045))
        draw.text((c, c + s * 0.36), code, font=tiny, fill=RED, anchor="mm")
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
