"""Charts for the Word/PDF reports, drawn server-side with Pillow (no matplotlib) using the embedded Noto Sans SC.

Two kinds are enough for the 情况报告: a horizontal bar chart (categories on the left, so long Chinese names
need no rotation; one or more series; optional goal line) and a pie chart with a legend. The output is a PNG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from shuangsuiji.common.documents import FONT_PATH

PALETTE = [(32, 107, 196), (47, 179, 68), (247, 103, 7), (214, 57, 57), (174, 62, 201), (23, 162, 184),
           (245, 159, 0), (102, 117, 127)]
BLACK = (33, 37, 41)
GREY = (120, 130, 140)
GRID = (225, 228, 232)
SCALE = 2  # draw at twice the size for crisp text in print


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size * SCALE)


def _text_width(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> float:
    return draw.textlength(text, font=font)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return float(top)
    return float(10 ** (exponent + 1))


def _format(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *,
    percent: bool = False, goal: tuple[str, float] | None = None, width: int = 640,
) -> bytes:
    """A horizontal grouped bar chart as PNG bytes."""
    s = SCALE
    bar_height, gap = 16 * s, 10 * s
    group_height = bar_height * len(series) + gap
    title_font, label_font, small_font = _font(16), _font(13), _font(12)
    probe = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    label_width = max([_text_width(probe, c, label_font) for c in categories] + [60 * s]) + 12 * s
    top = 50 * s + (22 * s if len(series) > 1 else 0)
    plot_height = max(group_height * len(categories), 40 * s)
    height = top + plot_height + 40 * s
    image = Image.new("RGB", (width * s, int(height)), "white")
    draw = ImageDraw.Draw(image)
    draw.text((width * s / 2, 14 * s), title, fill=BLACK, font=title_font, anchor="mt")
    if len(series) > 1:
        legend_x = 20.0 * s
        for index, (name, _values) in enumerate(series):
            color = PALETTE[index % len(PALETTE)]
            draw.rectangle([legend_x, 46 * s, legend_x + 12 * s, 58 * s], fill=color)
            draw.text((legend_x + 16 * s, 52 * s), name, fill=BLACK, font=small_font, anchor="lm")
            legend_x += _text_width(draw, name, small_font) + 40 * s
    left = label_width + 10 * s
    right = width * s - 56 * s
    values = [v for _name, vs in series for v in vs]
    top_value = _nice_max(max([*values, goal[1] if goal else 0, 100 if percent and max(values or [0]) > 80 else 0]))
    # grid and axis
    for step in range(6):
        x = left + (right - left) * step / 5
        draw.line([(x, top), (x, top + plot_height)], fill=GRID, width=s)
        draw.text((x, top + plot_height + 6 * s), _format(top_value * step / 5, percent), fill=GREY,
                  font=small_font, anchor="mt")
    draw.line([(left, top), (left, top + plot_height)], fill=GREY, width=s)
    for row, category in enumerate(categories):
        y0 = top + row * group_height + gap / 2
        draw.text((left - 8 * s, y0 + bar_height * len(series) / 2), category, fill=BLACK, font=label_font,
                  anchor="rm")
        for index, (_name, vs) in enumerate(series):
            value = float(vs[row] or 0)
            y = y0 + index * bar_height
            x1 = left + (right - left) * (value / top_value)
            if value > 0:
                draw.rectangle([left, y + s, max(x1, left + s), y + bar_height - s], fill=PALETTE[index % len(PALETTE)])
            draw.text((x1 + 4 * s, y + bar_height / 2), _format(value, percent), fill=BLACK, font=small_font,
                      anchor="lm")
    if goal:
        x = left + (right - left) * (goal[1] / top_value)
        for y in range(int(top), int(top + plot_height), 8 * s):
            draw.line([(x, y), (x, y + 4 * s)], fill=(214, 57, 57), width=2 * s)
        draw.text((x, top - 4 * s), goal[0], fill=(214, 57, 57), font=small_font, anchor="mb")
    return _png(image)


def pie_chart(title: str, items: Sequence[tuple[str, float]], *, width: int = 640) -> bytes:
    """A pie chart with a legend (label, count, share) as PNG bytes; an empty pie says so."""
    s = SCALE
    height = max(290, 80 + 30 * len(items)) * s
    image = Image.new("RGB", (width * s, height), "white")
    draw = ImageDraw.Draw(image)
    title_font, label_font = _font(16), _font(13)
    draw.text((width * s / 2, 14 * s), title, fill=BLACK, font=title_font, anchor="mt")
    total = sum(value for _label, value in items)
    box = [30 * s, 50 * s, 250 * s, 270 * s]
    if total <= 0:
        draw.ellipse(box, outline=GRID, width=2 * s)
        draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), "暂无数据", fill=GREY, font=label_font, anchor="mm")
        return _png(image)
    start = -90.0
    for index, (_label, value) in enumerate(items):
        sweep = 360.0 * value / total
        if sweep > 0:
            draw.pieslice(box, start, start + sweep, fill=PALETTE[index % len(PALETTE)], outline="white", width=2 * s)
        start += sweep
    y = 80 * s
    for index, (label, value) in enumerate(items):
        color = PALETTE[index % len(PALETTE)]
        draw.rectangle([280 * s, y - 7 * s, 294 * s, y + 7 * s], fill=color)
        share = 100.0 * value / total
        draw.text((302 * s, y), f"{label}：{value:,.0f}（{share:.1f}%）", fill=BLACK, font=label_font, anchor="lm")
        y += 30 * s
    return _png(image)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
